#pragma once
// What LFU eviction remembers of the keys it evicted, so that a key coming back starts from the
// frequency it had rather than from LFU_INIT_VAL like a key never seen.
//
// Redis's LFU counter dies with its key. On a cache whose keys are requested more often than they
// stay in it (a Zipfian key space far larger than the cap), the keys at the cache's edge are
// evicted between two requests, return as new keys, and are evicted again first: the counter never
// learns that they come back. On bench/compare-cache's workload (5,000,000 keys, Zipf 0.99, a
// 64 MB cap) allkeys-lfu hits 79.1% with this history and 78.5% without. TinyLFU keeps such
// history in a frequency sketch consulted on every access; here it is written only at eviction
// and read only when a key is created, so hits cost nothing more.
//
// A direct-mapped table of 2-byte slots, one to two for each key held (the key count rounded up to
// a power of two: 1 MB for 378,000 keys, counted in used_memory like any allocation, and taken in
// one piece at the first eviction, which the next eviction pass pays for in keys): a slot holds
// the counter a key had when evicted and 8 bits of its hash, so a new key matches a stranger's
// occupied slot about once in 255, and then starts from that counter instead of LFU_INIT_VAL.
// Newer evictions overwrite older ones in the same slot, which ages the history by itself: a
// slot lasts about as many evictions as the cache holds keys. A key's counter does not decay
// while it is out of the cache. A slot is forgotten once read.
// Without the hash bits (1 byte a slot), new keys inherited strangers' counters often enough
// that a simulation of the same workload lost more than the history gained.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace basalt {

class LfuHistory {
 public:
  // Remembers that the key hashing to `hash` was evicted with LFU counter `counter`, in a table
  // sized for `keys` keys held (resized, and so emptied, when they outgrow it).
  void record(uint64_t hash, uint8_t counter, size_t keys) {
    const size_t want = std::bit_ceil(keys < 64 ? size_t{64} : keys);
    if (slots_.size() < want) slots_.assign(want, 0);
    slots_[hash & (slots_.size() - 1)] = static_cast<uint16_t>((fingerprint(hash) << 8) | counter);
  }
  // The counter a key evicted earlier had, forgotten from here; -1 for a key not remembered.
  int take(uint64_t hash) {
    if (slots_.empty()) return -1;
    uint16_t& slot = slots_[hash & (slots_.size() - 1)];
    if ((slot >> 8) != fingerprint(hash)) return -1;
    const int counter = slot & 0xff;
    slot = 0;
    return counter;
  }
  void clear() { std::vector<uint16_t>().swap(slots_); }
  size_t slots() const { return slots_.size(); }

 private:
  // The hash's top byte (the index uses its low bits); never 0, which marks an empty slot.
  static uint16_t fingerprint(uint64_t hash) {
    const auto f = static_cast<uint16_t>(hash >> 56);
    return f == 0 ? 1 : f;
  }

  std::vector<uint16_t> slots_;
};

}  // namespace basalt
