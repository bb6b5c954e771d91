#pragma once
// Every expiry decision reads time through one Clock, so tests advance time instead of sleeping.

#include <chrono>
#include <cstdint>

namespace basalt {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock milliseconds since the Unix epoch: TTLs are absolute times (EXPIREAT), as in Redis.
  virtual int64_t now_ms() const = 0;
  // Monotonic microseconds, for time budgets and latency; never goes back.
  virtual int64_t monotonic_us() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  int64_t monotonic_us() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  }
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
