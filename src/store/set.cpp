#include "store/set.hpp"

#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <new>

#include "store/fair_random.hpp"
#include "store/packed.hpp"
#include "store/wyhash.hpp"

namespace basalt {

namespace {

// Intset header: count << 2 | width code (0: int16, 1: int32, 2: int64). Members follow at
// offset 4, so 64-bit members are read with memcpy (unaligned).
constexpr size_t kIntsetHeader = 4;
constexpr size_t kIntsetMaxCount = (size_t{1} << 30) - 1;

uint32_t header(const uint8_t* is) {
  if (is == nullptr) return 0;
  uint32_t h;
  std::memcpy(&h, is, sizeof(h));
  return h;
}
size_t count_of(uint32_t h) { return h >> 2; }
int width_of(uint32_t h) { return 2 << (h & 3); }
int code_for(int width) { return width == 2 ? 0 : width == 4 ? 1 : 2; }
int width_for(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

int64_t load(const uint8_t* data, int width, size_t i) {
  switch (width) {
    case 2: {
      int16_t v;
      std::memcpy(&v, data + i * 2, 2);
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, data + i * 4, 4);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, data + i * 8, 8);
      return v;
    }
  }
}

void store(uint8_t* data, int width, size_t i, int64_t v) {
  switch (width) {
    case 2: {
      auto n = static_cast<int16_t>(v);
      std::memcpy(data + i * 2, &n, 2);
      return;
    }
    case 4: {
      auto n = static_cast<int32_t>(v);
      std::memcpy(data + i * 4, &n, 4);
      return;
    }
    default:
      std::memcpy(data + i * 8, &v, 8);
      return;
  }
}

}  // namespace

namespace set_detail {
std::string_view format_int(int64_t v, char (&buf)[24]) {
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return {buf, static_cast<size_t>(r.ptr - buf)};
}
}  // namespace set_detail

std::optional<int64_t> Set::as_integer(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  int64_t v;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  // Only the canonical spelling: "007" or "-0" stored as 7 or 0 would not read back as written.
  char buf[24];
  if (set_detail::format_int(v, buf) != s) return std::nullopt;
  return v;
}

void Set::release() {
  if (is_ptr()) {
    if (is_intset()) {
      std::free(intset());
    } else {
      free_table(table());
    }
  }
  raw_[kModeByte] = 0;
}

Set Set::clone() const {
  Set copy;
  if (!is_ptr()) {
    std::memcpy(copy.raw_, raw_, sizeof(raw_));
    return copy;
  }
  if (is_intset()) {
    const uint32_t h = header(intset());
    const size_t bytes = kIntsetHeader + count_of(h) * static_cast<size_t>(width_of(h));
    void* p = checked_realloc(nullptr, bytes);
    std::memcpy(p, intset(), bytes);
    copy.set_bits(reinterpret_cast<uintptr_t>(p));
    return copy;
  }
  const Table* t = table();
  Table* nt = new_table(t->mask + 1);
  copy.set_bits(reinterpret_cast<uintptr_t>(nt) | 1);
  for_each([&](std::string_view m) { copy.table_add(m); });
  return copy;
}

size_t Set::size() const { return is_intset() ? intset_size() : table()->used; }

size_t Set::intset_size() const {
  return intset_on_heap() ? count_of(header(intset())) : raw_[kModeByte] & 0x0f;
}

int Set::intset_width() const {
  return intset_on_heap() ? width_of(header(intset())) : 2 << (raw_[kModeByte] >> 4);
}

const uint8_t* Set::intset_data() const {
  return intset_on_heap() ? intset() + kIntsetHeader : raw_;
}

int64_t Set::intset_at(size_t i) const { return load(intset_data(), intset_width(), i); }

void Set::store_inline(const int64_t* members, size_t n, int width) {
  for (size_t i = 0; i < n; ++i) store(raw_, width, i, members[i]);
  raw_[kModeByte] = static_cast<uint8_t>((code_for(width) << 4) | static_cast<int>(n));
}

int Set::intset_find(int64_t v, size_t* pos) const {
  const size_t n = intset_size();
  const int w = intset_width();
  if (n == 0 || width_for(v) > w) {
    // A value wider than the encoding sorts before or after every member.
    *pos = (n == 0 || v > 0) ? n : 0;
    return 0;
  }
  const uint8_t* data = intset_data();
  size_t lo = 0, hi = n;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int64_t m = load(data, w, mid);
    if (m < v) {
      lo = mid + 1;
    } else if (m > v) {
      hi = mid;
    } else {
      *pos = mid;
      return 1;
    }
  }
  *pos = lo;
  return 0;
}

bool Set::intset_add(int64_t v) {
  size_t pos;
  if (intset_find(v, &pos)) return false;
  const size_t n = intset_size();
  const int old_w = intset_width();
  const int w = std::max(old_w, width_for(v));
  if (!intset_on_heap()) {
    // Inline members are few: decode, insert, and write back inline or to a new buffer.
    int64_t all[kInlineBytes / 2 + 1];
    for (size_t i = 0, j = 0; i <= n; ++i) all[i] = i == pos ? v : intset_at(j++);
    if ((n + 1) * static_cast<size_t>(w) <= kInlineBytes) {
      store_inline(all, n + 1, w);
      return true;
    }
    auto* p = static_cast<uint8_t*>(
        checked_realloc(nullptr, kIntsetHeader + (n + 1) * static_cast<size_t>(w)));
    for (size_t i = 0; i <= n; ++i) store(p + kIntsetHeader, w, i, all[i]);
    const uint32_t nh = static_cast<uint32_t>((n + 1) << 2) | static_cast<uint32_t>(code_for(w));
    std::memcpy(p, &nh, sizeof(nh));
    set_bits(reinterpret_cast<uintptr_t>(p));
    return true;
  }
  auto* p = static_cast<uint8_t*>(
      checked_realloc(intset(), kIntsetHeader + (n + 1) * static_cast<size_t>(w)));
  uint8_t* data = p + kIntsetHeader;
  if (w != old_w) {
    // Upgrade: widen from the end so nothing is overwritten before it is read.
    for (size_t i = n; i-- > 0;) store(data, w, i + (i >= pos ? 1 : 0), load(data, old_w, i));
  } else {
    std::memmove(data + (pos + 1) * static_cast<size_t>(w), data + pos * static_cast<size_t>(w),
                 (n - pos) * static_cast<size_t>(w));
  }
  store(data, w, pos, v);
  const uint32_t nh = static_cast<uint32_t>((n + 1) << 2) | static_cast<uint32_t>(code_for(w));
  std::memcpy(p, &nh, sizeof(nh));
  set_bits(reinterpret_cast<uintptr_t>(p));
  return true;
}

bool Set::intset_remove(int64_t v) {
  size_t pos;
  if (!intset_find(v, &pos)) return false;
  const size_t n = intset_size();
  const int w = intset_width();
  const auto wb = static_cast<size_t>(w);
  if ((n - 1) * wb <= kInlineBytes) {
    // What is left fits inline (the width never narrows, as in Redis's intsets).
    int64_t rest[kInlineBytes / 2];
    for (size_t i = 0, j = 0; i < n; ++i)
      if (i != pos) rest[j++] = intset_at(i);
    if (intset_on_heap()) std::free(intset());
    store_inline(rest, n - 1, w);
    return true;
  }
  uint8_t* data = intset() + kIntsetHeader;
  std::memmove(data + pos * wb, data + (pos + 1) * wb, (n - pos - 1) * wb);
  const uint32_t nh = static_cast<uint32_t>((n - 1) << 2) | static_cast<uint32_t>(code_for(w));
  std::memcpy(intset(), &nh, sizeof(nh));
  // Shrinks in place within jemalloc's size class; the pointer may move.
  set_bits(reinterpret_cast<uintptr_t>(checked_realloc(intset(), kIntsetHeader + (n - 1) * wb)));
  return true;
}

Set::Table* Set::new_table(size_t buckets) {
  auto* t = static_cast<Table*>(checked_realloc(nullptr, sizeof(Table)));
  t->buckets = static_cast<Node**>(std::calloc(buckets, sizeof(Node*)));
  if (t->buckets == nullptr) {
    std::free(t);
    throw std::bad_alloc();
  }
  t->mask = buckets - 1;
  t->used = 0;
  t->seed = process_seed();
  t->max_chain = 0;
  return t;
}

void Set::free_table(Table* t) {
  for (uint64_t i = 0; i <= t->mask; ++i) {
    Node* n = t->buckets[i];
    while (n != nullptr) {
      Node* next = n->next;
      std::free(n);
      n = next;
    }
  }
  std::free(t->buckets);
  std::free(t);
}

uint64_t Set::hash(const Table* t, std::string_view s) { return wyhash(s, t->seed); }

Set::Node* Set::table_find(std::string_view s) const {
  const Table* t = table();
  for (Node* n = t->buckets[hash(t, s) & t->mask]; n != nullptr; n = n->next)
    if (n->view() == s) return n;
  return nullptr;
}

bool Set::table_add(std::string_view s) {
  if (table_find(s) != nullptr) return false;
  Table* t = table();
  if (t->used >= t->mask + 1) {
    table_resize((t->mask + 1) * 2);
    t = table();
  }
  auto* n = static_cast<Node*>(checked_realloc(nullptr, sizeof(Node) + s.size()));
  n->len = static_cast<uint32_t>(s.size());
  if (!s.empty()) std::memcpy(n->data(), s.data(), s.size());
  Node*& head = t->buckets[hash(t, s) & t->mask];
  n->next = head;
  head = n;
  ++t->used;
  note_chain(t->max_chain, n);
  return true;
}

bool Set::table_remove(std::string_view s) {
  Table* t = table();
  for (Node** link = &t->buckets[hash(t, s) & t->mask]; *link != nullptr; link = &(*link)->next) {
    Node* n = *link;
    if (n->view() != s) continue;
    *link = n->next;
    std::free(n);
    --t->used;
    if (t->mask + 1 > kMinBuckets && t->used * 8 < t->mask + 1) table_resize((t->mask + 1) / 2);
    return true;
  }
  return false;
}

void Set::table_resize(size_t buckets) {
  Table* t = table();
  auto** nb = static_cast<Node**>(std::calloc(buckets, sizeof(Node*)));
  if (nb == nullptr) throw std::bad_alloc();
  const uint64_t mask = buckets - 1;
  t->max_chain = 0;  // note_chain measures the new chains
  for (uint64_t i = 0; i <= t->mask; ++i) {
    Node* n = t->buckets[i];
    while (n != nullptr) {
      Node* next = n->next;
      Node*& head = nb[hash(t, n->view()) & mask];
      n->next = head;
      head = n;
      note_chain(t->max_chain, n);
      n = next;
    }
  }
  std::free(t->buckets);
  t->buckets = nb;
  t->mask = mask;
}

void Set::convert_to_table(size_t expected_size) {
  if (!is_intset()) return;
  const size_t n = intset_size();
  size_t buckets = kMinBuckets;
  const size_t want = std::max(n, expected_size);
  while (buckets < want) buckets *= 2;
  Table* t = new_table(buckets);
  // The members are read from the old encoding before the table takes its place.
  Set old;
  std::memcpy(old.raw_, raw_, sizeof(raw_));
  set_bits(reinterpret_cast<uintptr_t>(t) | 1);
  char buf[24];
  for (size_t i = 0; i < n; ++i) table_add(set_detail::format_int(old.intset_at(i), buf));
}

bool Set::add(std::string_view member, size_t max_intset_entries) {
  if (is_intset()) {
    if (auto v = as_integer(member)) {
      if (intset_size() < std::min(max_intset_entries, kIntsetMaxCount)) return intset_add(*v);
      size_t pos;
      if (intset_find(*v, &pos)) return false;
    }
    convert_to_table();
  }
  return table_add(member);
}

bool Set::remove(std::string_view member) {
  if (is_intset()) {
    auto v = as_integer(member);
    return v && intset_remove(*v);
  }
  return table_remove(member);
}

bool Set::contains(std::string_view member) const {
  if (is_intset()) {
    auto v = as_integer(member);
    size_t pos;
    return v && intset_find(*v, &pos) == 1;
  }
  return table_find(member) != nullptr;
}

void Set::random_member(std::mt19937_64& rng, Member& out) const {
  if (is_intset()) {
    out.view = set_detail::format_int(intset_at(rng() % intset_size()), out.buf);
    return;
  }
  const Table* t = table();
  out.view = fair_random_node(t->buckets, t->mask, t->max_chain, rng)->view();
}

size_t Set::memory_usage() const {
  if (!is_ptr()) return 0;
  if (is_intset()) return malloc_usable_size(intset());
  const Table* t = table();
  size_t bytes = malloc_usable_size(const_cast<Table*>(t)) + malloc_usable_size(t->buckets);
  for (uint64_t i = 0; i <= t->mask; ++i)
    for (Node* n = t->buckets[i]; n != nullptr; n = n->next) bytes += malloc_usable_size(n);
  return bytes;
}

}  // namespace basalt
