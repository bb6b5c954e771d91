#include <gtest/gtest.h>

#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class ListsTest : public EngineTest {};

TEST_F(ListsTest, PushPopBothEnds) {
  EXPECT_EQ(run({"RPUSH", "l", "a", "b", "c"}), integer(3));
  EXPECT_EQ(run({"LPUSH", "l", "z", "y"}), integer(5));
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}),
            array({bulk("y"), bulk("z"), bulk("a"), bulk("b"), bulk("c")}));
  EXPECT_EQ(run({"LPOP", "l"}), bulk("y"));
  EXPECT_EQ(run({"RPOP", "l"}), bulk("c"));
  EXPECT_EQ(run({"LLEN", "l"}), integer(3));
}

TEST_F(ListsTest, PopWithCount) {
  run({"RPUSH", "l", "a", "b", "c"});
  EXPECT_EQ(run({"LPOP", "l", "2"}), array({bulk("a"), bulk("b")}));
  EXPECT_EQ(run({"RPOP", "l", "0"}), "*0\r\n");
  EXPECT_EQ(run({"RPOP", "l", "5"}), array({bulk("c")}));
  // The last pop deleted the key.
  EXPECT_EQ(run({"EXISTS", "l"}), integer(0));
  EXPECT_EQ(run({"LPOP", "l", "2"}), kNilArray);
  EXPECT_EQ(run({"LPOP", "l", "0"}), kNilArray);
  EXPECT_EQ(run({"LPOP", "l"}), kNil);
  EXPECT_EQ(run({"LPOP", "l", "-1"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"LPOP", "l", "x"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"LPOP", "l", "1", "2"}), err("ERR wrong number of arguments for 'lpop' command"));
}

TEST_F(ListsTest, PushXOnlyWhenTheListExists) {
  EXPECT_EQ(run({"LPUSHX", "l", "a"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "l"}), integer(0));
  run({"RPUSH", "l", "a"});
  EXPECT_EQ(run({"RPUSHX", "l", "b", "c"}), integer(3));
  EXPECT_EQ(run({"LPUSHX", "l", "z"}), integer(4));
}

TEST_F(ListsTest, WrongType) {
  run({"SET", "s", "v"});
  const std::string wt = err("WRONGTYPE Operation against a key holding the wrong kind of value");
  for (auto cmd : std::vector<std::vector<std::string_view>>{{"LPUSH", "s", "a"},
                                                             {"LPOP", "s"},
                                                             {"LLEN", "s"},
                                                             {"LRANGE", "s", "0", "1"},
                                                             {"LINDEX", "s", "0"},
                                                             {"LSET", "s", "0", "x"},
                                                             {"LREM", "s", "0", "x"},
                                                             {"LTRIM", "s", "0", "1"},
                                                             {"LPOS", "s", "x"},
                                                             {"LMOVE", "s", "d", "LEFT", "LEFT"},
                                                             {"BLPOP", "s", "1"},
                                                             {"LMPOP", "1", "s", "LEFT"}}) {
    EXPECT_EQ(run(cmd), wt) << cmd[0];
  }
  run({"RPUSH", "l", "a"});
  // The destination is checked before anything is popped.
  EXPECT_EQ(run({"LMOVE", "l", "s", "LEFT", "LEFT"}), wt);
  EXPECT_EQ(run({"LLEN", "l"}), integer(1));
}

TEST_F(ListsTest, RangeIndexSet) {
  run({"RPUSH", "l", "a", "b", "c", "d"});
  EXPECT_EQ(run({"LRANGE", "l", "-2", "100"}), array({bulk("c"), bulk("d")}));
  EXPECT_EQ(run({"LRANGE", "l", "-100", "0"}), array({bulk("a")}));
  EXPECT_EQ(run({"LRANGE", "l", "3", "1"}), "*0\r\n");
  EXPECT_EQ(run({"LRANGE", "nope", "0", "-1"}), "*0\r\n");
  EXPECT_EQ(run({"LRANGE", "l", "x", "1"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"LINDEX", "l", "-1"}), bulk("d"));
  EXPECT_EQ(run({"LINDEX", "l", "4"}), kNil);
  // The key is looked up before the index is parsed (redis-server 7.0.15).
  EXPECT_EQ(run({"LINDEX", "l", "x"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"LINDEX", "nope", "x"}), kNil);
  run({"SET", "s", "v"});
  EXPECT_EQ(run({"LINDEX", "s", "x"}),
            err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(run({"LSET", "s", "x", "v"}),
            err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(run({"LSET", "nope", "x", "v"}), err("ERR no such key"));
  EXPECT_EQ(run({"LSET", "l", "-1", "D"}), kOk);
  EXPECT_EQ(run({"LINDEX", "l", "3"}), bulk("D"));
  EXPECT_EQ(run({"LSET", "l", "9", "x"}), err("ERR index out of range"));
  EXPECT_EQ(run({"LSET", "nope", "0", "x"}), err("ERR no such key"));
}

TEST_F(ListsTest, InsertRemoveTrim) {
  run({"RPUSH", "l", "a", "b", "a", "c", "a"});
  EXPECT_EQ(run({"LINSERT", "l", "BEFORE", "b", "x"}), integer(6));
  EXPECT_EQ(run({"LINSERT", "l", "after", "c", "y"}), integer(7));
  EXPECT_EQ(run({"LINSERT", "l", "after", "zz", "y"}), integer(-1));
  EXPECT_EQ(run({"LINSERT", "nope", "after", "a", "y"}), integer(0));
  EXPECT_EQ(run({"LINSERT", "l", "middle", "a", "y"}), err("ERR syntax error"));
  EXPECT_EQ(run({"LREM", "l", "-1", "a"}), integer(1));  // the last "a"
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}),
            array({bulk("a"), bulk("x"), bulk("b"), bulk("a"), bulk("c"), bulk("y")}));
  EXPECT_EQ(run({"LREM", "l", "0", "a"}), integer(2));
  EXPECT_EQ(run({"LTRIM", "l", "1", "-1"}), kOk);
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), array({bulk("b"), bulk("c"), bulk("y")}));
  EXPECT_EQ(run({"LTRIM", "l", "5", "10"}), kOk);
  EXPECT_EQ(run({"EXISTS", "l"}), integer(0));  // trimmed to nothing: deleted
  EXPECT_EQ(run({"LTRIM", "nope", "0", "1"}), kOk);
}

TEST_F(ListsTest, Lpos) {
  run({"RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"});
  EXPECT_EQ(run({"LPOS", "l", "c"}), integer(2));
  EXPECT_EQ(run({"LPOS", "l", "c", "RANK", "2"}), integer(6));
  EXPECT_EQ(run({"LPOS", "l", "c", "RANK", "-1"}), integer(7));
  EXPECT_EQ(run({"LPOS", "l", "c", "COUNT", "0"}), array({integer(2), integer(6), integer(7)}));
  EXPECT_EQ(run({"LPOS", "l", "c", "RANK", "-1", "COUNT", "2"}), array({integer(7), integer(6)}));
  EXPECT_EQ(run({"LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3"}), array({integer(2)}));
  EXPECT_EQ(run({"LPOS", "l", "zz"}), kNil);
  EXPECT_EQ(run({"LPOS", "l", "zz", "COUNT", "1"}), "*0\r\n");
  EXPECT_EQ(run({"LPOS", "nope", "a"}), kNil);
  EXPECT_EQ(run({"LPOS", "l", "c", "RANK", "0"}),
            err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
                "... or use negative to start from the end of the list"));
  EXPECT_EQ(run({"LPOS", "l", "c", "COUNT", "-1"}), err("ERR COUNT can't be negative"));
  EXPECT_EQ(run({"LPOS", "l", "c", "MAXLEN", "-1"}), err("ERR MAXLEN can't be negative"));
  EXPECT_EQ(run({"LPOS", "l", "c", "FOO", "1"}), err("ERR syntax error"));
}

TEST_F(ListsTest, MoveBetweenAndWithinLists) {
  run({"RPUSH", "src", "a", "b", "c"});
  EXPECT_EQ(run({"LMOVE", "src", "dst", "LEFT", "RIGHT"}), bulk("a"));
  EXPECT_EQ(run({"RPOPLPUSH", "src", "dst"}), bulk("c"));
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}), array({bulk("c"), bulk("a")}));
  // Rotation of a list onto itself.
  EXPECT_EQ(run({"LMOVE", "dst", "dst", "LEFT", "RIGHT"}), bulk("c"));
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}), array({bulk("a"), bulk("c")}));
  EXPECT_EQ(run({"LMOVE", "src", "dst", "LEFT", "LEFT"}), bulk("b"));
  EXPECT_EQ(run({"EXISTS", "src"}), integer(0));
  EXPECT_EQ(run({"LMOVE", "src", "dst", "LEFT", "LEFT"}), kNil);
  EXPECT_EQ(run({"LMOVE", "src", "dst", "UP", "LEFT"}), err("ERR syntax error"));
}

TEST_F(ListsTest, Lmpop) {
  run({"RPUSH", "b", "1", "2", "3"});
  EXPECT_EQ(run({"LMPOP", "2", "a", "b", "LEFT"}), array({bulk("b"), array({bulk("1")})}));
  EXPECT_EQ(run({"LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5"}),
            array({bulk("b"), array({bulk("3"), bulk("2")})}));
  EXPECT_EQ(run({"LMPOP", "2", "a", "b", "LEFT"}), kNilArray);
  EXPECT_EQ(run({"LMPOP", "0", "a", "LEFT"}), err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(run({"LMPOP", "2", "a", "LEFT"}), err("ERR syntax error"));
  EXPECT_EQ(run({"LMPOP", "1", "a", "LEFT", "COUNT", "0"}),
            err("ERR count should be greater than 0"));
  EXPECT_EQ(run({"LMPOP", "1", "a", "LEFT", "FOO"}), err("ERR syntax error"));
}

TEST_F(ListsTest, BlockingPopServesWaitersInArrivalOrder) {
  EXPECT_EQ(run({"BLPOP", "q", "0"}, 1), "");  // blocks forever
  EXPECT_EQ(run({"BRPOP", "other", "q", "0"}, 2), "");
  EXPECT_TRUE(client(1).session->blocked);
  EXPECT_EQ(run({"RPUSH", "q", "x", "y"}, 0), integer(2));
  // The first waiter got "x"; the second, blocked on the same key, got "y" from the tail.
  EXPECT_EQ(client(1).take(), array({bulk("q"), bulk("x")}));
  EXPECT_EQ(client(2).take(), array({bulk("q"), bulk("y")}));
  EXPECT_EQ(client(1).unblocked, 1);
  EXPECT_EQ(run({"EXISTS", "q"}), integer(0));
}

TEST_F(ListsTest, BlockingPopTimesOutWithNilArray) {
  EXPECT_EQ(run({"BLPOP", "q", "1.5"}, 1), "");
  advance_ms(1499);
  EXPECT_EQ(client(1).take(), "");
  advance_ms(1);
  EXPECT_EQ(client(1).take(), kNilArray);
  EXPECT_FALSE(client(1).session->blocked);
  EXPECT_EQ(run({"BLPOP", "q", "-1"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"BLPOP", "q", "x"}), err("ERR timeout is not a float or out of range"));
}

TEST_F(ListsTest, BlockingCommandsInsideMultiDoNotBlock) {
  run({"MULTI"});
  EXPECT_EQ(run({"BLPOP", "q", "0"}), "+QUEUED\r\n");
  EXPECT_EQ(run({"EXEC"}), array({kNilArray}));
}

TEST_F(ListsTest, BlmoveIsServedByPushAndFeedsOtherWaiters) {
  EXPECT_EQ(run({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"}, 1), "");
  EXPECT_EQ(run({"BLPOP", "dst", "0"}, 2), "");
  run({"LPUSH", "src", "job"});
  // The move into dst woke the second waiter, which took the element from dst.
  EXPECT_EQ(client(1).take(), bulk("job"));
  EXPECT_EQ(client(2).take(), array({bulk("dst"), bulk("job")}));
  EXPECT_EQ(run({"EXISTS", "src", "dst"}), integer(0));
}

TEST_F(ListsTest, BlmpopAndTimeoutOfMoves) {
  EXPECT_EQ(run({"BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2"}, 1), "");
  run({"RPUSH", "b", "1", "2", "3"});
  EXPECT_EQ(client(1).take(), array({bulk("b"), array({bulk("3"), bulk("2")})}));
  EXPECT_EQ(run({"BRPOPLPUSH", "none", "dst", "0.1"}, 1), "");
  advance_ms(100);
  // Redis 7.0 answers a timed-out move with a nil array too.
  EXPECT_EQ(client(1).take(), kNilArray);
}

TEST_F(ListsTest, ClosedWaiterIsForgotten) {
  EXPECT_EQ(run({"BLPOP", "q", "0"}, 1), "");
  engine_->close_session(client(1).session);
  client(1).session = engine_->open_session(Frontend::kResp, &client(1));
  EXPECT_EQ(run({"RPUSH", "q", "x"}), integer(1));
  EXPECT_EQ(run({"LLEN", "q"}), integer(1));
}

TEST_F(ListsTest, PushSignalsWatchers) {
  run({"WATCH", "l"});
  run({"RPUSH", "l", "a"}, 1);
  run({"MULTI"});
  run({"LLEN", "l"});
  EXPECT_EQ(run({"EXEC"}), kNilArray);
}

TEST_F(ListsTest, Resp3NullsAreUnderscores) {
  run({"HELLO", "3"});
  EXPECT_EQ(run({"LPOP", "nope"}), "_\r\n");
  EXPECT_EQ(run({"LPOP", "nope", "2"}), "_\r\n");
  EXPECT_EQ(run({"LMPOP", "1", "nope", "LEFT"}), "_\r\n");
}

}  // namespace
}  // namespace basalt::testing
