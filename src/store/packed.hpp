#pragma once
// Byte-level helpers shared by the store's own encodings (packed hashes and sorted sets, the
// tables of hashes and sets): LEB128 lengths, allocation that throws like new, and the
// per-process seed of their hash tables.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
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

}  // namespace basalt
