#pragma once
// Durability of the keyspace, as Redis gives it: RDB snapshots (SAVE, BGSAVE, the `save` rules,
// at shutdown, DEBUG RELOAD), the append-only file (the write-effect channel's consumer, with its
// fork-less rewrite), loading at start, and the state INFO and the admin port report.
//
// No fork and no libuv here. The server drives it:
// - step() runs a bounded share of the background work (a BGSAVE's or a rewrite's walk) while
//   busy() says there is some; the server calls it from an idle handle, so clients are served
//   between two steps;
// - cron() applies the save rules and the automatic rewrite, retries a failed AOF write, and
//   finishes jobs whose last part (fsync and rename) ran on a worker thread;
// - the end of each loop turn reaches the AOF through the effect stream (on_turn_end), before
//   the turn's replies are sent.
// Worker threads (loading at start, the fsync and rename that end a save) call `wake`, which
// the server points at a uv_async so the loop picks up their result at once.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "commands/effect_stream.hpp"
#include "persistence/rdb_loader.hpp"

namespace basalt {

struct Config;
class Engine;
class AofLog;
struct AofRewrite;
class BackgroundSave;
class Store;

// The configured encoding thresholds a loaded value (a file's, RESTORE's) is converted by.
ValueLimits value_limits(const Config& config);

// What SHUTDOWN (or a signal) asked for.
enum class ShutdownSave : uint8_t { kDefault, kSave, kNoSave };

class Persistence final : public EffectConsumer {
 public:
  explicit Persistence(Engine& engine);
  ~Persistence() override;
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }

  // Start-up: loads the AOF (appendonly yes) or the RDB file on a worker thread while the engine
  // answers -LOADING; poll() installs the result. Returns an error that stops start-up only when
  // the loading cannot even begin.
  std::optional<std::string> begin_loading();
  // Synchronous load (DEBUG RELOAD, tests): the RDB file replaces the keyspace.
  std::optional<std::string> load_now();
  // DEBUG LOADAOF: the log's buffer is written out, then the append-only files replace the
  // keyspace (nothing is propagated: the loaded writes are already in the log). An error when
  // there is no AOF to load (Redis exits then).
  std::optional<std::string> load_aof_now();
  bool loading() const { return loading_; }
  // A fatal loading error (a corrupt file, a type Basalt lacks): the server logs it and exits.
  const std::optional<std::string>& loading_error() const { return loading_error_; }
  // The last line to log before exiting on loading_error().
  const std::string& loading_exit_line() const { return loading_exit_line_; }

  // Background work: a share of the current BGSAVE's or rewrite's walk.
  bool busy() const;
  void step();
  // rdb-key-save-delay: microseconds until a walk kept to that pace may take its next entry; 0
  // when one may step now or none is paced (the server waits on a timer meanwhile).
  int64_t paced_wait_us() const;
  // Picks up finished worker threads; called by the server when woken, and from cron.
  void poll();
  void cron();

  // Commands. Each returns the reply's text: a status ("Background saving started"), or an
  // error when it begins with "ERR".
  // SAVE: nullopt on success. `go_on`, when set, is asked after each key; false stops the save.
  std::optional<std::string> save(std::function<bool()> go_on = {});
  std::string bgsave(bool schedule);
  std::string bgrewriteaof();
  int64_t lastsave() const { return lastsave_s_; }
  // FLUSHALL: as Redis, a running BGSAVE is abandoned first and, with save rules, an (empty)
  // dump is written after, so a restart does not bring the keys back.
  void before_flushall();
  void after_flushall();
  // SHUTDOWN and SIGTERM: the final AOF write and fsync, and the dump when save rules exist (or
  // SAVE was asked for). An error means the shutdown must not happen (unless forced).
  std::optional<std::string> prepare_shutdown(ShutdownSave mode);
  // CONFIG SET changed persistence parameters (appendonly, appendfsync, save, ...).
  std::optional<std::string> apply_config();

  // appendfsync always, pipelined: with a host that fsyncs the log off the loop thread (the
  // server), the log is written at the end of each turn without an fsync; the host fdatasyncs a
  // dup of aof_fd() on a worker and holds every reply produced until that fsync is done, while
  // the loop goes on reading and running commands, whose writes join the next fsync. Without
  // such a host (tests, tools), always fsyncs inline before the turn's replies, as Redis does.
  void set_async_sync(bool on);
  // DEBUG AOF-FLUSH-SLEEP: the loop sleeps this long before each write of buffered AOF bytes, so
  // that tests can look at the file between a write's execution and its reply (Redis's
  // aof_flush_sleep). 0 (the default) or negative: no sleep.
  void set_aof_flush_sleep_us(int64_t us) { aof_flush_sleep_us_ = us; }
  bool sync_before_replies() const;
  int aof_fd() const;
  // The host's fsync failed: as Redis under always, the process exits.
  [[noreturn]] void async_sync_failed(int error_number);

  // INFO persistence, in Redis's field names and order.
  void info(std::string& out) const;
  // Figures for the admin port's /metrics.
  struct Figures {
    int64_t last_save_s = 0;
    bool last_bgsave_ok = true;
    bool bgsave_in_progress = false;
    uint64_t changes_since_save = 0;
    bool aof_enabled = false;
    bool aof_rewrite_in_progress = false;
    bool aof_last_write_ok = true;
    uint64_t aof_current_size = 0;
    uint64_t aof_last_fsync_latency_us = 0;
  };
  Figures figures() const;

  // EffectConsumer: the AOF's side of the write-effect channel.
  void on_effect(uint64_t offset, int db, std::span<const std::string_view> argv) override;
  void on_turn_end() override;

 private:
  struct LoadJob;
  std::string rdb_path() const;
  void open_aof_at_start();
  std::optional<std::string> start_aof_at_runtime();
  void stop_aof();
  std::optional<std::string> start_bgsave_job();
  std::optional<std::string> start_rewrite_job();
  void write_base(std::unique_ptr<AofRewrite> rewrite);
  void complete_first_base();
  void finish_bgsave(const std::optional<std::string>& error);
  void finish_rewrite(const std::optional<std::string>& error);
  void abort_bgsave();
  void abort_rewrite();
  void discard_rewrite_base();
  void commit_on_thread(std::unique_ptr<BackgroundSave> save, bool rewrite);
  // Entries the walk may take in this step: kStepEntries, or under rdb-key-save-delay what its
  // pace allows by now (0 while it is ahead).
  size_t step_budget(const BackgroundSave& save) const;
  // One step of a BGSAVE's (or a rewrite's) walk; a failure goes to finish_bgsave (or
  // finish_rewrite), a finished file to the committer thread.
  void step_walk(std::unique_ptr<BackgroundSave>& save, bool rewrite);
  void join_committer();
  // A BGSAVE (or a rewrite) runs from its start until its file is renamed into place, the last
  // part on the committer thread.
  bool bgsave_running() const {
    return bgsave_ != nullptr || (commit_running_ && !commit_is_rewrite_);
  }
  bool rewrite_running() const {
    return rewrite_save_ != nullptr || (commit_running_ && commit_is_rewrite_);
  }
  void install_loaded();
  void adopt(LoadJob& job);
  // load_now and load_aof_now: a job as start-up's, run on the loop thread, then adopted.
  std::optional<std::string> load_on_loop(bool aof);
  void update_write_refusal();
  void flush_aof(bool force);
  uint64_t changes_since_save() const;

  Engine& engine_;
  Store& store_;
  std::function<void()> wake_;

  // RDB.
  int64_t lastsave_s_ = 0;
  uint64_t dirty_at_save_ = 0;    // the store's dirty count the last dump holds
  uint64_t dirty_at_bgsave_ = 0;  // ... when the running BGSAVE started
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_try_s_ = 0;  // a failed BGSAVE is retried after 5 s, as Redis
  int64_t bgsave_started_s_ = 0;
  int64_t last_bgsave_time_s_ = -1;
  uint64_t rdb_saves_ = 0;
  bool bgsave_scheduled_ = false;
  std::unique_ptr<BackgroundSave> bgsave_;
  uint64_t last_load_keys_loaded_ = 0;
  uint64_t last_load_keys_expired_ = 0;

  // AOF.
  std::unique_ptr<AofLog> aof_;
  std::unique_ptr<AofRewrite> rewrite_;
  std::unique_ptr<BackgroundSave> rewrite_save_;
  bool rewrite_scheduled_ = false;
  // appendonly yes was set while a BGSAVE ran, or its first base failed: the log opens (again)
  // once the server is idle (Redis's AOF_WAIT_REWRITE with a rewrite scheduled).
  bool aof_start_scheduled_ = false;
  bool last_rewrite_ok_ = true;
  int64_t rewrite_started_s_ = 0;
  int64_t last_rewrite_time_s_ = -1;
  uint64_t aof_rewrites_ = 0;
  uint64_t rewrite_failures_ = 0;  // consecutive
  uint64_t aof_base_size_at_rewrite_ = 0;
  bool aof_fatal_ = false;
  bool async_sync_ = false;
  int64_t aof_flush_sleep_us_ = 0;

  // A save's last part (fsync, rename) on a worker thread; at most one at a time.
  std::thread committer_;
  std::atomic<bool> commit_done_{false};
  bool commit_running_ = false;
  bool commit_is_rewrite_ = false;
  std::unique_ptr<BackgroundSave> committing_;
  std::optional<std::string> commit_error_;

  // Loading at start.
  bool loading_ = false;
  std::optional<std::string> loading_error_;
  std::string loading_exit_line_ = "Fatal error loading the DB. Exiting.";
  std::unique_ptr<LoadJob> load_job_;
  std::thread loader_;
};

}  // namespace basalt
