// The set family (Redis's t_set.c): add, remove, membership, random members and pops, moves,
// intersection, union and difference (with their STORE and CARD forms) and SSCAN. Replies, reply
// types (RESP3 sets where Redis sends them) and errors follow Redis 7.0 exactly, including the
// order in which errors are checked.
//
// Two halves, as the list family: Op functions (set_family.hpp) do the store work on a Database
// and return an OpResult; cmd_ functions parse the arguments with ArgParser, call the Op functions
// and write the reply.

#include "commands/set_family.hpp"

#include <algorithm>
#include <optional>
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
#include "commands/op_status.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"

namespace basalt {

namespace {

// ================================ Op side: the store work ======================================

bool holds_other_type(const Entry* e) { return e != nullptr && e->value.type() != ValueType::kSet; }

// The sets at `keys` (nullptr for an absent key), or kWrongType when any holds another type:
// Redis checks every key before computing anything.
OpStatus collect_sets(Database& db, std::span<const std::string_view> keys,
                      std::vector<const Set*>* sets) {
  sets->clear();
  sets->reserve(keys.size());
  for (std::string_view key : keys) {
    const Entry* e = db.find_read(key);
    if (holds_other_type(e)) return OpStatus::kWrongType;
    sets->push_back(e == nullptr ? nullptr : &e->value.set());
  }
  return OpStatus::kOk;
}

// Replaces `destination` with `result`, or deletes it when the result is empty (Redis's setKey
// and dbDelete in the STORE commands), notifying `event` or "del". Returns the stored size.
size_t store_result(Database& db, std::string_view destination, Set&& result,
                    std::string_view event) {
  const size_t n = result.size();
  if (n == 0) {
    delete_key(db, destination);
    return 0;
  }
  Value v = Value::new_set();
  v.set() = std::move(result);
  db.set(destination, std::move(v));
  db.signal_modified(destination);
  db.notify(kNotifySet, event, destination);
  return n;
}

// The intersection of non-null sets, smallest first; stops at `limit` members (0: none).
template <class F>
void intersect(std::vector<const Set*>& sets, size_t limit, F&& take) {
  std::sort(sets.begin(), sets.end(),
            [](const Set* a, const Set* b) { return a->size() < b->size(); });
  size_t taken = 0;
  bool stop = false;
  sets[0]->for_each([&](std::string_view m) {
    if (stop) return;
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] != sets[0] && !sets[j]->contains(m)) return;
    }
    take(m);
    if (limit != 0 && ++taken >= limit) stop = true;
  });
}

void remove_or_delete(Database& db, Entry* e, std::string_view key, std::string_view event) {
  after_elements_removed(db, e, key, kNotifySet, event, e->value.set().empty());
}

}  // namespace

OpResult<size_t> op_sadd(Database& db, std::string_view key,
                         std::span<const std::string_view> members, size_t max_intset) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) e = db.add(key, Value::new_set());
  Set& set = e->value.set();
  size_t added = 0;
  for (std::string_view m : members) added += set.add(m, max_intset) ? 1 : 0;
  if (added != 0) {
    db.signal_modified(key);
    db.notify(kNotifySet, "sadd", key);
  }
  return added;
}

OpResult<size_t> op_srem(Database& db, std::string_view key,
                         std::span<const std::string_view> members) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return size_t{0};
  Set& set = e->value.set();
  size_t removed = 0;
  for (std::string_view m : members) {
    if (set.remove(m)) ++removed;
    if (set.empty()) break;
  }
  if (removed != 0) remove_or_delete(db, e, key, "srem");
  return removed;
}

OpResult<size_t> op_scard(Database& db, std::string_view key) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  return e == nullptr ? 0 : e->value.set().size();
}

OpResult<bool> op_sismember(Database& db, std::string_view key, std::string_view member) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  return e != nullptr && e->value.set().contains(member);
}

OpResult<std::vector<bool>> op_smismember(Database& db, std::string_view key,
                                          std::span<const std::string_view> members) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  std::vector<bool> out(members.size(), false);
  if (e != nullptr) {
    for (size_t i = 0; i < members.size(); ++i) out[i] = e->value.set().contains(members[i]);
  }
  return out;
}

OpResult<bool> op_smove(Database& db, std::string_view source, std::string_view destination,
                        std::string_view member, size_t max_intset) {
  Entry* src = db.find(source);
  Entry* dst = db.find(destination);
  if (src == nullptr) return false;
  if (holds_other_type(src) || holds_other_type(dst)) return OpStatus::kWrongType;
  if (src == dst) return src->value.set().contains(member);
  if (!src->value.set().remove(member)) return false;
  // Entries stay where they are when other keys are added or deleted, so dst is still good.
  remove_or_delete(db, src, source, "srem");
  if (dst == nullptr) dst = db.add(destination, Value::new_set());
  if (dst->value.set().add(member, max_intset)) {
    db.signal_modified(destination);
    db.notify(kNotifySet, "sadd", destination);
  }
  return true;
}

OpResult<const Set*> op_set_read(Database& db, std::string_view key) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  return e == nullptr ? nullptr : &e->value.set();
}

OpResult<Set> op_sinter(Database& db, std::span<const std::string_view> keys, size_t max_intset) {
  std::vector<const Set*> sets;
  if (OpStatus s = collect_sets(db, keys, &sets); s != OpStatus::kOk) return s;
  Set result;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return result;
  intersect(sets, 0, [&](std::string_view m) { result.add(m, max_intset); });
  return result;
}

OpResult<size_t> op_sintercard(Database& db, std::span<const std::string_view> keys, size_t limit) {
  std::vector<const Set*> sets;
  if (OpStatus s = collect_sets(db, keys, &sets); s != OpStatus::kOk) return s;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return size_t{0};
  size_t n = 0;
  intersect(sets, limit, [&](std::string_view) { ++n; });
  return n;
}

OpResult<Set> op_sunion_diff(Database& db, std::span<const std::string_view> keys, SetAlgebra op,
                             size_t max_intset) {
  std::vector<const Set*> sets;
  if (OpStatus s = collect_sets(db, keys, &sets); s != OpStatus::kOk) return s;
  Set result;
  if (op == SetAlgebra::kUnion) {
    for (const Set* set : sets) {
      if (set != nullptr) set->for_each([&](std::string_view m) { result.add(m, max_intset); });
    }
    return result;
  }
  const Set* first = sets[0];
  if (first == nullptr) return result;
  // The first key named again: nothing is left.
  if (std::find(sets.begin() + 1, sets.end(), first) != sets.end()) return result;
  first->for_each([&](std::string_view m) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] != nullptr && sets[j]->contains(m)) return;
    }
    result.add(m, max_intset);
  });
  return result;
}

OpResult<size_t> op_sinterstore(Database& db, std::string_view destination,
                                std::span<const std::string_view> keys, size_t max_intset) {
  auto r = op_sinter(db, keys, max_intset);
  if (!r.ok()) return r.status();
  return store_result(db, destination, std::move(*r), "sinterstore");
}

OpResult<size_t> op_sunion_diff_store(Database& db, std::string_view destination,
                                      std::span<const std::string_view> keys, SetAlgebra op,
                                      size_t max_intset) {
  auto r = op_sunion_diff(db, keys, op, max_intset);
  if (!r.ok()) return r.status();
  return store_result(db, destination, std::move(*r),
                      op == SetAlgebra::kUnion ? "sunionstore" : "sdiffstore");
}

OpResult<std::optional<std::string>> op_srandmember(Database& db, std::string_view key,
                                                    std::mt19937_64& rng) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return std::optional<std::string>();
  Set::Member m;
  e->value.set().random_member(rng, m);
  return std::optional<std::string>(std::string(m.view));
}

OpResult<std::vector<std::string>> op_srandmember_count(Database& db, std::string_view key,
                                                        int64_t count, std::mt19937_64& rng) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  std::vector<std::string> out;
  if (e == nullptr || count == 0) return out;
  const Set& set = e->value.set();
  const size_t size = set.size();
  Set::Member m;
  if (count < 0) {
    // Repeats allowed: each pick samples the whole set. -count cannot overflow: the caller
    // refused INT64_MIN, as Redis's -LONG_MAX bound does.
    const auto n = static_cast<size_t>(-count);
    out.reserve(std::min<size_t>(n, 1 << 20));
    for (size_t i = 0; i < n; ++i) {
      set.random_member(rng, m);
      out.emplace_back(m.view);
    }
    return out;
  }
  const auto n = static_cast<size_t>(count);
  if (n >= size) {
    out.reserve(size);
    set.for_each([&](std::string_view v) { out.emplace_back(v); });
    return out;
  }
  if (n * 3 > size) {
    // Asking for most of the set: copy it and drop random members until n are left.
    set.for_each([&](std::string_view v) { out.emplace_back(v); });
    while (out.size() > n) {
      const size_t i = rng() % out.size();
      std::swap(out[i], out.back());
      out.pop_back();
    }
    return out;
  }
  // A small share: draw until n distinct members came up.
  std::unordered_set<std::string> seen;
  out.reserve(n);
  while (out.size() < n) {
    set.random_member(rng, m);
    if (seen.emplace(m.view).second) out.emplace_back(m.view);
  }
  return out;
}

OpResult<PopResult> op_spop(Database& db, std::string_view key, size_t count,
                            std::mt19937_64& rng) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  PopResult r;
  if (e == nullptr) return r;
  r.found = true;
  if (count == 0) return r;
  Set& set = e->value.set();
  if (count >= set.size()) {
    r.took_all = true;
    r.members.reserve(set.size());
    set.for_each([&](std::string_view v) { r.members.emplace_back(v); });
    db.signal_modified(key);
    db.notify(kNotifySet, "spop", key);
    db.erase(e);
    db.notify(kNotifyGeneric, "del", key);
    return r;
  }
  r.members.reserve(count);
  Set::Member m;
  for (size_t i = 0; i < count; ++i) {
    set.random_member(rng, m);
    r.members.emplace_back(m.view);
    set.remove(r.members.back());
  }
  db.signal_modified(key);
  db.notify(kNotifySet, "spop", key);
  return r;
}

uint64_t op_sscan(const Set& set, uint64_t cursor, const ScanParams& params,
                  std::vector<std::string>* out) {
  const size_t first = out->size();
  if (set.is_intset()) {
    cursor = set.scan(cursor, [&](std::string_view m) { out->emplace_back(m); });
  } else {
    // Redis's scanGenericCommand: buckets until COUNT members came up or 10 * COUNT buckets were
    // visited (sparse tables), then the pattern filters what was collected.
    int64_t budget = params.count * 10;
    do {
      cursor = set.scan(cursor, [&](std::string_view m) { out->emplace_back(m); });
    } while (cursor != 0 && budget-- > 0 &&
             out->size() - first < static_cast<size_t>(params.count));
  }
  if (!params.pattern.empty() && params.pattern != "*") {
    auto keep =
        std::remove_if(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
                       [&](const std::string& m) { return !glob_match(params.pattern, m); });
    out->erase(keep, out->end());
  }
  return cursor;
}

namespace {

// ============================ Cmd side: arguments and replies ===================================

constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
constexpr std::string_view kTooManyKeys = "ERR Number of keys can't be greater than number of args";
constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";
constexpr std::string_view kCountOutOfRange =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

void reply_status(CommandContext& ctx, OpStatus status) {
  ctx.reply.error(op_status_error(status));
}

size_t max_intset(const CommandContext& ctx) {
  return static_cast<size_t>(ctx.config().set_max_intset_entries);
}

// A set reply (RESP3 ~, RESP2 *) of a whole Set.
void reply_set(CommandContext& ctx, const Set& set) {
  ctx.reply.set(set.size());
  set.for_each([&](std::string_view m) { ctx.reply.bulk(m); });
}

// SADD key member [member ...]
void cmd_sadd(CommandContext& ctx) {
  auto r = op_sadd(ctx.db(), ctx.arg(1), ctx.argv.subspan(2), max_intset(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// SREM key member [member ...]
void cmd_srem(CommandContext& ctx) {
  auto r = op_srem(ctx.db(), ctx.arg(1), ctx.argv.subspan(2));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// SCARD key
void cmd_scard(CommandContext& ctx) {
  auto r = op_scard(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// SISMEMBER key member
void cmd_sismember(CommandContext& ctx) {
  auto r = op_sismember(ctx.db(), ctx.arg(1), ctx.arg(2));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r ? 1 : 0);
}

// SMISMEMBER key member [member ...]
void cmd_smismember(CommandContext& ctx) {
  auto r = op_smismember(ctx.db(), ctx.arg(1), ctx.argv.subspan(2));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.array(r->size());
  for (bool b : *r) ctx.reply.integer(b ? 1 : 0);
}

// SMEMBERS key
void cmd_smembers(CommandContext& ctx) {
  auto r = op_set_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  if (*r == nullptr) return ctx.reply.set(0);
  reply_set(ctx, **r);
}

// SMOVE source destination member
void cmd_smove(CommandContext& ctx) {
  auto r = op_smove(ctx.db(), ctx.arg(1), ctx.arg(2), ctx.arg(3), max_intset(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r ? 1 : 0);
}

// SRANDMEMBER key [count]
void cmd_srandmember(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.error(err::kSyntax);
  if (ctx.argc() == 2) {
    auto r = op_srandmember(ctx.db(), ctx.arg(1), ctx.db().rng());
    if (!r.ok()) return reply_status(ctx, r.status());
    return ctx.reply.bulk_or_null(*r);
  }
  // Redis's range is -LONG_MAX..LONG_MAX: only INT64_MIN is out of range.
  std::optional<int64_t> count = parse_int64(ctx.arg(2));
  if (!count) return ctx.reply.error(err::kNotInteger);
  if (*count == INT64_MIN) return ctx.reply.error(kCountOutOfRange);
  auto r = op_srandmember_count(ctx.db(), ctx.arg(1), *count, ctx.db().rng());
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.array(r->size());
  for (const std::string& m : *r) ctx.reply.bulk(m);
}

// SPOP key [count]
void cmd_spop(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.error(err::kSyntax);
  const std::string_view key = ctx.arg(1);
  if (ctx.argc() == 2) {
    auto r = op_spop(ctx.db(), key, 1, ctx.db().rng());
    if (!r.ok()) return reply_status(ctx, r.status());
    if (r->members.empty()) return ctx.reply.null();
    // Replays as the removal of the member drawn (Redis rewrites SPOP as SREM).
    ctx.propagate_as({"SREM", key, r->members[0]});
    return ctx.reply.bulk(r->members[0]);
  }
  ArgParser p(ctx.argv, 2);
  const int64_t count = p.next_int(0, INT64_MAX, err::kMustBePositive);
  if (!p.done_or_reply(ctx.reply)) return;
  auto r = op_spop(ctx.db(), key, static_cast<size_t>(count), ctx.db().rng());
  if (!r.ok()) return reply_status(ctx, r.status());
  if (r->took_all) {
    ctx.propagate_as({"DEL", key});
  } else if (!r->members.empty()) {
    // One SREM of every member drawn: the same effect as Redis's SREM per member.
    std::vector<std::string_view> effect;
    effect.reserve(r->members.size() + 2);
    effect.push_back("SREM");
    effect.push_back(key);
    for (const std::string& m : r->members) effect.push_back(m);
    ctx.propagate_as(std::span<const std::string_view>(effect));
  }
  ctx.reply.set(r->members.size());
  for (const std::string& m : r->members) ctx.reply.bulk(m);
}

// SINTER key [key ...]
void cmd_sinter(CommandContext& ctx) {
  auto r = op_sinter(ctx.db(), ctx.argv.subspan(1), max_intset(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  reply_set(ctx, *r);
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void cmd_sintercard(CommandContext& ctx) {
  ArgParser p(ctx.argv, 1);
  const int64_t numkeys = p.next_int(1, INT64_MAX, kNumkeysNotPositive);
  if (!p.ok_or_reply(ctx.reply)) return;
  if (static_cast<uint64_t>(numkeys) > ctx.argc() - 2) return ctx.reply.error(kTooManyKeys);
  auto keys = ctx.argv.subspan(2, static_cast<size_t>(numkeys));
  int64_t limit = 0;
  for (size_t j = 2 + static_cast<size_t>(numkeys); j < ctx.argc(); ++j) {
    if (iequals(ctx.arg(j), "LIMIT") && j + 1 < ctx.argc()) {
      ArgParser lp(ctx.argv, ++j);
      limit = lp.next_int(0, INT64_MAX, kLimitNegative);
      if (!lp.ok_or_reply(ctx.reply)) return;
    } else {
      return ctx.reply.error(err::kSyntax);
    }
  }
  auto r = op_sintercard(ctx.db(), keys, static_cast<size_t>(limit));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// SINTERSTORE destination key [key ...]
void cmd_sinterstore(CommandContext& ctx) {
  auto r = op_sinterstore(ctx.db(), ctx.arg(1), ctx.argv.subspan(2), max_intset(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

void union_diff_generic(CommandContext& ctx, SetAlgebra op) {
  auto r = op_sunion_diff(ctx.db(), ctx.argv.subspan(1), op, max_intset(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  reply_set(ctx, *r);
}

void union_diff_store_generic(CommandContext& ctx, SetAlgebra op) {
  auto r = op_sunion_diff_store(ctx.db(), ctx.arg(1), ctx.argv.subspan(2), op, max_intset(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// SUNION key [key ...]
void cmd_sunion(CommandContext& ctx) { union_diff_generic(ctx, SetAlgebra::kUnion); }
// SDIFF key [key ...]
void cmd_sdiff(CommandContext& ctx) { union_diff_generic(ctx, SetAlgebra::kDiff); }
// SUNIONSTORE destination key [key ...]
void cmd_sunionstore(CommandContext& ctx) { union_diff_store_generic(ctx, SetAlgebra::kUnion); }
// SDIFFSTORE destination key [key ...]
void cmd_sdiffstore(CommandContext& ctx) { union_diff_store_generic(ctx, SetAlgebra::kDiff); }

// SSCAN key cursor [MATCH pattern] [COUNT count]
void cmd_sscan(CommandContext& ctx) {
  // Redis's order: the cursor, then the key (absent: an empty scan, whatever the options), then
  // the options.
  std::optional<uint64_t> cursor = parse_scan_cursor(ctx.arg(2));
  if (!cursor) return ctx.reply.error(err::kInvalidCursor);
  auto r = op_set_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  if (*r == nullptr) {
    ctx.reply.array(2);
    ctx.reply.bulk("0");
    return ctx.reply.array(0);
  }
  ScanParams params;
  if (!parse_scan_options_or_reply(ctx, 3, false, &params)) return;
  std::vector<std::string> members;
  const uint64_t next = op_sscan(**r, *cursor, params, &members);
  ctx.reply.array(2);
  // Redis prints the cursor as a signed long long.
  ctx.reply.bulk(int64_to_string(static_cast<int64_t>(next)));
  ctx.reply.array(members.size());
  for (const std::string& m : members) ctx.reply.bulk(m);
}

}  // namespace

void register_sets(CommandTable& t) {
  constexpr uint32_t kWriteFast = kCmdWrite | kCmdFast;
  constexpr uint32_t kWriteOomFast = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kWriteOom = kCmdWrite | kCmdDenyOom;
  constexpr uint32_t kReadFast = kCmdReadonly | kCmdFast;
  constexpr std::string_view kSet = "set";
  constexpr std::string_view kAcl = "@set";
  t.add({"sadd", -3, kWriteOomFast, 1, 1, 1, cmd_sadd, kSet,
         "Adds one or more members to a set. Creates the key if it doesn't exist.", kAcl});
  t.add({"srem", -3, kWriteFast, 1, 1, 1, cmd_srem, kSet,
         "Removes one or more members from a set. Deletes the set if the last member was "
         "removed.",
         kAcl});
  t.add({"scard", 2, kReadFast, 1, 1, 1, cmd_scard, kSet, "Returns the number of members in a set.",
         kAcl});
  t.add({"sismember", 3, kReadFast, 1, 1, 1, cmd_sismember, kSet,
         "Determines whether a member belongs to a set.", kAcl});
  t.add({"smismember", -3, kReadFast, 1, 1, 1, cmd_smismember, kSet,
         "Determines whether multiple members belong to a set.", kAcl});
  t.add({"smembers", 2, kCmdReadonly, 1, 1, 1, cmd_smembers, kSet, "Returns all members of a set.",
         kAcl});
  t.add({"smove", 4, kWriteFast, 1, 2, 1, cmd_smove, kSet,
         "Moves a member from one set to another.", kAcl});
  t.add({"srandmember", -2, kCmdReadonly, 1, 1, 1, cmd_srandmember, kSet,
         "Get one or multiple random members from a set", kAcl});
  t.add({"spop", -2, kWriteFast, 1, 1, 1, cmd_spop, kSet,
         "Returns one or more random members from a set after removing them. Deletes the set if "
         "the last member was popped.",
         kAcl});
  t.add({"sinter", -2, kCmdReadonly, 1, -1, 1, cmd_sinter, kSet,
         "Returns the intersect of multiple sets.", kAcl});
  t.add({"sintercard", -3, kCmdReadonly | kCmdMovableKeys, 0, 0, 0, cmd_sintercard, kSet,
         "Returns the number of members of the intersect of multiple sets.", kAcl});
  t.add({"sinterstore", -3, kWriteOom, 1, -1, 1, cmd_sinterstore, kSet,
         "Stores the intersect of multiple sets in a key.", kAcl});
  t.add({"sunion", -2, kCmdReadonly, 1, -1, 1, cmd_sunion, kSet,
         "Returns the union of multiple sets.", kAcl});
  t.add({"sunionstore", -3, kWriteOom, 1, -1, 1, cmd_sunionstore, kSet,
         "Stores the union of multiple sets in a key.", kAcl});
  t.add({"sdiff", -2, kCmdReadonly, 1, -1, 1, cmd_sdiff, kSet,
         "Returns the difference of multiple sets.", kAcl});
  t.add({"sdiffstore", -3, kWriteOom, 1, -1, 1, cmd_sdiffstore, kSet,
         "Stores the difference of multiple sets in a key.", kAcl});
  t.add({"sscan", -3, kCmdReadonly, 1, 1, 1, cmd_sscan, kSet, "Iterates over members of a set.",
         kAcl});
}

}  // namespace basalt
