#include "server/server.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <random>
#include <sstream>

#include "base/allocator.hpp"
#include "base/crash_report.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "commands/error_texts.hpp"
#include "server/proc_title.hpp"
#include "server/resp_connection.hpp"

namespace basalt {

namespace {
// Descriptors kept for everything but clients: listeners, the loop's own, the log (Redis's
// CONFIG_MIN_RESERVED_FDS).
constexpr uint64_t kReservedFds = 32;
// Every descriptor the server keeps for other things than maxclients' clients.
constexpr uint64_t kFdsBesideClients = kReservedFds + kMaxAdminConnections;
// How often the cron looks for idle clients' buffers to free, and how long idle they must be.
constexpr int64_t kIdleBufferAgeMs = 2000;

// Written by the signal handler, read by the loop: plain lock-free atomics are
// async-signal-safe.
std::atomic<int> g_signals_received{0};
std::atomic<int> g_last_signal{0};
std::atomic<uv_async_t*> g_signal_async{nullptr};
static_assert(std::atomic<int>::is_always_lock_free &&
              std::atomic<uv_async_t*>::is_always_lock_free);

const char* listener_name(ListenerKind kind) {
  switch (kind) {
    case kRespListener:
      return "RESP port";
    case kHttpListener:
      return "HTTP port";
    case kAdminListener:
      return "admin port";
  }
  return "port";
}

void on_termination_signal(int signum) {
  const int saved_errno = errno;
  g_last_signal.store(signum);
  g_signals_received.fetch_add(1);
  if (uv_async_t* a = g_signal_async.load()) uv_async_send(a);  // async-signal-safe
  errno = saved_errno;
}

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
  g_signal_async.store(nullptr);
  // After run() every handle is closed. A start that failed (a port in use) never ran the loop:
  // its timers, asyncs and listeners are closed here, while everything they belong to is alive,
  // so that closing the loop frees what it allocated.
  if (uv_loop_close(&loop_) == UV_EBUSY) {
    uv_walk(
        &loop_,
        [](uv_handle_t* h, void*) {
          if (!uv_is_closing(h)) uv_close(h, nullptr);
        },
        nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  engine_.reset();
}

bool Server::listen(const std::string& bind, int port, ListenerKind kind, ConnectionFactory factory,
                    std::string* error) {
  const size_t first = listeners_.size();
  if (kind < std::size(listened_)) listened_[kind] = {bind, port, factory};
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
    l->address = addr + ":" + std::to_string(port);
    l->optional = optional;
    uv_tcp_init(&loop_, &l->handle.tcp);
    l->handle.tcp.data = l.get();
    rc = uv_tcp_bind(&l->handle.tcp, reinterpret_cast<sockaddr*>(&ss), 0);
    listeners_.push_back(std::move(l));
    if (rc != 0 && !listener_failed(*listeners_.back(), rc, error)) return false;
  }
  return !listening_ || open_listeners(error, first);
}

bool Server::listen_unix(std::string* error) {
  const std::string& path = config_.unixsocket;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
  auto l = std::make_unique<Listener>();
  l->server = this;
  l->kind = kRespListener;
  l->factory = [](Server& s) -> StreamConnection* { return new RespConnection(s); };
  l->address = path;
  l->unix_socket = true;
  uv_pipe_init(&loop_, &l->handle.pipe, 0);
  l->handle.pipe.data = l.get();
  int rc = uv_pipe_bind(&l->handle.pipe, path.c_str());
  if (rc == 0 && config_.unixsocketperm != 0 &&
      ::chmod(path.c_str(), static_cast<mode_t>(config_.unixsocketperm)) != 0) {
    rc = uv_translate_sys_error(errno);
  }
  listeners_.push_back(std::move(l));
  if (rc != 0 && !listener_failed(*listeners_.back(), rc, error)) return false;
  return !listening_ || open_listeners(error, listeners_.size() - 1);
}

// As Redis's changeListenPort and changeBindAddr, the old sockets close before the new ones bind,
// since the new addresses may include theirs. When the new ones cannot listen, CONFIG SET restores
// the old values and calls on_config_changed again, which opens the old ones anew (it can only
// fail if another process took the old port meanwhile, as in Redis: the log says so).
std::optional<ConfigError> Server::apply_listen_config() {
  const std::string& admin_bind = config_.admin_bind.empty() ? config_.bind : config_.admin_bind;
  const struct {
    ListenerKind kind;
    const std::string& bind;
    int port;
  } wanted[] = {{kRespListener, config_.bind, static_cast<int>(config_.port)},
                {kHttpListener, config_.bind, listened_[kHttpListener].port},
                {kAdminListener, admin_bind, listened_[kAdminListener].port}};
  std::optional<ConfigError> refused;
  for (const auto& w : wanted) {
    ListenSpec& spec = listened_[w.kind];
    if (!spec.factory || (spec.bind == w.bind && spec.port == w.port)) continue;
    const bool bind_changed = spec.bind != w.bind;
    close_listeners(w.kind);
    spec.bind = w.bind;
    spec.port = w.port;
    std::string error;
    if (w.port == 0 || listen(w.bind, w.port, w.kind, spec.factory, &error)) continue;
    BASALT_LOG(kWarning, "%s", error.c_str());
    if (refused) continue;
    refused = bind_changed
                  ? ConfigError{"bind", "Failed to bind to specified addresses."}
                  : ConfigError{"port", "Unable to listen on this port. Check server logs."};
  }
  return refused;
}

void Server::close_listeners(ListenerKind kind) {
  for (auto& l : listeners_) {
    auto* handle = reinterpret_cast<uv_handle_t*>(&l->handle);
    if (l->kind != kind || l->unix_socket || uv_is_closing(handle)) continue;
    if (l->open)
      BASALT_LOG(kNotice, "%s no longer listening on %s", listener_name(l->kind),
                 l->address.c_str());
    l->open = false;
    l->closed = true;
    uv_close(handle, on_listener_closed);
  }
}

void Server::on_listener_closed(uv_handle_t* handle) {
  auto* l = static_cast<Listener*>(handle->data);
  std::erase_if(l->server->listeners_, [l](const auto& p) { return p.get() == l; });
}

bool Server::listener_failed(Listener& l, int rc, std::string* error) {
  // Freed once the loop has closed it (a CONFIG SET port that fails over and over leaves none
  // behind), or with the server if the loop never runs again.
  uv_close(reinterpret_cast<uv_handle_t*>(&l.handle), on_listener_closed);
  l.closed = true;
  if (l.optional) return true;
  *error =
      "could not listen on " + l.address + " (" + listener_name(l.kind) + "): " + uv_strerror(rc);
  return false;
}

bool Server::open_listeners(std::string* error, size_t from) {
  listening_ = true;
  for (size_t i = from; i < listeners_.size(); ++i) {
    Listener& l = *listeners_[i];
    if (l.closed || l.open) continue;
    int rc = uv_listen(reinterpret_cast<uv_stream_t*>(&l.handle),
                       static_cast<int>(config_.tcp_backlog), on_connection);
    if (rc != 0) {
      if (!listener_failed(l, rc, error)) return false;
      continue;
    }
    l.open = true;
    BASALT_LOG(kNotice, "%s listening on %s", listener_name(l.kind), l.address.c_str());
  }
  return true;
}

bool Server::start(std::string* error) {
  if (!fit_open_files_limit(error)) return false;
  enable_background_release();
  // Kept with port 0 too: CONFIG SET port may open it later.
  listened_[kRespListener] = {config_.bind, 0,
                              [](Server& s) -> StreamConnection* { return new RespConnection(s); }};
  if (config_.port != 0 && !listen(config_.bind, static_cast<int>(config_.port), kRespListener,
                                   listened_[kRespListener].factory, error)) {
    return false;
  }
  if (!config_.unixsocket.empty() && !listen_unix(error)) return false;
  oom_score_adj_.apply(config_.oom_score_adj, config_.oom_score_adj_values);  // logged if not
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
  uv_timer_init(&loop_, &persistence_timer_);
  persistence_timer_.data = this;
  uv_idle_init(&loop_, &persistence_idle_);
  persistence_idle_.data = this;
  uv_idle_init(&loop_, &eviction_idle_);
  eviction_idle_.data = this;
  uv_async_init(&loop_, &persistence_wake_, on_persistence_wake);
  persistence_wake_.data = this;
  engine_->persistence().set_wake([this] { uv_async_send(&persistence_wake_); });
  engine_->persistence().set_async_sync(true);
  aof_sync_req_.data = this;
  uv_async_init(&loop_, &signal_async_, on_signal);
  signal_async_.data = this;
  g_signal_async.store(&signal_async_);
  struct sigaction sa {};
  sa.sa_handler = on_termination_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  install_crash_handler();
  set_crash_log_enabled(config_.crash_log_enabled == "yes");
  // Redis ignores SIGHUP: a closed terminal or a careless `kill -HUP` must not take every key.
  signal(SIGHUP, SIG_IGN);
  started_ = true;
  return true;
}

bool Server::raise_open_files_limit(uint64_t needed) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return false;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < needed) {
    // Only the soft limit is raised, as far as the hard limit allows; a hard limit is the
    // operator's decision.
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ? needed : std::min<rlim_t>(needed, rl.rlim_max);
    if (raised.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  fd_limit_ = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur;
  return true;
}

bool Server::fit_open_files_limit(std::string* error) {
  const uint64_t maxclients = static_cast<uint64_t>(config_.maxclients);
  const uint64_t needed = maxclients + kFdsBesideClients;
  // Nothing to go by without getrlimit: leave it to accept().
  if (!raise_open_files_limit(needed) || fd_limit_ >= needed) return true;
  if (fd_limit_ <= kFdsBesideClients) {
    *error = "Your current 'ulimit -n' of " + std::to_string(fd_limit_) +
             " is not enough for the server to start. Please increase your open file limit to at "
             "least " +
             std::to_string(kFdsBesideClients + 1) + ".";
    return false;
  }
  const uint64_t fitted = fd_limit_ - kFdsBesideClients;
  BASALT_LOG(kWarning,
             "You requested maxclients of %llu requiring at least %llu max file descriptors.",
             static_cast<unsigned long long>(maxclients), static_cast<unsigned long long>(needed));
  BASALT_LOG(kWarning,
             "Current maximum open files is %llu. maxclients has been reduced to %llu to "
             "compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
             static_cast<unsigned long long>(fd_limit_), static_cast<unsigned long long>(fitted));
  config_.maxclients = static_cast<int64_t>(fitted);
  return true;
}

int Server::run() {
  // Front ends are up by now: what is allocated is the baseline INFO's dataset figure leaves out.
  engine_->server_info().used_memory_startup = engine_->memory().used;
  // The dataset loads on a worker thread while clients already connect (and get -LOADING).
  if (auto error = engine_->persistence().begin_loading()) {
    BASALT_LOG(kWarning, "%s", error->c_str());
    return 1;
  }
  BASALT_LOG(kNotice, "Ready to accept connections tcp (port %lld)",
             static_cast<long long>(config_.port));
  uv_run(&loop_, UV_RUN_DEFAULT);
  // Let close callbacks of the last handles run.
  uv_run(&loop_, UV_RUN_NOWAIT);
  BASALT_LOG(kNotice, "Basalt is now ready to exit, bye bye...");
  return exit_code_;
}

void Server::arm_cron() {
  cron_hz_ = std::max<int64_t>(config_.hz, 1);
  uint64_t period = static_cast<uint64_t>(std::max<int64_t>(1000 / cron_hz_, 1));
  uv_timer_start(&cron_timer_, on_cron, period, period);
}

void Server::update_proc_title() {
  if (config_.set_proc_title != "yes") return;
  const auto title = expand_proc_title(config_.proc_title_template, proc_title_program(), config_);
  // The template was validated when set; the title changes only when a setting in it does.
  if (title && *title != proc_title_) {
    proc_title_ = *title;
    set_proc_title(proc_title_);
  }
}

std::optional<ConfigError> Server::on_config_changed() {
  set_crash_log_enabled(config_.crash_log_enabled == "yes");
  if (config_.hz != cron_hz_) arm_cron();
  update_proc_title();
  if (!oom_score_adj_.apply(config_.oom_score_adj, config_.oom_score_adj_values)) {
    return ConfigError{"oom-score-adj", "Failed to set current oom_score_adj. Check server logs."};
  }
  if (fd_limit_ != 0) {
    const uint64_t needed = static_cast<uint64_t>(config_.maxclients) + kFdsBesideClients;
    // Redis tries a higher limit first: so do we, within the hard limit.
    if (needed > fd_limit_) raise_open_files_limit(needed);
    if (needed > fd_limit_) {
      return ConfigError{"maxclients",
                         "The operating system is not able to handle the specified number of "
                         "clients, try with " +
                             std::to_string(fd_limit_ - kFdsBesideClients)};
    }
  }
  return apply_listen_config();
}

bool Server::interrupted() const { return g_signals_received.load() != handled_signals_; }

bool Server::shutdown_insisted() const {
  return final_save_signals_ >= 0 && g_signals_received.load() > final_save_signals_ &&
         g_last_signal.load() == SIGINT;
}

bool Server::abort_shutdown() {
  const int received = g_signals_received.load();
  if (received == handled_signals_ && !draining_) return false;
  handled_signals_ = received;
  if (draining_) {
    uv_timer_stop(&drain_timer_);
    draining_ = false;
  }
  BASALT_LOG(kNotice, "Shutdown manually aborted.");
  return true;
}

size_t Server::connection_count(ListenerKind kind) const {
  return kind < std::size(connection_counts_) ? connection_counts_[kind] : 0;
}

void Server::on_connection(uv_stream_t* listener, int status) {
  auto* l = static_cast<Listener*>(listener->data);
  Server& s = *l->server;
  if (status < 0) {
    BASALT_LOG(kWarning, "Accepting client connection: %s", uv_strerror(status));
    return;
  }
  StreamConnection* c = l->factory(s);
  if (l->unix_socket) {
    uv_pipe_init(&s.loop_, c->pipe_handle(), 0);
    c->set_unix_socket();
  } else {
    uv_tcp_init(&s.loop_, c->handle());
  }
  if (uv_accept(listener, c->stream()) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(c->stream()),
             [](uv_handle_t* h) { delete static_cast<StreamConnection*>(h->data); });
    return;
  }
  s.connections_.insert(c);
  s.connection_counts_[l->kind]++;
  if (!l->unix_socket) {
    uv_tcp_nodelay(c->handle(), 1);
    if (s.config_.tcp_keepalive > 0)
      uv_tcp_keepalive(c->handle(), 1, static_cast<unsigned>(s.config_.tcp_keepalive));
  }
  if (!c->start()) {
    c->close();
    return;
  }
  // Protected mode (Redis 7): without a password, only this host's clients get in. The admin
  // port is left to admin-bind: it has no password to set.
  if (l->kind != kAdminListener && !l->unix_socket && s.config_.protected_mode == "yes" &&
      s.config_.requirepass.empty() && !is_loopback_address(c->peer())) {
    BASALT_LOG(kVerbose, "Refused client %s: protected mode", c->peer().c_str());
    c->refuse(403, err::kProtectedMode, false);
    return;
  }
  // maxclients counts client connections of both front ends; the admin port has its own small
  // cap. Both fit in the descriptor limit (fit_open_files_limit), so accept() never runs out.
  const bool over = l->kind == kAdminListener
                        ? s.connection_count(kAdminListener) > kMaxAdminConnections
                        : s.connection_count(kRespListener) + s.connection_count(kHttpListener) >
                              static_cast<size_t>(s.config_.maxclients);
  if (over) {
    s.engine_->stats().rejected_connections++;
    c->refuse(503, err::kMaxClients, true);
  }
}

void Server::set_supervision(Supervision s) {
  supervision_ = s;
  engine_->server_info().process_supervised = std::string(supervision_name(s));
  if (s == Supervision::kSystemd) {
    BASALT_LOG(kNotice,
               "supervised by systemd. Please make sure you set appropriate values for "
               "TimeoutStartSec and TimeoutStopSec in your service unit.");
  }
}

void Server::account_client_memory(StreamConnection* c) {
  // Admin-port connections (health checks, metrics scrapes) are not clients, as in Redis.
  if (c->kind() == kAdminListener) return;
  const size_t now = c->closing() ? 0 : c->memory_usage();
  client_memory_ = client_memory_ - c->accounted_memory_ + now;
  c->accounted_memory_ = now;
}

size_t Server::client_eviction_limit() const {
  const int64_t setting = config_.maxmemory_clients;
  size_t limit;
  if (setting < 0) {
    // A percentage of maxmemory; with no maxmemory it limits nothing (Redis).
    if (config_.maxmemory == 0) return 0;
    limit = static_cast<size_t>(static_cast<double>(config_.maxmemory) *
                                static_cast<double>(-setting) / 100);
  } else if (setting > 0) {
    limit = static_cast<size_t>(setting);
  } else {
    return 0;
  }
  // Never so low that no client could talk to the server at all (Redis's floor).
  constexpr size_t kFloor = 128 * 1024;
  return std::max(limit, kFloor);
}

void Server::evict_clients() {
  const size_t limit = client_eviction_limit();
  if (limit == 0 || client_memory_ < limit) {
    client_memory_warned_ = false;
    return;
  }
  // Over the limit is rare, and then a scan for the largest client is cheap next to the
  // reconnects it causes; Redis keeps clients in size buckets to find it without one.
  while (client_memory_ >= limit) {
    StreamConnection* largest = nullptr;
    for (StreamConnection* c : connections_) {
      if (c->closing() || c->kind() == kAdminListener || !c->evictable()) continue;
      if (largest == nullptr || c->accounted_memory_ > largest->accounted_memory_) largest = c;
    }
    if (largest == nullptr) {
      if (!client_memory_warned_) {
        BASALT_LOG(kWarning, "Over client maxmemory after evicting all evictable clients");
      }
      client_memory_warned_ = true;
      return;
    }
    BASALT_LOG(kNotice, "Evicting client: addr=%s tot-mem=%zu (all clients %zu, limit %zu)",
               largest->peer().c_str(), largest->accounted_memory_, client_memory_, limit);
    engine_->stats().evicted_clients++;
    largest->close();
  }
}

void Server::connection_closing(StreamConnection* c) {
  account_client_memory(c);
  if (connections_.erase(c) != 0 && c->kind() < std::size(connection_counts_)) {
    connection_counts_[c->kind()]--;
  }
}

void Server::on_check(uv_check_t* h) {
  Server& s = *static_cast<Server*>(h->data);
  // Clients whose blocked command was served resume their pipelines first, so that their
  // replies go out in this turn's flush too.
  while (!s.resume_queue_.empty()) {
    auto batch = std::move(s.resume_queue_);
    s.resume_queue_.clear();
    for (auto* c : batch) {
      if (!s.connections_.count(c) || c->closing()) continue;
      if (c->close_pending()) {
        c->close();
      } else {
        c->resume();
      }
    }
  }
  // The turn's writes reach the AOF before any of the turn's replies leaves.
  s.engine_->end_turn();
  // appendfsync always: replies leave only once everything written before them is on disk. The
  // fsync runs on a worker while this loop goes on; commands that arrive meanwhile join the
  // next one (a pipelined group commit, where Redis blocks its loop on each fsync).
  Persistence& p = s.engine_->persistence();
  if (p.sync_before_replies() && !s.aof_sync_in_flight_ &&
      s.engine_->effects().offset() != s.aof_synced_offset_) {
    if (s.aof_sync_us_ < s.config_.aof_fsync_inline_us) {
      // A fast disk: fsync here, as Redis does; a hand-off to a worker and back would cost more
      // than it saves (aof-fsync-inline-us).
      const int64_t start = s.clock_.monotonic_us();
      if (::fdatasync(p.aof_fd()) != 0) p.async_sync_failed(errno);
      s.aof_sync_us_ = s.clock_.monotonic_us() - start;
      s.aof_synced_offset_ = s.engine_->effects().offset();
    } else {
      s.start_aof_sync();
    }
  }
  if (!s.aof_sync_in_flight_) s.flush_queued();
  if (!s.shutdown_started_) s.drive_persistence();
  s.drive_eviction();
  s.evict_clients();
  if (!s.told_supervisor_ready_ && s.ready()) {
    s.told_supervisor_ready_ = true;
    notify_ready(s.supervision_);
  }
  s.arm_block_timer();
  if (s.shutting_down_) s.begin_shutdown();
}

void Server::flush_queued() {
  for (size_t i = 0; i < flush_queue_.size(); ++i) {
    StreamConnection* c = flush_queue_[i];
    if (connections_.count(c)) c->flush();
  }
  flush_queue_.clear();
}

void Server::start_aof_sync() {
  aof_sync_fd_ = ::dup(engine_->persistence().aof_fd());
  if (aof_sync_fd_ < 0) engine_->persistence().async_sync_failed(errno);
  aof_sync_offset_ = engine_->effects().offset();
  // Everything queued so far was produced before this fsync began: it goes when it is done.
  for (StreamConnection* c : flush_queue_) {
    if (!connections_.count(c)) continue;
    c->mark_durable();
    held_.push_back(c);
  }
  flush_queue_.clear();
  aof_sync_in_flight_ = true;
  uv_queue_work(&loop_, &aof_sync_req_, aof_sync_work, aof_sync_done);
}

void Server::aof_sync_work(uv_work_t* req) {
  Server& s = *static_cast<Server*>(req->data);
  // A worker thread: the steady clock itself, not the loop's clock object.
  const auto start = std::chrono::steady_clock::now();
  s.aof_sync_errno_ = ::fdatasync(s.aof_sync_fd_) == 0 ? 0 : errno;
  s.aof_sync_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  ::close(s.aof_sync_fd_);
}

void Server::aof_sync_done(uv_work_t* req, int) {
  Server& s = *static_cast<Server*>(req->data);
  s.aof_sync_in_flight_ = false;
  if (s.aof_sync_errno_ != 0) s.engine_->persistence().async_sync_failed(s.aof_sync_errno_);
  s.aof_synced_offset_ = s.aof_sync_offset_;
  // Writes made while it ran are not covered: what was produced after it began stays queued.
  const bool covered_all = s.engine_->effects().offset() == s.aof_sync_offset_;
  auto held = std::move(s.held_);
  s.held_.clear();
  for (StreamConnection* c : held) {
    if (!s.connections_.count(c)) continue;
    c->flush(covered_all ? SIZE_MAX : c->durable_mark());
    if (c->has_output()) c->request_flush();
  }
  // The check phase of this same loop turn starts the next fsync, or sends the rest.
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
  if (s.engine_->cron_paused()) return;
  // A signal that came while the cron was paused (DEBUG PAUSE-CRON) is acted on now.
  on_signal(&s.signal_async_);
  if (s.shutdown_started_) return;
  s.engine_->cron();
  s.close_idle_clients();
  s.enforce_output_limits();
  if (++s.cron_ticks_ % s.cron_hz_ == 0) s.release_idle_buffers();
}

void Server::release_idle_buffers() {
  const int64_t now = now_ms();
  for (auto* c : connections_) {
    if (now - c->last_activity_ms() >= kIdleBufferAgeMs) c->release_idle_buffers();
  }
}

void Server::enforce_output_limits() {
  // Redis's clientsCron does the same: a soft limit is a duration, which may end while nothing is
  // written to the client. Candidates first: closing leaves connections_.
  std::vector<StreamConnection*> pending;
  for (auto* c : connections_) {
    if (c->pending_output() > 0) pending.push_back(c);
  }
  for (auto* c : pending) {
    if (!c->closing()) c->enforce_output_limit();
  }
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

void Server::on_signal(uv_async_t* a) {
  Server& s = *static_cast<Server*>(a->data);
  const int received = g_signals_received.load();
  if (received == s.handled_signals_) return;
  // Redis acts on SIGTERM in its cron: DEBUG PAUSE-CRON holds it there (on_cron), so that
  // SHUTDOWN ABORT can cancel it.
  if (s.engine_->cron_paused()) return;
  // One that came during a final save (which may have cut it short) has done its part.
  if (s.shutting_down_) {
    s.handled_signals_ = received;
    return;
  }
  // Several signals since the last turn act as that many: a second one during the drain means now.
  const int signum = g_last_signal.load();
  for (; s.handled_signals_ != received; ++s.handled_signals_) {
    BASALT_LOG(kWarning, "Received %s, scheduling shutdown...",
               signum == SIGTERM ? "SIGTERM" : "SIGINT");
    if (s.config_.shutdown_delay_ms > 0 && !s.draining_) {
      s.draining_ = true;
      BASALT_LOG(kWarning, "Serving for %lld ms more while /readyz answers 503 (shutdown-delay-ms)",
                 static_cast<long long>(s.config_.shutdown_delay_ms));
      uv_timer_start(&s.drain_timer_, on_drain_timer,
                     static_cast<uint64_t>(s.config_.shutdown_delay_ms), 0);
      continue;
    }
    s.shutdown_from_signal();
  }
}

void Server::on_drain_timer(uv_timer_t* t) {
  static_cast<Server*>(t->data)->shutdown_from_signal();
}

void Server::shutdown_from_signal() {
  final_save_signals_ = g_signals_received.load();
  // shutdown-on-sigint / shutdown-on-sigterm, as SHUTDOWN's own flags (NOW has nothing to skip
  // without replicas).
  const std::string& flags =
      g_last_signal.load() == SIGINT ? config_.shutdown_on_sigint : config_.shutdown_on_sigterm;
  auto has = [&](std::string_view flag) {
    return (" " + flags + " ").find(" " + std::string(flag) + " ") != std::string::npos;
  };
  const ShutdownSave mode = has("save")     ? ShutdownSave::kSave
                            : has("nosave") ? ShutdownSave::kNoSave
                                            : ShutdownSave::kDefault;
  const auto error = engine_->persistence().prepare_shutdown(mode);
  if (shutdown_insisted()) exit_code_ = 1;  // not a clean shutdown: Redis exits 1 too
  final_save_signals_ = -1;
  if (error && !has("force")) {
    BASALT_LOG(kWarning,
               "Errors trying to shut down the server. Check the logs for more information.");
    draining_ = false;
    return;
  }
  request_shutdown();
}

// Keeps an idle handle (work between loop turns) running exactly while there is work for it.
void Server::run_while(uv_idle_t* handle, bool* active, bool work, uv_idle_cb callback) {
  if (work && !*active) {
    uv_idle_start(handle, callback);
  } else if (!work && *active) {
    uv_idle_stop(handle);
  }
  *active = work;
}

void Server::drive_persistence() {
  Persistence& p = engine_->persistence();
  p.poll();
  if (const auto& error = p.loading_error()) {
    BASALT_LOG(kWarning, "%s", error->c_str());
    BASALT_LOG(kWarning, "%s", p.loading_exit_line().c_str());
    std::_Exit(1);
  }
  // A walk ahead of rdb-key-save-delay's pace waits on a timer, not on a spinning idle handle.
  const int64_t wait_us = p.busy() ? p.paced_wait_us() : 0;
  run_while(&persistence_idle_, &persistence_idle_active_, p.busy() && wait_us == 0,
            on_persistence_idle);
  if (wait_us > 0) {
    uv_timer_start(&persistence_timer_, on_persistence_timer,
                   static_cast<uint64_t>((wait_us + 999) / 1000), 0);
  }
}

void Server::on_persistence_timer(uv_timer_t* t) {
  Server& s = *static_cast<Server*>(t->data);
  if (!s.shutdown_started_) s.drive_persistence();
}

void Server::on_persistence_idle(uv_idle_t* h) {
  Server& s = *static_cast<Server*>(h->data);
  s.engine_->persistence().step();
  s.drive_persistence();
}

void Server::drive_eviction() {
  run_while(&eviction_idle_, &eviction_idle_active_,
            engine_->eviction_pending() && !shutdown_started_, on_eviction_idle);
}

void Server::on_eviction_idle(uv_idle_t* h) {
  Server& s = *static_cast<Server*>(h->data);
  s.engine_->evict_step();
  // Evictions wrote DELs to the effect channel: the AOF takes them as any turn's writes.
  s.engine_->end_turn();
  s.drive_eviction();
}

void Server::on_persistence_wake(uv_async_t* a) {
  Server& s = *static_cast<Server*>(a->data);
  if (!s.shutdown_started_) s.drive_persistence();
}

void Server::request_shutdown() {
  // Finish this loop turn (replies already produced are flushed), then close everything.
  shutting_down_ = true;
}

void Server::begin_shutdown() {
  if (shutdown_started_) return;
  shutdown_started_ = true;
  BASALT_LOG(kWarning, "User requested shutdown...");
  notify_stopping(supervision_);
  std::vector<StreamConnection*> all(connections_.begin(), connections_.end());
  for (auto* c : all) c->close();
  for (auto& l : listeners_) {
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&l->handle)))
      uv_close(reinterpret_cast<uv_handle_t*>(&l->handle), nullptr);
    if (l->unix_socket && l->open) ::unlink(l->address.c_str());
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&cron_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&block_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&drain_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&persistence_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&persistence_idle_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&persistence_wake_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&eviction_idle_), nullptr);
  g_signal_async.store(nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&signal_async_), nullptr);
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
