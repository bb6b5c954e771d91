// SORT and SORT_RO through the dispatcher, with Redis 7.0.15's replies and texts.

#include <gtest/gtest.h>

#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class SortTest : public EngineTest {};

TEST_F(SortTest, NumericAlphaLimitAndDesc) {
  run({"RPUSH", "l", "3", "10", "1", "2.5", "-1"});
  EXPECT_EQ(run({"SORT", "l"}), array({bulk("-1"), bulk("1"), bulk("2.5"), bulk("3"), bulk("10")}));
  EXPECT_EQ(run({"SORT", "l", "DESC", "LIMIT", "1", "2"}), array({bulk("3"), bulk("2.5")}));
  EXPECT_EQ(run({"SORT", "l", "ALPHA"}),
            array({bulk("-1"), bulk("1"), bulk("10"), bulk("2.5"), bulk("3")}));
  EXPECT_EQ(run({"SORT", "l", "LIMIT", "10", "5"}), "*0\r\n");
  EXPECT_EQ(run({"SORT", "l", "LIMIT", "-5", "1"}), array({bulk("-1")}));
  run({"RPUSH", "bad", "1", "x"});
  EXPECT_EQ(run({"SORT", "bad"}), err("ERR One or more scores can't be converted into double"));
  EXPECT_EQ(run({"SORT", "bad", "ALPHA"}), array({bulk("1"), bulk("x")}));
  EXPECT_EQ(run({"SORT", "none"}), "*0\r\n");
}

// ALPHA collates with strcoll (the tests run in the C locale, where a NUL ends the comparison),
// keeping equal elements in their order; into STORE it compares bytes.
TEST_F(SortTest, AlphaCollatesExceptIntoStore) {
  using namespace std::string_literals;
  run({"RPUSH", "l", "a\0b"s, "a\0a"s, "a", "b\0"s, "a\0c"s});
  EXPECT_EQ(run({"SORT", "l", "ALPHA"}),
            array({bulk("a\0b"s), bulk("a\0a"s), bulk("a"), bulk("a\0c"s), bulk("b\0"s)}));
  EXPECT_EQ(run({"SORT", "l", "ALPHA", "DESC"}),
            array({bulk("b\0"s), bulk("a\0b"s), bulk("a\0a"s), bulk("a"), bulk("a\0c"s)}));
  EXPECT_EQ(run({"SORT", "l", "ALPHA", "STORE", "dst"}), integer(5));
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}),
            array({bulk("a"), bulk("a\0a"s), bulk("a\0b"s), bulk("a\0c"s), bulk("b\0"s)}));
}

TEST_F(SortTest, ByGetAndStore) {
  run({"SADD", "s", "a", "b", "c"});
  run({"MSET", "w_a", "3", "w_b", "1", "w_c", "2", "d_a", "A", "d_c", "C"});
  EXPECT_EQ(run({"SORT", "s", "BY", "w_*"}), array({bulk("b"), bulk("c"), bulk("a")}));
  EXPECT_EQ(run({"SORT", "s", "BY", "w_*", "GET", "#", "GET", "d_*"}),
            array({bulk("b"), kNil, bulk("c"), bulk("C"), bulk("a"), bulk("A")}));
  // A hash field pattern reads the field of the hash at the key; a string there finds nothing.
  EXPECT_EQ(run({"SORT", "s", "ALPHA", "GET", "d_*->f"}), array({kNil, kNil, kNil}));
  run({"HSET", "h_a", "w", "9", "name", "Ann"});
  run({"HSET", "h_b", "w", "5"});
  EXPECT_EQ(run({"SORT", "s", "BY", "h_*->w", "GET", "h_*->name"}),
            array({kNil, kNil, bulk("Ann")}));
  // BY without '*' does not sort; with STORE a set is sorted (ALPHA) for a stable result.
  EXPECT_EQ(run({"SORT", "s", "BY", "nosort", "STORE", "dst"}), integer(3));
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}), array({bulk("a"), bulk("b"), bulk("c")}));
  EXPECT_EQ(run({"SORT", "s", "ALPHA", "GET", "d_*", "STORE", "dst"}), integer(3));
  EXPECT_EQ(run({"LRANGE", "dst", "0", "-1"}), array({bulk("A"), bulk(""), bulk("C")}));
  EXPECT_EQ(run({"SORT", "none", "STORE", "dst"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "dst"}), integer(0));
  run({"RPUSH", "l", "1", "2", "3"});
  EXPECT_EQ(run({"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "0", "2"}),
            array({bulk("3"), bulk("2")}));
}

TEST_F(SortTest, Errors) {
  run({"SET", "str", "v"});
  EXPECT_EQ(run({"SORT", "str"}),
            err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(run({"SORT", "l", "LIMIT", "x", "1"}),
            err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"SORT", "l", "LIMIT", "1"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SORT", "l", "FOO"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SORT_RO", "l", "STORE", "d"}), err("ERR syntax error"));
  // Options are checked before the key's type.
  EXPECT_EQ(run({"SORT", "str", "FOO"}), err("ERR syntax error"));
}

}  // namespace
}  // namespace basalt::testing
