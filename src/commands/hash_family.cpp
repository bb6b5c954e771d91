// The hash family (Redis's t_hash.c): set, get, delete, count, increment, iterate, scan and
// random fields. Replies, reply types and errors follow Redis 7.0 exactly, including the order in
// which errors are checked (an argument that is not a number is refused before the key is looked
// at, where Redis parses it first).
//
// Two halves, as the list family: Op functions (hash_family.hpp) do the store work on a Database
// and return an OpResult; cmd_ functions parse the arguments with ArgParser, call the Op
// functions and write the reply.

#include "commands/hash_family.hpp"

#include <charconv>
#include <cmath>
#include <random>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/strings.hpp"
#include "commands/arg_parser.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"
#include "commands/generic_family.hpp"
#include "commands/helpers.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"
#include "store/hash.hpp"

namespace basalt {

namespace {

// ================================ Op side: the store work ======================================

bool holds_other_type(const Entry* e) {
  return e != nullptr && e->value.type() != ValueType::kHash;
}

// The hash at key for writing, created empty when absent (Redis's hashTypeLookupWriteOrCreate).
// Callers add a field before returning, so no empty hash is ever left behind.
OpResult<Entry*> find_or_create(Database& db, std::string_view key) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) e = db.add(key, Value::new_hash());
  return e;
}

}  // namespace

HashLimits hash_limits_of(const Config& config) {
  return {static_cast<size_t>(config.hash_max_listpack_entries),
          static_cast<size_t>(config.hash_max_listpack_value)};
}

OpResult<size_t> op_hset(Database& db, std::string_view key,
                         std::span<const std::string_view> pairs, const HashLimits& limits) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  size_t created = 0;
  auto set_all = [&](Hash& hash) {
    for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
      if (hash.set(pairs[i], pairs[i + 1], limits)) ++created;
    }
  };
  if (e != nullptr) {
    set_all(e->value.hash());
    db.refit(e);
  } else {
    // A new hash is built whole before its key is: a small one then fits in its entry
    // (Entry::create), as it does after a restart.
    Value v = Value::new_hash();
    set_all(v.hash());
    db.add(key, std::move(v));
  }
  db.signal_modified(key);
  db.notify(kNotifyHash, "hset", key);
  return created;
}

OpResult<bool> op_hsetnx(Database& db, std::string_view key, std::string_view field,
                         std::string_view value, const HashLimits& limits) {
  auto e = find_or_create(db, key);
  if (!e.ok()) return e.status();
  Hash& hash = (*e)->value.hash();
  if (hash.contains(field)) return false;
  hash.set(field, value, limits);
  db.refit(*e);
  db.signal_modified(key);
  db.notify(kNotifyHash, "hset", key);
  return true;
}

OpResult<size_t> op_hdel(Database& db, std::string_view key,
                         std::span<const std::string_view> fields) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return size_t{0};
  Hash& hash = e->value.hash();
  size_t deleted = 0;
  for (std::string_view field : fields) {
    if (hash.erase(field)) ++deleted;
    if (hash.empty()) break;
  }
  if (deleted > 0) after_elements_removed(db, e, key, kNotifyHash, "hdel", hash.empty());
  return deleted;
}

OpResult<const Hash*> op_hash_read(Database& db, std::string_view key) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  return e == nullptr ? nullptr : &e->value.hash();
}

OpResult<std::optional<std::string_view>> op_hget(Database& db, std::string_view key,
                                                  std::string_view field) {
  auto h = op_hash_read(db, key);
  if (!h.ok()) return h.status();
  if (*h == nullptr) return std::optional<std::string_view>();
  return (*h)->get(field);
}

OpResult<size_t> op_hlen(Database& db, std::string_view key) {
  auto h = op_hash_read(db, key);
  if (!h.ok()) return h.status();
  return *h == nullptr ? 0 : (*h)->size();
}

OpResult<size_t> op_hstrlen(Database& db, std::string_view key, std::string_view field) {
  auto v = op_hget(db, key, field);
  if (!v.ok()) return v.status();
  return v->has_value() ? (*v)->size() : 0;
}

OpResult<bool> op_hexists(Database& db, std::string_view key, std::string_view field) {
  auto v = op_hget(db, key, field);
  if (!v.ok()) return v.status();
  return v->has_value();
}

OpResult<int64_t> op_hincrby(Database& db, std::string_view key, std::string_view field,
                             int64_t increment, const HashLimits& limits) {
  auto e = find_or_create(db, key);
  if (!e.ok()) return e.status();
  Hash& hash = (*e)->value.hash();
  int64_t value = 0;
  if (std::optional<std::string_view> old = hash.get(field)) {
    std::optional<int64_t> v = parse_int64(*old);
    if (!v) return OpStatus::kHashValueNotInteger;
    value = *v;
  }
  if (__builtin_add_overflow(value, increment, &value)) return OpStatus::kOverflow;
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), value);
  hash.set(field, std::string_view(buf, static_cast<size_t>(r.ptr - buf)), limits);
  db.refit(*e);
  db.signal_modified(key);
  db.notify(kNotifyHash, "hincrby", key);
  return value;
}

OpResult<std::string> op_hincrbyfloat(Database& db, std::string_view key, std::string_view field,
                                      long double increment, const HashLimits& limits) {
  auto e = find_or_create(db, key);
  if (!e.ok()) return e.status();
  Hash& hash = (*e)->value.hash();
  long double value = 0;
  if (std::optional<std::string_view> old = hash.get(field)) {
    std::optional<long double> v = parse_long_double(*old);
    if (!v) return OpStatus::kHashValueNotFloat;
    value = *v;
  }
  value += increment;
  if (std::isnan(value) || std::isinf(value)) return OpStatus::kNanOrInf;
  std::string result = long_double_to_string(value);
  hash.set(field, result, limits);
  db.refit(*e);
  db.signal_modified(key);
  db.notify(kNotifyHash, "hincrbyfloat", key);
  return result;
}

OpResult<uint64_t> op_hscan(Database& db, std::string_view key, uint64_t cursor,
                            const ScanParams& params, std::vector<FieldValue>* out) {
  auto h = op_hash_read(db, key);
  if (!h.ok()) return h.status();
  if (*h == nullptr) return uint64_t{0};
  const Hash& hash = **h;
  const size_t first = out->size();
  // As Redis: COUNT bounds the pairs looked at, not those returned, and the steps are capped at
  // ten times COUNT's elements (two per pair) so that a sparse table cannot make one call walk
  // every empty bucket.
  const int64_t count = params.count;
  int64_t max_steps = count > INT64_MAX / 20 ? INT64_MAX : count * 20;
  do {
    cursor =
        hash.scan(cursor, [&](std::string_view f, std::string_view v) { out->emplace_back(f, v); });
  } while (cursor != 0 && max_steps-- != 0 && out->size() - first < static_cast<uint64_t>(count));
  if (!params.pattern.empty() && params.pattern != "*") {
    size_t kept = first;
    for (size_t i = first; i < out->size(); ++i) {
      if (glob_match(params.pattern, (*out)[i].first)) (*out)[kept++] = (*out)[i];
    }
    out->resize(kept);
  }
  return cursor;
}

OpResult<bool> op_hrandfield(Database& db, std::string_view key, int64_t count,
                             std::mt19937_64& rng, RandomFieldSink& sink) {
  auto h = op_hash_read(db, key);
  if (!h.ok()) return h.status();
  if (*h == nullptr) return false;
  const Hash& hash = **h;
  const size_t size = hash.size();
  if (count < 0) {
    // Picks that may repeat, each over the whole hash (Redis's case 1).
    const uint64_t n = uint64_t{0} - static_cast<uint64_t>(count);
    sink.begin(n);
    for (uint64_t i = 0; i < n; ++i) {
      auto [f, v] = hash.random_pair(rng);
      sink.pair(f, v);
    }
    return true;
  }
  const auto n = static_cast<uint64_t>(count);
  if (n >= size) {
    sink.begin(size);
    hash.for_each([&](std::string_view f, std::string_view v) { sink.pair(f, v); });
    return true;
  }
  sink.begin(n);
  if (n == 1) {
    auto [f, v] = hash.random_pair(rng);
    sink.pair(f, v);
    return true;
  }
  if (hash.is_packed() || n * 3 > size) {
    // Selection sampling (Knuth's algorithm S): one pass, each pair kept with probability
    // wanted/left, so exactly n distinct pairs, in hash order.
    uint64_t wanted = n, left = size;
    hash.for_each([&](std::string_view f, std::string_view v) {
      if (wanted != 0 && rng() % left < wanted) {
        sink.pair(f, v);
        --wanted;
      }
      --left;
    });
    return true;
  }
  // A big hash and few picks: random pairs until n distinct fields (Redis's case 4). The fields
  // are at most a third of the hash, so repeats stay rare.
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  while (seen.size() < n) {
    auto [f, v] = hash.random_pair(rng);
    if (seen.insert(f).second) sink.pair(f, v);
  }
  return true;
}

OpResult<std::optional<FieldValue>> op_hrandfield_one(Database& db, std::string_view key,
                                                      std::mt19937_64& rng) {
  auto h = op_hash_read(db, key);
  if (!h.ok()) return h.status();
  if (*h == nullptr) return std::optional<FieldValue>();
  return std::optional<FieldValue>((*h)->random_pair(rng));
}

namespace {

// ============================ Cmd side: arguments and replies ===================================

constexpr std::string_view kNanOrInfinity = "ERR value is NaN or Infinity";
constexpr std::string_view kOutOfRange = "ERR value is out of range";

void reply_status(CommandContext& ctx, OpStatus status) {
  ctx.reply.error(op_status_error(status));
}

// HSET/HMSET key field value [field value ...]
void hset_generic(CommandContext& ctx, bool reply_count) {
  // Arity -4 admits an odd count; Redis checks the pairing in the handler, before the key.
  if (ctx.argc() % 2 == 1) return ctx.reply.error(err::wrong_arity(ctx.command.full_name));
  auto r = op_hset(ctx.db(), ctx.arg(1), ctx.argv.subspan(2), hash_limits_of(ctx.config()));
  if (!r.ok()) return reply_status(ctx, r.status());
  if (reply_count) return ctx.reply.integer(static_cast<int64_t>(*r));
  ctx.reply.ok();
}

// HSET key field value [field value ...]
void cmd_hset(CommandContext& ctx) { hset_generic(ctx, true); }
// HMSET key field value [field value ...]
void cmd_hmset(CommandContext& ctx) { hset_generic(ctx, false); }

// HSETNX key field value
void cmd_hsetnx(CommandContext& ctx) {
  auto r = op_hsetnx(ctx.db(), ctx.arg(1), ctx.arg(2), ctx.arg(3), hash_limits_of(ctx.config()));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r ? 1 : 0);
}

// HGET key field
void cmd_hget(CommandContext& ctx) {
  auto r = op_hget(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.bulk_or_null(*r);
}

// HMGET key field [field ...]: an absent key is an empty hash, a nil per field.
void cmd_hmget(CommandContext& ctx) {
  auto r = op_hash_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  const Hash* hash = *r;
  ctx.reply.array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.bulk_or_null(hash != nullptr ? hash->get(ctx.arg(i)) : std::nullopt);
  }
}

// HDEL key field [field ...]
void cmd_hdel(CommandContext& ctx) {
  auto r = op_hdel(ctx.db(), ctx.arg(1), ctx.argv.subspan(2));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// HLEN key
void cmd_hlen(CommandContext& ctx) {
  auto r = op_hlen(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// HSTRLEN key field
void cmd_hstrlen(CommandContext& ctx) {
  auto r = op_hstrlen(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// HEXISTS key field
void cmd_hexists(CommandContext& ctx) {
  auto r = op_hexists(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r ? 1 : 0);
}

// HKEYS, HVALS, HGETALL: HGETALL is a map (RESP3), the others flat arrays.
void hgetall_generic(CommandContext& ctx, bool fields, bool values) {
  auto r = op_hash_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  const Hash* hash = *r;
  const size_t n = hash != nullptr ? hash->size() : 0;
  if (fields && values) {
    ctx.reply.map(n);
  } else {
    ctx.reply.array(n);
  }
  if (hash == nullptr) return;
  hash->for_each([&](std::string_view f, std::string_view v) {
    if (fields) ctx.reply.bulk(f);
    if (values) ctx.reply.bulk(v);
  });
}

// HKEYS key
void cmd_hkeys(CommandContext& ctx) { hgetall_generic(ctx, true, false); }
// HVALS key
void cmd_hvals(CommandContext& ctx) { hgetall_generic(ctx, false, true); }
// HGETALL key
void cmd_hgetall(CommandContext& ctx) { hgetall_generic(ctx, true, true); }

// HINCRBY key field increment
void cmd_hincrby(CommandContext& ctx) {
  ArgParser p(ctx.argv, 3);
  const int64_t increment = p.next_int();
  if (!p.done_or_reply(ctx.reply)) return;
  auto r = op_hincrby(ctx.db(), ctx.arg(1), ctx.arg(2), increment, hash_limits_of(ctx.config()));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r);
}

// HINCRBYFLOAT key field increment
void cmd_hincrbyfloat(CommandContext& ctx) {
  std::optional<long double> increment = parse_long_double(ctx.arg(3));
  if (!increment) return ctx.reply.error(err::kNotFloat);
  if (std::isnan(*increment) || std::isinf(*increment)) {
    return ctx.reply.error(kNanOrInfinity);
  }
  auto r =
      op_hincrbyfloat(ctx.db(), ctx.arg(1), ctx.arg(2), *increment, hash_limits_of(ctx.config()));
  if (!r.ok()) return reply_status(ctx, r.status());
  // Float formatting may differ between builds: the log holds the value, as Redis's HSET rewrite.
  ctx.propagate_as({"HSET", ctx.arg(1), ctx.arg(2), *r});
  ctx.reply.bulk(*r);
}

// Streams HRANDFIELD's pairs: RESP2 a flat array (with values, field and value in turn), RESP3
// with values an array of [field, value] pairs.
class RandomFieldReply final : public RandomFieldSink {
 public:
  RandomFieldReply(ReplyBuilder& reply, bool with_values)
      : reply_(reply), with_values_(with_values), nested_(with_values && reply.protocol() > 2) {}

  void begin(size_t count) override { reply_.array(with_values_ && !nested_ ? count * 2 : count); }
  void pair(std::string_view field, std::string_view value) override {
    if (nested_) reply_.array(2);
    reply_.bulk(field);
    if (with_values_) reply_.bulk(value);
  }

 private:
  ReplyBuilder& reply_;
  bool with_values_;
  bool nested_;
};

// HRANDFIELD key [count [WITHVALUES]]
void cmd_hrandfield(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    auto r = op_hrandfield_one(ctx.db(), ctx.arg(1), ctx.db().rng());
    if (!r.ok()) return reply_status(ctx, r.status());
    if (!r->has_value()) return ctx.reply.null();
    return ctx.reply.bulk((*r)->first);
  }
  // Redis's range is -LONG_MAX..LONG_MAX, with its own wording for INT64_MIN.
  std::optional<int64_t> count = parse_int64(ctx.arg(2));
  if (!count) return ctx.reply.error(err::kNotInteger);
  if (*count == INT64_MIN) {
    return ctx.reply.error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  bool with_values = false;
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !iequals(ctx.arg(3), "WITHVALUES"))) {
    return ctx.reply.error(err::kSyntax);
  }
  if (ctx.argc() == 4) {
    with_values = true;
    // The reply holds twice as many elements: Redis refuses counts whose double overflows.
    if (*count < -(INT64_MAX / 2) || *count > INT64_MAX / 2) return ctx.reply.error(kOutOfRange);
  }
  RandomFieldReply sink(ctx.reply, with_values);
  auto r = op_hrandfield(ctx.db(), ctx.arg(1), *count, ctx.db().rng(), sink);
  if (!r.ok()) return reply_status(ctx, r.status());
  if (!*r) ctx.reply.array(0);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void cmd_hscan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = parse_scan_cursor(ctx.arg(2));
  if (!cursor) return ctx.reply.error(err::kInvalidCursor);
  // The key is looked at before the options: an absent key ends the scan whatever follows.
  auto h = op_hash_read(ctx.db(), ctx.arg(1));
  if (!h.ok()) return reply_status(ctx, h.status());
  if (*h == nullptr) {
    ctx.reply.array(2);
    ctx.reply.bulk("0");
    return ctx.reply.array(0);
  }
  ScanParams params;
  if (!parse_scan_options_or_reply(ctx, 3, false, &params)) return;
  std::vector<FieldValue> pairs;
  auto r = op_hscan(ctx.db(), ctx.arg(1), *cursor, params, &pairs);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.array(2);
  ctx.reply.bulk(int64_to_string(static_cast<int64_t>(*r)));
  ctx.reply.array(pairs.size() * 2);
  for (const auto& [f, v] : pairs) {
    ctx.reply.bulk(f);
    ctx.reply.bulk(v);
  }
}

}  // namespace

void register_hashes(CommandTable& t) {
  constexpr uint32_t kWriteOomFast = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kReadFast = kCmdReadonly | kCmdFast;
  constexpr std::string_view kHash = "hash";
  constexpr std::string_view kAcl = "@hash";
  t.add({"hset", -4, kWriteOomFast, 1, 1, 1, cmd_hset, kHash,
         "Creates or modifies the value of a field in a hash.", kAcl});
  t.add({"hmset", -4, kWriteOomFast, 1, 1, 1, cmd_hmset, kHash,
         "Sets the values of multiple fields.", kAcl});
  t.add({"hsetnx", 4, kWriteOomFast, 1, 1, 1, cmd_hsetnx, kHash,
         "Sets the value of a field in a hash only when the field doesn't exist.", kAcl});
  t.add({"hget", 3, kReadFast, 1, 1, 1, cmd_hget, kHash, "Returns the value of a field in a hash.",
         kAcl});
  t.add({"hmget", -3, kReadFast, 1, 1, 1, cmd_hmget, kHash,
         "Returns the values of all fields in a hash.", kAcl});
  t.add({"hdel", -3, kCmdWrite | kCmdFast, 1, 1, 1, cmd_hdel, kHash,
         "Deletes one or more fields and their values from a hash. Deletes the hash if no fields "
         "remain.",
         kAcl});
  t.add({"hlen", 2, kReadFast, 1, 1, 1, cmd_hlen, kHash, "Returns the number of fields in a hash.",
         kAcl});
  t.add({"hstrlen", 3, kReadFast, 1, 1, 1, cmd_hstrlen, kHash,
         "Returns the length of the value of a field.", kAcl});
  t.add({"hexists", 3, kReadFast, 1, 1, 1, cmd_hexists, kHash,
         "Determines whether a field exists in a hash.", kAcl});
  t.add(
      {"hkeys", 2, kCmdReadonly, 1, 1, 1, cmd_hkeys, kHash, "Returns all fields in a hash.", kAcl});
  t.add(
      {"hvals", 2, kCmdReadonly, 1, 1, 1, cmd_hvals, kHash, "Returns all values in a hash.", kAcl});
  t.add({"hgetall", 2, kCmdReadonly, 1, 1, 1, cmd_hgetall, kHash,
         "Returns all fields and values in a hash.", kAcl});
  t.add({"hincrby", 4, kWriteOomFast, 1, 1, 1, cmd_hincrby, kHash,
         "Increments the integer value of a field in a hash by a number. Uses 0 as initial value "
         "if the field doesn't exist.",
         kAcl});
  t.add({"hincrbyfloat", 4, kWriteOomFast, 1, 1, 1, cmd_hincrbyfloat, kHash,
         "Increments the floating point value of a field by a number. Uses 0 as initial value if "
         "the field doesn't exist.",
         kAcl});
  t.add({"hrandfield", -2, kCmdReadonly, 1, 1, 1, cmd_hrandfield, kHash,
         "Returns one or more random fields from a hash.", kAcl});
  t.add({"hscan", -3, kCmdReadonly, 1, 1, 1, cmd_hscan, kHash,
         "Iterates over fields and values of a hash.", kAcl});
}

}  // namespace basalt
