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

}  // namespace
}  // namespace basalt
