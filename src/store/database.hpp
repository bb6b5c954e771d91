#pragma once
// One numbered database (SELECT n): the key dictionary, the TTL index and its expiry logic. A
// Database holds no global state, so the keyspace can later be split into one shard per thread.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/strings.hpp"
#include "store/dict.hpp"
#include "store/notify.hpp"
#include "store/ttl_index.hpp"

namespace basalt {

class Store;

// What the server needs to hear about from the keyspace, without the store knowing about clients:
// WATCH invalidation and serving clients blocked on a list.
class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  virtual void on_key_modified(int db, std::string_view key) = 0;
  // A key is being deleted because its TTL passed (lazily or by the active cycle); for WATCH it
  // is a modification too, and the write-effect channel records it as DEL.
  virtual void on_key_expired(int db, std::string_view key) = 0;
  // A key is being deleted by maxmemory eviction: for WATCH a modification, for the write-effect
  // channel a DEL (as Redis propagates evictions).
  virtual void on_key_evicted(int db, std::string_view key) { on_key_expired(db, key); }
  virtual void on_list_ready(int db, std::string_view key) = 0;
  // A keyspace notification whose class notify-keyspace-events enables (Database::notify).
  virtual void on_keyspace_event(int /*db*/, std::string_view /*event*/, std::string_view /*key*/) {
  }
  virtual void on_db_flushed(int db) = 0;
  // SWAPDB: a and b have just exchanged their contents.
  virtual void on_db_swapped(int a, int b) {
    on_db_flushed(a);
    on_db_flushed(b);
  }
};

// A point-in-time snapshot under way over one Database (src/persistence/snapshot.hpp). The
// database calls it before any change to an entry the snapshot may not have serialized yet, so
// the snapshot can write the old value first. The store does not know what a snapshot writes.
class SnapshotHook {
 public:
  virtual ~SnapshotHook() = default;
  // e is about to change or go, and its snapshot bit says it has not been serialized yet.
  virtual void before_change(Entry* e) = 0;
  // FLUSHDB: the snapshot takes the whole table, still to be walked, instead of losing it, and
  // the TTL index that holds its keys' expiry times.
  virtual void take_table(Dict&& table, TtlIndex&& ttls) = 0;
  // SWAPDB: the contents are about to move to another index; the snapshot completes now and
  // detaches.
  virtual void complete_now() = 0;
};

// Whether a lookup counts as an access for eviction (Redis's LOOKUP_NOTOUCH): introspection
// commands look without touching.
enum class Access : uint8_t { kTouch, kNoTouch };

struct ExpireCycleStats {
  uint64_t sampled = 0;
  uint64_t expired = 0;
  bool timed_out = false;
};

class Database {
 public:
  Database(Store& store, int index, uint64_t seed);
  Database(Database&&) noexcept = default;

  int index() const { return index_; }
  size_t size() const { return dict_.size(); }
  size_t expires() const { return ttl_index_.size(); }

  // Lookups apply lazy expiry: an expired key is deleted on the spot and reported absent, so no
  // command ever sees one. The read variant counts keyspace hits and misses (INFO stats).
  Entry* find(std::string_view key, Access access = Access::kTouch);
  Entry* find_read(std::string_view key, Access access = Access::kTouch);
  // The entry even if its TTL has passed, without deleting it (EXEC's check of watched keys).
  Entry* peek(std::string_view key) { return dict_.find(key); }
  // The keyspace table, for prefetch hints (Dict::prefetch_slots) only.
  const Dict& dict() const { return dict_; }

  // Creates a key that find() reported absent (a "new" keyspace event).
  Entry* add(std::string_view key, Value&& value);
  // The same for a string (SET and its kin): the value may share the entry's allocation.
  Entry* add_string(std::string_view key, std::string_view value);
  // The same for a key read from an RDB file, which is new to nobody: no event (Redis's
  // dbAddRDBLoad), so DEBUG RELOAD does not flood subscribers of the "new" class.
  Entry* add_loaded(std::string_view key, Value&& value);
  Entry* add_loaded_string(std::string_view key, std::string_view value);
  // The same for an entry the loader made (Entry::create, create_string) before it links it; its
  // key must not be in the table.
  Entry* add_loaded_entry(Entry* e) { return link_new(e); }
  // Creates or replaces the value; a replaced key loses its TTL unless keep_ttl (SET semantics).
  Entry* set(std::string_view key, Value&& value, bool keep_ttl = false);
  // Deletes a key; returns whether it existed (and had not expired).
  bool erase(std::string_view key);
  // Deletes a key found by find(); cheaper than erase(key) when the entry is at hand.
  void erase(Entry* e);
  // After a write that grew a packed hash or sorted set: the key moves to a new entry holding the
  // block in its room when that takes fewer bytes (Entry::smaller_anew), keeping its TTL, access
  // bits and snapshot state. Returns the key's entry: `e` is freed when it moved, so callers use
  // the result and hold no other pointer into it (key views must come from elsewhere).
  Entry* refit(Entry* e);
  // Removes every key (FLUSHDB).
  void clear();
  // Room for keys (and keys with a TTL) about to be added, when the database is empty.
  void reserve(size_t keys, size_t expires);
  // Exchanges contents with another database (SWAPDB); indexes stay.
  void swap_contents(Database& other);

  // at_ms is in the future, unless the store is loading (Store::already_expired): callers
  // delete the key instead for a time in the past.
  void set_expire(Entry* e, int64_t at_ms);
  // The key's expiry in unix ms, kNoExpire for none.
  int64_t expire_at(const Entry* e) const { return e->has_expire() ? ttl_index_.at(e) : kNoExpire; }
  // Returns whether the key had a TTL.
  bool clear_expire(Entry* e);
  bool is_expired(const Entry* e) const;
  // The store's time for the command running now (ms since the epoch).
  int64_t now_ms() const;
  bool already_expired(int64_t when_ms) const;

  // Tell the server a key changed (WATCH), or that a list got elements (blocked clients).
  // Every write to a key goes through here, expiry included.
  void signal_modified(std::string_view key);
  void signal_expired(std::string_view key);
  void signal_list_ready(std::string_view key);
  // A keyspace notification (notify.hpp: Redis's notifyKeyspaceEvent), sent where the write
  // happens, with Redis's class and event name, if notify-keyspace-events enables the class.
  void notify(uint32_t cls, std::string_view event, std::string_view key);

  template <class F>
  uint64_t scan(uint64_t cursor, F&& fn) const {
    return dict_.scan(cursor, std::forward<F>(fn));
  }
  template <class F, class More>
  uint64_t scan_while(uint64_t cursor, F&& fn, More&& more) const {
    return dict_.scan_while(cursor, std::forward<F>(fn), std::forward<More>(more));
  }
  template <class F>
  void for_each(F&& fn) const {
    dict_.for_each(std::forward<F>(fn));
  }
  // A random live key (RANDOMKEY); nullptr when the database is empty.
  Entry* random_entry();

  // Eviction (evict.hpp). Samples may include keys whose TTL has passed, as Redis's do.
  // Up to n entries from a run of neighbouring buckets at a random place (dictGetSomeKeys).
  size_t sample(Entry** out, size_t n) { return dict_.sample(rng_, out, n); }
  // Up to n random keys with a TTL.
  size_t sample_volatile(Entry** out, size_t n);
  Entry* random_any() { return dict_.random_entry(rng_); }
  // The database's generator, for the random picks of commands (HRANDFIELD, SRANDMEMBER, SPOP,
  // ZRANDMEMBER): seeded once like the rest, never reseeded per call.
  std::mt19937_64& rng() { return rng_; }
  Entry* random_volatile() { return ttl_index_.empty() ? nullptr : ttl_index_.random(rng_).entry; }
  // Deletes a key chosen by eviction, telling the observer first.
  void evict(Entry* e);

  // One adaptive pass of active expiry (Redis's activeExpireCycle): samples keys with a TTL,
  // deletes the expired ones, and goes on while more than a tenth of a sample had expired and time
  // is left.
  ExpireCycleStats active_expire(int64_t deadline_us);
  // Cron work: a time-boxed share of any resize under way, and shrinking a sparse table.
  void rehash_for_us(int64_t budget_us);
  // Average TTL in ms of the sampled keys, as INFO keyspace reports it.
  int64_t avg_ttl() const { return avg_ttl_; }
  // The two below together: what the database holds beside its keys and values.
  size_t memory_usage() const;
  // The keyspace table's buckets (both tables while a resize is under way) and the TTL index:
  // MEMORY STATS's overhead.hashtable.main / .expires.
  size_t table_bytes() const { return dict_.memory_usage(); }
  size_t ttl_index_bytes() const { return ttl_index_.memory_usage(); }
  size_t ttl_index_capacity() const { return ttl_index_.capacity(); }

  // Snapshots (see SnapshotHook). Each entry carries one bit saying which epoch last serialized
  // it; entries created while a snapshot runs get the current epoch, so they are not part of it.
  // Attaching flips the epoch, which makes every existing entry "not yet serialized" in O(1).
  // Invariant while no snapshot is attached: every entry's bit equals the epoch.
  void attach_snapshot(SnapshotHook* hook) {
    snapshot_ = hook;
    epoch_ = !epoch_;
  }
  void detach_snapshot() { snapshot_ = nullptr; }
  SnapshotHook* snapshot() const { return snapshot_; }
  bool snapshot_epoch() const { return epoch_; }
  bool needs_snapshot(const Entry* e) const { return e->snapshot_epoch() != epoch_; }
  void mark_snapshotted(Entry* e) const { e->set_snapshot_epoch(epoch_); }

  // The key's write version, for HTTP ETags: it changes with every write to the key and is never
  // reused, so an old version cannot match again after the value goes A -> B -> A. Only keys whose
  // version was asked for are tracked, and only until their next write (the next request draws a
  // fresh number), so the keyspace pays nothing per key for it.
  uint64_t version(std::string_view key);

 private:
  // Links a new entry into the keyspace (no event).
  Entry* link_new(Entry* e);
  void destroy(Entry* e);
  // The one branch the write path pays when no snapshot runs.
  void before_change(Entry* e) {
    if (snapshot_ != nullptr) [[unlikely]] {
      if (e != nullptr && needs_snapshot(e)) snapshot_->before_change(e);
    }
  }

  Store* store_;
  int index_;
  Dict dict_;
  TtlIndex ttl_index_;
  std::mt19937_64 rng_;
  int64_t avg_ttl_ = 0;
  std::unordered_map<std::string, uint64_t, StringHash, std::equal_to<>> versions_;
  SnapshotHook* snapshot_ = nullptr;
  bool epoch_ = false;
};

}  // namespace basalt
