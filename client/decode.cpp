// Argument building and reply decoding for the typed methods (include/basalt/commands.hpp), and
// the error types.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "basalt/client.hpp"
#include "basalt/commands.hpp"
#include "basalt/errors.hpp"
#include "protocol/writer.hpp"

namespace basalt {

ServerError::ServerError(std::string text) : Error(std::move(text)) {
  const std::string_view all = what();
  code_ = std::string(all.substr(0, all.find(' ')));
}

std::string_view ServerError::message() const {
  std::string_view all = what();
  const size_t space = all.find(' ');
  return space == std::string_view::npos ? std::string_view() : all.substr(space + 1);
}

namespace detail {
namespace {

const char* TypeName(Reply::Type t) {
  switch (t) {
    case Reply::Type::kSimpleString:
      return "simple string";
    case Reply::Type::kError:
      return "error";
    case Reply::Type::kInteger:
      return "integer";
    case Reply::Type::kBulkString:
      return "bulk string";
    case Reply::Type::kNil:
      return "nil";
    case Reply::Type::kArray:
      return "array";
    case Reply::Type::kMap:
      return "map";
    case Reply::Type::kSet:
      return "set";
    case Reply::Type::kDouble:
      return "double";
    case Reply::Type::kBoolean:
      return "boolean";
    case Reply::Type::kBigNumber:
      return "big number";
    case Reply::Type::kVerbatim:
      return "verbatim string";
    case Reply::Type::kPush:
      return "push";
    case Reply::Type::kAttribute:
      return "attribute";
  }
  return "unknown";
}

[[noreturn]] void Unexpected(const Reply& r, const char* wanted) {
  std::string shown = r.to_string();
  if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
  throw ProtocolError(std::string("basalt: expected ") + wanted + " in reply, got " +
                      TypeName(r.type()) + " " + shown +
                      " (is this server Redis-compatible? use command() for raw replies)");
}

void ThrowIfError(const Reply& r) {
  if (r.is_error()) throw ServerError(r.str());
}

bool IsStringLike(const Reply& r) {
  return r.type() == Reply::Type::kBulkString || r.type() == Reply::Type::kSimpleString ||
         r.type() == Reply::Type::kVerbatim;
}

bool IsList(const Reply& r) {
  return r.type() == Reply::Type::kArray || r.type() == Reply::Type::kSet;
}

std::string TakeString(Reply& r) {
  if (!IsStringLike(r)) Unexpected(r, "a string");
  return r.release_str();
}

// BLPOP's and LMPOP's shape: nil (false), or a two-element array [key, what was popped] (true).
bool KeyPair(Reply& r, const char* expected) {
  ThrowIfError(r);
  if (r.is_nil()) return false;
  if (!IsList(r) || r.elements().size() != 2) Unexpected(r, expected);
  return true;
}

}  // namespace

Args& Args::add(int64_t n) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), n);
  owned_.emplace_front(buf, res.ptr);
  return add(std::string_view(owned_.front()));
}

Args& Args::add_double(double d) {
  // Shortest form that reads back as the same double ("0.1", "1e+300").
  char buf[40];
  const auto res = std::to_chars(buf, buf + sizeof(buf), d);
  owned_.emplace_front(buf, res.ptr);
  return add(std::string_view(owned_.front()));
}

void Batch::add(const Args& args, std::chrono::milliseconds blocking_timeout) {
  resp::append_command(out, args.view());
  ++count;
  if (blocking_timeout > blocking) blocking = blocking_timeout;
}

Reply reply_or_throw(Reply&& r) {
  ThrowIfError(r);
  return std::move(r);
}

void expect_ok(Reply&& r) { ThrowIfError(r); }

bool ok_or_nil(Reply&& r) {
  ThrowIfError(r);
  if (r.is_nil()) return false;
  if (IsStringLike(r)) return true;
  Unexpected(r, "OK or nil");
}

std::optional<std::string> optional_string(Reply&& r) {
  ThrowIfError(r);
  if (r.is_nil()) return std::nullopt;
  return TakeString(r);
}

std::string string_value(Reply&& r) {
  ThrowIfError(r);
  return TakeString(r);
}

int64_t integer(Reply&& r) {
  ThrowIfError(r);
  if (r.type() != Reply::Type::kInteger) Unexpected(r, "an integer");
  return r.integer();
}

bool integer_as_bool(Reply&& r) {
  ThrowIfError(r);
  if (r.type() == Reply::Type::kBoolean) return r.boolean();
  return integer(std::move(r)) != 0;
}

double number(Reply&& r) {
  ThrowIfError(r);
  if (r.type() == Reply::Type::kDouble) return r.dbl();
  if (r.type() == Reply::Type::kInteger) return static_cast<double>(r.integer());
  if (!IsStringLike(r)) Unexpected(r, "a number");
  const std::string& s = r.str();
  if (s == "inf" || s == "+inf") return INFINITY;
  if (s == "-inf") return -INFINITY;
  double d = 0;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), d);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size()) Unexpected(r, "a number");
  return d;
}

std::vector<std::string> string_list(Reply&& r) {
  ThrowIfError(r);
  if (r.is_nil()) return {};
  if (!IsList(r)) Unexpected(r, "an array");
  std::vector<std::string> out;
  out.reserve(r.elements().size());
  for (Reply& e : r.elements()) out.push_back(TakeString(e));
  return out;
}

std::vector<std::optional<std::string>> optional_strings(Reply&& r) {
  ThrowIfError(r);
  if (!IsList(r)) Unexpected(r, "an array");
  std::vector<std::optional<std::string>> out;
  out.reserve(r.elements().size());
  for (Reply& e : r.elements()) {
    if (e.is_nil()) {
      out.emplace_back();
    } else {
      out.emplace_back(TakeString(e));
    }
  }
  return out;
}

std::optional<KeyValue> key_value(Reply&& r) {
  if (!KeyPair(r, "a [key, value] array")) return std::nullopt;
  return KeyValue{TakeString(r.elements()[0]), TakeString(r.elements()[1])};
}

std::optional<KeyValues> key_values(Reply&& r) {
  if (!KeyPair(r, "a [key, [elements]] array")) return std::nullopt;
  return KeyValues{TakeString(r.elements()[0]), string_list(std::move(r.elements()[1]))};
}

std::optional<std::string> first_or_nil(Reply&& r) {
  std::optional<KeyValue> kv = key_value(std::move(r));
  if (!kv) return std::nullopt;
  return std::move(kv->value);
}

std::optional<int64_t> optional_integer(Reply&& r) {
  ThrowIfError(r);
  if (r.is_nil()) return std::nullopt;
  return integer(std::move(r));
}

std::chrono::milliseconds milliseconds(Reply&& r) {
  return std::chrono::milliseconds(integer(std::move(r)));
}

std::vector<std::string> pop_many(Reply&& r) { return string_list(std::move(r)); }

std::vector<std::pair<std::string, std::string>> field_values(Reply&& r) {
  ThrowIfError(r);
  // elements() flattens a map into field, value, field, value...
  if ((r.type() != Reply::Type::kMap && !IsList(r)) || r.elements().size() % 2 != 0) {
    Unexpected(r, "a map or an array of field, value pairs");
  }
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(r.elements().size() / 2);
  for (size_t i = 0; i < r.elements().size(); i += 2) {
    std::string field = TakeString(r.elements()[i]);
    out.emplace_back(std::move(field), TakeString(r.elements()[i + 1]));
  }
  return out;
}

std::optional<double> optional_number(Reply&& r) {
  ThrowIfError(r);
  if (r.is_nil()) return std::nullopt;
  return number(std::move(r));
}

std::vector<std::optional<double>> optional_numbers(Reply&& r) {
  ThrowIfError(r);
  if (!IsList(r)) Unexpected(r, "an array");
  std::vector<std::optional<double>> out;
  out.reserve(r.elements().size());
  for (Reply& e : r.elements()) out.push_back(optional_number(std::move(e)));
  return out;
}

std::vector<bool> bools(Reply&& r) {
  ThrowIfError(r);
  if (!IsList(r)) Unexpected(r, "an array");
  std::vector<bool> out;
  out.reserve(r.elements().size());
  for (Reply& e : r.elements()) out.push_back(integer_as_bool(std::move(e)));
  return out;
}

std::vector<ScoredMember> scored_members(Reply&& r) {
  ThrowIfError(r);
  if (r.is_nil()) return {};
  if (!IsList(r)) Unexpected(r, "an array of members and scores");
  std::vector<Reply>& e = r.elements();
  std::vector<ScoredMember> out;
  // RESP3 nests each pair ([[m, s], ...]), except ZPOPMIN without a count, which is flat like
  // RESP2; the first element tells which.
  if (!e.empty() && IsList(e[0])) {
    out.reserve(e.size());
    for (Reply& pair : e) {
      if (!IsList(pair) || pair.elements().size() != 2) Unexpected(r, "[member, score] pairs");
      std::string member = TakeString(pair.elements()[0]);
      out.push_back({std::move(member), number(std::move(pair.elements()[1]))});
    }
    return out;
  }
  if (e.size() % 2 != 0) Unexpected(r, "an array of member, score pairs");
  out.reserve(e.size() / 2);
  for (size_t i = 0; i < e.size(); i += 2) {
    std::string member = TakeString(e[i]);
    out.push_back({std::move(member), number(std::move(e[i + 1]))});
  }
  return out;
}

std::optional<ScoredMember> optional_scored_member(Reply&& r) {
  std::vector<ScoredMember> all = scored_members(std::move(r));
  if (all.size() > 1) throw ProtocolError("basalt: expected at most one member and its score");
  if (all.empty()) return std::nullopt;
  return std::move(all[0]);
}

void add_zadd_options(Args& args, const ZAddOptions& options) {
  if (options.condition == Condition::IfMissing) args.add("NX");
  if (options.condition == Condition::IfExists) args.add("XX");
  if (options.score_condition == ScoreCondition::IfGreater) args.add("GT");
  if (options.score_condition == ScoreCondition::IfLess) args.add("LT");
  if (options.changed) args.add("CH");
}

void add_set_options(Args& args, const SetOptions& options) {
  if (options.condition == Condition::IfMissing) args.add("NX");
  if (options.condition == Condition::IfExists) args.add("XX");
  if (options.ttl) {
    const int64_t ms = options.ttl->count();
    if (ms % 1000 == 0) {
      args.add("EX").add(ms / 1000);
    } else {
      args.add("PX").add(ms);
    }
  }
  if (options.expire_at) {
    const int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.expire_at->time_since_epoch())
            .count();
    if (ms % 1000 == 0) {
      args.add("EXAT").add(ms / 1000);
    } else {
      args.add("PXAT").add(ms);
    }
  }
  if (options.keep_ttl) args.add("KEEPTTL");
}

std::string timeout_seconds(std::chrono::milliseconds timeout) {
  const int64_t ms = timeout.count() < 0 ? 0 : timeout.count();
  char buf[32];
  if (ms % 1000 == 0) {
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(ms / 1000));
  } else {
    std::snprintf(buf, sizeof(buf), "%lld.%03lld", static_cast<long long>(ms / 1000),
                  static_cast<long long>(ms % 1000));
  }
  return buf;
}

}  // namespace detail
}  // namespace basalt
