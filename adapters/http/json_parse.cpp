#include "http/json_parse.hpp"

#include <simdjson.h>

namespace basalt::http {

namespace ondemand = simdjson::ondemand;

JsonValue::JsonValue() = default;
JsonValue::JsonValue(const JsonValue&) = default;
JsonValue::JsonValue(JsonValue&&) noexcept = default;
JsonValue& JsonValue::operator=(const JsonValue&) = default;
JsonValue& JsonValue::operator=(JsonValue&&) noexcept = default;
JsonValue::~JsonValue() = default;

const JsonValue* JsonValue::find(std::string_view key) const {
  const JsonValue* found = nullptr;
  for (auto& [k, v] : members) {
    if (k == key) found = &v;
  }
  return found;
}

bool is_json_number(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digit = [&](size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
  if (i < n && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

namespace {

std::string_view trim_right(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// One parser per thread (simdjson reuses its buffers), and a padded copy of the input: On-Demand
// reads up to SIMDJSON_PADDING bytes past the end.
simdjson::error_code iterate(std::string_view body, ondemand::document* doc) {
  thread_local ondemand::parser parser;
  thread_local std::string padded;
  padded.assign(body);
  padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
  return parser.iterate(padded.data(), body.size(), padded.size()).get(*doc);
}

simdjson::error_code convert(ondemand::value& v, JsonValue* out, size_t depth) {
  if (depth > kMaxJsonDepth) return simdjson::DEPTH_ERROR;
  ondemand::json_type type;
  if (auto err = v.type().get(type)) return err;
  switch (type) {
    case ondemand::json_type::null: {
      bool is_null = false;
      if (auto err = v.is_null().get(is_null)) return err;
      if (!is_null) return simdjson::N_ATOM_ERROR;
      out->type = JsonValue::Type::kNull;
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::boolean: {
      out->type = JsonValue::Type::kBool;
      return v.get_bool().get(out->boolean);
    }
    case ondemand::json_type::number: {
      std::string_view raw = trim_right(v.raw_json_token());
      if (!is_json_number(raw)) return simdjson::NUMBER_ERROR;
      out->type = JsonValue::Type::kNumber;
      out->text.assign(raw);
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::string: {
      std::string_view s;
      if (auto err = v.get_string().get(s)) return err;
      out->type = JsonValue::Type::kString;
      out->text.assign(s);
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::array: {
      ondemand::array arr;
      if (auto err = v.get_array().get(arr)) return err;
      out->type = JsonValue::Type::kArray;
      for (auto element : arr) {
        ondemand::value item;
        if (auto err = element.get(item)) return err;
        out->items.emplace_back();
        if (auto err = convert(item, &out->items.back(), depth + 1)) return err;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::object: {
      ondemand::object obj;
      if (auto err = v.get_object().get(obj)) return err;
      out->type = JsonValue::Type::kObject;
      for (auto field : obj) {
        std::string_view key;
        if (auto err = field.unescaped_key().get(key)) return err;
        out->members.emplace_back(std::string(key), JsonValue());
        ondemand::value item;
        if (auto err = field.value().get(item)) return err;
        if (auto err = convert(item, &out->members.back().second, depth + 1)) return err;
      }
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

}  // namespace

std::optional<JsonValue> parse_json(std::string_view body, std::string* error) {
  ondemand::document doc;
  JsonValue root;
  auto fail = [&](simdjson::error_code err) {
    *error = std::string("invalid JSON: ") + simdjson::error_message(err);
    return std::nullopt;
  };
  if (auto err = iterate(body, &doc)) return fail(err);
  // A scalar document cannot be read as a value; handle the two cases apart.
  bool scalar = false;
  if (auto err = doc.is_scalar().get(scalar)) return fail(err);
  if (scalar) {
    ondemand::json_type type;
    if (auto err = doc.type().get(type)) return fail(err);
    switch (type) {
      case ondemand::json_type::string: {
        std::string_view s;
        if (auto err = doc.get_string().get(s)) return fail(err);
        root.type = JsonValue::Type::kString;
        root.text.assign(s);
        break;
      }
      case ondemand::json_type::number: {
        std::string_view raw;
        if (auto err = doc.raw_json_token().get(raw)) return fail(err);
        raw = trim_right(raw);
        if (!is_json_number(raw)) return fail(simdjson::NUMBER_ERROR);
        root.type = JsonValue::Type::kNumber;
        root.text.assign(raw);
        // raw_json_token does not advance; consume the value so at_end() sees the rest.
        double ignored;
        if (auto err = doc.get_double().get(ignored)) {
          if (err != simdjson::NUMBER_OUT_OF_RANGE) return fail(err);
        }
        break;
      }
      case ondemand::json_type::boolean: {
        root.type = JsonValue::Type::kBool;
        if (auto err = doc.get_bool().get(root.boolean)) return fail(err);
        break;
      }
      case ondemand::json_type::null: {
        bool is_null = false;
        if (auto err = doc.is_null().get(is_null)) return fail(err);
        if (!is_null) return fail(simdjson::N_ATOM_ERROR);
        break;
      }
      default:
        return fail(simdjson::INCORRECT_TYPE);
    }
  } else {
    ondemand::value v;
    if (auto err = doc.get_value().get(v)) return fail(err);
    if (auto err = convert(v, &root, 1)) return fail(err);
  }
  // Past the document there must be nothing: current_location() reports OUT_OF_BOUNDS at the end.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    *error = "invalid JSON: trailing content after the document";
    return std::nullopt;
  }
  return root;
}

namespace {

// A string's unescaped bytes or a number's literal text, as convert() reads them; false for any
// other value.
bool scalar_text(simdjson::simdjson_result<ondemand::value> element, std::string_view* text) {
  ondemand::value item;
  ondemand::json_type type;
  if (element.get(item) || item.type().get(type)) return false;
  if (type == ondemand::json_type::string) return item.get_string().get(*text) == simdjson::SUCCESS;
  if (type != ondemand::json_type::number) return false;
  *text = trim_right(item.raw_json_token());
  return is_json_number(*text);
}

}  // namespace

bool parse_json_arguments(std::string_view body, std::vector<std::string_view>* argv) {
  argv->clear();
  ondemand::document doc;
  ondemand::array array;
  size_t count = 0;
  if (iterate(body, &doc) || doc.get_array().get(array) || array.count_elements().get(count) ||
      count == 0) {
    return false;
  }
  // One allocation: a million views grown by doubling would touch twice the memory.
  argv->reserve(count);
  for (auto element : array) {
    std::string_view text;
    if (!scalar_text(element, &text)) return false;
    argv->push_back(text);
  }
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

bool parse_json_command_list(std::string_view body,
                             std::vector<std::vector<std::string>>* commands) {
  commands->clear();
  ondemand::document doc;
  ondemand::array list;
  size_t count = 0;
  if (iterate(body, &doc) || doc.get_array().get(list) || list.count_elements().get(count) ||
      count == 0) {
    return false;
  }
  commands->reserve(count);
  for (auto element : list) {
    ondemand::array command;
    size_t argc = 0;
    if (element.get_array().get(command) || command.count_elements().get(argc) || argc == 0) {
      return false;
    }
    std::vector<std::string>& argv = commands->emplace_back();
    argv.reserve(argc);
    for (auto arg : command) {
      std::string_view text;
      if (!scalar_text(arg, &text)) return false;
      argv.emplace_back(text);
    }
  }
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

}  // namespace basalt::http
