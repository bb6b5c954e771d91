// The admin port: liveness, readiness, Prometheus metrics and INFO as JSON. Kept off the API
// port so that it can be exposed to monitoring without exposing the data.

#include <string>

#include "base/strings.hpp"
#include "http/exchange.hpp"
#include "http/frontend.hpp"
#include "http/json.hpp"
#include "http/json_parse.hpp"
#include "http/routes.hpp"
#include "server/server.hpp"

namespace basalt::http {

namespace {

void write_info_value(JsonWriter& w, std::string_view v) {
  if (!v.empty() && is_json_number(v) && v.size() < 32) {
    w.raw(v);
  } else {
    w.string(v);
  }
}

// "keys=1,expires=0,avg_ttl=0" (INFO keyspace, commandstats ...) as an object; false if the
// value is not such a list.
bool write_info_pairs(JsonWriter& w, std::string_view v) {
  if (v.find('=') == std::string_view::npos) return false;
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  std::string_view rest = v;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    pairs.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  w.begin_object();
  for (auto& [k, val] : pairs) {
    w.key(k);
    write_info_value(w, val);
  }
  w.end_object();
  return true;
}

}  // namespace

// INFO's text ("# Server\r\nredis_version:7.0.15\r\n...") as {"server":{"redis_version":...}}.
std::string info_to_json(std::string_view text) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  bool in_section = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.starts_with("# ")) {
      if (in_section) w.end_object();
      w.key(lowercase(line.substr(2)));
      w.begin_object();
      in_section = true;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (!in_section) {
      w.key("info");
      w.begin_object();
      in_section = true;
    }
    w.key(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    if (!write_info_pairs(w, value)) write_info_value(w, value);
  }
  if (in_section) w.end_object();
  w.end_object();
  return out;
}

void handle_healthz(Exchange& ex) { ex.json(200, "{\"status\":\"ok\"}"); }

void handle_readyz(Exchange& ex) {
  Server& server = ex.front_end().server();
  if (server.ready()) {
    ex.json(200, "{\"status\":\"ready\"}");
  } else {
    ex.json(503, server.shutting_down()      ? "{\"status\":\"shutting down\"}"
                 : server.engine().loading() ? "{\"status\":\"loading\"}"
                                             : "{\"status\":\"starting\"}");
  }
}

void handle_metrics(Exchange& ex) {
  ex.res.status = 200;
  ex.res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  ex.res.body = render_prometheus(ex.front_end().server(), ex.front_end().metrics());
}

// GET /info[?section=name]
void handle_info(Exchange& ex) {
  const std::string* section = ex.req.param("section");
  ReplyRef r =
      section != nullptr && !section->empty() ? ex.run({"INFO", *section}) : ex.run({"INFO"});
  if (r.is_error()) {
    ex.engine_error(r);
    return;
  }
  if (!r.is_string()) {
    ex.error(500, "INTERNAL", "unexpected INFO reply");
    return;
  }
  ex.json(200, info_to_json(r.str()));
}

}  // namespace basalt::http
