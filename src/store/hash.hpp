#pragma once
// Redis hash storage, in one of two encodings, as Redis keeps them:
//
// - Packed (Redis's "listpack"): field/value pairs back to back in one block, each pair a header
//   byte holding both lengths, then the bytes of field and value:
//
//     [lens|field|value] [lens|field|value] ...
//
//   The header's high nibble is the field's length and its low nibble the value's, for lengths
//   0..14; a nibble of 15 means that length follows the header as a varint (the field's first).
//   Small hashes hold short fields and values ("name", "age", flags and counters), so a pair
//   costs 1 byte beyond its data, where a varint each cost 2: five pairs of 2-byte strings take
//   25 bytes instead of 30. A pair with a string of 15..127 bytes pays 1 byte more than
//   varints would. No table, no per-field node and no header (the PackedBlock handle keeps
//   length and count): the block is malloc'd and reallocated to fit on every write (malloc's
//   size classes make most of those in place), or it sits at the end of its key's entry
//   (PackedBlock). Lookups are a linear walk, which over a few dozen short pairs in one
//   cache-friendly block beats hashing.
// - Table (Redis's "hashtable"): chained buckets, power-of-two sized, each pair one node holding
//   field and value. Chaining keeps nodes in their buckets, which lets HSCAN's reverse-binary
//   cursor return every field present for the whole iteration across resizes, as Redis's dictScan
//   does. Resizes happen all at once (O(n), amortized O(1) per insert): a hash is one key, and
//   Redis's incremental rehash buys little at the sizes a single key reaches.
//
// A hash moves from packed to table once it holds more than hash-max-listpack-entries pairs or a
// field or value longer than hash-max-listpack-value bytes, and never back, as in Redis.
//
// The Hash is its PackedBlock handle, 15 bytes, whose other encoding is the Table; it lives
// inside the Value's 16 bytes, before the tag byte.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string_view>
#include <utility>

#include "store/packed.hpp"
#include "store/scan_cursor.hpp"

namespace basalt {

// hash-max-listpack-entries and hash-max-listpack-value (and their ziplist aliases): passed in by
// whoever writes, as ZSet::Limits are (commands from the configuration, the loader from its
// options), never read from process-wide state. The defaults are Redis 7.0's compiled ones.
struct HashLimits {
  size_t max_listpack_entries = 512;
  size_t max_listpack_value = 64;
};

class Hash {
 public:
  Hash() = default;
  ~Hash() { release(); }
  // Moves the handle: an embedded block stays where it is, so a Hash leaves its entry only
  // through unembed() (Value's moves call it).
  Hash(Hash&& other) noexcept : block_(other.block_) { other.block_.reset(); }
  Hash& operator=(Hash&& other) noexcept {
    if (this != &other) {
      release();
      block_ = other.block_;
      other.block_.reset();
    }
    return *this;
  }
  Hash(const Hash&) = delete;
  Hash& operator=(const Hash&) = delete;
  Hash clone() const;  // deep copy (COPY), in the same encoding

  bool is_packed() const { return block_.is_packed(); }
  // The packed block's handle (Entry::create embeds it; Value's moves unembed it).
  PackedBlock& block() { return block_; }
  const PackedBlock& block() const { return block_; }
  size_t size() const;
  bool empty() const { return size() == 0; }

  // Views stay valid until the hash is next modified.
  std::optional<std::string_view> get(std::string_view field) const;
  bool contains(std::string_view field) const { return get(field).has_value(); }
  // Adds or replaces; true when the field is new. Converts to a table past `limits` first (a long
  // string) or after (too many pairs). field and value must not point into this hash.
  bool set(std::string_view field, std::string_view value, const HashLimits& limits);
  // True when the field was there.
  bool erase(std::string_view field);
  // Converts to the table encoding now (a load announcing more pairs than the packed limit),
  // sized for n pairs. A table stays a table.
  void convert_to_table(size_t n = 0);

  // f(field, value) for every pair; f must not modify the hash.
  template <class F>
  void for_each(F&& f) const;
  // One HSCAN step: f(field, value) for the pairs of the bucket(s) at the cursor, and the next
  // cursor (0 when done). A packed hash is returned whole, with cursor 0, as Redis does.
  template <class F>
  uint64_t scan(uint64_t cursor, F&& f) const;
  // A random pair (HRANDFIELD). Precondition: !empty().
  std::pair<std::string_view, std::string_view> random_pair(std::mt19937_64& rng) const;

  // Heap bytes owned (block, or table, buckets and nodes), by malloc_usable_size.
  size_t memory_usage() const;
  // Walks the structure checking counts, lengths and (tables) that each node is in its bucket;
  // for tests.
  bool valid() const;

 private:
  struct Node {
    Node* next;
    uint32_t flen;
    uint32_t vlen;
    char* data() { return reinterpret_cast<char*>(this + 1); }
    const char* data() const { return reinterpret_cast<const char*>(this + 1); }
    std::string_view field() const { return {data(), flen}; }
    std::string_view value() const { return {data() + flen, vlen}; }
  };
  struct Table {
    Node** buckets;
    size_t mask;  // buckets - 1
    size_t size;
    size_t bytes;      // node bytes, by malloc_usable_size
    size_t max_chain;  // at least the longest chain: exact after a rehash, never less
  };

  // The pair at p (see the class comment); advances p past it.
  static std::pair<std::string_view, std::string_view> read_pair(const uint8_t*& p) {
    const uint8_t lens = *p++;
    size_t flen = lens >> 4, vlen = lens & 0x0f;
    if (flen == kLongLen) flen = static_cast<size_t>(get_varint(p));
    if (vlen == kLongLen) vlen = static_cast<size_t>(get_varint(p));
    const auto* bytes = reinterpret_cast<const char*>(p);
    p += flen + vlen;
    return {{bytes, flen}, {bytes + flen, vlen}};
  }
  // What write_pair takes; writes a pair as read_pair reads it and returns the byte after it.
  static size_t pair_size(std::string_view field, std::string_view value);
  static uint8_t* write_pair(uint8_t* p, std::string_view field, std::string_view value);
  static constexpr size_t kLongLen = 15;

  Table* table() const { return static_cast<Table*>(block_.other()); }

  void release();
  // Packed: the offset of the pair with this field, or nullopt.
  std::optional<size_t> packed_find(std::string_view field, std::string_view* value) const;
  bool packed_set(std::string_view field, std::string_view value, const HashLimits& limits);
  // Table.
  static uint64_t hash_of(std::string_view field);
  Node** table_slot(std::string_view field) const;  // the link pointing at the node, or null
  static Node* new_node(Table* t, std::string_view field, std::string_view value);
  static void free_node(Table* t, Node* n);
  static void link(Table* t, Node* n);
  static void rehash(Table* t, size_t buckets);
  static Table* new_table(size_t n);

  PackedBlock block_;
};

template <class F>
void Hash::for_each(F&& f) const {
  if (is_packed()) {
    const uint8_t* p = block_.data();
    const size_t n = block_.count();
    for (size_t i = 0; i < n; ++i) {
      const auto [field, value] = read_pair(p);
      f(field, value);
    }
    return;
  }
  const Table* t = table();
  for (size_t i = 0; i <= t->mask; ++i)
    for (const Node* n = t->buckets[i]; n != nullptr; n = n->next) f(n->field(), n->value());
}

template <class F>
uint64_t Hash::scan(uint64_t cursor, F&& f) const {
  if (is_packed()) {
    for_each(f);
    return 0;
  }
  const Table* t = table();
  for (const Node* n = t->buckets[cursor & t->mask]; n != nullptr; n = n->next) {
    f(n->field(), n->value());
  }
  return next_scan_cursor(cursor, t->mask);
}

}  // namespace basalt
