// The resource API under /api/v1/keys: keys as HTTP resources. Each route turns the request into
// commands run through the engine (TYPE, GET, LRANGE, PTTL, SET, RPUSH, BLMPOP, SCAN ...) and
// shapes the response from their replies. Several commands of one request run in the same loop
// turn, so nothing else can interleave: a read-compare-write (If-Match) is atomic, and writes that
// take several commands go through MULTI/EXEC so blocked clients see only the final state.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.hpp"
#include "http/etag.hpp"
#include "http/exchange.hpp"
#include "http/json.hpp"
#include "http/json_parse.hpp"
#include "http/rfc3339.hpp"
#include "http/routes.hpp"
#include "http/url.hpp"

namespace basalt::http {

namespace {

// TTLs beyond this (about 31,700 years) are refused before they can overflow an absolute time.
constexpr int64_t kMaxTtlMs = 1'000'000'000'000'000;

const std::string& key_of(Exchange& ex) { return ex.req.url.segments[3]; }

// --- Request bodies --------------------------------------------------------------------------

enum class BodyType { kNone, kJson, kOctet, kUnsupported };

BodyType body_type(const Request& req) {
  std::string_view ct = req.header("content-type");
  if (ct.empty()) return req.body.empty() ? BodyType::kNone : BodyType::kJson;
  std::string mt = media_type(ct);
  if (mt == "application/json" || (mt.starts_with("application/") && mt.ends_with("+json"))) {
    return BodyType::kJson;
  }
  if (mt == "application/octet-stream") return BodyType::kOctet;
  return BodyType::kUnsupported;
}

struct TtlSpec {
  enum Kind { kUnset, kRelative, kAbsolute, kKeep, kPersist } kind = kUnset;
  int64_t ms = 0;  // relative ms or absolute unix ms
};

// The types the resource API reads and writes, named as TYPE names them.
enum class Shape { kString, kList, kHash, kSet, kZset };

const char* shape_name(Shape s) {
  switch (s) {
    case Shape::kString:
      return "string";
    case Shape::kList:
      return "list";
    case Shape::kHash:
      return "hash";
    case Shape::kSet:
      return "set";
    case Shape::kZset:
      return "zset";
  }
  return "string";
}

std::optional<Shape> shape_of(std::string_view name) {
  for (Shape s : {Shape::kString, Shape::kList, Shape::kHash, Shape::kSet, Shape::kZset}) {
    if (name == shape_name(s)) return s;
  }
  return std::nullopt;
}

struct WriteSpec {
  bool has_value = false;
  Shape shape = Shape::kString;
  // string: the value; list, set: the elements; hash: field, value, ...; zset: score, member, ...
  // (ZADD's order, scores already in a form ZADD accepts).
  std::vector<std::string> values;
  TtlSpec ttl;
};

// A request error found while reading the body: status, code, message.
struct Problem {
  int status = 0;
  std::string code, message;
  bool ok() const { return status == 0; }
};

Problem bad_request(std::string message) { return {400, "BAD_REQUEST", std::move(message)}; }
Problem invalid_ttl(std::string message) { return {422, "INVALID_TTL", std::move(message)}; }

Problem unsupported_media_type(const Request& req, bool octet_allowed) {
  return {415, "UNSUPPORTED_MEDIA_TYPE",
          "Content-Type " + sanitize_for_error(media_type(req.header("content-type"))) +
              " is not accepted here: send application/json" +
              (octet_allowed ? " or application/octet-stream" : "") +
              " (with curl: -H 'Content-Type: application/json')"};
}

bool respond_problem(Exchange& ex, const Problem& p) {
  if (p.ok()) return false;
  ex.error(p.status, p.code, p.message);
  return true;
}

Problem parse_ttl_ms_text(std::string_view text, const char* field, TtlSpec* out) {
  auto v = parse_int64(text);
  if (!v || *v <= 0 || *v > kMaxTtlMs) {
    return invalid_ttl(std::string(field) + " must be a positive integer number of milliseconds");
  }
  out->kind = TtlSpec::kRelative;
  out->ms = *v;
  return {};
}

// ttl_ms, ttl (seconds), expires_at (RFC 3339) or keep_ttl; null clears the TTL where allowed.
Problem parse_ttl_fields(const JsonValue& obj, bool allow_persist, int64_t now_ms, TtlSpec* out) {
  const JsonValue* ttl_ms = obj.find("ttl_ms");
  const JsonValue* ttl = obj.find("ttl");
  const JsonValue* expires_at = obj.find("expires_at");
  const JsonValue* keep = obj.find("keep_ttl");
  if (keep != nullptr && keep->type != JsonValue::Type::kBool) {
    return bad_request("keep_ttl must be true or false");
  }
  bool keep_ttl = keep != nullptr && keep->boolean;
  int given = (ttl_ms != nullptr) + (ttl != nullptr) + (expires_at != nullptr) + keep_ttl;
  if (given > 1) return bad_request("give at most one of ttl_ms, ttl, expires_at and keep_ttl");
  auto persist_or_error = [&](const char* field) -> Problem {
    if (!allow_persist) return invalid_ttl(std::string(field) + " may not be null here");
    out->kind = TtlSpec::kPersist;
    return {};
  };
  if (ttl_ms != nullptr) {
    if (ttl_ms->is_null()) return persist_or_error("ttl_ms");
    if (!ttl_ms->is_scalar_text()) return invalid_ttl("ttl_ms must be a positive integer");
    return parse_ttl_ms_text(ttl_ms->text, "ttl_ms", out);
  }
  if (ttl != nullptr) {
    if (ttl->is_null()) return persist_or_error("ttl");
    auto seconds = ttl->is_scalar_text() ? parse_double(ttl->text) : std::nullopt;
    if (!seconds || !std::isfinite(*seconds) || *seconds <= 0 ||
        *seconds * 1000 > static_cast<double>(kMaxTtlMs)) {
      return invalid_ttl("ttl must be a positive number of seconds");
    }
    int64_t ms = std::llround(*seconds * 1000);
    if (ms < 1) return invalid_ttl("ttl must be at least 0.001 seconds");
    out->kind = TtlSpec::kRelative;
    out->ms = ms;
    return {};
  }
  if (expires_at != nullptr) {
    if (expires_at->is_null()) return persist_or_error("expires_at");
    auto when = expires_at->is_string() ? parse_rfc3339_ms(expires_at->text) : std::nullopt;
    if (!when) return invalid_ttl("expires_at must be an RFC 3339 time, e.g. 2030-01-01T00:00:00Z");
    if (*when <= now_ms) return invalid_ttl("expires_at is not in the future");
    if (*when - now_ms > kMaxTtlMs) return invalid_ttl("expires_at is too far in the future");
    out->kind = TtlSpec::kAbsolute;
    out->ms = *when;
    return {};
  }
  if (keep_ttl) out->kind = TtlSpec::kKeep;
  return {};
}

Problem decode_value_text(const JsonValue& v, bool base64, std::string* out) {
  if (!v.is_scalar_text() || (base64 && !v.is_string())) {
    return bad_request(base64 ? "value_base64 must be a base64 string (or an array of them)"
                              : "value must be a string (or an array of strings for a list)");
  }
  if (!base64) {
    *out = v.text;
    return {};
  }
  auto decoded = base64_decode(v.text);
  if (!decoded) return bad_request("value_base64 is not valid base64");
  *out = std::move(*decoded);
  return {};
}

// A sorted set's element {"member": m, "score": s}; appends the score then the member. The score
// is checked here and sent in a canonical form, so ZADD cannot fail inside the transaction after
// the DEL has run.
Problem parse_zset_element(const JsonValue& e, bool base64, std::vector<std::string>* out) {
  const char* shape = base64
                          ? "a sorted set's elements are {\"member\": base64, \"score\": number}"
                          : "a sorted set's elements are {\"member\": string, \"score\": number}";
  if (!e.is_object()) return bad_request(shape);
  const JsonValue* member = e.find("member");
  const JsonValue* score = e.find("score");
  if (member == nullptr || score == nullptr || e.members.size() != 2) return bad_request(shape);
  // Scores are numbers, or the strings "inf", "+inf", "-inf" (JSON has no infinities).
  auto d = score->is_scalar_text() ? parse_double(score->text) : std::nullopt;
  if (!d) return bad_request("score must be a number (or \"inf\", \"-inf\")");
  if (std::isinf(*d)) {
    out->emplace_back(*d > 0 ? "inf" : "-inf");
  } else {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", *d);
    out->emplace_back(buf);
  }
  return decode_value_text(*member, base64, &out->emplace_back());
}

// "value" (string, number, an array of them for a list or a set, an object for a hash, an array of
// {member, score} for a sorted set) or "value_base64" (the same shapes with every string but the
// scores in base64, hash field names included). `type` names the type when the shape alone does
// not (a set); when given it must agree with the shape.
Problem parse_value_fields(const JsonValue& obj, const JsonValue* type, WriteSpec* out) {
  const JsonValue* v = obj.find("value");
  const JsonValue* b = obj.find("value_base64");
  if (v != nullptr && b != nullptr)
    return bad_request("send either value or value_base64, not both");
  const JsonValue* given = v != nullptr ? v : b;
  std::optional<Shape> declared;
  if (type != nullptr) {
    declared = type->is_string() ? shape_of(type->text) : std::nullopt;
    if (!declared) return bad_request("type must be one of string, list, hash, set, zset");
  }
  if (given == nullptr) {
    if (declared) return bad_request("type is given without a value");
    return {};
  }
  bool base64 = given == b;
  out->has_value = true;
  if (given->is_object()) {
    out->shape = Shape::kHash;
    if (given->members.empty()) return bad_request("a hash needs at least one field");
    out->values.reserve(given->members.size() * 2);
    for (const auto& [field, value] : given->members) {
      if (!base64) {
        out->values.push_back(field);
      } else if (auto decoded = base64_decode(field)) {
        out->values.push_back(std::move(*decoded));
      } else {
        return bad_request("value_base64: a field name is not valid base64");
      }
      Problem p = decode_value_text(value, base64, &out->values.emplace_back());
      if (!p.ok()) return p;
    }
  } else if (given->is_array()) {
    bool pairs = !given->items.empty() && given->items[0].is_object();
    out->shape = pairs || declared == Shape::kZset ? Shape::kZset
                 : declared == Shape::kSet         ? Shape::kSet
                                                   : Shape::kList;
    if (given->items.empty()) {
      return bad_request(std::string("a ") +
                         (out->shape == Shape::kZset  ? "sorted set"
                          : out->shape == Shape::kSet ? "set"
                                                      : "list") +
                         " needs at least one element");
    }
    out->values.reserve(given->items.size() * (out->shape == Shape::kZset ? 2 : 1));
    for (const JsonValue& item : given->items) {
      Problem p = out->shape == Shape::kZset
                      ? parse_zset_element(item, base64, &out->values)
                      : decode_value_text(item, base64, &out->values.emplace_back());
      if (!p.ok()) return p;
    }
  } else {
    out->values.resize(1);
    Problem p = decode_value_text(*given, base64, &out->values[0]);
    if (!p.ok()) return p;
  }
  if (declared && *declared != out->shape) {
    return bad_request(std::string("type is ") + shape_name(*declared) + " but the value is " +
                       (out->shape == Shape::kHash   ? "an object (a hash)"
                        : out->shape == Shape::kZset ? "an array of {member, score} (a zset)"
                        : out->shape == Shape::kList ? "an array (a list, or a set with type set)"
                                                     : "a string"));
  }
  return {};
}

Problem check_members(const JsonValue& obj, std::initializer_list<std::string_view> allowed) {
  for (auto& [name, value] : obj.members) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == name;
    if (!known) return bad_request("unknown field '" + sanitize_for_error(name) + "'");
  }
  return {};
}

// The body of PUT/PATCH /keys/{key}: JSON, or raw bytes (application/octet-stream, TTL from
// ?ttl_ms= or X-Ttl-Ms, ?keep_ttl=true).
Problem parse_write(Exchange& ex, bool allow_persist, int64_t now_ms, WriteSpec* out) {
  switch (body_type(ex.req)) {
    case BodyType::kUnsupported:
      return unsupported_media_type(ex.req, true);
    case BodyType::kNone:
      return bad_request("a JSON body is required, e.g. {\"value\":\"...\"}");
    case BodyType::kOctet: {
      out->has_value = true;
      out->values.assign(1, ex.req.body);
      std::string_view ttl_text;
      if (const std::string* p = ex.req.param("ttl_ms")) ttl_text = *p;
      if (ttl_text.empty()) ttl_text = ex.req.header("x-ttl-ms");
      if (!ttl_text.empty()) return parse_ttl_ms_text(ttl_text, "ttl_ms", &out->ttl);
      if (const std::string* k = ex.req.param("keep_ttl"); k != nullptr && *k == "true") {
        out->ttl.kind = TtlSpec::kKeep;
      }
      return {};
    }
    case BodyType::kJson:
      break;
  }
  std::string error;
  auto doc = parse_json(ex.req.body, &error);
  if (!doc) return {400, "BAD_JSON", error};
  if (!doc->is_object()) return {400, "BAD_JSON", "the body must be a JSON object"};
  Problem p = check_members(
      *doc, {"value", "value_base64", "type", "ttl_ms", "ttl", "expires_at", "keep_ttl"});
  if (p.ok()) p = parse_value_fields(*doc, doc->find("type"), out);
  if (p.ok()) p = parse_ttl_fields(*doc, allow_persist, now_ms, &out->ttl);
  return p;
}

// --- Reading a key -----------------------------------------------------------------------------

struct Item {
  bool exists = false;
  Shape shape = Shape::kString;
  uint32_t value_mark = 0;  // the GET, LRANGE, HGETALL, SMEMBERS or ZRANGE reply
  int64_t ttl_ms = -1;      // -1: no TTL
  int64_t now_ms = 0;       // the instant the TTL was read at
  std::string etag;
};

// TYPE, then the command reading the whole value, then PTTL. Returns false when it has already
// answered (an error).
bool read_item(Exchange& ex, std::string_view key, Item* item) {
  ReplyRef type = ex.run({"TYPE", key});
  if (type.is_error()) {
    ex.engine_error(type);
    return false;
  }
  std::string_view t = type.str();
  if (t == "none") return true;
  std::optional<Shape> shape = shape_of(t);
  if (!shape) {
    ex.error(409, "WRONGTYPE",
             "the resource API serves strings, lists, hashes, sets and sorted sets; use "
             "/api/v1/redis for a " +
                 std::string(t));
    return false;
  }
  item->shape = *shape;
  item->value_mark = ex.reply().mark();
  ReplyRef value;
  switch (item->shape) {
    case Shape::kString:
      value = ex.run({"GET", key});
      break;
    case Shape::kList:
      value = ex.run({"LRANGE", key, "0", "-1"});
      break;
    case Shape::kHash:
      value = ex.run({"HGETALL", key});
      break;
    case Shape::kSet:
      value = ex.run({"SMEMBERS", key});
      break;
    case Shape::kZset:
      value = ex.run({"ZRANGE", key, "0", "-1", "WITHSCORES"});
      break;
  }
  if (value.is_error()) {
    ex.engine_error(value);
    return false;
  }
  // Expired between two commands of this request (each runs at its own instant).
  if (value.is_null() || (item->shape != Shape::kString && value.size() == 0)) return true;
  item->etag = etag_of_version(ex.engine().store().db(ex.session().db).version(key));
  ReplyRef ttl = ex.run({"PTTL", key});
  if (ttl.is_error()) {
    ex.engine_error(ttl);
    return false;
  }
  if (ttl.integer() == -2) return true;
  item->exists = true;
  item->ttl_ms = ttl.integer() >= 0 ? ttl.integer() : -1;
  item->now_ms = ex.engine().store().now_ms();
  return true;
}

// ?encoding=base64 forces base64 for every value; no other value is accepted.
bool encoding_param(Exchange& ex, bool* force_base64) {
  *force_base64 = false;
  const std::string* e = ex.req.param("encoding");
  if (e == nullptr || e->empty() || *e == "utf8" || *e == "text") return true;
  if (*e == "base64") {
    *force_base64 = true;
    return true;
  }
  ex.error(400, "BAD_REQUEST", "encoding must be base64 (or text, the default)");
  return false;
}

void write_key(JsonWriter& w, std::string_view key) {
  if (utf8_valid(key)) {
    w.key("key");
    w.string(key);
  } else {
    w.key("key_base64");
    w.base64(key);
  }
}

// "name": [...] or, if any element is not UTF-8 (or base64 is forced), "name_base64": [...].
void write_strings(JsonWriter& w, std::string_view name, ReplyRef array, bool force_base64) {
  bool base64 = force_base64;
  for (ReplyRef e : array) {
    if (base64) break;
    base64 = !utf8_valid(e.str());
  }
  w.key(base64 ? std::string(name) + "_base64" : std::string(name));
  w.begin_array();
  for (ReplyRef e : array) {
    if (base64) {
      w.base64(e.str());
    } else {
      w.string(e.str());
    }
  }
  w.end_array();
}

void write_ttl(JsonWriter& w, int64_t ttl_ms, int64_t now_ms) {
  w.key("ttl_ms");
  if (ttl_ms < 0) {
    w.null();
  } else {
    w.integer(ttl_ms);
  }
  w.key("expires_at");
  if (ttl_ms < 0) {
    w.null();
  } else {
    w.string(format_rfc3339_ms(now_ms + ttl_ms));
  }
}

void write_text(JsonWriter& w, std::string_view s, bool base64) {
  if (base64) {
    w.base64(s);
  } else {
    w.string(s);
  }
}

bool all_utf8(const std::vector<std::string_view>& texts) {
  for (std::string_view t : texts) {
    if (!utf8_valid(t)) return false;
  }
  return true;
}

// The reply's strings in order; a RESP3 map or pairs array counts each element (flattened).
void flatten_strings(ReplyRef r, std::vector<std::string_view>* out) {
  for (ReplyRef e : r) {
    if (e.is_aggregate()) {
      flatten_strings(e, out);
    } else {
      out->push_back(e.str());
    }
  }
}

// A hash is an object of field -> value sorted by field, a set its sorted members: HGETALL and
// SMEMBERS answer in the table's order, which differs between equal values.
void write_hash(JsonWriter& w, ReplyRef reply, bool force_base64) {
  std::vector<std::string_view> flat;
  flat.reserve(reply.size());
  flatten_strings(reply, &flat);
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  pairs.reserve(flat.size() / 2);
  for (size_t i = 0; i + 1 < flat.size(); i += 2) pairs.emplace_back(flat[i], flat[i + 1]);
  std::sort(pairs.begin(), pairs.end());
  bool base64 = force_base64 || !all_utf8(flat);
  w.key(base64 ? "value_base64" : "value");
  w.begin_object();
  std::string field;
  for (const auto& [f, v] : pairs) {
    if (base64) {
      field.clear();
      append_base64(field, f);
      w.key(field);
    } else {
      w.key(f);
    }
    write_text(w, v, base64);
  }
  w.end_object();
}

void write_set(JsonWriter& w, ReplyRef reply, bool force_base64) {
  std::vector<std::string_view> members;
  members.reserve(reply.size());
  flatten_strings(reply, &members);
  std::sort(members.begin(), members.end());
  bool base64 = force_base64 || !all_utf8(members);
  w.key(base64 ? "value_base64" : "value");
  w.begin_array();
  for (std::string_view m : members) write_text(w, m, base64);
  w.end_array();
}

// ZRANGE WITHSCORES in score order: RESP3 gives [member, double] pairs, RESP2 a flat array of
// member, score text.
void write_zset(JsonWriter& w, ReplyRef reply, bool force_base64) {
  std::vector<std::pair<std::string_view, double>> elements;
  elements.reserve(reply.size());
  for (auto it = reply.begin(); it != reply.end(); ++it) {
    ReplyRef e = *it;
    ReplyRef member = e, score;
    if (e.is_aggregate()) {
      member = e.child(0);
      score = e.child(1);
    } else {
      score = *++it;
    }
    double d =
        score.kind() == ReplyKind::kDouble ? score.dbl() : parse_double(score.str()).value_or(0);
    elements.emplace_back(member.str(), d);
  }
  bool base64 = force_base64;
  for (const auto& e : elements) base64 = base64 || !utf8_valid(e.first);
  w.key(base64 ? "value_base64" : "value");
  w.begin_array();
  for (const auto& [member, score] : elements) {
    w.begin_object();
    w.key("member");
    write_text(w, member, base64);
    w.key("score");
    if (std::isfinite(score)) {
      // The shortest text that reads back as the same double (0.1, not %.17g's
      // 0.10000000000000001): what a JSON reader turns into the score.
      char text[32];
      auto res = std::to_chars(text, text + sizeof(text), score);
      w.raw(std::string_view(text, static_cast<size_t>(res.ptr - text)));
    } else {
      w.number(score);  // the strings "inf", "-inf"
    }
    w.end_object();
  }
  w.end_array();
}

std::string item_json(Exchange& ex, std::string_view key, const Item& item, bool force_base64) {
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  write_key(w, key);
  w.key("type");
  w.string(shape_name(item.shape));
  ReplyRef value = ex.reply().at(item.value_mark);
  switch (item.shape) {
    case Shape::kString: {
      bool base64 = force_base64 || !utf8_valid(value.str());
      w.key(base64 ? "value_base64" : "value");
      write_text(w, value.str(), base64);
      break;
    }
    case Shape::kList:
      write_strings(w, "value", value, force_base64);
      break;
    case Shape::kHash:
      write_hash(w, value, force_base64);
      break;
    case Shape::kSet:
      write_set(w, value, force_base64);
      break;
    case Shape::kZset:
      write_zset(w, value, force_base64);
      break;
  }
  write_ttl(w, item.ttl_ms, item.now_ms);
  w.end_object();
  return body;
}

void not_found(Exchange& ex) { ex.error(404, "NOT_FOUND", "no such key"); }

// If-Match (compare-and-swap) and If-None-Match on writes; answers 412 when they fail.
bool preconditions_hold(Exchange& ex, const Item& item) {
  std::string_view if_match = ex.req.header("if-match");
  std::string_view if_none_match = ex.req.header("if-none-match");
  bool ok = true;
  std::string why;
  if (!if_match.empty() && (!item.exists || !etag_list_matches(if_match, item.etag, false))) {
    ok = false;
    why = item.exists ? "If-Match: the value has changed (current ETag " + item.etag + ")"
                      : "If-Match: the key does not exist";
  } else if (!if_none_match.empty() && item.exists &&
             etag_list_matches(if_none_match, item.etag, true)) {
    ok = false;
    why = if_none_match == "*" ? "If-None-Match: *: the key already exists"
                               : "If-None-Match: the value still has that ETag";
  }
  if (ok) return true;
  if (item.exists) ex.res.add_header("ETag", item.etag);
  ex.error(412, "PRECONDITION_FAILED", why);
  return false;
}

// Answers with the first error in an EXEC reply (or EXEC's own error). Returns true if it did.
bool exec_failed(Exchange& ex, ReplyRef exec) {
  if (exec.is_error()) {
    ex.engine_error(exec);
    return true;
  }
  if (!exec.is_aggregate()) {
    ex.error(409, "CONFLICT", "the transaction was aborted");
    return true;
  }
  for (ReplyRef r : exec) {
    if (r.is_error()) {
      ex.engine_error(r);
      return true;
    }
  }
  return false;
}

// Writes the value (and TTL) the request asked for. `item` is the key's state before the write.
bool write_value(Exchange& ex, std::string_view key, const WriteSpec& spec, const Item& item,
                 bool must_exist) {
  std::vector<std::string> owned;
  owned.reserve(4);
  auto num = [&](int64_t v) -> std::string_view { return owned.emplace_back(std::to_string(v)); };
  if (spec.shape == Shape::kString) {
    std::vector<std::string_view> argv = {"SET", key, spec.values[0]};
    if (must_exist) argv.push_back("XX");
    switch (spec.ttl.kind) {
      case TtlSpec::kRelative:
        argv.insert(argv.end(), {"PX", num(spec.ttl.ms)});
        break;
      case TtlSpec::kAbsolute:
        argv.insert(argv.end(), {"PXAT", num(spec.ttl.ms)});
        break;
      case TtlSpec::kKeep:
        argv.push_back("KEEPTTL");
        break;
      case TtlSpec::kUnset:
        if (must_exist) argv.push_back("KEEPTTL");  // PATCH of the value alone keeps the TTL
        break;
      case TtlSpec::kPersist:
        break;  // SET without an expiry option clears it
    }
    ReplyRef r = ex.run(argv);
    if (r.is_error()) {
      ex.engine_error(r);
      return false;
    }
    if (r.is_null()) {
      not_found(ex);
      return false;
    }
    return true;
  }
  // Other types replace the key in one transaction: DEL, one RPUSH/HSET/SADD/ZADD, then the TTL.
  // None of these can fail on the values parse_write accepted, so the DEL never runs alone.
  ReplyRef multi = ex.run({"MULTI"});
  if (multi.is_error()) {
    ex.engine_error(multi);
    return false;
  }
  ex.run({"DEL", key});
  const char* writer = spec.shape == Shape::kList   ? "RPUSH"
                       : spec.shape == Shape::kHash ? "HSET"
                       : spec.shape == Shape::kSet  ? "SADD"
                                                    : "ZADD";
  std::vector<std::string_view> push = {writer, key};
  push.insert(push.end(), spec.values.begin(), spec.values.end());
  ex.run(push);
  bool keep = spec.ttl.kind == TtlSpec::kKeep || (must_exist && spec.ttl.kind == TtlSpec::kUnset);
  if (spec.ttl.kind == TtlSpec::kRelative) {
    ex.run({"PEXPIRE", key, num(spec.ttl.ms)});
  } else if (spec.ttl.kind == TtlSpec::kAbsolute) {
    ex.run({"PEXPIREAT", key, num(spec.ttl.ms)});
  } else if (keep && item.exists && item.ttl_ms >= 0) {
    ex.run({"PEXPIREAT", key, num(item.now_ms + item.ttl_ms)});
  }
  return !exec_failed(ex, ex.run({"EXEC"}));
}

// Reads the key back after a write and answers with it.
void respond_item(Exchange& ex, std::string_view key, int status, bool force_base64) {
  Item after;
  if (!read_item(ex, key, &after)) return;
  if (!after.exists) {
    // Written with a TTL that has already passed: the write happened, the key is gone.
    ex.empty(204);
    return;
  }
  ex.res.add_header("ETag", after.etag);
  ex.json(status, item_json(ex, key, after, force_base64));
  if (status == 201) ex.res.add_header("Location", "/api/v1/keys/" + percent_encode(key));
}

bool accepts_octet_stream(const Request& req) {
  std::string_view accept = req.header("accept");
  return accept.find("application/octet-stream") != std::string_view::npos &&
         accept.find("application/json") == std::string_view::npos;
}

// --- /api/v1/keys/{key} ------------------------------------------------------------------------

// GET/HEAD /api/v1/keys/{key}
void get_key(Exchange& ex) {
  bool force_base64;
  if (!encoding_param(ex, &force_base64)) return;
  const std::string& key = key_of(ex);
  Item item;
  if (!read_item(ex, key, &item)) return;
  if (!item.exists) {
    not_found(ex);
    return;
  }
  ex.res.add_header("ETag", item.etag);
  std::string_view inm = ex.req.header("if-none-match");
  if (!inm.empty() && etag_list_matches(inm, item.etag, true)) {
    ex.empty(304);
    return;
  }
  if (accepts_octet_stream(ex.req)) {
    if (item.shape != Shape::kString) {
      ex.error(406, "NOT_ACCEPTABLE",
               std::string("a ") + shape_name(item.shape) +
                   " has no raw form; ask for application/json");
      return;
    }
    if (item.ttl_ms >= 0) ex.res.add_header("X-Ttl-Ms", std::to_string(item.ttl_ms));
    ex.res.status = 200;
    ex.res.content_type = "application/octet-stream";
    ex.res.body.assign(ex.reply().at(item.value_mark).str());
    return;
  }
  ex.json(200, item_json(ex, key, item, force_base64));
}

// PUT /api/v1/keys/{key}: create (201) or replace (200).
void put_key(Exchange& ex) {
  bool force_base64;
  if (!encoding_param(ex, &force_base64)) return;
  const std::string& key = key_of(ex);
  WriteSpec spec;
  if (respond_problem(ex, parse_write(ex, false, ex.engine().store().clock().now_ms(), &spec)))
    return;
  if (!spec.has_value) {
    ex.error(400, "BAD_REQUEST", "PUT needs a value (or value_base64)");
    return;
  }
  Item before;
  if (!read_item(ex, key, &before) || !preconditions_hold(ex, before)) return;
  if (!write_value(ex, key, spec, before, false)) return;
  respond_item(ex, key, before.exists ? 200 : 201, force_base64);
}

// PATCH /api/v1/keys/{key}: change the value and/or the TTL of a key that exists.
void patch_key(Exchange& ex) {
  bool force_base64;
  if (!encoding_param(ex, &force_base64)) return;
  const std::string& key = key_of(ex);
  WriteSpec spec;
  if (respond_problem(ex, parse_write(ex, true, ex.engine().store().clock().now_ms(), &spec)))
    return;
  if (!spec.has_value && spec.ttl.kind == TtlSpec::kUnset) {
    ex.error(400, "BAD_REQUEST", "nothing to update: send value, value_base64 or a TTL field");
    return;
  }
  Item before;
  if (!read_item(ex, key, &before)) return;
  if (!before.exists) {
    if (!ex.req.header("if-match").empty()) {
      preconditions_hold(ex, before);
    } else {
      not_found(ex);
    }
    return;
  }
  if (!preconditions_hold(ex, before)) return;
  if (spec.has_value) {
    if (!write_value(ex, key, spec, before, true)) return;
  } else {
    std::string ms = std::to_string(spec.ttl.ms);
    ReplyRef r = spec.ttl.kind == TtlSpec::kRelative   ? ex.run({"PEXPIRE", key, ms})
                 : spec.ttl.kind == TtlSpec::kAbsolute ? ex.run({"PEXPIREAT", key, ms})
                 : spec.ttl.kind == TtlSpec::kPersist  ? ex.run({"PERSIST", key})
                                                       : ex.run({"EXISTS", key});  // keep_ttl
    if (r.is_error()) {
      ex.engine_error(r);
      return;
    }
  }
  respond_item(ex, key, 200, force_base64);
}

// DELETE /api/v1/keys/{key}
void delete_key(Exchange& ex) {
  const std::string& key = key_of(ex);
  if (ex.req.has_header("if-match") || ex.req.has_header("if-none-match")) {
    Item before;
    if (!read_item(ex, key, &before) || !preconditions_hold(ex, before)) return;
  }
  ReplyRef r = ex.run({"DEL", key});
  if (r.is_error()) {
    ex.engine_error(r);
  } else if (r.integer() == 0) {
    not_found(ex);
  } else {
    ex.empty(204);
  }
}

// --- /api/v1/keys/{key}/ttl --------------------------------------------------------------------

void respond_ttl(Exchange& ex, std::string_view key) {
  ReplyRef ttl = ex.run({"PTTL", key});
  if (ttl.is_error()) {
    ex.engine_error(ttl);
    return;
  }
  if (ttl.integer() == -2) {
    not_found(ex);
    return;
  }
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  write_key(w, key);
  write_ttl(w, ttl.integer() >= 0 ? ttl.integer() : -1, ex.engine().store().now_ms());
  w.end_object();
  ex.json(200, std::move(body));
}

}  // namespace

void handle_key(Exchange& ex) {
  switch (ex.req.method) {
    case kGet:
    case kHead:
      get_key(ex);
      return;
    case kPut:
      put_key(ex);
      return;
    case kPatch:
      patch_key(ex);
      return;
    case kDelete:
      delete_key(ex);
      return;
    default:
      return;
  }
}

void handle_key_ttl(Exchange& ex) {
  const std::string& key = key_of(ex);
  if (ex.req.method == kGet || ex.req.method == kHead) {
    respond_ttl(ex, key);
    return;
  }
  if (ex.req.method == kDelete) {
    ReplyRef r = ex.run({"PERSIST", key});
    if (r.is_error()) {
      ex.engine_error(r);
      return;
    }
    respond_ttl(ex, key);
    return;
  }
  // PUT: {"ttl_ms": N} | {"ttl": S} | {"expires_at": "..."}
  if (body_type(ex.req) == BodyType::kUnsupported) {
    respond_problem(ex, unsupported_media_type(ex.req, false));
    return;
  }
  std::string error;
  auto doc = parse_json(ex.req.body, &error);
  if (!doc) {
    ex.error(400, "BAD_JSON", error);
    return;
  }
  if (!doc->is_object()) {
    ex.error(400, "BAD_JSON", "the body must be a JSON object");
    return;
  }
  TtlSpec ttl;
  Problem p = check_members(*doc, {"ttl_ms", "ttl", "expires_at"});
  if (p.ok()) p = parse_ttl_fields(*doc, false, ex.engine().store().clock().now_ms(), &ttl);
  if (p.ok() && ttl.kind == TtlSpec::kUnset) p = invalid_ttl("send ttl_ms, ttl or expires_at");
  if (respond_problem(ex, p)) return;
  std::string ms = std::to_string(ttl.ms);
  ReplyRef r = ttl.kind == TtlSpec::kRelative ? ex.run({"PEXPIRE", key, ms})
                                              : ex.run({"PEXPIREAT", key, ms});
  if (r.is_error()) {
    ex.engine_error(r);
  } else if (r.integer() == 0) {
    not_found(ex);
  } else {
    respond_ttl(ex, key);
  }
}

// --- /api/v1/keys/{key}/items ------------------------------------------------------------------

namespace {

bool end_param(Exchange& ex, std::string_view fallback, bool* head) {
  const std::string* e = ex.req.param("end");
  std::string_view end = e != nullptr ? std::string_view(*e) : fallback;
  if (end != "head" && end != "tail") {
    ex.error(400, "BAD_REQUEST", "end must be head or tail");
    return false;
  }
  *head = end == "head";
  return true;
}

bool int_param(Exchange& ex, std::string_view name, int64_t fallback, int64_t min, int64_t* out) {
  const std::string* p = ex.req.param(name);
  if (p == nullptr || p->empty()) {
    *out = fallback;
    return true;
  }
  auto v = parse_int64(*p);
  if (!v || *v < min) {
    ex.error(400, "BAD_REQUEST",
             std::string(name) + " must be an integer" +
                 (min > INT64_MIN ? " >= " + std::to_string(min) : std::string()));
    return false;
  }
  *out = *v;
  return true;
}

void respond_values(Exchange& ex, ReplyRef values, bool force_base64) {
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  write_strings(w, "values", values, force_base64);
  w.end_object();
  ex.json(200, std::move(body));
}

// BLMPOP's reply: [key, [values]], or a nil array when the wait timed out.
void respond_blocking_pop(Exchange& ex, ReplyRef r, bool force_base64) {
  if (r.is_error()) {
    ex.engine_error(r);
  } else if (r.is_null() || r.size() < 2) {
    ex.empty(204);
  } else {
    respond_values(ex, r.child(1), force_base64);
  }
}

// POST items: push one value or many.
void push_items(Exchange& ex, std::string_view key) {
  bool head;
  if (!end_param(ex, "tail", &head)) return;
  std::vector<std::string> values;
  switch (body_type(ex.req)) {
    case BodyType::kUnsupported:
      respond_problem(ex, unsupported_media_type(ex.req, true));
      return;
    case BodyType::kOctet:
      values.push_back(ex.req.body);
      break;
    case BodyType::kNone:
    case BodyType::kJson: {
      std::string error;
      auto doc = parse_json(ex.req.body, &error);
      if (!doc) {
        ex.error(400, "BAD_JSON", error);
        return;
      }
      if (!doc->is_object()) {
        ex.error(400, "BAD_JSON", "the body must be a JSON object");
        return;
      }
      // {"value": x} or {"values": [...]} (or their _base64 forms).
      JsonValue normalized;
      normalized.type = JsonValue::Type::kObject;
      for (auto& [name, v] : doc->members) {
        if (name == "values" || name == "values_base64") {
          if (!v.is_array()) {
            ex.error(400, "BAD_REQUEST", name + " must be an array");
            return;
          }
          normalized.members.emplace_back(name == "values" ? "value" : "value_base64", v);
        } else if (name == "value" || name == "value_base64") {
          if (v.is_array()) {
            ex.error(400, "BAD_REQUEST", name + " is one value; use values for several");
            return;
          }
          normalized.members.emplace_back(name, v);
        } else {
          ex.error(400, "BAD_REQUEST", "unknown field '" + sanitize_for_error(name) + "'");
          return;
        }
      }
      if (normalized.members.size() > 1) {
        ex.error(400, "BAD_REQUEST", "send one of value, values, value_base64, values_base64");
        return;
      }
      WriteSpec spec;
      if (respond_problem(ex, parse_value_fields(normalized, nullptr, &spec))) return;
      if (!spec.has_value) {
        ex.error(400, "BAD_REQUEST", "send value or values");
        return;
      }
      if (spec.shape != Shape::kString && spec.shape != Shape::kList) {
        ex.error(400, "BAD_REQUEST", "list values are strings");
        return;
      }
      values = std::move(spec.values);
      break;
    }
  }
  std::vector<std::string_view> argv = {head ? "LPUSH" : "RPUSH", key};
  argv.insert(argv.end(), values.begin(), values.end());
  ReplyRef r = ex.run(argv);
  if (r.is_error()) {
    ex.engine_error(r);
    return;
  }
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  w.key("length");
  w.integer(r.integer());
  w.end_object();
  ex.json(200, std::move(body));
}

// DELETE items: pop up to count values; with wait_ms, wait like BLMPOP for values to arrive.
void pop_items(Exchange& ex, std::string_view key) {
  bool head, force_base64;
  int64_t count, wait_ms;
  if (!end_param(ex, "head", &head) || !int_param(ex, "count", 1, 1, &count) ||
      !int_param(ex, "wait_ms", 0, 0, &wait_ms) || !encoding_param(ex, &force_base64)) {
    return;
  }
  std::string count_text = std::to_string(count);
  if (wait_ms == 0) {
    ReplyRef r = ex.run({head ? "LPOP" : "RPOP", key, count_text});
    if (r.is_error()) {
      ex.engine_error(r);
    } else if (r.is_null()) {
      not_found(ex);
    } else {
      respond_values(ex, r, force_base64);
    }
    return;
  }
  char timeout[32];
  std::snprintf(timeout, sizeof(timeout), "%lld.%03lld", static_cast<long long>(wait_ms / 1000),
                static_cast<long long>(wait_ms % 1000));
  uint32_t mark = ex.reply().mark();
  ReplyRef r = ex.run({"BLMPOP", timeout, "1", key, head ? "LEFT" : "RIGHT", "COUNT", count_text});
  if (ex.blocked()) {
    ex.wait(mark, [force_base64](Exchange& e, ReplyRef late) {
      respond_blocking_pop(e, late, force_base64);
    });
    return;
  }
  respond_blocking_pop(ex, r, force_base64);
}

// GET items?start=&stop=
void range_items(Exchange& ex, std::string_view key) {
  int64_t start, stop;
  bool force_base64;
  if (!int_param(ex, "start", 0, INT64_MIN, &start) ||
      !int_param(ex, "stop", -1, INT64_MIN, &stop) || !encoding_param(ex, &force_base64)) {
    return;
  }
  ReplyRef type = ex.run({"TYPE", key});
  if (type.is_error()) {
    ex.engine_error(type);
    return;
  }
  if (type.str() == "none") {
    not_found(ex);
    return;
  }
  ReplyRef r = ex.run({"LRANGE", key, std::to_string(start), std::to_string(stop)});
  if (r.is_error()) {
    ex.engine_error(r);
    return;
  }
  respond_values(ex, r, force_base64);
}

}  // namespace

void handle_key_items(Exchange& ex) {
  const std::string& key = key_of(ex);
  switch (ex.req.method) {
    case kGet:
    case kHead:
      range_items(ex, key);
      return;
    case kPost:
      push_items(ex, key);
      return;
    case kDelete:
      pop_items(ex, key);
      return;
    default:
      return;
  }
}

// --- /api/v1/keys (SCAN) -----------------------------------------------------------------------

void handle_scan(Exchange& ex) {
  bool force_base64;
  if (!encoding_param(ex, &force_base64)) return;
  const std::string* cursor = ex.req.param("cursor");
  std::vector<std::string_view> argv = {"SCAN", cursor != nullptr && !cursor->empty()
                                                    ? std::string_view(*cursor)
                                                    : std::string_view("0")};
  if (const std::string* m = ex.req.param("match"); m != nullptr && !m->empty()) {
    argv.insert(argv.end(), {"MATCH", *m});
  }
  if (const std::string* c = ex.req.param("count"); c != nullptr && !c->empty()) {
    argv.insert(argv.end(), {"COUNT", *c});
  }
  if (const std::string* t = ex.req.param("type"); t != nullptr && !t->empty()) {
    argv.insert(argv.end(), {"TYPE", *t});
  }
  ReplyRef r = ex.run(argv);
  if (r.is_error()) {
    ex.engine_error(r);
    return;
  }
  if (r.size() != 2) {
    ex.error(500, "INTERNAL", "unexpected SCAN reply");
    return;
  }
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  write_strings(w, "keys", r.child(1), force_base64);
  w.key("cursor");
  w.string(r.child(0).str());
  w.end_object();
  ex.json(200, std::move(body));
}

}  // namespace basalt::http
