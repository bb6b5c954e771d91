#pragma once
// Request bodies: parsed with simdjson On-Demand into a small owned tree, so routes can look
// fields up in any order and simdjson stays inside one translation unit. Numbers keep their exact
// text: a value sent as 1.10 is stored as "1.10", never re-typed or rounded.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::http {

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // a string's unescaped bytes, or a number's literal text
  std::vector<JsonValue> items;
  std::vector<std::pair<std::string, JsonValue>> members;

  // Declared here, defined in the .cpp: with C++20's constexpr vector, clang instantiates the
  // implicit destructor while std::pair<std::string, JsonValue> is still being instantiated (it
  // asks whether JsonValue is default-constructible), and libstdc++ 12 then rejects the incomplete
  // pair. Out-of-line members are only instantiated once both types are complete.
  JsonValue();
  JsonValue(const JsonValue&);
  JsonValue(JsonValue&&) noexcept;
  JsonValue& operator=(const JsonValue&);
  JsonValue& operator=(JsonValue&&) noexcept;
  ~JsonValue();

  bool is_string() const { return type == Type::kString; }
  bool is_number() const { return type == Type::kNumber; }
  bool is_array() const { return type == Type::kArray; }
  bool is_object() const { return type == Type::kObject; }
  bool is_null() const { return type == Type::kNull; }
  // Strings and numbers: the text a Redis argument gets.
  bool is_scalar_text() const { return is_string() || is_number(); }
  // The last member with this name, or nullptr.
  const JsonValue* find(std::string_view key) const;
};

inline constexpr size_t kMaxJsonDepth = 64;

// nullopt with *error set ("expected ',' or '}'..." style text) for anything but one complete,
// valid JSON document (trailing bytes other than whitespace are an error).
std::optional<JsonValue> parse_json(std::string_view body, std::string* error);

// A command's arguments from a JSON array of strings and numbers (numbers keep their literal
// text, as in parse_json), read without the tree parse_json() builds: for a 1,000,000-argument DEL
// that tree is a ~100-byte JsonValue per argument, moved again each time its vector grows, then
// copied out into strings, and the command API spent most of its time in page faults. The views
// point into this thread's parser (its unescaped strings, its padded copy of the body) and stay
// valid until the next parse_json() or parse_json_arguments() on the same thread.
//
// False for anything but one non-empty array of strings and numbers, without saying why: callers
// then parse_json() the body, which accepts the same documents and explains the others.
bool parse_json_arguments(std::string_view body, std::vector<std::string_view>* argv);

// The commands of a pipeline or transaction: a non-empty JSON array of commands, each as
// parse_json_arguments takes one, copied out (a pipeline outlives the parse when one of its
// commands blocks) but without the tree. False, without saying why, for anything else: callers then
// parse_json() the body for the error.
bool parse_json_command_list(std::string_view body,
                             std::vector<std::vector<std::string>>* commands);

// True if s is exactly a JSON number literal (RFC 8259 grammar).
bool is_json_number(std::string_view s);

}  // namespace basalt::http
