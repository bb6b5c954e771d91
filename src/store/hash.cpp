#include "store/hash.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <new>

#include "store/fair_random.hpp"
#include "store/packed.hpp"
#include "store/wyhash.hpp"

namespace basalt {

namespace {

constexpr size_t kMinBuckets = 4;

size_t buckets_for(size_t n) {
  size_t b = kMinBuckets;
  while (b < n) b *= 2;
  return b;
}

}  // namespace

size_t Hash::pair_size(std::string_view field, std::string_view value) {
  const auto long_len_size = [](size_t len) { return len >= kLongLen ? varint_size(len) : 0; };
  return 1 + long_len_size(field.size()) + long_len_size(value.size()) + field.size() +
         value.size();
}

uint8_t* Hash::write_pair(uint8_t* p, std::string_view field, std::string_view value) {
  const size_t flen = std::min(field.size(), kLongLen), vlen = std::min(value.size(), kLongLen);
  *p++ = static_cast<uint8_t>(flen << 4 | vlen);
  if (flen == kLongLen) p = put_varint(p, field.size());
  if (vlen == kLongLen) p = put_varint(p, value.size());
  if (!field.empty()) std::memcpy(p, field.data(), field.size());
  p += field.size();
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  return p + value.size();
}

void Hash::release() {
  if (!is_packed()) {
    Table* t = table();
    for (size_t i = 0; i <= t->mask; ++i) {
      for (Node* n = t->buckets[i]; n != nullptr;) {
        Node* next = n->next;
        std::free(n);
        n = next;
      }
    }
    std::free(t->buckets);
    std::free(t);
  }
  block_.release();
}

Hash Hash::clone() const {
  Hash copy;
  if (is_packed()) {
    copy.block_ = block_.clone();
    return copy;
  }
  Table* t = new_table(table()->size);
  copy.block_.set_other(t);  // owned from here on, should a node fail
  for_each([&](std::string_view f, std::string_view v) {
    link(t, new_node(t, f, v));
    ++t->size;
  });
  return copy;
}

size_t Hash::size() const { return is_packed() ? block_.count() : table()->size; }

std::optional<size_t> Hash::packed_find(std::string_view field, std::string_view* value) const {
  const uint8_t* start = block_.data();
  const uint8_t* p = start;
  const size_t n = block_.count();
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* pair = p;
    const auto [f, v] = read_pair(p);
    if (f == field) {
      *value = v;
      return static_cast<size_t>(pair - start);
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> Hash::get(std::string_view field) const {
  if (is_packed()) {
    std::string_view v;
    if (!packed_find(field, &v)) return std::nullopt;
    return v;
  }
  Node** slot = table_slot(field);
  if (slot == nullptr) return std::nullopt;
  return (*slot)->value();
}

bool Hash::set(std::string_view field, std::string_view value, const HashLimits& limits) {
  if (is_packed()) {
    if (field.size() > limits.max_listpack_value || value.size() > limits.max_listpack_value) {
      convert_to_table();
    } else {
      return packed_set(field, value, limits);
    }
  }
  Table* t = table();
  if (Node** slot = table_slot(field); slot != nullptr) {
    Node* n = *slot;
    if (n->vlen != value.size()) {
      // The new node first: should the allocation fail, the hash still holds the old pair.
      Node* fresh = new_node(t, field, value);
      fresh->next = n->next;
      *slot = fresh;
      free_node(t, n);
    } else if (!value.empty()) {
      std::memcpy(n->data() + n->flen, value.data(), value.size());
    }
    return false;
  }
  link(t, new_node(t, field, value));
  ++t->size;
  if (t->size > t->mask + 1) rehash(t, (t->mask + 1) * 2);
  return true;
}

bool Hash::packed_set(std::string_view field, std::string_view value, const HashLimits& limits) {
  std::string_view old;
  std::optional<size_t> at = packed_find(field, &old);
  const size_t used_now = block_.used();
  if (at) {
    // Rewrite the pair in place (its header holds the value's length), moving the pairs after it
    // by the difference in size.
    const size_t off = *at;
    const size_t old_size = pair_size(field, old), new_size = pair_size(field, value);
    const size_t new_used = used_now - old_size + new_size;
    if (new_used > PackedBlock::kMaxBytes) {
      convert_to_table();
      return set(field, value, limits);
    }
    const size_t tail = used_now - off - old_size;
    if (new_size > old_size) block_.reserve(new_used);
    uint8_t* base = block_.data();
    std::memmove(base + off + new_size, base + off + old_size, tail);
    write_pair(base + off, field, value);
    block_.set_used(new_used);
    if (new_size < old_size) block_.shrink_to(new_used);
    return false;
  }
  const size_t pair = pair_size(field, value);
  if (!block_.can_add(pair)) {
    convert_to_table();
    return set(field, value, limits);
  }
  const size_t new_used = used_now + pair;
  block_.reserve(new_used);
  write_pair(block_.data() + used_now, field, value);
  block_.set_used(new_used);
  block_.set_count(block_.count() + 1);
  if (block_.count() > limits.max_listpack_entries) convert_to_table();
  return true;
}

bool Hash::erase(std::string_view field) {
  if (is_packed()) {
    std::string_view v;
    std::optional<size_t> at = packed_find(field, &v);
    if (!at) return false;
    const size_t off = *at;
    const size_t pair = pair_size(field, v);
    uint8_t* base = block_.data();
    std::memmove(base + off, base + off + pair, block_.used() - off - pair);
    block_.set_used(block_.used() - pair);
    block_.set_count(block_.count() - 1);
    block_.shrink_to(block_.used());
    return true;
  }
  Table* t = table();
  Node** slot = table_slot(field);
  if (slot == nullptr) return false;
  Node* n = *slot;
  *slot = n->next;
  free_node(t, n);
  --t->size;
  // Redis's htNeedsResize: a table under 10% full is shrunk to fit.
  const size_t buckets = t->mask + 1;
  if (buckets > kMinBuckets && t->size * 10 < buckets) rehash(t, buckets_for(t->size));
  return true;
}

void Hash::convert_to_table(size_t n) {
  if (!is_packed()) return;
  Table* t = new_table(n > size() ? n : size());
  try {
    for_each([&](std::string_view f, std::string_view v) {
      link(t, new_node(t, f, v));
      ++t->size;
    });
  } catch (...) {
    Hash partial;
    partial.block_.set_other(t);
    throw;
  }
  release();
  block_.set_other(t);
}

uint64_t Hash::hash_of(std::string_view field) { return wyhash(field, process_seed()); }

Hash::Node** Hash::table_slot(std::string_view field) const {
  Table* t = table();
  Node** slot = &t->buckets[hash_of(field) & t->mask];
  for (; *slot != nullptr; slot = &(*slot)->next) {
    if ((*slot)->field() == field) return slot;
  }
  return nullptr;
}

Hash::Node* Hash::new_node(Table* t, std::string_view field, std::string_view value) {
  auto* n =
      static_cast<Node*>(checked_realloc(nullptr, sizeof(Node) + field.size() + value.size()));
  n->next = nullptr;
  n->flen = static_cast<uint32_t>(field.size());
  n->vlen = static_cast<uint32_t>(value.size());
  if (!field.empty()) std::memcpy(n->data(), field.data(), field.size());
  if (!value.empty()) std::memcpy(n->data() + field.size(), value.data(), value.size());
  t->bytes += malloc_usable_size(n);
  return n;
}

void Hash::free_node(Table* t, Node* n) {
  t->bytes -= malloc_usable_size(n);
  std::free(n);
}

void Hash::link(Table* t, Node* n) {
  Node** bucket = &t->buckets[hash_of(n->field()) & t->mask];
  n->next = *bucket;
  *bucket = n;
  note_chain(t->max_chain, n);
}

void Hash::rehash(Table* t, size_t buckets) {
  auto** fresh = static_cast<Node**>(std::calloc(buckets, sizeof(Node*)));
  if (fresh == nullptr) return;  // the old table still works, only fuller
  Node** old = t->buckets;
  const size_t old_count = t->mask + 1;
  t->buckets = fresh;
  t->mask = buckets - 1;
  t->max_chain = 0;  // link() measures the new chains
  for (size_t i = 0; i < old_count; ++i) {
    for (Node* n = old[i]; n != nullptr;) {
      Node* next = n->next;
      link(t, n);
      n = next;
    }
  }
  std::free(old);
}

Hash::Table* Hash::new_table(size_t n) {
  const size_t buckets = buckets_for(n);
  auto** b = static_cast<Node**>(std::calloc(buckets, sizeof(Node*)));
  if (b == nullptr) throw std::bad_alloc();
  auto* t = static_cast<Table*>(std::malloc(sizeof(Table)));
  if (t == nullptr) {
    std::free(b);
    throw std::bad_alloc();
  }
  *t = Table{b, buckets - 1, 0, 0, 0};
  return t;
}

std::pair<std::string_view, std::string_view> Hash::random_pair(std::mt19937_64& rng) const {
  if (is_packed()) {
    const uint64_t index = rng() % block_.count();
    const uint8_t* p = block_.data();
    for (uint64_t i = 0; i < index; ++i) read_pair(p);
    return read_pair(p);
  }
  // The table is kept at least 10% full, so finding a bucket takes a few tries.
  const Table* t = table();
  const Node* n = fair_random_node(t->buckets, t->mask, t->max_chain, rng);
  return {n->field(), n->value()};
}

size_t Hash::memory_usage() const {
  if (is_packed()) return block_.heap_bytes();
  const Table* t = table();
  return malloc_usable_size(const_cast<Table*>(t)) + malloc_usable_size(t->buckets) + t->bytes;
}

bool Hash::valid() const {
  if (is_packed()) {
    if (!block_.valid()) return false;
    if (block_.count() == 0) return true;
    const uint8_t* p = block_.data();
    const uint8_t* end = p + block_.used();
    for (size_t i = 0; i < block_.count(); ++i) {
      read_pair(p);
      if (p > end) return false;
    }
    return p == end;
  }
  const Table* t = table();
  if (((t->mask + 1) & t->mask) != 0) return false;
  size_t count = 0, bytes = 0;
  for (size_t i = 0; i <= t->mask; ++i) {
    for (const Node* n = t->buckets[i]; n != nullptr; n = n->next) {
      if ((hash_of(n->field()) & t->mask) != i) return false;
      ++count;
      bytes += malloc_usable_size(const_cast<Node*>(n));
    }
  }
  return count == t->size && bytes == t->bytes;
}

}  // namespace basalt
