#include "http/exchange.hpp"

#include "http/json.hpp"

namespace basalt::http {

ReplyRef Exchange::run(std::span<const std::string_view> argv) {
  uint32_t mark = reply_.mark();
  engine_.execute(session_, argv, reply_);
  // A command that neither replied nor blocked (a successful SHUTDOWN: a RESP client just sees
  // the connection close) reads as null. Every route reads the ref it gets back, and one past the
  // tree's end would read a stale node left by an earlier request, or nothing at all.
  if (!blocked() && reply_.mark() == mark) reply_.null();
  return reply_.at(mark);
}

void Exchange::resume() {
  Continuation then = std::move(continuation_);
  continuation_ = nullptr;
  then(*this, reply_.at(wait_mark_));
}

void Exchange::json(int status, std::string body) {
  res.status = status;
  res.content_type = "application/json";
  res.body = std::move(body);
}

void Exchange::command_error(int status, std::string_view message) {
  std::string body = "{\"error\":";
  append_json_string(body, message);
  body += '}';
  json(status, std::move(body));
}

void Exchange::error(int status, std::string_view code, std::string_view message) {
  res.status = status;
  res.content_type = "application/json";
  res.body.clear();
  JsonWriter w(res.body);
  w.begin_object();
  w.key("error");
  w.begin_object();
  w.key("code");
  w.string(code);
  w.key("message");
  w.string(message);
  w.end_object();
  w.end_object();
}

int status_for_error(std::string_view text) {
  std::string_view code = text.substr(0, text.find(' '));
  if (code == "WRONGTYPE") return 409;
  if (code == "NOPERM") return 403;
  if (code == "NOAUTH" || code == "WRONGPASS") return 401;
  // maxmemory reached and nothing could be evicted: retrying later may succeed.
  if (code == "OOM") return 507;
  return 400;
}

void Exchange::engine_error(ReplyRef err) {
  std::string_view text = err.str();
  size_t space = text.find(' ');
  std::string_view code = text.substr(0, space);
  std::string_view message = space == std::string_view::npos ? text : text.substr(space + 1);
  int status = status_for_error(text);
  if (status == 401) res.add_header("WWW-Authenticate", "Bearer realm=\"basalt\"");
  error(status, code, message);
}

void Exchange::empty(int status) {
  res.status = status;
  res.content_type.clear();
  res.body.clear();
}

}  // namespace basalt::http
