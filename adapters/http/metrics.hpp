#pragma once
// HTTP-side counters for the admin port's /metrics, and the Prometheus text rendering of
// everything /metrics reports (the engine's and store's counters are read when rendering).

#include <cstdint>
#include <string>
#include <unordered_map>

#include "commands/engine.hpp"

namespace basalt {
class Server;
}

namespace basalt::http {

class HttpMetrics {
 public:
  // route: the matched route's template, or "unmatched".
  void observe_request(std::string_view route, std::string_view method, int status,
                       uint64_t duration_us);
  const LatencyHistogram& request_latency() const { return latency_; }
  uint64_t requests_total() const { return total_; }

  // Appends the HTTP families (requests by route, method and status; request duration).
  void render(std::string& out) const;

 private:
  // Keyed by the route template's address (router-owned, stable), method and status, so that
  // counting a request allocates nothing.
  struct Key {
    std::string_view route;
    std::string_view method;
    int status;
    bool operator==(const Key& o) const {
      return route.data() == o.route.data() && method.data() == o.method.data() &&
             status == o.status;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<const void*>{}(k.route.data()) ^
             (std::hash<const void*>{}(k.method.data()) << 1) ^
             (static_cast<size_t>(k.status) << 7);
    }
  };
  std::unordered_map<Key, uint64_t, KeyHash> requests_;
  LatencyHistogram latency_;
  uint64_t total_ = 0;
};

// The whole /metrics page: commands by name and outcome, command latency per front end, connected
// clients per protocol, keys per database, expiry, memory, and the HTTP families.
std::string render_prometheus(Server& server, const HttpMetrics& http);

// Appends one histogram family member: _bucket lines (cumulative, seconds), _sum and _count.
void append_histogram(std::string& out, std::string_view name, std::string_view labels,
                      const LatencyHistogram& h);

// A Prometheus label value with \, " and newline escaped.
std::string prometheus_label(std::string_view value);

}  // namespace basalt::http
