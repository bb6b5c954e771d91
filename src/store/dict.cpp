#include "store/dict.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "store/wyhash.hpp"

namespace basalt {

namespace {
uintptr_t* new_table(size_t n) {
  void* p = std::calloc(n, sizeof(uintptr_t));
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<uintptr_t*>(p);
}
size_t next_power(size_t n) {
  size_t s = 4;
  while (s < n) s <<= 1;
  return s;
}
}  // namespace

Dict::Dict(uint64_t seed) : seed_(seed) {}

Dict::~Dict() { clear(); }

Dict::Dict(Dict&& other) noexcept { *this = std::move(other); }

Dict& Dict::operator=(Dict&& other) noexcept {
  if (this != &other) {
    clear();
    for (int t = 0; t < 2; ++t) {
      table_[t] = std::exchange(other.table_[t], nullptr);
      size_[t] = std::exchange(other.size_[t], 0);
      used_[t] = std::exchange(other.used_[t], 0);
    }
    rehash_idx_ = std::exchange(other.rehash_idx_, -1);
    seed_ = other.seed_;
  }
  return *this;
}

uint64_t Dict::hash(std::string_view key) const { return wyhash(key, seed_); }

Entry* Dict::in_chain(Slot s, uint64_t h, std::string_view key, Entry** prev) {
  *prev = nullptr;
  if (!may_hold(s, h)) return nullptr;
  for (Entry* e = head(s); e != nullptr; *prev = e, e = e->next()) {
    if (e->key_size() == key.size() && std::memcmp(e->key().data(), key.data(), key.size()) == 0)
      return e;
  }
  return nullptr;
}

Entry* Dict::find(std::string_view key) {
  if (size() == 0) return nullptr;
  if (rehashing()) rehash_step();
  uint64_t h = hash(key);
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    Slot& s = table_[t][h & (size_[t] - 1)];
    Entry* prev;
    if (Entry* e = in_chain(s, h, key, &prev)) {
      if (prev != nullptr) {
        prev->set_next(e->next());
        push(s, e, h);
      }
      return e;
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

void Dict::prefetch_slots(uint64_t h) const {
  for (int t = 0; t < 2; ++t) {
    if (size_[t] != 0) __builtin_prefetch(&table_[t][h & (size_[t] - 1)]);
  }
}

void Dict::prefetch_entries(uint64_t h) const {
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    const Slot s = table_[t][h & (size_[t] - 1)];
    if (may_hold(s, h)) __builtin_prefetch(head(s));
  }
}

void Dict::link(Entry* e) {
  // During a rehash new keys go to the new table only, so the old one only ever drains.
  int t = rehashing() ? 1 : 0;
  const uint64_t h = hash(e->key());
  push(table_[t][h & (size_[t] - 1)], e, h);
  used_[t]++;
}

Entry* Dict::unlink(std::string_view key) {
  if (size() == 0) return nullptr;
  if (rehashing()) rehash_step();
  uint64_t h = hash(key);
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    Slot& s = table_[t][h & (size_[t] - 1)];
    Entry* prev;
    if (Entry* e = in_chain(s, h, key, &prev)) {
      // The link word also holds access bits, so a predecessor's is rewritten with set_next.
      if (prev != nullptr) prev->set_next(e->next());
      Entry* first = prev == nullptr ? e->next() : head(s);
      e->set_next(nullptr);
      // The filter is rebuilt from the keys left: stale bits would let absent keys read the
      // chain again, and a cache's buckets lose and gain keys forever.
      Slot filter = 0;
      for (const Entry* x = first; x != nullptr; x = x->next())
        filter |= filter_bits(hash(x->key()));
      s = filter | reinterpret_cast<Slot>(first);
      used_[t]--;
      return e;
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

void Dict::replace(Entry* old, Entry* fresh) {
  const uint64_t h = hash(old->key());
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    Slot& s = table_[t][h & (size_[t] - 1)];
    Entry* prev;
    if (in_chain(s, h, old->key(), &prev) != old) continue;
    fresh->set_next(old->next());
    if (prev != nullptr) {
      prev->set_next(fresh);
    } else {
      s = (s & ~kHeadMask) | reinterpret_cast<Slot>(fresh);
    }
    old->set_next(nullptr);
    return;
  }
}

void Dict::clear() {
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; i < size_[t]; ++i) {
      for (Entry* e = head(table_[t][i]); e != nullptr;) {
        Entry* next = e->next();
        Entry::destroy(e);
        e = next;
      }
    }
    std::free(table_[t]);
    table_[t] = nullptr;
    size_[t] = used_[t] = 0;
  }
  rehash_idx_ = -1;
}

void Dict::reserve(size_t n) {
  if (size() != 0 || rehashing() || n <= size_[0]) return;
  const size_t slots = next_power(n);
  std::free(table_[0]);
  table_[0] = new_table(slots);
  size_[0] = slots;
}

void Dict::expand_if_needed(bool dense) {
  if (rehashing()) return;
  if (size_[0] == 0) {
    table_[0] = new_table(kInitialSize);
    size_[0] = kInitialSize;
    return;
  }
  if (used_[0] < size_[0]) return;
  if (!dense || static_cast<double>(used_[0]) >= kDenseLoad * static_cast<double>(size_[0])) {
    resize(used_[0] + 1);
  }
}

void Dict::shrink_if_sparse() {
  if (rehashing() || size_[0] <= kInitialSize) return;
  if (used_[0] * 10 < size_[0]) resize(used_[0]);
}

void Dict::resize(size_t min_size) {
  size_t n = next_power(min_size);
  if (n == size_[0]) return;
  table_[1] = new_table(n);
  size_[1] = n;
  used_[1] = 0;
  rehash_idx_ = 0;
}

void Dict::rehash_step() { rehash(1); }

void Dict::append_stats(std::string& out) const {
  constexpr size_t kLengths = 50;  // Redis's DICT_STATS_VECTLEN: longer chains share the last
  char line[256];
  for (int t = 0; t < (rehashing() ? 2 : 1); ++t) {
    const char* role = t == 0 ? "main hash table" : "rehashing target";
    if (used_[t] == 0) {
      std::snprintf(line, sizeof(line),
                    "Hash table %d stats (%s):\nNo stats available for empty dictionaries\n", t,
                    role);
      out += line;
      continue;
    }
    size_t lengths[kLengths] = {};
    size_t slots = 0, longest = 0, chained = 0;
    for (size_t i = 0; i < size_[t]; ++i) {
      size_t n = 0;
      for (const Entry* e = head(table_[t][i]); e != nullptr; e = e->next()) ++n;
      ++lengths[std::min(n, kLengths - 1)];
      if (n == 0) continue;
      ++slots;
      longest = std::max(longest, n);
      chained += n;
    }
    std::snprintf(line, sizeof(line),
                  "Hash table %d stats (%s):\n table size: %zu\n number of elements: %zu\n"
                  " different slots: %zu\n max chain length: %zu\n",
                  t, role, size_[t], used_[t], slots, longest);
    out += line;
    std::snprintf(line, sizeof(line),
                  " avg chain length (counted): %.02f\n avg chain length (computed): %.02f\n"
                  " Chain length distribution:\n",
                  static_cast<double>(chained) / static_cast<double>(slots),
                  static_cast<double>(used_[t]) / static_cast<double>(slots));
    out += line;
    for (size_t n = 0; n + 1 < kLengths; ++n) {
      if (lengths[n] == 0) continue;
      std::snprintf(line, sizeof(line), "   %zu: %zu (%.02f%%)\n", n, lengths[n],
                    static_cast<double>(lengths[n]) / static_cast<double>(size_[t]) * 100);
      out += line;
    }
  }
}

bool Dict::rehash(int n) {
  if (!rehashing()) return false;
  // Bound the empty buckets visited too, so one step's cost stays small on a sparse table.
  int empty_visits = n * 10;
  while (n-- > 0 && used_[0] != 0) {
    while (table_[0][rehash_idx_] == 0) {
      ++rehash_idx_;
      if (--empty_visits == 0) return true;
    }
    for (Entry* e = head(table_[0][rehash_idx_]); e != nullptr;) {
      Entry* next = e->next();
      const uint64_t h = hash(e->key());
      push(table_[1][h & (size_[1] - 1)], e, h);
      used_[0]--;
      used_[1]++;
      e = next;
    }
    table_[0][rehash_idx_++] = 0;
  }
  if (used_[0] == 0) {
    std::free(table_[0]);
    table_[0] = table_[1];
    size_[0] = size_[1];
    used_[0] = used_[1];
    table_[1] = nullptr;
    size_[1] = used_[1] = 0;
    rehash_idx_ = -1;
    return false;
  }
  return true;
}

Entry* Dict::random_entry(std::mt19937_64& rng) {
  if (size() == 0) return nullptr;
  if (rehashing()) rehash_step();
  Slot s = 0;
  if (rehashing()) {
    // Buckets of table 0 below rehash_idx_ are empty by construction; skip them.
    size_t lo = static_cast<size_t>(rehash_idx_), span = size_[0] + size_[1] - lo;
    do {
      size_t i = lo + rng() % span;
      s = i >= size_[0] ? table_[1][i - size_[0]] : table_[0][i];
    } while (s == 0);
  } else {
    size_t mask = size_[0] - 1;
    do s = table_[0][rng() & mask];
    while (s == 0);
  }
  Entry* first = head(s);
  size_t len = 0;
  for (Entry* e = first; e != nullptr; e = e->next()) ++len;
  size_t pick = rng() % len;
  while (pick--) first = first->next();
  return first;
}

size_t Dict::sample(std::mt19937_64& rng, Entry** out, size_t n) {
  if (size() == 0 || n == 0) return 0;
  if (rehashing()) rehash_step();
  const size_t big = std::max(size_[0], size_[1]);
  // Each sample starts at a random bucket: a cache miss for its slot, then one for each entry
  // chained there. The starts are drawn two samples ahead, so that the last sample asked for
  // this one's slots and, the sample before, for their line (sample_ahead_; a draw is masked
  // when used, so a resize in between costs only a useless hint).
  if (!sample_ahead_ready_) {
    sample_ahead_[0] = rng();
    sample_ahead_[1] = rng();
    sample_ahead_ready_ = true;
  }
  size_t i = sample_ahead_[0] & (big - 1);
  sample_ahead_[0] = sample_ahead_[1];
  sample_ahead_[1] = rng();
  size_t got = 0;
  // At most one pass over the buckets: a second would return the same keys again, which an
  // eviction pool would hold twice.
  const size_t max_visits = std::min(n * 10, big);
  for (size_t visits = 0; visits < max_visits && got < n; ++visits, i = (i + 1) & (big - 1)) {
    for (int t = 0; t < 2 && got < n; ++t) {
      // Buckets of table 0 below the rehash index are empty by construction.
      if (i >= size_[t] || (t == 0 && rehashing() && static_cast<int64_t>(i) < rehash_idx_)) {
        continue;
      }
      // A chain longer than the room left gives its last entries: find() moves the keys it
      // finds to the front, so a chain's tail holds the keys read least recently, the ones
      // eviction looks for (its first entries, taken, filled samples with hot keys).
      Entry* e = head(table_[t][i]);
      size_t len = 0;
      for (const Entry* x = e; x != nullptr; x = x->next()) ++len;
      for (size_t skip = len > n - got ? len - (n - got) : 0; skip > 0; --skip) e = e->next();
      for (; e != nullptr; e = e->next()) out[got++] = e;
    }
  }
  // The next sample's first entries (their slots' line was asked for by the last sample), and
  // the line of the slots of the one after it.
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    const size_t mask = size_[t] - 1;
    const size_t next = sample_ahead_[0] & mask;
    for (size_t k = 0; k < n && next + k < size_[t]; ++k) {
      if (const Entry* e = head(table_[t][next + k])) __builtin_prefetch(e);
    }
    __builtin_prefetch(&table_[t][sample_ahead_[1] & mask]);
  }
  return got;
}

}  // namespace basalt
