#pragma once
// One key: a single allocation holding the chain link, the expiry, the value and the key bytes,
// and after them, for a string too long for the value's 16 bytes, the string's own bytes when the
// size classes allow (create_string; Value calls it an embedded string).
// Entries never move once created (values change inside their Value), so other structures (the
// TTL index, blocked-client queues) may hold Entry pointers until the key is deleted.
//
// Layout (40 bytes, static_assert below):
//   link_       chain pointer in bits 0..47, access bits 0..15 in bits 48..63
//   expire_at   absolute unix ms (ExpireTime), access bits 17..23 in bits 56..62
//   ttl_slot    position in the TTL index
//   key_len_    key length in bits 0..29, access bit 16 in bit 30, snapshot epoch in bit 31
//   value       16 bytes
// The 24 access bits are what Redis keeps per object for eviction (its `lru` field): under an
// LFU policy, the last decrement time in minutes (16 bits, mod 2^16) and an 8-bit logarithmic
// counter; under the others, the last access time in seconds (24 bits, mod 2^24: about 194 days).
// They live in bits nothing else uses, so eviction costs a key no memory:
// - user-space addresses on Linux x86-64 and arm64 fit in 48 bits (5-level paging and 52-bit
//   arm64 hand out higher addresses only to mmap calls that ask for them); Entry::create checks;
// - keys are capped far below 2^30 bytes (proto-max-bulk-len is at most 512 MB);
// - expiry times below 2^56 ms (some 2.28 million years) leave the expiry word's top byte free.
//   A later time (PEXPIREAT accepts up to INT64_MAX, and Redis keeps it exactly) is kept exactly
//   too, and such a key loses its 7 access bits from that word: its LRU/LFU information is
//   coarser, which matters little for a key that practically never expires.

#include <cstdint>
#include <string_view>

#include "store/value.hpp"

namespace basalt {

inline constexpr int64_t kNoExpire = 0;

// An expiry in unix ms that shares its word with 7 access bits. Reads and writes as an int64_t,
// so code that only knows expire_at as a number (persistence, commands) is unchanged.
// Bit 63 clear: bits 0..55 hold the time, bits 56..62 access bits. Bit 63 set: bits 0..62 hold
// the time (at least 2^56), and there are no access bits.
class ExpireTime {
 public:
  constexpr ExpireTime() = default;
  constexpr operator int64_t() const {
    return static_cast<int64_t>(wide() ? bits_ & ~kWide : bits_ & kNarrowMask);
  }
  ExpireTime& operator=(int64_t ms) {
    // Keys are only ever stored with a future time, so never below 0.
    const uint64_t v = ms < 0 ? 0 : static_cast<uint64_t>(ms);
    if (v <= kNarrowMask) {
      bits_ = (wide() ? 0 : bits_ & ~kNarrowMask) | v;
    } else {
      bits_ = kWide | v;
    }
    return *this;
  }
  uint8_t access_bits() const { return wide() ? 0 : static_cast<uint8_t>((bits_ >> 56) & 0x7f); }
  void set_access_bits(uint8_t a) {
    if (!wide()) bits_ = (bits_ & kNarrowMask) | (static_cast<uint64_t>(a & 0x7f) << 56);
  }

 private:
  static constexpr uint64_t kWide = uint64_t{1} << 63;
  static constexpr uint64_t kNarrowMask = (uint64_t{1} << 56) - 1;
  constexpr bool wide() const { return (bits_ & kWide) != 0; }
  uint64_t bits_ = 0;
};

struct Entry {
  // Keys are capped far below this (proto-max-bulk-len is at most 512 MB), which frees the top two
  // bits of the length word: an access bit and the snapshot epoch.
  static constexpr uint32_t kMaxKeyLen = (uint32_t{1} << 30) - 1;
  // Redis's LRU clock: 24 bits.
  static constexpr uint32_t kAccessMask = (uint32_t{1} << 24) - 1;

 private:
  static constexpr uintptr_t kPtrMask = (uintptr_t{1} << 48) - 1;
  static constexpr uint32_t kAccessBit = uint32_t{1} << 30;
  static constexpr uint32_t kEpochBit = uint32_t{1} << 31;
  uintptr_t link_ = 0;  // hash chain (Dict) and access bits 0..15

 public:
  ExpireTime expire_at;   // absolute unix ms; keys are only ever stored with a future time
  uint32_t ttl_slot = 0;  // index in Database's TTL index while expire_at is set

 private:
  uint32_t key_len_ = 0;  // bits 0..29: key length; bit 30: access bit 16; bit 31: snapshot epoch

 public:
  Value value;

  Entry* next() const { return reinterpret_cast<Entry*>(link_ & kPtrMask); }
  void set_next(Entry* e) { link_ = (link_ & ~kPtrMask) | reinterpret_cast<uintptr_t>(e); }

  // The 24 access bits (see above), read and written as one number.
  uint32_t access() const {
    return static_cast<uint32_t>(link_ >> 48) | (((key_len_ >> 30) & 1u) << 16) |
           (static_cast<uint32_t>(expire_at.access_bits()) << 17);
  }
  void set_access(uint32_t a) {
    link_ = (link_ & kPtrMask) | (static_cast<uintptr_t>(a & 0xffff) << 48);
    key_len_ = (key_len_ & ~kAccessBit) | (((a >> 16) & 1u) << 30);
    expire_at.set_access_bits(static_cast<uint8_t>(a >> 17));
  }

  uint32_t key_size() const { return key_len_ & kMaxKeyLen; }
  std::string_view key() const { return {reinterpret_cast<const char*>(this + 1), key_size()}; }
  bool has_expire() const { return expire_at != kNoExpire; }
  // Which snapshot epoch last saw this entry (see Database::snapshot_epoch): an entry whose bit
  // differs from its database's epoch has not been serialized by the running snapshot yet.
  bool snapshot_epoch() const { return (key_len_ >> 31) != 0; }
  void set_snapshot_epoch(bool epoch) {
    key_len_ = (key_len_ & ~kEpochBit) | (static_cast<uint32_t>(epoch) << 31);
  }

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
};

static_assert(sizeof(Entry) == 40, "Entry header is part of the per-key memory budget");

}  // namespace basalt
