#include "basalt/pool.hpp"

namespace basalt {

ClientPool::ClientPool(Options options, size_t max_size, std::chrono::milliseconds wait_timeout)
    : options_(std::move(options)),
      max_size_(max_size == 0 ? 1 : max_size),
      wait_timeout_(wait_timeout) {}

ClientPool::~ClientPool() = default;

ClientPool::Lease ClientPool::acquire() {
  std::unique_lock lock(mu_);
  const bool ready =
      cv_.wait_for(lock, wait_timeout_, [&] { return !idle_.empty() || open_ < max_size_; });
  if (!ready) {
    throw TimeoutError("basalt: all " + std::to_string(max_size_) +
                       " pooled connections stayed busy for " +
                       std::to_string(wait_timeout_.count()) +
                       " ms (raise the pool's max_size or release Leases sooner)");
  }
  if (!idle_.empty()) {
    std::unique_ptr<Client> client = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(client));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(this, std::make_unique<Client>(options_));
  } catch (...) {
    lock.lock();
    --open_;
    cv_.notify_one();
    throw;
  }
}

void ClientPool::release(std::unique_ptr<Client> client) {
  {
    std::lock_guard lock(mu_);
    if (client->connected()) {
      idle_.push_back(std::move(client));
    } else {
      --open_;
    }
  }
  cv_.notify_one();
}

ClientPool::Lease::~Lease() {
  if (pool_ != nullptr && client_ != nullptr) pool_->release(std::move(client_));
}

size_t ClientPool::size() const {
  std::lock_guard lock(mu_);
  return open_;
}

size_t ClientPool::idle() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

}  // namespace basalt
