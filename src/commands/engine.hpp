#pragma once
// The engine: one dispatcher for every front end. It owns the store, the command table and the
// sessions, and applies everything that must happen the same way for RESP and HTTP: command lookup,
// arity, authentication, client pauses, MULTI queueing, per-command statistics, the slow log, the
// latency monitor, the MONITOR feed, WATCH invalidation and serving clients blocked on lists.

#include <array>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "commands/command_table.hpp"
#include "commands/effect_stream.hpp"
#include "commands/percentiles.hpp"
#include "commands/persistence.hpp"
#include "commands/pubsub.hpp"
#include "commands/reply_builder.hpp"
#include "commands/session.hpp"
#include "config/config.hpp"
#include "store/evict.hpp"
#include "store/store.hpp"

namespace basalt {

class Engine;

// What commands may ask of the process hosting the engine (the libuv server, or a test).
class Host {
 public:
  virtual ~Host() = default;
  virtual void request_shutdown() = 0;
  // Applies config changes that need the host (hz re-arms the cron timer; maxclients needs file
  // descriptors). An error refuses the change: CONFIG SET then restores the old values.
  virtual std::optional<ConfigError> on_config_changed() { return std::nullopt; }
  // True once SIGTERM or SIGINT has arrived and is not yet handled by the loop: a command that
  // runs long on purpose (DEBUG SLEEP) stops early so the server can shut down.
  virtual bool interrupted() const { return false; }
  // SHUTDOWN ABORT: cancels a shutdown a signal asked for and that has not happened yet (held by
  // DEBUG PAUSE-CRON, or serving out shutdown-delay-ms). False when there is none.
  virtual bool abort_shutdown() { return false; }
  // True while a signal's shutdown saves and a SIGINT has come since it began: Redis's "You
  // insist" (the save stops and the process exits without it, with status 1).
  virtual bool shutdown_insisted() const { return false; }
};

// What counts against maxmemory: the pages the allocator has handed out (jemalloc's active
// bytes: INFO's used_memory plus the unused parts of partly used pages, so that fragmentation
// counts against the cap and the cap bounds the RSS) less what Redis leaves out
// (mem_not_counted_for_evict: replication and AOF buffers; Basalt has no replicas, and its AOF
// buffer is written out before each turn's replies) and less the holes eviction cannot give back
// (counted_memory: up to a thirty-second of the cap and beyond an eighth; reported as
// mem_not_counted_for_evict). An exact reading refreshes jemalloc's statistics, too slow for every
// command: sync() takes one in the cron, and in between the loop thread's own allocation counters
// carry it forward, which is exact for what the loop thread allocates and frees (keys, values,
// tables, client buffers). Other threads' allocations (a background save's buffers) show at the
// next sync.
class AllocatorMeter final : public MemoryMeter {
 public:
  void sync(uint64_t exact_used);
  uint64_t used() override;

 private:
  uint64_t base_ = 0;
  uint64_t allocated_at_sync_ = 0;
  uint64_t deallocated_at_sync_ = 0;
};

struct ServerInfo {
  int64_t start_ms = 0;
  int64_t start_us = 0;  // monotonic
  std::string run_id;
  // INFO replication's master_replid: the run id until DEBUG CHANGE-REPL-ID draws another.
  std::string replid;
  std::string executable;
  std::string config_file;
  int64_t tcp_port = 0;
  int64_t http_port = 0;
  int64_t admin_port = 0;
  uint64_t used_memory_startup = 0;       // recorded once the server has started
  std::string process_supervised = "no";  // systemd, upstart or no (supervised)
};

// INFO memory and /metrics: one reading of the allocator, split as Redis splits used_memory.
struct MemoryFigures {
  uint64_t used = 0;     // bytes allocated (glibc arenas and mmap'd blocks; RSS under sanitizers)
  uint64_t peak = 0;     // the most `used` has been, read at each cron and INFO (Redis's peak)
  uint64_t rss = 0;      // resident set size
  uint64_t startup = 0;  // used when the server had started (code, tables, front ends)
  uint64_t clients = 0;  // client query and output buffers
  uint64_t tables = 0;   // the keyspace tables' buckets and TTL indexes (MEMORY STATS's db.N),
                         // and the LFU policies' frequency sketch
  uint64_t dataset = 0;  // the rest: keys and values
  // The allocator's pages: those handed out (active) and those touched and kept (resident); equal
  // to `used` where the allocator cannot tell (sanitizer builds).
  uint64_t allocator_active = 0;
  uint64_t allocator_resident = 0;

  // Redis's used_memory_overhead: what is not the dataset (Redis counts its dicts there too).
  uint64_t overhead() const { return startup + clients + tables; }
  // Redis's net usage: what the server holds beyond its start (dataset_perc's base).
  uint64_t net() const { return used > startup ? used - startup : 0; }
};

// A Prometheus-style latency histogram in microseconds: cumulative buckets are computed when
// rendered, so observing is one comparison loop and two additions.
struct LatencyHistogram {
  static constexpr std::array<uint64_t, 15> kBoundsUs = {
      10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
  std::array<uint64_t, kBoundsUs.size() + 1> counts{};  // the last bucket is +Inf
  uint64_t count = 0;
  uint64_t sum_us = 0;

  void observe(uint64_t us) {
    size_t i = 0;
    while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
    counts[i]++;
    count++;
    sum_us += us;
  }
};

struct EngineStats {
  uint64_t total_commands = 0;
  uint64_t total_connections = 0;
  uint64_t rejected_connections = 0;
  uint64_t evicted_clients = 0;  // closed by maxmemory-clients
  uint64_t total_error_replies = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t blocked_clients = 0;
  uint64_t peak_memory = 0;  // used_memory_peak (CONFIG RESETSTAT keeps it, as Redis)
  std::unordered_map<std::string, uint64_t> error_codes;  // INFO errorstats
  // Command execution time by front end (indexed by Frontend), for the admin port's /metrics.
  std::array<LatencyHistogram, 3> command_latency;
};

// SLOWLOG: one command that ran at least slowlog-log-slower-than microseconds. Arguments are
// trimmed as Redis trims them (32 arguments, 128 bytes each), so a huge MSET costs little here.
struct SlowlogEntry {
  uint64_t id = 0;
  int64_t time_s = 0;  // unix seconds when it was logged
  uint64_t duration_us = 0;
  std::vector<std::string> argv;
  std::string peer;  // the client's address
  std::string name;  // the client's name, empty if none
};

// LATENCY: an event's samples, at most one a second (the worst of that second), in a ring of
// Redis's size, and the worst ever seen.
struct LatencySeries {
  static constexpr size_t kSamples = 160;
  struct Sample {
    int64_t time_s = 0;  // 0: unused slot
    uint64_t ms = 0;
  };
  std::array<Sample, kSamples> samples{};
  size_t next = 0;
  uint64_t max_ms = 0;

  void add(int64_t now_s, uint64_t ms);
  const Sample& latest() const { return samples[(next + kSamples - 1) % kSamples]; }
};

// CLIENT PAUSE: what is held back. Ordered: a stricter pause wins when two overlap.
enum class PauseType : uint8_t { kOff, kWrite, kAll };

struct CommandContext {
  Engine& engine;
  Session& session;
  ReplyBuilder& reply;
  std::span<const std::string_view> argv;  // argv[0] is the command name as the client sent it
  const Command& command;
  bool in_exec = false;    // inside EXEC: blocking commands time out at once
  bool reprocess = false;  // re-run of a blocked command because a key became ready
  // Arguments (bit i: argv[i]) the slow log and MONITOR show as "(redacted)": passwords.
  uint32_t redacted = 0;
  // How the write-effect channel records this command (effect_stream.hpp), set by handlers whose
  // arguments would not replay what they did.
  bool effect_rewritten = false;
  bool effect_forced = false;

  // The command's effect is this vector instead of its arguments (SET k v EX 10 -> SET k v PXAT
  // t). Called on the path that wrote; a command that wrote nothing records nothing anyway.
  void propagate_as(std::initializer_list<std::string_view> effect);
  void propagate_as(std::span<const std::string_view> effect);  // a vector built at run time
  // Record the command even if the keyspace did not change (FLUSHALL of an empty server, as
  // Redis's forceCommandPropagation).
  void force_propagation() { effect_forced = true; }

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  Store& store() const;
  Database& db() const;
  Config& config() const;
  int64_t now_ms() const;
  // May the command block? (not inside EXEC; the front end supports it)
  bool may_block() const { return !in_exec; }
};

class Engine final : public KeyspaceObserver {
 public:
  Engine(Config& config, const Clock& clock, uint64_t seed);
  ~Engine() override;

  Store& store() { return store_; }
  Config& config() { return config_; }
  const CommandTable& commands() const { return commands_; }
  // This engine's counters for a command of its table.
  CommandStats& command_stats(const Command& cmd) { return command_stats_[cmd.id]; }
  const CommandStats& command_stats(const Command& cmd) const { return command_stats_[cmd.id]; }
  void reset_command_stats();
  EngineStats& stats() { return stats_; }
  ServerInfo& server_info() { return server_info_; }
  void set_host(Host* host) { host_ = host; }
  Host* host() const { return host_; }

  // Sessions. A session lives from its connection's accept to its close.
  Session* open_session(Frontend frontend, ClientLink* link);
  void close_session(Session* session);
  Session* find_session(uint64_t id);
  template <class F>
  void for_each_session(F&& fn) {
    for (auto& [id, s] : sessions_) fn(*s);
  }
  size_t session_count() const { return sessions_.size(); }
  // Reads the allocator (and the peak along), for INFO, MEMORY and the admin port.
  MemoryFigures memory();
  size_t session_count(Frontend frontend) const;

  // The session's keyspace table, for a front end's prefetch hints: holding several pipelined
  // requests, it starts loading what the next ones will read before running the current one, so
  // that their cache misses overlap with its work (Dict::prefetch_slots).
  const Dict& keyspace(const Session& session) const { return store_.db(session.db).dict(); }

  // Runs one request. Replies go to `reply`; if the command blocks, session.blocked is set and
  // the reply arrives later through session.link->async_reply() and on_unblocked().
  void execute(Session& session, std::span<const std::string_view> argv, ReplyBuilder& reply);

  // Blocks the session on keys (called by a blocking command that found nothing to pop).
  // timeout_ms: 0 waits forever, otherwise an absolute unix-ms deadline.
  void block(CommandContext& ctx, std::span<const std::string_view> keys, int64_t deadline_ms,
             TimeoutReply timeout_reply, ValueType value_type = ValueType::kList);
  // Earliest deadline of a blocked client (0 when none), for the host's timer.
  int64_t next_block_deadline() const;
  void expire_blocked_clients();

  // The write-effect channel: what every effective write did, in replayable form.
  EffectStream& effects() { return effects_; }
  // RDB snapshots and the AOF (persistence.hpp).
  Persistence& persistence() { return *persistence_; }
  // Records one effect in database db: now, or at the end of the running EXEC (wrapped in
  // MULTI ... EXEC when the transaction wrote more than once).
  void propagate(int db, std::span<const std::string_view> argv);
  void propagate(int db, std::initializer_list<std::string_view> argv) {
    propagate(db, std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  // The loop turn's commands have run; consumers act before their replies leave.
  void end_turn() { effects_.turn_end(); }

  // While the dataset loads at start, clients' commands get -LOADING unless flagged loading
  // (INFO, CONFIG ...); the loader's own session (kInternal) runs anything.
  void set_loading(bool loading) { loading_ = loading; }
  bool loading() const { return loading_; }
  // While persistence is failing (a failed background save with stop-writes-on-bgsave-error, an
  // AOF write error), writes and PING are refused with this -MISCONF text; empty: accepted.
  void set_write_refusal(std::string text) { write_refusal_ = std::move(text); }
  const std::string& write_refusal() const { return write_refusal_; }

  // Background work (Redis's serverCron share): active expiry and incremental rehashing.
  void cron();
  // DEBUG PAUSE-CRON: the host runs no cron while set, and holds a signal's shutdown (Redis
  // acts on SIGTERM in its cron), so a test can reach SHUTDOWN ABORT first.
  void set_cron_paused(bool paused) { cron_paused_ = paused; }
  bool cron_paused() const { return cron_paused_; }
  // DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE payloads and the RDB files DEBUG RELOAD loads are
  // taken without their CRC-64 checked (Redis's tests of corrupt payloads with no valid CRC).
  void set_skip_checksum_validation(bool skip) { skip_checksum_validation_ = skip; }
  bool skip_checksum_validation() const { return skip_checksum_validation_; }

  // maxmemory (store/evict.hpp). Re-reads the eviction parameters after a config change and, as
  // Redis's CONFIG SET maxmemory does, evicts at once (time-boxed) if memory is over the new cap.
  void apply_eviction_config();
  uint64_t memory_not_counted_for_evict() const { return not_counted_for_evict_; }
  const EvictionParams& eviction() const { return eviction_; }
  // A time-boxed eviction left memory over the cap: the host calls evict_step() between loop
  // turns until it is done (Redis's evictionTimeProc), and the cron does too.
  bool eviction_pending() const { return evictor_.pending(); }
  void evict_step();
  uint64_t used_memory_for_eviction() { return meter().used(); }
  // Tests: count memory another way; nullptr restores the allocator's count.
  void set_memory_meter(MemoryMeter* meter) { meter_override_ = meter; }

  // KeyspaceObserver
  void on_key_modified(int db, std::string_view key) override;
  void on_key_expired(int db, std::string_view key) override;
  void on_key_evicted(int db, std::string_view key) override;
  void on_list_ready(int db, std::string_view key) override;
  void on_db_flushed(int db) override;
  void on_db_swapped(int a, int b) override;
  void on_keyspace_event(int db, std::string_view event, std::string_view key) override;
  // notify-keyspace-events changed (or the server starts): which classes Database::notify sends.
  void apply_notify_config();

  // WATCH bookkeeping (the transaction family).
  void watch(Session& session, std::string_view key);
  void unwatch_all(Session& session);
  bool watched_keys_expired(Session& session);
  // Marks the sessions watching key in db as changed, except where the watched key had expired
  // before it came under watch and is gone now (deleted: it is being deleted).
  void touch_watchers(int db, std::string_view key, bool deleted);
  // MULTI state cleared (DISCARD, EXEC, RESET).
  void discard_transaction(Session& session);
  // Runs the queued commands (EXEC), after the checks the transaction family makes.
  void execute_transaction(Session& session, ReplyBuilder& reply);

  void unblock(Session& session);
  // Clients in a blocking command, and clients held by CLIENT PAUSE (Redis counts those as blocked
  // too, BLOCKED_POSTPONE: its pause tests wait on INFO's blocked_clients to see them held).
  size_t blocked_count() const;
  // CLIENT UNBLOCK: ends a blocked command early with its timeout reply, or with the -UNBLOCKED
  // error. False if the session is not blocked (a paused client is not: it has not run yet).
  bool unblock_client(Session& session, bool with_error);
  // What a blocked command answers when its time is up (or CLIENT UNBLOCK TIMEOUT).
  static void send_timeout_reply(ReplyBuilder& reply, TimeoutReply kind);

  // SLOWLOG, newest first.
  const std::deque<SlowlogEntry>& slowlog() const { return slowlog_; }
  void reset_slowlog() { slowlog_.clear(); }
  // LATENCY, by event name.
  std::map<std::string, LatencySeries>& latency_events() { return latency_events_; }
  // INFO latencystats: the command's histogram, nullptr until it has run once.
  const PercentileHistogram* latency_histogram(const Command& cmd) const {
    return latency_histograms_[cmd.id].get();
  }

  // Pub/Sub: subscriptions and message delivery.
  PubSub& pubsub() { return pubsub_; }

  // MONITOR: the session receives every command others run, from now until it closes or RESETs.
  void add_monitor(Session& session);
  void remove_monitor(Session& session);

  // CLIENT PAUSE / UNPAUSE. end_ms is an absolute unix time; a pause while one is in force keeps
  // the stricter type and the later end, as Redis. Held commands run, in arrival order, once the
  // pause ends.
  void pause_clients(PauseType type, int64_t end_ms);
  void unpause_clients();
  PauseType pause_type() const { return pause_; }

  // Redis's allowProtectedAction: `mode` is no, yes or local (loopback and unix-socket clients).
  static bool protected_action_allowed(std::string_view mode, const Session& session);
  // Inside EXEC: a snapshot started now would hold part of the transaction, so persistence
  // schedules it for after (Redis's server.in_exec).
  bool in_transaction() const { return in_transaction_; }

 private:
  friend struct CommandContext;  // propagate_as fills effect_rewrite_
  // enable-debug-command: whether this client may run a kCmdProtected command.
  bool protected_command_allowed(const Session& session) const;
  // INFO commandstats for a blocking command whose block ended by timeout or CLIENT UNBLOCK.
  void count_ended_block(const Session& s, bool failed);
  void dispatch(Session& session, std::span<const std::string_view> argv, ReplyBuilder& reply,
                bool in_exec, bool reprocess);
  void reject(Session& session, ReplyBuilder& reply, std::string_view text, const Command* cmd);
  void serve_ready_keys();
  void count_error(std::string_view text);
  // Evicts if over maxmemory; kOk while loading or paused (the dataset stands still then).
  EvictionResult evict_if_needed();
  // The "evicted" keyspace events of the eviction pass that just ended.
  void send_evicted_events();
  // An exact reading for the meter (the cron's, and at CONFIG SET).
  void sync_meter();
  MemoryMeter& meter() { return meter_override_ != nullptr ? *meter_override_ : meter_; }
  // Whether a queued command of the session's transaction is flagged denyoom (EXEC's OOM check).
  bool transaction_denies_oom(const Session& session) const;
  // Whether the pause in force holds this command back (and ends an expired pause).
  bool held_by_pause(const Session& session, const Command& cmd);
  void postpone(Session& session, std::span<const std::string_view> argv);
  void resume_postponed();
  // After a command ran: the slow log, the latency monitor, percentiles and MONITOR.
  void observe_call(const CommandContext& ctx, uint64_t elapsed_us);
  void push_slowlog(const CommandContext& ctx, uint64_t elapsed_us);
  void feed_monitors(const CommandContext& ctx);

  // Error replies already counted against a command: a nested dispatch (EXEC's commands) counts
  // its own, and the command around it counts only the rest.
  uint64_t errors_attributed_ = 0;
  Config& config_;
  Store store_;
  CommandTable commands_;
  std::vector<CommandStats> command_stats_;                               // by Command::id
  std::vector<std::unique_ptr<PercentileHistogram>> latency_histograms_;  // by id, made on use
  std::deque<SlowlogEntry> slowlog_;
  uint64_t next_slowlog_id_ = 0;
  std::map<std::string, LatencySeries> latency_events_;
  std::vector<Session*> monitors_;
  PubSub pubsub_;
  std::string notify_channel_;  // on_keyspace_event's channel name, reused
  std::vector<std::pair<int, std::string>> evicted_events_;  // (db, key), sent after the pass
  PauseType pause_ = PauseType::kOff;
  int64_t pause_end_ms_ = 0;
  std::vector<uint64_t> postponed_;  // session ids, in arrival order
  bool resume_pending_ = false;      // a pause ended inside a command: resume after it
  EngineStats stats_;
  ServerInfo server_info_;
  EffectStream effects_;
  std::vector<std::string> effect_rewrite_;  // CommandContext::propagate_as's vector, reused
  std::vector<std::string_view> effect_views_;
  bool in_transaction_ = false;
  bool loading_ = false;
  std::string write_refusal_;
  EvictionParams eviction_;
  Evictor evictor_{store_};
  AllocatorMeter meter_;
  bool cron_paused_ = false;
  bool skip_checksum_validation_ = false;
  uint64_t not_counted_for_evict_ = 0;  // holes counted_memory left out at the last reading
  MemoryMeter* meter_override_ = nullptr;
  bool prompt_release_ = false;  // set_prompt_release() applied (maxmemory is set)
  std::vector<std::pair<int, std::vector<std::string>>> transaction_effects_;
  Host* host_ = nullptr;
  uint64_t next_session_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Session>> sessions_;
  int execution_depth_ = 0;

  // Blocked clients: per database, key -> sessions in arrival order.
  std::vector<std::unordered_map<std::string, std::vector<Session*>>> blocking_keys_;
  std::set<std::pair<int64_t, uint64_t>> blocked_by_deadline_;  // (deadline or INT64_MAX, id)
  std::vector<std::pair<int, std::string>> ready_keys_;
  std::unordered_set<std::string> ready_set_;  // "<db>:<key>", to queue a key once

  // WATCH: per database, key -> its watchers' records (in their sessions' lists).
  std::vector<std::unordered_map<std::string, std::vector<Session::WatchedKey*>>> watched_keys_;
  size_t watched_total_ = 0;

  // Last: it consumes the effect stream and uses the store, so it goes first.
  std::unique_ptr<Persistence> persistence_;
};

// Called once at startup: every family's register_<family>(CommandTable&).
void register_all_commands(CommandTable& table);

}  // namespace basalt
