// basalt-benchmark's histogram (the error bound the tool promises) and key distributions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "tools/benchmark/histogram.hpp"
#include "tools/benchmark/zipf.hpp"

namespace basalt::bench {
namespace {

TEST(Histogram, EveryValueWithinOnePercentOfItsBucket) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t v = rng() >> (rng() % 47 + 17);  // 0 .. 2^47 ns, the range it covers
    const uint64_t rep = Histogram::value_of(Histogram::index_of(v));
    const double err = std::abs(static_cast<double>(rep) - static_cast<double>(v));
    ASSERT_LE(err, std::max(1.0, static_cast<double>(v) * 0.01)) << v;
  }
  for (uint64_t v = 0; v < 128; ++v) EXPECT_EQ(Histogram::value_of(Histogram::index_of(v)), v);
}

TEST(Histogram, IndexIsMonotonic) {
  size_t last = 0;
  for (uint64_t v = 1; v < (uint64_t{1} << 40); v = v * 1.01 + 1) {
    const size_t i = Histogram::index_of(v);
    ASSERT_GE(i, last);
    ASSERT_LT(i, Histogram::kBuckets);
    last = i;
  }
}

TEST(Histogram, PercentilesAgreeWithSortedSamples) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> dist(11.0, 1.0);  // ~60 us median, long tail
  std::vector<uint64_t> samples;
  Histogram h;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<uint64_t>(dist(rng));
    samples.push_back(v);
    h.record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) {
    const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * samples.size())) - 1;
    const double exact = static_cast<double>(samples[rank]);
    EXPECT_NEAR(static_cast<double>(h.percentile(p)), exact, exact * 0.01) << "p" << p;
  }
  EXPECT_EQ(h.max(), samples.back());
  EXPECT_EQ(h.percentile(100), samples.back());
  EXPECT_EQ(h.count(), samples.size());
  Histogram merged;
  merged.add(h);
  merged.add(h);
  EXPECT_EQ(merged.count(), 2 * samples.size());
  EXPECT_EQ(merged.percentile(50), h.percentile(50));
}

TEST(Zipf, StaysInRangeAndFavoursSmallKeys) {
  std::mt19937_64 rng(1);
  Zipf zipf(1000, 0.99);
  std::vector<int> counts(1000);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t k = zipf(rng);
    ASSERT_LT(k, 1000u);
    ++counts[k];
  }
  // P(k) ~ 1/(k+1)^s: key 0 about twice as frequent as key 1, ten times key 9.
  EXPECT_NEAR(static_cast<double>(counts[0]) / counts[1], std::pow(2.0, 0.99), 0.15);
  EXPECT_NEAR(static_cast<double>(counts[0]) / counts[9], std::pow(10.0, 0.99), 1.5);
  EXPECT_GT(counts[0], counts[500] * 100);
}

TEST(Zipf, OneKey) {
  std::mt19937_64 rng(1);
  Zipf zipf(1, 1.2);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(zipf(rng), 0u);
}

}  // namespace
}  // namespace basalt::bench
