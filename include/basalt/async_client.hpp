// AsyncClient: a non-blocking client on a libuv loop, with automatic pipelining: every request
// issued during one turn of the loop leaves in a single write, and replies are matched to
// requests in order.
//
//   basalt::AsyncClient db({.port = 6379});                  // runs its own loop thread
//   std::future<std::optional<std::string>> v = db.get("k"); // typed methods return futures
//   db.command({"INCR", "hits"}, [](basalt::Reply r, std::exception_ptr e) { ... });
//
//   basalt::AsyncClient db(loop, {.port = 6379});            // or on the caller's uv_loop_t
//
// The connection is made in the background; requests issued before it is up wait for it. When
// the connection breaks, every request in flight fails with ConnectionError (it may or may not
// have run) and the client reconnects with capped exponential backoff. Requests issued while it
// is down wait for the next attempt and fail with ConnectionError if that attempt fails too, so no
// request ever waits longer than about one backoff period plus the connect timeout (and none
// longer than Options::command_timeout once sent).
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "basalt/commands.hpp"
#include "basalt/errors.hpp"
#include "basalt/options.hpp"
#include "basalt/reply.hpp"

struct uv_loop_s;
typedef struct uv_loop_s uv_loop_t;  // NOLINT: libuv's own spelling

namespace basalt {

// Reconnection policy of an AsyncClient.
struct AsyncOptions {
  // Delay before the first reconnection attempt; doubled after each failed attempt...
  std::chrono::milliseconds reconnect_min_delay = std::chrono::milliseconds(50);
  // ...up to this cap.
  std::chrono::milliseconds reconnect_max_delay = std::chrono::seconds(2);
  // Called on the loop's thread each time the connection comes up (`up`, empty reason) or goes
  // down (why). Given here, it sees the very first connection too.
  std::function<void(bool up, std::string_view reason)> on_connection_change = nullptr;
};

// Completion of a request made with a callback. Exactly one of the two says what happened:
// `error` is null and `reply` is the server's reply (an error reply is a Reply of type kError,
// not an exception), or `error` holds the ConnectionError / TimeoutError / ProtocolError that
// prevented a reply (`reply` is then nil). Rethrow it with std::rethrow_exception to inspect it.
using ReplyCallback = std::function<void(Reply reply, std::exception_ptr error)>;

namespace detail {
class AsyncCore;
}

// Thread safety: every member may be called from any thread. Requests from the loop's thread are
// queued directly; from other threads they are handed over through a uv_async_t. Callbacks and
// future completions run on the loop's thread; do not block it waiting for a future (that
// deadlocks a client on the caller's loop), and do not destroy the AsyncClient from its own
// callback.
//
// With the caller's loop, construct and destroy the AsyncClient on the loop's thread; after
// destruction, run the loop until its handles have closed (uv_run returns) before closing it.
class AsyncClient : public Commands<AsyncClient, std::future> {
 public:
  // Starts its own loop thread and connects from there.
  explicit AsyncClient(Options options = {}, AsyncOptions async = {});
  // Uses the caller's loop (which must be run by the caller); connecting starts when it runs.
  AsyncClient(uv_loop_t* loop, Options options = {}, AsyncOptions async = {});
  // Fails every pending request with ConnectionError ("client closed"), closes the connection,
  // and with its own loop, stops and joins the thread.
  ~AsyncClient();
  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;

  using Commands::command;
  // Sends any command; `done` runs on the loop's thread with the reply or the failure.
  void command(std::initializer_list<std::string_view> args, ReplyCallback done);
  // Same, with the arguments in a span.
  void command(std::span<const std::string_view> args, ReplyCallback done);

  // Whether the connection is up and its handshake done.
  bool connected() const;
  // Replaces AsyncOptions::on_connection_change (events already past are not replayed).
  void on_connection_change(std::function<void(bool up, std::string_view reason)> callback);
  // The RESP version in use on the current connection (0 before the first connection).
  int protocol() const;

 private:
  friend class Commands<AsyncClient, std::future>;
  template <class T>
  std::future<T> dispatch(detail::Decoder<T> decode, const detail::Args& args,
                          std::chrono::milliseconds blocking) {
    auto promise = std::make_shared<std::promise<T>>();
    std::future<T> future = promise->get_future();
    submit(args.view(), blocking, [promise, decode](Reply reply, std::exception_ptr error) {
      if (error) {
        promise->set_exception(error);
        return;
      }
      try {
        if constexpr (std::is_void_v<T>) {
          decode(std::move(reply));
          promise->set_value();
        } else {
          promise->set_value(decode(std::move(reply)));
        }
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
    });
    return future;
  }
  void submit(std::span<const std::string_view> args, std::chrono::milliseconds blocking,
              ReplyCallback done);

  detail::AsyncCore* core_;  // owned by itself: freed once its libuv handles have closed
};

}  // namespace basalt
