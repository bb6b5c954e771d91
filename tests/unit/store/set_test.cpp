#include "store/set.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/value.hpp"

namespace basalt {
namespace {

constexpr size_t kMax = Set::kDefaultMaxIntsetEntries;

std::vector<std::string> members(const Set& s) {
  std::vector<std::string> out;
  s.for_each([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(SetTest, CanonicalIntegersOnly) {
  EXPECT_EQ(Set::as_integer("0"), 0);
  EXPECT_EQ(Set::as_integer("-12"), -12);
  EXPECT_EQ(Set::as_integer("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(Set::as_integer("-9223372036854775808"), INT64_MIN);
  for (const char* s : {"", "-0", "+1", "01", " 1", "1 ", "9223372036854775808", "1.0", "a"})
    EXPECT_FALSE(Set::as_integer(s).has_value()) << s;
}

TEST(SetTest, IntsetKeepsOrderAndWidens) {
  Set s;
  EXPECT_TRUE(s.is_intset());
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.add("5", kMax));
  EXPECT_TRUE(s.add("-3", kMax));
  EXPECT_FALSE(s.add("5", kMax));
  EXPECT_EQ(s.intset_width(), 2);
  EXPECT_TRUE(s.add("100000", kMax));  // int32
  EXPECT_EQ(s.intset_width(), 4);
  EXPECT_TRUE(s.add("-9223372036854775808", kMax));  // int64, sorts first
  EXPECT_EQ(s.intset_width(), 8);
  EXPECT_TRUE(s.is_intset());
  EXPECT_EQ(members(s), (std::vector<std::string>{"-9223372036854775808", "-3", "5", "100000"}));
  EXPECT_TRUE(s.contains("100000"));
  EXPECT_FALSE(s.contains("4"));
  EXPECT_FALSE(s.contains("a"));
  EXPECT_FALSE(s.contains("9223372036854775807"));
  EXPECT_TRUE(s.remove("-3"));
  EXPECT_FALSE(s.remove("-3"));
  EXPECT_FALSE(s.remove("x"));
  EXPECT_EQ(members(s), (std::vector<std::string>{"-9223372036854775808", "5", "100000"}));
}

TEST(SetTest, ConvertsOneWay) {
  Set s;
  for (int i = 0; i < 3; ++i) s.add(std::to_string(i), 3);
  EXPECT_TRUE(s.is_intset());
  EXPECT_FALSE(s.add("2", 3));  // already there: no conversion
  EXPECT_TRUE(s.is_intset());
  EXPECT_TRUE(s.add("3", 3));  // past the limit
  EXPECT_FALSE(s.is_intset());
  EXPECT_EQ(sorted(members(s)), (std::vector<std::string>{"0", "1", "2", "3"}));
  s.remove("3");
  s.remove("2");
  EXPECT_FALSE(s.is_intset());  // never back

  Set t;
  t.add("1", kMax);
  t.add("01", kMax);  // not canonical: a string
  EXPECT_FALSE(t.is_intset());
  EXPECT_TRUE(t.contains("1"));
  EXPECT_TRUE(t.contains("01"));
  EXPECT_EQ(t.size(), 2u);
}

TEST(SetTest, TableGrowsAndShrinksKeepingMembers) {
  Set s;
  std::set<std::string> model;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 3000; ++i) {
    std::string m = "m" + std::to_string(rng() % 1500);
    if (rng() % 3 == 0) {
      EXPECT_EQ(s.remove(m), model.erase(m) == 1);
    } else {
      EXPECT_EQ(s.add(m, kMax), model.insert(m).second);
    }
  }
  EXPECT_EQ(s.size(), model.size());
  auto got = members(s);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), model);
  for (const auto& m : model) s.remove(m);
  EXPECT_TRUE(s.empty());
  s.add("", kMax);  // the empty string is a member like any other
  EXPECT_TRUE(s.contains(""));
}

TEST(SetTest, ScanVisitsEveryMemberAcrossResizes) {
  Set s;
  for (int i = 0; i < 200; ++i) s.add("k" + std::to_string(i), kMax);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0;
  do {
    cursor = s.scan(cursor, [&](std::string_view m) { seen.emplace(m); });
    // Growing mid-scan must not lose members present throughout.
    if (++steps == 10)
      for (int i = 200; i < 600; ++i) s.add("k" + std::to_string(i), kMax);
  } while (cursor != 0);
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(seen.count("k" + std::to_string(i))) << i;

  Set ints;
  ints.add("2", kMax);
  ints.add("1", kMax);
  std::vector<std::string> got;
  EXPECT_EQ(ints.scan(0, [&](std::string_view m) { got.emplace_back(m); }), 0u);
  EXPECT_EQ(got, (std::vector<std::string>{"1", "2"}));
}

TEST(SetTest, RandomMembersComeFromTheSet) {
  std::mt19937_64 rng(3);
  for (bool strings : {false, true}) {
    Set s;
    for (int i = 0; i < 20; ++i) s.add((strings ? "s" : "") + std::to_string(i), kMax);
    std::set<std::string> seen;
    Set::Member m;
    for (int i = 0; i < 2000; ++i) {
      s.random_member(rng, m);
      EXPECT_TRUE(s.contains(m.view));
      seen.emplace(m.view);
    }
    EXPECT_EQ(seen.size(), 20u);  // every member comes up
  }
}

// Uniform over a table's members (SRANDMEMBER, SPOP): see HashTest.RandomPairIsUniformOverATable.
TEST(SetTest, RandomMemberIsUniformOverATable) {
  std::mt19937_64 rng(7);
  Set s;
  for (int i = 0; i < 10; ++i) s.add("member:" + std::to_string(i), kMax);
  std::map<std::string, int> counts;
  Set::Member m;
  for (int i = 0; i < 100000; ++i) {
    s.random_member(rng, m);
    counts[std::string(m.view)]++;
  }
  ASSERT_EQ(counts.size(), 10u);
  double chi_square = 0;
  for (const auto& [member, n] : counts) chi_square += (n - 10000.0) * (n - 10000.0) / 10000.0;
  EXPECT_LT(chi_square, 40);
}

TEST(SetTest, CloneAndValue) {
  Value v = Value::new_set();
  EXPECT_TRUE(v.is_set());
  EXPECT_EQ(type_name(v.type()), "set");
  EXPECT_EQ(v.encoding(), "intset");
  v.set().add("1", kMax);
  Value copy = v.clone();
  v.set().add("x", kMax);
  EXPECT_EQ(v.encoding(), "hashtable");
  EXPECT_EQ(copy.encoding(), "intset");
  EXPECT_EQ(members(copy.set()), std::vector<std::string>{"1"});
  Value moved = std::move(v);
  EXPECT_EQ(moved.set().size(), 2u);
  Value table_copy = moved.clone();
  EXPECT_EQ(sorted(members(table_copy.set())), (std::vector<std::string>{"1", "x"}));
}

TEST(SetTest, SmallIntsetsLiveInlineLargerOnesInOneBuffer) {
  Set s;
  for (int i = 1; i <= 7; ++i) s.add(std::to_string(i), kMax);
  EXPECT_EQ(s.memory_usage(), 0u);  // 7 x 2 bytes: inside the Set, no allocation
  s.add("8", kMax);
  // 4-byte header + 8 x 2 bytes: one allocation.
  void* probe = std::malloc(20);
  EXPECT_EQ(s.memory_usage(), malloc_usable_size(probe));
  std::free(probe);
  EXPECT_EQ(members(s), (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8"}));
  s.remove("1");
  EXPECT_EQ(s.memory_usage(), 0u);  // back inline
  EXPECT_EQ(members(s), (std::vector<std::string>{"2", "3", "4", "5", "6", "7", "8"}));
  // Widths: 3 of 32 bits fit inline, a 4th does not; one of 64 bits fits, a second does not.
  Set w;
  for (const char* m : {"70000", "-70000", "1"}) w.add(m, kMax);
  EXPECT_EQ(w.memory_usage(), 0u);
  EXPECT_EQ(w.intset_width(), 4);
  w.add("2", kMax);
  EXPECT_GT(w.memory_usage(), 0u);
  EXPECT_EQ(members(w), (std::vector<std::string>{"-70000", "1", "2", "70000"}));
  Set big;
  big.add("9223372036854775807", kMax);
  EXPECT_EQ(big.memory_usage(), 0u);
  big.add("-1", kMax);
  EXPECT_EQ(big.intset_width(), 8);
  EXPECT_EQ(members(big), (std::vector<std::string>{"-1", "9223372036854775807"}));
  Set copy = big.clone();
  big.remove("-1");
  EXPECT_EQ(members(big), (std::vector<std::string>{"9223372036854775807"}));
  EXPECT_EQ(copy.size(), 2u);
  copy.convert_to_table();
  EXPECT_FALSE(copy.is_intset());
  EXPECT_EQ(sorted(members(copy)), (std::vector<std::string>{"-1", "9223372036854775807"}));
  // Random add/remove against a model, across the inline/heap boundary and width upgrades.
  std::mt19937_64 rng(5);
  Set r;
  std::set<int64_t> model;
  const int64_t pool[] = {1, 2, 3, -4, 5, 6, 7, 8, 9, 40000, -40000, INT64_MAX, INT64_MIN};
  for (int i = 0; i < 2000; ++i) {
    const int64_t v = pool[rng() % std::size(pool)];
    if (rng() % 2) {
      EXPECT_EQ(r.add(std::to_string(v), kMax), model.insert(v).second);
    } else {
      EXPECT_EQ(r.remove(std::to_string(v)), model.erase(v) == 1);
    }
    ASSERT_EQ(r.size(), model.size());
  }
  std::vector<std::string> want;
  for (int64_t v : model) want.push_back(std::to_string(v));
  EXPECT_EQ(members(r), want);
}

}  // namespace
}  // namespace basalt
