#include "store/entry.hpp"

#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

namespace basalt {

Entry* Entry::create(std::string_view key, Value&& value) {
  if (key.size() > kMaxKeyLen) throw std::length_error("key too long");
  void* mem = std::malloc(sizeof(Entry) + key.size());
  if (mem == nullptr) throw std::bad_alloc();
  // The top 16 bits of the chain link hold access bits (entry.hpp).
  if ((reinterpret_cast<uintptr_t>(mem) >> 48) != 0) {
    std::fprintf(stderr, "basalt: the allocator returned an address above 2^48\n");
    std::abort();
  }
  Entry* e = new (mem) Entry(std::move(value));
  e->key_len_ = static_cast<uint32_t>(key.size());
  if (!key.empty()) std::memcpy(reinterpret_cast<char*>(e + 1), key.data(), key.size());
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
