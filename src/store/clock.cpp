#include "store/clock.hpp"

#include <fstream>
#include <string>

namespace basalt {

bool SystemClock::counter_is_clocksource() {
#if defined(__x86_64__)
  static const bool is = [] {
    std::ifstream in("/sys/devices/system/clocksource/clocksource0/current_clocksource");
    std::string name;
    return static_cast<bool>(in >> name) && name == "tsc";
  }();
  return is;
#else
  return false;
#endif
}

void SystemClock::resync() const {
  using namespace std::chrono;
  int64_t best_spread = INT64_MAX;
  for (int attempt = 0; attempt < 3 && best_spread > 20; ++attempt) {
    const int64_t m1 = posix_monotonic_us();
    const int64_t wall_us =
        duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
    const int64_t m2 = posix_monotonic_us();
    if (m2 - m1 < best_spread) {
      best_spread = m2 - m1;
      offset_us_ = wall_us - (m1 + (m2 - m1) / 2);
      synced_at_us_ = m2;
    }
  }
  synced_ = true;
  if (!counter_is_clocksource()) return;
  // The counter between two reads of CLOCK_MONOTONIC, against their midpoint; a pair more than a
  // few microseconds apart (preempted between the reads) is not used.
  const int64_t before = posix_monotonic_us();
  const uint64_t t = ticks();
  const int64_t after = posix_monotonic_us();
  if (after - before > 20) return;
  const int64_t us = before + (after - before) / 2;
  if (first_ticks_ == 0) {
    first_ticks_ = t;
    first_us_ = us;
    return;
  }
  if (us - first_us_ < kResyncUs || t <= first_ticks_) return;
  ticks_per_us_ = static_cast<double>(t - first_ticks_) / static_cast<double>(us - first_us_);
  base_ticks_ = t;
  base_us_ = us;
}

}  // namespace basalt
