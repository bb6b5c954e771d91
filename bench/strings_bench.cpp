// String command microbenchmarks: SET, GET, INCR and friends through Engine::execute, the path a
// RESP request takes after parsing (lookup in the command table, arity and auth checks, the
// handler, per-command statistics), replying through the RESP front end's RespReplyBuilder into
// a reused buffer, so the numbers include reply encoding but no I/O.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/engine.hpp"
#include "config/config.hpp"
#include "server/resp_reply.hpp"
#include "store/clock.hpp"

namespace basalt {
namespace {

class NullLink final : public ClientLink {
 public:
  explicit NullLink(ReplyBuilder& reply) : reply_(reply) {}
  ReplyBuilder& async_reply() override { return reply_; }
  void on_unblocked() override {}
  void kill() override {}
  size_t query_buffer_bytes() const override { return 0; }
  size_t output_buffer_bytes() const override { return 0; }

 private:
  ReplyBuilder& reply_;
};

// One engine and one client; `keys` distinct key names, as redis-benchmark's key:__rand_int__.
class Harness {
 public:
  explicit Harness(size_t keys)
      : engine_(config_, clock_, 42), reply_(&out_, &protocol_), link_(reply_) {
    session_ = engine_.open_session(Frontend::kInternal, &link_);
    keys_.reserve(keys);
    char buf[32];
    for (size_t i = 0; i < keys; ++i) {
      int n = std::snprintf(buf, sizeof(buf), "key:%012zu", i);
      keys_.emplace_back(buf, static_cast<size_t>(n));
    }
  }
  ~Harness() { engine_.close_session(session_); }

  void exec(std::initializer_list<std::string_view> argv) {
    out_.clear();  // keeps its capacity: no allocation per reply
    engine_.execute(*session_, std::span<const std::string_view>(argv.begin(), argv.size()),
                    reply_);
  }
  const std::string& key(size_t i) const { return keys_[i % keys_.size()]; }
  size_t key_count() const { return keys_.size(); }
  const std::string& out() const { return out_; }

 private:
  Config config_;
  SystemClock clock_;
  Engine engine_;
  std::string out_;
  int protocol_ = 2;
  RespReplyBuilder reply_;
  NullLink link_;
  Session* session_ = nullptr;
  std::vector<std::string> keys_;
};

constexpr size_t kKeys = 100'000;

// SET key:<n> <value of range(0) bytes>, cycling over 100k keys (the first pass creates them,
// later ones overwrite). 3 bytes stays inline in the Value, 64 and 1024 go to the heap.
void BM_Set(benchmark::State& state) {
  Harness h(kKeys);
  const std::string value(static_cast<size_t>(state.range(0)), 'v');
  size_t i = 0;
  for (auto _ : state) {
    h.exec({"SET", h.key(i++), value});
    benchmark::DoNotOptimize(h.out().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Set)->Arg(3)->Arg(64)->Arg(1024);

// SET with a TTL: option parsing, expiry arithmetic and the TTL index.
void BM_SetEx(benchmark::State& state) {
  Harness h(kKeys);
  size_t i = 0;
  for (auto _ : state) {
    h.exec({"SET", h.key(i++), "value", "EX", "3600"});
    benchmark::DoNotOptimize(h.out().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SetEx);

// GET of existing keys (range(0)-byte values) over 100k keys.
void BM_Get(benchmark::State& state) {
  Harness h(kKeys);
  const std::string value(static_cast<size_t>(state.range(0)), 'v');
  for (size_t k = 0; k < h.key_count(); ++k) h.exec({"SET", h.key(k), value});
  size_t i = 0;
  for (auto _ : state) {
    h.exec({"GET", h.key(i++)});
    benchmark::DoNotOptimize(h.out().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Get)->Arg(3)->Arg(64)->Arg(1024);

void BM_GetMiss(benchmark::State& state) {
  Harness h(kKeys);
  size_t i = 0;
  for (auto _ : state) {
    h.exec({"GET", h.key(i++)});
    benchmark::DoNotOptimize(h.out().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetMiss);

// INCR of one hot counter, and of counters spread over 100k keys.
void BM_IncrOneKey(benchmark::State& state) {
  Harness h(1);
  for (auto _ : state) {
    h.exec({"INCR", h.key(0)});
    benchmark::DoNotOptimize(h.out().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IncrOneKey);

void BM_IncrManyKeys(benchmark::State& state) {
  Harness h(kKeys);
  size_t i = 0;
  for (auto _ : state) {
    h.exec({"INCR", h.key(i++)});
    benchmark::DoNotOptimize(h.out().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IncrManyKeys);

void BM_IncrByFloat(benchmark::State& state) {
  Harness h(1);
  for (auto _ : state) {
    h.exec({"INCRBYFLOAT", h.key(0), "0.5"});
    benchmark::DoNotOptimize(h.out().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IncrByFloat);

// APPEND of 16 bytes to one key, which is restarted at 1 MiB: the in-place growth path.
void BM_Append(benchmark::State& state) {
  Harness h(1);
  const std::string piece(16, 'a');
  size_t len = 0;
  for (auto _ : state) {
    h.exec({"APPEND", h.key(0), piece});
    if ((len += piece.size()) >= (1u << 20)) {
      h.exec({"SET", h.key(0), ""});
      len = 0;
    }
    benchmark::DoNotOptimize(h.out().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Append);

// MGET of 10 existing keys.
void BM_MGet10(benchmark::State& state) {
  Harness h(kKeys);
  for (size_t k = 0; k < h.key_count(); ++k) h.exec({"SET", h.key(k), "value"});
  size_t i = 0;
  for (auto _ : state) {
    h.exec({"MGET", h.key(i), h.key(i + 1), h.key(i + 2), h.key(i + 3), h.key(i + 4), h.key(i + 5),
            h.key(i + 6), h.key(i + 7), h.key(i + 8), h.key(i + 9)});
    i += 10;
    benchmark::DoNotOptimize(h.out().data());
  }
  state.SetItemsProcessed(state.iterations() * 10);
}
BENCHMARK(BM_MGet10);

}  // namespace
}  // namespace basalt
