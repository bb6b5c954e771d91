// The synchronous Basalt client: one connection, one request at a time, or many at once with a
// Pipeline (one write, replies read in order) or a Transaction (MULTI/EXEC, with WATCH).
//
//   #include <basalt/client.hpp>
//   basalt::Client db({.host = "127.0.0.1", .port = 6379});
//   db.set("session:42", "alice", {.ttl = std::chrono::seconds(60)});
//   std::optional<std::string> v = db.get("session:42");
//   auto p = db.pipeline();
//   p.incr("hits").get("session:42");
//   std::vector<basalt::Reply> replies = p.execute();
//
// It speaks RESP3 when the server accepts HELLO 3 and RESP2 otherwise, so it works with Basalt
// and with Redis. Requests are encoded by the project's one RESP implementation (protocol/).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/commands.hpp"
#include "basalt/errors.hpp"
#include "basalt/options.hpp"
#include "basalt/reply.hpp"

namespace basalt {

class Client;
class Pipeline;
class Transaction;

namespace detail {
class Connection;
template <class T>
using Same = T;
template <class T>
using PipelineRef = Pipeline&;
template <class T>
using TransactionRef = Transaction&;

// Commands queued for one write: the encoded bytes and how many replies they will produce.
struct Batch {
  std::string out;
  size_t count = 0;
  std::chrono::milliseconds blocking{0};  // the longest blocking timeout among the commands
  void add(const Args& args, std::chrono::milliseconds blocking_timeout);
  void clear() {
    out.clear();
    count = 0;
    blocking = std::chrono::milliseconds(0);
  }
};
}  // namespace detail

// SCAN as an input range: for (const std::string& key : db.scan("user:*")) {...}. Each step
// past the end of a batch sends one SCAN. As with SCAN itself, a key may be returned more than
// once, and keys added or removed during the iteration may or may not be seen. The range and
// its iterators must not outlive the Client; other commands on the Client between steps are fine.
class ScanRange {
 public:
  // Input iterator over the keys.
  class iterator {
   public:
    using value_type = std::string;
    using difference_type = std::ptrdiff_t;
    using reference = const std::string&;
    using pointer = const std::string*;
    using iterator_category = std::input_iterator_tag;

    // The end iterator.
    iterator() = default;
    // The current key (valid until the iterator advances).
    reference operator*() const;
    pointer operator->() const { return &**this; }
    // Advances, fetching the next batch from the server when this one is used up.
    iterator& operator++();
    void operator++(int) { ++*this; }
    // Whether the iteration is over (the cursor came back to 0 and the last batch is used up).
    friend bool operator==(const iterator& it, std::default_sentinel_t) {
      return it.range_ == nullptr;
    }

   private:
    friend class ScanRange;
    explicit iterator(ScanRange* range) : range_(range) {}
    ScanRange* range_ = nullptr;
  };

  // Sends the first SCAN (again from cursor 0 if called again).
  iterator begin();
  // The sentinel the iterator compares equal to at the end.
  std::default_sentinel_t end() const { return {}; }

 private:
  friend class Client;
  ScanRange(Client* client, std::string pattern, std::string count, std::string type);
  // Fetches batches until one is non-empty or the cursor returns to 0; false at the end.
  bool fetch();

  Client* client_;
  std::string pattern_;
  std::string count_;
  std::string type_;
  std::string cursor_ = "0";
  bool started_ = false;
  std::vector<std::string> batch_;
  size_t index_ = 0;
};

// A synchronous connection to a Basalt or Redis server.
//
// Thread safety: a Client is not thread safe. Use one per thread, or share a ClientPool
// (basalt/pool.hpp). Moving a Client is allowed; a moved-from Client must not be used.
//
// Errors: an error reply throws ServerError and leaves the connection usable. ConnectionError,
// TimeoutError and ProtocolError close the connection; the next command connects again.
class Client : public Commands<Client, detail::Same> {
 public:
  using Ms = std::chrono::milliseconds;

  // Connects, negotiates RESP3 (falling back to RESP2), authenticates, selects the database and
  // sets the client name. Throws ConnectionError (server unreachable, authentication refused),
  // TimeoutError.
  explicit Client(Options options = {});
  // Closes the connection.
  ~Client();
  // Moves the connection along; the moved-from Client must not be used afterwards.
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // A pipeline on this connection: queue commands, then execute() sends them in one write.
  Pipeline pipeline();
  // Starts a transaction: WATCHes `watch` now (if any), so that values read afterwards through
  // this Client can decide what the transaction queues; execute() sends MULTI, the queued
  // commands and EXEC in one write.
  Transaction transaction(std::initializer_list<std::string_view> watch = {});
  // Runs `body` to fill a transaction after WATCHing `watch`, then executes it. Returns the
  // replies of the queued commands, or nullopt if a watched key changed (EXEC aborted; call it
  // again to retry). Inside `body`, reads through this Client see the watched state.
  std::optional<std::vector<Reply>> transaction(const std::function<void(Transaction&)>& body,
                                                std::initializer_list<std::string_view> watch = {});
  // Iterates the keys matching `pattern` with SCAN; `count` is the COUNT hint (0: the server's
  // default), `type` an optional TYPE filter ("string", "list").
  ScanRange scan(std::string_view pattern = "*", size_t count = 0, std::string_view type = {});

  // Whether the connection is open (it may still have been closed by the server unnoticed).
  bool connected() const;
  // Closes the connection; the next command reconnects.
  void close();
  // Closes and connects again now.
  void reconnect();
  // The RESP version in use: 3, or 2 after a fallback (or Options::protocol = 2).
  int protocol() const;
  // The options it was created with.
  const Options& options() const { return options_; }

 private:
  friend class Commands<Client, detail::Same>;
  friend class Pipeline;
  friend class Transaction;
  friend class ScanRange;

  template <class T>
  T dispatch(detail::Decoder<T> decode, const detail::Args& args, Ms blocking) {
    return decode(roundtrip(args.view(), blocking));
  }
  // Sends one command and reads its reply (push messages skipped).
  Reply roundtrip(std::span<const std::string_view> args, Ms blocking);
  // Sends a batch in one write and reads its replies in order.
  std::vector<Reply> run_batch(const detail::Batch& batch);
  detail::Connection& connection();

  Options options_;
  std::unique_ptr<detail::Connection> conn_;
  std::string out_;
};

// Commands queued on a Client and sent together. Every typed method of Client is available and
// returns the Pipeline for chaining; the values come back as Replies from execute():
//   auto replies = db.pipeline().set("a", "1").incr("a").get("a").execute();
// Not thread safe; must not outlive its Client.
class Pipeline : public Commands<Pipeline, detail::PipelineRef> {
 public:
  // Sends every queued command in one write and reads their replies, in order. An error reply
  // is returned as a Reply of type kError (is_error()), not thrown, so one failing command does
  // not lose the others' replies. The pipeline is empty afterwards and can be reused. Throws
  // ConnectionError / TimeoutError if the connection fails (the commands may or may not have
  // run).
  std::vector<Reply> execute();
  // How many commands are queued.
  size_t size() const { return batch_.count; }
  // Drops the queued commands.
  void clear() { batch_.clear(); }

 private:
  friend class Client;
  friend class Commands<Pipeline, detail::PipelineRef>;
  explicit Pipeline(Client* client) : client_(client) {}
  template <class T>
  Pipeline& dispatch(detail::Decoder<T>, const detail::Args& args, std::chrono::milliseconds b) {
    batch_.add(args, b);
    return *this;
  }

  Client* client_;
  detail::Batch batch_;
};

// A MULTI/EXEC transaction being filled (see Client::transaction). Typed methods queue commands
// and return the Transaction; nothing is sent before execute(). Not thread safe; must not outlive
// its Client. Destroying it unexecuted sends UNWATCH if keys were watched.
class Transaction : public Commands<Transaction, detail::TransactionRef> {
 public:
  // UNWATCHes if keys were watched and execute() was not called.
  ~Transaction();
  // Takes over the queued commands and the watch.
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) = delete;

  // Sends MULTI, the queued commands and EXEC in one write. Returns the replies of the queued
  // commands (errors raised while executing them are Replies of type kError), or nullopt if EXEC
  // was aborted because a watched key changed. Throws ServerError if the server refused to queue
  // a command (EXECABORT; the transaction did not run). Watches end either way.
  std::optional<std::vector<Reply>> execute();
  // Drops the queued commands and unwatches.
  void discard();
  // How many commands are queued.
  size_t size() const { return batch_.count; }

 private:
  friend class Client;
  friend class Commands<Transaction, detail::TransactionRef>;
  Transaction(Client* client, bool watching) : client_(client), watching_(watching) {}
  template <class T>
  Transaction& dispatch(detail::Decoder<T>, const detail::Args& args, std::chrono::milliseconds b) {
    batch_.add(args, b);
    return *this;
  }

  Client* client_;
  bool watching_;
  detail::Batch batch_;
};

}  // namespace basalt
