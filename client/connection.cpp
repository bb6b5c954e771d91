#include "connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "basalt/errors.hpp"
#include "handshake.hpp"

namespace basalt::detail {
namespace {

constexpr size_t kReadSize = 64 * 1024;
// Batches up to this size are written whole before reading: the kernel's socket buffers and the
// server's own buffering absorb them. Larger ones interleave writing and reading.
constexpr size_t kWriteFirstLimit = 256 * 1024;

using Clock = std::chrono::steady_clock;

std::string Where(const Options& o) {
  if (!o.unix_socket.empty()) return "unix:" + o.unix_socket;
  return o.host + ":" + std::to_string(o.port);
}

std::string Errno(int err) { return std::strerror(err); }

int PollMs(Clock::time_point deadline) {
  if (deadline == Clock::time_point::max()) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left.count(), INT32_MAX));
}

Clock::time_point Deadline(std::chrono::milliseconds timeout, std::chrono::milliseconds extra) {
  if (timeout <= std::chrono::milliseconds::zero() || extra == std::chrono::milliseconds::max()) {
    return Clock::time_point::max();
  }
  return Clock::now() + timeout + extra;
}

void ApplySocketOptions(int fd, const Options& o) {
  if (!o.unix_socket.empty()) return;
  int one = 1;
  if (o.tcp_nodelay) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (o.keepalive.count() > 0) {
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    int idle = static_cast<int>(o.keepalive.count());
    int interval = idle / 3 > 0 ? idle / 3 : 1;
    int count = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
  }
}

// Non-blocking connect of one address, waiting until `deadline`. Returns the fd or -1 with errno
// set (ETIMEDOUT on timeout).
int ConnectOne(int family, const sockaddr* addr, socklen_t len, Clock::time_point deadline) {
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, addr, len) == 0) return fd;
  if (errno != EINPROGRESS) {
    const int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int rc;
  do {
    rc = poll(&p, 1, PollMs(deadline));
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) {
    close(fd);
    errno = ETIMEDOUT;
    return -1;
  }
  int err = 0;
  socklen_t elen = sizeof(err);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
  if (rc < 0 || err != 0) {
    close(fd);
    errno = err != 0 ? err : errno;
    return -1;
  }
  return fd;
}

}  // namespace

int connect_socket(const Options& o) {
  const auto deadline = Deadline(o.connect_timeout, std::chrono::milliseconds::zero());
  int fd = -1;
  int err = 0;
  if (!o.unix_socket.empty()) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (o.unix_socket.size() >= sizeof(addr.sun_path)) {
      throw ConnectionError("basalt: unix socket path too long: " + o.unix_socket);
    }
    std::memcpy(addr.sun_path, o.unix_socket.data(), o.unix_socket.size());
    fd = ConnectOne(AF_UNIX, reinterpret_cast<sockaddr*>(&addr), sizeof(addr), deadline);
    err = errno;
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(o.port);
    const int gai = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &res);
    if (gai != 0) {
      throw ConnectionError("basalt: cannot resolve host \"" + o.host + "\": " + gai_strerror(gai) +
                            " (check Options::host)");
    }
    for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
      fd = ConnectOne(ai->ai_family, ai->ai_addr, ai->ai_addrlen, deadline);
      err = errno;
      if (err == ETIMEDOUT) break;
    }
    freeaddrinfo(res);
  }
  if (fd < 0) {
    if (err == ETIMEDOUT) {
      throw TimeoutError("basalt: connecting to " + Where(o) + " timed out after " +
                         std::to_string(o.connect_timeout.count()) +
                         " ms (is the server up and reachable? see Options::connect_timeout)");
    }
    throw ConnectionError("basalt: cannot connect to " + Where(o) + ": " + Errno(err) +
                          " (is the server running there? check Options::host/port/unix_socket)");
  }
  ApplySocketOptions(fd, o);
  return fd;
}

void Connection::set_io_timeout(std::chrono::milliseconds timeout) {
  if (timeout == io_timeout_) return;
  io_timeout_ = timeout;
  timeval tv{};
  if (timeout > std::chrono::milliseconds::zero() && timeout < std::chrono::hours(24 * 365)) {
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  }
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

Connection::Connection(const Options& options) : options_(options), buf_(new char[kReadSize]) {
  fd_ = connect_socket(options);
  // Blocking from here on, with SO_RCVTIMEO / SO_SNDTIMEO as the timeouts: a round trip is one
  // send() and one recv(), as with hiredis.
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  try {
    Handshake hs(options_);
    std::vector<Reply> replies;
    while (!hs.done()) {
      replies.clear();
      exchange(hs.out(), hs.replies(), replies, std::chrono::milliseconds::zero(),
               options_.connect_timeout);
      hs.on_replies(replies);
    }
    protocol_ = hs.protocol();
  } catch (...) {
    close_fd();
    throw;
  }
}

Connection::~Connection() { close_fd(); }

void Connection::close_fd() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void Connection::fail_connection(const std::string& what) {
  const int err = errno;
  close_fd();
  throw ConnectionError("basalt: connection to " + Where(options_) + " lost (" + what + ": " +
                        Errno(err) + "); the request may or may not have run");
}

void Connection::fail_timeout() {
  close_fd();
  throw TimeoutError("basalt: no reply from " + Where(options_) + " within " +
                     std::to_string(limit_.count()) +
                     " ms; the connection was closed (raise Options::command_timeout if the "
                     "server is just slow)");
}

bool Connection::read_some(bool wait) {
  for (;;) {
    const ssize_t r = recv(fd_, buf_.get(), kReadSize, wait ? 0 : MSG_DONTWAIT);
    if (r > 0) {
      reader_.feed(std::string_view(buf_.get(), static_cast<size_t>(r)));
      return true;
    }
    if (r == 0) {
      errno = ECONNRESET;
      fail_connection("closed by the server");
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (wait) fail_timeout();
      return false;
    }
    fail_connection("read");
  }
}

bool Connection::busy_poll(Clock::time_point deadline) {
  const Clock::time_point until = std::min(deadline, Clock::now() + options_.busy_poll);
  do {
    if (read_some(false)) return true;
  } while (Clock::now() < until);
  return false;
}

template <class Sink>
void Connection::io(std::string_view out, size_t n, std::chrono::milliseconds blocking,
                    std::chrono::milliseconds timeout, Sink&& sink) {
  if (fd_ < 0) throw ConnectionError("basalt: not connected");
  // Blocking commands may wait their own timeout on top of the command timeout.
  const bool forever =
      timeout <= std::chrono::milliseconds::zero() || blocking == std::chrono::milliseconds::max();
  limit_ = forever ? std::chrono::milliseconds::zero() : timeout + blocking;
  set_io_timeout(limit_);
  // The limit covers the whole exchange: SO_RCVTIMEO alone restarts with every byte received, so
  // a reply trickling in would never time out. After the first wait the socket gets what is left.
  const Clock::time_point deadline = Deadline(timeout, blocking);
  auto time_left = [&] {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds::zero()) fail_timeout();
    return left;
  };
  bool waited = false;
  const bool spin = options_.busy_poll > std::chrono::microseconds::zero();
  size_t written = 0;
  if (out.size() <= kWriteFirstLimit) {
    while (written < out.size()) {
      const ssize_t w = send(fd_, out.data() + written, out.size() - written, MSG_NOSIGNAL);
      if (w > 0) {
        written += static_cast<size_t>(w);
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        fail_timeout();
      } else if (errno != EINTR) {
        fail_connection("write");
      }
    }
  }
  size_t got = 0;
  Reply reply;
  while (got < n) {
    if (reader_.next(reply)) {
      if (reply.type() == Reply::Type::kPush) continue;  // out-of-band RESP3 message
      sink(std::move(reply));
      ++got;
      continue;
    }
    if (reader_.has_error()) {
      close_fd();
      throw ProtocolError("basalt: the server at " + Where(options_) + " sent invalid RESP: " +
                          std::string(reader_.error()) + "; the connection was closed");
    }
    if (written == out.size()) {
      if (spin && busy_poll(deadline)) continue;
      // The socket's timeout now gets what is left of the limit after the spin.
      waited |= spin;
      if (waited && !forever) set_io_timeout(time_left());
      read_some(true);
      waited = true;
      continue;
    }
    // A large batch: write what the socket takes, read what has arrived, wait for either.
    pollfd p{fd_, POLLIN | POLLOUT, 0};
    int rc;
    do {
      const int poll_ms =
          forever ? -1 : static_cast<int>(std::min<int64_t>(time_left().count(), INT32_MAX));
      rc = poll(&p, 1, poll_ms);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0) fail_timeout();
    if (rc < 0) fail_connection("poll");
    if (p.revents & POLLOUT) {
      const ssize_t w =
          send(fd_, out.data() + written, out.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) {
        written += static_cast<size_t>(w);
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        fail_connection("write");
      }
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) read_some(false);
  }
}

Reply Connection::roundtrip(std::string_view out, std::chrono::milliseconds blocking) {
  Reply result;
  io(out, 1, blocking, options_.command_timeout, [&](Reply&& r) { result = std::move(r); });
  return result;
}

void Connection::exchange(std::string_view out, size_t n, std::vector<Reply>& replies,
                          std::chrono::milliseconds blocking, std::chrono::milliseconds timeout) {
  replies.reserve(replies.size() + n);
  io(out, n, blocking, timeout, [&](Reply&& r) { replies.push_back(std::move(r)); });
}

}  // namespace basalt::detail
