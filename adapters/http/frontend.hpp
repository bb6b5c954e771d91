#pragma once
// The HTTP front end's process-wide part: the routers of the API port and the admin port, the
// policy every request goes through before its route (target parsing, auth, CORS, per-request
// session reset), metrics, the docs assets, and the timer that enforces request timeouts.

#include <uv.h>

#include <cstdint>
#include <string>
#include <unordered_set>

#include "http/docs.hpp"
#include "http/exchange.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace basalt {
class Server;
struct Config;
}  // namespace basalt

namespace basalt::http {

class HttpConnection;

// Slowloris protection and connection hygiene, in milliseconds; the first three are the
// http-*-timeout-ms parameters (CONFIG SET applies to the next check).
struct Timeouts {
  int64_t header_ms = 0;     // first byte of a request to the end of its headers
  int64_t body_ms = 0;       // end of the headers to the end of the body
  int64_t idle_ms = 0;       // a kept-alive connection with no request in progress
  int64_t drain_ms = 2'000;  // reading and discarding after an error response, then close
};

// The command API's paths, whose errors are Upstash's {"error":"..."}: /api/v1/redis and what is
// under it, and every path outside /api (the command API again, at the root). A request target
// with a query is classified by its path.
bool is_command_api_path(std::string_view path);

// The API port's routes and the admin port's routes (also used by tests, without a server).
void build_api_router(Router& router);
void build_admin_router(Router& router);

class HttpFrontEnd {
 public:
  explicit HttpFrontEnd(Server& server);
  HttpFrontEnd(const HttpFrontEnd&) = delete;
  HttpFrontEnd& operator=(const HttpFrontEnd&) = delete;

  // Listens on the HTTP and admin ports (a port of 0 is not opened) and starts the timer.
  bool start(std::string* error);

  Server& server() { return server_; }
  Engine& engine();
  const Config& config() const;
  HttpMetrics& metrics() { return metrics_; }
  Timeouts timeouts() const;
  DocsAssets& docs() { return docs_; }
  const Router& api_router() const { return api_; }
  const Router& admin_router() const { return admin_; }

  // What the connection does with a request's body, decided when its head has arrived.
  enum class BodyPolicy : uint8_t {
    kRead,     // the route uses it: buffer it (up to http-max-body)
    kDiscard,  // the answer does not depend on it (no route, OPTIONS, a route without auth)
    kRefuse,   // not authenticated: ex.res holds the 401, sent before any of the body is read
  };
  // Parses the target, matches the route and checks the token: all of it before the body, so
  // an unauthenticated peer never gets its body buffered or a 100 Continue.
  BodyPolicy admit(Exchange& ex, bool admin_port);
  // Answers one admitted request: everything up to and including calling its handler.
  void handle(Exchange& ex, bool admin_port);
  // Headers every response gets once its route has finished (CORS).
  void finish(Exchange& ex, bool admin_port);
  // The request's X-Request-Id if it sent a usable one, else a new one.
  std::string request_id(const Request& req);
  // The Date header value, formatted once per second.
  std::string_view date();

  void attach(HttpConnection* c) { connections_.insert(c); }
  void detach(HttpConnection* c) { connections_.erase(c); }

 private:
  static void on_sweep(uv_timer_t* t);
  bool authenticate(Exchange& ex);
  // http-cors-origins, and on the admin port also the docs page of this server.
  bool origin_allowed(const Exchange& ex, std::string_view origin, bool admin_port);
  bool is_docs_page_origin(const Exchange& ex, std::string_view origin) const;
  void preflight(Exchange& ex, uint32_t allowed, bool admin_port);

  Server& server_;
  Router api_, admin_;
  HttpMetrics metrics_;
  DocsAssets docs_;
  std::unordered_set<HttpConnection*> connections_;
  uv_timer_t sweep_timer_;
  bool timer_started_ = false;
  uint64_t request_counter_ = 0;
  std::string request_id_prefix_;
  int64_t date_second_ = -1;
  std::string date_;
  std::string cors_config_;  // the http_cors_origins value cors_origins_ was parsed from
  std::vector<std::string> cors_origins_;
  bool cors_any_ = false;
};

}  // namespace basalt::http
