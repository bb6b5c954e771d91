#pragma once
// The durability discipline every persistence file follows (RDB dumps, the AOF's base and
// incremental files, its manifest): write to a temporary name, fsync it, rename it over the old
// name, then fsync the directory, so that a crash at any moment leaves either the old file or the
// new one, never a torn mix. Errors are the system's text with the path, for logs and INFO.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace basalt {

// A file opened for writing that is written through an in-memory buffer. Not thread-safe.
class OutputFile {
 public:
  OutputFile() = default;
  ~OutputFile();  // closes without syncing (an abandoned temporary file is removed by its owner)
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Creates (truncating) or, with append, opens for appending. Mode 0644.
  std::optional<std::string> open(const std::string& path, bool append = false);
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Writes everything, retrying short writes and EINTR.
  std::optional<std::string> write(std::string_view bytes);
  std::optional<std::string> sync();  // fdatasync
  std::optional<std::string> close();
  uint64_t bytes_written() const { return written_; }

 private:
  int fd_ = -1;
  std::string path_;
  uint64_t written_ = 0;
};

// "<what> <path>: <strerror(errno)>", the shape of every error here.
std::string system_error(std::string_view what, const std::string& path);
// fsyncs a directory so that a rename or a new file in it survives a crash.
std::optional<std::string> sync_directory(const std::string& dir);
// rename(2) then sync_directory of the target's directory.
std::optional<std::string> rename_durably(const std::string& from, const std::string& to);
// Writes a whole small file (a manifest) atomically: temp name, fsync, rename, directory fsync.
std::optional<std::string> write_file_atomically(const std::string& path, std::string_view bytes);
// Reads a whole file; nullopt with *error set when it cannot be read.
std::optional<std::string> read_file(const std::string& path, std::string* error);
// "dir/name", or name alone when dir is empty.
std::string join_path(std::string_view dir, std::string_view name);
// The directory part of a path ("." when there is none).
std::string directory_of(std::string_view path);
// A temporary name beside a target file, unique to this process and call ("temp-<pid>-<n>-name").
std::string temp_path_for(const std::string& path);
// Redis's name for a foreground save's temporary file, beside the target: "temp-<pid>.rdb". Only
// one such save runs at a time (on the loop), and Redis's tests and tools look for that name.
std::string foreground_save_temp_path(const std::string& path);

}  // namespace basalt
