// The LFU policies' request counts (store/frequency_sketch.hpp): exact for a few keys, never
// below the truth, capped at 15, halved after their sample, resized with the keys held.

#include "store/frequency_sketch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace basalt {
namespace {

uint64_t key_hash(uint64_t n) {
  // Any 64-bit hash of good quality, as the store's wyhash.
  n += 0x9e3779b97f4a7c15ULL;
  n = (n ^ (n >> 30)) * 0xbf58476d1ce4e5b9ULL;
  n = (n ^ (n >> 27)) * 0x94d049bb133111ebULL;
  return n ^ (n >> 31);
}

TEST(FrequencySketchTest, AnEmptySketchCountsNothing) {
  FrequencySketch sketch;
  sketch.record(key_hash(1));
  EXPECT_TRUE(sketch.empty());
  EXPECT_EQ(sketch.estimate(key_hash(1)), 0);
  EXPECT_EQ(sketch.memory_usage(), 0u);
}

TEST(FrequencySketchTest, CountsEachKeyUpToFifteen) {
  FrequencySketch sketch;
  sketch.fit(1000);
  for (int i = 0; i < 3; ++i) sketch.record(key_hash(1));
  for (int i = 0; i < 40; ++i) sketch.record(key_hash(2));
  EXPECT_EQ(sketch.estimate(key_hash(1)), 3);
  EXPECT_EQ(sketch.estimate(key_hash(2)), FrequencySketch::kMaxCount);
  EXPECT_EQ(sketch.estimate(key_hash(3)), 0);
}

TEST(FrequencySketchTest, NeverCountsAKeyBelowItsRequests) {
  // As many keys as it is sized for, each requested 0 to 6 times: other keys' requests may raise
  // an estimate (count-min), never lower it.
  FrequencySketch sketch;
  sketch.fit(4096);
  const size_t keys = sketch.capacity();
  std::mt19937_64 rng(5);
  std::vector<int> requests(keys);
  std::vector<uint64_t> order;
  for (size_t k = 0; k < keys; ++k) {
    requests[k] = static_cast<int>(rng() % 7);
    for (int i = 0; i < requests[k]; ++i) order.push_back(k);
  }
  ASSERT_LT(order.size(), sketch.sample_size());  // no halving in between
  std::shuffle(order.begin(), order.end(), rng);
  for (uint64_t k : order) sketch.record(key_hash(k));
  size_t exact = 0;
  for (size_t k = 0; k < keys; ++k) {
    const int estimate = sketch.estimate(key_hash(k));
    ASSERT_GE(estimate, requests[k]) << k;
    exact += estimate == requests[k];
  }
  // Conservative updates keep most estimates exact at 8 counters a key.
  EXPECT_GT(exact, keys * 9 / 10);
}

TEST(FrequencySketchTest, HalvesEveryCountAfterItsSample) {
  FrequencySketch sketch;
  sketch.fit(1000);
  for (int i = 0; i < 8; ++i) sketch.record(key_hash(0));
  ASSERT_EQ(sketch.estimate(key_hash(0)), 8);
  // Distinct keys, one request each, up to the sample: the last one halves everything.
  uint64_t k = 1;
  for (uint64_t n = 8; n < sketch.sample_size(); ++n) sketch.record(key_hash(k++));
  const int after = sketch.estimate(key_hash(0));
  EXPECT_GE(after, 4);
  EXPECT_LT(after, 8);
}

TEST(FrequencySketchTest, FollowsTheKeysHeld) {
  FrequencySketch sketch;
  sketch.fit(100);
  const size_t small = sketch.memory_usage();
  EXPECT_EQ(small, 4096u);  // the smallest: 512 words
  sketch.record(key_hash(1));
  sketch.fit(small / 8);  // still fits: counts kept
  EXPECT_EQ(sketch.estimate(key_hash(1)), 1);
  sketch.fit(384'000);  // 8 counters a key, in a power of two of words: 2 MB
  EXPECT_EQ(sketch.memory_usage(), size_t{2} << 20);
  EXPECT_GE(sketch.capacity(), 384'000u);
  EXPECT_EQ(sketch.estimate(key_hash(1)), 0);  // resizing forgets
  sketch.fit(300'000);                         // fewer keys, but more than a quarter: no resize
  EXPECT_EQ(sketch.memory_usage(), size_t{2} << 20);
  sketch.fit(1000);  // after a FLUSHALL
  EXPECT_EQ(sketch.memory_usage(), 4096u);
  sketch.release();
  EXPECT_TRUE(sketch.empty());
}

}  // namespace
}  // namespace basalt
