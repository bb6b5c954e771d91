// ClientPool: a small thread-safe pool of synchronous Clients for programs whose threads share
// one server.
//
//   basalt::ClientPool pool({.host = "127.0.0.1"}, /*max_size=*/8);
//   pool.with([](basalt::Client& db) { db.incr("hits"); });    // from any thread
//   auto db = pool.acquire();                                  // or hold one for a while
//   db->set("k", "v");
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "basalt/client.hpp"

namespace basalt {

// Thread safety: every member may be called from any thread at once. Each Client it hands out
// is used by one thread at a time (the one holding the Lease). Connections are made lazily, up
// to max_size; a Client whose connection failed is dropped rather than returned to the pool.
class ClientPool {
 public:
  // Exclusive use of one pooled Client until the Lease is destroyed.
  class Lease {
   public:
    // Takes over the Client.
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), client_(std::move(other.client_)) {}
    Lease& operator=(Lease&&) = delete;
    // Returns the Client to the pool (or drops it if its connection failed).
    ~Lease();
    // The leased Client.
    Client& operator*() const { return *client_; }
    Client* operator->() const { return client_.get(); }

   private:
    friend class ClientPool;
    Lease(ClientPool* pool, std::unique_ptr<Client> client)
        : pool_(pool), client_(std::move(client)) {}
    ClientPool* pool_;
    std::unique_ptr<Client> client_;
  };

  // `max_size` connections at most; acquire() waits up to `wait_timeout` for one to be free.
  explicit ClientPool(Options options, size_t max_size = 8,
                      std::chrono::milliseconds wait_timeout = std::chrono::seconds(5));
  // Closes the idle connections. Every Lease must have been destroyed before.
  ~ClientPool();
  ClientPool(const ClientPool&) = delete;
  ClientPool& operator=(const ClientPool&) = delete;

  // An idle Client, a new one if fewer than max_size exist, or the first one returned within
  // wait_timeout. Throws TimeoutError when none frees up in time, ConnectionError when a new
  // connection cannot be made. The pool must outlive its Leases.
  Lease acquire();
  // Runs f(Client&) with a leased Client and returns what it returns.
  template <class F>
  decltype(auto) with(F&& f) {
    Lease lease = acquire();
    return std::forward<F>(f)(*lease);
  }
  // Connections open now (idle and leased).
  size_t size() const;
  // Connections idle in the pool now.
  size_t idle() const;

 private:
  void release(std::unique_ptr<Client> client);

  const Options options_;
  const size_t max_size_;
  const std::chrono::milliseconds wait_timeout_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Client>> idle_;
  size_t open_ = 0;
};

}  // namespace basalt
