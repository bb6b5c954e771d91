#pragma once
// A TCP connection on the loop, whatever protocol it speaks: owns the read buffer and the output
// buffer, and implements the write discipline shared by the RESP and HTTP front ends. Replies are
// appended to one output buffer while a read's requests are processed, and flushed once per loop
// turn (Server's uv_check phase): uv_try_write first, uv_write for the remainder, with the
// in-flight bytes kept alive until the write callback. The object is freed only in the close
// callback.

#include <uv.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace basalt {

class Server;

// Read buffer with a consumed prefix, so parsed requests can stay views into it while a batch runs
// and the unparsed tail is moved down only when the prefix grows large.
class ReadBuffer {
 public:
  std::string_view unread() const { return {data_.get() + begin_, end_ - begin_}; }
  size_t size() const { return end_ - begin_; }
  void consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  // Room for at least `want` more bytes at the end.
  char* prepare(size_t want, size_t* got);
  void commit(size_t n) { end_ += n; }
  size_t capacity() const { return capacity_; }
  // Gives memory back after a large request, so an idle client costs little.
  void shrink_if_idle();
  // Frees the buffer when it holds nothing unread (the server's cron, for idle clients).
  void release_if_empty() {
    if (begin_ != end_) return;
    data_.reset();
    capacity_ = begin_ = end_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0, begin_ = 0, end_ = 0;
};

class StreamConnection {
 public:
  StreamConnection(Server& server, uint64_t listener_kind);
  virtual ~StreamConnection() = default;
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  uv_tcp_t* handle() { return &handle_.tcp; }
  uv_pipe_t* pipe_handle() { return &handle_.pipe; }
  uv_stream_t* stream() { return &handle_.stream; }
  // A client of the unix socket (`unixsocket`): the server says so before start(). Its address is
  // Redis's "/unixsocket:0", and protected mode lets it in (it is on this host).
  void set_unix_socket() { unix_socket_ = true; }
  bool unix_socket() const { return unix_socket_; }
  // Starts reading after accept(); fills in the peer and local addresses.
  bool start();
  // Stops and restarts reading from the socket (a client that does not read its replies).
  void pause_reading();
  void resume_reading();
  // Closes now; pending output is dropped. Safe to call more than once.
  void close();
  // Closes once everything queued so far has been written.
  void close_after_flush();
  // Turns the client away at accept (protected mode, too many clients): `error` is Redis's text
  // ("ERR max number of clients reached"), sent as a RESP error and the connection closed; a
  // protocol with its own framing overrides this (HTTP answers `http_status`). `at_capacity`:
  // refused for want of room, so the descriptor must be given back at once rather than kept for a
  // lingering close.
  virtual void refuse(int http_status, std::string_view error, bool at_capacity);
  bool closing() const { return closing_; }
  // Closes in the server's check phase, after the loop turn's commands (CLIENT KILL): a command
  // may kill a client whose own command is still on the stack (a held CLIENT KILL resumed when
  // the pause ends inside that client's command), and its session must outlive that command.
  void close_soon();
  bool close_pending() const { return close_pending_; }

  // Output: append, then request_flush() (the server flushes once per loop turn).
  std::string& output() { return out_; }
  void request_flush();
  // Called by the server in its check phase. With a limit, only the first `limit` bytes of the
  // pending output go (appendfsync always: the replies produced before the running fsync began).
  void flush(size_t limit = SIZE_MAX);
  // appendfsync always: the output produced so far goes once the fsync starting now completes.
  void mark_durable() { durable_mark_ = out_.size(); }
  size_t durable_mark() const { return durable_mark_; }
  bool has_output() const { return !out_.empty(); }
  size_t pending_output() const { return out_.size() + inflight_.size(); }

  const std::string& peer() const { return peer_; }
  const std::string& local() const { return local_; }
  int fd() const;
  int64_t last_activity_ms() const { return last_activity_ms_; }
  uint64_t kind() const { return kind_; }

  // Frees the read and output buffers if they hold nothing: the server calls it for clients
  // idle a while, so ten thousand mostly idle clients do not keep 16 KB each (Redis's client
  // cron does the same for its query buffers).
  void release_idle_buffers();

  // What this client's buffers hold, as maxmemory-clients counts it (Redis's client memory: query
  // buffer, argument tables, replies waiting to go).
  virtual size_t memory_usage() const {
    return in_.capacity() + out_.capacity() + inflight_.capacity();
  }
  // CLIENT NO-EVICT ON exempts a client from maxmemory-clients.
  virtual bool evictable() const { return true; }

  // Re-run input processing (after a blocked command was served); the server calls it in the
  // check phase, never re-entrantly.
  virtual void resume() {}
  // Idle-timeout policy: blocked clients are exempt, as in Redis.
  virtual bool idle_exempt() const { return false; }
  // The cron's check of output buffer limits: a soft limit runs out with no new output (a
  // subscriber whose channel went quiet). Closes the connection if it is over; true if it did.
  virtual bool enforce_output_limit() { return false; }

 protected:
  // New bytes are in read_buffer(); parse and execute what is complete.
  virtual void on_read() = 0;
  // The connection is closing (before the handle is closed): release engine state.
  virtual void on_close() {}
  // Called once the peer and local addresses are known, before the first read.
  virtual void on_start() {}
  // Bytes the next read should have room for (a large bulk in progress asks for more).
  virtual size_t read_hint() const { return 0; }

  ReadBuffer& read_buffer() { return in_; }
  Server& server() { return server_; }

 private:
  static void alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void write_cb(uv_write_t* req, int status);
  static void close_cb(uv_handle_t* h);

  Server& server_;
  uint64_t kind_;
  // A TCP or a unix-socket stream, initialised by the server as one or the other.
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    uv_stream_t stream;
    uv_handle_t base;
  } handle_;
  bool unix_socket_ = false;
  uv_write_t write_req_;
  ReadBuffer in_;
  std::string out_;
  std::string inflight_;  // bytes handed to uv_write; alive until write_cb
  std::string peer_, local_;
  int64_t last_activity_ms_ = 0;
  bool closing_ = false;
  bool close_pending_ = false;
  bool close_after_flush_ = false;
  bool flush_queued_ = false;
  size_t durable_mark_ = 0;
  bool reading_paused_ = false;
  size_t accounted_memory_ = 0;  // memory_usage() as the server's client total last counted it

  friend class Server;
};

}  // namespace basalt
