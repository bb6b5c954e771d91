#include "commands/engine.hpp"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <fstream>

#include "base/allocator.hpp"
#include "base/strings.hpp"
#include "commands/errors.hpp"

namespace basalt {

Store& CommandContext::store() const { return engine.store(); }
Database& CommandContext::db() const { return engine.store().db(session.db); }
Config& CommandContext::config() const { return engine.config(); }
int64_t CommandContext::now_ms() const { return engine.store().now_ms(); }

Engine::Engine(Config& config, const Clock& clock, uint64_t seed)
    : config_(config), store_(static_cast<int>(config.databases), clock, seed) {
  store_.set_observer(this);
  blocking_keys_.resize(store_.db_count());
  watched_keys_.resize(store_.db_count());
  register_all_commands(commands_);
  reset_command_stats();
  server_info_.start_ms = clock.now_ms();
  server_info_.start_us = clock.monotonic_us();
}

Engine::~Engine() { store_.set_observer(nullptr); }

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
  unwatch_all(*session);
  sessions_.erase(session->id);
}

Session* Engine::find_session(uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

MemoryFigures Engine::memory() const {
  MemoryFigures m;
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  if (statm >> pages >> resident) m.rss = resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  m.used = allocated_bytes();
  if (m.used == 0) m.used = m.rss;  // a sanitizer's allocator reports nothing
  m.startup = server_info_.used_memory_startup;
  for (auto& [id, s] : sessions_) {
    if (s->link != nullptr)
      m.clients += s->link->query_buffer_bytes() + s->link->output_buffer_bytes();
  }
  uint64_t overhead = m.startup + m.clients;
  m.dataset = m.used > overhead ? m.used - overhead : 0;
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
  if (--execution_depth_ == 0 && !ready_keys_.empty()) serve_ready_keys();
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

bool Engine::protected_command_allowed(const Session& session) const {
  const std::string& mode = config_.enable_debug_command;
  if (mode == "yes") return true;
  return mode == "local" && is_loopback_address(session.addr);
}

void Engine::dispatch(Session& session, std::span<const std::string_view> argv, ReplyBuilder& reply,
                      bool in_exec, bool reprocess) {
  if (argv.empty()) return;
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
      reply.simple("QUEUED");
      return;
    }
  }

  // A transaction runs at EXEC's instant; everything else at its own.
  const Clock& clock = store_.clock();
  const Clock::Reading start = clock.read();
  if (!in_exec) store_.set_time(start.wall_ms);
  const int64_t start_us = start.monotonic_us;
  uint64_t errors_before = reply.error_count();
  CommandContext ctx{*this, session, reply, argv, *cmd, in_exec, reprocess};
  spec.handler(ctx);
  uint64_t elapsed_us = static_cast<uint64_t>(clock.monotonic_us() - start_us);
  CommandStats& cmd_stats = command_stats(*cmd);
  cmd_stats.usec += elapsed_us;
  stats_.command_latency[static_cast<size_t>(session.frontend)].observe(elapsed_us);
  if (!session.blocked) {
    cmd_stats.calls++;
    stats_.total_commands++;
  }
  if (reply.error_count() != errors_before) {
    cmd_stats.failed_calls++;
    count_error(reply.last_error_code());
  }
  session.last_command = cmd->full_name;
  session.last_interaction_ms = store_.now_ms();
}

// --- Blocking --------------------------------------------------------------------------------

void Engine::block(CommandContext& ctx, std::span<const std::string_view> keys, int64_t deadline_ms,
                   TimeoutReply timeout_reply) {
  Session& s = ctx.session;
  auto state = std::make_unique<BlockState>();
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
  if (blocked_by_deadline_.empty()) return 0;
  int64_t d = blocked_by_deadline_.begin()->first;
  return d == INT64_MAX ? 0 : d;
}

void Engine::expire_blocked_clients() {
  int64_t now = store_.clock().now_ms();
  while (!blocked_by_deadline_.empty()) {
    auto [deadline, id] = *blocked_by_deadline_.begin();
    if (deadline > now) break;
    Session* s = find_session(id);
    if (s == nullptr) {
      blocked_by_deadline_.erase(blocked_by_deadline_.begin());
      continue;
    }
    TimeoutReply kind = s->blocked->timeout_reply;
    unblock(*s);
    ReplyBuilder& reply = s->link->async_reply();
    if (kind == TimeoutReply::kNullArray) {
      reply.null_array();
    } else {
      reply.null();
    }
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
        if (e == nullptr || !e->value.is_list()) break;
        // First come, first served: the longest-waiting client re-runs its command.
        Session* s = it->second.front();
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
  for (auto& [db, k] : s.watched) {
    if (db == s.db && k == key) return;
  }
  s.watched.emplace_back(s.db, std::string(key));
  watched_keys_[s.db][std::string(key)].push_back(&s);
  ++watched_total_;
}

void Engine::unwatch_all(Session& s) {
  for (auto& [db, key] : s.watched) {
    auto& by_key = watched_keys_[db];
    auto it = by_key.find(key);
    if (it == by_key.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &s), v.end());
    if (v.empty()) by_key.erase(it);
    --watched_total_;
  }
  s.watched.clear();
  s.watch_dirty = false;
}

bool Engine::watched_keys_expired(Session& s) {
  // A watched key whose TTL passed without anyone touching it still counts as changed.
  for (auto& [db, key] : s.watched) {
    Entry* e = store_.db(db).peek(key);
    if (e != nullptr && store_.db(db).is_expired(e)) return true;
  }
  return false;
}

void Engine::on_key_modified(int db, std::string_view key) {
  if (watched_total_ == 0) return;
  auto& by_key = watched_keys_[db];
  auto it = by_key.find(std::string(key));
  if (it == by_key.end()) return;
  for (Session* s : it->second) s->watch_dirty = true;
}

void Engine::on_db_flushed(int db) {
  if (watched_total_ == 0) return;
  for (auto& [key, sessions] : watched_keys_[db]) {
    if (store_.db(db).peek(key) == nullptr) continue;
    for (Session* s : sessions) s->watch_dirty = true;
  }
}

void Engine::discard_transaction(Session& s) {
  s.in_multi = false;
  s.multi_dirty = false;
  s.queued.clear();
  unwatch_all(s);
}

void Engine::execute_transaction(Session& s, ReplyBuilder& reply) {
  auto queued = std::move(s.queued);
  discard_transaction(s);
  reply.array(queued.size());
  std::vector<std::string_view> views;
  for (auto& argv : queued) {
    views.assign(argv.begin(), argv.end());
    dispatch(s, views, reply, true, false);
  }
}

// --- Background -------------------------------------------------------------------------------

void Engine::cron() {
  // Redis gives active expiry 25% of each cron period.
  int64_t period_us = 1'000'000 / std::max<int64_t>(config_.hz, 1);
  store_.active_expire_cycle(period_us / 4);
  store_.rehash_cycle(1000);
  if (!ready_keys_.empty()) serve_ready_keys();
}

}  // namespace basalt
