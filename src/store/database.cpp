#include "store/database.hpp"

#include <algorithm>
#include <utility>

#include "store/store.hpp"

namespace basalt {

namespace {
constexpr size_t kMaxTrackedVersions = 1 << 20;
}  // namespace

Database::Database(Store& store, int index, uint64_t seed)
    : store_(&store), index_(index), dict_(seed), rng_(seed ^ static_cast<uint64_t>(index)) {}

int64_t Database::now_ms() const { return store_->now_ms(); }
bool Database::already_expired(int64_t when_ms) const { return store_->already_expired(when_ms); }

bool Database::is_expired(const Entry* e) const {
  return e->has_expire() && store_->already_expired(ttl_index_.at(e));
}

Entry* Database::find(std::string_view key, Access access) {
  Entry* e = dict_.find(key);
  if (e != nullptr && is_expired(e)) {
    // Redis deletes on access too; the expiry counts as a write for WATCH.
    store_->stats().expired_keys++;
    signal_expired(key);
    dict_.unlink(key);
    destroy(e);
    return nullptr;
  }
  // Every write reaches its entry through here (find_read too, so a read may serialize an entry
  // early: harmless, and it keeps this the single choke point).
  before_change(e);
  if (e != nullptr && access == Access::kTouch) {
    store_->touch(e);
    if (store_->sketch_on()) [[unlikely]]
      store_->record_request(key);
  }
  return e;
}

Entry* Database::find_read(std::string_view key, Access access) {
  // The keymiss event names the key after find() may have deleted it as expired, and `key` may
  // be that entry's own bytes (SCAN ... TYPE looks up the keys it collected): hold a copy while
  // such events are on.
  std::string held;
  if ((store_->notify_flags() & kNotifyKeyMiss) != 0) {
    held.assign(key);
    key = held;
  }
  Entry* e = nullptr;
  if (!store_->expiry_held()) {
    e = find(key, access);
  } else if (Entry* held = dict_.find(key); held != nullptr && !is_expired(held)) {
    e = find(key, access);
  }
  if (e != nullptr) {
    store_->stats().keyspace_hits++;
  } else {
    store_->stats().keyspace_misses++;
    if (store_->sketch_on() && access == Access::kTouch) [[unlikely]]
      store_->record_request(key);
    notify(kNotifyKeyMiss, "keymiss", key);
  }
  return e;
}

Entry* Database::link_new(Entry* e) {
  e->set_snapshot_epoch(epoch_);
  store_->init_access(e);
  if (store_->sketch_on()) [[unlikely]] {
    store_->record_creation(e->key());
    store_->note_created(e, index_);
  }
  dict_.insert(e, store_->dense_tables());
  return e;
}

Entry* Database::add_loaded(std::string_view key, Value&& value) {
  return link_new(Entry::create(key, std::move(value)));
}

Entry* Database::add_loaded_string(std::string_view key, std::string_view value) {
  return link_new(Entry::create_string(key, value));
}

Entry* Database::add(std::string_view key, Value&& value) {
  Entry* e = add_loaded(key, std::move(value));
  notify(kNotifyNew, "new", key);
  return e;
}

Entry* Database::add_string(std::string_view key, std::string_view value) {
  Entry* e = add_loaded_string(key, value);
  notify(kNotifyNew, "new", key);
  return e;
}

Entry* Database::set(std::string_view key, Value&& value, bool keep_ttl) {
  Entry* e = find(key);
  if (e == nullptr) return add(key, std::move(value));
  e->value = std::move(value);
  if (!keep_ttl) clear_expire(e);
  return e;
}

bool Database::erase(std::string_view key) {
  Entry* e = find(key);
  if (e == nullptr) return false;
  erase(e);
  return true;
}

void Database::erase(Entry* e) {
  dict_.unlink(e->key());
  destroy(e);
}

void Database::destroy(Entry* e) {
  // Deletions, lazy and active expiry all end here: the old value is written before it goes.
  before_change(e);
  if (e->has_expire()) ttl_index_.remove(e);
  store_->forget_if_newest(e);
  Entry::destroy(e);
}

Entry* Database::refit(Entry* e) {
  if (!e->smaller_anew()) return e;
  Entry* fresh = Entry::create(e->key(), std::move(e->value));
  fresh->set_access(e->access());
  fresh->set_snapshot_epoch(e->snapshot_epoch());
  dict_.replace(e, fresh);
  if (e->has_expire()) ttl_index_.add(fresh, ttl_index_.remove(e));
  store_->replace_newest(e, fresh);
  Entry::destroy(e);
  return fresh;
}

void Database::reserve(size_t keys, size_t expires) {
  if (dict_.size() != 0) return;
  dict_.reserve(keys);
  ttl_index_.reserve(expires);
}

void Database::clear() {
  versions_.clear();
  store_->forget_newest_in(index_);
  if (snapshot_ != nullptr) {
    // O(1) and no memory beyond what the table already holds: the snapshot walks and frees it.
    Dict fresh(dict_.seed());
    std::swap(fresh, dict_);
    TtlIndex ttls;
    std::swap(ttls, ttl_index_);
    snapshot_->take_table(std::move(fresh), std::move(ttls));
  }
  dict_.clear();
  ttl_index_.clear();
  avg_ttl_ = 0;
}

void Database::swap_contents(Database& other) {
  // Rare enough to finish the snapshots at once, which keeps each entry serialized under the index
  // it had when the snapshot started.
  if (snapshot_ != nullptr) snapshot_->complete_now();
  if (other.snapshot_ != nullptr) other.snapshot_->complete_now();
  store_->forget_newest_in(index_);
  store_->forget_newest_in(other.index_);
  // The epoch belongs to the table: both tables' entries carry their own database's bit.
  std::swap(epoch_, other.epoch_);
  std::swap(dict_, other.dict_);
  std::swap(ttl_index_, other.ttl_index_);
  std::swap(avg_ttl_, other.avg_ttl_);
  std::swap(versions_, other.versions_);
}

void Database::set_expire(Entry* e, int64_t at_ms) {
  if (e->has_expire()) {
    ttl_index_.set(e, at_ms);
  } else {
    ttl_index_.add(e, at_ms);
  }
}

bool Database::clear_expire(Entry* e) {
  if (!e->has_expire()) return false;
  ttl_index_.remove(e);
  return true;
}

void Database::signal_modified(std::string_view key) {
  if (!versions_.empty()) {
    if (auto it = versions_.find(key); it != versions_.end()) versions_.erase(it);
  }
  store_->note_change();
  if (auto* o = store_->observer()) o->on_key_modified(index_, key);
}

void Database::notify(uint32_t cls, std::string_view event, std::string_view key) {
  if ((store_->notify_flags() & cls) == 0) return;
  if (auto* o = store_->observer()) o->on_keyspace_event(index_, event, key);
}

void Database::signal_expired(std::string_view key) {
  if (!versions_.empty()) {
    if (auto it = versions_.find(key); it != versions_.end()) versions_.erase(it);
  }
  if (auto* o = store_->observer()) o->on_key_expired(index_, key);
}

uint64_t Database::version(std::string_view key) {
  auto it = versions_.find(key);
  if (it == versions_.end()) {
    // Bounds the table when many keys are read and never written: forgetting every version is
    // safe (the next requests draw new ones) at the cost of one spurious If-Match failure each.
    if (versions_.size() >= kMaxTrackedVersions) versions_.clear();
    it = versions_.emplace(std::string(key), store_->next_version()).first;
  }
  return it->second;
}

size_t Database::sample_volatile(Entry** out, size_t n) {
  // The index is in no meaningful order (addresses hashed), so a run is as good as scattered picks.
  return ttl_index_.empty() ? 0 : ttl_index_.sample(rng_, out, n);
}

void Database::evict(Entry* e) {
  if (!versions_.empty()) {
    if (auto it = versions_.find(e->key()); it != versions_.end()) versions_.erase(it);
  }
  if (auto* o = store_->observer()) o->on_key_evicted(index_, e->key());
  erase(e);
}

void Database::signal_list_ready(std::string_view key) {
  if (auto* o = store_->observer()) o->on_list_ready(index_, key);
}

Entry* Database::random_entry() {
  // Like Redis, give up on finding a live key after a bounded number of expired picks: every
  // expired pick is deleted, so the loop also makes progress on the keyspace.
  for (int tries = 0; tries < 100; ++tries) {
    Entry* e = dict_.random_entry(rng_);
    if (e == nullptr) return nullptr;
    if (!is_expired(e)) return e;
    find(e->key());
  }
  return nullptr;
}

ExpireCycleStats Database::active_expire(int64_t deadline_us) {
  // Redis's defaults: 20 keys a sample, repeat while over 10% of a sample had expired.
  constexpr int kKeysPerLoop = 20;
  constexpr int kAcceptableStalePercent = 10;
  ExpireCycleStats stats;
  const Clock& clock = store_->clock();
  int64_t now = store_->now_ms();
  int iteration = 0;
  while (!ttl_index_.empty()) {
    int sampled = 0, expired = 0;
    int64_t ttl_sum = 0;
    int ttl_samples = 0;
    int n = std::min<int>(kKeysPerLoop, static_cast<int>(ttl_index_.size()));
    for (int i = 0; i < n && !ttl_index_.empty(); ++i) {
      const auto [e, at] = ttl_index_.random(rng_);
      ++sampled;
      if (at <= now) {
        ++expired;
        store_->stats().expired_keys++;
        signal_expired(e->key());
        erase(e);
      } else {
        ttl_sum += at - now;
        ++ttl_samples;
      }
    }
    if (ttl_samples > 0) {
      // A running average, as Redis keeps it: new samples weigh 2%.
      int64_t avg = ttl_sum / ttl_samples;
      avg_ttl_ = avg_ttl_ == 0 ? avg : (avg_ttl_ / 50) * 49 + avg / 50;
    }
    stats.sampled += sampled;
    stats.expired += expired;
    if ((++iteration & 15) == 0 && clock.monotonic_us() >= deadline_us) {
      stats.timed_out = true;
      break;
    }
    if (expired * 100 <= sampled * kAcceptableStalePercent) break;
  }
  return stats;
}

void Database::rehash_for_us(int64_t budget_us) {
  const Clock& clock = store_->clock();
  dict_.shrink_if_sparse();
  ttl_index_.shrink_if_sparse();
  // No budget (activerehashing no): a resize under way advances only with the writes, as Redis's.
  if (budget_us <= 0) return;
  int64_t deadline = clock.monotonic_us() + budget_us;
  while (dict_.rehash(100)) {
    if (clock.monotonic_us() >= deadline) break;
  }
  while (ttl_index_.resize_step(64)) {
    if (clock.monotonic_us() >= deadline) break;
  }
}

size_t Database::memory_usage() const { return dict_.memory_usage() + ttl_index_.memory_usage(); }

}  // namespace basalt
