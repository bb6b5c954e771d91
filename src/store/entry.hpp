#pragma once
// One key: a single allocation holding the chain link, the value and the key
// bytes, and after them, for a string too long for the value's 16 bytes or a small packed hash
// or sorted set, the string's bytes or the block when the size classes allow (create_string,
// create).
// Entries never move once created (values change inside their Value), so other structures (the
// TTL index, blocked-client queues) may hold Entry pointers until the key is deleted.
//
// Layout (32 bytes, static_assert below):
//   link_       chain pointer in bits 0..47, access bits 0..15 in bits 48..63
//   has_expire_ whether the database's TTL index holds the key (the index finds it by address)
//   key_len_    key length in bits 0..22, access bits 16..23 in bits 23..30, snapshot epoch in 31
//   value       16 bytes
// A key's expiry time lives in the TTL index beside its entry pointer (Database::expire_at), not
// here: most keys have none, and the 8 bytes it took in every entry decided the size class of
// most small keys (a 16-byte key and a short value: 48 bytes instead of 64).
// The 24 access bits are what Redis keeps per object for eviction (its `lru` field): under an
// LFU policy, the last decrement time in minutes (16 bits, mod 2^16) and an 8-bit logarithmic
// counter; under the others, the last access time in seconds (24 bits, mod 2^24: about 194 days).
// They live in bits nothing else uses, so eviction costs a key no memory:
// - user-space addresses on Linux x86-64 and arm64 fit in 48 bits (5-level paging and 52-bit
//   arm64 hand out higher addresses only to mmap calls that ask for them); Entry::create checks;
// - 23 bits of length cover every key below 8 MB; a longer one (Redis allows keys up to
//   proto-max-bulk-len) stores kLongKey there and its real length in the 4 bytes before its
//   bytes, so only such keys pay for it.

#include <cstdint>
#include <cstring>
#include <string_view>

#include "store/value.hpp"

namespace basalt {

inline constexpr int64_t kNoExpire = 0;

struct Entry {
  // Keys are capped far below this (proto-max-bulk-len is at most 512 MB).
  static constexpr uint32_t kMaxKeyLen = (uint32_t{1} << 30) - 1;
  // Redis's LRU clock: 24 bits.
  static constexpr uint32_t kAccessMask = (uint32_t{1} << 24) - 1;

 private:
  static constexpr uintptr_t kPtrMask = (uintptr_t{1} << 48) - 1;
  static constexpr uint32_t kLenMask = (uint32_t{1} << 23) - 1;
  static constexpr uint32_t kLongKey = kLenMask;  // the length is in the 4 bytes before the key
  static constexpr uint32_t kHighAccessMask = uint32_t{0xff} << 23;
  static constexpr uint32_t kEpochBit = uint32_t{1} << 31;
  uintptr_t link_ = 0;       // hash chain (Dict) and access bits 0..15
  uint32_t has_expire_ = 0;  // whether Database's TTL index holds the key
  uint32_t key_len_ = 0;     // bits 0..22: key length; 23..30: access bits 16..23; 31: epoch

 public:
  Value value;

  Entry* next() const { return reinterpret_cast<Entry*>(link_ & kPtrMask); }
  void set_next(Entry* e) { link_ = (link_ & ~kPtrMask) | reinterpret_cast<uintptr_t>(e); }

  // The 24 access bits (see above), read and written as one number.
  uint32_t access() const {
    return static_cast<uint32_t>(link_ >> 48) | (((key_len_ & kHighAccessMask) >> 23) << 16);
  }
  void set_access(uint32_t a) {
    link_ = (link_ & kPtrMask) | (static_cast<uintptr_t>(a & 0xffff) << 48);
    key_len_ = (key_len_ & ~kHighAccessMask) | (((a >> 16) & 0xffu) << 23);
  }

  uint32_t key_size() const {
    const uint32_t n = key_len_ & kLenMask;
    if (n != kLongKey) [[likely]]
      return n;
    uint32_t long_len;
    std::memcpy(&long_len, this + 1, sizeof(long_len));
    return long_len;
  }
  std::string_view key() const {
    const uint32_t n = key_len_ & kLenMask;
    if (n != kLongKey) [[likely]]
      return {reinterpret_cast<const char*>(this + 1), n};
    return {reinterpret_cast<const char*>(this + 1) + sizeof(uint32_t), key_size()};
  }
  // Whether the key has a TTL; the time itself is Database::expire_at's.
  bool has_expire() const { return has_expire_ != 0; }
  void set_has_expire(bool on) { has_expire_ = on; }
  // Which snapshot epoch last saw this entry (see Database::snapshot_epoch): an entry whose bit
  // differs from its database's epoch has not been serialized by the running snapshot yet.
  bool snapshot_epoch() const { return (key_len_ >> 31) != 0; }
  void set_snapshot_epoch(bool epoch) {
    key_len_ = (key_len_ & ~kEpochBit) | (static_cast<uint32_t>(epoch) << 31);
  }

  // A key holding `value`. A packed hash's or sorted set's block moves into a room at the end of
  // the entry on create_string's terms (Value::embed_packed).
  static Entry* create(std::string_view key, Value&& value);
  // A key holding the string `value`: a string too long to sit inline is put in a room at the end
  // of the entry's own allocation (Value's embedded strings) when that costs no more bytes than a
  // buffer of its own, and is at most kMaxEmbedded long, which bounds what a later, longer value
  // leaves unused.
  static Entry* create_string(std::string_view key, std::string_view value);
  static constexpr size_t kMaxEmbedded = 512;
  static void destroy(Entry* e);
  // Bytes this key costs the allocator, for INFO and MEMORY USAGE.
  size_t memory_usage() const;

 private:
  explicit Entry(Value&& v) : value(std::move(v)) {}
  // Bytes the key takes after the header: its own, and a long key's length before them.
  static size_t key_room(std::string_view key);
  // Writes the key after the header; returns where the bytes after it start.
  char* store_key(std::string_view key);
};

static_assert(sizeof(Entry) == 32, "Entry header is part of the per-key memory budget");

}  // namespace basalt
