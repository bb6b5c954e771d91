#pragma once
// Basalt's parameters. One descriptor table (config.cpp) drives every way of setting them: command
// line flags, BASALT_* environment variables, the config file (redis.conf syntax), CONFIG GET/SET
// and --help, so a parameter is declared once and validated the same way everywhere.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace basalt {

// A client class's output buffer limit: closed at once above `hard`, or once above `soft` for
// more than soft_seconds (0 = no such limit).
struct OutputLimit {
  int64_t hard = 0;
  int64_t soft = 0;
  int64_t soft_seconds = 0;
};

struct Config {
  std::string bind = "127.0.0.1";
  int64_t port = 6379;
  int64_t databases = 16;
  std::string requirepass;
  std::string masterauth;  // stored and reported only: no replication
  std::string masteruser;
  int64_t shutdown_timeout = 10;  // stored and reported only: no replicas to wait for
  // What a signal's shutdown does: "default" or words of save|nosave, now, force.
  std::string shutdown_on_sigint = "default";
  std::string shutdown_on_sigterm = "default";
  // Without a password, clients from other hosts than this one are refused (Redis 7's default).
  std::string protected_mode = "yes";
  // DEBUG: "no" (Redis 7's default), "yes", or "local" (loopback clients only).
  std::string enable_debug_command = "no";
  int64_t maxclients = 10000;
  int64_t timeout = 0;          // seconds a client may idle; 0 = never closed
  int64_t tcp_keepalive = 300;  // seconds
  int64_t proto_max_bulk_len = 512ll * 1024 * 1024;
  // A sparse HyperLogLog that would grow past this many bytes turns dense (Redis's default).
  int64_t hll_sparse_max_bytes = 3000;
  // Sets: an intset up to this many integers (Redis's default). The listpack pair is Redis 7.2's,
  // accepted for clients that set it; Basalt has no listpack sets.
  int64_t set_max_intset_entries = 512;
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  int64_t client_query_buffer_limit = 1024ll * 1024 * 1024;
  // client-output-buffer-limit, by Redis's client class, with Redis's defaults. The replica
  // class is kept for CONFIG GET/REWRITE only: Basalt has no replicas.
  OutputLimit client_output_limit_normal{};
  OutputLimit client_output_limit_replica{256ll << 20, 64ll << 20, 60};
  OutputLimit client_output_limit_pubsub{32ll << 20, 8ll << 20, 60};
  int64_t hz = 10;
  int64_t shutdown_delay_ms = 0;  // SIGTERM: keep serving this long with /readyz at 503
  // SLOWLOG: commands taking at least this many microseconds are logged (-1: none, 0: all).
  int64_t slowlog_log_slower_than = 10000;
  int64_t slowlog_max_len = 128;
  // LATENCY: commands taking at least this many milliseconds are sampled; 0 turns it off.
  int64_t latency_monitor_threshold = 0;
  // Cache mode (src/store/evict.hpp), with Redis's names, defaults and ranges.
  int64_t maxmemory = 0;  // bytes; 0: no cap
  // Client eviction: connections' buffers above this many bytes in all close the largest
  // clients first. Negative: that percentage of maxmemory (Redis's encoding); 0: off.
  int64_t maxmemory_clients = 0;
  std::string maxmemory_policy = "noeviction";
  int64_t maxmemory_samples = 5;
  // Sorted sets stay packed up to this many members of at most this many bytes.
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t maxmemory_eviction_tenacity = 10;
  int64_t lfu_log_factor = 10;
  // Redis 7.0's compiled defaults (its sample redis.conf sets 128 entries).
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t lfu_decay_time = 1;  // minutes
  std::string loglevel = "notice";
  std::string logfile;
  // HTTP front end and admin port.
  int64_t http_port = 8080;
  int64_t admin_port = 8081;
  std::string admin_bind;  // addresses of the admin port; empty: those of `bind`
  int64_t http_max_body = 16ll * 1024 * 1024;
  // Slowloris protection, in milliseconds.
  int64_t http_header_timeout_ms = 10'000;  // first byte of a request to the end of its headers
  int64_t http_body_timeout_ms = 60'000;    // end of the headers to the end of the body
  int64_t http_idle_timeout_ms = 75'000;    // a kept-alive connection with no request running
  std::string http_cors_origins;
  std::string http_readonly_token;
  // Persistence, with Redis's names and defaults. `save` is normalized: "<seconds> <changes>"
  // pairs separated by spaces, "" for none (save_rules() parses it).
  std::string save = "3600 1 300 100 60 10000";
  std::string dir = ".";  // absolute once set; "." is the working directory at start
  std::string dbfilename = "dump.rdb";
  std::string rdbcompression = "yes";
  std::string rdbchecksum = "yes";
  // µs per key a BGSAVE or AOF rewrite walk takes at least (negative: one µs per that many keys);
  // Redis's test suites use it to keep a save running.
  int64_t rdb_key_save_delay = 0;
  std::string rdb_del_sync_files = "no";
  std::string sanitize_dump_payload = "no";
  // µs the loader pauses after each key (negative: one µs once in that many keys); Redis's test
  // suites use it to hold the loading state.
  int64_t key_load_delay = 0;
  // Bytes between the RDB loader's progress callbacks (a cancelled load stops there).
  int64_t loading_process_events_interval_bytes = 2 << 20;
  std::string stop_writes_on_bgsave_error = "yes";
  std::string appendonly = "no";
  std::string appendfsync = "everysec";
  std::string appenddirname = "appendonlydir";
  std::string appendfilename = "appendonly.aof";
  std::string aof_use_rdb_preamble = "yes";
  std::string aof_load_truncated = "yes";
  std::string aof_disable_auto_gc = "no";
  std::string aof_timestamp_enabled = "no";
  int64_t auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64ll * 1024 * 1024;
  // appendfsync always: an fsync faster than this (µs) runs on the loop, as Redis's; a slower
  // disk gets it on a worker while the loop goes on serving (0: always on a worker).
  int64_t aof_fsync_inline_us = 1000;
  // Redis 7.0's data-model and tuning parameters (see the README's config table for which of
  // them take effect in Basalt). Lists: list-max-listpack-size bounds a list node (-1..-5: 4..64
  // KiB; a positive count: that many elements).
  int64_t list_max_listpack_size = -2;
  int64_t list_compress_depth = 0;
  // Keyspace notification classes, canonical (Redis's keyspaceEventsFlagsToString form).
  std::string notify_keyspace_events;
  std::string lazyfree_lazy_eviction = "no";
  std::string lazyfree_lazy_expire = "no";
  std::string lazyfree_lazy_server_del = "no";
  std::string lazyfree_lazy_user_del = "no";
  std::string lazyfree_lazy_user_flush = "no";
  std::string replica_lazy_flush = "no";
  std::string replica_read_only = "yes";
  std::string activerehashing = "yes";
  std::string dynamic_hz = "yes";
  std::string latency_tracking = "yes";
  // Normalised: each percentile as %f-trimmed text, space separated.
  std::string latency_tracking_info_percentiles = "50 99 99.9";
  std::string activedefrag = "no";
  int64_t active_defrag_ignore_bytes = 100ll << 20;
  int64_t active_defrag_threshold_lower = 10;
  int64_t active_defrag_threshold_upper = 100;
  int64_t active_defrag_cycle_min = 1;
  int64_t active_defrag_cycle_max = 25;
  int64_t active_defrag_max_scan_fields = 1000;
  int64_t stream_node_max_bytes = 4096;
  int64_t stream_node_max_entries = 100;
  int64_t tracking_table_max_keys = 1000000;
  int64_t busy_reply_threshold = 5000;  // ms (lua-time-limit)
  std::string oom_score_adj = "no";
  std::string crash_log_enabled = "yes";
  std::string crash_memcheck_enabled = "yes";
  std::string use_exit_on_panic = "no";
  std::string oom_score_adj_values = "0 200 800";
  std::string jemalloc_bg_thread = "yes";
  // Process management (main.cpp, server/supervision.hpp), with Redis's names and defaults.
  std::string daemonize = "no";
  std::string supervised = "no";  // upstart, systemd, auto or no
  std::string pidfile;            // written at start (also when daemonized), removed at exit
  int64_t tcp_backlog = 511;      // listen(2)'s backlog on every port
  // Redis 7's protected actions: no, yes or local (loopback and unix-socket clients only).
  std::string enable_protected_configs = "no";  // CONFIG SET dir and dbfilename
  std::string enable_module_command = "no";     // stored: Basalt has no modules
  std::string propagation_error_behavior = "ignore";
  std::string unixsocket;      // RESP on this unix socket too; empty for none
  int64_t unixsocketperm = 0;  // its file's mode (0: as the umask leaves it)
  // Accepted and reported so that a stock redis.conf loads; no effect in Basalt (README).
  std::string always_show_logo = "no";
  std::string set_proc_title = "yes";
  std::string proc_title_template = "{title} {listen-addr} {server-mode}";
  int64_t acllog_max_len = 128;
  std::string aof_rewrite_incremental_fsync = "yes";
  std::string rdb_save_incremental_fsync = "yes";
  std::string no_appendfsync_on_rewrite = "no";
  std::string repl_diskless_sync = "yes";
  int64_t repl_diskless_sync_delay = 5;
  int64_t repl_diskless_sync_max_replicas = 0;
  std::string repl_diskless_load = "disabled";
  std::string repl_disable_tcp_nodelay = "no";
  int64_t replica_priority = 100;
  std::string replica_serve_stale_data = "yes";
  // Redis's default is yes, for its fork(); Basalt never forks (base/allocator.cpp).
  std::string disable_thp = "no";
  int64_t io_threads = 1;
  // Not a parameter: the file the others were read from (absolute; INFO's config_file).
  std::string config_file;
};

// Why a value was refused, in Redis's wording ("argument must be between 1 and 65535 inclusive").
struct ConfigError {
  std::string name;
  std::string reason;
};

class ConfigRegistry {
 public:
  // Applies, in order of precedence lowest first: the config file (from --config or a first
  // positional argument, as redis-server takes), BASALT_* environment variables, then flags.
  // "--help" sets *help_requested. Returns the first error, naming the parameter.
  static std::optional<ConfigError> load(Config& config, int argc, const char* const* argv,
                                         bool* help_requested);
  static std::string help_text();

  // CONFIG SET one parameter (already lowercase); errors in Redis's words.
  static std::optional<ConfigError> set(Config& config, std::string_view name,
                                        std::string_view value, bool at_runtime);
  // Redis's HIDDEN_CONFIG parameters (key-load-delay, rdb-key-save-delay: for its tests), which
  // CONFIG GET lists for their own name only, never for a pattern.
  static bool hidden(std::string_view name);
  // Redis 7's PROTECTED_CONFIG parameters (dir, dbfilename: together they choose where a SAVE
  // writes, the classic way to write any file): CONFIG SET needs enable-protected-configs.
  static bool is_protected(std::string_view name);
  // CONFIG GET with a glob pattern: name -> value pairs, sorted by name.
  static std::vector<std::pair<std::string, std::string>> get(const Config& config,
                                                              std::string_view pattern);
  // Rules between parameters (a read-only HTTP token needs requirepass); load() and CONFIG SET
  // apply them once every value is in.
  static std::optional<ConfigError> check(const Config& config);
  static bool exists(std::string_view name);
  // Whether CONFIG SET may change it (name already lowercase; false for unknown names).
  static bool is_mutable(std::string_view name);
  // CONFIG REWRITE: rewrites config.config_file with the current values, as Redis does: comments
  // and lines it does not know are kept, a parameter's first line gets its value (later ones are
  // dropped), parameters not in the file are appended when they differ from the default (all of
  // them with force_all: DEBUG CONFIG-REWRITE-FORCE-ALL). The error is the system's text.
  static std::optional<std::string> rewrite(const Config& config, bool force_all = false);

 private:
  static std::optional<ConfigError> load_from(Config& config, int argc, const char* const* argv,
                                              bool* help_requested);
};

// A `save` rule: snapshot when at least `changes` writes happened in the last `seconds`.
struct SaveRule {
  int64_t seconds;
  int64_t changes;
};
std::vector<SaveRule> save_rules(const Config& config);

// proc-title-template expanded as Redis's sdstemplate does it: "{name}" becomes the variable
// (title, listen-addr, server-mode, config-file, port, tls-port, unixsocket; `title` is the
// executable as started), "{{" a brace, and the result is trimmed of spaces. nullopt for an
// unknown variable or an unclosed brace.
std::optional<std::string> expand_proc_title(std::string_view tmpl, std::string_view title,
                                             const Config& config);

// Parses Redis memory units: 1k=1000, 1kb=1024, 1m, 1mb, 1g, 1gb, 1b (case-insensitive); digits
// only, as Redis's memtoll (no sign, leading zeros allowed).
std::optional<int64_t> parse_memory(std::string_view s);

}  // namespace basalt
