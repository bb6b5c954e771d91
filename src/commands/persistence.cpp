#include "commands/persistence.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "base/allocator.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/hash_family.hpp"
#include "persistence/aof_base_writer.hpp"
#include "persistence/aof_log.hpp"
#include "persistence/aof_manifest.hpp"
#include "persistence/aof_reader.hpp"
#include "persistence/file_io.hpp"
#include "persistence/rdb_loader.hpp"
#include "persistence/rdb_writer.hpp"
#include "persistence/snapshot.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/set.hpp"
#include "store/zset.hpp"

namespace basalt {

namespace {

// Entries a step of a background walk serializes: a step runs between two turns of serving
// clients, so it bounds the latency a BGSAVE adds. With 1M keys of 100 bytes under a SET load,
// 2000 entries made the load's p99 7.7x its p99 without BGSAVE, 256 made it 2.4x, 128 1.6x.
constexpr size_t kStepEntries = 128;
// Redis's CONFIG_BGSAVE_RETRY_DELAY: a failed BGSAVE is tried again by the save rules after this.
constexpr int64_t kBgsaveRetryDelayS = 5;

bool yes(const std::string& value) { return value == "yes"; }

RdbWriteOptions rdb_options(const Config& config) {
  RdbWriteOptions options;
  options.compression = yes(config.rdbcompression);
  options.checksum = yes(config.rdbchecksum);
  return options;
}

AofNames aof_names(const Config& config) {
  AofNames names;
  names.dir = config.dir;
  names.dirname = config.appenddirname;
  names.filename = config.appendfilename;
  return names;
}

AofFsyncPolicy fsync_policy(const Config& config, bool async_sync) {
  // The host fsyncs (and holds replies) itself: the log only writes.
  if (config.appendfsync == "always") {
    return async_sync ? AofFsyncPolicy::kNo : AofFsyncPolicy::kAlways;
  }
  if (config.appendfsync == "no") return AofFsyncPolicy::kNo;
  return AofFsyncPolicy::kEverySec;
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The loader's session replies nowhere; what matters is the keyspace the commands build.
class DiscardingReply final : public ReplyBuilder {
 public:
  void simple(std::string_view) override {}
  void integer(int64_t) override {}
  void bulk(std::string_view) override {}
  void null() override {}
  void null_array() override {}
  void array(size_t) override {}
  void map(size_t) override {}
  void set(size_t) override {}
  void dbl(double) override {}
  void boolean(bool) override {}
  void verbatim(std::string_view, std::string_view) override {}
  void bignum(std::string_view) override {}
  void push(size_t) override {}
  void attribute(size_t) override {}
  int protocol() const override { return 2; }

 protected:
  void write_error(std::string_view) override {}
};

class DiscardingLink final : public ClientLink {
 public:
  ReplyBuilder& async_reply() override { return reply_; }
  void on_unblocked() override {}
  void kill() override {}
  size_t query_buffer_bytes() const override { return 0; }
  size_t output_buffer_bytes() const override { return 0; }
  DiscardingReply reply_;
};

// Redis's rewriteAppendOnlyFileRio starts a base of commands with the time it began.
std::optional<int64_t> base_timestamp(const Config& config, const Store& store) {
  if (!yes(config.aof_timestamp_enabled)) return std::nullopt;
  return store.clock().now_ms() / 1000;
}

// A base of commands (aof-use-rdb-preamble no): every key as the commands that rebuild it.
std::optional<std::string> write_command_base(const Store& store, const std::string& path,
                                              std::optional<int64_t> timestamp_s) {
  AofBaseWriter writer;
  if (auto error = writer.open(path)) return error;
  if (timestamp_s) writer.timestamp(*timestamp_s);
  for (int i = 0; i < store.db_count(); ++i) {
    const Database& db = store.db(i);
    db.for_each([&](Entry* e) {
      if (!db.is_expired(e)) writer.write_entry(i, e->key(), e->value, db.expire_at(e));
    });
  }
  return writer.finish();
}

// A save or rewrite killed half-way (kill -9, power) leaves its temporary file behind:
// "temp-<pid>-<n>-<name>" (file_io's temp_path_for), or a SAVE's "temp-<pid>.rdb" (save_rdb,
// Redis's name, which Redis's own leftovers have too). Those of processes no longer running are
// removed at start, so they cannot pile up; the live files are never temporary.
void remove_stale_temp_files(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("temp-")) continue;
    const size_t dash = name.find_first_of("-.", 5);
    if (dash == std::string::npos) continue;
    const std::optional<int64_t> pid = parse_int64(std::string_view(name).substr(5, dash - 5));
    if (!pid || *pid <= 0 || *pid > INT32_MAX || *pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(*pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code remove_error;
    if (std::filesystem::remove(entry.path(), remove_error)) {
      BASALT_LOG(kNotice, "Removed %s, left by a save that did not finish", name.c_str());
    }
  }
}

}  // namespace

// Loading at start runs on a thread of its own, into an engine of its own (the AOF is replayed
// as commands): the live engine answers -LOADING meanwhile and never shares a structure with
// the loader. When it is done, the loop swaps the loaded databases in.
struct Persistence::LoadJob {
  Config config;  // a copy: CONFIG SET on the loop must not race the loader
  // The loader's time: its own system clock on a worker thread (SystemClock calibrates itself
  // lazily, so two threads must not share one), else the live engine's (a test's manual clock).
  SystemClock own_clock;
  const Clock* clock = &own_clock;
  std::unique_ptr<Engine> engine;
  // The loader's engine (after `clock` is set), on a copy of the live configuration without
  // maxmemory: a load takes the whole file whatever the cap, as Redis's does (eviction comes
  // after), so its tables grow as keys arrive instead of deferring on a memory reading that
  // counts the live dataset (DEBUG RELOAD) or another thread's allocations.
  void make_engine(const Config& live) {
    config = live;
    config.maxmemory = 0;
    engine = std::make_unique<Engine>(config, *clock, 0x5eed);
    engine->store().set_loading(true);
  }
  std::optional<std::string> error;
  // The line logged last before the server exits on `error`: Redis's own for an AOF it cannot
  // load (the text operators' scripts and Redis's tests look for); empty for the generic one.
  std::string exit_line;
  bool skip_checksum = false;  // DEBUG SET-SKIP-CHECKSUM-VALIDATION (DEBUG RELOAD's loads)
  std::string source;          // for the log: "RDB dump.rdb", "AOF appendonlydir"
  uint64_t keys_loaded = 0;
  uint64_t keys_expired = 0;
  bool aof = false;
  AofLoadPlan plan;
  int64_t started_us = 0;
  std::atomic<bool> done{false};
  std::atomic<bool> cancel{false};

  void run();
  void load_rdb(const std::string& path);
  void load_aof();
  // For loading an RDB file or an AOF's RDB base: stops when cancelled, pauses after each key
  // under key-load-delay, and (log) logs progress every 2 MB.
  RdbLoadOptions rdb_load_options(bool log);
};

namespace {

// Redis's debugDelay after each key (key-load-delay on the loading thread, rdb-key-save-delay in a
// SAVE): a sleep of that many µs, or for a negative value one µs once in that many keys.
void pause_after_key(int64_t delay, uint64_t keys) {
  if (delay > 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
  } else if (delay < 0 && keys % static_cast<uint64_t>(-delay) == 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(1));
  }
}

}  // namespace

ValueLimits value_limits(const Config& config) {
  ValueLimits limits;
  limits.hash = hash_limits_of(config);
  limits.zset = {static_cast<size_t>(config.zset_max_listpack_entries),
                 static_cast<size_t>(config.zset_max_listpack_value)};
  limits.max_intset_entries = static_cast<size_t>(config.set_max_intset_entries);
  return limits;
}

RdbLoadOptions Persistence::LoadJob::rdb_load_options(bool log) {
  RdbLoadOptions options;
  options.limits = value_limits(config);
  options.progress_interval = static_cast<uint64_t>(config.loading_process_events_interval_bytes);
  options.verify_checksum = !skip_checksum;
  const int64_t delay = config.key_load_delay;
  // A progress line every 2 MB, however often the callback runs.
  constexpr uint64_t log_interval = uint64_t{2} << 20;
  // With a delay the callback runs between every two keys, which is where it pauses.
  if (delay != 0) options.progress_interval = 0;
  options.progress = [this, delay, log, logged_at = uint64_t{0}](const RdbLoadProgress& p) mutable {
    if (delay != 0) pause_after_key(delay, p.keys_loaded);
    if (log && p.bytes_read - logged_at >= log_interval) {
      logged_at = p.bytes_read;
      BASALT_LOG(kVerbose, "Loading %s: %llu bytes, %llu keys", source.c_str(),
                 static_cast<unsigned long long>(p.bytes_read),
                 static_cast<unsigned long long>(p.keys_loaded));
    }
    return !cancel.load();
  };
  return options;
}

namespace {

// Redis's lines after an RDB load: the empty keys skipped (the first ten by name) and the counts.
void log_rdb_load(const RdbLoadResult& r) {
  for (const std::string& key : r.empty_skipped_keys) {
    BASALT_LOG(kWarning, "rdbLoadObject skipping empty key: %s", sanitize_for_error(key).c_str());
  }
  if (r.empty_skipped != 0) {
    BASALT_LOG(kWarning,
               "Done loading RDB, keys loaded: %llu, keys expired: %llu, empty keys skipped: %llu.",
               static_cast<unsigned long long>(r.keys_loaded),
               static_cast<unsigned long long>(r.expired_skipped),
               static_cast<unsigned long long>(r.empty_skipped));
  } else {
    BASALT_LOG(kNotice, "Done loading RDB, keys loaded: %llu, keys expired: %llu.",
               static_cast<unsigned long long>(r.keys_loaded),
               static_cast<unsigned long long>(r.expired_skipped));
  }
}

}  // namespace

void Persistence::LoadJob::load_rdb(const std::string& path) {
  RdbLoadResult r = load_rdb_file(path, engine->store(), rdb_load_options(/*log=*/true));
  if (!r.ok()) {
    error = *r.error;
    // Redis's last words for a file it opened but could not read through.
    if (r.opened) exit_line = "Terminating server after rdb file reading failure.";
    return;
  }
  log_rdb_load(r);
  keys_loaded += r.keys_loaded;
  keys_expired += r.expired_skipped;
}

void Persistence::LoadJob::load_aof() {
  AofNames names = aof_names(config);
  source = "AOF " + names.aof_dir();
  if (auto e = prepare_aof_load(names, &plan)) {
    error = *e;
    return;
  }
  if (plan.state != AofLoadPlan::State::kLoad) return;
  DiscardingLink link;
  Session* session = engine->open_session(Frontend::kInternal, &link);
  const size_t before = engine->store().key_count();
  for (size_t i = 0; i < plan.files.size() && !error; ++i) {
    const AofPlannedFile& file = plan.files[i];
    uint64_t start = 0;
    if (file.format == AofFileFormat::kRdb) {
      RdbLoadOptions options = rdb_load_options(/*log=*/false);
      options.keep_expired = true;
      RdbLoadResult r = load_rdb_file(file.path, engine->store(), options);
      if (!r.ok()) {
        error = file.name + ": " + *r.error;
        break;
      }
      log_rdb_load(r);
      keys_expired += r.expired_skipped;
      start = r.bytes_read;
      if (start >= file.size) continue;
    } else if (file.format == AofFileFormat::kEmpty) {
      continue;
    }
    uint64_t commands = 0;
    AofReadResult r = read_aof_file(file.path, start, [&](const AofCommand& c) {
      if (engine->commands().find(c.argv[0]) == nullptr) {
        error = "Unknown command '" + sanitize_for_error(c.argv[0]) +
                "' reading the append only file " + file.name;
        exit_line = *error;
        return false;
      }
      engine->execute(*session, c.argv, link.reply_);
      ++commands;
      const int64_t delay = config.key_load_delay;
      if (delay != 0) pause_after_key(delay, commands);
      if (((commands & 0xffff) == 0 || delay != 0) && cancel.load()) {
        error = "loading cancelled";
        return false;
      }
      return true;
    });
    if (error) break;
    const bool last = i + 1 == plan.files.size();
    const char* name = file.name.c_str();
    switch (r.status) {
      case AofReadStatus::kOk:
        break;
      case AofReadStatus::kTruncated:
        // Redis's lines, as loadSingleAppendOnlyFile logs them; Basalt's own (where and why) is
        // the error's, or comes before the truncation's.
        if (r.in_multi) {
          BASALT_LOG(kWarning, "Revert incomplete MULTI/EXEC transaction in AOF file %s", name);
        }
        if (!yes(config.aof_load_truncated)) {
          error = r.message + " (aof-load-truncated is no)";
          exit_line = "Unexpected end of file reading the append only file " + file.name +
                      ". You can: 1) Make a backup of your AOF file, then use ./redis-check-aof "
                      "--fix <filename.manifest>. 2) Alternatively you can set the "
                      "'aof-load-truncated' configuration option to yes and restart the server.";
        } else if (!last) {
          // Redis cuts the file and then refuses; Basalt leaves it whole for the operator.
          error = r.message + " (not the last file)";
          exit_line = "Fatal error: the truncated file is not the last file";
        } else {
          // Redis's aof-load-truncated: keep what was whole, cut the torn tail, go on.
          BASALT_LOG(kWarning, "%s", r.message.c_str());
          if (auto e = truncate_aof_file(file.path, r.valid_up_to)) {
            error = *e;
          } else {
            BASALT_LOG(kWarning, "AOF %s loaded anyway because aof-load-truncated is enabled",
                       name);
          }
          if (r.in_multi) {
            // The commands after the unfinished MULTI were queued, never run: drop them.
            std::vector<std::string_view> discard = {"DISCARD"};
            engine->execute(*session, discard, link.reply_);
          }
        }
        break;
      case AofReadStatus::kCorrupt:
        error = r.message;
        exit_line = "Bad file format reading the append only file " + file.name +
                    ": make a backup of your AOF file, then use ./redis-check-aof --fix "
                    "<filename.manifest>";
        break;
      case AofReadStatus::kIoError:
      case AofReadStatus::kStopped:
        error = r.message;
        break;
    }
  }
  keys_loaded = engine->store().key_count() - before;
  engine->close_session(session);
}

// Huge pages for the span of a load, unless disable-thp (base/allocator.cpp says why only then).
class HugePagesWhileLoading {
 public:
  explicit HugePagesWhileLoading(const Config& config) : on_(config.disable_thp == "no") {
    if (on_) allow_huge_pages(true);
  }
  ~HugePagesWhileLoading() {
    if (on_) allow_huge_pages(false);
  }
  HugePagesWhileLoading(const HugePagesWhileLoading&) = delete;
  HugePagesWhileLoading& operator=(const HugePagesWhileLoading&) = delete;

 private:
  bool on_;
};

void Persistence::LoadJob::run() {
  HugePagesWhileLoading huge_pages(config);
  started_us = clock->monotonic_us();
  if (aof) {
    load_aof();
  } else {
    const std::string path = join_path(config.dir, config.dbfilename);
    source = "RDB " + path;
    if (file_exists(path)) load_rdb(path);
  }
}

Persistence::Persistence(Engine& engine) : engine_(engine), store_(engine.store()) {
  lastsave_s_ = engine.server_info().start_ms / 1000;
}

Persistence::~Persistence() {
  if (load_job_) load_job_->cancel = true;
  if (loader_.joinable()) loader_.join();
  if (committer_.joinable()) committer_.join();
  if (bgsave_) bgsave_->abort();
  if (rewrite_save_) rewrite_save_->abort();
  if (aof_) {
    engine_.effects().remove_consumer(this);
    aof_->close();
  }
}

std::string Persistence::rdb_path() const {
  const Config& c = engine_.config();
  return join_path(c.dir, c.dbfilename);
}

// --- Loading -----------------------------------------------------------------------------------

std::optional<std::string> Persistence::begin_loading() {
  const Config& config = engine_.config();
  remove_stale_temp_files(config.dir);
  remove_stale_temp_files(join_path(config.dir, config.appenddirname));
  auto job = std::make_unique<LoadJob>();
  job->aof = yes(config.appendonly);
  if (dynamic_cast<const SystemClock*>(&store_.clock()) == nullptr) job->clock = &store_.clock();
  job->make_engine(config);
  if (!job->aof && !file_exists(join_path(config.dir, config.dbfilename))) {
    // Nothing to load: no -LOADING window at all.
    lastsave_s_ = engine_.server_info().start_ms / 1000;
    return std::nullopt;
  }
  loading_ = true;
  engine_.set_loading(true);
  load_job_ = std::move(job);
  LoadJob* raw = load_job_.get();
  loader_ = std::thread([this, raw] {
    raw->run();
    raw->done = true;
    if (wake_) wake_();
  });
  return std::nullopt;
}

// The loader's databases become the live ones; the live ones leave with the job. WATCHed keys
// that existed are changed keys (DEBUG RELOAD; at start nobody watches yet).
void Persistence::adopt(LoadJob& job) {
  Store& loaded = job.engine->store();
  for (int i = 0; i < store_.db_count() && i < loaded.db_count(); ++i) {
    if (KeyspaceObserver* o = store_.observer()) o->on_db_flushed(i);
    store_.db(i).swap_contents(loaded.db(i));
  }
  last_load_keys_loaded_ = job.keys_loaded;
  last_load_keys_expired_ = job.keys_expired;
}

void Persistence::install_loaded() {
  loader_.join();
  std::unique_ptr<LoadJob> job = std::move(load_job_);
  loading_ = false;
  engine_.set_loading(false);
  if (job->error) {
    loading_error_ = "Can't load the dataset from " + job->source + ": " + *job->error;
    if (!job->exit_line.empty()) loading_exit_line_ = job->exit_line;
    return;
  }
  adopt(*job);
  const double seconds =
      static_cast<double>(job->clock->monotonic_us() - job->started_us) / 1'000'000.0;
  BASALT_LOG(kNotice, "DB loaded from %s: %llu keys in %.3f seconds", job->source.c_str(),
             static_cast<unsigned long long>(job->keys_loaded), seconds);
  dirty_at_save_ = store_.dirty();
  if (job->aof) {
    aof_base_size_at_rewrite_ = job->plan.base_size;
    open_aof_at_start();
  }
}

std::optional<std::string> Persistence::load_on_loop(bool aof) {
  const Config& config = engine_.config();
  LoadJob job;
  job.aof = aof;
  job.clock = &store_.clock();  // on the loop thread: the live clock is safe to share
  job.skip_checksum = engine_.skip_checksum_validation();
  job.make_engine(config);
  HugePagesWhileLoading huge_pages(config);
  if (aof) {
    job.load_aof();
    if (!job.error && job.plan.state == AofLoadPlan::State::kNoAof) {
      job.error = "no append-only file in " + aof_names(config).aof_dir();
    }
  } else {
    job.source = "RDB " + rdb_path();
    job.load_rdb(rdb_path());
  }
  if (job.error) return job.error;
  adopt(job);
  return std::nullopt;
}

std::optional<std::string> Persistence::load_now() { return load_on_loop(/*aof=*/false); }

std::optional<std::string> Persistence::load_aof_now() {
  if (aof_ != nullptr && aof_->is_open()) aof_->flush_turn(/*force=*/true);
  return load_on_loop(/*aof=*/true);
}

// --- Background work ----------------------------------------------------------------------------

namespace {

// rdb-key-save-delay, as Redis's child spends it (debugDelay after each key: a sleep of that many
// µs; a negative value, one µs once in that many keys): how many entries into its walk a save
// begun at started_us may be at now_us. The first goes at once.
uint64_t paced_entries(int64_t delay, int64_t started_us, int64_t now_us) {
  const uint64_t elapsed = static_cast<uint64_t>(std::max<int64_t>(now_us - started_us, 0));
  if (delay > 0) return elapsed / static_cast<uint64_t>(delay) + 1;
  const uint64_t per_us = static_cast<uint64_t>(-(delay + 1)) + 1;  // -delay, INT64_MIN safe
  return elapsed > UINT64_MAX / per_us ? UINT64_MAX : elapsed * per_us;
}

// rdb-key-save-delay in a save that blocks the server (SAVE, SHUTDOWN SAVE, DEBUG RELOAD): Redis's
// rdbSave sleeps after each key in the main process as its child does (debugDelay), so a test
// that sets it to hold a SAVE open sees the server held. A negative delay sleeps 1 µs once in
// that many keys.
// What runs after each key of a SAVE: rdb-key-save-delay's pause, then `go_on` (false stops it).
std::function<bool()> after_each_saved_key(int64_t delay, std::function<bool()> go_on) {
  if (delay == 0 && !go_on) return {};
  return [delay, go_on = std::move(go_on), keys = uint64_t{0}]() mutable {
    if (delay != 0) pause_after_key(delay, ++keys);
    return !go_on || go_on();
  };
}

}  // namespace

size_t Persistence::step_budget(const BackgroundSave& save) const {
  const int64_t delay = engine_.config().rdb_key_save_delay;
  if (delay == 0) return kStepEntries;
  const uint64_t allowed = paced_entries(delay, save.started_us(), store_.clock().monotonic_us());
  if (allowed <= save.written()) return 0;
  return static_cast<size_t>(std::min<uint64_t>(allowed - save.written(), kStepEntries));
}

int64_t Persistence::paced_wait_us() const {
  const int64_t delay = engine_.config().rdb_key_save_delay;
  // A negative delay allows an entry per µs at least: never worth a timer.
  if (delay <= 0) return 0;
  const int64_t now_us = store_.clock().monotonic_us();
  int64_t wait_us = 0;
  for (const BackgroundSave* save : {bgsave_.get(), rewrite_save_.get()}) {
    if (save == nullptr || save->done()) continue;
    if (step_budget(*save) > 0) return 0;
    // When paced_entries passes what is written.
    const int64_t next_us =
        save->started_us() + static_cast<int64_t>(save->written()) * delay - now_us;
    wait_us = wait_us == 0 ? next_us : std::min(wait_us, next_us);
  }
  return std::max<int64_t>(wait_us, 0);
}

bool Persistence::busy() const {
  return (bgsave_ != nullptr && !bgsave_->done()) ||
         (rewrite_save_ != nullptr && !rewrite_save_->done());
}

void Persistence::step() {
  step_walk(bgsave_, /*rewrite=*/false);
  step_walk(rewrite_save_, /*rewrite=*/true);
}

void Persistence::step_walk(std::unique_ptr<BackgroundSave>& save, bool rewrite) {
  if (save == nullptr || save->done()) return;
  const size_t budget = step_budget(*save);
  if (budget == 0) return;  // rdb-key-save-delay: ahead of its pace
  std::optional<std::string> error = save->step(budget);
  if (!error && save->done()) {
    error = save->finish_bytes();
    if (!error) {
      commit_on_thread(std::move(save), rewrite);
      return;
    }
  }
  if (error) rewrite ? finish_rewrite(error) : finish_bgsave(error);
}

void Persistence::commit_on_thread(std::unique_ptr<BackgroundSave> save, bool rewrite) {
  committing_ = std::move(save);
  commit_is_rewrite_ = rewrite;
  commit_running_ = true;
  commit_done_ = false;
  BackgroundSave* raw = committing_.get();
  committer_ = std::thread([this, raw] {
    commit_error_ = raw->commit();
    commit_done_ = true;
    if (wake_) wake_();
  });
}

void Persistence::join_committer() {
  committer_.join();
  commit_running_ = false;
  committing_.reset();
}

void Persistence::poll() {
  if (load_job_ != nullptr && load_job_->done.load()) install_loaded();
  if (commit_running_ && commit_done_.load()) {
    join_committer();
    if (commit_is_rewrite_) {
      finish_rewrite(commit_error_);
    } else {
      finish_bgsave(commit_error_);
    }
  }
}

void Persistence::cron() {
  poll();
  if (loading_) return;
  const Config& config = engine_.config();
  const int64_t now_s = engine_.store().clock().now_ms() / 1000;
  const bool idle = bgsave_ == nullptr && rewrite_save_ == nullptr && !commit_running_;
  if (idle && aof_start_scheduled_ &&
      (rewrite_failures_ == 0 || now_s - last_bgsave_try_s_ > kBgsaveRetryDelayS)) {
    if (auto error = start_aof_at_runtime()) {
      BASALT_LOG(kWarning, "Can't open the append-only file: %s", error->c_str());
    }
  } else if (idle && rewrite_scheduled_) {
    rewrite_scheduled_ = false;
    if (auto error = start_rewrite_job()) BASALT_LOG(kWarning, "%s", error->c_str());
  } else if (idle && bgsave_scheduled_) {
    bgsave_scheduled_ = false;
    if (auto error = start_bgsave_job()) BASALT_LOG(kWarning, "%s", error->c_str());
  } else if (idle) {
    // Redis's serverCron: the first rule met starts a BGSAVE; after a failure, not before the
    // retry delay.
    const uint64_t changes = changes_since_save();
    for (const SaveRule& rule : save_rules(config)) {
      if (changes >= static_cast<uint64_t>(rule.changes) && now_s - lastsave_s_ > rule.seconds &&
          (last_bgsave_ok_ || now_s - last_bgsave_try_s_ > kBgsaveRetryDelayS)) {
        BASALT_LOG(kNotice, "%lld changes in %lld seconds. Saving...",
                   static_cast<long long>(rule.changes), static_cast<long long>(rule.seconds));
        if (auto error = start_bgsave_job()) BASALT_LOG(kWarning, "%s", error->c_str());
        break;
      }
    }
    // auto-aof-rewrite-percentage: the log grew that much over its size after the last rewrite.
    if (aof_ != nullptr && bgsave_ == nullptr && config.auto_aof_rewrite_percentage > 0 &&
        aof_->current_size() > static_cast<uint64_t>(config.auto_aof_rewrite_min_size) &&
        (rewrite_failures_ == 0 || now_s - last_bgsave_try_s_ > kBgsaveRetryDelayS)) {
      const uint64_t base = std::max<uint64_t>(aof_base_size_at_rewrite_, 1);
      const uint64_t growth = (aof_->current_size() * 100 / base) - 100;
      if (growth >= static_cast<uint64_t>(config.auto_aof_rewrite_percentage)) {
        BASALT_LOG(kNotice, "Starting automatic rewriting of AOF on %llu%% growth",
                   static_cast<unsigned long long>(growth));
        if (auto error = start_rewrite_job()) BASALT_LOG(kWarning, "%s", error->c_str());
      }
    }
  }
  // everysec needs a flush now and then even when no client writes (a postponed write, the fsync
  // of a quiet tail), and a failed write is retried until it succeeds.
  if (aof_ != nullptr) flush_aof(false);
}

uint64_t Persistence::changes_since_save() const {
  const uint64_t dirty = store_.dirty();
  return dirty > dirty_at_save_ ? dirty - dirty_at_save_ : 0;
}

// --- RDB -----------------------------------------------------------------------------------------

std::optional<std::string> Persistence::save(std::function<bool()> go_on) {
  if (bgsave_running()) {
    return std::string("ERR Background save already in progress");
  }
  const Config& config = engine_.config();
  RdbHeaderInfo info;
  info.ctime_s = store_.clock().now_ms() / 1000;
  info.used_mem = allocated_bytes();
  const uint64_t dirty = store_.dirty();
  if (auto error = save_rdb(store_, rdb_path(), rdb_options(config), info,
                            after_each_saved_key(config.rdb_key_save_delay, std::move(go_on)))) {
    BASALT_LOG(kWarning, "Failed saving the DB: %s", error->c_str());
    return std::string("ERR");
  }
  BASALT_LOG(kNotice, "DB saved on disk");
  dirty_at_save_ = dirty;
  lastsave_s_ = info.ctime_s;
  last_bgsave_ok_ = true;
  ++rdb_saves_;
  update_write_refusal();
  return std::nullopt;
}

std::string Persistence::bgsave(bool schedule) {
  if (bgsave_running()) {
    return "ERR Background save already in progress";
  }
  // Inside EXEC it waits for the transaction's end, as Redis's does, so that the snapshot holds
  // all of the transaction or none of it.
  if (rewrite_save_ != nullptr || commit_running_ || engine_.in_transaction()) {
    if (!schedule && !engine_.in_transaction()) {
      return "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
             "SCHEDULE in order to schedule a BGSAVE whenever possible.";
    }
    bgsave_scheduled_ = true;
    return "Background saving scheduled";
  }
  if (auto error = start_bgsave_job()) {
    BASALT_LOG(kWarning, "%s", error->c_str());
    return "ERR";
  }
  return "Background saving started";
}

std::optional<std::string> Persistence::start_bgsave_job() {
  const Config& config = engine_.config();
  RdbHeaderInfo info;
  info.ctime_s = store_.clock().now_ms() / 1000;
  info.used_mem = allocated_bytes();
  last_bgsave_try_s_ = info.ctime_s;
  std::string error;
  bgsave_ = BackgroundSave::start(store_, rdb_path(), rdb_options(config), info, &error);
  if (bgsave_ == nullptr) {
    last_bgsave_ok_ = false;
    update_write_refusal();
    return "Can't save in background: " + error;
  }
  dirty_at_bgsave_ = store_.dirty();
  bgsave_started_s_ = info.ctime_s;
  BASALT_LOG(kNotice, "Background saving started (point-in-time snapshot, no fork)");
  return std::nullopt;
}

void Persistence::finish_bgsave(const std::optional<std::string>& error) {
  if (bgsave_ != nullptr) {
    bgsave_->abort();
    bgsave_.reset();
  }
  const int64_t now_s = store_.clock().now_ms() / 1000;
  last_bgsave_time_s_ = now_s - bgsave_started_s_;
  if (error) {
    BASALT_LOG(kWarning, "Background saving error: %s", error->c_str());
    last_bgsave_ok_ = false;
  } else {
    BASALT_LOG(kNotice, "Background saving terminated with success");
    last_bgsave_ok_ = true;
    lastsave_s_ = bgsave_started_s_;
    dirty_at_save_ = dirty_at_bgsave_;
    ++rdb_saves_;
  }
  update_write_refusal();
}

void Persistence::abort_bgsave() {
  if (bgsave_ != nullptr) {
    BASALT_LOG(kWarning, "Background saving aborted");
    bgsave_->abort();
    bgsave_.reset();
  }
  // The file is written already: let the rename finish rather than tear it.
  if (commit_running_ && !commit_is_rewrite_) join_committer();
}

void Persistence::before_flushall() {
  abort_bgsave();
  bgsave_scheduled_ = false;
}

void Persistence::after_flushall() {
  if (!save_rules(engine_.config()).empty()) save();
}

std::optional<std::string> Persistence::prepare_shutdown(ShutdownSave mode) {
  abort_bgsave();
  if (aof_ != nullptr && aof_->waiting_for_base()) {
    complete_first_base();
  } else if (rewrite_running()) {
    abort_rewrite();
  }
  // The AOF is written out now but closed only once the shutdown is sure to happen: a refused
  // SHUTDOWN goes on serving, and its writes must still reach the log (Redis keeps it open too).
  if (aof_ != nullptr) flush_aof(true);
  const bool rules = !save_rules(engine_.config()).empty();
  if (mode == ShutdownSave::kSave || (mode == ShutdownSave::kDefault && rules)) {
    BASALT_LOG(kNotice, "Saving the final RDB snapshot before exiting.");
    // A second SIGINT while a signal's final save runs means now, as in Redis: the save stops,
    // its temporary file goes, and the server exits without it.
    Host* host = engine_.host();
    auto go_on = [host] { return host == nullptr || !host->shutdown_insisted(); };
    if (auto error = save(go_on)) {
      if (!go_on()) {
        BASALT_LOG(kWarning, "You insist... exiting now.");
      } else {
        BASALT_LOG(kWarning, "Error trying to save the DB, can't exit.");
        return error;
      }
    }
  }
  if (aof_ != nullptr) {
    if (auto error = aof_->close()) {
      BASALT_LOG(kWarning, "Error closing the AOF at shutdown: %s", error->c_str());
    }
  }
  return std::nullopt;
}

// --- AOF
// -------------------------------------------------------------------------------------------

namespace {

AofLogOptions aof_log_options(const Config& config, bool async_sync) {
  AofLogOptions options;
  options.names = aof_names(config);
  options.fsync = fsync_policy(config, async_sync);
  options.use_rdb_preamble = yes(config.aof_use_rdb_preamble);
  options.timestamps = yes(config.aof_timestamp_enabled);
  options.disable_auto_gc = yes(config.aof_disable_auto_gc);
  return options;
}

}  // namespace

// CONFIG SET appendonly yes (startAppendOnly): the log opens at once on a new incr file that
// takes the writes from now on, and the dataset's base is written as a rewrite's is, by the
// fork-less background walk, so switching on never stalls the loop on the whole dataset. The
// manifest naming both is persisted when the base is installed (Redis's AOF_WAIT_REWRITE). One
// snapshot walk runs at a time: while a BGSAVE runs, the start waits for it; a failed base is
// retried after the rewrite retry delay.
std::optional<std::string> Persistence::start_aof_at_runtime() {
  aof_start_scheduled_ = false;
  if (bgsave_ != nullptr || rewrite_save_ != nullptr || commit_running_) {
    aof_start_scheduled_ = true;
    return std::nullopt;
  }
  const AofLogOptions options = aof_log_options(engine_.config(), async_sync_);
  // Files of its own, numbered after those of any manifest an earlier run left, which become
  // history when the new base is installed.
  AofManifest previous;
  bool found = false;
  if (load_aof_manifest(options.names, &previous, &found)) previous = AofManifest();
  auto log = std::make_unique<AofLog>(options);
  auto rewrite = std::make_unique<AofRewrite>();
  last_bgsave_try_s_ = store_.clock().now_ms() / 1000;
  if (auto error = log->open_waiting_for_base(previous, rewrite.get())) {
    last_rewrite_ok_ = false;
    ++rewrite_failures_;
    return error;
  }
  aof_ = std::move(log);
  engine_.effects().add_consumer(this);
  update_write_refusal();
  write_base(std::move(rewrite));
  return std::nullopt;
}

// At start, after loading: the AOF as the manifest names it (a first base when it names none).
void Persistence::open_aof_at_start() {
  const Config& config = engine_.config();
  const AofLogOptions options = aof_log_options(config, async_sync_);
  auto log = std::make_unique<AofLog>(options);
  AofManifest manifest;
  bool found = false;
  if (auto error = load_aof_manifest(options.names, &manifest, &found)) {
    BASALT_LOG(kWarning, "%s", error->c_str());
    return;
  }
  const bool rdb_base = options.use_rdb_preamble;
  const RdbWriteOptions rdb = rdb_options(config);
  const std::optional<int64_t> timestamp_s = base_timestamp(config, store_);
  AofBaseWriterFn write_base = [this, rdb_base, rdb, timestamp_s](const std::string& path) {
    if (!rdb_base) return write_command_base(store_, path, timestamp_s);
    RdbHeaderInfo info;
    info.ctime_s = store_.clock().now_ms() / 1000;
    info.used_mem = allocated_bytes();
    info.aof_base = true;
    return save_rdb(store_, path, rdb, info);
  };
  if (auto error = log->open(std::move(manifest), write_base)) {
    BASALT_LOG(kWarning, "Can't open the append-only file: %s", error->c_str());
    loading_error_ = "Can't open the append-only file: " + *error;
    return;
  }
  aof_ = std::move(log);
  aof_base_size_at_rewrite_ = std::max<uint64_t>(aof_->base_size(), aof_base_size_at_rewrite_);
  engine_.effects().add_consumer(this);
  update_write_refusal();
}

void Persistence::stop_aof() {
  aof_start_scheduled_ = false;
  if (aof_ == nullptr) return;
  if (rewrite_running()) {
    // Redis's line, which its tests and log watchers look for; there is no child to kill here.
    BASALT_LOG(kNotice, "Killing running AOF rewrite child (fork-less: its background walk stops)");
    abort_rewrite();
  }
  engine_.effects().remove_consumer(this);
  if (aof_->waiting_for_base()) {
    aof_->discard();  // no manifest names its file: it was never part of an AOF
  } else {
    flush_aof(true);
    if (auto error = aof_->close()) BASALT_LOG(kWarning, "Closing the AOF: %s", error->c_str());
  }
  aof_.reset();
  update_write_refusal();
}

void Persistence::on_effect(uint64_t, int db, std::span<const std::string_view> argv) {
  aof_->append(db, argv, store_.now_ms() / 1000);
}

void Persistence::on_turn_end() { flush_aof(false); }

void Persistence::flush_aof(bool force) {
  if (aof_ == nullptr) return;
  const bool was_ok = aof_->last_write_ok();
  if (aof_flush_sleep_us_ > 0 && aof_->buffer_length() > 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(aof_flush_sleep_us_));
  }
  AofFlushResult r = aof_->flush_turn(force);
  switch (r.status) {
    case AofFlushStatus::kOk:
    case AofFlushStatus::kPostponed:
      if (!r.message.empty()) BASALT_LOG(kWarning, "%s", r.message.c_str());
      break;
    case AofFlushStatus::kWriteError:
      if (was_ok) BASALT_LOG(kWarning, "Error writing to the AOF file: %s", r.message.c_str());
      break;
    case AofFlushStatus::kFatal:
      // appendfsync always: the turn's writes are applied but not on disk, and their replies
      // must not go out. Redis exits here; so does Basalt.
      BASALT_LOG(kWarning,
                 "Can't recover from AOF write error when the AOF fsync policy is 'always': %s. "
                 "Exiting...",
                 r.message.c_str());
      std::_Exit(1);
  }
  if (was_ok != aof_->last_write_ok()) update_write_refusal();
}

void Persistence::set_async_sync(bool on) {
  async_sync_ = on;
  if (aof_ != nullptr) aof_->set_fsync_policy(fsync_policy(engine_.config(), async_sync_));
}

bool Persistence::sync_before_replies() const {
  return async_sync_ && aof_ != nullptr && engine_.config().appendfsync == "always";
}

int Persistence::aof_fd() const { return aof_ != nullptr ? aof_->fd() : -1; }

void Persistence::async_sync_failed(int error_number) {
  BASALT_LOG(kWarning,
             "Can't recover from AOF fsync error when the AOF fsync policy is 'always': %s. "
             "Exiting...",
             std::strerror(error_number));
  std::_Exit(1);
}

std::string Persistence::bgrewriteaof() {
  if (rewrite_running()) {
    return "ERR Background append only file rewriting already in progress";
  }
  if (aof_start_scheduled_) return "Background append only file rewriting scheduled";
  // Inside EXEC: after the transaction (the base must not hold only part of it, while the log
  // gets the whole of it).
  if (bgsave_ != nullptr || commit_running_ || engine_.in_transaction()) {
    rewrite_scheduled_ = true;
    rewrite_failures_ = 0;
    return "Background append only file rewriting scheduled";
  }
  if (auto error = start_rewrite_job()) {
    BASALT_LOG(kWarning, "%s", error->c_str());
    return "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
           "information.";
  }
  return "Background append only file rewriting started";
}

std::optional<std::string> Persistence::start_rewrite_job() {
  auto rewrite = std::make_unique<AofRewrite>();
  const int64_t now_s = store_.clock().now_ms() / 1000;
  last_bgsave_try_s_ = now_s;
  if (aof_ == nullptr) {
    // appendonly no: Redis rewrites anyway, a new base for the directory and no incr file.
    const Config& config = engine_.config();
    if (auto error = prepare_offline_rewrite(aof_names(config), yes(config.aof_use_rdb_preamble),
                                             rewrite.get())) {
      last_rewrite_ok_ = false;
      ++rewrite_failures_;
      return "AOF rewrite: " + *error;
    }
    write_base(std::move(rewrite));
    return std::nullopt;
  }
  // With pipelined always, the old file's tail must be on disk before appends move to the new
  // one: the host's next fsync covers only the new file.
  if (sync_before_replies()) {
    flush_aof(true);
    if (::fdatasync(aof_->fd()) != 0) async_sync_failed(errno);
  }
  // From here on new writes go to a new incr file; the base is the keyspace as of this instant.
  if (auto error = aof_->open_new_incr(rewrite.get())) {
    last_rewrite_ok_ = false;
    ++rewrite_failures_;
    return "AOF rewrite: " + *error;
  }
  write_base(std::move(rewrite));
  return std::nullopt;
}

// The base of a rewrite (or of the first AOF), as of the instant its incr file was opened.
void Persistence::write_base(std::unique_ptr<AofRewrite> rewrite) {
  const Config& config = engine_.config();
  const int64_t now_s = store_.clock().now_ms() / 1000;
  ++aof_rewrites_;
  rewrite_started_s_ = now_s;
  // The fork-less background walk, writing an RDB base or (aof-use-rdb-preamble no) commands.
  std::string error;
  if (rewrite->rdb_base) {
    RdbHeaderInfo info;
    info.ctime_s = now_s;
    info.used_mem = allocated_bytes();
    info.aof_base = true;
    rewrite_save_ =
        BackgroundSave::start(store_, rewrite->temp_base_path, rdb_options(config), info, &error);
  } else {
    rewrite_save_ = BackgroundSave::start_commands(store_, rewrite->temp_base_path,
                                                   base_timestamp(config, store_), &error);
  }
  rewrite_ = std::move(rewrite);
  if (rewrite_save_ == nullptr) {
    finish_rewrite("can't write the new base: " + error);
    return;
  }
  BASALT_LOG(kNotice, "Background append only file rewriting started (no fork)");
}

void Persistence::finish_rewrite(const std::optional<std::string>& error) {
  if (rewrite_save_ != nullptr) {
    rewrite_save_->abort();
    rewrite_save_.reset();
  }
  const int64_t now_s = store_.clock().now_ms() / 1000;
  last_rewrite_time_s_ = now_s - rewrite_started_s_;
  std::optional<std::string> failure = error;
  if (!failure && rewrite_ != nullptr) {
    const Config& config = engine_.config();
    failure = aof_ != nullptr ? aof_->install_rewrite(*rewrite_)
                              : install_offline_rewrite(aof_names(config), *rewrite_,
                                                        yes(config.aof_disable_auto_gc));
  }
  if (failure) {
    discard_rewrite_base();
    BASALT_LOG(kWarning, "Background AOF rewrite failed: %s", failure->c_str());
    last_rewrite_ok_ = false;
    ++rewrite_failures_;
    if (aof_ != nullptr && aof_->waiting_for_base()) {
      // Without its base the new incr file is not an AOF: drop it and start over later.
      engine_.effects().remove_consumer(this);
      aof_->discard();
      aof_.reset();
      aof_start_scheduled_ = true;
      update_write_refusal();
    }
  } else {
    BASALT_LOG(kNotice, "Background AOF rewrite finished successfully");
    last_rewrite_ok_ = true;
    rewrite_failures_ = 0;
    if (aof_ != nullptr) aof_base_size_at_rewrite_ = aof_->current_size();
  }
  rewrite_.reset();
}

// SHUTDOWN while the first base is being written: Redis refuses to exit ("Writing initial AOF,
// can't exit") unless forced, and loses the AOF if forced; here the walk is finished on the spot,
// so the next start finds a complete AOF.
void Persistence::complete_first_base() {
  if (commit_running_ && commit_is_rewrite_) {
    join_committer();
    finish_rewrite(commit_error_);
    return;
  }
  if (rewrite_save_ == nullptr) return;
  std::optional<std::string> error;
  while (!error && !rewrite_save_->done()) error = rewrite_save_->step(SIZE_MAX);
  if (!error) error = rewrite_save_->finish_bytes();
  if (!error) error = rewrite_save_->commit();
  finish_rewrite(error);
}

void Persistence::abort_rewrite() {
  if (commit_running_ && commit_is_rewrite_) join_committer();
  if (rewrite_save_ != nullptr) {
    rewrite_save_->abort();
    rewrite_save_.reset();
  }
  discard_rewrite_base();
  rewrite_.reset();
}

// A rewrite that will not be installed: its temporary base goes (the log's, or with appendonly
// no the directory's).
void Persistence::discard_rewrite_base() {
  if (rewrite_ == nullptr) return;
  if (aof_ != nullptr) {
    aof_->abort_rewrite(*rewrite_);
  } else {
    ::unlink(rewrite_->temp_base_path.c_str());
  }
}

std::optional<std::string> Persistence::apply_config() {
  const Config& config = engine_.config();
  const bool want_aof = yes(config.appendonly);
  if (want_aof && aof_ == nullptr && !aof_start_scheduled_ && !loading_) {
    if (engine_.in_transaction()) {
      // The base must not hold part of a transaction that the log then replays whole.
      aof_start_scheduled_ = true;
      BASALT_LOG(kWarning,
                 "AOF was enabled during a transaction. An AOF background was scheduled to start "
                 "when possible.");
    } else if (auto error = start_aof_at_runtime()) {
      BASALT_LOG(kWarning, "Can't open the append-only file: %s", error->c_str());
      return std::string("can't open the append-only file; see the log");
    }
  } else if (!want_aof && (aof_ != nullptr || aof_start_scheduled_)) {
    stop_aof();
  }
  if (aof_ != nullptr) {
    aof_->set_fsync_policy(fsync_policy(config, async_sync_));
    aof_->set_use_rdb_preamble(yes(config.aof_use_rdb_preamble));
    aof_->set_timestamps(yes(config.aof_timestamp_enabled));
    aof_->set_disable_auto_gc(yes(config.aof_disable_auto_gc));
  }
  update_write_refusal();
  return std::nullopt;
}

void Persistence::update_write_refusal() {
  const Config& config = engine_.config();
  if (yes(config.stop_writes_on_bgsave_error) && !save_rules(config).empty() && !last_bgsave_ok_) {
    engine_.set_write_refusal(std::string(err::kMisconfRdb));
  } else if (aof_ != nullptr && !aof_->last_write_ok()) {
    // Redis's text ends with strerror, not with the log's details (those are in the log).
    engine_.set_write_refusal(std::string(err::kMisconfAofPrefix) + aof_->last_write_reason());
  } else {
    engine_.set_write_refusal({});
  }
}

// --- INFO --------------------------------------------------------------------------------------

void Persistence::info(std::string& out) const {
  auto field = [&out](std::string_view name, const std::string& value) {
    out += name;
    out += ':';
    out += value;
    out += "\r\n";
  };
  auto num = [&](std::string_view name, int64_t v) { field(name, std::to_string(v)); };
  const int64_t now_s = store_.clock().now_ms() / 1000;
  num("loading", loading_ ? 1 : 0);
  num("async_loading", 0);
  // No fork, so no copy-on-write: the snapshot's extra memory is its output buffer.
  num("current_cow_peak", 0);
  num("current_cow_size", 0);
  num("current_cow_size_age", 0);
  field("current_fork_perc", "0.00");
  num("current_save_keys_processed", 0);
  num("current_save_keys_total", 0);
  num("rdb_changes_since_last_save", static_cast<int64_t>(changes_since_save()));
  num("rdb_bgsave_in_progress", bgsave_running() ? 1 : 0);
  num("rdb_last_save_time", lastsave_s_);
  field("rdb_last_bgsave_status", last_bgsave_ok_ ? "ok" : "err");
  num("rdb_last_bgsave_time_sec", last_bgsave_time_s_);
  num("rdb_current_bgsave_time_sec", bgsave_running() ? now_s - bgsave_started_s_ : -1);
  num("rdb_saves", static_cast<int64_t>(rdb_saves_));
  num("rdb_last_cow_size", 0);
  num("rdb_last_load_keys_expired", static_cast<int64_t>(last_load_keys_expired_));
  num("rdb_last_load_keys_loaded", static_cast<int64_t>(last_load_keys_loaded_));
  num("aof_enabled", aof_ != nullptr || aof_start_scheduled_ ? 1 : 0);
  num("aof_rewrite_in_progress", rewrite_running() ? 1 : 0);
  num("aof_rewrite_scheduled", rewrite_scheduled_ || aof_start_scheduled_ ? 1 : 0);
  num("aof_last_rewrite_time_sec", last_rewrite_time_s_);
  num("aof_current_rewrite_time_sec", rewrite_running() ? now_s - rewrite_started_s_ : -1);
  field("aof_last_bgrewrite_status", last_rewrite_ok_ ? "ok" : "err");
  num("aof_rewrites", static_cast<int64_t>(aof_rewrites_));
  num("aof_rewrites_consecutive_failures", static_cast<int64_t>(rewrite_failures_));
  field("aof_last_write_status", aof_ == nullptr || aof_->last_write_ok() ? "ok" : "err");
  num("aof_last_cow_size", 0);
  num("module_fork_in_progress", 0);
  num("module_fork_last_cow_size", 0);
  if (aof_ != nullptr) {
    num("aof_current_size", static_cast<int64_t>(aof_->current_size()));
    num("aof_base_size", static_cast<int64_t>(aof_base_size_at_rewrite_));
    num("aof_pending_rewrite", rewrite_scheduled_ ? 1 : 0);
    num("aof_buffer_length", static_cast<int64_t>(aof_->buffer_length()));
    num("aof_pending_bio_fsync", static_cast<int64_t>(aof_->pending_bio_fsync()));
    num("aof_delayed_fsync", static_cast<int64_t>(aof_->delayed_fsync()));
  }
}

Persistence::Figures Persistence::figures() const {
  Figures f;
  f.last_save_s = lastsave_s_;
  f.last_bgsave_ok = last_bgsave_ok_;
  f.bgsave_in_progress = bgsave_running();
  f.changes_since_save = changes_since_save();
  f.aof_enabled = aof_ != nullptr || aof_start_scheduled_;
  f.aof_rewrite_in_progress = rewrite_running();
  f.aof_last_write_ok = aof_ == nullptr || aof_->last_write_ok();
  f.aof_current_size = aof_ != nullptr ? aof_->current_size() : 0;
  f.aof_last_fsync_latency_us = aof_ != nullptr ? aof_->last_fsync_latency_us() : 0;
  return f;
}

}  // namespace basalt
