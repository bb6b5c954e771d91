#pragma once
// Redis list storage, shaped like Redis's quicklist: a doubly linked list of nodes, each one
// malloc'd block holding a 32-byte header and then elements packed back to back between two gaps:
//
//   [prev|next|count|cap|begin|end] [ free ][len|bytes|len][len|bytes|len]...[ free ]
//
// An element is its length as a varint, its bytes, and its length again as a varint written
// backwards (listpack's "backlen"), so a node can be walked from either end. An element under 128
// bytes costs 2 bytes more than its data, as in a listpack (and never more than a listpack for
// any string). A std::deque<std::string> spends 32 bytes per element on the std::string alone,
// plus a heap block for anything over 15 bytes, plus the deque's block map.
//
// Why this shape:
// - Nodes stop growing at kNodeBytes (8 KiB, Redis's list-max-listpack-size -2): a middle insert
//   or erase memmoves at most one node, and the header is under 1% of a full node. An element too
//   big for a node gets a node of its own, sized to it.
// - The gaps at both ends make push_front as cheap as push_back (O(1) amortized, no memmove of the
//   node), where a listpack moves its whole buffer on every LPUSH. Middle inserts and erases move
//   whichever side of the element is shorter.
// - Only nodes at the ends of the list keep spare room: a new node is allocated to fit its first
//   element exactly and grows by half when full, and a node is reallocated to fit once it is no
//   longer an end (or when pops or erases leave it mostly empty). malloc_usable_size's rounding is
//   used as room, not lost. So a short list is one small node and a long one costs its packed
//   bytes plus about 40 bytes per 8 KiB.
// - Each node keeps its element count, so at(i) skips whole nodes, walking from whichever end of
//   the list, and then of the node, is nearer.
// - The List object is 24 bytes (the head's prev pointer doubles as the tail pointer): every list
//   key pays for it.
// Not done: listpack's integer encoding ("12345" takes 4 bytes there, 7 here). Every read returns a
// string_view into a node, and an integer stored in binary would give it nothing to point at.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace basalt {

class List {
  struct Node;

 public:
  // Largest allocation for a node of packed elements, header included, by default (Redis's
  // list-max-listpack-size -2); set_node_size changes it.
  static constexpr size_t kNodeBytes = 8192;
  // Redis's proto-max-bulk-len default; callers reject longer elements before they get here.
  static constexpr size_t kMaxElement = size_t{512} << 20;

  class ConstIterator;

  // Applies Redis's list-max-listpack-size to every list of the process (as Redis's server-wide
  // setting): -1..-5 cap a node at 4, 8, 16, 32 or 64 KiB (lower values count as -5); a positive
  // n caps it at n elements (at most 32767) and 8 KiB. A node already bigger keeps its elements
  // until it is next split or trimmed; an element too big for any node gets one of its own.
  static void set_node_size(int64_t list_max_listpack_size);

  List() = default;
  ~List();
  List(const List& other);  // deep copy (COPY), every node allocated to fit
  List& operator=(const List& other);
  List(List&& other) noexcept;  // leaves other empty
  List& operator=(List&& other) noexcept;
  void swap(List& other) noexcept;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // A value may be a view into this same list (LMOVE of a list onto itself): it is copied first
  // whenever the write could move the bytes it points at.
  void push_front(std::string_view value);
  void push_back(std::string_view value);
  std::string pop_front();  // precondition: !empty()
  std::string pop_back();   // precondition: !empty()

  // Views stay valid until the next mutation of this list. Preconditions: !empty(), index < size().
  std::string_view front() const {
    const uint8_t* next;
    return read_forward(head_->bytes() + head_->begin, &next);
  }
  std::string_view back() const {
    const uint8_t* start;
    return read_backward(tail()->bytes() + tail()->end, &start);
  }
  std::string_view at(size_t index) const;

  void set(size_t index, std::string_view value);  // LSET; index < size()
  // Inserts before position index; index == size() appends.
  void insert(size_t index, std::string_view value);
  void erase(size_t index);  // index < size()
  // LREM: count > 0 removes the first count matches from the head, count < 0 the first -count
  // from the tail, count == 0 all of them. Returns how many were removed.
  size_t remove(std::string_view value, int64_t count);
  // LTRIM on normalized inclusive bounds: keeps start..stop (stop is clamped to size()-1);
  // start > stop or start >= size() empties the list.
  void trim(size_t start, size_t stop);
  void clear();

  // f(std::string_view) for elements start..stop inclusive, head to tail (LRANGE). One index
  // lookup, then a sequential walk. Precondition: start <= stop < size(). The views die with the
  // next mutation; f must not modify the list.
  template <class F>
  void for_each(size_t start, size_t stop, F&& f) const;
  // bool f(std::string_view) for elements start, start+1, ..., size()-1 until f returns false
  // (LPOS with a positive RANK). Returns how many elements f was called with. start < size().
  template <class F>
  size_t scan_forward(size_t start, F&& f) const;
  // The same toward the head: start, start-1, ..., 0 (LPOS with a negative RANK).
  template <class F>
  size_t scan_backward(size_t start, F&& f) const;

  // Bidirectional iteration (range-for, RDB/DUMP serialization, SORT). Invalidated by any mutation.
  ConstIterator begin() const;
  ConstIterator end() const;
  ConstIterator iterator_at(size_t index) const;  // index <= size(); size() gives end()

  // Heap bytes owned by the nodes (malloc_usable_size of each), not counting the List object.
  size_t memory_usage() const { return bytes_; }
  size_t node_count() const;  // walks the nodes; for tests and DEBUG
  // Bytes of packed elements over all nodes (DEBUG OBJECT's ql_uncompressed_size); walks them.
  size_t packed_bytes() const;
  // Walks every node checking links, counts, sizes and each element's two length fields; for
  // tests and DEBUG. O(total bytes).
  bool valid() const;

 private:
  struct Node {
    Node* prev;      // the head's prev is the tail
    Node* next;      // nullptr at the tail
    uint32_t count;  // elements in this node
    uint32_t cap;    // bytes of element space after the header
    uint32_t begin;  // offset of the first element's first byte
    uint32_t end;    // offset one past the last element

    uint8_t* bytes() { return reinterpret_cast<uint8_t*>(this + 1); }
    const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this + 1); }
    size_t used() const { return end - begin; }
  };
  static_assert(sizeof(Node) == 32);

  // Where an element lives: its node, the offset of its first byte, and its index in the node.
  struct Pos {
    Node* node;
    uint32_t off;
    uint32_t local;
  };
  enum class Place { kStart, kCenter, kEnd };

  static constexpr size_t kNodeLimit = kNodeBytes - sizeof(Node);
  // Two neighbours are merged when together they fill at most half a node: low enough that a node
  // just split in two (each about half full) is not merged straight back.
  static constexpr size_t kMergeLimit = kNodeLimit / 2;
  // The largest limit set_node_size can set (-5: 64 KiB).
  static constexpr size_t kMaxNodeLimit = 65536 - sizeof(Node);
  // The limits in force (set_node_size); Redis's default until then.
  inline static size_t node_limit_ = kNodeLimit;
  inline static uint32_t node_count_limit_ = UINT32_MAX;

  // Whether n can take `bytes` more bytes in `count` more elements under the limits in force.
  static bool fits(const Node* n, size_t bytes, uint32_t count = 1) {
    return n->used() + bytes <= node_limit_ && n->count + count <= node_count_limit_;
  }
  // Whether two neighbours together fill at most half a node: low enough that a node just split
  // in two (each about half full) is not merged straight back.
  static bool mergeable(const Node* a, const Node* b) {
    return a->used() + b->used() <= node_limit_ / 2 &&
           a->count + b->count <= node_count_limit_ / 2 + 1;
  }

  // Decodes the element starting at p and sets *next just past it.
  static std::string_view read_forward(const uint8_t* p, const uint8_t** next) {
    size_t len = *p;
    const uint8_t* q = p + 1;
    if (len >= 0x80) {
      len &= 0x7f;
      for (int shift = 7;; shift += 7) {
        uint8_t b = *q++;
        len |= static_cast<size_t>(b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    const size_t header = static_cast<size_t>(q - p);
    *next = q + len + header;
    return {reinterpret_cast<const char*>(q), len};
  }
  // Decodes the element ending just before q and sets *start to its first byte.
  static std::string_view read_backward(const uint8_t* q, const uint8_t** start) {
    const uint8_t* p = q - 1;
    size_t len = *p & 0x7f;
    for (int shift = 7; *p & 0x80; shift += 7) {
      --p;
      len |= static_cast<size_t>(*p & 0x7f) << shift;
    }
    const size_t header = static_cast<size_t>(q - p);
    const uint8_t* data = p - len;
    *start = data - header;
    return {reinterpret_cast<const char*>(data), len};
  }

  static size_t entry_bytes(const uint8_t* p) {
    const uint8_t* next;
    read_forward(p, &next);
    return static_cast<size_t>(next - p);
  }

  Node* tail() const { return head_ != nullptr ? head_->prev : nullptr; }
  Node* prev_of(const Node* n) const { return n == head_ ? nullptr : n->prev; }
  bool is_end(const Node* n) const { return n == head_ || n->next == nullptr; }
  Pos locate(size_t index) const;

  Node* alloc_node(size_t cap);
  void free_node(Node* n);
  void link_after(Node* prev, Node* n);  // prev == nullptr links n as the new head
  void unlink(Node* n);
  void relink(Node* moved, bool was_head);
  Node* relocate(Node* n, size_t want, Place place);
  bool room_front(Node*& n, size_t need);
  bool room_back(Node*& n, size_t need);
  Node* new_end_node(size_t need, bool front);
  uint8_t* splice(Node*& n, size_t pos, size_t old_len, size_t new_len);
  Node* tidy(Node* n);
  Node* merge_with_next(Node* a);
  Node* merge_around(Node* n);
  void drop_front(size_t k);
  void drop_back(size_t k);
  size_t filter_forward(Node* n, std::string_view value, uint64_t& budget);
  size_t filter_backward(Node* n, std::string_view value, uint64_t& budget);

  Node* head_ = nullptr;
  size_t size_ = 0;
  size_t bytes_ = 0;
};

class List::ConstIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = std::string_view;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = std::string_view;

  ConstIterator() = default;

  std::string_view operator*() const {
    const uint8_t* next;
    return read_forward(node_->bytes() + off_, &next);
  }
  ConstIterator& operator++() {
    const uint8_t* next;
    read_forward(node_->bytes() + off_, &next);
    off_ = static_cast<uint32_t>(next - node_->bytes());
    if (off_ == node_->end) {
      node_ = node_->next;
      off_ = node_ != nullptr ? node_->begin : 0;
    }
    return *this;
  }
  ConstIterator operator++(int) {
    ConstIterator old = *this;
    ++*this;
    return old;
  }
  ConstIterator& operator--() {
    if (node_ == nullptr) {
      node_ = list_->tail();
      off_ = node_->end;
    } else if (off_ == node_->begin) {
      node_ = list_->prev_of(node_);
      off_ = node_->end;
    }
    const uint8_t* start;
    read_backward(node_->bytes() + off_, &start);
    off_ = static_cast<uint32_t>(start - node_->bytes());
    return *this;
  }
  ConstIterator operator--(int) {
    ConstIterator old = *this;
    --*this;
    return old;
  }
  bool operator==(const ConstIterator& other) const = default;

 private:
  friend class List;
  ConstIterator(const List* list, const Node* node, uint32_t off)
      : list_(list), node_(node), off_(off) {}

  const List* list_ = nullptr;
  const Node* node_ = nullptr;  // nullptr at end()
  uint32_t off_ = 0;
};

inline List::ConstIterator List::begin() const {
  return {this, head_, head_ != nullptr ? head_->begin : 0};
}
inline List::ConstIterator List::end() const { return {this, nullptr, 0}; }

template <class F>
void List::for_each(size_t start, size_t stop, F&& f) const {
  Pos pos = locate(start);
  const Node* n = pos.node;
  const uint8_t* p = n->bytes() + pos.off;
  for (size_t left = stop - start + 1;;) {
    const uint8_t* e = n->bytes() + n->end;
    while (p < e) {
      f(read_forward(p, &p));
      if (--left == 0) return;
    }
    n = n->next;
    p = n->bytes() + n->begin;
  }
}

template <class F>
size_t List::scan_forward(size_t start, F&& f) const {
  Pos pos = locate(start);
  const Node* n = pos.node;
  const uint8_t* p = n->bytes() + pos.off;
  size_t visited = 0;
  for (;;) {
    const uint8_t* e = n->bytes() + n->end;
    while (p < e) {
      ++visited;
      if (!f(read_forward(p, &p))) return visited;
    }
    n = n->next;
    if (n == nullptr) return visited;
    p = n->bytes() + n->begin;
  }
}

template <class F>
size_t List::scan_backward(size_t start, F&& f) const {
  Pos pos = locate(start);
  const Node* n = pos.node;
  const uint8_t* q;
  read_forward(n->bytes() + pos.off, &q);
  size_t visited = 0;
  for (;;) {
    const uint8_t* b = n->bytes() + n->begin;
    while (q > b) {
      ++visited;
      if (!f(read_backward(q, &q))) return visited;
    }
    if (n == head_) return visited;
    n = n->prev;
    q = n->bytes() + n->end;
  }
}

}  // namespace basalt
