#pragma once
// One key: a single allocation holding the chain link, the expiry, the value and the key bytes.
// Entries never move once created (values change inside their Value), so other structures (the
// TTL index, blocked-client queues) may hold Entry pointers until the key is deleted.

#include <cstdint>
#include <string_view>

#include "store/value.hpp"

namespace basalt {

inline constexpr int64_t kNoExpire = 0;

struct Entry {
  // Keys are capped far below this (proto-max-bulk-len is at most 512 MB), which frees the top bit
  // of the length word for the snapshot epoch.
  static constexpr uint32_t kMaxKeyLen = (uint32_t{1} << 31) - 1;

  Entry* next = nullptr;          // hash chain
  int64_t expire_at = kNoExpire;  // absolute unix ms; keys are only ever stored with a future time
  uint32_t ttl_slot = 0;          // index in Database's TTL index while expire_at is set

 private:
  uint32_t key_len_ = 0;  // low 31 bits: key length; top bit: snapshot epoch

 public:
  Value value;

  uint32_t key_size() const { return key_len_ & kMaxKeyLen; }
  std::string_view key() const { return {reinterpret_cast<const char*>(this + 1), key_size()}; }
  bool has_expire() const { return expire_at != kNoExpire; }
  // Which snapshot epoch last saw this entry (see Database::snapshot_epoch): an entry whose bit
  // differs from its database's epoch has not been serialized by the running snapshot yet.
  bool snapshot_epoch() const { return (key_len_ >> 31) != 0; }
  void set_snapshot_epoch(bool epoch) {
    key_len_ = (key_len_ & kMaxKeyLen) | (static_cast<uint32_t>(epoch) << 31);
  }

  static Entry* create(std::string_view key, Value&& value);
  static void destroy(Entry* e);
  // Bytes this key costs the allocator, for INFO and MEMORY USAGE.
  size_t memory_usage() const;

 private:
  explicit Entry(Value&& v) : value(std::move(v)) {}
};

static_assert(sizeof(Entry) == 40, "Entry header is part of the per-key memory budget");

}  // namespace basalt
