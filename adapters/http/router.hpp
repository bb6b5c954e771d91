#pragma once
// Routes: a path template ("/api/v1/keys/{key}/ttl") and the methods it answers. A "{name}"
// segment matches any one decoded segment; a final "{name...}" matches one or more. Matching is
// on decoded segments, so "%2F" inside a key never splits it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace basalt::http {

class Exchange;
using RouteHandler = void (*)(Exchange&);

struct Route {
  std::string path;  // the template, also the metrics label and the OpenAPI path
  uint32_t methods;
  RouteHandler handler;
  bool needs_auth;  // the bearer token is checked before the handler runs
  std::vector<std::string> segments;
  bool tail = false;   // last segment is "{name...}"
  bool fence = false;  // added by Router::fence: no methods, no handler
};

struct RouteMatch {
  const Route* route = nullptr;       // answers this method
  const Route* path_route = nullptr;  // whose path matched, whatever the method
  uint32_t allowed = 0;               // methods of every route whose path matched (for 405's Allow)
};

class Router {
 public:
  void add(std::string_view path, uint32_t methods, RouteHandler handler, bool needs_auth = true);
  // Paths that match `path` are not matched by any route added after it: a request there that
  // no earlier route answers is unmatched (404), even if a later, broader template would take it.
  void fence(std::string_view path);
  // A GET route also answers HEAD (its handler sees kHead and the body is dropped).
  RouteMatch match(Method method, const std::vector<std::string>& segments) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  static bool path_matches(const Route& r, const std::vector<std::string>& segments);
  std::vector<Route> routes_;
};

}  // namespace basalt::http
