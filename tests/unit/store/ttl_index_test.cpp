#include "store/ttl_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/entry.hpp"
#include "store/value.hpp"

namespace basalt {
namespace {

class TtlIndexTest : public ::testing::Test {
 protected:
  ~TtlIndexTest() override {
    for (Entry* e : entries_) Entry::destroy(e);
  }
  Entry* make() {
    entries_.push_back(Entry::create("k" + std::to_string(entries_.size()), Value("v")));
    return entries_.back();
  }
  std::vector<Entry*> entries_;
};

// Adds, updates and removes in random order (the removals exercise the backward shift of every
// probe run): the index answers as a map from entry to time does, and each entry's bit agrees.
TEST_F(TtlIndexTest, MatchesAMapUnderRandomOperations) {
  for (int i = 0; i < 3000; ++i) make();
  TtlIndex index;
  std::map<Entry*, int64_t> want;
  std::mt19937_64 rng(7);
  for (int step = 0; step < 60000; ++step) {
    Entry* e = entries_[rng() % entries_.size()];
    const int64_t at = static_cast<int64_t>(rng() % 1000000);
    switch (rng() % 3) {
      case 0:
        if (want.count(e) != 0) {
          index.set(e, at);
        } else {
          index.add(e, at);
        }
        want[e] = at;
        break;
      case 1:
        if (want.erase(e) != 0) index.remove(e);
        break;
      case 2:
        if (step % 5000 == 0) index.shrink_if_sparse();
        if (step % 7 == 0) index.resize_step(3);
        break;
    }
    ASSERT_EQ(index.size(), want.size());
    if (step % 1000 == 0) {
      for (Entry* x : entries_) {
        ASSERT_EQ(x->has_expire(), want.count(x) != 0);
        if (x->has_expire()) {
          ASSERT_EQ(index.at(x), want[x]);
        }
      }
    }
  }
  for (const auto& [e, at] : want) ASSERT_EQ(index.at(e), at);
  EXPECT_LE(index.size() * 16, index.capacity() * 15);
}

TEST_F(TtlIndexTest, SamplesAreDistinctKeysAndRandomPicksReachEveryKey) {
  TtlIndex index;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 40; ++i) index.add(make(), 1000 + i);
  Entry* out[64];
  for (int round = 0; round < 100; ++round) {
    const size_t n = index.sample(rng, out, 16);
    ASSERT_EQ(n, 16u);
    ASSERT_EQ(std::set<Entry*>(out, out + n).size(), n);
  }
  EXPECT_EQ(index.sample(rng, out, 64), 40u);  // never more than it holds
  std::map<Entry*, int> picks;
  for (int i = 0; i < 40000; ++i) {
    const TtlIndex::Ref r = index.random(rng);
    ASSERT_EQ(index.at(r.entry), r.at_ms);
    ++picks[r.entry];
  }
  ASSERT_EQ(picks.size(), 40u);
  // Uniform: 1,000 picks a key expected; a slot-biased pick would favour keys after empty runs.
  for (const auto& [e, n] : picks) {
    EXPECT_GT(n, 800) << e->key();
    EXPECT_LT(n, 1200) << e->key();
  }
}

// The table fills to 15/16 before it grows by half: at every size, at most 16 * 1.5 * 16/15 = 25.6
// bytes a key once a growth is over (the dense array it replaced, doubling, took up to 32, and 4
// more in every entry), and 2.5 times the old table's while one moves the keys.
TEST_F(TtlIndexTest, AKeyTakesAtMost26Bytes) {
  TtlIndex index;
  size_t peak = 0;
  for (int i = 0; i < 200000; ++i) {
    index.add(make(), i);
    if (i >= 1000) {
      const double per_key = static_cast<double>(index.memory_usage()) / index.size();
      ASSERT_LE(per_key, index.resizing() ? 42.7 : 25.7) << index.size();
      if (!index.resizing()) peak = std::max(peak, index.size() * 1000 / index.capacity());
    }
  }
  EXPECT_GE(peak, 930u);  // it did fill past 93% before growing
  for (int i = 0; i < 200000; i += 997) ASSERT_EQ(index.at(entries_[i]), i);
}

// A growth moves the keys a few buckets at a time: the add that starts it moves only four buckets,
// and until the last one has moved every key is found, updated and removed in either table.
TEST_F(TtlIndexTest, AGrowthMovesTheKeysAFewBucketsAtATime) {
  TtlIndex index;
  std::mt19937_64 rng(5);
  int i = 0;
  for (; index.size() < 20000; ++i) index.add(make(), i);  // crosses several growths
  while (index.resize_step(1000)) {
  }
  while (!index.resizing()) index.add(make(), i++);
  const size_t keys = index.size();
  for (int k = 0; k < i; k += 7) index.set(entries_[k], -k);  // in either table
  for (int k = 3; k < i; k += 7) index.remove(entries_[k]);
  EXPECT_TRUE(index.resizing());
  EXPECT_EQ(index.random(rng).entry != nullptr, true);
  int steps = 0;
  while (index.resize_step(1)) ++steps;
  EXPECT_GT(steps, 5000);  // the old table's 5,000-odd buckets, but the four the add moved
  for (int k = 0; k < i; ++k) {
    ASSERT_EQ(entries_[k]->has_expire(), k % 7 != 3) << k;
    if (k % 7 == 0) {
      ASSERT_EQ(index.at(entries_[k]), -k);
    } else if (k % 7 != 3) {
      ASSERT_EQ(index.at(entries_[k]), k);
    }
  }
  EXPECT_EQ(index.size(), keys - (i - 3 + 6) / 7);
  EXPECT_EQ(index.memory_usage(), index.capacity() * 16);  // the old table is gone
}

TEST_F(TtlIndexTest, ShrinksToTwiceWhatItHoldsAndKeepsTheTimes) {
  TtlIndex index;
  for (int i = 0; i < 10000; ++i) index.add(make(), i);
  const size_t grown = index.capacity();
  EXPECT_GE(grown, 10000u);
  for (int i = 0; i < 9900; ++i) index.remove(entries_[i]);
  index.shrink_if_sparse();
  while (index.resize_step(1)) {
  }
  EXPECT_GE(index.capacity(), 200u);  // about twice the 100 keys left
  EXPECT_LE(index.capacity(), 220u);
  for (int i = 9900; i < 10000; ++i) EXPECT_EQ(index.at(entries_[i]), i);
  TtlIndex moved = std::move(index);
  EXPECT_EQ(index.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from index is empty
  EXPECT_EQ(index.capacity(), 0u);
  EXPECT_EQ(moved.size(), 100u);
  EXPECT_EQ(moved.at(entries_[9999]), 9999);
}

}  // namespace
}  // namespace basalt
