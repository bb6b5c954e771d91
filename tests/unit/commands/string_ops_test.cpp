// The string family's Op side, called as persistence loading or a shard would: on a Store and
// its Database, with no engine, no client and no reply.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "commands/string_family.hpp"
#include "store/clock.hpp"
#include "store/database.hpp"
#include "store/store.hpp"

namespace basalt {
namespace {

class StringOpsTest : public ::testing::Test {
 protected:
  StringOpsTest() : store_(1, clock_, 7) { store_.set_time(1'700'000'000'000); }
  Database& db() { return store_.db(0); }

  ManualClock clock_{1'700'000'000'000};
  Store store_;
};

TEST_F(StringOpsTest, SetAndGet) {
  EXPECT_FALSE(op_get(db(), "k")->has_value());
  auto set = op_set(db(), "k", "v1", SetParams{});
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->written);
  EXPECT_EQ(op_get(db(), "k")->value(), "v1");
  SetParams nx;
  nx.nx = true;
  nx.get = true;
  auto again = op_set(db(), "k", "v2", nx);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->written);
  EXPECT_EQ(again->old, "v1");
  SetParams past;
  past.expire_at = 1'600'000'000'000;  // not ahead: the key goes
  EXPECT_TRUE(op_set(db(), "k", "v3", past)->written);
  EXPECT_FALSE(op_get(db(), "k")->has_value());
}

TEST_F(StringOpsTest, StatusesInsteadOfReplies) {
  ASSERT_TRUE(op_set(db(), "n", "41", SetParams{}).ok());
  EXPECT_EQ(*op_incr_by(db(), "n", 1), 42);
  ASSERT_TRUE(op_set(db(), "s", "abc", SetParams{}).ok());
  EXPECT_EQ(op_incr_by(db(), "s", 1).status(), OpStatus::kNotInteger);
  EXPECT_EQ(op_incr_by(db(), "n", INT64_MAX).status(), OpStatus::kOverflow);
  EXPECT_EQ(op_incr_by_float(db(), "n", "inf").status(), OpStatus::kNanOrInf);
  EXPECT_EQ(op_append(db(), "s", "defg", 6).status(), OpStatus::kStringTooLong);
  EXPECT_EQ(*op_append(db(), "s", "def", 6), 6u);
  EXPECT_EQ(*op_getrange(db(), "s", -3, -1), "def");
  EXPECT_EQ(*op_setrange(db(), "z", 2, "x", 100), 3u);
  EXPECT_EQ(op_get(db(), "z")->value(), std::string("\0\0x", 3));
  EXPECT_EQ(op_status_error(OpStatus::kWrongType),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST_F(StringOpsTest, MsetNxWritesAllOrNothing) {
  std::vector<std::string_view> pairs = {"a", "1", "b", "2"};
  EXPECT_TRUE(op_mset(db(), pairs, true));
  std::vector<std::string_view> again = {"c", "3", "a", "9"};
  EXPECT_FALSE(op_mset(db(), again, true));
  EXPECT_FALSE(op_get_or_nil(db(), "c").has_value());
  EXPECT_EQ(op_get_or_nil(db(), "a"), "1");
  EXPECT_EQ(op_getdel(db(), "a")->value(), "1");
  EXPECT_FALSE(op_get(db(), "a")->has_value());
}

}  // namespace
}  // namespace basalt
