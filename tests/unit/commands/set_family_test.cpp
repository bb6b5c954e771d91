// The set family through the dispatcher: replies as RESP bytes, Redis 7.0's texts and order of
// checks, the RESP3 set type, and what SPOP records on the write-effect channel.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class SetsTest : public EngineTest {};

const std::string kWrongType =
    err("WRONGTYPE Operation against a key holding the wrong kind of value");

TEST_F(SetsTest, AddRemoveAndMembership) {
  EXPECT_EQ(run({"SADD", "s", "3", "1", "2", "1"}), integer(3));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "s"}), bulk("intset"));
  EXPECT_EQ(run({"TYPE", "s"}), "+set\r\n");
  // An intset replies in ascending order, as Redis's does.
  EXPECT_EQ(run({"SMEMBERS", "s"}), array({bulk("1"), bulk("2"), bulk("3")}));
  EXPECT_EQ(run({"SISMEMBER", "s", "2"}), integer(1));
  EXPECT_EQ(run({"SISMEMBER", "s", "x"}), integer(0));
  EXPECT_EQ(run({"SMISMEMBER", "s", "x", "3"}), array({integer(0), integer(1)}));
  EXPECT_EQ(run({"SMISMEMBER", "none", "x"}), array({integer(0)}));
  EXPECT_EQ(run({"SADD", "s", "a"}), integer(1));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "s"}), bulk("hashtable"));
  EXPECT_EQ(run({"SCARD", "s"}), integer(4));
  EXPECT_EQ(run({"SREM", "s", "1", "a", "zz"}), integer(2));
  EXPECT_EQ(run({"SREM", "s", "2", "3"}), integer(2));
  EXPECT_EQ(run({"EXISTS", "s"}), integer(0));  // emptied: deleted
  EXPECT_EQ(run({"SCARD", "s"}), integer(0));
  EXPECT_EQ(run({"SMEMBERS", "s"}), "*0\r\n");
}

TEST_F(SetsTest, WrongTypeEverywhere) {
  run({"SET", "str", "v"});
  run({"SADD", "s", "a"});
  for (auto cmd : std::vector<std::vector<std::string_view>>{{"SADD", "str", "a"},
                                                             {"SREM", "str", "a"},
                                                             {"SCARD", "str"},
                                                             {"SISMEMBER", "str", "a"},
                                                             {"SMISMEMBER", "str", "a"},
                                                             {"SMEMBERS", "str"},
                                                             {"SRANDMEMBER", "str"},
                                                             {"SRANDMEMBER", "str", "2"},
                                                             {"SPOP", "str"},
                                                             {"SPOP", "str", "2"},
                                                             {"SMOVE", "str", "s", "a"},
                                                             {"SMOVE", "s", "str", "a"},
                                                             {"SINTER", "none", "str"},
                                                             {"SINTERCARD", "2", "none", "str"},
                                                             {"SUNION", "s", "str"},
                                                             {"SDIFF", "none", "str"},
                                                             {"SINTERSTORE", "d", "str"},
                                                             {"SUNIONSTORE", "d", "str"},
                                                             {"SDIFFSTORE", "d", "s", "str"},
                                                             {"SSCAN", "str", "0"}}) {
    EXPECT_EQ(run(cmd), kWrongType) << cmd[0];
  }
  // An absent source is checked before the destination's type.
  EXPECT_EQ(run({"SMOVE", "none", "str", "a"}), integer(0));
}

TEST_F(SetsTest, IntsetLimitFollowsTheConfig) {
  EXPECT_EQ(run({"CONFIG", "SET", "set-max-intset-entries", "2"}), "+OK\r\n");
  run({"SADD", "s", "1", "2"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "s"}), bulk("intset"));
  run({"SADD", "s", "3"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "s"}), bulk("hashtable"));
  EXPECT_EQ(run({"CONFIG", "SET", "set-max-listpack-entries", "7"}), "+OK\r\n");
  EXPECT_EQ(run({"CONFIG", "GET", "set-max-listpack-entries"}),
            array({bulk("set-max-listpack-entries"), bulk("7")}));
}

TEST_F(SetsTest, RandomMembersAndPops) {
  EXPECT_EQ(run({"SRANDMEMBER", "none"}), kNil);
  EXPECT_EQ(run({"SRANDMEMBER", "none", "3"}), "*0\r\n");
  EXPECT_EQ(run({"SPOP", "none"}), kNil);
  EXPECT_EQ(run({"SPOP", "none", "3"}), "*0\r\n");
  run({"SADD", "s", "a", "b", "c"});
  EXPECT_EQ(run({"SRANDMEMBER", "s", "0"}), "*0\r\n");
  EXPECT_EQ(run({"SRANDMEMBER", "s", "1", "2"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SRANDMEMBER", "s", "x"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"SRANDMEMBER", "s", "-9223372036854775808"}),
            err("ERR value is out of range, value must between -9223372036854775807 and "
                "9223372036854775807"));
  EXPECT_EQ(run({"SPOP", "s", "-1"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"SPOP", "s", "1", "2"}), err("ERR syntax error"));
  // Negative counts repeat: 7 replies from 3 members.
  EXPECT_EQ(run({"SRANDMEMBER", "s", "-7"}).substr(0, 4), "*7\r\n");
  EXPECT_EQ(run({"SRANDMEMBER", "s", "10"}).substr(0, 4), "*3\r\n");
  const std::string two = run({"SRANDMEMBER", "s", "2"});
  EXPECT_EQ(two.substr(0, 4), "*2\r\n");
  EXPECT_NE(two.substr(4, 7), two.substr(11, 7));  // distinct
  EXPECT_EQ(run({"SPOP", "s", "0"}), "*0\r\n");
  EXPECT_EQ(run({"SPOP", "s", "2"}).substr(0, 4), "*2\r\n");
  EXPECT_EQ(run({"SCARD", "s"}), integer(1));
  EXPECT_EQ(run({"SPOP", "s"}).substr(0, 4), "$1\r\n");
  EXPECT_EQ(run({"EXISTS", "s"}), integer(0));
}

TEST_F(SetsTest, Resp3SetReplies) {
  run({"HELLO", "3"});
  run({"SADD", "s", "1", "2"});
  EXPECT_EQ(run({"SMEMBERS", "s"}), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_EQ(run({"SMEMBERS", "none"}), "~0\r\n");
  EXPECT_EQ(run({"SINTER", "s", "none"}), "~0\r\n");
  EXPECT_EQ(run({"SUNION", "s"}), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_EQ(run({"SPOP", "none", "2"}), "~0\r\n");
  EXPECT_EQ(run({"SRANDMEMBER", "none", "2"}), "*0\r\n");  // an array, as Redis
  EXPECT_EQ(run({"SPOP", "s", "5"}), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
}

TEST_F(SetsTest, AlgebraAndStore) {
  run({"SADD", "a", "1", "2", "3", "x"});
  run({"SADD", "b", "2", "3", "4"});
  run({"SET", "str", "v"});
  EXPECT_EQ(run({"SINTER", "a", "b"}), array({bulk("2"), bulk("3")}));
  EXPECT_EQ(run({"SINTERCARD", "2", "a", "b"}), integer(2));
  EXPECT_EQ(run({"SINTERCARD", "2", "a", "b", "LIMIT", "1"}), integer(1));
  EXPECT_EQ(run({"SINTERCARD", "0", "a"}), err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(run({"SINTERCARD", "3", "a", "b"}),
            err("ERR Number of keys can't be greater than number of args"));
  EXPECT_EQ(run({"SINTERCARD", "2", "a", "b", "LIMIT"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SINTERCARD", "2", "a", "b", "LIMIT", "-1"}), err("ERR LIMIT can't be negative"));
  EXPECT_EQ(run({"SDIFF", "b", "a"}), array({bulk("4")}));
  EXPECT_EQ(run({"SDIFF", "a", "a"}), "*0\r\n");
  EXPECT_EQ(run({"SUNIONSTORE", "u", "b", "none"}), integer(3));
  EXPECT_EQ(run({"SMEMBERS", "u"}), array({bulk("2"), bulk("3"), bulk("4")}));
  // STORE replaces any type and drops the TTL; an empty result deletes the destination.
  run({"EXPIRE", "u", "100"});
  EXPECT_EQ(run({"SINTERSTORE", "str", "a", "b"}), integer(2));
  EXPECT_EQ(run({"TYPE", "str"}), "+set\r\n");
  EXPECT_EQ(run({"SDIFFSTORE", "u", "a", "b"}), integer(2));
  EXPECT_EQ(run({"TTL", "u"}), integer(-1));
  EXPECT_EQ(run({"SINTERSTORE", "u", "a", "none"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "u"}), integer(0));
  EXPECT_EQ(run({"SDIFFSTORE", "str", "b", "b"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "str"}), integer(0));
}

TEST_F(SetsTest, Move) {
  run({"SADD", "a", "1", "2"});
  EXPECT_EQ(run({"SMOVE", "a", "b", "1"}), integer(1));
  EXPECT_EQ(run({"SMOVE", "a", "b", "9"}), integer(0));
  EXPECT_EQ(run({"SMOVE", "a", "a", "2"}), integer(1));
  EXPECT_EQ(run({"SMOVE", "a", "a", "9"}), integer(0));
  EXPECT_EQ(run({"SMOVE", "a", "b", "2"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "a"}), integer(0));
  EXPECT_EQ(run({"SMEMBERS", "b"}), array({bulk("1"), bulk("2")}));
}

TEST_F(SetsTest, Scan) {
  EXPECT_EQ(run({"SSCAN", "none", "0", "bogus"}), array({bulk("0"), "*0\r\n"}));
  EXPECT_EQ(run({"SSCAN", "none", "x"}), err("ERR invalid cursor"));
  run({"SADD", "s", "1", "2", "12"});
  EXPECT_EQ(run({"SSCAN", "s", "0", "MATCH", "1*"}),
            array({bulk("0"), array({bulk("1"), bulk("12")})}));
  EXPECT_EQ(run({"SSCAN", "s", "0", "COUNT", "0"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SSCAN", "s", "0", "TYPE", "set"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SSCAN", "s", "0", "COUNT"}), err("ERR syntax error"));
  // A table walks in steps; every member comes back exactly once when nothing changes.
  for (int i = 0; i < 100; ++i) run({"SADD", "t", "m" + std::to_string(i)});
  std::vector<std::string> got;
  std::string cursor = "0";
  do {
    std::string reply = run({"SSCAN", "t", cursor, "COUNT", "7"});
    // *2\r\n$<n>\r\n<cursor>\r\n*<k>\r\n then bulks
    size_t p = reply.find("\r\n", 4);
    size_t q = reply.find("\r\n", p + 2);
    cursor = reply.substr(p + 2, q - p - 2);
    size_t pos = reply.find("\r\n", q + 2) + 2;
    while (pos < reply.size()) {
      size_t e = reply.find("\r\n", pos);
      size_t end = reply.find("\r\n", e + 2);
      got.push_back(reply.substr(e + 2, end - e - 2));
      pos = end + 2;
    }
  } while (cursor != "0");
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got.size(), 100u);
  EXPECT_EQ(std::unique(got.begin(), got.end()), got.end());
}

TEST_F(SetsTest, Arity) {
  EXPECT_EQ(run({"SADD", "s"}), err("ERR wrong number of arguments for 'sadd' command"));
  EXPECT_EQ(run({"SMEMBERS", "a", "b"}),
            err("ERR wrong number of arguments for 'smembers' command"));
  EXPECT_EQ(run({"SINTERCARD", "1"}),
            err("ERR wrong number of arguments for 'sintercard' command"));
}

}  // namespace
}  // namespace basalt::testing
