// What the clients do on the wire, read from their own sockets: the options they set (TCP_NODELAY,
// keepalive), a pipeline and one loop turn's async requests each leaving in one write, how they
// wait for replies (Options::busy_poll), and the reconnection backoff doubling up to its cap.
#include <gtest/gtest.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <time.h>
#include <uv.h>

#include <chrono>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "basalt/async_client.hpp"
#include "basalt/client.hpp"
#include "client_integration/servers.hpp"

namespace basalt::testing {

// Segments carrying data that the socket has sent, pure ACKs not counted (tcp_info.cpp); -1 if
// the kernel does not say.
int64_t DataSegmentsOut(int fd);

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// This process's TCP socket connected to 127.0.0.1:`port` (the client under test's), or -1.
int SocketTo(int port) {
  for (int fd = 0; fd < 1024; ++fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_in peer{};
    socklen_t len = sizeof(peer);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) continue;
    if (peer.sin_family == AF_INET && ntohs(peer.sin_port) == port) return fd;
  }
  return -1;
}

int IntOption(int fd, int level, int name) {
  int value = -1;
  socklen_t len = sizeof(value);
  EXPECT_EQ(getsockopt(fd, level, name, &value, &len), 0);
  return value;
}

// CPU time the calling thread has used so far.
Clock::duration ThreadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// The callback of an INCR n: checks that it succeeded and that each reply counts one up.
ReplyCallback CountingIncr(int& answered) {
  return [&answered](Reply r, std::exception_ptr e) {
    EXPECT_EQ(e, nullptr);
    EXPECT_EQ(r.integer(), ++answered);
  };
}

// Runs a caller's-loop AsyncClient until its requests are answered.
struct Loop {
  Loop() { uv_loop_init(&loop); }
  ~Loop() {
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
  void run() { uv_run(&loop, UV_RUN_DEFAULT); }
  uv_loop_t loop;
};

class Transport : public ::testing::Test {
 protected:
  ChildServer server_{ChildServer::Kind::kBasalt};
};

// Connects a client of type C with `options`, then reads the options off its socket.
template <class C>
void ExpectSocketOptions(const Options& options, int nodelay, int keepalive, int keepidle) {
  C db(options);
  if constexpr (std::is_same_v<C, AsyncClient>) {
    db.ping().get();
  } else {
    db.ping();
  }
  const int fd = SocketTo(options.port);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_NODELAY), nodelay);
  EXPECT_EQ(IntOption(fd, SOL_SOCKET, SO_KEEPALIVE), keepalive);
  if (keepalive) {
    EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPIDLE), keepidle);
  }
}

TEST_F(Transport, SyncClientSetsNoDelayAndKeepalive) {
  ExpectSocketOptions<Client>({.port = server_.port(), .keepalive = 45s}, 1, 1, 45);
  ExpectSocketOptions<Client>({.port = server_.port(), .tcp_nodelay = false, .keepalive = 0s}, 0, 0,
                              0);
}

TEST_F(Transport, AsyncClientSetsNoDelayAndKeepalive) {
  ExpectSocketOptions<AsyncClient>({.port = server_.port(), .keepalive = 45s}, 1, 1, 45);
  ExpectSocketOptions<AsyncClient>({.port = server_.port(), .tcp_nodelay = false, .keepalive = 0s},
                                   0, 0, 0);
}

// With TCP_NODELAY every write() leaves as at least one segment, so the count of data segments
// tells writes apart: 200 requests written one by one would be 200 segments.
TEST_F(Transport, PipelineLeavesInOneWrite) {
  Client db({.port = server_.port()});
  db.ping();
  const int fd = SocketTo(server_.port());
  ASSERT_GE(fd, 0);
  const int64_t before = DataSegmentsOut(fd);
  ASSERT_GE(before, 0);
  auto p = db.pipeline();
  for (int i = 0; i < 200; ++i) p.incr("n");
  ASSERT_EQ(p.execute().size(), 200u);
  EXPECT_LE(DataSegmentsOut(fd) - before, 2);
  EXPECT_EQ(db.get("n"), "200");
}

TEST_F(Transport, OneLoopTurnsAsyncRequestsLeaveInOneWrite) {
  Loop l;
  AsyncClient db(&l.loop, {.port = server_.port()});
  bool up = false;
  db.command({"PING"}, [&](Reply r, std::exception_ptr e) { up = !e && !r.is_error(); });
  l.run();
  ASSERT_TRUE(up);
  const int fd = SocketTo(server_.port());
  ASSERT_GE(fd, 0);

  const int64_t before = DataSegmentsOut(fd);
  ASSERT_GE(before, 0);
  int answered = 0;
  for (int i = 0; i < 200; ++i) {
    db.command({"INCR", "n"}, CountingIncr(answered));
  }
  l.run();
  EXPECT_EQ(answered, 200);
  EXPECT_LE(DataSegmentsOut(fd) - before, 2);
}

// Busy polling, measured in the waiting thread's CPU time: with a budget of 100 ms and a server
// that never answers, the client spins about 100 ms and then sleeps until the 1.5 s timeout.
// Spinning to the end would cost over 0.5 s of CPU even on a third of a core; not spinning at
// all, under a millisecond. The lower bound leaves room for a loaded machine's scheduler. RESP2
// makes the connection ready without a handshake.
constexpr auto kSpinBudget = 100ms;
constexpr auto kSilentTimeout = 1500ms;

TEST(BusyPoll, SyncClientSpinsForItsBudgetThenSleeps) {
  FakeServer silent([](int fd, FakeServer& self) { self.idle(fd); });
  for (const auto budget :
       {std::chrono::microseconds::zero(), std::chrono::microseconds(kSpinBudget)}) {
    Client db({.port = silent.port(),
               .command_timeout = kSilentTimeout,
               .busy_poll = budget,
               .protocol = 2});
    const auto cpu = ThreadCpu();
    EXPECT_THROW(db.get("k"), TimeoutError);
    const auto spent = ThreadCpu() - cpu;
    if (budget == budget.zero()) {
      EXPECT_LT(spent, 20ms);
    } else {
      EXPECT_GE(spent, 5ms);
      EXPECT_LE(spent, 400ms);
    }
  }
}

TEST(BusyPoll, AsyncClientSpinsForItsBudgetThenSleeps) {
  FakeServer silent([](int fd, FakeServer& self) { self.idle(fd); });
  Loop l;
  AsyncClient db(&l.loop, {.port = silent.port(),
                           .command_timeout = kSilentTimeout,
                           .busy_poll = kSpinBudget,
                           .protocol = 2});
  bool timed_out = false;
  const auto cpu = ThreadCpu();
  db.command({"GET", "k"}, [&](Reply, std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const TimeoutError&) {
      timed_out = true;
    } catch (...) {
    }
  });
  l.run();
  const auto spent = ThreadCpu() - cpu;
  EXPECT_TRUE(timed_out);
  EXPECT_GE(spent, 5ms);
  EXPECT_LE(spent, 400ms);
}

// The spin ends with the last reply, however much budget is left: the loop then sleeps.
TEST_F(Transport, AsyncClientStopsSpinningWhenRepliesAreIn) {
  Loop l;
  AsyncClient db(&l.loop, {.port = server_.port(), .busy_poll = 10s});
  int answered = 0;
  for (int i = 0; i < 3; ++i) {
    db.command({"INCR", "n"}, CountingIncr(answered));
    l.run();
  }
  ASSERT_EQ(answered, 3);
  uv_timer_t pause;
  uv_timer_init(&l.loop, &pause);
  uv_timer_start(
      &pause, [](uv_timer_t*) {}, 300, 0);
  const auto cpu = ThreadCpu();
  l.run();
  EXPECT_LT(ThreadCpu() - cpu, 60ms);
  uv_close(reinterpret_cast<uv_handle_t*>(&pause), nullptr);
}

// Replies read while spinning are whole and in order, small and large alike.
TEST_F(Transport, BusyPollingClientsReadEveryReply) {
  const std::string big(3 << 20, 'x');
  Client db({.port = server_.port(), .busy_poll = 50us});
  db.set("big", big);
  EXPECT_EQ(db.get("big"), big);
  auto p = db.pipeline();
  for (int i = 0; i < 500; ++i) p.incr("n");
  const auto replies = p.execute();
  ASSERT_EQ(replies.size(), 500u);
  EXPECT_EQ(replies.back().integer(), 500);

  AsyncClient async({.port = server_.port(), .busy_poll = 50us});
  auto got = async.get("big");
  auto n = async.incr("n");
  EXPECT_EQ(got.get(), big);
  EXPECT_EQ(n.get(), 501);
}

// A server that takes each connection and closes it at once: every attempt fails in its
// handshake, and the client tries again after 10, 20, 40 ms, then every 40 ms (the cap).
TEST(Reconnect, BackoffDoublesUpToItsCap) {
  std::mutex mu;
  std::vector<Clock::time_point> attempts;
  FakeServer closer([&](int, FakeServer&) {
    std::lock_guard lock(mu);
    attempts.push_back(Clock::now());
  });
  AsyncClient db({.port = closer.port()},
                 {.reconnect_min_delay = 10ms, .reconnect_max_delay = 40ms});
  const auto give_up = Clock::now() + 20s;
  while (Clock::now() < give_up) {
    {
      std::lock_guard lock(mu);
      if (attempts.size() >= 9) break;
    }
    std::this_thread::sleep_for(5ms);
  }
  std::vector<Clock::time_point> seen;
  {
    std::lock_guard lock(mu);
    seen = attempts;
  }
  ASSERT_GE(seen.size(), 9u);
  const std::chrono::milliseconds expected[] = {10ms, 20ms, 40ms, 40ms, 40ms, 40ms, 40ms, 40ms};
  auto later_gaps = Clock::duration::zero();
  for (size_t i = 0; i < 8; ++i) {
    const auto gap = seen[i + 1] - seen[i];
    // The loop's millisecond clock may fire a timer up to a millisecond early.
    EXPECT_GE(gap, expected[i] - 2ms) << "retry " << i + 1;
    if (i >= 4) later_gaps += gap;
  }
  // Capped, the last four waits are 160 ms together; doubling on they would be 2.4 s.
  EXPECT_LT(later_gaps, 1200ms);
  EXPECT_FALSE(db.connected());
}

}  // namespace
}  // namespace basalt::testing
