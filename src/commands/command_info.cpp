#include "commands/command_info.hpp"

#include <algorithm>
#include <optional>

#include "base/strings.hpp"

namespace basalt::docs {

#include "commands/command_info.inc"

namespace {

bool has_flag(const KeySpec& spec, std::string_view flag) {
  std::string_view rest = spec.flags;
  while (!rest.empty()) {
    size_t sp = rest.find(' ');
    if (rest.substr(0, sp) == flag) return true;
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
  }
  return false;
}

// Where the spec's keys begin, or 0 when its keyword is absent (the spec then names no keys).
int begin_search(const KeySpec& spec, std::span<const std::string_view> argv) {
  int argc = static_cast<int>(argv.size());
  if (spec.begin_search == BeginSearch::kIndex) return spec.index;
  // Keys that only the command itself can find (SORT's BY and GET patterns): none listed here.
  if (spec.begin_search == BeginSearch::kUnknown) return 0;
  // Redis scans forwards from startfrom, or backwards when it counts from the end, stopping
  // short of the last (or first) argument.
  int start = spec.startfrom > 0 ? spec.startfrom : argc + spec.startfrom;
  int end = spec.startfrom > 0 ? argc - 1 : 1;
  for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
    if (i >= argc || i < 1) break;
    if (iequals(argv[i], spec.keyword)) return i + 1;
  }
  return 0;
}

}  // namespace

const CommandInfoExtra* find_command_info(std::string_view lowercase_name) {
  auto it =
      std::ranges::lower_bound(kCommandInfoExtras, lowercase_name, {}, &CommandInfoExtra::name);
  return it != std::end(kCommandInfoExtras) && it->name == lowercase_name ? &*it : nullptr;
}

std::span<const CommandInfoExtra> all_command_infos() { return kCommandInfoExtras; }

bool keys_from_specs(std::span<const KeySpec> specs, std::span<const std::string_view> argv,
                     std::vector<int>* positions) {
  positions->clear();
  auto invalid = [positions] {
    positions->clear();
    return false;
  };
  int argc = static_cast<int>(argv.size());
  for (const KeySpec& spec : specs) {
    if (has_flag(spec, "not_key")) continue;
    int first = begin_search(spec, argv);
    if (first == 0) continue;
    int last = 0;
    if (spec.find_keys == FindKeys::kRange) {
      if (spec.lastkey >= 0) {
        last = first + spec.lastkey;
      } else if (spec.limit == 0) {
        last = argc + spec.lastkey;
      } else {
        last = first + ((argc - first) / spec.limit + spec.lastkey);
      }
    } else {
      int count_at = first + spec.keynumidx;
      if (count_at >= argc) return invalid();
      std::optional<int64_t> numkeys = parse_int64(argv[count_at]);
      if (!numkeys || *numkeys < 0) return invalid();
      first += spec.firstkey;
      // A count beyond the arguments fails the bounds check below, as in Redis; capping it first
      // keeps the arithmetic in range.
      last = first + static_cast<int>(std::min<int64_t>(*numkeys, argc)) - 1;
    }
    if (last >= argc || last < first || first >= argc) return invalid();
    for (int i = first; i <= last; i += std::max(spec.keystep, 1)) positions->push_back(i);
    if (has_flag(spec, "incomplete")) return invalid();
  }
  return true;
}

}  // namespace basalt::docs
