// The keyspace and expiry family: commands on keys whatever their type (DEL, RENAME, COPY, MOVE,
// SCAN ...), on whole databases (DBSIZE, FLUSHDB, SWAPDB ...), on TTLs (EXPIRE ... PERSIST), and
// the OBJECT and MEMORY introspection containers. Redis keeps these in db.c, expire.c and object.c.
//
// Op functions (generic_family.hpp) do the store work on a Database or the Store alone; cmd_
// functions parse with ArgParser and reply, as in the string family.
//
// Lookups follow Redis's choice of lookupKeyRead / lookupKeyWrite per command: find_read() where
// Redis counts keyspace hits and misses, find() where it does not. Both apply lazy expiry. Like
// Redis's LOOKUP_NOTOUCH, EXISTS, TYPE, the TTL family and OBJECT do not count as an access for
// eviction.

#include "commands/generic_family.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/allocator.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "commands/arg_parser.hpp"
#include "commands/command_table.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"
#include "commands/helpers.hpp"
#include "commands/op_status.hpp"
#include "commands/persistence.hpp"
#include "persistence/rdb_loader.hpp"
#include "persistence/rdb_writer.hpp"
#include "store/zset.hpp"

namespace basalt {

// ================================ Op side: the store work ======================================

namespace {

// Takes the value, TTL and access bits out of `src` (deleting it) and stores them as `to_key` in
// `to_db`, which must not hold that key: Redis moves the object itself, with its LRU/LFU field.
// Wakes clients blocked on the new key if it is a list, as Redis's dbAdd does. The caller signals
// the modified keys.
void move_entry(Database& from_db, Entry* src, Database& to_db, std::string_view to_key) {
  int64_t expire_at = from_db.expire_at(src);
  const uint32_t access = src->access();
  Value value = std::move(src->value);
  from_db.erase(src);
  bool is_list = value.is_list() || value.is_zset();  // a key blocked clients may wait for
  Entry* e = to_db.add(to_key, std::move(value));
  e->set_access(access);
  // src was live when found, and the whole command runs at one instant: the TTL is still ahead.
  if (expire_at != kNoExpire) to_db.set_expire(e, expire_at);
  if (is_list) to_db.signal_list_ready(to_key);
}

// Whether NX/XX/GT/LT allow replacing the current expiry (kNoExpire: none) with `when`. A key
// without a TTL counts as expiring never: GT always fails on it, LT always succeeds.
bool expire_condition_holds(unsigned flags, int64_t current, int64_t when) {
  bool has_ttl = current != kNoExpire;
  if ((flags & kExpireNx) && has_ttl) return false;
  if ((flags & kExpireXx) && !has_ttl) return false;
  if ((flags & kExpireGt) && (!has_ttl || when <= current)) return false;
  if ((flags & kExpireLt) && has_ttl && when >= current) return false;
  return true;
}

}  // namespace

// DEL and UNLINK free values inline: a list is freed node by node (8 KiB each), so even a large
// one costs little next to the background thread and handoff UNLINK would need.
int64_t op_del(Database& db, std::span<const std::string_view> keys) {
  int64_t deleted = 0;
  for (std::string_view key : keys) {
    if (delete_key(db, key)) ++deleted;
  }
  return deleted;
}

namespace {
int64_t count_present(Database& db, std::span<const std::string_view> keys, Access access) {
  int64_t count = 0;
  for (std::string_view key : keys) count += db.find_read(key, access) != nullptr;
  return count;
}
}  // namespace

int64_t op_exists(Database& db, std::span<const std::string_view> keys) {
  return count_present(db, keys, Access::kNoTouch);
}

int64_t op_touch(Database& db, std::span<const std::string_view> keys) {
  return count_present(db, keys, Access::kTouch);
}

std::optional<ValueType> op_type(Database& db, std::string_view key) {
  const Entry* e = db.find_read(key, Access::kNoTouch);
  if (e == nullptr) return std::nullopt;
  return e->value.type();
}

OpResult<bool> op_rename(Database& db, std::string_view from, std::string_view to, bool nx) {
  Entry* src = db.find(from);
  if (src == nullptr) return OpStatus::kNoSuchKey;
  // Nothing moves onto itself; Redis still insists the key exists.
  if (from == to) return false;
  if (Entry* dst = db.find(to); dst != nullptr) {
    if (nx) return false;
    db.erase(dst);
  }
  move_entry(db, src, db, to);
  db.signal_modified(from);
  db.signal_modified(to);
  db.notify(kNotifyGeneric, "rename_from", from);
  db.notify(kNotifyGeneric, "rename_to", to);
  return true;
}

OpResult<bool> op_move(Database& src_db, Database& dst_db, std::string_view key) {
  if (&src_db == &dst_db) return OpStatus::kSameObject;
  Entry* e = src_db.find(key);
  if (e == nullptr || dst_db.find(key) != nullptr) return false;
  move_entry(src_db, e, dst_db, key);
  src_db.signal_modified(key);
  dst_db.signal_modified(key);
  src_db.notify(kNotifyGeneric, "move_from", key);
  dst_db.notify(kNotifyGeneric, "move_to", key);
  return true;
}

OpResult<bool> op_copy(Database& src_db, std::string_view key, Database& dst_db,
                       std::string_view newkey, bool replace) {
  if (&dst_db == &src_db && key == newkey) return OpStatus::kSameObject;
  Entry* src = src_db.find_read(key);
  if (src == nullptr) return false;
  Entry* existing = dst_db.find(newkey);
  if (existing != nullptr && !replace) return false;
  Value copy = src->value.clone();
  int64_t expire_at = src_db.expire_at(src);
  if (existing != nullptr) dst_db.erase(existing);
  bool is_list = copy.is_list() || copy.is_zset();
  Entry* e = dst_db.add(newkey, std::move(copy));
  if (expire_at != kNoExpire) dst_db.set_expire(e, expire_at);
  dst_db.signal_modified(newkey);
  dst_db.notify(kNotifyGeneric, "copy_to", newkey);
  if (is_list) dst_db.signal_list_ready(newkey);
  return true;
}

std::optional<std::string> op_dump(Database& db, std::string_view key) {
  Entry* e = db.find_read(key);
  if (e == nullptr) return std::nullopt;
  return dump_value(e->value);
}

RestoreOutcome op_restore(Database& db, std::string_view key, Value&& value, int64_t expire_at,
                          bool replace) {
  Entry* existing = db.find(key);
  if (existing != nullptr && !replace) return RestoreOutcome::kBusyKey;
  if (existing != nullptr) db.erase(existing);
  if (expire_at != kNoExpire && db.already_expired(expire_at)) {
    if (existing == nullptr) return RestoreOutcome::kExpiredNothing;
    db.signal_modified(key);
    db.notify(kNotifyGeneric, "del", key);
    return RestoreOutcome::kExpiredReplaced;
  }
  const bool is_list = value.is_list() || value.is_zset();  // a key blocked clients may wait for
  Entry* e = db.add(key, std::move(value));
  if (expire_at != kNoExpire) db.set_expire(e, expire_at);
  db.signal_modified(key);
  db.notify(kNotifyGeneric, "restore", key);
  if (is_list) db.signal_list_ready(key);
  return RestoreOutcome::kCreated;
}

// As Redis, expired keys are skipped but left for lazy or active expiry to delete: the walk
// cannot modify the table it is walking.
std::vector<std::string_view> op_keys(Database& db, std::string_view pattern) {
  const bool all = pattern == "*";
  std::vector<std::string_view> keys;
  db.for_each([&](Entry* e) {
    if ((all || glob_match(pattern, e->key())) && !db.is_expired(e)) keys.push_back(e->key());
  });
  return keys;
}

uint64_t op_scan(Database& db, uint64_t cursor, const ScanParams& params,
                 std::vector<std::string_view>* keys) {
  // Collect first, filter after, as Redis does: COUNT bounds the work done (keys looked at), not
  // the keys returned. The cap on steps keeps a sparse table (a resize under way, a mass delete)
  // from turning one call into a walk over millions of empty buckets.
  const int64_t count = params.count;
  int64_t max_steps = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  do {
    cursor = db.scan(cursor, [&](Entry* e) { keys->push_back(e->key()); });
  } while (cursor != 0 && max_steps-- != 0 && keys->size() < static_cast<uint64_t>(count));

  // Entries never move and only the expired ones are deleted here, so the views of kept keys stay
  // valid. Redis 7.0 returns expired keys for TYPE none (its type lookup has already deleted
  // them, so the expiry check no longer sees them); Basalt returns only live keys.
  // "*" matches everything: no matching at all.
  const bool use_pattern = !params.pattern.empty() && params.pattern != "*";
  const bool use_type = params.type.has_value();
  size_t kept = 0;
  for (std::string_view key : *keys) {
    if (use_pattern && !glob_match(params.pattern, key)) continue;
    // Redis looks the key up for its type with stats on, and for expiry without.
    Entry* e = use_type ? db.find_read(key) : db.find(key);
    if (e == nullptr) continue;
    if (use_type && !iequals(type_name(e->value.type()), *params.type)) continue;
    (*keys)[kept++] = key;
  }
  keys->resize(kept);
  return cursor;
}

std::optional<std::string_view> op_randomkey(Database& db) {
  Entry* e = db.random_entry();
  if (e == nullptr) return std::nullopt;
  return e->key();
}

void op_flushdb(Store& store, int index) {
  Database& db = store.db(index);
  // Before clearing: the observer marks the watched keys that exist now.
  if (KeyspaceObserver* o = store.observer()) o->on_db_flushed(db.index());
  store.add_changes(db.size());
  db.clear();
  // A flush frees most of what the process holds at once: give it back to the system now, not
  // page by page over the allocator's decay time.
  release_free_memory();
}

void op_flushall(Store& store) {
  store.add_changes(store.key_count());
  store.flush_all();
  release_free_memory();
}

void op_swapdb(Store& store, int a, int b) {
  store.note_change();
  if (a == b) return;
  // WATCH sees the swap through the observer's on_db_swapped (Engine::on_db_swapped).
  store.swap_db(a, b);
}

bool op_expire(Database& db, std::string_view key, int64_t when_ms, unsigned flags) {
  Entry* e = db.find(key);
  if (e == nullptr || !expire_condition_holds(flags, db.expire_at(e), when_ms)) return false;
  // A time already past deletes the key, and that still counts as success.
  db.notify(kNotifyGeneric, expire_or_delete(db, e, when_ms) ? "del" : "expire", key);
  return true;
}

int64_t op_ttl(Database& db, std::string_view key, bool in_ms, bool absolute) {
  const Entry* e = db.find_read(key, Access::kNoTouch);
  if (e == nullptr) return -2;
  if (!e->has_expire()) return -1;
  const int64_t at = db.expire_at(e);
  int64_t v = absolute ? at : std::max<int64_t>(at - db.now_ms(), 0);
  // Seconds round to the nearest, as Redis's (v + 500) / 1000, without overflowing for a TTL
  // near INT64_MAX (which PEXPIREAT accepts).
  return in_ms ? v : v / 1000 + (v % 1000 >= 500 ? 1 : 0);
}

bool op_persist(Database& db, std::string_view key) {
  Entry* e = db.find(key);
  if (e == nullptr || !db.clear_expire(e)) return false;
  db.signal_modified(key);
  db.notify(kNotifyGeneric, "persist", key);
  return true;
}

// ============================ Cmd side: arguments and replies ===================================

namespace {

void reply_status(CommandContext& ctx, OpStatus status) {
  ctx.reply.error(op_status_error(status));
}

// Redis's getIntFromObjectOrReply without a custom message: an int64 first, then the int range.
bool parse_int32_or_reply(CommandContext& ctx, std::string_view s, int* out) {
  int64_t v;
  if (!parse_int_or_reply(ctx, s, &v)) return false;
  if (v < INT32_MIN || v > INT32_MAX) {
    ctx.reply.error(err::kIntRange);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// A database index as MOVE and COPY take it (Redis's selectDb check).
bool parse_db_index_or_reply(CommandContext& ctx, std::string_view s, int* out) {
  if (!parse_int32_or_reply(ctx, s, out)) return false;
  if (*out < 0 || *out >= ctx.store().db_count()) {
    ctx.reply.error(err::kDbIndexOutOfRange);
    return false;
  }
  return true;
}

// --- Deleting and testing keys -----------------------------------------------------------------

// DEL key [key ...]
// UNLINK key [key ...]
void cmd_del(CommandContext& ctx) { ctx.reply.integer(op_del(ctx.db(), ctx.argv.subspan(1))); }

// EXISTS key [key ...]
void cmd_exists(CommandContext& ctx) {
  ctx.reply.integer(op_exists(ctx.db(), ctx.argv.subspan(1)));
}

// TOUCH key [key ...]
void cmd_touch(CommandContext& ctx) { ctx.reply.integer(op_touch(ctx.db(), ctx.argv.subspan(1))); }

// TYPE key
void cmd_type(CommandContext& ctx) {
  std::optional<ValueType> type = op_type(ctx.db(), ctx.arg(1));
  ctx.reply.simple(type ? type_name(*type) : "none");
}

// --- Renaming, moving and copying --------------------------------------------------------------

// RENAME key newkey
// RENAMENX key newkey
void rename_generic(CommandContext& ctx, bool nx) {
  auto r = op_rename(ctx.db(), ctx.arg(1), ctx.arg(2), nx);
  if (!r.ok()) return reply_status(ctx, r.status());
  nx ? ctx.reply.integer(*r ? 1 : 0) : ctx.reply.ok();
}

void cmd_rename(CommandContext& ctx) { rename_generic(ctx, false); }
void cmd_renamenx(CommandContext& ctx) { rename_generic(ctx, true); }

// MOVE key db
void cmd_move(CommandContext& ctx) {
  int dbid;
  if (!parse_db_index_or_reply(ctx, ctx.arg(2), &dbid)) return;
  auto r = op_move(ctx.db(), ctx.store().db(dbid), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r ? 1 : 0);
}

// COPY source destination [DB destination-db] [REPLACE]
void cmd_copy(CommandContext& ctx) {
  int dbid = ctx.db().index();
  bool replace = false;
  ArgParser p(ctx.argv, 3);
  while (p.ok() && p.has_next()) {
    if (p.check("REPLACE")) {
      replace = true;
    } else if (p.remaining() >= 2 && p.check("DB")) {
      if (!parse_db_index_or_reply(ctx, p.next(), &dbid)) return;
    } else {
      p.fail(err::kSyntax);
    }
  }
  if (!p.done_or_reply(ctx.reply)) return;
  auto r = op_copy(ctx.db(), ctx.arg(1), ctx.store().db(dbid), ctx.arg(2), replace);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r ? 1 : 0);
}

// DUMP key
void cmd_dump(CommandContext& ctx) { ctx.reply.bulk_or_null(op_dump(ctx.db(), ctx.arg(1))); }

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
void cmd_restore(CommandContext& ctx) {
  bool replace = false, absttl = false;
  int64_t idletime = -1, freq = -1;  // -1: not given
  ArgParser p(ctx.argv, 4);
  while (p.ok() && p.has_next()) {
    if (p.check("REPLACE")) {
      replace = true;
    } else if (p.check("ABSTTL")) {
      absttl = true;
    } else if (freq < 0 && p.remaining() >= 2 && p.check("IDLETIME")) {
      idletime = p.next_int(0, INT64_MAX, "ERR Invalid IDLETIME value, must be >= 0");
    } else if (idletime < 0 && p.remaining() >= 2 && p.check("FREQ")) {
      freq = p.next_int(0, 255, "ERR Invalid FREQ value, must be >= 0 and <= 255");
    } else {
      p.fail(err::kSyntax);
    }
  }
  if (!p.done_or_reply(ctx.reply)) return;
  const std::string_view key = ctx.arg(1);
  // Redis's order: the key's existence, then the TTL, then the payload.
  if (!replace && ctx.db().find(key) != nullptr) {
    return ctx.reply.error(err::kBusyKey);
  }
  int64_t ttl;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &ttl)) return;
  if (ttl < 0) return ctx.reply.error("ERR Invalid TTL value, must be >= 0");
  RestoreResult parsed =
      restore_value(ctx.arg(3), value_limits(ctx.config()), !ctx.engine.skip_checksum_validation());
  if (parsed.status != RestoreStatus::kOk) {
    // Redis logs a payload that fails its checks at verbose level, as this.
    BASALT_LOG(kVerbose, "RESTORE payload integrity check failed: %s", parsed.detail.c_str());
    return ctx.reply.error(restore_error_text(parsed.status));
  }
  int64_t expire_at = kNoExpire;
  if (ttl > 0) {
    if (!absttl && ttl > INT64_MAX - ctx.now_ms()) return ctx.reply.error(err::kNotInteger);
    expire_at = absttl ? ttl : ctx.now_ms() + ttl;
  }
  switch (op_restore(ctx.db(), key, std::move(parsed.value), expire_at, replace)) {
    case RestoreOutcome::kBusyKey:
      return ctx.reply.error(err::kBusyKey);
    case RestoreOutcome::kExpiredReplaced:
      ctx.propagate_as({"DEL", key});
      break;
    case RestoreOutcome::kExpiredNothing:
      break;
    case RestoreOutcome::kCreated:
      ctx.store().restore_access(ctx.db().peek(key), freq, idletime);
      if (expire_at != kNoExpire && !absttl) {
        // A relative TTL replays as the instant it meant, the rest as sent (Redis's rewrite:
        // the TTL argument replaced, ABSTTL appended).
        const std::string at = std::to_string(expire_at);
        std::vector<std::string_view> effect(ctx.argv.begin(), ctx.argv.end());
        effect[2] = at;
        effect.push_back("ABSTTL");
        ctx.propagate_as(std::span<const std::string_view>(effect));
      }
      break;
  }
  ctx.reply.ok();
}

// --- Listing keys ------------------------------------------------------------------------------

// KEYS pattern
void cmd_keys(CommandContext& ctx) {
  std::vector<std::string_view> keys = op_keys(ctx.db(), ctx.arg(1));
  ctx.reply.array(keys.size());
  for (std::string_view k : keys) ctx.reply.bulk(k);
}

}  // namespace

// Redis's parseScanCursorOrReply: strtoul() in base 10, so an optional sign is accepted (a
// negative cursor wraps around), the number may be followed by nothing but the end of the string
// or a NUL byte, and an empty string is cursor 0. Leading spaces and overflow are refused.
std::optional<uint64_t> parse_scan_cursor(std::string_view s) {
  auto ends_at = [&](size_t pos) { return pos >= s.size() || s[pos] == '\0'; };
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  size_t digits_start = i;
  uint64_t v = 0;
  bool overflow = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (__builtin_mul_overflow(v, uint64_t{10}, &v) ||
        __builtin_add_overflow(v, static_cast<uint64_t>(s[i] - '0'), &v)) {
      overflow = true;
    }
  }
  // With no digits strtoul leaves its end pointer at the start of the string.
  if (i == digits_start) return ends_at(0) ? std::optional<uint64_t>(0) : std::nullopt;
  if (overflow || !ends_at(i)) return std::nullopt;
  return negative ? uint64_t{0} - v : v;
}

bool parse_scan_options_or_reply(CommandContext& ctx, size_t first, bool type_allowed,
                                 ScanParams* out) {
  ArgParser p(ctx.argv, first);
  // Options come in pairs: a lone last word is a syntax error, as in Redis.
  while (p.ok() && p.has_next()) {
    if (p.remaining() < 2) {
      p.fail(err::kSyntax);
    } else if (p.check("COUNT")) {
      out->count = p.next_int();
      if (p.ok() && out->count < 1) p.fail(err::kSyntax);
    } else if (p.check("MATCH")) {
      out->pattern = p.next();
    } else if (type_allowed && p.check("TYPE")) {
      out->type = p.next();
    } else {
      p.fail(err::kSyntax);
    }
  }
  return p.done_or_reply(ctx.reply);
}

namespace {

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void cmd_scan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = parse_scan_cursor(ctx.arg(1));
  if (!cursor) return ctx.reply.error(err::kInvalidCursor);
  ScanParams params;
  if (!parse_scan_options_or_reply(ctx, 2, true, &params)) return;
  std::vector<std::string_view> keys;
  uint64_t next = op_scan(ctx.db(), *cursor, params, &keys);
  ctx.reply.array(2);
  // Redis prints the cursor as a signed long long.
  ctx.reply.bulk(int64_to_string(static_cast<int64_t>(next)));
  ctx.reply.array(keys.size());
  for (std::string_view k : keys) ctx.reply.bulk(k);
}

// RANDOMKEY
void cmd_randomkey(CommandContext& ctx) { ctx.reply.bulk_or_null(op_randomkey(ctx.db())); }

// --- Whole databases ---------------------------------------------------------------------------

// DBSIZE
// Counts keys whose TTL has passed until something deletes them, as Redis does.
void cmd_dbsize(CommandContext& ctx) { ctx.reply.integer(static_cast<int64_t>(ctx.db().size())); }

// FLUSHDB / FLUSHALL take [ASYNC|SYNC]. Both free inline: see DEL.
bool parse_flush_options_or_reply(CommandContext& ctx) {
  ArgParser p(ctx.argv, 1);
  if (p.has_next()) p.next_keyword({"SYNC", "ASYNC"});
  return p.done_or_reply(ctx.reply);
}

// FLUSHDB [ASYNC|SYNC]
void cmd_flushdb(CommandContext& ctx) {
  if (!parse_flush_options_or_reply(ctx)) return;
  op_flushdb(ctx.store(), ctx.db().index());
  ctx.force_propagation();
  ctx.reply.ok();
}

// FLUSHALL [ASYNC|SYNC]
void cmd_flushall(CommandContext& ctx) {
  if (!parse_flush_options_or_reply(ctx)) return;
  // As Redis kills its BGSAVE child: the snapshot stops before the keys go.
  ctx.engine.persistence().before_flushall();
  op_flushall(ctx.store());
  ctx.engine.persistence().after_flushall();
  ctx.force_propagation();
  ctx.reply.ok();
}

// A database index as SWAPDB takes it: an int, else Redis's per-argument text.
int64_t parse_swapdb_index(ArgParser& p, std::string_view error) {
  return p.next_int(INT32_MIN, INT32_MAX, error);
}

// SWAPDB index1 index2
void cmd_swapdb(CommandContext& ctx) {
  ArgParser p(ctx.argv, 1);
  const int64_t a = parse_swapdb_index(p, err::kInvalidFirstDbIndex);
  const int64_t b = parse_swapdb_index(p, err::kInvalidSecondDbIndex);
  Store& store = ctx.store();
  if (p.ok() && (a < 0 || a >= store.db_count() || b < 0 || b >= store.db_count())) {
    p.fail(err::kDbIndexOutOfRange);
  }
  if (!p.done_or_reply(ctx.reply)) return;
  const int ia = static_cast<int>(a), ib = static_cast<int>(b);
  op_swapdb(store, ia, ib);
  if (ia != ib) {
    // Clients blocked on a key stay with their database index, whose contents just changed: a
    // list may now exist under the key they wait for.
    ctx.engine.for_each_session([&](Session& s) {
      if (!s.blocked || (s.blocked->db != ia && s.blocked->db != ib)) return;
      Database& db = store.db(s.blocked->db);
      for (const std::string& key : s.blocked->keys) {
        Entry* e = db.peek(key);
        if (e != nullptr && (e->value.is_list() || e->value.is_zset())) {
          db.signal_list_ready(key);
        }
      }
    });
  }
  ctx.reply.ok();
}

// --- Expiry ------------------------------------------------------------------------------------

// Redis's parseExtendedExpireArgumentsOrReply: NX | XX | GT | LT after the time.
bool parse_expire_flags_or_reply(CommandContext& ctx, unsigned* flags) {
  ArgParser p(ctx.argv, 3);
  while (p.ok() && p.has_next()) {
    if (p.check("NX")) {
      *flags |= kExpireNx;
    } else if (p.check("XX")) {
      *flags |= kExpireXx;
    } else if (p.check("GT")) {
      *flags |= kExpireGt;
    } else if (p.check("LT")) {
      *flags |= kExpireLt;
    } else {
      p.fail(std::string(err::kUnsupportedOption) + sanitize_for_error(p.next()));
    }
  }
  if (p.ok() && (*flags & kExpireNx) && (*flags & (kExpireXx | kExpireGt | kExpireLt))) {
    p.fail(err::kExpireNxIncompatible);
  }
  if (p.ok() && (*flags & kExpireGt) && (*flags & kExpireLt)) p.fail(err::kExpireGtLtIncompatible);
  return p.done_or_reply(ctx.reply);
}

// EXPIRE key seconds [NX|XX|GT|LT]
// PEXPIRE key milliseconds [NX|XX|GT|LT]
// EXPIREAT key unix-time-seconds [NX|XX|GT|LT]
// PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]
void expire_generic(CommandContext& ctx, int64_t unit_ms, bool absolute) {
  // Redis's order: options, then the number, then the key.
  unsigned flags = 0;
  if (!parse_expire_flags_or_reply(ctx, &flags)) return;
  int64_t value;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &value)) return;
  std::optional<int64_t> when = expire_to_absolute_ms(value, unit_ms, absolute, ctx.now_ms());
  if (!when) return ctx.reply.error(err::invalid_expire(ctx.command.full_name));
  const bool set = op_expire(ctx.db(), ctx.arg(1), *when, flags);
  if (set) propagate_expire_at(ctx, ctx.arg(1), *when);
  ctx.reply.integer(set ? 1 : 0);
}

void cmd_expire(CommandContext& ctx) { expire_generic(ctx, 1000, false); }
void cmd_pexpire(CommandContext& ctx) { expire_generic(ctx, 1, false); }
void cmd_expireat(CommandContext& ctx) { expire_generic(ctx, 1000, true); }
void cmd_pexpireat(CommandContext& ctx) { expire_generic(ctx, 1, true); }

// TTL key, PTTL key, EXPIRETIME key, PEXPIRETIME key
// -2 for a missing key, -1 for a key without a TTL.
void cmd_ttl(CommandContext& ctx) { ctx.reply.integer(op_ttl(ctx.db(), ctx.arg(1), false, false)); }
void cmd_pttl(CommandContext& ctx) { ctx.reply.integer(op_ttl(ctx.db(), ctx.arg(1), true, false)); }
void cmd_expiretime(CommandContext& ctx) {
  ctx.reply.integer(op_ttl(ctx.db(), ctx.arg(1), false, true));
}
void cmd_pexpiretime(CommandContext& ctx) {
  ctx.reply.integer(op_ttl(ctx.db(), ctx.arg(1), true, true));
}

// PERSIST key
void cmd_persist(CommandContext& ctx) {
  ctx.reply.integer(op_persist(ctx.db(), ctx.arg(1)) ? 1 : 0);
}

// --- OBJECT and MEMORY -------------------------------------------------------------------------

void reply_help(CommandContext& ctx, std::string_view container,
                std::initializer_list<std::string_view> lines) {
  // Redis's addReplyHelp: a header, the lines, then HELP itself, all status replies.
  ctx.reply.array(lines.size() + 3);
  ctx.reply.simple(std::string(container) +
                   " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) ctx.reply.simple(line);
  ctx.reply.simple("HELP");
  ctx.reply.simple("    Prints this help.");
}

// The key OBJECT asks about, or a null reply when it does not exist.
Entry* object_lookup_or_reply(CommandContext& ctx) {
  Entry* e = ctx.db().find_read(ctx.arg(2), Access::kNoTouch);
  if (e == nullptr) ctx.reply.null();
  return e;
}

// OBJECT ENCODING key
void cmd_object_encoding(CommandContext& ctx) {
  if (Entry* e = object_lookup_or_reply(ctx)) ctx.reply.bulk(e->value.encoding());
}

// OBJECT REFCOUNT key
// Always 1: Basalt never shares a value between keys. (Redis reports 2147483647 for the integers
// 0..9999 it shares.)
void cmd_object_refcount(CommandContext& ctx) {
  if (object_lookup_or_reply(ctx) != nullptr) ctx.reply.integer(1);
}

// OBJECT IDLETIME key
// Seconds since the key was last accessed; under an LFU policy the access bits hold a counter
// instead, and Redis refuses.
void cmd_object_idletime(CommandContext& ctx) {
  const Entry* e = object_lookup_or_reply(ctx);
  if (e == nullptr) return;
  if (ctx.store().lfu()) {
    ctx.reply.error(err::kLfuSelected);
    return;
  }
  ctx.reply.integer(ctx.store().idle_ms(e) / 1000);
}

// OBJECT FREQ key
// The key's logarithmic access counter, after the decay due since its last access.
void cmd_object_freq(CommandContext& ctx) {
  const Entry* e = object_lookup_or_reply(ctx);
  if (e == nullptr) return;
  if (!ctx.store().lfu()) {
    ctx.reply.error(err::kLfuNotSelected);
    return;
  }
  ctx.reply.integer(ctx.store().lfu_counter(e));
}

// OBJECT HELP
void cmd_object_help(CommandContext& ctx) {
  reply_help(ctx, "OBJECT",
             {"ENCODING <key>",
              "    Return the kind of internal representation used in order to store the value",
              "    associated with a <key>.", "FREQ <key>",
              "    Return the access frequency index of the <key>. The returned integer is",
              "    proportional to the logarithm of the recent access frequency of the key.",
              "IDLETIME <key>",
              "    Return the idle time of the <key>, that is the approximated number of",
              "    seconds elapsed since the last access to the key.", "REFCOUNT <key>",
              "    Return the number of references of the value associated with the specified",
              "    <key>."});
}

// MEMORY USAGE key [SAMPLES count]
// SAMPLES is checked as Redis checks it but changes nothing: Basalt's count is exact (a list's
// node allocations are tracked as they change). Like Redis, the lookup does not apply lazy
// expiry.
void cmd_memory_usage(CommandContext& ctx) {
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (iequals(ctx.arg(j), "samples") && j + 1 < ctx.argc()) {
      int64_t samples;
      if (!parse_int_or_reply(ctx, ctx.arg(++j), &samples)) return;
      if (samples < 0) {
        ctx.reply.error(err::kSyntax);
        return;
      }
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  Entry* e = ctx.db().peek(ctx.arg(2));
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  ctx.reply.integer(static_cast<int64_t>(e->memory_usage()));
}

// MEMORY HELP
// Lists only what Basalt implements (Redis also lists DOCTOR, MALLOC-STATS and PURGE). STATS is
// registered by the server family (server_family.cpp).
void cmd_memory_help(CommandContext& ctx) {
  reply_help(ctx, "MEMORY",
             {"DOCTOR", "    Return memory problems reports.", "MALLOC-STATS",
              "    Return internal statistics report from the memory allocator.", "PURGE",
              "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
              "    Return information about the memory usage of the server.",
              "USAGE <key> [SAMPLES <count>]",
              "    Return memory in bytes used by <key> and its value. SAMPLES is accepted for",
              "    compatibility: the count is always exact."});
}

}  // namespace

void register_keys(CommandTable& t) {
  // Arity, flags, key positions and ACL categories as Redis 7.0 declares them
  // (tests/differential/reference/command_info.json).
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kF = kCmdFast;
  constexpr std::string_view kKs = "@keyspace", kKsDangerous = "@keyspace @dangerous";

  t.add({"del", -2, kW, 1, -1, 1, cmd_del, "generic", "Delete a key", kKs});
  t.add({"unlink", -2, kW | kF, 1, -1, 1, cmd_del, "generic",
         "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non "
         "blocking.",
         kKs});
  t.add({"exists", -2, kR | kF, 1, -1, 1, cmd_exists, "generic", "Determine if a key exists", kKs});
  t.add({"touch", -2, kR | kF, 1, -1, 1, cmd_touch, "generic",
         "Alters the last access time of a key(s). Returns the number of existing keys specified.",
         kKs});
  t.add(
      {"type", 2, kR | kF, 1, 1, 1, cmd_type, "generic", "Determine the type stored at key", kKs});
  t.add({"rename", 3, kW, 1, 2, 1, cmd_rename, "generic", "Rename a key", kKs});
  t.add({"renamenx", 3, kW | kF, 1, 2, 1, cmd_renamenx, "generic",
         "Rename a key, only if the new key does not exist", kKs});
  t.add({"copy", -3, kW | kCmdDenyOom, 1, 2, 1, cmd_copy, "generic", "Copy a key", kKs});
  t.add({"dump", 2, kCmdReadonly, 1, 1, 1, cmd_dump, "generic",
         "Return a serialized version of the value stored at the specified key.", kKs});
  t.add({"restore", -4, kW | kCmdDenyOom, 1, 1, 1, cmd_restore, "generic",
         "Create a key using the provided serialized value, previously obtained using DUMP.",
         kKsDangerous});
  t.add({"move", 3, kW | kF, 1, 1, 1, cmd_move, "generic", "Move a key to another database", kKs});
  t.add({"keys", 2, kR, 0, 0, 0, cmd_keys, "generic", "Find all keys matching the given pattern",
         kKsDangerous});
  t.add(
      {"scan", -2, kR, 0, 0, 0, cmd_scan, "generic", "Incrementally iterate the keys space", kKs});
  t.add({"randomkey", 1, kR, 0, 0, 0, cmd_randomkey, "generic",
         "Return a random key from the keyspace", kKs});
  t.add({"dbsize", 1, kR | kF, 0, 0, 0, cmd_dbsize, "server",
         "Return the number of keys in the selected database", kKs});
  t.add({"flushdb", -1, kW, 0, 0, 0, cmd_flushdb, "server",
         "Remove all keys from the current database", kKsDangerous});
  t.add({"flushall", -1, kW, 0, 0, 0, cmd_flushall, "server", "Remove all keys from all databases",
         kKsDangerous});
  t.add({"swapdb", 3, kW | kF, 0, 0, 0, cmd_swapdb, "server", "Swaps two Redis databases",
         kKsDangerous});

  t.add({"expire", -3, kW | kF, 1, 1, 1, cmd_expire, "generic",
         "Set a key's time to live in seconds", kKs});
  t.add({"pexpire", -3, kW | kF, 1, 1, 1, cmd_pexpire, "generic",
         "Set a key's time to live in milliseconds", kKs});
  t.add({"expireat", -3, kW | kF, 1, 1, 1, cmd_expireat, "generic",
         "Set the expiration for a key as a UNIX timestamp", kKs});
  t.add({"pexpireat", -3, kW | kF, 1, 1, 1, cmd_pexpireat, "generic",
         "Set the expiration for a key as a UNIX timestamp specified in milliseconds", kKs});
  t.add({"ttl", 2, kR | kF, 1, 1, 1, cmd_ttl, "generic",
         "Get the time to live for a key in seconds", kKs});
  t.add({"pttl", 2, kR | kF, 1, 1, 1, cmd_pttl, "generic",
         "Get the time to live for a key in milliseconds", kKs});
  t.add({"expiretime", 2, kR | kF, 1, 1, 1, cmd_expiretime, "generic",
         "Get the expiration Unix timestamp for a key", kKs});
  t.add({"pexpiretime", 2, kR | kF, 1, 1, 1, cmd_pexpiretime, "generic",
         "Get the expiration Unix timestamp for a key in milliseconds", kKs});
  t.add({"persist", 2, kW | kF, 1, 1, 1, cmd_persist, "generic", "Remove the expiration from a key",
         kKs});

  constexpr uint32_t kHelpFlags = kCmdLoading | kCmdStale;
  t.add({"object", -2, 0, 0, 0, 0, nullptr, "generic",
         "A container for object introspection commands"});
  t.add_subcommand("object", {"encoding", 3, kR, 2, 2, 1, cmd_object_encoding, "generic",
                              "Inspect the internal encoding of a Redis object", kKs});
  t.add_subcommand("object",
                   {"freq", 3, kR, 2, 2, 1, cmd_object_freq, "generic",
                    "Get the logarithmic access frequency counter of a Redis object", kKs});
  t.add_subcommand("object", {"help", 2, kHelpFlags, 0, 0, 0, cmd_object_help, "generic",
                              "Show helpful text about the different subcommands", kKs});
  t.add_subcommand("object", {"idletime", 3, kR, 2, 2, 1, cmd_object_idletime, "generic",
                              "Get the time since a Redis object was last accessed", kKs});
  t.add_subcommand("object", {"refcount", 3, kR, 2, 2, 1, cmd_object_refcount, "generic",
                              "Get the number of references to the value of the key", kKs});

  t.add(
      {"memory", -2, 0, 0, 0, 0, nullptr, "server", "A container for memory diagnostics commands"});
  t.add_subcommand("memory", {"help", 2, kHelpFlags, 0, 0, 0, cmd_memory_help, "server",
                              "Show helpful text about the different subcommands"});
  t.add_subcommand("memory", {"usage", -3, kR, 2, 2, 1, cmd_memory_usage, "server",
                              "Estimate the memory usage of a key"});
}

}  // namespace basalt
