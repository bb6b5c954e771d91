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
  Entry* next = nullptr;          // hash chain
  int64_t expire_at = kNoExpire;  // absolute unix ms; keys are only ever stored with a future time
  uint32_t ttl_slot = 0;          // index in Database's TTL index while expire_at is set
  uint32_t key_len = 0;
  Value value;

  std::string_view key() const { return {reinterpret_cast<const char*>(this + 1), key_len}; }
  bool has_expire() const { return expire_at != kNoExpire; }

  static Entry* create(std::string_view key, Value&& value);
  static void destroy(Entry* e);
  // Bytes this key costs the allocator, for INFO and MEMORY USAGE.
  size_t memory_usage() const;

 private:
  explicit Entry(Value&& v) : value(std::move(v)) {}
};

static_assert(sizeof(Entry) == 40, "Entry header is part of the per-key memory budget");

}  // namespace basalt
