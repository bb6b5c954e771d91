#pragma once
// A latency histogram that answers percentiles the way Redis's INFO latencystats prints them:
// HdrHistogram's log-linear buckets with two significant digits over 1 ns .. 1 s, so that
// "p50=1.003" here means what it means there (1000 ns recorded reads back as the highest value
// of its bucket, 1003 ns). Recording is a count-leading-zeros and an increment.

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace basalt {

class PercentileHistogram {
 public:
  static constexpr int64_t kMinValue = 1;              // ns
  static constexpr int64_t kMaxValue = 1'000'000'000;  // ns

  void record(int64_t ns) {
    ns = std::clamp(ns, kMinValue, kMaxValue);
    counts_[index_of(ns)]++;
    total_++;
  }
  uint64_t total() const { return total_; }

  // HdrHistogram's logarithmic iteration as Redis's LATENCY HISTOGRAM reads it
  // (hdr_iter_log_init(first, base 2)): the buckets are walked in order, and each time the walk
  // reaches a reporting level (first, 2 first, 4 first ...) f(highest value equivalent to the
  // bucket reached, samples up to and including it) is called, when that count has grown.
  template <class F>
  void for_each_log2_level(int64_t first, F&& f) const {
    int64_t level_low = lowest_equivalent(first);
    uint64_t cumulative = 0, reported = 0;
    for (size_t i = 0; i < counts_.size() && reported < total_; ++i) {
      cumulative += counts_[i];
      const int64_t v = value_at_index(i);
      while (v >= level_low) {
        if (cumulative > reported) {
          f(highest_equivalent(v), cumulative);
          reported = cumulative;
        }
        first *= 2;
        level_low = lowest_equivalent(first);
      }
    }
    // Samples past the last level the buckets reach: HdrHistogram reports them at the last bucket.
    if (reported < total_) f(highest_equivalent(value_at_index(counts_.size() - 1)), total_);
  }

  // HdrHistogram's hdr_value_at_percentile: the highest value equivalent to the one holding the
  // requested share of the samples.
  int64_t value_at_percentile(double percentile) const {
    double p = std::min(percentile, 100.0);
    auto wanted = static_cast<int64_t>(p / 100 * static_cast<double>(total_) + 0.5);
    wanted = std::max<int64_t>(wanted, 1);
    int64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += static_cast<int64_t>(counts_[i]);
      if (seen >= wanted) {
        int64_t v = value_at_index(i);
        return percentile == 0.0 ? lowest_equivalent(v) : highest_equivalent(v);
      }
    }
    return 0;
  }

 private:
  // Two significant digits: 256 sub-buckets, the lower half of each bucket shared with the one
  // before (HdrHistogram's layout with unit magnitude 0).
  static constexpr int kHalfMagnitude = 7;
  static constexpr int64_t kHalfCount = int64_t{1} << kHalfMagnitude;
  static constexpr uint64_t kSubBucketMask = 2 * kHalfCount - 1;
  static constexpr size_t kBuckets = 23;  // 256 << 22 > kMaxValue
  static constexpr size_t kCounts = (kBuckets + 1) * kHalfCount;

  static int bucket_of(int64_t v) {
    return 64 - std::countl_zero(static_cast<uint64_t>(v) | kSubBucketMask) - (kHalfMagnitude + 1);
  }
  static size_t index_of(int64_t v) {
    int bucket = bucket_of(v);
    int64_t sub = v >> bucket;
    return static_cast<size_t>(((int64_t{bucket} + 1) << kHalfMagnitude) + (sub - kHalfCount));
  }
  static int64_t value_at_index(size_t index) {
    int64_t bucket = (static_cast<int64_t>(index) >> kHalfMagnitude) - 1;
    int64_t sub = (static_cast<int64_t>(index) & (kHalfCount - 1)) + kHalfCount;
    if (bucket < 0) {
      sub -= kHalfCount;
      bucket = 0;
    }
    return sub << bucket;
  }
  static int64_t lowest_equivalent(int64_t v) {
    int bucket = bucket_of(v);
    return (v >> bucket) << bucket;
  }
  static int64_t highest_equivalent(int64_t v) { return lowest_equivalent(v) + range_size(v) - 1; }
  static int64_t range_size(int64_t v) {
    int bucket = bucket_of(v);
    int64_t sub = v >> bucket;
    return int64_t{1} << (sub >= 2 * kHalfCount ? bucket + 1 : bucket);
  }

  std::array<uint64_t, kCounts> counts_{};
  uint64_t total_ = 0;
};

}  // namespace basalt
