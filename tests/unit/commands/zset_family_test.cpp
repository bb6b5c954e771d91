// The sorted set family through the dispatcher: reply bytes in RESP2 and RESP3, Redis's error
// texts and the order they are checked in, blocking pops. Expected bytes are redis-server 7.0.15's.

#include <gtest/gtest.h>

#include "store/zset.hpp"
#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class ZSetsTest : public EngineTest {};

// A sorted set built a member at a time (ZADD, ZINCRBY) ends as one built whole: one 64-byte
// allocation for five small members under a 12-byte key (Database::refit).
TEST_F(ZSetsTest, ASetBuiltAMemberAtATimeEndsInItsKeysEntry) {
  const std::string key = "z:0000000001";
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(run({"ZADD", key, std::to_string(i), "m" + std::to_string(i)}), integer(1));
  }
  EXPECT_EQ(run({"ZINCRBY", key, "5", "m5"}), bulk("5"));
  const Entry* e = db().peek(key);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->value.zset().block().is_embedded());
  EXPECT_EQ(e->value.heap_bytes(), 0u);
  EXPECT_LE(e->memory_usage(), 64u);  // 27 + 12 + 20: it took 48 + 32 apart
  EXPECT_EQ(run({"ZRANGE", key, "0", "-1", "WITHSCORES"}),
            array({bulk("m1"), bulk("1"), bulk("m2"), bulk("2"), bulk("m3"), bulk("3"), bulk("m4"),
                   bulk("4"), bulk("m5"), bulk("5")}));
}

// A sorted set that shrank (ZREM, ZPOPMIN, ZREMRANGEBYSCORE) moves into an entry its size.
TEST_F(ZSetsTest, ASetThatShrankMovesIntoAnEntryItsSize) {
  const std::string key = "z:0000000002";
  std::vector<std::string> zadd = {"ZADD", key};
  for (int i = 1; i <= 30; ++i) {
    zadd.push_back(std::to_string(i));
    zadd.push_back("m" + std::to_string(i));
  }
  EXPECT_EQ(run(std::vector<std::string_view>(zadd.begin(), zadd.end())), integer(30));
  const size_t before = db().peek(key)->memory_usage();
  EXPECT_EQ(run({"ZREM", key, "m30", "m29", "m28", "m27", "m26"}), integer(5));
  EXPECT_EQ(run({"ZPOPMIN", key, "10"}).rfind("*20\r\n", 0), 0u);  // m1..m10 with scores
  EXPECT_EQ(run({"ZREMRANGEBYSCORE", key, "(15", "+inf"}), integer(10));
  const Entry* e = db().peek(key);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->value.zset().block().is_embedded());
  EXPECT_EQ(e->value.heap_bytes(), 0u);
  EXPECT_LE(e->memory_usage(), 64u) << "was " << before;
  EXPECT_EQ(run({"ZRANGE", key, "0", "-1", "WITHSCORES"}),
            array({bulk("m11"), bulk("11"), bulk("m12"), bulk("12"), bulk("m13"), bulk("13"),
                   bulk("m14"), bulk("14"), bulk("m15"), bulk("15")}));
}

TEST_F(ZSetsTest, AddOptionsAndTheirErrors) {
  EXPECT_EQ(run({"ZADD", "z", "1", "a", "2", "b"}), integer(2));
  EXPECT_EQ(run({"ZADD", "z", "CH", "GT", "0", "a", "5", "b", "9", "c"}), integer(2));
  EXPECT_EQ(run({"ZADD", "z", "INCR", "1.1", "a"}), bulk("2.1000000000000001"));
  EXPECT_EQ(run({"ZADD", "z", "NX", "INCR", "1", "a"}), kNil);
  EXPECT_EQ(run({"ZADD", "z", "NX", "XX", "1", "a"}),
            err("ERR XX and NX options at the same time are not compatible"));
  EXPECT_EQ(run({"ZADD", "z", "GT", "LT", "1", "a"}),
            err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_EQ(run({"ZADD", "z", "INCR", "1", "a", "2", "b"}),
            err("ERR INCR option supports a single increment-element pair"));
  EXPECT_EQ(run({"ZADD", "z", "1", "a", "2"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZADD", "z", "nan", "a"}), err("ERR value is not a valid float"));
  EXPECT_EQ(run({"ZADD", "i", "inf", "a"}), integer(1));
  EXPECT_EQ(run({"ZINCRBY", "i", "-inf", "a"}), err("ERR resulting score is not a number (NaN)"));
  EXPECT_EQ(run({"ZSCORE", "i", "a"}), bulk("inf"));
  EXPECT_EQ(run({"ZMSCORE", "z", "b", "zz"}), array({bulk("5"), kNil}));
}

TEST_F(ZSetsTest, RangesInBothProtocols) {
  run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "0.5", "d"});
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "WITHSCORES"}),
            array({bulk("d"), bulk("0.5"), bulk("a"), bulk("1")}));
  EXPECT_EQ(run({"ZRANGE", "z", "(1", "+inf", "BYSCORE", "REV", "LIMIT", "0", "1"}), "*0\r\n");
  EXPECT_EQ(run({"ZRANGE", "z", "+inf", "(1", "BYSCORE", "REV", "LIMIT", "0", "1"}),
            array({bulk("c")}));
  // Over mixed scores, a lex range is Redis's walk: from the first member >= b (d) while <= +.
  EXPECT_EQ(run({"ZRANGEBYLEX", "z", "[b", "+"}),
            array({bulk("d"), bulk("a"), bulk("b"), bulk("c")}));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}),
            err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
                "BYLEX"));
  EXPECT_EQ(run({"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"}),
            err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  EXPECT_EQ(run({"ZRANGEBYSCORE", "z", "x", "1"}), err("ERR min or max is not a float"));
  EXPECT_EQ(run({"ZLEXCOUNT", "z", "a", "+"}), err("ERR min or max not valid string range item"));
  EXPECT_EQ(run({"ZCOUNT", "z", "(0.5", "3"}), integer(3));
  EXPECT_EQ(run({"ZRANK", "z", "c"}), integer(3));
  EXPECT_EQ(run({"ZREVRANK", "z", "c"}), integer(0));
  run({"HELLO", "3"});
  EXPECT_EQ(run({"ZRANGE", "z", "0", "0", "WITHSCORES"}), "*1\r\n*2\r\n$1\r\nd\r\n,0.5\r\n");
  EXPECT_EQ(run({"ZPOPMIN", "z"}), "*2\r\n$1\r\nd\r\n,0.5\r\n");
  EXPECT_EQ(run({"ZPOPMIN", "z", "1"}), "*1\r\n*2\r\n$1\r\na\r\n,1\r\n");
  EXPECT_EQ(run({"ZSCORE", "z", "nope"}), "_\r\n");
}

TEST_F(ZSetsTest, EncodingFollowsTheConfig) {
  run({"CONFIG", "SET", "zset-max-ziplist-entries", "2"});
  run({"ZADD", "z", "1", "a", "2", "b"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "z"}), bulk("listpack"));
  run({"ZADD", "z", "3", "c"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "z"}), bulk("skiplist"));
  EXPECT_EQ(run({"TYPE", "z"}), "+zset\r\n");
  EXPECT_EQ(run({"CONFIG", "GET", "zset-max-listpack-entries"}),
            array({bulk("zset-max-listpack-entries"), bulk("2")}));
}

TEST_F(ZSetsTest, PopsAndMultiPops) {
  run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(run({"ZPOPMAX", "z", "2"}), array({bulk("c"), bulk("3"), bulk("b"), bulk("2")}));
  EXPECT_EQ(run({"ZPOPMIN", "z", "-1"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"ZMPOP", "2", "none", "z", "MIN", "COUNT", "5"}),
            array({bulk("z"), array({array({bulk("a"), bulk("1")})})}));
  EXPECT_EQ(run({"EXISTS", "z"}), integer(0));
  EXPECT_EQ(run({"ZMPOP", "1", "z", "MIN"}), kNilArray);
  EXPECT_EQ(run({"ZMPOP", "0", "z", "MIN"}), err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(run({"ZMPOP", "1", "z", "MIN", "COUNT", "0"}),
            err("ERR count should be greater than 0"));
}

TEST_F(ZSetsTest, BlockedPopIsServedByAnAddAndIgnoresOtherTypes) {
  EXPECT_EQ(run({"BZPOPMIN", "q", "0"}, 1), "");
  EXPECT_EQ(run({"BLPOP", "q", "0"}, 2), "");
  EXPECT_EQ(run({"ZADD", "q", "2", "x", "1", "y"}), integer(2));
  EXPECT_EQ(client(1).take(), array({bulk("q"), bulk("y"), bulk("1")}));
  EXPECT_EQ(client(2).take(), "");  // waits for a list, not a sorted set
  EXPECT_TRUE(client(2).session->blocked);
  EXPECT_EQ(run({"BZMPOP", "0.5", "1", "q", "MAX"}, 3),
            array({bulk("q"), array({array({bulk("x"), bulk("2")})})}));
  EXPECT_EQ(run({"BZPOPMAX", "q", "0.5"}, 3), "");
  advance_ms(500);
  EXPECT_EQ(client(3).take(), kNilArray);
}

TEST_F(ZSetsTest, SetOperations) {
  run({"ZADD", "x", "1", "a", "2", "b"});
  run({"ZADD", "y", "3", "b", "4", "c"});
  EXPECT_EQ(run({"ZUNION", "2", "x", "y", "WITHSCORES"}),
            array({bulk("a"), bulk("1"), bulk("c"), bulk("4"), bulk("b"), bulk("5")}));
  EXPECT_EQ(run({"ZINTERSTORE", "d", "2", "x", "y", "WEIGHTS", "2", "1", "AGGREGATE", "MAX"}),
            integer(1));
  EXPECT_EQ(run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}), array({bulk("b"), bulk("4")}));
  EXPECT_EQ(run({"ZDIFF", "2", "x", "y"}), array({bulk("a")}));
  EXPECT_EQ(run({"ZINTERCARD", "2", "x", "y", "LIMIT", "-1"}), err("ERR LIMIT can't be negative"));
  EXPECT_EQ(run({"ZUNION", "0", "x"}),
            err("ERR at least 1 input key is needed for 'zunion' command"));
  EXPECT_EQ(run({"ZUNION", "3", "x"}), err("ERR syntax error"));
  EXPECT_EQ(run({"ZUNION", "2", "x", "y", "WEIGHTS", "1", "z"}),
            err("ERR weight value is not a float"));
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"ZUNION", "2", "x", "s", "BOGUS"}),
            err("WRONGTYPE Operation against a key holding the wrong kind of value"));
}

}  // namespace
}  // namespace basalt::testing
