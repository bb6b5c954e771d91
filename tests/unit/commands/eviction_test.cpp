// maxmemory through the dispatcher: the OOM refusal and what it spares, eviction before a
// command, its effects (WATCH, DEL in the write-effect channel, INFO), MULTI/EXEC, CONFIG SET,
// and OBJECT IDLETIME / FREQ under each policy. Memory is counted as 100 bytes a key, so the
// tests are exact under any allocator (sanitizer builds included).

#include <gmock/gmock.h>

#include <string>
#include <vector>

#include "commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

constexpr uint64_t kBytesPerKey = 100;
const std::string kOomError = err("OOM command not allowed when used memory > 'maxmemory'.");

class KeyMeter final : public MemoryMeter {
 public:
  explicit KeyMeter(Store& store) : store_(store) {}
  uint64_t used() override { return store_.key_count() * kBytesPerKey + extra; }
  uint64_t extra = 0;

 private:
  Store& store_;
};

class Effects final : public EffectConsumer {
 public:
  void on_effect(uint64_t, int db, std::span<const std::string_view> argv) override {
    std::string line = std::to_string(db);
    for (auto a : argv) line += " " + std::string(a);
    lines.push_back(line);
  }
  std::vector<std::string> lines;
};

class EvictionTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    meter_ = std::make_unique<KeyMeter>(engine_->store());
    engine_->set_memory_meter(meter_.get());
    engine_->effects().add_consumer(&effects_);
  }
  void TearDown() override {
    engine_->effects().remove_consumer(&effects_);
    EngineTest::TearDown();
  }
  // Caps memory at n keys.
  void cap_keys(size_t n, std::string_view policy) {
    ASSERT_EQ(run({"CONFIG", "SET", "maxmemory-policy", policy}), kOk);
    ASSERT_EQ(run({"CONFIG", "SET", "maxmemory", std::to_string(n * kBytesPerKey)}), kOk);
  }
  void fill(int n, std::string_view prefix = "k") {
    for (int i = 0; i < n; ++i) {
      const std::string key = std::string(prefix) + std::to_string(i);
      ASSERT_EQ(run({"SET", key, "v"}), kOk) << key;
    }
  }
  std::string info_field(std::string_view section, std::string_view name) {
    const std::string info = run({"INFO", section});
    const std::string needle = "\r\n" + std::string(name) + ":";
    const size_t at = info.find(needle);
    if (at == std::string::npos) return "<absent>";
    const size_t start = at + needle.size();
    return info.substr(start, info.find("\r\n", start) - start);
  }

  std::unique_ptr<KeyMeter> meter_;
  Effects effects_;
};

TEST_F(EvictionTest, UnderACapTheKeyspaceTableFillsToTheDenseLoad) {
  // Under a cap, however far below it, a full table waits until it holds 1.618 keys a bucket
  // (Dict::kDenseLoad), so the cap holds keys rather than empty buckets; without one it doubles
  // when full, as Redis's.
  const Dict& dict = engine_->store().db(0).dict();
  fill(64);
  while (engine_->store().db(0).dict().rehashing()) engine_->store().rehash_cycle(1000);
  ASSERT_EQ(dict.buckets(), 64u);
  cap_keys(1000, "allkeys-lru");
  fill(104 - 64, "more");
  EXPECT_EQ(dict.size(), 104u);
  EXPECT_FALSE(dict.rehashing());
  EXPECT_EQ(dict.buckets(), 64u);
  ASSERT_EQ(run({"SET", "one-more", "v"}), kOk);
  EXPECT_TRUE(dict.rehashing());
  while (engine_->store().db(0).dict().rehashing()) engine_->store().rehash_cycle(1000);
  EXPECT_EQ(dict.buckets(), 128u);
  // Without a cap, a full table grows at once.
  ASSERT_EQ(run({"CONFIG", "SET", "maxmemory", "0"}), kOk);
  fill(128 - 105, "last");
  EXPECT_FALSE(dict.rehashing());
  ASSERT_EQ(run({"SET", "past-full", "v"}), kOk);
  EXPECT_TRUE(dict.rehashing());
}

TEST_F(EvictionTest, NoevictionRefusesDenyoomCommandsOnly) {
  fill(3);
  cap_keys(3, "noeviction");
  meter_->extra = 1;  // one byte over
  EXPECT_EQ(run({"SET", "new", "v"}), kOomError);
  EXPECT_EQ(run({"APPEND", "k0", "x"}), kOomError);
  EXPECT_EQ(run({"LPUSH", "list", "x"}), kOomError);
  EXPECT_EQ(run({"GET", "k0"}), bulk("v"));
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(run({"EXPIRE", "k0", "100"}), integer(1));  // not denyoom in Redis either
  EXPECT_EQ(run({"DEL", "k1"}), integer(1));
  EXPECT_EQ(info_field("stats", "evicted_keys"), "0");
  EXPECT_EQ(info_field("errorstats", "errorstat_OOM"), "count=3");
  meter_->extra = 0;
  EXPECT_EQ(run({"SET", "new", "v"}), kOk);
}

TEST_F(EvictionTest, AllkeysLruEvictsTheLeastRecentlyUsedBeforeTheWrite) {
  ASSERT_EQ(run({"CONFIG", "SET", "maxmemory-samples", "10"}), kOk);
  fill(5);
  advance_ms(10'000);
  for (int i = 1; i < 5; ++i) run({"GET", "k" + std::to_string(i)});
  cap_keys(5, "allkeys-lru");
  effects_.lines.clear();
  // At the cap, a write still runs; the next command finds memory over it and evicts first.
  EXPECT_EQ(run({"SET", "k5", "v"}), kOk);
  EXPECT_EQ(run({"SET", "k6", "v"}), kOk);
  // The eviction is a DEL in the write-effect channel, ahead of the write that needed the room.
  EXPECT_THAT(effects_.lines, ::testing::ElementsAre("0 SET k5 v", "0 DEL k0", "0 SET k6 v"));
  EXPECT_EQ(engine_->store().stats().evicted_keys, 1u);
  EXPECT_EQ(engine_->store().key_count(), 6u);
  EXPECT_EQ(run({"EXISTS", "k0"}), integer(0));
  EXPECT_EQ(engine_->store().key_count(), 5u);
  EXPECT_EQ(info_field("stats", "evicted_keys"), "2");
}

TEST_F(EvictionTest, EvictionInvalidatesWatch) {
  fill(2);
  cap_keys(2, "allkeys-random");
  EXPECT_EQ(run({"WATCH", "k0", "k1"}), kOk);
  EXPECT_EQ(run({"SET", "other", "v"}, 1), kOk);
  EXPECT_EQ(run({"SET", "more", "v"}, 1), kOk);  // evicts one key, maybe a watched one
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"GET", "k0"}), "+QUEUED\r\n");
  const bool watched_gone = run({"EXISTS", "k0", "k1"}, 1) != integer(2);
  const std::string exec = run({"EXEC"});
  if (watched_gone) {
    EXPECT_EQ(exec, kNilArray);
  } else {
    EXPECT_NE(exec, kNilArray);
  }
}

TEST_F(EvictionTest, VolatileTtlSparesKeysWithoutTtlAndFailsWhenNoneIsLeft) {
  run({"SET", "keep", "v"});
  run({"SET", "late", "v", "EX", "300"});
  run({"SET", "soon", "v", "EX", "100"});
  cap_keys(3, "volatile-ttl");
  EXPECT_EQ(run({"SET", "new", "v"}), kOk);
  EXPECT_EQ(run({"SET", "new2", "v"}), kOk);
  EXPECT_EQ(run({"EXISTS", "soon"}), integer(0));
  EXPECT_EQ(run({"SET", "new3", "v"}), kOk);
  EXPECT_EQ(run({"EXISTS", "late"}), integer(0));
  // Only keys without a TTL are left: nothing can be evicted.
  EXPECT_EQ(run({"SET", "new4", "v"}), kOomError);
  EXPECT_EQ(run({"EXISTS", "keep"}), integer(1));
  EXPECT_EQ(info_field("stats", "evicted_keys"), "2");
}

TEST_F(EvictionTest, MultiQueueingIsRefusedAndExecAborts) {
  fill(2);
  cap_keys(2, "noeviction");
  EXPECT_EQ(run({"MULTI"}), kOk);
  meter_->extra = 1;
  // Queueing anything costs memory: refused even for a read, and the transaction is doomed.
  EXPECT_EQ(run({"GET", "k0"}), kOomError);
  meter_->extra = 0;
  EXPECT_EQ(run({"EXEC"}), err("EXECABORT Transaction discarded because of previous errors."));
}

TEST_F(EvictionTest, ExecOfADenyoomTransactionIsRefusedWhenOverTheCap) {
  fill(2);
  cap_keys(2, "noeviction");
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SET", "x", "1"}), "+QUEUED\r\n");
  meter_->extra = 1;
  EXPECT_EQ(run({"EXEC"}),
            err("EXECABORT Transaction discarded because of: OOM command not allowed when used "
                "memory > 'maxmemory'."));
  EXPECT_EQ(run({"EXISTS", "x"}), integer(0));
  // A transaction of reads runs.
  EXPECT_EQ(run({"DISCARD"}), err("ERR DISCARD without MULTI"));
  meter_->extra = 0;
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"GET", "k0"}), "+QUEUED\r\n");
  meter_->extra = 1;
  EXPECT_EQ(run({"EXEC"}), array({bulk("v")}));
}

// Monotonic time moves 10 us at every reading, so eviction's time boxes run out.
class TickingClock final : public Clock {
 public:
  int64_t now_ms() const override { return 1'700'000'000'000; }
  int64_t monotonic_us() const override { return mono_us_ += 10; }

 private:
  mutable int64_t mono_us_ = 0;
};

TEST_F(EvictionTest, ConfigSetShrinksIncrementallyOverSteps) {
  // Outlives every engine (the fixture's engine is destroyed after this function returns).
  static TickingClock ticking;
  engine_->effects().remove_consumer(&effects_);
  engine_ = std::make_unique<Engine>(config_, ticking, 42);
  meter_ = std::make_unique<KeyMeter>(engine_->store());
  engine_->set_memory_meter(meter_.get());
  engine_->effects().add_consumer(&effects_);
  fill(200);
  ASSERT_EQ(run({"CONFIG", "SET", "maxmemory-eviction-tenacity", "0"}), kOk);
  // Tenacity 0 stops each pass at its first time check (16 keys): the rest is left to later
  // steps, as the server runs them between loop turns.
  cap_keys(10, "allkeys-random");
  EXPECT_LT(engine_->store().key_count(), 200u);
  EXPECT_GT(engine_->store().key_count(), 10u);
  EXPECT_TRUE(engine_->eviction_pending());
  int steps = 0;
  while (engine_->eviction_pending() && steps < 1000) {
    engine_->evict_step();
    ++steps;
  }
  EXPECT_GT(steps, 1);
  EXPECT_FALSE(engine_->eviction_pending());
  EXPECT_EQ(engine_->store().key_count(), 10u);
  EXPECT_EQ(info_field("stats", "evicted_keys"), "190");
}

TEST_F(EvictionTest, ConfigParametersValidateAsRedis) {
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory-policy", "lru"}),
            err("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - "
                "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                "noeviction"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory-samples", "0"}),
            err("ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - "
                "argument must be between 1 and 2147483647 inclusive"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory-eviction-tenacity", "101"}),
            err("ERR CONFIG SET failed (possibly related to argument "
                "'maxmemory-eviction-tenacity') - argument must be between 0 and 100 inclusive"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory", "12xb"}),
            err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument "
                "must be a memory value"));
  EXPECT_EQ(run({"CONFIG", "SET", "lfu-log-factor", "-1"}),
            err("ERR CONFIG SET failed (possibly related to argument 'lfu-log-factor') - "
                "argument must be between 0 and 2147483647 inclusive"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory", "2mb", "maxmemory-policy", "ALLKEYS-LFU"}), kOk);
  EXPECT_EQ(run({"CONFIG", "GET", "maxmemory*"}),
            array({bulk("maxmemory"), bulk("2097152"), bulk("maxmemory-clients"), bulk("0"),
                   bulk("maxmemory-eviction-tenacity"), bulk("10"), bulk("maxmemory-policy"),
                   bulk("allkeys-lfu"), bulk("maxmemory-samples"), bulk("5")}));
  EXPECT_EQ(info_field("memory", "maxmemory"), "2097152");
  EXPECT_EQ(info_field("memory", "maxmemory_human"), "2.00M");
  EXPECT_EQ(info_field("memory", "maxmemory_policy"), "allkeys-lfu");
  // Holes in the allocator's pages that do not count (counted_memory): with a 2 MB cap
  // in a test process, some; with no cap, none.
  EXPECT_THAT(info_field("memory", "mem_not_counted_for_evict"), ::testing::MatchesRegex("[0-9]+"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory", "0"}), kOk);
  EXPECT_EQ(info_field("memory", "mem_not_counted_for_evict"), "0");
}

TEST_F(EvictionTest, ObjectIdletimeAndFreqFollowThePolicy) {
  run({"SET", "k", "v"});
  advance_ms(7'000);
  // noeviction (the default) tracks idle time, as Redis does.
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "k"}), integer(7));
  EXPECT_EQ(run({"TYPE", "k"}), "+string\r\n");  // introspection does not touch
  EXPECT_EQ(run({"TTL", "k"}), integer(-1));
  EXPECT_EQ(run({"EXISTS", "k"}), integer(1));
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "k"}), integer(7));
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "k"}), integer(0));
  // TOUCH is an access (Redis's introspection-2.tcl: "TOUCH alters the last access time").
  advance_ms(3'000);
  EXPECT_EQ(run({"TOUCH", "k", "missing"}), integer(1));
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "k"}), integer(0));
  EXPECT_EQ(run({"OBJECT", "FREQ", "k"}),
            err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                "Please note that when switching between policies at runtime LRU and LFU data "
                "will take some time to adjust."));
  ASSERT_EQ(run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), kOk);
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "k"}),
            err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note "
                "that when switching between policies at runtime LRU and LFU data will take "
                "some time to adjust."));
  run({"SET", "fresh", "v"});
  EXPECT_EQ(run({"OBJECT", "FREQ", "fresh"}), integer(5));  // LFU_INIT_VAL
  ASSERT_EQ(run({"CONFIG", "SET", "lfu-log-factor", "0"}), kOk);
  for (int i = 0; i < 3; ++i) run({"GET", "fresh"});
  EXPECT_EQ(run({"OBJECT", "FREQ", "fresh"}), integer(8));
  EXPECT_EQ(run({"OBJECT", "FREQ", "missing"}), kNil);
  ASSERT_EQ(run({"CONFIG", "SET", "maxmemory-policy", "volatile-ttl"}), kOk);
  EXPECT_EQ(run({"OBJECT", "FREQ", "k"}),
            err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                "Please note that when switching between policies at runtime LRU and LFU data "
                "will take some time to adjust."));
}

// RENAME and MOVE move the key with its counter, as Redis moves the object itself; the lookup of
// the source counts as an access (redis-server 7.0.15 answers 15, 16, 17 here too).
TEST_F(EvictionTest, RenameAndMoveKeepTheKeysCounter) {
  ASSERT_EQ(run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), kOk);
  ASSERT_EQ(run({"CONFIG", "SET", "lfu-log-factor", "0"}), kOk);
  run({"SET", "k", "v"});
  for (int i = 0; i < 10; ++i) run({"GET", "k"});
  EXPECT_EQ(run({"OBJECT", "FREQ", "k"}), integer(15));
  EXPECT_EQ(run({"RENAME", "k", "k2"}), kOk);
  EXPECT_EQ(run({"OBJECT", "FREQ", "k2"}), integer(16));
  EXPECT_EQ(run({"MOVE", "k2", "1"}), integer(1));
  EXPECT_EQ(run({"SELECT", "1"}), kOk);
  EXPECT_EQ(run({"OBJECT", "FREQ", "k2"}), integer(17));
}

// RESTORE's IDLETIME and FREQ set what the policy tracks (Redis's dump.tcl: "RESTORE can set
// LRU", "RESTORE can set LFU"); the other is accepted and ignored.
TEST_F(EvictionTest, RestoreSetsIdleTimeOrFrequency) {
  run({"SET", "k", "v"});
  const std::string payload = bulk_body(run({"DUMP", "k"}));
  ASSERT_FALSE(payload.empty());
  EXPECT_EQ(run({"RESTORE", "lru", "0", payload, "IDLETIME", "1000"}), kOk);
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "lru"}), integer(1000));
  EXPECT_EQ(run({"RESTORE", "ignored", "0", payload, "FREQ", "100"}), kOk);
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "ignored"}), integer(0));
  EXPECT_EQ(run({"GET", "lru"}), bulk("v"));
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "lru"}), integer(0));
  ASSERT_EQ(run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), kOk);
  EXPECT_EQ(run({"RESTORE", "lfu", "0", payload, "FREQ", "100"}), kOk);
  EXPECT_EQ(run({"OBJECT", "FREQ", "lfu"}), integer(100));
  EXPECT_EQ(run({"RESTORE", "plain", "0", payload, "IDLETIME", "1000"}), kOk);
  EXPECT_EQ(run({"OBJECT", "FREQ", "plain"}), integer(5));
  EXPECT_EQ(run({"RESTORE", "x", "0", payload, "FREQ", "256"}),
            err("ERR Invalid FREQ value, must be >= 0 and <= 255"));
}

}  // namespace
}  // namespace basalt::testing
