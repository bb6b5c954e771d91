#include "server/stream.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <new>

#include "base/log.hpp"
#include "server/server.hpp"

namespace basalt {

namespace {
constexpr size_t kMinReadRoom = 16 * 1024;
constexpr size_t kIdleBufferMax = 64 * 1024;

std::string format_addr(const sockaddr_storage& ss) {
  char ip[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(a, ip, sizeof(ip));
    port = ntohs(a->sin_port);
    return std::string(ip) + ":" + std::to_string(port);
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, ip, sizeof(ip));
    port = ntohs(a->sin6_port);
    return std::string(ip) + ":" + std::to_string(port);
  }
  return "?:0";
}
}  // namespace

char* ReadBuffer::prepare(size_t want, size_t* got) {
  // `want` is what a peer announced (a bulk length), not what it sent: grow toward it no faster
  // than the bytes arrive, at most doubling what is held, so "$60000000000" followed by nothing
  // costs 16 KB. Doubling keeps a large value's copies linear (each byte moves about once more).
  const size_t live = end_ - begin_;
  want = std::clamp(want, kMinReadRoom, std::max(kMinReadRoom, live));
  if (capacity_ - end_ < want) {
    if (begin_ > 0 && capacity_ - live >= want && live < capacity_ / 2) {
      // Enough room once the consumed prefix is dropped: slide the unread tail down.
      std::memmove(data_.get(), data_.get() + begin_, live);
    } else {
      size_t cap = std::max(capacity_ * 2, live + want);
      // Not zero-filled: a fresh buffer is written by recv() before anything reads it, and
      // zeroing would touch (commit) every page of it up front.
      auto bigger = std::make_unique_for_overwrite<char[]>(cap);
      if (live > 0) std::memcpy(bigger.get(), data_.get() + begin_, live);
      data_ = std::move(bigger);
      capacity_ = cap;
    }
    begin_ = 0;
    end_ = live;
  }
  *got = capacity_ - end_;
  return data_.get() + end_;
}

void ReadBuffer::shrink_if_idle() {
  if (capacity_ > kIdleBufferMax) release_if_empty();
}

StreamConnection::StreamConnection(Server& server, uint64_t kind) : server_(server), kind_(kind) {
  handle_.base.data = this;
  write_req_.data = this;
}

bool StreamConnection::start() {
  if (unix_socket_) {
    // What Redis's anetFdToString gives a unix socket, on both ends.
    peer_ = local_ = "/unixsocket:0";
  } else {
    sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getpeername(&handle_.tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
      peer_ = format_addr(ss);
    len = sizeof(ss);
    if (uv_tcp_getsockname(&handle_.tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
      local_ = format_addr(ss);
  }
  last_activity_ms_ = server_.now_ms();
  on_start();
  return uv_read_start(reinterpret_cast<uv_stream_t*>(&handle_), alloc_cb, read_cb) == 0;
}

int StreamConnection::fd() const {
  uv_os_fd_t fd = -1;
  uv_fileno(reinterpret_cast<const uv_handle_t*>(&handle_), &fd);
  return fd;
}

void StreamConnection::alloc_cb(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<StreamConnection*>(h->data);
  size_t got = 0;
  char* p = nullptr;
  try {
    p = c->in_.prepare(c->read_hint(), &got);
  } catch (const std::bad_alloc&) {
    // An empty buffer makes libuv report UV_ENOBUFS to read_cb, which closes this connection:
    // one client's large request is refused, the server goes on.
    *buf = uv_buf_init(nullptr, 0);
    return;
  }
  *buf = uv_buf_init(p, static_cast<unsigned>(std::min<size_t>(got, 1u << 30)));
}

void StreamConnection::read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  auto* c = static_cast<StreamConnection*>(s->data);
  if (nread > 0) {
    c->in_.commit(static_cast<size_t>(nread));
    c->server_.engine().stats().net_input_bytes += static_cast<uint64_t>(nread);
    c->last_activity_ms_ = c->server_.now_ms();
    c->on_read();
    if (!c->closing_) c->in_.shrink_if_idle();
    c->server_.account_client_memory(c);
  } else if (nread < 0) {
    if (nread == UV_ENOBUFS) {
      BASALT_LOG(kWarning, "Out of memory for the input of client %s: closing it",
                 c->peer_.c_str());
    } else if (nread != UV_EOF) {
      BASALT_LOG(kVerbose, "Reading from client %s: %s", c->peer_.c_str(), uv_strerror(nread));
    }
    c->close();
  }
  // nread == 0 is EAGAIN, not end of file.
}

void StreamConnection::request_flush() {
  if (flush_queued_ || closing_) return;
  flush_queued_ = true;
  server_.queue_flush(this);
}

void StreamConnection::flush(size_t limit) {
  flush_queued_ = false;
  if (closing_) return;
  if (!inflight_.empty()) return;  // write_cb flushes the rest
  if (out_.empty()) {
    if (close_after_flush_) close();
    return;
  }
  const size_t sendable = std::min(limit, out_.size());
  if (sendable == 0) return;
  uv_buf_t buf =
      uv_buf_init(out_.data(), static_cast<unsigned>(std::min<size_t>(sendable, 1u << 30)));
  int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&handle_), &buf, 1);
  if (n < 0 && n != UV_EAGAIN) {
    BASALT_LOG(kVerbose, "Writing to client %s: %s", peer_.c_str(), uv_strerror(n));
    close();
    return;
  }
  size_t written = n > 0 ? static_cast<size_t>(n) : 0;
  server_.engine().stats().net_output_bytes += written;
  if (written == out_.size()) {
    out_.clear();
    if (out_.capacity() > kIdleBufferMax) out_.shrink_to_fit();
    server_.account_client_memory(this);
    if (close_after_flush_) close();
    return;
  }
  // The socket is full, or only a prefix may go (appendfsync always): hand the rest of what may
  // go to uv_write and keep it alive until write_cb. All of it: the buffer itself moves over, so
  // a client that stops reading holds its replies once, not once there and again in out_'s
  // capacity.
  if (written < sendable && sendable == out_.size()) {
    inflight_.swap(out_);  // inflight_ was empty
    inflight_.erase(0, written);
  } else {
    if (written < sendable) inflight_.assign(out_, written, sendable - written);
    out_.erase(0, sendable);
  }
  durable_mark_ = 0;
  server_.account_client_memory(this);
  if (inflight_.empty()) return;
  buf = uv_buf_init(inflight_.data(), static_cast<unsigned>(inflight_.size()));
  int rc = uv_write(&write_req_, reinterpret_cast<uv_stream_t*>(&handle_), &buf, 1, write_cb);
  if (rc != 0) {
    inflight_.clear();
    close();
  }
}

void StreamConnection::write_cb(uv_write_t* req, int status) {
  auto* c = static_cast<StreamConnection*>(req->data);
  if (status == 0) c->server_.engine().stats().net_output_bytes += c->inflight_.size();
  c->inflight_.clear();
  if (c->closing_) return;
  c->server_.account_client_memory(c);
  if (status != 0) {
    c->close();
    return;
  }
  if (!c->out_.empty() || c->close_after_flush_) c->request_flush();
}

void StreamConnection::release_idle_buffers() {
  in_.release_if_empty();
  if (out_.empty() && out_.capacity() > 0) std::string().swap(out_);
  if (inflight_.empty() && inflight_.capacity() > 0) std::string().swap(inflight_);
  server_.account_client_memory(this);
}

void StreamConnection::pause_reading() {
  if (reading_paused_ || closing_ || close_after_flush_) return;
  reading_paused_ = true;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&handle_));
}

void StreamConnection::resume_reading() {
  if (!reading_paused_ || closing_ || close_after_flush_) return;
  reading_paused_ = false;
  uv_read_start(reinterpret_cast<uv_stream_t*>(&handle_), alloc_cb, read_cb);
}

void StreamConnection::refuse(int, std::string_view error, bool) {
  out_.append("-").append(error).append("\r\n");
  close_after_flush();
}

void StreamConnection::close_soon() {
  if (close_pending_ || closing_) return;
  close_pending_ = true;
  server_.queue_resume(this);
}

void StreamConnection::close_after_flush() {
  close_after_flush_ = true;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&handle_));
  request_flush();
}

void StreamConnection::close() {
  if (closing_) return;
  closing_ = true;
  on_close();
  server_.connection_closing(this);
  // Nothing more will be sent: the replies go now, not when libuv has closed the handle (the
  // next loop iteration). The memory accounting already counts them gone; a client closed to
  // make room (client eviction, an output limit) must make it before the next command's key
  // eviction looks. The read buffer may still be in use by the command that closed us.
  std::string().swap(out_);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), close_cb);
}

void StreamConnection::close_cb(uv_handle_t* h) { delete static_cast<StreamConnection*>(h->data); }

}  // namespace basalt
