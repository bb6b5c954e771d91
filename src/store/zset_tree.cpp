#include "store/zset_tree.hpp"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace basalt {

namespace {

void* checked_malloc(size_t n) {
  void* p = std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// Redis's member order: bytes as unsigned, then the shorter first.
bool key_less(double sa, std::string_view ma, double sb, std::string_view mb) {
  return sa < sb || (sa == sb && ma.compare(mb) < 0);
}

using Leaf = ZSetTree::Leaf;
using Inner = ZSetTree::Inner;

// The child of `in` a key belongs under: the last whose smallest key is not above it.
uint32_t route(const Inner* in, double score, std::string_view member) {
  uint32_t i = 1;
  while (i < in->n && !key_less(score, member, in->score[i], in->m[i]->member())) ++i;
  return i - 1;
}

// The first slot of `l` whose key is not below the given one.
uint32_t lower_bound(const Leaf* l, double score, std::string_view member) {
  uint32_t j = 0;
  while (j < l->n && key_less(l->score[j], l->m[j]->member(), score, member)) ++j;
  return j;
}

void leaf_insert_at(Leaf* l, uint32_t j, double score, ZMember* m) {
  std::memmove(l->score + j + 1, l->score + j, (l->n - j) * sizeof(double));
  std::memmove(l->m + j + 1, l->m + j, (l->n - j) * sizeof(ZMember*));
  l->score[j] = score;
  l->m[j] = m;
  ++l->n;
}

void leaf_remove_at(Leaf* l, uint32_t j) {
  std::memmove(l->score + j, l->score + j + 1, (l->n - j - 1) * sizeof(double));
  std::memmove(l->m + j, l->m + j + 1, (l->n - j - 1) * sizeof(ZMember*));
  --l->n;
}

void inner_insert_at(Inner* in, uint32_t i, double score, ZMember* m, size_t count, void* child) {
  const size_t k = in->n - i;
  std::memmove(in->score + i + 1, in->score + i, k * sizeof(double));
  std::memmove(in->m + i + 1, in->m + i, k * sizeof(ZMember*));
  std::memmove(in->count + i + 1, in->count + i, k * sizeof(size_t));
  std::memmove(in->child + i + 1, in->child + i, k * sizeof(void*));
  in->score[i] = score;
  in->m[i] = m;
  in->count[i] = count;
  in->child[i] = child;
  ++in->n;
}

void inner_remove_at(Inner* in, uint32_t i) {
  const size_t k = in->n - i - 1;
  std::memmove(in->score + i, in->score + i + 1, k * sizeof(double));
  std::memmove(in->m + i, in->m + i + 1, k * sizeof(ZMember*));
  std::memmove(in->count + i, in->count + i + 1, k * sizeof(size_t));
  std::memmove(in->child + i, in->child + i + 1, k * sizeof(void*));
  --in->n;
}

// Moves the slots [from, n) of `src` to the end of `dst`.
void leaf_move_tail(Leaf* src, uint32_t from, Leaf* dst) {
  const uint32_t k = src->n - from;
  std::memcpy(dst->score + dst->n, src->score + from, k * sizeof(double));
  std::memcpy(dst->m + dst->n, src->m + from, k * sizeof(ZMember*));
  dst->n += k;
  src->n = from;
}

void inner_move_tail(Inner* src, uint32_t from, Inner* dst) {
  const uint32_t k = src->n - from;
  std::memcpy(dst->score + dst->n, src->score + from, k * sizeof(double));
  std::memcpy(dst->m + dst->n, src->m + from, k * sizeof(ZMember*));
  std::memcpy(dst->count + dst->n, src->count + from, k * sizeof(size_t));
  std::memcpy(dst->child + dst->n, src->child + from, k * sizeof(void*));
  dst->n += k;
  src->n = from;
}

size_t inner_total(const Inner* in) {
  size_t t = 0;
  for (uint32_t i = 0; i < in->n; ++i) t += in->count[i];
  return t;
}

// A node's smallest key and member count; `leaf` says which kind it is.
struct Summary {
  double score;
  ZMember* m;
  size_t count;
};
Summary summarize(void* n, bool leaf) {
  if (leaf) {
    const Leaf* l = static_cast<const Leaf*>(n);
    return {l->score[0], l->m[0], l->n};
  }
  const Inner* in = static_cast<const Inner*>(n);
  return {in->score[0], in->m[0], inner_total(in)};
}

// A node's smallest key, for its parent's copy.
void copy_min(Inner* p, uint32_t i, bool leaves) {
  const void* n = p->child[i];
  if (leaves) {
    p->score[i] = static_cast<const Leaf*>(n)->score[0];
    p->m[i] = static_cast<const Leaf*>(n)->m[0];
  } else {
    p->score[i] = static_cast<const Inner*>(n)->score[0];
    p->m[i] = static_cast<const Inner*>(n)->m[0];
  }
}

uint32_t node_n(const void* n, bool leaf) {
  return leaf ? static_cast<const Leaf*>(n)->n : static_cast<const Inner*>(n)->n;
}

}  // namespace

ZMember* ZMember::make(std::string_view member, double score) {
  auto* z = static_cast<ZMember*>(checked_malloc(sizeof(ZMember) + member.size()));
  z->score = score;
  z->len = static_cast<uint32_t>(member.size());
  if (!member.empty()) std::memcpy(z + 1, member.data(), member.size());
  return z;
}

ZSetTree::ZSetTree() {
  head_ = tail_ = new_leaf();
  root_ = head_;
}

ZSetTree::~ZSetTree() { free_subtree(root_, 0); }

ZSetTree::Leaf* ZSetTree::new_leaf() {
  Leaf* l = new (checked_malloc(sizeof(Leaf))) Leaf();
  node_bytes_ += malloc_usable_size(l);
  return l;
}

ZSetTree::Inner* ZSetTree::new_inner() {
  Inner* in = new (checked_malloc(sizeof(Inner))) Inner();
  node_bytes_ += malloc_usable_size(in);
  return in;
}

void ZSetTree::free_node(void* n) {
  node_bytes_ -= malloc_usable_size(n);
  std::free(n);
}

void ZSetTree::free_subtree(void* n, int depth) {
  if (depth < height_) {
    Inner* in = static_cast<Inner*>(n);
    for (uint32_t i = 0; i < in->n; ++i) free_subtree(in->child[i], depth + 1);
  }
  free_node(n);
}

void ZSetTree::unchain(Leaf* l) {
  (l->prev != nullptr ? l->prev->next : head_) = l->next;
  (l->next != nullptr ? l->next->prev : tail_) = l->prev;
}

void ZSetTree::insert(ZMember* z) {
  const double score = z->score;
  Path way;
  Leaf* leaf = descend(z, &way);
  Inner* const* path = way.node;
  const uint32_t* at = way.at;
  const uint32_t j = way.slot;

  // The nodes the splits will need, allocated before anything changes: a failed allocation
  // leaves the tree as it was.
  Leaf* spare_leaf = nullptr;
  Inner* spare_inner[kMaxDepth + 1];
  int spares = 0;
  try {
    if (leaf->n == kLeafCap) {
      spare_leaf = new_leaf();
      int d = height_ - 1;
      while (d >= 0 && path[d]->n == kInnerCap) {
        spare_inner[spares++] = new_inner();
        --d;
      }
      if (d < 0) spare_inner[spares++] = new_inner();  // a new root
    }
  } catch (...) {
    if (spare_leaf != nullptr) free_node(spare_leaf);
    while (spares > 0) free_node(spare_inner[--spares]);
    throw;
  }
  auto take_inner = [&] { return spare_inner[--spares]; };
  for (int d = 0; d < height_; ++d) ++path[d]->count[at[d]];
  ++size_;

  void* right = nullptr;
  if (leaf->n < kLeafCap) {
    leaf_insert_at(leaf, j, score, z);
  } else {
    // A full leaf splits in half, except at either end of the order, where members added in
    // order (a load, a ZADD of rising scores) would otherwise leave every leaf half empty.
    uint32_t h = kLeafCap / 2;
    if (j == kLeafCap && leaf->next == nullptr) h = kLeafCap;
    if (j == 0 && leaf->prev == nullptr) h = 0;
    Leaf* r = spare_leaf;
    leaf_move_tail(leaf, h, r);
    r->prev = leaf;
    r->next = leaf->next;
    (leaf->next != nullptr ? leaf->next->prev : tail_) = r;
    leaf->next = r;
    if (j < h || (j == h && h != kLeafCap)) {
      leaf_insert_at(leaf, j, score, z);
    } else {
      leaf_insert_at(r, j - h, score, z);
    }
    right = r;
  }

  // Up the path: the child's smallest key may have changed (a new first member); a split child
  // adds its new right half beside it, which may split the parent in turn.
  void* left = leaf;
  bool leaves = true;
  for (int d = height_ - 1; d >= 0; --d) {
    Inner* p = path[d];
    const uint32_t i = at[d];
    copy_min(p, i, leaves);
    if (right == nullptr) {
      if (i != 0) return;  // p's own smallest key is unchanged, and so is everything above
    } else {
      p->count[i] = summarize(left, leaves).count;
      const Summary rs = summarize(right, leaves);
      if (p->n < kInnerCap) {
        inner_insert_at(p, i + 1, rs.score, rs.m, rs.count, right);
        right = nullptr;
        if (i != 0) return;
      } else {
        uint32_t h = (kInnerCap + 1) / 2;
        bool rightmost = true, leftmost = true;
        for (int e = 0; e <= d; ++e) {
          rightmost = rightmost && at[e] + 1 == path[e]->n;
          leftmost = leftmost && at[e] == 0;
        }
        if (i + 1 == kInnerCap && rightmost) h = kInnerCap;
        if (i == 0 && leftmost) h = 1;
        Inner* q = take_inner();
        inner_move_tail(p, h, q);
        if (i + 1 <= h && !(h == kInnerCap && i + 1 == h)) {
          inner_insert_at(p, i + 1, rs.score, rs.m, rs.count, right);
        } else {
          inner_insert_at(q, i + 1 - h, rs.score, rs.m, rs.count, right);
        }
        right = q;
      }
    }
    left = p;
    leaves = false;
  }
  if (right != nullptr) {
    Inner* root = take_inner();
    const Summary ls = summarize(left, leaves);
    const Summary rs = summarize(right, leaves);
    inner_insert_at(root, 0, ls.score, ls.m, ls.count, left);
    inner_insert_at(root, 1, rs.score, rs.m, rs.count, right);
    root_ = root;
    ++height_;
  }
}

uint32_t ZSetTree::merge_small(Inner* p, uint32_t i, bool leaves) {
  const uint32_t cap = leaves ? kLeafCap : kInnerCap;
  if (node_n(p->child[i], leaves) > cap / 4) return i;
  // Into the left neighbour when both fit, else take the right one in.
  uint32_t l;
  if (i > 0 && node_n(p->child[i - 1], leaves) + node_n(p->child[i], leaves) <= cap) {
    l = i - 1;
  } else if (i + 1 < p->n && node_n(p->child[i], leaves) + node_n(p->child[i + 1], leaves) <= cap) {
    l = i;
  } else {
    return i;
  }
  void* a = p->child[l];
  void* b = p->child[l + 1];
  if (leaves) {
    Leaf* lb = static_cast<Leaf*>(b);
    leaf_move_tail(lb, 0, static_cast<Leaf*>(a));
    unchain(lb);
  } else {
    inner_move_tail(static_cast<Inner*>(b), 0, static_cast<Inner*>(a));
  }
  p->count[l] += p->count[l + 1];
  inner_remove_at(p, l + 1);
  free_node(b);
  return l;
}

ZSetTree::Leaf* ZSetTree::descend(const ZMember* z, Path* path) const {
  const std::string_view member = z->member();
  const void* n = root_;
  for (int d = 0; d < height_; ++d) {
    const Inner* in = static_cast<const Inner*>(n);
    const uint32_t i = route(in, z->score, member);
    path->node[d] = const_cast<Inner*>(in);
    path->at[d] = i;
    n = in->child[i];
    zset_tree_detail::prefetch(n, d + 1 < height_ ? sizeof(Inner) : sizeof(Leaf));
  }
  Leaf* leaf = const_cast<Leaf*>(static_cast<const Leaf*>(n));
  path->slot = lower_bound(leaf, z->score, member);
  return leaf;
}

void ZSetTree::erase(const ZMember* z) {
  Path path;
  Leaf* leaf = descend(z, &path);
  erase_at(path, leaf);
}

void ZSetTree::erase_at(const Path& path, Leaf* leaf) {
  for (int d = 0; d < height_; ++d) --path.node[d]->count[path.at[d]];
  leaf_remove_at(leaf, path.slot);
  --size_;

  // Up the path: an emptied child leaves its parent, a small one merges with a neighbour, and
  // the parent's copy of the child's smallest key follows it (never left naming a freed member).
  void* child = leaf;
  bool leaves = true;
  for (int d = height_ - 1; d >= 0; --d) {
    Inner* p = path.node[d];
    uint32_t i = path.at[d];
    if (node_n(child, leaves) == 0) {
      if (leaves) unchain(static_cast<Leaf*>(child));
      free_node(child);
      inner_remove_at(p, i);
    } else {
      i = merge_small(p, i, leaves);
      copy_min(p, i, leaves);
    }
    child = p;
    leaves = false;
  }
  // A root with one child gives way to it. (A root never empties: it has two children or more
  // while it is inner, so the tree's last member sits in a root leaf, which stays, empty.)
  while (height_ > 0 && static_cast<Inner*>(root_)->n == 1) {
    Inner* old = static_cast<Inner*>(root_);
    root_ = old->child[0];
    free_node(old);
    --height_;
  }
}

void ZSetTree::rescore(ZMember* z, double score) {
  Path path;
  Leaf* leaf = descend(z, &path);
  const uint32_t j = path.slot;
  const std::string_view member = z->member();
  // It keeps its slot when its neighbours in the leaf still bracket it (Redis's zslUpdateScore
  // fast path). Slot 0's key is copied into the inner nodes above, and the last slot's right
  // neighbour is in another leaf: both take the general path.
  if (j > 0 && j + 1 < leaf->n &&
      key_less(leaf->score[j - 1], leaf->m[j - 1]->member(), score, member) &&
      key_less(score, member, leaf->score[j + 1], leaf->m[j + 1]->member())) {
    leaf->score[j] = score;
    z->score = score;
    return;
  }
  erase_at(path, leaf);
  z->score = score;
  insert(z);
}

size_t ZSetTree::rank(const ZMember* z) const {
  const std::string_view member = z->member();
  const void* n = root_;
  size_t r = 0;
  for (int d = 0; d < height_; ++d) {
    const Inner* in = static_cast<const Inner*>(n);
    const uint32_t i = route(in, z->score, member);
    for (uint32_t k = 0; k < i; ++k) r += in->count[k];
    n = in->child[i];
    zset_tree_detail::prefetch(n, d + 1 < height_ ? sizeof(Inner) : sizeof(Leaf));
  }
  return r + lower_bound(static_cast<const Leaf*>(n), z->score, member);
}

ZSetTree::Pos ZSetTree::at(size_t rank) const {
  const void* n = root_;
  for (int d = 0; d < height_; ++d) {
    const Inner* in = static_cast<const Inner*>(n);
    uint32_t i = 0;
    while (rank >= in->count[i]) rank -= in->count[i++];
    n = in->child[i];
    zset_tree_detail::prefetch(n, d + 1 < height_ ? sizeof(Inner) : sizeof(Leaf));
  }
  return {static_cast<const Leaf*>(n), static_cast<uint32_t>(rank)};
}

ZSetTree::Pos ZSetTree::first() const { return size_ == 0 ? Pos{} : Pos{head_, 0}; }

ZSetTree::Pos ZSetTree::last() const { return size_ == 0 ? Pos{} : Pos{tail_, tail_->n - 1}; }

bool ZSetTree::valid_subtree(const void* n, int depth, size_t* count, const ZMember** min,
                             const Leaf** prev_leaf) const {
  if (depth == height_) {
    const Leaf* l = static_cast<const Leaf*>(n);
    if (l->n == 0 || l->n > kLeafCap || l->prev != *prev_leaf) return false;
    if (*prev_leaf != nullptr && (*prev_leaf)->next != l) return false;
    for (uint32_t j = 0; j < l->n; ++j) {
      if (l->score[j] != l->m[j]->score) return false;
      if (j > 0 &&
          !key_less(l->score[j - 1], l->m[j - 1]->member(), l->score[j], l->m[j]->member())) {
        return false;
      }
    }
    if (*prev_leaf != nullptr) {
      const Leaf* p = *prev_leaf;
      if (!key_less(p->score[p->n - 1], p->m[p->n - 1]->member(), l->score[0], l->m[0]->member())) {
        return false;
      }
    }
    *prev_leaf = l;
    *count = l->n;
    *min = l->m[0];
    return true;
  }
  const Inner* in = static_cast<const Inner*>(n);
  if (in->n == 0 || in->n > kInnerCap || (depth == 0 && in->n < 2)) return false;
  size_t total = 0;
  for (uint32_t i = 0; i < in->n; ++i) {
    size_t c = 0;
    const ZMember* m = nullptr;
    if (!valid_subtree(in->child[i], depth + 1, &c, &m, prev_leaf)) return false;
    if (c != in->count[i] || m != in->m[i] || m->score != in->score[i]) return false;
    total += c;
  }
  *count = total;
  *min = in->m[0];
  return true;
}

bool ZSetTree::valid() const {
  if (size_ == 0) {
    const Leaf* l = static_cast<const Leaf*>(root_);
    return height_ == 0 && l->n == 0 && head_ == l && tail_ == l;
  }
  size_t count = 0;
  const ZMember* min = nullptr;
  const Leaf* prev_leaf = nullptr;
  if (!valid_subtree(root_, 0, &count, &min, &prev_leaf)) return false;
  return count == size_ && prev_leaf == tail_ && tail_->next == nullptr && head_->prev == nullptr;
}

}  // namespace basalt
