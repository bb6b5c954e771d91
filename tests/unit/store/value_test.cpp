#include "store/value.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "store/entry.hpp"
#include "store/list.hpp"

namespace basalt {
namespace {

TEST(Value, ShortStringsLiveInline) {
  Value v("0123456789abcde");  // 15 bytes: the inline maximum
  EXPECT_EQ(v.str(), "0123456789abcde");
  EXPECT_EQ(v.heap_bytes(), 0u);
  Value w("0123456789abcdef");  // 16 bytes: on the heap
  EXPECT_EQ(w.str(), "0123456789abcdef");
  EXPECT_GT(w.heap_bytes(), 0u);
}

TEST(Value, BinaryAndEmptyStrings) {
  Value empty;
  EXPECT_TRUE(empty.is_string());
  EXPECT_EQ(empty.str(), "");
  std::string bin("a\0b\r\n", 5);
  Value v(bin);
  EXPECT_EQ(v.str(), bin);
}

TEST(Value, ResizeGrowsInPlaceAcrossTheInlineBoundaryAndZeroFills) {
  Value v("abc");
  char* p = v.resize(10);
  EXPECT_EQ(std::string(p, 10), std::string("abc\0\0\0\0\0\0\0", 10));
  p = v.resize(40);
  std::memcpy(p + 10, "X", 1);
  EXPECT_EQ(v.str().size(), 40u);
  EXPECT_EQ(v.str()[10], 'X');
  EXPECT_EQ(v.str().substr(0, 3), "abc");
  // Appending byte by byte stays amortised: the buffer grows geometrically.
  for (size_t n = 41; n < 5000; ++n) v.resize(n)[n - 1] = 'y';
  EXPECT_EQ(v.str().size(), 4999u);
  EXPECT_EQ(v.str().back(), 'y');
  EXPECT_EQ(v.str().substr(0, 3), "abc");
}

TEST(Value, MoveLeavesAnEmptyString) {
  Value a(std::string(100, 'x'));
  Value b(std::move(a));
  EXPECT_EQ(b.str(), std::string(100, 'x'));
  EXPECT_EQ(a.str(), "");  // NOLINT(bugprone-use-after-move): the moved-from state is defined
}

TEST(Value, ListsAndClone) {
  Value l = Value::new_list();
  EXPECT_TRUE(l.is_list());
  l.list().push_back("a");
  l.list().push_back("b");
  Value c = l.clone();
  c.list().push_back("c");
  EXPECT_EQ(l.list().size(), 2u);
  EXPECT_EQ(c.list().size(), 3u);
  l.assign("now a string");
  EXPECT_TRUE(l.is_string());
  EXPECT_EQ(l.str(), "now a string");
}

TEST(Value, EncodingNamesMatchRedis) {
  EXPECT_EQ(Value("12345").encoding(), "int");
  EXPECT_EQ(Value("-9223372036854775808").encoding(), "int");
  EXPECT_EQ(Value("9223372036854775808").encoding(), "embstr");
  EXPECT_EQ(Value("012").encoding(), "embstr");
  EXPECT_EQ(Value("hello").encoding(), "embstr");
  EXPECT_EQ(Value(std::string(44, 'x')).encoding(), "embstr");
  EXPECT_EQ(Value(std::string(45, 'x')).encoding(), "raw");
  EXPECT_EQ(Value::new_list().encoding(), "quicklist");
}

// Redis's one bit of string history: changed in place means "raw", written whole means the
// encoding the bytes give, whatever the length, inline or on the heap.
TEST(Value, StringChangedInPlaceIsRaw) {
  Value v("1234");
  v.resize(4)[0] = '2';
  EXPECT_EQ(v.str(), "2234");
  EXPECT_EQ(v.encoding(), "raw");
  EXPECT_TRUE(v.is_string());
  EXPECT_EQ(v.clone().encoding(), "raw");
  Value moved(std::move(v));
  EXPECT_EQ(moved.encoding(), "raw");
  std::memcpy(moved.resize(20) + 4, "grown-to-the-heap", 16);
  EXPECT_EQ(moved.str(), std::string_view("2234grown-to-the-heap", 20));
  EXPECT_EQ(moved.encoding(), "raw");
  EXPECT_EQ(moved.clone().str(), moved.str());
  EXPECT_GT(moved.heap_bytes(), 0u);
  moved.resize(2);
  EXPECT_EQ(moved.str(), "22");
  moved.assign("22");
  EXPECT_EQ(moved.encoding(), "int");
  moved.assign(std::string(30, 'x'));
  EXPECT_EQ(moved.encoding(), "embstr");
  moved.resize(31);
  EXPECT_EQ(moved.encoding(), "raw");
  moved.assign("back");
  EXPECT_EQ(moved.encoding(), "embstr");
}

TEST(Entry, HoldsKeyInlineAndReportsMemory) {
  Entry* e = Entry::create("session:42", Value("alice"));
  EXPECT_EQ(e->key(), "session:42");
  EXPECT_EQ(e->value.str(), "alice");
  EXPECT_FALSE(e->has_expire());
  // Header plus key in one small allocation.
  EXPECT_LE(e->memory_usage(), 64u);
  Entry::destroy(e);
}

TEST(Entry, AStringBesideTheKeyTakesOneAllocation) {
  const std::string value(100, 'v');
  Entry* together = Entry::create_string("key:000000000001", value);
  Entry* apart = Entry::create("key:000000000001", Value(value));
  EXPECT_EQ(together->value.str(), value);
  EXPECT_EQ(together->value.heap_bytes(), 0u);  // no buffer of its own
  EXPECT_EQ(together->value.encoding(), "raw");
  EXPECT_LE(together->memory_usage(), apart->memory_usage());
  Entry::destroy(apart);

  // A value that fits the room is written there; a longer one goes to the heap, a short one
  // inline, and each reads back whole.
  together->value.assign(std::string(90, 'w'));
  EXPECT_EQ(together->value.str(), std::string(90, 'w'));
  EXPECT_EQ(together->value.heap_bytes(), 0u);
  together->value.assign(std::string(40, 'e'));
  EXPECT_EQ(together->value.encoding(), "embstr");
  together->value.assign(std::string(300, 'h'));
  EXPECT_EQ(together->value.str(), std::string(300, 'h'));
  EXPECT_GT(together->value.heap_bytes(), 0u);
  together->value.assign("short");
  EXPECT_EQ(together->value.str(), "short");
  Entry::destroy(together);

  // Too long to keep beside the key: a buffer of its own, as before.
  Entry* large = Entry::create_string("k", std::string(Entry::kMaxEmbedded + 1, 'x'));
  EXPECT_GT(large->value.heap_bytes(), 0u);
  Entry::destroy(large);
}

TEST(Entry, AStringBesideTheKeyOutlivesItWhenMovedOrCopied) {
  // RENAME and MOVE take the value out and free the entry; COPY clones it.
  Entry* e = Entry::create_string("src", std::string(64, 'a') + "tail");
  Value clone = e->value.clone();
  Value moved = std::move(e->value);
  EXPECT_EQ(e->value.str(), "");
  Entry::destroy(e);
  EXPECT_EQ(moved.str(), std::string(64, 'a') + "tail");
  EXPECT_EQ(clone.str(), std::string(64, 'a') + "tail");
  Value assigned;
  Entry* f = Entry::create_string("src", std::string(50, 'b'));
  assigned = std::move(f->value);
  Entry::destroy(f);
  EXPECT_EQ(assigned.str(), std::string(50, 'b'));
}

TEST(Entry, AStringBesideTheKeyChangedInPlaceMovesToTheHeap) {
  // APPEND and SETRANGE grow it; the bytes before stay, the new ones are zeroed, and it is "raw".
  Entry* e = Entry::create_string("k", std::string(20, 'c'));
  char* p = e->value.resize(1000);
  EXPECT_EQ(std::string(p, 20), std::string(20, 'c'));
  EXPECT_EQ(p[20], '\0');
  EXPECT_EQ(e->value.str().size(), 1000u);
  EXPECT_GT(e->value.heap_bytes(), 0u);
  EXPECT_EQ(e->value.encoding(), "raw");
  Entry::destroy(e);
  // Shrinking (SETRANGE never does, but resize allows it) keeps the prefix.
  Entry* g = Entry::create_string("k", "1234567890123456");
  EXPECT_EQ(g->value.encoding(), "int");
  EXPECT_EQ(std::string(g->value.resize(14), 14), "12345678901234");
  Entry::destroy(g);
}

}  // namespace
}  // namespace basalt
