// The sorted set family (Redis's t_zset.c): add and increment, remove, score and rank lookups,
// the unified ZRANGE and its older forms, range removal, pops (counted, multi-key, blocking),
// random members, ZSCAN, and union / intersection / difference. Replies, reply types and errors
// follow Redis 7.0 exactly, including the order in which errors are checked.
//
// Two halves, as the list family: Op functions (zset_family.hpp) do the store work on a Database
// and return an OpResult; cmd_ functions parse the arguments with ArgParser, call the Op functions
// and write the reply. Scores are replied with ReplyBuilder::dbl: "%.17g" bulk strings in RESP2,
// doubles in RESP3, as Redis's addReplyDouble.

#include "commands/zset_family.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/strings.hpp"
#include "commands/arg_parser.hpp"
#include "commands/command_table.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"
#include "commands/generic_family.hpp"
#include "commands/helpers.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"
#include "store/set.hpp"
#include "store/zset.hpp"

namespace basalt {

namespace {

constexpr std::string_view kXxAndNx = "ERR XX and NX options at the same time are not compatible";
constexpr std::string_view kGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
constexpr std::string_view kIncrOnePair =
    "ERR INCR option supports a single increment-element pair";
constexpr std::string_view kScoreNan = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kMinMaxNotFloat = "ERR min or max is not a float";
constexpr std::string_view kMinMaxNotString = "ERR min or max not valid string range item";
constexpr std::string_view kLimitNeedsBy =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
constexpr std::string_view kWithscoresBylex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
constexpr std::string_view kWeightNotFloat = "ERR weight value is not a float";
constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";
constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";
constexpr std::string_view kOutOfRange = "ERR value is out of range";

// ================================ Op side: the store work ======================================

bool holds_other_type(const Entry* e) {
  return e != nullptr && e->value.type() != ValueType::kZSet;
}

void after_removal(Database& db, Entry* e, std::string_view key, std::string_view event) {
  after_elements_removed(db, e, key, kNotifyZset, event, e->value.zset().empty());
}

}  // namespace

OpResult<ZAddResult> op_zadd(Database& db, std::string_view key, ZAddFlags flags,
                             std::span<const std::pair<double, std::string_view>> pairs,
                             const ZSet::Limits& limits) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  ZAddResult res;
  if (e == nullptr && flags.xx) return res;
  // A new set is built whole before its key is: a small one then fits in its entry
  // (Entry::create), as it does after a restart.
  Value fresh;
  if (e == nullptr) fresh = Value::new_zset();
  ZSet& z = e != nullptr ? e->value.zset() : fresh.zset();
  for (const auto& [given, member] : pairs) {
    double score = given;
    double current;
    if (z.score(member, &current)) {
      if (flags.nx) continue;
      if (flags.incr) {
        score += current;
        if (std::isnan(score)) {
          res.nan = true;
          break;
        }
      }
      if ((flags.lt && score >= current) || (flags.gt && score <= current)) continue;
      ++res.processed;
      res.last_score = score;
      if (score != current) {
        z.update(member, current, score);
        ++res.updated;
      }
    } else {
      if (flags.xx) continue;
      z.insert(member, score, limits);
      ++res.added;
      ++res.processed;
      res.last_score = score;
    }
  }
  // A key is created only with members in it (an absent key has none to skip or update).
  if (e == nullptr) {
    if (z.empty()) return res;
    db.add(key, std::move(fresh));  // z is not used past here
  } else {
    db.refit(e);
  }
  if (res.added + res.updated > 0) {
    db.signal_modified(key);
    db.notify(kNotifyZset, flags.incr ? "zincr" : "zadd", key);
    db.signal_list_ready(key);  // clients blocked in BZPOPMIN & co.
  }
  return res;
}

OpResult<size_t> op_zrem(Database& db, std::string_view key,
                         std::span<const std::string_view> members) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return size_t{0};
  size_t removed = 0;
  ZSet& z = e->value.zset();
  for (std::string_view m : members) {
    if (z.erase(m)) ++removed;
    if (z.empty()) break;
  }
  if (removed > 0) after_removal(db, e, key, "zrem");
  return removed;
}

OpResult<const ZSet*> op_zset_read(Database& db, std::string_view key) {
  const Entry* e = db.find_read(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  return e == nullptr ? nullptr : &e->value.zset();
}

namespace {

// A new set holding `pairs` (in order), as ZRANGESTORE and the *STORE commands write it.
Value build_zset(const std::vector<std::pair<std::string, double>>& pairs,
                 const ZSet::Limits& limits) {
  Value v = Value::new_zset();
  ZSet& z = v.zset();
  size_t longest = 0;
  for (const auto& p : pairs) longest = std::max(longest, p.first.size());
  if (pairs.size() > limits.max_packed_entries || longest > limits.max_packed_value) {
    z.convert_to_tree(pairs.size());
  }
  for (const auto& [m, s] : pairs) z.insert(m, s, limits);
  return v;
}

}  // namespace

void store_zset_result(Database& db, std::string_view dst,
                       const std::vector<std::pair<std::string, double>>& result,
                       const ZSet::Limits& limits, std::string_view event) {
  if (result.empty()) {
    delete_key(db, dst);
    return;
  }
  db.set(dst, build_zset(result, limits));
  db.signal_modified(dst);
  db.notify(kNotifyZset, event, dst);
  db.signal_list_ready(dst);
}

OpResult<size_t> op_zrangestore(Database& db, std::string_view dst, std::string_view src,
                                const ZRangeSpec& spec, const ZSet::Limits& limits) {
  const Entry* e = db.find_read(src);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  std::vector<std::pair<std::string, double>> result;
  if (e != nullptr) {
    zrange_walk(e->value.zset(), spec,
                [&](std::string_view m, double s) { result.emplace_back(std::string(m), s); });
  }
  if (spec.reverse) {
    // Stored in the set's own order whichever way it was read.
    std::reverse(result.begin(), result.end());
  }
  store_zset_result(db, dst, result, limits, "zrangestore");
  return result.size();
}

OpResult<size_t> op_zremrange(Database& db, std::string_view key, const ZRangeSpec& spec) {
  Entry* e = db.find(key);
  if (holds_other_type(e)) return OpStatus::kWrongType;
  if (e == nullptr) return size_t{0};
  ZSet& z = e->value.zset();
  size_t removed = 0;
  switch (spec.kind) {
    case ZRangeSpec::Kind::kRank: {
      const auto len = static_cast<int64_t>(z.size());
      int64_t start = spec.start < 0 ? len + spec.start : spec.start;
      int64_t stop = spec.stop < 0 ? len + spec.stop : spec.stop;
      if (start < 0) start = 0;
      if (start > stop || start >= len) return size_t{0};
      if (stop >= len) stop = len - 1;
      removed = z.erase_rank_range(static_cast<size_t>(start), static_cast<size_t>(stop));
      break;
    }
    case ZRangeSpec::Kind::kScore:
      removed = z.erase_score_range(spec.score);
      break;
    case ZRangeSpec::Kind::kLex:
      removed = z.erase_lex_range(spec.lex);
      break;
  }
  if (removed > 0) {
    after_removal(db, e, key,
                  spec.kind == ZRangeSpec::Kind::kRank    ? "zremrangebyrank"
                  : spec.kind == ZRangeSpec::Kind::kScore ? "zremrangebyscore"
                                                          : "zremrangebylex");
  }
  return removed;
}

OpResult<std::optional<std::string_view>> op_zpop(
    Database& db, std::span<const std::string_view> keys, bool max, size_t count,
    std::vector<std::pair<std::string, double>>& out) {
  out.clear();
  for (std::string_view key : keys) {
    Entry* e = db.find(key);
    if (holds_other_type(e)) return OpStatus::kWrongType;
    if (e == nullptr) continue;
    ZSet& z = e->value.zset();
    const size_t n = std::min(count, z.size());
    if (n == 0) return std::optional<std::string_view>(key);
    z.for_rank_range(0, n - 1, max,
                     [&](std::string_view m, double s) { out.emplace_back(std::string(m), s); });
    if (max) {
      z.erase_rank_range(z.size() - n, z.size() - 1);
    } else {
      z.erase_rank_range(0, n - 1);
    }
    after_removal(db, e, key, max ? "zpopmax" : "zpopmin");
    return std::optional<std::string_view>(key);
  }
  return std::optional<std::string_view>();
}

namespace {

void aggregate_into(double& target, double value, ZAggregate aggregate) {
  switch (aggregate) {
    case ZAggregate::kSum:
      target += value;
      // inf + -inf: Redis keeps 0 rather than a NaN.
      if (std::isnan(target)) target = 0;
      return;
    case ZAggregate::kMin:
      target = std::min(value, target);
      return;
    case ZAggregate::kMax:
      target = std::max(value, target);
      return;
  }
}

bool pair_less(const std::pair<std::string, double>& a, const std::pair<std::string, double>& b) {
  if (a.second != b.second) return a.second < b.second;
  return compare_members(a.first, b.first) < 0;
}

}  // namespace

namespace {

// One input of ZUNION/ZINTER/ZDIFF: a sorted set, or a plain set whose members all score 1 (as
// Redis's zuiInitIterator treats sets).
struct ZInput {
  const ZSet* zset = nullptr;
  const Set* set = nullptr;

  size_t size() const { return zset != nullptr ? zset->size() : set->size(); }
  template <class F>
  void for_each(F&& f) const {
    if (zset != nullptr) {
      zset->for_each(f);
    } else {
      set->for_each([&](std::string_view m) { f(m, 1.0); });
    }
  }
  bool score(std::string_view m, double* out) const {
    if (zset != nullptr) return zset->score(m, out);
    if (!set->contains(m)) return false;
    *out = 1.0;
    return true;
  }
};

}  // namespace

OpResult<std::vector<std::pair<std::string, double>>> op_zsetop(
    Database& db, ZSetOp op, std::span<const std::string_view> keys,
    std::span<const double> weights, ZAggregate aggregate) {
  std::vector<ZInput> inputs;
  std::vector<const ZInput*> sets;
  inputs.reserve(keys.size());
  sets.reserve(keys.size());
  for (std::string_view key : keys) {
    const Entry* e = db.find_read(key);
    if (e == nullptr) {
      sets.push_back(nullptr);
    } else if (e->value.is_zset()) {
      sets.push_back(&inputs.emplace_back(ZInput{&e->value.zset(), nullptr}));
    } else if (e->value.is_set()) {
      sets.push_back(&inputs.emplace_back(ZInput{nullptr, &e->value.set()}));
    } else {
      return OpStatus::kWrongType;
    }
  }
  auto size_of = [&](size_t i) { return sets[i] == nullptr ? 0 : sets[i]->size(); };
  std::vector<std::pair<std::string, double>> out;
  switch (op) {
    case ZSetOp::kUnion: {
      std::unordered_map<std::string, double, StringHash, std::equal_to<>> acc;
      for (size_t i = 0; i < sets.size(); ++i) {
        if (sets[i] == nullptr) continue;
        sets[i]->for_each([&](std::string_view m, double s) {
          double v = weights[i] * s;
          if (std::isnan(v)) v = 0;  // 0 * inf
          auto it = acc.find(m);
          if (it == acc.end()) {
            acc.emplace(std::string(m), v);
          } else {
            aggregate_into(it->second, v, aggregate);
          }
        });
      }
      out.reserve(acc.size());
      for (auto& [m, s] : acc) out.emplace_back(m, s);
      break;
    }
    case ZSetOp::kInter: {
      // Walk the smallest input, looking the others up.
      size_t smallest = 0;
      for (size_t i = 1; i < sets.size(); ++i)
        if (size_of(i) < size_of(smallest)) smallest = i;
      if (size_of(smallest) == 0) break;
      sets[smallest]->for_each([&](std::string_view m, double s) {
        double score = weights[smallest] * s;
        if (std::isnan(score)) score = 0;
        for (size_t j = 0; j < sets.size(); ++j) {
          if (j == smallest) continue;
          double other;
          if (!sets[j]->score(m, &other)) return;
          aggregate_into(score, other * weights[j], aggregate);
        }
        out.emplace_back(std::string(m), score);
      });
      break;
    }
    case ZSetOp::kDiff: {
      if (size_of(0) == 0) break;
      sets[0]->for_each([&](std::string_view m, double s) {
        for (size_t j = 1; j < sets.size(); ++j) {
          double other;
          if (sets[j] != nullptr && sets[j]->score(m, &other)) return;
        }
        out.emplace_back(std::string(m), s);
      });
      break;
    }
  }
  std::sort(out.begin(), out.end(), pair_less);
  return out;
}

namespace {

// ================================ Cmd side: parsing and replies ================================

void reply_status(CommandContext& ctx, OpStatus status) {
  ctx.reply.error(op_status_error(status));
}

ZSet::Limits limits_of(const CommandContext& ctx) {
  const Config& c = ctx.config();
  return {static_cast<size_t>(c.zset_max_listpack_entries),
          static_cast<size_t>(c.zset_max_listpack_value)};
}

// A score bound of a range: "(1.5" exclusive, "-inf", "+inf". As Redis's zslParseRange: strtod
// with nothing left over and no NaN (an out-of-range exponent reads as an infinity there).
bool parse_score_bound(std::string_view s, double* out, bool* exclusive) {
  *exclusive = !s.empty() && s[0] == '(';
  if (*exclusive) s.remove_prefix(1);
  // Nothing (or a bare "(") reads as 0, as strtod of an empty string does in Redis.
  const std::optional<StrtodResult> r = strtod_whole(s, 256);
  if (!r) return false;
  *out = r->value;
  return true;
}

bool parse_score_range(std::string_view min, std::string_view max, ScoreRange* r) {
  return parse_score_bound(min, &r->min, &r->min_exclusive) &&
         parse_score_bound(max, &r->max, &r->max_exclusive);
}

bool parse_lex_bound(std::string_view s, LexRange::Bound* kind, std::string_view* value,
                     bool* exclusive) {
  if (s == "+") {
    *kind = LexRange::Bound::kPosInf;
    return true;
  }
  if (s == "-") {
    *kind = LexRange::Bound::kNegInf;
    return true;
  }
  if (s.empty() || (s[0] != '(' && s[0] != '[')) return false;
  *kind = LexRange::Bound::kValue;
  *exclusive = s[0] == '(';
  *value = s.substr(1);
  return true;
}

bool parse_lex_range(std::string_view min, std::string_view max, LexRange* r) {
  return parse_lex_bound(min, &r->min_kind, &r->min, &r->min_exclusive) &&
         parse_lex_bound(max, &r->max_kind, &r->max, &r->max_exclusive);
}

// Member-score pairs: RESP2 a flat array (scores as bulk strings), RESP3 an array of pairs.
class PairReply {
 public:
  PairReply(ReplyBuilder& reply, bool withscores) : reply_(reply), withscores_(withscores) {}
  void begin(size_t n) {
    if (withscores_ && reply_.protocol() == 2) n *= 2;
    reply_.array(n);
  }
  void add(std::string_view member, double score) {
    if (!withscores_) return reply_.bulk(member);
    if (reply_.protocol() > 2) reply_.array(2);
    reply_.bulk(member);
    reply_.dbl(score);
  }

 private:
  ReplyBuilder& reply_;
  bool withscores_;
};

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
void cmd_zadd(CommandContext& ctx) {
  ZAddFlags flags;
  bool ch = false;
  size_t i = 2;
  for (; i < ctx.argc(); ++i) {
    const std::string_view a = ctx.arg(i);
    if (iequals(a, "NX")) {
      flags.nx = true;
    } else if (iequals(a, "XX")) {
      flags.xx = true;
    } else if (iequals(a, "CH")) {
      ch = true;
    } else if (iequals(a, "INCR")) {
      flags.incr = true;
    } else if (iequals(a, "GT")) {
      flags.gt = true;
    } else if (iequals(a, "LT")) {
      flags.lt = true;
    } else {
      break;
    }
  }
  const size_t elements = ctx.argc() - i;
  if (elements == 0 || elements % 2 != 0) return ctx.reply.error(err::kSyntax);
  if (flags.nx && flags.xx) return ctx.reply.error(kXxAndNx);
  if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) {
    return ctx.reply.error(kGtLtNx);
  }
  if (flags.incr && elements > 2) return ctx.reply.error(kIncrOnePair);
  std::vector<std::pair<double, std::string_view>> pairs;
  pairs.reserve(elements / 2);
  for (size_t j = i; j < ctx.argc(); j += 2) {
    const auto score = parse_double(ctx.arg(j));
    if (!score) return ctx.reply.error(err::kNotFloat);
    pairs.emplace_back(*score, ctx.arg(j + 1));
  }
  auto r = op_zadd(ctx.db(), ctx.arg(1), flags, pairs, limits_of(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  if (r->nan) return ctx.reply.error(kScoreNan);
  if (flags.incr) {
    if (r->processed == 0) return ctx.reply.null();
    return ctx.reply.dbl(r->last_score);
  }
  ctx.reply.integer(static_cast<int64_t>(ch ? r->added + r->updated : r->added));
}

// ZINCRBY key increment member
void cmd_zincrby(CommandContext& ctx) {
  const auto incr = parse_double(ctx.arg(2));
  if (!incr) return ctx.reply.error(err::kNotFloat);
  const std::pair<double, std::string_view> pair[] = {{*incr, ctx.arg(3)}};
  ZAddFlags flags;
  flags.incr = true;
  auto r = op_zadd(ctx.db(), ctx.arg(1), flags, pair, limits_of(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  if (r->nan) return ctx.reply.error(kScoreNan);
  ctx.reply.dbl(r->last_score);
}

// ZREM key member [member ...]
void cmd_zrem(CommandContext& ctx) {
  auto r = op_zrem(ctx.db(), ctx.arg(1), ctx.argv.subspan(2));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// ZCARD key
void cmd_zcard(CommandContext& ctx) {
  auto r = op_zset_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r == nullptr ? 0 : static_cast<int64_t>((*r)->size()));
}

// ZSCORE key member
void cmd_zscore(CommandContext& ctx) {
  auto r = op_zset_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  double s;
  if (*r == nullptr || !(*r)->score(ctx.arg(2), &s)) return ctx.reply.null();
  ctx.reply.dbl(s);
}

// ZMSCORE key member [member ...]
void cmd_zmscore(CommandContext& ctx) {
  auto r = op_zset_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    double s;
    if (*r != nullptr && (*r)->score(ctx.arg(i), &s)) {
      ctx.reply.dbl(s);
    } else {
      ctx.reply.null();
    }
  }
}

// ZCOUNT key min max
void cmd_zcount(CommandContext& ctx) {
  ScoreRange range;
  if (!parse_score_range(ctx.arg(2), ctx.arg(3), &range)) {
    return ctx.reply.error(kMinMaxNotFloat);
  }
  auto r = op_zset_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r == nullptr ? 0 : static_cast<int64_t>((*r)->count_score_range(range)));
}

// ZLEXCOUNT key min max
void cmd_zlexcount(CommandContext& ctx) {
  LexRange range;
  if (!parse_lex_range(ctx.arg(2), ctx.arg(3), &range)) {
    return ctx.reply.error(kMinMaxNotString);
  }
  auto r = op_zset_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r == nullptr ? 0 : static_cast<int64_t>((*r)->count_lex_range(range)));
}

// ZRANK / ZREVRANK key member
void rank_generic(CommandContext& ctx, bool reverse) {
  auto r = op_zset_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  size_t rank;
  if (*r == nullptr || !(*r)->rank(ctx.arg(2), &rank)) return ctx.reply.null();
  if (reverse) rank = (*r)->size() - 1 - rank;
  ctx.reply.integer(static_cast<int64_t>(rank));
}
void cmd_zrank(CommandContext& ctx) { rank_generic(ctx, false); }
void cmd_zrevrank(CommandContext& ctx) { rank_generic(ctx, true); }

// The shared parser of ZRANGE, ZRANGESTORE and the older range commands (Redis's
// zrangeGenericCommand): `first` is the index of the range's first bound; kind/reverse preset
// by the older commands. Replies the error and returns false on a bad argument.
bool parse_zrange(CommandContext& ctx, size_t first, std::optional<ZRangeSpec::Kind> kind,
                  std::optional<bool> reverse, bool store, ZRangeSpec* spec, bool* withscores) {
  *withscores = false;
  bool have_limit = false;
  for (size_t j = first + 2; j < ctx.argc(); ++j) {
    const std::string_view a = ctx.arg(j);
    const size_t left = ctx.argc() - j - 1;
    if (!store && iequals(a, "WITHSCORES")) {
      *withscores = true;
    } else if (iequals(a, "LIMIT") && left >= 2) {
      const auto offset = parse_int64(ctx.arg(j + 1));
      const auto limit = offset ? parse_int64(ctx.arg(j + 2)) : std::nullopt;
      if (!offset || !limit) {
        ctx.reply.error(err::kNotInteger);
        return false;
      }
      spec->offset = *offset;
      spec->limit = *limit;
      have_limit = true;
      j += 2;
    } else if (!reverse && iequals(a, "REV")) {
      reverse = true;
    } else if (!kind && iequals(a, "BYLEX")) {
      kind = ZRangeSpec::Kind::kLex;
    } else if (!kind && iequals(a, "BYSCORE")) {
      kind = ZRangeSpec::Kind::kScore;
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  spec->kind = kind.value_or(ZRangeSpec::Kind::kRank);
  spec->reverse = reverse.value_or(false);
  // Redis tells a LIMIT apart by its count: "LIMIT 0 -1" passes with a rank range.
  if (have_limit && spec->limit != -1 && spec->kind == ZRangeSpec::Kind::kRank) {
    ctx.reply.error(kLimitNeedsBy);
    return false;
  }
  if (*withscores && spec->kind == ZRangeSpec::Kind::kLex) {
    ctx.reply.error(kWithscoresBylex);
    return false;
  }
  std::string_view min = ctx.arg(first), max = ctx.arg(first + 1);
  // BYSCORE and BYLEX ranges are given as max min when reversed.
  if (spec->reverse && spec->kind != ZRangeSpec::Kind::kRank) std::swap(min, max);
  switch (spec->kind) {
    case ZRangeSpec::Kind::kRank: {
      const auto start = parse_int64(min);
      const auto stop = start ? parse_int64(max) : std::nullopt;
      if (!start || !stop) {
        ctx.reply.error(err::kNotInteger);
        return false;
      }
      spec->start = *start;
      spec->stop = *stop;
      return true;
    }
    case ZRangeSpec::Kind::kScore:
      if (!parse_score_range(min, max, &spec->score)) {
        ctx.reply.error(kMinMaxNotFloat);
        return false;
      }
      return true;
    case ZRangeSpec::Kind::kLex:
      if (!parse_lex_range(min, max, &spec->lex)) {
        ctx.reply.error(kMinMaxNotString);
        return false;
      }
      return true;
  }
  return false;
}

void zrange_generic(CommandContext& ctx, std::optional<ZRangeSpec::Kind> kind,
                    std::optional<bool> reverse) {
  ZRangeSpec spec;
  bool withscores;
  if (!parse_zrange(ctx, 2, kind, reverse, false, &spec, &withscores)) return;
  auto r = op_zset_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  if (*r == nullptr) return ctx.reply.array(0);
  const ZSet& z = **r;
  // Counted first, so the reply's length goes before its elements without a copy of them.
  const size_t n = zrange_walk(z, spec, [](std::string_view, double) {});
  PairReply out(ctx.reply, withscores);
  out.begin(n);
  zrange_walk(z, spec, [&](std::string_view m, double s) { out.add(m, s); });
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
void cmd_zrange(CommandContext& ctx) { zrange_generic(ctx, std::nullopt, std::nullopt); }
// ZREVRANGE key start stop [WITHSCORES]
void cmd_zrevrange(CommandContext& ctx) { zrange_generic(ctx, ZRangeSpec::Kind::kRank, true); }
// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
void cmd_zrangebyscore(CommandContext& ctx) {
  zrange_generic(ctx, ZRangeSpec::Kind::kScore, false);
}
// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
void cmd_zrevrangebyscore(CommandContext& ctx) {
  zrange_generic(ctx, ZRangeSpec::Kind::kScore, true);
}
// ZRANGEBYLEX key min max [LIMIT offset count]
void cmd_zrangebylex(CommandContext& ctx) { zrange_generic(ctx, ZRangeSpec::Kind::kLex, false); }
// ZREVRANGEBYLEX key max min [LIMIT offset count]
void cmd_zrevrangebylex(CommandContext& ctx) { zrange_generic(ctx, ZRangeSpec::Kind::kLex, true); }

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
void cmd_zrangestore(CommandContext& ctx) {
  ZRangeSpec spec;
  bool withscores;
  if (!parse_zrange(ctx, 3, std::nullopt, std::nullopt, true, &spec, &withscores)) return;
  auto r = op_zrangestore(ctx.db(), ctx.arg(1), ctx.arg(2), spec, limits_of(ctx));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// ZREMRANGEBYRANK key start stop / ZREMRANGEBYSCORE key min max / ZREMRANGEBYLEX key min max
void zremrange_generic(CommandContext& ctx, ZRangeSpec::Kind kind) {
  ZRangeSpec spec;
  spec.kind = kind;
  switch (kind) {
    case ZRangeSpec::Kind::kRank: {
      const auto start = parse_int64(ctx.arg(2));
      const auto stop = start ? parse_int64(ctx.arg(3)) : std::nullopt;
      if (!start || !stop) return ctx.reply.error(err::kNotInteger);
      spec.start = *start;
      spec.stop = *stop;
      break;
    }
    case ZRangeSpec::Kind::kScore:
      if (!parse_score_range(ctx.arg(2), ctx.arg(3), &spec.score)) {
        return ctx.reply.error(kMinMaxNotFloat);
      }
      break;
    case ZRangeSpec::Kind::kLex:
      if (!parse_lex_range(ctx.arg(2), ctx.arg(3), &spec.lex)) {
        return ctx.reply.error(kMinMaxNotString);
      }
      break;
  }
  auto r = op_zremrange(ctx.db(), ctx.arg(1), spec);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}
void cmd_zremrangebyrank(CommandContext& ctx) { zremrange_generic(ctx, ZRangeSpec::Kind::kRank); }
void cmd_zremrangebyscore(CommandContext& ctx) { zremrange_generic(ctx, ZRangeSpec::Kind::kScore); }
void cmd_zremrangebylex(CommandContext& ctx) { zremrange_generic(ctx, ZRangeSpec::Kind::kLex); }

// ZPOPMIN / ZPOPMAX key [count]
void zpop_generic(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) return ctx.reply.error(err::kSyntax);
  int64_t count = -1;  // no count: one pair, flat even in RESP3
  if (ctx.argc() == 3) {
    ArgParser p(ctx.argv, 2);
    count = p.next_int(0, INT64_MAX, err::kMustBePositive);
    if (!p.done_or_reply(ctx.reply)) return;
  }
  const std::string_view key[] = {ctx.arg(1)};
  std::vector<std::pair<std::string, double>> popped;
  auto r = op_zpop(ctx.db(), key, max, count == -1 ? 1 : static_cast<size_t>(count), popped);
  if (!r.ok()) return reply_status(ctx, r.status());
  const bool nested = ctx.reply.protocol() > 2 && count != -1;
  ctx.reply.array(nested ? popped.size() : popped.size() * 2);
  for (const auto& [m, s] : popped) {
    if (nested) ctx.reply.array(2);
    ctx.reply.bulk(m);
    ctx.reply.dbl(s);
  }
}
void cmd_zpopmin(CommandContext& ctx) { zpop_generic(ctx, false); }
void cmd_zpopmax(CommandContext& ctx) { zpop_generic(ctx, true); }

// BZPOPMIN / BZPOPMAX key [key ...] timeout: [key, member, score].
void bzpop_generic(CommandContext& ctx, bool max) {
  int64_t deadline;
  if (!parse_timeout_or_reply(ctx, ctx.arg(ctx.argc() - 1), &deadline)) return;
  auto keys = ctx.argv.subspan(1, ctx.argc() - 2);
  std::vector<std::pair<std::string, double>> popped;
  auto r = op_zpop(ctx.db(), keys, max, 1, popped);
  if (!r.ok()) return reply_status(ctx, r.status());
  if (r->has_value()) {
    // Replays as the pop that served it, from the key that had members.
    ctx.propagate_as({max ? "ZPOPMAX" : "ZPOPMIN", **r});
    ctx.reply.array(3);
    ctx.reply.bulk(**r);
    ctx.reply.bulk(popped[0].first);
    ctx.reply.dbl(popped[0].second);
    return;
  }
  if (!ctx.may_block()) return ctx.reply.null_array();
  ctx.engine.block(ctx, keys, deadline, TimeoutReply::kNullArray, ValueType::kZSet);
}
void cmd_bzpopmin(CommandContext& ctx) { bzpop_generic(ctx, false); }
void cmd_bzpopmax(CommandContext& ctx) { bzpop_generic(ctx, true); }

// ZMPOP / BZMPOP's "numkeys key [key ...] MIN|MAX [COUNT count]" from index `at`: replies the error
// and returns false when bad.
bool parse_zmpop(CommandContext& ctx, size_t at, std::span<const std::string_view>* keys, bool* max,
                 int64_t* count) {
  ArgParser p(ctx.argv, at);
  const int64_t numkeys = p.next_int(1, INT64_MAX, kNumkeysNotPositive);
  if (!p.ok_or_reply(ctx.reply)) return false;
  if (static_cast<uint64_t>(numkeys) >= p.remaining()) {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  *keys = ctx.argv.subspan(at + 1, static_cast<size_t>(numkeys));
  const std::string_view where = ctx.arg(at + 1 + static_cast<size_t>(numkeys));
  if (iequals(where, "MIN")) {
    *max = false;
  } else if (iequals(where, "MAX")) {
    *max = true;
  } else {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  *count = -1;
  for (size_t j = at + 2 + static_cast<size_t>(numkeys); j < ctx.argc(); ++j) {
    if (*count == -1 && iequals(ctx.arg(j), "COUNT") && j + 1 < ctx.argc()) {
      ++j;
      const auto c = parse_int64(ctx.arg(j));
      if (!c || *c < 1) {
        ctx.reply.error(kCountNotPositive);
        return false;
      }
      *count = *c;
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  if (*count == -1) *count = 1;
  return true;
}

// [key, [[member, score], ...]] in both protocols, or a nil array.
void zmpop_generic(CommandContext& ctx, std::span<const std::string_view> keys, bool max,
                   int64_t count, std::optional<int64_t> block_deadline) {
  std::vector<std::pair<std::string, double>> popped;
  auto r = op_zpop(ctx.db(), keys, max, static_cast<size_t>(count), popped);
  if (!r.ok()) return reply_status(ctx, r.status());
  if (r->has_value()) {
    if (block_deadline) {
      const std::string n = std::to_string(popped.size());
      ctx.propagate_as({max ? "ZPOPMAX" : "ZPOPMIN", **r, n});
    }
    ctx.reply.array(2);
    ctx.reply.bulk(**r);
    ctx.reply.array(popped.size());
    for (const auto& [m, s] : popped) {
      ctx.reply.array(2);
      ctx.reply.bulk(m);
      ctx.reply.dbl(s);
    }
    return;
  }
  if (block_deadline && ctx.may_block()) {
    ctx.engine.block(ctx, keys, *block_deadline, TimeoutReply::kNullArray, ValueType::kZSet);
    return;
  }
  ctx.reply.null_array();
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
void cmd_zmpop(CommandContext& ctx) {
  std::span<const std::string_view> keys;
  bool max;
  int64_t count;
  if (!parse_zmpop(ctx, 1, &keys, &max, &count)) return;
  zmpop_generic(ctx, keys, max, count, std::nullopt);
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
void cmd_bzmpop(CommandContext& ctx) {
  std::span<const std::string_view> keys;
  bool max;
  int64_t count;
  if (!parse_zmpop(ctx, 2, &keys, &max, &count)) return;
  // The timeout is read after the other arguments, as Redis does.
  int64_t deadline;
  if (!parse_timeout_or_reply(ctx, ctx.arg(1), &deadline)) return;
  zmpop_generic(ctx, keys, max, count, deadline);
}

// ZRANDMEMBER key [count [WITHSCORES]]
void cmd_zrandmember(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    auto r = op_zset_read(ctx.db(), ctx.arg(1));
    if (!r.ok()) return reply_status(ctx, r.status());
    if (*r == nullptr) return ctx.reply.null();
    std::uniform_int_distribution<size_t> pick(0, (*r)->size() - 1);
    return ctx.reply.bulk((*r)->at(pick(ctx.db().rng())).first);
  }
  const auto count = parse_int64(ctx.arg(2));
  if (!count) return ctx.reply.error(err::kNotInteger);
  if (*count == INT64_MIN) {
    return ctx.reply.error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !iequals(ctx.arg(3), "WITHSCORES"))) {
    return ctx.reply.error(err::kSyntax);
  }
  const bool withscores = ctx.argc() == 4;
  if (withscores && (*count < -INT64_MAX / 2 || *count > INT64_MAX / 2)) {
    return ctx.reply.error(kOutOfRange);
  }
  auto r = op_zset_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  if (*r == nullptr || *count == 0) return ctx.reply.array(0);
  const ZSet& z = **r;
  PairReply out(ctx.reply, withscores);
  std::mt19937_64& rng = ctx.db().rng();
  if (*count < 0) {
    // Repeats allowed: each pick independent.
    const auto n = static_cast<size_t>(-*count);
    std::uniform_int_distribution<size_t> pick(0, z.size() - 1);
    out.begin(n);
    for (size_t i = 0; i < n; ++i) {
      auto [m, s] = z.at(pick(rng));
      out.add(m, s);
    }
    return;
  }
  const auto n = static_cast<size_t>(*count);
  if (n >= z.size()) {
    out.begin(z.size());
    z.for_each([&](std::string_view m, double s) { out.add(m, s); });
    return;
  }
  // n distinct ranks (Floyd's sampling), in random order.
  std::vector<size_t> ranks;
  ranks.reserve(n);
  std::unordered_map<size_t, bool> chosen;
  for (size_t j = z.size() - n; j < z.size(); ++j) {
    const size_t t = std::uniform_int_distribution<size_t>(0, j)(rng);
    const size_t take = chosen.count(t) != 0 ? j : t;
    chosen[take] = true;
    ranks.push_back(take);
  }
  std::shuffle(ranks.begin(), ranks.end(), rng);
  out.begin(n);
  for (size_t rank : ranks) {
    auto [m, s] = z.at(rank);
    out.add(m, s);
  }
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void cmd_zscan(CommandContext& ctx) {
  const auto cursor = parse_scan_cursor(ctx.arg(2));
  if (!cursor) return ctx.reply.error(err::kInvalidCursor);
  // As Redis: the key before the options, so an absent key is an empty scan whatever follows.
  auto r = op_zset_read(ctx.db(), ctx.arg(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ScanParams params;
  if (*r != nullptr && !parse_scan_options_or_reply(ctx, 3, false, &params)) return;
  const std::string_view pattern = params.pattern;
  const bool have_pattern = !pattern.empty() && pattern != "*";
  const int64_t count = params.count;
  std::vector<std::pair<std::string_view, double>> found;
  uint64_t next = 0;
  if (*r != nullptr) {
    const ZSet& z = **r;
    auto take = [&](std::string_view m, double s) {
      if (!have_pattern || glob_match(pattern, m)) found.emplace_back(m, s);
    };
    if (z.encoding() == ZSet::Encoding::kPacked) {
      z.scan(0, take);
    } else {
      // As Redis's scan: up to count*10 index slots, stopping once count members were seen.
      next = *cursor;
      int64_t slots = count * 10;
      size_t seen = 0;
      do {
        next = z.scan(next, [&](std::string_view m, double s) {
          ++seen;
          take(m, s);
        });
      } while (next != 0 && --slots > 0 && seen < static_cast<size_t>(count));
    }
  }
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(next));
  ctx.reply.array(found.size() * 2);
  for (const auto& [m, s] : found) {
    ctx.reply.bulk(m);
    ctx.reply.bulk(double_to_string(s));
  }
}

// The arguments of ZUNION & co. after numkeys: WEIGHTS, AGGREGATE, WITHSCORES, LIMIT.
struct SetOpArgs {
  std::span<const std::string_view> keys;
  std::vector<double> weights;
  ZAggregate aggregate = ZAggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
};

// numkeys at index `at`. Replies the error and returns false when bad. Keys are checked for their
// type before the options are read, as Redis does.
bool parse_setop(CommandContext& ctx, size_t at, ZSetOp op, bool store, bool card_only,
                 SetOpArgs* out) {
  const auto numkeys = parse_int64(ctx.arg(at));
  if (!numkeys) {
    ctx.reply.error(err::kNotInteger);
    return false;
  }
  if (*numkeys < 1) {
    ctx.reply.error("ERR at least 1 input key is needed for '" +
                    std::string(ctx.command.full_name) + "' command");
    return false;
  }
  if (static_cast<uint64_t>(*numkeys) > ctx.argc() - at - 1) {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  const auto n = static_cast<size_t>(*numkeys);
  out->keys = ctx.argv.subspan(at + 1, n);
  // The type check before the options, as Redis; the operation's own lookup counts the hit or
  // miss (INFO keyspace_*, keymiss events), once.
  for (std::string_view key : out->keys) {
    const Entry* e = ctx.db().find(key, Access::kNoTouch);
    if (holds_other_type(e) && !e->value.is_set()) {  // plain sets are inputs too (score 1)
      ctx.reply.error(err::kWrongType);
      return false;
    }
  }
  out->weights.assign(n, 1.0);
  size_t j = at + 1 + n;
  while (j < ctx.argc()) {
    const size_t remaining = ctx.argc() - j;
    const std::string_view a = ctx.arg(j);
    if (op != ZSetOp::kDiff && !card_only && remaining >= n + 1 && iequals(a, "WEIGHTS")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        const auto w = parse_double(ctx.arg(j));
        if (!w) {
          ctx.reply.error(kWeightNotFloat);
          return false;
        }
        out->weights[i] = *w;
      }
    } else if (op != ZSetOp::kDiff && !card_only && remaining >= 2 && iequals(a, "AGGREGATE")) {
      const std::string_view how = ctx.arg(j + 1);
      if (iequals(how, "SUM")) {
        out->aggregate = ZAggregate::kSum;
      } else if (iequals(how, "MIN")) {
        out->aggregate = ZAggregate::kMin;
      } else if (iequals(how, "MAX")) {
        out->aggregate = ZAggregate::kMax;
      } else {
        ctx.reply.error(err::kSyntax);
        return false;
      }
      j += 2;
    } else if (!store && !card_only && iequals(a, "WITHSCORES")) {
      out->withscores = true;
      ++j;
    } else if (card_only && remaining >= 2 && iequals(a, "LIMIT")) {
      const auto limit = parse_int64(ctx.arg(j + 1));
      if (!limit || *limit < 0) {
        ctx.reply.error(kLimitNegative);
        return false;
      }
      out->limit = *limit;
      j += 2;
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  return true;
}

// ZUNION / ZINTER / ZDIFF numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES]
void setop_generic(CommandContext& ctx, ZSetOp op) {
  SetOpArgs args;
  if (!parse_setop(ctx, 1, op, false, false, &args)) return;
  auto r = op_zsetop(ctx.db(), op, args.keys, args.weights, args.aggregate);
  if (!r.ok()) return reply_status(ctx, r.status());
  PairReply out(ctx.reply, args.withscores);
  out.begin(r->size());
  for (const auto& [m, s] : *r) out.add(m, s);
}
void cmd_zunion(CommandContext& ctx) { setop_generic(ctx, ZSetOp::kUnion); }
void cmd_zinter(CommandContext& ctx) { setop_generic(ctx, ZSetOp::kInter); }
void cmd_zdiff(CommandContext& ctx) { setop_generic(ctx, ZSetOp::kDiff); }

// ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE destination numkeys key [key ...] [options]
void setop_store_generic(CommandContext& ctx, ZSetOp op) {
  SetOpArgs args;
  if (!parse_setop(ctx, 2, op, true, false, &args)) return;
  auto r = op_zsetop(ctx.db(), op, args.keys, args.weights, args.aggregate);
  if (!r.ok()) return reply_status(ctx, r.status());
  store_zset_result(ctx.db(), ctx.arg(1), *r, limits_of(ctx),
                    op == ZSetOp::kUnion   ? "zunionstore"
                    : op == ZSetOp::kInter ? "zinterstore"
                                           : "zdiffstore");
  ctx.reply.integer(static_cast<int64_t>(r->size()));
}
void cmd_zunionstore(CommandContext& ctx) { setop_store_generic(ctx, ZSetOp::kUnion); }
void cmd_zinterstore(CommandContext& ctx) { setop_store_generic(ctx, ZSetOp::kInter); }
void cmd_zdiffstore(CommandContext& ctx) { setop_store_generic(ctx, ZSetOp::kDiff); }

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
void cmd_zintercard(CommandContext& ctx) {
  SetOpArgs args;
  if (!parse_setop(ctx, 1, ZSetOp::kInter, false, true, &args)) return;
  auto r = op_zsetop(ctx.db(), ZSetOp::kInter, args.keys, args.weights, ZAggregate::kSum);
  if (!r.ok()) return reply_status(ctx, r.status());
  size_t n = r->size();
  if (args.limit > 0) n = std::min(n, static_cast<size_t>(args.limit));
  ctx.reply.integer(static_cast<int64_t>(n));
}

}  // namespace

void register_zsets(CommandTable& t) {
  constexpr uint32_t kWriteOomFast = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kWriteFast = kCmdWrite | kCmdFast;
  constexpr uint32_t kReadFast = kCmdReadonly | kCmdFast;
  constexpr uint32_t kRead = kCmdReadonly;
  constexpr uint32_t kWriteOom = kCmdWrite | kCmdDenyOom;
  constexpr uint32_t kBlocking = kCmdWrite | kCmdNoScript | kCmdBlocking;
  constexpr std::string_view kG = "sorted_set";
  constexpr std::string_view kAcl = "@sortedset";
  t.add({"zadd", -4, kWriteOomFast, 1, 1, 1, cmd_zadd, kG,
         "Adds one or more members to a sorted set, or updates their scores. Creates the key if it "
         "doesn't exist.",
         kAcl});
  t.add({"zincrby", 4, kWriteOomFast, 1, 1, 1, cmd_zincrby, kG,
         "Increments the score of a member in a sorted set.", kAcl});
  t.add({"zrem", -3, kWriteFast, 1, 1, 1, cmd_zrem, kG,
         "Removes one or more members from a sorted set. Deletes the sorted set if all members "
         "were removed.",
         kAcl});
  t.add({"zcard", 2, kReadFast, 1, 1, 1, cmd_zcard, kG,
         "Returns the number of members in a sorted set.", kAcl});
  t.add({"zscore", 3, kReadFast, 1, 1, 1, cmd_zscore, kG,
         "Returns the score of a member in a sorted set.", kAcl});
  t.add({"zmscore", -3, kReadFast, 1, 1, 1, cmd_zmscore, kG,
         "Returns the score of one or more members in a sorted set.", kAcl});
  t.add({"zcount", 4, kReadFast, 1, 1, 1, cmd_zcount, kG,
         "Returns the count of members in a sorted set that have scores within a range.", kAcl});
  t.add({"zlexcount", 4, kReadFast, 1, 1, 1, cmd_zlexcount, kG,
         "Returns the number of members in a sorted set within a lexicographical range.", kAcl});
  t.add({"zrank", 3, kReadFast, 1, 1, 1, cmd_zrank, kG,
         "Returns the index of a member in a sorted set ordered by ascending scores.", kAcl});
  t.add({"zrevrank", 3, kReadFast, 1, 1, 1, cmd_zrevrank, kG,
         "Returns the index of a member in a sorted set ordered by descending scores.", kAcl});
  t.add({"zrange", -4, kRead, 1, 1, 1, cmd_zrange, kG,
         "Returns members in a sorted set within a range of indexes.", kAcl});
  t.add({"zrevrange", -4, kRead, 1, 1, 1, cmd_zrevrange, kG,
         "Returns members in a sorted set within a range of indexes in reverse order.", kAcl});
  t.add({"zrangebyscore", -4, kRead, 1, 1, 1, cmd_zrangebyscore, kG,
         "Returns members in a sorted set within a range of scores.", kAcl});
  t.add({"zrevrangebyscore", -4, kRead, 1, 1, 1, cmd_zrevrangebyscore, kG,
         "Returns members in a sorted set within a range of scores in reverse order.", kAcl});
  t.add({"zrangebylex", -4, kRead, 1, 1, 1, cmd_zrangebylex, kG,
         "Returns members in a sorted set within a lexicographical range.", kAcl});
  t.add({"zrevrangebylex", -4, kRead, 1, 1, 1, cmd_zrevrangebylex, kG,
         "Returns members in a sorted set within a lexicographical range in reverse order.", kAcl});
  t.add({"zrangestore", -5, kWriteOom, 1, 2, 1, cmd_zrangestore, kG,
         "Stores a range of members from sorted set in a key.", kAcl});
  t.add({"zremrangebyrank", 4, kCmdWrite, 1, 1, 1, cmd_zremrangebyrank, kG,
         "Removes members in a sorted set within a range of indexes. Deletes the sorted set if "
         "all members were removed.",
         kAcl});
  t.add({"zremrangebyscore", 4, kCmdWrite, 1, 1, 1, cmd_zremrangebyscore, kG,
         "Removes members in a sorted set within a range of scores. Deletes the sorted set if all "
         "members were removed.",
         kAcl});
  t.add({"zremrangebylex", 4, kCmdWrite, 1, 1, 1, cmd_zremrangebylex, kG,
         "Removes members in a sorted set within a lexicographical range. Deletes the sorted set "
         "if all members were removed.",
         kAcl});
  t.add({"zpopmin", -2, kWriteFast, 1, 1, 1, cmd_zpopmin, kG,
         "Returns the lowest-scoring members from a sorted set after removing them. Deletes the "
         "sorted set if the last member was popped.",
         kAcl});
  t.add({"zpopmax", -2, kWriteFast, 1, 1, 1, cmd_zpopmax, kG,
         "Returns the highest-scoring members from a sorted set after removing them. Deletes the "
         "sorted set if the last member was popped.",
         kAcl});
  t.add({"zmpop", -4, kCmdWrite | kCmdMovableKeys, 0, 0, 0, cmd_zmpop, kG,
         "Returns the highest- or lowest-scoring members from one or more sorted sets after "
         "removing them. Deletes the sorted set if the last member was popped.",
         kAcl});
  t.add({"bzpopmin", -3, kBlocking | kCmdFast, 1, -2, 1, cmd_bzpopmin, kG,
         "Removes and returns the member with the lowest score from one or more sorted sets. "
         "Blocks until a member is available otherwise. Deletes the sorted set if the last "
         "element was popped.",
         kAcl});
  t.add({"bzpopmax", -3, kBlocking | kCmdFast, 1, -2, 1, cmd_bzpopmax, kG,
         "Removes and returns the member with the highest score from one or more sorted sets. "
         "Blocks until a member available otherwise.  Deletes the sorted set if the last element "
         "was popped.",
         kAcl});
  t.add({"bzmpop", -5, kCmdWrite | kCmdBlocking | kCmdMovableKeys, 0, 0, 0, cmd_bzmpop, kG,
         "Removes and returns a member by score from one or more sorted sets. Blocks until a "
         "member is available otherwise. Deletes the sorted set if the last element was popped.",
         kAcl});
  t.add({"zrandmember", -2, kRead, 1, 1, 1, cmd_zrandmember, kG,
         "Returns one or more random members from a sorted set.", kAcl});
  t.add({"zscan", -3, kRead, 1, 1, 1, cmd_zscan, kG,
         "Iterates over members and scores of a sorted set.", kAcl});
  t.add({"zunion", -3, kRead | kCmdMovableKeys, 0, 0, 0, cmd_zunion, kG,
         "Returns the union of multiple sorted sets.", kAcl});
  t.add({"zinter", -3, kRead | kCmdMovableKeys, 0, 0, 0, cmd_zinter, kG,
         "Returns the intersect of multiple sorted sets.", kAcl});
  t.add({"zdiff", -3, kRead | kCmdMovableKeys, 0, 0, 0, cmd_zdiff, kG,
         "Returns the difference between multiple sorted sets.", kAcl});
  t.add({"zunionstore", -4, kWriteOom | kCmdMovableKeys, 1, 1, 1, cmd_zunionstore, kG,
         "Stores the union of multiple sorted sets in a key.", kAcl});
  t.add({"zinterstore", -4, kWriteOom | kCmdMovableKeys, 1, 1, 1, cmd_zinterstore, kG,
         "Stores the intersect of multiple sorted sets in a key.", kAcl});
  t.add({"zdiffstore", -4, kWriteOom | kCmdMovableKeys, 1, 1, 1, cmd_zdiffstore, kG,
         "Stores the difference of multiple input sorted sets in a key.", kAcl});
  t.add({"zintercard", -3, kRead | kCmdMovableKeys, 0, 0, 0, cmd_zintercard, kG,
         "Returns the number of members of the intersect of multiple sorted sets.", kAcl});
}

}  // namespace basalt
