#include "store/list.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace basalt {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

std::vector<std::string> contents(const List& l) {
  std::vector<std::string> out;
  for (std::string_view v : l) out.emplace_back(v);
  return out;
}

std::vector<std::string> contents_reversed(const List& l) {
  std::vector<std::string> out;
  for (auto it = l.end(); it != l.begin();) out.emplace_back(*--it);
  return out;
}

// A deterministic element of a size picked from i: empties, short ones, NUL-laden binary, every
// varint length boundary, and now and then one bigger than a node.
std::string element(uint64_t i) {
  static constexpr size_t kSizes[] = {0, 1, 5, 17, 63, 64, 127, 128, 300, 4095, 16383, 16384, 9000};
  size_t len = i % 97 == 0 ? kSizes[(i / 97) % std::size(kSizes)] : i % 23;
  std::string s(len, '\0');
  for (size_t k = 0; k < len; ++k) s[k] = static_cast<char>((i * 131 + k * 7) % 256);
  if (len >= 8) std::memcpy(s.data(), &i, 8);  // unique per i, NUL bytes included
  return s;
}

TEST(ListTest, EmptyList) {
  List l;
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.size(), 0u);
  EXPECT_EQ(l.memory_usage(), 0u);
  EXPECT_EQ(l.node_count(), 0u);
  EXPECT_TRUE(l.begin() == l.end());
  EXPECT_TRUE(l.iterator_at(0) == l.end());
  EXPECT_TRUE(l.valid());
  l.trim(0, 10);
  EXPECT_EQ(l.remove("x", 0), 0u);
  EXPECT_TRUE(l.valid());
}

TEST(ListTest, PushAndPopAtBothEnds) {
  List l;
  l.push_back("b");
  l.push_front("a");
  l.push_back("c");
  l.push_front("");
  EXPECT_THAT(contents(l), ElementsAre("", "a", "b", "c"));
  EXPECT_EQ(l.front(), "");
  EXPECT_EQ(l.back(), "c");
  EXPECT_EQ(l.at(1), "a");
  EXPECT_EQ(l.pop_back(), "c");
  EXPECT_EQ(l.pop_front(), "");
  EXPECT_EQ(l.pop_front(), "a");
  EXPECT_EQ(l.pop_back(), "b");
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.memory_usage(), 0u);
  EXPECT_TRUE(l.valid());
}

TEST(ListTest, BinaryElementsKeepEveryByte) {
  const std::string nul("\0\0\0", 3);
  const std::string mixed("a\0b\xff\x80\x7f", 6);
  List l;
  l.push_back(nul);
  l.push_front(mixed);
  l.insert(1, std::string(1, '\0'));
  EXPECT_THAT(contents(l), ElementsAre(mixed, std::string(1, '\0'), nul));
  EXPECT_EQ(l.remove(std::string_view("\0", 1), 0), 1u);
  EXPECT_EQ(l.at(1), nul);
  EXPECT_EQ(l.remove(std::string_view("\0\0", 2), 0), 0u);  // a prefix is not a match
}

// Lengths on each side of every varint size change, read from both ends of the node.
TEST(ListTest, LengthEncodingBoundaries) {
  const size_t lens[] = {0, 1, 127, 128, 129, 16383, 16384, 16385, (1u << 21) - 1, 1u << 21};
  List l;
  for (size_t len : lens) {
    l.push_back(std::string(len, 'x'));
    l.push_front(std::string(len, 'y'));
  }
  ASSERT_TRUE(l.valid());
  const size_t n = std::size(lens);
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(l.at(n + i), std::string(lens[i], 'x'));
    EXPECT_EQ(l.at(n - 1 - i), std::string(lens[i], 'y'));
  }
  for (size_t i = n; i-- > 0;) {
    EXPECT_EQ(l.pop_back(), std::string(lens[i], 'x'));
    EXPECT_EQ(l.pop_front(), std::string(lens[i], 'y'));
  }
  EXPECT_TRUE(l.empty());
}

// 2^28 bytes needs a 5-byte length on both sides.
TEST(ListTest, HugeElement) {
  std::string big(size_t{1} << 28, 'z');
  big[12345] = '\0';
  List l;
  l.push_back("before");
  l.push_back(big);
  l.push_back("after");
  ASSERT_TRUE(l.valid());
  EXPECT_EQ(l.node_count(), 3u);
  EXPECT_EQ(l.at(1).size(), big.size());
  EXPECT_TRUE(l.at(1) == big);
  EXPECT_GE(l.memory_usage(), big.size());
  l.erase(1);
  EXPECT_LT(l.memory_usage(), 1000u);
  EXPECT_THAT(contents(l), ElementsAre("before", "after"));
}

TEST(ListTest, HundredThousandAcrossNodesBackToFront) {
  constexpr uint64_t kN = 100000;
  List l;
  for (uint64_t i = 0; i < kN; ++i) l.push_back(element(i));
  ASSERT_EQ(l.size(), kN);
  ASSERT_TRUE(l.valid());
  EXPECT_GT(l.node_count(), 100u);
  for (uint64_t i = 0; i < kN; i += 997) ASSERT_EQ(l.at(i), element(i)) << i;
  uint64_t i = 0;
  for (std::string_view v : l) ASSERT_EQ(v, element(i++));
  EXPECT_EQ(i, kN);
  i = kN;
  for (auto it = l.end(); it != l.begin();) ASSERT_EQ(*--it, element(--i));
  for (i = 0; i < kN; ++i) ASSERT_EQ(l.pop_front(), element(i)) << i;
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.memory_usage(), 0u);
  EXPECT_EQ(l.node_count(), 0u);
}

TEST(ListTest, HundredThousandAcrossNodesFrontToBack) {
  constexpr uint64_t kN = 100000;
  List l;
  for (uint64_t i = 0; i < kN; ++i) l.push_front(element(i));
  ASSERT_TRUE(l.valid());
  for (uint64_t i = 0; i < kN; i += 991) ASSERT_EQ(l.at(kN - 1 - i), element(i)) << i;
  for (uint64_t i = 0; i < kN; ++i) ASSERT_EQ(l.pop_back(), element(i)) << i;
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.memory_usage(), 0u);
}

TEST(ListTest, ElementsBiggerThanANodeGetTheirOwnNode) {
  const std::string big(3 * List::kNodeBytes, 'B');
  List l;
  for (int i = 0; i < 10; ++i) {
    l.push_back("s" + std::to_string(i));
    l.push_back(big);
    l.push_front(big);
    l.push_front("p" + std::to_string(i));
  }
  ASSERT_TRUE(l.valid());
  EXPECT_EQ(l.size(), 40u);
  EXPECT_GE(l.node_count(), 20u);
  EXPECT_EQ(l.at(20), "s0");
  EXPECT_EQ(l.at(21), big);
  EXPECT_EQ(l.at(19), big);
  l.insert(21, big);
  l.set(20, big);
  l.set(19, "small");
  ASSERT_TRUE(l.valid());
  EXPECT_EQ(l.at(19), "small");
  EXPECT_EQ(l.at(20), big);
  EXPECT_EQ(l.at(21), big);
  EXPECT_EQ(l.remove(big, 0), 21u);
  ASSERT_TRUE(l.valid());
  EXPECT_EQ(l.size(), 20u);
  EXPECT_LT(l.memory_usage(), 2000u);
}

TEST(ListTest, InsertSetAndErase) {
  List l;
  for (int i = 0; i < 5; ++i) l.push_back(std::to_string(i));
  l.insert(0, "head");
  l.insert(l.size(), "tail");
  l.insert(3, "mid");
  EXPECT_THAT(contents(l), ElementsAre("head", "0", "1", "mid", "2", "3", "4", "tail"));
  l.set(0, "H");
  l.set(7, std::string(200, 't'));
  l.set(3, "");
  EXPECT_THAT(contents(l), ElementsAre("H", "0", "1", "", "2", "3", "4", std::string(200, 't')));
  l.erase(3);
  l.erase(0);
  l.erase(l.size() - 1);
  EXPECT_THAT(contents(l), ElementsAre("0", "1", "2", "3", "4"));
  EXPECT_TRUE(l.valid());
}

// Filling one spot in the middle of a long list forces node splits.
TEST(ListTest, InsertsIntoFullNodesSplitThem) {
  List l;
  std::deque<std::string> ref;
  for (int i = 0; i < 5000; ++i) {
    l.push_back("x" + std::to_string(i));
    ref.push_back("x" + std::to_string(i));
  }
  const size_t nodes_before = l.node_count();
  for (int i = 0; i < 5000; ++i) {
    size_t at = 2500 + (i % 7);
    std::string v(i % 50, static_cast<char>('a' + i % 26));
    l.insert(at, v);
    ref.insert(ref.begin() + static_cast<ptrdiff_t>(at), v);
  }
  ASSERT_TRUE(l.valid());
  EXPECT_GT(l.node_count(), nodes_before);
  EXPECT_THAT(contents(l), ElementsAreArray(ref));
}

TEST(ListTest, RemoveCountsFromEitherEnd) {
  auto make = [] {
    List l;
    for (const char* v : {"a", "b", "a", "c", "a", "b", "a"}) l.push_back(v);
    return l;
  };
  List l = make();
  EXPECT_EQ(l.remove("a", 2), 2u);
  EXPECT_THAT(contents(l), ElementsAre("b", "c", "a", "b", "a"));
  l = make();
  EXPECT_EQ(l.remove("a", -3), 3u);
  EXPECT_THAT(contents(l), ElementsAre("a", "b", "c", "b"));
  l = make();
  EXPECT_EQ(l.remove("a", 0), 4u);
  EXPECT_THAT(contents(l), ElementsAre("b", "c", "b"));
  l = make();
  EXPECT_EQ(l.remove("a", 100), 4u);
  EXPECT_EQ(l.remove("zz", 0), 0u);
  EXPECT_EQ(l.remove("b", INT64_MIN), 2u);
  EXPECT_THAT(contents(l), ElementsAre("c"));
  EXPECT_EQ(l.remove("c", -1), 1u);
  EXPECT_TRUE(l.empty());
  EXPECT_TRUE(l.valid());
}

TEST(ListTest, RemoveAcrossManyNodesMergesWhatIsLeft) {
  List l;
  for (int i = 0; i < 50000; ++i) l.push_back(i % 10 == 0 ? "keep" + std::to_string(i) : "drop");
  const size_t nodes = l.node_count();
  EXPECT_EQ(l.remove("drop", 0), 45000u);
  ASSERT_TRUE(l.valid());
  EXPECT_EQ(l.size(), 5000u);
  EXPECT_LT(l.node_count(), nodes / 2);
  for (int i = 0; i < 5000; i += 101) EXPECT_EQ(l.at(i), "keep" + std::to_string(i * 10));
}

TEST(ListTest, TrimFollowsLtrim) {
  auto make = [] {
    List l;
    for (int i = 0; i < 10; ++i) l.push_back(std::to_string(i));
    return l;
  };
  List l = make();
  l.trim(2, 4);
  EXPECT_THAT(contents(l), ElementsAre("2", "3", "4"));
  l = make();
  l.trim(7, 100);  // stop past the end is clamped
  EXPECT_THAT(contents(l), ElementsAre("7", "8", "9"));
  l = make();
  l.trim(5, 4);
  EXPECT_TRUE(l.empty());
  l = make();
  l.trim(10, 20);
  EXPECT_TRUE(l.empty());
  l = make();
  l.trim(0, 9);
  EXPECT_EQ(l.size(), 10u);
  EXPECT_EQ(l.memory_usage(), make().memory_usage());
  EXPECT_TRUE(l.valid());
}

TEST(ListTest, TrimAcrossNodesReleasesMemory) {
  List l;
  for (uint64_t i = 0; i < 100000; ++i) l.push_back(element(i));
  const size_t full = l.memory_usage();
  l.trim(50000, 50009);
  ASSERT_TRUE(l.valid());
  ASSERT_EQ(l.size(), 10u);
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(l.at(i), element(50000 + i));
  EXPECT_LT(l.memory_usage(), full / 100);
}

TEST(ListTest, ForEachAndScans) {
  List l;
  for (int i = 0; i < 3000; ++i) l.push_back(std::to_string(i));
  std::vector<std::string> seen;
  l.for_each(1234, 2345, [&](std::string_view v) { seen.emplace_back(v); });
  ASSERT_EQ(seen.size(), 2345u - 1234u + 1);
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], std::to_string(1234 + i));

  seen.clear();
  l.for_each(2999, 2999, [&](std::string_view v) { seen.emplace_back(v); });
  EXPECT_THAT(seen, ElementsAre("2999"));

  // Forward from 10 until "20" is seen: 11 calls.
  seen.clear();
  size_t calls = l.scan_forward(10, [&](std::string_view v) {
    seen.emplace_back(v);
    return v != "20";
  });
  EXPECT_EQ(calls, 11u);
  EXPECT_EQ(seen.back(), "20");
  EXPECT_EQ(l.scan_forward(0, [](std::string_view) { return true; }), 3000u);
  EXPECT_EQ(l.scan_forward(2990, [](std::string_view) { return true; }), 10u);

  // Backward from 2500 to 0 visits every element once, in descending order.
  int expect = 2500;
  calls = l.scan_backward(2500, [&](std::string_view v) {
    EXPECT_EQ(v, std::to_string(expect--));
    return true;
  });
  EXPECT_EQ(calls, 2501u);
  EXPECT_EQ(expect, -1);
  calls = l.scan_backward(2999, [](std::string_view v) { return v != "2990"; });
  EXPECT_EQ(calls, 10u);
}

TEST(ListTest, IteratorAt) {
  List l;
  for (int i = 0; i < 2000; ++i) l.push_front(std::to_string(i));
  auto it = l.iterator_at(1000);
  EXPECT_EQ(*it, "999");
  ++it;
  EXPECT_EQ(*it, "998");
  --it;
  --it;
  EXPECT_EQ(*it, "1000");
  EXPECT_TRUE(l.iterator_at(2000) == l.end());
  EXPECT_EQ(*--l.end(), "0");
  EXPECT_EQ(contents_reversed(l).front(), "0");
}

TEST(ListTest, CopyIsDeepAndMoveEmptiesTheSource) {
  List a;
  for (uint64_t i = 0; i < 20000; ++i) a.push_back(element(i));
  List b(a);
  ASSERT_TRUE(b.valid());
  EXPECT_EQ(contents(a), contents(b));
  b.set(5, "changed");
  b.pop_front();
  EXPECT_EQ(a.at(5), element(5));
  EXPECT_EQ(a.size(), 20000u);
  // A copy is allocated to fit, so never bigger than the original.
  List c(a);
  EXPECT_LE(c.memory_usage(), a.memory_usage());

  List d;
  d.push_back("old");
  d = a;
  EXPECT_EQ(contents(d), contents(a));
  List& same = d;
  d = same;  // self-assignment keeps the contents
  EXPECT_EQ(d.size(), a.size());

  List e(std::move(d));
  EXPECT_EQ(e.size(), 20000u);
  EXPECT_TRUE(d.empty());  // NOLINT(bugprone-use-after-move): documented
  EXPECT_EQ(d.memory_usage(), 0u);
  EXPECT_TRUE(d.valid());
  d.push_back("reusable");
  EXPECT_EQ(d.front(), "reusable");

  List f;
  f.push_back("x");
  f = std::move(e);
  EXPECT_EQ(contents(f), contents(a));
  EXPECT_TRUE(e.empty());  // NOLINT(bugprone-use-after-move)
}

// LMOVE of a list onto itself, or LSET from another index, hands the list views of itself.
TEST(ListTest, ValuesThatPointIntoTheListItself) {
  List l;
  for (int i = 0; i < 3; ++i) l.push_back(std::string(40, static_cast<char>('a' + i)));
  for (int i = 0; i < 200; ++i) {
    l.push_front(l.back());
    l.push_back(l.front());
  }
  ASSERT_TRUE(l.valid());
  EXPECT_EQ(l.size(), 403u);
  EXPECT_EQ(l.front(), std::string(40, 'c'));
  // Within one node, growing the element so the node must move.
  List one;
  one.push_back("abcdefgh");
  one.push_back("ij");
  for (int i = 0; i < 6; ++i) one.set(1, std::string(one.at(0)) + std::string(one.at(1)));
  one.set(0, one.at(1));
  EXPECT_EQ(one.at(0), one.at(1));
  EXPECT_EQ(one.at(0).size(), 6 * 8 + 2u);
  List m;
  std::deque<std::string> ref;
  for (int i = 0; i < 300; ++i) {
    m.push_back(std::string(30, static_cast<char>('a' + i % 26)));
    ref.push_back(std::string(30, static_cast<char>('a' + i % 26)));
  }
  for (size_t i = 0; i < 300; ++i) {
    m.insert(150, m.at(i));
    ref.insert(ref.begin() + 150, ref[i]);
    m.set(10, m.at(200 + i));
    ref[10] = ref[200 + i];
  }
  ASSERT_TRUE(m.valid());
  ASSERT_THAT(contents(m), ElementsAreArray(ref));
  const auto expect = static_cast<size_t>(std::count(ref.begin(), ref.end(), ref.front()));
  EXPECT_EQ(m.remove(m.front(), 0), expect);
  EXPECT_TRUE(m.valid());
  EXPECT_EQ(m.size(), ref.size() - expect);
}

TEST(ListTest, SmallListIsOneSmallNode) {
  List l;
  l.push_back("hello");
  EXPECT_EQ(l.node_count(), 1u);
  // One exactly sized node: header plus 7 bytes, rounded up by malloc.
  EXPECT_LE(l.memory_usage(), 32u + 7u + 16u);
  l.push_back("world");
  l.push_front("hi");
  EXPECT_EQ(l.node_count(), 1u);
  EXPECT_LE(l.memory_usage(), 32u + 64u);
}

TEST(ListTest, LongListsCostTheirPackedBytes) {
  constexpr size_t kN = 100000;
  List l;
  for (size_t i = 0; i < kN; ++i) l.push_back("value:" + std::to_string(1000 + i % 9000));  // 10 B
  // 12 bytes per element packed; node headers and end-node slack add well under 2%.
  const double per_element = static_cast<double>(l.memory_usage()) / kN;
  EXPECT_GE(per_element, 12.0);
  EXPECT_LE(per_element, 12.2);

  List r;
  for (size_t i = 0; i < kN; ++i) r.push_front("value:" + std::to_string(1000 + i % 9000));
  EXPECT_LE(static_cast<double>(r.memory_usage()) / kN, 12.2);
}

TEST(ListTest, MemoryShrinksAsElementsLeave) {
  List l;
  for (int i = 0; i < 100000; ++i) l.push_back("some element of thirty bytes!!");
  const size_t full = l.memory_usage();
  for (int i = 0; i < 90000; ++i) l.pop_front();
  EXPECT_LT(l.memory_usage(), full / 9);
  for (int i = 0; i < 9990; ++i) l.pop_back();
  ASSERT_EQ(l.size(), 10u);
  EXPECT_LT(l.memory_usage(), 1024u);
  // Erasing from the middle shrinks too.
  for (int i = 0; i < 100000; ++i) l.push_back(std::to_string(i));
  const size_t before = l.memory_usage();
  for (int i = 0; i < 50000; ++i) l.erase(l.size() / 2);
  EXPECT_LT(l.memory_usage(), before * 6 / 10);
  ASSERT_TRUE(l.valid());
}

// A queue that never holds more than a few elements must not creep in memory however long it runs.
TEST(ListTest, SteadyQueueStaysSmall) {
  List l;
  size_t peak = 0;
  for (int i = 0; i < 200000; ++i) {
    l.push_back(std::to_string(i));
    if (l.size() > 20) l.pop_front();
    peak = std::max(peak, l.memory_usage());
  }
  EXPECT_LT(peak, 1024u);
  List s;  // the same from the other end
  for (int i = 0; i < 200000; ++i) {
    s.push_front(std::to_string(i));
    if (s.size() > 20) s.pop_back();
    peak = std::max(peak, s.memory_usage());
  }
  EXPECT_LT(peak, 1024u);
}

// Every operation, at random, against std::deque<std::string>. Each op is chosen by weight; the
// grow/shrink phases swap the push and pop weights so the list keeps passing through every size
// from empty to many nodes.
struct Mix {
  int push_back, push_front, pop_front, pop_back, at, set, insert, erase, remove, trim, for_each,
      scan;
  int huge_percent;  // values of 100..20000 bytes, which get nodes of their own
  int phase_steps;
};

void run_differential(uint64_t seed, int steps, const Mix& mix) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return static_cast<size_t>(rng() % n); };
  // Mostly a small pool of short values, so that remove() finds matches.
  auto value = [&]() -> std::string {
    const size_t r = pick(100);
    if (r < static_cast<size_t>(mix.huge_percent)) {
      return std::string(100 + pick(20000), static_cast<char>('A' + pick(3)));
    }
    if (r < 5) return std::string(pick(300), '\0');
    if (r < 20) return std::to_string(rng());
    return "v" + std::to_string(pick(32));
  };
  List l;
  std::deque<std::string> ref;
  size_t max_size = 0, max_nodes = 0;
  for (int step = 0; step < steps; ++step) {
    const bool grow = (step / mix.phase_steps) % 2 == 0;
    const int weights[] = {grow ? mix.push_back : mix.pop_back,
                           grow ? mix.push_front : mix.pop_front,
                           grow ? mix.pop_front : mix.push_front,
                           grow ? mix.pop_back : mix.push_back,
                           mix.at,
                           mix.set,
                           grow ? mix.insert : mix.erase,
                           grow ? mix.erase : mix.insert,
                           mix.remove,
                           mix.trim,
                           mix.for_each,
                           mix.scan};
    int total = 0;
    for (int w : weights) total += w;
    int r = static_cast<int>(pick(static_cast<uint64_t>(total)));
    int op = 0;
    while (r >= weights[op]) r -= weights[op++];
    const size_t n = ref.size();
    switch (op) {
      case 0: {
        std::string v = value();
        l.push_back(v);
        ref.push_back(v);
        break;
      }
      case 1: {
        std::string v = value();
        l.push_front(v);
        ref.push_front(v);
        break;
      }
      case 2:
        if (n == 0) break;
        ASSERT_EQ(l.pop_front(), ref.front()) << "step " << step;
        ref.pop_front();
        break;
      case 3:
        if (n == 0) break;
        ASSERT_EQ(l.pop_back(), ref.back()) << "step " << step;
        ref.pop_back();
        break;
      case 4: {
        if (n == 0) break;
        size_t i = pick(n);
        ASSERT_EQ(l.at(i), ref[i]) << "step " << step;
        ASSERT_EQ(l.front(), ref.front());
        ASSERT_EQ(l.back(), ref.back());
        break;
      }
      case 5: {
        if (n == 0) break;
        size_t i = pick(n);
        std::string v = value();
        l.set(i, v);
        ref[i] = v;
        break;
      }
      case 6: {
        size_t i = pick(n + 1);
        std::string v = value();
        l.insert(i, v);
        ref.insert(ref.begin() + static_cast<ptrdiff_t>(i), v);
        break;
      }
      case 7: {
        if (n == 0) break;
        size_t i = pick(n);
        l.erase(i);
        ref.erase(ref.begin() + static_cast<ptrdiff_t>(i));
        break;
      }
      case 8: {
        const std::string v = "v" + std::to_string(pick(32));
        const int64_t count = static_cast<int64_t>(pick(5)) - 2;
        size_t expect = 0;
        if (count >= 0) {
          const size_t budget = count == 0 ? SIZE_MAX : static_cast<size_t>(count);
          for (auto it = ref.begin(); it != ref.end() && expect < budget;) {
            if (*it == v) {
              it = ref.erase(it);
              ++expect;
            } else {
              ++it;
            }
          }
        } else {
          const size_t budget = static_cast<size_t>(-count);
          for (size_t i = ref.size(); i-- > 0 && expect < budget;) {
            if (ref[i] == v) {
              ref.erase(ref.begin() + static_cast<ptrdiff_t>(i));
              ++expect;
            }
          }
        }
        ASSERT_EQ(l.remove(v, count), expect) << "step " << step;
        break;
      }
      case 9: {
        size_t start = pick(n + 2), stop = pick(n + 2);
        if (n > 0 && (grow || pick(10) != 0)) {  // mostly shave a few off each end
          start = pick(3);
          stop = n - 1 - pick(std::min<size_t>(n, 3));
        }
        l.trim(start, stop);
        if (start > stop || start >= n) {
          ref.clear();
        } else {
          stop = std::min(stop, n - 1);
          ref.erase(ref.begin() + static_cast<ptrdiff_t>(stop) + 1, ref.end());
          ref.erase(ref.begin(), ref.begin() + static_cast<ptrdiff_t>(start));
        }
        break;
      }
      case 10: {
        if (n == 0) break;
        size_t a = pick(n), b = std::min(n - 1, a + pick(300));
        size_t i = a;
        l.for_each(a, b, [&](std::string_view v) { ASSERT_EQ(v, ref[i++]); });
        ASSERT_EQ(i, b + 1);
        break;
      }
      case 11: {
        if (n == 0) break;
        const size_t start = pick(n);
        const size_t limit = pick(300);
        size_t i = start;
        size_t calls = l.scan_backward(start, [&](std::string_view v) {
          EXPECT_EQ(v, ref[i]);
          if (i == 0 || start - i == limit) return false;
          --i;
          return true;
        });
        ASSERT_EQ(calls, start - i + 1);
        i = start;
        calls = l.scan_forward(start, [&](std::string_view v) {
          EXPECT_EQ(v, ref[i]);
          return ++i - start <= limit;
        });
        ASSERT_EQ(calls, i - start);
        break;
      }
    }
    ASSERT_EQ(l.size(), ref.size()) << "step " << step;
    max_size = std::max(max_size, ref.size());
    if (step % 2000 == 0) {
      max_nodes = std::max(max_nodes, l.node_count());
      ASSERT_TRUE(l.valid()) << "step " << step;
    }
    if (step % 10000 == 0) {
      ASSERT_EQ(contents(l), std::vector<std::string>(ref.begin(), ref.end())) << "step " << step;
    }
  }
  ASSERT_TRUE(l.valid());
  EXPECT_EQ(contents(l), std::vector<std::string>(ref.begin(), ref.end()));
  EXPECT_EQ(contents_reversed(l), std::vector<std::string>(ref.rbegin(), ref.rend()));
  // The run must have exercised long lists, not just small ones.
  EXPECT_GT(max_size, 3000u);
  EXPECT_GT(max_nodes, 5u);
}

// Mostly the ends, as queues and stacks use a list, with some of everything else.
TEST(ListTest, DifferentialAgainstDequeAtTheEnds) {
  run_differential(20240607, 200000,
                   {.push_back = 30,
                    .push_front = 30,
                    .pop_front = 8,
                    .pop_back = 8,
                    .at = 6,
                    .set = 4,
                    .insert = 4,
                    .erase = 3,
                    .remove = 2,
                    .trim = 1,
                    .for_each = 2,
                    .scan = 2,
                    .huge_percent = 1,
                    .phase_steps = 25000});
}

// Mostly the middle of long lists of short values: node splits, merges and in-node moves.
TEST(ListTest, DifferentialAgainstDequeInTheMiddle) {
  run_differential(7, 150000,
                   {.push_back = 10,
                    .push_front = 10,
                    .pop_front = 2,
                    .pop_back = 2,
                    .at = 10,
                    .set = 15,
                    .insert = 25,
                    .erase = 12,
                    .remove = 1,
                    .trim = 0,
                    .for_each = 3,
                    .scan = 3,
                    .huge_percent = 0,
                    .phase_steps = 40000});
}

}  // namespace
}  // namespace basalt

namespace basalt {
namespace {

// list-max-listpack-size: byte limits per level, count limits, and the default restored.
class ListNodeSizeTest : public ::testing::Test {
 protected:
  void TearDown() override { List::set_node_size(-2); }
  static size_t nodes_after(int64_t fill, size_t n, size_t len, bool front) {
    List::set_node_size(fill);
    List l;
    const std::string v(len, 'x');
    for (size_t i = 0; i < n; ++i) {
      if (front) {
        l.push_front(v);
      } else {
        l.push_back(v);
      }
    }
    EXPECT_TRUE(l.valid());
    return l.node_count();
  }
};

TEST_F(ListNodeSizeTest, NegativeFillsSetTheNodeBytes) {
  // 10-byte elements take 12 bytes packed: 4 KiB nodes hold about 338, 64 KiB about 5458.
  const size_t n = 20000;
  const size_t four = nodes_after(-1, n, 10, false);
  const size_t eight = nodes_after(-2, n, 10, false);
  const size_t sixty_four = nodes_after(-5, n, 10, true);
  EXPECT_NEAR(static_cast<double>(four), n * 12.0 / (4096 - 32), 2);
  EXPECT_NEAR(static_cast<double>(eight), n * 12.0 / (8192 - 32), 2);
  EXPECT_NEAR(static_cast<double>(sixty_four), n * 12.0 / (65536 - 32), 2);
  EXPECT_EQ(nodes_after(-100, n, 10, false), sixty_four) << "below -5 is -5";
}

TEST_F(ListNodeSizeTest, PositiveFillsCountElements) {
  EXPECT_EQ(nodes_after(5, 100, 3, false), 20u);
  EXPECT_EQ(nodes_after(5, 100, 3, true), 20u);
  EXPECT_EQ(nodes_after(1, 10, 3, true), 10u);
  EXPECT_EQ(nodes_after(0, 10, 3, false), 10u) << "0 holds one element, as 1";
  // The 8 KiB limit still applies to a count: 1000-byte elements, 8 to a node.
  EXPECT_EQ(nodes_after(100, 80, 1000, false), 10u);
  // Inserts in the middle respect the count too.
  List::set_node_size(4);
  List l;
  for (int i = 0; i < 8; ++i) l.push_back("a");
  l.insert(4, "b");
  l.insert(2, "c");
  EXPECT_TRUE(l.valid());
  EXPECT_EQ(l.size(), 10u);
  EXPECT_GE(l.node_count(), 3u);
  EXPECT_EQ(l.at(2), "c");
  EXPECT_EQ(l.at(5), "b");
}

// A list filled under a bigger limit stays valid after the limit shrinks.
TEST_F(ListNodeSizeTest, ShrinkingTheLimitKeepsExistingNodesValid) {
  List::set_node_size(-5);
  List l;
  for (int i = 0; i < 10000; ++i) l.push_back("element");
  List::set_node_size(-1);
  for (int i = 0; i < 1000; ++i) l.push_front("more");
  l.insert(5000, "middle");
  EXPECT_TRUE(l.valid());
  EXPECT_EQ(l.size(), 11001u);
  EXPECT_EQ(l.at(5000), "middle");
}

}  // namespace
}  // namespace basalt
