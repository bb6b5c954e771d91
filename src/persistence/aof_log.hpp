#pragma once
// The append-only file's writer: the consumer of the dispatcher's write effects. Each effective
// write arrives as (db, argv) and is formatted into an in-memory buffer; once per loop turn,
// before any reply of that turn is sent, flush_turn() writes the whole turn with one write(2)
// (group commit) and applies the fsync policy. Rotation (a new incr file when a rewrite begins)
// and installing a rewritten base follow Redis 7's multi-part layout (aof_manifest.hpp).
//
// Threads and fsync, as Redis's flushAppendOnlyFile and its bio thread do it:
// - appendfsync always: flush_turn() fdatasyncs before returning, so the turn's replies go out
//   only after their commands are on disk.
// - appendfsync everysec: flush_turn() hands an fdatasync to the log's own background thread
//   when at least a second has passed since the last one and none is running, and never waits
//   for it. If the previous fsync is still running, a write(2) would block behind it on Linux,
//   so the write is postponed (kPostponed, the buffer keeps growing) for up to 2 seconds; past
//   that it is written anyway and aof_delayed_fsync counts it. The server must call
//   flush_turn() on every loop turn and at least every 100 ms when idle (serverCron), or a
//   postponed write and the fsync of a quiet tail wait for the next client.
// - appendfsync no: the kernel decides.
// The background thread also fsyncs and closes a file that rotation replaced, and deletes
// history files after a rewrite; one thread runs those jobs in order.
//
// Errors are statuses, never exceptions:
// - kWriteError (everysec, no): the unwritten bytes stay buffered and are retried on the next
//   flush_turn(); a short write is first cut back with ftruncate so the file never holds half a
//   command (if that fails the written part is kept and dropped from the buffer). While
//   last_write_ok() is false the server must refuse writes with Redis's MISCONF error
//   (writeCommandsDeniedByDiskError) and retry flush_turn() at least once a second; the first
//   successful write clears it. A failed background fsync also makes last_write_ok() false.
// - kFatal (always): a failed write or fsync can't be recovered, since the turn's commands are
//   applied and observable. Redis logs the message and exits; the server must do the same
//   (log + exit(1)), sending none of the turn's replies.

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "persistence/aof_manifest.hpp"

namespace basalt {

enum class AofFsyncPolicy { kAlways, kEverySec, kNo };

// The system calls the log makes, replaceable in tests (a full disk, a slow fsync). fdatasync
// is called from the background thread too, so a replacement must be thread-safe.
struct AofFileOps {
  std::function<ssize_t(int fd, const char* data, size_t size)> write;  // ::write
  std::function<int(int fd)> fdatasync;                                 // ::fdatasync
  std::function<int64_t()> now_ms;  // a monotonic clock in milliseconds
};

struct AofLogOptions {
  AofNames names;
  AofFsyncPolicy fsync = AofFsyncPolicy::kEverySec;
  bool use_rdb_preamble = true;      // names a new base .rdb, else .aof
  bool no_fsync_on_rewrite = false;  // no-appendfsync-on-rewrite
  bool disable_auto_gc = false;      // aof-disable-auto-gc: keep history files
  bool timestamps = false;           // aof-timestamp-enabled
  AofFileOps ops;                    // empty members get the real calls
};

enum class AofFlushStatus {
  kOk,          // written (and synced as the policy says), or nothing to do
  kPostponed,   // everysec: waiting for a running fsync, the buffer is kept
  kWriteError,  // the buffer is kept for the next turn; refuse writes meanwhile
  kFatal,       // always: exit
};

struct AofFlushResult {
  AofFlushStatus status = AofFlushStatus::kOk;
  uint64_t written = 0;
  // For the log: the error, or a notice ("AOF write error looks solved", "Asynchronous AOF fsync
  // is taking too long"); empty when there is nothing to say.
  std::string message;
};

// A rewrite in progress: the new base is written to temp_base_path (by the RDB writer, or
// AofBaseWriter for a base of commands) holding the dataset as of the switch to the incr file
// with seq first_incr_seq, then installed.
struct AofRewrite {
  std::string temp_base_path;
  int64_t first_incr_seq = 0;
  bool rdb_base = true;
  AofManifest manifest;  // the current one: its last incr is the new file, the base still old
};

// Writes a base file at the given (temporary) path: the whole dataset, RDB or commands.
using AofBaseWriterFn = std::function<std::optional<std::string>(const std::string& temp_path)>;

// BGREWRITEAOF with appendonly no, which Redis 7 runs too (backgroundRewriteDoneHandler with no
// log open): prepare_offline_rewrite creates the directory and names the temporary base; once the
// caller has written it, install_offline_rewrite makes it the directory's base, turns every incr
// file into history (no log appends to any), persists the manifest and deletes the history
// (unless keep_history: aof-disable-auto-gc). On failure the old manifest and files stay.
std::optional<std::string> prepare_offline_rewrite(const AofNames& names, bool rdb_base,
                                                   AofRewrite* rewrite);
std::optional<std::string> install_offline_rewrite(const AofNames& names, const AofRewrite& rewrite,
                                                   bool keep_history);

class AofLog {
 public:
  explicit AofLog(AofLogOptions options);
  // Waits for the background jobs and closes the file without flushing: call close() first.
  ~AofLog();
  AofLog(const AofLog&) = delete;
  AofLog& operator=(const AofLog&) = delete;

  // At start-up, after loading (aofOpenIfNeededOnServerStart): creates the directory, writes a
  // base with write_base when the manifest names no file at all, opens the last incr file for
  // appending (or a new one), persists the manifest, and deletes history files a crash left.
  std::optional<std::string> open(AofManifest manifest, const AofBaseWriterFn& write_base);
  // CONFIG SET appendonly yes (startAppendOnly): opens a new incr file for the writes from now on
  // and names it in no manifest yet, and fills *rewrite for the base of the dataset as of this
  // instant, which the caller writes in the background and then installs (install_rewrite
  // persists the first manifest: base + this incr). Until then a crash leaves whatever manifest
  // an earlier run left, as Redis's AOF_WAIT_REWRITE does. `previous` is such a manifest: the
  // new files take sequence numbers after its own, and once the new base is installed its files
  // are history, deleted unless aof-disable-auto-gc (they hold a dataset the server no longer
  // has: Redis deletes them too).
  std::optional<std::string> open_waiting_for_base(const AofManifest& previous,
                                                   AofRewrite* rewrite);
  // Whether the log is open but its first base is not installed (no manifest names its file).
  bool waiting_for_base() const { return waiting_for_base_; }
  // The first base failed or the AOF was switched off before it was installed: closes and
  // removes the incr file, which no manifest names.
  void discard();
  // appendonly no: writes what is buffered, fsyncs and closes (stopAppendOnly).
  std::optional<std::string> close();
  bool is_open() const { return fd_ >= 0; }
  // The incr file's descriptor, for a host that fdatasyncs a dup of it on a thread of its own
  // (appendfsync always with replies held until then; see Persistence::set_async_sync).
  int fd() const { return fd_; }

  // One effective write at unix_s (seconds). A SELECT precedes it when db differs from the last
  // command's in this file (and before the first command of every file); with timestamps on, a
  // "#TS:" annotation precedes the first write of each new second, as Redis's
  // genAofTimestampAnnotationIfNeeded (its last second carries over to the next incr file).
  void append(int db, std::span<const std::string_view> argv, int64_t unix_s);
  // Once per loop turn, before replies are sent. force writes even while an fsync is running.
  AofFlushResult flush_turn(bool force = false);

  void set_fsync_policy(AofFsyncPolicy policy) { options_.fsync = policy; }
  void set_use_rdb_preamble(bool yes) { options_.use_rdb_preamble = yes; }
  void set_timestamps(bool yes) { options_.timestamps = yes; }
  // aof-disable-auto-gc: while on, rewrites leave the files they replaced as history; turned
  // off, the history goes at once (Redis's updateAofAutoGCEnabled).
  void set_disable_auto_gc(bool yes) {
    options_.disable_auto_gc = yes;
    if (!yes) delete_history();
  }

  // BGREWRITEAOF, step one (openNewIncrAofForAppend): writes the buffer out, switches appends
  // to a new incr file (seq + 1) and persists the manifest naming it; on failure nothing
  // changed. Refused while the buffer can't be written (its commands belong to the old file),
  // and while a rewrite is in progress (install or abort it first).
  std::optional<std::string> open_new_incr(AofRewrite* rewrite);
  // Step two (backgroundRewriteDoneHandler): renames the written base into place as the new
  // base, turns the old base and the incr files before first_incr_seq into history, persists the
  // manifest, then deletes the history in the background. On failure the old manifest and
  // files stay as they were (still a valid AOF) and the temporary base is removed.
  std::optional<std::string> install_rewrite(const AofRewrite& rewrite);
  // The rewrite failed or was cancelled: removes its temporary base.
  void abort_rewrite(const AofRewrite& rewrite);
  bool rewrite_in_progress() const { return rewrite_in_progress_; }

  // Waits until the background thread has run every job submitted so far.
  void wait_for_background_jobs();

  // INFO persistence.
  uint64_t current_size() const { return current_size_; }    // aof_current_size
  uint64_t base_size() const { return base_size_; }          // aof_base_size
  uint64_t incr_size() const { return incr_size_; }          // the current incr file
  size_t buffer_length() const { return buf_.size(); }       // aof_buffer_length
  uint64_t pending_bio_fsync() const;                        // aof_pending_bio_fsync
  uint64_t delayed_fsync() const { return delayed_fsync_; }  // aof_delayed_fsync
  // aof_last_write_status: false after a failed write or background fsync, until one succeeds.
  bool last_write_ok() const;
  std::string last_write_error() const;
  // The system's reason for the last failure, as Redis reports it to clients in its MISCONF
  // error ("No space left on device"; a short write counts as ENOSPC, as in Redis).
  std::string last_write_reason() const;
  uint64_t last_fsync_latency_us() const;  // the last fdatasync, either thread
  const AofManifest& manifest() const { return manifest_; }
  const std::string& incr_path() const { return incr_path_; }

 private:
  class Background;

  void delete_history();
  void fill_rewrite(AofRewrite* rewrite) const;
  bool fsync_in_progress() const;
  ssize_t write_all(std::string_view bytes);
  int timed_fdatasync(int fd);

  AofLogOptions options_;
  std::unique_ptr<Background> background_;
  AofManifest manifest_;
  int fd_ = -1;
  std::string incr_path_;
  std::string buf_;
  int selected_db_ = -1;
  int64_t timestamp_s_ = 0;    // the last "#TS:" written (aof_cur_timestamp)
  uint64_t incr_size_ = 0;     // aof_last_incr_size
  uint64_t fsync_offset_ = 0;  // aof_last_incr_fsync_offset
  uint64_t current_size_ = 0;
  uint64_t base_size_ = 0;
  int64_t last_fsync_ms_ = 0;
  std::optional<int64_t> postponed_since_ms_;  // aof_flush_postponed_start
  uint64_t delayed_fsync_ = 0;
  bool last_write_ok_ = true;
  std::string last_write_error_;
  int last_write_errno_ = 0;
  bool rewrite_in_progress_ = false;
  bool waiting_for_base_ = false;
  std::shared_ptr<std::atomic<uint64_t>> fsync_latency_us_;
};

}  // namespace basalt
