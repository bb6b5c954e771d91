// What the clients do on the wire, read from their own sockets: the options they set (TCP_NODELAY,
// keepalive), a pipeline and one loop turn's async requests each leaving in one write, and the
// reconnection backoff doubling up to its cap.
#include <gtest/gtest.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
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
    db.command({"INCR", "n"}, [&](Reply r, std::exception_ptr e) {
      EXPECT_EQ(e, nullptr);
      EXPECT_EQ(r.integer(), ++answered);
    });
  }
  l.run();
  EXPECT_EQ(answered, 200);
  EXPECT_LE(DataSegmentsOut(fd) - before, 2);
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
