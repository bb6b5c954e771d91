// The client library against hiredis (0.14, RESP2, the model it follows), both talking to the
// same running basalt-server: a single GET round trip, SET/GET pipelines of 16, 100 and 1000,
// and async throughput with 1, 16 and 256 requests in flight. The Basalt client uses RESP2 here
// too, so both read the same bytes.
//
// The server: $BASALT_BENCH_PORT if set (any RESP server), else a basalt-server started on a free
// port from $BASALT_SERVER_BIN (or the path compiled in). Run with --benchmark_filter=Basalt or
// =Hiredis to see one side; compare the pairs with the same argument.
#include <benchmark/benchmark.h>
#include <hiredis/adapters/libuv.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "basalt/async_client.hpp"
#include "basalt/client.hpp"
#include "integration/server_process.hpp"

namespace {

using Clock = std::chrono::steady_clock;

int Port() {
  static std::unique_ptr<basalt::testing::ServerProcess> server;
  static const int port = [] {
    if (const char* p = std::getenv("BASALT_BENCH_PORT")) return std::atoi(p);
    server = std::make_unique<basalt::testing::ServerProcess>();
    return server->port();
  }();
  return port;
}

basalt::Options BasaltOptions() { return {.port = Port(), .protocol = 2}; }

// The *_BasaltBusyPoll variants: Options::busy_poll on, long enough to cover a local round trip
// with room for the server's hiccups.
basalt::Options BusyPollOptions() {
  basalt::Options o = BasaltOptions();
  o.busy_poll = std::chrono::microseconds(100);
  return o;
}

redisContext* HiredisConnect() {
  redisContext* c = redisConnect("127.0.0.1", Port());
  if (c == nullptr || c->err) std::abort();
  return c;
}

// Per-operation latency percentiles as counters (microseconds).
void ReportLatency(benchmark::State& state, std::vector<double>& ns) {
  if (ns.empty()) return;
  std::sort(ns.begin(), ns.end());
  state.counters["p50_us"] = ns[ns.size() / 2] / 1e3;
  state.counters["p99_us"] = ns[ns.size() * 99 / 100] / 1e3;
}

const std::string kKey = "bench:key";
const std::string kValue(64, 'v');

std::vector<std::string> Keys(size_t n) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < n; ++i) keys.push_back("bench:k" + std::to_string(i));
  return keys;
}

// ---- single GET round trip ------------------------------------------------------------------

void GetRoundTrip(benchmark::State& state, const basalt::Options& options) {
  basalt::Client db(options);
  db.set(kKey, kValue);
  std::vector<double> ns;
  ns.reserve(1 << 20);
  for (auto _ : state) {
    const auto t0 = Clock::now();
    auto v = db.get(kKey);
    benchmark::DoNotOptimize(v);
    ns.push_back(static_cast<double>((Clock::now() - t0).count()));
  }
  ReportLatency(state, ns);
}
void BM_GetRoundTrip_Basalt(benchmark::State& state) { GetRoundTrip(state, BasaltOptions()); }
BENCHMARK(BM_GetRoundTrip_Basalt)->MinTime(2.0);
void BM_GetRoundTrip_BasaltBusyPoll(benchmark::State& state) {
  GetRoundTrip(state, BusyPollOptions());
}
BENCHMARK(BM_GetRoundTrip_BasaltBusyPoll)->MinTime(2.0);

void BM_GetRoundTrip_Hiredis(benchmark::State& state) {
  redisContext* c = HiredisConnect();
  freeReplyObject(redisCommand(c, "SET %s %b", kKey.c_str(), kValue.data(), kValue.size()));
  const char* argv[] = {"GET", kKey.c_str()};
  const size_t lens[] = {3, kKey.size()};
  std::vector<double> ns;
  ns.reserve(1 << 20);
  for (auto _ : state) {
    const auto t0 = Clock::now();
    auto* r = static_cast<redisReply*>(redisCommandArgv(c, 2, argv, lens));
    benchmark::DoNotOptimize(r);
    freeReplyObject(r);
    ns.push_back(static_cast<double>((Clock::now() - t0).count()));
  }
  ReportLatency(state, ns);
  redisFree(c);
}
BENCHMARK(BM_GetRoundTrip_Hiredis)->MinTime(2.0);

// ---- SET/GET pipelines ----------------------------------------------------------------------

void BM_Pipeline_Basalt(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<std::string> keys = Keys(n);
  basalt::Client db(BasaltOptions());
  auto p = db.pipeline();
  for (auto _ : state) {
    for (size_t i = 0; i < n; ++i) {
      if (i % 2 == 0) {
        p.set(keys[i], kValue);
      } else {
        p.get(keys[i - 1]);
      }
    }
    std::vector<basalt::Reply> replies = p.execute();
    benchmark::DoNotOptimize(replies);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_Pipeline_Basalt)->Arg(16)->Arg(100)->Arg(1000)->MinTime(2.0)->UseRealTime();

void BM_Pipeline_Hiredis(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<std::string> keys = Keys(n);
  redisContext* c = HiredisConnect();
  for (auto _ : state) {
    for (size_t i = 0; i < n; ++i) {
      if (i % 2 == 0) {
        const char* argv[] = {"SET", keys[i].c_str(), kValue.data()};
        const size_t lens[] = {3, keys[i].size(), kValue.size()};
        redisAppendCommandArgv(c, 3, argv, lens);
      } else {
        const char* argv[] = {"GET", keys[i - 1].c_str()};
        const size_t lens[] = {3, keys[i - 1].size()};
        redisAppendCommandArgv(c, 2, argv, lens);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      void* r = nullptr;
      if (redisGetReply(c, &r) != REDIS_OK) std::abort();
      benchmark::DoNotOptimize(r);
      freeReplyObject(r);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  redisFree(c);
}
BENCHMARK(BM_Pipeline_Hiredis)->Arg(16)->Arg(100)->Arg(1000)->MinTime(2.0)->UseRealTime();

// ---- async throughput with N requests in flight ----------------------------------------------

constexpr int kAsyncPerIteration = 10000;

struct BasaltAsyncDriver {
  basalt::AsyncClient* client;
  uv_loop_t* loop;
  int remaining = 0;
  int inflight = 0;
  void issue() {
    --remaining;
    ++inflight;
    client->command({"GET", kKey}, [this](basalt::Reply r, std::exception_ptr e) {
      if (e || r.is_error()) std::abort();
      --inflight;
      if (remaining > 0) {
        issue();
      } else if (inflight == 0) {
        uv_stop(loop);
      }
    });
  }
};

void AsyncInFlight(benchmark::State& state, const basalt::Options& options) {
  const int depth = static_cast<int>(state.range(0));
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    basalt::AsyncClient client(&loop, options);
    BasaltAsyncDriver d{&client, &loop};
    for (auto _ : state) {
      d.remaining = kAsyncPerIteration;
      while (d.inflight < depth && d.remaining > 0) d.issue();
      uv_run(&loop, UV_RUN_DEFAULT);
    }
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kAsyncPerIteration);
}
void BM_AsyncInFlight_Basalt(benchmark::State& state) { AsyncInFlight(state, BasaltOptions()); }
BENCHMARK(BM_AsyncInFlight_Basalt)->Arg(1)->Arg(16)->Arg(256)->MinTime(2.0)->UseRealTime();
void BM_AsyncInFlight_BasaltBusyPoll(benchmark::State& state) {
  AsyncInFlight(state, BusyPollOptions());
}
BENCHMARK(BM_AsyncInFlight_BasaltBusyPoll)->Arg(1)->Arg(16)->MinTime(2.0)->UseRealTime();

struct HiredisAsyncDriver {
  redisAsyncContext* ac;
  uv_loop_t* loop;
  int remaining = 0;
  int inflight = 0;
  static void OnReply(redisAsyncContext*, void* reply, void* privdata) {
    auto* d = static_cast<HiredisAsyncDriver*>(privdata);
    if (reply == nullptr) std::abort();
    --d->inflight;
    if (d->remaining > 0) {
      d->issue();
    } else if (d->inflight == 0) {
      uv_stop(d->loop);
    }
  }
  void issue() {
    --remaining;
    ++inflight;
    const char* argv[] = {"GET", kKey.c_str()};
    const size_t lens[] = {3, kKey.size()};
    redisAsyncCommandArgv(ac, &OnReply, this, 2, argv, lens);
  }
};

void BM_AsyncInFlight_Hiredis(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  uv_loop_t loop;
  uv_loop_init(&loop);
  redisAsyncContext* ac = redisAsyncConnect("127.0.0.1", Port());
  if (ac == nullptr || ac->err) std::abort();
  redisLibuvAttach(ac, &loop);
  HiredisAsyncDriver d{ac, &loop};
  for (auto _ : state) {
    d.remaining = kAsyncPerIteration;
    while (d.inflight < depth && d.remaining > 0) d.issue();
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  redisAsyncDisconnect(ac);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kAsyncPerIteration);
}
BENCHMARK(BM_AsyncInFlight_Hiredis)->Arg(1)->Arg(16)->Arg(256)->MinTime(2.0)->UseRealTime();

// The floor for one request in flight on libuv: a bare uv_tcp_t writing a GET (in a prepare
// callback, as the async client does) and reading its reply, with no client library at all. The
// gap between this and a client is all the client can win back.
struct BareLibuv {
  uv_loop_t loop;
  uv_tcp_t tcp;
  uv_connect_t connect;
  uv_prepare_t prepare;
  std::string request;
  char buf[64 * 1024];
  int remaining = 0;
  bool due = false;  // the next request waits for the prepare phase

  void write() {
    uv_buf_t b = uv_buf_init(request.data(), static_cast<unsigned>(request.size()));
    if (uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp), &b, 1) != static_cast<int>(b.len)) {
      std::abort();
    }
  }
};

void BM_AsyncInFlight_BareLibuv(benchmark::State& state) {
  BareLibuv b;
  b.request = "*2\r\n$3\r\nGET\r\n$" + std::to_string(kKey.size()) + "\r\n" + kKey + "\r\n";
  uv_loop_init(&b.loop);
  uv_tcp_init(&b.loop, &b.tcp);
  uv_prepare_init(&b.loop, &b.prepare);
  b.tcp.data = b.prepare.data = &b;
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", Port(), &addr);
  uv_tcp_connect(&b.connect, &b.tcp, reinterpret_cast<const sockaddr*>(&addr),
                 [](uv_connect_t* c, int status) {
                   if (status != 0) std::abort();
                   uv_tcp_nodelay(reinterpret_cast<uv_tcp_t*>(c->handle), 1);
                 });
  uv_run(&b.loop, UV_RUN_DEFAULT);
  auto on_alloc = [](uv_handle_t* h, size_t, uv_buf_t* buf) {
    auto* self = static_cast<BareLibuv*>(h->data);
    *buf = uv_buf_init(self->buf, sizeof(self->buf));
  };
  // One reply per read: each is a few bytes and the next request waits for it.
  auto on_read = [](uv_stream_t* s, ssize_t n, const uv_buf_t*) {
    auto* self = static_cast<BareLibuv*>(s->data);
    if (n <= 0) std::abort();
    if (--self->remaining > 0) {
      self->due = true;
    } else {
      uv_read_stop(s);
      uv_prepare_stop(&self->prepare);
    }
  };
  for (auto _ : state) {
    b.remaining = kAsyncPerIteration;
    uv_read_start(reinterpret_cast<uv_stream_t*>(&b.tcp), on_alloc, on_read);
    uv_prepare_start(&b.prepare, [](uv_prepare_t* p) {
      auto* self = static_cast<BareLibuv*>(p->data);
      if (self->due) {
        self->due = false;
        self->write();
      }
    });
    b.write();
    uv_run(&b.loop, UV_RUN_DEFAULT);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&b.tcp), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&b.prepare), nullptr);
  uv_run(&b.loop, UV_RUN_DEFAULT);
  uv_loop_close(&b.loop);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kAsyncPerIteration);
}
BENCHMARK(BM_AsyncInFlight_BareLibuv)->MinTime(2.0)->UseRealTime();

}  // namespace
