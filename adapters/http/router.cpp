#include "http/router.hpp"

namespace basalt::http {

void Router::add(std::string_view path, uint32_t methods, RouteHandler handler, bool needs_auth) {
  Route r{std::string(path), methods, handler, needs_auth, {}, false};
  // Split exactly as parse_target() splits a request path, so "/docs/" has a final "" segment.
  std::string_view rest = path.substr(1);
  for (;;) {
    size_t slash = rest.find('/');
    r.segments.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (r.segments.size() == 1 && r.segments[0].empty()) r.segments.clear();
  if (!r.segments.empty() && r.segments.back().ends_with("...}")) r.tail = true;
  routes_.push_back(std::move(r));
}

void Router::fence(std::string_view path) {
  add(path, 0, nullptr, false);
  routes_.back().fence = true;
}

bool Router::path_matches(const Route& r, const std::vector<std::string>& segments) {
  size_t fixed = r.tail ? r.segments.size() - 1 : r.segments.size();
  if (r.tail ? segments.size() < r.segments.size() : segments.size() != r.segments.size()) {
    return false;
  }
  for (size_t i = 0; i < fixed; ++i) {
    const std::string& pattern = r.segments[i];
    if (pattern.starts_with('{')) continue;
    if (pattern != segments[i]) return false;
  }
  return true;
}

RouteMatch Router::match(Method method, const std::vector<std::string>& segments) const {
  RouteMatch m;
  // One route per path; literal routes are added before templates that would also match them
  // (".../pipeline" before ".../{command}"), and the first route whose path matches decides.
  for (const Route& r : routes_) {
    if (!path_matches(r, segments)) continue;
    if (r.fence) break;
    m.path_route = &r;
    m.allowed = r.methods;
    if (r.methods & kGet) m.allowed |= kHead;
    if (m.allowed & method) m.route = &r;
    break;
  }
  return m;
}

}  // namespace basalt::http
