#include "store/list.hpp"

#include <malloc.h>

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

#include "store/packed.hpp"

namespace basalt {

namespace {

size_t entry_size(size_t len) { return len + 2 * varint_size(len); }

// Writes the element at p (length, bytes, length written backwards) and returns its end.
uint8_t* put_entry(uint8_t* p, std::string_view v) {
  size_t len = v.size();
  if (len < 0x80) {
    p[0] = static_cast<uint8_t>(len);
    if (len != 0) std::memcpy(p + 1, v.data(), len);
    p[len + 1] = static_cast<uint8_t>(len);
    return p + len + 2;
  }
  const size_t k = varint_size(len);
  for (size_t i = 0, x = len; i < k; ++i, x >>= 7) {
    p[i] = static_cast<uint8_t>((x & 0x7f) | (i + 1 < k ? 0x80 : 0));
  }
  p += k;
  if (len != 0) std::memcpy(p, v.data(), len);
  p += len;
  // Backwards: the last byte holds the low 7 bits; a set high bit means more bytes to the left.
  for (size_t i = 0, x = len; i < k; ++i, x >>= 7) {
    p[k - 1 - i] = static_cast<uint8_t>((x & 0x7f) | (i + 1 < k ? 0x80 : 0));
  }
  return p + k;
}

}  // namespace

List::~List() { clear(); }

List::List(const List& other) {
  try {
    for (const Node* src = other.head_; src != nullptr; src = src->next) {
      Node* n = alloc_node(src->used());
      n->count = src->count;
      n->end = static_cast<uint32_t>(src->used());
      std::memcpy(n->bytes(), src->bytes() + src->begin, src->used());
      link_after(tail(), n);
    }
  } catch (...) {
    clear();  // no destructor runs for a constructor that throws
    throw;
  }
  size_ = other.size_;
}

List& List::operator=(const List& other) {
  if (this != &other) {
    List copy(other);
    swap(copy);
  }
  return *this;
}

List::List(List&& other) noexcept { swap(other); }

List& List::operator=(List&& other) noexcept {
  if (this != &other) {
    clear();
    swap(other);
  }
  return *this;
}

void List::swap(List& other) noexcept {
  std::swap(head_, other.head_);
  std::swap(size_, other.size_);
  std::swap(bytes_, other.bytes_);
}

void List::clear() {
  for (Node* n = head_; n != nullptr;) {
    Node* next = n->next;
    std::free(n);
    n = next;
  }
  head_ = nullptr;
  size_ = 0;
  bytes_ = 0;
}

void List::set_node_size(int64_t fill) {
  // Redis's quicklist: optimization_level[] for negative fills (clamped to -5), and for a count
  // the 8 KiB safety limit and FILL_MAX.
  static constexpr int64_t kFillMax = (1 << 15) - 1;
  if (fill < 0) {
    const int64_t level = std::min<int64_t>(-fill, 5);
    node_limit_ = (size_t{4096} << (level - 1)) - sizeof(Node);
    node_count_limit_ = UINT32_MAX;
  } else {
    node_limit_ = kNodeLimit;
    // 0 behaves as 1 in Redis too: a node always takes its first element.
    node_count_limit_ = static_cast<uint32_t>(std::clamp<int64_t>(fill, 1, kFillMax));
  }
}

size_t List::node_count() const {
  size_t n = 0;
  for (const Node* p = head_; p != nullptr; p = p->next) ++n;
  return n;
}

size_t List::packed_bytes() const {
  size_t n = 0;
  for (const Node* p = head_; p != nullptr; p = p->next) n += p->used();
  return n;
}

bool List::valid() const {
  if (head_ == nullptr) return size_ == 0 && bytes_ == 0;
  size_t elements = 0, bytes = 0;
  const Node* last = nullptr;
  for (const Node* n = head_; n != nullptr; last = n, n = n->next) {
    if (n != head_ && n->prev != last) return false;
    if (n->count == 0 || n->begin > n->end || n->end > n->cap) return false;
    if (n->used() > kMaxNodeLimit && n->count != 1) return false;
    const uint8_t* p = n->bytes() + n->begin;
    const uint8_t* e = n->bytes() + n->end;
    uint32_t count = 0;
    while (p < e) {
      const uint8_t* next;
      const uint8_t* start;
      std::string_view v = read_forward(p, &next);
      if (next > e || read_backward(next, &start) != v || start != p) return false;
      p = next;
      ++count;
    }
    if (p != e || count != n->count) return false;
    elements += n->count;
    bytes += sizeof(Node) + n->cap;
  }
  return head_->prev == last && elements == size_ && bytes == bytes_;
}

// --- Node memory -------------------------------------------------------------------------------

List::Node* List::alloc_node(size_t cap) {
  void* p = std::malloc(sizeof(Node) + cap);
  if (p == nullptr) throw std::bad_alloc();
  size_t usable = std::min<size_t>(malloc_usable_size(p), sizeof(Node) + UINT32_MAX);
  Node* n = static_cast<Node*>(p);
  n->prev = n->next = nullptr;
  n->count = 0;
  n->cap = static_cast<uint32_t>(usable - sizeof(Node));
  n->begin = n->end = 0;
  bytes_ += usable;
  return n;
}

void List::free_node(Node* n) {
  bytes_ -= sizeof(Node) + n->cap;
  std::free(n);
}

void List::link_after(Node* prev, Node* n) {
  if (prev == nullptr) {
    n->next = head_;
    if (head_ != nullptr) {
      n->prev = head_->prev;
      head_->prev = n;
    } else {
      n->prev = n;
    }
    head_ = n;
    return;
  }
  n->prev = prev;
  n->next = prev->next;
  if (prev->next != nullptr) {
    prev->next->prev = n;
  } else {
    head_->prev = n;
  }
  prev->next = n;
}

void List::unlink(Node* n) {
  Node* next = n->next;
  if (n == head_) {
    head_ = next;
    if (next != nullptr) next->prev = n->prev;
    return;
  }
  n->prev->next = next;
  if (next != nullptr) {
    next->prev = n->prev;
  } else {
    head_->prev = n->prev;
  }
}

// Points the neighbours (and head_) at a node whose block moved; its own links were copied.
void List::relink(Node* moved, bool was_head) {
  if (was_head) {
    head_ = moved;
  } else {
    moved->prev->next = moved;
  }
  if (moved->next != nullptr) {
    moved->next->prev = moved;
  } else {
    head_->prev = moved;
  }
}

// Moves n's elements into a block with room for `want` bytes, placing the spare room as asked.
List::Node* List::relocate(Node* n, size_t want, Place place) {
  const size_t used = n->used();
  assert(want >= used);
  const bool was_head = n == head_;
  Node* m;
  if (place == Place::kStart && n->begin == 0) {
    // realloc can often extend or shrink the block in place, which matters for RPUSH.
    const size_t old_total = sizeof(Node) + n->cap;
    void* p = std::realloc(n, sizeof(Node) + want);
    if (p == nullptr) throw std::bad_alloc();
    m = static_cast<Node*>(p);
    size_t usable = std::min<size_t>(malloc_usable_size(p), sizeof(Node) + UINT32_MAX);
    m->cap = static_cast<uint32_t>(usable - sizeof(Node));
    bytes_ = bytes_ - old_total + usable;
  } else {
    m = alloc_node(want);
    m->prev = n->prev;
    m->next = n->next;
    m->count = n->count;
    const size_t spare = m->cap - used;
    m->begin = static_cast<uint32_t>(place == Place::kStart    ? 0
                                     : place == Place::kCenter ? spare / 2
                                                               : spare);
    m->end = static_cast<uint32_t>(m->begin + used);
    std::memcpy(m->bytes() + m->begin, n->bytes() + n->begin, used);
    free_node(n);
  }
  relink(m, was_head);
  return m;
}

// Makes room for `need` bytes before the head node's first element. Returns false when the node is
// full and the element belongs in a new node. Sliding the elements to the far end only pays when
// it frees at least half their size again, else repeated slides would cost O(node) per push.
bool List::room_front(Node*& n, size_t need) {
  const size_t used = n->used();
  if (!fits(n, need)) return false;
  if (n->begin >= need) return true;
  const size_t back = n->cap - n->end;
  const size_t want =
      std::max(used + need, std::min<size_t>(node_limit_, n->cap + size_t{n->cap} / 2));
  if (back >= used / 2 && n->begin + back >= need) {
    uint8_t* b = n->bytes();
    std::memmove(b + n->cap - used, b + n->begin, used);
    n->begin = static_cast<uint32_t>(n->cap - used);
    n->end = n->cap;
    return true;
  }
  if (want <= n->cap) return false;
  n = relocate(n, want, Place::kEnd);
  return true;
}

bool List::room_back(Node*& n, size_t need) {
  const size_t used = n->used();
  if (!fits(n, need)) return false;
  if (n->cap - n->end >= need) return true;
  const size_t front = n->begin;
  const size_t want =
      std::max(used + need, std::min<size_t>(node_limit_, n->cap + size_t{n->cap} / 2));
  if (front >= used / 2 && front + (n->cap - n->end) >= need) {
    uint8_t* b = n->bytes();
    std::memmove(b, b + n->begin, used);
    n->begin = 0;
    n->end = static_cast<uint32_t>(used);
    return true;
  }
  if (want <= n->cap) return false;
  n = relocate(n, want, Place::kStart);
  return true;
}

// A new empty head or tail node sized to its first element; the node it displaces from the end
// of the list stops being an end and is trimmed to fit.
List::Node* List::new_end_node(size_t need, bool front) {
  Node* n = alloc_node(need);
  if (front) {
    n->begin = n->end = n->cap;
    Node* old = head_;
    link_after(nullptr, n);
    if (old != nullptr) tidy(old);
  } else {
    Node* old = tail();
    link_after(old, n);
    if (old != nullptr) tidy(old);
  }
  return n;
}

// Replaces old_len bytes at pos (relative to begin) with new_len bytes of room and returns a
// pointer to that room. Moves whichever side is shorter; grows the node (to fit, plus an eighth)
// when its gaps together are too small.
uint8_t* List::splice(Node*& n, size_t pos, size_t old_len, size_t new_len) {
  const size_t used = n->used();
  const size_t prefix = pos;
  const size_t suffix = used - pos - old_len;
  if (new_len <= old_len) {
    const size_t d = old_len - new_len;
    uint8_t* b = n->bytes();
    if (prefix < suffix) {
      std::memmove(b + n->begin + d, b + n->begin, prefix);
      n->begin += static_cast<uint32_t>(d);
    } else {
      std::memmove(b + n->begin + pos + new_len, b + n->begin + pos + old_len, suffix);
      n->end -= static_cast<uint32_t>(d);
    }
    return n->bytes() + n->begin + pos;
  }
  const size_t d = new_len - old_len;
  if (n->cap - used < d) {
    size_t want = used + d;
    if (want <= node_limit_) want = std::min(node_limit_, want + want / 8);
    n = relocate(n, want, Place::kCenter);
  }
  uint8_t* b = n->bytes();
  const size_t front = n->begin;
  const size_t back = n->cap - n->end;
  if (front >= d && (back < d || prefix <= suffix)) {
    std::memmove(b + front - d, b + front, prefix);
    n->begin -= static_cast<uint32_t>(d);
  } else if (back >= d) {
    std::memmove(b + n->begin + pos + new_len, b + n->begin + pos + old_len, suffix);
    n->end += static_cast<uint32_t>(d);
  } else {
    // Neither gap is big enough alone: the prefix takes the whole front gap, the suffix the rest.
    std::memmove(b, b + front, prefix);
    std::memmove(b + prefix + new_len, b + front + prefix + old_len, suffix);
    n->begin = 0;
    n->end = static_cast<uint32_t>(used + d);
  }
  return n->bytes() + n->begin + pos;
}

// Gives back spare room once it is no longer earning its keep: an end node keeps up to half its
// block free (pushes will use it), any other node up to an eighth (what splice's growth leaves).
List::Node* List::tidy(Node* n) {
  const size_t used = n->used();
  const size_t spare = n->cap - used;
  if (spare < 64) return n;  // malloc's rounding would eat the saving
  if (is_end(n)) {
    // Leave the room where pushes will want it.
    const Place place =
        n->next == nullptr ? (n == head_ ? Place::kCenter : Place::kStart) : Place::kEnd;
    if (spare * 2 > n->cap) n = relocate(n, used + used / 4, place);
  } else if (spare * 8 > n->cap) {
    n = relocate(n, used, Place::kStart);
  }
  return n;
}

// Merges a and a->next into one node, copying the smaller into the larger; returns the survivor.
List::Node* List::merge_with_next(Node* a) {
  Node* b = a->next;
  if (a->used() >= b->used()) {
    uint8_t* dst = splice(a, a->used(), 0, b->used());
    std::memcpy(dst, b->bytes() + b->begin, b->used());
    a->count += b->count;
    unlink(b);
    free_node(b);
    return a;
  }
  uint8_t* dst = splice(b, 0, 0, a->used());
  std::memcpy(dst, a->bytes() + a->begin, a->used());
  b->count += a->count;
  unlink(a);
  free_node(a);
  return b;
}

List::Node* List::merge_around(Node* n) {
  Node* p = prev_of(n);
  if (p != nullptr && mergeable(p, n)) n = merge_with_next(p);
  Node* next = n->next;
  if (next != nullptr && mergeable(n, next)) n = merge_with_next(n);
  return n;
}

// --- Lookup ------------------------------------------------------------------------------------

List::Pos List::locate(size_t index) const {
  assert(index < size_);
  Node* n;
  size_t local;
  if (index < size_ / 2) {
    n = head_;
    while (index >= n->count) {
      index -= n->count;
      n = n->next;
    }
    local = index;
  } else {
    size_t after = size_ - 1 - index;  // elements after the one wanted
    n = head_->prev;
    while (after >= n->count) {
      after -= n->count;
      n = n->prev;
    }
    local = n->count - 1 - after;
  }
  const uint8_t* b = n->bytes();
  const uint8_t* p;
  if (local < n->count / 2) {
    p = b + n->begin;
    for (size_t i = 0; i < local; ++i) p += entry_bytes(p);
  } else {
    p = b + n->end;
    for (size_t i = n->count - local; i > 0; --i) read_backward(p, &p);
  }
  return {n, static_cast<uint32_t>(p - b), static_cast<uint32_t>(local)};
}

std::string_view List::at(size_t index) const {
  Pos pos = locate(index);
  const uint8_t* next;
  return read_forward(pos.node->bytes() + pos.off, &next);
}

List::ConstIterator List::iterator_at(size_t index) const {
  if (index >= size_) return end();
  Pos pos = locate(index);
  return {this, pos.node, pos.off};
}

// --- Ends --------------------------------------------------------------------------------------

namespace {
bool points_into(const void* block, size_t len, std::string_view v) {
  auto p = reinterpret_cast<uintptr_t>(v.data());
  auto b = reinterpret_cast<uintptr_t>(block);
  return p >= b && p < b + len;
}
}  // namespace

void List::push_front(std::string_view value) {
  const size_t need = entry_size(value.size());
  Node* n = head_;
  // The fast path writes into free room only; anything slower may move the bytes a view of this
  // list points at.
  if (n == nullptr || n->begin < need || !fits(n, need)) {
    if (n != nullptr && points_into(n, sizeof(Node) + n->cap, value)) {
      push_front(std::string(value));
      return;
    }
    if (n == nullptr || !room_front(n, need)) n = new_end_node(need, /*front=*/true);
  }
  n->begin -= static_cast<uint32_t>(need);
  put_entry(n->bytes() + n->begin, value);
  ++n->count;
  ++size_;
}

void List::push_back(std::string_view value) {
  const size_t need = entry_size(value.size());
  Node* n = tail();
  // The fast path writes into free room only; anything slower may move the bytes a view of this
  // list points at.
  if (n == nullptr || n->cap - n->end < need || !fits(n, need)) {
    if (n != nullptr && points_into(n, sizeof(Node) + n->cap, value)) {
      push_back(std::string(value));
      return;
    }
    if (n == nullptr || !room_back(n, need)) n = new_end_node(need, /*front=*/false);
  }
  put_entry(n->bytes() + n->end, value);
  n->end += static_cast<uint32_t>(need);
  ++n->count;
  ++size_;
}

std::string List::pop_front() {
  Node* n = head_;
  const uint8_t* next;
  std::string out(read_forward(n->bytes() + n->begin, &next));
  n->begin = static_cast<uint32_t>(next - n->bytes());
  --size_;
  if (--n->count == 0) {
    unlink(n);
    free_node(n);
  } else if (n->used() * 2 < n->cap) {
    tidy(n);
  }
  return out;
}

std::string List::pop_back() {
  Node* n = tail();
  const uint8_t* start;
  std::string out(read_backward(n->bytes() + n->end, &start));
  n->end = static_cast<uint32_t>(start - n->bytes());
  --size_;
  if (--n->count == 0) {
    unlink(n);
    free_node(n);
  } else if (n->used() * 2 < n->cap) {
    tidy(n);
  }
  return out;
}

// --- Middle ------------------------------------------------------------------------------------

void List::set(size_t index, std::string_view value) {
  Pos pos = locate(index);
  Node* n = pos.node;
  const size_t old_len = entry_bytes(n->bytes() + pos.off);
  const size_t need = entry_size(value.size());
  if (n->count == 1 || n->used() - old_len + need <= node_limit_) {
    if (points_into(n, sizeof(Node) + n->cap, value)) {
      set(index, std::string(value));
      return;
    }
    put_entry(splice(n, pos.off - n->begin, old_len, need), value);
    if (need < old_len) tidy(n);
    return;
  }
  // Too big for this node: take it out and let insert split the node around the new value.
  std::string copy(value);
  erase(index);
  insert(index, copy);
}

void List::insert(size_t index, std::string_view value) {
  if (index == 0) return push_front(value);
  if (index == size_) return push_back(value);
  const size_t need = entry_size(value.size());
  Pos pos = locate(index);
  Node* n = pos.node;
  if (fits(n, need)) {
    if (points_into(n, sizeof(Node) + n->cap, value)) return insert(index, std::string(value));
    put_entry(splice(n, pos.off - n->begin, 0, need), value);
    ++n->count;
    ++size_;
    return;
  }
  // The node is full; the paths below touch several nodes, so work from a private copy.
  const std::string copy(value);
  Node* left;
  Node* right;
  if (pos.local == 0) {
    // Between two nodes already: no split needed.
    left = prev_of(n);
    right = n;
  } else {
    // Split at the insertion point, copying out whichever part is smaller.
    const size_t prefix = pos.off - n->begin;
    const size_t suffix = n->end - pos.off;
    Node* m = alloc_node(std::min(prefix, suffix));
    if (prefix <= suffix) {
      std::memcpy(m->bytes(), n->bytes() + n->begin, prefix);
      m->end = static_cast<uint32_t>(prefix);
      m->count = pos.local;
      n->begin = pos.off;
      n->count -= pos.local;
      link_after(prev_of(n), m);
      left = m;
      right = n;
    } else {
      std::memcpy(m->bytes(), n->bytes() + pos.off, suffix);
      m->end = static_cast<uint32_t>(suffix);
      m->count = n->count - pos.local;
      n->end = pos.off;
      n->count = pos.local;
      link_after(n, m);
      left = n;
      right = m;
    }
  }
  if (fits(left, need)) {
    put_entry(splice(left, left->used(), 0, need), copy);
    ++left->count;
  } else if (fits(right, need)) {
    put_entry(splice(right, 0, 0, need), copy);
    ++right->count;
  } else {
    Node* m = alloc_node(need);
    put_entry(m->bytes(), copy);
    m->end = static_cast<uint32_t>(need);
    m->count = 1;
    link_after(left, m);
  }
  ++size_;
  tidy(left);
  tidy(right);
}

void List::erase(size_t index) {
  Pos pos = locate(index);
  Node* n = pos.node;
  --size_;
  if (n->count == 1) {
    unlink(n);
    free_node(n);
    return;
  }
  splice(n, pos.off - n->begin, entry_bytes(n->bytes() + pos.off), 0);
  --n->count;
  merge_around(tidy(n));
}

// Compacts n in place without (up to budget) elements equal to value, keeping order.
size_t List::filter_forward(Node* n, std::string_view value, uint64_t& budget) {
  uint8_t* b = n->bytes();
  uint8_t* r = b + n->begin;
  uint8_t* e = b + n->end;
  uint8_t* w = r;
  size_t removed = 0;
  while (r < e && budget != 0) {
    const uint8_t* next;
    std::string_view v = read_forward(r, &next);
    const size_t len = static_cast<size_t>(next - r);
    if (v == value) {
      ++removed;
      --budget;
    } else {
      if (w != r) std::memmove(w, r, len);
      w += len;
    }
    r += len;
  }
  if (w != r) std::memmove(w, r, static_cast<size_t>(e - r));
  n->end -= static_cast<uint32_t>(r - w);
  n->count -= static_cast<uint32_t>(removed);
  return removed;
}

size_t List::filter_backward(Node* n, std::string_view value, uint64_t& budget) {
  uint8_t* b = n->bytes();
  uint8_t* first = b + n->begin;
  uint8_t* r = b + n->end;
  uint8_t* w = r;
  size_t removed = 0;
  while (r > first && budget != 0) {
    const uint8_t* start;
    std::string_view v = read_backward(r, &start);
    const size_t len = static_cast<size_t>(r - start);
    r -= len;
    if (v == value) {
      ++removed;
      --budget;
    } else {
      w -= len;
      if (w != r) std::memmove(w, r, len);
    }
  }
  if (w != r) std::memmove(first + (w - r), first, static_cast<size_t>(r - first));
  n->begin += static_cast<uint32_t>(w - r);
  n->count -= static_cast<uint32_t>(removed);
  return removed;
}

size_t List::remove(std::string_view value, int64_t count) {
  for (const Node* n = head_; n != nullptr; n = n->next) {
    if (points_into(n, sizeof(Node) + n->cap, value)) return remove(std::string(value), count);
  }
  uint64_t budget = count == 0  ? std::numeric_limits<uint64_t>::max()
                    : count > 0 ? static_cast<uint64_t>(count)
                                : 0 - static_cast<uint64_t>(count);
  size_t removed = 0;
  if (count >= 0) {
    for (Node* n = head_; n != nullptr && budget != 0;) {
      Node* next = n->next;
      const size_t r = filter_forward(n, value, budget);
      if (r != 0) {
        removed += r;
        if (n->count == 0) {
          unlink(n);
          free_node(n);
        } else {
          n = tidy(n);
          Node* p = prev_of(n);
          if (p != nullptr && mergeable(p, n)) merge_with_next(p);
        }
      }
      n = next;
    }
  } else {
    for (Node* n = tail(); n != nullptr && budget != 0;) {
      Node* prev = prev_of(n);
      const size_t r = filter_backward(n, value, budget);
      if (r != 0) {
        removed += r;
        if (n->count == 0) {
          unlink(n);
          free_node(n);
        } else {
          n = tidy(n);
          Node* next = n->next;
          if (next != nullptr && mergeable(n, next)) merge_with_next(n);
        }
      }
      n = prev;
    }
  }
  size_ -= removed;
  return removed;
}

void List::drop_front(size_t k) {
  size_ -= k;
  while (k != 0) {
    Node* n = head_;
    if (n->count <= k) {
      k -= n->count;
      unlink(n);
      free_node(n);
      continue;
    }
    const uint8_t* p = n->bytes() + n->begin;
    for (size_t i = 0; i < k; ++i) p += entry_bytes(p);
    n->begin = static_cast<uint32_t>(p - n->bytes());
    n->count -= static_cast<uint32_t>(k);
    tidy(n);
    return;
  }
}

void List::drop_back(size_t k) {
  size_ -= k;
  while (k != 0) {
    Node* n = tail();
    if (n->count <= k) {
      k -= n->count;
      unlink(n);
      free_node(n);
      continue;
    }
    const uint8_t* q = n->bytes() + n->end;
    for (size_t i = 0; i < k; ++i) read_backward(q, &q);
    n->end = static_cast<uint32_t>(q - n->bytes());
    n->count -= static_cast<uint32_t>(k);
    tidy(n);
    return;
  }
}

void List::trim(size_t start, size_t stop) {
  if (start > stop || start >= size_) {
    clear();
    return;
  }
  stop = std::min(stop, size_ - 1);
  const size_t after = size_ - 1 - stop;
  drop_front(start);
  drop_back(after);
}

}  // namespace basalt
