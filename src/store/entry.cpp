#include "store/entry.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "base/allocator.hpp"

namespace basalt {

namespace {

void* allocate_entry(std::string_view key, size_t bytes) {
  if (key.size() > Entry::kMaxKeyLen) throw std::length_error("key too long");
  void* mem = std::malloc(bytes);
  if (mem == nullptr) throw std::bad_alloc();
  // The top 16 bits of the chain link hold access bits (entry.hpp).
  if ((reinterpret_cast<uintptr_t>(mem) >> 48) != 0) {
    std::fprintf(stderr, "basalt: the allocator returned an address above 2^48\n");
    std::abort();
  }
  return mem;
}

// The entry's allocation size with `bytes` in a room after the key (`head` bytes of header and
// key), when the size classes make that no larger than the entry alone plus apart(), what the
// bytes cost in an allocation of their own; 0 otherwise, or past Entry::kMaxEmbedded, which
// bounds what a room left behind by a longer value can waste (and spares larger values the
// size-class lookups).
template <class Apart>
size_t together_size(size_t head, size_t bytes, Apart apart) {
  if (bytes > Entry::kMaxEmbedded) return 0;
  const size_t together = allocation_size(head + bytes);
  return together <= allocation_size(head) + apart() ? together : 0;
}

}  // namespace

size_t Entry::key_room(std::string_view key) {
  return key.size() < kLongKey ? key.size() : sizeof(uint32_t) + key.size();
}

char* Entry::store_key(std::string_view key) {
  char* bytes = key_bytes();
  const auto n = static_cast<uint32_t>(key.size());
  if (n >= kLongKey) {
    set_meta((meta() & ~kLenMask) | kLongKey);
    std::memcpy(bytes, &n, sizeof(n));
    bytes += sizeof(n);
  } else {
    set_meta((meta() & ~kLenMask) | n);
  }
  if (n != 0) std::memcpy(bytes, key.data(), n);
  return bytes + n;
}

Entry* Entry::create(std::string_view key, Value&& value) {
  const size_t head = kHeaderBytes + key_room(key);
  const size_t packed = value.packed_bytes();
  // A packed hash or sorted set moves into the entry on the same terms as a string in
  // create_string: a 12-byte key and five 2-byte hash pairs (25 bytes) take 64 bytes together
  // against 48 + 32 apart; with five small members and scores (20 bytes), 64 against 48 + 32.
  // Apart, the block costs its own allocation: the one it has, or (in another entry's room, as
  // Database::refit moves it) the one it would get.
  auto apart = [&] {
    const size_t h = value.heap_bytes();
    return h != 0 ? h : allocation_size(packed);
  };
  const size_t together = packed != 0 ? together_size(head, packed, apart) : 0;
  void* mem = allocate_entry(key, together != 0 ? head + packed : head);
  Entry* e = new (mem) Entry(std::move(value));
  char* room = e->store_key(key);
  if (together != 0) {
    e->value.embed_packed(reinterpret_cast<uint8_t*>(room), together - head);
  }
  return e;
}

Entry* Entry::create_string(std::string_view key, std::string_view value) {
  const size_t head = kHeaderBytes + key_room(key);
  // Size classes decide: a 16-byte key and a 100-byte value take 160 bytes together against 48 +
  // 112 apart; a 209-byte value 320 against 48 + 224, so it stays apart.
  const size_t together =
      value.size() > Value::kInlineCapacity
          ? together_size(head, value.size(), [&] { return allocation_size(value.size()); })
          : 0;
  if (together == 0) {
    return create(key, Value(value));
  }
  void* mem = allocate_entry(key, head + value.size());
  Entry* e = new (mem) Entry(Value());
  char* room = e->store_key(key);
  // The room is what the size class gives, so a later value up to that size is written in place.
  e->value.embed(room, std::min(together - head, Value::kMaxEmbeddedRoom), value);
  return e;
}

bool Entry::smaller_anew() const {
  const size_t packed = value.packed_bytes();
  if (packed == 0 || packed > kMaxEmbedded) return false;
  const size_t apart = value.heap_bytes();  // 0 while the block is in the room
  const size_t head = kHeaderBytes + key_room(key());
  return allocation_size(head + packed) < malloc_usable_size(const_cast<Entry*>(this)) + apart;
}

void Entry::destroy(Entry* e) {
  e->~Entry();
  std::free(e);
}

size_t Entry::memory_usage() const {
  return malloc_usable_size(const_cast<Entry*>(this)) + value.heap_bytes();
}

}  // namespace basalt
