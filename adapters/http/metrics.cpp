#include "http/metrics.hpp"

#include <uv.h>

#include <cstdio>
#include <map>
#include <tuple>

#include "base/strings.hpp"
#include "server/server.hpp"

namespace basalt::http {

void HttpMetrics::observe_request(std::string_view route, std::string_view method, int status,
                                  uint64_t duration_us) {
  requests_[Key{route, method, status}]++;
  latency_.observe(duration_us);
  total_++;
}

std::string prometheus_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

void append_seconds(std::string& out, uint64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6f", static_cast<double>(us) / 1e6);
  out += buf;
}

void help(std::string& out, std::string_view name, std::string_view type, std::string_view text) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += text;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view labels, uint64_t value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

}  // namespace

void append_histogram(std::string& out, std::string_view name, std::string_view labels,
                      const LatencyHistogram& h) {
  uint64_t cumulative = 0;
  std::string prefix(labels);
  if (!prefix.empty()) prefix += ',';
  for (size_t i = 0; i <= LatencyHistogram::kBoundsUs.size(); ++i) {
    cumulative += h.counts[i];
    out += name;
    out += "_bucket{";
    out += prefix;
    out += "le=\"";
    if (i < LatencyHistogram::kBoundsUs.size()) {
      // Bucket bounds in seconds without exponent notation: 0.00001, 0.5, 1.
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.6f",
                    static_cast<double>(LatencyHistogram::kBoundsUs[i]) / 1e6);
      std::string_view bound(buf);
      while (bound.back() == '0') bound.remove_suffix(1);
      if (bound.back() == '.') bound.remove_suffix(1);
      out += bound;
    } else {
      out += "+Inf";
    }
    out += "\"} ";
    out += std::to_string(cumulative);
    out += '\n';
  }
  out += name;
  out += "_sum";
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  append_seconds(out, h.sum_us);
  out += '\n';
  sample(out, std::string(name) + "_count", labels, h.count);
}

void HttpMetrics::render(std::string& out) const {
  help(out, "basalt_http_requests_total", "counter",
       "HTTP requests answered, by route template, method and status.");
  // Sorted, so the page is stable from one scrape to the next.
  std::map<std::tuple<std::string_view, std::string_view, int>, uint64_t> sorted;
  for (auto& [key, n] : requests_) sorted[{key.route, key.method, key.status}] += n;
  for (auto& [key, n] : sorted) {
    auto& [route, method, status] = key;
    std::string labels = "route=\"" + prometheus_label(route) + "\",method=\"" +
                         std::string(method) + "\",status=\"" + std::to_string(status) + "\"";
    sample(out, "basalt_http_requests_total", labels, n);
  }
  help(out, "basalt_http_request_duration_seconds", "histogram",
       "Time from a complete HTTP request to its response being queued.");
  append_histogram(out, "basalt_http_request_duration_seconds", "", latency_);
}

std::string render_prometheus(Server& server, const HttpMetrics& http) {
  Engine& engine = server.engine();
  EngineStats& stats = engine.stats();
  Store& store = engine.store();
  std::string out;
  out.reserve(16 * 1024);

  help(out, "basalt_up", "gauge", "1 while the server's loop runs.");
  sample(out, "basalt_up", "", 1);
  help(out, "basalt_ready", "gauge", "1 when accepting requests (0 while starting or stopping).");
  sample(out, "basalt_ready", "", server.ready() ? 1 : 0);
  help(out, "basalt_uptime_seconds", "gauge", "Seconds since the server started.");
  sample(out, "basalt_uptime_seconds", "",
         static_cast<uint64_t>(std::max<int64_t>(
             0, (store.clock().now_ms() - engine.server_info().start_ms) / 1000)));

  // Persistence: what an operator alerts on (a failing save or AOF, a dump growing stale).
  const Persistence::Figures p = engine.persistence().figures();
  help(out, "basalt_rdb_last_save_timestamp_seconds", "gauge",
       "Unix time of the last successful RDB save (LASTSAVE).");
  sample(out, "basalt_rdb_last_save_timestamp_seconds", "",
         static_cast<uint64_t>(std::max<int64_t>(0, p.last_save_s)));
  help(out, "basalt_rdb_changes_since_last_save", "gauge", "Writes since the last RDB save.");
  sample(out, "basalt_rdb_changes_since_last_save", "", p.changes_since_save);
  help(out, "basalt_rdb_bgsave_in_progress", "gauge", "1 while a BGSAVE runs.");
  sample(out, "basalt_rdb_bgsave_in_progress", "", p.bgsave_in_progress ? 1 : 0);
  help(out, "basalt_rdb_last_bgsave_ok", "gauge", "0 after a failed background save.");
  sample(out, "basalt_rdb_last_bgsave_ok", "", p.last_bgsave_ok ? 1 : 0);
  help(out, "basalt_aof_enabled", "gauge", "1 when the append-only file is on.");
  sample(out, "basalt_aof_enabled", "", p.aof_enabled ? 1 : 0);
  help(out, "basalt_aof_rewrite_in_progress", "gauge", "1 while BGREWRITEAOF runs.");
  sample(out, "basalt_aof_rewrite_in_progress", "", p.aof_rewrite_in_progress ? 1 : 0);
  help(out, "basalt_aof_last_write_ok", "gauge", "0 while writes to the AOF fail.");
  sample(out, "basalt_aof_last_write_ok", "", p.aof_last_write_ok ? 1 : 0);
  help(out, "basalt_aof_current_size_bytes", "gauge", "Size of the AOF: base and incr files.");
  sample(out, "basalt_aof_current_size_bytes", "", p.aof_current_size);
  help(out, "basalt_aof_last_fsync_seconds", "gauge", "Duration of the AOF's last fdatasync.");
  out += "basalt_aof_last_fsync_seconds " +
         std::to_string(static_cast<double>(p.aof_last_fsync_latency_us) / 1e6) + "\n";

  help(out, "basalt_commands_total", "counter",
       "Commands by name and outcome: ok, failed (replied an error), rejected (never ran).");
  for (const Command* cmd : engine.commands().sorted()) {
    auto emit = [&](const Command& c) {
      const CommandStats& s = engine.command_stats(c);
      if (s.calls == 0 && s.rejected_calls == 0 && s.failed_calls == 0) return;
      std::string base = "command=\"" + prometheus_label(c.full_name) + "\",outcome=";
      uint64_t ok = s.calls >= s.failed_calls ? s.calls - s.failed_calls : 0;
      sample(out, "basalt_commands_total", base + "\"ok\"", ok);
      sample(out, "basalt_commands_total", base + "\"failed\"", s.failed_calls);
      sample(out, "basalt_commands_total", base + "\"rejected\"", s.rejected_calls);
    };
    emit(*cmd);
    for (const Command& sub : cmd->subcommands) emit(sub);
  }
  help(out, "basalt_command_duration_seconds", "histogram",
       "Command execution time, by the front end the command came through.");
  append_histogram(out, "basalt_command_duration_seconds", "frontend=\"resp\"",
                   stats.command_latency[static_cast<size_t>(Frontend::kResp)]);
  append_histogram(out, "basalt_command_duration_seconds", "frontend=\"http\"",
                   stats.command_latency[static_cast<size_t>(Frontend::kHttp)]);

  help(out, "basalt_connected_clients", "gauge", "Open client connections, by protocol.");
  sample(out, "basalt_connected_clients", "protocol=\"resp\"",
         server.connection_count(kRespListener));
  sample(out, "basalt_connected_clients", "protocol=\"http\"",
         server.connection_count(kHttpListener));
  sample(out, "basalt_connected_clients", "protocol=\"admin\"",
         server.connection_count(kAdminListener));
  help(out, "basalt_blocked_clients", "gauge", "Clients waiting in a blocking command.");
  sample(out, "basalt_blocked_clients", "", engine.blocked_count());
  help(out, "basalt_connections_received_total", "counter", "Client connections accepted.");
  sample(out, "basalt_connections_received_total", "", stats.total_connections);
  help(out, "basalt_rejected_connections_total", "counter",
       "Connections refused because of maxclients.");
  sample(out, "basalt_rejected_connections_total", "", stats.rejected_connections);
  help(out, "basalt_commands_processed_total", "counter", "Commands processed, all front ends.");
  sample(out, "basalt_commands_processed_total", "", stats.total_commands);
  help(out, "basalt_error_replies_total", "counter", "Error replies sent.");
  sample(out, "basalt_error_replies_total", "", stats.total_error_replies);
  help(out, "basalt_net_input_bytes_total", "counter", "Bytes read from clients.");
  sample(out, "basalt_net_input_bytes_total", "", stats.net_input_bytes);
  help(out, "basalt_net_output_bytes_total", "counter", "Bytes written to clients.");
  sample(out, "basalt_net_output_bytes_total", "", stats.net_output_bytes);

  help(out, "basalt_keys", "gauge", "Keys per database (databases holding keys only).");
  for (int db = 0; db < store.db_count(); ++db) {
    if (store.db(db).size() == 0) continue;
    sample(out, "basalt_keys", "db=\"" + std::to_string(db) + "\"", store.db(db).size());
  }
  help(out, "basalt_keys_with_expiry", "gauge", "Keys with a TTL, per database.");
  for (int db = 0; db < store.db_count(); ++db) {
    if (store.db(db).size() == 0) continue;
    sample(out, "basalt_keys_with_expiry", "db=\"" + std::to_string(db) + "\"",
           store.db(db).expires());
  }
  help(out, "basalt_expired_keys_total", "counter", "Keys deleted because their TTL passed.");
  sample(out, "basalt_expired_keys_total", "", store.stats().expired_keys);
  help(out, "basalt_evicted_keys_total", "counter", "Keys deleted by maxmemory eviction.");
  sample(out, "basalt_evicted_keys_total", "", store.stats().evicted_keys);
  help(out, "basalt_evicted_clients_total", "counter", "Clients closed by maxmemory-clients.");
  sample(out, "basalt_evicted_clients_total", "", stats.evicted_clients);
  help(out, "basalt_keyspace_hits_total", "counter", "Successful key lookups.");
  sample(out, "basalt_keyspace_hits_total", "", store.stats().keyspace_hits);
  help(out, "basalt_keyspace_misses_total", "counter", "Failed key lookups.");
  sample(out, "basalt_keyspace_misses_total", "", store.stats().keyspace_misses);

  MemoryFigures memory = server.engine().memory();
  help(out, "basalt_memory_used_bytes", "gauge", "Bytes allocated (INFO's used_memory).");
  sample(out, "basalt_memory_used_bytes", "", memory.used);
  help(out, "basalt_memory_dataset_bytes", "gauge",
       "Allocated bytes less those at start-up, in client buffers and in the keyspace tables: "
       "keys and values (INFO's used_memory_dataset).");
  sample(out, "basalt_memory_dataset_bytes", "", memory.dataset);
  help(out, "basalt_memory_rss_bytes", "gauge", "Resident set size of the process.");
  sample(out, "basalt_memory_rss_bytes", "", memory.rss);
  help(out, "basalt_maxmemory_bytes", "gauge", "The maxmemory cap; 0 when there is none.");
  sample(out, "basalt_maxmemory_bytes", "", server.engine().eviction().maxmemory);

  http.render(out);
  return out;
}

}  // namespace basalt::http
