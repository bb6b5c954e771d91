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
  const bool counter = counter_is_clocksource();
  int64_t best_spread = INT64_MAX;
  uint64_t best_ticks = 0;
  int64_t mid = 0;
  for (int attempt = 0; attempt < 3 && best_spread > 20; ++attempt) {
    const int64_t m1 = posix_monotonic_us();
    const int64_t wall_us = now_us();
    const uint64_t t = counter ? ticks() : 0;
    const int64_t m2 = posix_monotonic_us();
    if (m2 - m1 < best_spread) {
      best_spread = m2 - m1;
      mid = m1 + (m2 - m1) / 2;
      offset_us_ = wall_us - mid;
      best_ticks = t;
      synced_at_us_ = m2;
    }
  }
  synced_ = true;
  // The counter was read in the same bracket as the wall clock; a bracket more than a few
  // microseconds wide (preempted) is not used for the rate.
  if (!counter || best_spread > 20) return;
  if (first_ticks_ == 0) {
    first_ticks_ = best_ticks;
    first_us_ = mid;
    return;
  }
  if (mid - first_us_ < kResyncUs || best_ticks <= first_ticks_) return;
  ticks_per_us_ =
      static_cast<double>(best_ticks - first_ticks_) / static_cast<double>(mid - first_us_);
  base_ticks_ = best_ticks;
  base_us_ = mid;
}

}  // namespace basalt
