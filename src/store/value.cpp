#include "store/value.hpp"

#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <utility>

#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/packed.hpp"
#include "store/set.hpp"
#include "store/zset.hpp"

namespace basalt {

namespace {
char* realloc_chars(char* p, size_t n) { return static_cast<char*>(checked_realloc(p, n)); }
}  // namespace

Value Value::new_list() {
  Value v;
  List* list = new List();
  std::memcpy(v.raw_, &list, sizeof(list));
  v.raw_[15] = kListTag;
  return v;
}

// The Hash and the ZSet are constructed in raw_'s first 15 bytes; they have no self-reference,
// so moving the Value's bytes moves them (an embedded block first leaves its room: take()).
static_assert(sizeof(Hash) == 15 && alignof(Hash) == 1);
static_assert(sizeof(ZSet) == 15 && alignof(ZSet) == 1);

Value Value::new_hash() {
  Value v;
  new (v.raw_) Hash();
  v.raw_[15] = kHashTag;
  return v;
}

Hash& Value::hash() { return *std::launder(reinterpret_cast<Hash*>(raw_)); }
const Hash& Value::hash() const { return *std::launder(reinterpret_cast<const Hash*>(raw_)); }
Set& Value::set() { return *std::launder(reinterpret_cast<Set*>(raw_)); }
const Set& Value::set() const { return *std::launder(reinterpret_cast<const Set*>(raw_)); }
ZSet& Value::zset() { return *std::launder(reinterpret_cast<ZSet*>(raw_)); }
const ZSet& Value::zset() const { return *std::launder(reinterpret_cast<const ZSet*>(raw_)); }

Value Value::new_zset() {
  Value v;
  new (v.raw_) ZSet();
  v.raw_[15] = kZSetTag;
  return v;
}

Value Value::new_set() {
  Value v;
  new (v.raw_) Set();
  v.raw_[15] = kSetTag;
  return v;
}

void Value::init_string(std::string_view s) {
  if (s.size() <= kInlineCapacity) {
    set_inline(s);
    return;
  }
  char* p = realloc_chars(nullptr, s.size());
  std::memcpy(p, s.data(), s.size());
  set_heap(p, static_cast<uint32_t>(s.size()));
}

std::string_view type_name(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kHash:
      return "hash";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
  }
  return "none";  // not reached: the switch names every type
}

void Value::corrupt_tag(uint8_t tag) {
  std::fprintf(stderr, "basalt: value tag 0x%02x belongs to no type (memory corruption)\n", tag);
  std::abort();
}

void Value::release() {
  switch (type()) {
    case ValueType::kString:
      if (is_heap_string()) std::free(heap_ptr());
      return;
    case ValueType::kList:
      delete list_ptr();
      return;
    case ValueType::kHash:
      hash().~Hash();
      return;
    case ValueType::kSet:
      set().~Set();
      return;
    case ValueType::kZSet:
      zset().~ZSet();
      return;
  }
}

Value Value::clone() const {
  switch (type()) {
    case ValueType::kString: {
      Value v(str());
      v.raw_[15] |= tag() & kRawBit;  // COPY keeps the encoding, as Redis's dupStringObject
      return v;
    }
    case ValueType::kList: {
      Value v;
      List* list = new List(*list_ptr());
      std::memcpy(v.raw_, &list, sizeof(list));
      v.raw_[15] = kListTag;
      return v;
    }
    case ValueType::kHash: {
      Value v;
      new (v.raw_) Hash(hash().clone());
      v.raw_[15] = kHashTag;
      return v;
    }
    case ValueType::kSet: {
      Value v;
      new (v.raw_) Set(set().clone());
      v.raw_[15] = kSetTag;
      return v;
    }
    case ValueType::kZSet: {
      Value v;
      new (v.raw_) ZSet(zset().clone());
      v.raw_[15] = kZSetTag;
      return v;
    }
  }
  corrupt_tag(tag());
}

char* Value::resize(size_t new_len) {
  const uint8_t t = tag();
  if (is_inline_string_tag(t)) {
    const size_t len = t & kInlineLenMask;
    if (new_len <= kInlineCapacity) {
      if (new_len > len) std::memset(raw_ + len, 0, new_len - len);
      raw_[15] = static_cast<uint8_t>(new_len) | kRawBit;
      return reinterpret_cast<char*>(raw_);
    }
    char* p = realloc_chars(nullptr, new_len);
    std::memcpy(p, raw_, len);
    std::memset(p + len, 0, new_len - len);
    set_heap(p, static_cast<uint32_t>(new_len));
    raw_[15] |= kRawBit;
    return p;
  }
  if (is_embedded()) {  // the room is part of the entry's allocation: no realloc there
    const size_t len = heap_len();
    char* q = realloc_chars(nullptr, std::max(len, new_len));
    std::memcpy(q, heap_ptr(), len);
    set_heap(q, static_cast<uint32_t>(len));
  }
  char* p = heap_ptr();
  size_t old_len = heap_len();
  if (new_len > malloc_usable_size(p)) {
    constexpr size_t kMaxPrealloc = 1024 * 1024;
    size_t want = new_len < kMaxPrealloc ? new_len * 2 : new_len + kMaxPrealloc;
    p = realloc_chars(p, want);
  }
  if (new_len > old_len) std::memset(p + old_len, 0, new_len - old_len);
  set_heap(p, static_cast<uint32_t>(new_len));
  raw_[15] |= kRawBit;
  return p;
}

size_t Value::heap_bytes() const {
  switch (type()) {
    case ValueType::kString:
      return is_heap_string() ? malloc_usable_size(heap_ptr()) : 0;
    case ValueType::kList:
      return sizeof(List) + list_ptr()->memory_usage();
    case ValueType::kHash:
      return hash().memory_usage();
    case ValueType::kSet:
      return set().memory_usage();
    case ValueType::kZSet:
      return zset().memory_usage();
  }
  corrupt_tag(tag());
}

const PackedBlock* Value::packed_block() const {
  switch (type()) {
    case ValueType::kString:
    case ValueType::kList:
    case ValueType::kSet:
      return nullptr;
    case ValueType::kHash:
      return &hash().block();
    case ValueType::kZSet:
      return &zset().block();
  }
  corrupt_tag(tag());
}

PackedBlock* Value::packed_block() {
  return const_cast<PackedBlock*>(std::as_const(*this).packed_block());
}

size_t Value::packed_bytes() const {
  const PackedBlock* b = packed_block();
  return b != nullptr && b->is_packed() ? b->used() : 0;
}

void Value::embed_packed(uint8_t* room, size_t room_size) {
  if (PackedBlock* b = packed_block()) b->embed(room, room_size);
}

void Value::leave_room() {
  if (PackedBlock* b = packed_block()) b->unembed();
}

std::string_view Value::encoding() const {
  switch (type()) {
    case ValueType::kString:
      return string_encoding();
    case ValueType::kList:
      return "quicklist";
    case ValueType::kHash:
      return hash().is_packed() ? "listpack" : "hashtable";
    case ValueType::kSet:
      return set().is_intset() ? "intset" : "hashtable";
    case ValueType::kZSet:
      return zset().encoding() == ZSet::Encoding::kPacked ? "listpack" : "skiplist";
  }
  corrupt_tag(tag());
}

std::string_view Value::string_encoding() const {
  if (changed_in_place()) return "raw";
  std::string_view s = str();
  // Redis stores canonical 64-bit integers as "int"; anything else round-trips differently.
  if (!s.empty() && s.size() <= 20) {
    int64_t v;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), v);
      if (std::string_view(buf, r.ptr - buf) == s) return "int";
    }
  }
  // Redis's embstr limit: the object and the string share one 64-byte allocation.
  return s.size() <= 44 ? "embstr" : "raw";
}

}  // namespace basalt
