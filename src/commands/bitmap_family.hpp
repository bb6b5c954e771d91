#pragma once
// The bitmap family's store operations (bitmap_family.cpp, Redis's bitops.c): bits and bit fields
// of string values, bit 0 being the most significant bit of the first byte. Each works on a
// Database alone, with no client and no reply, and reports failure as an OpStatus; the pure
// functions over a string (bitmap_count, bitmap_pos, the bit field accessors) are shared with
// the commands, which parse and reply. No new value type: a bitmap is a string.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "commands/op_status.hpp"

namespace basalt {

class Database;

// How BITCOUNT and BITPOS read start and end: byte or bit indexes.
enum class BitUnit : uint8_t { kByte, kBit };

// The set bits of `bytes` (hardware popcount over 64-bit words).
uint64_t popcount_bytes(std::string_view bytes);

// BITCOUNT over [start, end] (inclusive, negative from the end), in Redis's clamping.
int64_t bitmap_count(std::string_view s, int64_t start, int64_t end, BitUnit unit);

// BITPOS: the first `bit` (0 or 1) in [start, end], or -1. Without an explicit end the string is
// read as followed by zeros (a search for 0 in all ones answers the bit after the end); with one,
// only the range counts.
int64_t bitmap_pos(std::string_view s, int bit, int64_t start, std::optional<int64_t> end,
                   BitUnit unit);

// The string at key for the read commands: nullopt when absent, kWrongType for another type.
OpResult<std::optional<std::string_view>> op_bitmap_read(Database& db, std::string_view key);

// GETBIT key offset.
OpResult<int> op_getbit(Database& db, std::string_view key, uint64_t offset);
// SETBIT key offset bit: the bit before. The string grows (zero-filled) to reach the offset; the
// caller has bounded the offset (bitmap_offset_limit).
OpResult<int> op_setbit(Database& db, std::string_view key, uint64_t offset, bool on);
// BITCOUNT key [start end [BYTE|BIT]] for callers without a client.
struct BitRange {
  int64_t start = 0, end = -1;
  BitUnit unit = BitUnit::kByte;
};
OpResult<int64_t> op_bitcount(Database& db, std::string_view key,
                              const std::optional<BitRange>& range);

enum class BitOp : uint8_t { kAnd, kOr, kXor, kNot };
// BITOP op dest key [key ...]: the destination's length; an empty result deletes it. Sources of
// another type are kWrongType and nothing is written.
OpResult<size_t> op_bitop(Database& db, BitOp op, std::string_view dest,
                          std::span<const std::string_view> sources);

// BITFIELD.
enum class BitfieldOverflow : uint8_t { kWrap, kSat, kFail };
enum class BitfieldOpcode : uint8_t { kGet, kSet, kIncrBy };
struct BitfieldOp {
  BitfieldOpcode opcode = BitfieldOpcode::kGet;
  BitfieldOverflow overflow = BitfieldOverflow::kWrap;
  bool is_signed = false;
  uint8_t bits = 0;     // 1..64 signed, 1..63 unsigned
  uint64_t offset = 0;  // in bits, bounded by the caller
  int64_t value = 0;    // SET's value or INCRBY's increment
};
// Runs the operations in order; each result is the value read, set (the old one) or incremented
// (the new one), or nullopt where OVERFLOW FAIL refused a write. Only GETs: the key is read, not
// created.
OpResult<std::vector<std::optional<int64_t>>> op_bitfield(Database& db, std::string_view key,
                                                          std::span<const BitfieldOp> ops);

// The bit field accessors over a buffer that holds offset + bits (Redis's get/setUnsignedBitfield).
uint64_t bitfield_get_unsigned(const uint8_t* p, uint64_t offset, unsigned bits);
int64_t bitfield_get_signed(const uint8_t* p, uint64_t offset, unsigned bits);
void bitfield_set(uint8_t* p, uint64_t offset, unsigned bits, uint64_t value);

// Redis's overflow checks: 0 if value + incr fits the type, else 1 (over) or -1 (under), with
// *limit the value stored under WRAP or SAT.
int bitfield_unsigned_overflow(uint64_t value, int64_t incr, unsigned bits, BitfieldOverflow how,
                               uint64_t* limit);
int bitfield_signed_overflow(int64_t value, int64_t incr, unsigned bits, BitfieldOverflow how,
                             int64_t* limit);

// The first bit offset not allowed: offsets address bytes below proto-max-bulk-len, as Redis's
// getBitOffsetFromArgument, and a bit field's 64 bits past it must still fit a Value's 32-bit
// length.
uint64_t bitmap_offset_limit(int64_t proto_max_bulk_len);

}  // namespace basalt
