#include "store/database.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/hash.hpp"
#include "store/store.hpp"

namespace basalt {
namespace {

struct RecordingObserver : KeyspaceObserver {
  void on_key_modified(int db, std::string_view key) override {
    modified.push_back(std::to_string(db) + ":" + std::string(key));
  }
  void on_list_ready(int db, std::string_view key) override {
    ready.push_back(std::to_string(db) + ":" + std::string(key));
  }
  void on_key_expired(int db, std::string_view key) override {
    expired.push_back(std::to_string(db) + ":" + std::string(key));
  }
  void on_db_flushed(int db) override { flushed.push_back(db); }
  std::vector<std::string> modified, ready, expired;
  std::vector<int> flushed;
};

class DatabaseTest : public ::testing::Test {
 protected:
  DatabaseTest() : store_(4, clock_, 42) {
    store_.set_observer(&observer_);
    store_.refresh_time();
  }
  Database& db() { return store_.db(0); }
  void advance(int64_t ms) {
    clock_.advance_ms(ms);
    store_.refresh_time();
  }
  ManualClock clock_;
  Store store_;
  RecordingObserver observer_;
};

TEST_F(DatabaseTest, AddSetEraseAndFind) {
  db().add("a", Value("1"));
  EXPECT_EQ(db().find("a")->value.str(), "1");
  db().set("a", Value("2"));
  EXPECT_EQ(db().find("a")->value.str(), "2");
  EXPECT_TRUE(db().erase("a"));
  EXPECT_FALSE(db().erase("a"));
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(DatabaseTest, ExpiredKeysAreInvisibleAndDeletedOnAccess) {
  Entry* e = db().add("k", Value("v"));
  db().set_expire(e, store_.now_ms() + 100);
  EXPECT_EQ(db().expires(), 1u);
  advance(99);
  EXPECT_NE(db().find("k"), nullptr);
  advance(1);
  EXPECT_EQ(db().find("k"), nullptr);
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(db().expires(), 0u);
  EXPECT_EQ(store_.stats().expired_keys, 1u);
  // The observer hears of the expiry (WATCH counts it as a modification, the write-effect
  // channel records a DEL), but it is not a change made by a command: the dirty count stays.
  EXPECT_TRUE(observer_.modified.empty());
  ASSERT_EQ(observer_.expired.size(), 1u);
  EXPECT_EQ(observer_.expired[0], "0:k");
  EXPECT_EQ(store_.dirty(), 0u);
  db().signal_modified("other");
  EXPECT_EQ(store_.dirty(), 1u);
}

TEST_F(DatabaseTest, SetClearsTtlUnlessKept) {
  Entry* e = db().add("k", Value("v"));
  db().set_expire(e, store_.now_ms() + 1000);
  db().set("k", Value("w"), /*keep_ttl=*/true);
  EXPECT_TRUE(db().find("k")->has_expire());
  db().set("k", Value("x"));
  EXPECT_FALSE(db().find("k")->has_expire());
  EXPECT_EQ(db().expires(), 0u);
}

// A key refit into a new entry keeps its place in the table (found, scanned, erased, even while
// the table is being resized), its TTL, access bits and snapshot bit.
TEST_F(DatabaseTest, ARefitKeyKeepsItsPlaceTtlAndBits) {
  for (int round = 0; round < 2; ++round) {
    const std::string key = "h:000000000" + std::to_string(round);  // 12 bytes, as bench/compare
    Value created = Value::new_hash();  // as HSET creates a key: built first, then in the entry
    created.hash().set("field0", "value", HashLimits{});
    Entry* e = db().add(key, std::move(created));
    db().set_expire(e, store_.now_ms() + 5000);
    for (int i = 0; i < 3000 && (round == 0 || !store_.db(0).dict().rehashing()); ++i) {
      db().add("filler:" + std::to_string(round) + ":" + std::to_string(i), Value("v"));
    }
    if (round == 1) {
      ASSERT_TRUE(db().dict().rehashing());
    }
    e = db().peek(key);
    e->set_access(0xabcdef);
    e->set_snapshot_epoch(true);
    const Entry* before = e;
    bool moved = false;
    for (int i = 1; i < 12; ++i) {
      e->value.hash().set("field" + std::to_string(i), "value", HashLimits{});
      e = db().refit(e);
      moved |= e != before;
    }
    EXPECT_TRUE(moved);
    EXPECT_EQ(db().peek(key), e);
    EXPECT_EQ(e->access(), 0xabcdefu);
    EXPECT_TRUE(e->snapshot_epoch());
    EXPECT_EQ(db().expire_at(e), store_.now_ms() + 5000);
    EXPECT_EQ(e->value.hash().size(), 12u);
    EXPECT_EQ(e->value.hash().get("field7"), "value");
    size_t seen = 0;
    uint64_t cursor = 0;
    do {
      cursor = db().dict().scan(cursor, [&](Entry* x) { seen += x->key() == key; });
    } while (cursor != 0);
    EXPECT_EQ(seen, 1u);
  }
  const size_t keys = db().size();
  EXPECT_TRUE(db().erase("h:0000000000"));
  EXPECT_TRUE(db().erase("h:0000000001"));
  EXPECT_EQ(db().size(), keys - 2);
  EXPECT_EQ(db().expires(), 0u);
}

TEST_F(DatabaseTest, TtlIndexStaysConsistentWhenKeysComeAndGo) {
  std::vector<Entry*> entries;
  for (int i = 0; i < 100; ++i) {
    Entry* e = db().add("k" + std::to_string(i), Value("v"));
    db().set_expire(e, store_.now_ms() + 1000 + i);
  }
  for (int i = 0; i < 100; i += 3) db().erase("k" + std::to_string(i));
  for (int i = 1; i < 100; i += 3) db().clear_expire(db().find("k" + std::to_string(i)));
  EXPECT_EQ(db().expires(), 33u);  // i % 3 == 2 keep their TTL
  advance(5000);
  for (int i = 0; i < 100; ++i) db().find("k" + std::to_string(i));
  EXPECT_EQ(db().expires(), 0u);
  EXPECT_EQ(db().size(), 33u);  // i % 3 == 1 had their TTL removed
}

TEST_F(DatabaseTest, TheTtlIndexGivesBackWhatItGrewTo) {
  // A cache whose keys with a TTL have gone (expired, evicted) must not keep their slots.
  for (int i = 0; i < 100000; ++i) {
    db().set_expire(db().add("k" + std::to_string(i), Value("v")), store_.now_ms() + 1000);
  }
  const size_t grown = db().ttl_index_bytes();
  EXPECT_GE(grown, 100000u * 16);
  for (int i = 0; i < 99000; ++i) db().erase("k" + std::to_string(i));
  db().rehash_for_us(0);  // starts the shrink; the cron's next turns move the keys
  for (int turn = 0; turn < 100 && db().ttl_index_bytes() > 2100u * 16; ++turn) {
    db().rehash_for_us(1000);
  }
  EXPECT_LE(db().ttl_index_bytes(), 2100u * 16);  // about twice the keys left
  EXPECT_EQ(db().expires(), 1000u);
  advance(2000);
  // The keys kept their TTLs through the move: each expires when read.
  for (int i = 99000; i < 100000; ++i) EXPECT_EQ(db().find("k" + std::to_string(i)), nullptr);
  EXPECT_EQ(db().expires(), 0u);
}

TEST_F(DatabaseTest, ActiveExpiryReclaimsKeysNobodyReads) {
  for (int i = 0; i < 10000; ++i) {
    Entry* e = db().add("tmp" + std::to_string(i), Value("v"));
    db().set_expire(e, store_.now_ms() + 10);
  }
  for (int i = 0; i < 100; ++i) db().add("keep" + std::to_string(i), Value("v"));
  advance(20);
  // Each cycle is bounded by its time budget; repeated cycles reclaim everything.
  for (int cycle = 0; cycle < 1000 && db().size() > 100; ++cycle) store_.active_expire_cycle(25000);
  EXPECT_EQ(db().size(), 100u);
  EXPECT_EQ(store_.stats().expired_keys, 10000u);
}

TEST_F(DatabaseTest, ActiveExpiryStopsWhenFewKeysAreStale) {
  for (int i = 0; i < 1000; ++i) {
    Entry* e = db().add("k" + std::to_string(i), Value("v"));
    db().set_expire(e, store_.now_ms() + 100000);
  }
  ExpireCycleStats s = store_.active_expire_cycle(25000);
  EXPECT_EQ(s.expired, 0u);
  EXPECT_LE(s.sampled, 20u);  // one sample showed nothing stale: stop
  EXPECT_GT(db().avg_ttl(), 0);
}

TEST_F(DatabaseTest, SwapAndFlushNotifyTheObserver) {
  store_.db(1).add("x", Value("1"));
  store_.swap_db(0, 1);
  EXPECT_NE(db().find("x"), nullptr);
  EXPECT_EQ(store_.db(1).find("x"), nullptr);
  store_.flush_all();
  EXPECT_EQ(db().size(), 0u);
  EXPECT_FALSE(observer_.flushed.empty());
}

TEST_F(DatabaseTest, RandomEntrySkipsExpiredKeys) {
  Entry* e = db().add("gone", Value("v"));
  db().set_expire(e, store_.now_ms() + 1);
  db().add("live", Value("v"));
  advance(5);
  for (int i = 0; i < 20; ++i) {
    Entry* r = db().random_entry();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->key(), "live");
  }
}

TEST_F(DatabaseTest, VersionChangesOnEveryWriteAndNeverRepeats) {
  db().set("k", Value("a"));
  uint64_t v1 = db().version("k");
  EXPECT_EQ(db().version("k"), v1) << "reads leave it alone";
  db().set("k", Value("b"));
  db().signal_modified("k");
  uint64_t v2 = db().version("k");
  EXPECT_NE(v2, v1);
  db().set("k", Value("a"));  // back to the first value
  db().signal_modified("k");
  uint64_t v3 = db().version("k");
  EXPECT_NE(v3, v1);
  EXPECT_NE(v3, v2);
  // Expiry is a write.
  db().set_expire(db().find("k"), store_.now_ms() + 10);
  uint64_t v4 = db().version("k");
  advance(20);
  EXPECT_EQ(db().find("k"), nullptr);
  EXPECT_NE(db().version("k"), v4);
  // FLUSHDB and SWAPDB forget versions with the keys they move or drop.
  db().set("f", Value("x"));
  uint64_t vf = db().version("f");
  db().clear();
  db().set("f", Value("x"));
  EXPECT_NE(db().version("f"), vf);
  uint64_t in_db0 = db().version("f");
  store_.swap_db(0, 1);
  EXPECT_EQ(store_.db(1).version("f"), in_db0) << "the version travels with the key";
}

}  // namespace
}  // namespace basalt
