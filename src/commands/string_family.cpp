// The string family (Redis's t_string.c): GET/SET and their variants, counters, ranges and LCS.
// Replies, reply types and errors follow Redis 7.0 exactly, including the order in which errors
// are checked (it decides which error a client sees when several apply).

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.hpp"
#include "commands/command_table.hpp"
#include "commands/engine.hpp"
#include "commands/errors.hpp"
#include "commands/families.hpp"
#include "commands/helpers.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"

namespace basalt {

namespace {

// --- Shared pieces ------------------------------------------------------------------------------

// What the store operations of this family can report; reply_status() words it as Redis does.
enum class OpStatus : uint8_t { kOk, kWrongType, kNotInteger, kNotFloat, kOverflow, kNanOrInf };

void reply_status(CommandContext& ctx, OpStatus status) {
  switch (status) {
    case OpStatus::kOk:
      break;
    case OpStatus::kWrongType:
      ctx.reply.error(err::kWrongType);
      break;
    case OpStatus::kNotInteger:
      ctx.reply.error(err::kNotInteger);
      break;
    case OpStatus::kNotFloat:
      ctx.reply.error(err::kNotFloat);
      break;
    case OpStatus::kOverflow:
      ctx.reply.error(err::kOverflow);
      break;
    case OpStatus::kNanOrInf:
      ctx.reply.error(err::kIncrNanOrInf);
      break;
  }
}

std::optional<std::string_view> string_of(const Entry* e) {
  if (e == nullptr) return std::nullopt;
  return e->value.str();
}

// Redis's checkStringLength: a write may not grow a string past proto-max-bulk-len. A Value's
// length field is 32 bits, so that is a limit too, whatever the configuration allows.
bool check_string_length_or_reply(CommandContext& ctx, uint64_t size, uint64_t append) {
  uint64_t limit =
      std::min<uint64_t>(static_cast<uint64_t>(ctx.config().proto_max_bulk_len), UINT32_MAX);
  // Both operands are below 2^63, so the sum cannot wrap.
  if (size + append > limit) {
    ctx.reply.error(err::kStringTooLong);
    return false;
  }
  return true;
}

// Writes a string over whatever the key held (any type), as Redis's setKey. The caller has
// looked the key up (e, nullptr if absent) and signals the modification.
Entry* store_string(Database& db, Entry* e, std::string_view key, std::string_view value,
                    bool keep_ttl) {
  if (e == nullptr) return db.add(key, Value(value));
  e->value.assign(value);
  if (!keep_ttl) db.clear_expire(e);
  return e;
}

// --- SET options --------------------------------------------------------------------------------

// Redis's OBJ_* flags of SET and GETEX.
enum SetFlag : uint32_t {
  kSetNx = 1u << 0,
  kSetXx = 1u << 1,
  kSetGet = 1u << 2,
  kSetKeepTtl = 1u << 3,
  kSetPersist = 1u << 4,
  kSetEx = 1u << 5,
  kSetPx = 1u << 6,
  kSetExAt = 1u << 7,
  kSetPxAt = 1u << 8,
};
constexpr uint32_t kSetAnyExpire = kSetEx | kSetPx | kSetExAt | kSetPxAt;

enum class OptionsOf : uint8_t { kSet, kGetEx };

struct SetOption {
  std::string_view name;
  uint32_t flag;
  uint32_t conflicts;  // flags that make this option a syntax error if already given
  bool for_set, for_getex;
  bool takes_value;
};

// Redis's parseExtendedStringArgumentsOrReply, as a table. An option may repeat (the last EX
// wins) but not contradict an earlier one, whatever the order.
constexpr SetOption kSetOptions[] = {
    {"NX", kSetNx, kSetXx, true, false, false},
    {"XX", kSetXx, kSetNx, true, false, false},
    {"GET", kSetGet, 0, true, false, false},
    {"KEEPTTL", kSetKeepTtl, kSetPersist | kSetAnyExpire, true, false, false},
    {"PERSIST", kSetPersist, kSetKeepTtl | kSetAnyExpire, false, true, false},
    {"EX", kSetEx, kSetKeepTtl | kSetPersist | (kSetAnyExpire & ~kSetEx), true, true, true},
    {"PX", kSetPx, kSetKeepTtl | kSetPersist | (kSetAnyExpire & ~kSetPx), true, true, true},
    {"EXAT", kSetExAt, kSetKeepTtl | kSetPersist | (kSetAnyExpire & ~kSetExAt), true, true, true},
    {"PXAT", kSetPxAt, kSetKeepTtl | kSetPersist | (kSetAnyExpire & ~kSetPxAt), true, true, true},
};

bool parse_set_options_or_reply(CommandContext& ctx, size_t first, OptionsOf command,
                                uint32_t* flags, std::string_view* expire) {
  for (size_t j = first; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    bool has_next = j + 1 < ctx.argc();
    const SetOption* match = nullptr;
    for (const SetOption& o : kSetOptions) {
      if (iequals(opt, o.name)) {
        match = &o;
        break;
      }
    }
    bool allowed = match != nullptr &&
                   (command == OptionsOf::kSet ? match->for_set : match->for_getex) &&
                   (*flags & match->conflicts) == 0 && (!match->takes_value || has_next);
    if (!allowed) {
      ctx.reply.error(err::kSyntax);
      return false;
    }
    *flags |= match->flag;
    if (match->takes_value) *expire = ctx.arg(++j);
  }
  return true;
}

// Redis's getExpireMillisecondsOrReply: the EX/PX/EXAT/PXAT value as an absolute unix-ms time.
// Zero, negative and overflowing values are "invalid expire time in '<command>' command".
bool expire_at_or_reply(CommandContext& ctx, std::string_view arg, uint32_t flags, int64_t* when) {
  int64_t v;
  if (!parse_int_or_reply(ctx, arg, &v)) return false;
  std::optional<int64_t> ms;
  if (v > 0) {
    int64_t unit = (flags & (kSetEx | kSetExAt)) ? 1000 : 1;
    bool absolute = (flags & (kSetExAt | kSetPxAt)) != 0;
    ms = expire_to_absolute_ms(v, unit, absolute, ctx.now_ms());
  }
  if (!ms || *ms <= 0) {
    ctx.reply.error(err::invalid_expire(ctx.command.full_name));
    return false;
  }
  *when = *ms;
  return true;
}

// --- SET, SETNX, SETEX, PSETEX, GET, GETSET, GETDEL, GETEX ---------------------------------------

// SET answers +OK, or nil when NX/XX stop it; SETNX answers 1 or 0.
enum class SetReply : uint8_t { kOkOrNil, kOneOrZero };

// Redis's setGenericCommand, serving SET, SETNX, SETEX and PSETEX. The expiry is validated before
// anything happens. With GET the old value is the reply (and a list key is WRONGTYPE, left
// untouched), and NX/XX may still stop the write after it.
void set_generic(CommandContext& ctx, uint32_t flags, std::string_view key, std::string_view value,
                 std::string_view expire, SetReply kind) {
  int64_t when = kNoExpire;
  if ((flags & kSetAnyExpire) && !expire_at_or_reply(ctx, expire, flags, &when)) return;

  Database& db = ctx.db();
  const bool get = (flags & kSetGet) != 0;
  Entry* e;
  if (get) {
    bool wrong_type;
    e = find_typed_for_read_or_reply(ctx, key, ValueType::kString, &wrong_type);
    if (wrong_type) return;
    ctx.reply.bulk_or_null(string_of(e));
  } else {
    e = db.find(key);
  }

  if (((flags & kSetNx) && e != nullptr) || ((flags & kSetXx) && e == nullptr)) {
    if (get) return;
    if (kind == SetReply::kOkOrNil) {
      ctx.reply.null();
    } else {
      ctx.reply.integer(0);
    }
    return;
  }

  e = store_string(db, e, key, value, (flags & kSetKeepTtl) != 0);
  if (when != kNoExpire) {
    set_expire_or_delete(ctx, e, when);  // signals the key
  } else {
    db.signal_modified(key);
  }
  if (get) return;
  if (kind == SetReply::kOkOrNil) {
    ctx.reply.ok();
  } else {
    ctx.reply.integer(1);
  }
}

// SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|
//     PXAT unix-time-milliseconds|KEEPTTL]
void cmd_set(CommandContext& ctx) {
  uint32_t flags = 0;
  std::string_view expire;
  if (!parse_set_options_or_reply(ctx, 3, OptionsOf::kSet, &flags, &expire)) return;
  set_generic(ctx, flags, ctx.arg(1), ctx.arg(2), expire, SetReply::kOkOrNil);
}

// SETNX key value
void cmd_setnx(CommandContext& ctx) {
  set_generic(ctx, kSetNx, ctx.arg(1), ctx.arg(2), {}, SetReply::kOneOrZero);
}

// SETEX key seconds value
void cmd_setex(CommandContext& ctx) {
  set_generic(ctx, kSetEx, ctx.arg(1), ctx.arg(3), ctx.arg(2), SetReply::kOkOrNil);
}

// PSETEX key milliseconds value
void cmd_psetex(CommandContext& ctx) {
  set_generic(ctx, kSetPx, ctx.arg(1), ctx.arg(3), ctx.arg(2), SetReply::kOkOrNil);
}

// Redis's getGenericCommand: replies with the value or nil. Returns false after WRONGTYPE; *out
// is the entry (nullptr when absent) for commands that go on to change it.
bool get_generic(CommandContext& ctx, Entry** out) {
  bool wrong_type;
  Entry* e = find_typed_for_read_or_reply(ctx, ctx.arg(1), ValueType::kString, &wrong_type);
  if (wrong_type) return false;
  ctx.reply.bulk_or_null(string_of(e));
  *out = e;
  return true;
}

// GET key
void cmd_get(CommandContext& ctx) {
  Entry* e;
  get_generic(ctx, &e);
}

// GETSET key value
void cmd_getset(CommandContext& ctx) {
  Entry* e;
  if (!get_generic(ctx, &e)) return;
  store_string(ctx.db(), e, ctx.arg(1), ctx.arg(2), false);
  ctx.db().signal_modified(ctx.arg(1));
}

// GETDEL key
void cmd_getdel(CommandContext& ctx) {
  Entry* e;
  if (!get_generic(ctx, &e) || e == nullptr) return;
  ctx.db().signal_modified(ctx.arg(1));
  ctx.db().erase(e);
}

// GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]
void cmd_getex(CommandContext& ctx) {
  uint32_t flags = 0;
  std::string_view expire;
  if (!parse_set_options_or_reply(ctx, 2, OptionsOf::kGetEx, &flags, &expire)) return;
  bool wrong_type;
  Entry* e = find_typed_for_read_or_reply(ctx, ctx.arg(1), ValueType::kString, &wrong_type);
  if (wrong_type) return;
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  // Unlike SET, a missing key answers nil before the expiry is looked at.
  int64_t when = kNoExpire;
  if ((flags & kSetAnyExpire) && !expire_at_or_reply(ctx, expire, flags, &when)) return;
  ctx.reply.bulk(e->value.str());
  if (when != kNoExpire) {
    set_expire_or_delete(ctx, e, when);
  } else if ((flags & kSetPersist) && ctx.db().clear_expire(e)) {
    ctx.db().signal_modified(ctx.arg(1));
  }
}

// --- MGET, MSET, MSETNX
// ---------------------------------------------------------------------------

// MGET key [key ...]
void cmd_mget(CommandContext& ctx) {
  Database& db = ctx.db();
  ctx.reply.array(ctx.argc() - 1);
  for (size_t j = 1; j < ctx.argc(); ++j) {
    Entry* e = db.find_read(ctx.arg(j));
    // A key of another type reads as missing here, not as an error.
    if (e != nullptr && e->value.is_string()) {
      ctx.reply.bulk(e->value.str());
    } else {
      ctx.reply.null();
    }
  }
}

// Redis's msetGenericCommand: MSET and MSETNX. MSETNX writes nothing if any key exists (of any
// type); both overwrite keys of any type and drop their TTLs.
void mset_generic(CommandContext& ctx, bool nx) {
  if (ctx.argc() % 2 == 0) {
    ctx.reply.error(err::wrong_arity(ctx.command.full_name));
    return;
  }
  Database& db = ctx.db();
  if (nx) {
    for (size_t j = 1; j < ctx.argc(); j += 2) {
      if (db.find(ctx.arg(j)) != nullptr) {
        ctx.reply.integer(0);
        return;
      }
    }
  }
  for (size_t j = 1; j < ctx.argc(); j += 2) {
    std::string_view key = ctx.arg(j);
    store_string(db, db.find(key), key, ctx.arg(j + 1), false);
    db.signal_modified(key);
  }
  if (nx) {
    ctx.reply.integer(1);
  } else {
    ctx.reply.ok();
  }
}

// MSET key value [key value ...]
void cmd_mset(CommandContext& ctx) { mset_generic(ctx, false); }

// MSETNX key value [key value ...]
void cmd_msetnx(CommandContext& ctx) { mset_generic(ctx, true); }

// --- Counters
// -------------------------------------------------------------------------------------

// Adds delta to the integer at key (0 if absent). The key keeps its TTL, as in Redis (the value
// is overwritten, not the key).
OpStatus op_incr_by(Database& db, std::string_view key, int64_t delta, int64_t* result) {
  Entry* e = db.find(key);
  int64_t value = 0;
  if (e != nullptr) {
    if (!e->value.is_string()) return OpStatus::kWrongType;
    auto v = parse_int64(e->value.str());
    if (!v) return OpStatus::kNotInteger;
    value = *v;
  }
  if (__builtin_add_overflow(value, delta, &value)) return OpStatus::kOverflow;
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  std::string_view digits(buf, static_cast<size_t>(r.ptr - buf));
  if (e != nullptr) {
    e->value.assign(digits);
  } else {
    db.add(key, Value(digits));
  }
  db.signal_modified(key);
  *result = value;
  return OpStatus::kOk;
}

// Redis's incrDecrCommand: INCR, DECR, INCRBY, DECRBY.
void incr_decr(CommandContext& ctx, int64_t delta) {
  int64_t result;
  OpStatus status = op_incr_by(ctx.db(), ctx.arg(1), delta, &result);
  if (status != OpStatus::kOk) {
    reply_status(ctx, status);
    return;
  }
  ctx.reply.integer(result);
}

// INCR key
void cmd_incr(CommandContext& ctx) { incr_decr(ctx, 1); }

// DECR key
void cmd_decr(CommandContext& ctx) { incr_decr(ctx, -1); }

// INCRBY key increment
void cmd_incrby(CommandContext& ctx) {
  int64_t delta;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &delta)) return;
  incr_decr(ctx, delta);
}

// DECRBY key decrement
void cmd_decrby(CommandContext& ctx) {
  int64_t delta;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &delta)) return;
  if (delta == INT64_MIN) {  // its negation does not exist
    ctx.reply.error(err::kDecrementOverflow);
    return;
  }
  incr_decr(ctx, -delta);
}

// Redis's incrbyfloatCommand store work: long double arithmetic, the result stored (and returned)
// in Redis's human-friendly "%.17Lf" form. Keeps the TTL.
OpStatus op_incr_by_float(Database& db, std::string_view key, std::string_view increment,
                          std::string* result) {
  Entry* e = db.find(key);
  long double value = 0;
  if (e != nullptr) {
    if (!e->value.is_string()) return OpStatus::kWrongType;
    auto v = parse_long_double(e->value.str());
    if (!v) return OpStatus::kNotFloat;
    value = *v;
  }
  auto incr = parse_long_double(increment);
  if (!incr) return OpStatus::kNotFloat;
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) return OpStatus::kNanOrInf;
  *result = long_double_to_string(value);
  if (e != nullptr) {
    e->value.assign(*result);
  } else {
    db.add(key, Value(*result));
  }
  db.signal_modified(key);
  return OpStatus::kOk;
}

// INCRBYFLOAT key increment
void cmd_incrbyfloat(CommandContext& ctx) {
  std::string result;
  OpStatus status = op_incr_by_float(ctx.db(), ctx.arg(1), ctx.arg(2), &result);
  if (status != OpStatus::kOk) {
    reply_status(ctx, status);
    return;
  }
  ctx.reply.bulk(result);
}

// --- APPEND, STRLEN, GETRANGE, SETRANGE
// -----------------------------------------------------------

// APPEND key value
void cmd_append(CommandContext& ctx) {
  std::string_view key = ctx.arg(1), tail = ctx.arg(2);
  bool wrong_type;
  Entry* e = find_typed_or_reply(ctx, key, ValueType::kString, &wrong_type);
  if (wrong_type) return;
  size_t total;
  if (e == nullptr) {
    // Even an empty value creates the key (SETRANGE's empty write does not).
    ctx.db().add(key, Value(tail));
    total = tail.size();
  } else {
    size_t old_len = e->value.str().size();
    if (!check_string_length_or_reply(ctx, old_len, tail.size())) return;
    total = old_len + tail.size();
    // In place: Value grows its buffer geometrically, so repeated APPENDs are amortised O(1).
    char* p = e->value.resize(total);
    if (!tail.empty()) std::memcpy(p + old_len, tail.data(), tail.size());
  }
  ctx.db().signal_modified(key);
  ctx.reply.integer(static_cast<int64_t>(total));
}

// STRLEN key
void cmd_strlen(CommandContext& ctx) {
  bool wrong_type;
  Entry* e = find_typed_for_read_or_reply(ctx, ctx.arg(1), ValueType::kString, &wrong_type);
  if (wrong_type) return;
  ctx.reply.integer(e != nullptr ? static_cast<int64_t>(e->value.str().size()) : 0);
}

// GETRANGE key start end (and its old name SUBSTR key start end)
void cmd_getrange(CommandContext& ctx) {
  int64_t start, end;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &start) || !parse_int_or_reply(ctx, ctx.arg(3), &end))
    return;
  bool wrong_type;
  Entry* e = find_typed_for_read_or_reply(ctx, ctx.arg(1), ValueType::kString, &wrong_type);
  if (wrong_type) return;
  if (e == nullptr) {
    ctx.reply.bulk({});  // an empty string, not nil
    return;
  }
  std::string_view s = e->value.str();
  const auto len = static_cast<int64_t>(s.size());
  // Both ends negative and crossed: empty, before clamping would turn them into "the first byte".
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.bulk({});
    return;
  }
  if (start < 0) start = std::max<int64_t>(len + start, 0);
  if (end < 0) end = std::max<int64_t>(len + end, 0);
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    ctx.reply.bulk({});
    return;
  }
  ctx.reply.bulk(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

// SETRANGE key offset value
void cmd_setrange(CommandContext& ctx) {
  std::string_view key = ctx.arg(1), value = ctx.arg(3);
  int64_t offset;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &offset)) return;
  if (offset < 0) {
    ctx.reply.error(err::kOffsetOutOfRange);
    return;
  }
  bool wrong_type;
  Entry* e = find_typed_or_reply(ctx, key, ValueType::kString, &wrong_type);
  if (wrong_type) return;
  size_t old_len = e != nullptr ? e->value.str().size() : 0;
  // Writing nothing changes nothing and creates no key, whatever the offset.
  if (value.empty()) {
    ctx.reply.integer(static_cast<int64_t>(old_len));
    return;
  }
  if (!check_string_length_or_reply(ctx, static_cast<uint64_t>(offset), value.size())) return;
  if (e == nullptr) e = ctx.db().add(key, Value());
  size_t end = static_cast<size_t>(offset) + value.size();
  // resize() zero-fills any gap between the old end and the offset, as sdsgrowzero does.
  char* p = e->value.resize(std::max(old_len, end));
  std::memcpy(p + offset, value.data(), value.size());
  ctx.db().signal_modified(key);
  ctx.reply.integer(static_cast<int64_t>(std::max(old_len, end)));
}

// --- LCS
// ------------------------------------------------------------------------------------------

struct LcsMatch {
  uint32_t a_start, a_end, b_start, b_end;
};

struct LcsResult {
  uint32_t len = 0;
  std::string text;              // when wanted
  std::vector<LcsMatch> ranges;  // when wanted: last match first, as Redis emits them
};

// Redis's lcsCommand algorithm: the classic dynamic-programming table of LCS lengths of every
// pair of prefixes, then a walk back from the end that rebuilds the string and the matched
// ranges. The table is (|a|+1)*(|b|+1) 32-bit cells; the caller has bounded it.
void compute_lcs(std::string_view a, std::string_view b, uint32_t* table, bool want_text,
                 bool want_ranges, int64_t min_match_len, LcsResult* out) {
  const auto alen = static_cast<uint32_t>(a.size()), blen = static_cast<uint32_t>(b.size());
  auto cell = [&](uint32_t i, uint32_t j) -> uint32_t& {
    return table[static_cast<size_t>(i) * (blen + 1) + j];
  };
  for (uint32_t i = 0; i <= alen; ++i) {
    for (uint32_t j = 0; j <= blen; ++j) {
      if (i == 0 || j == 0) {
        cell(i, j) = 0;
      } else if (a[i - 1] == b[j - 1]) {
        cell(i, j) = cell(i - 1, j - 1) + 1;
      } else {
        cell(i, j) = std::max(cell(i - 1, j), cell(i, j - 1));
      }
    }
  }
  out->len = cell(alen, blen);
  if (!want_text && !want_ranges) return;

  uint32_t idx = out->len;
  if (want_text) out->text.assign(idx, '\0');
  // arange_start == alen means "no range open".
  uint32_t arange_start = alen, arange_end = 0, brange_start = 0, brange_end = 0;
  uint32_t i = alen, j = blen;
  while (i > 0 && j > 0) {
    bool emit_range = false;
    if (a[i - 1] == b[j - 1]) {
      if (want_text) out->text[idx - 1] = a[i - 1];
      if (arange_start == alen) {
        arange_start = arange_end = i - 1;
        brange_start = brange_end = j - 1;
      } else if (arange_start == i && brange_start == j) {
        // Contiguous with the open range: extend it backwards.
        --arange_start;
        --brange_start;
      } else {
        emit_range = true;
      }
      // A range touching the start of either string is complete: the walk ends with it.
      if (arange_start == 0 || brange_start == 0) emit_range = true;
      --idx;
      --i;
      --j;
    } else {
      if (cell(i - 1, j) > cell(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (arange_start != alen) emit_range = true;
    }
    if (emit_range) {
      uint32_t match_len = arange_end - arange_start + 1;
      if (want_ranges && (min_match_len == 0 || match_len >= min_match_len)) {
        out->ranges.push_back({arange_start, arange_end, brange_start, brange_end});
      }
      arange_start = alen;
    }
  }
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
void cmd_lcs(CommandContext& ctx) {
  Database& db = ctx.db();
  // Redis checks the types before the options, with its own error rather than WRONGTYPE.
  Entry* ea = db.find_read(ctx.arg(1));
  Entry* eb = db.find_read(ctx.arg(2));
  if ((ea != nullptr && !ea->value.is_string()) || (eb != nullptr && !eb->value.is_string())) {
    ctx.reply.error(err::kLcsNotStrings);
    return;
  }
  bool get_len = false, get_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    bool has_next = j + 1 < ctx.argc();
    if (iequals(opt, "IDX")) {
      get_idx = true;
    } else if (iequals(opt, "LEN")) {
      get_len = true;
    } else if (iequals(opt, "WITHMATCHLEN")) {
      with_match_len = true;
    } else if (iequals(opt, "MINMATCHLEN") && has_next) {
      if (!parse_int_or_reply(ctx, ctx.arg(++j), &min_match_len)) return;
      if (min_match_len < 0) min_match_len = 0;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (get_idx && get_len) {
    ctx.reply.error(err::kLcsLenAndIdx);
    return;
  }
  std::string_view a = ea != nullptr ? ea->value.str() : std::string_view();
  std::string_view b = eb != nullptr ? eb->value.str() : std::string_view();
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    ctx.reply.error(err::kLcsTooLong);
    return;
  }
  // The table is transient but can be huge: Redis bounds it by proto-max-bulk-len.
  uint64_t cells, bytes;
  std::unique_ptr<uint32_t[]> table;
  if (!__builtin_mul_overflow(static_cast<uint64_t>(a.size()) + 1,
                              static_cast<uint64_t>(b.size()) + 1, &cells) &&
      !__builtin_mul_overflow(cells, sizeof(uint32_t), &bytes)) {
    if (bytes > static_cast<uint64_t>(ctx.config().proto_max_bulk_len)) {
      ctx.reply.error(err::kLcsTableTooBig);
      return;
    }
    table.reset(new (std::nothrow) uint32_t[cells]);
  }
  if (!table) {
    ctx.reply.error(err::kLcsNoMemory);
    return;
  }

  LcsResult result;
  compute_lcs(a, b, table.get(), !get_idx && !get_len, get_idx, min_match_len, &result);
  if (get_idx) {
    ctx.reply.map(2);
    ctx.reply.bulk("matches");
    ctx.reply.array(result.ranges.size());
    for (const LcsMatch& m : result.ranges) {
      ctx.reply.array(with_match_len ? 3 : 2);
      ctx.reply.array(2);
      ctx.reply.integer(m.a_start);
      ctx.reply.integer(m.a_end);
      ctx.reply.array(2);
      ctx.reply.integer(m.b_start);
      ctx.reply.integer(m.b_end);
      if (with_match_len) ctx.reply.integer(m.a_end - m.a_start + 1);
    }
    ctx.reply.bulk("len");
    ctx.reply.integer(result.len);
  } else if (get_len) {
    ctx.reply.integer(result.len);
  } else {
    ctx.reply.bulk(result.text);
  }
}

}  // namespace

void register_strings(CommandTable& table) {
  constexpr std::string_view kGroup = "string";
  constexpr std::string_view kAcl = "@string";
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kOom = kCmdDenyOom, kFast = kCmdFast;
  const CommandSpec specs[] = {
      {"get", 2, kR | kFast, 1, 1, 1, cmd_get, kGroup, "Get the value of a key", kAcl},
      {"set", -3, kW | kOom, 1, 1, 1, cmd_set, kGroup, "Set the string value of a key", kAcl},
      {"setnx", 3, kW | kOom | kFast, 1, 1, 1, cmd_setnx, kGroup,
       "Set the value of a key, only if the key does not exist", kAcl},
      {"setex", 4, kW | kOom, 1, 1, 1, cmd_setex, kGroup, "Set the value and expiration of a key",
       kAcl},
      {"psetex", 4, kW | kOom, 1, 1, 1, cmd_psetex, kGroup,
       "Set the value and expiration in milliseconds of a key", kAcl},
      {"getset", 3, kW | kOom | kFast, 1, 1, 1, cmd_getset, kGroup,
       "Set the string value of a key and return its old value", kAcl},
      {"getdel", 2, kW | kFast, 1, 1, 1, cmd_getdel, kGroup,
       "Get the value of a key and delete the key", kAcl},
      {"getex", -2, kW | kFast, 1, 1, 1, cmd_getex, kGroup,
       "Get the value of a key and optionally set its expiration", kAcl},
      {"mget", -2, kR | kFast, 1, -1, 1, cmd_mget, kGroup, "Get the values of all the given keys",
       kAcl},
      {"mset", -3, kW | kOom, 1, -1, 2, cmd_mset, kGroup, "Set multiple keys to multiple values",
       kAcl},
      {"msetnx", -3, kW | kOom, 1, -1, 2, cmd_msetnx, kGroup,
       "Set multiple keys to multiple values, only if none of the keys exist", kAcl},
      {"append", 3, kW | kOom | kFast, 1, 1, 1, cmd_append, kGroup, "Append a value to a key",
       kAcl},
      {"strlen", 2, kR | kFast, 1, 1, 1, cmd_strlen, kGroup,
       "Get the length of the value stored in a key", kAcl},
      {"getrange", 4, kR, 1, 1, 1, cmd_getrange, kGroup,
       "Get a substring of the string stored at a key", kAcl},
      {"substr", 4, kR, 1, 1, 1, cmd_getrange, kGroup,
       "Get a substring of the string stored at a key", kAcl},
      {"setrange", 4, kW | kOom, 1, 1, 1, cmd_setrange, kGroup,
       "Overwrite part of a string at key starting at the specified offset", kAcl},
      {"incr", 2, kW | kOom | kFast, 1, 1, 1, cmd_incr, kGroup,
       "Increment the integer value of a key by one", kAcl},
      {"decr", 2, kW | kOom | kFast, 1, 1, 1, cmd_decr, kGroup,
       "Decrement the integer value of a key by one", kAcl},
      {"incrby", 3, kW | kOom | kFast, 1, 1, 1, cmd_incrby, kGroup,
       "Increment the integer value of a key by the given amount", kAcl},
      {"decrby", 3, kW | kOom | kFast, 1, 1, 1, cmd_decrby, kGroup,
       "Decrement the integer value of a key by the given number", kAcl},
      {"incrbyfloat", 3, kW | kOom | kFast, 1, 1, 1, cmd_incrbyfloat, kGroup,
       "Increment the float value of a key by the given amount", kAcl},
      {"lcs", -3, kR, 1, 2, 1, cmd_lcs, kGroup, "Find longest common substring", kAcl},
  };
  for (const CommandSpec& spec : specs) table.add(spec);
}

}  // namespace basalt
