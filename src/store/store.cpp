#include "store/store.hpp"

namespace basalt {

Store::Store(int databases, const Clock& clock, uint64_t seed)
    : clock_(clock), version_seq_(seed * 0x9e3779b97f4a7c15ull) {
  now_ms_ = clock_.now_ms();
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
  if (observer_ != nullptr) {
    observer_->on_db_flushed(a);
    observer_->on_db_flushed(b);
  }
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

size_t Store::key_count() const {
  size_t n = 0;
  for (const auto& db : dbs_) n += db.size();
  return n;
}

}  // namespace basalt
