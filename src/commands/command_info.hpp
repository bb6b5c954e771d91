// The parts of a COMMAND INFO entry that the command table does not hold: command tips and key
// specs, generated once from a real redis-server (tools/gen_command_docs.py writes
// command_info.inc). Key specs are structs rather than replayable reply nodes because COMMAND
// GETKEYS interprets them, as Redis's getKeysUsingKeySpecs does.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace basalt::docs {

enum class BeginSearch : uint8_t { kIndex, kKeyword, kUnknown };  // kUnknown: SORT's BY/GET keys
enum class FindKeys : uint8_t { kRange, kKeynum, kUnknown };

// One key spec, field for field as Redis 7.0 describes it (src/commands/*.json "key_specs").
struct KeySpec {
  std::string_view notes = {};  // empty: the spec has none
  std::string_view flags = {};  // space-separated, in Redis's order: "RW access delete"
  BeginSearch begin_search = BeginSearch::kIndex;
  int index = 0;                  // kIndex: argv position where the search begins
  std::string_view keyword = {};  // kKeyword: the search begins after this argument
  int startfrom = 0;              // kKeyword: where to look for it; negative counts from the end
  FindKeys find_keys = FindKeys::kRange;
  int lastkey = 0;    // kRange: last key relative to the first; negative counts from the end
  int keystep = 1;    // both: distance between keys
  int limit = 0;      // kRange with lastkey -1: only 1/limit of the remaining arguments
  int keynumidx = 0;  // kKeynum: position of the key count, relative to the begin search
  int firstkey = 0;   // kKeynum: position of the first key, relative to the begin search
};

struct CommandInfoExtra {
  std::string_view name;  // "get", "client|id"
  std::span<const std::string_view> tips;
  std::span<const KeySpec> key_specs;
};

// Top-level commands ("get") and subcommands ("client|id"); the name must already be lowercase.
// nullptr if the generated table has nothing for it (a command this Redis version lacks).
const CommandInfoExtra* find_command_info(std::string_view lowercase_name);
std::span<const CommandInfoExtra> all_command_infos();

// Positions (in argv, argv[0] being the command name) of the keys the specs name, following
// Redis 7.0's getKeysUsingKeySpecs: false when the arguments do not fit the specs (a key count
// that is not a number, keys past the end), which COMMAND GETKEYS reports as invalid arguments.
bool keys_from_specs(std::span<const KeySpec> specs, std::span<const std::string_view> argv,
                     std::vector<int>* positions);

}  // namespace basalt::docs
