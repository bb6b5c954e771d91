// The bitmap family (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
// BITFIELD_RO over string values. Replies, errors and the order in which errors are checked
// follow Redis 7.0 (a missing key answers BITCOUNT with 0 before its range is even parsed).
//
// Counting and searching work a 64-bit word at a time (popcount, compare with all-zeros or
// all-ones), so a 512 MB bitmap is never walked bit by bit. Offsets are bounded by
// proto-max-bulk-len before any string grows, as in Redis, so a peer naming a huge offset gets an
// error rather than an allocation; the table's denyoom flag stops growth past maxmemory.

#include "commands/bitmap_family.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.hpp"
#include "commands/arg_parser.hpp"
#include "commands/command_table.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"
#include "commands/helpers.hpp"
#include "commands/op_status.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"

namespace basalt {

namespace {

// ================================ Op side: the store work ======================================

uint64_t load64(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

void store64(uint8_t* p, uint64_t w) { std::memcpy(p, &w, sizeof(w)); }

const uint8_t* bytes_of(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// Position (0 = most significant) of the highest set bit of a non-zero byte.
int first_set_in_byte(uint8_t m) { return __builtin_clz(static_cast<unsigned>(m)) - 24; }

// The first bit equal to `bit` in bits [first, last] of p, or -1.
int64_t find_bit(const uint8_t* p, uint64_t first, uint64_t last, int bit) {
  // A byte whose set bits are the positions holding `bit`.
  auto matches = [bit](uint8_t b) { return static_cast<uint8_t>(bit ? b : ~b); };
  uint64_t i = first >> 3;
  const uint64_t last_byte = last >> 3;
  const auto tail_mask = static_cast<uint8_t>(0xFF << (7 - (last & 7)));
  auto m = static_cast<uint8_t>(matches(p[i]) & (0xFF >> (first & 7)));
  if (i == last_byte) m &= tail_mask;
  if (m != 0) return static_cast<int64_t>(i * 8) + first_set_in_byte(m);
  if (i == last_byte) return -1;
  ++i;
  // Whole words of bytes that cannot match are skipped at once.
  const uint64_t skip = bit ? 0 : ~uint64_t{0};
  while (i + 8 <= last_byte && load64(p + i) == skip) i += 8;
  for (; i < last_byte; ++i) {
    m = matches(p[i]);
    if (m != 0) return static_cast<int64_t>(i * 8) + first_set_in_byte(m);
  }
  m = matches(p[last_byte]) & tail_mask;
  if (m != 0) return static_cast<int64_t>(last_byte * 8) + first_set_in_byte(m);
  return -1;
}

// Redis's range normalisation for BITCOUNT and BITPOS: negative indexes count from the end, then
// both are clamped into [0, len - 1]. False when the range is empty.
bool clamp_range(int64_t len, int64_t* start, int64_t* end) {
  if (*start < 0) *start = len + *start;
  if (*end < 0) *end = len + *end;
  if (*start < 0) *start = 0;
  if (*end < 0) *end = 0;
  if (*end >= len) *end = len - 1;
  return *start <= *end;
}

// The string at `e` for a bit write, grown with zeros to hold byte `last_byte`: created if
// absent. *dirty is set when the key was created or its length changed.
OpResult<Entry*> string_for_bits(Database& db, std::string_view key, uint64_t last_byte,
                                 bool* dirty) {
  Entry* e = db.find(key);
  if (e != nullptr && !e->value.is_string()) return OpStatus::kWrongType;
  const size_t want = static_cast<size_t>(last_byte) + 1;
  *dirty = false;
  if (e == nullptr) {
    e = db.add(key, Value());
    e->value.resize(want);
    *dirty = true;
  } else if (e->value.str().size() < want) {
    e->value.resize(want);
    *dirty = true;
  }
  return e;
}

uint8_t* writable(Entry* e) {
  // resize() to the current length hands out the bytes for writing without changing them.
  return reinterpret_cast<uint8_t*>(e->value.resize(e->value.str().size()));
}

}  // namespace

namespace {

// The popcount of n bytes in 64-bit words; four independent sums keep the units busy.
template <int (*Count)(unsigned long long)>
[[gnu::always_inline]] inline uint64_t popcount_words(const uint8_t* p, size_t n) {
  uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (; n >= 32; p += 32, n -= 32) {
    c0 += static_cast<uint64_t>(Count(load64(p)));
    c1 += static_cast<uint64_t>(Count(load64(p + 8)));
    c2 += static_cast<uint64_t>(Count(load64(p + 16)));
    c3 += static_cast<uint64_t>(Count(load64(p + 24)));
  }
  uint64_t count = c0 + c1 + c2 + c3;
  for (; n >= 8; p += 8, n -= 8) count += static_cast<uint64_t>(Count(load64(p)));
  for (; n > 0; ++p, --n) count += static_cast<uint64_t>(Count(*p));
  return count;
}

[[gnu::always_inline]] inline int popcount_builtin(unsigned long long w) {
  return __builtin_popcountll(w);
}

#if defined(__x86_64__)
// The build targets baseline x86-64, where __builtin_popcountll is a library call; this copy of
// the loop, inlined under target("popcnt"), uses the POPCNT instruction (every x86-64 CPU since
// 2008) when the CPU reports it.
__attribute__((target("popcnt"))) uint64_t popcount_hw(const uint8_t* p, size_t n) {
  return popcount_words<popcount_builtin>(p, n);
}
const bool kHasPopcnt = __builtin_cpu_supports("popcnt");
#endif

}  // namespace

uint64_t popcount_bytes(std::string_view bytes) {
  const uint8_t* p = bytes_of(bytes);
#if defined(__x86_64__)
  if (kHasPopcnt) return popcount_hw(p, bytes.size());
#endif
  return popcount_words<popcount_builtin>(p, bytes.size());
}

int64_t bitmap_count(std::string_view s, int64_t start, int64_t end, BitUnit unit) {
  if (start < 0 && end < 0 && start > end) return 0;
  int64_t len = static_cast<int64_t>(s.size());
  if (unit == BitUnit::kBit) len <<= 3;
  if (!clamp_range(len, &start, &end)) return 0;
  const uint8_t* p = bytes_of(s);
  if (unit == BitUnit::kByte) {
    return static_cast<int64_t>(
        popcount_bytes(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1))));
  }
  const auto first = static_cast<size_t>(start >> 3), last = static_cast<size_t>(end >> 3);
  auto count = static_cast<int64_t>(popcount_bytes(s.substr(first, last - first + 1)));
  // Take back the bits of the edge bytes that lie outside the range.
  const auto before = static_cast<uint8_t>(0xFF << (8 - (start & 7)));
  const auto after = static_cast<uint8_t>((1u << (7 - (end & 7))) - 1);
  count -= __builtin_popcount(p[first] & before);
  count -= __builtin_popcount(p[last] & after);
  return count;
}

int64_t bitmap_pos(std::string_view s, int bit, int64_t start, std::optional<int64_t> end,
                   BitUnit unit) {
  int64_t len = static_cast<int64_t>(s.size());
  if (unit == BitUnit::kBit) len <<= 3;
  int64_t last = end.value_or(len - 1);
  if (!clamp_range(len, &start, &last)) return -1;
  uint64_t first_bit = static_cast<uint64_t>(start), last_bit = static_cast<uint64_t>(last);
  if (unit == BitUnit::kByte) {
    first_bit *= 8;
    last_bit = last_bit * 8 + 7;
  }
  int64_t pos = find_bit(bytes_of(s), first_bit, last_bit, bit);
  // Without an explicit end the string reads as padded with zeros: the first clear bit is the one
  // just past the range.
  if (pos < 0 && bit == 0 && !end.has_value()) return static_cast<int64_t>(last_bit) + 1;
  return pos;
}

OpResult<std::optional<std::string_view>> op_bitmap_read(Database& db, std::string_view key) {
  const Entry* e = db.find_read(key);
  if (e == nullptr) return std::optional<std::string_view>();
  if (!e->value.is_string()) return OpStatus::kWrongType;
  return std::optional<std::string_view>(e->value.str());
}

// GETBIT key offset: bits past the end read as 0.
OpResult<int> op_getbit(Database& db, std::string_view key, uint64_t offset) {
  auto s = op_bitmap_read(db, key);
  if (!s.ok()) return s.status();
  if (!s->has_value() || (offset >> 3) >= (*s)->size()) return 0;
  return (bytes_of(**s)[offset >> 3] >> (7 - (offset & 7))) & 1;
}

// SETBIT key offset value: the old bit. A write that changes nothing (same bit, no growth) is
// not a modification, so it is not propagated.
OpResult<int> op_setbit(Database& db, std::string_view key, uint64_t offset, bool on) {
  bool dirty;
  auto e = string_for_bits(db, key, offset >> 3, &dirty);
  if (!e.ok()) return e.status();
  const uint8_t mask = static_cast<uint8_t>(1u << (7 - (offset & 7)));
  // Writable even when the bit stays: Redis unshares the string (OBJECT ENCODING "raw") first.
  uint8_t* p = writable(*e);
  const uint8_t current = p[offset >> 3];
  const int old = (current & mask) != 0 ? 1 : 0;
  if (dirty || old != static_cast<int>(on)) {
    p[offset >> 3] = on ? (current | mask) : (current & ~mask);
    db.signal_modified(key);
    db.notify(kNotifyString, "setbit", key);
  }
  return old;
}

OpResult<int64_t> op_bitcount(Database& db, std::string_view key,
                              const std::optional<BitRange>& range) {
  auto s = op_bitmap_read(db, key);
  if (!s.ok()) return s.status();
  if (!s->has_value()) return 0;
  if (!range) return static_cast<int64_t>(popcount_bytes(**s));
  return bitmap_count(**s, range->start, range->end, range->unit);
}

// BITOP: computed into a new value first, since the destination may be one of the sources.
OpResult<size_t> op_bitop(Database& db, BitOp op, std::string_view dest,
                          std::span<const std::string_view> sources) {
  std::vector<std::string_view> inputs;
  inputs.reserve(sources.size());
  size_t max_len = 0;
  for (std::string_view key : sources) {
    auto s = op_bitmap_read(db, key);
    if (!s.ok()) return s.status();
    inputs.push_back(s->value_or(std::string_view()));
    max_len = std::max(max_len, inputs.back().size());
  }
  if (max_len == 0) {
    delete_key(db, dest);
    return size_t{0};
  }
  Value result;
  auto* out = reinterpret_cast<uint8_t*>(result.resize(max_len));  // zero-filled
  // An empty first input has no bytes (its data() may be null, which memcpy must not get).
  if (!inputs[0].empty()) std::memcpy(out, inputs[0].data(), inputs[0].size());
  for (size_t k = 1; k < inputs.size() && op != BitOp::kNot; ++k) {
    const uint8_t* in = bytes_of(inputs[k]);
    const size_t n = inputs[k].size();
    size_t j = 0;
    switch (op) {
      case BitOp::kAnd:
        for (; j + 8 <= n; j += 8) store64(out + j, load64(out + j) & load64(in + j));
        for (; j < n; ++j) out[j] &= in[j];
        // A shorter source reads as zeros past its end.
        std::memset(out + n, 0, max_len - n);
        break;
      case BitOp::kOr:
        for (; j + 8 <= n; j += 8) store64(out + j, load64(out + j) | load64(in + j));
        for (; j < n; ++j) out[j] |= in[j];
        break;
      case BitOp::kXor:
        for (; j + 8 <= n; j += 8) store64(out + j, load64(out + j) ^ load64(in + j));
        for (; j < n; ++j) out[j] ^= in[j];
        break;
      case BitOp::kNot:
        break;
    }
  }
  if (op == BitOp::kNot) {
    size_t j = 0;
    for (; j + 8 <= max_len; j += 8) store64(out + j, ~load64(out + j));
    for (; j < max_len; ++j) out[j] = static_cast<uint8_t>(~out[j]);
  }
  db.set(dest, std::move(result));
  db.signal_modified(dest);
  db.notify(kNotifyString, "set", dest);
  return max_len;
}

uint64_t bitfield_get_unsigned(const uint8_t* p, uint64_t offset, unsigned bits) {
  uint64_t value = 0;
  for (unsigned j = 0; j < bits; ++j, ++offset) {
    value = (value << 1) | ((p[offset >> 3] >> (7 - (offset & 7))) & 1);
  }
  return value;
}

int64_t bitfield_get_signed(const uint8_t* p, uint64_t offset, unsigned bits) {
  uint64_t u = bitfield_get_unsigned(p, offset, bits);
  // Sign-extend from the field's top bit.
  if (bits < 64 && (u & (uint64_t{1} << (bits - 1))) != 0) u |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(u);
}

void bitfield_set(uint8_t* p, uint64_t offset, unsigned bits, uint64_t value) {
  for (unsigned j = 0; j < bits; ++j, ++offset) {
    const auto mask = static_cast<uint8_t>(1u << (7 - (offset & 7)));
    if ((value >> (bits - 1 - j)) & 1) {
      p[offset >> 3] |= mask;
    } else {
      p[offset >> 3] &= static_cast<uint8_t>(~mask);
    }
  }
}

int bitfield_unsigned_overflow(uint64_t value, int64_t incr, unsigned bits, BitfieldOverflow how,
                               uint64_t* limit) {
  const uint64_t max = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  const auto max_incr = static_cast<int64_t>(max - value);
  const auto min_incr = static_cast<int64_t>(-value);
  int result = 0;
  if (value > max || (incr > 0 && incr > max_incr)) {
    result = 1;
    if (how == BitfieldOverflow::kSat) *limit = max;
  } else if (incr < 0 && incr < min_incr) {
    result = -1;
    if (how == BitfieldOverflow::kSat) *limit = 0;
  }
  if (result != 0 && how == BitfieldOverflow::kWrap) {
    const uint64_t mask = bits == 64 ? 0 : ~uint64_t{0} << bits;
    *limit = (value + static_cast<uint64_t>(incr)) & ~mask;
  }
  return result;
}

int bitfield_signed_overflow(int64_t value, int64_t incr, unsigned bits, BitfieldOverflow how,
                             int64_t* limit) {
  const int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  const int64_t min = -max - 1;
  // Both may wrap; they are only used once value is known to be in range, where they do not.
  const auto max_incr =
      static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  const auto min_incr =
      static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  int result = 0;
  if (value > max || (bits != 64 && incr > max_incr) ||
      (value >= 0 && incr > 0 && incr > max_incr)) {
    result = 1;
    if (how == BitfieldOverflow::kSat) *limit = max;
  } else if (value < min || (bits != 64 && incr < min_incr) ||
             (value < 0 && incr < 0 && incr < min_incr)) {
    result = -1;
    if (how == BitfieldOverflow::kSat) *limit = min;
  }
  if (result != 0 && how == BitfieldOverflow::kWrap) {
    uint64_t c = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) {
      const uint64_t mask = ~uint64_t{0} << bits;
      c = (c & (uint64_t{1} << (bits - 1))) != 0 ? (c | mask) : (c & ~mask);
    }
    *limit = static_cast<int64_t>(c);
  }
  return result;
}

OpResult<std::vector<std::optional<int64_t>>> op_bitfield(Database& db, std::string_view key,
                                                          std::span<const BitfieldOp> ops) {
  uint64_t highest = 0;
  bool readonly = true;
  for (const BitfieldOp& op : ops) {
    if (op.opcode == BitfieldOpcode::kGet) continue;
    readonly = false;
    highest = std::max(highest, op.offset + op.bits - 1);
  }
  Entry* e;
  bool dirty = false;
  if (readonly) {
    e = db.find_read(key);
    if (e != nullptr && !e->value.is_string()) return OpStatus::kWrongType;
  } else {
    auto grown = string_for_bits(db, key, highest >> 3, &dirty);
    if (!grown.ok()) return grown.status();
    e = *grown;
  }
  std::vector<std::optional<int64_t>> results;
  results.reserve(ops.size());
  bool changed = dirty;
  bool wrote = false;
  for (const BitfieldOp& op : ops) {
    if (op.opcode == BitfieldOpcode::kGet) {
      // A GET may reach past the end: read from a zero-padded copy of the 9 bytes it can span.
      uint8_t buf[9] = {};
      const uint64_t byte = op.offset >> 3;
      if (e != nullptr) {
        std::string_view s = e->value.str();
        if (byte < s.size()) {
          std::memcpy(buf, s.data() + byte, std::min<size_t>(9, s.size() - byte));
        }
      }
      const uint64_t at = op.offset & 7;
      results.emplace_back(op.is_signed
                               ? bitfield_get_signed(buf, at, op.bits)
                               : static_cast<int64_t>(bitfield_get_unsigned(buf, at, op.bits)));
      continue;
    }
    uint8_t* p = writable(e);
    uint64_t old_bits, new_bits;
    int64_t reply;
    int overflow;
    if (op.is_signed) {
      const int64_t old = bitfield_get_signed(p, op.offset, op.bits);
      int64_t wrapped = 0, next;
      if (op.opcode == BitfieldOpcode::kIncrBy) {
        overflow = bitfield_signed_overflow(old, op.value, op.bits, op.overflow, &wrapped);
        next = overflow != 0 ? wrapped
                             : static_cast<int64_t>(static_cast<uint64_t>(old) +
                                                    static_cast<uint64_t>(op.value));
        reply = next;
      } else {
        overflow = bitfield_signed_overflow(op.value, 0, op.bits, op.overflow, &wrapped);
        next = overflow != 0 ? wrapped : op.value;
        reply = old;
      }
      old_bits = static_cast<uint64_t>(old);
      new_bits = static_cast<uint64_t>(next);
    } else {
      const uint64_t old = bitfield_get_unsigned(p, op.offset, op.bits);
      uint64_t wrapped = 0, next;
      if (op.opcode == BitfieldOpcode::kIncrBy) {
        overflow = bitfield_unsigned_overflow(old, op.value, op.bits, op.overflow, &wrapped);
        next = overflow != 0 ? wrapped : old + static_cast<uint64_t>(op.value);
        reply = static_cast<int64_t>(next);
      } else {
        const auto value = static_cast<uint64_t>(op.value);
        overflow = bitfield_unsigned_overflow(value, 0, op.bits, op.overflow, &wrapped);
        next = overflow != 0 ? wrapped : value;
        reply = static_cast<int64_t>(old);
      }
      old_bits = old;
      new_bits = next;
    }
    if (overflow != 0 && op.overflow == BitfieldOverflow::kFail) {
      results.emplace_back(std::nullopt);
      continue;
    }
    results.emplace_back(reply);
    bitfield_set(p, op.offset, op.bits, new_bits);
    if (old_bits != new_bits) changed = true;
    // Redis's `changes`: a write that ran and changed the value or created/grew the key.
    if (dirty || old_bits != new_bits) wrote = true;
  }
  // Redis signals only when a field changed; a key created or grown by a write that FAIL then
  // refused is signalled too, so that replaying the effects rebuilds the same value. Its event
  // goes only where Redis sends one.
  if (changed) db.signal_modified(key);
  if (wrote) db.notify(kNotifyString, "setbit", key);
  return results;
}

uint64_t bitmap_offset_limit(int64_t proto_max_bulk_len) {
  return std::min<uint64_t>(static_cast<uint64_t>(std::max<int64_t>(proto_max_bulk_len, 0)),
                            UINT32_MAX - 16);
}

namespace {

// ============================ Cmd side: arguments and replies ===================================

void reply_status(CommandContext& ctx, OpStatus status) {
  ctx.reply.error(op_status_error(status));
}

// Redis's getBitOffsetFromArgument: a bit offset, or with `bits` a "#n" offset meaning n * bits.
std::optional<uint64_t> parse_bit_offset(const CommandContext& ctx, std::string_view arg,
                                         unsigned bits) {
  const bool by_field = bits > 0 && !arg.empty() && arg[0] == '#';
  auto v = parse_int64(by_field ? arg.substr(1) : arg);
  if (!v) return std::nullopt;
  int64_t offset = *v;
  if (by_field && __builtin_mul_overflow(offset, static_cast<int64_t>(bits), &offset)) {
    return std::nullopt;
  }
  if (offset < 0 || (static_cast<uint64_t>(offset) >> 3) >=
                        bitmap_offset_limit(ctx.config().proto_max_bulk_len)) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(offset);
}

// Redis's getBitfieldTypeFromArgument: i1..i64 or u1..u63.
bool parse_bitfield_type(std::string_view arg, bool* is_signed, uint8_t* bits) {
  if (arg.empty() || (arg[0] != 'i' && arg[0] != 'u')) return false;
  *is_signed = arg[0] == 'i';
  // Redis reads the width as a C string: it ends at a NUL byte.
  std::string_view width = arg.substr(1);
  width = width.substr(0, width.find('\0'));
  auto n = parse_int64(width);
  if (!n || *n < 1 || *n > (*is_signed ? 64 : 63)) return false;
  *bits = static_cast<uint8_t>(*n);
  return true;
}

// BYTE or BIT (case-insensitive), or nullopt.
std::optional<BitUnit> parse_unit(std::string_view arg) {
  if (iequals(arg, "BIT")) return BitUnit::kBit;
  if (iequals(arg, "BYTE")) return BitUnit::kByte;
  return std::nullopt;
}

// SETBIT key offset value
void cmd_setbit(CommandContext& ctx) {
  auto offset = parse_bit_offset(ctx, ctx.arg(2), 0);
  if (!offset) return ctx.reply.error(err::kBitOffset);
  auto on = parse_int64(ctx.arg(3));
  if (!on || (*on & ~int64_t{1}) != 0) return ctx.reply.error(err::kBitValue);
  auto r = op_setbit(ctx.db(), ctx.arg(1), *offset, *on == 1);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r);
}

// GETBIT key offset
void cmd_getbit(CommandContext& ctx) {
  auto offset = parse_bit_offset(ctx, ctx.arg(2), 0);
  if (!offset) return ctx.reply.error(err::kBitOffset);
  auto r = op_getbit(ctx.db(), ctx.arg(1), *offset);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r);
}

// BITCOUNT key [start end [BYTE|BIT]]
void cmd_bitcount(CommandContext& ctx) {
  // The key is looked at first: a missing one answers 0 whatever the other arguments say.
  auto s = op_bitmap_read(ctx.db(), ctx.arg(1));
  if (!s.ok()) return reply_status(ctx, s.status());
  if (!s->has_value()) return ctx.reply.integer(0);
  if (ctx.argc() == 2) return ctx.reply.integer(static_cast<int64_t>(popcount_bytes(**s)));
  if (ctx.argc() != 4 && ctx.argc() != 5) return ctx.reply.error(err::kSyntax);
  ArgParser p(ctx.argv, 2);
  int64_t start = p.next_int();
  int64_t end = p.ok() ? p.next_int() : 0;
  if (!p.ok_or_reply(ctx.reply)) return;
  // Crossed negative indexes answer 0 before the unit is read.
  if (start < 0 && end < 0 && start > end) return ctx.reply.integer(0);
  BitUnit unit = BitUnit::kByte;
  if (ctx.argc() == 5) {
    auto u = parse_unit(ctx.arg(4));
    if (!u) return ctx.reply.error(err::kSyntax);
    unit = *u;
  }
  ctx.reply.integer(bitmap_count(**s, start, end, unit));
}

// BITPOS key bit [start [end [BYTE|BIT]]]
void cmd_bitpos(CommandContext& ctx) {
  ArgParser p(ctx.argv, 2);
  int64_t bit = p.next_int();
  if (!p.ok_or_reply(ctx.reply)) return;
  if (bit != 0 && bit != 1) return ctx.reply.error(err::kBitArgument);
  auto s = op_bitmap_read(ctx.db(), ctx.arg(1));
  if (!s.ok()) return reply_status(ctx, s.status());
  // A missing key is an endless run of zeros.
  if (!s->has_value()) return ctx.reply.integer(bit == 1 ? -1 : 0);
  if (ctx.argc() == 3) return ctx.reply.integer(bitmap_pos(**s, static_cast<int>(bit), 0, {}, {}));
  if (ctx.argc() > 6) return ctx.reply.error(err::kSyntax);
  int64_t start = p.next_int();
  if (!p.ok_or_reply(ctx.reply)) return;
  BitUnit unit = BitUnit::kByte;
  if (ctx.argc() == 6) {
    auto u = parse_unit(ctx.arg(5));
    if (!u) return ctx.reply.error(err::kSyntax);
    unit = *u;
  }
  std::optional<int64_t> end;
  if (ctx.argc() >= 5) {
    end = p.next_int();
    if (!p.ok_or_reply(ctx.reply)) return;
  }
  ctx.reply.integer(bitmap_pos(**s, static_cast<int>(bit), start, end, unit));
}

// BITOP <AND | OR | XOR | NOT> destkey key [key ...]
void cmd_bitop(CommandContext& ctx) {
  std::string_view name = ctx.arg(1);
  BitOp op;
  if (iequals(name, "AND")) {
    op = BitOp::kAnd;
  } else if (iequals(name, "OR")) {
    op = BitOp::kOr;
  } else if (iequals(name, "XOR")) {
    op = BitOp::kXor;
  } else if (iequals(name, "NOT")) {
    op = BitOp::kNot;
  } else {
    return ctx.reply.error(err::kSyntax);
  }
  if (op == BitOp::kNot && ctx.argc() != 4) return ctx.reply.error(err::kBitopNot);
  auto r = op_bitop(ctx.db(), op, ctx.arg(2), ctx.argv.subspan(3));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// Redis's bitfieldGeneric: BITFIELD key [GET type offset] [SET type offset value]
// [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ..., and BITFIELD_RO (GETs only).
void bitfield_generic(CommandContext& ctx, bool readonly_command) {
  std::vector<BitfieldOp> ops;
  BitfieldOverflow overflow = BitfieldOverflow::kWrap;
  bool writes = false;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    const size_t remaining = ctx.argc() - j - 1;
    std::string_view sub = ctx.arg(j);
    BitfieldOp op;
    if (iequals(sub, "GET") && remaining >= 2) {
      op.opcode = BitfieldOpcode::kGet;
    } else if (iequals(sub, "SET") && remaining >= 3) {
      op.opcode = BitfieldOpcode::kSet;
    } else if (iequals(sub, "INCRBY") && remaining >= 3) {
      op.opcode = BitfieldOpcode::kIncrBy;
    } else if (iequals(sub, "OVERFLOW") && remaining >= 1) {
      std::string_view how = ctx.arg(++j);
      if (iequals(how, "WRAP")) {
        overflow = BitfieldOverflow::kWrap;
      } else if (iequals(how, "SAT")) {
        overflow = BitfieldOverflow::kSat;
      } else if (iequals(how, "FAIL")) {
        overflow = BitfieldOverflow::kFail;
      } else {
        return ctx.reply.error(err::kBitfieldOverflow);
      }
      continue;
    } else {
      return ctx.reply.error(err::kSyntax);
    }
    if (!parse_bitfield_type(ctx.arg(j + 1), &op.is_signed, &op.bits)) {
      return ctx.reply.error(err::kBitfieldType);
    }
    auto offset = parse_bit_offset(ctx, ctx.arg(j + 2), op.bits);
    if (!offset) return ctx.reply.error(err::kBitOffset);
    op.offset = *offset;
    if (op.opcode != BitfieldOpcode::kGet) {
      writes = true;
      auto v = parse_int64(ctx.arg(j + 3));
      if (!v) return ctx.reply.error(err::kNotInteger);
      op.value = *v;
    }
    op.overflow = overflow;
    ops.push_back(op);
    j += op.opcode == BitfieldOpcode::kGet ? 2 : 3;
  }
  if (writes && readonly_command) return ctx.reply.error(err::kBitfieldRo);
  auto r = op_bitfield(ctx.db(), ctx.arg(1), ops);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.array(r->size());
  for (const std::optional<int64_t>& v : *r) {
    if (v) {
      ctx.reply.integer(*v);
    } else {
      ctx.reply.null();
    }
  }
}

void cmd_bitfield(CommandContext& ctx) { bitfield_generic(ctx, false); }
void cmd_bitfield_ro(CommandContext& ctx) { bitfield_generic(ctx, true); }

}  // namespace

void register_bitmaps(CommandTable& table) {
  constexpr std::string_view kGroup = "bitmap";
  constexpr std::string_view kAcl = "@bitmap";
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kOom = kCmdDenyOom, kFast = kCmdFast;
  const CommandSpec specs[] = {
      {"setbit", 4, kW | kOom, 1, 1, 1, cmd_setbit, kGroup,
       "Sets or clears the bit at offset in the string value stored at key", kAcl},
      {"getbit", 3, kR | kFast, 1, 1, 1, cmd_getbit, kGroup,
       "Returns the bit value at offset in the string value stored at key", kAcl},
      {"bitcount", -2, kR, 1, 1, 1, cmd_bitcount, kGroup, "Count set bits in a string", kAcl},
      {"bitpos", -3, kR, 1, 1, 1, cmd_bitpos, kGroup, "Find first bit set or clear in a string",
       kAcl},
      {"bitop", -4, kW | kOom, 2, -1, 1, cmd_bitop, kGroup,
       "Perform bitwise operations between strings", kAcl},
      {"bitfield", -2, kW | kOom, 1, 1, 1, cmd_bitfield, kGroup,
       "Perform arbitrary bitfield integer operations on strings", kAcl},
      {"bitfield_ro", -2, kR | kFast, 1, 1, 1, cmd_bitfield_ro, kGroup,
       "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
       kAcl},
  };
  for (const CommandSpec& spec : specs) table.add(spec);
}

}  // namespace basalt
