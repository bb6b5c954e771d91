// Fuzzes the HTTP front end's JSON (adapters/http/json*.cpp): request bodies in, strings out.
// Oracles besides the sanitizers:
//  - parse_json_arguments and parse_json_command_list (the command API's fast paths) take exactly
//    the documents parse_json reads as a non-empty array of strings and numbers, or a non-empty
//    array of those, with the same texts, so falling back to parse_json for everything else
//    changes no answer;
//  - append_json_string's output is one JSON string that parses back to the input when the input
//    is valid UTF-8, and is valid UTF-8 itself in any case.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "http/json.hpp"
#include "http/json_parse.hpp"

namespace {

using namespace basalt::http;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "%s: input (%zu bytes) \"%.*s\"\n", what, input.size(),
               static_cast<int>(input.size()), input.data());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  std::string error;
  auto tree = parse_json(input, &error);
  if (!tree && error.empty()) fail("refused without a reason", input);
  std::vector<std::string> expected;
  bool command = tree && tree->is_array() && !tree->items.empty();
  for (size_t i = 0; command && i < tree->items.size(); ++i) {
    command = tree->items[i].is_scalar_text();
    expected.push_back(tree->items[i].text);
  }
  std::vector<std::string_view> argv;
  bool fast = parse_json_arguments(input, &argv);
  if (fast != command) fail(fast ? "fast path took a non-command" : "fast path refused", input);
  if (fast && std::vector<std::string>(argv.begin(), argv.end()) != expected) {
    fail("fast path read other texts", input);
  }

  // The same for a pipeline's body: an array of such commands.
  std::vector<std::vector<std::string>> expected_list;
  bool list = tree && tree->is_array() && !tree->items.empty();
  for (size_t i = 0; list && i < tree->items.size(); ++i) {
    const JsonValue& cmd = tree->items[i];
    list = cmd.is_array() && !cmd.items.empty();
    auto& args = expected_list.emplace_back();
    for (size_t j = 0; list && j < cmd.items.size(); ++j) {
      list = cmd.items[j].is_scalar_text();
      args.push_back(cmd.items[j].text);
    }
  }
  std::vector<std::vector<std::string>> commands;
  bool fast_list = parse_json_command_list(input, &commands);
  if (fast_list != list) {
    fail(fast_list ? "fast path took a non-pipeline" : "fast path refused a pipeline", input);
  }
  if (fast_list && commands != expected_list) fail("fast path read another pipeline", input);

  std::string quoted;
  append_json_string(quoted, input);
  if (!utf8_valid(quoted)) fail("escaped string is not UTF-8", input);
  auto back = parse_json(quoted, &error);
  if (!back || !back->is_string()) fail("escaped string does not parse as one", input);
  if (utf8_valid(input) && back->text != input) fail("escaped string reads back otherwise", input);
  return 0;
}
