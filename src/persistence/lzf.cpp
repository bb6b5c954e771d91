#include "persistence/lzf.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace basalt {

namespace {

constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxDistance = 8192;
constexpr size_t kMaxMatch = 264;  // 7 + 255 + 2
constexpr int kMaxHashBits = 14;

inline uint32_t hash3(const uint8_t* p, int bits) {
  const uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return (v * 2654435761u) >> (32 - bits);
}

}  // namespace

size_t lzf_compress(const void* in_ptr, size_t in_len, void* out_ptr, size_t out_cap) {
  const auto* in = static_cast<const uint8_t*>(in_ptr);
  auto* out = static_cast<uint8_t*>(out_ptr);
  if (in_len == 0) return 0;

  // A table sized to the input: RDB compresses many strings of a few dozen bytes, and clearing a
  // 64 KB table for each would cost more than compressing them. Positions are stored plus one so
  // that zero means empty.
  int bits = 4;
  while (bits < kMaxHashBits && (size_t{1} << bits) < in_len) ++bits;
  thread_local std::vector<uint32_t> table;
  table.assign(size_t{1} << bits, 0);

  size_t ip = 0, op = 0, lit = 0;
  size_t lit_start = op++;  // the control byte of the literal run under way, written when it ends
  auto emit_literal = [&](uint8_t byte) -> bool {
    if (op >= out_cap) return false;
    out[op++] = byte;
    if (++lit == kMaxLiteral) {
      out[lit_start] = static_cast<uint8_t>(lit - 1);
      lit = 0;
      lit_start = op++;
    }
    return true;
  };

  while (ip + 2 < in_len) {
    const uint32_t h = hash3(in + ip, bits);
    const size_t candidate = table[h];
    table[h] = static_cast<uint32_t>(ip + 1);
    if (candidate != 0) {
      const size_t ref = candidate - 1;
      const size_t distance = ip - ref;
      if (distance <= kMaxDistance && std::memcmp(in + ref, in + ip, 3) == 0) {
        const size_t max_len = std::min(in_len - ip, kMaxMatch);
        size_t len = 3;
        // Eight bytes a step while they all match, then the last few one by one.
        while (len + 8 <= max_len) {
          uint64_t a, b;
          std::memcpy(&a, in + ref + len, 8);
          std::memcpy(&b, in + ip + len, 8);
          if (a != b) break;
          len += 8;
        }
        while (len < max_len && in[ref + len] == in[ip + len]) ++len;
        // Close the literal run; an empty one gives its reserved control byte back.
        if (lit > 0) {
          out[lit_start] = static_cast<uint8_t>(lit - 1);
        } else {
          --op;
        }
        const size_t off = distance - 1;
        const size_t l = len - 2;
        const size_t ref_bytes = l < 7 ? 2 : 3;
        if (op + ref_bytes > out_cap) return 0;
        if (l < 7) {
          out[op++] = static_cast<uint8_t>((l << 5) | (off >> 8));
        } else {
          out[op++] = static_cast<uint8_t>((7 << 5) | (off >> 8));
          out[op++] = static_cast<uint8_t>(l - 7);
        }
        out[op++] = static_cast<uint8_t>(off & 0xff);
        // Index the match's last two positions (as liblzf's VERY_FAST does), so that what follows
        // can refer back into it. Indexing every position inside it found a few more matches but
        // spent half of SAVE's time hashing long repeats (a 100-byte "vvv..." value: 98 hashes).
        for (size_t i = std::max(ip + 1, ip + len - 2); i < ip + len && i + 2 < in_len; ++i)
          table[hash3(in + i, bits)] = static_cast<uint32_t>(i + 1);
        ip += len;
        lit = 0;
        lit_start = op++;
        continue;
      }
    }
    if (!emit_literal(in[ip++])) return 0;
  }
  while (ip < in_len) {
    if (!emit_literal(in[ip++])) return 0;
  }
  if (lit > 0) {
    out[lit_start] = static_cast<uint8_t>(lit - 1);
  } else {
    --op;
  }
  return op;
}

std::optional<size_t> lzf_decompress(const void* in_ptr, size_t in_len, void* out_ptr,
                                     size_t out_cap) {
  const auto* in = static_cast<const uint8_t*>(in_ptr);
  auto* out = static_cast<uint8_t*>(out_ptr);
  size_t ip = 0, op = 0;
  while (ip < in_len) {
    const size_t ctrl = in[ip++];
    if (ctrl < 32) {
      const size_t n = ctrl + 1;
      if (n > in_len - ip || n > out_cap - op) return std::nullopt;
      std::memcpy(out + op, in + ip, n);
      ip += n;
      op += n;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= in_len) return std::nullopt;
      len += in[ip++];
    }
    if (ip >= in_len) return std::nullopt;
    const size_t distance = ((ctrl & 0x1f) << 8) + in[ip++] + 1;
    len += 2;
    if (distance > op || len > out_cap - op) return std::nullopt;
    // A reference may overlap the bytes it produces (a run): copy in pieces no longer than the
    // distance, each of which reads only bytes already written. A run of one byte (the commonest,
    // padding and repeated characters) is a memset.
    const uint8_t* ref = out + op - distance;
    if (distance == 1) {
      std::memset(out + op, *ref, len);
    } else {
      for (size_t i = 0; i < len;) {
        const size_t n = std::min(distance, len - i);
        std::memcpy(out + op + i, ref + i, n);
        i += n;
      }
    }
    op += len;
  }
  return op;
}

}  // namespace basalt
