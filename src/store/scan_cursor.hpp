#pragma once
// The SCAN cursor of Redis's dictScan, shared by every chained table the store scans (the keyspace,
// hash and set tables, the sorted set's index): the cursor is a bucket index whose bits are
// incremented from the highest down, which is what keeps it valid when the table grows or shrinks
// between calls (see Redis's dictScan for the proof).

#include <cstdint>

namespace basalt {

inline uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
  return __builtin_bswap64(v);
}

// The cursor after v in a table of mask + 1 buckets (0 once the walk is over).
inline uint64_t next_scan_cursor(uint64_t v, uint64_t mask) {
  return reverse_bits(reverse_bits(v | ~mask) + 1);
}

}  // namespace basalt
