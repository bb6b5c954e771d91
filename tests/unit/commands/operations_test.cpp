// Operator commands: SLOWLOG, LATENCY, MONITOR, CLIENT PAUSE/UNPAUSE/UNBLOCK, COMMAND
// GETKEYSANDFLAGS, MEMORY STATS, INFO latencystats and CONFIG REWRITE. Expected bytes were taken
// from redis-server 7.0.15 where the reply does not depend on the clock or the client's address.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/allocator.hpp"
#include "commands/diagnostics.hpp"
#include "commands/percentiles.hpp"
#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class OperationsTest : public EngineTest {
 protected:
  // The start time of ManualClock, in the form SLOWLOG and LATENCY print.
  std::string now_s() const { return std::to_string(clock_.now_ms() / 1000); }
};

// --- SLOWLOG -----------------------------------------------------------------------------------

TEST_F(OperationsTest, SlowlogLogsNewestFirstWithRedisEntryShape) {
  client(0).session->addr = "127.0.0.1:5000";
  EXPECT_EQ(run({"SLOWLOG", "LEN"}), integer(0));
  EXPECT_EQ(run({"CONFIG", "SET", "slowlog-log-slower-than", "0"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  // As Redis: the CONFIG SET that turned logging on is entry 0.
  EXPECT_EQ(run({"SLOWLOG", "GET", "2"}),
            "*2\r\n*6\r\n:1\r\n:" + now_s() +
                "\r\n:0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$14\r\n127.0.0.1:5000\r\n$0\r\n"
                "\r\n*6\r\n:0\r\n:" +
                now_s() +
                "\r\n:0\r\n*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$23\r\nslowlog-log-slower-than\r\n"
                "$1\r\n0\r\n$14\r\n127.0.0.1:5000\r\n$0\r\n\r\n");
  EXPECT_EQ(run({"SLOWLOG", "LEN"}), integer(3));  // SLOWLOG GET itself is logged
  EXPECT_EQ(run({"SLOWLOG", "RESET"}), kOk);
  EXPECT_EQ(run({"SLOWLOG", "GET"}), "*1\r\n*6\r\n:4\r\n:" + now_s() +
                                         "\r\n:0\r\n*2\r\n$7\r\nSLOWLOG\r\n$5\r\nRESET\r\n$14\r\n"
                                         "127.0.0.1:5000\r\n$0\r\n\r\n");
}

TEST_F(OperationsTest, SlowlogThresholdAndLength) {
  // The default (10 ms) logs nothing that takes no time; -1 logs nothing at all.
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(run({"SLOWLOG", "LEN"}), integer(0));
  EXPECT_EQ(run({"CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "2"}), kOk);
  for (int i = 0; i < 5; ++i) run({"PING"});
  EXPECT_EQ(run({"SLOWLOG", "LEN"}), integer(2));
  EXPECT_EQ(run({"CONFIG", "SET", "slowlog-log-slower-than", "-1"}), kOk);
  run({"SLOWLOG", "RESET"});
  run({"PING"});
  EXPECT_EQ(run({"SLOWLOG", "LEN"}), integer(0));
  EXPECT_EQ(run({"CONFIG", "GET", "slowlog*"}), array({bulk("slowlog-log-slower-than"), bulk("-1"),
                                                       bulk("slowlog-max-len"), bulk("2")}));
}

TEST_F(OperationsTest, SlowlogTrimsArgumentsAndRedactsPasswords) {
  run({"CONFIG", "SET", "slowlog-log-slower-than", "0"});
  run({"SLOWLOG", "RESET"});
  std::vector<std::string> words(40, "a");
  words[0] = "MSET";
  words[1] = std::string(130, 'x');
  std::vector<std::string_view> argv(words.begin(), words.end());
  run(argv);
  std::string got = run({"SLOWLOG", "GET", "1"});
  EXPECT_NE(
      got.find("*32\r\n$4\r\nMSET\r\n$146\r\n" + std::string(128, 'x') + "... (2 more bytes)\r\n"),
      std::string::npos)
      << got;
  EXPECT_NE(got.find("$22\r\n... (9 more arguments)\r\n"), std::string::npos) << got;
  run({"AUTH", "secret"});
  run({"HELLO", "2", "AUTH", "default", "pw"});
  run({"CONFIG", "SET", "requirepass", "hunter2", "timeout", "0"});
  got = run({"SLOWLOG", "GET", "3"});
  EXPECT_EQ(got.find("secret"), std::string::npos);
  EXPECT_EQ(got.find("hunter2"), std::string::npos);
  EXPECT_EQ(got.find("$2\r\npw\r\n"), std::string::npos);
  EXPECT_NE(got.find("$4\r\nAUTH\r\n$10\r\n(redacted)\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("$4\r\nAUTH\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n"), std::string::npos)
      << got;
  EXPECT_NE(got.find("$11\r\nrequirepass\r\n$10\r\n(redacted)\r\n$7\r\ntimeout\r\n$1\r\n0\r\n"),
            std::string::npos)
      << got;
}

TEST_F(OperationsTest, SlowlogErrorsAndHelpAsRedis) {
  EXPECT_EQ(run({"SLOWLOG", "GET", "-2"}), err("ERR count should be greater than or equal to -1"));
  EXPECT_EQ(run({"SLOWLOG", "GET", "x"}), err("ERR count should be greater than or equal to -1"));
  EXPECT_EQ(run({"SLOWLOG", "FOO"}), err("ERR unknown subcommand 'FOO'. Try SLOWLOG HELP."));
  EXPECT_EQ(run({"SLOWLOG", "GET", "1", "2"}),
            err("ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG "
                "HELP."));
  EXPECT_EQ(run({"SLOWLOG", "GET", "-1"}), "*0\r\n");
  EXPECT_EQ(run({"SLOWLOG", "HELP"}),
            "*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET "
            "[<count>]\r\n+    Return top <count> entries from the slowlog (default: 10, -1 mean "
            "all).\r\n+    Entries are made of:\r\n+    id, timestamp, time in microseconds, "
            "arguments array, client IP and port,\r\n+    client name\r\n+LEN\r\n+    Return the "
            "length of the slowlog.\r\n+RESET\r\n+    Reset the slowlog.\r\n+HELP\r\n+    Prints "
            "this help.\r\n");
}

// --- LATENCY -----------------------------------------------------------------------------------

TEST(LatencySeriesTest, OneSampleASecondTheWorstKept) {
  LatencySeries s;
  s.add(100, 5);
  s.add(100, 3);  // same second, lower: ignored
  s.add(100, 9);  // same second, higher: replaces
  s.add(101, 2);
  EXPECT_EQ(s.latest().time_s, 101);
  EXPECT_EQ(s.latest().ms, 2u);
  EXPECT_EQ(s.max_ms, 9u);
  for (int64_t t = 0; t < 200; ++t) s.add(1000 + t, 1);
  EXPECT_EQ(s.latest().time_s, 1199);
  EXPECT_EQ(s.max_ms, 9u) << "the maximum outlives the samples";
}

TEST_F(OperationsTest, LatencyRepliesAsRedis) {
  EXPECT_EQ(run({"LATENCY", "LATEST"}), "*0\r\n");
  EXPECT_EQ(run({"LATENCY", "HISTORY", "command"}), "*0\r\n");
  EXPECT_EQ(run({"LATENCY", "RESET", "a", "b"}), integer(0));
  EXPECT_EQ(run({"LATENCY", "FOO"}), err("ERR unknown subcommand 'FOO'. Try LATENCY HELP."));
  auto& events = engine_->latency_events();
  events["command"].add(1000, 20);
  events["command"].add(1001, 15);
  events["fast-command"].add(1002, 11);
  EXPECT_EQ(run({"LATENCY", "LATEST"}),
            "*2\r\n*4\r\n$7\r\ncommand\r\n:1001\r\n:15\r\n:20\r\n*4\r\n$12\r\nfast-command\r\n"
            ":1002\r\n:11\r\n:11\r\n");
  EXPECT_EQ(run({"LATENCY", "HISTORY", "command"}),
            "*2\r\n*2\r\n:1000\r\n:20\r\n*2\r\n:1001\r\n:15\r\n");
  EXPECT_EQ(run({"LATENCY", "RESET", "COMMAND", "nope"}), integer(1));
  EXPECT_EQ(run({"LATENCY", "RESET"}), integer(1));
  EXPECT_EQ(run({"LATENCY", "LATEST"}), "*0\r\n");
}

TEST_F(OperationsTest, LatencyMonitorSamplesSlowCommandsOnly) {
  EXPECT_EQ(run({"CONFIG", "GET", "latency-monitor-threshold"}),
            array({bulk("latency-monitor-threshold"), bulk("0")}));
  EXPECT_EQ(run({"CONFIG", "SET", "latency-monitor-threshold", "-1"}),
            err("ERR CONFIG SET failed (possibly related to argument 'latency-monitor-threshold') "
                "- argument must be between 0 and 9223372036854775807 inclusive"));
  EXPECT_EQ(run({"CONFIG", "SET", "latency-monitor-threshold", "1"}), kOk);
  run({"PING"});  // takes no time on the manual clock
  EXPECT_EQ(run({"LATENCY", "LATEST"}), "*0\r\n");
}

// LATENCY GRAPH's sparkline, worked by hand from Redis's sparkline.c: 15..40 ms over 4 rows of 3
// levels each (12 steps); each column's label ("2m", "30s", "1s") reads downwards below a blank
// line.
TEST_F(OperationsTest, LatencyGraphDrawsRedisSparkline) {
  EXPECT_EQ(run({"LATENCY", "GRAPH", "command"}),
            err("ERR No samples available for event 'command'"));
  const int64_t now = clock_.now_ms() / 1000;
  auto& series = engine_->latency_events()["command"];
  series.add(now - 120, 20);
  series.add(now - 30, 15);
  series.add(now - 1, 40);
  const std::string graph = "command - high 40 ms, low 15 ms (all time high 40 ms)\n" +
                            std::string(80, '-') + "\n  #\n  |\n  |\n#_|\n   \n231\nm0s\n s \n";
  EXPECT_EQ(latency_graph("command", series, now), graph);
  EXPECT_EQ(run({"LATENCY", "GRAPH", "command"}),
            "$" + std::to_string(graph.size()) + "\r\n" + graph + "\r\n");
  // More samples than columns continue below, after an empty line.
  std::vector<SparklineSample> samples(3, SparklineSample{1, ""});
  samples[1].value = 2;
  EXPECT_EQ(render_sparkline(samples, 2, 1), "_#\n\n_\n");
}

TEST(LatencyDoctorTest, ReportsEachEventAndRedisAdviceInItsOrder) {
  const int64_t now = 1'700'000'000;
  std::map<std::string, LatencySeries> events;
  events["command"].add(now - 120, 20);
  events["command"].add(now - 30, 15);
  events["command"].add(now - 1, 40);
  events["fast-command"].add(now - 5, 12);
  DoctorSettings settings;
  settings.latency_monitor_threshold_ms = 10;
  const std::string report = latency_doctor(events, settings, now);
  EXPECT_TRUE(report.starts_with("Dave, I have observed latency spikes in this Redis instance."))
      << report;
  // avg 25, mean deviation (5 + 10 + 15) / 3, period 120 s over 3 samples.
  EXPECT_NE(report.find("\n\n1. command: 3 latency spikes (average 25ms, mean deviation 10ms, "
                        "period 40.00 sec). Worst all time event 40ms.\n2. fast-command: 1 "
                        "latency spikes (average 12ms, mean deviation 0ms, period 5.00 sec). Worst "
                        "all time event 12ms.\n\nI have a few advices for you:\n\n- Check your "
                        "Slow Log"),
            std::string::npos)
      << report;
  const size_t scheduler = report.find("- The system is slow to execute Redis code paths");
  const size_t large = report.find("- Deleting, expiring or evicting");
  EXPECT_NE(scheduler, std::string::npos);
  EXPECT_LT(scheduler, large);
  EXPECT_EQ(report.find("CONFIG SET slowlog-log-slower-than"), std::string::npos)
      << "the slow log already logs what the monitor samples";
  settings.slowlog_log_slower_than_us = -1;
  EXPECT_NE(latency_doctor(events, settings, now)
                .find("'CONFIG SET slowlog-log-slower-than 10000'. If the Slow log is disabled"),
            std::string::npos);

  // An event with no advice of its own; one whose advice depends on a setting that is off.
  std::map<std::string, LatencySeries> other;
  other["bogus"].add(now, 1);
  EXPECT_TRUE(latency_doctor(other, settings, now)
                  .ends_with("\nWhile there are latency events logged, I'm not able to suggest "
                             "any easy fix. Please use the Redis community to get some help, "
                             "providing this report in your help request.\n"));
  other.clear();
  other["aof-fsync-always"].add(now, 1);
  EXPECT_TRUE(latency_doctor(other, settings, now).ends_with("I have a few advices for you:\n\n"));
  settings.appendfsync_always = true;
  EXPECT_TRUE(
      latency_doctor(other, settings, now).ends_with("relax the fsync policy to 'onesec'.\n"));

  // Nothing seen: monitoring off, and on.
  settings.latency_monitor_threshold_ms = 0;
  EXPECT_TRUE(latency_doctor({}, settings, now).starts_with("I'm sorry, Dave, I can't do that."));
  settings.latency_monitor_threshold_ms = 1;
  EXPECT_TRUE(latency_doctor({}, settings, now).starts_with("Dave, no latency spike was observed"));
}

TEST(MemoryDoctorTest, RedisReportForEachCondition) {
  constexpr uint64_t kMb = 1 << 20;
  MemoryFigures m;
  m.used = m.peak = m.allocator_active = m.allocator_resident = 4 * kMb;
  m.rss = 40 * kMb;
  EXPECT_TRUE(memory_doctor_report(m, 1).starts_with("Hi Sam, this instance is empty"));
  // A healthy instance: each overhead under its threshold.
  m.used = m.peak = m.allocator_active = 100 * kMb;
  m.allocator_resident = 105 * kMb;
  m.rss = 108 * kMb;
  m.clients = 1 * kMb;
  EXPECT_EQ(memory_doctor_report(m, 10),
            "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
            "occurs on this base.\n");
  // Every condition at once, reported in Redis's order: a peak over 150% of now, RSS over 1.4x
  // the allocations, the allocator's pages over 1.1x its allocations, its resident pages over
  // 1.1x those, the process's RSS over 1.1x the allocator's, clients at 300 KB each.
  m.peak = 151 * kMb;
  m.allocator_active = 120 * kMb;
  m.allocator_resident = 140 * kMb;
  m.rss = 160 * kMb;
  m.clients = 600 << 10;
  const std::string report = memory_doctor_report(m, 2);
  EXPECT_TRUE(report.starts_with(
      "Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory: "))
      << report;
  size_t at = 0;
  for (const char* heading : {" * High total RSS: ", " * High allocator fragmentation: ",
                              " * High allocator RSS overhead: ", " * High process RSS overhead: ",
                              " * Big client buffers: "}) {
    const size_t found = report.find(heading);
    ASSERT_NE(found, std::string::npos) << heading;
    EXPECT_GT(found, at) << heading;
    at = found;
  }
  EXPECT_NE(report.find("Note: The currently used allocator is \"" + std::string(allocator_name()) +
                        "\".\n\n"),
            std::string::npos);
  EXPECT_TRUE(report.ends_with("I'm here to keep you safe, Sam. I want to help you.\n"));
  // Ratios over their thresholds by less than 10 MB are no issue.
  m.used = m.peak = m.allocator_active = 20 * kMb;
  m.clients = 0;
  m.allocator_resident = 21 * kMb;
  m.rss = 29 * kMb;  // 1.45x the allocations, 1.38x the allocator's pages: 9 and 8 MB
  EXPECT_EQ(memory_doctor_report(m, 2).find("Sam, I detected"), std::string::npos);
}

// --- MONITOR -----------------------------------------------------------------------------------

TEST_F(OperationsTest, MonitorFeedsOtherClientsCommandsQuotedAsRedis) {
  client(0).session->addr = "127.0.0.1:5000";
  EXPECT_EQ(run({"MONITOR"}, 1), kOk);
  const std::string stamp = "+1700000000.000000 [0 127.0.0.1:5000] ";
  EXPECT_EQ(run({"SET", "k", "a\"b\\\n\x01\xff \xc3\xa9"}), kOk);
  EXPECT_EQ(client(1).take(), stamp + "\"SET\" \"k\" \"a\\\"b\\\\\\n\\x01\\xff \\xc3\\xa9\"\r\n");
  // Administrative commands are not shown; failed ones are; passwords are redacted.
  run({"CONFIG", "GET", "x"});
  run({"AUTH", "x"});
  run({"HELLO", "2", "AUTH", "default", "pw"});
  EXPECT_EQ(client(1).take(), stamp + "\"AUTH\" \"(redacted)\"\r\n" + stamp +
                                  "\"HELLO\" \"2\" \"AUTH\" \"(redacted)\" \"(redacted)\"\r\n");
  // A transaction: MULTI, then each command as it runs inside EXEC, then EXEC.
  run({"MULTI"});
  run({"SET", "a", "1"});
  run({"EXEC"});
  EXPECT_EQ(client(1).take(),
            stamp + "\"MULTI\"\r\n" + stamp + "\"SET\" \"a\" \"1\"\r\n" + stamp + "\"EXEC\"\r\n");
  // A rejected command never ran: not shown.
  run({"GET"});
  EXPECT_EQ(client(1).take(), "");
  run({"SELECT", "3"});
  run({"PING"});
  // The database is the one after the command ran, as Redis prints it.
  const std::string db3 = "+1700000000.000000 [3 127.0.0.1:5000] ";
  EXPECT_EQ(client(1).take(), db3 + "\"SELECT\" \"3\"\r\n" + db3 + "\"PING\"\r\n");
}

TEST_F(OperationsTest, MonitorClientIsAReplicaUntilReset) {
  EXPECT_EQ(run({"MONITOR"}), kOk);
  EXPECT_EQ(run({"MONITOR"}), "") << "ignored, as Redis";
  EXPECT_EQ(run({"GET", "k"}), err("ERR Replica can't interact with the keyspace"));
  EXPECT_NE(run({"CLIENT", "INFO"}).find(" flags=O "), std::string::npos);
  // Its own PING is shown to itself, after the reply.
  EXPECT_EQ(run({"PING"}), "+PONG\r\n+1700000000.000000 [0 ] \"PING\"\r\n");
  EXPECT_EQ(run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(run({"GET", "k"}), kNil);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"MONITOR"}), "+QUEUED\r\n");
  EXPECT_EQ(run({"EXEC"}), "*1\r\n" + err("ERR MONITOR isn't allowed for DENY BLOCKING client"));
}

TEST_F(OperationsTest, MonitorIsRefusedOverHttp) {
  TestClient http;
  Session* s = engine_->open_session(Frontend::kHttp, &http);
  http.attach(s);
  std::vector<std::string_view> argv = {"MONITOR"};
  engine_->execute(*s, argv, http.builder());
  EXPECT_EQ(http.take(), err("ERR MONITOR is only available over RESP: the HTTP API answers each "
                             "request with one reply"));
  engine_->close_session(s);
}

TEST_F(OperationsTest, ClosedMonitorLeavesTheFeed) {
  run({"MONITOR"}, 1);
  engine_->close_session(client(1).session);
  clients_.erase(clients_.begin() + 1);
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
}

// --- CLIENT PAUSE / UNPAUSE / UNBLOCK ------------------------------------------------------------

TEST_F(OperationsTest, PauseWriteHoldsWritesUntilItEnds) {
  run({"SET", "x", "old"});
  EXPECT_EQ(run({"CLIENT", "PAUSE", "100", "WRITE"}, 1), kOk);
  EXPECT_EQ(run({"SET", "x", "1"}), "") << "held";
  EXPECT_EQ(run({"GET", "x"}, 2), bulk("old")) << "reads go on";
  EXPECT_EQ(client(0).unblocked, 0);
  // A held client counts as blocked, as Redis counts BLOCKED_POSTPONE (its pause.tcl waits on it).
  EXPECT_NE(run({"INFO", "clients"}, 2).find("blocked_clients:1\r\n"), std::string::npos);
  advance_ms(100);
  EXPECT_EQ(client(0).take(), "") << "still paused at its end time";
  advance_ms(1);
  EXPECT_EQ(client(0).take(), kOk);
  EXPECT_EQ(client(0).unblocked, 1);
  EXPECT_EQ(run({"GET", "x"}, 2), bulk("1"));
  EXPECT_NE(run({"INFO", "clients"}, 2).find("blocked_clients:0\r\n"), std::string::npos);
}

// Under a pause a key past its TTL reads as absent but is not deleted, as Redis's pause.tcl
// checks ("both active and passive expires are skipped during client pause").
TEST_F(OperationsTest, PauseHoldsExpiry) {
  run({"SET", "k", "v", "PX", "10"});
  EXPECT_EQ(run({"CLIENT", "PAUSE", "100000", "WRITE"}, 1), kOk);
  advance_ms(20);
  EXPECT_EQ(run({"GET", "k"}), kNil);
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
  EXPECT_NE(run({"INFO", "stats"}).find("expired_keys:0\r\n"), std::string::npos);
  EXPECT_EQ(run({"DBSIZE"}), integer(1)) << "still there, as in Redis";
  EXPECT_EQ(run({"CLIENT", "UNPAUSE"}, 1), kOk);
  EXPECT_EQ(run({"GET", "k"}), kNil);
  EXPECT_NE(run({"INFO", "stats"}).find("expired_keys:1\r\n"), std::string::npos);
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
}

TEST_F(OperationsTest, PauseAllHoldsEverythingAndUnpauseReleasesInOrder) {
  EXPECT_EQ(run({"CLIENT", "PAUSE", "100000"}, 2), kOk);
  EXPECT_EQ(run({"RPUSH", "l", "a"}, 0), "");
  EXPECT_EQ(run({"LRANGE", "l", "0", "-1"}, 1), "");
  EXPECT_EQ(run({"CLIENT", "UNPAUSE"}, 2), "") << "UNPAUSE waits too under ALL, as in Redis";
  engine_->unpause_clients();  // what the timer does once the pause is over
  EXPECT_EQ(client(0).take(), integer(1));
  EXPECT_EQ(client(1).take(), array({bulk("a")})) << "run after the push that came first";
  EXPECT_EQ(client(2).take(), kOk);
}

TEST_F(OperationsTest, PauseWriteHoldsExecWithWritesAndUnpauseFromAnotherClient) {
  run({"CLIENT", "PAUSE", "100000", "WRITE"}, 2);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"GET", "x"}), "+QUEUED\r\n");
  EXPECT_EQ(run({"SET", "x", "1"}), "") << "a write is held even while queueing";
  EXPECT_EQ(run({"CLIENT", "UNPAUSE"}, 1), kOk);
  EXPECT_EQ(client(0).take(), "+QUEUED\r\n");
  run({"CLIENT", "PAUSE", "100000", "WRITE"}, 2);
  EXPECT_EQ(run({"EXEC"}), "") << "EXEC with a write queued is held";
  run({"CLIENT", "UNPAUSE"}, 2);
  EXPECT_EQ(client(0).take(), "*2\r\n$-1\r\n+OK\r\n");
}

TEST_F(OperationsTest, PauseArgumentsAsRedis) {
  EXPECT_EQ(run({"CLIENT", "PAUSE", "-1"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"CLIENT", "PAUSE", "x"}), err("ERR timeout is not an integer or out of range"));
  EXPECT_EQ(run({"CLIENT", "PAUSE", "x", "FOO"}),
            err("ERR CLIENT PAUSE mode must be WRITE or ALL"));
  EXPECT_EQ(run({"CLIENT", "PAUSE", "10", "WRITE", "x"}),
            err("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT "
                "HELP."));
  EXPECT_EQ(run({"CLIENT", "PAUSE"}),
            err("ERR wrong number of arguments for 'client|pause' command"));
  EXPECT_EQ(run({"CLIENT", "PAUSE", "0"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}), kOk) << "a zero pause is over at once";
  EXPECT_EQ(run({"CLIENT", "UNPAUSE", "x"}),
            err("ERR wrong number of arguments for 'client|unpause' command"));
}

TEST_F(OperationsTest, ClientUnblockEndsABlockingCommand) {
  const std::string id = std::to_string(client(0).session->id);
  EXPECT_EQ(run({"BLPOP", "q", "0"}), "");
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", id, "ERROR"}, 1), integer(1));
  EXPECT_EQ(client(0).take(), err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
  EXPECT_NE(run({"INFO", "errorstats"}, 1).find("errorstat_UNBLOCKED:count=1"), std::string::npos);
  EXPECT_EQ(run({"BLMOVE", "q", "r", "LEFT", "LEFT", "0"}), "");
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", id}, 1), integer(1));
  // The command's timeout reply: a nil array for BLMOVE too, as redis-server 7.0.15 sends.
  EXPECT_EQ(client(0).take(), kNilArray);
  EXPECT_EQ(run({"BRPOP", "q", "0"}), "");
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", id, "timeout"}, 1), integer(1));
  EXPECT_EQ(client(0).take(), kNilArray);
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", id}, 1), integer(0)) << "not blocked";
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", "99999"}, 1), integer(0));
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", "x"}, 1), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", "1", "FOO"}, 1),
            err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", "1", "TIMEOUT", "x"}, 1),
            err("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT "
                "HELP."));
  // A client held by a pause has not run its command yet: nothing to unblock.
  run({"CLIENT", "PAUSE", "100000"}, 1);
  EXPECT_EQ(run({"PING"}), "");
  engine_->unpause_clients();
  EXPECT_EQ(client(0).take(), "+PONG\r\n");
}

// --- COMMAND GETKEYSANDFLAGS, MEMORY STATS, INFO latencystats -----------------------------------

TEST_F(OperationsTest, CommandGetKeysAndFlagsAsRedis) {
  EXPECT_EQ(run({"COMMAND", "GETKEYSANDFLAGS", "LMOVE", "a", "b", "LEFT", "RIGHT"}),
            "*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n"
            "+RW\r\n+insert\r\n");
  EXPECT_EQ(run({"COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v"}),
            "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n");
  EXPECT_EQ(run({"COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v", "get"}),
            "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
  EXPECT_EQ(run({"COMMAND", "GETKEYSANDFLAGS", "PING"}),
            err("ERR wrong number of arguments for 'command|getkeysandflags' command"));
  EXPECT_EQ(run({"COMMAND", "GETKEYSANDFLAGS", "PING", "x"}),
            err("ERR The command has no key arguments"));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "LMOVE", "a", "b", "LEFT", "RIGHT"}),
            array({bulk("a"), bulk("b")}));
  // SORT's STORE key, found as Redis's sortGetKeys finds it (replies taken from redis-server
  // 7.0.15; Redis's sort.tcl checks the last two).
  EXPECT_EQ(run({"COMMAND", "GETKEYSANDFLAGS", "SORT", "abc", "STORE", "def", "ALPHA"}),
            "*2\r\n*2\r\n$3\r\nabc\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$3\r\ndef\r\n*2\r\n"
            "+OW\r\n+update\r\n");
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "SORT", "abc", "GET", "store"}), array({bulk("abc")}));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "SORT", "abc", "LIMIT", "0", "1", "STORE", "x"}),
            array({bulk("abc"), bulk("x")}));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "SORT", "abc", "STORE", "def"}),
            array({bulk("abc"), bulk("def")}));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "SORT", "abc", "STORE", "invalid", "STORE", "stillbad",
                 "STORE", "def"}),
            array({bulk("abc"), bulk("def")}));
}

TEST_F(OperationsTest, MemoryStatsHasRedisFieldsInOrder) {
  run({"SET", "k", "v"});
  std::string got = run({"MEMORY", "STATS"});
  ASSERT_TRUE(got.starts_with("*56\r\n$14\r\npeak.allocated\r\n:")) << got;
  size_t at = 0;
  for (std::string_view name : {"peak.allocated",
                                "total.allocated",
                                "startup.allocated",
                                "replication.backlog",
                                "clients.slaves",
                                "clients.normal",
                                "cluster.links",
                                "aof.buffer",
                                "lua.caches",
                                "functions.caches",
                                "db.0",
                                "overhead.hashtable.main",
                                "overhead.hashtable.expires",
                                "overhead.hashtable.slot-to-keys",
                                "overhead.total",
                                "keys.count",
                                "keys.bytes-per-key",
                                "dataset.bytes",
                                "dataset.percentage",
                                "peak.percentage",
                                "allocator.allocated",
                                "allocator.active",
                                "allocator.resident",
                                "allocator-fragmentation.ratio",
                                "allocator-fragmentation.bytes",
                                "allocator-rss.ratio",
                                "allocator-rss.bytes",
                                "rss-overhead.ratio",
                                "rss-overhead.bytes",
                                "fragmentation",
                                "fragmentation.bytes"}) {
    size_t found = got.find(bulk(name), at);
    ASSERT_NE(found, std::string::npos) << name;
    at = found;
  }
  EXPECT_NE(got.find("$10\r\nkeys.count\r\n:1\r\n"), std::string::npos);
  // The table's buckets (a new table has four) and the TTL index (nothing has a TTL yet), counted
  // in the overhead as Redis counts its dicts.
  EXPECT_NE(got.find("$23\r\noverhead.hashtable.main\r\n:32\r\n$26\r\noverhead.hashtable.expires"
                     "\r\n:0\r\n"),
            std::string::npos)
      << got;
  auto figure = [&got](std::string_view name) {
    const std::string field = bulk(name) + ":";
    const size_t at = got.find(field);
    return at == std::string::npos ? -1 : std::stoll(got.substr(at + field.size()));
  };
  EXPECT_EQ(figure("overhead.total"), figure("startup.allocated") + figure("clients.normal") + 32);
  EXPECT_EQ(run({"MEMORY", "STATS", "x"}),
            err("ERR wrong number of arguments for 'memory|stats' command"));
}

TEST(PercentileHistogramTest, ReadsBackAsHdrHistogram) {
  PercentileHistogram h;
  h.record(1000);
  EXPECT_EQ(h.value_at_percentile(50), 1003) << "the highest value of 1000's bucket";
  h.record(5);
  h.record(0);  // clamped to 1 ns
  EXPECT_EQ(h.value_at_percentile(0), 1);
  EXPECT_EQ(h.value_at_percentile(50), 5);
  EXPECT_EQ(h.value_at_percentile(100), 1003);
  h.record(2'000'000'000);  // clamped to 1 s
  EXPECT_EQ(h.total(), 4u);
  EXPECT_GE(h.value_at_percentile(99.9), 1'000'000'000);
}

// LATENCY HISTOGRAM's levels, as Redis reads an HdrHistogram (hdr_iter_log_init(1024, 2)): at
// each power of two from 1024 ns, the highest value of the bucket reached and the samples up to
// it, when that grew. A lone 132,000 ns sample reads 132095 (redis-server 7.0.15 answered
// "132" µs for a SET that took that long).
TEST(PercentileHistogramTest, LogLevelsAsRedisLatencyHistogram) {
  auto levels = [](const PercentileHistogram& h) {
    std::vector<std::pair<int64_t, uint64_t>> out;
    h.for_each_log2_level(1024, [&](int64_t ns, uint64_t n) { out.emplace_back(ns, n); });
    return out;
  };
  PercentileHistogram one;
  one.record(132'000);
  EXPECT_EQ(levels(one), (std::vector<std::pair<int64_t, uint64_t>>{{132'095, 1}}));
  PercentileHistogram h;
  for (int i = 0; i < 3; ++i) h.record(1000);
  h.record(2000);
  h.record(3000);
  h.record(1'000'000);
  EXPECT_EQ(levels(h), (std::vector<std::pair<int64_t, uint64_t>>{
                           {1031, 3}, {2063, 4}, {4127, 5}, {1'056'767, 6}}));
  EXPECT_TRUE(levels(PercentileHistogram()).empty());
}

TEST_F(OperationsTest, LatencyHistogramPerCommand) {
  run({"SET", "k", "v"});
  run({"SET", "k", "w"});
  run({"CONFIG", "GET", "maxmemory"});
  // The manual clock makes every command take 0 µs, recorded as 1 ns: the first level, 1 µs.
  const std::string set =
      "$3\r\nset\r\n%2\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n"
      "%1\r\n:1\r\n:2\r\n";
  EXPECT_EQ(run({"HELLO", "3"}).substr(0, 1), "%");
  EXPECT_EQ(run({"LATENCY", "HISTOGRAM", "set", "nosuchcommand"}), "%1\r\n" + set);
  const std::string config = run({"LATENCY", "HISTOGRAM", "config"});
  EXPECT_EQ(config,
            "%1\r\n$10\r\nconfig|get\r\n%2\r\n$5\r\ncalls\r\n:1\r\n$14\r\n"
            "histogram_usec\r\n%1\r\n:1\r\n:1\r\n")
      << "a container brings its subcommands";
  EXPECT_EQ(run({"LATENCY", "HISTOGRAM", "get"}), "%0\r\n") << "never ran";
  const std::string all = run({"LATENCY", "HISTOGRAM"});
  EXPECT_NE(all.find(set), std::string::npos) << all;
  EXPECT_NE(all.find("$10\r\nconfig|get\r\n"), std::string::npos) << all;
}

TEST_F(OperationsTest, InfoLatencystatsPrintsPercentilesPerCommand) {
  run({"SET", "k", "v"});
  run({"CLIENT", "ID"});
  std::string info = run({"INFO", "latencystats"});
  EXPECT_NE(info.find("# Latencystats\r\n"), std::string::npos);
  EXPECT_NE(info.find("latency_percentiles_usec_set:p50=0.001,p99=0.001,p99.9=0.001\r\n"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("latency_percentiles_usec_client|id:p50=0.001"), std::string::npos);
  EXPECT_EQ(info.find("latency_percentiles_usec_get"), std::string::npos) << "never ran";
  EXPECT_EQ(run({"INFO"}).find("Latencystats"), std::string::npos) << "not a default section";
  run({"CONFIG", "RESETSTAT"});
  EXPECT_EQ(run({"INFO", "latencystats"}).find("_set:"), std::string::npos);
}

// --- CONFIG REWRITE ----------------------------------------------------------------------------

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(OperationsTest, ConfigRewriteWithoutFileFails) {
  EXPECT_EQ(run({"CONFIG", "REWRITE"}), err("ERR The server is running without a config file"));
}

TEST_F(OperationsTest, ConfigRewriteKeepsCommentsAndUnknownLinesAndAppendsChanges) {
  auto path = std::filesystem::temp_directory_path() /
              ("basalt-rewrite-" + std::to_string(getpid()) + ".conf");
  {
    std::ofstream out(path);
    out << "# my settings\n"
           "hz 20\n"
           "\n"
           "some-module-option 1\n"
           "HZ 30\n"
           "timeout 5\n";
  }
  config_.config_file = path.string();
  EXPECT_EQ(run({"CONFIG", "SET", "hz", "50", "timeout", "0", "slowlog-max-len", "7"}), kOk);
  EXPECT_EQ(run({"CONFIG", "SET", "requirepass", "a b"}), kOk);
  EXPECT_EQ(run({"AUTH", "a b"}), kOk);
  EXPECT_EQ(run({"CONFIG", "REWRITE"}), kOk);
  // The fixture's own non-defaults (enable-debug-command yes, save "") are appended as well.
  EXPECT_EQ(read_all(path),
            "# my settings\n"
            "hz 50\n"
            "\n"
            "some-module-option 1\n"
            "timeout 0\n"
            "# Generated by CONFIG REWRITE\n"
            "enable-debug-command yes\n"
            "requirepass \"a b\"\n"
            "save \"\"\n"
            "slowlog-max-len 7\n");
  // A second rewrite changes nothing and adds no second signature.
  EXPECT_EQ(run({"CONFIG", "REWRITE"}), kOk);
  EXPECT_EQ(
      read_all(path).find("# Generated by CONFIG REWRITE", read_all(path).find("# Generated") + 1),
      std::string::npos);
  // What was written reads back (without the line Basalt itself would refuse at start).
  {
    std::string text = read_all(path);
    text.erase(text.find("some-module-option 1\n"), 21);
    std::ofstream(path) << text;
  }
  Config reread;
  bool help = false;
  std::string arg = path.string();
  const char* argv[] = {"basalt-server", arg.c_str()};
  ASSERT_FALSE(ConfigRegistry::load(reread, 2, argv, &help).has_value());
  EXPECT_EQ(reread.hz, 50);
  EXPECT_EQ(reread.requirepass, "a b");
  EXPECT_EQ(reread.slowlog_max_len, 7);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace basalt::testing
