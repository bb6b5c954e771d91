// The hash family's Op side, called as persistence loading or a shard would: on a Store and its
// Database, with no engine, no client and no reply.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "commands/hash_family.hpp"
#include "store/clock.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"
#include "store/hash.hpp"
#include "store/store.hpp"

namespace basalt {
namespace {

class CollectingSink final : public RandomFieldSink {
 public:
  void begin(size_t count) override { announced = count; }
  void pair(std::string_view field, std::string_view value) override {
    pairs.emplace_back(field, value);
  }
  size_t announced = SIZE_MAX;
  std::vector<std::pair<std::string, std::string>> pairs;
};

class HashOpsTest : public ::testing::Test {
 protected:
  HashOpsTest() : store_(1, clock_, 7) { store_.set_time(1'700'000'000'000); }
  Database& db() { return store_.db(0); }
  size_t hset(std::string_view key, std::vector<std::string_view> pairs) {
    return *op_hset(db(), key, pairs, HashLimits{});
  }

  ManualClock clock_{1'700'000'000'000};
  Store store_;
  std::mt19937_64 rng_{3};
};

TEST_F(HashOpsTest, ANewSmallHashIsBuiltBesideItsKey) {
  // HSET creating a key builds the hash first, so its block goes into the key's entry; HSET on
  // an existing key changes it where it is.
  EXPECT_EQ(hset("h", {"f1", "v1", "f2", "v2", "f3", "v3", "f1", "v4"}), 3u);
  const Entry* e = db().find("h");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->value.hash().block().is_embedded());
  EXPECT_EQ(*op_hget(db(), "h", "f1"), "v4");
  EXPECT_EQ(hset("h", {"f4", "v4"}), 1u);
  EXPECT_EQ(*op_hlen(db(), "h"), 4u);
  EXPECT_TRUE(db().find("h")->value.hash().valid());
}

TEST_F(HashOpsTest, SetGetDelete) {
  EXPECT_EQ(hset("h", {"a", "1", "b", "2"}), 2u);
  EXPECT_EQ(hset("h", {"a", "3", "c", "4"}), 1u);
  EXPECT_EQ(*op_hget(db(), "h", "a"), "3");
  EXPECT_FALSE(op_hget(db(), "h", "z")->has_value());
  EXPECT_FALSE(op_hget(db(), "nokey", "a")->has_value());
  EXPECT_EQ(*op_hlen(db(), "h"), 3u);
  EXPECT_EQ(*op_hstrlen(db(), "h", "c"), 1u);
  EXPECT_EQ(*op_hstrlen(db(), "h", "z"), 0u);
  EXPECT_TRUE(*op_hexists(db(), "h", "b"));
  EXPECT_FALSE(*op_hsetnx(db(), "h", "a", "x", HashLimits{}));
  EXPECT_TRUE(*op_hsetnx(db(), "h", "d", "x", HashLimits{}));
  std::vector<std::string_view> gone = {"a", "z", "a"};
  EXPECT_EQ(*op_hdel(db(), "h", gone), 1u);
  std::vector<std::string_view> rest = {"b", "c", "d"};
  EXPECT_EQ(*op_hdel(db(), "h", rest), 3u);
  // An emptied hash is deleted.
  EXPECT_EQ(db().find("h"), nullptr);
  EXPECT_EQ(*op_hdel(db(), "h", rest), 0u);
}

TEST_F(HashOpsTest, WrongTypeEverywhere) {
  db().add("s", Value("v"));
  std::vector<std::string_view> pair = {"a", "b"};
  EXPECT_EQ(op_hset(db(), "s", pair, HashLimits{}).status(), OpStatus::kWrongType);
  EXPECT_EQ(op_hsetnx(db(), "s", "a", "b", HashLimits{}).status(), OpStatus::kWrongType);
  EXPECT_EQ(op_hdel(db(), "s", pair).status(), OpStatus::kWrongType);
  EXPECT_EQ(op_hget(db(), "s", "a").status(), OpStatus::kWrongType);
  EXPECT_EQ(op_hlen(db(), "s").status(), OpStatus::kWrongType);
  EXPECT_EQ(op_hincrby(db(), "s", "a", 1, HashLimits{}).status(), OpStatus::kWrongType);
  EXPECT_EQ(op_hincrbyfloat(db(), "s", "a", 1, HashLimits{}).status(), OpStatus::kWrongType);
  std::vector<FieldValue> out;
  EXPECT_EQ(op_hscan(db(), "s", 0, {}, &out).status(), OpStatus::kWrongType);
  CollectingSink sink;
  EXPECT_EQ(op_hrandfield(db(), "s", 3, rng_, sink).status(), OpStatus::kWrongType);
  EXPECT_EQ(db().find("s")->value.str(), "v");
}

TEST_F(HashOpsTest, IncrementsCheckTheStoredValueAndOverflow) {
  EXPECT_EQ(*op_hincrby(db(), "h", "n", 5, HashLimits{}), 5);
  EXPECT_EQ(*op_hincrby(db(), "h", "n", -7, HashLimits{}), -2);
  EXPECT_EQ(*op_hincrby(db(), "h", "max", INT64_MAX, HashLimits{}), INT64_MAX);
  EXPECT_EQ(op_hincrby(db(), "h", "max", 1, HashLimits{}).status(), OpStatus::kOverflow);
  EXPECT_EQ(*op_hget(db(), "h", "max"), "9223372036854775807");
  hset("h", {"s", "abc", "z", "007"});
  EXPECT_EQ(op_hincrby(db(), "h", "s", 1, HashLimits{}).status(), OpStatus::kHashValueNotInteger);
  EXPECT_EQ(op_hincrby(db(), "h", "z", 1, HashLimits{}).status(), OpStatus::kHashValueNotInteger);
  EXPECT_EQ(*op_hincrbyfloat(db(), "h", "f", 1.5L, HashLimits{}), "1.5");
  EXPECT_EQ(*op_hincrbyfloat(db(), "h", "f", 0.1L, HashLimits{}), "1.6");
  EXPECT_EQ(*op_hincrbyfloat(db(), "h", "z", 1, HashLimits{}), "8");
  EXPECT_EQ(op_hincrbyfloat(db(), "h", "s", 1, HashLimits{}).status(),
            OpStatus::kHashValueNotFloat);
  hset("h", {"big", "1e4932"});
  EXPECT_EQ(op_hincrbyfloat(db(), "h", "big", 1e4932L, HashLimits{}).status(), OpStatus::kNanOrInf);
  EXPECT_EQ(*op_hget(db(), "h", "big"), "1e4932");
}

TEST_F(HashOpsTest, ScanWalksATableInSteps) {
  for (int i = 0; i < 1000; ++i) {
    const std::string f = "f" + std::to_string(i);
    hset("h", {f, "v"});
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    std::vector<FieldValue> out;
    ScanParams params;
    params.count = 50;
    cursor = *op_hscan(db(), "h", cursor, params, &out);
    for (auto& [f, v] : out) seen.emplace(f);
    ++calls;
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_GT(calls, 5);
  std::vector<FieldValue> out;
  ScanParams match;
  match.count = 100000;
  match.pattern = "f99?";
  EXPECT_EQ(*op_hscan(db(), "h", 0, match, &out), 0u);
  EXPECT_EQ(out.size(), 10u);
}

TEST_F(HashOpsTest, RandomFieldsDistinctOrRepeated) {
  for (bool big : {false, true}) {
    const std::string key = big ? "big" : "small";
    const int n = big ? 900 : 10;
    for (int i = 0; i < n; ++i) {
      const std::string f = std::to_string(i);
      hset(key, {f, "v" + f});
    }
    for (int64_t count : {1, 3, 9, n / 2, n - 1, n, n + 5}) {
      CollectingSink sink;
      EXPECT_TRUE(*op_hrandfield(db(), key, count, rng_, sink));
      const size_t want = static_cast<size_t>(std::min<int64_t>(count, n));
      EXPECT_EQ(sink.announced, want);
      std::set<std::string> distinct;
      for (auto& [f, v] : sink.pairs) {
        EXPECT_EQ(v, "v" + f);
        distinct.insert(f);
      }
      EXPECT_EQ(distinct.size(), want) << key << " " << count;
    }
    CollectingSink repeated;
    EXPECT_TRUE(*op_hrandfield(db(), key, -50, rng_, repeated));
    EXPECT_EQ(repeated.announced, 50u);
    EXPECT_EQ(repeated.pairs.size(), 50u);
  }
  CollectingSink none;
  EXPECT_FALSE(*op_hrandfield(db(), "nokey", 5, rng_, none));
  EXPECT_EQ(none.announced, SIZE_MAX);
  EXPECT_FALSE(op_hrandfield_one(db(), "nokey", rng_)->has_value());
}

}  // namespace
}  // namespace basalt
