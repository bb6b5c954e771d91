#pragma once
// The order of a large sorted set: a B+tree of members by (score, member bytes) whose inner
// nodes count the members under each child, so rank and rank-to-member are one descent.
//
// Why not Redis's skiplist: on a million members a skiplist search is some thirty dependent
// cache misses (a node a step, about three steps a level, ten levels), and a ZADD that moves a
// member searches twice. Here a search reads five or six nodes, each a few adjacent cache lines
// fetched together, and a member costs its 16-byte slot in a leaf (leaves filled in random order
// run about two-thirds full, in order full) instead of a node's levels. Dragonfly made the same
// move (its bptree).
//
// Members are ZMember objects owned by the caller (ZSet, which also indexes them by name); the
// tree holds pointers to them beside copies of their scores, so a comparison reads a member's
// bytes only when two scores are equal.
//
// Invariants (valid() checks them): every inner node keeps, for each child, the smallest key
// under it (exact, so it never points at a freed member), the number of members under it, and
// the child; leaves hold 1..kLeafCap members in order and are chained both ways; the tree is
// balanced (every leaf at depth height_). Only an empty tree has an empty leaf, as its root.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace basalt {

// One member of a large sorted set: one allocation, its bytes after the header.
struct ZMember {
  double score;
  uint32_t len;

  std::string_view member() const { return {reinterpret_cast<const char*>(this + 1), len}; }
  static ZMember* make(std::string_view member, double score);  // malloc'd; free() it
};

class ZSetTree {
 public:
  static constexpr uint32_t kLeafCap = 14;   // a 248-byte leaf: jemalloc's 256 class
  static constexpr uint32_t kInnerCap = 15;  // a 488-byte inner node: the 512 class

  struct Leaf;
  // A member's place: a leaf and a slot in it; an empty Pos (leaf null) is "none" / the end.
  struct Pos {
    const Leaf* leaf = nullptr;
    uint32_t i = 0;
    explicit operator bool() const { return leaf != nullptr; }
    const ZMember* get() const;
  };

  ZSetTree();
  ~ZSetTree();
  ZSetTree(const ZSetTree&) = delete;
  ZSetTree& operator=(const ZSetTree&) = delete;

  size_t size() const { return size_; }
  size_t node_bytes() const { return node_bytes_; }

  // Adds a member whose key is not in the tree.
  void insert(ZMember* m);
  // Removes a member that is in the tree (by its key; its score must be the one it was inserted
  // with).
  void erase(const ZMember* m);
  // Gives a member in the tree a new score (and moves it where that puts it).
  void rescore(ZMember* m, double score);
  // 0-based ascending rank of a member in the tree.
  size_t rank(const ZMember* m) const;
  // The member at an ascending rank < size().
  Pos at(size_t rank) const;
  Pos first() const;
  Pos last() const;
  static Pos next(Pos p);
  static Pos prev(Pos p);

  // The first member (in order) for which below(score, member) is false, and its rank (size()
  // and an empty Pos when there is none). `below` must hold for a prefix of the order and not
  // after it (a score or lex bound); it is called with the keys of inner nodes too.
  template <class Below>
  Pos first_not(Below below, size_t* rank_out) const;

  // Every member, in no particular order, so the caller can free them.
  template <class F>
  void for_each_member(F&& f) const {
    for (Pos p = first(); p; p = next(p)) f(const_cast<ZMember*>(p.get()));
  }

  bool valid() const;

  struct Inner;

 private:
  static constexpr int kMaxDepth = 40;

  // A member's way down: the inner nodes, the child taken in each, and its slot in the leaf.
  struct Path {
    Inner* node[kMaxDepth];
    uint32_t at[kMaxDepth];
    uint32_t slot;
  };
  Leaf* descend(const ZMember* m, Path* path) const;
  void erase_at(const Path& path, Leaf* leaf);

  Leaf* new_leaf();
  Inner* new_inner();
  void free_node(void* n);
  void free_subtree(void* n, int depth);
  void unchain(Leaf* l);
  // Merges the child at i of p with a neighbour when both fit in one node; returns the index
  // of the child that now holds the members.
  uint32_t merge_small(Inner* p, uint32_t i, bool leaves);
  bool valid_subtree(const void* n, int depth, size_t* count, const ZMember** min,
                     const Leaf** prev_leaf) const;

  void* root_;
  int height_ = 0;  // inner levels above the leaves
  size_t size_ = 0;
  size_t node_bytes_ = 0;
  Leaf* head_;
  Leaf* tail_;
};

struct ZSetTree::Leaf {
  uint32_t n = 0;
  Leaf* prev = nullptr;
  Leaf* next = nullptr;
  double score[kLeafCap];  // each member's score, copied: a scan reads no member
  ZMember* m[kLeafCap];
};

struct ZSetTree::Inner {
  uint32_t n = 0;
  double score[kInnerCap];  // the smallest key under each child: its score ...
  ZMember* m[kInnerCap];    // ... and its member
  size_t count[kInnerCap];  // members under each child
  void* child[kInnerCap];
};

inline const ZMember* ZSetTree::Pos::get() const { return leaf->m[i]; }

inline ZSetTree::Pos ZSetTree::next(Pos p) {
  if (p.i + 1 < p.leaf->n) return {p.leaf, p.i + 1};
  return {p.leaf->next, 0};
}

inline ZSetTree::Pos ZSetTree::prev(Pos p) {
  if (p.i > 0) return {p.leaf, p.i - 1};
  const Leaf* l = p.leaf->prev;
  return l == nullptr ? Pos{} : Pos{l, l->n - 1};
}

namespace zset_tree_detail {
// The lines of a node a descent is about to read, asked for together.
inline void prefetch(const void* p, size_t bytes) {
  for (size_t off = 0; off < bytes; off += 64)
    __builtin_prefetch(static_cast<const char*>(p) + off);
}
}  // namespace zset_tree_detail

template <class Below>
ZSetTree::Pos ZSetTree::first_not(Below below, size_t* rank_out) const {
  const void* n = root_;
  size_t rank = 0;
  for (int d = 0; d < height_; ++d) {
    const Inner* in = static_cast<const Inner*>(n);
    // The answer lies in the last child whose smallest key is below, or just after it (the
    // first member of the next child); with none below, it is the subtree's first member.
    uint32_t i = 0;
    while (i + 1 < in->n && below(in->score[i + 1], in->m[i + 1])) {
      rank += in->count[i];
      ++i;
    }
    n = in->child[i];
    zset_tree_detail::prefetch(n, d + 1 < height_ ? sizeof(Inner) : sizeof(Leaf));
  }
  const Leaf* l = static_cast<const Leaf*>(n);
  uint32_t j = 0;
  while (j < l->n && below(l->score[j], l->m[j])) ++j;
  *rank_out = rank + j;
  if (j < l->n) return {l, j};
  return l->next == nullptr ? Pos{} : Pos{l->next, 0};
}

}  // namespace basalt
