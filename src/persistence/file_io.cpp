#include "persistence/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace basalt {

std::string system_error(std::string_view what, const std::string& path) {
  std::string text(what);
  text += " ";
  text += path;
  text += ": ";
  text += std::strerror(errno);
  return text;
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> OutputFile::open(const std::string& path, bool append) {
  if (fd_ >= 0) ::close(fd_);
  path_ = path;
  written_ = 0;
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) return system_error("can't open", path);
  return std::nullopt;
}

std::optional<std::string> OutputFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return system_error("can't write", path_);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    written_ += static_cast<uint64_t>(n);
  }
  return std::nullopt;
}

std::optional<std::string> OutputFile::sync() {
  if (::fdatasync(fd_) != 0) return system_error("can't fsync", path_);
  return std::nullopt;
}

std::optional<std::string> OutputFile::close() {
  if (fd_ < 0) return std::nullopt;
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return system_error("can't close", path_);
  return std::nullopt;
}

std::optional<std::string> sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return system_error("can't open directory", dir);
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) return system_error("can't fsync directory", dir);
  return std::nullopt;
}

std::optional<std::string> rename_durably(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return system_error("can't rename " + from + " to", to);
  return sync_directory(directory_of(to));
}

std::optional<std::string> write_file_atomically(const std::string& path, std::string_view bytes) {
  const std::string temp = temp_path_for(path);
  OutputFile file;
  std::optional<std::string> error = file.open(temp);
  if (!error) error = file.write(bytes);
  if (!error) error = file.sync();
  if (!error) error = file.close();
  if (!error) error = rename_durably(temp, path);
  if (error) ::unlink(temp.c_str());
  return error;
}

std::optional<std::string> read_file(const std::string& path, std::string* error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = system_error("can't open", path);
    return std::nullopt;
  }
  std::string bytes;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = system_error("can't read", path);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return bytes;
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string path(dir);
  if (path.back() != '/') path += '/';
  path += name;
  return path;
}

std::string directory_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string temp_path_for(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "temp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + name;
}

std::string foreground_save_temp_path(const std::string& path) {
  return join_path(directory_of(path), "temp-" + std::to_string(::getpid()) + ".rdb");
}

}  // namespace basalt
