#include <gtest/gtest.h>

#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class HashesTest : public EngineTest {};

const std::string kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

TEST_F(HashesTest, SetGetAndDeleteTheKeyWhenEmpty) {
  EXPECT_EQ(run({"HSET", "h", "a", "1", "b", "2"}), integer(2));
  EXPECT_EQ(run({"HSET", "h", "a", "3"}), integer(0));
  EXPECT_EQ(run({"HMSET", "h", "c", "4"}), "+OK\r\n");
  EXPECT_EQ(run({"HGET", "h", "a"}), bulk("3"));
  EXPECT_EQ(run({"HGET", "h", "z"}), kNil);
  EXPECT_EQ(run({"HMGET", "h", "a", "z"}), array({bulk("3"), kNil}));
  EXPECT_EQ(run({"HMGET", "nokey", "a"}), array({kNil}));
  EXPECT_EQ(run({"HGETALL", "h"}),
            array({bulk("a"), bulk("3"), bulk("b"), bulk("2"), bulk("c"), bulk("4")}));
  EXPECT_EQ(run({"HKEYS", "h"}), array({bulk("a"), bulk("b"), bulk("c")}));
  EXPECT_EQ(run({"HVALS", "h"}), array({bulk("3"), bulk("2"), bulk("4")}));
  EXPECT_EQ(run({"TYPE", "h"}), "+hash\r\n");
  EXPECT_EQ(run({"OBJECT", "ENCODING", "h"}), bulk("listpack"));
  EXPECT_EQ(run({"HDEL", "h", "a", "b", "c", "d"}), integer(3));
  EXPECT_EQ(run({"EXISTS", "h"}), integer(0));
  EXPECT_EQ(run({"HGETALL", "h"}), "*0\r\n");
}

// A hash built a field at a time (HSET, HSETNX, HINCRBY, HINCRBYFLOAT) ends as one built whole:
// its block back in its key's entry (Database::refit), one 64-byte allocation for five small
// pairs under a 12-byte key, its TTL kept.
TEST_F(HashesTest, AHashBuiltAFieldAtATimeEndsInItsKeysEntry) {
  const std::string key = "h:0000000001";
  EXPECT_EQ(run({"HSET", key, "f1", "v1"}), integer(1));
  EXPECT_EQ(run({"PEXPIRE", key, "100000"}), integer(1));
  EXPECT_EQ(run({"HSETNX", key, "f2", "v2"}), integer(1));
  EXPECT_EQ(run({"HINCRBY", key, "f3", "7"}), integer(7));
  EXPECT_EQ(run({"HINCRBYFLOAT", key, "f4", "1.5"}), bulk("1.5"));
  EXPECT_EQ(run({"HSET", key, "f5", "v5"}), integer(1));
  const Entry* e = db().peek(key);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->value.hash().block().is_embedded());
  EXPECT_EQ(e->value.heap_bytes(), 0u);
  EXPECT_LE(e->memory_usage(), 64u);  // 27 + 12 + 25: it took 48 + 32 apart
  EXPECT_EQ(run({"HGETALL", key}),
            array({bulk("f1"), bulk("v1"), bulk("f2"), bulk("v2"), bulk("f3"), bulk("7"),
                   bulk("f4"), bulk("1.5"), bulk("f5"), bulk("v5")}));
  EXPECT_EQ(run({"OBJECT", "ENCODING", key}), bulk("listpack"));
  EXPECT_EQ(db().expires(), 1u);
  EXPECT_GT(db().expire_at(e), 0);
  EXPECT_EQ(run({"DEL", key}), integer(1));
  EXPECT_EQ(db().expires(), 0u);
}

// A hash that shrank (HDEL) moves into an entry its size: built with twenty pairs in one HSET it
// took a 160-byte entry; five pairs left need 64.
TEST_F(HashesTest, AHashThatShrankMovesIntoAnEntryItsSize) {
  const std::string key = "h:0000000002";
  std::vector<std::string> hset = {"HSET", key};
  for (const char* prefix : {"f", "g"}) {
    for (int i = 0; i < 10; ++i) {
      hset.push_back(prefix + std::to_string(i));
      hset.push_back("v" + std::to_string(i));
    }
  }
  EXPECT_EQ(run(std::vector<std::string_view>(hset.begin(), hset.end())), integer(20));
  EXPECT_EQ(run({"PEXPIRE", key, "100000"}), integer(1));
  const size_t before = db().peek(key)->memory_usage();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(run({"HDEL", key, "g" + std::to_string(i)}), integer(1));
  EXPECT_EQ(run({"HDEL", key, "f5", "f6", "f7", "f8", "f9"}), integer(5));
  const Entry* e = db().peek(key);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->value.hash().block().is_embedded());
  EXPECT_EQ(e->value.heap_bytes(), 0u);
  EXPECT_LE(e->memory_usage(), 64u) << "was " << before;  // 27 + 12 + 25
  EXPECT_EQ(run({"HGETALL", key}),
            array({bulk("f0"), bulk("v0"), bulk("f1"), bulk("v1"), bulk("f2"), bulk("v2"),
                   bulk("f3"), bulk("v3"), bulk("f4"), bulk("v4")}));
  EXPECT_EQ(db().expires(), 1u);
  EXPECT_GT(db().expire_at(e), 0);
}

TEST_F(HashesTest, ArityAndTypeErrors) {
  EXPECT_EQ(run({"HSET", "h", "a", "1", "b"}),
            err("ERR wrong number of arguments for 'hset' command"));
  EXPECT_EQ(run({"HMSET", "h", "a"}), err("ERR wrong number of arguments for 'hmset' command"));
  run({"SET", "s", "v"});
  for (auto cmd : std::vector<std::vector<std::string_view>>{{"HSET", "s", "a", "b"},
                                                             {"HGET", "s", "a"},
                                                             {"HMGET", "s", "a"},
                                                             {"HDEL", "s", "a"},
                                                             {"HLEN", "s"},
                                                             {"HGETALL", "s"},
                                                             {"HINCRBY", "s", "a", "1"},
                                                             {"HRANDFIELD", "s", "0"},
                                                             {"HSCAN", "s", "0"}}) {
    EXPECT_EQ(run(cmd), kWrongType) << cmd[0];
  }
  // Arguments are parsed before the key is looked at.
  EXPECT_EQ(run({"HINCRBY", "s", "a", "x"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"HINCRBYFLOAT", "s", "a", "x"}), err("ERR value is not a valid float"));
  EXPECT_EQ(run({"HINCRBYFLOAT", "s", "a", "inf"}), err("ERR value is NaN or Infinity"));
  EXPECT_EQ(run({"HSCAN", "s", "x"}), err("ERR invalid cursor"));
}

TEST_F(HashesTest, Increments) {
  EXPECT_EQ(run({"HINCRBY", "h", "n", "5"}), integer(5));
  EXPECT_EQ(run({"HSET", "h", "s", "abc"}), integer(1));
  EXPECT_EQ(run({"HINCRBY", "h", "s", "1"}), err("ERR hash value is not an integer"));
  EXPECT_EQ(run({"HINCRBYFLOAT", "h", "s", "1"}), err("ERR hash value is not a float"));
  EXPECT_EQ(run({"HINCRBY", "h", "n", "9223372036854775807"}),
            err("ERR increment or decrement would overflow"));
  EXPECT_EQ(run({"HINCRBYFLOAT", "h", "n", "0.5"}), bulk("5.5"));
  EXPECT_EQ(run({"HGET", "h", "n"}), bulk("5.5"));
}

TEST_F(HashesTest, EncodingFollowsTheConfig) {
  EXPECT_EQ(run({"CONFIG", "SET", "hash-max-ziplist-entries", "2"}), "+OK\r\n");
  EXPECT_EQ(run({"CONFIG", "GET", "hash-max-listpack-entries"}),
            array({bulk("hash-max-listpack-entries"), bulk("2")}));
  run({"HSET", "h", "a", "1", "b", "2"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "h"}), bulk("listpack"));
  run({"HSET", "h", "c", "3"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "h"}), bulk("hashtable"));
  run({"CONFIG", "SET", "hash-max-listpack-value", "3"});
  run({"HSET", "v", "f", "abcd"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "v"}), bulk("hashtable"));
  // Every write that adds a field reads the same limits.
  run({"HSETNX", "nx", "f", "long"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "nx"}), bulk("hashtable"));
  run({"HINCRBY", "i", "f", "1000"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "i"}), bulk("hashtable"));
  run({"HINCRBYFLOAT", "fl", "f", "1.25"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "fl"}), bulk("hashtable"));
  run({"HINCRBY", "small", "f", "1"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "small"}), bulk("listpack"));
}

TEST_F(HashesTest, RandomFieldAndScanReplies) {
  run({"HSET", "h", "f", "v"});
  EXPECT_EQ(run({"HRANDFIELD", "h"}), bulk("f"));
  EXPECT_EQ(run({"HRANDFIELD", "h", "-2", "WITHVALUES"}),
            array({bulk("f"), bulk("v"), bulk("f"), bulk("v")}));
  EXPECT_EQ(run({"HRANDFIELD", "h", "0"}), "*0\r\n");
  EXPECT_EQ(run({"HRANDFIELD", "nokey"}), kNil);
  EXPECT_EQ(run({"HRANDFIELD", "h", "1", "x"}), err("ERR syntax error"));
  EXPECT_EQ(run({"HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"}),
            err("ERR value is out of range"));
  EXPECT_EQ(run({"HSCAN", "h", "0"}), array({bulk("0"), array({bulk("f"), bulk("v")})}));
  EXPECT_EQ(run({"HSCAN", "nokey", "0", "COUNT", "x"}), array({bulk("0"), "*0\r\n"}));
  EXPECT_EQ(run({"HSCAN", "h", "0", "COUNT", "0"}), err("ERR syntax error"));
  EXPECT_EQ(run({"HSCAN", "h", "0", "TYPE", "hash"}), err("ERR syntax error"));
}

TEST_F(HashesTest, HincrbyfloatPropagatesAsHset) {
  EXPECT_EQ(run({"HINCRBYFLOAT", "h", "f", "1.10"}), bulk("1.1"));
  EXPECT_EQ(run({"HGET", "h", "f"}), bulk("1.1"));
}

}  // namespace
}  // namespace basalt::testing
