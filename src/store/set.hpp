#pragma once
// A set (Redis's t_set.c) in Redis 7.0's two encodings:
// - an intset while every member is a canonical 64-bit integer and there are at most
//   set-max-intset-entries of them: the members sorted, each 2, 4 or 8 bytes (the narrowest that
//   holds them all). Up to 14 bytes of members (7 small integers, 3 of 32 bits, 1 of 64) live
//   inside the Set itself, with no allocation at all; larger ones in one malloc'd buffer, a
//   4-byte header (count and width) then the members.
// - a chained hash table of strings otherwise, each member one node (link, length, bytes).
// The conversion is one way, as in Redis: a set never goes back to an intset.
//
// The Set is 15 bytes and lives inside a 16-byte Value (whose last byte is the type tag). Byte 14
// says what the rest holds: width code << 4 | count for an inline intset (0: the empty set), or
// kPtrMode, and then bytes 0..7 are a pointer: even for an intset buffer, bit 0 set for a table.
//
// The table resizes all at once (power-of-two sizes, grows at load 1, shrinks under 1/8): with
// chained buckets the reverse-binary SCAN cursor stays valid across resizes between calls, which
// is all SSCAN needs; Redis's incremental rehash is left for when sets of millions matter.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string_view>

#include "store/scan_cursor.hpp"

namespace basalt {

class Set {
 public:
  // Redis's default set-max-intset-entries.
  static constexpr size_t kDefaultMaxIntsetEntries = 512;

  Set() { raw_[kModeByte] = 0; }
  ~Set() { release(); }
  Set(Set&& other) noexcept {
    std::memcpy(raw_, other.raw_, sizeof(raw_));
    other.raw_[kModeByte] = 0;
  }
  Set& operator=(Set&& other) noexcept {
    if (this != &other) {
      release();
      std::memcpy(raw_, other.raw_, sizeof(raw_));
      other.raw_[kModeByte] = 0;
    }
    return *this;
  }
  Set(const Set&) = delete;
  Set& operator=(const Set&) = delete;
  Set clone() const;

  size_t size() const;
  bool empty() const { return size() == 0; }
  bool is_intset() const { return !is_ptr() || (bits() & 1) == 0; }

  // Adds a member; false when it was there. A non-integer member, or one past max_intset_entries,
  // turns an intset into a table first.
  bool add(std::string_view member, size_t max_intset_entries);
  bool remove(std::string_view member);
  bool contains(std::string_view member) const;
  // Makes the set a table (a set loaded as a hashtable stays one, as in Redis).
  void convert_to_table(size_t expected_size = 0);

  // A member's bytes: integers are formatted into the buffer, strings point into the set (valid
  // until the set is next modified).
  struct Member {
    char buf[24];
    std::string_view view;
  };
  // A uniformly chosen member (store/fair_random.hpp for a table). The set must not be empty.
  void random_member(std::mt19937_64& rng, Member& out) const;

  // fn(std::string_view member) for every member; the set must not change meanwhile.
  template <class F>
  void for_each(F&& fn) const;
  // One SSCAN step: fn(member) for the members at `cursor` and the next cursor (0 at the end).
  // An intset is returned whole in one step, with cursor 0, as Redis does for small encodings.
  template <class F>
  uint64_t scan(uint64_t cursor, F&& fn) const;

  // Bytes this set owns on the heap.
  size_t memory_usage() const;

  // The intset's members in order, for RDB writing: width in bytes (2, 4, 8) and count. Only for
  // an intset.
  int intset_width() const;
  int64_t intset_at(size_t i) const;

  // Parses a canonical decimal 64-bit integer as Redis's string2ll does ("-0", "+1", "01" and
  // spaces are not integers): what may live in an intset.
  static std::optional<int64_t> as_integer(std::string_view s);

 private:
  struct Node {
    Node* next;
    uint32_t len;
    char* data() { return reinterpret_cast<char*>(this + 1); }
    const char* data() const { return reinterpret_cast<const char*>(this + 1); }
    std::string_view view() const { return {data(), len}; }
  };
  struct Table {
    Node** buckets;
    uint64_t mask;  // bucket count - 1
    size_t used;
    uint64_t seed;
    size_t max_chain;  // at least the longest chain: exact after a resize, never less
  };

  static constexpr size_t kMinBuckets = 4;
  static constexpr size_t kModeByte = 14;
  static constexpr size_t kInlineBytes = 14;
  static constexpr uint8_t kPtrMode = 0x80;

  void release();
  bool is_ptr() const { return raw_[kModeByte] == kPtrMode; }
  uintptr_t bits() const {
    uintptr_t b;
    std::memcpy(&b, raw_, sizeof(b));
    return b;
  }
  void set_bits(uintptr_t b) {
    std::memcpy(raw_, &b, sizeof(b));
    raw_[kModeByte] = kPtrMode;
  }

  // Intset, inline or on the heap.
  bool intset_on_heap() const { return is_ptr(); }                        // only for an intset
  uint8_t* intset() const { return reinterpret_cast<uint8_t*>(bits()); }  // the heap buffer
  const uint8_t* intset_data() const;
  // Writes sorted members (at most 7, fitting kInlineBytes at `width`) inline, freeing nothing.
  void store_inline(const int64_t* members, size_t n, int width);
  size_t intset_size() const;
  int intset_find(int64_t v, size_t* pos) const;  // 1 found, 0 not (pos: insertion point)
  bool intset_add(int64_t v);
  bool intset_remove(int64_t v);

  // Table.
  Table* table() const { return reinterpret_cast<Table*>(bits() & ~uintptr_t{1}); }
  static Table* new_table(size_t buckets);
  static void free_table(Table* t);
  static uint64_t hash(const Table* t, std::string_view s);
  Node* table_find(std::string_view s) const;
  bool table_add(std::string_view s);
  bool table_remove(std::string_view s);
  void table_resize(size_t buckets);

  uint8_t raw_[15];
};

static_assert(sizeof(Set) == 15, "a Set lives inside a 16-byte Value, before its tag byte");

namespace set_detail {
std::string_view format_int(int64_t v, char (&buf)[24]);
}  // namespace set_detail

template <class F>
void Set::for_each(F&& fn) const {
  if (is_intset()) {
    const size_t n = intset_size();
    char buf[24];
    for (size_t i = 0; i < n; ++i) fn(set_detail::format_int(intset_at(i), buf));
    return;
  }
  const Table* t = table();
  for (uint64_t i = 0; i <= t->mask; ++i)
    for (const Node* n = t->buckets[i]; n != nullptr; n = n->next) fn(n->view());
}

template <class F>
uint64_t Set::scan(uint64_t v, F&& fn) const {
  if (is_intset()) {
    for_each(fn);
    return 0;
  }
  const Table* t = table();
  for (const Node* n = t->buckets[v & t->mask]; n != nullptr; n = n->next) fn(n->view());
  return next_scan_cursor(v, t->mask);
}

}  // namespace basalt
