#include "commands/engine.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <fstream>

#include "base/allocator.hpp"
#include "base/crash_report.hpp"
#include "base/strings.hpp"
#include "commands/error_texts.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"

namespace basalt {

Store& CommandContext::store() const { return engine.store(); }
Database& CommandContext::db() const { return engine.store().db(session.db); }
Config& CommandContext::config() const { return engine.config(); }
int64_t CommandContext::now_ms() const { return engine.store().now_ms(); }

void CommandContext::propagate_as(std::initializer_list<std::string_view> effect) {
  engine.effect_rewrite_.assign(effect.begin(), effect.end());
  effect_rewritten = true;
}

void CommandContext::propagate_as(std::span<const std::string_view> effect) {
  engine.effect_rewrite_.assign(effect.begin(), effect.end());
  effect_rewritten = true;
}

Engine::Engine(Config& config, const Clock& clock, uint64_t seed)
    : config_(config), store_(static_cast<int>(config.databases), clock, seed) {
  store_.set_observer(this);
  blocking_keys_.resize(store_.db_count());
  watched_keys_.resize(store_.db_count());
  register_all_commands(commands_);
  reset_command_stats();
  server_info_.start_ms = clock.now_ms();
  server_info_.start_us = clock.monotonic_us();
  persistence_ = std::make_unique<Persistence>(*this);
  apply_eviction_config();
  apply_notify_config();
}

Engine::~Engine() { store_.set_observer(nullptr); }

void Engine::reset_command_stats() {
  command_stats_.assign(commands_.id_count(), CommandStats{});
  latency_histograms_.clear();
  latency_histograms_.resize(commands_.id_count());
}

Session* Engine::open_session(Frontend frontend, ClientLink* link) {
  auto session = std::make_unique<Session>();
  session->id = next_session_id_++;
  session->frontend = frontend;
  session->link = link;
  session->authenticated = config_.requirepass.empty();
  session->created_ms = session->last_interaction_ms = store_.clock().now_ms();
  Session* raw = session.get();
  sessions_.emplace(raw->id, std::move(session));
  if (frontend != Frontend::kInternal) stats_.total_connections++;
  return raw;
}

void Engine::close_session(Session* session) {
  if (session->blocked) unblock(*session);
  if (session->monitor) remove_monitor(*session);
  pubsub_.drop(*session);
  unwatch_all(*session);
  sessions_.erase(session->id);
}

Session* Engine::find_session(uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

MemoryFigures Engine::memory() {
  MemoryFigures m;
  // Read before the stream below exists: its 8 KB buffer would count in used_memory, which the
  // eviction meter (sync_meter) does not see, so a cache at its cap read 6.6 KB over it.
  const AllocatorBytes a = allocator_bytes(/*exact=*/true);
  {
    std::ifstream statm("/proc/self/statm");
    uint64_t pages = 0, resident = 0;
    if (statm >> pages >> resident) m.rss = resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  }
  m.used = a.allocated;
  if (m.used == 0) m.used = m.rss;  // a sanitizer's allocator reports nothing
  stats_.peak_memory = std::max(stats_.peak_memory, m.used);
  m.peak = stats_.peak_memory;
  m.allocator_active = a.allocated != 0 ? a.active : m.used;
  m.allocator_resident = a.allocated != 0 ? a.resident : m.used;
  m.startup = server_info_.used_memory_startup;
  for (auto& [id, s] : sessions_) {
    if (s->link != nullptr)
      m.clients += s->link->query_buffer_bytes() + s->link->output_buffer_bytes();
  }
  for (int i = 0; i < store_.db_count(); ++i) m.tables += store_.db(i).memory_usage();
  m.tables += store_.sketch_bytes();
  m.dataset = m.used > m.overhead() ? m.used - m.overhead() : 0;
  return m;
}

size_t Engine::session_count(Frontend frontend) const {
  size_t n = 0;
  for (auto& [id, s] : sessions_) n += s->frontend == frontend;
  return n;
}

void Engine::execute(Session& session, std::span<const std::string_view> argv,
                     ReplyBuilder& reply) {
  ++execution_depth_;
  dispatch(session, argv, reply, false, false);
  if (--execution_depth_ == 0) {
    if (!ready_keys_.empty()) serve_ready_keys();
    if (resume_pending_) resume_postponed();
  }
}

void Engine::count_error(std::string_view code) {
  stats_.total_error_replies++;
  auto it = stats_.error_codes.find(std::string(code));
  if (it == stats_.error_codes.end()) {
    // Bound the table as Redis does (128 kinds), so odd error codes cannot grow it forever.
    if (stats_.error_codes.size() >= 128) return;
    stats_.error_codes.emplace(std::string(code), 1);
  } else {
    it->second++;
  }
}

void Engine::reject(Session& session, ReplyBuilder& reply, std::string_view text,
                    const Command* cmd) {
  if (cmd != nullptr) command_stats(*cmd).rejected_calls++;
  // A command refused while queueing a transaction makes EXEC fail (EXECABORT).
  if (session.in_multi) session.multi_dirty = true;
  if (cmd != nullptr && cmd->full_name == "exec") {
    // A refused EXEC ends the transaction and says why (Redis's execCommandAbort), so the client
    // is not left in MULTI waiting for an EXEC that can never succeed.
    discard_transaction(session);
    reply.error(err::exec_abort_because(text));
  } else {
    reply.error(text);
  }
  count_error(reply.last_error_code());
}

namespace {
// The HTTP read-only token runs readonly commands, plus what only shapes its own request (a
// transaction of reads, PING, SELECT). Not AUTH or HELLO: they would let it test passwords.
bool allowed_with_readonly_token(const Command& cmd) {
  if (cmd.has(kCmdReadonly)) return true;
  static constexpr std::string_view kAllowed[] = {"ping", "echo",    "select", "multi",
                                                  "exec", "discard", "watch",  "unwatch"};
  return std::find(std::begin(kAllowed), std::end(kAllowed), cmd.full_name) != std::end(kAllowed);
}
}  // namespace

bool Engine::protected_action_allowed(std::string_view mode, const Session& session) {
  if (mode == "yes") return true;
  return mode == "local" && (session.unix_socket || is_loopback_address(session.addr));
}

bool Engine::protected_command_allowed(const Session& session) const {
  return protected_action_allowed(config_.enable_debug_command, session);
}

void Engine::dispatch(Session& session, std::span<const std::string_view> argv, ReplyBuilder& reply,
                      bool in_exec, bool reprocess) {
  if (argv.empty()) return;
  const CrashContextCommand crash_context(argv);
  const Command* cmd = commands_.find(argv[0]);
  if (cmd == nullptr) {
    reject(session, reply, err::unknown_command(argv[0], argv.data() + 1, argv.size() - 1),
           nullptr);
    return;
  }
  // A container with a handler of its own (bare COMMAND) runs it when no subcommand is given.
  if (cmd->is_container() && !(argv.size() < 2 && cmd->spec.handler != nullptr)) {
    if (argv.size() < 2) {
      reject(session, reply, err::wrong_arity(cmd->full_name), cmd);
      return;
    }
    const Command* sub = cmd->find_subcommand(argv[1]);
    if (sub == nullptr) {
      reject(session, reply, err::unknown_subcommand(argv[0], argv[1]), cmd);
      return;
    }
    cmd = sub;
  }
  const CommandSpec& spec = cmd->spec;
  int argc = static_cast<int>(argv.size());
  if ((spec.arity > 0 && argc != spec.arity) || argc < -spec.arity) {
    reject(session, reply, err::wrong_arity(cmd->full_name), cmd);
    return;
  }
  if (cmd->has(kCmdProtected) && !protected_command_allowed(session)) {
    reject(session, reply, err::kDebugNotAllowed, cmd);
    return;
  }
  if (!session.authenticated && !cmd->has(kCmdNoAuth)) {
    reject(session, reply, err::kNoAuth, cmd);
    return;
  }
  if (session.readonly_only && !allowed_with_readonly_token(*cmd)) {
    reject(session, reply,
           "NOPERM this user has no permissions to run the '" + cmd->full_name + "' command", cmd);
    return;
  }
  if (loading_ && !cmd->has(kCmdLoading) && session.frontend != Frontend::kInternal) {
    reject(session, reply, err::kLoading, cmd);
    return;
  }
  // Redis's processCommand: over maxmemory, evict first. If that cannot make room, what may add
  // memory is refused: denyoom commands, EXEC of a transaction holding one, and anything queued
  // into a MULTI (queueing costs memory too). Reads and deletes go on.
  if (eviction_.maxmemory != 0 && !in_exec && !reprocess &&
      session.frontend != Frontend::kInternal && evict_if_needed() == EvictionResult::kFail) {
    const std::string& n = cmd->full_name;
    bool deny = cmd->has(kCmdDenyOom) || (n == "exec" && transaction_denies_oom(session));
    if (session.in_multi && n != "exec" && n != "discard" && n != "quit" && n != "reset") {
      deny = true;
    }
    if (deny) {
      reject(session, reply, err::kOom, cmd);
      return;
    }
  }
  // Redis refuses PING too: a health check that pings must see that writes are failing.
  if (!write_refusal_.empty() && session.frontend != Frontend::kInternal &&
      (cmd->has(kCmdWrite) || cmd->full_name == "ping")) {
    reject(session, reply, write_refusal_, cmd);
    return;
  }
  // A monitor is a replica to Redis, and replicas may not touch the keyspace.
  if (session.monitor && cmd->has(kCmdReadonly | kCmdWrite | kCmdMayReplicate)) {
    reject(session, reply, err::kReplicaKeyspace, cmd);
    return;
  }
  // A RESP2 client that subscribed reads pushes and replies on one stream that cannot tell them
  // apart, so only what keeps that stream readable may run (RESP3 marks pushes: anything goes).
  // Checked as a command arrives, not when EXEC runs what was queued before the subscription.
  if (session.protocol == 2 && session.in_pubsub() && !in_exec && !cmd->has(kCmdPubsubContext)) {
    reject(session, reply,
           "ERR Can't execute '" + cmd->full_name +
               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
               "this context",
           cmd);
    return;
  }
  // Held back before MULTI queues it, as Redis's processCommand does; EXEC's own commands and
  // re-runs of blocked ones were let through already.
  if (pause_ != PauseType::kOff && !in_exec && !reprocess && held_by_pause(session, *cmd)) {
    postpone(session, argv);
    return;
  }
  if (session.in_multi && !in_exec) {
    std::string_view n = cmd->spec.name;
    bool control = n == "exec" || n == "discard" || n == "multi" || n == "watch" || n == "quit" ||
                   n == "reset";
    if (!control) {
      if (cmd->has(kCmdNoMulti)) {
        reject(session, reply, "ERR Command not allowed inside a transaction", cmd);
        return;
      }
      session.queued.emplace_back(argv.begin(), argv.end());
      for (std::string_view a : argv) session.queued_bytes += a.size();
      reply.simple("QUEUED");
      return;
    }
  }

  // A transaction runs at EXEC's instant; everything else at its own.
  const Clock& clock = store_.clock();
  const Clock::Reading start = clock.read();
  if (!in_exec) store_.set_time(start.wall_ms);
  const int64_t start_us = start.monotonic_us;
  const uint64_t errors_before = reply.error_count();
  const uint64_t attributed_before = errors_attributed_;
  const uint64_t dirty_before = store_.dirty();
  const int db_before = session.db;
  CommandContext ctx{*this, session, reply, argv, *cmd, in_exec, reprocess};
  spec.handler(ctx);
  // The one choke point of the write-effect channel: a write that changed the keyspace is
  // recorded, in the form its handler gave if its arguments would not replay it.
  // may_replicate: a read that can still change a value (PFCOUNT caching its cardinality).
  if (cmd->has(kCmdWrite | kCmdMayReplicate) &&
      (store_.dirty() != dirty_before || ctx.effect_forced) && effects_.has_consumers()) {
    if (ctx.effect_rewritten) {
      effect_views_.assign(effect_rewrite_.begin(), effect_rewrite_.end());
      propagate(db_before, effect_views_);
    } else {
      propagate(db_before, argv);
    }
  }
  uint64_t elapsed_us = static_cast<uint64_t>(clock.monotonic_us() - start_us);
  CommandStats& cmd_stats = command_stats(*cmd);
  cmd_stats.usec += elapsed_us;
  stats_.command_latency[static_cast<size_t>(session.frontend)].observe(elapsed_us);
  if (!session.blocked) {
    cmd_stats.calls++;
    stats_.total_commands++;
  }
  // An error belongs to the innermost command that replied it, as Redis's call() attributes them:
  // EXEC does not fail, nor count again, for a queued command's error.
  const uint64_t produced = reply.error_count() - errors_before;
  const uint64_t nested = errors_attributed_ - attributed_before;
  if (produced > nested) {
    cmd_stats.failed_calls++;
    count_error(reply.last_error_code());
    errors_attributed_ += produced - nested;
  }
  observe_call(ctx, elapsed_us);
  session.last_command = cmd->full_name;
  session.last_interaction_ms = store_.now_ms();
}

// --- Slow log, latency monitor, MONITOR -------------------------------------------------------

void LatencySeries::add(int64_t now_s, uint64_t ms) {
  max_ms = std::max(max_ms, ms);
  Sample& last = samples[(next + kSamples - 1) % kSamples];
  // One sample a second: a second event in the same second only raises it.
  if (last.time_s == now_s) {
    last.ms = std::max(last.ms, ms);
    return;
  }
  samples[next] = {now_s, ms};
  next = (next + 1) % kSamples;
}

void Engine::observe_call(const CommandContext& ctx, uint64_t elapsed_us) {
  const Command& cmd = ctx.command;
  // A blocked command is measured when it is served, as Redis does.
  if (!ctx.session.blocked) {
    // The registry stores "yes" or "no": one byte tells them apart, where a string compare on
    // every command cost about 70 instructions (3% of a pipelined LPUSH).
    if (config_.latency_tracking[0] == 'y') {
      auto& histogram = latency_histograms_[cmd.id];
      if (!histogram) histogram = std::make_unique<PercentileHistogram>();
      histogram->record(static_cast<int64_t>(elapsed_us) * 1000);
    }
    if (config_.slowlog_log_slower_than >= 0 &&
        elapsed_us >= static_cast<uint64_t>(config_.slowlog_log_slower_than) &&
        !cmd.has(kCmdSkipSlowlog)) {
      push_slowlog(ctx, elapsed_us);
    }
  }
  const int64_t threshold_ms = config_.latency_monitor_threshold;
  if (threshold_ms > 0 && elapsed_us / 1000 >= static_cast<uint64_t>(threshold_ms)) {
    // Stamped when the command ended (the store's time is when it began), as Redis does.
    latency_events_[cmd.has(kCmdFast) ? "fast-command" : "command"].add(
        store_.clock().now_ms() / 1000, elapsed_us / 1000);
  }
  // Administrative commands are too sensitive to show, as in Redis; a served blocked command
  // was shown when it first ran.
  if (!monitors_.empty() && !ctx.reprocess && !cmd.has(kCmdSkipMonitor | kCmdAdmin)) {
    feed_monitors(ctx);
  }
}

namespace {
constexpr size_t kSlowlogMaxArgs = 32;
constexpr size_t kSlowlogMaxArgBytes = 128;
constexpr std::string_view kRedacted = "(redacted)";

std::string_view shown_arg(const CommandContext& ctx, size_t i) {
  return i < 32 && (ctx.redacted >> i) & 1 ? kRedacted : ctx.argv[i];
}

}  // namespace

void Engine::push_slowlog(const CommandContext& ctx, uint64_t elapsed_us) {
  SlowlogEntry e;
  e.id = next_slowlog_id_++;
  e.time_s = store_.now_ms() / 1000;
  e.duration_us = elapsed_us;
  const size_t argc = ctx.argc();
  const size_t kept = std::min(argc, kSlowlogMaxArgs);
  e.argv.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    if (kept != argc && i == kept - 1) {
      // The last slot says how much was left out.
      e.argv.push_back("... (" + std::to_string(argc - kept + 1) + " more arguments)");
      break;
    }
    std::string_view a = shown_arg(ctx, i);
    if (a.size() > kSlowlogMaxArgBytes) {
      e.argv.push_back(std::string(a.substr(0, kSlowlogMaxArgBytes)) + "... (" +
                       std::to_string(a.size() - kSlowlogMaxArgBytes) + " more bytes)");
    } else {
      e.argv.emplace_back(a);
    }
  }
  e.peer = ctx.session.addr;
  e.name = ctx.session.name;
  slowlog_.push_front(std::move(e));
  while (slowlog_.size() > static_cast<uint64_t>(config_.slowlog_max_len)) slowlog_.pop_back();
}

void Engine::feed_monitors(const CommandContext& ctx) {
  const int64_t now_us = store_.clock().now_us();
  char stamp[48];
  std::snprintf(stamp, sizeof(stamp), "%" PRId64 ".%06" PRId64 " [%d ", now_us / 1000000,
                now_us % 1000000, ctx.session.db);
  std::string line = stamp;
  line += ctx.session.addr;
  line += "] ";
  for (size_t i = 0; i < ctx.argc(); ++i) {
    if (i > 0) line.push_back(' ');
    append_repr(line, shown_arg(ctx, i));
  }
  // pushed() never closes on the spot, so monitors_ holds still while fed.
  for (Session* m : monitors_) {
    m->link->push_reply().simple(line);
    m->link->pushed();
  }
}

void Engine::add_monitor(Session& session) {
  session.monitor = true;
  monitors_.push_back(&session);
}

void Engine::remove_monitor(Session& session) {
  session.monitor = false;
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), &session), monitors_.end());
}

// --- CLIENT PAUSE ------------------------------------------------------------------------------

void Engine::pause_clients(PauseType type, int64_t end_ms) {
  if (pause_ == PauseType::kOff) {
    pause_ = type;
    pause_end_ms_ = end_ms;
  } else {
    pause_ = std::max(pause_, type);
    pause_end_ms_ = std::max(pause_end_ms_, end_ms);
  }
  store_.set_expiry_held(true);
}

void Engine::unpause_clients() {
  pause_ = PauseType::kOff;
  pause_end_ms_ = 0;
  store_.set_expiry_held(false);
  // Inside a command (CLIENT UNPAUSE) the held ones run after it, never in the middle of it.
  resume_pending_ = true;
  if (execution_depth_ == 0) resume_postponed();
}

bool Engine::held_by_pause(const Session& session, const Command& cmd) {
  if (store_.clock().now_ms() > pause_end_ms_) {
    unpause_clients();
    return false;
  }
  if (pause_ == PauseType::kAll) return true;
  // WRITE holds what could change the dataset, including an EXEC that would run a write.
  constexpr uint32_t kMayWrite = kCmdWrite | kCmdMayReplicate;
  if (cmd.has(kMayWrite)) return true;
  if (cmd.full_name != "exec" || !session.in_multi) return false;
  return std::any_of(session.queued.begin(), session.queued.end(), [&](const auto& argv) {
    const Command* queued = commands_.find(argv[0]);
    if (queued != nullptr && queued->is_container() && argv.size() > 1)
      queued = queued->find_subcommand(argv[1]);
    return queued != nullptr && queued->has(kMayWrite);
  });
}

void Engine::postpone(Session& session, std::span<const std::string_view> argv) {
  auto state = std::make_unique<BlockState>();
  state->argv.assign(argv.begin(), argv.end());
  state->db = session.db;
  state->postponed = true;
  session.blocked = std::move(state);
  postponed_.push_back(session.id);
}

size_t Engine::blocked_count() const {
  size_t held = 0;
  for (uint64_t id : postponed_) {
    auto it = sessions_.find(id);
    if (it != sessions_.end() && it->second->blocked && it->second->blocked->postponed) ++held;
  }
  return blocked_by_deadline_.size() + held;
}

void Engine::resume_postponed() {
  resume_pending_ = false;
  auto held = std::move(postponed_);
  postponed_.clear();
  for (uint64_t id : held) {
    Session* s = find_session(id);
    if (s == nullptr || !s->blocked || !s->blocked->postponed) continue;
    std::vector<std::string> argv = std::move(s->blocked->argv);
    s->blocked.reset();
    std::vector<std::string_view> views(argv.begin(), argv.end());
    ++execution_depth_;
    dispatch(*s, views, s->link->async_reply(), false, false);
    --execution_depth_;
    if (s->blocked) continue;  // held again (a stricter pause), or blocked on a key
    s->link->on_unblocked();
  }
  if (!ready_keys_.empty()) serve_ready_keys();
}

// --- Blocking --------------------------------------------------------------------------------

void Engine::block(CommandContext& ctx, std::span<const std::string_view> keys, int64_t deadline_ms,
                   TimeoutReply timeout_reply, ValueType value_type) {
  Session& s = ctx.session;
  auto state = std::make_unique<BlockState>();
  state->value_type = value_type;
  state->argv.assign(ctx.argv.begin(), ctx.argv.end());
  state->db = s.db;
  state->deadline_ms = deadline_ms;
  state->timeout_reply = timeout_reply;
  auto& by_key = blocking_keys_[s.db];
  for (std::string_view key : keys) {
    if (std::find(state->keys.begin(), state->keys.end(), key) != state->keys.end()) continue;
    state->keys.emplace_back(key);
    by_key[std::string(key)].push_back(&s);
  }
  blocked_by_deadline_.emplace(deadline_ms == 0 ? INT64_MAX : deadline_ms, s.id);
  s.blocked = std::move(state);
  stats_.blocked_clients = blocked_by_deadline_.size();
}

void Engine::unblock(Session& s) {
  if (!s.blocked) return;
  auto& by_key = blocking_keys_[s.blocked->db];
  for (const std::string& key : s.blocked->keys) {
    auto it = by_key.find(key);
    if (it == by_key.end()) continue;
    auto& waiters = it->second;
    waiters.erase(std::remove(waiters.begin(), waiters.end(), &s), waiters.end());
    if (waiters.empty()) by_key.erase(it);
  }
  int64_t d = s.blocked->deadline_ms;
  blocked_by_deadline_.erase({d == 0 ? INT64_MAX : d, s.id});
  s.blocked.reset();
  stats_.blocked_clients = blocked_by_deadline_.size();
}

int64_t Engine::next_block_deadline() const {
  int64_t d = blocked_by_deadline_.empty() ? INT64_MAX : blocked_by_deadline_.begin()->first;
  // A pause ends once its end time has passed: the timer wakes the held clients then.
  if (pause_ != PauseType::kOff) d = std::min(d, pause_end_ms_ + 1);
  return d == INT64_MAX ? 0 : d;
}

void Engine::count_ended_block(const Session& s, bool failed) {
  // Redis counts a blocking command's call when it first runs, and its failure when CLIENT
  // UNBLOCK ... ERROR ends it (updateStatsOnUnblock); Basalt counts a call when it completes, so
  // a block that ends without the command running again is counted here.
  const Command* cmd = commands_.find(s.blocked->argv.front());
  if (cmd == nullptr) return;
  CommandStats& stats = command_stats(*cmd);
  stats.calls++;
  stats_.total_commands++;
  if (failed) stats.failed_calls++;
}

bool Engine::unblock_client(Session& s, bool with_error) {
  if (!s.blocked || s.blocked->postponed) return false;
  TimeoutReply kind = s.blocked->timeout_reply;
  count_ended_block(s, with_error);
  unblock(s);
  ReplyBuilder& reply = s.link->async_reply();
  if (with_error) {
    reply.error(err::kUnblocked);
    count_error(reply.last_error_code());
  } else {
    send_timeout_reply(reply, kind);
  }
  s.link->on_unblocked();
  return true;
}

void Engine::send_timeout_reply(ReplyBuilder& reply, TimeoutReply kind) {
  switch (kind) {
    case TimeoutReply::kNullArray:
      return reply.null_array();
    case TimeoutReply::kNull:
      return reply.null();
    case TimeoutReply::kZero:
      return reply.integer(0);
  }
}

void Engine::expire_blocked_clients() {
  int64_t now = store_.clock().now_ms();
  if (pause_ != PauseType::kOff && now > pause_end_ms_) unpause_clients();
  while (!blocked_by_deadline_.empty()) {
    auto [deadline, id] = *blocked_by_deadline_.begin();
    if (deadline > now) break;
    Session* s = find_session(id);
    if (s == nullptr) {
      blocked_by_deadline_.erase(blocked_by_deadline_.begin());
      continue;
    }
    TimeoutReply kind = s->blocked->timeout_reply;
    if (!s->blocked->postponed) count_ended_block(*s, false);
    unblock(*s);
    send_timeout_reply(s->link->async_reply(), kind);
    s->link->on_unblocked();
  }
}

void Engine::on_list_ready(int db, std::string_view key) {
  auto& by_key = blocking_keys_[db];
  if (by_key.empty()) return;
  std::string k(key);
  if (by_key.find(k) == by_key.end()) return;
  std::string tag = std::to_string(db) + ":" + k;
  if (!ready_set_.insert(tag).second) return;
  ready_keys_.emplace_back(db, std::move(k));
}

void Engine::serve_ready_keys() {
  // Serving one client can make other keys ready (BLMOVE pushes), so loop until quiet.
  while (!ready_keys_.empty()) {
    auto batch = std::move(ready_keys_);
    ready_keys_.clear();
    ready_set_.clear();
    for (auto& [db, key] : batch) {
      for (;;) {
        auto it = blocking_keys_[db].find(key);
        if (it == blocking_keys_[db].end() || it->second.empty()) break;
        Entry* e = store_.db(db).find(key);
        if (e == nullptr) break;
        // First come, first served: the longest-waiting client blocked on this type re-runs its
        // command.
        const ValueType type = e->value.type();
        auto waiter = std::find_if(it->second.begin(), it->second.end(), [&](const Session* w) {
          return w->blocked->value_type == type;
        });
        if (waiter == it->second.end()) break;
        Session* s = *waiter;
        std::vector<std::string> argv = s->blocked->argv;
        unblock(*s);
        std::vector<std::string_view> views(argv.begin(), argv.end());
        ++execution_depth_;
        dispatch(*s, views, s->link->async_reply(), false, true);
        --execution_depth_;
        if (s->blocked) break;  // blocked again: nothing left for it here
        s->link->on_unblocked();
      }
    }
  }
}

// --- WATCH and transactions -----------------------------------------------------------------

void Engine::watch(Session& s, std::string_view key) {
  // The key's watchers, not the session's list, tell whether it is watched already: a client
  // watching many keys costs O(1) per WATCH and per write to one of them, not O(its keys).
  std::vector<Session::WatchedKey*>& watchers = watched_keys_[s.db][std::string(key)];
  for (const Session::WatchedKey* w : watchers) {
    if (w->session == &s) return;
  }
  Session::WatchedKey& w = s.watched.emplace_back(Session::WatchedKey{s.db, std::string(key)});
  w.session = &s;
  watchers.push_back(&w);
  s.watched_bytes += kWatchEntryOverhead + key.size();
  ++watched_total_;
}

void Engine::unwatch_all(Session& s) {
  for (auto& w : s.watched) {
    auto& by_key = watched_keys_[w.db];
    auto it = by_key.find(w.key);
    if (it == by_key.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &w), v.end());
    if (v.empty()) by_key.erase(it);
    --watched_total_;
  }
  s.watched.clear();
  s.watched_bytes = 0;
  s.watch_dirty = false;
}

bool Engine::watched_keys_expired(Session& s) {
  // A watched key whose TTL passed without anyone touching it still counts as changed.
  for (const auto& w : s.watched) {
    if (w.expired) continue;  // expired before the watch began: not a change
    Entry* e = store_.db(w.db).peek(w.key);
    if (e != nullptr && store_.db(w.db).is_expired(e)) return true;
  }
  return false;
}

void Engine::touch_watchers(int db, std::string_view key, bool deleted) {
  if (watched_total_ == 0) return;
  auto& by_key = watched_keys_[db];
  auto it = by_key.find(std::string(key));
  if (it == by_key.end()) return;
  for (Session::WatchedKey* w : it->second) {
    if (w->expired) {
      // The stale key is gone: logically nothing changed (Redis's touchWatchedKey).
      if (deleted || store_.db(db).peek(key) == nullptr) {
        w->expired = false;
        continue;
      }
    }
    w->session->watch_dirty = true;
  }
}

void Engine::on_key_modified(int db, std::string_view key) { touch_watchers(db, key, false); }

void Engine::on_db_flushed(int db) {
  if (watched_total_ == 0) return;
  for (auto& [key, watchers] : watched_keys_[db]) {
    const bool present = store_.db(db).peek(key) != nullptr;
    for (Session::WatchedKey* w : watchers) {
      if (w->expired) {
        w->expired = false;  // the stale key goes with the flush: no change
      } else if (present) {
        w->session->watch_dirty = true;
      }
    }
  }
}

// Redis's touchAllWatchedKeysInDb for each side: a watched key is changed when a live key
// appears, goes or is replaced; a stale (expired) key replacing nothing, or another stale key,
// is no change, and is remembered as stale so that its expiry is not one either.
void Engine::on_db_swapped(int a, int b) {
  if (watched_total_ == 0) return;
  for (const auto& [db, other] : {std::pair{a, b}, std::pair{b, a}}) {
    for (auto& [key, watchers] : watched_keys_[db]) {
      Database& now_db = store_.db(db);
      Entry* now = now_db.peek(key);
      Entry* before = store_.db(other).peek(key);  // this db's content before the swap
      if (now == nullptr && before == nullptr) continue;
      const bool now_stale = now != nullptr && now_db.is_expired(now);
      for (Session::WatchedKey* w : watchers) {
        if (w->expired) {
          if (now == nullptr) {
            w->expired = false;
            continue;
          }
          if (now_stale) continue;
        } else if (before == nullptr && now_stale) {
          w->expired = true;
          continue;
        }
        w->session->watch_dirty = true;
      }
    }
  }
}

void Engine::discard_transaction(Session& s) {
  s.in_multi = false;
  s.multi_dirty = false;
  s.queued.clear();
  s.queued_bytes = 0;
  unwatch_all(s);
}

void Engine::execute_transaction(Session& s, ReplyBuilder& reply) {
  auto queued = std::move(s.queued);
  discard_transaction(s);
  reply.array(queued.size());
  std::vector<std::string_view> views;
  in_transaction_ = true;
  transaction_effects_.clear();
  for (auto& argv : queued) {
    views.assign(argv.begin(), argv.end());
    dispatch(s, views, reply, true, false);
  }
  in_transaction_ = false;
  // One write is atomic on its own; several are wrapped so that a replica or the AOF applies
  // them together (Redis 7's propagatePendingCommands).
  const bool wrap = transaction_effects_.size() > 1;
  if (wrap) effects_.emit(transaction_effects_.front().first, {"MULTI"});
  for (auto& [db, effect] : transaction_effects_) {
    views.assign(effect.begin(), effect.end());
    effects_.emit(db, views);
  }
  if (wrap) effects_.emit(transaction_effects_.back().first, {"EXEC"});
  transaction_effects_.clear();
}

void Engine::propagate(int db, std::span<const std::string_view> argv) {
  if (in_transaction_) {
    transaction_effects_.emplace_back(db, std::vector<std::string>(argv.begin(), argv.end()));
    return;
  }
  effects_.emit(db, argv);
}

void Engine::apply_notify_config() {
  store_.set_notify_flags(notify_flags_from(config_.notify_keyspace_events));
}

void Engine::on_keyspace_event(int db, std::string_view event, std::string_view key) {
  // Redis's notifyKeyspaceEvent: the key's channel carries the event, the event's the key.
  if (pubsub_.empty()) return;
  const uint32_t flags = store_.notify_flags();
  const std::string db_part = std::to_string(db) + "__:";
  if ((flags & kNotifyKeyspace) != 0) {
    notify_channel_.assign("__keyspace@").append(db_part).append(key);
    pubsub_.publish(notify_channel_, event);
  }
  if ((flags & kNotifyKeyevent) != 0) {
    notify_channel_.assign("__keyevent@").append(db_part).append(event);
    pubsub_.publish(notify_channel_, key);
  }
}

void Engine::on_key_evicted(int db, std::string_view key) {
  // Sent once the eviction pass is done (send_evicted_events): delivering it now would grow
  // subscribers' buffers inside the pass's measurement of what the deletion freed.
  if ((store_.notify_flags() & kNotifyEvicted) != 0 && !pubsub_.empty()) {
    evicted_events_.emplace_back(db, std::string(key));
  }
  touch_watchers(db, key, /*deleted=*/true);
  // As Redis's performEvictions: a replica or the AOF must lose the key too.
  if (effects_.has_consumers()) propagate(db, {"DEL", key});
}

void Engine::on_key_expired(int db, std::string_view key) {
  store_.db(db).notify(kNotifyExpired, "expired", key);
  touch_watchers(db, key, /*deleted=*/true);
  // Redis propagates expiry as DEL, so a replica or the AOF never depends on its own clock.
  if (effects_.has_consumers()) propagate(db, {"DEL", key});
}

// --- Background -------------------------------------------------------------------------------

void Engine::cron() {
  // Redis gives active expiry 25% of each cron period.
  int64_t period_us = 1'000'000 / std::max<int64_t>(config_.hz, 1);
  // A pause holds expiry too: replicas and failovers rely on the dataset standing still.
  if (pause_ != PauseType::kOff && store_.clock().now_ms() > pause_end_ms_) unpause_clients();
  if (pause_ == PauseType::kOff) store_.active_expire_cycle(period_us / 4);
  // activerehashing no leaves resizes to the incremental steps of writes, as in Redis.
  store_.rehash_cycle(config_.activerehashing == "yes" ? 1000 : 0);
  if (!ready_keys_.empty()) serve_ready_keys();
  persistence_->cron();
  stats_.peak_memory = std::max(stats_.peak_memory, allocated_bytes());
  if (eviction_.maxmemory != 0) {
    // Before the meter's reading, so that a resized sketch's bytes count from now on.
    store_.fit_sketch();
    sync_meter();
    evict_step();
  }
}

// --- maxmemory ---------------------------------------------------------------------------------

void AllocatorMeter::sync(uint64_t exact_used) {
  base_ = exact_used;
  const ThreadAllocation t = thread_allocation();
  allocated_at_sync_ = t.allocated;
  deallocated_at_sync_ = t.deallocated;
}

uint64_t AllocatorMeter::used() {
  const ThreadAllocation t = thread_allocation();
  const int64_t delta = static_cast<int64_t>(t.allocated - allocated_at_sync_) -
                        static_cast<int64_t>(t.deallocated - deallocated_at_sync_);
  const int64_t v = static_cast<int64_t>(base_) + delta;
  return v > 0 ? static_cast<uint64_t>(v) : 0;
}

void Engine::apply_eviction_config() {
  // Not eviction, but applied on the same occasions (start-up and every CONFIG SET).
  List::set_node_size(config_.list_max_listpack_size);
  EvictionParams p;
  p.maxmemory = static_cast<uint64_t>(std::max<int64_t>(config_.maxmemory, 0));
  p.policy = parse_eviction_policy(config_.maxmemory_policy).value_or(EvictionPolicy::kNoEviction);
  p.samples = static_cast<int>(std::clamp<int64_t>(config_.maxmemory_samples, 1, INT_MAX));
  p.tenacity = static_cast<int>(std::clamp<int64_t>(config_.maxmemory_eviction_tenacity, 0, 100));
  eviction_ = p;
  store_.set_access_policy(policy_is_lfu(p.policy), config_.lfu_log_factor, config_.lfu_decay_time);
  store_.set_frequency_sketch(policy_is_lfu(p.policy) && p.maxmemory != 0);
  // Redis's dictExpandAllowed holds a table at its cap back only when its doubling would pass
  // maxmemory; here any capped table waits. A cache spends the cap on keys: at 64 MB of 100-byte
  // values, 3.4% more keys, a third of a point of hit ratio under LRU and a sixth under LFU
  // (bench/compare-cache, README's Benchmarks).
  store_.set_dense_tables(p.maxmemory != 0);
  if ((p.maxmemory != 0) != prompt_release_) {
    prompt_release_ = p.maxmemory != 0;
    set_prompt_release(prompt_release_);
  }
  if (p.maxmemory != 0) {
    sync_meter();
    evict_if_needed();
  } else {
    not_counted_for_evict_ = 0;
  }
}

void Engine::sync_meter() {
  // Exact, as INFO's used_memory: blocks freed into the loop thread's cache would otherwise count
  // (a closed client's 16 KB buffers), and under a cap a little above used_memory (Redis's
  // unit/maxmemory sets 100 KB above it) they alone put an empty server over it.
  const AllocatorBytes bytes = allocator_bytes(/*exact=*/true);
  if (bytes.active == 0) {
    not_counted_for_evict_ = 0;
    meter_.sync(memory().used);
    return;
  }
  const uint64_t counted = counted_memory(bytes.active, bytes.allocated, eviction_.maxmemory);
  not_counted_for_evict_ = bytes.active - counted;
  meter_.sync(counted);
}

EvictionResult Engine::evict_if_needed() {
  if (loading_ || pause_ != PauseType::kOff) return EvictionResult::kOk;
  const EvictionResult result = evictor_.perform(eviction_, meter());
  if (!evicted_events_.empty()) send_evicted_events();
  return result;
}

void Engine::send_evicted_events() {
  const auto events = std::move(evicted_events_);
  evicted_events_.clear();
  for (const auto& [db, key] : events) store_.db(db).notify(kNotifyEvicted, "evicted", key);
}

void Engine::evict_step() {
  if (!evictor_.pending() && eviction_.maxmemory == 0) return;
  store_.refresh_time();
  evict_if_needed();
}

bool Engine::transaction_denies_oom(const Session& session) const {
  for (const auto& argv : session.queued) {
    if (argv.empty()) continue;
    const Command* c = commands_.find(argv[0]);
    if (c == nullptr) continue;
    if (c->is_container() && argv.size() > 1) {
      if (const Command* sub = c->find_subcommand(argv[1])) c = sub;
    }
    if (c->has(kCmdDenyOom)) return true;
  }
  return false;
}

}  // namespace basalt
