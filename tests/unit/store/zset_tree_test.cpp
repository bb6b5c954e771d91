#include "store/zset_tree.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace basalt {
namespace {

using Key = std::pair<double, std::string>;

// The tree beside the std::set it must equal, owning the members both name.
struct Model {
  ZSetTree tree;
  std::set<Key> order;
  std::map<std::string, ZMember*> members;

  ~Model() {
    for (auto& [_, z] : members) std::free(z);
  }
  void add(const std::string& m, double score) {
    ZMember* z = ZMember::make(m, score);
    members[m] = z;
    order.emplace(score, m);
    tree.insert(z);
  }
  void remove(const std::string& m) {
    ZMember* z = members.at(m);
    tree.erase(z);
    order.erase({z->score, m});
    members.erase(m);
    std::free(z);
  }
  void rescore(const std::string& m, double score) {
    ZMember* z = members.at(m);
    order.erase({z->score, m});
    order.emplace(score, m);
    tree.rescore(z, score);
  }
  std::vector<Key> walk() const {
    std::vector<Key> out;
    for (auto p = tree.first(); p; p = ZSetTree::next(p))
      out.emplace_back(p.get()->score, std::string(p.get()->member()));
    return out;
  }
  std::vector<Key> walk_back() const {
    std::vector<Key> out;
    for (auto p = tree.last(); p; p = ZSetTree::prev(p))
      out.emplace_back(p.get()->score, std::string(p.get()->member()));
    return out;
  }
};

void expect_same(const Model& m) {
  ASSERT_TRUE(m.tree.valid());
  ASSERT_EQ(m.tree.size(), m.order.size());
  const std::vector<Key> want(m.order.begin(), m.order.end());
  ASSERT_EQ(m.walk(), want);
  ASSERT_EQ(m.walk_back(), std::vector<Key>(want.rbegin(), want.rend()));
}

TEST(ZSetTreeTest, RandomOperationsMatchAnOrderedSet) {
  Model m;
  std::mt19937_64 rng(7);
  // Few distinct scores, so ties fall to the member bytes often, and sizes that pass through
  // several heights as the set grows and shrinks.
  for (int step = 0; step < 60000; ++step) {
    const std::string name = "m" + std::to_string(rng() % 3000);
    const double score = static_cast<double>(rng() % 50);
    const auto it = m.members.find(name);
    const int phase = (step / 15000) % 2;  // grow, then shrink
    const uint64_t dice = rng() % 10;
    if (it == m.members.end()) {
      if (phase == 0 || dice < 3) m.add(name, score);
    } else if (dice < (phase == 0 ? 3u : 7u)) {
      m.remove(name);
    } else {
      m.rescore(name, dice < 8 ? it->second->score + 0.5 : score);
    }
    if (step % 997 == 0) expect_same(m);
  }
  expect_same(m);
  // Ranks both ways.
  size_t r = 0;
  for (const Key& k : m.order) {
    ASSERT_EQ(m.tree.rank(m.members.at(k.second)), r);
    const auto p = m.tree.at(r);
    ASSERT_EQ(p.get()->member(), k.second);
    ++r;
  }
  // first_not by score: the first member at or above each bound, with its rank.
  for (double bound = -1; bound <= 51; bound += 0.25) {
    size_t rank = 0;
    const auto p = m.tree.first_not([&](double s, const ZMember*) { return s < bound; }, &rank);
    const auto want = m.order.lower_bound({bound, ""});
    ASSERT_EQ(rank, static_cast<size_t>(std::distance(m.order.begin(), want)));
    if (want == m.order.end()) {
      EXPECT_FALSE(p);
    } else {
      ASSERT_TRUE(p);
      EXPECT_EQ(p.get()->member(), want->second);
    }
  }
}

TEST(ZSetTreeTest, EmptiesAndGrowsAgain) {
  Model m;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5000; ++i) m.add("k" + std::to_string(i), (i * 7919) % 5000);
    expect_same(m);
    for (int i = 0; i < 5000; ++i) m.remove("k" + std::to_string((i * 31) % 5000));
    expect_same(m);
    EXPECT_EQ(m.tree.size(), 0u);
    EXPECT_FALSE(m.tree.first());
  }
}

// Members added in order (a load, rising scores) or in reverse fill their leaves, instead of
// leaving each one half empty; random order leaves them about three-quarters full.
TEST(ZSetTreeTest, InOrderLoadsFillTheirLeaves) {
  const size_t n = 100000;
  const size_t full = (n + ZSetTree::kLeafCap - 1) / ZSetTree::kLeafCap;
  for (int dir = 0; dir < 2; ++dir) {
    Model m;
    for (size_t i = 0; i < n; ++i) {
      m.add("k" + std::to_string(i), static_cast<double>(dir == 0 ? i : n - i));
    }
    size_t leaves = 0;
    const ZSetTree::Leaf* last = nullptr;
    for (auto p = m.tree.first(); p; p = ZSetTree::next(p)) {
      if (p.leaf != last) ++leaves;
      last = p.leaf;
    }
    EXPECT_LE(leaves, full + full / 10) << "direction " << dir;
    EXPECT_TRUE(m.tree.valid());
  }
}

}  // namespace
}  // namespace basalt
