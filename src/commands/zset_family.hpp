#pragma once
// The sorted set family's store operations (zset_family.cpp): each works on a Database alone, with
// no client and no reply, and reports failure as an OpStatus. The commands (cmd_*) parse their
// arguments, call these and reply. Views handed to callbacks point into the set and die with the
// next modification of the key.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/op_status.hpp"
#include "store/zset.hpp"

namespace basalt {

class Database;

// ZADD's NX|XX|GT|LT|INCR (CH only changes the reply).
struct ZAddFlags {
  bool nx = false, xx = false, gt = false, lt = false, incr = false;
};

struct ZAddResult {
  size_t added = 0;
  size_t updated = 0;
  size_t processed = 0;   // pairs not skipped by NX/XX/GT/LT
  double last_score = 0;  // INCR: the member's score after the command
  bool nan = false;       // INCR made a NaN: the pairs before it were applied, then it stopped
};

// ZADD / ZINCRBY over score-member pairs.
OpResult<ZAddResult> op_zadd(Database& db, std::string_view key, ZAddFlags flags,
                             std::span<const std::pair<double, std::string_view>> pairs,
                             const ZSet::Limits& limits);
// ZREM: how many were removed.
OpResult<size_t> op_zrem(Database& db, std::string_view key,
                         std::span<const std::string_view> members);
// The set at key for reading: nullptr when absent.
OpResult<const ZSet*> op_zset_read(Database& db, std::string_view key);

// One range of a ZRANGE-like command.
struct ZRangeSpec {
  enum class Kind : uint8_t { kRank, kScore, kLex };
  Kind kind = Kind::kRank;
  bool reverse = false;
  int64_t start = 0, stop = -1;    // kRank
  ScoreRange score;                // kScore
  LexRange lex;                    // kLex
  int64_t offset = 0, limit = -1;  // LIMIT (kScore, kLex); a negative limit is no limit
};

// Calls f(member, score) for every element of the range, in reply order; returns how many.
template <class F>
size_t zrange_walk(const ZSet& z, const ZRangeSpec& spec, F&& f) {
  switch (spec.kind) {
    case ZRangeSpec::Kind::kRank: {
      const auto len = static_cast<int64_t>(z.size());
      int64_t start = spec.start < 0 ? len + spec.start : spec.start;
      int64_t stop = spec.stop < 0 ? len + spec.stop : spec.stop;
      if (start < 0) start = 0;
      if (start > stop || start >= len) return 0;
      if (stop >= len) stop = len - 1;
      z.for_rank_range(static_cast<size_t>(start), static_cast<size_t>(stop), spec.reverse, f);
      return static_cast<size_t>(stop - start + 1);
    }
    case ZRangeSpec::Kind::kScore:
    case ZRangeSpec::Kind::kLex: {
      // A negative offset skips everything, as Redis's countdown never reaches zero.
      if (spec.offset < 0) return 0;
      const size_t limit = spec.limit < 0 ? SIZE_MAX : static_cast<size_t>(spec.limit);
      const auto offset = static_cast<size_t>(spec.offset);
      if (spec.kind == ZRangeSpec::Kind::kScore) {
        return z.for_score_range(spec.score, spec.reverse, offset, limit, f);
      }
      return z.for_lex_range(spec.lex, spec.reverse, offset, limit, f);
    }
  }
  return 0;
}

// ZRANGESTORE: stores the range of src at dst (deleting dst when empty); the stored count.
OpResult<size_t> op_zrangestore(Database& db, std::string_view dst, std::string_view src,
                                const ZRangeSpec& spec, const ZSet::Limits& limits);
// ZREMRANGEBYRANK/SCORE/LEX (spec.reverse and LIMIT unused): how many were removed.
OpResult<size_t> op_zremrange(Database& db, std::string_view key, const ZRangeSpec& spec);

// ZPOPMIN/ZPOPMAX and the multi-key forms: pops up to count from the first key of `keys` holding
// a sorted set, into out; returns that key (a view into keys) or nullopt.
OpResult<std::optional<std::string_view>> op_zpop(Database& db,
                                                  std::span<const std::string_view> keys, bool max,
                                                  size_t count,
                                                  std::vector<std::pair<std::string, double>>& out);

enum class ZAggregate : uint8_t { kSum, kMin, kMax };
enum class ZSetOp : uint8_t { kUnion, kInter, kDiff };
// ZUNION/ZINTER/ZDIFF over sorted sets (a key of another type is WRONGTYPE; an absent key is an
// empty set; plain sets join once Basalt has them). weights has one entry per key. The result in
// (score, member) order.
OpResult<std::vector<std::pair<std::string, double>>> op_zsetop(
    Database& db, ZSetOp op, std::span<const std::string_view> keys,
    std::span<const double> weights, ZAggregate aggregate);
// Stores a computed result at dst as ZUNIONSTORE & co. do (deleting dst when empty), with the
// keyspace event `event` ("zunionstore" ...; "del" when it deleted).
void store_zset_result(Database& db, std::string_view dst,
                       const std::vector<std::pair<std::string, double>>& result,
                       const ZSet::Limits& limits, std::string_view event);

}  // namespace basalt
