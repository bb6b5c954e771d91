#pragma once
// Every key of a Database that has a TTL, with its expiry time: an open-addressed table keyed by
// the entry's address (entries never move), linear probing, deletion by backward shift. The time
// sits here rather than in every entry, and so does the key's place in the index: most keys have
// no TTL, and an entry's header without the 8 bytes of a time and the 4 of a slot number decides
// the size class of many small keys (entry.hpp); a key records only that it has a TTL, in one
// bit. 16 bytes a slot, at most 3/4 of them used: 21-43 bytes a key with a TTL, where a dense
// array of 16-byte pairs and a 4-byte slot number in every entry took 20-36, and a lookup of such
// a key reads one cache line, as the array did.
// Active expiry and volatile eviction sample it: a random slot, tried again while empty (the
// table is kept at least 1/8 full), is a uniform pick; a run of used slots from a random place is
// a sample of distinct keys, as Redis's dictGetSomeKeys is.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <utility>

#include "store/entry.hpp"

namespace basalt {

class TtlIndex {
 public:
  TtlIndex() = default;
  TtlIndex(TtlIndex&& other) noexcept { *this = std::move(other); }
  TtlIndex& operator=(TtlIndex&& other) noexcept {
    slots_ = std::move(other.slots_);
    mask_ = std::exchange(other.mask_, 0);
    shift_ = std::exchange(other.shift_, 64);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // e has a TTL.
  int64_t at(const Entry* e) const { return slots_[find(e)].at_ms; }

  // e has no TTL yet.
  void add(Entry* e, int64_t at_ms) {
    if ((size_ + 1) * 4 > capacity() * 3) resize(std::max(kMinCapacity, capacity() * 2));
    place({e, at_ms});
    ++size_;
    e->set_has_expire(true);
  }
  // e has a TTL.
  void set(const Entry* e, int64_t at_ms) { slots_[find(e)].at_ms = at_ms; }
  // e has a TTL.
  void remove(Entry* e) {
    size_t hole = find(e);
    // Backward shift: each later key of the probe run moves into the hole unless its home slot
    // lies after the hole (cyclically), so every key stays reachable from its home slot.
    for (size_t j = (hole + 1) & mask_; slots_[j].entry != nullptr; j = (j + 1) & mask_) {
      const size_t home = home_of(slots_[j].entry);
      if (((j - home) & mask_) >= ((j - hole) & mask_)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = {};
    --size_;
    e->set_has_expire(false);
  }

  struct Ref {
    Entry* entry = nullptr;
    int64_t at_ms = 0;
  };
  // A uniformly random key with its time. Precondition: !empty().
  Ref random(std::mt19937_64& rng) const {
    for (;;) {
      const Ref& r = slots_[rng() & mask_];
      if (r.entry != nullptr) return r;
    }
  }
  // Up to n distinct keys: a run of used slots from a random place, wrapping.
  size_t sample(std::mt19937_64& rng, Entry** out, size_t n) const {
    n = std::min(n, size_);
    size_t got = 0;
    for (size_t i = rng() & mask_; got < n; i = (i + 1) & mask_) {
      if (slots_[i].entry != nullptr) out[got++] = slots_[i].entry;
    }
    return got;
  }

  void reserve(size_t n) {
    size_t want = kMinCapacity;
    while (n * 4 > want * 3) want *= 2;
    if (want > capacity()) resize(want);
  }
  void clear() {
    slots_.reset();
    mask_ = 0;
    shift_ = 64;
    size_ = 0;
  }
  size_t capacity() const { return slots_ ? mask_ + 1 : 0; }
  size_t memory_usage() const { return capacity() * sizeof(Ref); }
  // Once keys with a TTL are mostly gone (expired, evicted, persisted), the cron moves the rest to
  // a table twice their number, as the keyspace table shrinks, so that a cache's cap is not held
  // by the slots of keys long gone; and random() finds a used slot in at most 8 tries on average.
  void shrink_if_sparse() {
    if (capacity() <= kMinCapacity || size_ * 8 >= capacity()) return;
    size_t want = kMinCapacity;
    while (want < size_ * 2) want *= 2;
    resize(want);
  }

 private:
  static constexpr size_t kMinCapacity = 64;

  size_t home_of(const Entry* e) const {
    // Fibonacci hashing of the address: its low bits are alignment, its high bits mix well.
    return static_cast<size_t>((reinterpret_cast<uintptr_t>(e) * 0x9e3779b97f4a7c15ull) >> shift_);
  }
  size_t find(const Entry* e) const {
    size_t i = home_of(e);
    while (slots_[i].entry != e) i = (i + 1) & mask_;
    return i;
  }
  void place(Ref r) {
    size_t i = home_of(r.entry);
    while (slots_[i].entry != nullptr) i = (i + 1) & mask_;
    slots_[i] = r;
  }
  // slots: a power of two. Allocates first, so a failure leaves the table as it was.
  void resize(size_t slots) {
    std::unique_ptr<Ref[]> fresh = std::make_unique<Ref[]>(slots);
    const size_t old_capacity = capacity();
    std::unique_ptr<Ref[]> old = std::exchange(slots_, std::move(fresh));
    mask_ = slots - 1;
    shift_ = 64 - std::countr_zero(slots);
    for (size_t i = 0; i < old_capacity; ++i) {
      if (old[i].entry != nullptr) place(old[i]);
    }
  }

  std::unique_ptr<Ref[]> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

}  // namespace basalt
