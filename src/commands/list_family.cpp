// The list family: push, pop (counted, multi-key, blocking), range, index, insert, remove, trim,
// position and move. Replies and errors follow Redis 7.0's t_list.c.
//
// Blocking commands share one shape: try to serve now; if nothing can be served and the client may
// block, register with the engine, which re-runs the same command when one of the keys gets
// elements (ctx.reprocess) or answers with a nil array at the deadline.

#include <optional>
#include <vector>

#include "base/strings.hpp"
#include "commands/engine.hpp"
#include "commands/errors.hpp"
#include "commands/families.hpp"
#include "commands/helpers.hpp"
#include "store/list.hpp"

namespace basalt {

namespace {

enum class End { kHead, kTail };

bool parse_end(std::string_view s, End* end) {
  if (iequals(s, "left")) {
    *end = End::kHead;
    return true;
  }
  if (iequals(s, "right")) {
    *end = End::kTail;
    return true;
  }
  return false;
}

std::string pop(List& list, End end) {
  return end == End::kHead ? list.pop_front() : list.pop_back();
}

void push(List& list, End end, std::string_view value) {
  if (end == End::kHead) {
    list.push_front(value);
  } else {
    list.push_back(value);
  }
}

// After removing elements: a list never exists empty. Signals the change either way.
void after_removal(Database& db, Entry* e) {
  db.signal_modified(e->key());
  if (e->value.list().empty()) db.erase(e);
}

// Pops up to `count` elements as an array (the counted forms of LPOP/RPOP, LMPOP, BLMPOP).
void reply_popped(CommandContext& ctx, Entry* e, End end, int64_t count) {
  List& list = e->value.list();
  size_t n = std::min<size_t>(static_cast<size_t>(count), list.size());
  ctx.reply.array(n);
  for (size_t i = 0; i < n; ++i) ctx.reply.bulk(pop(list, end));
  after_removal(ctx.db(), e);
}

// LPUSH/RPUSH/LPUSHX/RPUSHX key element [element ...]
void push_generic(CommandContext& ctx, End end, bool only_if_exists) {
  Database& db = ctx.db();
  std::string_view key = ctx.arg(1);
  bool wrong_type;
  Entry* e = find_typed_or_reply(ctx, key, ValueType::kList, &wrong_type);
  if (wrong_type) return;
  if (e == nullptr) {
    if (only_if_exists) {
      ctx.reply.integer(0);
      return;
    }
    e = db.add(key, Value::new_list());
  }
  List& list = e->value.list();
  for (size_t i = 2; i < ctx.argc(); ++i) push(list, end, ctx.arg(i));
  ctx.reply.integer(static_cast<int64_t>(list.size()));
  db.signal_modified(key);
  db.signal_list_ready(key);
}

// LPUSH key element [element ...]
void cmd_lpush(CommandContext& ctx) { push_generic(ctx, End::kHead, false); }
// RPUSH key element [element ...]
void cmd_rpush(CommandContext& ctx) { push_generic(ctx, End::kTail, false); }
// LPUSHX key element [element ...]
void cmd_lpushx(CommandContext& ctx) { push_generic(ctx, End::kHead, true); }
// RPUSHX key element [element ...]
void cmd_rpushx(CommandContext& ctx) { push_generic(ctx, End::kTail, true); }

// LPOP/RPOP key [count]
void pop_generic(CommandContext& ctx, End end) {
  if (ctx.argc() > 3) {  // arity -2 admits it; Redis checks the upper bound in the handler
    ctx.reply.error(err::wrong_arity(ctx.command.full_name));
    return;
  }
  int64_t count = 0;
  bool has_count = ctx.argc() == 3;
  if (has_count && !parse_int_min_or_reply(ctx, ctx.arg(2), 0, &count, err::kMustBePositive)) {
    return;
  }
  bool wrong_type;
  Entry* e = find_typed_or_reply(ctx, ctx.arg(1), ValueType::kList, &wrong_type);
  if (wrong_type) return;
  if (e == nullptr) {
    if (has_count) {
      ctx.reply.null_array();
    } else {
      ctx.reply.null();
    }
    return;
  }
  if (!has_count) {
    ctx.reply.bulk(pop(e->value.list(), end));
    after_removal(ctx.db(), e);
    return;
  }
  if (count == 0) {
    ctx.reply.array(0);
    return;
  }
  reply_popped(ctx, e, end, count);
}

// LPOP key [count]
void cmd_lpop(CommandContext& ctx) { pop_generic(ctx, End::kHead); }
// RPOP key [count]
void cmd_rpop(CommandContext& ctx) { pop_generic(ctx, End::kTail); }

// LLEN key
void cmd_llen(CommandContext& ctx) {
  bool wrong_type;
  Entry* e = find_typed_for_read_or_reply(ctx, ctx.arg(1), ValueType::kList, &wrong_type);
  if (wrong_type) return;
  ctx.reply.integer(e == nullptr ? 0 : static_cast<int64_t>(e->value.list().size()));
}

// LRANGE key start stop
void cmd_lrange(CommandContext& ctx) {
  int64_t start, stop;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &start) || !parse_int_or_reply(ctx, ctx.arg(3), &stop))
    return;
  bool wrong_type;
  Entry* e = find_typed_for_read_or_reply(ctx, ctx.arg(1), ValueType::kList, &wrong_type);
  if (wrong_type) return;
  if (e == nullptr) {
    ctx.reply.array(0);
    return;
  }
  const List& list = e->value.list();
  int64_t len = static_cast<int64_t>(list.size());
  if (start < 0) start = std::max<int64_t>(len + start, 0);
  if (stop < 0) stop = len + stop;
  if (start > stop || start >= len) {
    ctx.reply.array(0);
    return;
  }
  if (stop >= len) stop = len - 1;
  ctx.reply.array(static_cast<size_t>(stop - start + 1));
  list.for_each(static_cast<size_t>(start), static_cast<size_t>(stop),
                [&](std::string_view v) { ctx.reply.bulk(v); });
}

// LINDEX key index
void cmd_lindex(CommandContext& ctx) {
  // Redis looks the key up before it parses the index: a missing key is nil and a string is
  // WRONGTYPE whatever the index says.
  bool wrong_type;
  Entry* e = find_typed_for_read_or_reply(ctx, ctx.arg(1), ValueType::kList, &wrong_type);
  if (wrong_type) return;
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  int64_t index;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &index)) return;
  const List& list = e->value.list();
  index = normalize_index(index, static_cast<int64_t>(list.size()));
  if (index < 0 || index >= static_cast<int64_t>(list.size())) {
    ctx.reply.null();
    return;
  }
  ctx.reply.bulk(list.at(static_cast<size_t>(index)));
}

// LSET key index element
void cmd_lset(CommandContext& ctx) {
  bool wrong_type;
  Entry* e = find_typed_or_reply(ctx, ctx.arg(1), ValueType::kList, &wrong_type);
  if (wrong_type) return;
  if (e == nullptr) {
    ctx.reply.error(err::kNoSuchKey);
    return;
  }
  int64_t index;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &index)) return;
  List& list = e->value.list();
  index = normalize_index(index, static_cast<int64_t>(list.size()));
  if (index < 0 || index >= static_cast<int64_t>(list.size())) {
    ctx.reply.error(err::kIndexOutOfRange);
    return;
  }
  list.set(static_cast<size_t>(index), ctx.arg(3));
  ctx.reply.ok();
  ctx.db().signal_modified(ctx.arg(1));
}

// LINSERT key BEFORE|AFTER pivot element
void cmd_linsert(CommandContext& ctx) {
  bool after;
  if (iequals(ctx.arg(2), "after")) {
    after = true;
  } else if (iequals(ctx.arg(2), "before")) {
    after = false;
  } else {
    ctx.reply.error(err::kSyntax);
    return;
  }
  bool wrong_type;
  Entry* e = find_typed_or_reply(ctx, ctx.arg(1), ValueType::kList, &wrong_type);
  if (wrong_type) return;
  if (e == nullptr) {
    ctx.reply.integer(0);
    return;
  }
  List& list = e->value.list();
  std::string_view pivot = ctx.arg(3);
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
  if (!found) {
    ctx.reply.integer(-1);
    return;
  }
  list.insert(*found + (after ? 1 : 0), ctx.arg(4));
  ctx.reply.integer(static_cast<int64_t>(list.size()));
  ctx.db().signal_modified(ctx.arg(1));
}

// LREM key count element
void cmd_lrem(CommandContext& ctx) {
  int64_t count;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &count)) return;
  bool wrong_type;
  Entry* e = find_typed_or_reply(ctx, ctx.arg(1), ValueType::kList, &wrong_type);
  if (wrong_type) return;
  if (e == nullptr) {
    ctx.reply.integer(0);
    return;
  }
  size_t removed = e->value.list().remove(ctx.arg(3), count);
  ctx.reply.integer(static_cast<int64_t>(removed));
  if (removed > 0) after_removal(ctx.db(), e);
}

// LTRIM key start stop
void cmd_ltrim(CommandContext& ctx) {
  int64_t start, stop;
  if (!parse_int_or_reply(ctx, ctx.arg(2), &start) || !parse_int_or_reply(ctx, ctx.arg(3), &stop))
    return;
  bool wrong_type;
  Entry* e = find_typed_or_reply(ctx, ctx.arg(1), ValueType::kList, &wrong_type);
  if (wrong_type) return;
  if (e == nullptr) {
    ctx.reply.ok();
    return;
  }
  List& list = e->value.list();
  int64_t len = static_cast<int64_t>(list.size());
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) {
    list.clear();
  } else {
    list.trim(static_cast<size_t>(start), static_cast<size_t>(std::min(stop, len - 1)));
  }
  ctx.reply.ok();
  after_removal(ctx.db(), e);
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void cmd_lpos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    if (i + 1 >= ctx.argc()) {
      ctx.reply.error(err::kSyntax);
      return;
    }
    if (iequals(opt, "rank")) {
      if (!parse_int_or_reply(ctx, ctx.arg(i + 1), &rank)) return;
      if (rank == 0) {
        ctx.reply.error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
        return;
      }
    } else if (iequals(opt, "count")) {
      if (!parse_int_min_or_reply(ctx, ctx.arg(i + 1), 0, &count, "ERR COUNT can't be negative"))
        return;
    } else if (iequals(opt, "maxlen")) {
      if (!parse_int_min_or_reply(ctx, ctx.arg(i + 1), 0, &maxlen, "ERR MAXLEN can't be negative"))
        return;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  bool wrong_type;
  Entry* e = find_typed_for_read_or_reply(ctx, ctx.arg(1), ValueType::kList, &wrong_type);
  if (wrong_type) return;
  bool want_array = count != -1;
  if (e == nullptr) {
    if (want_array) {
      ctx.reply.array(0);
    } else {
      ctx.reply.null();
    }
    return;
  }
  const List& list = e->value.list();
  std::string_view element = ctx.arg(2);
  // Redis counts matches from the rank'th on; COUNT 0 means all; MAXLEN bounds comparisons.
  int64_t skip = (rank > 0 ? rank : -(rank + 1) + 1) - 1;
  size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(count == -1 ? 1 : count);
  std::vector<int64_t> matches;
  int64_t compared = 0;
  auto visit = [&](int64_t index, std::string_view v) {
    if (maxlen != 0 && compared >= maxlen) return false;
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
    int64_t index = static_cast<int64_t>(list.size()) - 1;
    list.scan_backward(list.size() - 1, [&](std::string_view v) { return visit(index--, v); });
  }
  if (!want_array) {
    if (matches.empty()) {
      ctx.reply.null();
    } else {
      ctx.reply.integer(matches[0]);
    }
    return;
  }
  ctx.reply.array(matches.size());
  for (int64_t m : matches) ctx.reply.integer(m);
}

// Moves one element from source to destination; returns false (having replied) on a type error.
// Used by LMOVE, RPOPLPUSH and their blocking forms once source is known to be a non-empty list.
void move_element(CommandContext& ctx, Entry* src, std::string_view dst_key, End from, End to) {
  Database& db = ctx.db();
  std::string src_key(src->key());
  std::string value = pop(src->value.list(), from);
  Entry* dst = db.find(dst_key);
  if (dst == nullptr) dst = db.add(dst_key, Value::new_list());
  push(dst->value.list(), to, value);
  ctx.reply.bulk(value);
  db.signal_modified(src_key);
  db.signal_modified(dst_key);
  db.signal_list_ready(dst_key);
  // After the push: when source and destination are the same key the list is never emptied.
  Entry* s = db.find(src_key);
  if (s != nullptr && s->value.list().empty()) db.erase(s);
}

// The destination must be a list (or absent) before anything is popped.
bool destination_ok_or_reply(CommandContext& ctx, std::string_view dst_key) {
  bool wrong_type;
  find_typed_or_reply(ctx, dst_key, ValueType::kList, &wrong_type);
  return !wrong_type;
}

// LMOVE / BLMOVE / RPOPLPUSH / BRPOPLPUSH after argument parsing.
void move_generic(CommandContext& ctx, std::string_view src_key, std::string_view dst_key, End from,
                  End to, std::optional<int64_t> block_deadline) {
  bool wrong_type;
  Entry* src = find_typed_or_reply(ctx, src_key, ValueType::kList, &wrong_type);
  if (wrong_type) return;
  if (src == nullptr) {
    if (block_deadline && ctx.may_block()) {
      std::string_view keys[] = {src_key};
      ctx.engine.block(ctx, keys, *block_deadline, TimeoutReply::kNullArray);
      return;
    }
    // Redis replies a nil bulk for LMOVE, and a nil array when a blocking move cannot block.
    if (block_deadline) {
      ctx.reply.null_array();
    } else {
      ctx.reply.null();
    }
    return;
  }
  if (!destination_ok_or_reply(ctx, dst_key)) return;
  move_element(ctx, src, dst_key, from, to);
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
void cmd_lmove(CommandContext& ctx) {
  End from, to;
  if (!parse_end(ctx.arg(3), &from) || !parse_end(ctx.arg(4), &to)) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  move_generic(ctx, ctx.arg(1), ctx.arg(2), from, to, std::nullopt);
}

// RPOPLPUSH source destination
void cmd_rpoplpush(CommandContext& ctx) {
  move_generic(ctx, ctx.arg(1), ctx.arg(2), End::kTail, End::kHead, std::nullopt);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void cmd_blmove(CommandContext& ctx) {
  End from, to;
  if (!parse_end(ctx.arg(3), &from) || !parse_end(ctx.arg(4), &to)) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  int64_t deadline;
  if (!parse_timeout_or_reply(ctx, ctx.arg(5), &deadline)) return;
  move_generic(ctx, ctx.arg(1), ctx.arg(2), from, to, deadline);
}

// BRPOPLPUSH source destination timeout
void cmd_brpoplpush(CommandContext& ctx) {
  int64_t deadline;
  if (!parse_timeout_or_reply(ctx, ctx.arg(3), &deadline)) return;
  move_generic(ctx, ctx.arg(1), ctx.arg(2), End::kTail, End::kHead, deadline);
}

// Finds the first key holding a non-empty list, in argument order. Replies WRONGTYPE (and sets
// *failed) if a key before it holds another type, as Redis checks each key in turn.
Entry* first_nonempty_or_reply(CommandContext& ctx, std::span<const std::string_view> keys,
                               bool* failed) {
  *failed = false;
  for (std::string_view key : keys) {
    bool wrong_type;
    Entry* e = find_typed_or_reply(ctx, key, ValueType::kList, &wrong_type);
    if (wrong_type) {
      *failed = true;
      return nullptr;
    }
    if (e != nullptr) return e;
  }
  return nullptr;
}

// BLPOP/BRPOP key [key ...] timeout
void blocking_pop_generic(CommandContext& ctx, End end) {
  int64_t deadline;
  if (!parse_timeout_or_reply(ctx, ctx.arg(ctx.argc() - 1), &deadline)) return;
  auto keys = ctx.argv.subspan(1, ctx.argc() - 2);
  bool failed;
  Entry* e = first_nonempty_or_reply(ctx, keys, &failed);
  if (failed) return;
  if (e != nullptr) {
    ctx.reply.array(2);
    ctx.reply.bulk(e->key());
    ctx.reply.bulk(pop(e->value.list(), end));
    after_removal(ctx.db(), e);
    return;
  }
  if (!ctx.may_block()) {
    ctx.reply.null_array();
    return;
  }
  ctx.engine.block(ctx, keys, deadline, TimeoutReply::kNullArray);
}

// BLPOP key [key ...] timeout
void cmd_blpop(CommandContext& ctx) { blocking_pop_generic(ctx, End::kHead); }
// BRPOP key [key ...] timeout
void cmd_brpop(CommandContext& ctx) { blocking_pop_generic(ctx, End::kTail); }

// LMPOP/BLMPOP's "numkeys key [key ...] LEFT|RIGHT [COUNT count]" starting at argv[first].
struct MultiPopArgs {
  std::span<const std::string_view> keys;
  End end = End::kHead;
  int64_t count = 1;
};

bool parse_multi_pop_or_reply(CommandContext& ctx, size_t first, MultiPopArgs* out) {
  int64_t numkeys;
  auto n = parse_int64(ctx.arg(first));
  if (!n || *n <= 0) {
    ctx.reply.error("ERR numkeys should be greater than 0");
    return false;
  }
  numkeys = *n;
  size_t where = first + 1 + static_cast<size_t>(numkeys);
  if (static_cast<int64_t>(ctx.argc() - first - 1) < numkeys + 1 ||
      !parse_end(ctx.arg(where), &out->end)) {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  out->keys = ctx.argv.subspan(first + 1, static_cast<size_t>(numkeys));
  size_t i = where + 1;
  bool have_count = false;
  while (i < ctx.argc()) {
    if (iequals(ctx.arg(i), "count") && i + 1 < ctx.argc() && !have_count) {
      auto c = parse_int64(ctx.arg(i + 1));
      if (!c || *c <= 0) {
        ctx.reply.error("ERR count should be greater than 0");
        return false;
      }
      out->count = *c;
      have_count = true;
      i += 2;
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  return true;
}

void multi_pop_generic(CommandContext& ctx, const MultiPopArgs& args,
                       std::optional<int64_t> block_deadline) {
  bool failed;
  Entry* e = first_nonempty_or_reply(ctx, args.keys, &failed);
  if (failed) return;
  if (e != nullptr) {
    ctx.reply.array(2);
    ctx.reply.bulk(e->key());
    reply_popped(ctx, e, args.end, args.count);
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
  MultiPopArgs args;
  if (!parse_multi_pop_or_reply(ctx, 1, &args)) return;
  multi_pop_generic(ctx, args, std::nullopt);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
void cmd_blmpop(CommandContext& ctx) {
  int64_t deadline;
  if (!parse_timeout_or_reply(ctx, ctx.arg(1), &deadline)) return;
  MultiPopArgs args;
  if (!parse_multi_pop_or_reply(ctx, 2, &args)) return;
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
