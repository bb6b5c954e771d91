#include "store/store.hpp"

#include <algorithm>

namespace basalt {

Store::Store(int databases, const Clock& clock, uint64_t seed)
    : clock_(clock),
      lfu_rng_(seed | 1),
      version_seq_(seed * 0x9e3779b97f4a7c15ull),
      sketch_seed_(seed ^ 0x5bd1e9955bd1e995ull) {
  set_time(clock_.now_ms());
  dbs_.reserve(databases);
  for (int i = 0; i < databases; ++i) dbs_.emplace_back(*this, i, seed);
}

void Store::flush_all() {
  for (auto& db : dbs_) {
    if (observer_ != nullptr) observer_->on_db_flushed(db.index());
    db.clear();
  }
}

void Store::swap_db(int a, int b) {
  dbs_[a].swap_contents(dbs_[b]);
  if (observer_ != nullptr) observer_->on_db_swapped(a, b);
}

ExpireCycleStats Store::active_expire_cycle(int64_t budget_us) {
  ExpireCycleStats total;
  if (!active_expire_enabled_ || dbs_.empty()) return total;
  refresh_time();
  int64_t deadline = clock_.monotonic_us() + budget_us;
  for (size_t i = 0; i < dbs_.size(); ++i) {
    Database& db = dbs_[next_expire_db_];
    next_expire_db_ = (next_expire_db_ + 1) % static_cast<int>(dbs_.size());
    ExpireCycleStats s = db.active_expire(deadline);
    total.sampled += s.sampled;
    total.expired += s.expired;
    if (s.timed_out || clock_.monotonic_us() >= deadline) {
      total.timed_out = true;
      stats_.expired_time_cap_reached++;
      break;
    }
  }
  return total;
}

void Store::rehash_cycle(int64_t budget_us) {
  for (auto& db : dbs_) db.rehash_for_us(budget_us);
}

namespace {
// Redis's LFU_INIT_VAL: a new key starts above zero so it is not evicted before it had a chance
// to be read.
constexpr int kLfuInitVal = 5;
}  // namespace

void Store::init_access(Entry* e) {
  e->set_access(lfu_ ? (static_cast<uint32_t>(lfu_minutes()) << 8) | kLfuInitVal : lru_clock_);
}

void Store::restore_access(Entry* e, int64_t freq, int64_t idle_s) const {
  if (lfu_) {
    if (freq >= 0)
      e->set_access((static_cast<uint32_t>(lfu_minutes()) << 8) |
                    static_cast<uint32_t>(std::min<int64_t>(freq, 255)));
    return;
  }
  if (idle_s < 0) return;
  int64_t at = static_cast<int64_t>(lru_clock_) - idle_s;
  // Further back than the wrapping clock reaches: as Redis, half a wrap ahead, which reads as
  // idle for as long as the clock can say.
  if (at < 0) at = (lru_clock_ + Entry::kAccessMask / 2) % Entry::kAccessMask;
  e->set_access(static_cast<uint32_t>(at));
}

int64_t Store::idle_ms(const Entry* e) const {
  const uint32_t a = e->access();
  const uint32_t idle_s = lru_clock_ >= a ? lru_clock_ - a : lru_clock_ + (Entry::kAccessMask - a);
  return static_cast<int64_t>(idle_s) * 1000;
}

int Store::lfu_counter(const Entry* e) const {
  const uint32_t a = e->access();
  const int counter = static_cast<int>(a & 0xff);
  const uint16_t last = static_cast<uint16_t>(a >> 8), now = lfu_minutes();
  // Elapsed minutes, mod 2^16 (about 45 days), as Redis's LFUTimeElapsed.
  const int64_t elapsed = now >= last ? now - last : 65535 - last + now;
  const int64_t periods = lfu_decay_minutes_ > 0 ? elapsed / lfu_decay_minutes_ : 0;
  return periods > counter ? 0 : counter - static_cast<int>(periods);
}

void Store::touch_lfu(Entry* e) {
  int counter = lfu_counter(e);
  if (counter < 255) {
    // Logarithmic: the more hits a key has had, the less likely one more increments it
    // (Redis's LFULogIncr).
    lfu_rng_ ^= lfu_rng_ << 13;
    lfu_rng_ ^= lfu_rng_ >> 7;
    lfu_rng_ ^= lfu_rng_ << 17;
    const double r = static_cast<double>(lfu_rng_ >> 11) * 0x1.0p-53;
    const double base = std::max(counter - kLfuInitVal, 0);
    const double p = 1.0 / (base * static_cast<double>(lfu_log_factor_) + 1);
    if (r < p) ++counter;
  }
  e->set_access((static_cast<uint32_t>(lfu_minutes()) << 8) | static_cast<uint32_t>(counter));
}

void Store::set_frequency_sketch(bool on) {
  if (on == sketch_on_) return;
  sketch_on_ = on;
  newest_ = nullptr;
  if (on) {
    sketch_.fit(key_count());
  } else {
    sketch_.release();
  }
}

void Store::fit_sketch() {
  if (sketch_on_) sketch_.fit(key_count());
}

size_t Store::key_count() const {
  size_t n = 0;
  for (const auto& db : dbs_) n += db.size();
  return n;
}

}  // namespace basalt
