// Black-box tests of the real basalt-server binary over TCP, driven with hiredis and raw sockets.

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_process.hpp"
#include "integration/test_clients.hpp"

namespace basalt::testing {
namespace {

using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
 protected:
  ServerProcess server_;
};

TEST_F(ServerTest, SetGetWithTtl) {
  Conn c(server_.port());
  EXPECT_STREQ(c.cmd({"SET", "greeting", "hello", "EX", "60"})->str, "OK");
  EXPECT_STREQ(c.cmd({"SET", "greeting", "hi", "XX"})->str, "OK");
  EXPECT_STREQ(c.cmd({"GET", "greeting"})->str, "hi");
  // SET ... XX replaced the value and, without KEEPTTL, cleared the TTL, as Redis does.
  EXPECT_EQ(c.cmd({"TTL", "greeting"})->integer, -1);
  EXPECT_STREQ(c.cmd({"SET", "greeting", "hello", "EX", "60"})->str, "OK");
  long long ttl = c.cmd({"TTL", "greeting"})->integer;
  EXPECT_GE(ttl, 59);
  EXPECT_LE(ttl, 60);
}

// TIME answers in microseconds, as Redis: not milliseconds times 1000.
TEST_F(ServerTest, TimeHasMicroseconds) {
  Conn c(server_.port());
  bool sub_millisecond = false;
  for (int i = 0; i < 20 && !sub_millisecond; ++i) {
    Reply r = c.cmd({"TIME"});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->elements, 2u);
    long long us = std::stoll(r->element[1]->str);
    EXPECT_GE(us, 0);
    EXPECT_LT(us, 1000000);
    sub_millisecond = us % 1000 != 0;
  }
  EXPECT_TRUE(sub_millisecond) << "20 TIME replies all ended in 000";
}

// --version and -v print the version line and exit; a busy port's error names the port.
TEST(ServerCli, VersionAndBusyPort) {
  for (const char* flag : {"--version", "-v"}) {
    FILE* p = popen((server_binary() + " " + flag).c_str(), "r");
    ASSERT_NE(p, nullptr);
    char line[256] = {};
    ASSERT_NE(fgets(line, sizeof(line), p), nullptr);
    EXPECT_EQ(pclose(p), 0) << flag;
    EXPECT_TRUE(std::regex_search(line, std::regex("^basalt-server v=[0-9]+\\.[0-9]+\\.[0-9]+ ")))
        << line;
  }
  ServerProcess first;
  std::string log = ::testing::TempDir() + "/basalt_busy_port.txt";
  pid_t pid = spawn({server_binary(), "--port", std::to_string(first.port()), "--http-port", "0",
                     "--admin-port", "0"},
                    SpawnOptions{0, log});
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("could not listen on 127.0.0.1:" + std::to_string(first.port()) +
                      " (RESP port): address already in use"),
            std::string::npos)
      << text;
  // Under ASan: the handles a failed start opened are closed, and the loop frees what it held.
  EXPECT_EQ(text.find("LeakSanitizer"), std::string::npos) << text;
}

TEST_F(ServerTest, PushAndPopWithCount) {
  Conn c(server_.port());
  EXPECT_EQ(c.cmd({"RPUSH", "jobs", "a", "b", "c"})->integer, 3);
  Reply r = c.cmd({"LPOP", "jobs", "2"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(r->elements, 2u);
  EXPECT_STREQ(r->element[0]->str, "a");
  EXPECT_STREQ(r->element[1]->str, "b");
}

TEST_F(ServerTest, PipelineOfTenThousandCommandsKeepsOrder) {
  Conn c(server_.port());
  constexpr int kN = 10000;
  for (int i = 0; i < kN; ++i) c.append({"SET", "k" + std::to_string(i), std::to_string(i * 7)});
  for (int i = 0; i < kN; ++i) c.append({"GET", "k" + std::to_string(i)});
  for (int i = 0; i < kN; ++i) ASSERT_STREQ(c.read()->str, "OK");
  for (int i = 0; i < kN; ++i) ASSERT_EQ(std::string(c.read()->str), std::to_string(i * 7));
}

// Over a keyspace large enough for the server to prefetch ahead of pipelined requests (see
// RespConnection::prefetch_next), a stream mixing keyed and keyless requests, inline ones, empty
// ones (*0), SELECTs between databases and SETs that grow the table, arriving in pieces of odd
// sizes, gets every reply right and in order.
TEST_F(ServerTest, PipelinesOverALargeKeyspaceAnswerEveryRequest) {
  constexpr int kKeys0 = 30000, kKeys1 = 20000, kRequests = 6000;
  {
    Conn c(server_.port());
    for (int i = 0; i < kKeys0; ++i)
      c.append({"SET", "k" + std::to_string(i), "v" + std::to_string(i)});
    c.append({"SELECT", "1"});
    for (int i = 0; i < kKeys1; ++i)
      c.append({"SET", "k" + std::to_string(i), "w" + std::to_string(i)});
    for (int i = 0; i < kKeys0 + kKeys1 + 1; ++i) ASSERT_STREQ(c.read()->str, "OK");
  }
  auto bulk = [](const std::string& v) {
    return "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
  };
  auto command = [&](std::initializer_list<std::string> args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (const std::string& a : args) out += bulk(a);
    return out;
  };
  std::string stream, expected;
  int db = 0;
  for (int i = 0; i < kRequests; ++i) {
    const int j = static_cast<int>((i * 7919LL) % kKeys0);
    const std::string key = "k" + std::to_string(j);
    const std::string value = db == 0 ? "v" + std::to_string(j) : "w" + std::to_string(j);
    const bool present = db == 0 || j < kKeys1;
    if (i % 500 == 250) {
      db = 1 - db;
      stream += command({"SELECT", std::to_string(db)});
      expected += "+OK\r\n";
    } else if (i % 97 == 0) {
      stream += command({"SET", "new" + std::to_string(i), "x"});
      expected += "+OK\r\n";
    } else if (i % 53 == 0) {
      stream += "*0\r\n";
    } else if (i % 41 == 0) {
      stream += command({"PING"});
      expected += "+PONG\r\n";
    } else if (i % 37 == 0) {
      stream += "GET " + key + "\r\n";
      expected += present ? bulk(value) : "$-1\r\n";
    } else {
      stream += command({"GET", key});
      expected += present ? bulk(value) : "$-1\r\n";
    }
  }
  RawSocket s(server_.port());
  std::mt19937 rng(5);
  for (size_t at = 0; at < stream.size();) {
    const size_t n = std::min<size_t>(stream.size() - at, 1 + rng() % 3000);
    s.send_all(std::string_view(stream).substr(at, n));
    at += n;
    if (rng() % 4 == 0) std::this_thread::sleep_for(100us);
  }
  EXPECT_EQ(s.read_n(expected.size()), expected);
}

TEST_F(ServerTest, LargeBinaryValueRoundTrips) {
  Conn c(server_.port());
  std::string value(8 * 1024 * 1024, '\0');
  for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>((i * 131) & 0xff);
  EXPECT_STREQ(c.cmd({"SET", "big", value})->str, "OK");
  Reply r = c.cmd({"GET", "big"});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(r->str, r->len), value);
}

TEST_F(ServerTest, RequestSplitIntoSingleBytesParses) {
  RawSocket s(server_.port());
  std::string req = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  for (char ch : req) {
    s.send_all(std::string_view(&ch, 1));
    std::this_thread::sleep_for(200us);
  }
  EXPECT_EQ(s.read_n(16), "+OK\r\n$5\r\nvalue\r\n");
}

TEST_F(ServerTest, InlineCommandsWork) {
  RawSocket s(server_.port());
  s.send_all("PING\r\nSET \"a key\" 'v 1'\r\nGET \"a key\"\n");
  EXPECT_EQ(s.read_n(22), "+PONG\r\n+OK\r\n$3\r\nv 1\r\n");
}

TEST_F(ServerTest, ProtocolErrorClosesOnlyThatConnection) {
  Conn other(server_.port());
  RawSocket s(server_.port());
  s.send_all("*1\r\n$x\r\n");
  std::string reply = s.read_n(200);
  EXPECT_EQ(reply, "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_TRUE(s.closed_by_peer());
  EXPECT_STREQ(other.cmd({"PING"})->str, "PONG");
}

TEST_F(ServerTest, OversizedBulkIsRefused) {
  RawSocket s(server_.port());
  s.send_all("*2\r\n$3\r\nGET\r\n$999999999999\r\n");
  EXPECT_EQ(s.read_n(200), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_TRUE(s.closed_by_peer());
}

TEST_F(ServerTest, UnknownCommandAndArityErrors) {
  Conn c(server_.port());
  Reply r = c.cmd({"NOSUCH", "a", "b"});
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_STREQ(r->str, "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ");
  r = c.cmd({"GET"});
  EXPECT_STREQ(r->str, "ERR wrong number of arguments for 'get' command");
}

TEST_F(ServerTest, BlockingPopIsServedByPushFromAnotherClient) {
  Conn waiter(server_.port());
  Conn pusher(server_.port());
  waiter.append({"BLPOP", "queue", "5"});
  redisBufferWrite(waiter.ctx(), nullptr);
  int done = 0;
  while (!done) redisBufferWrite(waiter.ctx(), &done);
  std::this_thread::sleep_for(100ms);  // the waiter is blocked by now
  EXPECT_EQ(pusher.cmd({"RPUSH", "queue", "job1"})->integer, 1);
  Reply r = waiter.read();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  EXPECT_STREQ(r->element[0]->str, "queue");
  EXPECT_STREQ(r->element[1]->str, "job1");
  // The element went to the blocked client, not into the list.
  EXPECT_EQ(pusher.cmd({"LLEN", "queue"})->integer, 0);
}

TEST_F(ServerTest, BlockedClientsAreServedInArrivalOrder) {
  Conn first(server_.port()), second(server_.port()), pusher(server_.port());
  first.append({"BRPOP", "q", "5"});
  int done = 0;
  while (!done) redisBufferWrite(first.ctx(), &done);
  std::this_thread::sleep_for(50ms);
  second.append({"BRPOP", "q", "5"});
  done = 0;
  while (!done) redisBufferWrite(second.ctx(), &done);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(pusher.cmd({"LPUSH", "q", "x"})->integer, 1);
  EXPECT_STREQ(first.read()->element[1]->str, "x");
  EXPECT_EQ(pusher.cmd({"LPUSH", "q", "y"})->integer, 1);
  EXPECT_STREQ(second.read()->element[1]->str, "y");
}

TEST_F(ServerTest, BlockingPopTimesOutWithNil) {
  Conn c(server_.port());
  auto start = std::chrono::steady_clock::now();
  Reply r = c.cmd({"BLPOP", "empty", "0.2"});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, REDIS_REPLY_NIL);
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 2s);
  // The connection goes on afterwards.
  EXPECT_STREQ(c.cmd({"PING"})->str, "PONG");
}

TEST_F(ServerTest, PipelinedCommandsAfterABlockingOneWaitForIt) {
  Conn c(server_.port()), pusher(server_.port());
  c.append({"BLPOP", "q2", "5"});
  c.append({"GET", "after"});
  int done = 0;
  while (!done) redisBufferWrite(c.ctx(), &done);
  std::this_thread::sleep_for(50ms);
  pusher.cmd({"SET", "after", "set-later"});
  pusher.cmd({"RPUSH", "q2", "v"});
  EXPECT_STREQ(c.read()->element[1]->str, "v");
  // GET ran after BLPOP was served, so it sees the SET made while it waited.
  EXPECT_STREQ(c.read()->str, "set-later");
}

TEST_F(ServerTest, TransactionsAndWatch) {
  Conn a(server_.port()), b(server_.port());
  EXPECT_STREQ(a.cmd({"WATCH", "balance"})->str, "OK");
  EXPECT_STREQ(a.cmd({"MULTI"})->str, "OK");
  EXPECT_STREQ(a.cmd({"INCRBY", "balance", "10"})->str, "QUEUED");
  EXPECT_EQ(b.cmd({"SET", "balance", "100"})->type, REDIS_REPLY_STATUS);
  Reply r = a.cmd({"EXEC"});
  EXPECT_EQ(r->type, REDIS_REPLY_NIL);  // aborted: the watched key changed
  EXPECT_STREQ(a.cmd({"MULTI"})->str, "OK");
  a.cmd({"INCRBY", "balance", "10"});
  a.cmd({"GET", "balance"});
  r = a.cmd({"EXEC"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  EXPECT_EQ(r->element[0]->integer, 110);
  EXPECT_STREQ(r->element[1]->str, "110");
}

TEST_F(ServerTest, ClientReplyOffAndSkipWithholdRepliesButRunCommands) {
  RawSocket s(server_.port());
  // OFF silences its own reply and every later one until ON, whose +OK is sent.
  s.send_all("CLIENT REPLY OFF\r\nSET a 1\r\nPING\r\nCLIENT REPLY ON\r\nGET a\r\n");
  EXPECT_EQ(s.read_n(12), "+OK\r\n$1\r\n1\r\n");
  // SKIP silences itself and the next command only.
  s.send_all("CLIENT REPLY SKIP\r\nSET b 2\r\nGET b\r\n");
  EXPECT_EQ(s.read_n(7), "$1\r\n2\r\n");
  // A blocked command served while replies are off sends nothing either.
  s.send_all("CLIENT REPLY OFF\r\nBLPOP q 0\r\n");
  Conn other(server_.port());
  EXPECT_EQ(other.cmd({"RPUSH", "q", "x"})->integer, 1);
  s.send_all("CLIENT REPLY ON\r\nLLEN q\r\n");
  EXPECT_EQ(s.read_n(9), "+OK\r\n:0\r\n") << "BLPOP popped the element without replying";
  s.send_all("CLIENT REPLY MAYBE\r\n");
  EXPECT_EQ(s.read_n(17), "-ERR syntax error\r\n");
}

TEST_F(ServerTest, KeysExpireOverTimeAndAreReclaimedWithoutAccess) {
  Conn c(server_.port());
  EXPECT_STREQ(c.cmd({"SET", "short", "v", "PX", "100"})->str, "OK");
  for (int i = 0; i < 1000; ++i) c.append({"SET", "tmp:" + std::to_string(i), "v", "PX", "50"});
  for (int i = 0; i < 1000; ++i) c.read();
  EXPECT_EQ(c.cmd({"DBSIZE"})->integer, 1001);
  std::this_thread::sleep_for(250ms);
  EXPECT_EQ(c.cmd({"GET", "short"})->type, REDIS_REPLY_NIL);
  // Active expiry (hz 10) reclaims the rest without anyone reading them.
  long long keys = -1;
  for (int i = 0; i < 50 && keys != 0; ++i) {
    std::this_thread::sleep_for(100ms);
    keys = c.cmd({"DBSIZE"})->integer;
  }
  EXPECT_EQ(keys, 0);
}

TEST_F(ServerTest, SigtermExitsCleanly) {
  Conn c(server_.port());
  c.cmd({"SET", "k", "v"});
  EXPECT_EQ(server_.stop(SIGTERM), 0);
}

TEST_F(ServerTest, ShutdownCommandExitsCleanly) {
  Conn c(server_.port());
  c.cmd({"SHUTDOWN", "NOSAVE"});
  EXPECT_EQ(server_.wait_exit(), 0);
}

TEST(ServerLimits, MaxClientsRefusesTheExtraClient) {
  ServerProcess server({"--maxclients", "2"});
  Conn a(server.port()), b(server.port());
  EXPECT_STREQ(a.cmd({"PING"})->str, "PONG");
  RawSocket third(server.port());
  EXPECT_EQ(third.read_n(100), "-ERR max number of clients reached\r\n");
  EXPECT_STREQ(b.cmd({"PING"})->str, "PONG");
}

TEST(ServerLimits, QueryBufferLimitDisconnectsOnlyTheOffender) {
  ServerProcess server({"--client-query-buffer-limit", "1mb"});
  Conn other(server.port());
  RawSocket s(server.port());
  s.send_all("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000000\r\n");
  s.send_all(std::string(2 * 1024 * 1024, 'x'));
  EXPECT_TRUE(s.closed_by_peer());
  EXPECT_STREQ(other.cmd({"PING"})->str, "PONG");
}

TEST(ServerLimits, SlowReaderOverTheOutputLimitIsDisconnected) {
  ServerProcess server({"--client-output-buffer-limit", "normal 1mb 0 0"});
  Conn writer(server.port());
  const std::string value(100000, 'x');
  EXPECT_STREQ(writer.cmd({"SET", "big", value})->str, "OK");
  RawSocket slow(server.port());
  std::string requests;
  for (int i = 0; i < 200; ++i) requests += "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n";
  slow.send_all(requests);  // 20 MB of replies that it does not read
  std::this_thread::sleep_for(300ms);
  std::string got = slow.read_n(200 * (value.size() + 16));
  EXPECT_LT(got.size(), 200 * value.size()) << "the server sent every reply instead of cutting off";
  EXPECT_STREQ(writer.cmd({"PING"})->str, "PONG");
  EXPECT_EQ(writer.cmd({"STRLEN", "big"})->integer, 100000);
}

TEST(ServerLimits, RequirePassGatesCommands) {
  ServerProcess server({"--requirepass", "s3cret"});
  Conn c(server.port());
  Reply r = c.cmd({"GET", "k"});
  EXPECT_STREQ(r->str, "NOAUTH Authentication required.");
  r = c.cmd({"AUTH", "wrong"});
  EXPECT_STREQ(r->str, "WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_STREQ(c.cmd({"AUTH", "s3cret"})->str, "OK");
  EXPECT_EQ(c.cmd({"GET", "k"})->type, REDIS_REPLY_NIL);
}

TEST(ServerLimits, IdleClientsAreClosedAfterTimeout) {
  ServerProcess server({"--timeout", "1"});
  RawSocket s(server.port());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(s.closed_by_peer());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
}

TEST(ServerLimits, UnauthenticatedClientsMaySendOnlySmallRequests) {
  ServerProcess server({"--requirepass", "s3cret"});
  RawSocket many(server.port());
  many.send_all("*11\r\n");
  EXPECT_EQ(many.read_n(52), "-ERR Protocol error: unauthenticated multibulk length\r\n");
  EXPECT_TRUE(many.closed_by_peer());
  RawSocket big(server.port());
  big.send_all("*2\r\n$4\r\nAUTH\r\n$16385\r\n");
  EXPECT_EQ(big.read_n(47), "-ERR Protocol error: unauthenticated bulk length\r\n");
  EXPECT_TRUE(big.closed_by_peer());
  // Once authenticated, the usual limits apply.
  Conn c(server.port());
  EXPECT_STREQ(c.cmd({"AUTH", "s3cret"})->str, "OK");
  EXPECT_STREQ(c.cmd({"SET", "k", std::string(100000, 'x')})->str, "OK");
}

TEST(ServerClients, ClientListShowsAddressesThatKillAccepts) {
  ServerProcess server;
  Conn victim(server.port()), killer(server.port());
  std::string info = victim.cmd({"CLIENT", "INFO"})->str;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(info, m, std::regex(" addr=(127\\.0\\.0\\.1:[0-9]+) "))) << info;
  std::string addr = m[1];
  EXPECT_NE(info.find(" laddr=127.0.0.1:" + std::to_string(server.port()) + " "), std::string::npos)
      << info;
  EXPECT_EQ(info.find(" fd=-1 "), std::string::npos) << info;
  EXPECT_EQ(killer.cmd({"CLIENT", "KILL", "ADDR", addr})->integer, 1);
  EXPECT_EQ(victim.cmd({"PING"}).get(), nullptr) << "the killed connection is closed";
}

TEST(ServerConfig, ConfigFileIsReadAndNamedInInfo) {
  char path[] = "/tmp/basalt-test-conf-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string text = "# a redis.conf-style file\ndatabases 4\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  {
    ServerProcess server({"--config", path});
    Conn c(server.port());
    std::string info = c.cmd({"INFO", "server"})->str;
    EXPECT_NE(info.find(std::string("config_file:") + path + "\r\n"), std::string::npos) << info;
    EXPECT_STREQ(c.cmd({"SELECT", "4"})->str, "ERR DB index is out of range");
  }
  unlink(path);
}

TEST(ServerConfig, InvalidValueStopsStartupNamingTheParameter) {
  std::string cmd = server_binary() + " --port 70000 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[512] = {0};
  size_t n = fread(buf, 1, sizeof(buf) - 1, p);
  int status = pclose(p);
  std::string out(buf, n);
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_NE(out.find("port"), std::string::npos) << out;
  EXPECT_NE(out.find("between 0 and 65535"), std::string::npos) << out;
}

}  // namespace
}  // namespace basalt::testing
