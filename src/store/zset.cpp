#include "store/zset.hpp"

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "store/packed.hpp"
#include "store/scan_cursor.hpp"
#include "store/wyhash.hpp"

namespace basalt {

// ---- ranges ---------------------------------------------------------------------------------

bool LexRange::above_min(std::string_view v) const {
  switch (min_kind) {
    case Bound::kNegInf:
      return true;
    case Bound::kPosInf:
      return false;
    case Bound::kValue:
      break;
  }
  const int c = compare_members(v, min);
  return min_exclusive ? c > 0 : c >= 0;
}

bool LexRange::below_max(std::string_view v) const {
  switch (max_kind) {
    case Bound::kNegInf:
      return false;
    case Bound::kPosInf:
      return true;
    case Bound::kValue:
      break;
  }
  const int c = compare_members(v, max);
  return max_exclusive ? c < 0 : c <= 0;
}

bool LexRange::empty() const {
  if (min_kind == Bound::kPosInf || max_kind == Bound::kNegInf) return true;
  if (min_kind != Bound::kValue || max_kind != Bound::kValue) return false;
  const int c = compare_members(min, max);
  return c > 0 || (c == 0 && (min_exclusive || max_exclusive));
}

// ---- layouts --------------------------------------------------------------------------------

namespace {

void* checked_malloc(size_t n) {
  void* p = std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// A score as a small integer when it is one exactly (see the header). -0.0 reads back as 0, as it
// does from Redis's listpack (which keeps "-0" as the integer 0); a tree keeps the sign.
bool small_integer(double v, int64_t* out) {
  constexpr double kLimit = 4503599627370496.0;  // 2^52
  if (!(v > -kLimit && v < kLimit) || v != std::trunc(v)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

size_t score_size(double v) {
  int64_t i;
  if (!small_integer(v, &i)) return 9;
  const uint64_t z = (static_cast<uint64_t>(i) << 1) ^ static_cast<uint64_t>(i >> 63);
  return varint_size(z << 1);
}

uint8_t* put_score(uint8_t* p, double v) {
  int64_t i;
  if (!small_integer(v, &i)) {
    *p++ = 0x01;
    std::memcpy(p, &v, sizeof(v));
    return p + sizeof(v);
  }
  const uint64_t z = (static_cast<uint64_t>(i) << 1) ^ static_cast<uint64_t>(i >> 63);
  return put_varint(p, z << 1);
}

double get_score(const uint8_t*& p) {
  if (*p & 1) {
    double v;
    std::memcpy(&v, p + 1, sizeof(v));
    p += 1 + sizeof(v);
    return v;
  }
  const uint64_t z = get_varint(p) >> 1;
  const auto i = static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  return static_cast<double>(i);
}

}  // namespace

namespace {

using Node = ZMember;

uint64_t member_hash(std::string_view m) { return wyhash(m, 0x5bd1e9955bd1e995ull); }

// Member -> ZMember, linear probing with backward-shift deletion (no tombstones).
struct Index {
  Node** slots = nullptr;
  size_t mask = 0;  // capacity - 1; capacity 0 when slots is null
  size_t used = 0;

  size_t capacity() const { return slots == nullptr ? 0 : mask + 1; }

  Node* find(std::string_view m) const {
    if (slots == nullptr) return nullptr;
    for (size_t i = member_hash(m) & mask;; i = (i + 1) & mask) {
      Node* n = slots[i];
      if (n == nullptr) return nullptr;
      if (n->member() == m) return n;
    }
  }
  void place(Node* n) {
    for (size_t i = member_hash(n->member()) & mask;; i = (i + 1) & mask) {
      if (slots[i] == nullptr) {
        slots[i] = n;
        return;
      }
    }
  }
  void resize(size_t cap) {
    Node** old = slots;
    const size_t old_cap = capacity();
    slots = static_cast<Node**>(checked_malloc(cap * sizeof(Node*)));
    std::memset(slots, 0, cap * sizeof(Node*));
    mask = cap - 1;
    for (size_t i = 0; i < old_cap; ++i)
      if (old[i] != nullptr) place(old[i]);
    std::free(old);
  }
  void reserve(size_t n) {
    size_t cap = 8;
    while (cap * 3 < n * 4 + 4) cap *= 2;
    if (cap > capacity()) resize(cap);
  }
  // Room for one more (may throw: before the caller changes anything).
  void make_room() {
    if ((used + 1) * 4 > capacity() * 3) resize(capacity() == 0 ? 8 : capacity() * 2);
  }
  void insert(Node* n) {
    make_room();
    place(n);
    ++used;
  }
  void erase(Node* n) {
    size_t i = member_hash(n->member()) & mask;
    while (slots[i] != n) i = (i + 1) & mask;
    slots[i] = nullptr;
    --used;
    // Backward shift: pull later members of the probe run into the hole when their home slot
    // is not between the hole and where they sit.
    for (size_t j = (i + 1) & mask; slots[j] != nullptr; j = (j + 1) & mask) {
      const size_t home = member_hash(slots[j]->member()) & mask;
      const bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (stays) continue;
      slots[i] = slots[j];
      slots[j] = nullptr;
      i = j;
    }
    if (capacity() > 8 && used * 8 < capacity()) {
      size_t cap = capacity();
      while (cap > 8 && used * 8 < cap) cap /= 2;
      resize(cap);
    }
  }
  void release() {
    std::free(slots);
    slots = nullptr;
    mask = used = 0;
  }
};

}  // namespace

// The large encoding: the members in order (the tree) and by name (the index); both point at
// the same ZMember, which this owns.
struct ZSet::Tree {
  ZSetTree order;
  Index index;
  size_t member_bytes = 0;

  ~Tree() {
    order.for_each_member([](ZMember* z) { std::free(z); });
    index.release();
  }

  // Every allocation comes before the first change, so a failed one leaves the set as it was.
  void insert(std::string_view member, double score) {
    index.make_room();
    ZMember* z = ZMember::make(member, score);
    try {
      order.insert(z);
    } catch (...) {
      std::free(z);
      throw;
    }
    index.insert(z);
    member_bytes += malloc_usable_size(z);
  }

  void destroy(ZMember* z) {
    order.erase(z);
    index.erase(z);
    member_bytes -= malloc_usable_size(z);
    std::free(z);
  }

  // Removes up to `n` members in order from `p` on; returns how many. The members are taken
  // first: each removal may merge or free the leaves a walk would step through.
  size_t erase_from(ZSetTree::Pos p, size_t n) {
    std::vector<ZMember*> doomed;
    for (; p && doomed.size() < n; p = ZSetTree::next(p))
      doomed.push_back(const_cast<ZMember*>(p.get()));
    for (ZMember* z : doomed) destroy(z);
    return doomed.size();
  }
};

// ---- ZSet -----------------------------------------------------------------------------------

const uint8_t* ZSet::packed_begin() const { return block_.data(); }

std::string_view ZSet::packed_read(const uint8_t* p, double* score, const uint8_t** next) {
  const size_t len = get_varint(p);
  std::string_view m(reinterpret_cast<const char*>(p), len);
  p += len;
  *score = get_score(p);
  *next = p;
  return m;
}

void ZSet::packed_offsets(std::vector<uint32_t>& out) const {
  out.clear();
  out.reserve(block_.count());
  const uint8_t* base = block_.data();
  const uint8_t* p = base;
  for (size_t i = 0; i < block_.count(); ++i) {
    out.push_back(static_cast<uint32_t>(p - base));
    double s;
    packed_read(p, &s, &p);
  }
}

size_t ZSet::size() const {
  if (is_tree()) return tree()->order.size();
  return block_.count();
}

size_t ZSet::memory_usage() const {
  if (!is_tree()) return block_.heap_bytes();
  const Tree* t = tree();
  return malloc_usable_size(const_cast<Tree*>(t)) + t->order.node_bytes() + t->member_bytes +
         t->index.capacity() * sizeof(Node*);
}

void ZSet::clear() {
  if (is_tree()) delete tree();
  block_.release();
}

ZSet ZSet::clone() const {
  ZSet out;
  if (!is_tree()) {
    out.block_ = block_.clone();
    return out;
  }
  out.convert_to_tree(size());
  Tree* t = out.tree();
  for_each([&](std::string_view m, double score) { t->insert(m, score); });
  return out;
}

void ZSet::convert_to_tree(size_t expected) {
  if (is_tree()) return;
  auto* s = new Tree();
  try {
    s->index.reserve(std::max(expected, size()));
    if (block_.data() != nullptr) {
      const uint8_t* p = block_.data();
      for (size_t i = 0; i < block_.count(); ++i) {
        double score;
        std::string_view m = packed_read(p, &score, &p);
        s->insert(m, score);
      }
    }
  } catch (...) {
    delete s;
    throw;
  }
  block_.release();
  block_.set_other(s);
}

bool ZSet::score(std::string_view member, double* out) const {
  if (is_tree()) {
    const Node* n = tree()->index.find(member);
    if (n == nullptr) return false;
    *out = n->score;
    return true;
  }
  const uint8_t* p = block_.data();
  for (size_t i = 0; i < block_.count(); ++i) {
    double s;
    std::string_view m = packed_read(p, &s, &p);
    if (m == member) {
      *out = s;
      return true;
    }
  }
  return false;
}

void ZSet::insert(std::string_view member, double score, const Limits& limits) {
  const size_t need = varint_size(member.size()) + member.size() + score_size(score);
  if (!is_tree() && (size() + 1 > limits.max_packed_entries ||
                     member.size() > limits.max_packed_value || !block_.can_add(need))) {
    convert_to_tree(size() + 1);
  }
  if (is_tree()) {
    tree()->insert(member, score);
    return;
  }
  const size_t used = block_.used();
  // Grows by a quarter at least, so a set built one ZADD at a time reallocates O(log n) times.
  block_.reserve(used + need, std::max(used + need, used + used / 4));
  uint8_t* base = block_.data();
  uint8_t* p = base;
  uint8_t* end = base + used;
  while (p < end) {
    double s;
    const uint8_t* next;
    std::string_view m = packed_read(p, &s, &next);
    if (s > score || (s == score && compare_members(m, member) > 0)) break;
    p = const_cast<uint8_t*>(next);
  }
  std::memmove(p + need, p, static_cast<size_t>(end - p));
  p = put_varint(p, member.size());
  if (!member.empty()) std::memcpy(p, member.data(), member.size());
  put_score(p + member.size(), score);
  block_.set_count(block_.count() + 1);
  block_.set_used(used + need);
}

void ZSet::update(std::string_view member, double old_score, double new_score) {
  if (is_tree()) {
    Tree* t = tree();
    t->order.rescore(t->index.find(member), new_score);
    (void)old_score;
    return;
  }
  // The member may be a view into this set: copy it before the bytes move.
  std::string copy(member);
  erase(copy);
  insert(copy, new_score, Limits{SIZE_MAX, SIZE_MAX});
  (void)old_score;
}

bool ZSet::erase(std::string_view member) {
  if (is_tree()) {
    Tree* t = tree();
    Node* x = t->index.find(member);
    if (x == nullptr) return false;
    t->destroy(x);
    return true;
  }
  uint8_t* base = block_.data();
  uint8_t* p = base;
  for (size_t i = 0; i < block_.count(); ++i) {
    double s;
    const uint8_t* next;
    std::string_view m = packed_read(p, &s, &next);
    if (m == member) {
      const size_t gone = static_cast<size_t>(next - p);
      std::memmove(p, next, static_cast<size_t>(base + block_.used() - next));
      block_.set_used(block_.used() - gone);
      block_.set_count(block_.count() - 1);
      if (block_.count() == 0) block_.shrink_to(0);
      return true;
    }
    p = const_cast<uint8_t*>(next);
  }
  return false;
}

bool ZSet::rank(std::string_view member, size_t* out, double* score_out) const {
  if (!is_tree()) {
    const uint8_t* p = block_.data();
    for (size_t i = 0; i < block_.count(); ++i) {
      double s;
      std::string_view m = packed_read(p, &s, &p);
      if (m == member) {
        *out = i;
        if (score_out != nullptr) *score_out = s;
        return true;
      }
    }
    return false;
  }
  const Tree* t = tree();
  const Node* target = t->index.find(member);
  if (target == nullptr) return false;
  *out = t->order.rank(target);
  if (score_out != nullptr) *score_out = target->score;
  return true;
}

std::pair<std::string_view, double> ZSet::at(size_t rank) const {
  if (is_tree()) {
    const Node* n = tree()->order.at(rank).get();
    return {n->member(), n->score};
  }
  const uint8_t* p = block_.data();
  double s = 0;
  std::string_view m;
  for (size_t i = 0; i <= rank; ++i) m = packed_read(p, &s, &p);
  return {m, s};
}

ZSetTree::Pos ZSet::tree_at(size_t rank) const { return tree()->order.at(rank); }

// A score bound is read from the scores the tree keeps; a lex bound reads members (their bytes
// are the order only among equal scores, which is what a lex range assumes of its set).
ZSetTree::Pos ZSet::first_in(const ScoreRange& r, size_t* rank) const {
  return tree()->order.first_not([&](double s, const ZMember*) { return !r.above_min(s); }, rank);
}

ZSetTree::Pos ZSet::first_past(const ScoreRange& r, size_t* rank) const {
  return tree()->order.first_not([&](double s, const ZMember*) { return r.below_max(s); }, rank);
}

ZSetTree::Pos ZSet::first_in(const LexRange& r, size_t* rank) const {
  return tree()->order.first_not(
      [&](double, const ZMember* m) { return !r.above_min(m->member()); }, rank);
}

ZSetTree::Pos ZSet::first_past(const LexRange& r, size_t* rank) const {
  return tree()->order.first_not([&](double, const ZMember* m) { return r.below_max(m->member()); },
                                 rank);
}

template <class Range>
ZSetTree::Pos ZSet::first_in_range(const Range& r) const {
  size_t rank;
  ZSetTree::Pos p = first_in(r, &rank);
  if (p && !zset_detail::in_range(r, p.get()->member(), p.get()->score)) return {};
  return p;
}

template <class Range>
ZSetTree::Pos ZSet::last_in_range(const Range& r) const {
  size_t rank;
  ZSetTree::Pos p = first_past(r, &rank);
  p = p ? ZSetTree::prev(p) : tree()->order.last();
  if (p && !zset_detail::in_range(r, p.get()->member(), p.get()->score)) return {};
  return p;
}

template ZSetTree::Pos ZSet::first_in_range(const ScoreRange&) const;
template ZSetTree::Pos ZSet::first_in_range(const LexRange&) const;
template ZSetTree::Pos ZSet::last_in_range(const ScoreRange&) const;
template ZSetTree::Pos ZSet::last_in_range(const LexRange&) const;

template <class Range>
size_t ZSet::count_range(const Range& r) const {
  if (r.empty() || !overlaps(r)) return 0;
  if (!is_tree()) {
    return packed_range(r, false, 0, SIZE_MAX, [](std::string_view, double) {});
  }
  // Two descents, as Redis's ZCOUNT and ZLEXCOUNT: O(log n) however many match.
  size_t from = 0, to = 0;
  first_in(r, &from);
  first_past(r, &to);
  return to > from ? to - from : 0;
}

size_t ZSet::count_score_range(const ScoreRange& r) const { return count_range(r); }
size_t ZSet::count_lex_range(const LexRange& r) const { return count_range(r); }

namespace {

// Removes packed entries whose index and contents satisfy pred; returns how many.
template <class Pred>
size_t packed_erase_if(PackedBlock& pk, Pred pred) {
  uint8_t* base = pk.data();
  const uint8_t* src = base;
  uint8_t* dst = base;
  const uint8_t* end = base + pk.used();
  size_t removed = 0;
  for (uint32_t i = 0; src < end; ++i) {
    const uint8_t* p = src;
    const size_t len = get_varint(p);
    std::string_view m(reinterpret_cast<const char*>(p), len);
    p += len;
    const double s = get_score(p);
    const size_t n = static_cast<size_t>(p - src);
    if (pred(i, m, s)) {
      ++removed;
    } else {
      if (dst != src) std::memmove(dst, src, n);
      dst += n;
    }
    src = p;
  }
  pk.set_count(pk.count() - removed);
  pk.set_used(static_cast<size_t>(dst - base));
  if (pk.count() == 0) pk.shrink_to(0);
  return removed;
}

}  // namespace

size_t ZSet::erase_rank_range(size_t start, size_t stop) {
  size_t removed;
  if (!is_tree()) {
    removed = packed_erase_if(
        block_, [&](uint32_t i, std::string_view, double) { return i >= start && i <= stop; });
  } else {
    removed = tree()->erase_from(tree_at(start), stop - start + 1);
  }
  return removed;
}

// The run packed_range would visit, removed by rank (Redis's zzlDeleteRangeBy*).
template <class Range>
size_t ZSet::erase_packed_run(const Range& r) {
  const size_t n = packed_range(r, false, 0, SIZE_MAX, [](std::string_view, double) {});
  if (n == 0) return 0;
  // The run starts at the first element past the minimum.
  size_t first = 0;
  std::vector<uint32_t> offs;
  packed_offsets(offs);
  const uint8_t* base = packed_begin();
  for (size_t k = 0; k < offs.size(); ++k) {
    double s;
    const uint8_t* next;
    std::string_view m = packed_read(base + offs[k], &s, &next);
    if (!zset_detail::before_min(r, m, s)) {
      first = k;
      break;
    }
  }
  return erase_rank_range(first, first + n - 1);
}

// The members in the range, counted by two descents and removed in order.
template <class Range>
size_t ZSet::erase_tree_run(const Range& r) {
  size_t from = 0, to = 0;
  ZSetTree::Pos p = first_in(r, &from);
  first_past(r, &to);
  return to > from ? tree()->erase_from(p, to - from) : 0;
}

size_t ZSet::erase_score_range(const ScoreRange& r) {
  if (r.empty() || !overlaps(r)) return 0;
  if (is_tree()) return erase_tree_run(r);
  const size_t removed =
      packed_erase_if(block_, [&](uint32_t, std::string_view, double s) { return r.contains(s); });
  return removed;
}

size_t ZSet::erase_lex_range(const LexRange& r) {
  if (r.empty() || !overlaps(r)) return 0;
  if (is_tree()) return erase_tree_run(r);
  const size_t removed =
      packed_erase_if(block_, [&](uint32_t, std::string_view m, double) { return r.contains(m); });
  return removed;
}

ZSet::ScanBucket ZSet::scan_bucket(const Tree* s, uint64_t cursor) {
  ScanBucket b;
  if (s->index.capacity() == 0) return b;
  b.home = b.slot = cursor & s->index.mask;
  b.done = false;
  return b;
}

const ZMember* ZSet::scan_next(const Tree* s, ScanBucket* b) {
  const Index& idx = s->index;
  // The index is never full (load <= 3/4), so the run ends at an empty slot.
  while (!b->done) {
    const Node* n = idx.slots[b->slot];
    b->slot = (b->slot + 1) & idx.mask;
    if (n == nullptr) {
      b->done = true;
    } else if ((member_hash(n->member()) & idx.mask) == b->home) {
      return n;
    }
  }
  return nullptr;
}

uint64_t ZSet::scan_cursor_after(const Tree* s, uint64_t cursor) {
  if (s->index.capacity() == 0) return 0;
  return next_scan_cursor(cursor, s->index.mask);
}

bool ZSet::valid() const {
  if (!is_tree()) {
    if (!block_.valid()) return false;
    if (block_.count() == 0) return true;
    const uint8_t* p = block_.data();
    const uint8_t* end = p + block_.used();
    double prev_s = 0;
    std::string prev_m;
    for (size_t i = 0; i < block_.count(); ++i) {
      if (p >= end) return false;
      double s;
      std::string_view m = packed_read(p, &s, &p);
      if (std::isnan(s)) return false;
      if (i > 0 && (s < prev_s || (s == prev_s && compare_members(prev_m, m) >= 0))) return false;
      prev_s = s;
      prev_m.assign(m);
    }
    return p == end;
  }
  const Tree* t = tree();
  if (!t->order.valid() || t->index.used != t->order.size()) return false;
  for (auto p = t->order.first(); p; p = ZSetTree::next(p)) {
    if (t->index.find(p.get()->member()) != p.get()) return false;
  }
  return true;
}

}  // namespace basalt
