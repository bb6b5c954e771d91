#include "store/packed.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace basalt {

uint64_t process_seed() {
  static const uint64_t seed = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  return seed;
}

uintptr_t PackedBlock::checked_address(const void* p) {
  const auto a = reinterpret_cast<uintptr_t>(p);
  if ((a >> 48) != 0) {
    std::fprintf(stderr, "basalt: the allocator returned an address above 2^48\n");
    std::abort();
  }
  return a;
}

bool PackedBlock::valid() const {
  if (count() == 0) return used() == 0 && (data() == nullptr || is_embedded());
  return used() <= capacity();
}

size_t PackedBlock::capacity() const {
  if (is_embedded()) return room();
  return data() == nullptr ? 0 : malloc_usable_size(data());
}

void PackedBlock::reserve(size_t need, size_t grow_to) {
  if (need <= capacity()) return;
  if (is_embedded()) {
    // Out of its room: the block moves to the heap; the room stays unused until the key goes.
    auto* block = static_cast<uint8_t*>(checked_realloc(nullptr, grow_to));
    std::memcpy(block, data(), used());
    set_block(block, 0);
    return;
  }
  set_block(static_cast<uint8_t*>(checked_realloc(data(), grow_to)), 0);
}

void PackedBlock::shrink_to(size_t bytes) {
  if (is_embedded() || data() == nullptr) return;
  if (bytes == 0) {
    release();
    return;
  }
  set_block(static_cast<uint8_t*>(checked_realloc(data(), bytes)), 0);
}

void PackedBlock::release() {
  if (is_packed() && !is_embedded()) std::free(data());
  reset();
}

PackedBlock PackedBlock::clone() const {
  PackedBlock copy;
  if (data() == nullptr) return copy;
  auto* block = static_cast<uint8_t*>(checked_realloc(nullptr, used()));
  std::memcpy(block, data(), used());
  copy = *this;
  copy.set_block(block, 0);
  return copy;
}

size_t PackedBlock::heap_bytes() const {
  return is_embedded() || data() == nullptr ? 0 : malloc_usable_size(data());
}

void PackedBlock::embed(uint8_t* room, size_t room_size) {
  std::memcpy(room, data(), used());
  if (!is_embedded()) std::free(data());
  set_block(room, std::min(room_size, kMaxRoom));
}

void PackedBlock::unembed() {
  if (!is_packed() || !is_embedded()) return;
  auto* block = static_cast<uint8_t*>(checked_realloc(nullptr, used()));
  std::memcpy(block, data(), used());
  set_block(block, 0);
}

}  // namespace basalt
