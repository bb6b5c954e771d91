// The server family: introspection (COMMAND, INFO, MEMORY STATS), configuration (CONFIG),
// operations (SLOWLOG, LATENCY, MONITOR), TIME, LASTSAVE and SHUTDOWN (DEBUG: debug_family.cpp).

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/allocator.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "commands/arg_parser.hpp"
#include "commands/command_docs.hpp"
#include "commands/command_info.hpp"
#include "commands/diagnostics.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"
#include "commands/sort_family.hpp"

namespace basalt {

namespace {

// Redis's addReplyHelp: a header naming the command as the client typed it, the lines, and the
// HELP entry every help text ends with.
void reply_help(CommandContext& ctx, std::span<const std::string_view> lines) {
  std::string name(ctx.arg(0));
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ctx.reply.array(lines.size() + 3);
  ctx.reply.simple(sanitize_for_error(name) +
                   " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) ctx.reply.simple(line);
  ctx.reply.simple("HELP");
  ctx.reply.simple("    Prints this help.");
}

// Redis's lookupCommandBySds: "get", or "config|get" for a subcommand (one level only).
const Command* find_by_full_name(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  const Command* base = table.find(name.substr(0, bar));
  if (bar == std::string_view::npos || base == nullptr) return base;
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) return nullptr;
  return base->find_subcommand(sub);
}

// --- COMMAND ---------------------------------------------------------------------------------

// One COMMAND INFO entry in Redis 7.0's format: name, arity, flags, first key, last key, step,
// ACL categories, tips, key specs, subcommands. Tips and key specs come from the table generated
// from Redis; everything else from our command table, so a wrong row shows here.
void reply_key_spec(ReplyBuilder& r, const docs::KeySpec& ks) {
  r.map(ks.notes.empty() ? 3 : 4);
  if (!ks.notes.empty()) {
    r.bulk("notes");
    r.bulk(ks.notes);
  }
  r.bulk("flags");
  std::vector<std::string_view> flags;
  for (std::string_view rest = ks.flags; !rest.empty();) {
    size_t sp = rest.find(' ');
    flags.push_back(rest.substr(0, sp));
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  r.set(flags.size());
  for (std::string_view f : flags) r.simple(f);

  r.bulk("begin_search");
  r.map(2);
  r.bulk("type");
  if (ks.begin_search == docs::BeginSearch::kIndex) {
    r.bulk("index");
    r.bulk("spec");
    r.map(1);
    r.bulk("index");
    r.integer(ks.index);
  } else if (ks.begin_search == docs::BeginSearch::kUnknown) {
    r.bulk("unknown");
    r.bulk("spec");
    r.map(0);
  } else {
    r.bulk("keyword");
    r.bulk("spec");
    r.map(2);
    r.bulk("keyword");
    r.bulk(ks.keyword);
    r.bulk("startfrom");
    r.integer(ks.startfrom);
  }

  r.bulk("find_keys");
  r.map(2);
  r.bulk("type");
  if (ks.find_keys == docs::FindKeys::kUnknown) {
    r.bulk("unknown");
    r.bulk("spec");
    r.map(0);
  } else if (ks.find_keys == docs::FindKeys::kRange) {
    r.bulk("range");
    r.bulk("spec");
    r.map(3);
    r.bulk("lastkey");
    r.integer(ks.lastkey);
    r.bulk("keystep");
    r.integer(ks.keystep);
    r.bulk("limit");
    r.integer(ks.limit);
  } else {
    r.bulk("keynum");
    r.bulk("spec");
    r.map(3);
    r.bulk("keynumidx");
    r.integer(ks.keynumidx);
    r.bulk("firstkey");
    r.integer(ks.firstkey);
    r.bulk("keystep");
    r.integer(ks.keystep);
  }
}

void reply_command_info(ReplyBuilder& r, const Command& cmd) {
  const CommandSpec& spec = cmd.spec;
  const docs::CommandInfoExtra* extra = docs::find_command_info(cmd.full_name);
  r.array(10);
  r.bulk(cmd.full_name);
  r.integer(spec.arity);
  auto flags = flag_names(spec.flags);
  r.set(flags.size());
  for (std::string_view f : flags) r.simple(f);
  r.integer(spec.first_key);
  r.integer(spec.last_key);
  r.integer(spec.step);
  auto categories = acl_category_names(cmd.acl_categories);
  r.set(categories.size());
  for (const std::string& c : categories) r.simple(c);
  std::span<const std::string_view> tips =
      extra ? extra->tips : std::span<const std::string_view>();
  r.set(tips.size());
  for (std::string_view t : tips) r.bulk(t);
  std::span<const docs::KeySpec> specs =
      extra ? extra->key_specs : std::span<const docs::KeySpec>();
  r.set(specs.size());
  for (const docs::KeySpec& ks : specs) reply_key_spec(r, ks);
  // Redis sends an empty set for a command without subcommands, but an array of entries for a
  // container: the two differ in RESP3.
  if (!cmd.is_container()) {
    r.set(0);
    return;
  }
  r.array(cmd.subcommands.size());
  for (const Command& sub : cmd.subcommands) reply_command_info(r, sub);
}

void reply_all_command_infos(CommandContext& ctx) {
  auto all = ctx.engine.commands().sorted();
  ctx.reply.array(all.size());
  for (const Command* cmd : all) reply_command_info(ctx.reply, *cmd);
}

class ReplyDocVisitor final : public docs::DocVisitor {
 public:
  explicit ReplyDocVisitor(ReplyBuilder& r) : r_(r) {}
  void map(int64_t n) override { r_.map(static_cast<size_t>(n)); }
  void array(int64_t n) override { r_.array(static_cast<size_t>(n)); }
  void set(int64_t n) override { r_.set(static_cast<size_t>(n)); }
  void bulk(std::string_view s) override { r_.bulk(s); }
  void simple(std::string_view s) override { r_.simple(s); }
  void integer(int64_t v) override { r_.integer(v); }

 private:
  ReplyBuilder& r_;
};

// The doc map of one command, replayed from the table generated from Redis. A container's
// "subcommands" entry (always the last one, as Redis orders them) is rebuilt from our command
// table, so the docs never list a subcommand Basalt lacks, nor miss one it has.
void reply_command_doc(ReplyBuilder& r, const Command& cmd) {
  const docs::CommandDoc* doc = docs::find_command_doc(cmd.full_name);
  size_t own_subs = cmd.is_container() ? 1 : 0;
  if (doc == nullptr) {
    // A command this Redis version did not have: what our table knows, in Redis's field order.
    r.map(2 + own_subs);
    r.bulk("summary");
    r.bulk(cmd.spec.summary);
    r.bulk("group");
    r.bulk(cmd.spec.group);
  } else {
    std::span<const docs::DocNode> nodes = doc->nodes;
    ReplyDocVisitor visitor(r);
    std::vector<std::pair<size_t, size_t>> kept;  // (first node, node count) of each pair
    for (size_t i = 1, pairs = 0; pairs < static_cast<size_t>(nodes[0].n); ++pairs) {
      size_t extent = 1 + docs::value_extent(nodes, i + 1);
      bool subs = nodes[i].kind == docs::DocKind::kBulk && nodes[i].str == "subcommands";
      if (!subs) kept.emplace_back(i, extent);
      i += extent;
    }
    r.map(kept.size() + own_subs);
    for (auto [first, count] : kept) docs::replay(nodes.subspan(first, count), visitor);
  }
  if (own_subs == 0) return;
  r.bulk("subcommands");
  r.map(cmd.subcommands.size());
  for (const Command& sub : cmd.subcommands) {
    r.bulk(sub.full_name);
    reply_command_doc(r, sub);
  }
}

// Redis's doesCommandHaveKeys: some key spec names real keys (not a "not_key" argument).
bool has_key_arguments(const Command& cmd, const docs::CommandInfoExtra* extra) {
  if (extra == nullptr) return cmd.spec.first_key > 0;
  return std::any_of(extra->key_specs.begin(), extra->key_specs.end(), [](const docs::KeySpec& ks) {
    return (" " + std::string(ks.flags) + " ").find(" not_key ") == std::string::npos;
  });
}

// COMMAND
void cmd_command(CommandContext& ctx) { reply_all_command_infos(ctx); }

// COMMAND COUNT
void cmd_command_count(CommandContext& ctx) {
  ctx.reply.integer(static_cast<int64_t>(ctx.engine.commands().size()));
}

// COMMAND INFO [command-name ...]
void cmd_command_info(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    reply_all_command_infos(ctx);
    return;
  }
  ctx.reply.array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const Command* cmd = find_by_full_name(ctx.engine.commands(), ctx.arg(i));
    if (cmd == nullptr) {
      ctx.reply.null();
    } else {
      reply_command_info(ctx.reply, *cmd);
    }
  }
}

// COMMAND DOCS [command-name ...]
void cmd_command_docs(CommandContext& ctx) {
  std::vector<const Command*> cmds;
  if (ctx.argc() == 2) {
    cmds = ctx.engine.commands().sorted();
  } else {
    // Unknown names are left out, as Redis does.
    for (size_t i = 2; i < ctx.argc(); ++i) {
      if (const Command* cmd = find_by_full_name(ctx.engine.commands(), ctx.arg(i))) {
        cmds.push_back(cmd);
      }
    }
  }
  ctx.reply.map(cmds.size());
  for (const Command* cmd : cmds) {
    ctx.reply.bulk(cmd->full_name);
    reply_command_doc(ctx.reply, *cmd);
  }
}

// COMMAND LIST [FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]
void cmd_command_list(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  std::string_view filter_arg;
  for (size_t i = 2; i < ctx.argc(); i += 3) {
    size_t more = ctx.argc() - 1 - i;
    if (!iequals(ctx.arg(i), "filterby") || more != 2) {
      ctx.reply.error(err::kSyntax);
      return;
    }
    std::string_view type = ctx.arg(i + 1);
    if (iequals(type, "module")) {
      filter = Filter::kModule;
    } else if (iequals(type, "aclcat")) {
      filter = Filter::kAclCat;
    } else if (iequals(type, "pattern")) {
      filter = Filter::kPattern;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
    filter_arg = ctx.arg(i + 2);
  }
  std::string category = "@" + lowercase(filter_arg);
  auto matches = [&](const Command& cmd) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;  // Basalt loads no modules
      case Filter::kAclCat: {
        auto cats = acl_category_names(cmd.acl_categories);
        return std::find(cats.begin(), cats.end(), category) != cats.end();
      }
      case Filter::kPattern:
        return glob_match(filter_arg, cmd.full_name, true);
    }
    return false;
  };
  std::vector<std::string_view> names;
  for (const Command* cmd : ctx.engine.commands().sorted()) {
    if (matches(*cmd)) names.push_back(cmd->full_name);
    for (const Command& sub : cmd->subcommands) {
      if (matches(sub)) names.push_back(sub.full_name);
    }
  }
  ctx.reply.array(names.size());
  for (std::string_view n : names) ctx.reply.bulk(n);
}

// A key of a command line and the flags of the key spec that found it ("RW access delete").
struct KeyWithFlags {
  int position;
  std::string_view flags;
};

// Redis's getKeysSubcommandImpl: fills *keys with the keys of `line` (a full command), or
// returns the error to reply.
std::optional<std::string_view> keys_of_command_line(const CommandTable& table,
                                                     std::span<const std::string_view> line,
                                                     std::vector<KeyWithFlags>* keys) {
  const Command* cmd = table.find(line[0]);
  if (cmd != nullptr && cmd->is_container()) {
    cmd = line.size() > 1 ? cmd->find_subcommand(line[1]) : nullptr;
  }
  if (cmd == nullptr) {
    return err::kInvalidCommandSpecified;
  }
  const docs::CommandInfoExtra* extra = docs::find_command_info(cmd->full_name);
  if (!has_key_arguments(*cmd, extra)) {
    return err::kCommandHasNoKeys;
  }
  int argc = static_cast<int>(line.size());
  int arity = cmd->spec.arity;
  if ((arity > 0 && arity != argc) || argc < -arity) {
    return err::kGetKeysWrongArity;
  }
  if (extra != nullptr) {
    // Spec by spec, so each key carries the flags of the spec that named it; the order is the
    // one getKeysUsingKeySpecs produces.
    for (const docs::KeySpec& ks : extra->key_specs) {
      std::vector<int> positions;
      if (!docs::keys_from_specs({&ks, 1}, line, &positions)) {
        keys->clear();
        break;
      }
      for (int p : positions) keys->push_back({p, ks.flags});
    }
    // SET's flags depend on its arguments (Redis's setGetKeys): with GET it reads the old value.
    if (cmd->full_name == "set" && keys->size() == 1) {
      bool get = std::any_of(line.begin() + 3, line.end(),
                             [](std::string_view a) { return iequals(a, "get"); });
      keys->front().flags = get ? "RW access update" : "OW update";
    }
    // SORT's STORE has no fixed place, so its spec is incomplete and Redis asks sortGetKeys.
    if (cmd->full_name == "sort") {
      keys->assign({{1, "RO access"}});
      if (auto store = sort_store_position(line)) {
        keys->push_back({static_cast<int>(*store), "OW update"});
      }
    }
  } else {
    for (size_t p : cmd->key_positions(line.size())) keys->push_back({static_cast<int>(p), ""});
  }
  if (keys->empty() && !cmd->has(kCmdNoMandatoryKeys)) {
    return err::kGetKeysInvalidArguments;
  }
  return std::nullopt;
}

// COMMAND GETKEYS command [arg ...]
// COMMAND GETKEYSANDFLAGS command [arg ...]
void cmd_command_getkeys(CommandContext& ctx) {
  const bool with_flags = iequals(ctx.arg(1), "getkeysandflags");
  std::span<const std::string_view> line = ctx.argv.subspan(2);
  std::vector<KeyWithFlags> keys;
  if (auto error = keys_of_command_line(ctx.engine.commands(), line, &keys)) {
    ctx.reply.error(*error);
    return;
  }
  ctx.reply.array(keys.size());
  for (const KeyWithFlags& k : keys) {
    if (!with_flags) {
      ctx.reply.bulk(line[k.position]);
      continue;
    }
    ctx.reply.array(2);
    ctx.reply.bulk(line[k.position]);
    std::vector<std::string_view> flags;
    for (std::string_view rest = k.flags; !rest.empty();) {
      size_t sp = rest.find(' ');
      flags.push_back(rest.substr(0, sp));
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
    ctx.reply.set(flags.size());
    for (std::string_view f : flags) ctx.reply.simple(f);
  }
}

// COMMAND HELP
void cmd_command_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
  };
  reply_help(ctx, kLines);
}

// --- INFO ------------------------------------------------------------------------------------

void field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.push_back(':');
  out.append(value);
  out.append("\r\n");
}

void field(std::string& out, std::string_view name, int64_t value) {
  field(out, name, std::to_string(value));
}

void field(std::string& out, std::string_view name, uint64_t value) {
  field(out, name, std::to_string(value));
}

std::string printf_string(const char* fmt, auto... args) {
  char buf[128];
  int n = std::snprintf(buf, sizeof(buf), fmt, args...);
  return std::string(buf, static_cast<size_t>(std::clamp(n, 0, static_cast<int>(sizeof(buf)) - 1)));
}

// Redis keeps memory ratios and percentages as floats (`(float)a * 100 / b`): the same precision
// gives the same digits in INFO memory and MEMORY STATS.
double float_ratio(uint64_t a, uint64_t b, float scale = 1) {
  return b == 0 ? 0.0 : static_cast<double>(static_cast<float>(a) * scale / static_cast<float>(b));
}

// An overhead in bytes, negative when the second figure is the larger.
int64_t signed_difference(uint64_t a, uint64_t b) {
  return static_cast<int64_t>(a) - static_cast<int64_t>(b);
}

// INFO's connected_clients: every session but the server's own.
size_t connected_clients(const Engine& engine) {
  return engine.session_count() - engine.session_count(Frontend::kInternal);
}

// Redis's bytesToHuman: "919.80K", "1.63M".
std::string bytes_to_human(uint64_t n) {
  static constexpr const char* kUnits[] = {"K", "M", "G", "T", "P"};
  if (n < 1024) return std::to_string(n) + "B";
  double d = static_cast<double>(n);
  for (const char* unit : kUnits) {
    d /= 1024;
    if (d < 1024) return printf_string("%.2f%s", d, unit);
  }
  return std::to_string(n) + "B";
}

std::string cpu_time(const timeval& tv) {
  return printf_string("%ld.%06ld", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec));
}

void info_server(CommandContext& ctx, std::string& out) {
  const ServerInfo& info = ctx.engine.server_info();
  const Clock& clock = ctx.store().clock();
  int64_t uptime = (clock.monotonic_us() - info.start_us) / 1'000'000;
  utsname name{};
  uname(&name);
  // Tools check redis_version to pick features: report the version whose behaviour Basalt
  // follows, and Basalt's own version next to it.
  field(out, "redis_version", docs::docs_redis_version());
  field(out, "basalt_version", BASALT_VERSION);
  field(out, "redis_git_sha1", "00000000");
  field(out, "redis_git_dirty", int64_t{0});
  field(out, "redis_mode", "standalone");
  field(out, "os", std::string(name.sysname) + " " + name.release + " " + name.machine);
  field(out, "arch_bits", static_cast<int64_t>(sizeof(void*) * 8));
  field(out, "monotonic_clock", "POSIX clock_gettime");
  field(out, "multiplexing_api", "epoll");
#if defined(__GNUC__)
  field(out, "gcc_version",
        printf_string("%d.%d.%d", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__));
#endif
  field(out, "process_id", static_cast<int64_t>(getpid()));
  field(out, "process_supervised", info.process_supervised);
  field(out, "run_id", info.run_id);
  field(out, "tcp_port", info.tcp_port);
  field(out, "http_port", info.http_port);
  field(out, "admin_port", info.admin_port);
  field(out, "server_time_usec", clock.now_ms() * 1000);
  field(out, "uptime_in_seconds", uptime);
  field(out, "uptime_in_days", uptime / 86400);
  field(out, "hz", ctx.config().hz);
  field(out, "configured_hz", ctx.config().hz);
  field(out, "executable", info.executable);
  field(out, "config_file", info.config_file);
  field(out, "io_threads_active", int64_t{0});
}

void info_clients(CommandContext& ctx, std::string& out) {
  size_t max_in = 0, max_out = 0, in_timeout_table = 0;
  ctx.engine.for_each_session([&](Session& s) {
    if (s.link != nullptr) {
      max_in = std::max(max_in, s.link->query_buffer_bytes());
      max_out = std::max(max_out, s.link->output_buffer_bytes());
    }
    if (s.blocked && s.blocked->deadline_ms != 0) ++in_timeout_table;
  });
  field(out, "connected_clients", static_cast<uint64_t>(connected_clients(ctx.engine)));
  field(out, "cluster_connections", int64_t{0});
  field(out, "maxclients", ctx.config().maxclients);
  field(out, "client_recent_max_input_buffer", static_cast<uint64_t>(max_in));
  field(out, "client_recent_max_output_buffer", static_cast<uint64_t>(max_out));
  field(out, "blocked_clients", static_cast<uint64_t>(ctx.engine.blocked_count()));
  field(out, "tracking_clients", int64_t{0});
  field(out, "clients_in_timeout_table", static_cast<uint64_t>(in_timeout_table));
}

void info_memory(CommandContext& ctx, std::string& out) {
  // The allocator's count of what is allocated (base/allocator.hpp). A sanitizer's allocator
  // reports nothing; RSS is the closest figure then. Redis's fields in Redis's order; what Basalt
  // has no source for (Lua, functions, replication buffers, defrag, lazy free) is 0.
  MemoryFigures m = ctx.engine.memory();
  const uint64_t used = m.used, rss = m.rss;
  const uint64_t allocated = used, active = m.allocator_active, resident = m.allocator_resident;
  const uint64_t system =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  auto ratio = [](uint64_t a, uint64_t b) { return printf_string("%.2f", float_ratio(a, b)); };
  auto percent = [](uint64_t a, uint64_t b) {
    return printf_string("%.2f%%", float_ratio(a, b, 100));
  };
  field(out, "used_memory", used);
  field(out, "used_memory_human", bytes_to_human(used));
  field(out, "used_memory_rss", rss);
  field(out, "used_memory_rss_human", bytes_to_human(rss));
  field(out, "used_memory_peak", m.peak);
  field(out, "used_memory_peak_human", bytes_to_human(m.peak));
  field(out, "used_memory_peak_perc", percent(used, m.peak));
  field(out, "used_memory_overhead", m.overhead());
  field(out, "used_memory_startup", m.startup);
  field(out, "used_memory_dataset", m.dataset);
  field(out, "used_memory_dataset_perc", percent(m.dataset, m.net()));
  field(out, "allocator_allocated", allocated);
  field(out, "allocator_active", active);
  field(out, "allocator_resident", resident);
  field(out, "total_system_memory", system);
  field(out, "total_system_memory_human", bytes_to_human(system));
  for (std::string_view name :
       {"used_memory_lua", "used_memory_vm_eval", "used_memory_lua_human",
        "used_memory_scripts_eval", "number_of_cached_scripts", "number_of_functions",
        "number_of_libraries", "used_memory_vm_functions", "used_memory_vm_total",
        "used_memory_vm_total_human", "used_memory_functions", "used_memory_scripts",
        "used_memory_scripts_human"}) {
    field(out, name, name.ends_with("_human") ? "0B" : "0");  // no scripting
  }
  const EvictionParams& eviction = ctx.engine.eviction();
  field(out, "maxmemory", eviction.maxmemory);
  field(out, "maxmemory_human", bytes_to_human(eviction.maxmemory));
  field(out, "maxmemory_policy", eviction_policy_name(eviction.policy));
  field(out, "allocator_frag_ratio", ratio(active, allocated));
  field(out, "allocator_frag_bytes", active - std::min(active, allocated));
  field(out, "allocator_rss_ratio", ratio(resident, active));
  field(out, "allocator_rss_bytes", signed_difference(resident, active));
  field(out, "rss_overhead_ratio", ratio(rss, resident));
  field(out, "rss_overhead_bytes", signed_difference(rss, resident));
  field(out, "mem_fragmentation_ratio", ratio(rss, used));
  field(out, "mem_fragmentation_bytes", signed_difference(rss, used));
  // Basalt has no replication buffers and writes its AOF buffer out every turn (engine.hpp); what
  // it leaves out are holes eviction cannot give back (counted_memory).
  field(out, "mem_not_counted_for_evict", ctx.engine.memory_not_counted_for_evict());
  for (std::string_view name :
       {"mem_replication_backlog", "mem_total_replication_buffers", "mem_clients_slaves"}) {
    field(out, name, int64_t{0});
  }
  field(out, "mem_clients_normal", m.clients);
  field(out, "mem_cluster_links", int64_t{0});
  field(out, "mem_aof_buffer", int64_t{0});
  field(out, "mem_allocator", allocator_name());
  field(out, "active_defrag_running", int64_t{0});
  field(out, "lazyfree_pending_objects", int64_t{0});
  field(out, "lazyfreed_objects", int64_t{0});
}

void info_persistence(CommandContext& ctx, std::string& out) { ctx.engine.persistence().info(out); }

void info_stats(CommandContext& ctx, std::string& out) {
  const EngineStats& s = ctx.engine.stats();
  const StoreStats& st = ctx.store().stats();
  field(out, "total_connections_received", s.total_connections);
  field(out, "total_commands_processed", s.total_commands);
  field(out, "instantaneous_ops_per_sec", int64_t{0});
  field(out, "total_net_input_bytes", s.net_input_bytes);
  field(out, "total_net_output_bytes", s.net_output_bytes);
  field(out, "instantaneous_input_kbps", "0.00");
  field(out, "instantaneous_output_kbps", "0.00");
  field(out, "rejected_connections", s.rejected_connections);
  field(out, "expired_keys", st.expired_keys);
  field(out, "expired_time_cap_reached_count", st.expired_time_cap_reached);
  field(out, "evicted_keys", st.evicted_keys);
  field(out, "evicted_clients", s.evicted_clients);
  field(out, "keyspace_hits", st.keyspace_hits);
  field(out, "keyspace_misses", st.keyspace_misses);
  const PubSub& ps = ctx.engine.pubsub();
  field(out, "pubsub_channels", static_cast<int64_t>(ps.channel_count(PubSub::Scope::kGlobal)));
  field(out, "pubsub_patterns", static_cast<int64_t>(ps.pattern_count()));
  field(out, "pubsubshard_channels", static_cast<int64_t>(ps.channel_count(PubSub::Scope::kShard)));
  field(out, "total_error_replies", s.total_error_replies);
}

void info_replication(CommandContext& ctx, std::string& out) {
  field(out, "role", "master");
  field(out, "connected_slaves", int64_t{0});
  field(out, "master_failover_state", "no-failover");
  field(out, "master_replid",
        ctx.engine.server_info().replid.empty() ? ctx.engine.server_info().run_id
                                                : ctx.engine.server_info().replid);
  field(out, "master_replid2", std::string(40, '0'));
  field(out, "master_repl_offset", int64_t{0});
  field(out, "second_repl_offset", int64_t{-1});
  field(out, "repl_backlog_active", int64_t{0});
  field(out, "repl_backlog_size", int64_t{1048576});
  field(out, "repl_backlog_first_byte_offset", int64_t{0});
  field(out, "repl_backlog_histlen", int64_t{0});
}

void info_cpu(CommandContext&, std::string& out) {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  field(out, "used_cpu_sys", cpu_time(self.ru_stime));
  field(out, "used_cpu_user", cpu_time(self.ru_utime));
  field(out, "used_cpu_sys_children", cpu_time(children.ru_stime));
  field(out, "used_cpu_user_children", cpu_time(children.ru_utime));
#ifdef RUSAGE_THREAD
  rusage thread{};
  getrusage(RUSAGE_THREAD, &thread);
  field(out, "used_cpu_sys_main_thread", cpu_time(thread.ru_stime));
  field(out, "used_cpu_user_main_thread", cpu_time(thread.ru_utime));
#endif
}

void info_modules(CommandContext&, std::string&) {}

void command_stats_line(std::string& out, const Command& cmd, const CommandStats& s) {
  if (s.calls == 0 && s.failed_calls == 0 && s.rejected_calls == 0) return;
  // Redis divides in float precision.
  float per_call = s.calls == 0 ? 0 : static_cast<float>(s.usec) / static_cast<float>(s.calls);
  out +=
      printf_string("cmdstat_%s:calls=%" PRIu64 ",usec=%" PRIu64
                    ",usec_per_call=%.2f,rejected_calls=%" PRIu64 ",failed_calls=%" PRIu64 "\r\n",
                    cmd.full_name.c_str(), s.calls, s.usec, static_cast<double>(per_call),
                    s.rejected_calls, s.failed_calls);
}

void info_commandstats(CommandContext& ctx, std::string& out) {
  for (const Command* cmd : ctx.engine.commands().sorted()) {
    command_stats_line(out, *cmd, ctx.engine.command_stats(*cmd));
    for (const Command& sub : cmd->subcommands) {
      command_stats_line(out, sub, ctx.engine.command_stats(sub));
    }
  }
}

void info_errorstats(CommandContext& ctx, std::string& out) {
  std::vector<std::pair<std::string_view, uint64_t>> codes(ctx.engine.stats().error_codes.begin(),
                                                           ctx.engine.stats().error_codes.end());
  std::sort(codes.begin(), codes.end());
  for (auto [code, count] : codes) {
    out += "errorstat_";
    out += code;
    out += ":count=" + std::to_string(count) + "\r\n";
  }
}

// Per command, the latency-tracking-info-percentiles (normalised text, "50 99 99.9"), in
// microseconds with three decimals, read from nanosecond histograms.
void latency_stats_line(std::string& out, const Command& cmd, const PercentileHistogram* h,
                        std::string_view percentiles) {
  if (h == nullptr) return;
  out += "latency_percentiles_usec_";
  out += cmd.full_name;
  out += ':';
  bool first = true;
  for (size_t i = 0; i < percentiles.size();) {
    size_t end = std::min(percentiles.find(' ', i), percentiles.size());
    std::string word(percentiles.substr(i, end - i));
    i = end + 1;
    if (!first) out += ',';
    first = false;
    out += printf_string(
        "p%s=%.3f", word.c_str(),
        static_cast<double>(h->value_at_percentile(std::strtod(word.c_str(), nullptr))) / 1000);
  }
  out += "\r\n";
}

void info_latencystats(CommandContext& ctx, std::string& out) {
  for (const Command* cmd : ctx.engine.commands().sorted()) {
    const std::string& p = ctx.config().latency_tracking_info_percentiles;
    latency_stats_line(out, *cmd, ctx.engine.latency_histogram(*cmd), p);
    for (const Command& sub : cmd->subcommands) {
      latency_stats_line(out, sub, ctx.engine.latency_histogram(sub), p);
    }
  }
}

void info_cluster(CommandContext&, std::string& out) { field(out, "cluster_enabled", int64_t{0}); }

void info_keyspace(CommandContext& ctx, std::string& out) {
  for (int i = 0; i < ctx.store().db_count(); ++i) {
    const Database& db = ctx.store().db(i);
    if (db.size() == 0 && db.expires() == 0) continue;
    out += "db" + std::to_string(i) + ":keys=" + std::to_string(db.size()) +
           ",expires=" + std::to_string(db.expires()) + ",avg_ttl=" + std::to_string(db.avg_ttl()) +
           "\r\n";
  }
}

struct InfoSection {
  std::string_view name;   // as INFO takes it
  std::string_view title;  // the "# Title" line
  void (*generate)(CommandContext&, std::string&);
  bool in_default;
};

// Redis's order, which the reply keeps whatever order the sections were asked in.
constexpr InfoSection kInfoSections[] = {
    {"server", "Server", info_server, true},
    {"clients", "Clients", info_clients, true},
    {"memory", "Memory", info_memory, true},
    {"persistence", "Persistence", info_persistence, true},
    {"stats", "Stats", info_stats, true},
    {"replication", "Replication", info_replication, true},
    {"cpu", "CPU", info_cpu, true},
    {"module_list", "Modules", info_modules, true},
    {"commandstats", "Commandstats", info_commandstats, false},
    {"errorstats", "Errorstats", info_errorstats, true},
    {"latencystats", "Latencystats", info_latencystats, false},
    {"cluster", "Cluster", info_cluster, true},
    {"keyspace", "Keyspace", info_keyspace, true},
};

// INFO [section [section ...]]
void cmd_info(CommandContext& ctx) {
  // The sections asked for, as bits: nothing is allocated before the memory section reads
  // used_memory, so that under a cap, where eviction runs before each command, INFO memory reads
  // what eviction left (a list of names here put readings up to 29 bytes over maxmemory).
  static_assert(std::size(kInfoSections) <= 32);
  uint32_t wanted = 0;
  bool all = false;
  auto add = [&](std::string_view name) {
    for (size_t j = 0; j < std::size(kInfoSections); ++j) {
      if (iequals(kInfoSections[j].name, name)) wanted |= 1u << j;
    }
  };
  auto add_defaults = [&] {
    for (size_t j = 0; j < std::size(kInfoSections); ++j) {
      if (kInfoSections[j].in_default) wanted |= 1u << j;
    }
  };
  if (ctx.argc() == 1) add_defaults();
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view name = ctx.arg(i);
    if (iequals(name, "default")) {
      add_defaults();
    } else if (iequals(name, "all") || iequals(name, "everything")) {
      all = true;
    } else {
      // "modules" asks for the list of loaded modules too.
      add(iequals(name, "modules") ? "module_list" : name);
    }
  }
  std::string out;
  bool first = true;
  for (size_t j = 0; j < std::size(kInfoSections); ++j) {
    const InfoSection& s = kInfoSections[j];
    if (!all && (wanted & (1u << j)) == 0) continue;
    if (!first) out += "\r\n";
    first = false;
    out += "# ";
    out += s.title;
    out += "\r\n";
    s.generate(ctx, out);
  }
  ctx.reply.verbatim("txt", out);
}

// --- CONFIG ----------------------------------------------------------------------------------

bool has_glob(std::string_view s) { return s.find_first_of("[*?") != std::string_view::npos; }

// CONFIG GET parameter [parameter ...]
void cmd_config_get(CommandContext& ctx) {
  std::vector<std::pair<std::string, std::string>> found;  // (name as replied, value)
  std::vector<std::string> seen;                           // canonical names already replied
  auto add = [&](std::string reply_name, const std::string& canonical, std::string value) {
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) return;
    seen.push_back(canonical);
    found.emplace_back(std::move(reply_name), std::move(value));
  };
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view arg = ctx.arg(i);
    if (!has_glob(arg)) {
      // An exact name is echoed as the client typed it, as Redis does.
      std::string canonical = lowercase(arg);
      if (!ConfigRegistry::exists(canonical)) continue;
      for (auto& [name, value] : ConfigRegistry::get(ctx.config(), canonical)) {
        if (name == canonical) add(std::string(arg), canonical, value);
      }
      continue;
    }
    for (auto& [name, value] : ConfigRegistry::get(ctx.config(), arg)) {
      if (!ConfigRegistry::hidden(name)) add(name, name, value);
    }
  }
  ctx.reply.map(found.size());
  for (auto& [name, value] : found) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(value);
  }
}

// CONFIG SET parameter value [parameter value ...]
// All or nothing, as Redis 7: every name is checked first, then the values are set in order and
// a failure restores the values already changed.
void cmd_config_set(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  size_t n = (ctx.argc() - 2) / 2;
  std::vector<std::string> names;
  std::optional<std::string> error;
  for (size_t i = 0; i < n; ++i) {
    std::string_view typed = ctx.arg(2 + 2 * i);
    std::string name = lowercase(typed);
    if (!ConfigRegistry::exists(name)) {
      if (!error) error = err::config_set_unknown(typed);
      continue;
    }
    if (error) continue;
    if (!ConfigRegistry::is_mutable(name)) {
      error = err::config_set_failed(typed, "can't set immutable config");
    } else if (ConfigRegistry::is_protected(name) &&
               !Engine::protected_action_allowed(ctx.config().enable_protected_configs,
                                                 ctx.session)) {
      error = err::config_set_failed(typed, "can't set protected config");
    } else if (std::find(names.begin(), names.end(), name) != names.end()) {
      error = err::config_set_failed(typed, "duplicate parameter");
    }
    names.push_back(std::move(name));
  }
  if (error) {
    ctx.reply.error(*error);
    return;
  }
  // Passwords never reach the slow log.
  for (size_t i = 0; i < n; ++i) {
    if ((names[i] == "requirepass" || names[i] == "masterauth" ||
         names[i] == "http-readonly-token") &&
        3 + 2 * i < 32)
      ctx.redacted |= 1u << (3 + 2 * i);
  }
  Config& config = ctx.config();
  std::vector<std::string> old_values;
  for (const std::string& name : names) {
    auto current = ConfigRegistry::get(config, name);
    old_values.push_back(current.empty() ? std::string() : current.front().second);
  }
  for (size_t i = 0; i < n; ++i) {
    auto failure = ConfigRegistry::set(config, names[i], ctx.arg(3 + 2 * i), true);
    if (!failure) continue;
    // Restoring through the setters re-applies their side effects (the log level) as well.
    for (size_t j = 0; j <= i; ++j) ConfigRegistry::set(config, names[j], old_values[j], true);
    ctx.reply.error(err::config_set_failed(names[i], failure->reason));
    return;
  }
  // Rules between parameters, and what the host must be able to do, are checked once every
  // value is in: a refusal restores them all.
  std::optional<ConfigError> refused = ConfigRegistry::check(config);
  Host* host = ctx.engine.host();
  if (!refused && host != nullptr) refused = host->on_config_changed();
  // appendonly yes opens the AOF now, and could fail (an unwritable dir).
  if (!refused) {
    if (auto error = ctx.engine.persistence().apply_config()) {
      refused = ConfigError{"appendonly", *error};
    }
  }
  if (refused) {
    for (size_t j = 0; j < n; ++j) ConfigRegistry::set(config, names[j], old_values[j], true);
    if (host != nullptr) host->on_config_changed();
    ctx.engine.persistence().apply_config();
    ctx.reply.error(err::config_set_failed(refused->name, refused->reason));
    return;
  }
  ctx.engine.apply_eviction_config();
  ctx.engine.apply_notify_config();
  ctx.reply.ok();
}

// CONFIG RESETSTAT
void cmd_config_resetstat(CommandContext& ctx) {
  EngineStats& s = ctx.engine.stats();
  s.total_commands = 0;
  s.total_connections = 0;
  s.rejected_connections = 0;
  s.total_error_replies = 0;
  s.net_input_bytes = 0;
  s.net_output_bytes = 0;
  s.error_codes.clear();
  ctx.store().stats() = StoreStats{};
  ctx.engine.reset_command_stats();
  ctx.reply.ok();
}

// CONFIG HELP
void cmd_config_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
  };
  reply_help(ctx, kLines);
}

// CONFIG REWRITE
void cmd_config_rewrite(CommandContext& ctx) {
  if (ctx.config().config_file.empty()) {
    ctx.reply.error(err::kNoConfigFile);
    return;
  }
  if (auto failure = ConfigRegistry::rewrite(ctx.config())) {
    BASALT_LOG(kWarning, "CONFIG REWRITE failed: %s", failure->c_str());
    ctx.reply.error(err::config_rewrite_failed(*failure));
    return;
  }
  BASALT_LOG(kNotice, "CONFIG REWRITE executed with success.");
  ctx.reply.ok();
}

// --- SLOWLOG, LATENCY, MONITOR -----------------------------------------------------------------

// SLOWLOG GET [count]
void cmd_slowlog_get(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() > 3) {
    ctx.reply.error(err::subcommand_syntax(ctx.arg(0), ctx.arg(1)));
    return;
  }
  ArgParser parser(ctx.argv, 2);
  if (parser.has_next()) count = parser.next_int(-1, INT64_MAX, err::kSlowlogCount);
  if (!parser.done_or_reply(ctx.reply)) return;
  const auto& log = ctx.engine.slowlog();
  size_t n = count == -1 ? log.size() : std::min(log.size(), static_cast<size_t>(count));
  ctx.reply.array(n);
  for (size_t i = 0; i < n; ++i) {
    const SlowlogEntry& e = log[i];
    ctx.reply.array(6);
    ctx.reply.integer(static_cast<int64_t>(e.id));
    ctx.reply.integer(e.time_s);
    ctx.reply.integer(static_cast<int64_t>(e.duration_us));
    ctx.reply.array(e.argv.size());
    for (const std::string& a : e.argv) ctx.reply.bulk(a);
    ctx.reply.bulk(e.peer);
    ctx.reply.bulk(e.name);
  }
}

// SLOWLOG LEN
void cmd_slowlog_len(CommandContext& ctx) {
  ctx.reply.integer(static_cast<int64_t>(ctx.engine.slowlog().size()));
}

// SLOWLOG RESET
void cmd_slowlog_reset(CommandContext& ctx) {
  ctx.engine.reset_slowlog();
  ctx.reply.ok();
}

// SLOWLOG HELP
void cmd_slowlog_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
  };
  reply_help(ctx, kLines);
}

// LATENCY LATEST
void cmd_latency_latest(CommandContext& ctx) {
  auto& events = ctx.engine.latency_events();
  ctx.reply.array(events.size());
  for (const auto& [name, series] : events) {
    ctx.reply.array(4);
    ctx.reply.bulk(name);
    ctx.reply.integer(series.latest().time_s);
    ctx.reply.integer(static_cast<int64_t>(series.latest().ms));
    ctx.reply.integer(static_cast<int64_t>(series.max_ms));
  }
}

// LATENCY HISTORY event
void cmd_latency_history(CommandContext& ctx) {
  auto& events = ctx.engine.latency_events();
  auto it = events.find(std::string(ctx.arg(2)));
  if (it == events.end()) {
    ctx.reply.array(0);
    return;
  }
  // Oldest first: the ring is read from the slot the next sample would take.
  const LatencySeries& series = it->second;
  std::vector<const LatencySeries::Sample*> samples;
  for (size_t j = 0; j < LatencySeries::kSamples; ++j) {
    const auto& sample = series.samples[(series.next + j) % LatencySeries::kSamples];
    if (sample.time_s != 0) samples.push_back(&sample);
  }
  ctx.reply.array(samples.size());
  for (const auto* sample : samples) {
    ctx.reply.array(2);
    ctx.reply.integer(sample->time_s);
    ctx.reply.integer(static_cast<int64_t>(sample->ms));
  }
}

// LATENCY RESET [event ...]
void cmd_latency_reset(CommandContext& ctx) {
  auto& events = ctx.engine.latency_events();
  int64_t resets = 0;
  if (ctx.argc() == 2) {
    resets = static_cast<int64_t>(events.size());
    events.clear();
  } else {
    // Event names match case-insensitively, as Redis's strcasecmp there.
    for (size_t i = 2; i < ctx.argc(); ++i) {
      for (auto it = events.begin(); it != events.end();) {
        if (iequals(it->first, ctx.arg(i))) {
          it = events.erase(it);
          ++resets;
        } else {
          ++it;
        }
      }
    }
  }
  ctx.reply.integer(resets);
}

// The clock now (inside EXEC the store's time stands at EXEC's start): samples are stamped when
// their command ended, and the reports say how long ago, as Redis's time(NULL).
int64_t wall_seconds(CommandContext& ctx) { return ctx.store().clock().now_ms() / 1000; }

// LATENCY DOCTOR
void cmd_latency_doctor(CommandContext& ctx) {
  const Config& c = ctx.config();
  const DoctorSettings settings{c.latency_monitor_threshold, c.slowlog_log_slower_than,
                                c.appendfsync == "always", c.hz};
  ctx.reply.verbatim("txt",
                     latency_doctor(ctx.engine.latency_events(), settings, wall_seconds(ctx)));
}

// LATENCY GRAPH event
void cmd_latency_graph(CommandContext& ctx) {
  auto& events = ctx.engine.latency_events();
  auto it = events.find(std::string(ctx.arg(2)));
  if (it == events.end()) {
    ctx.reply.error("ERR No samples available for event '" + std::string(ctx.arg(2)) + "'");
    return;
  }
  ctx.reply.verbatim("txt", latency_graph(it->first, it->second, wall_seconds(ctx)));
}

// LATENCY HELP
void cmd_latency_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "DOCTOR",
      "    Return a human readable latency analysis report.",
      "GRAPH <event>",
      "    Return an ASCII latency graph for the <event> class.",
      "HISTORY <event>",
      "    Return time-latency samples for the <event> class.",
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
      "HISTOGRAM [COMMAND ...]",
      "    Return a cumulative distribution of latencies in the format of a histogram for the "
      "specified command names.",
      "    If no commands are specified then all histograms are replied.",
  };
  reply_help(ctx, kLines);
}

// LATENCY HISTOGRAM [command ...]: per command, its calls and the cumulative distribution of its
// latencies at power-of-two microseconds, as Redis reads its HdrHistograms. With no names, every
// command that ran; unknown names are skipped; a container's name brings its subcommands.
void cmd_latency_histogram(CommandContext& ctx) {
  std::vector<std::pair<const Command*, const PercentileHistogram*>> found;
  auto add = [&](const Command& cmd) {
    if (const PercentileHistogram* h = ctx.engine.latency_histogram(cmd))
      found.emplace_back(&cmd, h);
  };
  auto add_with_subcommands = [&](const Command& cmd) {
    add(cmd);
    for (const Command& sub : cmd.subcommands) add(sub);
  };
  if (ctx.argc() == 2) {
    for (const Command* cmd : ctx.engine.commands().sorted()) add_with_subcommands(*cmd);
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      if (const Command* cmd = find_by_full_name(ctx.engine.commands(), ctx.arg(i))) {
        add_with_subcommands(*cmd);
      }
    }
  }
  ctx.reply.map(found.size());
  std::vector<std::pair<int64_t, uint64_t>> levels;
  for (const auto& [cmd, h] : found) {
    ctx.reply.bulk(cmd->full_name);
    ctx.reply.map(2);
    ctx.reply.bulk("calls");
    ctx.reply.integer(static_cast<int64_t>(h->total()));
    ctx.reply.bulk("histogram_usec");
    levels.clear();
    // Redis's first level: 1024 ns, read back in whole microseconds.
    h->for_each_log2_level(
        1024, [&](int64_t ns, uint64_t cumulative) { levels.emplace_back(ns / 1000, cumulative); });
    ctx.reply.map(levels.size());
    for (const auto& [us, cumulative] : levels) {
      ctx.reply.integer(us);
      ctx.reply.integer(static_cast<int64_t>(cumulative));
    }
  }
}

// MONITOR
void cmd_monitor(CommandContext& ctx) {
  if (ctx.session.frontend != Frontend::kResp) {
    ctx.reply.error(err::kMonitorOverHttp);
    return;
  }
  // A transaction expects one reply per command, which a feed is not.
  if (ctx.in_exec) {
    ctx.reply.error(err::kMonitorInExec);
    return;
  }
  // Already monitoring: ignored without a reply, as Redis does.
  if (ctx.session.monitor) return;
  ctx.engine.add_monitor(ctx.session);
  ctx.reply.ok();
}

// --- MEMORY STATS --------------------------------------------------------------------------------

// MEMORY DOCTOR (clients counted as INFO's connected_clients)
void cmd_memory_doctor(CommandContext& ctx) {
  const MemoryFigures m = ctx.engine.memory();
  ctx.reply.verbatim("txt", memory_doctor_report(m, connected_clients(ctx.engine)));
}

// MEMORY MALLOC-STATS: jemalloc's own report, as Redis gives it.
void cmd_memory_malloc_stats(CommandContext& ctx) {
  const std::string report = allocator_stats_report();
  if (report.empty()) {
    ctx.reply.bulk("Stats not supported for the current allocator");
  } else {
    ctx.reply.verbatim("txt", report);
  }
}

// MEMORY PURGE: free pages back to the system now.
void cmd_memory_purge(CommandContext& ctx) {
  release_free_memory();
  ctx.reply.ok();
}

// ROLE: a standalone server is a master with no replicas.
void cmd_role(CommandContext& ctx) {
  ctx.reply.array(3);
  ctx.reply.bulk("master");
  ctx.reply.integer(0);  // master_repl_offset, as INFO replication says
  ctx.reply.array(0);
}

// WAIT numreplicas timeout: no replica ever acknowledges (Basalt has none), so 0, at once when
// that is enough (numreplicas <= 0, or a client that cannot block: inside MULTI), otherwise when
// the timeout ends (0: never; CLIENT UNBLOCK ends it too), as Redis with no replica connected.
// Over HTTP it blocks the request as BLPOP does.
void cmd_wait(CommandContext& ctx) {
  ArgParser parser(ctx.argv, 1);
  const int64_t numreplicas = parser.next_int(INT64_MIN, INT64_MAX, err::kNotInteger);
  const int64_t timeout_ms = parser.next_int(INT64_MIN, INT64_MAX, err::kTimeoutNotInteger);
  if (!parser.ok_or_reply(ctx.reply)) return;
  if (timeout_ms < 0) return ctx.reply.error(err::kTimeoutNegative);
  const int64_t now = ctx.now_ms();
  if (timeout_ms > INT64_MAX - now) return ctx.reply.error(err::kTimeoutOutOfRange);
  if (numreplicas <= 0 || !ctx.may_block()) return ctx.reply.integer(0);
  ctx.engine.block(ctx, {}, timeout_ms == 0 ? 0 : now + timeout_ms, TimeoutReply::kZero);
}

// MEMORY STATS
// Redis's field names and order. Figures Basalt has no source for (replication, AOF, Lua, the
// allocator's active and resident pages) are 0; the ratios follow from the figures it has.
void cmd_memory_stats(CommandContext& ctx) {
  MemoryFigures m = ctx.engine.memory();
  const Store& store = ctx.store();
  std::vector<int> dbs;
  uint64_t keys = 0;
  for (int i = 0; i < store.db_count(); ++i) {
    const Database& db = store.db(i);
    keys += db.size();
    if (db.size() != 0 || db.expires() != 0) dbs.push_back(i);
  }
  const uint64_t overhead = m.overhead();
  const uint64_t net = m.net();
  ReplyBuilder& r = ctx.reply;
  r.map(27 + dbs.size());
  auto num = [&r](std::string_view name, uint64_t v) {
    r.bulk(name);
    r.integer(static_cast<int64_t>(v));
  };
  auto dbl = [&r](std::string_view name, double v) {
    r.bulk(name);
    r.dbl(v);
  };
  num("peak.allocated", m.peak);
  num("total.allocated", m.used);
  num("startup.allocated", m.startup);
  num("replication.backlog", 0);
  num("clients.slaves", 0);
  num("clients.normal", m.clients);
  num("cluster.links", 0);
  num("aof.buffer", 0);
  num("lua.caches", 0);
  num("functions.caches", 0);
  for (int i : dbs) {
    r.bulk("db." + std::to_string(i));
    r.map(3);
    num("overhead.hashtable.main", store.db(i).table_bytes());
    num("overhead.hashtable.expires", store.db(i).ttl_index_bytes());
    num("overhead.hashtable.slot-to-keys", 0);
  }
  num("overhead.total", overhead);
  num("keys.count", keys);
  num("keys.bytes-per-key", keys == 0 ? 0 : net / keys);
  num("dataset.bytes", m.dataset);
  dbl("dataset.percentage", float_ratio(m.dataset, net, 100));
  dbl("peak.percentage", float_ratio(m.used, m.peak, 100));
  auto diff = [&r](std::string_view name, uint64_t a, uint64_t b) {
    r.bulk(name);
    r.integer(signed_difference(a, b));
  };
  num("allocator.allocated", m.used);
  num("allocator.active", m.allocator_active);
  num("allocator.resident", m.allocator_resident);
  dbl("allocator-fragmentation.ratio", float_ratio(m.allocator_active, m.used));
  diff("allocator-fragmentation.bytes", m.allocator_active, m.used);
  dbl("allocator-rss.ratio", float_ratio(m.allocator_resident, m.allocator_active));
  diff("allocator-rss.bytes", m.allocator_resident, m.allocator_active);
  dbl("rss-overhead.ratio", float_ratio(m.rss, m.allocator_resident));
  diff("rss-overhead.bytes", m.rss, m.allocator_resident);
  dbl("fragmentation", float_ratio(m.rss, m.used));
  diff("fragmentation.bytes", m.rss, m.used);
}

// --- TIME, LASTSAVE, SHUTDOWN -----------------------------------------------------------

// TIME
void cmd_time(CommandContext& ctx) {
  // Read now, in microseconds, as Redis's gettimeofday().
  const int64_t now_us = ctx.store().clock().now_us();
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(now_us / 1000000));
  ctx.reply.bulk(std::to_string(now_us % 1000000));
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
void cmd_shutdown(CommandContext& ctx) {
  bool nosave = false, save = false, now = false, force = false, abort = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (iequals(a, "nosave")) {
      nosave = true;
    } else if (iequals(a, "save")) {
      save = true;
    } else if (iequals(a, "now")) {
      now = true;
    } else if (iequals(a, "force")) {
      force = true;
    } else if (iequals(a, "abort")) {
      abort = true;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  Host* host = ctx.engine.host();
  // A SHUTDOWN command completes within its turn; what can be pending is a signal's shutdown.
  if (abort) {
    if (host != nullptr && host->abort_shutdown()) return ctx.reply.ok();
    ctx.reply.error(err::kNoShutdownInProgress);
    return;
  }
  if (host == nullptr) {
    BASALT_LOG(kWarning, "SHUTDOWN refused: this engine has no host process to stop");
    ctx.reply.error(err::kShutdownFailed);
    return;
  }
  // The final AOF flush and, with save rules (or SAVE), the dump; a failed save stops the
  // shutdown unless FORCE says to go ahead anyway, as in Redis.
  const ShutdownSave mode =
      nosave ? ShutdownSave::kNoSave : (save ? ShutdownSave::kSave : ShutdownSave::kDefault);
  if (ctx.engine.persistence().prepare_shutdown(mode) && !force) {
    ctx.reply.error(err::kShutdownFailed);
    return;
  }
  (void)now;
  // As in Redis, a successful SHUTDOWN sends no reply: the connection closes with the server.
  host->request_shutdown();
}

}  // namespace

void register_server(CommandTable& table) {
  constexpr uint32_t kLoadingStale = kCmdLoading | kCmdStale;
  constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoScript | kLoadingStale;

  table.add({"command", -1, kLoadingStale, 0, 0, 0, cmd_command, "server",
             "Get array of Redis command details", "@connection"});
  table.add_subcommand("command", {"count", 2, kLoadingStale, 0, 0, 0, cmd_command_count, "server",
                                   "Get total number of Redis commands", "@connection"});
  table.add_subcommand("command",
                       {"info", -2, kLoadingStale, 0, 0, 0, cmd_command_info, "server",
                        "Get array of specific Redis command details, or all when no argument is "
                        "given.",
                        "@connection"});
  table.add_subcommand("command",
                       {"docs", -2, kLoadingStale, 0, 0, 0, cmd_command_docs, "server",
                        "Get array of specific Redis command documentation", "@connection"});
  table.add_subcommand("command", {"list", -2, kLoadingStale, 0, 0, 0, cmd_command_list, "server",
                                   "Get an array of Redis command names", "@connection"});
  table.add_subcommand("command",
                       {"getkeys", -4, kLoadingStale, 0, 0, 0, cmd_command_getkeys, "server",
                        "Extract keys given a full Redis command", "@connection"});
  table.add_subcommand(
      "command", {"getkeysandflags", -4, kLoadingStale, 0, 0, 0, cmd_command_getkeys, "server",
                  "Extract keys and access flags given a full Redis command", "@connection"});
  table.add_subcommand("command",
                       {"help", 2, kLoadingStale, 0, 0, 0, cmd_command_help, "server",
                        "Show helpful text about the different subcommands", "@connection"});

  table.add({"info", -1, kLoadingStale, 0, 0, 0, cmd_info, "server",
             "Get information and statistics about the server", "@dangerous"});

  table.add({"config", -2, 0, 0, 0, 0, nullptr, "server",
             "A container for server configuration commands"});
  table.add_subcommand("config", {"get", -3, kAdmin, 0, 0, 0, cmd_config_get, "server",
                                  "Get the values of configuration parameters"});
  table.add_subcommand("config", {"set", -4, kAdmin, 0, 0, 0, cmd_config_set, "server",
                                  "Set configuration parameters to the given values"});
  table.add_subcommand("config", {"resetstat", 2, kAdmin, 0, 0, 0, cmd_config_resetstat, "server",
                                  "Reset the stats returned by INFO"});
  table.add_subcommand("config",
                       {"rewrite", 2, kAdmin, 0, 0, 0, cmd_config_rewrite, "server",
                        "Rewrite the configuration file with the in memory configuration"});
  table.add_subcommand("config", {"help", 2, kLoadingStale, 0, 0, 0, cmd_config_help, "server",
                                  "Show helpful text about the different subcommands"});

  constexpr uint32_t kAdminNoNoscript = kCmdAdmin | kLoadingStale;
  table.add({"slowlog", -2, 0, 0, 0, 0, nullptr, "server", "A container for slow log commands"});
  table.add_subcommand("slowlog", {"get", -2, kAdminNoNoscript, 0, 0, 0, cmd_slowlog_get, "server",
                                   "Get the slow log's entries"});
  table.add_subcommand("slowlog", {"len", 2, kAdminNoNoscript, 0, 0, 0, cmd_slowlog_len, "server",
                                   "Get the slow log's length"});
  table.add_subcommand("slowlog", {"reset", 2, kAdminNoNoscript, 0, 0, 0, cmd_slowlog_reset,
                                   "server", "Clear all entries from the slow log"});
  table.add_subcommand("slowlog", {"help", 2, kLoadingStale, 0, 0, 0, cmd_slowlog_help, "server",
                                   "Show helpful text about the different subcommands"});
  table.add({"latency", -2, 0, 0, 0, 0, nullptr, "server",
             "A container for latency diagnostics commands"});
  table.add_subcommand("latency", {"doctor", 2, kAdmin, 0, 0, 0, cmd_latency_doctor, "server",
                                   "Return a human readable latency analysis report."});
  table.add_subcommand("latency", {"graph", 3, kAdmin, 0, 0, 0, cmd_latency_graph, "server",
                                   "Return a latency graph for the event."});
  table.add_subcommand("latency", {"latest", 2, kAdmin, 0, 0, 0, cmd_latency_latest, "server",
                                   "Return the latest latency samples for all events."});
  table.add_subcommand("latency", {"history", 3, kAdmin, 0, 0, 0, cmd_latency_history, "server",
                                   "Return timestamp-latency samples for the event."});
  table.add_subcommand("latency", {"reset", -2, kAdmin, 0, 0, 0, cmd_latency_reset, "server",
                                   "Reset latency data for one or more events."});
  table.add_subcommand("latency",
                       {"histogram", -2, kAdmin, 0, 0, 0, cmd_latency_histogram, "server",
                        "Return the cumulative distribution of latencies of a subset "
                        "of commands or all."});
  table.add_subcommand("latency", {"help", 2, kLoadingStale, 0, 0, 0, cmd_latency_help, "server",
                                   "Show helpful text about the different subcommands."});
  table.add({"monitor", 1, kAdmin, 0, 0, 0, cmd_monitor, "server",
             "Listen for all requests received by the server in real time"});
  // MEMORY is the generic family's container (registered before this family); STATS reads the
  // engine's figures, which INFO memory shares.
  table.add_subcommand(
      "memory", {"stats", 2, 0, 0, 0, 0, cmd_memory_stats, "server", "Show memory usage details"});
  table.add_subcommand("memory", {"doctor", 2, 0, 0, 0, 0, cmd_memory_doctor, "server",
                                  "Outputs memory problems report"});
  table.add_subcommand("memory", {"malloc-stats", 2, 0, 0, 0, 0, cmd_memory_malloc_stats, "server",
                                  "Show allocator internal stats"});
  table.add_subcommand("memory", {"purge", 2, 0, 0, 0, 0, cmd_memory_purge, "server",
                                  "Ask the allocator to release memory"});
  table.add({"wait", 3, kCmdNoScript, 0, 0, 0, cmd_wait, "generic",
             "Wait for the synchronous replication of all the write commands sent in the context "
             "of the current connection",
             "@connection"});
  table.add({"role", 1, kCmdNoScript | kLoadingStale | kCmdFast, 0, 0, 0, cmd_role, "server",
             "Return the role of the instance in the context of replication", "@admin @dangerous"});

  table.add({"time", 1, kLoadingStale | kCmdFast, 0, 0, 0, cmd_time, "server",
             "Return the current server time"});
  table.add({"shutdown", -1, kAdmin | kCmdNoMulti | kCmdAllowBusy, 0, 0, 0, cmd_shutdown, "server",
             "Synchronously save the dataset to disk and then shut down the server"});
}

}  // namespace basalt
