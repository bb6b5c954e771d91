#include "server/server.hpp"

#include <unistd.h>

#include <random>
#include <sstream>

#include "base/log.hpp"
#include "commands/errors.hpp"
#include "server/resp_connection.hpp"

namespace basalt {

namespace {
std::string random_run_id() {
  std::random_device rd;
  std::string id(40, '0');
  static constexpr char kHex[] = "0123456789abcdef";
  for (char& c : id) c = kHex[rd() % 16];
  return id;
}
}  // namespace

Server::Server(Config& config) : config_(config) {
  uv_loop_init(&loop_);
  std::random_device rd;
  uint64_t seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  engine_ = std::make_unique<Engine>(config_, clock_, seed);
  engine_->set_host(this);
  ServerInfo& info = engine_->server_info();
  info.run_id = random_run_id();
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) info.executable.assign(exe, n);
  info.config_file = config_.config_file;
  info.tcp_port = config_.port;
  info.http_port = config_.http_port;
  info.admin_port = config_.admin_port;
  // uv_now() is cheap (cached per loop turn) but monotonic; this offset turns it into wall time.
  clock_offset_ms_ = clock_.now_ms() - static_cast<int64_t>(uv_now(&loop_));
}

Server::~Server() {
  // All handles are closed by the time run() returns; the loop can be torn down.
  engine_.reset();
  uv_loop_close(&loop_);
}

bool Server::listen(const std::string& bind, int port, ListenerKind kind, ConnectionFactory factory,
                    std::string* error) {
  std::istringstream addrs(bind);
  for (std::string addr; addrs >> addr;) {
    bool optional = addr.starts_with("-");  // Redis: "-::1" is skipped if unavailable
    if (optional) addr.erase(0, 1);
    if (addr == "*") addr = "0.0.0.0";
    sockaddr_storage ss;
    int rc = addr.find(':') != std::string::npos
                 ? uv_ip6_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
                 : uv_ip4_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss));
    if (rc != 0) {
      *error = "invalid bind address '" + addr + "'";
      return false;
    }
    auto l = std::make_unique<Listener>();
    l->server = this;
    l->kind = kind;
    l->factory = factory;
    uv_tcp_init(&loop_, &l->handle);
    l->handle.data = l.get();
    rc = uv_tcp_bind(&l->handle, reinterpret_cast<sockaddr*>(&ss), 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&l->handle), 511, on_connection);
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(&l->handle), nullptr);
      listeners_.push_back(std::move(l));  // freed after the loop closed the handle
      if (optional) continue;
      *error = "could not listen on " + addr + ":" + std::to_string(port) + ": " + uv_strerror(rc);
      return false;
    }
    listeners_.push_back(std::move(l));
  }
  return true;
}

bool Server::start(std::string* error) {
  if (config_.port != 0 &&
      !listen(
          config_.bind, static_cast<int>(config_.port), kRespListener,
          [](Server& s) -> StreamConnection* { return new RespConnection(s); }, error)) {
    return false;
  }
  uv_check_init(&loop_, &check_);
  check_.data = this;
  uv_check_start(&check_, on_check);
  uv_timer_init(&loop_, &cron_timer_);
  cron_timer_.data = this;
  arm_cron();
  uv_timer_init(&loop_, &block_timer_);
  block_timer_.data = this;
  uv_timer_init(&loop_, &drain_timer_);
  drain_timer_.data = this;
  uv_signal_init(&loop_, &sigterm_);
  sigterm_.data = this;
  uv_signal_start(&sigterm_, on_signal, SIGTERM);
  uv_signal_init(&loop_, &sigint_);
  sigint_.data = this;
  uv_signal_start(&sigint_, on_signal, SIGINT);
  signal(SIGPIPE, SIG_IGN);
  started_ = true;
  return true;
}

int Server::run() {
  // Front ends are up by now: what is allocated is the baseline INFO's dataset figure leaves out.
  engine_->server_info().used_memory_startup = engine_->memory().used;
  BASALT_LOG(kNotice, "Ready to accept connections tcp (port %lld)",
             static_cast<long long>(config_.port));
  uv_run(&loop_, UV_RUN_DEFAULT);
  // Let close callbacks of the last handles run.
  uv_run(&loop_, UV_RUN_NOWAIT);
  BASALT_LOG(kNotice, "Basalt is now ready to exit, bye bye...");
  return 0;
}

void Server::arm_cron() {
  cron_hz_ = std::max<int64_t>(config_.hz, 1);
  uint64_t period = static_cast<uint64_t>(std::max<int64_t>(1000 / cron_hz_, 1));
  uv_timer_start(&cron_timer_, on_cron, period, period);
}

void Server::on_config_changed() {
  if (config_.hz != cron_hz_) arm_cron();
}

size_t Server::connection_count(ListenerKind kind) const {
  size_t n = 0;
  for (auto* c : connections_) n += c->kind() == kind && !c->closing();
  return n;
}

void Server::on_connection(uv_stream_t* listener, int status) {
  auto* l = static_cast<Listener*>(listener->data);
  Server& s = *l->server;
  if (status < 0) {
    BASALT_LOG(kWarning, "Accepting client connection: %s", uv_strerror(status));
    return;
  }
  StreamConnection* c = l->factory(s);
  uv_tcp_init(&s.loop_, c->handle());
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(c->handle())) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(c->handle()),
             [](uv_handle_t* h) { delete static_cast<StreamConnection*>(h->data); });
    return;
  }
  s.connections_.insert(c);
  uv_tcp_nodelay(c->handle(), 1);
  if (s.config_.tcp_keepalive > 0)
    uv_tcp_keepalive(c->handle(), 1, static_cast<unsigned>(s.config_.tcp_keepalive));
  if (!c->start()) {
    c->close();
    return;
  }
  // maxclients counts client connections of both front ends; the admin port is not limited.
  if (l->kind != kAdminListener &&
      s.connection_count(kRespListener) + s.connection_count(kHttpListener) >
          static_cast<size_t>(s.config_.maxclients)) {
    s.engine_->stats().rejected_connections++;
    if (l->kind == kRespListener) {
      c->output() = "-" + std::string(err::kMaxClients) + "\r\n";
    } else {
      c->output() =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
    c->close_after_flush();
  }
}

void Server::connection_closing(StreamConnection* c) { connections_.erase(c); }

void Server::on_check(uv_check_t* h) {
  Server& s = *static_cast<Server*>(h->data);
  // Clients whose blocked command was served resume their pipelines first, so that their
  // replies go out in this turn's flush too.
  while (!s.resume_queue_.empty()) {
    auto batch = std::move(s.resume_queue_);
    s.resume_queue_.clear();
    for (auto* c : batch) {
      if (s.connections_.count(c) && !c->closing()) c->resume();
    }
  }
  for (size_t i = 0; i < s.flush_queue_.size(); ++i) {
    StreamConnection* c = s.flush_queue_[i];
    if (s.connections_.count(c)) c->flush();
  }
  s.flush_queue_.clear();
  s.arm_block_timer();
  if (s.shutting_down_) s.begin_shutdown();
}

void Server::arm_block_timer() {
  int64_t deadline = engine_->next_block_deadline();
  if (deadline == block_timer_deadline_) return;
  block_timer_deadline_ = deadline;
  if (deadline == 0) {
    uv_timer_stop(&block_timer_);
    return;
  }
  int64_t wait = std::max<int64_t>(deadline - clock_.now_ms(), 0);
  uv_timer_start(&block_timer_, on_block_timer, static_cast<uint64_t>(wait), 0);
}

void Server::on_block_timer(uv_timer_t* t) {
  Server& s = *static_cast<Server*>(t->data);
  s.block_timer_deadline_ = 0;
  s.engine_->expire_blocked_clients();
  // Timers run before the check phase: replies queued here are flushed in this turn.
}

void Server::on_cron(uv_timer_t* t) {
  Server& s = *static_cast<Server*>(t->data);
  s.engine_->cron();
  s.close_idle_clients();
}

void Server::close_idle_clients() {
  if (config_.timeout <= 0) return;
  int64_t now = now_ms();
  std::vector<StreamConnection*> idle;
  for (auto* c : connections_) {
    if (c->kind() == kAdminListener || c->idle_exempt()) continue;
    if (now - c->last_activity_ms() > config_.timeout * 1000) idle.push_back(c);
  }
  for (auto* c : idle) {
    BASALT_LOG(kVerbose, "Closing idle client %s", c->peer().c_str());
    c->close();
  }
}

void Server::on_signal(uv_signal_t* sig, int signum) {
  Server& s = *static_cast<Server*>(sig->data);
  BASALT_LOG(kWarning, "Received %s, scheduling shutdown...",
             signum == SIGTERM ? "SIGTERM" : "SIGINT");
  // A second signal during the drain means now.
  if (s.config_.shutdown_delay_ms > 0 && !s.draining_) {
    s.draining_ = true;
    BASALT_LOG(kWarning, "Serving for %lld ms more while /readyz answers 503 (shutdown-delay-ms)",
               static_cast<long long>(s.config_.shutdown_delay_ms));
    uv_timer_start(&s.drain_timer_, on_drain_timer,
                   static_cast<uint64_t>(s.config_.shutdown_delay_ms), 0);
    return;
  }
  s.request_shutdown();
}

void Server::on_drain_timer(uv_timer_t* t) { static_cast<Server*>(t->data)->request_shutdown(); }

void Server::request_shutdown() {
  // Finish this loop turn (replies already produced are flushed), then close everything.
  shutting_down_ = true;
}

void Server::begin_shutdown() {
  if (shutdown_started_) return;
  shutdown_started_ = true;
  BASALT_LOG(kWarning, "User requested shutdown...");
  std::vector<StreamConnection*> all(connections_.begin(), connections_.end());
  for (auto* c : all) c->close();
  for (auto& l : listeners_) {
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&l->handle)))
      uv_close(reinterpret_cast<uv_handle_t*>(&l->handle), nullptr);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&cron_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&block_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&drain_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
  for (auto& hook : shutdown_hooks_) hook();
  // Anything a front end left open is closed by walking the loop, so uv_run returns.
  uv_walk(
      &loop_,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
}

}  // namespace basalt
