// Persistence through the engine, as commands see it: SAVE, BGSAVE stepped like the server's idle
// handle steps it, save rules on the engine's cron, MISCONF, DEBUG RELOAD, FLUSHALL, the AOF
// switched on at runtime, and loading at start. The file formats have tests of their own
// (tests/unit/persistence); the crash and compatibility tests start the real binary.

#include "commands/persistence.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "commands/error_texts.hpp"
#include "engine_fixture.hpp"
#include "persistence/file_io.hpp"
#include "persistence/rdb_loader.hpp"
#include "store/entry.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/zset.hpp"

namespace basalt::testing {
namespace {

class PersistenceTest : public EngineTest {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/basalt-persistence-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    config_.dir = dir_;
    EngineTest::SetUp();
  }
  void TearDown() override {
    EngineTest::TearDown();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }
  Persistence& persistence() { return engine_->persistence(); }
  // What the server's idle handle and wake-ups do until the background work is over.
  // Up to a minute: a background save ends with fsyncs, which a disk busy with other tests'
  // fsyncs (ctest -j) can hold for seconds.
  void finish_background_work() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      persistence().step();
      persistence().poll();
      if (!persistence().busy() && field("rdb_bgsave_in_progress") == "0" &&
          field("aof_rewrite_in_progress") == "0") {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    FAIL() << "background work did not finish";
  }
  // What the loop's polling does until start-up's loading thread is done (or 5 s have passed).
  void wait_for_loading() {
    for (int i = 0; i < 5000 && persistence().loading(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      persistence().poll();
    }
  }
  std::string field(std::string_view name) {
    std::string info;
    persistence().info(info);
    const std::string prefix = std::string(name) + ":";
    size_t at = info.find(prefix);
    if (at == std::string::npos) return "";
    size_t end = info.find("\r\n", at);
    return info.substr(at + prefix.size(), end - at - prefix.size());
  }
  std::string aof_dir() const { return join_path(dir_, "appendonlydir"); }
  std::string aof_manifest() {
    std::string error;
    std::optional<std::string> text =
        read_file(join_path(aof_dir(), "appendonly.aof.manifest"), &error);
    EXPECT_TRUE(text) << error;
    return text.value_or("");
  }
  // The AOF directory's file names, sorted, once `gone` has left it (history files are unlinked
  // on the AOF's background thread, after the manifest is persisted).
  std::vector<std::string> aof_files(const std::string& gone = "") {
    for (int i = 0;
         i < 5000 && !gone.empty() && std::filesystem::exists(join_path(aof_dir(), gone)); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(aof_dir()))
      files.push_back(entry.path().filename().string());
    std::sort(files.begin(), files.end());
    return files;
  }
  // The keys of a dump, loaded into a store of its own.
  std::map<std::string, std::string> dump_contents() {
    Store store(16, clock_, 1);
    RdbLoadResult r = load_rdb_file(join_path(dir_, "dump.rdb"), store);
    EXPECT_TRUE(r.ok()) << r.error.value_or("");
    std::map<std::string, std::string> out;
    for (int i = 0; i < store.db_count(); ++i) {
      store.db(i).for_each([&](Entry* e) {
        std::string value;
        if (e->value.is_string()) {
          value = std::string(e->value.str());
        } else {
          for (std::string_view item : e->value.list()) value += std::string(item) + ",";
        }
        out[std::to_string(i) + ":" + std::string(e->key())] = value;
      });
    }
    return out;
  }
  std::string dir_;
};

TEST_F(PersistenceTest, SaveWritesTheDumpAndResetsTheChangeCount) {
  run({"SET", "k", "v"});
  run({"RPUSH", "l", "a", "b"});
  run({"SELECT", "3"});
  run({"SET", "other", "db"});
  EXPECT_EQ(field("rdb_changes_since_last_save"), "3");
  clock_.advance_ms(5000);
  EXPECT_EQ(run({"SAVE"}), kOk);
  EXPECT_EQ(field("rdb_changes_since_last_save"), "0");
  EXPECT_EQ(field("rdb_saves"), "1");
  EXPECT_EQ(run({"LASTSAVE"}), integer(clock_.now_ms() / 1000));
  std::map<std::string, std::string> expected = {{"0:k", "v"}, {"0:l", "a,b,"}, {"3:other", "db"}};
  EXPECT_EQ(dump_contents(), expected);
  EXPECT_EQ(run({"SAVE", "x"}), err("ERR wrong number of arguments for 'save' command"));
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SAVE"}), err("ERR Command not allowed inside a transaction"));
  run({"DISCARD"});
}

TEST_F(PersistenceTest, BgsaveIsTheKeyspaceAsItWasWhenItStarted) {
  for (int i = 0; i < 20000; ++i) run({"SET", "key:" + std::to_string(i), "old"});
  EXPECT_EQ(run({"BGSAVE"}), "+Background saving started\r\n");
  EXPECT_EQ(field("rdb_bgsave_in_progress"), "1");
  EXPECT_EQ(run({"BGSAVE"}), err("ERR Background save already in progress"));
  EXPECT_EQ(run({"SAVE"}), err("ERR Background save already in progress"));
  // Writes between the steps: overwrites, deletions and new keys are not in the file.
  for (int i = 0; i < 20000; i += 2) {
    run({"SET", "key:" + std::to_string(i), "new"});
    run({"DEL", "key:" + std::to_string(i + 1)});
    run({"SET", "added:" + std::to_string(i), "x"});
    if (i % 200 == 0) persistence().step();
  }
  finish_background_work();
  EXPECT_EQ(field("rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(field("rdb_saves"), "1");
  // The changes made while it ran are still unsaved.
  EXPECT_EQ(field("rdb_changes_since_last_save"), "30000");
  std::map<std::string, std::string> dump = dump_contents();
  ASSERT_EQ(dump.size(), 20000u);
  for (const auto& [key, value] : dump) ASSERT_EQ(value, "old") << key;
  EXPECT_EQ(run({"BGSAVE", "SCHEDULE", "x"}), err("ERR syntax error"));
}

// rdb-key-save-delay (µs per key, as Redis's child sleeps): the walk keeps to that pace on the
// store's clock, and says how long to wait, so that the server sleeps on a timer meanwhile.
TEST_F(PersistenceTest, KeySaveDelayPacesTheWalk) {
  for (int i = 0; i < 300; ++i) run({"SET", "key:" + std::to_string(i), "v"});
  EXPECT_EQ(run({"CONFIG", "SET", "rdb-key-save-delay", "1000"}), kOk);
  EXPECT_EQ(run({"BGSAVE"}), "+Background saving started\r\n");
  // A step takes whole hash chains, so a key or two may go early; never a whole period's worth.
  for (int i = 0; i < 50; ++i) persistence().step();
  EXPECT_EQ(field("rdb_bgsave_in_progress"), "1");
  EXPECT_GT(persistence().paced_wait_us(), 0);
  EXPECT_LE(persistence().paced_wait_us(), 5000);
  advance_ms(100);
  for (int i = 0; i < 50; ++i) persistence().step();
  EXPECT_EQ(field("rdb_bgsave_in_progress"), "1");
  EXPECT_GT(persistence().paced_wait_us(), 0);
  advance_ms(150);  // 250 ms: not yet
  for (int i = 0; i < 50; ++i) persistence().step();
  EXPECT_EQ(field("rdb_bgsave_in_progress"), "1");
  advance_ms(50);  // 300 keys' worth
  finish_background_work();
  EXPECT_EQ(field("rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(dump_contents().size(), 300u);
  EXPECT_EQ(persistence().paced_wait_us(), 0);
  // A negative delay is one µs per that many keys (Redis's statistical sleep): no wait here.
  EXPECT_EQ(run({"CONFIG", "SET", "rdb-key-save-delay", "-1000"}), kOk);
  EXPECT_EQ(run({"BGSAVE"}), "+Background saving started\r\n");
  advance_ms(1);
  finish_background_work();
  EXPECT_EQ(field("rdb_saves"), "2");
}

// SAVE blocks, and with rdb-key-save-delay it sleeps after each key as Redis's rdbSave does (on
// the real clock: the server is held, which is what a test that sets it wants).
TEST_F(PersistenceTest, KeySaveDelayHoldsASave) {
  for (int i = 0; i < 40; ++i) run({"SET", "key:" + std::to_string(i), "v"});
  EXPECT_EQ(run({"CONFIG", "SET", "rdb-key-save-delay", "5000"}), kOk);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run({"SAVE"}), kOk);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(200)) << "40 keys at 5 ms each";
  EXPECT_EQ(dump_contents().size(), 40u);
  // A negative delay: 1 µs once in that many keys (the most negative one included).
  EXPECT_EQ(run({"CONFIG", "SET", "rdb-key-save-delay", "-2147483648"}), kOk);
  EXPECT_EQ(run({"SAVE"}), kOk);
}

TEST_F(PersistenceTest, AFailedBgsaveRefusesWritesWithMisconfUntilASaveSucceeds) {
  run({"CONFIG", "SET", "save", "3600 1"});
  run({"SET", "k", "v"});
  config_.dir = "/proc";  // no file can be created there, even by root
  EXPECT_EQ(run({"BGSAVE"}), err("ERR"));
  EXPECT_EQ(field("rdb_last_bgsave_status"), "err");
  const std::string misconf = err(err::kMisconfRdb);
  EXPECT_EQ(run({"SET", "k", "w"}), misconf);
  EXPECT_EQ(run({"PING"}), misconf) << "Redis refuses PING too, for health checks";
  EXPECT_EQ(run({"GET", "k"}), bulk("v")) << "reads go on";
  // Without save rules, or with stop-writes-on-bgsave-error no, writes are accepted.
  EXPECT_EQ(run({"CONFIG", "SET", "stop-writes-on-bgsave-error", "no"}), kOk);
  EXPECT_EQ(run({"SET", "k", "w"}), kOk);
  EXPECT_EQ(run({"CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"}), kOk);
  EXPECT_EQ(run({"SET", "k", "w"}), misconf);
  // The fault goes: a save succeeds and writes are accepted again.
  config_.dir = dir_;
  EXPECT_EQ(run({"BGSAVE"}), "+Background saving started\r\n");
  finish_background_work();
  EXPECT_EQ(field("rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(run({"SET", "k", "x"}), kOk);
}

// Redis's multi.tcl "MULTI with BGSAVE / BGREWRITEAOF / config set appendonly": inside EXEC each
// is scheduled for after the transaction, so that a snapshot holds all of it or none of it (a
// fork-less snapshot started mid-transaction would hold its first half).
TEST_F(PersistenceTest, SnapshotsAskedForInsideExecStartAfterIt) {
  run({"MULTI"});
  run({"SET", "a", "1"});
  run({"BGSAVE"});
  run({"SET", "b", "2"});
  EXPECT_EQ(run({"EXEC"}), array({kOk, "+Background saving scheduled\r\n", kOk}));
  EXPECT_EQ(field("rdb_bgsave_in_progress"), "0");
  engine_->cron();
  EXPECT_EQ(field("rdb_bgsave_in_progress"), "1");
  finish_background_work();
  EXPECT_EQ(dump_contents(), (std::map<std::string, std::string>{{"0:a", "1"}, {"0:b", "2"}}));

  run({"MULTI"});
  run({"BGREWRITEAOF"});
  run({"INCR", "n"});
  EXPECT_EQ(run({"EXEC"}),
            array({"+Background append only file rewriting scheduled\r\n", integer(1)}));
  EXPECT_EQ(field("aof_rewrite_scheduled"), "1");
  engine_->cron();
  finish_background_work();
  EXPECT_EQ(field("aof_rewrite_scheduled"), "0");
  EXPECT_EQ(field("aof_last_bgrewrite_status"), "ok");

  run({"MULTI"});
  run({"INCR", "n"});
  run({"CONFIG", "SET", "appendonly", "yes"});
  run({"INCR", "n"});
  EXPECT_EQ(run({"EXEC"}), array({integer(2), kOk, integer(3)}));
  EXPECT_EQ(field("aof_enabled"), "1");
  EXPECT_EQ(field("aof_rewrite_scheduled"), "1") << "the AOF's base waits for the transaction";
  engine_->cron();
  finish_background_work();
  EXPECT_EQ(field("aof_rewrite_scheduled"), "0");
  // Reloaded from the AOF, n is 3: the base is not half the transaction with all of it after.
  EXPECT_EQ(run({"DEBUG", "LOADAOF"}), kOk);
  EXPECT_EQ(run({"GET", "n"}), bulk("3"));
}

TEST_F(PersistenceTest, SaveRulesStartABgsaveFromCron) {
  EXPECT_EQ(run({"CONFIG", "SET", "save", "10 2"}), kOk);
  run({"SET", "a", "1"});
  clock_.advance_ms(11000);
  engine_->cron();
  EXPECT_EQ(field("rdb_bgsave_in_progress"), "0") << "one change is below the rule's two";
  run({"SET", "b", "2"});
  engine_->cron();
  EXPECT_EQ(field("rdb_bgsave_in_progress"), "1");
  finish_background_work();
  EXPECT_EQ(dump_contents().size(), 2u);
  EXPECT_EQ(field("rdb_changes_since_last_save"), "0");
  run({"SET", "c", "3"});
  run({"SET", "d", "4"});
  engine_->cron();
  EXPECT_EQ(field("rdb_bgsave_in_progress"), "0") << "10 seconds have not passed since the save";
}

TEST_F(PersistenceTest, FlushallAbortsTheBgsaveAndSavesAnEmptyDumpWithSaveRules) {
  run({"SET", "k", "v"});
  EXPECT_EQ(run({"SAVE"}), kOk);
  for (int i = 0; i < 5000; ++i) run({"SET", "key:" + std::to_string(i), "v"});
  EXPECT_EQ(run({"BGSAVE"}), "+Background saving started\r\n");
  run({"CONFIG", "SET", "save", "3600 1"});
  EXPECT_EQ(run({"FLUSHALL"}), kOk);
  EXPECT_EQ(field("rdb_bgsave_in_progress"), "0");
  EXPECT_TRUE(dump_contents().empty());
  // No temporary file is left behind.
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename(), "dump.rdb");
  }
}

TEST_F(PersistenceTest, DebugReloadKeepsValuesAndTtls) {
  run({"SET", "k", "v", "PX", "50000"});
  run({"RPUSH", "l", "1", "2", "3"});
  EXPECT_EQ(run({"DEBUG", "RELOAD"}), kOk);
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(run({"PTTL", "k"}), integer(50000));
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), array({bulk("1"), bulk("2"), bulk("3")}));
  // NOSAVE loads the file as it is: a key written since is gone.
  run({"SET", "new", "x"});
  EXPECT_EQ(run({"DEBUG", "RELOAD", "NOSAVE"}), kOk);
  EXPECT_EQ(run({"EXISTS", "new"}), integer(0));
  EXPECT_EQ(run({"DEBUG", "RELOAD", "MERGE"}), err("ERR syntax error"));
}

// Keys read from a dump are new to nobody: no "new" events (Redis's dbAddRDBLoad), which would
// otherwise flood a subscriber with one message per key at each DEBUG RELOAD.
TEST_F(PersistenceTest, ReloadSendsNoNewKeyEvents) {
  run({"CONFIG", "SET", "notify-keyspace-events", "En"});
  run({"SUBSCRIBE", "__keyevent@0__:new"}, 1);
  run({"SET", "k", "v"});
  EXPECT_EQ(client(1).take(), array({bulk("message"), bulk("__keyevent@0__:new"), bulk("k")}));
  EXPECT_EQ(run({"DEBUG", "RELOAD"}), kOk);
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(client(1).take(), "");
}

// A loaded value takes the encoding the configuration gives it, as Redis's loader converts by
// its configuration (Redis's zset.tcl: "ZSCORE after a DEBUG RELOAD - skiplist" reloads with
// zset-max-ziplist-entries 0), and so does RESTORE.
TEST_F(PersistenceTest, LoadingConvertsByTheConfiguredEncodingLimits) {
  EXPECT_EQ(run({"CONFIG", "SET", "zset-max-listpack-entries", "0"}), kOk);
  EXPECT_EQ(run({"CONFIG", "SET", "set-max-intset-entries", "2"}), kOk);
  run({"ZADD", "z", "1", "a", "2", "b"});
  run({"SADD", "s", "1", "2", "3"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "z"}), bulk("skiplist"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "s"}), bulk("hashtable"));
  EXPECT_EQ(run({"DEBUG", "RELOAD"}), kOk);
  EXPECT_EQ(run({"OBJECT", "ENCODING", "z"}), bulk("skiplist"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "s"}), bulk("hashtable"));
  const std::string dumped = run({"DUMP", "z"});
  // Within the limits again, a small skiplist or table comes back compact.
  EXPECT_EQ(run({"CONFIG", "SET", "zset-max-listpack-entries", "128"}), kOk);
  EXPECT_EQ(run({"CONFIG", "SET", "set-max-intset-entries", "512"}), kOk);
  EXPECT_EQ(run({"DEBUG", "RELOAD"}), kOk);
  EXPECT_EQ(run({"OBJECT", "ENCODING", "z"}), bulk("listpack"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "s"}), bulk("intset"));
  EXPECT_EQ(run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            array({bulk("a"), bulk("1"), bulk("b"), bulk("2")}));
  EXPECT_EQ(run({"SCARD", "s"}), integer(3));
  EXPECT_EQ(run({"CONFIG", "SET", "zset-max-listpack-entries", "1"}), kOk);
  EXPECT_EQ(run({"RESTORE", "z2", "0", bulk_body(dumped)}), kOk);
  EXPECT_EQ(run({"OBJECT", "ENCODING", "z2"}), bulk("skiplist"));
}

// A small hash or sorted set that shrank from a large one (HDEL, ZREM: more than a room holds)
// moves back into its key's entry with the write that shrank it; loaded from the dump (or the
// log), it is created whole and its block goes into its key's entry again.
TEST_F(PersistenceTest, LoadedSmallCollectionsSitInTheirKeysEntries) {
  for (int i = 1; i <= 60; ++i) {
    run({"HSET", "h", "f" + std::to_string(i),
         i <= 5 ? "v" + std::to_string(i) : "a value long enough to need a block of its own"});
    run({"ZADD", "z", std::to_string(i),
         i <= 5 ? "m" + std::to_string(i)
                : "a member long enough for a block of its own " + std::to_string(i)});
  }
  for (int i = 6; i <= 60; ++i) {
    run({"HDEL", "h", "f" + std::to_string(i)});
    run({"ZREM", "z", "a member long enough for a block of its own " + std::to_string(i)});
  }
  Database& db = engine_->store().db(0);
  EXPECT_TRUE(db.find("h")->value.hash().block().is_embedded());
  EXPECT_TRUE(db.find("z")->value.zset().block().is_embedded());
  EXPECT_EQ(run({"DEBUG", "RELOAD"}), kOk);
  EXPECT_TRUE(db.find("h")->value.hash().block().is_embedded());
  EXPECT_TRUE(db.find("z")->value.zset().block().is_embedded());
  EXPECT_EQ(run({"HGET", "h", "f5"}), bulk("v5"));
  EXPECT_EQ(run({"ZRANK", "z", "m4"}), integer(3));
  // And they go on working there: changed in place, then grown out of the room.
  EXPECT_EQ(run({"HSET", "h", "f1", "x"}), integer(0));
  EXPECT_EQ(run({"ZINCRBY", "z", "10", "m1"}), bulk("11"));
  for (int i = 6; i <= 40; ++i) run({"HSET", "h", "f" + std::to_string(i), "value"});
  EXPECT_EQ(run({"HLEN", "h"}), integer(40));
  EXPECT_EQ(run({"HGET", "h", "f1"}), bulk("x"));
  EXPECT_EQ(run({"ZRANGE", "z", "-1", "-1"}), array({bulk("m1")}));
}

// DEBUG LOADAOF (Redis's expire.tcl and other.tcl use it to check what the log replays): the
// writes of this very turn are in the log first, and the keyspace becomes what the files hold.
TEST_F(PersistenceTest, DebugLoadaofReplacesTheKeyspaceWithTheLogsContent) {
  EXPECT_EQ(run({"DEBUG", "LOADAOF"}),
            err("ERR Error loading the append only file, check server logs."))
      << "no AOF yet";
  EXPECT_EQ(run({"CONFIG", "SET", "appendonly", "yes"}), kOk);
  finish_background_work();
  run({"SET", "k", "v", "PX", "50000"});
  run({"RPUSH", "l", "a", "b"});
  run({"SELECT", "2"});
  run({"SET", "other", "db"});
  run({"SELECT", "0"});
  // Not through the log: the reload shows whether the log is what is loaded.
  ASSERT_NE(engine_->store().db(0).add("ghost", Value("x")), nullptr);
  EXPECT_EQ(run({"DEBUG", "LOADAOF"}), kOk);
  EXPECT_EQ(run({"EXISTS", "ghost"}), integer(0));
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(run({"PTTL", "k"}), integer(50000));
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}), array({bulk("a"), bulk("b")}));
  run({"SELECT", "2"});
  EXPECT_EQ(run({"GET", "other"}), bulk("db"));
  EXPECT_EQ(run({"DEBUG", "LOADAOF", "x"}),
            err("ERR unknown subcommand or wrong number of arguments for 'LOADAOF'. Try DEBUG "
                "HELP."));
}

// While an AOF loads nothing expires (Redis's server.loading): a key whose TTL passed after it
// was logged, with no DEL logged since (a crash, or nobody touched it), is changed by the log's
// later commands as it was live, then expires. Expiring it mid-load instead turned "APPEND k x"
// into a new key "x" with no TTL: data that never existed, kept forever.
TEST_F(PersistenceTest, LoadingAnAofExpiresNothingUntilItIsOver) {
  EXPECT_EQ(run({"CONFIG", "SET", "appendonly", "yes"}), kOk);
  finish_background_work();
  run({"SET", "in_base", "v", "PX", "100"});
  EXPECT_EQ(run({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  finish_background_work();
  run({"APPEND", "in_base", "x"});  // logged after the base that holds in_base with its TTL
  run({"SET", "k", "v", "PX", "100"});
  run({"APPEND", "k", "x"});
  run({"RPUSH", "list", "foo"});
  run({"PEXPIRE", "list", "100"});
  run({"RPUSH", "list", "bar"});
  run({"SET", "kept", "1"});
  engine_->end_turn();
  clock_.advance_ms(1000);
  EXPECT_EQ(run({"DEBUG", "LOADAOF"}), kOk);
  EXPECT_EQ(run({"GET", "in_base"}), kNil);
  EXPECT_EQ(run({"GET", "k"}), kNil);
  EXPECT_EQ(run({"LLEN", "list"}), integer(0));
  EXPECT_EQ(run({"GET", "kept"}), bulk("1"));
  EXPECT_EQ(run({"DBSIZE"}), integer(1));
}

// DEBUG AOF-FLUSH-SLEEP holds the loop before it writes the turn's log bytes (Redis's suite
// uses it to look at the file while a reply waits), and only when there is something to write.
TEST_F(PersistenceTest, AofFlushSleepDelaysTheTurnsWrite) {
  EXPECT_EQ(run({"CONFIG", "SET", "appendonly", "yes"}), kOk);
  finish_background_work();
  EXPECT_EQ(run({"DEBUG", "AOF-FLUSH-SLEEP", "60000"}), kOk);
  auto turn_ms = [&] {
    const auto start = std::chrono::steady_clock::now();
    engine_->end_turn();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };
  run({"SET", "k", "v"});
  EXPECT_GE(turn_ms(), 60);
  EXPECT_EQ(run({"GET", "k"}), "$1\r\nv\r\n");
  EXPECT_LT(turn_ms(), 60) << "nothing to write: no sleep";
  EXPECT_EQ(run({"DEBUG", "AOF-FLUSH-SLEEP", "0"}), kOk);
}

TEST_F(PersistenceTest, AppendonlyAtRuntimeLogsEveryEffectBeforeTheTurnEnds) {
  run({"SET", "before", "1"});
  EXPECT_EQ(run({"CONFIG", "SET", "appendonly", "yes", "appendfsync", "always"}), kOk);
  EXPECT_EQ(field("aof_enabled"), "1");
  run({"SET", "k", "v", "EX", "100"});
  run({"INCR", "n"});
  engine_->end_turn();
  const std::string aof_dir = join_path(dir_, "appendonlydir");
  // The base is written in the background, as a rewrite (Redis's AOF_WAIT_REWRITE): until it is
  // in place no manifest names the incr file.
  EXPECT_EQ(field("aof_rewrite_in_progress"), "1");
  EXPECT_FALSE(std::filesystem::exists(join_path(aof_dir, "appendonly.aof.manifest")));
  std::string error;
  std::optional<std::string> incr =
      read_file(join_path(aof_dir, "appendonly.aof.1.incr.aof"), &error);
  ASSERT_TRUE(incr) << error;
  const std::string at = std::to_string(clock_.now_ms() + 100000);
  EXPECT_EQ(*incr,
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
            "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n" +
                at +
                "\r\n"
                "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n");
  EXPECT_EQ(run({"BGREWRITEAOF"}),
            err("ERR Background append only file rewriting already in progress"));
  finish_background_work();
  std::optional<std::string> manifest =
      read_file(join_path(aof_dir, "appendonly.aof.manifest"), &error);
  ASSERT_TRUE(manifest) << error;
  EXPECT_EQ(*manifest,
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_EQ(field("aof_rewrites"), "1");
  EXPECT_EQ(run({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  EXPECT_EQ(run({"BGREWRITEAOF"}),
            err("ERR Background append only file rewriting already in progress"));
  finish_background_work();
  EXPECT_EQ(field("aof_last_bgrewrite_status"), "ok");
  EXPECT_EQ(field("aof_rewrites"), "2");
  EXPECT_EQ(run({"CONFIG", "SET", "appendonly", "no"}), kOk);
  EXPECT_EQ(field("aof_enabled"), "0");
  // With appendonly no, Redis 7 rewrites too: a new base, every incr file history (deleted).
  run({"SET", "while-off", "1"});
  EXPECT_EQ(run({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  finish_background_work();
  EXPECT_EQ(field("aof_last_bgrewrite_status"), "ok");
  EXPECT_EQ(field("aof_rewrites"), "3");
  EXPECT_EQ(aof_manifest(), "file appendonly.aof.3.base.rdb seq 3 type b\n");
  EXPECT_EQ(aof_files(),
            (std::vector<std::string>{"appendonly.aof.3.base.rdb", "appendonly.aof.manifest"}));
  // That base is the dataset a start with appendonly yes loads.
  config_.appendonly = "yes";
  start();
  ASSERT_FALSE(persistence().begin_loading());
  wait_for_loading();
  ASSERT_FALSE(persistence().loading());
  EXPECT_EQ(run({"GET", "while-off"}), bulk("1"));
  EXPECT_EQ(run({"GET", "before"}), bulk("1"));
}

// aof-disable-auto-gc yes: the files rewrites replace stay, listed as history (type h) in
// Redis's order; set back to no, they go at once and leave the manifest.
TEST_F(PersistenceTest, AofDisableAutoGcKeepsHistoryUntilTurnedOff) {
  EXPECT_EQ(run({"CONFIG", "SET", "appendonly", "yes"}), kOk);
  finish_background_work();
  EXPECT_EQ(run({"CONFIG", "SET", "aof-disable-auto-gc", "yes"}), kOk);
  for (int i = 0; i < 2; ++i) {
    run({"SET", "k", std::to_string(i)});
    EXPECT_EQ(run({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
    finish_background_work();
  }
  EXPECT_EQ(aof_manifest(),
            "file appendonly.aof.3.base.rdb seq 3 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type h\n"
            "file appendonly.aof.2.base.rdb seq 2 type h\n"
            "file appendonly.aof.1.incr.aof seq 1 type h\n"
            "file appendonly.aof.1.base.rdb seq 1 type h\n"
            "file appendonly.aof.3.incr.aof seq 3 type i\n");
  EXPECT_EQ(aof_files().size(), 7u);
  EXPECT_EQ(run({"CONFIG", "SET", "aof-disable-auto-gc", "no"}), kOk);
  EXPECT_EQ(aof_manifest(),
            "file appendonly.aof.3.base.rdb seq 3 type b\n"
            "file appendonly.aof.3.incr.aof seq 3 type i\n");
  EXPECT_EQ(aof_files("appendonly.aof.1.base.rdb"),
            (std::vector<std::string>{"appendonly.aof.3.base.rdb", "appendonly.aof.3.incr.aof",
                                      "appendonly.aof.manifest"}));
}

// appendonly yes at runtime over a directory an earlier AOF left: the new files take numbers
// after its own, and once the new base is installed the old files are history and deleted, as
// Redis's (they hold a dataset the server no longer has).
TEST_F(PersistenceTest, AppendonlyAtRuntimeRetiresTheFilesOfAnEarlierAof) {
  EXPECT_EQ(run({"CONFIG", "SET", "appendonly", "yes"}), kOk);
  finish_background_work();
  run({"SET", "k", "1"});
  EXPECT_EQ(run({"CONFIG", "SET", "appendonly", "no"}), kOk);
  EXPECT_EQ(run({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  finish_background_work();
  EXPECT_EQ(aof_manifest(), "file appendonly.aof.2.base.rdb seq 2 type b\n");
  EXPECT_EQ(run({"CONFIG", "SET", "appendonly", "yes"}), kOk);
  finish_background_work();
  EXPECT_EQ(aof_manifest(),
            "file appendonly.aof.3.base.rdb seq 3 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_EQ(aof_files("appendonly.aof.2.base.rdb"),
            (std::vector<std::string>{"appendonly.aof.1.incr.aof", "appendonly.aof.3.base.rdb",
                                      "appendonly.aof.manifest"}));
}

// aof-timestamp-enabled (switched on at runtime): "#TS:" before the first write of each second
// in the log, first in a base of commands, and a start loads past them.
TEST_F(PersistenceTest, TimestampAnnotationsMarkTheLogAndTheBase) {
  config_.appendonly = "yes";
  config_.aof_use_rdb_preamble = "no";
  start();
  ASSERT_FALSE(persistence().begin_loading());
  wait_for_loading();
  run({"SET", "before", "0"});
  EXPECT_EQ(run({"CONFIG", "SET", "aof-timestamp-enabled", "yes"}), kOk);
  const int64_t first_s = clock_.now_ms() / 1000;
  run({"SET", "a", "1"});
  run({"SET", "b", "2"});
  clock_.advance_ms(2000);
  run({"SET", "c", "3"});
  engine_->end_turn();
  const std::string aof_dir = join_path(dir_, "appendonlydir");
  std::string error;
  std::optional<std::string> incr =
      read_file(join_path(aof_dir, "appendonly.aof.1.incr.aof"), &error);
  ASSERT_TRUE(incr) << error;
  const std::string ts1 = "#TS:" + std::to_string(first_s) + "\r\n";
  const std::string ts2 = "#TS:" + std::to_string(first_s + 2) + "\r\n";
  EXPECT_EQ(*incr,
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$6\r\nbefore\r\n$1\r\n0\r\n" +
                ts1 + "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n" +
                "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n" + ts2 +
                "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n");
  EXPECT_EQ(run({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  finish_background_work();
  std::optional<std::string> base =
      read_file(join_path(aof_dir, "appendonly.aof.2.base.aof"), &error);
  ASSERT_TRUE(base) << error;
  EXPECT_TRUE(base->starts_with(ts2 + "*2\r\n$6\r\nSELECT\r\n")) << base->substr(0, 40);
  start();
  ASSERT_FALSE(persistence().begin_loading());
  wait_for_loading();
  EXPECT_EQ(run({"DBSIZE"}), ":4\r\n");
  EXPECT_EQ(run({"GET", "c"}), bulk("3"));
}

TEST_F(PersistenceTest, ABaseOfCommandsIsWrittenInTheBackgroundAsOfTheRewritesStart) {
  // aof-use-rdb-preamble no: the rewrite's base is the same fork-less walk as an RDB base,
  // encoded as commands, while writes go on into the new incr file.
  config_.appendonly = "yes";
  config_.aof_use_rdb_preamble = "no";
  start();
  ASSERT_FALSE(persistence().begin_loading());
  wait_for_loading();
  for (int i = 0; i < 2000; ++i) run({"SET", "s" + std::to_string(i), "v" + std::to_string(i)});
  run({"RPUSH", "list", "a", "b", "c"});
  run({"HSET", "hash", "f1", "1", "f2", "2"});
  run({"SADD", "set", "x", "y"});
  run({"ZADD", "zset", "1.5", "m1", "-inf", "m2"});
  run({"SET", "ttl", "t", "PX", "100000"});
  run({"SELECT", "3"});
  run({"SET", "in3", "three"});
  run({"SELECT", "0"});
  engine_->end_turn();
  EXPECT_EQ(run({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  EXPECT_EQ(field("aof_rewrite_in_progress"), "1");
  run({"SET", "s1", "changed"});
  run({"DEL", "s2"});
  run({"HSET", "hash", "f3", "3"});
  run({"RPOP", "list"});
  run({"SET", "new", "n"});
  engine_->end_turn();
  finish_background_work();
  EXPECT_EQ(field("aof_last_bgrewrite_status"), "ok");
  const std::string aof_dir = join_path(dir_, "appendonlydir");
  std::string error;
  std::optional<std::string> manifest =
      read_file(join_path(aof_dir, "appendonly.aof.manifest"), &error);
  ASSERT_TRUE(manifest) << error;
  EXPECT_EQ(*manifest,
            "file appendonly.aof.2.base.aof seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  std::optional<std::string> base =
      read_file(join_path(aof_dir, "appendonly.aof.2.base.aof"), &error);
  ASSERT_TRUE(base) << error;
  EXPECT_TRUE(base->starts_with("*2\r\n$6\r\nSELECT\r\n")) << base->substr(0, 40);
  // The base holds the keys as they were when the rewrite started.
  EXPECT_NE(base->find("$2\r\ns1\r\n$2\r\nv1\r\n"), std::string::npos);
  EXPECT_EQ(base->find("changed"), std::string::npos);
  start();
  ASSERT_FALSE(persistence().begin_loading());
  wait_for_loading();
  ASSERT_FALSE(persistence().loading());
  EXPECT_EQ(run({"DBSIZE"}), ":2005\r\n");
  EXPECT_EQ(run({"GET", "s1"}), bulk("changed"));
  EXPECT_EQ(run({"GET", "s2"}), "$-1\r\n");
  EXPECT_EQ(run({"GET", "s1999"}), bulk("v1999"));
  EXPECT_EQ(run({"LRANGE", "list", "0", "-1"}), array({bulk("a"), bulk("b")}));
  EXPECT_EQ(run({"HGET", "hash", "f3"}), bulk("3"));
  EXPECT_EQ(run({"HLEN", "hash"}), ":3\r\n");
  EXPECT_EQ(run({"SCARD", "set"}), ":2\r\n");
  EXPECT_EQ(run({"ZSCORE", "zset", "m2"}), bulk("-inf"));
  EXPECT_EQ(run({"PTTL", "ttl"}), ":100000\r\n");
  EXPECT_EQ(run({"GET", "new"}), bulk("n"));
  run({"SELECT", "3"});
  EXPECT_EQ(run({"GET", "in3"}), bulk("three"));
}

TEST_F(PersistenceTest, LoadingAtStartAnswersLoadingThenServesTheDump) {
  for (int i = 0; i < 1000; ++i) run({"SET", "key:" + std::to_string(i), "v"});
  run({"SET", "gone", "v", "PX", "10"});
  EXPECT_EQ(run({"SAVE"}), kOk);
  clock_.advance_ms(20);
  start();  // a new engine on the same directory, as after a restart
  ASSERT_FALSE(persistence().begin_loading());
  for (int i = 0; i < 5000 && persistence().loading(); ++i) {
    const std::string reply = run({"GET", "key:1"});
    if (persistence().loading()) {
      ASSERT_EQ(reply, err("LOADING Redis is loading the dataset in memory"));
      // The loading state changes only when the loop polls, so these see it still on.
      EXPECT_NE(run({"INFO", "persistence"}).find("loading:1"), std::string::npos);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    persistence().poll();
  }
  ASSERT_FALSE(persistence().loading());
  EXPECT_FALSE(persistence().loading_error());
  EXPECT_EQ(run({"DBSIZE"}), integer(1000));
  EXPECT_EQ(field("rdb_last_load_keys_loaded"), "1000");
  EXPECT_EQ(run({"GET", "key:999"}), bulk("v"));
}

TEST_F(PersistenceTest, ACorruptDumpStopsStartUpWithOneLine) {
  run({"SET", "k", "v"});
  EXPECT_EQ(run({"SAVE"}), kOk);
  {
    OutputFile f;
    ASSERT_FALSE(f.open(join_path(dir_, "dump.rdb")));
    ASSERT_FALSE(f.write("REDIS0010\xfa\x03"));
  }
  start();
  ASSERT_FALSE(persistence().begin_loading());
  wait_for_loading();
  ASSERT_TRUE(persistence().loading_error());
  EXPECT_NE(persistence().loading_error()->find("dump.rdb"), std::string::npos)
      << *persistence().loading_error();
  // Redis's last line for a file it opened and could not read through.
  EXPECT_EQ(persistence().loading_exit_line(),
            "Terminating server after rdb file reading failure.");
}

}  // namespace
}  // namespace basalt::testing

namespace basalt::testing {
namespace {

TEST_F(PersistenceTest, StartUpRemovesTemporaryFilesOfDeadProcesses) {
  // No process has pid 2^22 + 1 on Linux (pid_max is at most 2^22); this test's own pid is alive.
  const std::string dead = join_path(dir_, "temp-4194305-0-dump.rdb");
  const std::string live = join_path(dir_, "temp-" + std::to_string(getppid()) + "-0-dump.rdb");
  const std::string other = join_path(dir_, "notes.txt");
  for (const std::string& path : {dead, live, other})
    ASSERT_FALSE(write_file_atomically(path, "x"));
  start();
  ASSERT_FALSE(persistence().begin_loading());
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(live));
  EXPECT_TRUE(std::filesystem::exists(other));
}

}  // namespace
}  // namespace basalt::testing
