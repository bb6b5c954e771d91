// The sync client's transport: a blocking socket with send/receive timeouts, a ReplyReader, and
// an exchange() that writes a batch and reads its replies (interleaving the two for batches too
// large to write before reading).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/options.hpp"
#include "basalt/reply.hpp"
#include "protocol/reply_reader.hpp"

namespace basalt::detail {

// Opens a connected socket to options' host:port or Unix socket within the connect timeout,
// with TCP_NODELAY and keepalive applied; the fd is non-blocking. Throws ConnectionError /
// TimeoutError.
int connect_socket(const Options& options);

class Connection {
 public:
  // Connects and performs the handshake.
  explicit Connection(const Options& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends `out` (one command) and returns its reply.
  Reply roundtrip(std::string_view out, std::chrono::milliseconds blocking);
  // Sends `out` (`n` commands) and appends their replies to `replies`. `timeout` is the limit on
  // each wait (by default the command timeout), extended by `blocking`.
  void exchange(std::string_view out, size_t n, std::vector<Reply>& replies,
                std::chrono::milliseconds blocking) {
    exchange(out, n, replies, blocking, options_.command_timeout);
  }
  void exchange(std::string_view out, size_t n, std::vector<Reply>& replies,
                std::chrono::milliseconds blocking, std::chrono::milliseconds timeout);

  bool broken() const { return fd_ < 0; }
  int protocol() const { return protocol_; }

 private:
  template <class Sink>
  void io(std::string_view out, size_t n, std::chrono::milliseconds blocking,
          std::chrono::milliseconds timeout, Sink&& sink);
  // Reads once and feeds the reader; `wait`: block up to the I/O timeout (else TimeoutError),
  // otherwise return at once when nothing is there. True when bytes were fed.
  bool read_some(bool wait);
  // Options::busy_poll: reads without sleeping until bytes arrive (true), the budget runs out or
  // `deadline` passes (false).
  bool busy_poll(std::chrono::steady_clock::time_point deadline);
  // SO_RCVTIMEO and SO_SNDTIMEO, set only when they change (zero: no limit).
  void set_io_timeout(std::chrono::milliseconds timeout);
  [[noreturn]] void fail_connection(const std::string& what);
  [[noreturn]] void fail_timeout();
  void close_fd();

  const Options options_;  // a copy: the owning Client may move
  int fd_ = -1;
  int protocol_ = 2;
  std::chrono::milliseconds io_timeout_{-1};  // what the socket has now (-1: not set yet)
  std::chrono::milliseconds limit_{0};        // the current exchange's whole limit (for messages)
  resp::ReplyReader reader_;
  std::unique_ptr<char[]> buf_;
};

}  // namespace basalt::detail
