// Each policy's choice of victim, on a manual clock, with memory counted as 100 bytes a key so
// that "over the cap" means "more keys than the cap allows".

#include "store/evict.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store.hpp"

namespace basalt {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr uint64_t kBytesPerKey = 100;

class KeyMeter final : public MemoryMeter {
 public:
  explicit KeyMeter(Store& store) : store_(store) {}
  uint64_t used() override { return store_.key_count() * kBytesPerKey; }

 private:
  Store& store_;
};

class Recorder final : public KeyspaceObserver {
 public:
  void on_key_modified(int, std::string_view) override {}
  void on_key_expired(int, std::string_view key) override { expired.emplace_back(key); }
  void on_key_evicted(int db, std::string_view key) override {
    evicted.push_back(std::to_string(db) + ":" + std::string(key));
  }
  void on_list_ready(int, std::string_view) override {}
  void on_db_flushed(int) override {}
  std::vector<std::string> evicted;
  std::vector<std::string> expired;
};

// Monotonic time moves 10 us at every reading, so time boxes run out.
class TickingClock final : public Clock {
 public:
  int64_t now_ms() const override { return 1'700'000'000'000; }
  int64_t monotonic_us() const override { return mono_us_ += 10; }

 private:
  mutable int64_t mono_us_ = 0;
};

class EvictTest : public ::testing::Test {
 protected:
  EvictTest() : store_(2, clock_, 7), meter_(store_), evictor_(store_) {
    store_.set_observer(&recorder_);
  }

  void add(std::string_view key, int db = 0) {
    store_.refresh_time();
    store_.db(db).add(key, Value("v"));
  }
  void read(std::string_view key, int db = 0) {
    store_.refresh_time();
    ASSERT_NE(store_.db(db).find_read(key), nullptr) << key;
  }
  void advance_s(int s) {
    clock_.advance_ms(s * 1000);
    store_.refresh_time();
  }
  EvictionResult evict_to(size_t keys, EvictionPolicy policy, int samples = 64) {
    EvictionParams params;
    params.maxmemory = keys * kBytesPerKey;
    params.policy = policy;
    params.samples = samples;
    params.tenacity = 100;
    store_.set_access_policy(policy_is_lfu(policy), 10, 1);
    return evictor_.perform(params, meter_);
  }

  ManualClock clock_;
  Store store_;
  KeyMeter meter_;
  Evictor evictor_;
  Recorder recorder_;
};

TEST_F(EvictTest, UnderTheCapOrNoCapEvictsNothing) {
  add("a");
  EXPECT_EQ(evict_to(1, EvictionPolicy::kAllKeysLru), EvictionResult::kOk);
  EvictionParams none;
  none.policy = EvictionPolicy::kAllKeysLru;
  EXPECT_EQ(evictor_.perform(none, meter_), EvictionResult::kOk);
  EXPECT_TRUE(recorder_.evicted.empty());
}

TEST_F(EvictTest, NoEvictionFailsAndKeepsKeys) {
  add("a");
  add("b");
  EXPECT_EQ(evict_to(1, EvictionPolicy::kNoEviction), EvictionResult::kFail);
  EXPECT_EQ(store_.key_count(), 2u);
  EXPECT_EQ(store_.stats().evicted_keys, 0u);
}

TEST_F(EvictTest, LruEvictsTheLeastRecentlyUsed) {
  store_.set_access_policy(false, 10, 1);
  for (int i = 0; i < 6; ++i) {
    add("k" + std::to_string(i));
    advance_s(10);
  }
  read("k0");  // now the most recent
  EXPECT_EQ(evict_to(4, EvictionPolicy::kAllKeysLru), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:k1", "0:k2"));
  EXPECT_EQ(store_.stats().evicted_keys, 2u);
  EXPECT_EQ(store_.idle_ms(store_.db(0).peek("k0")), 0);
  EXPECT_EQ(store_.idle_ms(store_.db(0).peek("k3")), 30'000);
}

TEST_F(EvictTest, AKeyReadSinceItWasSampledIsNotEvictedOnItsOldScore) {
  // The pool outlives a call: k1 enters it 20 s idle, then is read. Redis would still evict it
  // first on that stale score; its current one puts it last.
  store_.set_access_policy(false, 10, 1);
  for (int i = 0; i < 4; ++i) {
    add("k" + std::to_string(i));
    advance_s(10);
  }
  EXPECT_EQ(evict_to(3, EvictionPolicy::kAllKeysLru), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:k0"));
  read("k1");
  EXPECT_EQ(evict_to(2, EvictionPolicy::kAllKeysLru), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:k0", "0:k2"));
}

TEST_F(EvictTest, LruSamplesEveryDatabase) {
  store_.set_access_policy(false, 10, 1);
  add("old", 1);
  advance_s(5);
  add("new", 0);
  EXPECT_EQ(evict_to(1, EvictionPolicy::kAllKeysLru), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("1:old"));
}

TEST_F(EvictTest, IntrospectionDoesNotTouch) {
  store_.set_access_policy(false, 10, 1);
  add("a");
  advance_s(7);
  ASSERT_NE(store_.db(0).find_read("a", Access::kNoTouch), nullptr);
  EXPECT_EQ(store_.idle_ms(store_.db(0).peek("a")), 7000);
  ASSERT_NE(store_.db(0).find("a"), nullptr);
  EXPECT_EQ(store_.idle_ms(store_.db(0).peek("a")), 0);
}

TEST_F(EvictTest, LfuEvictsTheLeastFrequentlyUsed) {
  // lfu-log-factor 0: every access increments the counter, so the order is exact.
  store_.set_access_policy(true, 0, 1);
  add("hot");
  add("warm");
  add("cold");
  for (int i = 0; i < 10; ++i) read("hot");
  for (int i = 0; i < 3; ++i) read("warm");
  EXPECT_EQ(store_.lfu_counter(store_.db(0).peek("hot")), 15);
  EXPECT_EQ(store_.lfu_counter(store_.db(0).peek("cold")), 5);  // LFU_INIT_VAL
  EvictionParams params;
  params.maxmemory = 2 * kBytesPerKey;
  params.policy = EvictionPolicy::kAllKeysLfu;
  params.samples = 10;
  EXPECT_EQ(evictor_.perform(params, meter_), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:cold"));
  params.maxmemory = kBytesPerKey;
  EXPECT_EQ(evictor_.perform(params, meter_), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:cold", "0:warm"));
}

TEST_F(EvictTest, LfuCounterDecaysWithIdleMinutes) {
  store_.set_access_policy(true, 0, 1);
  add("k");
  for (int i = 0; i < 10; ++i) read("k");
  EXPECT_EQ(store_.lfu_counter(store_.db(0).peek("k")), 15);
  advance_s(4 * 60);
  EXPECT_EQ(store_.lfu_counter(store_.db(0).peek("k")), 11);
  store_.set_access_policy(true, 0, 2);  // lfu-decay-time 2: one step every 2 minutes
  EXPECT_EQ(store_.lfu_counter(store_.db(0).peek("k")), 13);
  store_.set_access_policy(true, 0, 0);  // 0: never decays
  EXPECT_EQ(store_.lfu_counter(store_.db(0).peek("k")), 15);
  store_.set_access_policy(true, 0, 1);
  advance_s(60 * 60);
  EXPECT_EQ(store_.lfu_counter(store_.db(0).peek("k")), 0);
}

TEST_F(EvictTest, LfuAnEvictedKeyComesBackAsANewOne) {
  // As Redis: the counter goes with the key. (Basalt kept evicted keys' counters until
  // 2026-12-06: it helped a cache's first minutes and cost its steady state; README, Cache mode.)
  store_.set_access_policy(true, 0, 1);  // lfu-log-factor 0: every access counts
  add("k");
  for (int i = 0; i < 10; ++i) read("k");
  EXPECT_EQ(store_.lfu_counter(store_.db(0).peek("k")), 15);
  store_.db(0).evict(store_.db(0).peek("k"));
  add("k");
  EXPECT_EQ(store_.lfu_counter(store_.db(0).peek("k")), 5);  // LFU_INIT_VAL
}

TEST_F(EvictTest, LfuLogFactorSlowsTheCounter) {
  store_.set_access_policy(true, 10, 1);
  add("k");
  for (int i = 0; i < 1000; ++i) read("k");
  // Redis's table for factor 10: about 18 at 100 hits, 142 at 1000; well below 255 either way.
  const int c = store_.lfu_counter(store_.db(0).peek("k"));
  EXPECT_GT(c, 15);
  EXPECT_LT(c, 200);
}

// The frequency sketch (evict.hpp, frequency_sketch.hpp): on under an LFU policy with a cap.
class SketchEvictTest : public EvictTest {
 protected:
  SketchEvictTest() {
    store_.set_access_policy(true, 10, 1);
    store_.set_frequency_sketch(true);
  }
  // A cache-aside client's misses before it fills the key.
  void miss(std::string_view key, int times) {
    for (int i = 0; i < times; ++i) {
      store_.refresh_time();
      ASSERT_EQ(store_.db(0).find_read(key), nullptr) << key;
    }
  }
  EvictionResult evict_lfu(size_t keys, int samples) {
    EvictionParams params;
    params.maxmemory = keys * kBytesPerKey;
    params.policy = EvictionPolicy::kAllKeysLfu;
    params.samples = samples;
    params.tenacity = 100;
    return evictor_.perform(params, meter_);
  }
};

TEST_F(SketchEvictTest, CountsRequestsForKeysNotHeld) {
  miss("k", 3);  // misses count
  add("k");      // the fill does not: its request was the miss
  EXPECT_EQ(store_.requests_seen("k"), 3);
  read("k");
  EXPECT_EQ(store_.requests_seen("k"), 4);
  ASSERT_NE(store_.db(0).find_read("k", Access::kNoTouch), nullptr);  // introspection does not
  EXPECT_EQ(store_.requests_seen("k"), 4);
  add("written");  // a key only ever written counts once
  EXPECT_EQ(store_.requests_seen("written"), 1);
  EXPECT_EQ(store_.lfu_counter(store_.db(0).peek("k")), 6);  // Redis's counter goes on as before
  store_.set_frequency_sketch(false);
  EXPECT_EQ(store_.requests_seen("k"), 0);
  EXPECT_EQ(store_.sketch_bytes(), 0u);
}

TEST_F(SketchEvictTest, AmongEqualCountersTheKeyRequestedLessGoesFirst) {
  // Ten keys at LFU_INIT_VAL; nine were requested three times before their fill, one never.
  // Redis's counters cannot tell them apart.
  for (int i = 0; i < 10; ++i) {
    const std::string key = "k" + std::to_string(i);
    if (i != 6) miss(key, 3);
    add(key);
  }
  miss("last", 5);  // the key created last, read since: not the victim
  add("last");
  for (int i = 0; i < 3; ++i) read("last");
  EXPECT_EQ(evict_lfu(10, 64), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:k6"));
}

TEST_F(SketchEvictTest, ANewKeyRequestedLessThanItsVictimIsEvictedInstead) {
  // TinyLFU's admission: with one sample, the victim is a random old key, requested three times;
  // the new key, requested once (its creation), goes instead.
  for (int i = 0; i < 50; ++i) {
    const std::string key = "old" + std::to_string(i);
    miss(key, 3);
    add(key);
  }
  add("once");
  EXPECT_EQ(evict_lfu(50, 1), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:once"));
  EXPECT_EQ(store_.key_count(), 50u);
}

TEST_F(SketchEvictTest, ANewKeyAsRequestedAsItsVictimStays) {
  // Keys only ever written (each counted once, each at LFU_INIT_VAL): each new key replaces an
  // old one, as under Redis, rather than being turned away.
  for (int i = 0; i < 50; ++i) add("old" + std::to_string(i));
  for (int round = 0; round < 5; ++round) {
    const std::string key = "new" + std::to_string(round);
    add(key);
    EXPECT_EQ(evict_lfu(50, 1), EvictionResult::kOk);
    EXPECT_NE(store_.db(0).peek(key), nullptr) << key;
  }
  EXPECT_EQ(recorder_.evicted.size(), 5u);
}

TEST_F(SketchEvictTest, ANewKeyWithAHigherCounterStays) {
  // Old keys idle for two minutes decayed to 3 (lfu-decay-time 1); the new one starts at 5, so it
  // stays whatever the sketch says of the old ones.
  for (int i = 0; i < 50; ++i) {
    const std::string key = "old" + std::to_string(i);
    miss(key, 10);
    add(key);
  }
  advance_s(120);
  add("new");
  EXPECT_EQ(evict_lfu(50, 1), EvictionResult::kOk);
  EXPECT_NE(store_.db(0).peek("new"), nullptr);
  ASSERT_EQ(recorder_.evicted.size(), 1u);
  EXPECT_EQ(recorder_.evicted[0].rfind("0:old", 0), 0u);
}

TEST_F(SketchEvictTest, AFlushForgetsTheNewKey) {
  add("a");
  store_.flush_all();  // the entry is freed: eviction must not weigh it
  add("b");
  add("c");
  EXPECT_EQ(evict_lfu(1, 64), EvictionResult::kOk);
  EXPECT_EQ(store_.key_count(), 1u);
}

TEST_F(EvictTest, VolatileTtlEvictsTheSoonestToExpire) {
  add("persistent");
  add("late");
  add("soon");
  add("middle");
  Database& db = store_.db(0);
  const int64_t now = store_.now_ms();
  db.set_expire(db.peek("late"), now + 300'000);
  db.set_expire(db.peek("soon"), now + 100'000);
  db.set_expire(db.peek("middle"), now + 200'000);
  EXPECT_EQ(evict_to(2, EvictionPolicy::kVolatileTtl), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:soon", "0:middle"));
  // Only keys with a TTL are candidates: a cap below one key cannot be met.
  EvictionParams params;
  params.maxmemory = 1;
  params.policy = EvictionPolicy::kVolatileTtl;
  EXPECT_EQ(evictor_.perform(params, meter_), EvictionResult::kFail);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:soon", "0:middle", "0:late"));
  EXPECT_NE(db.peek("persistent"), nullptr);
}

TEST_F(EvictTest, VolatileLruSkipsKeysWithoutTtl) {
  store_.set_access_policy(false, 10, 1);
  add("oldest-no-ttl");
  advance_s(10);
  add("ttl-old");
  advance_s(10);
  add("ttl-new");
  Database& db = store_.db(0);
  db.set_expire(db.peek("ttl-old"), store_.now_ms() + 1'000'000);
  db.set_expire(db.peek("ttl-new"), store_.now_ms() + 1'000'000);
  EXPECT_EQ(evict_to(2, EvictionPolicy::kVolatileLru), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:ttl-old"));
}

TEST_F(EvictTest, VolatileLfuSkipsKeysWithoutTtl) {
  store_.set_access_policy(true, 0, 1);
  add("cold-no-ttl");
  add("ttl-warm");
  add("ttl-cold");
  read("ttl-warm");
  Database& db = store_.db(0);
  db.set_expire(db.peek("ttl-warm"), store_.now_ms() + 1'000'000);
  db.set_expire(db.peek("ttl-cold"), store_.now_ms() + 1'000'000);
  EXPECT_EQ(evict_to(2, EvictionPolicy::kVolatileLfu), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:ttl-cold"));
}

TEST_F(EvictTest, RandomPoliciesEvictUntilUnder) {
  for (int i = 0; i < 20; ++i) add("k" + std::to_string(i));
  Database& db = store_.db(0);
  db.set_expire(db.peek("k3"), store_.now_ms() + 1000);
  db.set_expire(db.peek("k4"), store_.now_ms() + 1000);
  EXPECT_EQ(evict_to(19, EvictionPolicy::kVolatileRandom), EvictionResult::kOk);
  ASSERT_EQ(recorder_.evicted.size(), 1u);
  EXPECT_TRUE(recorder_.evicted[0] == "0:k3" || recorder_.evicted[0] == "0:k4");
  EXPECT_EQ(evict_to(10, EvictionPolicy::kAllKeysRandom), EvictionResult::kOk);
  EXPECT_EQ(store_.key_count(), 10u);
  EXPECT_EQ(store_.stats().evicted_keys, 10u);
}

TEST_F(EvictTest, VolatilePoliciesFailWithoutTtlKeys) {
  add("a");
  add("b");
  for (auto p : {EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileLfu,
                 EvictionPolicy::kVolatileRandom, EvictionPolicy::kVolatileTtl}) {
    EXPECT_EQ(evict_to(1, p), EvictionResult::kFail) << eviction_policy_name(p);
  }
  EXPECT_EQ(store_.key_count(), 2u);
}

TEST_F(EvictTest, AStalePoolEntryIsSkipped) {
  store_.set_access_policy(false, 10, 1);
  add("a");
  advance_s(10);
  add("b");
  add("c");
  // Fill the pool, then delete its best candidate behind its back.
  EXPECT_EQ(evict_to(2, EvictionPolicy::kAllKeysLru), EvictionResult::kOk);
  EXPECT_THAT(recorder_.evicted, ElementsAre("0:a"));
  store_.db(0).erase("b");
  add("d");
  add("e");
  EXPECT_EQ(evict_to(2, EvictionPolicy::kAllKeysLru), EvictionResult::kOk);
  EXPECT_EQ(store_.key_count(), 2u);
  EXPECT_EQ(recorder_.evicted.size(), 2u);
}

TEST(EvictTimeBox, StopsWhenTheTimeLimitPasses) {
  TickingClock clock;
  Store store(1, clock, 3);
  KeyMeter meter(store);
  Evictor evictor(store);
  for (int i = 0; i < 1000; ++i) store.db(0).add("k" + std::to_string(i), Value("v"));
  EvictionParams params;
  params.maxmemory = kBytesPerKey;
  params.policy = EvictionPolicy::kAllKeysRandom;
  params.tenacity = 0;  // 0 us: stops at the first check, after 16 keys
  EXPECT_EQ(evictor.perform(params, meter), EvictionResult::kRunning);
  EXPECT_TRUE(evictor.pending());
  EXPECT_EQ(store.key_count(), 1000u - 16);
  params.tenacity = 100;  // unbounded
  EXPECT_EQ(evictor.perform(params, meter), EvictionResult::kOk);
  EXPECT_FALSE(evictor.pending());
  EXPECT_EQ(store.key_count(), 1u);
}

TEST(EvictCountedMemory, HolesBetweenAThirtySecondAndAnEighthOfTheCapCount) {
  constexpr uint64_t kMb = 1 << 20;
  // Holes a churning cache refills (up to 2 MB under 64 MB) do not count: eviction could not
  // give them back, and chasing them evicted keys until the holes reached the upper bound.
  EXPECT_EQ(counted_memory(61 * kMb, 59 * kMb, 64 * kMb), 59 * kMb);
  // More holes count beyond those, so that fragmentation counts against the cap and the cap
  // bounds the RSS.
  EXPECT_EQ(counted_memory(66 * kMb, 59 * kMb, 64 * kMb), 64 * kMb);
  // Holes spread over pages that eviction cannot empty: 6 MB of them count, not the 22 MB that
  // would make every reading evict again.
  EXPECT_EQ(counted_memory(68 * kMb, 44 * kMb, 64 * kMb), 50 * kMb);
  EXPECT_EQ(counted_memory(68 * kMb, 44 * kMb, 0), 68 * kMb);
  // A 1-byte cap counts no holes; a reading with more allocated than active, the pages.
  EXPECT_EQ(counted_memory(100, 50, 1), 50u);
  // Below 8 MB no hole counts, as in Redis: an empty server (363 KB live in 696 KB of pages)
  // under a cap 100 KB above its used_memory is not over it.
  EXPECT_EQ(counted_memory(696'320, 363'080, 463'080), 363'080u);
  EXPECT_EQ(counted_memory(5 * kMb, 2 * kMb, 8 * kMb), 2 * kMb);
  // Between 8 and 32 MB, the holes beyond the first megabyte count, up to an eighth of the cap.
  EXPECT_EQ(counted_memory(10 * kMb, 7 * kMb, 16 * kMb), 8 * kMb);
  EXPECT_EQ(counted_memory(8 * kMb + kMb / 2, 7 * kMb, 16 * kMb), 7 * kMb + kMb / 2);
  EXPECT_EQ(counted_memory(50 * kMb, 60 * kMb, 64 * kMb), 50 * kMb);
}

TEST(EvictPolicyNames, RoundTripAndTimeLimits) {
  for (std::string_view name : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                                "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}) {
    auto p = parse_eviction_policy(name);
    ASSERT_TRUE(p.has_value()) << name;
    EXPECT_EQ(eviction_policy_name(*p), name);
  }
  EXPECT_EQ(parse_eviction_policy("ALLKEYS-LRU"), EvictionPolicy::kAllKeysLru);
  EXPECT_FALSE(parse_eviction_policy("lru").has_value());
  EXPECT_EQ(eviction_time_limit_us(10), 500);
  EXPECT_EQ(eviction_time_limit_us(0), 0);
  EXPECT_EQ(eviction_time_limit_us(11), 575);
}

TEST(EntryAccessBits, KeepChainTtlBitEpochAndKeyIntact) {
  Entry* a = Entry::create("a", Value("1"));
  Entry* b = Entry::create("b", Value("2"));
  a->set_next(b);
  a->set_has_expire(true);
  a->set_access(0xabcdef);
  EXPECT_EQ(a->next(), b);
  EXPECT_TRUE(a->has_expire());
  EXPECT_EQ(a->access(), 0xabcdefu);
  a->set_has_expire(false);
  a->set_next(nullptr);
  EXPECT_FALSE(a->has_expire());
  EXPECT_EQ(a->next(), nullptr);
  EXPECT_EQ(a->access(), 0xabcdefu);
  a->set_snapshot_epoch(true);
  EXPECT_EQ(a->access(), 0xabcdefu);
  EXPECT_EQ(a->key(), "a");
  a->set_access(0xffffff);
  EXPECT_EQ(a->access(), 0xffffffu);
  EXPECT_TRUE(a->snapshot_epoch());
  EXPECT_EQ(a->key(), "a");
  a->set_access(0);
  EXPECT_TRUE(a->snapshot_epoch());
  EXPECT_EQ(a->key(), "a");
  Entry::destroy(a);
  Entry::destroy(b);
}

// Keys of 8 MB and more keep their length outside the header; the bits beside it are unchanged.
TEST(EntryAccessBits, LongKeysKeepTheirBytes) {
  // Around the 14-bit length (16,383 bytes and up keep theirs before the key), and far past it.
  for (size_t len : {size_t{16382}, size_t{16383}, size_t{16384}, size_t{9u << 20}}) {
    std::string key(len, 'k');
    key.front() = 'A';
    key.back() = 'Z';
    Entry* e = Entry::create_string(key, "a value longer than fifteen bytes");
    e->set_access(0xfedcba);
    e->set_snapshot_epoch(true);
    e->set_has_expire(true);
    EXPECT_EQ(e->key_size(), len);
    EXPECT_EQ(e->key(), key);
    EXPECT_EQ(e->value.str(), "a value longer than fifteen bytes");
    EXPECT_EQ(e->access(), 0xfedcbau);
    EXPECT_TRUE(e->snapshot_epoch());
    EXPECT_TRUE(e->has_expire());
    Entry::destroy(e);
  }
}

TEST(EntryTtl, ExpiryTimesLiveInTheTtlIndex) {
  ManualClock clock;
  Store store(1, clock, 1);
  Database& db = store.db(0);
  Entry* a = db.add("a", Value("1"));
  Entry* b = db.add("b", Value("2"));
  Entry* c = db.add("c", Value("3"));
  db.set_expire(a, 1'700'000'000'001);
  db.set_expire(b, 1'700'000'000'002);
  db.set_expire(c, INT64_MAX);  // PEXPIREAT accepts it, and Redis keeps it exactly
  EXPECT_EQ(db.expires(), 3u);
  EXPECT_TRUE(db.clear_expire(a));
  EXPECT_FALSE(a->has_expire());
  EXPECT_EQ(db.expire_at(a), kNoExpire);
  EXPECT_EQ(db.expire_at(b), 1'700'000'000'002);
  EXPECT_EQ(db.expire_at(c), INT64_MAX);
  db.set_expire(b, 1'700'000'000'003);
  EXPECT_EQ(db.expires(), 2u);
  EXPECT_EQ(db.expire_at(b), 1'700'000'000'003);
  db.erase(b);
  EXPECT_EQ(db.expires(), 1u);
  EXPECT_EQ(db.expire_at(c), INT64_MAX);
  EXPECT_FALSE(db.clear_expire(a));
}

}  // namespace
}  // namespace basalt
