// The string family (Redis's t_string.c): GET/SET and their variants, counters, ranges and LCS.
// Replies, reply types and errors follow Redis 7.0 exactly, including the order in which errors
// are checked (it decides which error a client sees when several apply).
//
// Two halves, as Dragonfly's families: Op functions do the store work on a Database and return an
// OpResult (no client, no reply: persistence loading and per-core shards can call them); cmd_
// functions parse the arguments with ArgParser, call the Op functions and write the reply.

#include "commands/string_family.hpp"

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

// The string at `e`, or nullopt when absent; kWrongType for another type.
OpResult<std::optional<std::string_view>> string_at(const Entry* e) {
  if (e == nullptr) return std::optional<std::string_view>();
  if (!e->value.is_string()) return OpStatus::kWrongType;
  return std::optional<std::string_view>(e->value.str());
}

// Writes a string over whatever the key held (any type), as Redis's setKey. The caller has
// looked the key up (e, nullptr if absent) and signals the modification.
Entry* store_string(Database& db, Entry* e, std::string_view key, std::string_view value,
                    bool keep_ttl) {
  if (e == nullptr) return db.add_string(key, value);
  e->value.assign(value);
  if (!keep_ttl) db.clear_expire(e);
  return e;
}

// Redis's checkStringLength: a write may not grow a string past `max_len` (proto-max-bulk-len,
// and never past a Value's 32-bit length). Both operands are below 2^63: the sum cannot wrap.
bool fits(uint64_t size, uint64_t append, uint64_t max_len) {
  return size + append <= std::min<uint64_t>(max_len, UINT32_MAX);
}

}  // namespace

// GET key (the read path: counts keyspace hits and misses).
OpResult<std::optional<std::string_view>> op_get(Database& db, std::string_view key) {
  return string_at(db.find_read(key));
}

// MGET's per-key read: a key of another type reads as missing, not as an error.
std::optional<std::string_view> op_get_or_nil(Database& db, std::string_view key) {
  const Entry* e = db.find_read(key);
  if (e == nullptr || !e->value.is_string()) return std::nullopt;
  return e->value.str();
}

// Redis's setGenericCommand store work, for SET, SETNX, SETEX and PSETEX. With `get` a key of
// another type is WRONGTYPE and left alone, and the old value is returned even when NX/XX stop
// the write.
OpResult<SetOutcome> op_set(Database& db, std::string_view key, std::string_view value,
                            const SetParams& p) {
  SetOutcome out;
  Entry* e;
  if (p.get) {
    e = db.find_read(key);
    auto old = string_at(e);
    if (!old.ok()) return old.status();
    if (old->has_value()) out.old.emplace(**old);
  } else {
    e = db.find(key);
  }
  if ((p.nx && e != nullptr) || (p.xx && e == nullptr)) return out;
  e = store_string(db, e, key, value, p.keep_ttl);
  db.notify(kNotifyString, "set", key);
  if (p.expire_at != kNoExpire) {
    const bool deleted = expire_or_delete(db, e, p.expire_at);
    db.notify(kNotifyGeneric, "expire", key);
    // Redis keeps such a key until a lookup or its expiry cycle deletes it ("expired" then);
    // Basalt deletes it now, and says so now.
    if (deleted) db.notify(kNotifyExpired, "expired", key);
  } else {
    db.signal_modified(key);
  }
  out.written = true;
  return out;
}

// GETSET key value: the old value (or nullopt), and the key holds `value` with no TTL.
OpResult<std::optional<std::string>> op_getset(Database& db, std::string_view key,
                                               std::string_view value) {
  Entry* e = db.find_read(key);
  auto old = string_at(e);
  if (!old.ok()) return old.status();
  std::optional<std::string> copy;
  if (old->has_value()) copy.emplace(**old);
  store_string(db, e, key, value, false);
  db.signal_modified(key);
  db.notify(kNotifyString, "set", key);
  return copy;
}

// GETDEL key: the value (or nullopt), and the key is gone.
OpResult<std::optional<std::string>> op_getdel(Database& db, std::string_view key) {
  Entry* e = db.find_read(key);
  auto value = string_at(e);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::optional<std::string>();
  std::optional<std::string> copy(std::in_place, **value);
  db.signal_modified(key);
  db.erase(e);
  db.notify(kNotifyGeneric, "del", key);
  return copy;
}

// GETEX's change to an existing key: a new expiry (or deletion, when it is past) or PERSIST.
void op_getex_update(Database& db, std::string_view key, int64_t expire_at, bool persist) {
  Entry* e = db.find(key);
  if (e == nullptr) return;
  if (expire_at != kNoExpire) {
    db.notify(kNotifyGeneric, expire_or_delete(db, e, expire_at) ? "del" : "expire", key);
  } else if (persist && db.clear_expire(e)) {
    db.signal_modified(key);
    db.notify(kNotifyGeneric, "persist", key);
  }
}

// MSET / MSETNX over key, value, key, value ...: MSETNX writes nothing if any key exists (of any
// type); both overwrite keys of any type and drop their TTLs. Returns whether it wrote.
bool op_mset(Database& db, std::span<const std::string_view> pairs, bool nx) {
  if (nx) {
    for (size_t j = 0; j < pairs.size(); j += 2) {
      if (db.find(pairs[j]) != nullptr) return false;
    }
  }
  for (size_t j = 0; j < pairs.size(); j += 2) {
    store_string(db, db.find(pairs[j]), pairs[j], pairs[j + 1], false);
    db.signal_modified(pairs[j]);
    db.notify(kNotifyString, "set", pairs[j]);
  }
  return true;
}

// Adds delta to the integer at key (0 if absent). The key keeps its TTL, as in Redis (the value
// is overwritten, not the key).
OpResult<int64_t> op_incr_by(Database& db, std::string_view key, int64_t delta) {
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
  db.notify(kNotifyString, "incrby", key);
  return value;
}

// Redis's incrbyfloatCommand store work: long double arithmetic, the result stored (and returned)
// in Redis's human-friendly "%.17Lf" form. Keeps the TTL.
OpResult<std::string> op_incr_by_float(Database& db, std::string_view key,
                                       std::string_view increment) {
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
  std::string result = long_double_to_string(value);
  if (e != nullptr) {
    e->value.assign(result);
  } else {
    db.add(key, Value(result));
  }
  db.signal_modified(key);
  db.notify(kNotifyString, "incrbyfloat", key);
  return result;
}

// APPEND key value: the new length.
OpResult<size_t> op_append(Database& db, std::string_view key, std::string_view tail,
                           uint64_t max_len) {
  Entry* e = db.find(key);
  if (e != nullptr && !e->value.is_string()) return OpStatus::kWrongType;
  size_t total;
  if (e == nullptr) {
    // Even an empty value creates the key (SETRANGE's empty write does not).
    db.add(key, Value(tail));
    total = tail.size();
  } else {
    size_t old_len = e->value.str().size();
    if (!fits(old_len, tail.size(), max_len)) return OpStatus::kStringTooLong;
    total = old_len + tail.size();
    // In place: Value grows its buffer geometrically, so repeated APPENDs are amortised O(1).
    char* p = e->value.resize(total);
    if (!tail.empty()) std::memcpy(p + old_len, tail.data(), tail.size());
  }
  db.signal_modified(key);
  db.notify(kNotifyString, "append", key);
  return total;
}

// STRLEN key
OpResult<size_t> op_strlen(Database& db, std::string_view key) {
  auto s = op_get(db, key);
  if (!s.ok()) return s.status();
  return s->has_value() ? (*s)->size() : 0;
}

// GETRANGE key start end: Redis's clamping of both ends; "" (never nil) for a missing key.
OpResult<std::string_view> op_getrange(Database& db, std::string_view key, int64_t start,
                                       int64_t end) {
  auto got = op_get(db, key);
  if (!got.ok()) return got.status();
  if (!got->has_value()) return std::string_view();
  std::string_view s = **got;
  const auto len = static_cast<int64_t>(s.size());
  // Both ends negative and crossed: empty, before clamping would turn them into "the first byte".
  if (start < 0 && end < 0 && start > end) return std::string_view();
  if (start < 0) start = std::max<int64_t>(len + start, 0);
  if (end < 0) end = std::max<int64_t>(len + end, 0);
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return std::string_view();
  return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

// SETRANGE key offset value (offset >= 0): the length after the write.
OpResult<size_t> op_setrange(Database& db, std::string_view key, uint64_t offset,
                             std::string_view value, uint64_t max_len) {
  Entry* e = db.find(key);
  if (e != nullptr && !e->value.is_string()) return OpStatus::kWrongType;
  size_t old_len = e != nullptr ? e->value.str().size() : 0;
  // Writing nothing changes nothing and creates no key, whatever the offset.
  if (value.empty()) return old_len;
  if (!fits(offset, value.size(), max_len)) return OpStatus::kStringTooLong;
  if (e == nullptr) e = db.add(key, Value());
  size_t end = static_cast<size_t>(offset) + value.size();
  // resize() zero-fills any gap between the old end and the offset, as sdsgrowzero does.
  char* p = e->value.resize(std::max(old_len, end));
  std::memcpy(p + offset, value.data(), value.size());
  db.signal_modified(key);
  db.notify(kNotifyString, "setrange", key);
  return std::max(old_len, end);
}

// LCS's inputs: both strings ("" when absent); kWrongType if either key holds another type.
OpResult<std::pair<std::string_view, std::string_view>> op_lcs_inputs(Database& db,
                                                                      std::string_view key1,
                                                                      std::string_view key2) {
  auto a = string_at(db.find_read(key1));
  auto b = string_at(db.find_read(key2));
  if (!a.ok() || !b.ok()) return OpStatus::kWrongType;
  return std::pair(a->value_or(std::string_view()), b->value_or(std::string_view()));
}

namespace {

// ============================ Cmd side: arguments and replies ===================================

// The first failure of an Op, in Redis's words.
void reply_status(CommandContext& ctx, OpStatus status) {
  ctx.reply.error(op_status_error(status));
}

uint64_t max_string_len(const CommandContext& ctx) {
  return static_cast<uint64_t>(ctx.config().proto_max_bulk_len);
}

// --- SET options: one declarative table, read with ArgParser ----------------------------------

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

struct SetArgs {
  uint32_t flags = 0;
  std::string_view expire;  // the EX/PX/EXAT/PXAT value as given
};

SetArgs parse_set_options(ArgParser& p, OptionsOf command) {
  SetArgs out;
  while (p.ok() && p.has_next()) {
    std::string_view word = p.next();
    const SetOption* match = nullptr;
    for (const SetOption& o : kSetOptions) {
      if (iequals(word, o.name)) {
        match = &o;
        break;
      }
    }
    if (match == nullptr || !(command == OptionsOf::kSet ? match->for_set : match->for_getex) ||
        (out.flags & match->conflicts) != 0 || (match->takes_value && !p.has_next())) {
      p.fail(err::kSyntax);
      break;
    }
    out.flags |= match->flag;
    if (match->takes_value) out.expire = p.next();
  }
  return out;
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

// Serves SET, SETNX, SETEX and PSETEX. The expiry is validated before anything happens; with GET
// the old value is the reply.
void set_generic(CommandContext& ctx, uint32_t flags, std::string_view key, std::string_view value,
                 std::string_view expire, SetReply kind) {
  SetParams params;
  params.nx = (flags & kSetNx) != 0;
  params.xx = (flags & kSetXx) != 0;
  params.get = (flags & kSetGet) != 0;
  params.keep_ttl = (flags & kSetKeepTtl) != 0;
  if ((flags & kSetAnyExpire) && !expire_at_or_reply(ctx, expire, flags, &params.expire_at)) {
    return;
  }
  auto r = op_set(ctx.db(), key, value, params);
  if (!r.ok()) return reply_status(ctx, r.status());
  // Any expiry replays as the absolute millisecond it meant, in Redis 7.0's exact form (SET key
  // value PXAT ms, even when the client sent a lowercase pxat); NX, XX and GET do not matter once
  // the write happened.
  if (r->written && (flags & kSetAnyExpire)) {
    const std::string at = std::to_string(params.expire_at);
    ctx.propagate_as({"SET", key, value, "PXAT", at});
  }
  if (params.get) {
    ctx.reply.bulk_or_null(r->old);
  } else if (kind == SetReply::kOkOrNil) {
    r->written ? ctx.reply.ok() : ctx.reply.null();
  } else {
    ctx.reply.integer(r->written ? 1 : 0);
  }
}

// SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|
//     PXAT unix-time-milliseconds|KEEPTTL]
void cmd_set(CommandContext& ctx) {
  ArgParser p(ctx.argv, 3);
  SetArgs args = parse_set_options(p, OptionsOf::kSet);
  if (!p.done_or_reply(ctx.reply)) return;
  set_generic(ctx, args.flags, ctx.arg(1), ctx.arg(2), args.expire, SetReply::kOkOrNil);
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

// GET key
void cmd_get(CommandContext& ctx) {
  auto r = op_get(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.bulk_or_null(*r);
}

// GETSET key value
void cmd_getset(CommandContext& ctx) {
  auto r = op_getset(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.bulk_or_null(*r);
}

// GETDEL key
void cmd_getdel(CommandContext& ctx) {
  auto r = op_getdel(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.propagate_as({"DEL", ctx.arg(1)});
  ctx.reply.bulk_or_null(*r);
}

// GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]
void cmd_getex(CommandContext& ctx) {
  ArgParser p(ctx.argv, 2);
  SetArgs args = parse_set_options(p, OptionsOf::kGetEx);
  if (!p.done_or_reply(ctx.reply)) return;
  auto r = op_get(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  if (!r->has_value()) return ctx.reply.null();
  // Unlike SET, a missing key answers nil before the expiry is looked at.
  int64_t when = kNoExpire;
  if ((args.flags & kSetAnyExpire) && !expire_at_or_reply(ctx, args.expire, args.flags, &when)) {
    return;
  }
  ctx.reply.bulk(**r);
  op_getex_update(ctx.db(), ctx.arg(1), when, (args.flags & kSetPersist) != 0);
  if (when != kNoExpire) {
    propagate_expire_at(ctx, ctx.arg(1), when);
  } else {
    ctx.propagate_as({"PERSIST", ctx.arg(1)});
  }
}

// --- MGET, MSET, MSETNX -------------------------------------------------------------------------

// MGET key [key ...]
void cmd_mget(CommandContext& ctx) {
  Database& db = ctx.db();
  ctx.reply.array(ctx.argc() - 1);
  for (size_t j = 1; j < ctx.argc(); ++j) ctx.reply.bulk_or_null(op_get_or_nil(db, ctx.arg(j)));
}

// MSET key value [key value ...] and MSETNX: pairs, or the arity error Redis gives.
void mset_generic(CommandContext& ctx, bool nx) {
  if (ctx.argc() % 2 == 0) return ctx.reply.error(err::wrong_arity(ctx.command.full_name));
  bool written = op_mset(ctx.db(), ctx.argv.subspan(1), nx);
  if (nx) {
    ctx.reply.integer(written ? 1 : 0);
  } else {
    ctx.reply.ok();
  }
}

// MSET key value [key value ...]
void cmd_mset(CommandContext& ctx) { mset_generic(ctx, false); }

// MSETNX key value [key value ...]
void cmd_msetnx(CommandContext& ctx) { mset_generic(ctx, true); }

// --- Counters ----------------------------------------------------------------------------------

// Redis's incrDecrCommand: INCR, DECR, INCRBY, DECRBY.
void incr_decr(CommandContext& ctx, int64_t delta) {
  auto r = op_incr_by(ctx.db(), ctx.arg(1), delta);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r);
}

// INCR key
void cmd_incr(CommandContext& ctx) { incr_decr(ctx, 1); }

// DECR key
void cmd_decr(CommandContext& ctx) { incr_decr(ctx, -1); }

// INCRBY key increment
void cmd_incrby(CommandContext& ctx) {
  ArgParser p(ctx.argv, 2);
  int64_t delta = p.next_int();
  if (!p.done_or_reply(ctx.reply)) return;
  incr_decr(ctx, delta);
}

// DECRBY key decrement
void cmd_decrby(CommandContext& ctx) {
  ArgParser p(ctx.argv, 2);
  int64_t delta = p.next_int();
  if (p.ok() && delta == INT64_MIN) p.fail(err::kDecrementOverflow);  // no negation exists
  if (!p.done_or_reply(ctx.reply)) return;
  incr_decr(ctx, -delta);
}

// INCRBYFLOAT key increment
void cmd_incrbyfloat(CommandContext& ctx) {
  auto r = op_incr_by_float(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (!r.ok()) return reply_status(ctx, r.status());
  // Float formatting may differ between builds: the log holds the value, not the increment.
  ctx.propagate_as({"SET", ctx.arg(1), *r, "KEEPTTL"});
  ctx.reply.bulk(*r);
}

// --- APPEND, STRLEN, GETRANGE, SETRANGE ---------------------------------------------------------

// APPEND key value
void cmd_append(CommandContext& ctx) {
  auto r = op_append(ctx.db(), ctx.arg(1), ctx.arg(2), max_string_len(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// STRLEN key
void cmd_strlen(CommandContext& ctx) {
  auto r = op_strlen(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// GETRANGE key start end (and its old name SUBSTR key start end)
void cmd_getrange(CommandContext& ctx) {
  ArgParser p(ctx.argv, 2);
  int64_t start = p.next_int();
  int64_t end = p.next_int();
  if (!p.done_or_reply(ctx.reply)) return;
  auto r = op_getrange(ctx.db(), ctx.arg(1), start, end);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.bulk(*r);
}

// SETRANGE key offset value
void cmd_setrange(CommandContext& ctx) {
  ArgParser p(ctx.argv, 2);
  int64_t offset = p.next_int();
  if (p.ok() && offset < 0) p.fail(err::kOffsetOutOfRange);
  if (!p.ok_or_reply(ctx.reply)) return;
  auto r = op_setrange(ctx.db(), ctx.arg(1), static_cast<uint64_t>(offset), ctx.arg(3),
                       max_string_len(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// --- LCS ---------------------------------------------------------------------------------------

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
  // Redis checks the types before the options, with its own error rather than WRONGTYPE.
  auto inputs = op_lcs_inputs(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (!inputs.ok()) return ctx.reply.error(err::kLcsNotStrings);
  bool get_len = false, get_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  ArgParser p(ctx.argv, 3);
  while (p.ok() && p.has_next()) {
    switch (p.next_keyword({"IDX", "LEN", "WITHMATCHLEN", "MINMATCHLEN"})) {
      case 0:
        get_idx = true;
        break;
      case 1:
        get_len = true;
        break;
      case 2:
        with_match_len = true;
        break;
      case 3:
        if (!p.has_next()) p.fail(err::kSyntax);
        min_match_len = std::max<int64_t>(p.next_int(), 0);
        break;
      default:
        break;
    }
  }
  if (p.ok() && get_idx && get_len) p.fail(err::kLcsLenAndIdx);
  if (!p.done_or_reply(ctx.reply)) return;
  auto [a, b] = *inputs;
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    return ctx.reply.error(err::kLcsTooLong);
  }
  // The table is transient but can be huge: Redis bounds it by proto-max-bulk-len.
  uint64_t cells, bytes;
  std::unique_ptr<uint32_t[]> table;
  if (!__builtin_mul_overflow(static_cast<uint64_t>(a.size()) + 1,
                              static_cast<uint64_t>(b.size()) + 1, &cells) &&
      !__builtin_mul_overflow(cells, sizeof(uint32_t), &bytes)) {
    if (bytes > max_string_len(ctx)) return ctx.reply.error(err::kLcsTableTooBig);
    table.reset(new (std::nothrow) uint32_t[cells]);
  }
  if (!table) return ctx.reply.error(err::kLcsNoMemory);

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
