#pragma once
// SHA-1 (FIPS 180-1), for what Redis defines in terms of it: DEBUG DIGEST's dataset digest (and,
// later, script ids). Not for security.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace basalt {

class Sha1 {
 public:
  using Digest = std::array<uint8_t, 20>;

  Sha1() { reset(); }
  void reset();
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  Digest finish();  // the object must be reset() before it is used again

  static Digest of(std::string_view s) {
    Sha1 h;
    h.update(s);
    return h.finish();
  }

 private:
  void block(const uint8_t* p);

  uint32_t state_[5];
  uint64_t length_;  // bytes hashed so far
  uint8_t buffer_[64];
  size_t buffered_;
};

// Lowercase hex, 40 characters.
std::string to_hex(const Sha1::Digest& d);

}  // namespace basalt
