// AsyncClient on libuv, the way hiredis's async.c with its libuv adapter works, plus automatic
// pipelining: requests are encoded into one output buffer as they are issued, and a uv_prepare_t
// writes the buffer once per loop turn, just before the loop polls.
//
// Liveness: every handle is unreferenced except the prepare handle, which runs while requests
// are pending, so a caller's uv_run(loop, UV_RUN_DEFAULT) returns once nothing is outstanding.
// With its own thread, the uv_async_t stays referenced and keeps that loop running.
#include "basalt/async_client.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <uv.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "handshake.hpp"
#include "protocol/reply_reader.hpp"
#include "protocol/writer.hpp"

namespace basalt {
namespace detail {
namespace {

using Ms = std::chrono::milliseconds;
constexpr size_t kReadSize = 64 * 1024;

std::string Where(const Options& o) {
  if (!o.unix_socket.empty()) return "unix:" + o.unix_socket;
  return o.host + ":" + std::to_string(o.port);
}

// A write in flight: the bytes stay alive until the callback.
struct WriteReq {
  uv_write_t req;
  std::string data;
};

// One connection attempt's stream. Freed in its close callback.
struct Stream {
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle;
  uv_connect_t connect;
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&handle); }
  uv_handle_t* as_handle() { return reinterpret_cast<uv_handle_t*>(&handle); }
};

}  // namespace

class AsyncCore {
 public:
  AsyncCore(uv_loop_t* loop, bool own_thread, Options options, AsyncOptions async)
      : loop_(loop),
        own_thread_(own_thread),
        options_(std::move(options)),
        async_opts_(async),
        connection_cb_(async.on_connection_change) {
    read_buf_.reset(new char[kReadSize]);
    uv_async_init(loop_, &async_, [](uv_async_t* h) { Self(h)->on_async(); });
    uv_prepare_init(loop_, &prepare_);
    uv_idle_init(loop_, &spin_);
    uv_timer_init(loop_, &retry_timer_);
    uv_timer_init(loop_, &timeout_timer_);
    for (uv_handle_t* h : handles()) h->data = this;
    if (!own_thread_) uv_unref(reinterpret_cast<uv_handle_t*>(&async_));
    uv_unref(reinterpret_cast<uv_handle_t*>(&spin_));
    uv_unref(reinterpret_cast<uv_handle_t*>(&retry_timer_));
    uv_unref(reinterpret_cast<uv_handle_t*>(&timeout_timer_));
  }

  // ---- any thread ----

  void submit(std::span<const std::string_view> args, Ms blocking, ReplyCallback done) {
    if (on_loop_thread()) {
      if (closing_) return Fail(done, "basalt: the AsyncClient is closed");
      resp::append_command(out_, args);
      queued_.push_back(Pending{std::move(done), blocking, {}});
      request_flush();
      return;
    }
    {
      std::lock_guard lock(mu_);
      if (!closing_requested_) {
        resp::append_command(incoming_out_, args);
        incoming_.push_back(Pending{std::move(done), blocking, {}});
        done = nullptr;
      }
    }
    if (done) return Fail(done, "basalt: the AsyncClient is closed");
    uv_async_send(&async_);
  }

  bool on_loop_thread() const { return loop_thread_.load() == std::this_thread::get_id(); }

  void set_connection_callback(std::function<void(bool, std::string_view)> cb) {
    std::lock_guard lock(mu_);
    connection_cb_ = std::move(cb);
  }

  std::atomic<bool> connected_{false};
  std::atomic<int> protocol_{0};

  // ---- lifetime ----

  // Caller's loop: called on the loop thread, in the constructor.
  void start_on_loop_thread() {
    loop_thread_ = std::this_thread::get_id();
    connect();
  }
  // Own loop: the thread body.
  void run_thread() {
    loop_thread_ = std::this_thread::get_id();
    connect();
    uv_run(loop_, UV_RUN_DEFAULT);
  }
  // From the facade's destructor. Caller's loop: closes everything now, and the core deletes
  // itself once libuv is done with its handles. Own loop: asks the loop thread to do that; the
  // loop then ends and the facade joins the thread.
  void shutdown() {
    if (own_thread_) {
      {
        std::lock_guard lock(mu_);
        closing_requested_ = true;
      }
      uv_async_send(&async_);
      thread_.join();
      uv_loop_close(loop_);
      delete loop_;
      delete this;
      return;
    }
    close_all();
  }

  std::thread thread_;

 private:
  struct Pending {
    ReplyCallback done;
    Ms blocking;
    uint64_t deadline_ms;  // on the loop's clock (uv_now), set when written
  };
  enum class State { kWaiting, kConnecting, kHandshake, kReady, kClosed };

  // The core from a handle's or a request's data field.
  template <class H>
  static AsyncCore* Self(H* h) {
    return static_cast<AsyncCore*>(h->data);
  }
  static void Fail(const ReplyCallback& done, std::string text) {
    if (done) done(Reply(), std::make_exception_ptr(ConnectionError(std::move(text))));
  }
  std::vector<uv_handle_t*> handles() {
    return {reinterpret_cast<uv_handle_t*>(&async_), reinterpret_cast<uv_handle_t*>(&prepare_),
            reinterpret_cast<uv_handle_t*>(&spin_), reinterpret_cast<uv_handle_t*>(&retry_timer_),
            reinterpret_cast<uv_handle_t*>(&timeout_timer_)};
  }
  size_t pending() const { return queued_.size() + inflight_.size(); }

  // Keeps the loop alive and writes at the end of this turn.
  void request_flush() {
    if (!prepare_active_) {
      prepare_active_ = true;
      uv_prepare_start(&prepare_, [](uv_prepare_t* h) { Self(h)->on_prepare(); });
    }
  }

  void on_prepare() {
    if (state_ == State::kReady && !out_.empty()) flush();
    if (pending() == 0 || closing_) {
      prepare_active_ = false;
      uv_prepare_stop(&prepare_);
    }
  }

  // Options::busy_poll. An active idle handle makes the loop poll with a zero timeout, so the
  // loop spins instead of sleeping until the replies are in or the budget since the last write
  // is spent. The handle is unreferenced: spinning never keeps a caller's uv_run going.
  void start_spin() {
    if (closing_) return;  // a callback run by a failed write closed the client: handles closing
    spin_until_ns_ = uv_hrtime() + static_cast<uint64_t>(spin_budget_ns_);
    if (!spinning_) {
      spinning_ = true;
      uv_idle_start(&spin_, [](uv_idle_t* h) { Self(h)->on_spin(); });
    }
  }

  void on_spin() {
    if (inflight_.empty() || uv_hrtime() >= spin_until_ns_) {
      spinning_ = false;
      uv_idle_stop(&spin_);
    }
  }

  void on_async() {
    std::string bytes;
    std::deque<Pending> incoming;
    bool close = false;
    {
      std::lock_guard lock(mu_);
      bytes.swap(incoming_out_);
      incoming.swap(incoming_);
      close = closing_requested_;
    }
    if (!incoming.empty()) {
      out_.append(bytes);
      for (Pending& p : incoming) queued_.push_back(std::move(p));
      request_flush();
    }
    if (close) close_all();
  }

  // ---- connecting ----

  void connect() {
    if (closing_) return;
    state_ = State::kConnecting;
    stream_ = new Stream();
    stream_->as_handle()->data = this;
    stream_->connect.data = this;
    int rc = 0;
    if (!options_.unix_socket.empty()) {
      uv_pipe_init(loop_, &stream_->handle.pipe, 0);
      stream_->as_handle()->data = this;
      uv_pipe_connect(&stream_->connect, &stream_->handle.pipe, options_.unix_socket.c_str(),
                      [](uv_connect_t* req, int status) { Self(req)->on_connect(req, status); });
    } else {
      uv_tcp_init(loop_, &stream_->handle.tcp);
      stream_->as_handle()->data = this;
      sockaddr_storage addr{};
      std::string error;
      if (!resolve(&addr, &error)) {
        rc = -1;
        uv_unref(stream_->as_handle());
        close_stream();
        attempt_failed(error);
        return;
      }
      rc = uv_tcp_connect(
          &stream_->connect, &stream_->handle.tcp, reinterpret_cast<const sockaddr*>(&addr),
          [](uv_connect_t* req, int status) { Self(req)->on_connect(req, status); });
    }
    uv_unref(stream_->as_handle());
    if (rc != 0) {
      close_stream();
      attempt_failed("basalt: cannot connect to " + Where(options_) + ": " + uv_strerror(rc));
      return;
    }
    if (options_.connect_timeout > Ms::zero()) {
      uv_timer_start(
          &timeout_timer_, [](uv_timer_t* h) { Self(h)->on_connect_timeout(); },
          static_cast<uint64_t>(options_.connect_timeout.count()), 0);
    }
  }

  // Numeric addresses directly; names through getaddrinfo, which blocks the loop for the
  // lookup (give an IP address to avoid that).
  bool resolve(sockaddr_storage* addr, std::string* error) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(addr);
    if (uv_ip4_addr(options_.host.c_str(), options_.port, v4) == 0) return true;
    if (uv_ip6_addr(options_.host.c_str(), options_.port, v6) == 0) return true;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(options_.port);
    const int gai = getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &res);
    if (gai != 0 || res == nullptr) {
      *error = "basalt: cannot resolve host \"" + options_.host + "\": " + gai_strerror(gai) +
               " (check Options::host)";
      return false;
    }
    std::memcpy(addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return true;
  }

  void on_connect_timeout() {
    if (state_ != State::kConnecting && state_ != State::kHandshake) return;
    close_stream();
    attempt_failed("basalt: connecting to " + Where(options_) + " timed out after " +
                       std::to_string(options_.connect_timeout.count()) +
                       " ms (is the server up? see Options::connect_timeout)",
                   true);
  }

  void on_connect(uv_connect_t* req, int status) {
    if (stream_ == nullptr || req != &stream_->connect) return;  // a closed attempt
    if (status != 0) {
      close_stream();
      attempt_failed("basalt: cannot connect to " + Where(options_) + ": " + uv_strerror(status) +
                     " (is the server running there?)");
      return;
    }
    if (options_.unix_socket.empty()) {
      if (options_.tcp_nodelay) uv_tcp_nodelay(&stream_->handle.tcp, 1);
      if (options_.keepalive.count() > 0) {
        uv_tcp_keepalive(&stream_->handle.tcp, 1,
                         static_cast<unsigned>(options_.keepalive.count()));
      }
    }
    uv_read_start(
        stream_->stream(),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          *buf = uv_buf_init(Self(h)->read_buf_.get(), kReadSize);
        },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t*) { Self(s)->on_read(s, nread); });
    state_ = State::kHandshake;
    handshake_.emplace(options_);
    handshake_replies_.clear();
    if (handshake_->done()) {
      ready();
    } else {
      write(handshake_->out());
    }
  }

  void ready() {
    uv_timer_stop(&timeout_timer_);
    state_ = State::kReady;
    protocol_ = handshake_->protocol();
    handshake_.reset();
    attempt_ = 0;
    connected_ = true;
    if (options_.command_timeout > Ms::zero()) {
      const auto period = std::clamp<int64_t>(options_.command_timeout.count() / 10, 5, 1000);
      uv_timer_start(
          &timeout_timer_, [](uv_timer_t* h) { Self(h)->on_timeout_check(); },
          static_cast<uint64_t>(period), static_cast<uint64_t>(period));
    }
    notify(true, {});
    if (!out_.empty()) request_flush();
  }

  // ---- I/O ----

  void flush() {
    // The loop's millisecond clock, which libuv set at the start of this turn, after the last
    // poll's callbacks had run. Reading the clock again here cost a clock_gettime per flush
    // (libuv reads CLOCK_MONOTONIC where the coarse clock ticks slower than 1 ms, as on this
    // VM). Only this turn's timer and idle callbacks run between the two, so a timeout can fire
    // early by no more than they blocked the loop.
    const uint64_t now = uv_now(loop_);
    for (Pending& p : queued_) {
      if (options_.command_timeout <= Ms::zero() || p.blocking == Ms::max()) {
        p.deadline_ms = UINT64_MAX;
      } else {
        p.deadline_ms =
            now + static_cast<uint64_t>((options_.command_timeout + p.blocking).count());
      }
      inflight_.push_back(std::move(p));
    }
    queued_.clear();
    std::string bytes;
    bytes.swap(out_);
    write(bytes);
    if (spin_budget_ns_ > 0) start_spin();
    // Keep the buffer's capacity for the next turn, unless a callback run by a failed write has
    // already queued more, or it grew large.
    if (out_.empty() && bytes.capacity() <= (1u << 20)) {
      bytes.clear();
      out_.swap(bytes);
    }
  }

  // uv_try_write, and uv_write for whatever the socket did not take at once.
  void write(std::string_view data) {
    size_t done = 0;
    uv_buf_t buf = uv_buf_init(const_cast<char*>(data.data()), static_cast<unsigned>(data.size()));
    const int n = uv_try_write(stream_->stream(), &buf, 1);
    if (n > 0) done = static_cast<size_t>(n);
    if (n < 0 && n != UV_EAGAIN) {
      connection_lost(std::string("write failed: ") + uv_strerror(n), false);
      return;
    }
    if (done == data.size()) return;
    auto* req = new WriteReq();
    req->data.assign(data.substr(done));
    req->req.data = this;
    buf = uv_buf_init(req->data.data(), static_cast<unsigned>(req->data.size()));
    const int rc = uv_write(&req->req, stream_->stream(), &buf, 1, [](uv_write_t* w, int status) {
      auto* r = reinterpret_cast<WriteReq*>(w);
      AsyncCore* self = Self(w);
      const uv_stream_t* s = w->handle;
      delete r;
      if (status < 0 && status != UV_ECANCELED && self->stream_ != nullptr &&
          s == self->stream_->stream()) {
        self->connection_lost(std::string("write failed: ") + uv_strerror(status), false);
      }
    });
    if (rc != 0) {
      delete req;
      connection_lost(std::string("write failed: ") + uv_strerror(rc), false);
    }
  }

  void on_read(uv_stream_t* s, ssize_t nread) {
    if (stream_ == nullptr || s != stream_->stream()) return;
    if (nread == 0) return;
    if (nread < 0) {
      connection_lost(nread == UV_EOF
                          ? std::string("closed by the server")
                          : std::string("read failed: ") + uv_strerror(static_cast<int>(nread)),
                      false);
      return;
    }
    reader_.feed(std::string_view(read_buf_.get(), static_cast<size_t>(nread)));
    const Stream* current = stream_;
    Reply reply;
    while (stream_ == current && !closing_) {
      if (!reader_.next(reply)) {
        if (reader_.has_error()) {
          connection_lost("invalid RESP from the server: " + std::string(reader_.error()), false,
                          true);
        }
        return;
      }
      if (state_ == State::kHandshake) {
        if (reply.type() == Reply::Type::kPush) continue;
        handshake_replies_.push_back(std::move(reply));
        if (handshake_replies_.size() < handshake_->replies()) continue;
        try {
          handshake_->on_replies(handshake_replies_);
        } catch (const Error& e) {
          close_stream();
          attempt_failed(e.what());
          return;
        }
        handshake_replies_.clear();
        if (handshake_->done()) {
          ready();
        } else {
          write(handshake_->out());
        }
        continue;
      }
      if (reply.type() == Reply::Type::kPush) continue;  // out-of-band RESP3 message
      if (inflight_.empty()) {
        connection_lost("a reply nobody asked for: " + reply.to_string(), false, true);
        return;
      }
      ReplyCallback done = std::move(inflight_.front().done);
      inflight_.pop_front();
      if (done) done(std::move(reply), nullptr);
    }
  }

  void on_timeout_check() {
    if (state_ != State::kReady || inflight_.empty()) return;
    if (uv_now(loop_) < inflight_.front().deadline_ms) return;
    connection_lost("no reply within " + std::to_string(options_.command_timeout.count()) +
                        " ms (raise Options::command_timeout if the server is just slow)",
                    true);
  }

  // ---- failure and recovery ----

  void close_stream() {
    if (stream_ == nullptr) return;
    Stream* s = stream_;
    stream_ = nullptr;
    ++closing_handles_;
    uv_close(s->as_handle(), [](uv_handle_t* h) {
      AsyncCore* self = Self(h);
      delete reinterpret_cast<Stream*>(h);
      self->handle_closed();
    });
  }

  // A connection that was up (or in its handshake) broke: fail what was in flight.
  void connection_lost(const std::string& reason, bool timeout, bool protocol = false) {
    if (state_ == State::kConnecting || state_ == State::kHandshake) {
      close_stream();
      attempt_failed("basalt: connection to " + Where(options_) + " failed: " + reason, timeout);
      return;
    }
    if (state_ != State::kReady) return;
    close_stream();
    uv_timer_stop(&timeout_timer_);
    reader_.reset();
    state_ = State::kWaiting;
    connected_ = false;
    const std::string text = "basalt: connection to " + Where(options_) + " lost (" + reason +
                             "); the request may or may not have run, the client is reconnecting";
    std::exception_ptr error = timeout    ? std::make_exception_ptr(TimeoutError(text))
                               : protocol ? std::make_exception_ptr(ProtocolError(text))
                                          : std::make_exception_ptr(ConnectionError(text));
    std::deque<Pending> failed;
    failed.swap(inflight_);
    attempt_ = 0;
    schedule_retry();
    notify(false, text);
    for (Pending& p : failed) {
      if (p.done) p.done(Reply(), error);
    }
  }

  // A connection attempt failed: fail the requests waiting for it, try again later.
  void attempt_failed(const std::string& reason, bool timeout = false) {
    uv_timer_stop(&timeout_timer_);
    reader_.reset();
    handshake_.reset();
    state_ = State::kWaiting;
    connected_ = false;
    std::deque<Pending> failed;
    failed.swap(queued_);
    out_.clear();
    schedule_retry();
    notify(false, reason);
    std::exception_ptr error = timeout ? std::make_exception_ptr(TimeoutError(reason))
                                       : std::make_exception_ptr(ConnectionError(reason));
    for (Pending& p : failed) {
      if (p.done) p.done(Reply(), error);
    }
  }

  void schedule_retry() {
    if (closing_) return;
    const int64_t min = std::max<int64_t>(1, async_opts_.reconnect_min_delay.count());
    const int64_t max = std::max<int64_t>(min, async_opts_.reconnect_max_delay.count());
    int64_t delay = min;
    for (int i = 0; i < attempt_ && delay < max; ++i) delay *= 2;
    delay = std::min(delay, max);
    ++attempt_;
    uv_timer_start(
        &retry_timer_, [](uv_timer_t* h) { Self(h)->connect(); }, static_cast<uint64_t>(delay), 0);
  }

  void notify(bool up, const std::string& reason) {
    std::function<void(bool, std::string_view)> cb;
    {
      std::lock_guard lock(mu_);
      cb = connection_cb_;
    }
    if (cb) cb(up, reason);
  }

  // Fails everything, closes every handle. Caller's loop: the last close callback deletes us.
  void close_all() {
    if (closing_) return;
    closing_ = true;
    {
      std::lock_guard lock(mu_);
      closing_requested_ = true;
    }
    connected_ = false;
    state_ = State::kClosed;
    close_stream();
    std::deque<Pending> failed;
    failed.swap(inflight_);
    for (Pending& p : queued_) failed.push_back(std::move(p));
    queued_.clear();
    {
      std::lock_guard lock(mu_);
      for (Pending& p : incoming_) failed.push_back(std::move(p));
      incoming_.clear();
    }
    for (Pending& p : failed) Fail(p.done, "basalt: the AsyncClient was closed");
    for (uv_handle_t* h : handles()) {
      ++closing_handles_;
      uv_close(h, [](uv_handle_t* handle) { Self(handle)->handle_closed(); });
    }
  }

  void handle_closed() {
    if (--closing_handles_ == 0 && closing_ && !own_thread_) delete this;
  }

  uv_loop_t* loop_;
  const bool own_thread_;
  const Options options_;
  const AsyncOptions async_opts_;
  std::atomic<std::thread::id> loop_thread_{};

  uv_async_t async_;
  uv_prepare_t prepare_;
  uv_idle_t spin_;
  uv_timer_t retry_timer_;
  uv_timer_t timeout_timer_;  // connect timeout, then the periodic command-timeout check
  bool prepare_active_ = false;
  const int64_t spin_budget_ns_ =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.busy_poll).count();
  uint64_t spin_until_ns_ = 0;
  bool spinning_ = false;
  Stream* stream_ = nullptr;
  int closing_handles_ = 0;
  bool closing_ = false;

  State state_ = State::kWaiting;
  int attempt_ = 0;
  std::optional<Handshake> handshake_;
  std::vector<Reply> handshake_replies_;
  resp::ReplyReader reader_;
  std::unique_ptr<char[]> read_buf_;
  std::string out_;  // encoded requests of queued_, not yet written
  std::deque<Pending> queued_;
  std::deque<Pending> inflight_;

  std::mutex mu_;  // guards the members below, shared with other threads
  std::string incoming_out_;
  std::deque<Pending> incoming_;
  bool closing_requested_ = false;
  std::function<void(bool, std::string_view)> connection_cb_;
};

}  // namespace detail

AsyncClient::AsyncClient(Options options, AsyncOptions async) {
  auto* loop = new uv_loop_t;
  uv_loop_init(loop);
  core_ = new detail::AsyncCore(loop, true, std::move(options), async);
  core_->thread_ = std::thread([core = core_] { core->run_thread(); });
}

AsyncClient::AsyncClient(uv_loop_t* loop, Options options, AsyncOptions async) {
  core_ = new detail::AsyncCore(loop, false, std::move(options), async);
  core_->start_on_loop_thread();
}

AsyncClient::~AsyncClient() { core_->shutdown(); }

void AsyncClient::submit(std::span<const std::string_view> args, std::chrono::milliseconds blocking,
                         ReplyCallback done) {
  core_->submit(args, blocking, std::move(done));
}

void AsyncClient::command(std::initializer_list<std::string_view> args, ReplyCallback done) {
  core_->submit(std::span<const std::string_view>(args.begin(), args.size()),
                std::chrono::milliseconds::zero(), std::move(done));
}

void AsyncClient::command(std::span<const std::string_view> args, ReplyCallback done) {
  core_->submit(args, std::chrono::milliseconds::zero(), std::move(done));
}

bool AsyncClient::connected() const { return core_->connected_; }

void AsyncClient::on_connection_change(
    std::function<void(bool up, std::string_view reason)> callback) {
  core_->set_connection_callback(std::move(callback));
}

int AsyncClient::protocol() const { return core_->protocol_; }

}  // namespace basalt
