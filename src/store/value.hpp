#pragma once
// A key's value in 16 bytes. Strings up to 15 bytes live inline (most keys in caches and counters
// are that short), longer ones in one malloc'd buffer whose capacity comes from malloc_usable_size,
// so no capacity field is stored; or, when the key's entry was created with its string
// (Entry::create_string), in a room at the end of the entry's own allocation: one allocation per
// key instead of two and one cache miss less per read, as Redis's embstr, for longer strings. Lists
// live behind a pointer; a Hash and a sorted set's ZSet are their PackedBlock handles
// (store/packed.hpp: the packed block, which may sit in the entry's room as strings do, or the
// table or tree) and a Set (store/set.hpp) a small intset inline or a pointer, each in the
// first 15 bytes. The tag sits in the last byte.
//
// A string's tag also keeps Redis's one bit of string history: a string changed in place (APPEND,
// SETRANGE, SETBIT, BITFIELD, BITOP's result, PFADD) is what Redis calls "raw" whatever its
// length, as Redis unshares it into a raw sds; one written whole (SET, INCR, a load) has the
// encoding its bytes give (int, embstr or raw). Only OBJECT ENCODING and DEBUG OBJECT tell.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>

namespace basalt {

class Hash;
class List;
class PackedBlock;
class Set;
class ZSet;

// One tag per Redis type. Every switch over it names each type and has no default, so a type
// added here is a compile error (-Wswitch, -Werror) wherever a command has not been taught it,
// never a value quietly treated as a string.
enum class ValueType : uint8_t { kString, kList, kHash, kSet, kZSet };

// Redis's TYPE reply for each type.
std::string_view type_name(ValueType type);

class Value {
 public:
  static constexpr size_t kInlineCapacity = 15;

  Value() { set_inline({}); }
  explicit Value(std::string_view s) { init_string(s); }
  static Value new_list();
  static Value new_hash();  // an empty hash, packed
  static Value new_set();   // an empty intset
  static Value new_zset();  // an empty sorted set, packed
  ~Value() { release(); }

  // A string or packed block in its entry's room cannot leave the entry: moving it copies it to
  // the heap (the entry may be freed next, as RENAME and MOVE do). Only an allocation failure,
  // which ends the process anyway, can throw here.
  Value(Value&& other) noexcept { take(other); }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  Value clone() const;  // deep copy (COPY)

  // Tags are decoded exactly: a byte no type owns is memory corruption and stops the process,
  // rather than reading as a string.
  ValueType type() const {
    const uint8_t t = tag();
    if (is_string_tag(t)) return ValueType::kString;
    if (t == kListTag) return ValueType::kList;
    if (t == kHashTag) return ValueType::kHash;
    if (t == kSetTag) return ValueType::kSet;
    if (t == kZSetTag) return ValueType::kZSet;
    corrupt_tag(t);
  }
  bool is_string() const { return type() == ValueType::kString; }
  bool is_list() const { return type() == ValueType::kList; }
  bool is_hash() const { return type() == ValueType::kHash; }
  bool is_set() const { return type() == ValueType::kSet; }
  bool is_zset() const { return type() == ValueType::kZSet; }

  // Strings. Views stay valid until the value is next modified.
  std::string_view str() const {
    const uint8_t t = tag();
    if (is_inline_string_tag(t)) {
      return {reinterpret_cast<const char*>(raw_), static_cast<size_t>(t & kInlineLenMask)};
    }
    return {heap_ptr(), heap_len()};
  }
  void assign(std::string_view s) {
    // A string that fits its entry's room is written there; otherwise the room stays unused
    // until the key goes (Entry::create_string bounds it).
    if (is_embedded() && s.size() > kInlineCapacity && s.size() <= embedded_room()) {
      std::memmove(heap_ptr(), s.data(), s.size());
      set_embedded(heap_ptr(), static_cast<uint32_t>(s.size()), embedded_room());
      return;
    }
    release();
    init_string(s);
  }
  // Entry::create_string's: the string `s` (longer than kInlineCapacity) is copied into `room`,
  // `room_size` bytes (below 2^24) that outlive this Value: the end of the entry's allocation.
  void embed(char* room, size_t room_size, std::string_view s) {
    release();
    std::memcpy(room, s.data(), s.size());
    set_embedded(room, static_cast<uint32_t>(s.size()), static_cast<uint32_t>(room_size));
  }
  static constexpr size_t kMaxEmbeddedRoom = (size_t{1} << 24) - 1;
  // Resizes the string in place and returns its bytes for writing (APPEND, SETRANGE); new bytes
  // are zeroed. Grows geometrically, as sds does, so repeated APPENDs stay amortised O(1). The
  // string is "raw" from then on (see above).
  char* resize(size_t new_len);

  // Lists.
  List& list() { return *list_ptr(); }
  const List& list() const { return *list_ptr(); }
  // Hashes.
  Hash& hash();
  const Hash& hash() const;
  // Sets: the Set object lives in raw_[0..15) (plain bytes, relocatable by memcpy).
  // (Out of line, as hash(): std::launder needs the complete type, which clang enforces.)
  Set& set();
  const Set& set() const;
  // Sorted sets: the ZSet lives in the value's first 15 bytes.
  ZSet& zset();
  const ZSet& zset() const;

  // Bytes this value owns on the heap (not counting the 16 bytes of the Value itself).
  size_t heap_bytes() const;
  // Entry::create's: the bytes of a packed hash's or sorted set's block (0 for any other value),
  // and the move of that block into a room at the end of the entry (see embed()).
  size_t packed_bytes() const;
  void embed_packed(uint8_t* room, size_t room_size);
  // Redis's OBJECT ENCODING for this value.
  std::string_view encoding() const;

 private:
  static constexpr uint8_t kHeapTag = 0x40;
  // A string in its entry's room: pointer and length as a heap string's, the room's size in
  // bytes 12..14. Never "raw": a change in place moves it to the heap first.
  static constexpr uint8_t kEmbeddedTag = 0x48;
  // Set on a string's tag (inline 0x20..0x2f, heap 0x60) once it was changed in place.
  static constexpr uint8_t kRawBit = 0x20;
  static constexpr uint8_t kInlineLenMask = 0x0f;
  static_assert(kInlineCapacity == kInlineLenMask);
  static constexpr uint8_t kListTag = 0x80;
  static constexpr uint8_t kHashTag = 0x81;
  static constexpr uint8_t kSetTag = 0x82;
  static constexpr uint8_t kZSetTag = 0x83;

  uint8_t tag() const { return raw_[15]; }
  static constexpr bool is_inline_string_tag(uint8_t t) {
    return static_cast<uint8_t>(t & ~kRawBit) <= kInlineCapacity;
  }
  static constexpr bool is_string_tag(uint8_t t) {
    return is_inline_string_tag(t) || static_cast<uint8_t>(t & ~kRawBit) == kHeapTag ||
           t == kEmbeddedTag;
  }
  bool is_heap_string() const { return static_cast<uint8_t>(tag() & ~kRawBit) == kHeapTag; }
  bool is_embedded() const { return tag() == kEmbeddedTag; }
  bool changed_in_place() const { return (tag() & kRawBit) != 0; }
  [[noreturn]] static void corrupt_tag(uint8_t tag);
  void set_inline(std::string_view s) {
    if (!s.empty()) std::memcpy(raw_, s.data(), s.size());  // a default view's data() is null
    raw_[15] = static_cast<uint8_t>(s.size());
  }
  void init_string(std::string_view s);
  void take(Value& other) noexcept {
    if (other.is_embedded()) {
      init_string(other.str());
    } else {
      if (other.tag() == kHashTag || other.tag() == kZSetTag) other.leave_room();
      std::memcpy(raw_, other.raw_, sizeof(raw_));
    }
    other.set_inline({});
  }
  // Copies a packed block out of its entry's room.
  void leave_room();
  // A hash's or sorted set's block handle (packed or not), else null.
  const PackedBlock* packed_block() const;
  PackedBlock* packed_block();
  std::string_view string_encoding() const;  // int, embstr or raw
  void release();

  char* heap_ptr() const {
    char* p;
    std::memcpy(&p, raw_, sizeof(p));
    return p;
  }
  uint32_t heap_len() const {
    uint32_t n;
    std::memcpy(&n, raw_ + 8, sizeof(n));
    return n;
  }
  void set_heap(char* p, uint32_t len) {
    std::memcpy(raw_, &p, sizeof(p));
    std::memcpy(raw_ + 8, &len, sizeof(len));
    raw_[15] = kHeapTag;
  }
  void set_embedded(char* p, uint32_t len, uint32_t room) {
    std::memcpy(raw_, &p, sizeof(p));
    std::memcpy(raw_ + 8, &len, sizeof(len));
    raw_[12] = static_cast<uint8_t>(room);
    raw_[13] = static_cast<uint8_t>(room >> 8);
    raw_[14] = static_cast<uint8_t>(room >> 16);
    raw_[15] = kEmbeddedTag;
  }
  uint32_t embedded_room() const {
    return raw_[12] | (static_cast<uint32_t>(raw_[13]) << 8) |
           (static_cast<uint32_t>(raw_[14]) << 16);
  }
  List* list_ptr() const {
    List* p;
    std::memcpy(&p, raw_, sizeof(p));
    return p;
  }

  alignas(8) uint8_t raw_[16];
};

static_assert(sizeof(Value) == 16);

}  // namespace basalt
