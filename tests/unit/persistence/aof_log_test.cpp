#include "persistence/aof_log.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "persistence/aof_base_writer.hpp"
#include "persistence/aof_reader.hpp"
#include "persistence/file_io.hpp"

namespace basalt {
namespace {

using Argv = std::vector<std::string>;

std::string encode(const std::vector<Argv>& commands) {
  std::string out;
  for (const auto& argv : commands) {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    append_aof_command(out, views);
  }
  return out;
}

std::string slurp(const std::string& path) {
  std::string error;
  auto bytes = read_file(path, &error);
  EXPECT_TRUE(bytes) << error;
  return bytes.value_or("");
}

void append(AofLog& log, int db, const Argv& argv, int64_t unix_s = 0) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  log.append(db, views, unix_s);
}

// Counts fdatasync calls and the threads they come from; can hold them to play a slow disk.
struct FakeDisk {
  std::atomic<int> syncs{0};
  std::atomic<int> syncs_off_main{0};
  std::atomic<int> fail_sync_errno{0};
  std::thread::id main = std::this_thread::get_id();
  std::mutex mu;
  std::condition_variable cv;
  bool hold = false;
  int64_t now = 0;

  AofFileOps ops() {
    AofFileOps ops;
    ops.fdatasync = [this](int fd) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [this] { return !hold; });
      }
      ++syncs;
      if (std::this_thread::get_id() != main) ++syncs_off_main;
      if (int e = fail_sync_errno.load()) {
        errno = e;
        return -1;
      }
      return ::fdatasync(fd);
    };
    ops.now_ms = [this] { return now; };
    return ops;
  }
  void set_hold(bool value) {
    {
      std::lock_guard lock(mu);
      hold = value;
    }
    cv.notify_all();
  }
};

class AofLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/basalt-aof-log-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    options_.names.dir = pattern;
    options_.use_rdb_preamble = false;
    options_.ops = disk_.ops();
  }
  void TearDown() override {
    disk_.set_hold(false);
    log_.reset();
    std::filesystem::remove_all(options_.names.dir);
  }

  // A base of commands holding the given commands.
  static AofBaseWriterFn base_of(std::vector<Argv> commands) {
    return [commands](const std::string& path) -> std::optional<std::string> {
      AofBaseWriter writer;
      if (auto error = writer.open(path)) return error;
      for (const auto& argv : commands) {
        std::vector<std::string_view> views(argv.begin(), argv.end());
        writer.command(views);
      }
      return writer.finish();
    };
  }

  AofLog& open_log(AofManifest manifest = {}, std::vector<Argv> base = {}) {
    log_ = std::make_unique<AofLog>(options_);
    auto error = log_->open(std::move(manifest), base_of(std::move(base)));
    EXPECT_FALSE(error) << *error;
    return *log_;
  }

  // Every command the directory replays, as start-up would read it.
  std::vector<Argv> replay() {
    AofLoadPlan plan;
    auto error = prepare_aof_load(options_.names, &plan);
    EXPECT_FALSE(error) << *error;
    std::vector<Argv> out;
    for (const auto& file : plan.files) {
      EXPECT_NE(file.format, AofFileFormat::kRdb);
      auto result = read_aof_file(file.path, 0, [&](const AofCommand& c) {
        out.emplace_back(c.argv.begin(), c.argv.end());
        return true;
      });
      EXPECT_EQ(result.status, AofReadStatus::kOk) << result.message;
    }
    return out;
  }

  std::string path(std::string_view name) { return options_.names.path_of(name); }
  size_t files_in_dir() {
    size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(options_.names.aof_dir())) {
      (void)entry;
      ++n;
    }
    return n;
  }

  FakeDisk disk_;
  AofLogOptions options_;
  std::unique_ptr<AofLog> log_;
};

TEST_F(AofLogTest, OpenCreatesBaseIncrAndManifest) {
  AofLog& log = open_log();
  EXPECT_EQ(slurp(options_.names.manifest_path()),
            "file appendonly.aof.1.base.aof seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_EQ(log.incr_path(), path("appendonly.aof.1.incr.aof"));
  EXPECT_EQ(slurp(path("appendonly.aof.1.base.aof")), "");
  EXPECT_EQ(files_in_dir(), 3u);  // no temporary left behind
}

TEST_F(AofLogTest, OpenDeletesHistoryACrashLeft) {
  std::filesystem::create_directories(options_.names.aof_dir());
  for (const char* name : {"appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof",
                           "appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof"})
    ASSERT_FALSE(write_file_atomically(path(name), ""));
  AofManifest m;
  ASSERT_FALSE(
      AofManifest::parse("file appendonly.aof.2.base.aof seq 2 type b\n"
                         "file appendonly.aof.1.incr.aof seq 1 type h\n"
                         "file appendonly.aof.1.base.aof seq 1 type h\n"
                         "file appendonly.aof.2.incr.aof seq 2 type i\n",
                         &m));
  AofLog& log = open_log(m);
  log.wait_for_background_jobs();
  EXPECT_FALSE(std::filesystem::exists(path("appendonly.aof.1.base.aof")));
  EXPECT_FALSE(std::filesystem::exists(path("appendonly.aof.1.incr.aof")));
  EXPECT_EQ(slurp(options_.names.manifest_path()),
            "file appendonly.aof.2.base.aof seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  EXPECT_EQ(log.incr_path(), path("appendonly.aof.2.incr.aof"));
}

TEST_F(AofLogTest, WritesExactBytesWithSelectWhenTheDbChanges) {
  AofLog& log = open_log();
  append(log, 0, {"SET", "k", std::string("a\r\n\0b", 5)});
  append(log, 0, {"INCR", "n"});
  append(log, 3, {"DEL", "k"});
  append(log, 0, {"MULTI"});
  append(log, 0, {"EXEC"});
  EXPECT_EQ(slurp(log.incr_path()), "");  // nothing before the turn ends
  auto result = log.flush_turn();
  EXPECT_EQ(result.status, AofFlushStatus::kOk);
  const std::string expected =
      "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + encode({{"SET", "k", std::string("a\r\n\0b", 5)}}) +
      encode({{"INCR", "n"}}) + "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n" + encode({{"DEL", "k"}}) +
      "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + encode({{"MULTI"}, {"EXEC"}});
  EXPECT_EQ(slurp(log.incr_path()), expected);
  EXPECT_EQ(result.written, expected.size());
  EXPECT_EQ(log.incr_size(), expected.size());
  EXPECT_EQ(log.current_size(), expected.size());
  EXPECT_EQ(log.buffer_length(), 0u);
}

// aof-timestamp-enabled, as Redis writes it: "#TS:<s>" before the first write of each new second
// (before its SELECT), nothing while off; loading skips the annotations.
TEST_F(AofLogTest, TimestampsPrecedeTheFirstWriteOfEachSecond) {
  AofLog& log = open_log();
  append(log, 0, {"SET", "a", "1"}, 1700000000);  // off by default
  log.set_timestamps(true);
  append(log, 1, {"SET", "b", "2"}, 1700000000);
  append(log, 1, {"SET", "c", "3"}, 1700000000);
  append(log, 1, {"SET", "d", "4"}, 1700000002);
  append(log, 1, {"SET", "e", "5"}, 1700000001);  // a clock stepping back writes nothing
  log.flush_turn();
  const std::string expected =
      "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + encode({{"SET", "a", "1"}}) + "#TS:1700000000\r\n" +
      "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n" + encode({{"SET", "b", "2"}, {"SET", "c", "3"}}) +
      "#TS:1700000002\r\n" + encode({{"SET", "d", "4"}, {"SET", "e", "5"}});
  EXPECT_EQ(slurp(log.incr_path()), expected);
  EXPECT_EQ(replay(), (std::vector<Argv>{{"SELECT", "0"},
                                         {"SET", "a", "1"},
                                         {"SELECT", "1"},
                                         {"SET", "b", "2"},
                                         {"SET", "c", "3"},
                                         {"SET", "d", "4"},
                                         {"SET", "e", "5"}}));
}

TEST_F(AofLogTest, ReopenAppendsToTheLastIncrAndSelectsAgain) {
  {
    AofLog& log = open_log();
    append(log, 2, {"SET", "a", "1"});
    ASSERT_FALSE(log.close());
  }
  AofLoadPlan plan;
  ASSERT_FALSE(prepare_aof_load(options_.names, &plan));
  AofLog& log = open_log(plan.manifest);
  EXPECT_EQ(log.current_size(), plan.total_size);
  append(log, 2, {"SET", "b", "2"});
  log.flush_turn();
  EXPECT_EQ(replay(), (std::vector<Argv>{
                          {"SELECT", "2"}, {"SET", "a", "1"}, {"SELECT", "2"}, {"SET", "b", "2"}}));
  EXPECT_EQ(slurp(options_.names.manifest_path()),
            "file appendonly.aof.1.base.aof seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
}

TEST_F(AofLogTest, AlwaysIsOnDiskWhenFlushReturns) {
  options_.fsync = AofFsyncPolicy::kAlways;
  AofLog& log = open_log();
  for (int turn = 0; turn < 3; ++turn) {
    append(log, 0, {"SET", "k" + std::to_string(turn), "v"});
    const int before = disk_.syncs;
    ASSERT_EQ(log.flush_turn().status, AofFlushStatus::kOk);
    EXPECT_EQ(disk_.syncs, before + 1);  // synced on this thread, before returning
    EXPECT_NE(slurp(log.incr_path()).find("k" + std::to_string(turn)), std::string::npos);
  }
  EXPECT_EQ(disk_.syncs_off_main, 0);
  EXPECT_EQ(log.pending_bio_fsync(), 0u);
  // A turn without writes syncs nothing.
  const int before = disk_.syncs;
  log.flush_turn();
  EXPECT_EQ(disk_.syncs, before);
}

TEST_F(AofLogTest, EverySecSyncsFromTheBackgroundThreadOncePerSecond) {
  options_.fsync = AofFsyncPolicy::kEverySec;
  AofLog& log = open_log();
  log.wait_for_background_jobs();
  const int at_open = disk_.syncs;
  append(log, 0, {"SET", "a", "1"});
  log.flush_turn();  // t = 0: the last fsync was "now"
  disk_.now = 500;
  append(log, 0, {"SET", "a", "2"});
  log.flush_turn();
  log.wait_for_background_jobs();
  EXPECT_EQ(disk_.syncs, at_open);
  disk_.now = 1000;
  append(log, 0, {"SET", "a", "3"});
  log.flush_turn();
  log.wait_for_background_jobs();
  EXPECT_EQ(disk_.syncs, at_open + 1);
  EXPECT_EQ(disk_.syncs_off_main, disk_.syncs);
  // Written at 1500, never followed by a write: a turn after the second ends syncs it anyway.
  disk_.now = 1500;
  append(log, 0, {"SET", "a", "4"});
  log.flush_turn();
  log.wait_for_background_jobs();
  EXPECT_EQ(disk_.syncs, at_open + 1);
  disk_.now = 2000;
  log.flush_turn();
  log.wait_for_background_jobs();
  EXPECT_EQ(disk_.syncs, at_open + 2);
  // Nothing left unsynced: idle turns do nothing.
  disk_.now = 5000;
  log.flush_turn();
  log.wait_for_background_jobs();
  EXPECT_EQ(disk_.syncs, at_open + 2);
}

TEST_F(AofLogTest, EverySecPostponesWritesBehindASlowFsyncForTwoSeconds) {
  options_.fsync = AofFsyncPolicy::kEverySec;
  AofLog& log = open_log();
  log.wait_for_background_jobs();
  disk_.set_hold(true);
  disk_.now = 1000;
  append(log, 0, {"SET", "a", "1"});
  ASSERT_EQ(log.flush_turn().status, AofFlushStatus::kOk);  // written; the fsync now hangs
  EXPECT_EQ(log.pending_bio_fsync(), 1u);
  const uint64_t size = log.incr_size();

  disk_.now = 1100;
  append(log, 0, {"SET", "b", "2"});
  EXPECT_EQ(log.flush_turn().status, AofFlushStatus::kPostponed);
  disk_.now = 3000;
  EXPECT_EQ(log.flush_turn().status, AofFlushStatus::kPostponed);
  EXPECT_EQ(log.incr_size(), size);
  EXPECT_GT(log.buffer_length(), 0u);
  EXPECT_EQ(log.delayed_fsync(), 0u);

  disk_.now = 3100;  // two seconds since the first postponement: write anyway
  auto result = log.flush_turn();
  EXPECT_EQ(result.status, AofFlushStatus::kOk);
  EXPECT_NE(result.message.find("Asynchronous AOF fsync is taking too long"), std::string::npos);
  EXPECT_EQ(log.delayed_fsync(), 1u);
  EXPECT_GT(log.incr_size(), size);
  EXPECT_EQ(log.pending_bio_fsync(), 1u);  // still the one fsync: none piled up behind it

  // force (a rewrite starting, shutdown) never waits.
  append(log, 0, {"SET", "c", "3"});
  EXPECT_EQ(log.flush_turn(/*force=*/true).status, AofFlushStatus::kOk);
  disk_.set_hold(false);
  log.wait_for_background_jobs();
  EXPECT_EQ(log.pending_bio_fsync(), 0u);
  EXPECT_EQ(replay().size(), 4u);
}

TEST_F(AofLogTest, FailedWriteKeepsTheBufferAndRecovers) {
  std::atomic<int> mode{0};  // 0 ok, 1 fail at once, 2 write 10 bytes then fail
  options_.ops.write = [&mode](int fd, const char* data, size_t size) -> ssize_t {
    if (mode == 1) {
      errno = ENOSPC;
      return -1;
    }
    if (mode == 2) {
      mode = 1;
      return ::write(fd, data, std::min<size_t>(size, 10));
    }
    return ::write(fd, data, size);
  };
  AofLog& log = open_log();
  append(log, 0, {"SET", "a", "1"});
  ASSERT_EQ(log.flush_turn().status, AofFlushStatus::kOk);
  const std::string before = slurp(log.incr_path());

  mode = 1;
  append(log, 0, {"SET", "b", "2"});
  auto failed = log.flush_turn();
  EXPECT_EQ(failed.status, AofFlushStatus::kWriteError);
  EXPECT_NE(failed.message.find("No space left on device"), std::string::npos) << failed.message;
  EXPECT_FALSE(log.last_write_ok());
  EXPECT_EQ(slurp(log.incr_path()), before);

  mode = 2;  // a short write is cut back off the file
  append(log, 0, {"SET", "c", "3"});
  auto short_write = log.flush_turn();
  EXPECT_EQ(short_write.status, AofFlushStatus::kWriteError);
  EXPECT_NE(short_write.message.find("Short write"), std::string::npos) << short_write.message;
  EXPECT_EQ(slurp(log.incr_path()), before);
  EXPECT_EQ(log.incr_size(), before.size());

  mode = 0;
  auto recovered = log.flush_turn();
  EXPECT_EQ(recovered.status, AofFlushStatus::kOk);
  EXPECT_EQ(recovered.message, "AOF write error looks solved, Redis can write again.");
  EXPECT_TRUE(log.last_write_ok());
  EXPECT_EQ(slurp(log.incr_path()), before + encode({{"SET", "b", "2"}, {"SET", "c", "3"}}));
}

TEST_F(AofLogTest, AlwaysWriteOrFsyncErrorIsFatal) {
  options_.fsync = AofFsyncPolicy::kAlways;
  bool fail = false;
  options_.ops.write = [&fail](int fd, const char* data, size_t size) -> ssize_t {
    if (fail) {
      errno = EIO;
      return -1;
    }
    return ::write(fd, data, size);
  };
  AofLog& log = open_log();
  fail = true;
  append(log, 0, {"SET", "a", "1"});
  auto result = log.flush_turn();
  EXPECT_EQ(result.status, AofFlushStatus::kFatal);
  EXPECT_NE(result.message.find("Exiting"), std::string::npos);
  fail = false;
  ASSERT_EQ(log.flush_turn().status, AofFlushStatus::kOk);
  disk_.fail_sync_errno = EIO;
  append(log, 0, {"SET", "b", "1"});
  result = log.flush_turn();
  EXPECT_EQ(result.status, AofFlushStatus::kFatal);
  EXPECT_NE(result.message.find("Can't persist AOF for fsync error"), std::string::npos);
  disk_.fail_sync_errno = 0;
}

TEST_F(AofLogTest, BackgroundFsyncFailureShowsInLastWriteStatus) {
  options_.fsync = AofFsyncPolicy::kEverySec;
  AofLog& log = open_log();
  log.wait_for_background_jobs();
  disk_.fail_sync_errno = EIO;
  disk_.now = 1000;
  append(log, 0, {"SET", "a", "1"});
  log.flush_turn();
  log.wait_for_background_jobs();
  EXPECT_FALSE(log.last_write_ok());
  EXPECT_NE(log.last_write_error().find("Fail to fsync the AOF file"), std::string::npos);
  disk_.fail_sync_errno = 0;
  disk_.now = 2000;
  append(log, 0, {"SET", "a", "2"});
  log.flush_turn();
  log.wait_for_background_jobs();
  EXPECT_TRUE(log.last_write_ok());
}

TEST_F(AofLogTest, RewriteRotatesInstallsAndDeletesHistory) {
  AofLog& log = open_log({}, {{"SET", "old", "base"}});
  append(log, 0, {"SET", "a", "1"});
  append(log, 1, {"SET", "b", "2"});
  log.flush_turn();

  AofRewrite rewrite;
  ASSERT_FALSE(log.open_new_incr(&rewrite));
  EXPECT_EQ(rewrite.first_incr_seq, 2);
  EXPECT_FALSE(rewrite.rdb_base);
  EXPECT_TRUE(log.rewrite_in_progress());
  EXPECT_EQ(slurp(options_.names.manifest_path()),
            "file appendonly.aof.1.base.aof seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  EXPECT_EQ(rewrite.manifest, log.manifest());
  // Writes during the rewrite go to the new file, which starts with its own SELECT.
  append(log, 1, {"SET", "c", "3"});
  log.flush_turn();
  EXPECT_EQ(slurp(path("appendonly.aof.2.incr.aof")),
            "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n" + encode({{"SET", "c", "3"}}));

  // The dataset as of the switch, as a base of commands.
  AofBaseWriter base;
  ASSERT_FALSE(base.open(rewrite.temp_base_path));
  base.select(0);
  base.set("old", "base");
  base.set("a", "1");
  base.select(1);
  base.set("b", "2");
  ASSERT_FALSE(base.finish());
  const uint64_t base_bytes = base.bytes();

  ASSERT_FALSE(log.install_rewrite(rewrite));
  EXPECT_FALSE(log.rewrite_in_progress());
  log.wait_for_background_jobs();
  EXPECT_EQ(slurp(options_.names.manifest_path()),
            "file appendonly.aof.2.base.aof seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  EXPECT_FALSE(std::filesystem::exists(path("appendonly.aof.1.base.aof")));
  EXPECT_FALSE(std::filesystem::exists(path("appendonly.aof.1.incr.aof")));
  EXPECT_FALSE(std::filesystem::exists(rewrite.temp_base_path));
  EXPECT_EQ(files_in_dir(), 3u);
  EXPECT_EQ(log.base_size(), base_bytes + log.incr_size());
  EXPECT_EQ(log.current_size(), log.base_size());

  EXPECT_EQ(replay(), (std::vector<Argv>{{"SELECT", "0"},
                                         {"SET", "old", "base"},
                                         {"SET", "a", "1"},
                                         {"SELECT", "1"},
                                         {"SET", "b", "2"},
                                         {"SELECT", "1"},
                                         {"SET", "c", "3"}}));
}

// CONFIG SET appendonly yes: the writes go to an incr file at once, and no manifest names it
// until its base is installed; the counters of an earlier run's manifest are continued.
TEST_F(AofLogTest, WaitingForTheFirstBaseNamesNothingUntilInstalled) {
  AofManifest earlier;
  earlier.base_seq = 4;
  earlier.incr_seq = 6;
  log_ = std::make_unique<AofLog>(options_);
  AofLog& log = *log_;
  AofRewrite rewrite;
  ASSERT_FALSE(log.open_waiting_for_base(earlier, &rewrite));
  EXPECT_TRUE(log.waiting_for_base());
  EXPECT_TRUE(log.rewrite_in_progress());
  EXPECT_EQ(rewrite.first_incr_seq, 7);
  EXPECT_EQ(log.incr_path(), path("appendonly.aof.7.incr.aof"));
  EXPECT_FALSE(std::filesystem::exists(options_.names.manifest_path()));
  append(log, 0, {"SET", "during", "1"});
  log.flush_turn();

  AofBaseWriter base;
  ASSERT_FALSE(base.open(rewrite.temp_base_path));
  base.select(0);
  base.set("before", "1");
  ASSERT_FALSE(base.finish());
  ASSERT_FALSE(log.install_rewrite(rewrite));
  EXPECT_FALSE(log.waiting_for_base());
  EXPECT_EQ(slurp(options_.names.manifest_path()),
            "file appendonly.aof.5.base.aof seq 5 type b\n"
            "file appendonly.aof.7.incr.aof seq 7 type i\n");
  EXPECT_EQ(replay(),
            (std::vector<Argv>{
                {"SELECT", "0"}, {"SET", "before", "1"}, {"SELECT", "0"}, {"SET", "during", "1"}}));
}

// A first base that failed (or appendonly no before it was installed): the incr file, which no
// manifest names, goes; a later open that picks the same name starts it empty.
TEST_F(AofLogTest, DiscardedFirstIncrLeavesNothingBehind) {
  {
    AofLog log(options_);
    AofRewrite rewrite;
    ASSERT_FALSE(log.open_waiting_for_base({}, &rewrite));
    append(log, 0, {"SET", "lost", "1"});
    log.flush_turn();
    log.abort_rewrite(rewrite);
    log.discard();
    EXPECT_FALSE(log.is_open());
    EXPECT_EQ(files_in_dir(), 0u);
  }
  {
    // A crash leaves such a file; the log opened at the next start reuses its name, empty.
    AofLog log(options_);
    AofRewrite rewrite;
    ASSERT_FALSE(log.open_waiting_for_base({}, &rewrite));
    append(log, 0, {"SET", "orphan", "1"});
    log.flush_turn();
    ASSERT_FALSE(log.close());
  }
  AofLog& log = open_log({}, {{"SET", "base", "1"}});
  EXPECT_EQ(log.incr_path(), path("appendonly.aof.1.incr.aof"));
  EXPECT_EQ(replay(), (std::vector<Argv>{{"SET", "base", "1"}}));
}

TEST_F(AofLogTest, FailedInstallKeepsTheOldManifestAndFiles) {
  AofLog& log = open_log({}, {{"SET", "old", "base"}});
  append(log, 0, {"SET", "a", "1"});
  log.flush_turn();
  AofRewrite rewrite;
  ASSERT_FALSE(log.open_new_incr(&rewrite));
  append(log, 0, {"SET", "b", "2"});
  log.flush_turn();
  const std::string manifest = slurp(options_.names.manifest_path());
  const std::vector<Argv> before = replay();

  // 1. The rewrite never produced its file.
  auto error = log.install_rewrite(rewrite);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("rename"), std::string::npos) << *error;
  EXPECT_EQ(slurp(options_.names.manifest_path()), manifest);
  EXPECT_EQ(log.manifest(), rewrite.manifest);

  // 2. The new base's name is taken by something rename can't replace.
  ASSERT_FALSE(log.open_new_incr(&rewrite));
  ASSERT_TRUE(std::filesystem::create_directories(path("appendonly.aof.2.base.aof") + "/x"));
  ASSERT_FALSE(write_file_atomically(rewrite.temp_base_path, encode({{"SET", "a", "1"}})));
  const std::string manifest2 = slurp(options_.names.manifest_path());
  error = log.install_rewrite(rewrite);
  ASSERT_TRUE(error);
  EXPECT_EQ(slurp(options_.names.manifest_path()), manifest2);
  EXPECT_FALSE(std::filesystem::exists(rewrite.temp_base_path));
  std::filesystem::remove_all(path("appendonly.aof.2.base.aof"));

  // Still a valid AOF, and still written to.
  append(log, 0, {"SET", "c", "3"});
  log.flush_turn();
  std::vector<Argv> after = before;
  after.push_back({"SELECT", "0"});
  after.push_back({"SET", "c", "3"});
  EXPECT_EQ(replay(), after);
  EXPECT_TRUE(std::filesystem::exists(path("appendonly.aof.1.base.aof")));
  EXPECT_TRUE(std::filesystem::exists(path("appendonly.aof.1.incr.aof")));
  EXPECT_EQ(log.manifest().incrs.size(), 3u);
}

TEST_F(AofLogTest, RotationRefusedWhileTheBufferCannotBeWritten) {
  bool fail = false;
  options_.ops.write = [&fail](int fd, const char* data, size_t size) -> ssize_t {
    if (fail) {
      errno = ENOSPC;
      return -1;
    }
    return ::write(fd, data, size);
  };
  AofLog& log = open_log();
  fail = true;
  append(log, 0, {"SET", "a", "1"});
  AofRewrite rewrite;
  EXPECT_TRUE(log.open_new_incr(&rewrite));
  EXPECT_EQ(log.manifest().incrs.size(), 1u);
  fail = false;
  EXPECT_FALSE(log.open_new_incr(&rewrite));
  EXPECT_EQ(log.manifest().incrs.size(), 2u);
}

TEST_F(AofLogTest, OneRewriteAtATime) {
  AofLog& log = open_log();
  AofRewrite first, second;
  ASSERT_FALSE(log.open_new_incr(&first));
  auto error = log.open_new_incr(&second);
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, "Background append only file rewriting already in progress");
  log.abort_rewrite(first);
  EXPECT_FALSE(log.open_new_incr(&second));
}

TEST_F(AofLogTest, OpenWithoutBaseWriterIsAnError) {
  AofLog log(options_);
  auto error = log.open({}, nullptr);
  ASSERT_TRUE(error);
  EXPECT_FALSE(log.is_open());
}

TEST_F(AofLogTest, RandomCommandsRoundTripThroughRotations) {
  std::mt19937 rng(3);
  AofLog& log = open_log();
  std::vector<Argv> expected;
  int selected = -1;
  for (int turn = 0; turn < 60; ++turn) {
    const int commands = static_cast<int>(rng() % 5);
    for (int i = 0; i < commands; ++i) {
      const int db = static_cast<int>(rng() % 3);
      Argv argv = {"SET"};
      for (int a = 0; a < 2; ++a) {
        std::string arg(rng() % 40, '\0');
        for (char& ch : arg) ch = static_cast<char>(rng());
        argv.push_back(arg);
      }
      if (db != selected) expected.push_back({"SELECT", std::to_string(db)});
      selected = db;
      append(log, db, argv);
      expected.push_back(argv);
    }
    log.flush_turn();
    if (turn % 20 == 19) {
      AofRewrite rewrite;
      ASSERT_FALSE(log.open_new_incr(&rewrite));
      selected = -1;
      // A failed rewrite: the incr files pile up and all still replay.
      log.abort_rewrite(rewrite);
    }
  }
  EXPECT_EQ(replay(), expected);
}

TEST(AofBaseWriterTest, ListsInBatchesOf64AsRedis) {
  char pattern[] = "/tmp/basalt-aof-base-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  const std::string file = join_path(dir, "base.aof");
  std::vector<std::string> elements;
  for (int i = 0; i < 130; ++i) elements.push_back("e" + std::to_string(i));
  std::vector<std::string_view> views(elements.begin(), elements.end());
  AofBaseWriter writer;
  ASSERT_FALSE(writer.open(file));
  writer.select(0);
  writer.set("s", "v");
  writer.rpush("l", views);
  writer.pexpireat("l", 1700000000123);
  ASSERT_FALSE(writer.finish());

  std::string expected = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + encode({{"SET", "s", "v"}});
  for (size_t start = 0; start < elements.size(); start += 64) {
    Argv argv = {"RPUSH", "l"};
    for (size_t i = start; i < std::min(elements.size(), start + 64); ++i)
      argv.push_back(elements[i]);
    expected += encode({argv});
  }
  expected += "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nl\r\n$13\r\n1700000000123\r\n";
  EXPECT_EQ(slurp(file), expected);
  EXPECT_EQ(writer.bytes(), expected.size());

  // A list fed fewer elements than announced would leave a malformed command: refused.
  AofBaseWriter short_list;
  ASSERT_FALSE(short_list.open(file));
  short_list.begin_list("l", 3);
  short_list.list_element("x");
  EXPECT_TRUE(short_list.finish());
  std::filesystem::remove_all(dir);
}

TEST(AofBaseWriterTest, SetsInSaddBatchesOf64AsRedis) {
  char pattern[] = "/tmp/basalt-aof-base-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  const std::string file = join_path(dir, "base.aof");
  AofBaseWriter writer;
  ASSERT_FALSE(writer.open(file));
  writer.begin_set("s", 65);
  for (int i = 0; i < 65; ++i) writer.set_member(std::to_string(i));
  writer.begin_list("l", 1);  // the batch command switches back
  writer.list_element("x");
  ASSERT_FALSE(writer.finish());
  Argv first = {"SADD", "s"};
  for (int i = 0; i < 64; ++i) first.push_back(std::to_string(i));
  EXPECT_EQ(slurp(file), encode({first, {"SADD", "s", "64"}, {"RPUSH", "l", "x"}}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace basalt
