#pragma once
// The command table: the single source of truth for what a command is (name, arity, flags, key
// positions, handler, summary). Dispatch, the arity check, COMMAND and its subcommands, and the
// HTTP front end all read it. Each family registers its rows in its own file (register_strings
// ...); register_all_commands() in registry.cpp calls them all.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/strings.hpp"

namespace basalt {

struct CommandContext;
using Handler = void (*)(CommandContext&);

// Redis's command flags; COMMAND INFO prints them by these names.
enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadonly = 1u << 1,
  kCmdDenyOom = 1u << 2,
  kCmdAdmin = 1u << 3,
  kCmdNoScript = 1u << 4,
  kCmdBlocking = 1u << 5,
  kCmdLoading = 1u << 6,
  kCmdStale = 1u << 7,
  kCmdSkipMonitor = 1u << 8,
  kCmdSkipSlowlog = 1u << 9,
  kCmdFast = 1u << 10,
  kCmdNoAuth = 1u << 11,
  kCmdMayReplicate = 1u << 12,
  kCmdNoMulti = 1u << 13,
  kCmdMovableKeys = 1u << 14,
  kCmdAllowBusy = 1u << 15,
  kCmdNoMandatoryKeys = 1u << 16,
  kCmdSentinel = 1u << 17,
  kCmdPubsub = 1u << 18,
  // Gated by enable-debug-command (Redis's CMD_PROTECTED); COMMAND INFO does not show it.
  kCmdProtected = 1u << 19,
  // Refused while a replica loads its dataset in the background (SAVE, BGSAVE ...).
  kCmdNoAsyncLoading = 1u << 20,
  // May run while a RESP2 client is subscribed (the (un)subscribe commands, PING, QUIT, RESET).
  // Basalt's own; COMMAND INFO does not show it.
  kCmdPubsubContext = 1u << 21,
};

struct CommandSpec {
  std::string_view name;  // lowercase; for a subcommand just its own part ("setname")
  int arity;              // Redis's rule: N exactly, -N at least N (the name counts)
  uint32_t flags;
  int first_key, last_key, step;  // 1-based key positions; last -1 = last argument; 0 = no keys
  Handler handler;                // nullptr for a container of subcommands (CLIENT, CONFIG ...)
  std::string_view group;         // Redis's doc group: string, list, generic, connection, ...
  std::string_view summary;
  std::string_view acl_categories = {};  // extra ACL categories, e.g. "@keyspace"
};

// Redis's ACL categories, one bit each, in the order COMMAND INFO lists them. A row names its
// explicit ones ("@keyspace @string"); read, write, admin, dangerous, fast, slow, blocking and
// pubsub follow from its flags, as in Redis.
enum AclCategory : uint32_t {
  kAclKeyspace = 1u << 0,
  kAclRead = 1u << 1,
  kAclWrite = 1u << 2,
  kAclSet = 1u << 3,
  kAclSortedSet = 1u << 4,
  kAclList = 1u << 5,
  kAclHash = 1u << 6,
  kAclString = 1u << 7,
  kAclBitmap = 1u << 8,
  kAclHyperLogLog = 1u << 9,
  kAclGeo = 1u << 10,
  kAclStream = 1u << 11,
  kAclPubsub = 1u << 12,
  kAclAdmin = 1u << 13,
  kAclFast = 1u << 14,
  kAclSlow = 1u << 15,
  kAclBlocking = 1u << 16,
  kAclDangerous = 1u << 17,
  kAclConnection = 1u << 18,
  kAclTransaction = 1u << 19,
  kAclScripting = 1u << 20,
};
// The bit of a category name ("string" or "@string"); 0 for an unknown name.
uint32_t acl_category_bit(std::string_view name);

// Counters per command (INFO commandstats, /metrics). They live with the engine, indexed by
// Command::id, not in the shared table: the table describes commands and never changes after
// start-up, so per-core engines can share it.
struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

struct Command {
  CommandSpec spec;
  std::string full_name;  // "get", "client|setname"
  std::vector<Command> subcommands;
  uint16_t id = 0;              // dense over commands and subcommands: an index for per-id arrays
  uint32_t acl_categories = 0;  // AclCategory bits, explicit and implied

  bool is_container() const { return !subcommands.empty(); }
  const Command* find_subcommand(std::string_view name) const;
  bool has(uint32_t flag) const { return (spec.flags & flag) != 0; }
  // Positions of key arguments in argv (COMMAND GETKEYS, WATCH-like bookkeeping).
  std::vector<size_t> key_positions(size_t argc) const;
};

class CommandTable {
 public:
  void add(const CommandSpec& spec);
  void add_subcommand(std::string_view container, const CommandSpec& spec);
  // Case-insensitive; nullptr for an unknown name.
  const Command* find(std::string_view name) const;
  // All top-level commands, sorted by name.
  std::vector<const Command*> sorted() const;
  size_t size() const { return commands_.size(); }
  // Ids run from 0 to id_count() - 1.
  size_t id_count() const { return next_id_; }

 private:
  Command make(const CommandSpec& spec, std::string full_name);

  std::unordered_map<std::string, Command, StringHash, std::equal_to<>> commands_;
  uint16_t next_id_ = 0;
};

// The flag names COMMAND INFO prints, in Redis's order.
std::vector<std::string_view> flag_names(uint32_t flags);
// ACL categories as COMMAND INFO prints them ("@write", "@string", "@slow", ...).
std::vector<std::string> acl_category_names(uint32_t categories);

}  // namespace basalt
