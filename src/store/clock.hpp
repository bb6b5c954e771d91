#pragma once
// Every expiry decision reads time through one Clock, so tests advance time instead of sleeping.

#include <chrono>
#include <cstdint>

namespace basalt {

class Clock {
 public:
  // Both times at one instant: what each command starts with.
  struct Reading {
    int64_t wall_ms;
    int64_t monotonic_us;
  };

  virtual ~Clock() = default;
  // Wall-clock milliseconds since the Unix epoch: TTLs are absolute times (EXPIREAT), as in Redis.
  virtual int64_t now_ms() const = 0;
  // Wall-clock microseconds since the Unix epoch (TIME); a test clock's milliseconds by default.
  virtual int64_t now_us() const { return now_ms() * 1000; }
  // Monotonic microseconds, for time budgets and latency; never goes back.
  virtual int64_t monotonic_us() const = 0;
  virtual Reading read() const { return {now_ms(), monotonic_us()}; }
};

// read() costs one clock_gettime, not two: the wall time is the monotonic time plus an offset
// taken from CLOCK_REALTIME at most every kResyncUs. Every command reads the clock, and at 16
// commands per read the clock reads were a sixth of the server's CPU time (perf, 2-core VM).
// A step of the system clock (date -s, an NTP step) is followed within kResyncUs; slewing
// drifts the two clocks apart by microseconds per second at most. Loop thread only.
class SystemClock final : public Clock {
 public:
  static constexpr int64_t kResyncUs = 100'000;

  int64_t now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  int64_t now_us() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }
  int64_t monotonic_us() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  }
  Reading read() const override {
    const int64_t mono = monotonic_us();
    if (!synced_ || mono - synced_at_us_ >= kResyncUs) resync();
    return {(mono + offset_us_) / 1000, mono};
  }

 private:
  // The wall clock read between two monotonic reads, against their midpoint; of a few tries, the
  // tightest pair, so that being preempted between the reads does not skew the offset.
  void resync() const {
    using namespace std::chrono;
    int64_t best_spread = INT64_MAX;
    for (int attempt = 0; attempt < 3 && best_spread > 20; ++attempt) {
      const int64_t m1 = monotonic_us();
      const int64_t wall_us =
          duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
      const int64_t m2 = monotonic_us();
      if (m2 - m1 < best_spread) {
        best_spread = m2 - m1;
        offset_us_ = wall_us - (m1 + (m2 - m1) / 2);
        synced_at_us_ = m2;
      }
    }
    synced_ = true;
  }

  mutable bool synced_ = false;
  mutable int64_t synced_at_us_ = 0;
  mutable int64_t offset_us_ = 0;  // wall minus monotonic, in microseconds
};

// For tests: time moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_ms_(start_ms) {}
  int64_t now_ms() const override { return now_ms_; }
  int64_t monotonic_us() const override { return mono_us_; }
  void advance_ms(int64_t ms) {
    now_ms_ += ms;
    mono_us_ += ms * 1000;
  }
  void set_ms(int64_t ms) { now_ms_ = ms; }

 private:
  int64_t now_ms_;
  int64_t mono_us_ = 0;
};

}  // namespace basalt
