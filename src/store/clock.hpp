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

// read() costs one clock read, not two: the wall time is the monotonic time plus an offset taken
// from CLOCK_REALTIME at most every kResyncUs. Every command reads the clock, and at 16 commands
// per read the clock reads were a sixth of the server's CPU time (perf, 2-core VM).
// A step of the system clock (date -s, an NTP step) is followed within kResyncUs; slewing
// drifts the two clocks apart by microseconds per second at most.
//
// The monotonic time itself comes from the CPU's timestamp counter where the kernel keeps its own
// time by it (clocksource "tsc": the kernel found it invariant and in step across cores), scaled
// by a rate measured against CLOCK_MONOTONIC over everything since the first resync and rebased on
// it at each resync, so it never strays from it by more than the rate's error over 100 ms.
// Elsewhere (another clocksource, another architecture), and for the first kResyncUs, it is
// clock_gettime. The dispatcher reads it twice per command (start and end, for its statistics):
// on the 2-core VM an rdtsc takes 9.5 ns, a clock_gettime 23 ns.
// Loop thread only (each thread that needs one has its own).
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
    if (ticks_per_us_ > 0) {
      const int64_t us = base_us_ + static_cast<int64_t>(
                                        static_cast<double>(ticks() - base_ticks_) / ticks_per_us_);
      // A rebase may land a few microseconds behind what the last rate gave: never go back.
      if (us > last_us_) last_us_ = us;
      return last_us_;
    }
    return posix_monotonic_us();
  }
  Reading read() const override {
    const int64_t mono = monotonic_us();
    if (!synced_ || mono - synced_at_us_ >= kResyncUs) {
      resync();
      const int64_t now = monotonic_us();
      return {(now + offset_us_) / 1000, now};
    }
    return {(mono + offset_us_) / 1000, mono};
  }
  // Whether monotonic_us() reads the timestamp counter now (for tests).
  bool uses_counter() const { return ticks_per_us_ > 0; }

 private:
  static int64_t posix_monotonic_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  }
  static uint64_t ticks() {
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#else
    return 0;
#endif
  }
  // Whether the kernel's clocksource is the timestamp counter (read once per process).
  static bool counter_is_clocksource();

  // The wall clock (and the counter, where it is used) read between two monotonic reads, against
  // their midpoint; of a few tries, the tightest pair, so that being preempted between the reads
  // does not skew the offset. Then the counter's rate and base (see the class comment).
  void resync() const;

  mutable bool synced_ = false;
  mutable int64_t synced_at_us_ = 0;
  mutable int64_t offset_us_ = 0;     // wall minus monotonic, in microseconds
  mutable double ticks_per_us_ = 0;   // 0: monotonic_us() is clock_gettime's
  mutable uint64_t first_ticks_ = 0;  // the counter and CLOCK_MONOTONIC at the first resync
  mutable int64_t first_us_ = 0;
  mutable uint64_t base_ticks_ = 0;  // ... and at the last
  mutable int64_t base_us_ = 0;
  mutable int64_t last_us_ = 0;
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
