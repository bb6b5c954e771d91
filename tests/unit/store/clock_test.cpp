#include "store/clock.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <thread>

namespace basalt {
namespace {

// read() derives the wall time from the monotonic clock: it must agree with a direct wall-clock
// read, including across a resync of its offset.
TEST(SystemClock, ReadAgreesWithTheWallClockAcrossResyncs) {
  SystemClock clock;
  int64_t last_mono = 0;
  const int64_t until = clock.monotonic_us() + 3 * SystemClock::kResyncUs;
  int reads = 0;
  while (clock.monotonic_us() < until) {
    const int64_t before = clock.now_ms();
    const Clock::Reading r = clock.read();
    const int64_t after = clock.now_ms();
    // A millisecond either way: the offset is taken with two reads a few microseconds apart.
    EXPECT_GE(r.wall_ms, before - 1);
    EXPECT_LE(r.wall_ms, after + 1);
    EXPECT_GE(r.monotonic_us, last_mono);
    last_mono = r.monotonic_us;
    ++reads;
    std::this_thread::sleep_for(std::chrono::milliseconds(7));
  }
  EXPECT_GT(reads, 10);
}

// The monotonic time keeps to CLOCK_MONOTONIC (steady_clock) whether it reads the timestamp
// counter or not, across resyncs and the rebases they bring, and never goes back.
TEST(SystemClock, MonotonicKeepsToTheSystemsMonotonicClock) {
  using namespace std::chrono;
  const auto steady_us = [] {
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  };
  SystemClock clock;
  const int64_t until = steady_us() + 4 * SystemClock::kResyncUs;
  int64_t last = 0;
  int64_t worst = 0;
  while (steady_us() < until) {
    for (int i = 0; i < 1000; ++i) {
      const int64_t before = steady_us();
      const int64_t mono = clock.monotonic_us();
      const int64_t after = steady_us();
      ASSERT_GE(mono, last);
      last = mono;
      worst = std::max({worst, before - mono, mono - after});
    }
    clock.read();  // the dispatcher's read, which resyncs
    std::this_thread::sleep_for(milliseconds(3));
  }
  // Within a quarter of a millisecond of the system's clock (in practice a few microseconds).
  EXPECT_LT(worst, 250);
  std::ifstream in("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  std::string source;
  in >> source;
#if defined(__x86_64__)
  EXPECT_EQ(clock.uses_counter(), source == "tsc");
#else
  EXPECT_FALSE(clock.uses_counter());
#endif
}

TEST(ManualClock, ReadIsItsTwoClocks) {
  ManualClock clock(5'000);
  clock.advance_ms(20);
  const Clock::Reading r = clock.read();
  EXPECT_EQ(r.wall_ms, 5'020);
  EXPECT_EQ(r.monotonic_us, 20'000);
}

}  // namespace
}  // namespace basalt
