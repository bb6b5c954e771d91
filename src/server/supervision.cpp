#include "server/supervision.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/log.hpp"

namespace basalt {

Supervision resolve_supervision(std::string_view setting) {
  const bool systemd_env = std::getenv("NOTIFY_SOCKET") != nullptr;
  const bool upstart_env = std::getenv("UPSTART_JOB") != nullptr;
  if (setting == "auto") {
    if (upstart_env) return Supervision::kUpstart;
    if (systemd_env) return Supervision::kSystemd;
    return Supervision::kNone;
  }
  if (setting == "systemd") {
    if (systemd_env) return Supervision::kSystemd;
    BASALT_LOG(kWarning,
               "systemd supervision requested or auto-detected, but NOTIFY_SOCKET environment "
               "variable not found!");
  } else if (setting == "upstart") {
    if (upstart_env) return Supervision::kUpstart;
    BASALT_LOG(kWarning, "upstart supervision requested, but UPSTART_JOB not found!");
  }
  return Supervision::kNone;
}

std::string_view supervision_name(Supervision s) {
  switch (s) {
    case Supervision::kSystemd:
      return "systemd";
    case Supervision::kUpstart:
      return "upstart";
    case Supervision::kNone:
      return "no";
  }
  return "no";
}

bool daemonize() {
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid > 0) _exit(0);  // the parent: the shell or init that started us gets its exit status
  setsid();
  const int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) close(null);
  }
  return true;
}

void PidFile::write(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    BASALT_LOG(kWarning, "Failed to write PID file: %s", std::strerror(errno));
    return;
  }
  std::fprintf(f, "%d\n", static_cast<int>(getpid()));
  std::fclose(f);
  path_ = path;
}

void PidFile::remove() {
  if (path_.empty()) return;
  ::unlink(path_.c_str());
  path_.clear();
}

bool OomScoreAdjuster::apply(const std::string& mode, const std::string& values) {
  if (mode == applied_mode_ && (mode == "no" || values == applied_values_)) return true;
  int value;
  if (mode != "no") {
    if (!adjusted_) {
      FILE* f = std::fopen("/proc/self/oom_score_adj", "r");
      if (f == nullptr || std::fscanf(f, "%d", &base_) != 1) {
        BASALT_LOG(kWarning, "Unable to read oom_score_adj: %s", std::strerror(errno));
        if (f != nullptr) std::fclose(f);
        return false;
      }
      std::fclose(f);
      adjusted_ = true;
    }
    value = std::atoi(values.c_str());  // the master's, first of the three (validated by config)
    if (mode != "absolute") value += base_;  // yes and relative
    value = std::clamp(value, -1000, 1000);
  } else if (adjusted_) {
    adjusted_ = false;
    value = base_;
  } else {
    applied_mode_ = mode;
    return true;
  }
  FILE* f = std::fopen("/proc/self/oom_score_adj", "w");
  if (f == nullptr || std::fprintf(f, "%d\n", value) < 0 || std::fclose(f) != 0) {
    BASALT_LOG(kWarning, "Unable to write oom_score_adj: %s", std::strerror(errno));
    return false;
  }
  applied_mode_ = mode;
  applied_values_ = values;
  return true;
}

namespace {

void systemd_notify(std::string_view message) {
  const char* address = std::getenv("NOTIFY_SOCKET");
  if (address == nullptr || address[0] == '\0') return;
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  const size_t len = std::strlen(address);
  if (len >= sizeof(sa.sun_path)) {
    BASALT_LOG(kWarning, "NOTIFY_SOCKET is too long for a socket address");
    return;
  }
  std::memcpy(sa.sun_path, address, len);
  // "@name" is a socket in the abstract namespace, whose address starts with a NUL byte.
  if (sa.sun_path[0] == '@') sa.sun_path[0] = '\0';
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    BASALT_LOG(kWarning, "Can't connect to systemd socket %s", address);
    return;
  }
  const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  if (sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
             reinterpret_cast<const sockaddr*>(&sa), addr_len) < 0) {
    BASALT_LOG(kWarning, "Can't send notification to systemd: %s", std::strerror(errno));
  }
  close(fd);
}

}  // namespace

void notify_ready(Supervision s) {
  switch (s) {
    case Supervision::kSystemd:
      BASALT_LOG(kNotice, "Notifying systemd: ready to accept connections");
      systemd_notify("STATUS=Ready to accept connections\nREADY=1\n");
      return;
    case Supervision::kUpstart:
      BASALT_LOG(kNotice, "supervised by upstart, will stop to signal readiness.");
      raise(SIGSTOP);
      unsetenv("UPSTART_JOB");
      return;
    case Supervision::kNone:
      return;
  }
}

void notify_stopping(Supervision s) {
  if (s == Supervision::kSystemd) systemd_notify("STOPPING=1\n");
}

}  // namespace basalt
