#pragma once
// Redis sorted set storage: members ordered by (score, member bytes), in one of two encodings.
//
// - Packed (Redis's "listpack"): while a set is small (zset-max-listpack-entries members, each at
//   most zset-max-listpack-value bytes), one block (malloc'd, or at the end of its key's entry:
//   PackedBlock, whose handle keeps the block's length and count):
//
//     [len varint|member|score] [len varint|member|score] ...
//
//   in score order. A score that is an integer of magnitude under 2^52 is written as a zigzag
//   varint shifted left by one (1 byte for -32..31, as listpack's small integers); any other
//   score is a 0x01 byte and the 8 bytes of the double. So "m1" with score 3 costs 4 bytes. Every
//   operation is a linear walk, which for 128 entries of a few bytes stays in two or three cache
//   lines' worth of memory per step and beats any pointer structure.
// - Tree (what Redis calls "skiplist", and OBJECT ENCODING answers so): each member one
//   allocation (ZMember: score, length, bytes), ordered by a B+tree with counts (ZSetTree, in
//   zset_tree.hpp: rank and rank-to-member in one descent of five or six nodes, where Redis's
//   skiplist takes some thirty dependent cache misses on a million members) and found by name
//   through an open-addressing hash index (8 bytes a slot, no per-member allocation, unlike
//   Redis's dict whose entries cost 24-32 bytes each).
//
// A set converts from packed to tree when it outgrows the limits and never back, as Redis.
// The ZSet is its PackedBlock handle, 15 bytes, whose other encoding is the Tree; a Value
// holds it inline, before its tag byte.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/packed.hpp"
#include "store/zset_tree.hpp"

namespace basalt {

// Score interval (ZRANGEBYSCORE's "(1 +inf").
struct ScoreRange {
  double min = 0, max = 0;
  bool min_exclusive = false, max_exclusive = false;

  bool above_min(double v) const { return min_exclusive ? v > min : v >= min; }
  bool below_max(double v) const { return max_exclusive ? v < max : v <= max; }
  bool contains(double v) const { return above_min(v) && below_max(v); }
  // Whether the interval can hold anything at all.
  bool empty() const { return min > max || (min == max && (min_exclusive || max_exclusive)); }
};

// Lexicographic interval (ZRANGEBYLEX's "[a (z", "-" and "+").
struct LexRange {
  enum class Bound : uint8_t { kNegInf, kPosInf, kValue };
  Bound min_kind = Bound::kNegInf, max_kind = Bound::kPosInf;
  std::string_view min, max;  // for kValue
  bool min_exclusive = false, max_exclusive = false;

  bool above_min(std::string_view v) const;
  bool below_max(std::string_view v) const;
  bool contains(std::string_view v) const { return above_min(v) && below_max(v); }
  bool empty() const;
};

// Redis's member order (sdscmp): bytes as unsigned, then the shorter first.
inline int compare_members(std::string_view a, std::string_view b) {
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

namespace zset_detail {
inline bool in_range(const ScoreRange& r, std::string_view, double score) {
  return r.contains(score);
}
inline bool in_range(const LexRange& r, std::string_view member, double) {
  return r.contains(member);
}
inline bool past_max(const ScoreRange& r, std::string_view, double score) {
  return !r.below_max(score);
}
inline bool past_max(const LexRange& r, std::string_view member, double) {
  return !r.below_max(member);
}
inline bool before_min(const ScoreRange& r, std::string_view, double score) {
  return !r.above_min(score);
}
inline bool before_min(const LexRange& r, std::string_view member, double) {
  return !r.above_min(member);
}
}  // namespace zset_detail

class ZSet {
 public:
  enum class Encoding : uint8_t { kPacked, kTree };
  struct Limits {
    size_t max_packed_entries = 128;  // zset-max-listpack-entries
    size_t max_packed_value = 64;     // zset-max-listpack-value
  };

  ZSet() = default;
  ~ZSet() { clear(); }
  // Moves the handle: an embedded block stays where it is, so a ZSet leaves its entry only
  // through unembed() (Value's moves call it).
  ZSet(ZSet&& other) noexcept : block_(other.block_) { other.block_.reset(); }
  ZSet& operator=(ZSet&& other) noexcept {
    if (this != &other) {
      clear();
      block_ = other.block_;
      other.block_.reset();
    }
    return *this;
  }
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;
  ZSet clone() const;  // deep copy, same encoding

  size_t size() const;
  bool empty() const { return size() == 0; }
  Encoding encoding() const { return is_tree() ? Encoding::kTree : Encoding::kPacked; }
  // The packed entries' handle (Entry::create embeds it; Value's moves unembed it).
  PackedBlock& block() { return block_; }
  const PackedBlock& block() const { return block_; }
  // Heap bytes owned (malloc_usable_size of every block).
  size_t memory_usage() const;

  // The member's score, or false.
  bool score(std::string_view member, double* out) const;
  // Adds a member known to be absent; score is not NaN. Converts to a tree first when the
  // set would outgrow `limits`.
  void insert(std::string_view member, double score, const Limits& limits);
  // Changes the score of a member known to be present.
  void update(std::string_view member, double old_score, double new_score);
  // Removes a member; false if absent.
  bool erase(std::string_view member);
  void clear();
  // Converts a packed set to a tree sized for `expected` members (no-op when already one).
  void convert_to_tree(size_t expected = 0);

  // 0-based rank in ascending order; false if absent. O(log n) for a tree.
  bool rank(std::string_view member, size_t* out, double* score_out = nullptr) const;
  // Element at an ascending rank < size(). Views die with the next mutation.
  std::pair<std::string_view, double> at(size_t rank) const;

  // f(member, score) for ranks start..stop inclusive (stop < size()), ascending, or descending
  // ranks counted from the top when reverse (rank 0 is the highest).
  template <class F>
  void for_rank_range(size_t start, size_t stop, bool reverse, F&& f) const;
  // f(member, score) for the elements in the range, in order (descending when reverse), skipping
  // `offset` and stopping after `limit`. Returns how many f was called with.
  template <class F>
  size_t for_score_range(const ScoreRange& r, bool reverse, size_t offset, size_t limit,
                         F&& f) const;
  template <class F>
  size_t for_lex_range(const LexRange& r, bool reverse, size_t offset, size_t limit, F&& f) const;
  size_t count_score_range(const ScoreRange& r) const;
  size_t count_lex_range(const LexRange& r) const;
  // f(member, score) over every element in order.
  template <class F>
  void for_each(F&& f) const {
    if (size() != 0) for_rank_range(0, size() - 1, false, f);
  }

  // ZREMRANGEBY*: returns how many were removed. Ranks ascending, inclusive, stop < size().
  size_t erase_rank_range(size_t start, size_t stop);
  size_t erase_score_range(const ScoreRange& r);
  size_t erase_lex_range(const LexRange& r);

  // ZSCAN over a tree: f(member, score) for the members in the index slot(s) at the cursor;
  // returns the next cursor, 0 when done. A packed set is returned whole (cursor 0).
  template <class F>
  uint64_t scan(uint64_t cursor, F&& f) const;

  // Walks the structure checking order, the tree's counts and keys, and the index; for tests
  // and DEBUG.
  bool valid() const;

  // Implementation type (zset.cpp); public for the templates below.
  struct Tree;

 private:
  bool is_tree() const { return !block_.is_packed(); }
  Tree* tree() const { return static_cast<Tree*>(block_.other()); }

  // Packed-walk helpers: the offsets of every entry (reverse and ranged walks need them).
  void packed_offsets(std::vector<uint32_t>& out) const;
  static std::string_view packed_read(const uint8_t* p, double* score, const uint8_t** next);
  const uint8_t* packed_begin() const;

  // Tree helpers.
  ZSetTree::Pos tree_at(size_t rank) const;  // 0-based ascending
  // ZCOUNT / ZLEXCOUNT over either kind of range.
  template <class Range>
  size_t count_range(const Range& r) const;
  // The first member at or past a range's minimum, and the first past its maximum, with their
  // ranks (size() and no Pos when there is none).
  ZSetTree::Pos first_in(const ScoreRange& r, size_t* rank) const;
  ZSetTree::Pos first_past(const ScoreRange& r, size_t* rank) const;
  ZSetTree::Pos first_in(const LexRange& r, size_t* rank) const;
  ZSetTree::Pos first_past(const LexRange& r, size_t* rank) const;
  // The first and last members inside a range, or no Pos.
  template <class Range>
  ZSetTree::Pos first_in_range(const Range& r) const;
  template <class Range>
  ZSetTree::Pos last_in_range(const Range& r) const;
  template <class Range>
  size_t erase_tree_run(const Range& r);
  // ZSCAN's buckets over the open-addressing index: bucket b holds the members whose home slot is
  // b (wherever probing placed them, they sit in the run from b to the next empty slot). Defining
  // buckets by hash rather than by slot is what keeps Redis's SCAN guarantee: backward-shift
  // deletion moves members between slots, never between buckets, and a resize maps buckets as
  // a chained dict's, so the reverse-binary cursor returns every member present throughout.
  struct ScanBucket {
    uint64_t home = 0;
    uint64_t slot = 0;
    bool done = true;
  };
  static ScanBucket scan_bucket(const Tree* s, uint64_t cursor);
  static const ZMember* scan_next(const Tree* s, ScanBucket* b);
  static uint64_t scan_cursor_after(const Tree* s, uint64_t cursor);

  // Redis's zslIsInRange / zzlIsInLexRange: the last element reaches the minimum and the first
  // the maximum.
  template <class Range>
  bool overlaps(const Range& r) const {
    if (size() == 0) return false;
    auto [lm, ls] = at(size() - 1);
    if (zset_detail::before_min(r, lm, ls)) return false;
    auto [fm, fs] = at(0);
    return !zset_detail::past_max(r, fm, fs);
  }
  template <class Range, class F>
  size_t packed_range(const Range& r, bool reverse, size_t offset, size_t limit, F&& f) const;
  template <class Range>
  size_t erase_packed_run(const Range& r);
  template <class Range, class F>
  size_t tree_range(const Range& r, bool reverse, size_t offset, size_t limit, F&& f) const;

  PackedBlock block_;  // the entries, or the Tree
};

// ---- templates ------------------------------------------------------------------------------

template <class F>
void ZSet::for_rank_range(size_t start, size_t stop, bool reverse, F&& f) const {
  if (!is_tree()) {
    std::vector<uint32_t> offs;
    packed_offsets(offs);
    const uint8_t* base = packed_begin();
    for (size_t i = start; i <= stop; ++i) {
      const size_t at = reverse ? offs.size() - 1 - i : i;
      double score;
      const uint8_t* next;
      std::string_view m = packed_read(base + offs[at], &score, &next);
      f(m, score);
    }
    return;
  }
  const size_t n = size();
  ZSetTree::Pos x = tree_at(reverse ? n - 1 - start : start);
  for (size_t i = start; i <= stop; ++i) {
    f(x.get()->member(), x.get()->score);
    x = reverse ? ZSetTree::prev(x) : ZSetTree::next(x);
  }
}

// As Redis's listpack walks (zzlFirstInRange and friends): the first element past the near bound
// starts the run (none if it is past the far bound too), `offset` elements are skipped unchecked,
// and the run goes on while the far bound holds. With equal scores this is exactly the range; for
// a lex range over mixed scores it is what Redis answers.
template <class Range, class F>
size_t ZSet::packed_range(const Range& r, bool reverse, size_t offset, size_t limit, F&& f) const {
  std::vector<uint32_t> offs;
  packed_offsets(offs);
  const uint8_t* base = packed_begin();
  const size_t n = offs.size();
  auto read = [&](size_t k, double* score) {
    const uint8_t* next;
    return packed_read(base + offs[reverse ? n - 1 - k : k], score, &next);
  };
  size_t k = 0;
  for (; k < n; ++k) {
    double s;
    std::string_view m = read(k, &s);
    const bool past_near =
        reverse ? !zset_detail::past_max(r, m, s) : !zset_detail::before_min(r, m, s);
    if (!past_near) continue;
    if (reverse ? zset_detail::before_min(r, m, s) : zset_detail::past_max(r, m, s)) return 0;
    break;
  }
  k += offset;
  size_t emitted = 0;
  for (; k < n && emitted < limit; ++k) {
    double s;
    std::string_view m = read(k, &s);
    if (reverse ? zset_detail::before_min(r, m, s) : zset_detail::past_max(r, m, s)) break;
    f(m, s);
    ++emitted;
  }
  return emitted;
}

template <class Range, class F>
size_t ZSet::tree_range(const Range& r, bool reverse, size_t offset, size_t limit, F&& f) const {
  ZSetTree::Pos x = reverse ? last_in_range(r) : first_in_range(r);
  // Skipping `offset` walks the leaves, as Redis walks its list (LIMIT offsets are O(offset)
  // there too).
  while (x && offset > 0) {
    x = reverse ? ZSetTree::prev(x) : ZSetTree::next(x);
    --offset;
  }
  size_t emitted = 0;
  while (x && emitted < limit) {
    std::string_view m = x.get()->member();
    const double s = x.get()->score;
    if (!zset_detail::in_range(r, m, s)) break;
    f(m, s);
    ++emitted;
    x = reverse ? ZSetTree::prev(x) : ZSetTree::next(x);
  }
  return emitted;
}

template <class F>
size_t ZSet::for_score_range(const ScoreRange& r, bool reverse, size_t offset, size_t limit,
                             F&& f) const {
  if (r.empty() || !overlaps(r)) return 0;
  return is_tree() ? tree_range(r, reverse, offset, limit, f)
                   : packed_range(r, reverse, offset, limit, f);
}

template <class F>
size_t ZSet::for_lex_range(const LexRange& r, bool reverse, size_t offset, size_t limit,
                           F&& f) const {
  if (r.empty() || !overlaps(r)) return 0;
  return is_tree() ? tree_range(r, reverse, offset, limit, f)
                   : packed_range(r, reverse, offset, limit, f);
}

template <class F>
uint64_t ZSet::scan(uint64_t cursor, F&& f) const {
  if (!is_tree()) {
    for_each(f);
    return 0;
  }
  const Tree* s = tree();
  ScanBucket b = scan_bucket(s, cursor);
  while (const ZMember* x = scan_next(s, &b)) f(x->member(), x->score);
  return scan_cursor_after(s, cursor);
}

}  // namespace basalt
