#include "commands/command_table.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

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

namespace {
// Redis's category names, bit i naming kAcl... 1 << i.
constexpr std::string_view kAclNames[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
static_assert(std::size(kAclNames) == 21 && (1u << 20) == kAclScripting);

// The row's explicit categories and those its flags imply, as Redis's setImplicitACLCategories.
uint32_t categories_of(const CommandSpec& spec) {
  uint32_t bits = 0;
  std::string_view rest = spec.acl_categories;
  while (!rest.empty()) {
    size_t sp = rest.find(' ');
    bits |= acl_category_bit(rest.substr(0, sp));
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
  }
  const uint32_t f = spec.flags;
  if (f & kCmdWrite) bits |= kAclWrite;
  if (f & kCmdReadonly) bits |= kAclRead;
  if (f & kCmdAdmin) bits |= kAclAdmin | kAclDangerous;
  if (f & kCmdPubsub) bits |= kAclPubsub;
  if (f & kCmdFast) bits |= kAclFast;
  if (f & kCmdBlocking) bits |= kAclBlocking;
  if (!(f & kCmdFast)) bits |= kAclSlow;
  return bits;
}
}  // namespace

uint32_t acl_category_bit(std::string_view name) {
  if (name.starts_with("@")) name.remove_prefix(1);
  for (size_t i = 0; i < std::size(kAclNames); ++i) {
    if (kAclNames[i] == name) return 1u << i;
  }
  return 0;
}

std::vector<std::string> acl_category_names(uint32_t categories) {
  std::vector<std::string> out;
  for (size_t i = 0; i < std::size(kAclNames); ++i) {
    if (categories & (1u << i)) out.push_back("@" + std::string(kAclNames[i]));
  }
  return out;
}

Command CommandTable::make(const CommandSpec& spec, std::string full_name) {
  Command cmd{spec, std::move(full_name), {}, next_id_++, categories_of(spec)};
  return cmd;
}

void CommandTable::add(const CommandSpec& spec) {
  commands_.insert_or_assign(std::string(spec.name), make(spec, std::string(spec.name)));
}

void CommandTable::add_subcommand(std::string_view container, const CommandSpec& spec) {
  auto it = commands_.find(container);
  if (it == commands_.end()) return;
  it->second.subcommands.push_back(
      make(spec, std::string(container) + "|" + std::string(spec.name)));
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
      // may_replicate is left out of COMMAND INFO, as Redis hides it (server.c).
      {kCmdSentinel, "sentinel"},
      {kCmdNoMandatoryKeys, "no_mandatory_keys"},
      {kCmdNoAsyncLoading, "no_async_loading"},
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

}  // namespace basalt
