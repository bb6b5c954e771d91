// Redis 7.0's data-model and tuning parameters (config.cpp): defaults, validation and error texts
// as redis-server 7.0.15 gives them, aliases, canonical forms, and the effects Basalt has for
// them (list node size, latency tracking and its percentiles, active rehashing).

#include <gmock/gmock.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "store/list.hpp"
#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class ConfigParamsTest : public EngineTest {
 protected:
  void TearDown() override {
    EngineTest::TearDown();
    List::set_node_size(-2);  // process-wide, like Redis's setting
  }
  std::string get(std::string_view name) { return run({"CONFIG", "GET", name}); }
  static std::string pair(std::string_view name, std::string_view value) {
    return array({bulk(name), bulk(value)});
  }
  static std::string refused(std::string_view name, std::string_view reason) {
    return err("ERR CONFIG SET failed (possibly related to argument '" + std::string(name) +
               "') - " + std::string(reason));
  }
};

TEST_F(ConfigParamsTest, DefaultsAreRedis) {
  const std::vector<std::pair<std::string_view, std::string_view>> defaults = {
      {"list-max-listpack-size", "-2"},
      {"list-max-ziplist-size", "-2"},
      {"list-compress-depth", "0"},
      {"notify-keyspace-events", ""},
      {"lazyfree-lazy-eviction", "no"},
      {"lazyfree-lazy-expire", "no"},
      {"lazyfree-lazy-server-del", "no"},
      {"lazyfree-lazy-user-del", "no"},
      {"lazyfree-lazy-user-flush", "no"},
      {"replica-lazy-flush", "no"},
      {"slave-lazy-flush", "no"},
      {"replica-read-only", "yes"},
      {"slave-read-only", "yes"},
      {"activerehashing", "yes"},
      {"latency-tracking", "yes"},
      {"latency-tracking-info-percentiles", "50 99 99.9"},
      {"dynamic-hz", "yes"},
      {"activedefrag", "no"},
      {"active-defrag-ignore-bytes", "104857600"},
      {"active-defrag-threshold-lower", "10"},
      {"active-defrag-threshold-upper", "100"},
      {"active-defrag-cycle-min", "1"},
      {"active-defrag-cycle-max", "25"},
      {"active-defrag-max-scan-fields", "1000"},
      {"stream-node-max-bytes", "4096"},
      {"stream-node-max-entries", "100"},
      {"tracking-table-max-keys", "1000000"},
      {"busy-reply-threshold", "5000"},
      {"lua-time-limit", "5000"},
      {"cluster-enabled", "no"},
      {"oom-score-adj", "no"},
      {"oom-score-adj-values", "0 200 800"},
      {"jemalloc-bg-thread", "yes"},
      {"io-threads", "1"},
      {"maxmemory-clients", "0"},
      {"replicaof", ""},
      {"slaveof", ""},
      {"daemonize", "no"},
      {"supervised", "no"},
      {"pidfile", ""},
      {"tcp-backlog", "511"},
      {"always-show-logo", "no"},
      {"set-proc-title", "yes"},
      {"proc-title-template", "{title} {listen-addr} {server-mode}"},
      {"acllog-max-len", "128"},
      {"aof-rewrite-incremental-fsync", "yes"},
      {"rdb-save-incremental-fsync", "yes"},
      {"no-appendfsync-on-rewrite", "no"},
      {"repl-diskless-sync", "yes"},
      {"repl-diskless-sync-delay", "5"},
      {"repl-diskless-sync-max-replicas", "0"},
      {"repl-diskless-load", "disabled"},
      {"repl-disable-tcp-nodelay", "no"},
      {"replica-priority", "100"},
      {"slave-priority", "100"},
      {"replica-serve-stale-data", "yes"},
      {"slave-serve-stale-data", "yes"},
  };
  for (auto [name, value] : defaults) EXPECT_EQ(get(name), pair(name, value)) << name;
}

// Redis's name, read at start only as in Redis, but Basalt's default is no: Redis turns huge
// pages off for its fork(), which Basalt does not use (base/allocator.cpp).
TEST_F(ConfigParamsTest, DisableThpIsReadAtStartOnlyAndOffByDefault) {
  EXPECT_EQ(get("disable-thp"), pair("disable-thp", "no"));
  EXPECT_EQ(run({"CONFIG", "SET", "disable-thp", "yes"}),
            refused("disable-thp", "can't set immutable config"));
  EXPECT_EQ(get("disable-thp"), pair("disable-thp", "no"));
}

TEST_F(ConfigParamsTest, AliasesShareTheValue) {
  EXPECT_EQ(run({"CONFIG", "SET", "list-max-ziplist-size", "-3"}), kOk);
  EXPECT_EQ(get("list-max-listpack-size"), pair("list-max-listpack-size", "-3"));
  EXPECT_EQ(run({"CONFIG", "SET", "lua-time-limit", "100"}), kOk);
  EXPECT_EQ(get("busy-reply-threshold"), pair("busy-reply-threshold", "100"));
  EXPECT_EQ(run({"CONFIG", "SET", "slave-read-only", "no"}), kOk);
  EXPECT_EQ(get("replica-read-only"), pair("replica-read-only", "no"));
  // A pattern finds both names, as in Redis.
  EXPECT_EQ(get("list-max-*"), array({bulk("list-max-listpack-size"), bulk("-3"),
                                      bulk("list-max-ziplist-size"), bulk("-3")}));
}

TEST_F(ConfigParamsTest, NotifyKeyspaceEventsIsCanonical) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"KEA", "AKE"}, {"Kx", "xK"},   {"mEK", "KEm"},      {"$lz", "$lz"}, {"nK", "nK"},
      {"An", "A"},    {"Elg", "glE"}, {"g$lshzxetd", "A"}, {"", ""}};
  for (auto [in, out] : cases) {
    EXPECT_EQ(run({"CONFIG", "SET", "notify-keyspace-events", in}), kOk) << in;
    EXPECT_EQ(get("notify-keyspace-events"), pair("notify-keyspace-events", out)) << in;
  }
  EXPECT_EQ(
      run({"CONFIG", "SET", "notify-keyspace-events", "Kq"}),
      refused("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."));
}

TEST_F(ConfigParamsTest, ValidationTexts) {
  EXPECT_EQ(run({"CONFIG", "SET", "latency-tracking-info-percentiles", "50.0 99 99.90 0"}), kOk);
  EXPECT_EQ(get("latency-tracking-info-percentiles"),
            pair("latency-tracking-info-percentiles", "50 99 99.9 0"));
  EXPECT_EQ(run({"CONFIG", "SET", "latency-tracking-info-percentiles", "101"}),
            refused("latency-tracking-info-percentiles",
                    "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"));
  EXPECT_EQ(run({"CONFIG", "SET", "latency-tracking-info-percentiles", "abc"}),
            refused("latency-tracking-info-percentiles",
                    "Invalid latency-tracking-info-percentiles parameters"));
  EXPECT_EQ(run({"CONFIG", "SET", "oom-score-adj-values", "1 2"}),
            refused("oom-score-adj-values", "wrong number of arguments"));
  EXPECT_EQ(run({"CONFIG", "SET", "oom-score-adj-values", "0 200 3000"}),
            refused("oom-score-adj-values",
                    "Invalid oom-score-adj-values, elements must be between -2000 and 2000."));
  EXPECT_EQ(run({"CONFIG", "SET", "oom-score-adj", "relative"}), kOk);
  EXPECT_EQ(get("oom-score-adj"), pair("oom-score-adj", "yes")) << "one value, two words";
  EXPECT_EQ(run({"CONFIG", "SET", "oom-score-adj", "bogus"}),
            refused("oom-score-adj",
                    "argument(s) must be one of the following: no, yes, relative, absolute"));
  EXPECT_EQ(run({"CONFIG", "SET", "activedefrag", "yes"}),
            refused("activedefrag",
                    "Active defragmentation cannot be enabled: it requires a Redis server "
                    "compiled with a modified Jemalloc like the one shipped by default with the "
                    "Redis source distribution"));
  EXPECT_EQ(run({"CONFIG", "SET", "activedefrag", "no"}), kOk);
  EXPECT_EQ(run({"CONFIG", "SET", "cluster-enabled", "no"}),
            refused("cluster-enabled", "can't set immutable config"));
  // Redis's introspection.tcl: "CONFIG SET set immutable" tries daemonize.
  EXPECT_EQ(run({"CONFIG", "SET", "daemonize", "no"}),
            refused("daemonize", "can't set immutable config"));
  EXPECT_EQ(get("daemonize"), pair("daemonize", "no"));
  EXPECT_EQ(run({"CONFIG", "SET", "io-threads", "2"}),
            refused("io-threads", "can't set immutable config"));
  EXPECT_EQ(run({"CONFIG", "SET", "active-defrag-cycle-min", "100"}),
            refused("active-defrag-cycle-min", "argument must be between 1 and 99 inclusive"));
  EXPECT_EQ(run({"CONFIG", "SET", "list-compress-depth", "-1"}),
            refused("list-compress-depth", "argument must be between 0 and 2147483647 inclusive"));
  EXPECT_EQ(run({"CONFIG", "SET", "lazyfree-lazy-eviction", "maybe"}),
            refused("lazyfree-lazy-eviction", "argument must be 'yes' or 'no'"));
  EXPECT_EQ(run({"CONFIG", "SET", "stream-node-max-bytes", "1kb"}), kOk);
  EXPECT_EQ(get("stream-node-max-bytes"), pair("stream-node-max-bytes", "1024"));
}

// Redis's PERCENT_CONFIG: bytes, or a percentage of maxmemory kept as a negative number and shown
// with its "%"; memory units as elsewhere; Redis's texts for each refusal.
TEST_F(ConfigParamsTest, MaxmemoryClientsTakesBytesOrAPercentage) {
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory-clients", "10%"}), kOk);
  EXPECT_EQ(get("maxmemory-clients"), pair("maxmemory-clients", "10%"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory-clients", "1mb"}), kOk);
  EXPECT_EQ(get("maxmemory-clients"), pair("maxmemory-clients", "1048576"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory-clients", "101%"}),
            refused("maxmemory-clients", "percentage argument must be less or equal to 100"));
  for (const char* bad : {"-5%", "-1", "x", "%", "1%%"}) {
    EXPECT_EQ(run({"CONFIG", "SET", "maxmemory-clients", bad}),
              refused("maxmemory-clients", "argument must be a memory or percent value"))
        << bad;
  }
  EXPECT_EQ(get("maxmemory-clients"), pair("maxmemory-clients", "1048576"));
  // Redis's introspection.tcl, "CONFIG SET rollback on set error": nothing of a failed
  // multi-parameter SET stays.
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory", "10000002"}), kOk);
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory", "10000001", "maxmemory-clients", "200%",
                 "client-query-buffer-limit", "invalid"}),
            refused("maxmemory-clients", "percentage argument must be less or equal to 100"));
  EXPECT_EQ(get("maxmemory"), pair("maxmemory", "10000002"));
  EXPECT_EQ(get("maxmemory-clients"), pair("maxmemory-clients", "1048576"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxmemory-clients", "0%"}), kOk);
  EXPECT_EQ(get("maxmemory-clients"), pair("maxmemory-clients", "0"));
}

// The parameters of Debian's stock redis.conf that Basalt lacked (a config file with any of them
// did not load): process management is read at start only, the rest is stored as Redis keeps it.
TEST_F(ConfigParamsTest, StockRedisConfParameters) {
  for (const char* name : {"daemonize", "supervised", "pidfile", "tcp-backlog", "always-show-logo",
                           "set-proc-title"}) {
    EXPECT_FALSE(ConfigRegistry::is_mutable(name)) << name;
  }
  EXPECT_EQ(run({"CONFIG", "SET", "supervised", "systemd"}),
            refused("supervised", "can't set immutable config"));
  Config c;
  EXPECT_FALSE(ConfigRegistry::set(c, "daemonize", "yes", false).has_value());
  EXPECT_EQ(c.daemonize, "yes");
  EXPECT_FALSE(ConfigRegistry::set(c, "supervised", "auto", false).has_value());
  ASSERT_TRUE(ConfigRegistry::set(c, "supervised", "launchd", false).has_value());
  EXPECT_FALSE(ConfigRegistry::set(c, "tcp-backlog", "1024", false).has_value());
  EXPECT_EQ(c.tcp_backlog, 1024);
  // Redis's validateProcTitleTemplate: known variables, and something left with an empty title.
  for (const char* good : {"{title}x", "{title} {port}", "{{title}}", "{config-file}"}) {
    EXPECT_EQ(run({"CONFIG", "SET", "proc-title-template", good}), kOk) << good;
    EXPECT_EQ(get("proc-title-template"), pair("proc-title-template", good));
  }
  for (const char* bad : {"", "{title}", "  {title}  ", "{bad}", "{title", "x{"}) {
    EXPECT_EQ(
        run({"CONFIG", "SET", "proc-title-template", bad}),
        refused("proc-title-template", "template format is invalid or contains unknown variables"))
        << bad;
  }
  EXPECT_EQ(run({"CONFIG", "SET", "repl-diskless-load", "swapdb"}), kOk);
  EXPECT_EQ(run({"CONFIG", "SET", "repl-diskless-load", "bogus"}),
            refused("repl-diskless-load",
                    "argument(s) must be one of the following: disabled, on-empty-db, swapdb"));
  EXPECT_EQ(run({"CONFIG", "SET", "slave-priority", "7"}), kOk);
  EXPECT_EQ(get("replica-priority"), pair("replica-priority", "7"));
}

// Redis 7's protected configs: dir and dbfilename choose where a SAVE writes, so CONFIG SET of
// either needs enable-protected-configs (yes, or local for loopback and unix-socket clients).
TEST_F(ConfigParamsTest, DirAndDbfilenameAreProtected) {
  EXPECT_EQ(get("enable-protected-configs"), pair("enable-protected-configs", "no"));
  EXPECT_EQ(run({"CONFIG", "SET", "dbfilename", "other.rdb"}),
            refused("dbfilename", "can't set protected config"));
  EXPECT_EQ(run({"CONFIG", "SET", "hz", "20", "dir", "/tmp"}),
            refused("dir", "can't set protected config"));
  EXPECT_EQ(get("hz"), pair("hz", "10")) << "nothing of a refused CONFIG SET is applied";
  EXPECT_EQ(get("dbfilename"), pair("dbfilename", "dump.rdb"));
  config_.enable_protected_configs = "local";
  client(0).session->addr = "10.0.0.7:5000";
  EXPECT_EQ(run({"CONFIG", "SET", "dbfilename", "other.rdb"}),
            refused("dbfilename", "can't set protected config"));
  client(0).session->addr = "127.0.0.1:5000";
  EXPECT_EQ(run({"CONFIG", "SET", "dbfilename", "local.rdb"}), kOk);
  client(0).session->addr = "/unixsocket:0";
  client(0).session->unix_socket = true;
  EXPECT_EQ(run({"CONFIG", "SET", "dbfilename", "unix.rdb"}), kOk);
  config_.enable_protected_configs = "yes";
  client(0).session->unix_socket = false;
  client(0).session->addr = "10.0.0.7:5000";
  EXPECT_EQ(run({"CONFIG", "SET", "dbfilename", "any.rdb"}), kOk);
  EXPECT_EQ(get("dbfilename"), pair("dbfilename", "any.rdb"));
  // DEBUG's local mode counts unix-socket clients as local too.
  config_.enable_debug_command = "local";
  client(0).session->unix_socket = true;
  EXPECT_NE(run({"DEBUG", "SLEEP", "0"}).substr(0, 4), "-ERR");
}

// unixsocketperm is Redis's OCTAL_CONFIG: read and shown in octal, Redis's texts.
TEST_F(ConfigParamsTest, UnixSocketPermIsOctal) {
  EXPECT_EQ(get("unixsocket"), pair("unixsocket", ""));
  EXPECT_EQ(get("unixsocketperm"), pair("unixsocketperm", "0"));
  Config c;
  EXPECT_FALSE(ConfigRegistry::set(c, "unixsocketperm", "770", false).has_value());
  EXPECT_EQ(c.unixsocketperm, 0770);
  EXPECT_EQ(ConfigRegistry::get(c, "unixsocketperm")[0].second, "770");
  // Redis parses with strtoll, then checks the range as unsigned: -1 is out of range.
  for (const char* big : {"1000", "-1"}) {
    auto e = ConfigRegistry::set(c, "unixsocketperm", big, false);
    ASSERT_TRUE(e.has_value()) << big;
    EXPECT_EQ(e->reason, "argument must be between 0 and 777 inclusive") << big;
  }
  for (const char* bad : {"8", "7x", ""}) {
    auto e = ConfigRegistry::set(c, "unixsocketperm", bad, false);
    ASSERT_TRUE(e.has_value()) << bad;
    EXPECT_EQ(e->reason, "argument couldn't be parsed as an octal number") << bad;
  }
  EXPECT_EQ(run({"CONFIG", "SET", "unixsocketperm", "700"}),
            refused("unixsocketperm", "can't set immutable config"));
}

// No replication yet: CONFIG GET answers as a Redis that is no replica, and nothing sets it.
TEST_F(ConfigParamsTest, ReplicaofIsAlwaysEmpty) {
  EXPECT_EQ(run({"CONFIG", "GET", "*of"}),
            array({bulk("replicaof"), bulk(""), bulk("slaveof"), bulk("")}));
  EXPECT_EQ(run({"CONFIG", "SET", "replicaof", "127.0.0.1 6379"}),
            refused("replicaof", "can't set immutable config"));
  EXPECT_EQ(run({"CONFIG", "SET", "slaveof", ""}),
            refused("slaveof", "can't set immutable config"));
  Config c;
  auto e = ConfigRegistry::set(c, "replicaof", "10.0.0.1 6379", false);
  ASSERT_TRUE(e.has_value());
  EXPECT_NE(e->reason.find("Basalt has no replication: it cannot be a replica"), std::string::npos)
      << e->reason;
}

// list-max-listpack-size sets the node size of lists, seen in DEBUG OBJECT's ql_ fields.
TEST_F(ConfigParamsTest, ListMaxListpackSizeShapesListNodes) {
  EXPECT_EQ(run({"CONFIG", "SET", "list-max-listpack-size", "4"}), kOk);
  for (int i = 0; i < 10; ++i) run({"RPUSH", "l", "x"});
  EXPECT_THAT(run({"DEBUG", "OBJECT", "l"}),
              ::testing::HasSubstr(" ql_nodes:3 ql_avg_node:3.33 ql_listpack_max:4 "));
  EXPECT_EQ(run({"CONFIG", "SET", "list-max-listpack-size", "-2"}), kOk);
  run({"RPUSH", "m", "x", "y"});
  EXPECT_THAT(run({"DEBUG", "OBJECT", "m"}),
              ::testing::HasSubstr(" ql_nodes:1 ql_avg_node:2.00 ql_listpack_max:-2 "));
}

TEST_F(ConfigParamsTest, LatencyTrackingAndPercentiles) {
  run({"PING"});
  EXPECT_THAT(run({"INFO", "latencystats"}),
              ::testing::HasSubstr("latency_percentiles_usec_ping:p50="));
  EXPECT_EQ(run({"CONFIG", "SET", "latency-tracking-info-percentiles", "90 99.99"}), kOk);
  EXPECT_THAT(run({"INFO", "latencystats"}),
              ::testing::MatchesRegex("(.|\r|\n)*latency_percentiles_usec_ping:p90=[0-9.]+,"
                                      "p99.99=[0-9.]+\r\n(.|\r|\n)*"));
  EXPECT_EQ(run({"CONFIG", "SET", "latency-tracking-info-percentiles", ""}), kOk);
  EXPECT_THAT(run({"INFO", "latencystats"}),
              ::testing::HasSubstr("latency_percentiles_usec_ping:\r\n"));
  // Tracking off: commands that never ran are not recorded.
  EXPECT_EQ(run({"CONFIG", "SET", "latency-tracking", "no"}), kOk);
  run({"ECHO", "x"});
  EXPECT_THAT(run({"INFO", "latencystats"}),
              ::testing::Not(::testing::HasSubstr("latency_percentiles_usec_echo")));
}

}  // namespace
}  // namespace basalt::testing
