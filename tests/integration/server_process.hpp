#pragma once
// Starts the real basalt-server binary on free ports for black-box tests, and stops it with
// SIGTERM, reporting its exit status. The binary comes from $BASALT_SERVER_BIN (set by CTest).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace basalt::testing {

// A port nobody listens on right now (the kernel picks it; we release it for the server).
inline int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// True once the server answers on `port`. The probe says QUIT and waits for the server to close
// it, so the probe no longer counts against maxclients when the test's own clients connect.
inline bool server_answers(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  if (ok) {
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    static constexpr char kQuit[] = "*1\r\n$4\r\nQUIT\r\n";
    ok = send(fd, kQuit, sizeof(kQuit) - 1, MSG_NOSIGNAL) == sizeof(kQuit) - 1;
    char buf[64];
    ssize_t n = -1;
    while (ok && (n = recv(fd, buf, sizeof(buf), 0)) > 0) {
    }
    ok = ok && n == 0;
  }
  close(fd);
  return ok;
}

// How the child starts, beyond its arguments.
struct SpawnOptions {
  rlim_t open_files = 0;    // RLIMIT_NOFILE, soft and hard; 0 leaves it as the test's
  std::string stderr_path;  // where its standard error goes; empty: the test's
};

// Runs args[0] with `args` in a child process.
inline pid_t spawn(std::vector<std::string> args, const SpawnOptions& options = {}) {
  pid_t pid = fork();
  if (pid == 0) {
    if (options.open_files != 0) {
      rlimit rl{options.open_files, options.open_files};
      if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(126);
    }
    if (!options.stderr_path.empty()) {
      int fd = open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || dup2(fd, 2) < 0) _exit(126);
      close(fd);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Waits for the server `pid` to answer on `port`: true once it does, false if it exited first
// (it is reaped); throws if it is still silent after `attempts` polls.
inline bool await_server(pid_t pid, int port, int attempts = 1000) {
  for (int i = 0; !server_answers(port); ++i) {
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) return false;
    if (i == attempts) throw std::runtime_error("the server did not start listening");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

inline std::string server_binary() {
  const char* bin = std::getenv("BASALT_SERVER_BIN");
#ifdef BASALT_SERVER_BIN
  if (bin == nullptr) bin = BASALT_SERVER_BIN;
#endif
  if (bin == nullptr) throw std::runtime_error("BASALT_SERVER_BIN is not set");
  return bin;
}

class ServerProcess {
 public:
  // extra: more "--name value" arguments.
  explicit ServerProcess(std::vector<std::string> extra = {}, SpawnOptions options = {})
      : options_(std::move(options)) {
    // A "free" port may be taken by a parallel test before the server binds it; the server then
    // exits at start-up, and another set of ports is tried.
    for (int attempt = 0; !try_start(extra); ++attempt) {
      if (attempt == 2) throw std::runtime_error("basalt-server exited at start-up");
    }
  }
  ~ServerProcess() {
    if (pid_ > 0) stop();
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  int http_port() const { return http_port_; }
  int admin_port() const { return admin_port_; }
  pid_t pid() const { return pid_; }

  // Sends SIGTERM and returns the exit status (-1 if it did not exit within 10 s, then killed).
  int stop(int sig = SIGTERM) {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, sig);
    return wait_exit();
  }
  // Waits for the process to exit by itself (SHUTDOWN).
  int wait_exit(int timeout_ms = 10000) {
    for (int waited = 0; waited < timeout_ms; waited += 10) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    exit_status_ = -1;
    return -1;
  }

 private:
  // Starts the server on fresh ports; false if it exited before answering.
  bool try_start(const std::vector<std::string>& extra) {
    port_ = free_port();
    http_port_ = free_port();
    admin_port_ = free_port();
    std::vector<std::string> args = {server_binary(), "--port", std::to_string(port_),
                                     "--http-port", std::to_string(http_port_), "--admin-port",
                                     std::to_string(admin_port_), "--loglevel", "warning",
                                     // No dump.rdb in the shared working directory, written
                                     // at exit and loaded by the next test's server.
                                     "--save", ""};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = spawn(std::move(args), options_);
    if (await_server(pid_, port_)) return true;
    pid_ = -1;
    return false;
  }
  SpawnOptions options_;
  pid_t pid_ = -1;
  int port_ = 0, http_port_ = 0, admin_port_ = 0;
  int exit_status_ = -1;
};

}  // namespace basalt::testing
