#include "http/frontend.hpp"

#include <cstdlib>
#include <random>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "config/config.hpp"
#include "http/http_connection.hpp"
#include "http/json.hpp"
#include "http/rfc3339.hpp"
#include "http/url.hpp"
#include "server/server.hpp"

namespace basalt::http {

namespace {

constexpr std::string_view kCommandApiPrefix = "/api/v1/redis";
constexpr uint64_t kSweepIntervalMs = 100;

// Compares without an early exit, so the time taken says nothing about how much matched.
bool constant_time_equals(std::string_view a, std::string_view b) {
  size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

bool usable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

constexpr std::string_view kAllowHeaders =
    "Authorization, Content-Type, Accept, If-Match, If-None-Match, X-Request-Id, X-Ttl-Ms, "
    "Upstash-Encoding, Upstash-Response-Format, Upstash-Sync-Token";

// A preflight's Access-Control-Request-Headers is echoed when it is a plain list of header names:
// clients add headers of their own (@upstash/redis sends Upstash-Sync-Token and telemetry ones),
// and every header a permitted origin may send is already one it could send without CORS.
bool is_header_name_list(std::string_view s) {
  if (s.empty() || s.size() > 1024) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == ',' || c == ' ';
    if (!ok) return false;
  }
  return true;
}
constexpr std::string_view kExposeHeaders = "ETag, X-Ttl-Ms, X-Request-Id, Location";

// HTTP is stateless: whatever an earlier request on the same keep-alive connection did through
// the command API (SELECT, MULTI, WATCH, HELLO 2, CLIENT SETNAME / SETINFO, CLIENT REPLY), the
// next one starts from a new HTTP client's state. Authentication is not reset here: every
// request that runs a command has its own token checked.
void reset_request_session(Engine& engine, Session& s) {
  if (s.in_multi || !s.watched.empty()) engine.discard_transaction(s);
  s.db = 0;
  s.protocol = 3;
  s.name.clear();
  s.lib_name.clear();
  s.lib_ver.clear();
  s.replies_off = false;
  s.skip_replies = 0;
}

bool speaks_upstash(const Request& req) {
  for (const auto& [name, value] : req.headers) {
    if (name.starts_with("upstash-")) return true;
  }
  return false;
}

}  // namespace

bool is_command_api_path(std::string_view path) {
  path = path.substr(0, path.find('?'));
  if (path.starts_with(kCommandApiPrefix)) return true;
  return path != "/api" && !path.starts_with("/api/");
}

Timeouts HttpFrontEnd::timeouts() const {
  const Config& cfg = server_.config();
  Timeouts t;
  t.header_ms = cfg.http_header_timeout_ms;
  t.body_ms = cfg.http_body_timeout_ms;
  t.idle_ms = cfg.http_idle_timeout_ms;
  return t;
}

HttpFrontEnd::HttpFrontEnd(Server& server) : server_(server) {
  build_api_router(api_);
  build_admin_router(admin_);
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08x", static_cast<unsigned>(rd()));
  request_id_prefix_ = buf;
  docs_.locate();
}

Engine& HttpFrontEnd::engine() { return server_.engine(); }

const Config& HttpFrontEnd::config() const { return server_.config(); }

bool HttpFrontEnd::start(std::string* error) {
  const Config& cfg = server_.config();
  auto api_factory = [this](Server&) -> StreamConnection* {
    return new HttpConnection(*this, false);
  };
  auto admin_factory = [this](Server&) -> StreamConnection* {
    return new HttpConnection(*this, true);
  };
  if (cfg.http_port != 0 && !server_.listen(cfg.bind, static_cast<int>(cfg.http_port),
                                            kHttpListener, api_factory, error)) {
    return false;
  }
  // admin-bind keeps the admin port private while the API is public.
  const std::string& admin_bind = cfg.admin_bind.empty() ? cfg.bind : cfg.admin_bind;
  if (cfg.admin_port != 0 && !server_.listen(admin_bind, static_cast<int>(cfg.admin_port),
                                             kAdminListener, admin_factory, error)) {
    return false;
  }
  uv_timer_init(server_.loop(), &sweep_timer_);
  sweep_timer_.data = this;
  uv_timer_start(&sweep_timer_, on_sweep, kSweepIntervalMs, kSweepIntervalMs);
  timer_started_ = true;
  server_.on_shutdown([this] {
    if (timer_started_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&sweep_timer_))) {
      uv_close(reinterpret_cast<uv_handle_t*>(&sweep_timer_), nullptr);
    }
  });
  if (cfg.http_port != 0) {
    BASALT_LOG(kNotice, "HTTP API listening on port %lld (docs at /api/v1/docs/, %s%s)",
               static_cast<long long>(cfg.http_port),
               docs_.dir().empty() ? "Swagger UI files not installed" : "Swagger UI from ",
               docs_.dir().c_str());
  }
  if (cfg.admin_port != 0) {
    BASALT_LOG(kNotice, "Admin port %lld: /healthz /readyz /metrics /info",
               static_cast<long long>(cfg.admin_port));
  }
  return true;
}

void HttpFrontEnd::on_sweep(uv_timer_t* t) {
  auto* fe = static_cast<HttpFrontEnd*>(t->data);
  int64_t now = fe->server_.now_ms();
  // check_timeouts may close a connection, which detaches it: iterate over a copy.
  std::vector<HttpConnection*> all(fe->connections_.begin(), fe->connections_.end());
  for (HttpConnection* c : all) {
    if (fe->connections_.count(c)) c->check_timeouts(now);
  }
}

std::string HttpFrontEnd::request_id(const Request& req) {
  std::string_view given = req.header("x-request-id");
  if (usable_request_id(given)) return std::string(given);
  // "<8 hex digits, random per process>-<10 hex digits, a counter>", without printf's cost.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = request_id_prefix_;
  id += '-';
  uint64_t n = ++request_counter_;
  char digits[10];
  for (int i = 9; i >= 0; --i, n >>= 4) digits[i] = kHex[n & 15];
  id.append(digits, 10);
  return id;
}

std::string_view HttpFrontEnd::date() {
  int64_t second = server_.now_ms() / 1000;
  if (second != date_second_) {
    date_second_ = second;
    date_ = format_http_date(second);
  }
  return date_;
}

// The docs page (on the API port) sends the admin routes' requests from its own origin: the
// host the admin request was sent to, with the API port. The admin port lets that page read its
// answers whatever http-cors-origins says; they are no secret from the page's own server, and
// without this "Try it out" fails for /healthz, /readyz, /metrics and /info out of the box.
bool HttpFrontEnd::is_docs_page_origin(const Exchange& ex, std::string_view origin) const {
  const Config& cfg = server_.config();
  std::string_view host = host_name(ex.req.header("host"));
  if (cfg.http_port == 0 || host.empty() || !origin.starts_with("http://")) return false;
  std::string expected = "http://" + std::string(host);
  if (cfg.http_port != 80) expected += ":" + std::to_string(cfg.http_port);
  return iequals(origin, expected);
}

bool HttpFrontEnd::origin_allowed(const Exchange& ex, std::string_view origin, bool admin_port) {
  const std::string& cfg = server_.config().http_cors_origins;
  if (cfg != cors_config_) {
    cors_config_ = cfg;
    cors_origins_.clear();
    cors_any_ = false;
    std::string item;
    for (char c : cfg + " ") {
      if (c == ' ' || c == ',' || c == '\t') {
        if (item == "*") cors_any_ = true;
        if (!item.empty()) cors_origins_.push_back(item);
        item.clear();
      } else {
        item += c;
      }
    }
  }
  if (origin.empty()) return false;
  if (cors_any_) return true;
  for (auto& o : cors_origins_) {
    if (o == origin) return true;
  }
  return admin_port && is_docs_page_origin(ex, origin);
}

void HttpFrontEnd::preflight(Exchange& ex, uint32_t allowed, bool admin_port) {
  ex.empty(204);
  uint32_t methods = allowed | kOptions;
  ex.res.add_header("Allow", methods_list(methods));
  std::string_view origin = ex.req.header("origin");
  if (origin_allowed(ex, origin, admin_port)) {
    ex.res.add_header("Access-Control-Allow-Methods", methods_list(methods));
    std::string_view requested = ex.req.header("access-control-request-headers");
    ex.res.add_header("Access-Control-Allow-Headers",
                      is_header_name_list(requested) ? requested : kAllowHeaders);
    ex.res.add_header("Access-Control-Max-Age", "600");
  }
}

void HttpFrontEnd::finish(Exchange& ex, bool admin_port) {
  std::string_view origin = ex.req.header("origin");
  if (origin.empty() || !origin_allowed(ex, origin, admin_port)) return;
  ex.res.add_header("Access-Control-Allow-Origin", cors_any_ ? std::string_view("*") : origin);
  if (!cors_any_) ex.res.add_header("Vary", "Origin");
  ex.res.add_header("Access-Control-Expose-Headers", kExposeHeaders);
}

bool HttpFrontEnd::authenticate(Exchange& ex) {
  const Config& cfg = server_.config();
  std::string_view token;
  std::string_view auth = ex.req.header("authorization");
  if (auth.size() > 7 && iequals(auth.substr(0, 7), "bearer ")) {
    token = auth.substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  } else if (is_command_api_path(ex.req.url.path)) {
    // Upstash's query-string form, for the command API only (Upstash's clients use it there):
    // it keeps the password out of resource URLs, which end up in caches, logs and Referer.
    if (const std::string* t = ex.req.param("_token")) token = *t;
  }
  Session& s = ex.session();
  s.authenticated = true;
  s.readonly_only = false;
  bool readonly_token = !cfg.http_readonly_token.empty() && !token.empty() &&
                        constant_time_equals(token, cfg.http_readonly_token);
  if (!cfg.requirepass.empty() && !constant_time_equals(token, cfg.requirepass)) {
    if (!readonly_token) {
      s.authenticated = false;
      ex.res.add_header("WWW-Authenticate", "Bearer realm=\"basalt\"");
      if (is_command_api_path(ex.req.url.path)) {
        ex.json(401, "{\"error\":\"Unauthorized\"}");
      } else {
        ex.error(401, "UNAUTHENTICATED",
                 token.empty() ? "this server requires Authorization: Bearer <password>"
                               : "invalid token");
      }
      return false;
    }
  }
  // With no password configured any token is accepted; the read-only token still restricts.
  if (readonly_token &&
      !(!cfg.requirepass.empty() && constant_time_equals(token, cfg.requirepass))) {
    s.readonly_only = true;
  }
  return true;
}

HttpFrontEnd::BodyPolicy HttpFrontEnd::admit(Exchange& ex, bool admin_port) {
  Request& req = ex.req;
  ex.target_ok = parse_target(req.target, &req.url);
  ex.match = ex.target_ok ? (admin_port ? admin_ : api_).match(req.method, req.url.segments)
                          : RouteMatch{};
  reset_request_session(engine(), ex.session());
  ex.route = ex.match.path_route != nullptr ? std::string_view(ex.match.path_route->path)
                                            : std::string_view("unmatched");
  const Route* route = ex.match.route;
  if (route == nullptr || req.method == kOptions || !route->needs_auth) {
    return BodyPolicy::kDiscard;
  }
  return authenticate(ex) ? BodyPolicy::kRead : BodyPolicy::kRefuse;
}

void HttpFrontEnd::handle(Exchange& ex, bool admin_port) {
  Request& req = ex.req;
  bool command_api = false;
  auto fail = [&](int status, std::string_view code, std::string_view message) {
    if (command_api) {
      std::string body = "{\"error\":";
      append_json_string(body, message);
      body += '}';
      ex.json(status, std::move(body));
    } else {
      ex.error(status, code, message);
    }
  };
  if (!ex.target_ok) {
    fail(400, "BAD_REQUEST", "malformed request target (bad percent-encoding?)");
    return;
  }
  // A request that speaks Upstash's protocol (@upstash/redis always sends Upstash-Encoding) gets
  // its error shape too when no route answers: a client given a wrong URL then shows the reason
  // rather than "[object Object]", which is all it makes of the resource API's error object.
  command_api = !admin_port && (is_command_api_path(req.url.path) || speaks_upstash(req));
  const RouteMatch& m = ex.match;
  if (req.method == kOptions) {
    if (m.allowed == 0) {
      fail(404, "NOT_FOUND", "no such route");
      return;
    }
    ex.route = m.path_route->path;
    preflight(ex, m.allowed, admin_port);
    return;
  }
  if (m.route == nullptr) {
    if (m.allowed != 0) {
      ex.res.add_header("Allow", methods_list(m.allowed | kOptions));  // OPTIONS answers anywhere
      fail(405, "METHOD_NOT_ALLOWED",
           std::string(req.method_text) +
               " is not allowed here; allowed: " + methods_list(m.allowed));
    } else {
      fail(404, "NOT_FOUND", "no such route");
    }
    return;
  }
  // admit() has checked the token: a request refused there never gets here.
  m.route->handler(ex);
}

}  // namespace basalt::http
