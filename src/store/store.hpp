#pragma once
// The keyspace: numbered databases, the time that every command of one loop turn sees, and the
// counters INFO reports. Knows nothing of clients or protocols.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "store/clock.hpp"
#include "store/database.hpp"
#include "store/frequency_sketch.hpp"
#include "store/wyhash.hpp"

namespace basalt {

struct StoreStats {
  uint64_t expired_keys = 0;
  uint64_t expired_time_cap_reached = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t evicted_keys = 0;
};

class Store {
 public:
  Store(int databases, const Clock& clock, uint64_t seed);

  int db_count() const { return static_cast<int>(dbs_.size()); }
  Database& db(int index) { return dbs_[index]; }
  const Database& db(int index) const { return dbs_[index]; }

  // Commands see one instant (as Redis's cached mstime): the dispatcher refreshes it before each
  // command, and a transaction sees the time at EXEC for all its commands.
  void refresh_time() { set_time(clock_.now_ms()); }
  // The time commands see until the next call, from a reading the caller already took.
  void set_time(int64_t wall_ms) {
    now_ms_ = wall_ms;
    lru_clock_ = static_cast<uint32_t>(wall_ms / 1000) & Entry::kAccessMask;
  }
  int64_t now_ms() const { return now_ms_; }
  const Clock& clock() const { return clock_; }

  void set_observer(KeyspaceObserver* observer) { observer_ = observer; }
  KeyspaceObserver* observer() const { return observer_; }

  void flush_all();
  void swap_db(int a, int b);

  // Active expiry over all databases, resuming where the last cycle stopped, within budget_us.
  ExpireCycleStats active_expire_cycle(int64_t budget_us);
  // Incremental rehashing share of the cron, per database.
  void rehash_cycle(int64_t budget_us);
  void set_active_expire(bool enabled) { active_expire_enabled_ = enabled; }
  // CLIENT PAUSE holds the dataset still: reads see a key past its TTL as absent but leave it in
  // place (Redis's expireIfNeeded under a pause); the first access after the pause deletes it.
  // notify-keyspace-events as bits (notify.hpp): Database::notify sends only these classes.
  void set_notify_flags(uint32_t flags) { notify_flags_ = flags; }
  uint32_t notify_flags() const { return notify_flags_; }
  void set_expiry_held(bool held) { expiry_held_ = held; }
  bool expiry_held() const { return expiry_held_; }
  // A store an AOF is replayed into (Redis's server.loading): nothing expires, so a key past its
  // TTL stays for the file's later commands to change as they changed it live (an APPEND after
  // the SET ... PXAT that a crash left without its DEL), and an expiry time already past is set
  // rather than acted on (checkAlreadyExpired). Such keys expire once the load is over.
  void set_loading(bool loading) { loading_ = loading; }
  bool loading() const { return loading_; }
  // Whether a command setting this expiry time deletes the key instead: a time not after now,
  // except while loading.
  bool already_expired(int64_t when_ms) const { return when_ms <= now_ms_ && !loading_; }
  bool active_expire_enabled() const { return active_expire_enabled_; }

  size_t key_count() const;
  // Never repeats within a process, and starts at a random point so that versions handed out by a
  // previous run of the server are unlikely to match (Database::version).
  uint64_t next_version() { return ++version_seq_; }
  // Changes to the keyspace since start-up (Redis's server.dirty): one per key a command wrote.
  // Expiry is not counted, as in Redis. The dispatcher compares it before and after a command to
  // know whether the command wrote anything; save rules count it since the last save.
  void note_change() { ++dirty_; }
  void add_changes(uint64_t n) { dirty_ += n; }
  uint64_t dirty() const { return dirty_; }

  // Per-key access information for eviction (Entry::access), as Redis's lookupKey keeps it:
  // under an LFU policy a decaying logarithmic counter, otherwise the last access time. Lookups
  // touch the key; introspection (OBJECT, TYPE, TTL, EXISTS) does not.
  void set_access_policy(bool lfu, int64_t log_factor, int64_t decay_minutes) {
    lfu_ = lfu;
    lfu_log_factor_ = log_factor;
    lfu_decay_minutes_ = decay_minutes;
  }
  bool lfu() const { return lfu_; }
  void touch(Entry* e) {
    if (!lfu_) [[likely]] {
      // Rewriting an unchanged clock would dirty a cache line for nothing.
      if (e->access() != lru_clock_) e->set_access(lru_clock_);
    } else {
      touch_lfu(e);
    }
  }
  // The access bits of a key just created: LFU_INIT_VAL under an LFU policy, as Redis, whether
  // or not the key was evicted before (see the README's Cache mode on why no history is kept),
  // otherwise now.
  void init_access(Entry* e);
  // RESTORE's FREQ and IDLETIME (Redis's objectSetLRUOrLFU): under an LFU policy the counter
  // becomes freq, under the others the key was last touched idle_s seconds ago; the one that
  // does not apply to the policy, or a negative value (not given), changes nothing.
  void restore_access(Entry* e, int64_t freq, int64_t idle_s) const;
  // Milliseconds since the key was last touched (OBJECT IDLETIME, LRU eviction); one wrap of the
  // 24-bit seconds clock is assumed, as Redis's estimateObjectIdleTime.
  int64_t idle_ms(const Entry* e) const;
  // The LFU counter after the decay due since it was last touched, without touching (OBJECT FREQ,
  // LFU eviction).
  int lfu_counter(const Entry* e) const;

  // Under an LFU policy with a cap (Engine::apply_eviction_config), the frequency sketch
  // (frequency_sketch.hpp) counts requests by key, cached or not, for eviction to read
  // (evict.hpp): every lookup that touches a key, a read of a missing key (the request the
  // cache-aside fill answers), and a key's creation when nothing counted it before (a key only
  // ever written counts once).
  void set_frequency_sketch(bool on);
  bool sketch_on() const { return sketch_on_; }
  // Whether keyspace tables fill to Dict::kDenseLoad keys a bucket before they double (see
  // Dict::insert): under a memory cap, so that the cap holds keys rather than empty buckets.
  void set_dense_tables(bool on) { dense_tables_ = on; }
  bool dense_tables() const { return dense_tables_; }
  void record_request(std::string_view key) { sketch_.record(sketch_hash(key)); }
  // A key's creation: a request only when nothing counted one before (a key only ever written).
  void record_creation(std::string_view key) {
    const uint64_t h = sketch_hash(key);
    if (sketch_.estimate(h) == 0) sketch_.record(h);
  }
  // The key's requests as the sketch counts them (0 with the sketch off).
  int requests_seen(std::string_view key) const { return sketch_.estimate(sketch_hash(key)); }
  // Sizes the sketch for the keys held now (the cron's; FrequencySketch::fit).
  void fit_sketch();
  size_t sketch_bytes() const { return sketch_.memory_usage(); }
  // With the sketch on, the key created last, until eviction takes it (to weigh it against its
  // victim: TinyLFU's admission, evict.hpp) or it is deleted; null otherwise.
  void note_created(Entry* e, int db) {
    newest_ = e;
    newest_db_ = db;
  }
  void replace_newest(const Entry* old, Entry* fresh) {
    if (newest_ == old) newest_ = fresh;
  }
  void forget_if_newest(const Entry* e) {
    if (e == newest_) newest_ = nullptr;
  }
  void forget_newest_in(int db) {
    if (newest_db_ == db) newest_ = nullptr;
  }
  Entry* take_newest(int* db) {
    Entry* e = newest_;
    newest_ = nullptr;
    *db = newest_db_;
    return e;
  }

  StoreStats& stats() { return stats_; }
  const StoreStats& stats() const { return stats_; }

 private:
  void touch_lfu(Entry* e);
  uint16_t lfu_minutes() const { return static_cast<uint16_t>(now_ms_ / 60000); }

  const Clock& clock_;
  int64_t now_ms_;
  uint32_t lru_clock_ = 0;  // now_ms_ in seconds, mod 2^24
  bool lfu_ = false;
  int64_t lfu_log_factor_ = 10;
  int64_t lfu_decay_minutes_ = 1;
  uint64_t lfu_rng_;
  std::vector<Database> dbs_;
  KeyspaceObserver* observer_ = nullptr;
  StoreStats stats_;
  int next_expire_db_ = 0;
  bool active_expire_enabled_ = true;
  bool expiry_held_ = false;
  bool loading_ = false;
  uint64_t version_seq_;
  uint64_t dirty_ = 0;
  uint32_t notify_flags_ = 0;
  uint64_t sketch_hash(std::string_view key) const { return wyhash(key, sketch_seed_); }
  bool sketch_on_ = false;
  bool dense_tables_ = false;
  uint64_t sketch_seed_;
  FrequencySketch sketch_;
  Entry* newest_ = nullptr;
  int newest_db_ = -1;
};

}  // namespace basalt
