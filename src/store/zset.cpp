#include "store/zset.hpp"

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

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
// does from Redis's listpack (which keeps "-0" as the integer 0); a skiplist keeps the sign.
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

constexpr int kMaxLevel = 32;

}  // namespace

struct ZSet::Node {
  // forward's score is kept beside the pointer, so the comparison that ends a level reads no node
  // the walk does not enter. On a million members a ZADD that moves a member walks twice and is
  // mostly cache misses; with the prefetch in path(), bench_zset's move costs 0.88x what it did
  // (neither change alone measured a clear gain). 8 more bytes per level.
  struct Level {
    Node* forward;
    double forward_score;  // forward->score, when forward is set
    size_t span;           // ranks skipped by forward
  };
  double score;
  Node* backward;
  uint32_t len;
  uint8_t height;

  Level* lv() { return reinterpret_cast<Level*>(this + 1); }
  const Level* lv() const { return reinterpret_cast<const Level*>(this + 1); }
  char* data() { return reinterpret_cast<char*>(lv() + height); }
  std::string_view member() const { return {reinterpret_cast<const char*>(lv() + height), len}; }
};

namespace {

using Node = ZSet::Node;

// A top-down walk at x on level i reads x's next node one level down unless it moves on at level
// i: asking for that node early overlaps its cache miss with the comparisons. In path() it made a
// moving ZADD 0.88x the time (with forward_score), in ZSet::rank 0.82x (bench_zset, medians).
inline void prefetch_below(const Node* x, int i) {
  if (i > 0) __builtin_prefetch(x->lv()[i - 1].forward);
}

Node* new_node(int height, std::string_view member, double score) {
  auto* n = static_cast<Node*>(
      checked_malloc(sizeof(Node) + sizeof(Node::Level) * height + member.size()));
  n->score = score;
  n->backward = nullptr;
  n->len = static_cast<uint32_t>(member.size());
  n->height = static_cast<uint8_t>(height);
  for (int i = 0; i < height; ++i) n->lv()[i] = {nullptr, 0, 0};
  if (!member.empty()) std::memcpy(n->data(), member.data(), member.size());
  return n;
}

bool node_less(const Node* n, double score, std::string_view member) {
  return n->score < score || (n->score == score && compare_members(n->member(), member) < 0);
}

// node_less(l.forward, score, member), reading the forward node only on a tie of scores.
bool forward_less(const Node::Level& l, double score, std::string_view member) {
  return l.forward != nullptr &&
         (l.forward_score < score ||
          (l.forward_score == score && compare_members(l.forward->member(), member) < 0));
}

uint64_t member_hash(std::string_view m) { return wyhash(m, 0x5bd1e9955bd1e995ull); }

// Member -> node, linear probing with backward-shift deletion (no tombstones).
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
  void insert(Node* n) {
    if ((used + 1) * 4 > capacity() * 3) resize(capacity() == 0 ? 8 : capacity() * 2);
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

struct ZSet::Skiplist {
  Node* header;
  Node* tail = nullptr;
  size_t length = 0;
  int level = 1;
  Index index;
  size_t node_bytes = 0;

  Skiplist() : header(new_node(kMaxLevel, {}, 0)) {}
  ~Skiplist() {
    for (Node* x = header->lv()[0].forward; x != nullptr;) {
      Node* next = x->lv()[0].forward;
      std::free(x);
      x = next;
    }
    std::free(header);
    index.release();
  }

  static int random_level() {
    // Redis's p = 1/4: two random bits per level.
    static thread_local std::mt19937_64 rng(0x9e3779b97f4a7c15ull);
    uint64_t bits = rng();
    int h = 1;
    while (h < kMaxLevel && (bits & 3) == 0) {
      ++h;
      bits >>= 2;
    }
    return h;
  }

  // The rightmost node before (score, member) on each level, with its rank.
  void path(double score, std::string_view member, Node** update, size_t* rank) const {
    Node* x = header;
    for (int i = level - 1; i >= 0; --i) {
      rank[i] = i == level - 1 ? 0 : rank[i + 1];
      prefetch_below(x, i);
      while (forward_less(x->lv()[i], score, member)) {
        rank[i] += x->lv()[i].span;
        x = x->lv()[i].forward;
        prefetch_below(x, i);
      }
      update[i] = x;
    }
  }

  void link(Node* n) {
    Node* update[kMaxLevel];
    size_t rank[kMaxLevel];
    path(n->score, n->member(), update, rank);
    const int h = n->height;
    if (h > level) {
      for (int i = level; i < h; ++i) {
        rank[i] = 0;
        update[i] = header;
        header->lv()[i].span = length;
      }
      level = h;
    }
    for (int i = 0; i < h; ++i) {
      Node::Level& up = update[i]->lv()[i];
      n->lv()[i].forward = up.forward;
      n->lv()[i].forward_score = up.forward_score;
      up.forward = n;
      up.forward_score = n->score;
      n->lv()[i].span = up.span - (rank[0] - rank[i]);
      up.span = rank[0] - rank[i] + 1;
    }
    for (int i = h; i < level; ++i) update[i]->lv()[i].span++;
    n->backward = update[0] == header ? nullptr : update[0];
    if (n->lv()[0].forward != nullptr) {
      n->lv()[0].forward->backward = n;
    } else {
      tail = n;
    }
    ++length;
  }

  void unlink(Node* x, Node** update) {
    for (int i = 0; i < level; ++i) {
      Node::Level& up = update[i]->lv()[i];
      if (up.forward == x) {
        up.span += x->lv()[i].span - 1;
        up.forward = x->lv()[i].forward;
        up.forward_score = x->lv()[i].forward_score;
      } else {
        up.span -= 1;
      }
    }
    if (x->lv()[0].forward != nullptr) {
      x->lv()[0].forward->backward = x->backward;
    } else {
      tail = x->backward;
    }
    while (level > 1 && header->lv()[level - 1].forward == nullptr) --level;
    --length;
  }

  void unlink(Node* x) {
    Node* update[kMaxLevel];
    size_t rank[kMaxLevel];
    path(x->score, x->member(), update, rank);
    unlink(x, update);
  }

  // A new score that keeps x between its neighbours: x stays, and so do its links; only the
  // copies of its score in the levels pointing at it change. A node of height 1 (three in four)
  // has one, in its level-0 predecessor; a taller one needs the walk that finds the others.
  void rescore_in_place(Node* x, double new_score) {
    if (x->height == 1) {
      (x->backward != nullptr ? x->backward : header)->lv()[0].forward_score = new_score;
    } else {
      Node* update[kMaxLevel];
      size_t rank[kMaxLevel];
      path(x->score, x->member(), update, rank);
      for (int i = 0; i < x->height; ++i) update[i]->lv()[i].forward_score = new_score;
    }
    x->score = new_score;
  }

  void insert(std::string_view member, double score) {
    Node* n = new_node(random_level(), member, score);
    node_bytes += malloc_usable_size(n);
    link(n);
    index.insert(n);
  }

  void destroy(Node* x) {
    index.erase(x);
    node_bytes -= malloc_usable_size(x);
    std::free(x);
  }

  // Removes nodes from the first one after update[0] while keep_going(node); returns how many.
  template <class Pred>
  size_t erase_run(Node** update, Pred keep_going) {
    size_t removed = 0;
    Node* x = update[0]->lv()[0].forward;
    while (x != nullptr && keep_going(x)) {
      Node* next = x->lv()[0].forward;
      unlink(x, update);
      destroy(x);
      ++removed;
      x = next;
    }
    return removed;
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
  if (is_skiplist()) return skiplist()->length;
  return block_.count();
}

size_t ZSet::memory_usage() const {
  if (!is_skiplist()) return block_.heap_bytes();
  const Skiplist* s = skiplist();
  return malloc_usable_size(const_cast<Skiplist*>(s)) + s->node_bytes +
         malloc_usable_size(s->header) + s->index.capacity() * sizeof(Node*);
}

void ZSet::clear() {
  if (is_skiplist()) delete skiplist();
  block_.release();
}

ZSet ZSet::clone() const {
  ZSet out;
  if (!is_skiplist()) {
    out.block_ = block_.clone();
    return out;
  }
  out.convert_to_skiplist(size());
  Skiplist* s = out.skiplist();
  for_each([&](std::string_view m, double score) { s->insert(m, score); });
  return out;
}

void ZSet::convert_to_skiplist(size_t expected) {
  if (is_skiplist()) return;
  auto* s = new Skiplist();
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
  if (is_skiplist()) {
    const Node* n = skiplist()->index.find(member);
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
  if (!is_skiplist() && (size() + 1 > limits.max_packed_entries ||
                         member.size() > limits.max_packed_value || !block_.can_add(need))) {
    convert_to_skiplist(size() + 1);
  }
  if (is_skiplist()) {
    skiplist()->insert(member, score);
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
  if (is_skiplist()) {
    Skiplist* s = skiplist();
    Node* x = s->index.find(member);
    // Still in order where it is: only the score changes (Redis's zslUpdateScore fast path).
    if ((x->backward == nullptr || x->backward->score < new_score) &&
        (x->lv()[0].forward == nullptr || x->lv()[0].forward_score > new_score)) {
      s->rescore_in_place(x, new_score);
      return;
    }
    s->unlink(x);
    x->score = new_score;
    s->link(x);
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
  if (is_skiplist()) {
    Skiplist* s = skiplist();
    Node* x = s->index.find(member);
    if (x == nullptr) return false;
    s->unlink(x);
    s->destroy(x);
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
  if (!is_skiplist()) {
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
  const Skiplist* s = skiplist();
  const Node* target = s->index.find(member);
  if (target == nullptr) return false;
  size_t r = 0;
  const Node* x = s->header;
  for (int i = s->level - 1; i >= 0; --i) {
    prefetch_below(x, i);
    while (x->lv()[i].forward != nullptr &&
           (x->lv()[i].forward == target ||
            forward_less(x->lv()[i], target->score, target->member()))) {
      r += x->lv()[i].span;
      x = x->lv()[i].forward;
      prefetch_below(x, i);
    }
    if (x == target) break;
  }
  *out = r - 1;
  if (score_out != nullptr) *score_out = target->score;
  return true;
}

const Node* ZSet::node_at(size_t rank) const {
  const Skiplist* s = skiplist();
  const size_t want = rank + 1;
  size_t traversed = 0;
  const Node* x = s->header;
  for (int i = s->level - 1; i >= 0; --i) {
    prefetch_below(x, i);
    while (x->lv()[i].forward != nullptr && traversed + x->lv()[i].span <= want) {
      traversed += x->lv()[i].span;
      x = x->lv()[i].forward;
      prefetch_below(x, i);
    }
    if (traversed == want) return x;
  }
  return nullptr;
}

std::pair<std::string_view, double> ZSet::at(size_t rank) const {
  if (is_skiplist()) {
    const Node* n = node_at(rank);
    return {n->member(), n->score};
  }
  const uint8_t* p = block_.data();
  double s = 0;
  std::string_view m;
  for (size_t i = 0; i <= rank; ++i) m = packed_read(p, &s, &p);
  return {m, s};
}

const Node* ZSet::node_next(const Node* n) { return n->lv()[0].forward; }
const Node* ZSet::node_prev(const Node* n) { return n->backward; }
std::string_view ZSet::node_member(const Node* n) { return n->member(); }
double ZSet::node_score(const Node* n) { return n->score; }

namespace {

// below_min and (for last_matching) below_max take a level with a forward node, so a score
// test reads the score kept in the level; within and above_min take a node.
template <class Below, class Within>
const Node* first_matching(const Node* header, int level, Below below_min, Within below_max) {
  const Node* x = header;
  for (int i = level - 1; i >= 0; --i) {
    prefetch_below(x, i);
    while (x->lv()[i].forward != nullptr && below_min(x->lv()[i])) {
      x = x->lv()[i].forward;
      prefetch_below(x, i);
    }
  }
  x = x->lv()[0].forward;
  if (x == nullptr || !below_max(x)) return nullptr;
  return x;
}

template <class Within, class Above>
const Node* last_matching(const Node* header, int level, Within below_max, Above above_min) {
  const Node* x = header;
  for (int i = level - 1; i >= 0; --i) {
    prefetch_below(x, i);
    while (x->lv()[i].forward != nullptr && below_max(x->lv()[i])) {
      x = x->lv()[i].forward;
      prefetch_below(x, i);
    }
  }
  if (x == header || !above_min(x)) return nullptr;
  return x;
}

}  // namespace

const Node* ZSet::first_in(const ScoreRange& r) const {
  const Skiplist* s = skiplist();
  return first_matching(
      s->header, s->level, [&](const Node::Level& l) { return !r.above_min(l.forward_score); },
      [&](const Node* n) { return r.below_max(n->score); });
}

const Node* ZSet::last_in(const ScoreRange& r) const {
  const Skiplist* s = skiplist();
  return last_matching(
      s->header, s->level, [&](const Node::Level& l) { return r.below_max(l.forward_score); },
      [&](const Node* n) { return r.above_min(n->score); });
}

const Node* ZSet::first_in(const LexRange& r) const {
  const Skiplist* s = skiplist();
  return first_matching(
      s->header, s->level, [&](const Node::Level& l) { return !r.above_min(l.forward->member()); },
      [&](const Node* n) { return r.below_max(n->member()); });
}

const Node* ZSet::last_in(const LexRange& r) const {
  const Skiplist* s = skiplist();
  return last_matching(
      s->header, s->level, [&](const Node::Level& l) { return r.below_max(l.forward->member()); },
      [&](const Node* n) { return r.above_min(n->member()); });
}

template <class Range>
size_t ZSet::count_range(const Range& r) const {
  if (r.empty() || !overlaps(r)) return 0;
  if (!is_skiplist()) {
    return packed_range(r, false, 0, SIZE_MAX, [](std::string_view, double) {});
  }
  // Two rank lookups, as Redis's ZCOUNT and ZLEXCOUNT: O(log n) however many match.
  const Node* first = first_in(r);
  if (first == nullptr) return 0;
  const Node* last = last_in(r);
  size_t r1 = 0, r2 = 0;
  rank(first->member(), &r1);
  rank(last->member(), &r2);
  return r2 - r1 + 1;
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
  if (!is_skiplist()) {
    removed = packed_erase_if(
        block_, [&](uint32_t i, std::string_view, double) { return i >= start && i <= stop; });
  } else {
    Skiplist* s = skiplist();
    Node* update[kMaxLevel];
    size_t traversed = 0;
    Node* x = s->header;
    for (int i = s->level - 1; i >= 0; --i) {
      while (x->lv()[i].forward != nullptr && traversed + x->lv()[i].span <= start) {
        traversed += x->lv()[i].span;
        x = x->lv()[i].forward;
      }
      update[i] = x;
    }
    size_t left = stop - start + 1;
    return s->erase_run(update, [&](const Node*) { return left-- > 0; });
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

size_t ZSet::erase_score_range(const ScoreRange& r) {
  if (r.empty() || !overlaps(r)) return 0;
  if (is_skiplist()) {
    Skiplist* s = skiplist();
    Node* update[kMaxLevel];
    Node* x = s->header;
    for (int i = s->level - 1; i >= 0; --i) {
      while (x->lv()[i].forward != nullptr && !r.above_min(x->lv()[i].forward_score)) {
        x = x->lv()[i].forward;
      }
      update[i] = x;
    }
    return s->erase_run(update, [&](const Node* n) { return r.below_max(n->score); });
  }
  const size_t removed =
      packed_erase_if(block_, [&](uint32_t, std::string_view, double s) { return r.contains(s); });
  return removed;
}

size_t ZSet::erase_lex_range(const LexRange& r) {
  if (r.empty() || !overlaps(r)) return 0;
  if (is_skiplist()) {
    Skiplist* s = skiplist();
    Node* update[kMaxLevel];
    Node* x = s->header;
    for (int i = s->level - 1; i >= 0; --i) {
      while (x->lv()[i].forward != nullptr && !r.above_min(x->lv()[i].forward->member())) {
        x = x->lv()[i].forward;
      }
      update[i] = x;
    }
    return s->erase_run(update, [&](const Node* n) { return r.below_max(n->member()); });
  }
  const size_t removed =
      packed_erase_if(block_, [&](uint32_t, std::string_view m, double) { return r.contains(m); });
  return removed;
}

ZSet::ScanBucket ZSet::scan_bucket(const Skiplist* s, uint64_t cursor) {
  ScanBucket b;
  if (s->index.capacity() == 0) return b;
  b.home = b.slot = cursor & s->index.mask;
  b.done = false;
  return b;
}

const ZSet::Node* ZSet::scan_next(const Skiplist* s, ScanBucket* b) {
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

uint64_t ZSet::scan_cursor_after(const Skiplist* s, uint64_t cursor) {
  if (s->index.capacity() == 0) return 0;
  return next_scan_cursor(cursor, s->index.mask);
}

bool ZSet::valid() const {
  if (!is_skiplist()) {
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
  const Skiplist* s = skiplist();
  // Level 0: order, back links, length, index membership.
  size_t n = 0;
  const Node* prev = nullptr;
  for (const Node* x = s->header->lv()[0].forward; x != nullptr; x = x->lv()[0].forward) {
    if (x->backward != prev) return false;
    if (prev != nullptr && !node_less(prev, x->score, x->member())) return false;
    if (s->index.find(x->member()) != x) return false;
    prev = x;
    ++n;
  }
  if (n != s->length || s->tail != prev || s->index.used != n) return false;
  // Every level: spans add up to ranks.
  for (int i = 0; i < s->level; ++i) {
    size_t r = 0;
    for (const Node* x = s->header; x->lv()[i].forward != nullptr; x = x->lv()[i].forward) {
      if (x->lv()[i].forward_score != x->lv()[i].forward->score) return false;
      r += x->lv()[i].span;
      size_t actual;
      if (!rank(x->lv()[i].forward->member(), &actual) || actual + 1 != r) return false;
    }
  }
  return true;
}

}  // namespace basalt
