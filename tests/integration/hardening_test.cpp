// Black-box tests of what one hostile or careless peer must not be able to do to the real
// basalt-server binary over RESP: crash it, freeze it, or make it hold memory without bound
// (the hardening issue's items; HTTP's are in tests/integration/test_http_hardening.py). Memory
// figures are the server's VmRSS from /proc.

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_process.hpp"
#include "integration/test_clients.hpp"

namespace basalt::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Under ASan freed memory sits in a quarantine and RSS cannot show a release; the allocation
// checks (nothing allocated for what a peer only announced) still hold there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Resident memory of `pid` in bytes.
size_t rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

constexpr size_t kMB = 1024 * 1024;

// A SET whose value is announced at `announced` bytes, of which two come; then two more in a
// later read, which is when a server that sizes its buffer by the announcement allocates.
void send_announced_bulk(RawSocket& s, const std::string& announced) {
  s.send_all("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + announced + "\r\nab");
  std::this_thread::sleep_for(20ms);
  s.send_all("cd");
}

// True if a fresh client (authenticating first with a `password`) gets PONG within `limit`.
bool answers_ping(int port, std::chrono::milliseconds limit = 2000ms,
                  const std::string& password = "") {
  auto start = Clock::now();
  Conn c(port);
  if (!password.empty()) c.cmd({"AUTH", password});
  Reply r = c.cmd({"PING"});
  return r && r->type == REDIS_REPLY_STATUS && std::string(r->str) == "PONG" &&
         Clock::now() - start < limit;
}

// Item 1: an announced 60 GB bulk used to be reserved at once (std::bad_alloc, SIGABRT).
TEST(Hardening, AnnouncedHugeBulkIsNotAllocated) {
  for (bool with_password : {false, true}) {
    std::vector<std::string> args = {"--proto-max-bulk-len", "100gb"};
    if (with_password) args.insert(args.end(), {"--requirepass", "pw"});
    ServerProcess server(args);
    size_t before = rss_bytes(server.pid());
    RawSocket s(server.port());
    if (with_password) {
      s.send_all("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n");
      ASSERT_EQ(s.read_n(5), "+OK\r\n");
    }
    send_announced_bulk(s, "60000000000");
    EXPECT_TRUE(answers_ping(server.port(), 2000ms, with_password ? "pw" : ""))
        << "with password: " << with_password;
    EXPECT_LT(rss_bytes(server.pid()), before + 8 * kMB);
    EXPECT_EQ(server.stop(), 0);
  }
}

// Item 2: a 512 MB bulk header and a few bytes used to commit 512 MB (zero-filled) and stall
// the loop for seconds; six such clients took 3 GB.
TEST(Hardening, AnnouncedBulkCostsWhatArrives) {
  ServerProcess server;
  size_t before = rss_bytes(server.pid());
  std::vector<std::unique_ptr<RawSocket>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(std::make_unique<RawSocket>(server.port()));
    send_announced_bulk(*clients.back(), "536870912");
  }
  EXPECT_TRUE(answers_ping(server.port(), 500ms));
  EXPECT_LT(rss_bytes(server.pid()), before + 16 * kMB);
  // The value still arrives whole when it is sent: growth follows the bytes.
  const std::string value(3 * kMB + 17, 'v');
  RawSocket s(server.port());
  s.send_all("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(value.size()) + "\r\n");
  s.send_all(value.substr(0, 1000));
  std::this_thread::sleep_for(50ms);
  s.send_all(value.substr(1000) + "\r\n");
  EXPECT_EQ(s.read_n(5), "+OK\r\n");
  Conn c(server.port());
  Reply r = c.cmd({"STRLEN", "big"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->integer, static_cast<long long>(value.size()));
}

// Item 3: DEBUG SLEEP inf froze the server for good, deaf to SIGTERM.
TEST(Hardening, DebugSleepRefusesForeverAndYieldsToSigterm) {
  ServerProcess server({"--enable-debug-command", "yes"});
  Conn c(server.port());
  for (const char* bad : {"inf", "-inf", "nan", "1e300"}) {
    Reply r = c.cmd({"DEBUG", "SLEEP", bad});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, REDIS_REPLY_ERROR) << bad;
    EXPECT_STREQ(r->str, "ERR value is not a valid float") << bad;
  }
  Reply ok = c.cmd({"DEBUG", "SLEEP", "0.01"});
  ASSERT_TRUE(ok);
  EXPECT_STREQ(ok->str, "OK");
  RawSocket sleeper(server.port());
  sleeper.send_all("*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$4\r\n3600\r\n");
  std::this_thread::sleep_for(200ms);
  auto start = Clock::now();
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_LT(Clock::now() - start, 3s);
}

// Item 4: SIGHUP ended the process and every key with it; Redis ignores it.
TEST(Hardening, SighupIsIgnored) {
  ServerProcess server;
  Conn c(server.port());
  ASSERT_STREQ(c.cmd({"SET", "kept", "1"})->str, "OK");
  kill(server.pid(), SIGHUP);
  std::this_thread::sleep_for(200ms);
  Reply r = c.cmd({"GET", "kept"});
  ASSERT_TRUE(r) << "the server went away on SIGHUP";
  EXPECT_STREQ(r->str, "1");
  EXPECT_EQ(server.stop(), 0);
}

// Item 6: an unauthenticated client pipelining PINGs without reading got NOAUTH replies queued
// without bound (10M PINGs, 337 MB).
TEST(Hardening, UnauthenticatedClientCannotPileUpReplies) {
  ServerProcess server({"--requirepass", "pw"});
  size_t before = rss_bytes(server.pid());
  RawSocket s(server.port());
  std::string batch;
  for (int i = 0; i < 10000; ++i) batch += "PING\r\n";
  // 200,000 PINGs would queue 9.4 MB of NOAUTH errors; the server stops long before.
  for (int i = 0; i < 20; ++i) s.send_all(batch);
  auto start = Clock::now();
  std::string got = s.read_n(100 * 1024 * 1024);  // until the server closes
  EXPECT_LT(Clock::now() - start, 4s) << "the connection stayed open";
  EXPECT_LT(got.size(), 64u * 1024) << "replies kept coming";
  if (!got.empty()) {
    EXPECT_TRUE(got.starts_with("-NOAUTH Authentication required.\r\n"));
  }
  EXPECT_LT(rss_bytes(server.pid()), before + 8 * kMB);
  // A client that authenticates first may pipeline as much as it likes.
  RawSocket ok(server.port());
  std::string authed = "AUTH pw\r\n";
  for (int i = 0; i < 5000; ++i) authed += "PING\r\n";
  ok.send_all(authed);
  std::string replies = ok.read_n(5 + 5000 * 7);
  EXPECT_EQ(replies.size(), 5u + 5000 * 7);
}

// Item 7: a request over client-query-buffer-limit that arrived in one read was run.
TEST(Hardening, QueryBufferLimitHoldsForOneRead) {
  for (bool with_password : {false, true}) {
    std::vector<std::string> args = {"--client-query-buffer-limit", "1mb"};
    if (with_password) args.insert(args.end(), {"--requirepass", "pw"});
    ServerProcess server(args);
    std::string value(1536 * 1024, 'x');
    RawSocket s(server.port());
    if (with_password) {
      s.send_all("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n");
      ASSERT_EQ(s.read_n(5), "+OK\r\n");
    }
    // One write: the whole request is in the server's first read.
    s.send_all("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(value.size()) + "\r\n" + value +
               "\r\n");
    EXPECT_EQ(s.read_n(1 << 20), "") << "the oversized SET was answered";
    EXPECT_TRUE(s.closed_by_peer());
    Conn c(server.port());
    if (with_password) c.cmd({"AUTH", "pw"});
    Reply r = c.cmd({"EXISTS", "big"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->integer, 0);
    // Below the limit, the same path works.
    Reply set = c.cmd({"SET", "small", std::string(512 * 1024, 'y')});
    ASSERT_TRUE(set);
    EXPECT_STREQ(set->str, "OK");
  }
}

// Item 8: 10,000 clients idle after one PING each kept 17.9 KB apiece for good. Here each client
// first sends a 40 KB SET, so that its read buffer holds 40 KB of touched pages: what stays
// resident unless the idle client's buffers are given back.
TEST(Hardening, IdleClientsGiveBuffersBack) {
  if (kSanitized) GTEST_SKIP() << "RSS shows no release under ASan's quarantine";
  constexpr int kClients = 1000;
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < 2 * kClients + 200) {
    GTEST_SKIP() << "needs " << 2 * kClients + 200 << " descriptors";
  }
  ServerProcess server;
  std::this_thread::sleep_for(300ms);
  size_t before = rss_bytes(server.pid());
  const std::string set =
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$40000\r\n" + std::string(40000, 'x') + "\r\n";
  std::vector<std::unique_ptr<RawSocket>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawSocket>(server.port()));
    clients.back()->send_all(set);
  }
  for (auto& c : clients) ASSERT_EQ(c->read_n(5), "+OK\r\n");
  size_t busy = (rss_bytes(server.pid()) - before) / kClients;
  EXPECT_GT(busy, 20u * 1024) << "the clients' buffers were never resident: the test shows nothing";
  // Idle for 2 s, a pass each second, then the allocator returns the freed pages (jemalloc's
  // background thread, within its 10 s decay).
  size_t per_client = busy;
  for (auto deadline = Clock::now() + 30s; Clock::now() < deadline && per_client >= 8 * 1024;) {
    std::this_thread::sleep_for(500ms);
    size_t now = rss_bytes(server.pid());
    per_client = now > before ? (now - before) / kClients : 0;
  }
  EXPECT_LT(per_client, 8u * 1024) << "bytes of RSS per idle client (" << busy << " when busy)";
  EXPECT_TRUE(answers_ping(server.port()));
}

// Item 9: after FLUSHALL the freed memory stayed with the process (2 GiB flushed, 2.07 GB RSS).
TEST(Hardening, FlushallReturnsMemoryToTheSystem) {
  if (kSanitized) GTEST_SKIP() << "RSS shows no release under ASan's quarantine";
  ServerProcess server;
  Conn c(server.port());
  std::this_thread::sleep_for(300ms);
  size_t before = rss_bytes(server.pid());
  const std::string value(1000, 'v');
  for (int batch = 0; batch < 20; ++batch) {
    for (int i = 0; i < 10000; ++i)
      c.append({"SET", "k" + std::to_string(batch * 10000 + i), value});
    for (int i = 0; i < 10000; ++i) ASSERT_TRUE(c.read());
  }
  c.append({"RPUSH", "list"});
  for (int i = 0; i < 20000; ++i) c.append({"RPUSH", "list", value});
  for (int i = 0; i < 20001; ++i) c.read();
  size_t full = rss_bytes(server.pid());
  ASSERT_GT(full, before + 200 * kMB);
  ASSERT_STREQ(c.cmd({"FLUSHALL"})->str, "OK");
  size_t after = full;
  for (auto deadline = Clock::now() + 15s; Clock::now() < deadline;) {
    std::this_thread::sleep_for(250ms);
    after = rss_bytes(server.pid());
    if (after < before + 24 * kMB) break;
  }
  EXPECT_LT(after, before + 24 * kMB) << "RSS before " << before << ", full " << full;
}

// Items 10 and 11: with few descriptors, maxclients shrinks to fit at start (as Redis does),
// extra clients get Redis's error instead of a silent close, and admin-port connections cannot
// take the descriptors RESP clients need.
TEST(Hardening, DescriptorBudgetAndAdminCap) {
  constexpr rlim_t kOpenFiles = 300;
  ServerProcess server({}, SpawnOptions{kOpenFiles, ""});
  Conn admin_check(server.port());
  Reply mc = admin_check.cmd({"CONFIG", "GET", "maxclients"});
  ASSERT_TRUE(mc);
  ASSERT_EQ(mc->elements, 2u);
  const int maxclients = std::stoi(mc->element[1]->str);
  // 300 descriptors: 32 kept for the server, 64 for the admin port.
  EXPECT_EQ(maxclients, 300 - 32 - 64);
  Reply refused = admin_check.cmd({"CONFIG", "SET", "maxclients", "100000"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(std::string(refused->str),
            "ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating "
            "system is not able to handle the specified number of clients, try with " +
                std::to_string(maxclients));
  // The admin port: 64 answered at most, the rest turned away with 503, none of it at the
  // expense of the RESP port.
  std::vector<std::unique_ptr<RawSocket>> admins;
  for (int i = 0; i < 100; ++i) admins.push_back(std::make_unique<RawSocket>(server.admin_port()));
  int served = 0, turned_away = 0;
  for (auto& a : admins) {
    a->send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string head = a->read_n(12).substr(0, 12);
    served += head == "HTTP/1.1 200";
    turned_away += head == "HTTP/1.1 503";
  }
  EXPECT_EQ(served, 64);
  EXPECT_EQ(turned_away, 36);
  // RESP clients up to maxclients (admin_check is one), then Redis's error.
  std::vector<std::unique_ptr<RawSocket>> clients;
  for (int i = 1; i < maxclients; ++i) {
    clients.push_back(std::make_unique<RawSocket>(server.port()));
    clients.back()->send_all("PING\r\n");
    ASSERT_EQ(clients.back()->read_n(7), "+PONG\r\n") << "client " << i;
  }
  RawSocket extra(server.port());
  EXPECT_EQ(extra.read_n(64), "-ERR max number of clients reached\r\n");
  EXPECT_STREQ(admin_check.cmd({"PING"})->str, "PONG");
}

// Item 12: more than 2^20 arguments were refused as an invalid multibulk length; Redis 7 takes up
// to INT_MAX, bounded by the query buffer limit.
TEST(Hardening, MultibulkCountsBeyondAMillion) {
  ServerProcess server;
  constexpr int kArgs = 1048577;
  std::string request = "*" + std::to_string(kArgs) + "\r\n$3\r\nDEL\r\n";
  request.reserve(request.size() + 7 * kArgs);
  for (int i = 1; i < kArgs; ++i) request += "$1\r\nk\r\n";
  RawSocket s(server.port());
  s.send_all("SET k v\r\n" + request);
  EXPECT_EQ(s.read_n(9), "+OK\r\n:1\r\n");
  // Past INT_MAX, Redis's error.
  RawSocket t(server.port());
  t.send_all("*2147483648\r\n");
  EXPECT_EQ(t.read_n(64), "-ERR Protocol error: invalid multibulk length\r\n");
}

// Item 13: commands pipelined after SHUTDOWN ran (and answered) before the server stopped.
TEST(Hardening, NothingRunsAfterShutdown) {
  ServerProcess server;
  RawSocket s(server.port());
  s.send_all("SHUTDOWN NOSAVE\r\nPING\r\nSET k v\r\n");
  std::string got = s.read_n(64);
  EXPECT_EQ(got, "");
  EXPECT_EQ(server.wait_exit(), 0);
}

// Item 14: a read-only HTTP token without requirepass protected nothing, silently.
TEST(Hardening, ReadonlyTokenWithoutPasswordIsRefused) {
  std::string log = ::testing::TempDir() + "/readonly_token_stderr.txt";
  pid_t pid = spawn({server_binary(), "--port", std::to_string(free_port()), "--http-port", "0",
                     "--admin-port", "0", "--http-readonly-token", "reader"},
                    SpawnOptions{0, log});
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("http-readonly-token"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("needs requirepass"), std::string::npos) << text.str();
  // At run time, the same rule both ways.
  ServerProcess server({"--requirepass", "pw", "--http-readonly-token", "reader"});
  Conn c(server.port());
  c.cmd({"AUTH", "pw"});
  Reply r = c.cmd({"CONFIG", "SET", "requirepass", ""});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, REDIS_REPLY_ERROR);
  Reply still = c.cmd({"CONFIG", "GET", "requirepass"});
  ASSERT_TRUE(still);
  EXPECT_STREQ(still->element[1]->str, "pw");
  EXPECT_STREQ(c.cmd({"CONFIG", "SET", "http-readonly-token", "", "requirepass", ""})->str, "OK");
}

}  // namespace
}  // namespace basalt::testing
