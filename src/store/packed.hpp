#pragma once
// Byte-level helpers shared by the store's own encodings (packed hashes and sorted sets, the
// tables of hashes and sets): LEB128 lengths, allocation that throws like new, the per-process
// seed of their hash tables, and PackedBlock, the handle of a packed hash's or sorted set's
// bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace basalt {

// Bytes of v as a LEB128 varint (7 bits a byte, low bits first).
inline size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes v as a LEB128 varint at p; returns the byte after it.
inline uint8_t* put_varint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

// Reads a LEB128 varint written by put_varint and advances p past it.
inline uint64_t get_varint(const uint8_t*& p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t b = *p++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) return v;
  }
}

// realloc that throws std::bad_alloc (as new does) instead of returning null.
inline void* checked_realloc(void* p, size_t n) {
  void* q = std::realloc(p, n);
  if (q == nullptr) throw std::bad_alloc();
  return q;
}

// Seeds the hash tables inside values once per process, so that clients cannot precompute
// members that collide (Redis seeds its SipHash the same way); being fixed for the process's
// lifetime keeps HSCAN/SSCAN cursors valid.
uint64_t process_seed();

// The 15 bytes a packed hash or sorted set keeps in its Value (before the Value's tag byte): where
// its entries are, how many bytes they take and how many there are; or, once the collection is a
// table or tree, that structure's address. Keeping the length and count here rather than in a
// header before the entries saves 8 bytes per collection, which decides the size class of small
// ones (five 2-byte hash pairs: a 30-byte block, jemalloc's 32 class, not 38 in the 48 class).
//
// The entries are malloc'd, or they sit in a room at the end of their key's entry (Entry::create
// puts them there when that costs no more bytes than a block of their own): one allocation per
// key and one cache miss less per read. An embedded block grows in its room while it fits and
// moves to the heap when it does not; the room then stays unused until the key goes. A block in
// a room cannot leave its entry: unembed() copies it out first (Value's moves call it).
//
// Bytes 0..7 are a word: the address in bits 0..47, an embedded block's room size in bits 48..62
// (0 for a malloc'd block) and bit 63 set when the address is the other encoding's structure.
// Bytes 8..11 the bytes used, 12..14 the count. Addresses need no alignment: a room starts
// wherever its key ends. All zero: an empty packed collection with no block.
class PackedBlock {
 public:
  // A packed collection changes encoding before its count passes what 3 bytes hold, or its bytes
  // 1 GiB (Redis's listpack safety limit), whatever the configured limits say.
  static constexpr size_t kMaxCount = (size_t{1} << 24) - 1;
  static constexpr size_t kMaxBytes = size_t{1} << 30;
  // The largest room used (the word's 15 bits); a larger one counts as this size.
  static constexpr size_t kMaxRoom = (size_t{1} << 15) - 1;

  PackedBlock() = default;
  // Copies the handle; the caller owns what it refers to from then on (see the class comment).
  PackedBlock(const PackedBlock&) = default;
  PackedBlock& operator=(const PackedBlock&) = default;
  void reset() { std::memset(raw_, 0, sizeof(raw_)); }

  bool is_packed() const { return (word() & kOtherBit) == 0; }
  bool is_embedded() const { return room() != 0; }
  // Packed: the entries (null for an empty collection), their bytes and their count.
  uint8_t* data() const { return reinterpret_cast<uint8_t*>(word() & kPtrMask); }
  size_t used() const {
    uint32_t n;
    std::memcpy(&n, raw_ + 8, sizeof(n));
    return n;
  }
  void set_used(size_t n) {
    const auto u = static_cast<uint32_t>(n);
    std::memcpy(raw_ + 8, &u, sizeof(u));
  }
  size_t count() const {
    return size_t{raw_[12]} | (size_t{raw_[13]} << 8) | (size_t{raw_[14]} << 16);
  }
  void set_count(size_t n) {
    raw_[12] = static_cast<uint8_t>(n);
    raw_[13] = static_cast<uint8_t>(n >> 8);
    raw_[14] = static_cast<uint8_t>(n >> 16);
  }
  // Whether one more entry of `bytes` stays within kMaxCount and kMaxBytes.
  bool can_add(size_t bytes) const { return count() < kMaxCount && used() + bytes <= kMaxBytes; }
  // The handle's own invariants (for the collections' valid()): an empty collection has no bytes
  // and no block, or an emptied room; a non-empty one fits its block.
  bool valid() const;
  // Bytes the entries may take without moving.
  size_t capacity() const;
  // Makes capacity() at least `need`, moving the block to `grow_to` (>= need) bytes when it must.
  void reserve(size_t need, size_t grow_to);
  void reserve(size_t need) { reserve(need, need); }
  // A malloc'd block shrinks to `bytes` (>= used()), and is freed at 0; a room keeps its size,
  // so a collection emptied and refilled in one command (ZINCRBY on a one-member set) stays in
  // its entry.
  void shrink_to(size_t bytes);
  // Frees a malloc'd block and leaves an empty packed collection.
  void release();
  // A malloc'd copy of the entries (COPY); the same count.
  PackedBlock clone() const;
  // Heap bytes of the block: 0 in a room.
  size_t heap_bytes() const;
  // See the class comment: `room` (room_size >= used() bytes) outlives the handle.
  void embed(uint8_t* room, size_t room_size);
  void unembed();

  // The other encoding: its structure's address (the entries' block is not freed here).
  void* other() const { return reinterpret_cast<void*>(word() & kPtrMask); }
  void set_other(void* p) {
    reset();
    set_word(checked_address(p) | kOtherBit);
  }

 private:
  static constexpr uintptr_t kPtrMask = (uintptr_t{1} << 48) - 1;
  static constexpr uintptr_t kOtherBit = uintptr_t{1} << 63;
  uintptr_t word() const {
    uintptr_t w;
    std::memcpy(&w, raw_, sizeof(w));
    return w;
  }
  void set_word(uintptr_t w) { std::memcpy(raw_, &w, sizeof(w)); }
  size_t room() const { return static_cast<size_t>((word() >> 48) & kMaxRoom); }
  void set_block(uint8_t* p, size_t room_size) {
    set_word(checked_address(p) | (static_cast<uintptr_t>(room_size) << 48));
  }
  // Addresses fit 48 bits on Linux x86-64 and arm64 (as Entry's chain link assumes); one that
  // does not would read as a room size or flag, so it stops the process instead.
  static uintptr_t checked_address(const void* p);

  uint8_t raw_[15] = {};
};

static_assert(sizeof(PackedBlock) == 15 && alignof(PackedBlock) == 1);

}  // namespace basalt
