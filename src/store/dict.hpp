#pragma once
// The keyspace hash table: chained buckets of Entry, power-of-two sized, resized incrementally as
// Redis's dict does. While a resize is under way both tables are live, and every operation moves
// one bucket across (plus a time-boxed share from the server's cron), so growing to millions of
// keys never stalls the loop. Chaining (rather than open addressing) keeps entries in their
// buckets, which is what lets SCAN's reverse-binary cursor guarantee that keys present for the
// whole iteration are returned even when the table grows or shrinks in between calls.
//
// Chains are kept cheap to walk when they grow long (a table whose growth waits, see insert):
// - a bucket's slot holds, beside the address of its chain's first entry, a 16-bit filter of the
//   chain's keys (two bits a key, from its hash's top byte), so a lookup of an absent key reads
//   no entry unless both its bits are set, where it would read the whole chain, each entry a
//   cache miss (a cache misses on a fifth of its requests, and looks each missed key up twice:
//   for the GET and for the SET that fills it);
// - a key found moves to the front of its chain (find), so hot keys sit where their slots point.

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "store/entry.hpp"
#include "store/scan_cursor.hpp"

namespace basalt {

class Dict {
 public:
  explicit Dict(uint64_t seed);
  ~Dict();
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  Dict(Dict&& other) noexcept;
  Dict& operator=(Dict&& other) noexcept;

  size_t size() const { return used_[0] + used_[1]; }
  size_t buckets() const { return size_[0] + size_[1]; }
  bool rehashing() const { return rehash_idx_ >= 0; }
  uint64_t seed() const { return seed_; }

  // A key found past the first entry of its chain moves to the front: a cache's hot keys then
  // sit where their slots point, the entry a pipeline's prefetch (prefetch_entries) loads ahead,
  // rather than behind the keys created since. Only the order inside a bucket changes, which
  // neither SCAN nor a snapshot's walk depends on (both visit a bucket whole in one call); a
  // walk's callback must not call find, as it must not change the dict.
  Entry* find(std::string_view key);
  // Hints for a find() coming soon, in two stages issued some work apart: the bucket slots for a
  // key_hash(), then the first entry of each chain, read from the slots the first stage loaded.
  // Neither changes the table, not even by a rehash step, and a hash from another table or from
  // before a resize only makes a useless hint.
  uint64_t key_hash(std::string_view key) const { return hash(key); }
  void prefetch_slots(uint64_t hash) const;
  void prefetch_entries(uint64_t hash) const;
  // Links an entry whose key is not present (the caller has checked). A full table doubles at
  // once (one key a bucket, as Redis's), or, `dense`, only once it holds kDenseLoad keys a
  // bucket: under a memory cap, where the bytes of half-empty buckets are keys a cache does not
  // hold (the slots' filters and move-to-front keep the longer chains cheap: see above).
  void insert(Entry* e, bool dense = false) {
    if (rehashing()) rehash_step();
    expand_if_needed(dense);
    link(e);
  }
  static constexpr double kDenseLoad = 1.618;  // Redis's HASHTABLE_MAX_LOAD_FACTOR
  // Unlinks the entry with this key and returns it (not destroyed), or nullptr.
  Entry* unlink(std::string_view key);
  // Puts `fresh`, an entry with old's key, where `old` is linked (old is then unlinked, not
  // destroyed). No resize step: the key stays in its bucket, so walks under way are not affected.
  void replace(Entry* old, Entry* fresh);
  // Destroys every entry and frees the tables.
  void clear();
  // An empty table sized for n keys at once (loading a dump whose RESIZEDB announces them): no
  // incremental rehash while they are added. Ignored unless the table is empty.
  void reserve(size_t n);

  // Moves up to n buckets to the new table; returns false once no rehash is under way.
  bool rehash(int n);
  // Shrinks the table when it is mostly empty (Redis: fill under 10%); the cron calls this.
  void shrink_if_sparse();

  // One SCAN step: calls fn(Entry*) for every entry of the bucket(s) at the cursor and returns the
  // next cursor (0 when done). fn must not modify the dict.
  template <class F>
  uint64_t scan(uint64_t cursor, F&& fn) const;
  // scan() once, then again while the walk is not done and more() is true; returns the next
  // cursor (0 when done). A snapshot's walk (persistence/snapshot.cpp) reads every entry: without
  // hints each key costs two cache misses one after the other, its bucket (the reverse-binary
  // order jumps across the array) and then its entry, so this prefetches the buckets and the
  // entries of the cursors ahead.
  template <class F, class More>
  uint64_t scan_while(uint64_t cursor, F&& fn, More&& more) const;

  // A random entry (nullptr when empty): a random non-empty bucket, then a random chain element.
  Entry* random_entry(std::mt19937_64& rng);
  // Up to n entries from consecutive buckets starting at a random one, visiting at most 10n
  // buckets (Redis's dictGetSomeKeys): cheap samples for eviction. May return fewer than n. Of a
  // chain longer than the room left, the last entries: those read least recently (see find).
  size_t sample(std::mt19937_64& rng, Entry** out, size_t n);

  // Calls fn(Entry*) for every entry; fn must not modify the dict. The bucket array is read in
  // order, which the CPU prefetches by itself, but the entries are anywhere: SAVE spent two
  // thirds of its time waiting for each key's first cache line, so the entries of the buckets
  // ahead are asked for early.
  template <class F>
  void for_each(F&& fn) const {
    for (int t = 0; t < 2; ++t) {
      const Slot* table = table_[t];
      const size_t n = size_[t];
      for (size_t i = 0; i < n; ++i) {
        if (i + kEntriesAhead < n) prefetch_entry(head(table[i + kEntriesAhead]));
        for (Entry* e = head(table[i]); e != nullptr; e = e->next()) fn(e);
      }
    }
  }

  size_t memory_usage() const { return (size_[0] + size_[1]) * sizeof(Slot); }
  // Redis's dictGetStats text (DEBUG HTSTATS): size, fill and chain lengths of each live table.
  void append_stats(std::string& out) const;

 private:
  static constexpr size_t kInitialSize = 4;
  // Bits 0..47: the chain's first entry (user-space addresses fit, as Entry's link assumes);
  // bits 48..63: the filter of the chain's keys. 0 for an empty bucket.
  using Slot = uintptr_t;
  static constexpr Slot kHeadMask = (Slot{1} << 48) - 1;
  static Entry* head(Slot s) { return reinterpret_cast<Entry*>(s & kHeadMask); }
  static Slot filter_bits(uint64_t h) {
    return (Slot{1} << (48 + ((h >> 56) & 15))) | (Slot{1} << (48 + (h >> 60)));
  }
  static bool may_hold(Slot s, uint64_t h) {
    const Slot bits = filter_bits(h);
    return (s & bits) == bits;
  }
  // The entry with this key (hashing to h) in slot s's chain, or nullptr; *prev is the entry
  // before it (nullptr when it is first). find, unlink and replace share it.
  static Entry* in_chain(Slot s, uint64_t h, std::string_view key, Entry** prev);
  // Puts e (whose key hashes to h) first in the chain of slot s.
  static void push(Slot& s, Entry* e, uint64_t h) {
    e->set_next(head(s));
    s = (s & ~kHeadMask) | filter_bits(h) | reinterpret_cast<Slot>(e);
  }
  // How far the walks above look ahead, in buckets: far enough to cover a memory access with the
  // work of the keys between (a SAVE encodes each), near enough that the lines are still cached.
  static constexpr int kSlotsAhead = 32;
  static constexpr int kEntriesAhead = 16;
  // An entry's header and key, and the first bytes of a value kept after them.
  static void prefetch_entry(const Entry* e) {
    if (e == nullptr) return;
    __builtin_prefetch(e);
    __builtin_prefetch(reinterpret_cast<const char*>(e) + 64);
  }
  uint64_t hash(std::string_view key) const;
  void expand_if_needed(bool dense);
  // The rest of insert: into the new table while a resize is under way.
  void link(Entry* e);
  void resize(size_t min_size);
  void rehash_step();

  Slot* table_[2] = {nullptr, nullptr};
  size_t size_[2] = {0, 0};
  size_t used_[2] = {0, 0};
  int64_t rehash_idx_ = -1;
  uint64_t seed_;
  // sample()'s next two random draws (see there).
  uint64_t sample_ahead_[2] = {0, 0};
  bool sample_ahead_ready_ = false;
};

template <class F>
uint64_t Dict::scan(uint64_t v, F&& fn) const {
  if (size() == 0) return 0;
  auto visit = [&](const Slot* table, size_t idx) {
    for (Entry* e = head(table[idx]); e != nullptr; e = e->next()) fn(e);
  };
  if (!rehashing()) {
    uint64_t m0 = size_[0] - 1;
    visit(table_[0], v & m0);
    return next_scan_cursor(v, m0);
  }
  int small = size_[0] <= size_[1] ? 0 : 1, large = 1 - small;
  uint64_t m0 = size_[small] - 1, m1 = size_[large] - 1;
  visit(table_[small], v & m0);
  // Visit every bucket of the larger table that expands from the small table's bucket.
  do {
    visit(table_[large], v & m1);
    v = next_scan_cursor(v, m1);
  } while (v & (m0 ^ m1));
  return v;
}

template <class F, class More>
uint64_t Dict::scan_while(uint64_t v, F&& fn, More&& more) const {
  if (size() == 0) return 0;
  if (rehashing()) {
    // Two tables: no hints (a resize lasts a moment of a walk).
    do {
      v = scan(v, fn);
    } while (v != 0 && more());
    return v;
  }
  // One table, which fn cannot change: the cursors ahead are known. `slots` runs kSlotsAhead
  // buckets ahead and prefetches bucket slots; `entries` runs kEntriesAhead ahead and prefetches
  // the first entry of a slot `slots` prefetched earlier. Each stops at the walk's end, where the
  // cursor is 0 again (as it is at the walk's start).
  const Slot* table = table_[0];
  const uint64_t mask = size_[0] - 1;
  uint64_t slots = v, entries = v;
  bool slots_end = false, entries_end = false;
  auto prefetch_slot = [&] {
    __builtin_prefetch(&table[slots & mask]);
    slots = next_scan_cursor(slots, mask);
    slots_end = slots == 0;
  };
  auto prefetch_first_entry = [&] {
    prefetch_entry(head(table[entries & mask]));
    entries = next_scan_cursor(entries, mask);
    entries_end = entries == 0;
  };
  for (int i = 0; i < kSlotsAhead && !slots_end; ++i) prefetch_slot();
  for (int i = 0; i < kEntriesAhead && !entries_end; ++i) prefetch_first_entry();
  do {
    if (!slots_end) prefetch_slot();
    if (!entries_end) prefetch_first_entry();
    for (Entry* e = head(table[v & mask]); e != nullptr; e = e->next()) fn(e);
    v = next_scan_cursor(v, mask);
  } while (v != 0 && more());
  return v;
}

}  // namespace basalt
