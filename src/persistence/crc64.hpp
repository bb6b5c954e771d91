#pragma once
// Redis's CRC-64 (Jones polynomial 0xad93d23594c935a9, reflected input and output, initial value
// and final xor 0): the checksum at the end of every RDB file and DUMP payload. crc64(0,
// "123456789") is 0xe9c6d914c4b8d9ca.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace basalt {

// Continues a CRC over more bytes: crc64(crc64(0, a), b) == crc64(0, a + b).
uint64_t crc64(uint64_t crc, const void* data, size_t len);
inline uint64_t crc64(uint64_t crc, std::string_view bytes) {
  return crc64(crc, bytes.data(), bytes.size());
}

}  // namespace basalt
