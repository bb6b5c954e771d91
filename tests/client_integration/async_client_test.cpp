// The AsyncClient against the real servers: futures from its own thread, callbacks on the
// caller's loop, a server restart, timeouts, and requests that must never hang.
#include "basalt/async_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <future>
#include <thread>

#include "basalt/client.hpp"
#include "client_integration/servers.hpp"

namespace basalt::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using Kind = ChildServer::Kind;

std::string KindName(const ::testing::TestParamInfo<Kind>& info) {
  return info.param == Kind::kBasalt ? "basalt" : "redis";
}

template <class T>
T Get(std::future<T>& f) {
  if (f.wait_for(10s) != std::future_status::ready) throw std::runtime_error("future hung");
  return f.get();
}
template <class T>
T Get(std::future<T>&& f) {
  return Get(f);
}

class AsyncTest : public ::testing::TestWithParam<Kind> {
 protected:
  AsyncTest() : server_(GetParam()) {}
  Options options() const { return Options{.port = server_.port()}; }
  ChildServer server_;
};

TEST_P(AsyncTest, TypedMethodsReturnFutures) {
  AsyncClient db(options());
  EXPECT_TRUE(Get(db.set("k", "v")));
  EXPECT_EQ(Get(db.get("k")), "v");
  EXPECT_EQ(Get(db.get("missing")), std::nullopt);
  EXPECT_EQ(Get(db.push("l", {"a", "b"})), 2);
  EXPECT_THAT(Get(db.range("l")), ElementsAre("a", "b"));
  EXPECT_EQ(Get(db.pop_blocking("l", 1s)), "a");
  EXPECT_EQ(Get(db.pop_blocking("empty", 100ms)), std::nullopt);
  Get(db.mset({{"x", "1"}, {"y", "2"}}));
  EXPECT_THAT(Get(db.mget({"x", "y"})), ElementsAre("1", "2"));
  EXPECT_EQ(Get(db.command({"INCR", "x"})), Reply::integer(2));
  EXPECT_EQ(Get(db.sadd("s", {"a", "b"})), 2);
  EXPECT_EQ(Get(db.smismember("s", {"b", "c"})), (std::vector<bool>{true, false}));
  EXPECT_EQ(Get(db.zadd("z", {{"m", 1.5}, {"n", 2}})), 2);
  EXPECT_EQ(Get(db.zrange_with_scores("z")), (std::vector<ScoredMember>{{"m", 1.5}, {"n", 2}}));
  EXPECT_EQ(Get(db.zpopmax("z")), (ScoredMember{"n", 2}));
  EXPECT_TRUE(db.connected());
  EXPECT_EQ(db.protocol(), 3);
}

TEST_P(AsyncTest, ServerErrorsThroughFuturesAndCallbacks) {
  AsyncClient db(options());
  Get(db.push("l", "x"));
  auto f = db.get("l");
  try {
    Get(f);
    FAIL();
  } catch (const ServerError& e) {
    EXPECT_EQ(e.code(), "WRONGTYPE");
  }
  std::promise<Reply> p;
  db.command({"GET", "l"}, [&](Reply r, std::exception_ptr e) {
    EXPECT_EQ(e, nullptr);
    p.set_value(std::move(r));
  });
  EXPECT_TRUE(Get(p.get_future()).is_error());
}

TEST_P(AsyncTest, ManyRequestsInFlightCompleteInOrder) {
  AsyncClient db(options());
  std::vector<std::future<int64_t>> results;
  for (int i = 0; i < 20000; ++i) results.push_back(db.incr("n"));
  for (int i = 0; i < 20000; ++i) ASSERT_EQ(Get(results[i]), i + 1);
}

TEST_P(AsyncTest, RequestsFromManyThreads) {
  AsyncClient db(options());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<std::future<int64_t>> fs;
      for (int i = 0; i < 1000; ++i) fs.push_back(db.incr("n"));
      for (auto& f : fs) {
        try {
          ok += Get(f) > 0;
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();  // not on this thread's stack: report, don't terminate
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 4000);
  EXPECT_EQ(Get(db.get("n")), "4000");
}

TEST_P(AsyncTest, CallersLoopWithCallbacks) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    AsyncClient db(&loop, options());
    int done = 0;
    std::vector<int64_t> values;
    for (int i = 0; i < 100; ++i) {
      db.command({"INCR", "n"}, [&](Reply r, std::exception_ptr e) {
        ASSERT_EQ(e, nullptr);
        values.push_back(r.integer());
        ++done;
        if (done == 100) {
          // Issued from a callback: goes out in the next turn.
          db.command({"GET", "n"}, [&](Reply r2, std::exception_ptr) {
            EXPECT_EQ(r2, Reply::bulk("100"));
            ++done;
          });
        }
      });
    }
    uv_run(&loop, UV_RUN_DEFAULT);  // returns once nothing is pending
    EXPECT_EQ(done, 101);
    ASSERT_EQ(values.size(), 100u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(values[i], i + 1);
    EXPECT_TRUE(db.connected());
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST_P(AsyncTest, ServerRestartFailsInFlightRequestsThenRecovers) {
  std::atomic<int> ups{0}, downs{0};
  AsyncClient db(options(), {.reconnect_min_delay = 20ms,
                             .reconnect_max_delay = 200ms,
                             .on_connection_change = [&](bool up, std::string_view) {
                               (up ? ups : downs)++;
                             }});
  EXPECT_EQ(Get(db.set("k", "v")), true);
  // A blocking request is in flight when the server dies: it must fail, not hang.
  auto blocked = db.pop_blocking("never", 30s);
  std::this_thread::sleep_for(100ms);
  server_.stop(SIGKILL);
  try {
    Get(blocked);
    FAIL() << "no error";
  } catch (const ConnectionError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("lost"));
  }
  // While it is down, requests fail within a bounded time (one attempt), never hang.
  auto during = db.ping();
  EXPECT_THROW(Get(during), ConnectionError);
  server_.start();
  // Back up: requests succeed again after the reconnect.
  bool recovered = false;
  for (int i = 0; i < 100 && !recovered; ++i) {
    try {
      recovered = Get(db.ping()) == "PONG";
    } catch (const ConnectionError&) {
      std::this_thread::sleep_for(50ms);
    }
  }
  EXPECT_TRUE(recovered);
  EXPECT_GE(downs, 1);
  EXPECT_GE(ups, 2);
}

TEST_P(AsyncTest, ConnectionCallbackSetLater) {
  AsyncClient db(options());
  Get(db.ping());
  std::promise<std::string> down;
  db.on_connection_change([&, once = false](bool up, std::string_view reason) mutable {
    if (!up && !once) {
      once = true;
      down.set_value(std::string(reason));
    }
  });
  server_.stop(SIGKILL);
  auto f = down.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_THAT(f.get(), ::testing::HasSubstr("lost"));
}

TEST_P(AsyncTest, RepeatedRestartsUnderLoadNeverHang) {
  AsyncClient db(options(), {.reconnect_min_delay = 10ms, .reconnect_max_delay = 100ms});
  std::atomic<bool> done{false};
  std::atomic<int> ok{0}, failed{0}, hung{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&] {
      while (!done) {
        std::vector<std::future<int64_t>> batch;
        for (int i = 0; i < 50; ++i) batch.push_back(db.incr("n"));
        for (auto& f : batch) {
          if (f.wait_for(10s) != std::future_status::ready) {
            ++hung;
            continue;
          }
          try {
            f.get();
            ++ok;
          } catch (const ConnectionError&) {
            ++failed;
          }
        }
      }
    });
  }
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(150ms);
    server_.restart();
  }
  std::this_thread::sleep_for(300ms);
  done = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(hung, 0);
  EXPECT_GT(ok, 0);
  EXPECT_GT(failed, 0);
  EXPECT_EQ(Get(db.ping()), "PONG");
}

TEST_P(AsyncTest, DestroyingFailsPendingRequests) {
  std::future<std::optional<std::string>> pending;
  {
    AsyncClient db(options());
    Get(db.ping());
    pending = db.pop_blocking("never", 0ms);
  }
  EXPECT_THROW(Get(pending), ConnectionError);
}

INSTANTIATE_TEST_SUITE_P(Servers, AsyncTest, ::testing::Values(Kind::kBasalt, Kind::kRedis),
                         KindName);

TEST(AsyncTimeouts, UnreachableServerFailsRequestsQuickly) {
  AsyncClient db({.port = free_port(), .connect_timeout = 500ms});
  auto f = db.get("k");
  EXPECT_THROW(Get(f), ConnectionError);
  EXPECT_FALSE(db.connected());
}

TEST(AsyncTimeouts, ServerThatNeverAnswersTheHandshake) {
  FakeServer silent([](int fd, FakeServer& self) { self.idle(fd); });
  AsyncClient db({.port = silent.port(), .connect_timeout = 300ms});
  auto f = db.get("k");
  EXPECT_THROW(Get(f), TimeoutError);
}

TEST(AsyncTimeouts, CommandTimeout) {
  FakeServer server([](int fd, FakeServer& self) {
    self.read_for(fd, 100);
    const std::string err = "-ERR unknown command 'HELLO'\r\n";
    send(fd, err.data(), err.size(), MSG_NOSIGNAL);
    self.idle(fd);
  });
  AsyncClient db({.port = server.port(), .command_timeout = 300ms});
  const auto start = std::chrono::steady_clock::now();
  auto a = db.get("a");
  auto b = db.get("b");
  EXPECT_THROW(Get(a), TimeoutError);
  EXPECT_THROW(Get(b), TimeoutError);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace basalt::testing
