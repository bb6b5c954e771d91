#pragma once
// Every key of a Database that has a TTL, with its expiry time, found by the entry's address
// (entries never move). The time sits here rather than in every entry, and so does the key's
// place in the index: most keys have none, and an entry's header without the 8 bytes of a time and
// the 4 of a slot number decides the size class of many small keys (entry.hpp); a key records only
// that it has a TTL, in one bit.
//
// A bucketed cuckoo table: buckets of four 16-byte slots, one cache line each, and every key may
// sit in one of two buckets chosen by its address, so a lookup reads at most two lines and a
// removal only clears its slot. An insert into two full buckets moves a resident to its other
// bucket, and so on (a random walk, as libcuckoo and MemC3 do). Two choices of four slots keep
// inserts short up to about 97% full, so the table fills to 15/16 before it grows by half (any
// bucket count: positions come from a multiply, not a mask): 17-26 bytes a key with a TTL, about
// what the dense array of 16-byte pairs this replaces took with the 4-byte slot number every entry
// carried for it (20-36), where an open-addressed table with linear probing, which must stay
// under 3/4 full, took 21-43.
// A resize moves the keys a few buckets at a time, as Redis's dict rehashes (the new table takes
// new keys, lookups try it first, then the old one): moving a million keys at once stopped the
// loop for 88 ms. Each add moves four old buckets and the cron moves more
// (Database::rehash_for_us), so a growth is over before the new table fills; only an insert that
// finds no room (rare) rebuilds at once. Active expiry and volatile eviction sample it: a random
// slot, tried again while empty (the table is kept at least 1/8 full), is a uniform pick; a run of
// used slots from a random place is a sample of distinct keys, as Redis's dictGetSomeKeys is.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <utility>

#include "store/entry.hpp"

namespace basalt {

class TtlIndex {
 public:
  struct Ref {
    Entry* entry = nullptr;
    int64_t at_ms = 0;
  };

  size_t size() const { return table_.used + old_.used; }
  bool empty() const { return size() == 0; }
  // e has a TTL.
  int64_t at(const Entry* e) const { return find(e)->at_ms; }

  // e has no TTL yet.
  void add(Entry* e, int64_t at_ms) {
    if ((size() + 1) * 16 > table_.capacity() * 15) {
      finish_resize();  // rare: an add comes before the cron finished a shrink
      start_resize(std::max(kMinBuckets, table_.count * 3 / 2));
    }
    Ref r{e, at_ms};
    if (!table_.try_insert(r, walk_)) rebuild(table_.count * 3 / 2, &r);
    e->set_has_expire(true);
    resize_step(4);
  }
  // e has a TTL.
  void set(const Entry* e, int64_t at_ms) { find(e)->at_ms = at_ms; }
  // e has a TTL; returns the time it had.
  int64_t remove(Entry* e) {
    const auto [t, r] = locate(e);
    const int64_t at_ms = r->at_ms;
    *r = {};
    --t->used;
    e->set_has_expire(false);
    return at_ms;
  }

  // A uniformly random key with its time. Precondition: !empty().
  Ref random(std::mt19937_64& rng) const {
    for (;;) {
      const Ref& r = slot(rng() % capacity());
      if (r.entry != nullptr) return r;
    }
  }
  // Up to n distinct keys: a run of used slots from a random place, wrapping.
  size_t sample(std::mt19937_64& rng, Entry** out, size_t n) const {
    n = std::min(n, size());
    size_t got = 0;
    for (size_t i = rng() % capacity(); got < n; i = i + 1 == capacity() ? 0 : i + 1) {
      if (Entry* e = slot(i).entry; e != nullptr) out[got++] = e;
    }
    return got;
  }

  // Room for n keys, at once: the database is empty (loading).
  void reserve(size_t n) {
    const size_t buckets = (n * 16 / 15 + kWays) / kWays;
    if (buckets > table_.count) rebuild(std::max(kMinBuckets, buckets));
  }
  void clear() {
    table_ = {};
    old_ = {};
  }
  // Slots of both tables while a resize is under way.
  size_t capacity() const { return table_.capacity() + old_.capacity(); }
  size_t memory_usage() const { return (table_.count + old_.count) * sizeof(Bucket); }
  bool resizing() const { return old_.count != 0; }
  // Once keys with a TTL are mostly gone (expired, evicted, persisted), the cron moves the rest to
  // a table twice their number, as the keyspace table shrinks, so that a cache's cap is not held
  // by the slots of keys long gone; and random() finds a used slot in at most 8 tries on average.
  void shrink_if_sparse() {
    if (resizing() || table_.count <= kMinBuckets || size() * 8 >= capacity()) return;
    start_resize(std::max(kMinBuckets, size() * 2 / kWays + 1));
  }
  // Moves up to `buckets` buckets of a resize under way; returns whether one is still under way.
  bool resize_step(size_t buckets) {
    for (; resizing() && buckets > 0; --buckets) {
      for (Ref& r : old_.buckets[moved_].refs) {
        if (r.entry == nullptr) continue;
        Ref moving = r;
        r = {};
        --old_.used;
        if (!table_.try_insert(moving, walk_)) rebuild(table_.count * 3 / 2, &moving);
        if (!resizing()) return false;  // the rebuild took the rest of the old table
      }
      if (++moved_ == old_.count) old_ = {};
    }
    return resizing();
  }

 private:
  static constexpr size_t kWays = 4;
  static constexpr size_t kMinBuckets = 16;
  // Moves of one insert before the table grows instead: far above what an insert at 15/16 full
  // takes.
  static constexpr int kMaxMoves = 500;
  // 64 bytes: one cache line where the allocator aligns the array so (jemalloc does, its size
  // classes being multiples of 64 from there on).
  struct Bucket {
    Ref refs[kWays];
  };
  // calloc, not new[]: a large table comes as pages the kernel zeroes when first written, so a
  // growth does not stop the loop to clear tens of megabytes (48 ms for 25 MB at a million keys).
  struct Free {
    void operator()(Bucket* b) const { std::free(b); }
  };
  static Bucket* allocate(size_t n) {
    void* p = std::calloc(n, sizeof(Bucket));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<Bucket*>(p);
  }
  struct Choice {
    size_t first, second;
  };

  struct Table {
    std::unique_ptr<Bucket[], Free> buckets;
    size_t count = 0;  // buckets
    size_t used = 0;   // keys

    Table() = default;
    explicit Table(size_t n) : buckets(allocate(n)), count(n) {}
    Table(Table&& other) noexcept { *this = std::move(other); }
    Table& operator=(Table&& other) noexcept {
      buckets = std::move(other.buckets);
      count = std::exchange(other.count, 0);
      used = std::exchange(other.used, 0);
      return *this;
    }
    size_t capacity() const { return count * kWays; }

    // A 32-bit hash mapped onto the bucket count by a multiply-shift.
    size_t bucket_of(uint32_t h) const {
      return static_cast<size_t>((uint64_t{h} * static_cast<uint64_t>(count)) >> 32);
    }
    Choice buckets_of(const Entry* e) const {
      const uint64_t h = mix(e);
      const size_t a = bucket_of(static_cast<uint32_t>(h >> 32));
      const size_t b = bucket_of(static_cast<uint32_t>(h));
      return {a, b != a ? b : (b + 1 == count ? 0 : b + 1)};
    }
    Ref* find(const Entry* e) const {
      if (used == 0) return nullptr;
      const Choice c = buckets_of(e);
      for (Ref& r : buckets[c.first].refs)
        if (r.entry == e) return &r;
      for (Ref& r : buckets[c.second].refs)
        if (r.entry == e) return &r;
      return nullptr;
    }
    bool place(size_t bucket, const Ref& r) {
      for (Ref& s : buckets[bucket].refs) {
        if (s.entry == nullptr) {
          s = r;
          ++used;
          return true;
        }
      }
      return false;
    }
    // Puts r in one of its buckets, moving residents along when both are full; returns false,
    // with r holding the key left without a slot, when kMaxMoves did not find room.
    bool try_insert(Ref& r, uint64_t& walk) {
      Choice c = buckets_of(r.entry);
      if (place(c.first, r) || place(c.second, r)) return true;
      size_t bucket = c.first;
      for (int moves = 0; moves < kMaxMoves; ++moves) {
        walk = walk * 6364136223846793005ull + 1442695040888963407ull;
        std::swap(r, buckets[bucket].refs[walk >> 62]);
        c = buckets_of(r.entry);
        bucket = bucket == c.first ? c.second : c.first;
        if (place(bucket, r)) return true;
      }
      return false;
    }
  };

  // The key's two buckets come from the two halves of its address mixed (murmur3's finalizer):
  // two plain multiplies of addresses handed out in a regular stride put the pairs on a lattice,
  // and inserts then failed from 91% full.
  static uint64_t mix(const Entry* e) {
    uint64_t h = reinterpret_cast<uintptr_t>(e);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
  }

  // Slot i of the two tables side by side (the new one first).
  const Ref& slot(size_t i) const {
    const Table& t = i < table_.capacity() ? table_ : old_;
    if (i >= table_.capacity()) i -= table_.capacity();
    return t.buckets[i / kWays].refs[i % kWays];
  }
  // The table holding e, which has a TTL, and its slot there.
  std::pair<const Table*, Ref*> locate(const Entry* e) const {
    if (Ref* r = table_.find(e)) return {&table_, r};
    if (Ref* r = old_.find(e)) return {&old_, r};
    std::abort();  // the key's TTL bit is set: the index is corrupt
  }
  std::pair<Table*, Ref*> locate(const Entry* e) {
    const auto [t, r] = std::as_const(*this).locate(e);
    return {const_cast<Table*>(t), r};
  }
  Ref* find(const Entry* e) const { return locate(e).second; }
  void start_resize(size_t buckets) {
    if (table_.used == 0) {
      table_ = Table(buckets);
      return;
    }
    old_ = std::exchange(table_, Table(buckets));
    moved_ = 0;
  }
  void finish_resize() {
    while (resize_step(SIZE_MAX)) {
    }
  }
  // At once, the rare way: every key of both tables (and *extra, a key without a slot) into a
  // table of `buckets` buckets, larger still should one not fit. Allocates first, so a failure
  // leaves the index as it was.
  void rebuild(size_t buckets, const Ref* extra = nullptr) {
    for (;; buckets = buckets * 3 / 2) {
      Table fresh(buckets);
      uint64_t walk = walk_;
      bool all = true;
      for (const Table* t : {&table_, &old_}) {
        for (size_t i = 0; i < t->capacity() && all; ++i) {
          Ref r = t->buckets[i / kWays].refs[i % kWays];
          if (r.entry != nullptr) all = fresh.try_insert(r, walk);
        }
      }
      if (all && extra != nullptr) {
        Ref r = *extra;
        all = fresh.try_insert(r, walk);
      }
      if (!all) continue;
      table_ = std::move(fresh);
      old_ = {};
      walk_ = walk;
      return;
    }
  }

  Table table_;  // takes every new key
  Table old_;    // a resize under way moves its keys to table_, bucket moved_ next
  size_t moved_ = 0;
  uint64_t walk_ = 0x2545f4914f6cdd1dull;  // the random walk's generator (an LCG's top bits)
};

}  // namespace basalt
