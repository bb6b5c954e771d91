#pragma once
// Servers for the client's integration tests: the real basalt-server and a real redis-server,
// each started as a child process on a port of its own (kept across restart()), and FakeServer,
// an in-process TCP listener whose behaviour a test scripts (never answer, answer the handshake
// and then go silent...).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_process.hpp"

namespace basalt::testing {

// A child server process; which program and arguments depends on the kind.
class ChildServer {
 public:
  enum class Kind { kBasalt, kRedis };

  ChildServer(Kind kind, std::vector<std::string> extra = {})
      : kind_(kind), extra_(std::move(extra)), port_(free_port()) {
    if (kind_ == Kind::kRedis) {
      unix_socket_ = "/tmp/basalt-client-test-" + std::to_string(getpid()) + "-" +
                     std::to_string(port_) + ".sock";
    }
    start();
  }
  // redis-server killed with SIGKILL leaves its socket file behind: one per test in /tmp.
  ~ChildServer() {
    stop(SIGKILL);
    if (!unix_socket_.empty()) ::unlink(unix_socket_.c_str());
  }
  ChildServer(const ChildServer&) = delete;
  ChildServer& operator=(const ChildServer&) = delete;

  int port() const { return port_; }
  Kind kind() const { return kind_; }
  // Empty when the server has no Unix socket (basalt-server).
  const std::string& unix_socket() const { return unix_socket_; }

  void start() {
    std::vector<std::string> args;
    if (kind_ == Kind::kBasalt) {
      args = {server_binary(),
              "--port",
              std::to_string(port_),
              "--http-port",
              "0",
              "--admin-port",
              "0",
              "--loglevel",
              "warning",
              "--save",
              ""};
    } else {
      args = {"/usr/bin/redis-server",
              "--port",
              std::to_string(port_),
              "--bind",
              "127.0.0.1",
              "--save",
              "",
              "--appendonly",
              "no",
              "--unixsocket",
              unix_socket_,
              "--unixsocketperm",
              "700",
              "--loglevel",
              "warning"};
    }
    args.insert(args.end(), extra_.begin(), extra_.end());
    const std::string binary = args[0];
    pid_ = spawn(std::move(args));
    if (!await_server(pid_, port_)) {
      pid_ = -1;
      throw std::runtime_error("server exited at start-up: " + binary);
    }
  }

  void stop(int sig = SIGTERM) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  void restart() {
    stop(SIGKILL);
    start();
  }

 private:
  Kind kind_;
  std::vector<std::string> extra_;
  int port_;
  std::string unix_socket_;
  pid_t pid_ = -1;
};

// A TCP listener on 127.0.0.1 running `behaviour(fd)` for each accepted connection on its own
// thread. The behaviour should return when stop() is called (poll stopping()).
class FakeServer {
 public:
  using Behaviour = std::function<void(int fd, FakeServer& self)>;

  explicit FakeServer(Behaviour behaviour) : behaviour_(std::move(behaviour)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(listen_fd_, 16);
    acceptor_ = std::thread([this] {
      while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0) continue;
        const int fd = accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) continue;
        ++accepted_;
        workers_.emplace_back([this, fd] {
          behaviour_(fd, *this);
          close(fd);
        });
      }
    });
  }
  ~FakeServer() { stop(); }

  void stop() {
    if (stopping_.exchange(true)) return;
    acceptor_.join();
    for (auto& t : workers_) t.join();
    close(listen_fd_);
  }

  int port() const { return port_; }
  bool stopping() const { return stopping_; }
  int accepted() const { return accepted_; }

  // Reads what arrives for up to `ms` milliseconds (or until stopping), returns it.
  std::string read_for(int fd, int ms) {
    std::string out;
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stopping_ && std::chrono::steady_clock::now() < end) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 10) <= 0) continue;
      char buf[4096];
      const ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // Waits until stop() (or the peer closes), swallowing input.
  void idle(int fd) {
    while (!stopping_) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 10) <= 0) continue;
      char buf[4096];
      if (recv(fd, buf, sizeof(buf), 0) <= 0) return;
    }
  }

 private:
  Behaviour behaviour_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

}  // namespace basalt::testing
