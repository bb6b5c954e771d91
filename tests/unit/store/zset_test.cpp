#include "store/zset.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/entry.hpp"
#include "store/value.hpp"

namespace basalt {
namespace {

using Pair = std::pair<double, std::string>;
using ::testing::ElementsAre;

std::vector<Pair> contents(const ZSet& z) {
  std::vector<Pair> out;
  z.for_each([&](std::string_view m, double s) { out.emplace_back(s, std::string(m)); });
  return out;
}

ZSet::Limits small_limits() { return {4, 8}; }

TEST(ZSetTest, PackedKeepsScoreThenMemberOrder) {
  ZSet z;
  const ZSet::Limits limits;
  z.insert("b", 1, limits);
  z.insert("a", 1, limits);
  z.insert("c", -2.5, limits);
  z.insert("", 1e300, limits);
  z.insert("neg0", -0.0, limits);
  EXPECT_EQ(z.encoding(), ZSet::Encoding::kPacked);
  EXPECT_THAT(contents(z), ElementsAre(Pair(-2.5, "c"), Pair(-0.0, "neg0"), Pair(1, "a"),
                                       Pair(1, "b"), Pair(1e300, "")));
  double s;
  ASSERT_TRUE(z.score("neg0", &s));
  EXPECT_FALSE(std::signbit(s));  // packed, -0.0 reads back as 0, as from Redis's listpack
  EXPECT_TRUE(z.valid());
}

TEST(ZSetTest, ScoresRoundTripExactly) {
  const double scores[] = {0,
                           1,
                           -1,
                           31,
                           -32,
                           63,
                           64,
                           4503599627370495.0,
                           -4503599627370495.0,
                           4503599627370496.0,
                           0.1,
                           1e-300,
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           123456789.0};
  ZSet z;
  const ZSet::Limits limits{1000, 64};
  int i = 0;
  for (double v : scores) z.insert("m" + std::to_string(i++), v, limits);
  i = 0;
  for (double v : scores) {
    double s;
    ASSERT_TRUE(z.score("m" + std::to_string(i++), &s));
    EXPECT_EQ(s, v);
  }
}

TEST(ZSetTest, ConvertsWhenTooManyOrTooLong) {
  ZSet a;
  for (int i = 0; i < 4; ++i) a.insert("m" + std::to_string(i), i, small_limits());
  EXPECT_EQ(a.encoding(), ZSet::Encoding::kPacked);
  a.insert("m4", 4, small_limits());
  EXPECT_EQ(a.encoding(), ZSet::Encoding::kTree);
  EXPECT_EQ(a.size(), 5u);
  EXPECT_TRUE(a.valid());
  // Never back, even when it shrinks.
  a.erase("m4");
  a.erase("m3");
  EXPECT_EQ(a.encoding(), ZSet::Encoding::kTree);

  ZSet b;
  b.insert("123456789", 1, small_limits());
  EXPECT_EQ(b.encoding(), ZSet::Encoding::kTree);
}

TEST(ZSetTest, RanksRangesAndCounts) {
  for (size_t limit : {size_t{1000}, size_t{0}}) {
    ZSet z;
    const ZSet::Limits limits{limit, 64};
    for (int i = 0; i < 10; ++i) z.insert(std::string(1, static_cast<char>('a' + i)), i, limits);
    size_t r;
    ASSERT_TRUE(z.rank("d", &r));
    EXPECT_EQ(r, 3u);
    EXPECT_FALSE(z.rank("zz", &r));
    EXPECT_EQ(z.at(9).first, "j");
    std::string seen;
    z.for_rank_range(1, 3, true, [&](std::string_view m, double) { seen += m; });
    EXPECT_EQ(seen, "ihg");
    seen.clear();
    ScoreRange sr{2, 6, true, false};
    EXPECT_EQ(z.for_score_range(sr, false, 1, 2, [&](std::string_view m, double) { seen += m; }),
              2u);
    EXPECT_EQ(seen, "ef");
    EXPECT_EQ(z.count_score_range(sr), 4u);
    LexRange lr;
    lr.min_kind = LexRange::Bound::kValue;
    lr.min = "b";
    lr.min_exclusive = true;
    lr.max_kind = LexRange::Bound::kValue;
    lr.max = "e";
    seen.clear();
    z.for_lex_range(lr, true, 0, SIZE_MAX, [&](std::string_view m, double) { seen += m; });
    EXPECT_EQ(seen, "edc");
    EXPECT_EQ(z.count_lex_range(lr), 3u);
    EXPECT_EQ(z.erase_lex_range(lr), 3u);
    EXPECT_EQ(z.erase_score_range(ScoreRange{8, 100, false, false}), 2u);
    EXPECT_EQ(z.erase_rank_range(0, 1), 2u);
    seen.clear();
    z.for_each([&](std::string_view m, double) { seen += m; });
    EXPECT_EQ(seen, "fgh");
    EXPECT_TRUE(z.valid());
  }
}

// A std::set model of a sorted set, changed alongside the set under test.
struct Model {
  std::set<Pair> model;
  std::map<std::string, double> scores;

  void add_or_update(ZSet& z, const std::string& m, double s, const ZSet::Limits& limits) {
    auto it = scores.find(m);
    if (it == scores.end()) {
      z.insert(m, s, limits);
      scores[m] = s;
    } else {
      z.update(m, it->second, s);
      model.erase({it->second, m});
      it->second = s;
    }
    model.insert({s, m});
  }
  void erase(ZSet& z, const std::string& m) {
    auto it = scores.find(m);
    EXPECT_EQ(z.erase(m), it != scores.end());
    if (it != scores.end()) {
      model.erase({it->second, m});
      scores.erase(it);
    }
  }
  void erase_ranks(ZSet& z, size_t lo, size_t hi) {
    EXPECT_EQ(z.erase_rank_range(lo, hi), hi - lo + 1);
    auto first = std::next(model.begin(), static_cast<long>(lo));
    auto last = std::next(model.begin(), static_cast<long>(hi + 1));
    for (auto i = first; i != last; ++i) scores.erase(i->second);
    model.erase(first, last);
  }
  std::vector<Pair> ordered() const { return {model.begin(), model.end()}; }
  void seed(const ZSet& z) {
    for (const Pair& p : contents(z)) {
      model.insert(p);
      scores[p.second] = p.first;
    }
  }
};

// Random operations on both encodings against a std::set model: order, ranks, ranges and the
// structure's own invariants after every step.
TEST(ZSetTest, RandomOperationsMatchModel) {
  for (size_t limit : {size_t{16}, size_t{100000}, size_t{0}}) {
    std::mt19937_64 rng(limit + 7);
    ZSet z;
    const ZSet::Limits limits{limit, 64};
    Model mod;
    const std::set<Pair>& model = mod.model;
    const std::map<std::string, double>& scores = mod.scores;
    for (int step = 0; step < 3000; ++step) {
      const std::string m = "m" + std::to_string(rng() % 200);
      const double s = static_cast<double>(static_cast<int>(rng() % 50) - 25) / 2;
      const int op = static_cast<int>(rng() % 10);
      auto it = scores.find(m);
      if (op < 5) {
        mod.add_or_update(z, m, s, limits);
      } else if (op < 7) {
        mod.erase(z, m);
      } else if (op == 7 && !model.empty()) {
        const size_t a = rng() % model.size(), b = rng() % model.size();
        if (rng() % 8 == 0) mod.erase_ranks(z, std::min(a, b), std::max(a, b));
      } else if (op == 8) {
        const ScoreRange r{s, s + 3, rng() % 2 == 0, rng() % 2 == 0};
        std::vector<Pair> want;
        for (const Pair& p : model)
          if (r.contains(p.first)) want.push_back(p);
        std::vector<Pair> got;
        z.for_score_range(r, false, 0, SIZE_MAX,
                          [&](std::string_view mm, double ss) { got.emplace_back(ss, mm); });
        EXPECT_EQ(got, want);
        EXPECT_EQ(z.count_score_range(r), want.size());
        got.clear();
        z.for_score_range(r, true, 0, SIZE_MAX,
                          [&](std::string_view mm, double ss) { got.emplace_back(ss, mm); });
        std::reverse(want.begin(), want.end());
        EXPECT_EQ(got, want);
      } else if (it != scores.end()) {
        size_t r;
        ASSERT_TRUE(z.rank(m, &r));
        EXPECT_EQ(r,
                  static_cast<size_t>(std::distance(model.begin(), model.find({it->second, m}))));
        EXPECT_EQ(z.at(r).first, m);
      }
      ASSERT_EQ(z.size(), model.size());
      if (step % 50 == 0) {
        ASSERT_TRUE(z.valid());
        ASSERT_EQ(contents(z), std::vector<Pair>(model.begin(), model.end()));
      }
    }
    ZSet copy = z.clone();
    EXPECT_EQ(contents(copy), std::vector<Pair>(model.begin(), model.end()));
    EXPECT_TRUE(copy.valid());
  }
}

Value five_members() {
  Value v = Value::new_zset();
  for (int i = 1; i <= 5; ++i) v.zset().insert("m" + std::to_string(i), i, ZSet::Limits{});
  return v;
}

TEST(ZSetTest, ASmallSetBesideItsKeyTakesOneAllocation) {
  // bench/compare's sorted set: a 12-byte key, five 2-byte members with small integer scores.
  Entry* e = Entry::create("z:0000000001", five_members());
  const ZSet& z = e->value.zset();
  EXPECT_TRUE(z.block().is_embedded());
  EXPECT_EQ(e->value.heap_bytes(), 0u);
  EXPECT_EQ(e->value.encoding(), "listpack");
  EXPECT_LE(e->memory_usage(), 64u);  // 27 + 12 + 20 bytes: one allocation of jemalloc's 64
  EXPECT_TRUE(z.valid());
  EXPECT_EQ(contents(z), contents(five_members().zset()));
  size_t rank;
  ASSERT_TRUE(z.rank("m4", &rank));
  EXPECT_EQ(rank, 3u);
  Entry::destroy(e);

  // RENAME and MOVE take the value out and free the entry; COPY clones it.
  Entry* f = Entry::create("src", five_members());
  ASSERT_TRUE(f->value.zset().block().is_embedded());
  Value clone = f->value.clone();
  Value moved = std::move(f->value);
  Entry::destroy(f);
  for (const Value* v : {&moved, &clone}) {
    EXPECT_FALSE(v->zset().block().is_embedded());
    EXPECT_TRUE(v->zset().valid());
    EXPECT_EQ(contents(v->zset()), contents(five_members().zset()));
  }
  Entry* g = Entry::create("dst", std::move(moved));
  EXPECT_TRUE(g->value.zset().block().is_embedded());
  EXPECT_EQ(g->value.zset().size(), 5u);
  Entry::destroy(g);

  // A one-member set rescored (ZINCRBY) is emptied and refilled in place: it keeps its room (the
  // new score takes as many bytes as the old, so it fits whatever room the allocator gave).
  Value one = Value::new_zset();
  one.zset().insert("only", 1, {});
  // A 10-byte key: header, key and the 6-byte block fill one 48-byte allocation (with a 1-byte
  // key the block would push 32 bytes to 48, dearer than a block of its own).
  Entry* h = Entry::create("rescored:k", std::move(one));
  ZSet& z1 = h->value.zset();
  ASSERT_TRUE(z1.block().is_embedded());
  z1.update("only", 1, 7);
  EXPECT_TRUE(z1.block().is_embedded());
  EXPECT_EQ(h->value.heap_bytes(), 0u);
  EXPECT_THAT(contents(z1), ElementsAre(Pair(7, "only")));
  EXPECT_TRUE(z1.valid());
  Entry::destroy(h);
}

// Every operation on a set whose block starts in its entry's room: it grows out of the room,
// shrinks, empties and refills, and always matches the model.
TEST(ZSetTest, ASetBesideItsKeyMatchesAModelThroughEveryOperation) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 20; ++round) {
    Entry* e = Entry::create("z:" + std::to_string(round), five_members());
    ASSERT_TRUE(e->value.zset().block().is_embedded());
    ZSet& z = e->value.zset();
    Model mod;
    mod.seed(z);
    const ZSet::Limits limits{32, 16};
    for (int step = 0; step < 300; ++step) {
      const std::string m = "m" + std::to_string(rng() % 12);
      const double s = static_cast<double>(static_cast<int>(rng() % 40) - 20) / 4;
      const int op = static_cast<int>(rng() % 8);
      if (op < 4) {
        mod.add_or_update(z, m, s, limits);
      } else if (op < 6) {
        mod.erase(z, m);
      } else if (op == 6 && !mod.model.empty()) {
        const size_t lo = rng() % mod.model.size();
        mod.erase_ranks(z, lo, std::min(mod.model.size() - 1, lo + rng() % 3));
      } else {
        const ScoreRange r{s, s + 1, false, false};
        size_t gone = 0;
        for (auto k = mod.model.begin(); k != mod.model.end();) {
          if (r.contains(k->first)) {
            mod.scores.erase(k->second);
            k = mod.model.erase(k);
            ++gone;
          } else {
            ++k;
          }
        }
        EXPECT_EQ(z.erase_score_range(r), gone);
      }
      ASSERT_TRUE(z.valid()) << round << " " << step;
      ASSERT_EQ(contents(z), mod.ordered()) << round << " " << step;
    }
    Entry::destroy(e);
  }
}

// A new score between a member's neighbours keeps it in its leaf slot (ZADD's fast path); the
// leaf keeps a copy of each score, and a leaf's first member's is copied into the inner nodes
// above it: every copy must follow, or walks by score go astray. Shifting each of a thousand
// members by one takes both paths (slots inside a leaf, and its first and last).
TEST(ZSetTest, RescoringKeepsEveryCopyOfTheScoreInStep) {
  ZSet z;
  const ZSet::Limits tree{0, 64};
  for (int i = 0; i < 1000; ++i) z.insert("m" + std::to_string(i), i * 10.0, tree);
  for (int i = 0; i < 1000; ++i) {
    z.update("m" + std::to_string(i), i * 10.0, i * 10.0 + 1);
    ASSERT_TRUE(z.valid()) << i;
  }
  for (int i = 0; i < 1000; i += 37) {
    std::vector<std::string> got;
    z.for_score_range({i * 10.0 + 1, i * 10.0 + 1, false, false}, false, 0, SIZE_MAX,
                      [&](std::string_view m, double) { got.emplace_back(m); });
    EXPECT_EQ(got, std::vector<std::string>{"m" + std::to_string(i)});
    size_t rank = 0;
    ASSERT_TRUE(z.rank("m" + std::to_string(i), &rank));
    EXPECT_EQ(rank, static_cast<size_t>(i));
  }
}

TEST(ZSetTest, ScanVisitsEveryMemberOfASkiplist) {
  ZSet z;
  const ZSet::Limits limits{0, 64};
  for (int i = 0; i < 500; ++i) z.insert("m" + std::to_string(i), i, limits);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = z.scan(cursor, [&](std::string_view m, double) { seen.emplace(m); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 500u);
}

// Redis's SCAN guarantee: a member present from the first call to the last is returned, however
// the set changes between calls. Deleting members shifts others back along their probe runs, and
// the index grows and shrinks under the cursor here.
TEST(ZSetTest, ScanReturnsEveryMemberPresentThroughoutDespiteDeletesAndResizes) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    ZSet z;
    const ZSet::Limits limits{0, 64};
    std::set<std::string> kept;
    for (int i = 0; i < 300; ++i) {
      kept.insert("keep" + std::to_string(i));
      z.insert("keep" + std::to_string(i), i, limits);
    }
    std::vector<std::string> churn;
    std::set<std::string> seen;
    uint64_t cursor = 0;
    int calls = 0;
    do {
      cursor = z.scan(cursor, [&](std::string_view m, double) { seen.emplace(m); });
      // Alternate bursts of inserts (growing the index) and deletes (shifting and shrinking).
      const bool grow = (++calls / 64) % 2 == 0;
      for (int k = 0; k < 8; ++k) {
        if (grow || churn.empty()) {
          churn.push_back("churn" + std::to_string(rng()));
          z.insert(churn.back(), 0, limits);
        } else {
          const size_t at = rng() % churn.size();
          ASSERT_TRUE(z.erase(churn[at]));
          churn[at] = churn.back();
          churn.pop_back();
        }
      }
    } while (cursor != 0 && calls < 100000);
    ASSERT_EQ(cursor, 0u);
    for (const std::string& m : kept) EXPECT_TRUE(seen.count(m)) << m << " seed " << seed;
  }
}

}  // namespace
}  // namespace basalt
