#pragma once
// One key: a single allocation holding the chain link, the value and the key bytes,
// and after them, for a string too long for the value's 16 bytes or a small packed hash
// or sorted set, the string's bytes or the block when the size classes allow (create_string,
// create).
// Entries never move once created (values change inside their Value), so other structures (the
// TTL index, blocked-client queues) may hold Entry pointers until the key is deleted.
//
// Layout (27 bytes, then the key):
//   link_       chain pointer in bits 0..47, access bits 0..15 in bits 48..63
//   value       16 bytes
//   3 bytes     key length in bits 0..13, access bits 16..23 in bits 14..21, snapshot epoch in
//               22, "has a TTL" in 23 (after the struct: sizeof(Entry) is 24, kHeaderBytes 27)
//   key bytes
// A key's expiry time lives in the TTL index, which finds the key by its address (ttl_index.hpp),
// not here: most keys have none, and the 8 bytes of a time, then the 4 of a slot number in that
// index, decided the size class of many small keys: a 12-byte key with five small hash pairs
// takes 64 bytes (27 + 12 + 25) where 32 + 12 + 30 took 80.
// The 24 access bits are what Redis keeps per object for eviction (its `lru` field): under an
// LFU policy, the last decrement time in minutes (16 bits, mod 2^16) and an 8-bit logarithmic
// counter; under the others, the last access time in seconds (24 bits, mod 2^24: about 194 days).
// They live in bits nothing else uses, so eviction costs a key no memory:
// - user-space addresses on Linux x86-64 and arm64 fit in 48 bits (5-level paging and 52-bit
//   arm64 hand out higher addresses only to mmap calls that ask for them); Entry::create checks;
// - 14 bits of length cover every key below 16 KB; a longer one (Redis allows keys up to
//   proto-max-bulk-len) stores kLongKey there and its real length in the 4 bytes before its
//   bytes, so only such keys pay for it.
// The 3 bytes sit after the struct rather than in it because a member would be padded to 8.

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
  static constexpr uint32_t kLenMask = (uint32_t{1} << 14) - 1;
  static constexpr uint32_t kLongKey = kLenMask;  // the length is in the 4 bytes before the key
  static constexpr int kHighAccessShift = 14;
  static constexpr uint32_t kHighAccessMask = uint32_t{0xff} << kHighAccessShift;
  static constexpr uint32_t kEpochBit = uint32_t{1} << 22;
  static constexpr uint32_t kExpireBit = uint32_t{1} << 23;
  uintptr_t link_ = 0;  // hash chain (Dict) and access bits 0..15

 public:
  Value value;

  // The header's bytes: the struct and the 3 bytes after it (see the layout above).
  static constexpr size_t kHeaderBytes = 24 + 3;

  Entry* next() const { return reinterpret_cast<Entry*>(link_ & kPtrMask); }
  void set_next(Entry* e) { link_ = (link_ & ~kPtrMask) | reinterpret_cast<uintptr_t>(e); }

  // The 24 access bits (see above), read and written as one number.
  uint32_t access() const {
    return static_cast<uint32_t>(link_ >> 48) |
           (((meta() & kHighAccessMask) >> kHighAccessShift) << 16);
  }
  void set_access(uint32_t a) {
    link_ = (link_ & kPtrMask) | (static_cast<uintptr_t>(a & 0xffff) << 48);
    set_meta((meta() & ~kHighAccessMask) | (((a >> 16) & 0xffu) << kHighAccessShift));
  }

  uint32_t key_size() const {
    const uint32_t n = meta() & kLenMask;
    if (n != kLongKey) [[likely]]
      return n;
    uint32_t long_len;
    std::memcpy(&long_len, key_bytes(), sizeof(long_len));
    return long_len;
  }
  std::string_view key() const {
    const uint32_t n = meta() & kLenMask;
    if (n != kLongKey) [[likely]]
      return {key_bytes(), n};
    return {key_bytes() + sizeof(uint32_t), key_size()};
  }
  // Whether the key has a TTL; the time itself is Database::expire_at's.
  bool has_expire() const { return (meta() & kExpireBit) != 0; }
  void set_has_expire(bool on) { set_meta((meta() & ~kExpireBit) | (on ? kExpireBit : 0)); }
  // Which snapshot epoch last saw this entry (see Database::snapshot_epoch): an entry whose bit
  // differs from its database's epoch has not been serialized by the running snapshot yet.
  bool snapshot_epoch() const { return (meta() & kEpochBit) != 0; }
  void set_snapshot_epoch(bool epoch) { set_meta((meta() & ~kEpochBit) | (epoch ? kEpochBit : 0)); }

  // A key holding `value`. A packed hash's or sorted set's block moves into a room at the end of
  // the entry on create_string's terms (Value::embed_packed).
  static Entry* create(std::string_view key, Value&& value);
  // A key holding the string `value`: a string too long to sit inline is put in a room at the end
  // of the entry's own allocation (Value's embedded strings) when that costs no more bytes than a
  // buffer of its own, and is at most kMaxEmbedded long, which bounds what a later, longer value
  // leaves unused.
  static Entry* create_string(std::string_view key, std::string_view value);
  static constexpr size_t kMaxEmbedded = 512;
  // Whether create() would now hold this key in fewer bytes: its packed hash or sorted set grew
  // out of the room at the end of the entry (an HSET or ZADD: the block went to the heap, see
  // PackedBlock::reserve) and fits a new entry's room, or shrank (HDEL, ZREM, a pop) to fit a
  // smaller entry than the one it is in or is beside; a listpack's realloc keeps it whole and
  // no larger than it is in Redis. Database::refit acts on it.
  bool smaller_anew() const;
  static void destroy(Entry* e);
  // Bytes this key costs the allocator, for INFO and MEMORY USAGE.
  size_t memory_usage() const;

 private:
  explicit Entry(Value&& v) : value(std::move(v)) { set_meta(0); }
  const uint8_t* meta_bytes() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  uint8_t* meta_bytes() { return reinterpret_cast<uint8_t*>(this + 1); }
  uint32_t meta() const {
    const uint8_t* m = meta_bytes();
    return m[0] | (uint32_t{m[1]} << 8) | (uint32_t{m[2]} << 16);
  }
  void set_meta(uint32_t v) {
    uint8_t* m = meta_bytes();
    m[0] = static_cast<uint8_t>(v);
    m[1] = static_cast<uint8_t>(v >> 8);
    m[2] = static_cast<uint8_t>(v >> 16);
  }
  const char* key_bytes() const { return reinterpret_cast<const char*>(this) + kHeaderBytes; }
  char* key_bytes() { return reinterpret_cast<char*>(this) + kHeaderBytes; }
  // Bytes the key takes after the header: its own, and a long key's length before them.
  static size_t key_room(std::string_view key);
  // Writes the key after the header; returns where the bytes after it start.
  char* store_key(std::string_view key);
};

static_assert(sizeof(Entry) == 24 && Entry::kHeaderBytes == sizeof(Entry) + 3,
              "Entry header is part of the per-key memory budget");

}  // namespace basalt
