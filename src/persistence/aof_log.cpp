#include "persistence/aof_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "base/log.hpp"
#include "persistence/aof_reader.hpp"
#include "persistence/file_io.hpp"

namespace basalt {

namespace {

// Redis: a write may wait this long for a running background fsync before going ahead.
constexpr int64_t kMaxPostponeMs = 2000;
constexpr int64_t kEverySecMs = 1000;
// A buffer that grew past this (a burst of writes) is released rather than kept for reuse.
constexpr size_t kKeepBufferCapacity = 1 << 20;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t file_size(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

std::string errno_text(int error) { return std::strerror(error); }

std::optional<std::string> make_aof_dir(const AofNames& names) {
  if (::mkdir(names.aof_dir().c_str(), 0755) != 0 && errno != EEXIST)
    return "Can't open or create append-only dir " + names.aof_dir() + ": " + errno_text(errno);
  return std::nullopt;
}

// Where a rewrite writes its base before installing it.
std::string temp_base_path(const AofNames& names) {
  return temp_path_for(names.path_of("rewriteaof-bg.aof"));
}

}  // namespace

// The bio thread of the AOF: fsyncs, fsync-and-close of a replaced file, unlink of history.
class AofLog::Background {
 public:
  Background(std::function<int(int)> fdatasync, std::shared_ptr<std::atomic<uint64_t>> latency)
      : fdatasync_(std::move(fdatasync)), latency_(std::move(latency)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Background() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void fsync(int fd) {
    pending_fsync_.fetch_add(1);
    submit(Job{Job::kFsync, fd, {}});
  }
  void fsync_and_close(int fd) { submit(Job{Job::kFsyncAndClose, fd, {}}); }
  void unlink(std::string path) { submit(Job{Job::kUnlink, -1, std::move(path)}); }

  void drain() {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [this] { return jobs_.empty() && !busy_; });
  }
  uint64_t pending_fsync() const { return pending_fsync_.load(); }
  bool failed() const { return failed_.load(); }
  int error() const { return errno_.load(); }

 private:
  struct Job {
    enum Kind { kFsync, kFsyncAndClose, kUnlink } kind;
    int fd;
    std::string path;
  };

  void submit(Job job) {
    {
      std::lock_guard lock(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

  int timed_sync(int fd) {
    const auto start = std::chrono::steady_clock::now();
    const int rc = fdatasync_(fd);
    const int saved = errno;
    latency_->store(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::steady_clock::now() - start)
                                              .count()));
    errno = saved;
    return rc;
  }

  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stop_, and everything submitted has run
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      busy_ = true;
      lock.unlock();
      switch (job.kind) {
        case Job::kFsync:
          // EBADF and EINVAL mean the descriptor went away, not that data was lost (Redis).
          if (timed_sync(job.fd) != 0 && errno != EBADF && errno != EINVAL) {
            errno_.store(errno);
            failed_.store(true);
          } else {
            failed_.store(false);
          }
          pending_fsync_.fetch_sub(1);
          break;
        case Job::kFsyncAndClose:
          timed_sync(job.fd);
          ::close(job.fd);
          break;
        case Job::kUnlink:
          ::unlink(job.path.c_str());
          break;
      }
      lock.lock();
      busy_ = false;
      if (jobs_.empty()) idle_cv_.notify_all();
    }
  }

  std::function<int(int)> fdatasync_;
  std::shared_ptr<std::atomic<uint64_t>> latency_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  bool busy_ = false;
  std::atomic<uint64_t> pending_fsync_{0};
  std::atomic<bool> failed_{false};
  std::atomic<int> errno_{0};
  std::thread thread_;
};

AofLog::AofLog(AofLogOptions options)
    : options_(std::move(options)), fsync_latency_us_(std::make_shared<std::atomic<uint64_t>>(0)) {
  AofFileOps& ops = options_.ops;
  if (!ops.write)
    ops.write = [](int fd, const char* data, size_t size) { return ::write(fd, data, size); };
  if (!ops.fdatasync) ops.fdatasync = [](int fd) { return ::fdatasync(fd); };
  if (!ops.now_ms) ops.now_ms = steady_ms;
  background_ = std::make_unique<Background>(ops.fdatasync, fsync_latency_us_);
}

AofLog::~AofLog() {
  background_.reset();  // runs what was submitted, then joins
  if (fd_ >= 0) ::close(fd_);
}

uint64_t AofLog::pending_bio_fsync() const { return background_->pending_fsync(); }

bool AofLog::fsync_in_progress() const { return background_->pending_fsync() != 0; }

bool AofLog::last_write_ok() const { return last_write_ok_ && !background_->failed(); }

std::string AofLog::last_write_reason() const {
  if (!last_write_ok_) return errno_text(last_write_errno_);
  if (background_->failed()) return errno_text(background_->error());
  return {};
}

std::string AofLog::last_write_error() const {
  if (!last_write_ok_) return last_write_error_;
  if (background_->failed())
    return "Fail to fsync the AOF file: " + errno_text(background_->error());
  return "";
}

uint64_t AofLog::last_fsync_latency_us() const { return fsync_latency_us_->load(); }

void AofLog::wait_for_background_jobs() { background_->drain(); }

int AofLog::timed_fdatasync(int fd) {
  const auto start = std::chrono::steady_clock::now();
  const int rc = options_.ops.fdatasync(fd);
  const int saved = errno;
  fsync_latency_us_->store(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count()));
  errno = saved;
  return rc;
}

std::optional<std::string> AofLog::open(AofManifest manifest, const AofBaseWriterFn& write_base) {
  if (fd_ >= 0) return "the AOF is already open";
  const AofNames& names = options_.names;
  if (auto error = make_aof_dir(names)) return error;
  const AofManifest loaded = manifest;
  // Starting with no file at all: a base of the (empty or just loaded) dataset comes first, so
  // the directory always has a base to replay the incr files on.
  if (manifest.empty()) {
    if (!write_base) return "the AOF directory has no base file and no way to write one was given";
    const std::string path =
        names.path_of(manifest.add_new_base(names.filename, options_.use_rdb_preamble));
    const std::string temp = temp_path_for(path);
    std::optional<std::string> error = write_base(temp);
    if (!error) error = rename_durably(temp, path);
    if (error) {
      ::unlink(temp.c_str());
      return "Can't create the AOF base file " + path + ": " + *error;
    }
  }
  // A new incr file starts empty even if a file of that name exists: one a crash left unnamed by
  // any manifest (open_waiting_for_base's, before its base was installed) is not part of the AOF.
  const bool new_incr = manifest.incrs.empty();
  incr_path_ = names.path_of(manifest.last_incr_or_new(names.filename));
  const int fd = ::open(incr_path_.c_str(),
                        O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (new_incr ? O_TRUNC : 0), 0644);
  if (fd < 0) return "Can't open the append-only file " + incr_path_ + ": " + errno_text(errno);
  if (!(manifest == loaded)) {
    if (auto error = persist_aof_manifest(names, manifest)) {
      ::close(fd);
      return "Can't persist the AOF manifest: " + *error;
    }
  }
  fd_ = fd;
  manifest_ = std::move(manifest);
  incr_size_ = file_size(incr_path_);
  fsync_offset_ = incr_size_;
  base_size_ = manifest_.base ? file_size(names.path_of(manifest_.base->name)) : 0;
  current_size_ = base_size_;
  for (const auto& info : manifest_.incrs) current_size_ += file_size(names.path_of(info.name));
  selected_db_ = -1;
  last_fsync_ms_ = options_.ops.now_ms();
  postponed_since_ms_.reset();
  last_write_ok_ = true;
  // History left by a crash between a rewrite and its clean-up (Redis does this at start too).
  delete_history();
  return std::nullopt;
}

std::optional<std::string> AofLog::open_waiting_for_base(const AofManifest& previous,
                                                         AofRewrite* rewrite) {
  if (fd_ >= 0) return "the AOF is already open";
  const AofNames& names = options_.names;
  if (auto error = make_aof_dir(names)) return error;
  // The previous base and incr files stay in the manifest until install_rewrite turns them into
  // history, as a rewrite does with its own.
  AofManifest next = previous;
  const std::string path = names.path_of(next.add_new_incr(names.filename));
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return "Can't open the append-only file " + path + ": " + errno_text(errno);
  fd_ = fd;
  incr_path_ = path;
  manifest_ = std::move(next);
  incr_size_ = fsync_offset_ = current_size_ = base_size_ = 0;
  selected_db_ = -1;
  last_fsync_ms_ = options_.ops.now_ms();
  postponed_since_ms_.reset();
  last_write_ok_ = true;
  rewrite_in_progress_ = true;
  waiting_for_base_ = true;
  fill_rewrite(rewrite);
  return std::nullopt;
}

void AofLog::fill_rewrite(AofRewrite* rewrite) const {
  rewrite->temp_base_path = temp_base_path(options_.names);
  rewrite->first_incr_seq = manifest_.incrs.back().seq;
  rewrite->rdb_base = options_.use_rdb_preamble;
  rewrite->manifest = manifest_;
}

void AofLog::discard() {
  if (fd_ < 0) return;
  buf_.clear();
  ::close(fd_);
  fd_ = -1;
  ::unlink(incr_path_.c_str());
  selected_db_ = -1;
  incr_size_ = fsync_offset_ = 0;
  rewrite_in_progress_ = waiting_for_base_ = false;
  background_->drain();
}

std::optional<std::string> prepare_offline_rewrite(const AofNames& names, bool rdb_base,
                                                   AofRewrite* rewrite) {
  if (auto error = make_aof_dir(names)) return error;
  // A manifest that can't be read is reported now rather than after the walk.
  AofManifest current;
  bool found = false;
  if (auto error = load_aof_manifest(names, &current, &found)) return error;
  rewrite->temp_base_path = temp_base_path(names);
  rewrite->rdb_base = rdb_base;
  return std::nullopt;
}

std::optional<std::string> install_offline_rewrite(const AofNames& names, const AofRewrite& rewrite,
                                                   bool keep_history) {
  // Read again: the directory is this server's, but the manifest is only ever trusted as on disk.
  AofManifest next;
  bool found = false;
  if (auto error = load_aof_manifest(names, &next, &found)) {
    ::unlink(rewrite.temp_base_path.c_str());
    return error;
  }
  const std::string base_path = names.path_of(next.add_new_base(names.filename, rewrite.rdb_base));
  if (auto error = rename_durably(rewrite.temp_base_path, base_path)) {
    ::unlink(rewrite.temp_base_path.c_str());
    return "Error trying to rename the temporary AOF base file: " + *error;
  }
  next.mark_incrs_before_as_history(next.incr_seq + 1);
  if (auto error = persist_aof_manifest(names, next)) {
    ::unlink(base_path.c_str());
    return "Can't persist the AOF manifest: " + *error;
  }
  if (keep_history || next.history.empty()) return std::nullopt;
  for (const auto& info : next.history) ::unlink(names.path_of(info.name).c_str());
  next.history.clear();
  // As delete_history: a manifest still naming deleted history is valid, so this may fail.
  (void)persist_aof_manifest(names, next);
  return std::nullopt;
}

std::optional<std::string> AofLog::close() {
  if (fd_ < 0) return std::nullopt;
  AofFlushResult flushed = flush_turn(true);
  std::optional<std::string> error;
  if (flushed.status == AofFlushStatus::kWriteError || flushed.status == AofFlushStatus::kFatal)
    error = flushed.message;
  if (timed_fdatasync(fd_) != 0 && !error)
    error = "Fail to fsync the AOF file: " + errno_text(errno);
  ::close(fd_);
  fd_ = -1;
  buf_.clear();
  selected_db_ = -1;
  incr_size_ = 0;
  fsync_offset_ = 0;
  background_->drain();
  return error;
}

void AofLog::append(int db, std::span<const std::string_view> argv, int64_t unix_s) {
  if (options_.timestamps && unix_s > timestamp_s_) {
    append_aof_timestamp(buf_, unix_s);
    timestamp_s_ = unix_s;
  }
  if (db != selected_db_) {
    append_aof_select(buf_, db);
    selected_db_ = db;
  }
  append_aof_command(buf_, argv);
}

ssize_t AofLog::write_all(std::string_view bytes) {
  // Retrying a short write: normally the next one fails (no space) and reports why, but
  // sometimes it simply goes through (aofWrite).
  size_t total = 0;
  while (total < bytes.size()) {
    const ssize_t n = options_.ops.write(fd_, bytes.data() + total, bytes.size() - total);
    if (n < 0) {
      if (errno == EINTR) continue;
      return total > 0 ? static_cast<ssize_t>(total) : -1;
    }
    if (n == 0) {
      errno = ENOSPC;
      return total > 0 ? static_cast<ssize_t>(total) : -1;
    }
    total += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(total);
}

AofFlushResult AofLog::flush_turn(bool force) {
  AofFlushResult result;
  if (fd_ < 0) {
    if (!buf_.empty()) {
      result.status = AofFlushStatus::kWriteError;
      result.message = "the AOF is not open";
    }
    return result;
  }
  const AofFsyncPolicy policy = options_.fsync;
  const int64_t now = options_.ops.now_ms();
  bool sync_in_progress = false;
  bool do_write = true;

  if (buf_.empty()) {
    // Nothing new, but bytes written by earlier turns may still be waiting for their fsync: a
    // quiet tail must reach the disk within about a second too.
    if (policy == AofFsyncPolicy::kEverySec && fsync_offset_ != incr_size_ &&
        now - last_fsync_ms_ >= kEverySecMs && !(sync_in_progress = fsync_in_progress())) {
      do_write = false;
    } else if (policy == AofFsyncPolicy::kAlways && fsync_offset_ != incr_size_) {
      do_write = false;  // the policy just changed from everysec
    } else {
      return result;
    }
  }

  if (do_write) {
    if (policy == AofFsyncPolicy::kEverySec) sync_in_progress = fsync_in_progress();
    if (policy == AofFsyncPolicy::kEverySec && !force && sync_in_progress) {
      if (!postponed_since_ms_) {
        postponed_since_ms_ = now;
        result.status = AofFlushStatus::kPostponed;
        return result;
      }
      if (now - *postponed_since_ms_ < kMaxPostponeMs) {
        result.status = AofFlushStatus::kPostponed;
        return result;
      }
      ++delayed_fsync_;
      result.message =
          "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer "
          "without waiting for fsync to complete, this may slow down Redis.";
    }
    ssize_t written = write_all(buf_);
    const int write_errno = errno;
    postponed_since_ms_.reset();
    if (written != static_cast<ssize_t>(buf_.size())) {
      std::string error;
      if (written < 0) {
        error = "Error writing to the AOF file " + incr_path_ + ": " + errno_text(write_errno);
      } else {
        error = "Short write while writing to the AOF file " + incr_path_ +
                ": (nwritten=" + std::to_string(written) +
                ", expected=" + std::to_string(buf_.size()) + ")";
        // Half a command in the file would make the next load stop there: cut it off.
        if (::ftruncate(fd_, static_cast<off_t>(incr_size_)) != 0) {
          error +=
              "; could not remove the short write from the append-only file, it may not "
              "load: ftruncate: " +
              errno_text(errno);
        } else {
          written = -1;
        }
      }
      last_write_ok_ = false;
      last_write_error_ = error;
      last_write_errno_ = written < 0 && write_errno != 0 ? write_errno : ENOSPC;
      result.message = error;
      if (policy == AofFsyncPolicy::kAlways) {
        result.status = AofFlushStatus::kFatal;
        result.message +=
            ". Can't recover from AOF write error when the AOF fsync policy is "
            "'always'. Exiting...";
      } else {
        result.status = AofFlushStatus::kWriteError;
      }
      if (written > 0) {
        current_size_ += static_cast<uint64_t>(written);
        incr_size_ += static_cast<uint64_t>(written);
        buf_.erase(0, static_cast<size_t>(written));
        result.written = static_cast<uint64_t>(written);
      }
      return result;
    }
    if (!last_write_ok_) {
      last_write_ok_ = true;
      last_write_error_.clear();
      result.message = "AOF write error looks solved, Redis can write again.";
    }
    current_size_ += static_cast<uint64_t>(written);
    incr_size_ += static_cast<uint64_t>(written);
    result.written = static_cast<uint64_t>(written);
    if (buf_.capacity() > kKeepBufferCapacity) {
      std::string().swap(buf_);
    } else {
      buf_.clear();
    }
  }

  if (options_.no_fsync_on_rewrite && rewrite_in_progress_) return result;
  if (policy == AofFsyncPolicy::kAlways) {
    if (timed_fdatasync(fd_) != 0) {
      last_write_errno_ = errno;
      result.status = AofFlushStatus::kFatal;
      result.message = "Can't persist AOF for fsync error when the AOF fsync policy is 'always': " +
                       errno_text(last_write_errno_) + ". Exiting...";
      last_write_ok_ = false;
      last_write_error_ = result.message;
      return result;
    }
    fsync_offset_ = incr_size_;
    last_fsync_ms_ = now;
  } else if (policy == AofFsyncPolicy::kEverySec && now - last_fsync_ms_ >= kEverySecMs) {
    if (!sync_in_progress) {
      background_->fsync(fd_);
      fsync_offset_ = incr_size_;
    }
    last_fsync_ms_ = now;
  }
  return result;
}

std::optional<std::string> AofLog::open_new_incr(AofRewrite* rewrite) {
  if (fd_ < 0) return "the AOF is not open";
  // A second switch would make the first rewrite's base miss the commands of the file between.
  if (rewrite_in_progress_) return "Background append only file rewriting already in progress";
  AofFlushResult flushed = flush_turn(true);
  if (!buf_.empty())
    return "Can't switch to a new AOF incr file while the AOF buffer can't be written: " +
           flushed.message;
  const AofNames& names = options_.names;
  AofManifest next = manifest_;
  const std::string path = names.path_of(next.add_new_incr(names.filename));
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return "Can't open the append-only file " + path + ": " + errno_text(errno);
  if (auto error = persist_aof_manifest(names, next)) {
    ::close(fd);
    ::unlink(path.c_str());
    return "Can't persist the AOF manifest: " + *error;
  }
  // The old file's tail still needs its fsync under everysec (under always it has had it); the
  // background thread does it and closes the file.
  background_->fsync_and_close(fd_);
  fd_ = fd;
  incr_path_ = path;
  manifest_ = std::move(next);
  incr_size_ = 0;
  fsync_offset_ = 0;
  last_fsync_ms_ = options_.ops.now_ms();
  selected_db_ = -1;
  rewrite_in_progress_ = true;

  fill_rewrite(rewrite);
  return std::nullopt;
}

std::optional<std::string> AofLog::install_rewrite(const AofRewrite& rewrite) {
  const AofNames& names = options_.names;
  AofManifest next = manifest_;
  const std::string base_name = next.add_new_base(names.filename, rewrite.rdb_base);
  const std::string base_path = names.path_of(base_name);
  if (auto error = rename_durably(rewrite.temp_base_path, base_path)) {
    ::unlink(rewrite.temp_base_path.c_str());
    rewrite_in_progress_ = false;
    return "Error trying to rename the temporary AOF base file: " + *error;
  }
  next.mark_incrs_before_as_history(rewrite.first_incr_seq);
  if (auto error = persist_aof_manifest(names, next)) {
    ::unlink(base_path.c_str());
    rewrite_in_progress_ = false;
    return "Can't persist the AOF manifest: " + *error;
  }
  manifest_ = std::move(next);
  rewrite_in_progress_ = waiting_for_base_ = false;
  base_size_ = file_size(base_path) + incr_size_;
  current_size_ = base_size_;
  delete_history();
  return std::nullopt;
}

void AofLog::delete_history() {
  if (options_.disable_auto_gc || manifest_.history.empty()) return;
  for (const auto& info : manifest_.history) {
    BASALT_LOG(kNotice, "Removing the history file %s in the background", info.name.c_str());
    background_->unlink(options_.names.path_of(info.name));
  }
  manifest_.history.clear();
  // The history is gone whether or not this manifest reaches the disk: one still naming it is
  // valid (history files are never loaded), so a failure here fails nothing.
  (void)persist_aof_manifest(options_.names, manifest_);
}

void AofLog::abort_rewrite(const AofRewrite& rewrite) {
  ::unlink(rewrite.temp_base_path.c_str());
  rewrite_in_progress_ = false;
}

}  // namespace basalt
