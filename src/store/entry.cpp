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

}  // namespace

Entry* Entry::create(std::string_view key, Value&& value) {
  void* mem = allocate_entry(key, sizeof(Entry) + key.size());
  Entry* e = new (mem) Entry(std::move(value));
  e->key_len_ = static_cast<uint32_t>(key.size());
  if (!key.empty()) std::memcpy(reinterpret_cast<char*>(e + 1), key.data(), key.size());
  return e;
}

Entry* Entry::create_string(std::string_view key, std::string_view value) {
  const size_t head = sizeof(Entry) + key.size();
  if (value.size() <= Value::kInlineCapacity || value.size() > kMaxEmbedded) {
    return create(key, Value(value));
  }
  // Size classes decide: a 16-byte key and a 100-byte value take 160 bytes together against 64 +
  // 112 apart; a 205-byte value 320 against 64 + 224, so it stays apart.
  const size_t together = allocation_size(head + value.size());
  if (together > allocation_size(head) + allocation_size(value.size())) {
    return create(key, Value(value));
  }
  void* mem = allocate_entry(key, head + value.size());
  Entry* e = new (mem) Entry(Value());
  e->key_len_ = static_cast<uint32_t>(key.size());
  char* bytes = reinterpret_cast<char*>(e + 1);
  if (!key.empty()) std::memcpy(bytes, key.data(), key.size());
  // The room is what the size class gives, so a later value up to that size is written in place.
  e->value.embed(bytes + key.size(), std::min(together - head, Value::kMaxEmbeddedRoom), value);
  return e;
}

void Entry::destroy(Entry* e) {
  e->~Entry();
  std::free(e);
}

size_t Entry::memory_usage() const {
  return malloc_usable_size(const_cast<Entry*>(this)) + value.heap_bytes();
}

}  // namespace basalt
