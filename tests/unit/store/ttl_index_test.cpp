#include "store/ttl_index.hpp"

#include <gtest/gtest.h>

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
  EXPECT_LE(index.size() * 4, index.capacity() * 3);
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

TEST_F(TtlIndexTest, ShrinksToTwiceWhatItHoldsAndKeepsTheTimes) {
  TtlIndex index;
  for (int i = 0; i < 10000; ++i) index.add(make(), i);
  const size_t grown = index.capacity();
  EXPECT_GE(grown, 10000u);
  for (int i = 0; i < 9900; ++i) index.remove(entries_[i]);
  index.shrink_if_sparse();
  EXPECT_EQ(index.capacity(), 256u);  // a power of two, at least twice the 100 keys left
  for (int i = 9900; i < 10000; ++i) EXPECT_EQ(index.at(entries_[i]), i);
  TtlIndex moved = std::move(index);
  EXPECT_EQ(index.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from index is empty
  EXPECT_EQ(index.capacity(), 0u);
  EXPECT_EQ(moved.size(), 100u);
  EXPECT_EQ(moved.at(entries_[9999]), 9999);
}

}  // namespace
}  // namespace basalt
