#include "store/dict.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace basalt {
namespace {

Entry* make(const std::string& key, const std::string& value = "v") {
  return Entry::create(key, Value(value));
}

TEST(Dict, InsertFindUnlink) {
  Dict d(1);
  EXPECT_EQ(d.find("a"), nullptr);
  d.insert(make("a", "1"));
  d.insert(make("b", "2"));
  ASSERT_NE(d.find("a"), nullptr);
  EXPECT_EQ(d.find("a")->value.str(), "1");
  EXPECT_EQ(d.size(), 2u);
  Entry* e = d.unlink("a");
  ASSERT_NE(e, nullptr);
  Entry::destroy(e);
  EXPECT_EQ(d.find("a"), nullptr);
  EXPECT_EQ(d.unlink("a"), nullptr);
  EXPECT_EQ(d.size(), 1u);
}

TEST(Dict, BinaryKeysWithNulBytesAreDistinct) {
  Dict d(1);
  d.insert(make(std::string("a\0b", 3), "x"));
  d.insert(make(std::string("a\0c", 3), "y"));
  EXPECT_EQ(d.find(std::string("a\0b", 3))->value.str(), "x");
  EXPECT_EQ(d.find(std::string("a\0c", 3))->value.str(), "y");
  EXPECT_EQ(d.find("a"), nullptr);
}

TEST(Dict, GrowsIncrementallyAndEveryKeyStaysReachable) {
  Dict d(7);
  constexpr int kN = 50000;
  bool saw_rehash = false;
  for (int i = 0; i < kN; ++i) {
    d.insert(make("key:" + std::to_string(i)));
    saw_rehash |= d.rehashing();
    // While a resize is under way, lookups must search both tables.
    if (i % 97 == 0) {
      ASSERT_NE(d.find("key:" + std::to_string(i / 2)), nullptr);
    }
  }
  EXPECT_TRUE(saw_rehash);
  EXPECT_EQ(d.size(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; ++i) ASSERT_NE(d.find("key:" + std::to_string(i)), nullptr) << i;
  // No single insert moved the whole table: at most one bucket per operation plus cron steps.
  while (d.rehash(100)) {
  }
  EXPECT_GE(d.buckets(), static_cast<size_t>(kN));
}

TEST(Dict, DenseTableWaitsUntilTheDenseLoad) {
  // A full table of 1024 buckets inserted into densely (under a memory cap) keeps its size until
  // it holds 1.618 keys a bucket, then grows.
  Dict d(5);
  for (int i = 0; i < 1024; ++i) d.insert(make("k" + std::to_string(i)));
  while (d.rehash(100)) {
  }
  ASSERT_EQ(d.buckets(), 1024u);
  int i = 1024;
  for (; i < 1657; ++i) {
    d.insert(make("k" + std::to_string(i)), /*dense=*/true);
    ASSERT_FALSE(d.rehashing()) << i;
  }
  EXPECT_EQ(d.buckets(), 1024u);
  d.insert(make("k" + std::to_string(i++)), true);
  EXPECT_TRUE(d.rehashing());
  // Keys go on arriving while the resize moves a bucket per insert; by the insert whose step
  // ends it, the new table is full, and that insert is dense too (it must not grow at once).
  for (; d.rehashing(); ++i) d.insert(make("k" + std::to_string(i)), true);
  EXPECT_EQ(d.buckets(), 2048u);
  ASSERT_GE(d.size(), 2048u);
  for (; d.size() < 3313; ++i) {
    d.insert(make("k" + std::to_string(i)), true);
    ASSERT_EQ(d.buckets(), 2048u) << i;
  }
  for (int k = 0; k < i; ++k) ASSERT_NE(d.find("k" + std::to_string(k)), nullptr) << k;
  // Not dense, a full table grows at once.
  d.insert(make("k" + std::to_string(i++)));
  EXPECT_TRUE(d.rehashing());
}

TEST(Dict, ShrinksWhenSparse) {
  Dict d(3);
  for (int i = 0; i < 10000; ++i) d.insert(make(std::to_string(i)));
  while (d.rehash(100)) {
  }
  size_t big = d.buckets();
  for (int i = 0; i < 9990; ++i) Entry::destroy(d.unlink(std::to_string(i)));
  d.shrink_if_sparse();
  while (d.rehash(100)) {
  }
  EXPECT_LT(d.buckets(), big / 100);
  for (int i = 9990; i < 10000; ++i) EXPECT_NE(d.find(std::to_string(i)), nullptr);
}

// Redis's SCAN guarantee: a key present for the whole iteration is returned at least once, even
// if the table grows or shrinks between calls.
// The same with scan_while (a snapshot's walk), a few buckets a call.
TEST(Dict, ScanReturnsEveryStableKeyAcrossResizes) {
  for (int scenario = 0; scenario < 4; ++scenario) {
    const bool batched = scenario >= 2;
    Dict d(11);
    std::set<std::string> stable;
    for (int i = 0; i < 2000; ++i) {
      std::string k = "stable:" + std::to_string(i);
      d.insert(make(k));
      stable.insert(k);
    }
    if (scenario % 2 == 1) {
      for (int i = 0; i < 30000; ++i) d.insert(make("churn:" + std::to_string(i)));
      while (d.rehash(100)) {
      }
    }
    std::set<std::string> seen;
    uint64_t cursor = 0;
    int step = 0, churn = 0;
    do {
      auto visit = [&](Entry* e) { seen.insert(std::string(e->key())); };
      int buckets = 0;
      cursor = batched ? d.scan_while(cursor, visit, [&] { return ++buckets < 7; })
                       : d.scan(cursor, visit);
      // Between calls: grow (scenarios 0 and 2) or shrink (1 and 3) the table.
      if (scenario % 2 == 0) {
        // Grow by 16x over the scan (several doublings), then let the scan catch up.
        for (int j = 0; j < 50 && churn < 30000; ++j)
          d.insert(make("grow:" + std::to_string(churn++)));
      } else {
        for (int j = 0; j < 200 && churn < 30000; ++j)
          Entry::destroy(d.unlink("churn:" + std::to_string(churn++)));
        d.shrink_if_sparse();
      }
      d.rehash(3);
      ++step;
    } while (cursor != 0 && step < 1'000'000);
    ASSERT_EQ(cursor, 0u) << "scan did not finish";
    for (const auto& k : stable) ASSERT_TRUE(seen.count(k)) << k << " scenario " << scenario;
  }
}

// scan_while is scan() called again while more() says so, whatever it prefetches: on a table
// not being resized, the same keys in the same order and the same cursor after each call, for
// any number of buckets a call, from the walk's start to its end.
TEST(Dict, ScanWhileWalksAsScanDoes) {
  for (int keys : {0, 1, 5, 100, 5000}) {
    Dict d(21);
    for (int i = 0; i < keys; ++i) d.insert(make("k" + std::to_string(i)));
    while (d.rehash(100)) {
    }
    std::vector<std::string> by_scan;
    std::vector<uint64_t> cursors;  // after each bucket
    uint64_t cursor = 0;
    do {
      cursor = d.scan(cursor, [&](Entry* e) { by_scan.emplace_back(e->key()); });
      cursors.push_back(cursor);
    } while (cursor != 0);
    for (size_t per_call : {size_t{1}, size_t{3}, size_t{64}, SIZE_MAX}) {
      std::vector<std::string> by_while;
      size_t buckets_done = 0;
      cursor = 0;
      do {
        size_t buckets = 1;
        cursor = d.scan_while(
            cursor, [&](Entry* e) { by_while.emplace_back(e->key()); },
            [&] { return buckets < per_call && (++buckets, true); });
        buckets_done += buckets;
        if (keys > 0) {
          ASSERT_LE(buckets_done, cursors.size());
          ASSERT_EQ(cursor, cursors[buckets_done - 1]) << keys << " keys, " << per_call;
        }
      } while (cursor != 0);
      EXPECT_EQ(by_while, by_scan) << keys << " keys, " << per_call << " buckets a call";
      EXPECT_EQ(by_while.size(), static_cast<size_t>(keys));
    }
  }
}

// Eviction's samples: distinct keys of the table in each call, every key in some call, also
// while the table grows between and during calls (sample draws its starts ahead).
TEST(Dict, SampleReturnsDistinctLiveKeysAndReachesEveryKey) {
  Dict d(17);
  std::mt19937_64 rng(3);
  Entry* out[64];
  EXPECT_EQ(d.sample(rng, out, 5), 0u);
  std::set<std::string> live, seen;
  int next = 0;
  for (int call = 0; call < 20000; ++call) {
    if (call % 4 == 0 && next < 3000) {
      const std::string key = "k" + std::to_string(next++);
      d.insert(make(key));
      live.insert(key);
    }
    const size_t want = call % 7 == 0 ? 64 : 5;
    const size_t got = d.sample(rng, out, want);
    ASSERT_LE(got, want);
    // Only a resize leaves stretches with no key in either table where a sample looks (as
    // Redis's dictGetSomeKeys, whose callers sample again).
    if (!d.rehashing()) {
      ASSERT_GT(got, 0u) << "call " << call;
    }
    std::set<std::string> in_call;
    for (size_t i = 0; i < got; ++i) {
      const std::string key(out[i]->key());
      ASSERT_TRUE(live.count(key)) << key;
      ASSERT_EQ(d.find(key), out[i]);
      ASSERT_TRUE(in_call.insert(key).second) << "twice in one sample: " << key;
      seen.insert(key);
    }
  }
  EXPECT_EQ(seen.size(), live.size());
}

TEST(Dict, RandomEntryCoversTheTable) {
  Dict d(5);
  for (int i = 0; i < 20; ++i) d.insert(make(std::to_string(i)));
  std::mt19937_64 rng(1);
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(std::string(d.random_entry(rng)->key()));
  EXPECT_EQ(seen.size(), 20u);
  Dict empty(5);
  EXPECT_EQ(empty.random_entry(rng), nullptr);
}

TEST(Dict, MatchesAReferenceMapUnderRandomOperations) {
  Dict d(99);
  std::unordered_map<std::string, std::string> ref;
  std::mt19937 rng(12345);
  for (int op = 0; op < 200000; ++op) {
    std::string k = "k" + std::to_string(rng() % 5000);
    switch (rng() % 3) {
      case 0:
        if (!ref.count(k)) {
          d.insert(make(k, k + "v"));
          ref[k] = k + "v";
        }
        break;
      case 1:
        if (Entry* e = d.unlink(k)) {
          Entry::destroy(e);
          ASSERT_EQ(ref.erase(k), 1u);
        } else {
          ASSERT_EQ(ref.count(k), 0u);
        }
        break;
      default: {
        Entry* e = d.find(k);
        ASSERT_EQ(e != nullptr, ref.count(k) == 1);
        if (e) {
          ASSERT_EQ(e->value.str(), ref[k]);
        }
      }
    }
    if (op % 1000 == 0) d.shrink_if_sparse();
  }
  EXPECT_EQ(d.size(), ref.size());
}

// Under a cap the table holds up to 1.618 keys a bucket, so most keys share a chain, and each
// bucket's filter of its keys must follow every key that joins or leaves it: a key removed from a
// chain is absent, its chain-mates are still found, a key added to it is found.
TEST(Dict, ChainedKeysStayFindableAsTheirChainsChange) {
  Dict d(11);
  std::set<std::string> present;
  for (int i = 0; i < 1600; ++i) {
    const std::string k = "k" + std::to_string(i);
    d.insert(make(k), /*dense=*/true);
    present.insert(k);
  }
  while (d.rehash(100)) {
  }
  ASSERT_EQ(d.buckets(), 1024u);
  std::mt19937 rng(77);
  for (int op = 0; op < 20000; ++op) {
    const std::string k = "k" + std::to_string(rng() % 3200);
    if (present.count(k)) {
      Entry* e = d.unlink(k);
      ASSERT_NE(e, nullptr) << k;
      Entry::destroy(e);
      present.erase(k);
      ASSERT_EQ(d.find(k), nullptr) << k;
    } else if (present.size() < 1650) {
      ASSERT_EQ(d.find(k), nullptr) << k;
      d.insert(make(k), /*dense=*/true);
      present.insert(k);
      ASSERT_NE(d.find(k), nullptr) << k;
    }
    if (op % 500 == 0) {
      for (int i = 0; i < 3200; ++i) {
        const std::string key = "k" + std::to_string(i);
        ASSERT_EQ(d.find(key) != nullptr, present.count(key) == 1) << key << " at op " << op;
      }
    }
  }
  EXPECT_EQ(d.buckets(), 1024u);
  EXPECT_EQ(d.size(), present.size());
}

// A key found behind others in its chain moves to the front, where the slot points (and the
// pipeline's prefetch of a bucket's first entry helps): the chain keeps every key, in the same
// bucket.
TEST(Dict, AFoundKeyMovesToTheFrontOfItsChain) {
  Dict d(13);
  for (int i = 0; i < 1600; ++i) d.insert(make("k" + std::to_string(i)), /*dense=*/true);
  while (d.rehash(100)) {
  }
  const uint64_t mask = d.buckets() - 1;
  int moved = 0;
  for (int i = 0; i < 1600; ++i) {
    const std::string key = "k" + std::to_string(i);
    const uint64_t bucket = d.key_hash(key) & mask;
    std::vector<std::string> before, after;
    d.scan(bucket, [&](Entry* e) { before.emplace_back(e->key()); });
    ASSERT_NE(d.find(key), nullptr) << key;
    d.scan(bucket, [&](Entry* e) { after.emplace_back(e->key()); });
    ASSERT_EQ(after.front(), key);
    if (before.front() != key) ++moved;
    ASSERT_EQ(std::multiset<std::string>(before.begin(), before.end()),
              std::multiset<std::string>(after.begin(), after.end()));
  }
  EXPECT_GT(moved, 400);  // 1600 keys in 1024 buckets: many share one
}

// Eviction's samples take whole chains, and of a chain longer than the room left its last
// entries, the keys read least recently (find moves the others to the front).
TEST(Dict, ASampleTakesTheTailOfAChainItCannotTakeWhole) {
  Dict d(17);
  for (int i = 0; i < 6; ++i) d.insert(make("k" + std::to_string(i)), /*dense=*/true);
  ASSERT_EQ(d.buckets(), 4u);  // 1.5 keys a bucket
  std::mt19937_64 rng(5);
  int from_long_chains = 0;
  for (int round = 0; round < 200; ++round) {
    Entry* out[1];
    ASSERT_EQ(d.sample(rng, out, 1), 1u);
    std::vector<std::string> chain;
    d.scan(d.key_hash(out[0]->key()) & 3, [&](Entry* e) { chain.emplace_back(e->key()); });
    ASSERT_EQ(chain.back(), out[0]->key());
    if (chain.size() > 1) ++from_long_chains;
    // Reading the sampled key moves it to the front; the next sample of that chain takes another.
    ASSERT_NE(d.find(out[0]->key()), nullptr);
  }
  EXPECT_GT(from_long_chains, 0);
}

// Prefetch hints only read: two identical tables caught mid-resize finish it in the same number
// of steps whether or not one of them took hints, also hints with hashes from another table, and
// hints on a table that has none allocated yet are harmless.
TEST(Dict, PrefetchHintsChangeNothing) {
  Dict empty(3);
  empty.prefetch_slots(empty.key_hash("k"));
  empty.prefetch_entries(12345);
  EXPECT_EQ(empty.find("k"), nullptr);

  Dict hinted(3), plain(3), other(4);
  int i = 0;
  while (!(i > 1000 && hinted.rehashing())) {
    const std::string key = "key:" + std::to_string(i++);
    hinted.insert(make(key));
    plain.insert(make(key));
  }
  ASSERT_TRUE(plain.rehashing());
  std::mt19937_64 rng(9);
  for (int k = 0; k < 5000; ++k) {
    const std::string key = "key:" + std::to_string(k);
    hinted.prefetch_slots(hinted.key_hash(key));
    hinted.prefetch_entries(hinted.key_hash(key));
    hinted.prefetch_entries(other.key_hash(key));
    hinted.prefetch_entries(rng());
  }
  int steps_hinted = 0, steps_plain = 0;
  while (hinted.rehash(1)) ++steps_hinted;
  while (plain.rehash(1)) ++steps_plain;
  EXPECT_EQ(steps_hinted, steps_plain);
  EXPECT_EQ(hinted.size(), static_cast<size_t>(i));
  for (int k = 0; k < i; ++k) ASSERT_NE(hinted.find("key:" + std::to_string(k)), nullptr);
}

}  // namespace
}  // namespace basalt
