#include "commands/command_table.hpp"

#include <algorithm>
#include <cctype>

#include "base/strings.hpp"

namespace basalt {

const Command* Command::find_subcommand(std::string_view name) const {
  for (const Command& sub : subcommands) {
    if (iequals(sub.spec.name, name)) return &sub;
  }
  return nullptr;
}

std::vector<size_t> Command::key_positions(size_t argc) const {
  std::vector<size_t> keys;
  if (spec.first_key <= 0) return keys;
  int last = spec.last_key < 0 ? static_cast<int>(argc) + spec.last_key : spec.last_key;
  int step = spec.step > 0 ? spec.step : 1;
  for (int i = spec.first_key; i <= last && i < static_cast<int>(argc); i += step)
    keys.push_back(i);
  return keys;
}

void CommandTable::add(const CommandSpec& spec) {
  Command cmd{spec, std::string(spec.name), {}, {}};
  commands_.insert_or_assign(std::string(spec.name), std::move(cmd));
}

void CommandTable::add_subcommand(std::string_view container, const CommandSpec& spec) {
  auto it = commands_.find(container);
  if (it == commands_.end()) return;
  Command sub{spec, std::string(container) + "|" + std::string(spec.name), {}, {}};
  it->second.subcommands.push_back(std::move(sub));
  std::sort(it->second.subcommands.begin(), it->second.subcommands.end(),
            [](const Command& a, const Command& b) { return a.spec.name < b.spec.name; });
}

const Command* CommandTable::find(std::string_view name) const {
  // Command names are short: lowercase into a stack buffer rather than allocating.
  char buf[32];
  if (name.size() > sizeof(buf)) return nullptr;
  // ASCII only, inline: std::tolower is a locale-aware call per byte.
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  auto it = commands_.find(std::string_view(buf, name.size()));
  return it == commands_.end() ? nullptr : &it->second;
}

std::vector<const Command*> CommandTable::sorted() const {
  std::vector<const Command*> out;
  out.reserve(commands_.size());
  for (auto& [name, cmd] : commands_) out.push_back(&cmd);
  std::sort(out.begin(), out.end(),
            [](const Command* a, const Command* b) { return a->spec.name < b->spec.name; });
  return out;
}

std::vector<std::string_view> flag_names(uint32_t flags) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kCmdWrite, "write"},
      {kCmdReadonly, "readonly"},
      {kCmdDenyOom, "denyoom"},
      {kCmdAdmin, "admin"},
      {kCmdPubsub, "pubsub"},
      {kCmdNoScript, "noscript"},
      {kCmdBlocking, "blocking"},
      {kCmdLoading, "loading"},
      {kCmdStale, "stale"},
      {kCmdSkipMonitor, "skip_monitor"},
      {kCmdSkipSlowlog, "skip_slowlog"},
      {kCmdFast, "fast"},
      {kCmdNoAuth, "no_auth"},
      {kCmdMayReplicate, "may_replicate"},
      {kCmdSentinel, "sentinel"},
      {kCmdNoMandatoryKeys, "no_mandatory_keys"},
      {kCmdNoMulti, "no_multi"},
      {kCmdMovableKeys, "movablekeys"},
      {kCmdAllowBusy, "allow_busy"},
  };
  std::vector<std::string_view> out;
  for (auto [bit, name] : kNames) {
    if (flags & bit) out.push_back(name);
  }
  return out;
}

std::vector<std::string> acl_categories(const Command& cmd) {
  // Redis's order of categories, and its implicit ones derived from the flags.
  static constexpr std::string_view kOrder[] = {
      "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
      "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
      "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
  std::vector<std::string> have;
  std::string_view explicit_cats = cmd.spec.acl_categories;
  while (!explicit_cats.empty()) {
    size_t sp = explicit_cats.find(' ');
    std::string_view word = explicit_cats.substr(0, sp);
    if (word.starts_with("@")) word.remove_prefix(1);
    if (!word.empty()) have.emplace_back(word);
    if (sp == std::string_view::npos) break;
    explicit_cats.remove_prefix(sp + 1);
  }
  uint32_t f = cmd.spec.flags;
  if (f & kCmdWrite) have.emplace_back("write");
  if (f & kCmdReadonly) have.emplace_back("read");
  if (f & kCmdAdmin) {
    have.emplace_back("admin");
    have.emplace_back("dangerous");
  }
  if (f & kCmdPubsub) have.emplace_back("pubsub");
  if (f & kCmdFast) have.emplace_back("fast");
  if (f & kCmdBlocking) have.emplace_back("blocking");
  if (!(f & kCmdFast)) have.emplace_back("slow");
  std::vector<std::string> out;
  for (std::string_view name : kOrder) {
    if (std::find(have.begin(), have.end(), name) != have.end())
      out.push_back("@" + std::string(name));
  }
  return out;
}

}  // namespace basalt
