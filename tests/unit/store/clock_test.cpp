#include "store/clock.hpp"

#include <gtest/gtest.h>

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

TEST(ManualClock, ReadIsItsTwoClocks) {
  ManualClock clock(5'000);
  clock.advance_ms(20);
  const Clock::Reading r = clock.read();
  EXPECT_EQ(r.wall_ms, 5'020);
  EXPECT_EQ(r.monotonic_us, 20'000);
}

}  // namespace
}  // namespace basalt
