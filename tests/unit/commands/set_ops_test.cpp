// The set family's Op side, called as persistence loading or a shard would: on a Store and its
// Database, with no engine, no client and no reply.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "commands/set_family.hpp"
#include "store/clock.hpp"
#include "store/database.hpp"
#include "store/store.hpp"

namespace basalt {
namespace {

constexpr size_t kMax = Set::kDefaultMaxIntsetEntries;
using Strings = std::vector<std::string>;
using Views = std::vector<std::string_view>;

Strings sorted_members(const Set& s) {
  Strings out;
  s.for_each([&](std::string_view m) { out.emplace_back(m); });
  std::sort(out.begin(), out.end());
  return out;
}

class SetOpsTest : public ::testing::Test {
 protected:
  SetOpsTest() : store_(1, clock_, 7) { store_.set_time(1'700'000'000'000); }
  Database& db() { return store_.db(0); }
  Strings members(std::string_view key) {
    auto r = op_set_read(db(), key);
    EXPECT_TRUE(r.ok());
    return *r == nullptr ? Strings{} : sorted_members(**r);
  }
  void add(std::string_view key, Views m) { ASSERT_TRUE(op_sadd(db(), key, m, kMax).ok()); }

  ManualClock clock_{1'700'000'000'000};
  Store store_;
  std::mt19937_64 rng_{11};
};

TEST_F(SetOpsTest, AddRemoveDeletesTheEmptiedKey) {
  EXPECT_EQ(*op_sadd(db(), "s", Views{"a", "b", "a"}, kMax), 2u);
  EXPECT_EQ(*op_srem(db(), "s", Views{"a", "zz"}), 1u);
  EXPECT_EQ(*op_srem(db(), "s", Views{"b"}), 1u);
  EXPECT_EQ(db().find("s"), nullptr);
  EXPECT_EQ(*op_srem(db(), "s", Views{"b"}), 0u);
  db().add("str", Value("v"));
  EXPECT_EQ(op_sadd(db(), "str", Views{"a"}, kMax).status(), OpStatus::kWrongType);
  EXPECT_EQ(op_scard(db(), "str").status(), OpStatus::kWrongType);
}

TEST_F(SetOpsTest, Algebra) {
  add("a", {"1", "2", "3", "x"});
  add("b", {"2", "3", "4"});
  add("c", {"3", "x"});
  const Views ab = {"a", "b"}, abc = {"a", "b", "c"}, a_none = {"a", "none"};
  EXPECT_EQ(sorted_members(*op_sinter(db(), ab, kMax)), (Strings{"2", "3"}));
  EXPECT_EQ(sorted_members(*op_sinter(db(), abc, kMax)), (Strings{"3"}));
  EXPECT_TRUE(op_sinter(db(), a_none, kMax)->empty());
  EXPECT_EQ(*op_sintercard(db(), ab, 0), 2u);
  EXPECT_EQ(*op_sintercard(db(), ab, 1), 1u);
  EXPECT_EQ(sorted_members(*op_sunion_diff(db(), abc, SetAlgebra::kUnion, kMax)),
            (Strings{"1", "2", "3", "4", "x"}));
  EXPECT_EQ(sorted_members(*op_sunion_diff(db(), abc, SetAlgebra::kDiff, kMax)), (Strings{"1"}));
  EXPECT_EQ(sorted_members(*op_sunion_diff(db(), a_none, SetAlgebra::kDiff, kMax)),
            (Strings{"1", "2", "3", "x"}));
  const Views none_a = {"none", "a"};
  EXPECT_TRUE(op_sunion_diff(db(), none_a, SetAlgebra::kDiff, kMax)->empty());
  // Integers only: the result is an intset, as Redis's.
  EXPECT_TRUE(op_sinter(db(), ab, kMax)->is_intset());
  EXPECT_EQ(*op_sunion_diff_store(db(), "d", ab, SetAlgebra::kUnion, kMax), 5u);
  EXPECT_EQ(members("d"), (Strings{"1", "2", "3", "4", "x"}));
  EXPECT_EQ(*op_sinterstore(db(), "d", a_none, kMax), 0u);
  EXPECT_EQ(db().find("d"), nullptr);
}

TEST_F(SetOpsTest, RandomMembersFollowTheCountRules) {
  Views many;
  std::vector<std::string> storage;
  for (int i = 0; i < 40; ++i) storage.push_back("m" + std::to_string(i));
  for (const auto& s : storage) many.push_back(s);
  add("s", many);
  for (int64_t count : {1, 5, 13, 14, 30, 39, 40, 100}) {
    Strings got = *op_srandmember_count(db(), "s", count, rng_);
    EXPECT_EQ(got.size(), std::min<size_t>(count, 40)) << count;
    std::set<std::string> distinct(got.begin(), got.end());
    EXPECT_EQ(distinct.size(), got.size()) << count;
    for (const auto& m : got) EXPECT_EQ(m.substr(0, 1), "m");
  }
  EXPECT_EQ(op_srandmember_count(db(), "s", -100, rng_)->size(), 100u);
  EXPECT_TRUE(op_srandmember(db(), "s", rng_)->has_value());
  EXPECT_FALSE(op_srandmember(db(), "none", rng_)->has_value());
}

TEST_F(SetOpsTest, PopRemovesWhatItReturns) {
  add("s", {"1", "2", "3", "4", "5"});
  PopResult r = *op_spop(db(), "s", 2, rng_);
  EXPECT_TRUE(r.found);
  EXPECT_FALSE(r.took_all);
  ASSERT_EQ(r.members.size(), 2u);
  EXPECT_NE(r.members[0], r.members[1]);
  for (const auto& m : r.members) EXPECT_FALSE(*op_sismember(db(), "s", m));
  EXPECT_EQ(*op_scard(db(), "s"), 3u);
  r = *op_spop(db(), "s", 3, rng_);
  EXPECT_TRUE(r.took_all);
  EXPECT_EQ(r.members.size(), 3u);
  EXPECT_EQ(db().find("s"), nullptr);
  EXPECT_FALSE(op_spop(db(), "s", 1, rng_)->found);
}

TEST_F(SetOpsTest, MoveCreatesAndDeletes) {
  add("a", {"x"});
  EXPECT_TRUE(*op_smove(db(), "a", "b", "x", kMax));
  EXPECT_EQ(db().find("a"), nullptr);
  EXPECT_EQ(members("b"), (Strings{"x"}));
  EXPECT_FALSE(*op_smove(db(), "a", "b", "x", kMax));
  db().add("str", Value("v"));
  EXPECT_EQ(op_smove(db(), "b", "str", "x", kMax).status(), OpStatus::kWrongType);
  EXPECT_EQ(members("b"), (Strings{"x"}));  // nothing moved
}

TEST_F(SetOpsTest, ScanFiltersAfterCollecting) {
  add("s", {"a1", "a2", "b1", "x"});
  const Set* set = *op_set_read(db(), "s");
  Strings out;
  uint64_t cursor = 0;
  ScanParams params;
  params.pattern = "a*";
  do {
    cursor = op_sscan(*set, cursor, params, &out);
  } while (cursor != 0);
  std::sort(out.begin(), out.end());
  EXPECT_EQ(out, (Strings{"a1", "a2"}));
}

}  // namespace
}  // namespace basalt
