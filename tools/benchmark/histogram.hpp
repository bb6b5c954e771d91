// A latency histogram with bounded relative error, in the spirit of HdrHistogram: values below
// 128 ns are counted exactly; above, each power of two is split into 128 linear buckets, so a
// recorded value and its bucket's midpoint differ by at most 1/256 (0.4%) of the value, well
// inside the 1% the benchmark promises. Buckets are relaxed atomics so that the progress line can
// read a histogram while its worker thread records into it.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>

namespace basalt::bench {

class Histogram {
 public:
  static constexpr int kSubBits = 7;  // 128 buckets per power of two
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  static constexpr int kMaxShift = 40;  // up to 2^48 ns (~3 days)
  static constexpr size_t kBuckets = kSub + (kMaxShift + 1) * kSub;

  Histogram() : counts_(new std::atomic<uint64_t>[kBuckets]) { reset(); }

  static size_t index_of(uint64_t v) {
    if (v < kSub) return static_cast<size_t>(v);
    const int shift = std::min(static_cast<int>(std::bit_width(v)) - (kSubBits + 1), kMaxShift);
    const uint64_t sub = std::min<uint64_t>(v >> shift, 2 * kSub - 1) - kSub;
    return static_cast<size_t>(kSub + static_cast<uint64_t>(shift) * kSub + sub);
  }
  // The midpoint of bucket i: what a percentile falling into it reports.
  static uint64_t value_of(size_t i) {
    if (i < kSub) return i;
    const uint64_t shift = (i - kSub) / kSub;
    const uint64_t sub = (i - kSub) % kSub + kSub;
    const uint64_t low = sub << shift;
    return low + ((uint64_t{1} << shift) >> 1);
  }

  void record(uint64_t ns) {
    counts_[index_of(ns)].fetch_add(1, std::memory_order_relaxed);
    total_.fetch_add(1, std::memory_order_relaxed);
    uint64_t m = max_.load(std::memory_order_relaxed);
    while (ns > m && !max_.compare_exchange_weak(m, ns, std::memory_order_relaxed)) {
    }
  }
  void add(const Histogram& other) {
    for (size_t i = 0; i < kBuckets; ++i) {
      const uint64_t c = other.counts_[i].load(std::memory_order_relaxed);
      if (c != 0) counts_[i].fetch_add(c, std::memory_order_relaxed);
    }
    total_.fetch_add(other.count(), std::memory_order_relaxed);
    const uint64_t m = other.max();
    if (m > max_.load(std::memory_order_relaxed)) max_.store(m, std::memory_order_relaxed);
  }
  void reset() {
    for (size_t i = 0; i < kBuckets; ++i) counts_[i].store(0, std::memory_order_relaxed);
    total_.store(0, std::memory_order_relaxed);
    max_.store(0, std::memory_order_relaxed);
  }

  uint64_t count() const { return total_.load(std::memory_order_relaxed); }
  uint64_t max() const { return max_.load(std::memory_order_relaxed); }
  // The value at percentile p (0..100): the midpoint of the bucket holding the rank, never more
  // than the exact maximum. 0 when empty.
  uint64_t percentile(double p) const {
    const uint64_t n = count();
    if (n == 0) return 0;
    if (p >= 100) return max();
    uint64_t rank = static_cast<uint64_t>(p / 100.0 * static_cast<double>(n) + 0.5);
    rank = std::clamp<uint64_t>(rank, 1, n);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i].load(std::memory_order_relaxed);
      if (seen >= rank) return std::min(value_of(i), max());
    }
    return max();
  }

 private:
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> total_{0};
  std::atomic<uint64_t> max_{0};
};

}  // namespace basalt::bench
