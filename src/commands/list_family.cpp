// The list family (Redis's t_list.c): push, pop (counted, multi-key, blocking), range, index,
// insert, remove, trim, position and move. Replies, reply types and errors follow Redis 7.0
// exactly, including the order in which errors are checked.
//
// Two halves, as the string family: Op functions (list_family.hpp) do the store work on a Database
// and return an OpResult; cmd_ functions parse the arguments with ArgParser, call the Op functions
// and write the reply.
//
// Blocking commands share one shape: try to serve now with the same op as their non-blocking form;
// if nothing can be served and the client may block, register with the engine, which re-runs the
// same command when one of the keys gets elements (ctx.reprocess) or answers with a nil array at
// the deadline.

#include "commands/list_family.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/strings.hpp"
#include "commands/arg_parser.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"
#include "commands/helpers.hpp"
#include "commands/op_status.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"
#include "store/list.hpp"

namespace basalt {

namespace {

// ================================ Op side: the store work ======================================

bool holds_other_type(const Entry* e) {
  return e != nullptr && e->value.type() != ValueType::kList;
}

std::string pop(List& list, ListEnd end) {
  return end == ListEnd::kHead ? list.pop_front() : list.pop_back();
}

void push(List& list, ListEnd end, std::string_view value) {
  if (end == ListEnd::kHead) {
    list.push_front(value);
  } else {
    list.push_back(value);
  }
}

void after_removal(Database& db, Entry* e, std::string_view key, std::string_view event) {
  after_elements_removed(db, e, key, kNotifyList, event, e->value.list().empty());
}

std::string_view pop_event(ListEnd end) { return end == ListEnd::kHead ? "lpop" : "rpop"; }
std::string_view push_event(ListEnd end) { return end == ListEnd::kHead ? "lpush" : "rpush"; }

// Pops up to `count` elements of the list at `e` into `sink`. With a count of 0 the sink hears
// of no elements and the key is not touched (LPOP key 0).
void pop_into(Database& db, Entry* e, std::string_view key, ListEnd end, size_t count,
              PopSink& sink) {
  List& list = e->value.list();
  const size_t n = std::min(count, list.size());
  sink.begin(key, n);
  if (n == 0) return;
  for (size_t i = 0; i < n; ++i) sink.element(pop(list, end));
  after_removal(db, e, key, pop_event(end));
}

}  // namespace

// LPUSH/RPUSH/LPUSHX/RPUSHX: pushes in argument order, so LPUSH leaves the last one at the head.
OpResult<size_t> op_push(Database& db, std::string_view key, ListEnd end,
                         std::span<const std::string_view> values, bool only_if_exists) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) {
    if (only_if_exists) return size_t{0};
    e = db.add(key, Value::new_list());
  }
  List& list = e->value.list();
  for (std::string_view v : values) push(list, end, v);
  db.signal_modified(key);
  db.notify(kNotifyList, push_event(end), key);
  // Clients blocked on the key are served after this command, not from inside the signal.
  db.signal_list_ready(key);
  return list.size();
}

OpResult<bool> op_pop(Database& db, std::string_view key, ListEnd end, size_t count,
                      PopSink& sink) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return false;
  pop_into(db, e, key, end, count, sink);
  return true;
}

OpResult<std::optional<std::string_view>> op_pop_first(Database& db,
                                                       std::span<const std::string_view> keys,
                                                       ListEnd end, size_t count, PopSink& sink) {
  for (std::string_view key : keys) {
    Entry* e = db.find(key);
    if (holds_other_type(e)) return OpStatus::kWrongType;
    if (e != nullptr) {
      pop_into(db, e, key, end, count, sink);
      return std::optional<std::string_view>(key);
    }
  }
  return std::optional<std::string_view>();
}

OpResult<std::optional<std::string>> op_move(Database& db, std::string_view source,
                                             std::string_view destination, ListEnd from,
                                             ListEnd to) {
  Entry* src = db.find(source);
  if (holds_other_type(src)) return OpStatus::kWrongType;
  if (src == nullptr) return std::optional<std::string>();
  // The destination's type is checked before anything is popped.
  Entry* dst = db.find(destination);
  if (holds_other_type(dst)) return OpStatus::kWrongType;
  // A copy: when source and destination are one list, the push may move the popped bytes.
  std::optional<std::string> value(pop(src->value.list(), from));
  if (dst == nullptr) dst = db.add(destination, Value::new_list());
  push(dst->value.list(), to, *value);
  db.signal_modified(destination);
  db.notify(kNotifyList, push_event(to), destination);
  db.signal_list_ready(destination);
  // Only after the push: a list moved onto itself is never left empty. (Entries stay where they
  // are when other keys are added, so src is still good.)
  after_removal(db, src, source, pop_event(from));
  return value;
}

OpResult<size_t> op_llen(Database& db, std::string_view key) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  return e == nullptr ? 0 : e->value.list().size();
}

OpResult<ListSlice> op_lrange(Database& db, std::string_view key, int64_t start, int64_t stop) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return ListSlice{};
  const List& list = e->value.list();
  const auto len = static_cast<int64_t>(list.size());
  if (start < 0) start = std::max<int64_t>(len + start, 0);
  if (stop < 0) stop = len + stop;
  if (start > stop || start >= len) return ListSlice{};
  if (stop >= len) stop = len - 1;
  return ListSlice{&list, static_cast<size_t>(start), static_cast<size_t>(stop - start + 1)};
}

OpResult<std::optional<std::string_view>> op_lindex(Database& db, std::string_view key,
                                                    std::optional<int64_t> index) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return std::optional<std::string_view>();
  if (!index) return OpStatus::kNotInteger;
  const List& list = e->value.list();
  const auto len = static_cast<int64_t>(list.size());
  const int64_t i = normalize_index(*index, len);
  if (i < 0 || i >= len) return std::optional<std::string_view>();
  return std::optional<std::string_view>(list.at(static_cast<size_t>(i)));
}

OpStatus op_lset(Database& db, std::string_view key, std::optional<int64_t> index,
                 std::string_view value) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return OpStatus::kNoSuchKey;
  if (!index) return OpStatus::kNotInteger;
  List& list = e->value.list();
  const auto len = static_cast<int64_t>(list.size());
  const int64_t i = normalize_index(*index, len);
  if (i < 0 || i >= len) return OpStatus::kIndexOutOfRange;
  list.set(static_cast<size_t>(i), value);
  db.signal_modified(key);
  db.notify(kNotifyList, "lset", key);
  return OpStatus::kOk;
}

OpResult<int64_t> op_linsert(Database& db, std::string_view key, bool after, std::string_view pivot,
                             std::string_view value) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return int64_t{0};
  List& list = e->value.list();
  std::optional<size_t> found;
  size_t index = 0;
  list.scan_forward(0, [&](std::string_view v) {
    if (v == pivot) {
      found = index;
      return false;
    }
    ++index;
    return true;
  });
  if (!found) return int64_t{-1};
  list.insert(*found + (after ? 1 : 0), value);
  const auto len = static_cast<int64_t>(list.size());
  db.signal_modified(key);
  db.notify(kNotifyList, "linsert", key);
  return len;
}

OpResult<size_t> op_lrem(Database& db, std::string_view key, int64_t count,
                         std::string_view value) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return size_t{0};
  const size_t removed = e->value.list().remove(value, count);
  if (removed > 0) after_removal(db, e, key, "lrem");
  return removed;
}

OpStatus op_ltrim(Database& db, std::string_view key, int64_t start, int64_t stop) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return OpStatus::kOk;
  List& list = e->value.list();
  const auto len = static_cast<int64_t>(list.size());
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) {
    list.clear();
  } else {
    list.trim(static_cast<size_t>(start), static_cast<size_t>(std::min(stop, len - 1)));
  }
  // Signalled (and notified) even when nothing was trimmed, as Redis does.
  after_removal(db, e, key, "ltrim");
  return OpStatus::kOk;
}

OpResult<std::vector<int64_t>> op_lpos(Database& db, std::string_view key, std::string_view element,
                                       const LposParams& params) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  std::vector<int64_t> matches;
  if (e == nullptr) return matches;
  const List& list = e->value.list();
  // Matches before the rank'th are skipped. -(rank + 1) + 1 is -rank without overflowing on
  // INT64_MIN.
  const int64_t rank = params.rank;
  int64_t skip = (rank > 0 ? rank : -(rank + 1) + 1) - 1;
  const size_t limit = params.count == 0 ? SIZE_MAX : static_cast<size_t>(params.count);
  int64_t compared = 0;
  auto visit = [&](int64_t index, std::string_view v) {
    if (params.maxlen != 0 && compared >= params.maxlen) return false;
    ++compared;
    if (v == element) {
      if (skip > 0) {
        --skip;
      } else {
        matches.push_back(index);
        if (matches.size() >= limit) return false;
      }
    }
    return true;
  };
  if (rank > 0) {
    int64_t index = 0;
    list.scan_forward(0, [&](std::string_view v) { return visit(index++, v); });
  } else {
    auto index = static_cast<int64_t>(list.size()) - 1;
    list.scan_backward(list.size() - 1, [&](std::string_view v) { return visit(index--, v); });
  }
  return matches;
}

namespace {

// ============================ Cmd side: arguments and replies ===================================

constexpr std::string_view kRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";
constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";

// The first failure of an Op, in Redis's words.
void reply_status(CommandContext& ctx, OpStatus status) {
  ctx.reply.error(op_status_error(status));
}

// LEFT|RIGHT; anything else latches a syntax error.
ListEnd next_end(ArgParser& p) {
  return p.next_keyword({"LEFT", "RIGHT"}) == 1 ? ListEnd::kTail : ListEnd::kHead;
}

std::string_view end_name(ListEnd end) { return end == ListEnd::kHead ? "LEFT" : "RIGHT"; }

// How popped elements are replied: LPOP key's one element as a bulk string; LPOP key count's
// [elements]; LMPOP's [key, [elements]]; BLPOP's one element, flat: [key, element].
enum class PopReply : uint8_t { kElement, kArray, kKeyAndArray, kKeyAndElement };

class PopReplySink final : public PopSink {
 public:
  PopReplySink(ReplyBuilder& reply, PopReply shape) : reply_(reply), shape_(shape) {}

  void begin(std::string_view key, size_t count) override {
    if (shape_ == PopReply::kKeyAndArray || shape_ == PopReply::kKeyAndElement) {
      reply_.array(2);
      reply_.bulk(key);
    }
    if (shape_ == PopReply::kArray || shape_ == PopReply::kKeyAndArray) reply_.array(count);
  }
  void element(std::string_view value) override { reply_.bulk(value); }

 private:
  ReplyBuilder& reply_;
  PopReply shape_;
};

// LPUSH/RPUSH/LPUSHX/RPUSHX key element [element ...]
void push_generic(CommandContext& ctx, ListEnd end, bool only_if_exists) {
  auto r = op_push(ctx.db(), ctx.arg(1), end, ctx.argv.subspan(2), only_if_exists);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// LPUSH key element [element ...]
void cmd_lpush(CommandContext& ctx) { push_generic(ctx, ListEnd::kHead, false); }
// RPUSH key element [element ...]
void cmd_rpush(CommandContext& ctx) { push_generic(ctx, ListEnd::kTail, false); }
// LPUSHX key element [element ...]
void cmd_lpushx(CommandContext& ctx) { push_generic(ctx, ListEnd::kHead, true); }
// RPUSHX key element [element ...]
void cmd_rpushx(CommandContext& ctx) { push_generic(ctx, ListEnd::kTail, true); }

// LPOP/RPOP key [count]: without a count, one element or nil; with one, an array or a nil array.
void pop_generic(CommandContext& ctx, ListEnd end) {
  // Arity -2 admits more; Redis checks the upper bound in the handler, before the count.
  if (ctx.argc() > 3) return ctx.reply.error(err::wrong_arity(ctx.command.full_name));
  if (ctx.argc() == 2) {
    PopReplySink sink(ctx.reply, PopReply::kElement);
    auto r = op_pop(ctx.db(), ctx.arg(1), end, 1, sink);
    if (!r.ok()) return reply_status(ctx, r.status());
    if (!*r) ctx.reply.null();
    return;
  }
  ArgParser p(ctx.argv, 2);
  const int64_t count = p.next_int(0, INT64_MAX, err::kMustBePositive);
  if (!p.done_or_reply(ctx.reply)) return;
  PopReplySink sink(ctx.reply, PopReply::kArray);
  auto r = op_pop(ctx.db(), ctx.arg(1), end, static_cast<size_t>(count), sink);
  if (!r.ok()) return reply_status(ctx, r.status());
  if (!*r) ctx.reply.null_array();
}

// LPOP key [count]
void cmd_lpop(CommandContext& ctx) { pop_generic(ctx, ListEnd::kHead); }
// RPOP key [count]
void cmd_rpop(CommandContext& ctx) { pop_generic(ctx, ListEnd::kTail); }

// LLEN key
void cmd_llen(CommandContext& ctx) {
  auto r = op_llen(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// LRANGE key start stop
void cmd_lrange(CommandContext& ctx) {
  ArgParser p(ctx.argv, 2);
  const int64_t start = p.next_int();
  const int64_t stop = p.next_int();
  if (!p.done_or_reply(ctx.reply)) return;
  auto r = op_lrange(ctx.db(), ctx.arg(1), start, stop);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.array(r->count);
  r->for_each([&](std::string_view v) { ctx.reply.bulk(v); });
}

// LINDEX key index
void cmd_lindex(CommandContext& ctx) {
  // Not through ArgParser: a bad index is an error only for a key holding a list (see op_lindex).
  auto r = op_lindex(ctx.db(), ctx.arg(1), parse_int64(ctx.arg(2)));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.bulk_or_null(*r);
}

// LSET key index element
void cmd_lset(CommandContext& ctx) {
  // Not through ArgParser: the key's errors come before a bad index's (see op_lset).
  OpStatus status = op_lset(ctx.db(), ctx.arg(1), parse_int64(ctx.arg(2)), ctx.arg(3));
  if (status != OpStatus::kOk) return reply_status(ctx, status);
  ctx.reply.ok();
}

// LINSERT key BEFORE|AFTER pivot element
void cmd_linsert(CommandContext& ctx) {
  ArgParser p(ctx.argv, 2);
  const bool after = p.next_keyword({"BEFORE", "AFTER"}) == 1;
  const std::string_view pivot = p.next();
  const std::string_view element = p.next();
  if (!p.done_or_reply(ctx.reply)) return;
  auto r = op_linsert(ctx.db(), ctx.arg(1), after, pivot, element);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r);
}

// LREM key count element
void cmd_lrem(CommandContext& ctx) {
  ArgParser p(ctx.argv, 2);
  const int64_t count = p.next_int();
  const std::string_view element = p.next();
  if (!p.done_or_reply(ctx.reply)) return;
  auto r = op_lrem(ctx.db(), ctx.arg(1), count, element);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// LTRIM key start stop
void cmd_ltrim(CommandContext& ctx) {
  ArgParser p(ctx.argv, 2);
  const int64_t start = p.next_int();
  const int64_t stop = p.next_int();
  if (!p.done_or_reply(ctx.reply)) return;
  OpStatus status = op_ltrim(ctx.db(), ctx.arg(1), start, stop);
  if (status != OpStatus::kOk) return reply_status(ctx, status);
  ctx.reply.ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void cmd_lpos(CommandContext& ctx) {
  LposParams params;
  bool want_array = false;  // COUNT given: an array even for one match or none
  ArgParser p(ctx.argv, 3);
  while (p.ok() && p.has_next()) {
    // Redis wants an option's value present before it looks at the option's name.
    if (p.remaining() < 2) {
      p.fail(err::kSyntax);
      break;
    }
    switch (p.next_keyword({"RANK", "COUNT", "MAXLEN"})) {
      case 0:
        params.rank = p.next_int();
        if (p.ok() && params.rank == 0) p.fail(kRankZero);
        break;
      case 1:
        // A COUNT that is not a number gets this text too, as in Redis.
        params.count = p.next_int(0, INT64_MAX, kCountNegative);
        want_array = true;
        break;
      case 2:
        params.maxlen = p.next_int(0, INT64_MAX, kMaxlenNegative);
        break;
      default:
        break;
    }
  }
  if (!p.done_or_reply(ctx.reply)) return;
  auto r = op_lpos(ctx.db(), ctx.arg(1), ctx.arg(2), params);
  if (!r.ok()) return reply_status(ctx, r.status());
  const std::vector<int64_t>& matches = *r;
  if (!want_array) {
    if (matches.empty()) return ctx.reply.null();
    return ctx.reply.integer(matches[0]);
  }
  ctx.reply.array(matches.size());
  for (int64_t m : matches) ctx.reply.integer(m);
}

// LMOVE / BLMOVE / RPOPLPUSH / BRPOPLPUSH after argument parsing; block_deadline for the
// blocking forms.
void move_generic(CommandContext& ctx, ListEnd from, ListEnd to,
                  std::optional<int64_t> block_deadline) {
  const std::string_view source = ctx.arg(1);
  auto r = op_move(ctx.db(), source, ctx.arg(2), from, to);
  if (!r.ok()) return reply_status(ctx, r.status());
  if (r->has_value()) {
    // A served blocking move replays as the move itself (BLMOVE -> LMOVE, as Redis).
    if (block_deadline) {
      ctx.propagate_as({"LMOVE", source, ctx.arg(2), end_name(from), end_name(to)});
    }
    return ctx.reply.bulk(**r);
  }
  if (block_deadline && ctx.may_block()) {
    std::string_view keys[] = {source};
    ctx.engine.block(ctx, keys, *block_deadline, TimeoutReply::kNullArray);
    return;
  }
  // A nil bulk for LMOVE, and for a blocking move that cannot block (inside MULTI), as Redis 7.0.15
  // answers; only a blocking move that timed out answers a nil array.
  ctx.reply.null();
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
void cmd_lmove(CommandContext& ctx) {
  ArgParser p(ctx.argv, 3);
  const ListEnd from = next_end(p);
  const ListEnd to = next_end(p);
  if (!p.done_or_reply(ctx.reply)) return;
  move_generic(ctx, from, to, std::nullopt);
}

// RPOPLPUSH source destination
void cmd_rpoplpush(CommandContext& ctx) {
  move_generic(ctx, ListEnd::kTail, ListEnd::kHead, std::nullopt);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void cmd_blmove(CommandContext& ctx) {
  ArgParser p(ctx.argv, 3);
  const ListEnd from = next_end(p);
  const ListEnd to = next_end(p);
  if (!p.ok_or_reply(ctx.reply)) return;  // the timeout is read after the ends
  int64_t deadline;
  if (!parse_timeout_or_reply(ctx, ctx.arg(5), &deadline)) return;
  move_generic(ctx, from, to, deadline);
}

// BRPOPLPUSH source destination timeout
void cmd_brpoplpush(CommandContext& ctx) {
  int64_t deadline;
  if (!parse_timeout_or_reply(ctx, ctx.arg(3), &deadline)) return;
  move_generic(ctx, ListEnd::kTail, ListEnd::kHead, deadline);
}

// BLPOP/BRPOP key [key ...] timeout
void blocking_pop_generic(CommandContext& ctx, ListEnd end) {
  int64_t deadline;
  if (!parse_timeout_or_reply(ctx, ctx.arg(ctx.argc() - 1), &deadline)) return;
  auto keys = ctx.argv.subspan(1, ctx.argc() - 2);
  PopReplySink sink(ctx.reply, PopReply::kKeyAndElement);
  auto r = op_pop_first(ctx.db(), keys, end, 1, sink);
  if (!r.ok()) return reply_status(ctx, r.status());
  if (r->has_value()) {
    // Replays as the pop that served it, from the key that had elements.
    ctx.propagate_as({end == ListEnd::kHead ? "LPOP" : "RPOP", **r});
    return;
  }
  if (!ctx.may_block()) return ctx.reply.null_array();
  ctx.engine.block(ctx, keys, deadline, TimeoutReply::kNullArray);
}

// BLPOP key [key ...] timeout
void cmd_blpop(CommandContext& ctx) { blocking_pop_generic(ctx, ListEnd::kHead); }
// BRPOP key [key ...] timeout
void cmd_brpop(CommandContext& ctx) { blocking_pop_generic(ctx, ListEnd::kTail); }

// LMPOP/BLMPOP's "numkeys key [key ...] LEFT|RIGHT [COUNT count]".
struct MultiPopArgs {
  std::span<const std::string_view> keys;
  ListEnd end = ListEnd::kHead;
  int64_t count = 1;
};

// Reads the arguments from p's position on; check p afterwards.
MultiPopArgs parse_multi_pop(CommandContext& ctx, ArgParser& p) {
  MultiPopArgs out;
  const int64_t numkeys = p.next_int(1, INT64_MAX, kNumkeysNotPositive);
  // The keys and the LEFT|RIGHT after them must all be there.
  if (p.ok() && static_cast<uint64_t>(numkeys) >= p.remaining()) p.fail(err::kSyntax);
  if (!p.ok()) return out;
  out.keys = ctx.argv.subspan(p.position(), static_cast<size_t>(numkeys));
  for (int64_t i = 0; i < numkeys; ++i) p.next();
  out.end = next_end(p);
  bool have_count = false;
  while (p.ok() && p.has_next()) {
    if (have_count || !p.check("COUNT") || !p.has_next()) {
      p.fail(err::kSyntax);
      break;
    }
    out.count = p.next_int(1, INT64_MAX, kCountNotPositive);
    have_count = true;
  }
  return out;
}

void multi_pop_generic(CommandContext& ctx, const MultiPopArgs& args,
                       std::optional<int64_t> block_deadline) {
  PopReplySink sink(ctx.reply, PopReply::kKeyAndArray);
  auto r = op_pop_first(ctx.db(), args.keys, args.end, static_cast<size_t>(args.count), sink);
  if (!r.ok()) return reply_status(ctx, r.status());
  if (r->has_value()) {
    // Replays as a pop of the key that was served (Redis rewrites [B]LMPOP the same way).
    const std::string count = std::to_string(args.count);
    ctx.propagate_as({args.end == ListEnd::kHead ? "LPOP" : "RPOP", **r, count});
    return;
  }
  if (block_deadline && ctx.may_block()) {
    ctx.engine.block(ctx, args.keys, *block_deadline, TimeoutReply::kNullArray);
    return;
  }
  ctx.reply.null_array();
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
void cmd_lmpop(CommandContext& ctx) {
  ArgParser p(ctx.argv, 1);
  MultiPopArgs args = parse_multi_pop(ctx, p);
  if (!p.done_or_reply(ctx.reply)) return;
  multi_pop_generic(ctx, args, std::nullopt);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
void cmd_blmpop(CommandContext& ctx) {
  int64_t deadline;
  if (!parse_timeout_or_reply(ctx, ctx.arg(1), &deadline)) return;
  ArgParser p(ctx.argv, 2);
  MultiPopArgs args = parse_multi_pop(ctx, p);
  if (!p.done_or_reply(ctx.reply)) return;
  multi_pop_generic(ctx, args, deadline);
}

}  // namespace

void register_lists(CommandTable& t) {
  constexpr uint32_t kWriteFast = kCmdWrite | kCmdFast;
  constexpr uint32_t kWriteOomFast = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kReadFast = kCmdReadonly | kCmdFast;
  constexpr std::string_view kList = "list";
  constexpr std::string_view kAcl = "@list";
  t.add({"lpush", -3, kWriteOomFast, 1, 1, 1, cmd_lpush, kList,
         "Prepends one or more elements to a list. Creates the key if it doesn't exist.", kAcl});
  t.add({"rpush", -3, kWriteOomFast, 1, 1, 1, cmd_rpush, kList,
         "Appends one or more elements to a list. Creates the key if it doesn't exist.", kAcl});
  t.add({"lpushx", -3, kWriteOomFast, 1, 1, 1, cmd_lpushx, kList,
         "Prepends one or more elements to a list only when the list exists.", kAcl});
  t.add({"rpushx", -3, kWriteOomFast, 1, 1, 1, cmd_rpushx, kList,
         "Appends an element to a list only when the list exists.", kAcl});
  t.add({"lpop", -2, kWriteFast, 1, 1, 1, cmd_lpop, kList,
         "Returns the first elements in a list after removing it. Deletes the list if the last "
         "element was popped.",
         kAcl});
  t.add({"rpop", -2, kWriteFast, 1, 1, 1, cmd_rpop, kList,
         "Returns and removes the last elements of a list. Deletes the list if the last element "
         "was popped.",
         kAcl});
  t.add({"llen", 2, kReadFast, 1, 1, 1, cmd_llen, kList, "Returns the length of a list.", kAcl});
  t.add({"lrange", 4, kCmdReadonly, 1, 1, 1, cmd_lrange, kList,
         "Returns a range of elements from a list.", kAcl});
  t.add({"lindex", 3, kCmdReadonly, 1, 1, 1, cmd_lindex, kList,
         "Returns an element from a list by its index.", kAcl});
  t.add({"lset", 4, kCmdWrite | kCmdDenyOom, 1, 1, 1, cmd_lset, kList,
         "Sets the value of an element in a list by its index.", kAcl});
  t.add({"linsert", 5, kCmdWrite | kCmdDenyOom, 1, 1, 1, cmd_linsert, kList,
         "Inserts an element before or after another element in a list.", kAcl});
  t.add({"lrem", 4, kCmdWrite, 1, 1, 1, cmd_lrem, kList, "Removes elements from a list.", kAcl});
  t.add({"ltrim", 4, kCmdWrite, 1, 1, 1, cmd_ltrim, kList,
         "Removes elements from both ends a list. Deletes the list if all elements were trimmed.",
         kAcl});
  t.add({"lpos", -3, kCmdReadonly, 1, 1, 1, cmd_lpos, kList,
         "Returns the index of matching elements in a list.", kAcl});
  t.add({"lmove", 5, kCmdWrite | kCmdDenyOom, 1, 2, 1, cmd_lmove, kList,
         "Returns an element after popping it from one list and pushing it to another. Deletes "
         "the list if the last element was moved.",
         kAcl});
  t.add({"rpoplpush", 3, kCmdWrite | kCmdDenyOom, 1, 2, 1, cmd_rpoplpush, kList,
         "Returns the last element of a list after removing and pushing it to another list. "
         "Deletes the list if the last element was popped.",
         kAcl});
  t.add({"lmpop", -4, kCmdWrite | kCmdMovableKeys, 0, 0, 0, cmd_lmpop, kList,
         "Returns multiple elements from a list after removing them. Deletes the list if the last "
         "element was popped.",
         kAcl});
  t.add({"blpop", -3, kCmdWrite | kCmdNoScript | kCmdBlocking, 1, -2, 1, cmd_blpop, kList,
         "Removes and returns the first element in a list. Blocks until an element is available "
         "otherwise. Deletes the list if the last element was popped.",
         kAcl});
  t.add({"brpop", -3, kCmdWrite | kCmdNoScript | kCmdBlocking, 1, -2, 1, cmd_brpop, kList,
         "Removes and returns the last element in a list. Blocks until an element is available "
         "otherwise. Deletes the list if the last element was popped.",
         kAcl});
  t.add({"blmove", 6, kCmdWrite | kCmdDenyOom | kCmdNoScript | kCmdBlocking, 1, 2, 1, cmd_blmove,
         kList,
         "Pops an element from a list, pushes it to another list and returns it. Blocks until an "
         "element is available otherwise. Deletes the list if the last element was moved.",
         kAcl});
  t.add({"brpoplpush", 4, kCmdWrite | kCmdDenyOom | kCmdNoScript | kCmdBlocking, 1, 2, 1,
         cmd_brpoplpush, kList,
         "Pops an element from a list, pushes it to another list and returns it. Block until an "
         "element is available otherwise. Deletes the list if the last element was popped.",
         kAcl});
  t.add({"blmpop", -5, kCmdWrite | kCmdBlocking | kCmdMovableKeys, 0, 0, 0, cmd_blmpop, kList,
         "Pops the first element from one of multiple lists. Blocks until an element is available "
         "otherwise. Deletes the list if the last element was popped.",
         kAcl});
}

}  // namespace basalt
