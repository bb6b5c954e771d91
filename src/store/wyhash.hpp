#pragma once
// Keyspace hash: wyhash (public domain, by Wang Yi). Fast on short keys, which dominate, and seeded
// per process so that clients cannot precompute colliding keys (Redis seeds SipHash for the same
// reason).

#include <cstdint>
#include <cstring>
#include <string_view>

namespace basalt {

namespace hash_detail {
inline uint64_t mix(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline uint64_t read64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t read32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t read_small(const unsigned char* p, size_t k) {
  return (static_cast<uint64_t>(p[0]) << 16) | (static_cast<uint64_t>(p[k >> 1]) << 8) | p[k - 1];
}
}  // namespace hash_detail

inline uint64_t wyhash(std::string_view key, uint64_t seed) {
  using namespace hash_detail;
  constexpr uint64_t kP0 = 0xa0761d6478bd642full, kP1 = 0xe7037ed1a0b428dbull,
                     kP2 = 0x8ebc6af09c88c6e3ull, kP3 = 0x589965cc75374cc3ull;
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  size_t len = key.size();
  seed ^= mix(seed ^ kP0, kP1);
  uint64_t a, b;
  if (len <= 16) {
    if (len >= 4) {
      a = (read32(p) << 32) | read32(p + ((len >> 3) << 2));
      b = (read32(p + len - 4) << 32) | read32(p + len - 4 - ((len >> 3) << 2));
    } else if (len > 0) {
      a = read_small(p, len);
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    size_t i = len;
    if (i > 48) {
      uint64_t see1 = seed, see2 = seed;
      do {
        seed = mix(read64(p) ^ kP1, read64(p + 8) ^ seed);
        see1 = mix(read64(p + 16) ^ kP2, read64(p + 24) ^ see1);
        see2 = mix(read64(p + 32) ^ kP3, read64(p + 40) ^ see2);
        p += 48;
        i -= 48;
      } while (i > 48);
      seed ^= see1 ^ see2;
    }
    while (i > 16) {
      seed = mix(read64(p) ^ kP1, read64(p + 8) ^ seed);
      i -= 16;
      p += 16;
    }
    a = read64(p + i - 16);
    b = read64(p + i - 8);
  }
  a ^= kP1;
  b ^= seed;
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  a = static_cast<uint64_t>(r);
  b = static_cast<uint64_t>(r >> 64);
  return mix(a ^ kP0 ^ len, b ^ kP1);
}

}  // namespace basalt
