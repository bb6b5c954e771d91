// The connection family: PING, ECHO, HELLO, AUTH, SELECT, RESET, QUIT and the CLIENT container.
// These commands act on the calling session (protocol, database, name, authentication) or, for
// CLIENT LIST/KILL/UNBLOCK/PAUSE, on the engine's sessions; none of them touches the keyspace.

#include <algorithm>
#include <climits>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.hpp"
#include "commands/arg_parser.hpp"
#include "commands/command_docs.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"

namespace basalt {

namespace {

// --- Authentication ----------------------------------------------------------------------------

// Compares the password a client sent with the configured one. The time taken depends only on
// the length of what the client sent (which it knows anyway), never on the secret's length or on
// how many leading bytes were right, so reply timing cannot be used to guess it byte by byte.
bool secrets_equal(std::string_view given, std::string_view secret) {
  // volatile keeps the compiler from turning the loop into an early-exit comparison.
  volatile unsigned char diff = given.size() == secret.size() ? 0 : 1;
  const size_t n = secret.size();
  for (size_t i = 0; i < given.size(); ++i) {
    unsigned char s = n == 0 ? 0 : static_cast<unsigned char>(secret[i % n]);
    diff = diff | static_cast<unsigned char>(static_cast<unsigned char>(given[i]) ^ s);
  }
  return diff == 0;
}

// Redis's ACLAuthenticateUser for the one user Basalt has: "default", whose password is
// requirepass. With no requirepass the default user is "nopass" and any password is accepted,
// as in Redis. A failed attempt leaves an authenticated session authenticated.
bool authenticate(CommandContext& ctx, std::string_view user, std::string_view password) {
  if (user != "default") return false;
  const std::string& required = ctx.config().requirepass;
  if (!required.empty() && !secrets_equal(password, required)) return false;
  ctx.session.authenticated = true;
  return true;
}

// --- Client names and attributes ---------------------------------------------------------------

// CLIENT LIST must stay splittable on spaces, so names and library attributes are limited to
// printable ASCII without spaces ('!'..'~'), as Redis's validateClientAttr.
bool valid_client_attr(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '!' && c <= '~'; });
}

// An empty name removes the current one, as in Redis.
bool set_client_name_or_reply(CommandContext& ctx, std::string_view name) {
  if (!valid_client_attr(name)) {
    ctx.reply.error(err::kClientNameInvalid);
    return false;
  }
  ctx.session.name.assign(name);
  return true;
}

// --- CLIENT LIST / INFO ------------------------------------------------------------------------

// Redis's client types. Basalt has no replicas or masters, so those names are valid filters that
// match nobody; a subscribed client is of type pubsub (Redis's getClientType).
enum class ClientType { kNormal, kReplica, kMaster, kPubsub };

std::optional<ClientType> parse_client_type(std::string_view name) {
  if (iequals(name, "normal")) return ClientType::kNormal;
  if (iequals(name, "slave") || iequals(name, "replica")) return ClientType::kReplica;
  if (iequals(name, "master")) return ClientType::kMaster;
  if (iequals(name, "pubsub")) return ClientType::kPubsub;
  return std::nullopt;
}

ClientType client_type(const Session& s) {
  return s.in_pubsub() ? ClientType::kPubsub : ClientType::kNormal;
}

// Sessions that are real clients: internal sessions (no connection behind them) are as invisible
// to CLIENT LIST and KILL as Redis's fake clients (Lua, AOF loading) are.
bool is_listed(const Session& s) { return s.frontend != Frontend::kInternal && s.link != nullptr; }

// Listed sessions in creation order, which is the order Redis lists its clients in.
std::vector<Session*> listed_sessions(Engine& engine) {
  std::vector<Session*> out;
  engine.for_each_session([&](Session& s) {
    if (is_listed(s)) out.push_back(&s);
  });
  std::sort(out.begin(), out.end(), [](Session* a, Session* b) { return a->id < b->id; });
  return out;
}

size_t args_bytes(const std::vector<std::string>& argv) {
  size_t n = 0;
  for (const std::string& a : argv) n += a.size();
  return n;
}

// One CLIENT LIST line, fields in Redis 7's order so tools that parse it positionally or by name
// (redis-cli, client libraries, monitoring agents) find them where they expect. Fields for
// features Basalt lacks (tracking, reply buffers) keep their idle values. lib-name and
// lib-ver come from Redis 7.2, where CLIENT SETINFO appeared; without them SETINFO would store
// values nothing can read.
std::string client_info_line(const CommandContext& ctx, const Session& s) {
  const bool self = &s == &ctx.session;
  const int64_t now_s = ctx.now_ms() / 1000;
  std::string flags;
  if (s.monitor) flags += 'O';
  if (s.in_pubsub()) flags += 'P';
  if (s.in_multi) flags += 'x';
  if (s.blocked) flags += 'b';
  if (s.watch_dirty) flags += 'd';
  if (s.close_after_reply) flags += 'c';
  if (s.unix_socket) flags += 'U';
  if (s.no_evict) flags += 'e';
  // push_back, not = "N": GCC 12 at -O3 reports a false -Wrestrict on the assignment (GCC bug
  // 105329), which -Werror turns into a failed Release build.
  if (flags.empty()) flags.push_back('N');

  // The calling client is mid-command: Redis shows its arguments' size, no idle time, and the
  // command being run rather than the previous one.
  size_t argv_mem = 0;
  if (self) {
    for (std::string_view a : ctx.argv) argv_mem += a.size();
  } else if (s.blocked) {
    argv_mem = args_bytes(s.blocked->argv);
  }
  const size_t multi_mem = s.queued_bytes;
  size_t qbuf = s.link != nullptr ? s.link->query_buffer_bytes() : 0;
  size_t qbuf_free = s.link != nullptr ? s.link->query_buffer_free() : 0;
  size_t omem = s.link != nullptr ? s.link->output_buffer_bytes() : 0;
  int64_t idle = self ? 0 : now_s - s.last_interaction_ms / 1000;
  std::string_view cmd = s.last_command;
  if (self) cmd = ctx.in_exec ? std::string_view("exec") : std::string_view(ctx.command.full_name);

  std::string line;
  line.reserve(320);
  auto field = [&line](std::string_view name, std::string_view value) {
    if (!line.empty()) line += ' ';
    line += name;
    line += '=';
    line += value;
  };
  auto num = [&field](std::string_view name, int64_t v) { field(name, int64_to_string(v)); };
  num("id", static_cast<int64_t>(s.id));
  field("addr", s.addr);
  field("laddr", s.laddr);
  num("fd", s.fd);
  field("name", s.name);
  num("age", now_s - s.created_ms / 1000);
  num("idle", idle);
  field("flags", flags);
  num("db", s.db);
  const Subscriptions* subs = s.subscriptions.get();
  num("sub", subs != nullptr ? static_cast<int64_t>(subs->channels.size()) : 0);
  num("psub", subs != nullptr ? static_cast<int64_t>(subs->patterns.size()) : 0);
  num("ssub", subs != nullptr ? static_cast<int64_t>(subs->shard_channels.size()) : 0);
  num("multi", s.in_multi ? static_cast<int64_t>(s.queued.size()) : -1);
  num("qbuf", static_cast<int64_t>(qbuf));
  num("qbuf-free", static_cast<int64_t>(qbuf_free));
  num("argv-mem", static_cast<int64_t>(argv_mem));
  num("multi-mem", static_cast<int64_t>(multi_mem));
  num("rbs", 0);
  num("rbp", 0);
  num("obl", 0);
  num("oll", 0);
  num("omem", static_cast<int64_t>(omem));
  num("tot-mem", static_cast<int64_t>(qbuf + qbuf_free + argv_mem + omem + s.state_bytes()));
  field("events", "r");
  field("cmd", cmd);
  field("user", "default");
  num("redir", -1);
  num("resp", s.protocol);
  field("lib-name", s.lib_name);
  field("lib-ver", s.lib_ver);
  return line;
}

// --- Handlers ----------------------------------------------------------------------------------

// PING [message]
void cmd_ping(CommandContext& ctx) {
  // The arity allows any count so the error names the command the way Redis's pingCommand does.
  if (ctx.argc() > 2) {
    ctx.reply.error(err::wrong_arity(ctx.command.full_name));
    return;
  }
  // A subscribed RESP2 client reads every reply as a message: PING answers in a message's shape.
  if (ctx.session.in_pubsub() && ctx.reply.protocol() == 2) {
    ctx.reply.array(2);
    ctx.reply.bulk("pong");
    ctx.reply.bulk(ctx.argc() == 1 ? std::string_view() : ctx.arg(1));
    return;
  }
  if (ctx.argc() == 1) {
    ctx.reply.simple("PONG");
  } else {
    ctx.reply.bulk(ctx.arg(1));
  }
}

// ECHO message
void cmd_echo(CommandContext& ctx) { ctx.reply.bulk(ctx.arg(1)); }

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void cmd_hello(CommandContext& ctx) {
  int64_t protocol = 0;  // 0: keep the current one
  size_t i = 1;
  if (ctx.argc() >= 2) {
    auto v = parse_int64(ctx.arg(1));
    if (!v) {
      ctx.reply.error(err::kProtoNotInteger);
      return;
    }
    if (*v < 2 || *v > 3) {
      ctx.reply.error(err::kNoProto);
      return;
    }
    protocol = *v;
    i = 2;
  }
  std::optional<std::string_view> user, password, name;
  for (; i < ctx.argc(); ++i) {
    size_t more = ctx.argc() - 1 - i;
    std::string_view opt = ctx.arg(i);
    if (iequals(opt, "auth") && more >= 2) {
      if (i + 2 < 32) ctx.redacted |= (1u << (i + 1)) | (1u << (i + 2));
      user = ctx.arg(i + 1);
      password = ctx.arg(i + 2);
      i += 2;
    } else if (iequals(opt, "setname") && more >= 1) {
      name = ctx.arg(++i);
    } else {
      ctx.reply.error(err::hello_syntax(opt));
      return;
    }
  }

  // Redis's order: authenticate first, so a bad SETNAME still leaves the client authenticated.
  if (user && !authenticate(ctx, *user, *password)) {
    ctx.reply.error(err::kWrongPass);
    return;
  }
  if (!ctx.session.authenticated) {
    ctx.reply.error(err::kHelloNoAuth);
    return;
  }
  if (name && !set_client_name_or_reply(ctx, *name)) return;
  // Switched before replying: the reply to HELLO 3 is already a RESP3 map.
  if (protocol != 0) ctx.session.protocol = static_cast<int>(protocol);

  // Basalt introduces itself as Redis: client libraries and tools read "server" and "version"
  // to decide which features to use (RESP3 push handling, 7.x command forms), and the command
  // table mirrors Redis 7.0, so the version is the one it was generated from. Nothing is added
  // to the map, because some clients reject unknown fields.
  ctx.reply.map(7);
  ctx.reply.bulk("server");
  ctx.reply.bulk("redis");
  ctx.reply.bulk("version");
  ctx.reply.bulk(docs::docs_redis_version());
  ctx.reply.bulk("proto");
  ctx.reply.integer(ctx.session.protocol);
  ctx.reply.bulk("id");
  ctx.reply.integer(static_cast<int64_t>(ctx.session.id));
  ctx.reply.bulk("mode");
  ctx.reply.bulk("standalone");
  ctx.reply.bulk("role");
  ctx.reply.bulk("master");
  ctx.reply.bulk("modules");
  ctx.reply.array(0);
}

// AUTH [username] password
void cmd_auth(CommandContext& ctx) {
  // Passwords never reach the slow log or MONITOR, whatever the outcome.
  ctx.redacted = ctx.argc() > 3 ? 0 : ~uint32_t{1} & ((1u << ctx.argc()) - 1);
  if (ctx.argc() > 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  std::string_view user = "default";
  std::string_view password;
  if (ctx.argc() == 2) {
    // The one-argument form keeps its pre-ACL error when there is nothing to authenticate
    // against; the two-argument form succeeds then (the default user has no password).
    if (ctx.config().requirepass.empty()) {
      ctx.reply.error(err::kAuthNotConfigured);
      return;
    }
    password = ctx.arg(1);
  } else {
    user = ctx.arg(1);
    password = ctx.arg(2);
  }
  if (authenticate(ctx, user, password)) {
    ctx.reply.ok();
  } else {
    ctx.reply.error(err::kWrongPass);
  }
}

// SELECT index
void cmd_select(CommandContext& ctx) {
  auto id = parse_int64(ctx.arg(1));
  if (!id) {
    ctx.reply.error(err::kNotInteger);
    return;
  }
  if (*id < INT_MIN || *id > INT_MAX) {
    ctx.reply.error(err::kIntRange);
    return;
  }
  if (*id < 0 || *id >= ctx.store().db_count()) {
    ctx.reply.error(err::kDbIndexOutOfRange);
    return;
  }
  ctx.session.db = static_cast<int>(*id);
  ctx.reply.ok();
}

// RESET
void cmd_reset(CommandContext& ctx) {
  // Back to the state of a new connection (Redis's clearClientConnectionState). The library
  // name and version survive, as in Redis: they describe the client, not the connection state.
  Session& s = ctx.session;
  ctx.engine.discard_transaction(s);  // also forgets WATCHed keys
  if (s.monitor) ctx.engine.remove_monitor(s);
  ctx.engine.pubsub().drop(s);
  s.replies_off = false;  // as Redis: CLIENT REPLY OFF ends, a SKIP under way still applies
  s.db = 0;
  s.protocol = 2;
  s.authenticated = ctx.config().requirepass.empty();
  s.name.clear();
  ctx.reply.simple("RESET");
}

// QUIT
void cmd_quit(CommandContext& ctx) {
  // The front end flushes this reply, then closes.
  ctx.session.close_after_reply = true;
  ctx.reply.ok();
}

// CLIENT ID
void cmd_client_id(CommandContext& ctx) { ctx.reply.integer(static_cast<int64_t>(ctx.session.id)); }

// CLIENT GETNAME
void cmd_client_getname(CommandContext& ctx) {
  if (ctx.session.name.empty()) {
    ctx.reply.null();
  } else {
    ctx.reply.bulk(ctx.session.name);
  }
}

// CLIENT SETNAME connection-name
void cmd_client_setname(CommandContext& ctx) {
  if (set_client_name_or_reply(ctx, ctx.arg(2))) ctx.reply.ok();
}

// CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>
void cmd_client_setinfo(CommandContext& ctx) {
  // From Redis 7.2: client libraries send it right after connecting, so it must not fail.
  std::string_view attr = ctx.arg(2);
  std::string* dest = nullptr;
  if (iequals(attr, "lib-name")) {
    dest = &ctx.session.lib_name;
  } else if (iequals(attr, "lib-ver")) {
    dest = &ctx.session.lib_ver;
  } else {
    ctx.reply.error(err::unrecognized_option(attr));
    return;
  }
  if (!valid_client_attr(ctx.arg(3))) {
    ctx.reply.error(err::client_attr_invalid(attr));
    return;
  }
  dest->assign(ctx.arg(3));
  ctx.reply.ok();
}

// CLIENT INFO
void cmd_client_info(CommandContext& ctx) {
  ctx.reply.verbatim("txt", client_info_line(ctx, ctx.session) + "\n");
}

// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]
void cmd_client_list(CommandContext& ctx) {
  // Redis 7.0 takes either one TYPE filter or an ID list, not both.
  std::optional<ClientType> type;
  std::vector<int64_t> ids;
  bool by_id = false;
  if (ctx.argc() == 4 && iequals(ctx.arg(2), "type")) {
    type = parse_client_type(ctx.arg(3));
    if (!type) {
      ctx.reply.error(err::unknown_client_type(ctx.arg(3)));
      return;
    }
  } else if (ctx.argc() > 3 && iequals(ctx.arg(2), "id")) {
    by_id = true;
    for (size_t i = 3; i < ctx.argc(); ++i) {
      auto id = parse_int64(ctx.arg(i));
      if (!id) {
        ctx.reply.error(err::kInvalidClientId);
        return;
      }
      ids.push_back(*id);
    }
  } else if (ctx.argc() != 2) {
    ctx.reply.error(err::kSyntax);
    return;
  }

  std::string out;
  if (by_id) {
    // In argument order, a repeated ID listed again, as Redis does.
    for (int64_t id : ids) {
      Session* s = id > 0 ? ctx.engine.find_session(static_cast<uint64_t>(id)) : nullptr;
      if (s == nullptr || !is_listed(*s)) continue;
      out += client_info_line(ctx, *s);
      out += '\n';
    }
  } else {
    for (Session* s : listed_sessions(ctx.engine)) {
      if (type && *type != client_type(*s)) continue;
      out += client_info_line(ctx, *s);
      out += '\n';
    }
  }
  ctx.reply.verbatim("txt", out);
}

// CLIENT KILL ip:port
// CLIENT KILL [ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] [USER username]
//             [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no] ...
void cmd_client_kill(CommandContext& ctx) {
  struct Filter {
    std::optional<std::string_view> addr, laddr;
    std::optional<ClientType> type;
    uint64_t id = 0;  // 0: any
    bool skipme = true;
  } f;
  const bool old_form = ctx.argc() == 3;
  if (old_form) {
    f.addr = ctx.arg(2);
    f.skipme = false;  // the old form may kill the caller itself
  } else {
    for (size_t i = 2; i < ctx.argc(); i += 2) {
      std::string_view opt = ctx.arg(i);
      bool more = i + 1 < ctx.argc();
      std::string_view value = more ? ctx.arg(i + 1) : std::string_view();
      if (iequals(opt, "id") && more) {
        auto id = parse_int64(value);
        if (!id || *id < 1) {
          ctx.reply.error(err::kClientIdNotPositive);
          return;
        }
        f.id = static_cast<uint64_t>(*id);
      } else if (iequals(opt, "type") && more) {
        f.type = parse_client_type(value);
        if (!f.type) {
          ctx.reply.error(err::unknown_client_type(value));
          return;
        }
      } else if (iequals(opt, "addr") && more) {
        f.addr = value;
      } else if (iequals(opt, "laddr") && more) {
        f.laddr = value;
      } else if (iequals(opt, "user") && more) {
        // Every client is the default user: that name matches all of them, others none exist.
        if (value != "default") {
          ctx.reply.error(err::no_such_user(value));
          return;
        }
      } else if (iequals(opt, "skipme") && more) {
        if (iequals(value, "yes")) {
          f.skipme = true;
        } else if (iequals(value, "no")) {
          f.skipme = false;
        } else {
          ctx.reply.error(err::kSyntax);
          return;
        }
      } else {
        ctx.reply.error(err::kSyntax);
        return;
      }
    }
  }

  std::vector<Session*> victims;
  bool kill_self = false;
  for (Session* s : listed_sessions(ctx.engine)) {
    if (f.addr && s->addr != *f.addr) continue;
    if (f.laddr && s->laddr != *f.laddr) continue;
    if (f.type && *f.type != client_type(*s)) continue;
    if (f.id != 0 && s->id != f.id) continue;
    if (s == &ctx.session) {
      if (f.skipme) continue;
      kill_self = true;
    } else {
      victims.push_back(s);
    }
  }
  // Closing a connection may free its session: collect first, then kill.
  for (Session* s : victims) s->link->kill();
  size_t killed = victims.size() + (kill_self ? 1 : 0);

  if (old_form) {
    if (killed == 0) {
      ctx.reply.error(err::kNoSuchClient);
    } else {
      ctx.reply.ok();
    }
  } else {
    ctx.reply.integer(static_cast<int64_t>(killed));
  }
  // The caller still gets its reply: the front end closes after flushing it.
  if (kill_self) ctx.session.close_after_reply = true;
}

// CLIENT NO-EVICT ON|OFF
void cmd_client_no_evict(CommandContext& ctx) {
  // RESET leaves it as it is, as in Redis.
  if (iequals(ctx.arg(2), "on") || iequals(ctx.arg(2), "off")) {
    ctx.session.no_evict = iequals(ctx.arg(2), "on");
    ctx.reply.ok();
  } else {
    ctx.reply.error(err::kSyntax);
  }
}

// CLIENT PAUSE timeout [WRITE|ALL]
void cmd_client_pause(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    ctx.reply.error(err::subcommand_syntax(ctx.arg(0), ctx.arg(1)));
    return;
  }
  // Redis reads the mode before the timeout, so a bad mode wins over a bad timeout.
  PauseType type = PauseType::kAll;
  if (ctx.argc() == 4) {
    if (iequals(ctx.arg(3), "write")) {
      type = PauseType::kWrite;
    } else if (!iequals(ctx.arg(3), "all")) {
      ctx.reply.error(err::kPauseMode);
      return;
    }
  }
  ArgParser parser(ctx.argv, 2);
  int64_t timeout_ms = parser.next_int(INT64_MIN, INT64_MAX, err::kTimeoutNotInteger);
  if (!parser.ok_or_reply(ctx.reply)) return;
  if (timeout_ms < 0) {
    ctx.reply.error(err::kTimeoutNegative);
    return;
  }
  const int64_t now = ctx.now_ms();
  if (timeout_ms > INT64_MAX - now) {
    ctx.reply.error(err::kTimeoutOutOfRange);
    return;
  }
  // 0 is a pause that is over at once, as in Redis.
  ctx.engine.pause_clients(type, timeout_ms == 0 ? 0 : now + timeout_ms);
  ctx.reply.ok();
}

// CLIENT UNPAUSE
void cmd_client_unpause(CommandContext& ctx) {
  ctx.engine.unpause_clients();
  ctx.reply.ok();
}

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
void cmd_client_unblock(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    ctx.reply.error(err::subcommand_syntax(ctx.arg(0), ctx.arg(1)));
    return;
  }
  bool with_error = false;
  if (ctx.argc() == 4) {
    if (iequals(ctx.arg(3), "error")) {
      with_error = true;
    } else if (!iequals(ctx.arg(3), "timeout")) {
      ctx.reply.error(err::kUnblockReason);
      return;
    }
  }
  ArgParser parser(ctx.argv, 2);
  int64_t id = parser.next_int();
  if (!parser.ok_or_reply(ctx.reply)) return;
  Session* target = id > 0 ? ctx.engine.find_session(static_cast<uint64_t>(id)) : nullptr;
  bool done =
      target != nullptr && is_listed(*target) && ctx.engine.unblock_client(*target, with_error);
  ctx.reply.integer(done ? 1 : 0);
}

// CLIENT REPLY ON|OFF|SKIP
void cmd_client_reply(CommandContext& ctx) {
  // Only a RESP connection has a reply stream to silence; an HTTP request must get its answer.
  if (ctx.session.frontend != Frontend::kResp) {
    ctx.reply.error("ERR CLIENT REPLY is only available over RESP");
    return;
  }
  std::string_view mode = ctx.arg(2);
  if (iequals(mode, "on")) {
    ctx.session.replies_off = false;
    ctx.session.skip_replies = 0;
  } else if (iequals(mode, "off")) {
    ctx.session.replies_off = true;
  } else if (iequals(mode, "skip")) {
    if (!ctx.session.replies_off) ctx.session.skip_replies = 2;
  } else {
    ctx.reply.error(err::kSyntax);
    return;
  }
  ctx.reply.ok();  // dropped by the front end unless the mode is back ON
}

// CLIENT HELP
void cmd_client_help(CommandContext& ctx) {
  // Redis 7.0's text for the subcommands Basalt has (plus SETINFO, in 7.2's words).
  static constexpr std::string_view kLines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.array(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.simple(line);
}

}  // namespace

void register_connection(CommandTable& table) {
  constexpr uint32_t kNoscriptLoadingStale = kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint32_t kHandshake = kNoscriptLoadingStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy;
  constexpr std::string_view kGroup = "connection";
  constexpr std::string_view kAcl = "@connection";

  table.add({"ping", -1, kCmdFast | kCmdPubsubContext, 0, 0, 0, cmd_ping, kGroup, "Ping the server",
             kAcl});
  table.add({"echo", 2, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, cmd_echo, kGroup,
             "Echo the given string", kAcl});
  table.add({"hello", -1, kHandshake, 0, 0, 0, cmd_hello, kGroup, "Handshake with Redis", kAcl});
  table.add(
      {"auth", -2, kHandshake, 0, 0, 0, cmd_auth, kGroup, "Authenticate to the server", kAcl});
  table.add({"select", 2, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, cmd_select, kGroup,
             "Change the selected database for the current connection", kAcl});
  table.add({"reset", 1, kHandshake | kCmdPubsubContext, 0, 0, 0, cmd_reset, kGroup,
             "Reset the connection", kAcl});
  table.add({"quit", -1, kHandshake | kCmdPubsubContext, 0, 0, 0, cmd_quit, kGroup,
             "Close the connection", kAcl});

  table.add(
      {"client", -2, 0, 0, 0, 0, nullptr, kGroup, "A container for client connection commands"});
  constexpr uint32_t kClientAdmin = kCmdAdmin | kNoscriptLoadingStale;
  const CommandSpec subcommands[] = {
      {"getname", 2, kNoscriptLoadingStale, 0, 0, 0, cmd_client_getname, kGroup,
       "Get the current connection name", kAcl},
      {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, cmd_client_help, kGroup,
       "Show helpful text about the different subcommands", kAcl},
      {"id", 2, kNoscriptLoadingStale, 0, 0, 0, cmd_client_id, kGroup,
       "Returns the client ID for the current connection", kAcl},
      {"info", 2, kNoscriptLoadingStale, 0, 0, 0, cmd_client_info, kGroup,
       "Returns information about the current client connection.", kAcl},
      {"kill", -3, kClientAdmin, 0, 0, 0, cmd_client_kill, kGroup,
       "Kill the connection of a client", kAcl},
      {"list", -2, kClientAdmin, 0, 0, 0, cmd_client_list, kGroup,
       "Get the list of client connections", kAcl},
      {"pause", -3, kClientAdmin, 0, 0, 0, cmd_client_pause, kGroup,
       "Stop processing commands from clients for some time", kAcl},
      {"unblock", -3, kClientAdmin, 0, 0, 0, cmd_client_unblock, kGroup,
       "Unblock a client blocked in a blocking command from a different connection", kAcl},
      {"unpause", 2, kClientAdmin, 0, 0, 0, cmd_client_unpause, kGroup,
       "Resume processing of clients that were paused", kAcl},
      {"no-evict", 3, kClientAdmin, 0, 0, 0, cmd_client_no_evict, kGroup,
       "Set client eviction mode for the current connection", kAcl},
      {"reply", 3, kNoscriptLoadingStale, 0, 0, 0, cmd_client_reply, kGroup,
       "Instruct the server whether to reply to commands", kAcl},
      {"setinfo", 4, kNoscriptLoadingStale, 0, 0, 0, cmd_client_setinfo, kGroup,
       "Set client or connection specific info", kAcl},
      {"setname", 3, kNoscriptLoadingStale, 0, 0, 0, cmd_client_setname, kGroup,
       "Set the current connection name", kAcl},
  };
  for (const CommandSpec& spec : subcommands) table.add_subcommand("client", spec);
}

}  // namespace basalt
