#pragma once
// Every key of a Database that has a TTL, with its expiry time, in no order; Entry::ttl_slot is
// the key's position. O(1) add, remove and uniform sampling is all active expiry needs. The time
// sits here rather than in every entry, since most keys have none (Entry's header is 8 bytes
// smaller for it): 16 bytes a key with a TTL, and a lookup of such a key reads one cache line more.
// (Times and entries in two arrays, so that lookups read a denser one, measured no faster.)

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "store/entry.hpp"

namespace basalt {

class TtlIndex {
 public:
  size_t size() const { return refs_.size(); }
  bool empty() const { return refs_.empty(); }
  int64_t at(uint32_t slot) const { return refs_[slot].at_ms; }
  Entry* entry(size_t slot) const { return refs_[slot].entry; }

  // e has no TTL yet.
  void add(Entry* e, int64_t at_ms) {
    if (size() >= Entry::kNoTtl) throw std::length_error("too many keys with a TTL");
    e->set_ttl_slot(static_cast<uint32_t>(size()));
    refs_.push_back({e, at_ms});
  }
  // e has a TTL.
  void set(const Entry* e, int64_t at_ms) { refs_[e->ttl_slot()].at_ms = at_ms; }
  // e has a TTL; the last key takes its slot.
  void remove(Entry* e) {
    const uint32_t slot = e->ttl_slot();
    refs_[slot] = refs_.back();
    refs_[slot].entry->set_ttl_slot(slot);
    refs_.pop_back();
    e->set_ttl_slot(Entry::kNoTtl);
  }

  void reserve(size_t n) { refs_.reserve(n); }
  void clear() { refs_ = {}; }
  size_t capacity() const { return refs_.capacity(); }
  size_t memory_usage() const { return refs_.capacity() * sizeof(Ref); }
  // A vector never gives back what it grew to: once keys with a TTL are mostly gone (expired,
  // evicted, persisted), the cron moves the rest to an array twice their number, as the keyspace
  // table shrinks, so that a cache's cap is not held by the slots of keys long gone.
  void shrink_if_sparse() {
    if (refs_.capacity() <= kMinCapacity || refs_.size() * 8 >= refs_.capacity()) return;
    std::vector<Ref> kept;
    kept.reserve(std::max(refs_.size() * 2, kMinCapacity));
    kept.assign(refs_.begin(), refs_.end());
    refs_.swap(kept);
  }

 private:
  struct Ref {
    Entry* entry;
    int64_t at_ms;
  };
  static constexpr size_t kMinCapacity = 64;
  std::vector<Ref> refs_;
};

}  // namespace basalt
