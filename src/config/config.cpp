#include "config/config.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/log.hpp"
#include "base/strings.hpp"

namespace basalt {

namespace {

enum class Kind {
  kInt,
  kMemory,
  kMemoryOrPercent,  // bytes, or "N%" of maxmemory kept as -N (Redis's PERCENT_CONFIG)
  kOctal,            // a file mode, read and shown in octal (Redis's OCTAL_CONFIG)
  kString,
  kEnum,
  kOutputLimit,
  kConstant,
  kSave,           // Redis's save rules
  kDir,            // an existing directory, kept as an absolute path
  kFileName,       // a file or directory name inside `dir`, never a path
  kNotifyEvents,   // notify-keyspace-events: class characters, kept canonical
  kPercentiles,    // latency-tracking-info-percentiles: numbers in [0, 100]
  kOomValues,      // oom-score-adj-values: three integers in [-2000, 2000]
  kShutdownFlags,  // shutdown-on-sigterm/sigint: "default" or save|nosave, now, force
};

struct Param {
  std::string_view name;
  Kind kind;
  int64_t Config::*int_field = nullptr;
  std::string Config::*str_field = nullptr;
  int64_t min = 0, max = 0;
  bool mutable_at_runtime = true;
  std::string_view help;
  std::string_view choices = {};   // kEnum: comma-separated
  std::string_view constant = {};  // kConstant: fixed value, reported for Redis tools' sake
  // Another name for the parameter this row shares its field with (Redis's aliases, such as
  // list-max-ziplist-size): CONFIG GET answers to both names, CONFIG REWRITE writes the main one.
  bool alias = false;
};

// Words separated by spaces or tabs (a save rule list).
std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

constexpr int64_t kMaxInt = 2147483647;
constexpr int64_t kMaxUint = 4294967295;
constexpr int64_t kMaxLong = INT64_MAX;
// Redis accepts any hz and clamps it into this range (CONFIG_MIN_HZ, CONFIG_MAX_HZ).
constexpr int64_t kMinHz = 1;
constexpr int64_t kMaxHz = 500;

// Sorted by name; CONFIG GET returns them in this order.
const Param kParams[] = {
    {"active-defrag-cycle-max", Kind::kInt, &Config::active_defrag_cycle_max, nullptr, 1, 99, true,
     "most CPU % active defragmentation may use (stored: Basalt does not defragment)"},
    {"active-defrag-cycle-min", Kind::kInt, &Config::active_defrag_cycle_min, nullptr, 1, 99, true,
     "least CPU % active defragmentation uses (stored: Basalt does not defragment)"},
    {"active-defrag-ignore-bytes", Kind::kMemory, &Config::active_defrag_ignore_bytes, nullptr, 1,
     kMaxLong, true, "fragmentation below this is left alone (stored: Basalt does not defragment)"},
    {"active-defrag-max-scan-fields", Kind::kInt, &Config::active_defrag_max_scan_fields, nullptr,
     1, kMaxLong, true,
     "defragmentation scan step, in fields (stored: Basalt does not defragment)"},
    {"active-defrag-threshold-lower", Kind::kInt, &Config::active_defrag_threshold_lower, nullptr,
     0, 1000, true,
     "fragmentation % that starts defragmentation (stored: Basalt does not defragment)"},
    {"active-defrag-threshold-upper", Kind::kInt, &Config::active_defrag_threshold_upper, nullptr,
     0, 1000, true,
     "fragmentation % of full defragmentation effort (stored: Basalt does not defragment)"},
    {"acllog-max-len", Kind::kInt, &Config::acllog_max_len, nullptr, 0, kMaxLong, true,
     "ACL LOG's length (stored and reported only: no ACL users yet)"},
    {"activedefrag", Kind::kConstant, nullptr, nullptr, 0, 0, true,
     "active defragmentation: always no (Basalt has none, as a Redis built without it refuses yes)",
     "yes,no", "no"},
    {"activerehashing", Kind::kEnum, nullptr, &Config::activerehashing, 0, 0, true,
     "the cron spends time rehashing the keyspace tables (yes) or rehashing waits for writes (no)",
     "yes,no"},
    {"admin-bind", Kind::kString, nullptr, &Config::admin_bind, 0, 0, false,
     "addresses of the admin port, space separated; empty for those of bind"},
    {"admin-port", Kind::kInt, &Config::admin_port, nullptr, 0, 65535, false,
     "HTTP admin port (health, metrics); 0 disables it"},
    {"aof-fsync-inline-us", Kind::kInt, &Config::aof_fsync_inline_us, nullptr, 0, kMaxInt, true,
     "appendfsync always: fsyncs faster than this many us run on the loop, slower ones on a "
     "worker while the loop serves on (0: always a worker)"},
    {"aof-disable-auto-gc", Kind::kEnum, nullptr, &Config::aof_disable_auto_gc, 0, 0, true,
     "keep the files a rewrite replaced (listed as history in the manifest) instead of deleting "
     "them; no deletes those kept",
     "yes,no"},
    {"aof-load-truncated", Kind::kEnum, nullptr, &Config::aof_load_truncated, 0, 0, true,
     "start with a torn last command in the AOF cut off (yes) or refuse to start (no)", "yes,no"},
    {"aof-rewrite-incremental-fsync", Kind::kEnum, nullptr, &Config::aof_rewrite_incremental_fsync,
     0, 0, true, "fsync a rewrite's files every 4 MB (stored and reported only: see README)",
     "yes,no"},
    {"aof-timestamp-enabled", Kind::kEnum, nullptr, &Config::aof_timestamp_enabled, 0, 0, true,
     "annotate the AOF with the time (#TS:<unix seconds>) before the first write of each second",
     "yes,no"},
    {"aof-use-rdb-preamble", Kind::kEnum, nullptr, &Config::aof_use_rdb_preamble, 0, 0, true,
     "an AOF rewrite writes its base as an RDB snapshot (yes) or as commands (no)", "yes,no"},
    {"appenddirname", Kind::kFileName, nullptr, &Config::appenddirname, 0, 0, false,
     "directory inside dir holding the AOF's manifest, base and incremental files"},
    {"always-show-logo", Kind::kEnum, nullptr, &Config::always_show_logo, 0, 0, false,
     "the start-up banner (version, mode, port, pid) even with a logfile or no terminal", "yes,no"},
    {"appendfilename", Kind::kFileName, nullptr, &Config::appendfilename, 0, 0, false,
     "base name of the AOF's files"},
    {"appendfsync", Kind::kEnum, nullptr, &Config::appendfsync, 0, 0, true,
     "when the AOF is fsynced: always (before replies), everysec, or no (left to the OS)",
     "always,everysec,no"},
    {"appendonly", Kind::kEnum, nullptr, &Config::appendonly, 0, 0, true,
     "log every write to the append-only file (yes) or not (no)", "yes,no"},
    {"auto-aof-rewrite-min-size", Kind::kMemory, &Config::auto_aof_rewrite_min_size, nullptr, 0,
     kMaxLong, true, "the AOF is not rewritten automatically below this size"},
    {"auto-aof-rewrite-percentage", Kind::kInt, &Config::auto_aof_rewrite_percentage, nullptr, 0,
     kMaxInt, true,
     "rewrite the AOF when it grew this % over its size after the last rewrite; 0 off"},
    {"bind", Kind::kString, nullptr, &Config::bind, 0, 0, true,
     "addresses to listen on, space separated"},
    {"busy-reply-threshold", Kind::kInt, &Config::busy_reply_threshold, nullptr, 0, kMaxLong, true,
     "ms a script may run before others get BUSY (stored: Basalt has no scripts)"},
    {"client-output-buffer-limit", Kind::kOutputLimit, nullptr, nullptr, 0, 0, true,
     "<class> <hard> <soft> <soft-seconds> ...: disconnect clients whose pending replies exceed "
     "their class's limit (normal, pubsub; replica is stored only)"},
    {"client-query-buffer-limit", Kind::kMemory, &Config::client_query_buffer_limit, nullptr,
     1024 * 1024, kMaxLong, true, "largest unparsed request a client may send"},
    {"cluster-enabled", Kind::kConstant, nullptr, nullptr, 0, 0, false,
     "cluster mode: always no (Basalt is a standalone server)", "yes,no", "no"},
    {"crash-log-enabled", Kind::kEnum, nullptr, &Config::crash_log_enabled, 0, 0, true,
     "log Redis's crash report (signal, stack trace, the command running) on SIGSEGV, SIGBUS, "
     "SIGFPE, SIGILL and SIGABRT, before the signal's default action (a core dump where enabled)",
     "yes,no"},
    {"crash-memcheck-enabled", Kind::kEnum, nullptr, &Config::crash_memcheck_enabled, 0, 0, true,
     "test memory on a crash (stored and reported only: the crash report runs no memory test)",
     "yes,no"},
    {"daemonize", Kind::kEnum, nullptr, &Config::daemonize, 0, 0, false,
     "detach from the terminal at start and write pidfile (/var/run/redis.pid if none), as "
     "redis-server; ignored under supervised upstart or systemd",
     "yes,no"},
    {"databases", Kind::kInt, &Config::databases, nullptr, 1, kMaxInt, false,
     "number of databases (SELECT 0..n-1)"},
    {"dbfilename", Kind::kFileName, nullptr, &Config::dbfilename, 0, 0, true,
     "name of the RDB snapshot file, inside dir"},
    {"dir", Kind::kDir, nullptr, &Config::dir, 0, 0, true,
     "directory of the RDB snapshot and the AOF directory"},
    {"disable-thp", Kind::kEnum, nullptr, &Config::disable_thp, 0, 0, false,
     "keep every page at 4 KB (yes) or let a dataset load onto transparent huge pages (no)",
     "yes,no"},
    {"dynamic-hz", Kind::kEnum, nullptr, &Config::dynamic_hz, 0, 0, true,
     "raise hz with the number of clients (stored: Basalt's cron runs at hz)", "yes,no"},
    {"enable-debug-command", Kind::kEnum, nullptr, &Config::enable_debug_command, 0, 0, false,
     "allow DEBUG: no, yes, or local (clients on the loopback interface only)", "no,yes,local"},
    {"enable-module-command", Kind::kEnum, nullptr, &Config::enable_module_command, 0, 0, false,
     "allow MODULE (stored and reported only: Basalt has no modules)", "no,yes,local"},
    {"enable-protected-configs", Kind::kEnum, nullptr, &Config::enable_protected_configs, 0, 0,
     false,
     "allow CONFIG SET of dir and dbfilename, which choose where files are written: no, yes, or "
     "local (loopback and unix-socket clients only)",
     "no,yes,local"},
    {"hll-sparse-max-bytes", Kind::kMemory, &Config::hll_sparse_max_bytes, nullptr, 0, kMaxLong,
     true, "HyperLogLog sparse encoding's largest size before it turns dense"},
    {"hash-max-listpack-entries", Kind::kInt, &Config::hash_max_listpack_entries, nullptr, 0,
     kMaxLong, true, "hashes with more fields than this move from listpack to a hash table"},
    {"hash-max-listpack-value", Kind::kMemory, &Config::hash_max_listpack_value, nullptr, 0,
     kMaxLong, true, "hashes with a longer field or value move from listpack to a hash table"},
    {"hash-max-ziplist-entries", Kind::kInt, &Config::hash_max_listpack_entries, nullptr, 0,
     kMaxLong, true, "alias of hash-max-listpack-entries (Redis before 7.0)"},
    {"hash-max-ziplist-value", Kind::kMemory, &Config::hash_max_listpack_value, nullptr, 0,
     kMaxLong, true, "alias of hash-max-listpack-value (Redis before 7.0)"},
    {"hz", Kind::kInt, &Config::hz, nullptr, 0, kMaxInt, true,
     "background task frequency (active expiry, incremental rehash, idle clients)"},
    {"http-cors-origins", Kind::kString, nullptr, &Config::http_cors_origins, 0, 0, true,
     "origins allowed by CORS, comma separated; * for any; empty for none"},
    {"http-body-timeout-ms", Kind::kInt, &Config::http_body_timeout_ms, nullptr, 1, kMaxInt, true,
     "milliseconds an HTTP request body may take to arrive after its headers"},
    {"http-header-timeout-ms", Kind::kInt, &Config::http_header_timeout_ms, nullptr, 1, kMaxInt,
     true, "milliseconds an HTTP request's headers may take to arrive"},
    {"http-idle-timeout-ms", Kind::kInt, &Config::http_idle_timeout_ms, nullptr, 1, kMaxInt, true,
     "milliseconds a kept-alive HTTP connection may idle between requests"},
    {"http-max-body", Kind::kMemory, &Config::http_max_body, nullptr, 1024, kMaxLong, true,
     "largest HTTP request body accepted"},
    {"http-port", Kind::kInt, &Config::http_port, nullptr, 0, 65535, false,
     "HTTP/JSON API port; 0 disables it"},
    {"http-readonly-token", Kind::kString, nullptr, &Config::http_readonly_token, 0, 0, true,
     "bearer token that may run read-only commands over HTTP"},
    {"io-threads", Kind::kInt, &Config::io_threads, nullptr, 1, 128, false,
     "threads for client I/O (stored: Basalt serves every client on one thread)"},
    {"jemalloc-bg-thread", Kind::kEnum, nullptr, &Config::jemalloc_bg_thread, 0, 0, true,
     "jemalloc purges freed memory on a background thread (yes) or inline (no)", "yes,no"},
    {"key-load-delay", Kind::kInt, &Config::key_load_delay, nullptr, -kMaxInt - 1, kMaxInt, true,
     "microseconds loading pauses after each key (for tests); negative: one per that many keys"},
    {"latency-monitor-threshold", Kind::kInt, &Config::latency_monitor_threshold, nullptr, 0,
     kMaxLong, true, "LATENCY samples commands taking at least this many ms; 0 disables it"},
    {"latency-tracking", Kind::kEnum, nullptr, &Config::latency_tracking, 0, 0, true,
     "record per-command latency for INFO latencystats", "yes,no"},
    {"latency-tracking-info-percentiles", Kind::kPercentiles, nullptr,
     &Config::latency_tracking_info_percentiles, 0, 0, true,
     "percentiles INFO latencystats reports, space separated, each 0..100"},
    {"lazyfree-lazy-eviction", Kind::kEnum, nullptr, &Config::lazyfree_lazy_eviction, 0, 0, true,
     "free evicted values on a background thread (stored: Basalt frees inline)", "yes,no"},
    {"lazyfree-lazy-expire", Kind::kEnum, nullptr, &Config::lazyfree_lazy_expire, 0, 0, true,
     "free expired values on a background thread (stored: Basalt frees inline)", "yes,no"},
    {"lazyfree-lazy-server-del", Kind::kEnum, nullptr, &Config::lazyfree_lazy_server_del, 0, 0,
     true, "free values a write replaces on a background thread (stored: Basalt frees inline)",
     "yes,no"},
    {"lazyfree-lazy-user-del", Kind::kEnum, nullptr, &Config::lazyfree_lazy_user_del, 0, 0, true,
     "DEL frees as UNLINK does (stored: Basalt frees inline)", "yes,no"},
    {"lazyfree-lazy-user-flush", Kind::kEnum, nullptr, &Config::lazyfree_lazy_user_flush, 0, 0,
     true, "FLUSHALL/FLUSHDB without a flag are ASYNC (stored: Basalt flushes inline)", "yes,no"},
    {"loading-process-events-interval-bytes", Kind::kInt,
     &Config::loading_process_events_interval_bytes, nullptr, 1024, kMaxInt, true,
     "bytes of an RDB the loader reads between checks for a shutdown (and progress lines); "
     "clients are served all along, the load runs on a thread of its own"},
    {"lfu-decay-time", Kind::kInt, &Config::lfu_decay_time, nullptr, 0, kMaxInt, true,
     "minutes idle for an LFU counter to drop one step; 0 never decays"},
    {"lfu-log-factor", Kind::kInt, &Config::lfu_log_factor, nullptr, 0, kMaxInt, true,
     "LFU counter's logarithm factor: higher takes more hits to raise the counter"},
    {"list-compress-depth", Kind::kInt, &Config::list_compress_depth, nullptr, 0, kMaxInt, true,
     "list nodes at each end left uncompressed (stored: Basalt does not compress list nodes)"},
    {"list-max-listpack-size", Kind::kInt, &Config::list_max_listpack_size, nullptr, INT32_MIN,
     kMaxInt, true,
     "list node size: -1..-5 for 4..64 KiB (below -5 is -5), or a positive most elements a node"},
    {"list-max-ziplist-size",
     Kind::kInt,
     &Config::list_max_listpack_size,
     nullptr,
     INT32_MIN,
     kMaxInt,
     true,
     "alias of list-max-listpack-size",
     {},
     {},
     true},
    {"logfile", Kind::kString, nullptr, &Config::logfile, 0, 0, false,
     "log file path; empty for stderr"},
    {"loglevel", Kind::kEnum, nullptr, &Config::loglevel, 0, 0, true,
     "log verbosity, from the most to the least", "debug,verbose,notice,warning"},
    {"lua-time-limit",
     Kind::kInt,
     &Config::busy_reply_threshold,
     nullptr,
     0,
     kMaxLong,
     true,
     "alias of busy-reply-threshold",
     {},
     {},
     true},
    {"masterauth", Kind::kString, nullptr, &Config::masterauth, 0, 0, true,
     "password a replica gives its primary (stored and reported only: no replication)"},
    {"masteruser", Kind::kString, nullptr, &Config::masteruser, 0, 0, true,
     "user a replica authenticates as with its primary (stored and reported only: no "
     "replication)"},
    {"maxclients", Kind::kInt, &Config::maxclients, nullptr, 1, kMaxUint, true,
     "most clients connected at once"},
    {"maxmemory", Kind::kMemory, &Config::maxmemory, nullptr, 0, kMaxLong, true,
     "memory cap: over it, keys are evicted by maxmemory-policy; 0 for none"},
    {"maxmemory-clients", Kind::kMemoryOrPercent, &Config::maxmemory_clients, nullptr, -100,
     kMaxLong, true,
     "close the largest clients while all clients' buffers exceed this (bytes or N% of "
     "maxmemory; at least 128kb); 0 for none"},
    {"maxmemory-eviction-tenacity", Kind::kInt, &Config::maxmemory_eviction_tenacity, nullptr, 0,
     100, true, "time each eviction pass may take: 10 is 500 us, +15% a step; 100 unbounded"},
    {"maxmemory-policy", Kind::kEnum, nullptr, &Config::maxmemory_policy, 0, 0, true,
     "which keys maxmemory evicts",
     "volatile-lru,volatile-lfu,volatile-random,volatile-ttl,allkeys-lru,allkeys-lfu,"
     "allkeys-random,noeviction"},
    {"maxmemory-samples", Kind::kInt, &Config::maxmemory_samples, nullptr, 1, kMaxInt, true,
     "keys sampled per database for each LRU, LFU or TTL eviction choice"},
    {"no-appendfsync-on-rewrite", Kind::kEnum, nullptr, &Config::no_appendfsync_on_rewrite, 0, 0,
     true, "skip the AOF's fsyncs during a rewrite (stored and reported only: see README)",
     "yes,no"},
    {"notify-keyspace-events", Kind::kNotifyEvents, nullptr, &Config::notify_keyspace_events, 0, 0,
     true, "keyspace notification classes: K and/or E with the event classes (A = g$lshzxetd)"},
    {"oom-score-adj", Kind::kEnum, nullptr, &Config::oom_score_adj, 0, 0, true,
     "set the process's Linux oom_score_adj from oom-score-adj-values: no, yes (relative), "
     "relative or absolute",
     "no,yes,relative,absolute"},
    {"oom-score-adj-values", Kind::kOomValues, nullptr, &Config::oom_score_adj_values, 0, 0, true,
     "oom_score_adj for master, replica and background child, each -2000..2000"},
    {"pidfile", Kind::kString, nullptr, &Config::pidfile, 0, 0, false,
     "write the process id here at start and remove it at exit; empty for none (unless "
     "daemonized)"},
    {"propagation-error-behavior", Kind::kEnum, nullptr, &Config::propagation_error_behavior, 0, 0,
     true, "what a replica does with a command that fails (stored: Basalt has no replication)",
     "ignore,panic,panic-on-replicas"},
    {"port", Kind::kInt, &Config::port, nullptr, 0, 65535, true, "RESP port; 0 disables it"},
    {"proc-title-template", Kind::kString, nullptr, &Config::proc_title_template, 0, 0, true,
     "the process title ps shows: {title} {listen-addr} {server-mode} {port} {tls-port} "
     "{unixsocket} {config-file}"},
    {"proto-max-bulk-len", Kind::kMemory, &Config::proto_max_bulk_len, nullptr, 1024 * 1024,
     kMaxLong, true, "largest string accepted in a request or stored"},
    {"protected-mode", Kind::kEnum, nullptr, &Config::protected_mode, 0, 0, true,
     "without requirepass, refuse clients that are not on the loopback interface", "yes,no"},
    {"rdb-del-sync-files", Kind::kEnum, nullptr, &Config::rdb_del_sync_files, 0, 0, true,
     "delete the RDB files replication made when persistence is off (stored: Basalt has no "
     "replication)",
     "yes,no"},
    {"rdb-key-save-delay", Kind::kInt, &Config::rdb_key_save_delay, nullptr, -kMaxInt - 1, kMaxInt,
     true,
     "microseconds a BGSAVE or AOF rewrite spends per key at least (for tests); negative: one "
     "per that many keys"},
    {"rdb-save-incremental-fsync", Kind::kEnum, nullptr, &Config::rdb_save_incremental_fsync, 0, 0,
     true, "fsync an RDB file every 4 MB while writing it (stored and reported only: see README)",
     "yes,no"},
    {"rdbchecksum", Kind::kEnum, nullptr, &Config::rdbchecksum, 0, 0, false,
     "end RDB files with a CRC64 and check it when loading", "yes,no"},
    {"rdbcompression", Kind::kEnum, nullptr, &Config::rdbcompression, 0, 0, true,
     "LZF-compress strings in RDB files", "yes,no"},
    {"repl-disable-tcp-nodelay", Kind::kEnum, nullptr, &Config::repl_disable_tcp_nodelay, 0, 0,
     true, "replication stream without TCP_NODELAY (stored: Basalt has no replication)", "yes,no"},
    {"repl-diskless-load", Kind::kEnum, nullptr, &Config::repl_diskless_load, 0, 0, true,
     "how a replica loads a full sync (stored: Basalt has no replication)",
     "disabled,on-empty-db,swapdb"},
    {"repl-diskless-sync", Kind::kEnum, nullptr, &Config::repl_diskless_sync, 0, 0, true,
     "full syncs sent over the socket (stored: Basalt has no replication)", "yes,no"},
    {"repl-diskless-sync-delay", Kind::kInt, &Config::repl_diskless_sync_delay, nullptr, 0, kMaxInt,
     true, "seconds a diskless full sync waits for more replicas (stored: no replication)"},
    {"repl-diskless-sync-max-replicas", Kind::kInt, &Config::repl_diskless_sync_max_replicas,
     nullptr, 0, kMaxInt, true,
     "replicas that start a diskless full sync at once (stored: no replication)"},
    {"replica-lazy-flush", Kind::kEnum, nullptr, &Config::replica_lazy_flush, 0, 0, true,
     "a replica flushes asynchronously before a full sync (stored: Basalt has no replication)",
     "yes,no"},
    {"replica-priority", Kind::kInt, &Config::replica_priority, nullptr, 0, kMaxInt, true,
     "Sentinel's promotion order (stored: Basalt has no replication)"},
    {"replica-read-only", Kind::kEnum, nullptr, &Config::replica_read_only, 0, 0, true,
     "a replica refuses writes (stored: Basalt has no replication)", "yes,no"},
    {"replicaof", Kind::kConstant, nullptr, nullptr, 0, 0, false,
     "the master to replicate: always \"\" (Basalt has no replication yet)", "", ""},
    {"replica-serve-stale-data", Kind::kEnum, nullptr, &Config::replica_serve_stale_data, 0, 0,
     true, "a replica answers while out of sync (stored: Basalt has no replication)", "yes,no"},
    {"requirepass", Kind::kString, nullptr, &Config::requirepass, 0, 0, true,
     "password clients must AUTH with; empty for none"},
    {"sanitize-dump-payload", Kind::kEnum, nullptr, &Config::sanitize_dump_payload, 0, 0, true,
     "check a RESTORE payload's or RDB value's inner structure whole (yes), not (no), or for "
     "clients' RESTOREs only (clients); stored: Basalt decodes every payload whole, as yes",
     "no,yes,clients"},
    {"save", Kind::kSave, nullptr, &Config::save, 0, 0, true,
     "snapshot after <seconds> if at least <changes> writes, as pairs; \"\" for never"},
    {"set-proc-title", Kind::kEnum, nullptr, &Config::set_proc_title, 0, 0, false,
     "show proc-title-template as the process title", "yes,no"},
    {"set-max-intset-entries", Kind::kInt, &Config::set_max_intset_entries, nullptr, 0, kMaxLong,
     true, "a set of integers stays an intset (compact, sorted) up to this many members"},
    {"set-max-listpack-entries", Kind::kInt, &Config::set_max_listpack_entries, nullptr, 0,
     kMaxLong, true, "Redis 7.2's listpack sets: accepted and reported, no effect in Basalt"},
    {"set-max-listpack-value", Kind::kInt, &Config::set_max_listpack_value, nullptr, 0, kMaxLong,
     true, "Redis 7.2's listpack sets: accepted and reported, no effect in Basalt"},
    {"shutdown-timeout", Kind::kInt, &Config::shutdown_timeout, nullptr, 0, kMaxInt, true,
     "seconds a shutdown waits for replicas to catch up (stored and reported only: no "
     "replication)"},
    {"shutdown-on-sigint", Kind::kShutdownFlags, nullptr, &Config::shutdown_on_sigint, 0, 0, true,
     "what SIGINT's shutdown does: default (save if save rules exist), or save or nosave, with "
     "now and force (exit even if the save fails)"},
    {"shutdown-on-sigterm", Kind::kShutdownFlags, nullptr, &Config::shutdown_on_sigterm, 0, 0, true,
     "what SIGTERM's shutdown does, as shutdown-on-sigint"},
    {"shutdown-delay-ms", Kind::kInt, &Config::shutdown_delay_ms, nullptr, 0, kMaxInt, true,
     "on SIGTERM/SIGINT, keep serving this many ms with /readyz answering 503 first"},
    {"slave-lazy-flush",
     Kind::kEnum,
     nullptr,
     &Config::replica_lazy_flush,
     0,
     0,
     true,
     "alias of replica-lazy-flush",
     "yes,no",
     {},
     true},
    {"slave-priority",
     Kind::kInt,
     &Config::replica_priority,
     nullptr,
     0,
     kMaxInt,
     true,
     "alias of replica-priority",
     {},
     {},
     true},
    {"slave-read-only",
     Kind::kEnum,
     nullptr,
     &Config::replica_read_only,
     0,
     0,
     true,
     "alias of replica-read-only",
     "yes,no",
     {},
     true},
    {"slave-serve-stale-data",
     Kind::kEnum,
     nullptr,
     &Config::replica_serve_stale_data,
     0,
     0,
     true,
     "alias of replica-serve-stale-data",
     "yes,no",
     {},
     true},
    {"slaveof", Kind::kConstant, nullptr, nullptr, 0, 0, false, "alias of replicaof", "", ""},
    {"slowlog-log-slower-than", Kind::kInt, &Config::slowlog_log_slower_than, nullptr, -1, kMaxLong,
     true, "SLOWLOG logs commands taking at least this many us; -1 none, 0 all"},
    {"slowlog-max-len", Kind::kInt, &Config::slowlog_max_len, nullptr, 0, kMaxLong, true,
     "entries the SLOWLOG keeps"},
    {"supervised", Kind::kEnum, nullptr, &Config::supervised, 0, 0, false,
     "tell a supervisor when ready: systemd (sd_notify READY=1 and STOPPING=1), upstart "
     "(SIGSTOP), auto (whichever the environment shows) or no",
     "upstart,systemd,auto,no"},
    {"stop-writes-on-bgsave-error", Kind::kEnum, nullptr, &Config::stop_writes_on_bgsave_error, 0,
     0, true, "refuse writes (MISCONF) while the last background save failed", "yes,no"},
    {"stream-node-max-bytes", Kind::kMemory, &Config::stream_node_max_bytes, nullptr, 0, kMaxLong,
     true, "largest stream node (stored: Basalt has no streams yet)"},
    {"stream-node-max-entries", Kind::kInt, &Config::stream_node_max_entries, nullptr, 0, kMaxLong,
     true, "most entries in a stream node (stored: Basalt has no streams yet)"},
    {"tcp-keepalive", Kind::kInt, &Config::tcp_keepalive, nullptr, 0, kMaxInt, true,
     "seconds between TCP keepalive probes; 0 disables them"},
    {"tcp-backlog", Kind::kInt, &Config::tcp_backlog, nullptr, 0, kMaxInt, false,
     "listen(2) backlog of every port (the kernel caps it at net.core.somaxconn)"},
    {"timeout", Kind::kInt, &Config::timeout, nullptr, 0, kMaxInt, true,
     "close clients idle this many seconds; 0 never"},
    {"unixsocket", Kind::kString, nullptr, &Config::unixsocket, 0, 0, false,
     "also serve RESP on this unix socket (a socket file left there is replaced, and removed at "
     "exit); empty for none"},
    {"unixsocketperm", Kind::kOctal, &Config::unixsocketperm, nullptr, 0, 0777, false,
     "the unix socket file's mode, in octal; 0 leaves it to the umask"},
    {"use-exit-on-panic", Kind::kEnum, nullptr, &Config::use_exit_on_panic, 0, 0, true,
     "exit rather than abort on a failed assertion (Redis's tests; stored and reported only: a "
     "failed check in Basalt aborts)",
     "yes,no"},
    {"tracking-table-max-keys", Kind::kInt, &Config::tracking_table_max_keys, nullptr, 0, kMaxLong,
     true, "keys client-side caching tracks (stored: Basalt has no CLIENT TRACKING)"},
    {"zset-max-listpack-entries", Kind::kInt, &Config::zset_max_listpack_entries, nullptr, 0,
     kMaxLong, true,
     "sorted sets with more members than this are kept as a tree (Redis: skiplist)"},
    {"zset-max-listpack-value", Kind::kMemory, &Config::zset_max_listpack_value, nullptr, 0,
     kMaxLong, true,
     "sorted sets with a longer member than this are kept as a tree (Redis: skiplist)"},
    // Redis's older names for the same two settings.
    {"zset-max-ziplist-entries", Kind::kInt, &Config::zset_max_listpack_entries, nullptr, 0,
     kMaxLong, true, "alias of zset-max-listpack-entries"},
    {"zset-max-ziplist-value", Kind::kMemory, &Config::zset_max_listpack_value, nullptr, 0,
     kMaxLong, true, "alias of zset-max-listpack-value"},
};

const Param* find_param(std::string_view name) {
  for (const Param& p : kParams) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// The row an alias stands for (the one with the same field that is no alias); p itself otherwise.
const Param* main_param(const Param* p) {
  if (!p->alias) return p;
  for (const Param& q : kParams) {
    if (!q.alias && q.int_field == p->int_field && q.str_field == p->str_field) return &q;
  }
  return p;
}

// Redis's keyspaceEventsStringToFlags and keyspaceEventsFlagsToString: the classes as bits, and
// back in Redis's canonical order ("A" for all of g$lshzxetd, then K, E and m). nullopt for a
// character no class has.
std::optional<std::string> canonical_notify_classes(std::string_view classes) {
  static constexpr std::string_view kAllClasses = "g$lshzxetdn";  // A: all but n
  static constexpr std::string_view kAll = "g$lshzxetd";
  bool on[128] = {};
  for (char ch : classes) {
    if (ch == 'A') {
      for (char c : kAll) on[static_cast<unsigned char>(c)] = true;
    } else if (kAllClasses.find(ch) != std::string_view::npos || ch == 'K' || ch == 'E' ||
               ch == 'm') {
      on[static_cast<unsigned char>(ch)] = true;
    } else {
      return std::nullopt;
    }
  }
  std::string out;
  bool all = true;
  for (char c : kAll) all = all && on[static_cast<unsigned char>(c)];
  if (all) {
    out = "A";  // Redis prints no "n" after "A" (and so forgets it on CONFIG REWRITE)
  } else {
    // Redis's order: g $ l s h z x e t d n.
    for (char c : std::string_view("g$lshzxetdn")) {
      if (on[static_cast<unsigned char>(c)]) out += c;
    }
  }
  for (char c : std::string_view("KEm")) {
    if (on[static_cast<unsigned char>(c)]) out += c;
  }
  return out;
}

// latency-tracking-info-percentiles: each a number in [0, 100] (strtod over the whole word, as
// Redis's string2d), kept as "%f" with trailing zeros trimmed ("99.9"); "" is none.
// Redis's flag enum for shutdown-on-sig*: words of default, save, nosave, now, force in any
// order, kept in Redis's order ("default" when none).
std::optional<std::string> set_shutdown_flags(std::string& field, std::string_view value) {
  static constexpr std::string_view kFlags[] = {"save", "nosave", "now", "force"};
  bool set[std::size(kFlags)] = {};
  for (std::string_view word : split_words(value)) {
    if (iequals(word, "default")) continue;
    size_t k = 0;
    while (k < std::size(kFlags) && !iequals(word, kFlags[k])) ++k;
    if (k == std::size(kFlags)) {
      return std::string(
          "argument(s) must be one of the following: default, save, nosave, now, "
          "force");
    }
    set[k] = true;
  }
  if (set[0] && set[1])
    return std::string("shutdown options SAVE and NOSAVE can't be used simultaneously");
  std::string out;
  for (size_t k = 0; k < std::size(kFlags); ++k) {
    if (!set[k]) continue;
    if (!out.empty()) out += ' ';
    out += kFlags[k];
  }
  field = out.empty() ? "default" : out;
  return std::nullopt;
}

std::optional<std::string> set_percentiles(std::string& field, std::string_view value) {
  std::string normalized;
  for (std::string_view w : split_words(value)) {
    const std::optional<StrtodResult> r =
        w.empty() || std::isspace(static_cast<unsigned char>(w[0])) ? std::nullopt
                                                                    : strtod_whole(w, SIZE_MAX);
    if (!r || r->out_of_range) return "Invalid latency-tracking-info-percentiles parameters";
    const double v = r->value;
    if (v > 100.0 || v < 0.0) {
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    }
    char buf[64];
    int n = std::snprintf(buf, sizeof(buf), "%f", v);
    std::string text(buf, static_cast<size_t>(n));
    if (text.find('.') != std::string::npos) {
      while (text.back() == '0') text.pop_back();
      if (text.back() == '.') text.pop_back();
    }
    if (!normalized.empty()) normalized += ' ';
    normalized += text;
  }
  field = normalized;
  return std::nullopt;
}

// oom-score-adj-values: exactly three integers in [-2000, 2000] (master, replica, child).
std::optional<std::string> set_oom_values(std::string& field, std::string_view value) {
  std::vector<std::string_view> words = split_words(value);
  if (words.size() != 3) return "wrong number of arguments";
  std::string normalized;
  for (std::string_view w : words) {
    std::optional<int64_t> v = parse_int64(w);
    if (!v || *v < -2000 || *v > 2000) {
      return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
    }
    if (!normalized.empty()) normalized += ' ';
    normalized += std::to_string(*v);
  }
  field = normalized;
  return std::nullopt;
}

std::string env_name(std::string_view name) {
  std::string env = "BASALT_";
  for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return env;
}

// "debug, verbose, notice, warning"
std::string choices_text(const Param& p) {
  std::string out;
  for (char ch : p.choices) out += ch == ',' ? std::string(", ") : std::string(1, ch);
  return out;
}

std::string range_reason(const Param& p) {
  return "argument must be between " + std::to_string(p.min) + " and " + std::to_string(p.max) +
         " inclusive";
}

std::string output_limit_value(const Config& c) {
  std::string out;
  auto add = [&out](std::string_view cls, const OutputLimit& l) {
    if (!out.empty()) out += ' ';
    out += cls;
    for (int64_t v : {l.hard, l.soft, l.soft_seconds}) out += ' ' + std::to_string(v);
  };
  add("normal", c.client_output_limit_normal);
  add("slave", c.client_output_limit_replica);
  add("pubsub", c.client_output_limit_pubsub);
  return out;
}

std::optional<std::string> set_output_limit(Config& c, std::string_view value) {
  std::istringstream in{std::string(value)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty() || words.size() % 4 != 0) {
    return "Wrong number of arguments in buffer limit configuration.";
  }
  // Every class is checked before any is applied, so a bad class leaves the old limits intact.
  std::vector<std::pair<OutputLimit*, OutputLimit>> changes;
  for (size_t i = 0; i < words.size(); i += 4) {
    std::string cls = lowercase(words[i]);
    auto hard = parse_memory(words[i + 1]), soft = parse_memory(words[i + 2]);
    auto secs = parse_int64(words[i + 3]);
    OutputLimit* target = cls == "normal"                      ? &c.client_output_limit_normal
                          : cls == "slave" || cls == "replica" ? &c.client_output_limit_replica
                          : cls == "pubsub"                    ? &c.client_output_limit_pubsub
                                                               : nullptr;
    if (target == nullptr) return "Invalid client class specified in buffer limit configuration.";
    if (!hard || !soft || !secs || *secs < 0) {
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    }
    changes.emplace_back(target, OutputLimit{*hard, *soft, *secs});
  }
  for (auto& [target, limit] : changes) *target = limit;
  return std::nullopt;
}

std::optional<std::string> apply(const Param& p, Config& c, std::string_view value) {
  switch (p.kind) {
    case Kind::kInt:
    case Kind::kMemory: {
      std::optional<int64_t> v = p.kind == Kind::kInt ? parse_int64(value) : parse_memory(value);
      if (!v) {
        return p.kind == Kind::kInt ? "argument couldn't be parsed into an integer"
                                    : "argument must be a memory value";
      }
      if (*v < p.min || *v > p.max) return range_reason(p);
      c.*p.int_field = p.int_field == &Config::hz ? std::clamp(*v, kMinHz, kMaxHz) : *v;
      return std::nullopt;
    }
    case Kind::kOctal: {
      int64_t v = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v, 8);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
        return "argument couldn't be parsed as an octal number";
      }
      if (v < p.min || v > p.max) {
        char text[64];
        std::snprintf(text, sizeof(text), "argument must be between %llo and %llo inclusive",
                      static_cast<unsigned long long>(p.min),
                      static_cast<unsigned long long>(p.max));
        return std::string(text);
      }
      c.*p.int_field = v;
      return std::nullopt;
    }
    case Kind::kMemoryOrPercent: {
      std::optional<int64_t> v = parse_memory(value);
      if (!v && value.size() > 1 && value.back() == '%') {
        v = parse_int64(value.substr(0, value.size() - 1));
        if (v && *v < 0) v.reset();
        if (v) *v = -*v;
      }
      if (!v) return "argument must be a memory or percent value";
      if (*v < p.min)
        return "percentage argument must be less or equal to " + std::to_string(-p.min);
      if (*v > p.max) return range_reason(p);
      c.*p.int_field = *v;
      return std::nullopt;
    }
    case Kind::kString:
      // Redis's validateProcTitleTemplate: it must expand, to something, with an empty title.
      if (p.str_field == &Config::proc_title_template) {
        const auto expanded = expand_proc_title(value, "", c);
        if (!expanded || expanded->empty()) {
          return "template format is invalid or contains unknown variables";
        }
      }
      c.*p.str_field = std::string(value);
      return std::nullopt;
    case Kind::kEnum: {
      std::string v = lowercase(value);
      std::string_view rest = p.choices;
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        if (rest.substr(0, comma) == v) {
          // Redis's enum keeps values, not words: "relative" is "yes", and reads back so.
          c.*p.str_field = p.name == "oom-score-adj" && v == "relative" ? "yes" : v;
          if (p.name == "loglevel") {
            LogLevel level;
            parse_log_level(v, &level);
            set_log_level(level);
          }
          return std::nullopt;
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      // Redis words a boolean's refusal apart from an enum's.
      if (p.choices == "yes,no") return "argument must be 'yes' or 'no'";
      return "argument(s) must be one of the following: " + choices_text(p);
    }
    case Kind::kOutputLimit:
      return set_output_limit(c, value);
    case Kind::kSave: {
      std::vector<std::string_view> words = split_words(value);
      if (words.size() % 2 != 0) return "Invalid save parameters";
      std::string normalized;
      for (std::string_view w : words) {
        std::optional<int64_t> n = parse_int64(w);
        if (!n || *n < 0) return "Invalid save parameters";
        if (!normalized.empty()) normalized += ' ';
        normalized += std::to_string(*n);
      }
      c.*p.str_field = normalized;
      return std::nullopt;
    }
    case Kind::kDir: {
      std::error_code ec;
      const std::filesystem::path dir(value.empty() ? std::string_view(".") : value);
      if (!std::filesystem::is_directory(dir, ec)) {
        return std::string(std::strerror(ec ? ec.value() : ENOTDIR));
      }
      std::filesystem::path absolute = std::filesystem::absolute(dir, ec);
      if (ec) return ec.message();
      std::string text = absolute.lexically_normal().string();
      if (text.size() > 1 && text.back() == '/') text.pop_back();
      c.*p.str_field = text;
      return std::nullopt;
    }
    case Kind::kFileName: {
      // Redis's words: the names are relative to `dir` and may not escape it.
      if (value.find('/') != std::string_view::npos || value.empty() || value == "." ||
          value == "..") {
        return std::string(p.name) + (p.name == "appenddirname"
                                          ? " can't be a path, just a dirname"
                                          : " can't be a path, just a filename");
      }
      c.*p.str_field = std::string(value);
      return std::nullopt;
    }
    case Kind::kNotifyEvents: {
      std::optional<std::string> classes = canonical_notify_classes(value);
      if (!classes) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
      c.*p.str_field = *classes;
      return std::nullopt;
    }
    case Kind::kShutdownFlags:
      return set_shutdown_flags(c.*p.str_field, value);
    case Kind::kPercentiles:
      return set_percentiles(c.*p.str_field, value);
    case Kind::kOomValues:
      return set_oom_values(c.*p.str_field, value);
    case Kind::kConstant: {
      // A yes/no parameter refuses other words as Redis does, before Basalt's own refusal.
      if (p.choices == "yes,no" && !iequals(value, "yes") && !iequals(value, "no")) {
        return "argument must be 'yes' or 'no'";
      }
      if (p.choices == "yes,no" ? iequals(value, p.constant) : value == p.constant) {
        return std::nullopt;
      }
      // What a Redis built without active defragmentation answers (redis-cli's tests skip on it).
      if (p.name == "activedefrag") {
        return "Active defragmentation cannot be enabled: it requires a Redis server compiled "
               "with a modified Jemalloc like the one shipped by default with the Redis source "
               "distribution";
      }
      if (p.name == "replicaof" || p.name == "slaveof") {
        return "Basalt has no replication: it cannot be a replica";
      }
      return "this parameter only accepts '" + std::string(p.constant) + "' in Basalt";
    }
  }
  return std::nullopt;
}

std::string value_of(const Param& p, const Config& c) {
  switch (p.kind) {
    case Kind::kInt:
    case Kind::kMemory:
      return std::to_string(c.*p.int_field);
    case Kind::kMemoryOrPercent: {
      const int64_t v = c.*p.int_field;
      return v < 0 ? std::to_string(-v) + "%" : std::to_string(v);
    }
    case Kind::kOctal: {
      char text[24];
      std::snprintf(text, sizeof(text), "%llo", static_cast<unsigned long long>(c.*p.int_field));
      return text;
    }
    case Kind::kString:
    case Kind::kEnum:
    case Kind::kSave:
    case Kind::kFileName:
    case Kind::kNotifyEvents:
    case Kind::kPercentiles:
    case Kind::kOomValues:
    case Kind::kShutdownFlags:
      return c.*p.str_field;
    case Kind::kDir: {
      // CONFIG GET dir is absolute in Redis (its getcwd after chdir).
      std::error_code ec;
      std::filesystem::path absolute = std::filesystem::absolute(c.*p.str_field, ec);
      std::string text = ec ? c.*p.str_field : absolute.lexically_normal().string();
      if (text.size() > 1 && text.back() == '/') text.pop_back();
      return text;
    }
    case Kind::kOutputLimit:
      return output_limit_value(c);
    case Kind::kConstant:
      return std::string(p.constant);
  }
  return {};
}

std::optional<ConfigError> apply_named(Config& c, std::string_view raw_name, std::string_view value,
                                       std::string_view source) {
  std::string name = lowercase(raw_name);
  const Param* p = find_param(name);
  if (p == nullptr)
    return ConfigError{name, "unknown parameter (from " + std::string(source) + ")"};
  if (auto reason = apply(*p, c, value)) {
    return ConfigError{name, *reason + " (from " + std::string(source) + ", got '" +
                                 sanitize_for_error(value) + "')"};
  }
  return std::nullopt;
}

// redis.conf lists one rule per "save" line and they add up: the first resets the defaults, the
// next ones append, and the command line's --save continues the file's, as Redis appends its
// options to the file's text. An empty value resets all.
void accumulate_save(const Config& c, std::string& value, bool* save_seen) {
  if (*save_seen && !value.empty() && !c.save.empty()) value = c.save + " " + value;
  *save_seen = true;
}

// redis.conf syntax: "name value...", '#' comments, values may be quoted.
std::optional<ConfigError> load_file(Config& c, const std::string& path, bool* save_seen) {
  // A directory opens as an empty stream: refuse it rather than start with no configuration.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return ConfigError{"config", "cannot read config file '" + path + "': it is a directory"};
  }
  std::ifstream in(path);
  if (!in) return ConfigError{"config", "cannot open config file '" + path + "'"};
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string where = path + ":" + std::to_string(lineno);
    size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    // Redis splits a line as sdssplitargs does: quoted words with C escapes, so a value may hold
    // spaces, newlines or any byte. A parameter of several words (save, bind) gets them joined.
    auto words = split_args(std::string_view(line).substr(0, line.find('\0')));
    if (!words)
      return ConfigError{"config", "Unbalanced quotes in configuration line (" + where + ")"};
    if (words->empty()) continue;
    const std::string& name = words->front();
    std::string value;
    for (size_t i = 1; i < words->size(); ++i) {
      if (i > 1) value += ' ';
      value += (*words)[i];
    }
    if (lowercase(name) == "save") accumulate_save(c, value, save_seen);
    if (auto err = apply_named(c, name, value, where)) return err;
  }
  return std::nullopt;
}

}  // namespace

std::vector<SaveRule> save_rules(const Config& config) {
  std::vector<SaveRule> rules;
  std::vector<std::string_view> words = split_words(config.save);
  for (size_t i = 0; i + 1 < words.size(); i += 2) {
    rules.push_back({parse_int64(words[i]).value_or(0), parse_int64(words[i + 1]).value_or(0)});
  }
  return rules;
}

std::optional<int64_t> parse_memory(std::string_view s) {
  // Redis's memtoll: digits (leading zeros allowed, no sign) and an optional unit.
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  std::string unit = lowercase(s.substr(digits));
  struct Unit {
    std::string_view name;
    int64_t multiplier;
  };
  static constexpr Unit kUnits[] = {{"b", 1},
                                    {"k", 1000},
                                    {"kb", 1024},
                                    {"m", 1000 * 1000},
                                    {"mb", 1024 * 1024},
                                    {"g", 1000ll * 1000 * 1000},
                                    {"gb", 1024ll * 1024 * 1024}};
  int64_t mul = unit.empty() ? 1 : 0;
  for (const Unit& u : kUnits) {
    if (unit == u.name) mul = u.multiplier;
  }
  if (mul == 0) return std::nullopt;
  int64_t n = 0;
  for (char ch : s.substr(0, digits)) {
    if (n > (INT64_MAX - (ch - '0')) / 10) return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  if (n > INT64_MAX / mul) return std::nullopt;
  return n * mul;
}

std::optional<ConfigError> ConfigRegistry::load(Config& config, int argc, const char* const* argv,
                                                bool* help_requested) {
  // Names, paths and stray arguments are echoed in the error: control characters in them must
  // not reach the terminal or the log as they are.
  std::optional<ConfigError> err = load_from(config, argc, argv, help_requested);
  if (err) {
    err->name = sanitize_for_error(err->name);
    err->reason = sanitize_for_error(err->reason);
  }
  return err;
}

std::optional<ConfigError> ConfigRegistry::load_from(Config& config, int argc,
                                                     const char* const* argv,
                                                     bool* help_requested) {
  *help_requested = false;
  std::string file;
  if (const char* env = std::getenv("BASALT_CONFIG")) file = env;
  // redis-server's reading of its arguments (main() in 7.0): after the config file, an argument
  // starting with "--" names a parameter, unless the one before named a parameter alone and waits
  // for its value (a value may start with "--"); any other argument is one more value of the last
  // parameter. An argument may carry a name and its values ("--maxmemory 700mb", split as a config
  // line); a --save with nothing after it is --save "". Basalt also takes --name=value and
  // --config FILE.
  struct Flag {
    std::string name;
    std::vector<std::string> values;
  };
  std::vector<Flag> parsed;
  bool waiting_value = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      *help_requested = true;
      return std::nullopt;
    }
    if (i == 1 && !arg.starts_with("--")) {
      file = std::string(arg);  // redis-server style: the config file comes first
      continue;
    }
    if (!waiting_value && arg.starts_with("--")) {
      const std::string_view rest = arg.substr(2);
      Flag flag;
      const size_t eq = rest.find('=');
      if (eq != std::string_view::npos && rest.substr(0, eq).find_first_of(" \t") == rest.npos) {
        flag.name = std::string(rest.substr(0, eq));
        flag.values.emplace_back(rest.substr(eq + 1));
      } else {
        auto words = split_args(rest.substr(0, rest.find('\0')));
        if (!words || words->empty()) {
          return ConfigError{std::string(arg), "Unbalanced quotes in configuration line"};
        }
        flag.name = words->front();
        flag.values.assign(words->begin() + 1, words->end());
        waiting_value = words->size() == 1;
        if (waiting_value && iequals(flag.name, "save") &&
            (i + 1 == argc || std::string_view(argv[i + 1]).starts_with("--"))) {
          flag.values.emplace_back();
          waiting_value = false;
        }
      }
      parsed.push_back(std::move(flag));
      continue;
    }
    // Before any --name, a bare word starts a line of its own, as redis-server reads
    // "loglevel verbose" after the file.
    if (parsed.empty()) {
      parsed.push_back(Flag{std::string(arg), {}});
      continue;
    }
    parsed.back().values.emplace_back(arg);
    waiting_value = false;
  }
  std::vector<std::pair<std::string, std::string>> flags;
  for (Flag& flag : parsed) {
    if (flag.values.empty()) return ConfigError{flag.name, "missing value for --" + flag.name};
    std::string value;
    for (size_t k = 0; k < flag.values.size(); ++k) {
      if (k > 0) value += ' ';
      value += flag.values[k];
    }
    if (flag.name == "config") {
      file = value;
      continue;
    }
    flags.emplace_back(std::move(flag.name), std::move(value));
  }
  bool save_seen = false;
  if (!file.empty()) {
    if (auto err = load_file(config, file, &save_seen)) return err;
    std::error_code ec;
    auto absolute = std::filesystem::absolute(file, ec);
    config.config_file = ec ? file : absolute.lexically_normal().string();
  }
  for (const Param& p : kParams) {
    std::string env = env_name(p.name);
    if (const char* v = std::getenv(env.c_str())) {
      if (auto err = apply_named(config, p.name, v, env)) return err;
    }
  }
  for (auto& [name, value] : flags) {
    if (lowercase(name) == "save") accumulate_save(config, value, &save_seen);
    if (auto err = apply_named(config, name, value, "--" + name)) return err;
  }
  return check(config);
}

std::optional<ConfigError> ConfigRegistry::check(const Config& config) {
  // Without requirepass every HTTP request already has full access, so a read-only token would
  // restrict nothing while looking as if it did. Refused rather than quietly ignored.
  if (!config.http_readonly_token.empty() && config.requirepass.empty()) {
    return ConfigError{"http-readonly-token",
                       "needs requirepass: without a password every HTTP request has full access, "
                       "so a read-only token would protect nothing"};
  }
  return std::nullopt;
}

std::string ConfigRegistry::help_text() {
  Config defaults;
  std::string out =
      "Usage: basalt-server [config-file] [--name value ...]\n"
      "Each parameter can also be set by environment variable (BASALT_PORT, ...) or in the config\n"
      "file (\"port 6379\" lines, redis.conf syntax). Flags win over the environment, the\n"
      "environment over the file. Memory values take k, kb, m, mb, g, gb.\n\n";
  for (const Param& p : kParams) {
    std::string line = "  --" + std::string(p.name);
    line.resize(std::max<size_t>(line.size() + 1, 32), ' ');
    line += std::string(p.help);
    std::string def = value_of(p, defaults);
    line += " (default: " + (def.empty() ? std::string("\"\"") : def);
    if (p.int_field == &Config::hz) {
      line += "; " + std::to_string(kMinHz) + ".." + std::to_string(kMaxHz) + ", others clamped";
    } else if (p.kind == Kind::kInt || p.kind == Kind::kMemory) {
      line += "; " + std::to_string(p.min) + ".." + std::to_string(p.max);
    } else if (p.kind == Kind::kEnum) {
      line += "; one of " + choices_text(p);
    }
    line += "; env " + env_name(p.name) + ")\n";
    out += line;
  }
  out += "  --config FILE                 read parameters from FILE first (env BASALT_CONFIG)\n";
  out += "  --version, -v                 print the version and exit\n";
  return out;
}

std::optional<ConfigError> ConfigRegistry::set(Config& config, std::string_view name,
                                               std::string_view value, bool at_runtime) {
  const Param* p = find_param(name);
  if (p == nullptr) return ConfigError{std::string(name), "Unknown option"};
  // As Redis: an immutable parameter is refused even when the value would not change.
  if (at_runtime && !p->mutable_at_runtime) {
    return ConfigError{std::string(name), "can't set immutable config"};
  }
  if (auto reason = apply(*p, config, value)) return ConfigError{std::string(name), *reason};
  return std::nullopt;
}

bool ConfigRegistry::is_protected(std::string_view name) {
  return name == "dir" || name == "dbfilename";
}

bool ConfigRegistry::hidden(std::string_view name) {
  return name == "key-load-delay" || name == "rdb-key-save-delay" || name == "use-exit-on-panic" ||
         name == "loading-process-events-interval-bytes";
}

std::vector<std::pair<std::string, std::string>> ConfigRegistry::get(const Config& config,
                                                                     std::string_view pattern) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Param& p : kParams) {
    if (glob_match(pattern, p.name, true)) out.emplace_back(p.name, value_of(p, config));
  }
  return out;
}

namespace {

// How a value is written back: as one word load_file reads back whole (quoted, with escapes, when
// it has blanks, quotes or unprintable bytes).
std::string config_line(std::string_view name, const std::string& value) {
  return std::string(name) + " " + quote_arg(value);
}

// The parameter a config file line sets (lowercase), or "" for comments and blank lines.
std::string line_parameter(const std::string& line) {
  size_t start = line.find_first_not_of(" \t\r");
  if (start == std::string::npos || line[start] == '#') return {};
  size_t end = line.find_first_of(" \t\r", start);
  return lowercase(std::string_view(line).substr(start, end - start));
}

// Redis's rewriteConfigOverwriteFile: a temporary file beside the target, fsync'd, renamed over
// it, so a crash leaves the old file or the new one, never half of each.
std::optional<std::string> replace_file(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return std::string(std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string error = std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return error;
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    std::string error = std::strerror(errno);
    unlink(tmp.c_str());
    return error;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return std::nullopt;
}

constexpr std::string_view kRewriteSignature = "# Generated by CONFIG REWRITE";

}  // namespace

std::optional<std::string> ConfigRegistry::rewrite(const Config& config, bool force_all) {
  const std::string& path = config.config_file;
  std::vector<std::string> lines;
  {
    // A file that vanished since start is written anew, as Redis does.
    std::ifstream in(path);
    if (!in && errno != ENOENT) return std::string(std::strerror(errno));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  const Config defaults;
  std::vector<bool> written(std::size(kParams), false);
  std::vector<std::string> out;
  bool has_signature = false;
  for (const std::string& line : lines) {
    if (line == kRewriteSignature) has_signature = true;
    std::string name = line_parameter(line);
    const Param* p = name.empty() ? nullptr : find_param(name);
    if (p != nullptr) p = main_param(p);
    if (p == nullptr) {
      out.push_back(line);  // comments, blank lines and lines Basalt does not know stay
      continue;
    }
    size_t i = static_cast<size_t>(p - kParams);
    if (written[i]) continue;  // a repeated parameter keeps only its first line
    written[i] = true;
    out.push_back(config_line(p->name, value_of(*p, config)));
  }
  bool appended = false;
  for (size_t i = 0; i < std::size(kParams); ++i) {
    const Param& p = kParams[i];
    if (written[i] || p.alias) continue;
    std::string value = value_of(p, config);
    if (!force_all && value == value_of(p, defaults)) continue;
    if (!appended && !has_signature) out.emplace_back(kRewriteSignature);
    appended = true;
    out.push_back(config_line(p.name, value));
  }
  std::string content;
  for (const std::string& line : out) content += line + "\n";
  return replace_file(path, content);
}

bool ConfigRegistry::exists(std::string_view name) { return find_param(name) != nullptr; }

bool ConfigRegistry::is_mutable(std::string_view name) {
  const Param* p = find_param(name);
  return p != nullptr && p->mutable_at_runtime;
}

std::optional<std::string> expand_proc_title(std::string_view tmpl, std::string_view title,
                                             const Config& config) {
  auto variable = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "title") return std::string(title);
    if (name == "listen-addr") {
      if (config.port == 0) return "unixsocket:" + config.unixsocket;
      const size_t first = config.bind.find_first_not_of(' ');
      const std::string address =
          first == std::string::npos
              ? "*"
              : config.bind.substr(first, config.bind.find(' ', first) - first);
      return address + ":" + std::to_string(config.port);
    }
    if (name == "server-mode") return std::string();  // no cluster, no sentinel
    if (name == "config-file") return config.config_file.empty() ? "-" : config.config_file;
    if (name == "port") return std::to_string(config.port);
    if (name == "tls-port") return std::string("0");  // no TLS port
    if (name == "unixsocket") return config.unixsocket;
    return std::nullopt;
  };
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t open = tmpl.find('{', i);
    out.append(tmpl.substr(i, open == std::string_view::npos ? std::string_view::npos : open - i));
    if (open == std::string_view::npos) break;
    if (open + 1 >= tmpl.size()) return std::nullopt;
    if (tmpl[open + 1] == '{') {
      out += '{';
      i = open + 2;
      continue;
    }
    const size_t close = tmpl.find('}', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    const auto value = variable(tmpl.substr(open + 1, close - open - 1));
    if (!value) return std::nullopt;
    out += *value;
    i = close + 1;
  }
  const size_t first = out.find_first_not_of(' ');
  if (first == std::string::npos) return std::string();
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

}  // namespace basalt
