// The sorted set family's Op side, called as persistence loading or a shard would: on a Store and
// its Database, with no engine, no client and no reply.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/zset_family.hpp"
#include "store/clock.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"
#include "store/store.hpp"
#include "store/zset.hpp"

namespace basalt {
namespace {

using Pairs = std::vector<std::pair<std::string, double>>;

class ZSetOpsTest : public ::testing::Test {
 protected:
  ZSetOpsTest() : store_(1, clock_, 7) { store_.set_time(1'700'000'000'000); }
  Database& db() { return store_.db(0); }

  ZAddResult add(std::string_view key, std::vector<std::pair<double, std::string_view>> pairs,
                 ZAddFlags flags = {}) {
    auto r = op_zadd(db(), key, flags, pairs, limits_);
    EXPECT_TRUE(r.ok());
    return *r;
  }
  Pairs contents(std::string_view key) {
    Pairs out;
    auto r = op_zset_read(db(), key);
    EXPECT_TRUE(r.ok());
    if (*r != nullptr) {
      (*r)->for_each([&](std::string_view m, double s) { out.emplace_back(std::string(m), s); });
    }
    return out;
  }

  ManualClock clock_{1'700'000'000'000};
  Store store_;
  ZSet::Limits limits_;
};

TEST_F(ZSetOpsTest, AddFlagsDecideWhatChanges) {
  EXPECT_EQ(add("z", {{1, "a"}, {2, "b"}}).added, 2u);
  ZAddFlags nx;
  nx.nx = true;
  ZAddResult r = add("z", {{5, "a"}, {3, "c"}}, nx);
  EXPECT_EQ(r.added, 1u);
  EXPECT_EQ(r.updated, 0u);
  ZAddFlags gt;
  gt.gt = true;
  r = add("z", {{0, "a"}, {9, "b"}}, gt);
  EXPECT_EQ(r.updated, 1u);
  EXPECT_EQ(contents("z"), (Pairs{{"a", 1}, {"c", 3}, {"b", 9}}));
  ZAddFlags xx;
  xx.xx = true;
  EXPECT_EQ(add("absent", {{1, "a"}}, xx).processed, 0u);
  EXPECT_EQ(db().find("absent"), nullptr);  // XX never creates the key
}

TEST_F(ZSetOpsTest, ANewSmallSetIsBuiltBesideItsKey) {
  // ZADD creating a key builds the set first, so its block goes into the key's entry; ZADD on an
  // existing key changes it where it is. (A key of 8 bytes: header, key and block share one
  // 48-byte allocation; beside a 1-byte key the block would cost more than one of its own.)
  EXPECT_EQ(add("zset:key", {{1, "a"}, {2, "b"}, {3, "a"}}).added, 2u);
  ASSERT_NE(db().find("zset:key"), nullptr);
  EXPECT_TRUE(db().find("zset:key")->value.zset().block().is_embedded());
  EXPECT_EQ(contents("zset:key"), (Pairs{{"b", 2}, {"a", 3}}));
  EXPECT_EQ(add("zset:key", {{0, "c"}}).added, 1u);
  EXPECT_EQ(contents("zset:key"), (Pairs{{"c", 0}, {"b", 2}, {"a", 3}}));
  EXPECT_TRUE(db().find("zset:key")->value.zset().valid());
}

TEST_F(ZSetOpsTest, IncrementToNanStops) {
  ZAddFlags incr;
  incr.incr = true;
  add("z", {{INFINITY, "a"}});
  ZAddResult r = add("z", {{-INFINITY, "a"}}, incr);
  EXPECT_TRUE(r.nan);
  EXPECT_EQ(contents("z"), (Pairs{{"a", INFINITY}}));
  r = add("z", {{2.5, "b"}}, incr);
  EXPECT_EQ(r.last_score, 2.5);
}

TEST_F(ZSetOpsTest, RemovalDeletesAnEmptySet) {
  add("z", {{1, "a"}, {2, "b"}});
  const std::string_view members[] = {"a", "x", "b"};
  EXPECT_EQ(*op_zrem(db(), "z", members), 2u);
  EXPECT_EQ(db().find("z"), nullptr);
  db().add("s", Value("v"));
  EXPECT_EQ(op_zrem(db(), "s", members).status(), OpStatus::kWrongType);
}

TEST_F(ZSetOpsTest, RangesStoreAndRemove) {
  add("z", {{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}});
  ZRangeSpec spec;
  spec.kind = ZRangeSpec::Kind::kScore;
  spec.reverse = true;
  spec.score = {2, 4, false, true};
  Pairs seen;
  auto r = op_zset_read(db(), "z");
  zrange_walk(**r, spec, [&](std::string_view m, double s) { seen.emplace_back(m, s); });
  EXPECT_EQ(seen, (Pairs{{"c", 3}, {"b", 2}}));
  EXPECT_EQ(*op_zrangestore(db(), "dst", "z", spec, limits_), 2u);
  EXPECT_EQ(contents("dst"), (Pairs{{"b", 2}, {"c", 3}}));
  spec.score = {10, 20, false, false};
  EXPECT_EQ(*op_zrangestore(db(), "dst", "z", spec, limits_), 0u);
  EXPECT_EQ(db().find("dst"), nullptr);

  ZRangeSpec rank;
  rank.start = -2;
  rank.stop = 100;
  EXPECT_EQ(*op_zremrange(db(), "z", rank), 2u);
  EXPECT_EQ(contents("z"), (Pairs{{"a", 1}, {"b", 2}}));
}

TEST_F(ZSetOpsTest, PopsFromTheFirstNonEmptyKey) {
  add("z", {{1, "a"}, {2, "b"}, {3, "c"}});
  Pairs out;
  const std::string_view keys[] = {"none", "z"};
  auto r = op_zpop(db(), keys, true, 2, out);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, "z");
  EXPECT_EQ(out, (Pairs{{"c", 3}, {"b", 2}}));
  r = op_zpop(db(), keys, false, 5, out);
  EXPECT_EQ(out, (Pairs{{"a", 1}}));
  EXPECT_EQ(db().find("z"), nullptr);
  r = op_zpop(db(), keys, false, 1, out);
  EXPECT_FALSE(r->has_value());
}

TEST_F(ZSetOpsTest, UnionInterDiffWithWeightsAndAggregates) {
  add("x", {{1, "a"}, {2, "b"}, {INFINITY, "c"}});
  add("y", {{10, "b"}, {-INFINITY, "c"}, {5, "d"}});
  const std::string_view keys[] = {"x", "y"};
  const double ones[] = {1, 1};
  EXPECT_EQ(*op_zsetop(db(), ZSetOp::kUnion, keys, ones, ZAggregate::kSum),
            (Pairs{{"c", 0}, {"a", 1}, {"d", 5}, {"b", 12}}));  // inf + -inf is 0
  const double weights[] = {2, 0.5};
  EXPECT_EQ(*op_zsetop(db(), ZSetOp::kInter, keys, weights, ZAggregate::kMin),
            (Pairs{{"c", -INFINITY}, {"b", 4}}));
  EXPECT_EQ(*op_zsetop(db(), ZSetOp::kDiff, keys, ones, ZAggregate::kSum), (Pairs{{"a", 1}}));
  const std::string_view missing[] = {"x", "nothing"};
  EXPECT_TRUE(op_zsetop(db(), ZSetOp::kInter, missing, ones, ZAggregate::kSum)->empty());
}

}  // namespace
}  // namespace basalt
