// Store microbenchmarks: the operations behind GET/SET/LPUSH/RPOP, growth of the keyspace through
// incremental rehashing, and one active-expiry cycle. Run: build/release/bench/bench_store

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "store/list.hpp"
#include "store/store.hpp"

namespace basalt {
namespace {

std::vector<std::string> make_keys(size_t n) {
  std::vector<std::string> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n; ++i) keys.push_back("key:" + std::to_string(1000000000000 + i));
  return keys;
}

void BM_Set(benchmark::State& state) {
  ManualClock clock;
  Store store(1, clock, 1);
  auto keys = make_keys(static_cast<size_t>(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    store.db(0).set(keys[i], Value("xxx"));
    if (++i == keys.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Set)->Arg(1000)->Arg(1000000);

void BM_Get(benchmark::State& state) {
  ManualClock clock;
  Store store(1, clock, 1);
  auto keys = make_keys(static_cast<size_t>(state.range(0)));
  for (auto& k : keys) store.db(0).set(k, Value("xxx"));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(store.db(0).find_read(keys[i]));
    if (++i == keys.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Get)->Arg(1000)->Arg(1000000);

// Inserting a million keys from empty: every doubling is spread over later operations.
void BM_GrowKeyspace(benchmark::State& state) {
  auto keys = make_keys(1000000);
  for (auto _ : state) {
    ManualClock clock;
    Store store(1, clock, 1);
    for (auto& k : keys) store.db(0).add(k, Value("xxx"));
    benchmark::DoNotOptimize(store.key_count());
  }
  state.SetItemsProcessed(state.iterations() * 1000000);
}
BENCHMARK(BM_GrowKeyspace)->Unit(benchmark::kMillisecond);

void BM_PushPop(benchmark::State& state) {
  ManualClock clock;
  Store store(1, clock, 1);
  Entry* e = store.db(0).add("list", Value::new_list());
  List& list = e->value.list();
  for (int i = 0; i < 1000; ++i) list.push_back("element");
  for (auto _ : state) {
    list.push_front("element");
    benchmark::DoNotOptimize(list.pop_back());
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_PushPop);

// One cycle of active expiry with a quarter of 100k TTL keys stale: the adaptive loop keeps going
// while samples are over 10% expired, within its time budget.
void BM_ActiveExpireCycle(benchmark::State& state) {
  auto keys = make_keys(100000);
  for (auto _ : state) {
    state.PauseTiming();
    ManualClock clock;
    Store store(1, clock, 1);
    store.refresh_time();
    for (size_t i = 0; i < keys.size(); ++i) {
      Entry* e = store.db(0).add(keys[i], Value("xxx"));
      store.db(0).set_expire(e, store.now_ms() + (i % 4 == 0 ? 10 : 1000000));
    }
    clock.advance_ms(100);
    state.ResumeTiming();
    ExpireCycleStats s = store.active_expire_cycle(25000);
    state.counters["expired"] = static_cast<double>(s.expired);
    state.counters["sampled"] = static_cast<double>(s.sampled);
  }
}
BENCHMARK(BM_ActiveExpireCycle)->Unit(benchmark::kMicrosecond)->Iterations(5);

}  // namespace
}  // namespace basalt
