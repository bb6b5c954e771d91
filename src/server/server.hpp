#pragma once
// The process's one libuv loop: listeners for every front end, the set of live connections, the
// per-turn flush of replies (uv_check), the cron timer (active expiry, rehashing, idle clients),
// the blocked-client timeout timer, signals and shutdown.

#include <uv.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "commands/engine.hpp"
#include "config/config.hpp"
#include "server/stream.hpp"
#include "server/supervision.hpp"
#include "store/clock.hpp"

namespace basalt {

// Which listener a connection came from; front ends count their clients by it.
enum ListenerKind : uint64_t { kRespListener = 0, kHttpListener = 1, kAdminListener = 2 };

// Connections the admin port takes at once (health checks and scrapers need a few); more get 503.
// Outside maxclients, but inside the descriptor budget.
inline constexpr size_t kMaxAdminConnections = 64;

class Server final : public Host {
 public:
  explicit Server(Config& config);
  ~Server() override;

  uv_loop_t* loop() { return &loop_; }
  Engine& engine() { return *engine_; }
  Config& config() { return config_; }
  const Clock& clock() const { return clock_; }

  using ConnectionFactory = std::function<StreamConnection*(Server&)>;
  // Binds every address of `bind` (space separated). Returns false with *error set. Before
  // open_listeners() the sockets are bound but not listening: every front end binds, then all
  // ports start taking connections together, so a client that reaches one port finds them all.
  bool listen(const std::string& bind, int port, ListenerKind kind, ConnectionFactory factory,
              std::string* error);
  // Starts listening on every bound port (and on those bound later, at once). False with *error
  // naming the port when one cannot listen (EADDRINUSE shows up here).
  bool open_listeners(std::string* error) { return open_listeners(error, 0); }
  // Starts the RESP listener, timers and signals. Returns false with *error set.
  bool start(std::string* error);
  // With set-proc-title yes, shows proc-title-template as the process title (server/proc_title).
  void update_proc_title();
  // Runs until shutdown; returns the process exit code.
  int run();

  // Host
  void request_shutdown() override;
  std::optional<ConfigError> on_config_changed() override;
  bool interrupted() const override;
  bool abort_shutdown() override;
  bool shutdown_insisted() const override;

  // Front ends close their own handles (timers, listeners' state) when shutdown begins.
  void on_shutdown(std::function<void()> hook) { shutdown_hooks_.push_back(std::move(hook)); }
  // supervised systemd|upstart: told once the server is ready (the dataset loaded) and when it
  // stops (server/supervision.hpp).
  void set_supervision(Supervision s);

  // /readyz: false while the dataset loads at start, and from SIGTERM on, through the
  // shutdown-delay-ms drain, while clients are still served, so that a load balancer stops sending
  // new ones before the ports close.
  bool ready() const { return started_ && !draining_ && !shutting_down_ && !engine_->loading(); }
  bool shutting_down() const { return draining_ || shutting_down_; }
  // SHUTDOWN (or the end of the drain) has been asked for: no further command may run.
  bool stopping() const { return shutting_down_; }
  size_t connection_count(ListenerKind kind) const;

  // Connection bookkeeping (StreamConnection calls these).
  void queue_flush(StreamConnection* c) { flush_queue_.push_back(c); }
  void queue_resume(StreamConnection* c) { resume_queue_.push_back(c); }
  void connection_closing(StreamConnection* c);
  // A client's buffers changed size: the total that maxmemory-clients caps follows it.
  void account_client_memory(StreamConnection* c);
  bool client_eviction_enabled() const { return config_.maxmemory_clients != 0; }
  // maxmemory-clients: closes the largest evictable clients while all clients' buffers together
  // are over the limit (Redis's evictClients): once a loop turn after the replies went out, and
  // before each command a RESP client runs.
  void evict_clients();
  // Read activity time for idle timeouts, without a syscall per read.
  int64_t now_ms() const { return uv_now(const_cast<uv_loop_t*>(&loop_)) + clock_offset_ms_; }

 private:
  std::string proc_title_;  // the title last shown
  struct Listener {
    union {
      uv_tcp_t tcp;
      uv_pipe_t pipe;
    } handle;
    bool unix_socket = false;
    Server* server;
    ListenerKind kind;
    ConnectionFactory factory;
    std::string address;    // "127.0.0.1:6379", for the log and errors
    bool optional = false;  // "-::1": skipped if unavailable
    bool open = false;      // listening
    bool closed = false;    // failed and closed
  };
  bool open_listeners(std::string* error, size_t from);
  // CONFIG SET port / bind: moves the RESP listeners, and the HTTP and admin ones that follow
  // bind (see the definition).
  std::optional<ConfigError> apply_listen_config();
  // Closes the TCP listeners of `kind`; their connections stay.
  void close_listeners(ListenerKind kind);
  static void on_listener_closed(uv_handle_t* handle);
  // `unixsocket`: RESP on a unix socket, its file made with `unixsocketperm` (as Redis, a socket
  // file left at that path is replaced, and removed at shutdown).
  bool listen_unix(std::string* error);
  // Closes a listener that could not bind or listen; false (with *error) unless it was optional.
  bool listener_failed(Listener& l, int rc, std::string* error);
  static void on_connection(uv_stream_t* listener, int status);
  static void on_check(uv_check_t* h);
  static void on_cron(uv_timer_t* t);
  static void on_block_timer(uv_timer_t* t);
  static void on_signal(uv_async_t* a);
  static void on_drain_timer(uv_timer_t* t);
  static void on_persistence_idle(uv_idle_t* h);
  static void on_persistence_timer(uv_timer_t* t);
  // appendfsync always, pipelined (Persistence::set_async_sync): fdatasync of the AOF on a libuv
  // worker while the loop goes on; the replies queued when it started are held until it is done.
  void start_aof_sync();
  static void aof_sync_work(uv_work_t* req);
  static void aof_sync_done(uv_work_t* req, int status);
  void flush_queued();
  static void on_persistence_wake(uv_async_t* a);
  static void on_eviction_idle(uv_idle_t* h);
  // Runs eviction between loop turns while a time-boxed pass left memory over maxmemory.
  void drive_eviction();
  size_t client_eviction_limit() const;
  // Picks up finished persistence work and runs its background steps while there are some; exits
  // the process when loading at start failed, as Redis does.
  void drive_persistence();
  static void run_while(uv_idle_t* handle, bool* active, bool work, uv_idle_cb callback);
  // SIGTERM / SIGINT: the final save (when save rules exist) and AOF flush, then shutdown; a
  // failed save keeps the server running, as in Redis.
  void shutdown_from_signal();
  void arm_cron();
  void arm_block_timer();
  void close_idle_clients();
  void enforce_output_limits();
  void begin_shutdown();
  // Raises the descriptor limit for maxclients (or lowers maxclients to fit), as Redis does at
  // start; false with *error when not even one client would fit.
  bool fit_open_files_limit(std::string* error);
  // Raises the soft RLIMIT_NOFILE toward `needed` within the hard limit and records the result in
  // fd_limit_; false if the limit cannot be read.
  bool raise_open_files_limit(uint64_t needed);
  // Frees the buffers of clients idle for a while (a pass each second).
  void release_idle_buffers();

  Config& config_;
  SystemClock clock_;
  int64_t clock_offset_ms_ = 0;
  uv_loop_t loop_;
  std::unique_ptr<Engine> engine_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  bool listening_ = false;  // open_listeners() ran: later listen() calls open at once
  // What each kind of TCP listener was last asked to listen on (by ListenerKind; no factory: the
  // front end has no port), for apply_listen_config.
  struct ListenSpec {
    std::string bind;
    int port = 0;
    ConnectionFactory factory;
  };
  ListenSpec listened_[3];
  std::unordered_set<StreamConnection*> connections_;
  std::vector<StreamConnection*> flush_queue_;
  std::vector<StreamConnection*> resume_queue_;
  uv_check_t check_;
  uv_timer_t cron_timer_;
  uv_timer_t block_timer_;
  int64_t block_timer_deadline_ = 0;
  // SIGTERM and SIGINT come through our own handler, which counts them (interrupted() reads the
  // count while a command runs) and wakes the loop with uv_async_send, async-signal-safe.
  uv_async_t signal_async_;
  int handled_signals_ = 0;
  size_t connection_counts_[3] = {0, 0, 0};  // open connections by ListenerKind
  size_t client_memory_ = 0;           // memory_usage() of every RESP and HTTP connection, summed
  bool client_memory_warned_ = false;  // over maxmemory-clients with no client left to evict
  uint64_t fd_limit_ = 0;              // RLIMIT_NOFILE's soft limit once fitted
  int64_t cron_ticks_ = 0;
  uv_timer_t drain_timer_;
  uv_idle_t persistence_idle_;    // active while a BGSAVE or rewrite walk has steps left
  uv_timer_t persistence_timer_;  // a walk held to rdb-key-save-delay's pace goes on from here
  uv_async_t persistence_wake_;   // persistence's worker threads finished something
  bool persistence_idle_active_ = false;
  uv_work_t aof_sync_req_;
  bool aof_sync_in_flight_ = false;
  int aof_sync_fd_ = -1;
  int aof_sync_errno_ = 0;
  uint64_t aof_sync_offset_ = 0;    // the effect stream's offset when the running fsync began
  uint64_t aof_synced_offset_ = 0;  // ... when the last finished one began: all before is on disk
  int64_t aof_sync_us_ = 0;         // how long the last fsync took
  std::vector<StreamConnection*> held_;  // output waiting for the running fsync
  uv_idle_t eviction_idle_;              // active while eviction has keys left to evict
  bool eviction_idle_active_ = false;
  bool draining_ = false;
  int final_save_signals_ = -1;  // signals received when a signal's shutdown began; -1: none
  int exit_code_ = 0;
  int64_t cron_hz_ = 0;
  bool started_ = false;
  Supervision supervision_ = Supervision::kNone;
  OomScoreAdjuster oom_score_adj_;
  bool told_supervisor_ready_ = false;
  bool shutting_down_ = false;
  bool shutdown_started_ = false;
  std::vector<std::function<void()>> shutdown_hooks_;
};

}  // namespace basalt
