// List microbenchmarks: the list commands' hot paths (RPUSH/LPOP queues, LPUSH, LINDEX in the
// middle, LRANGE) against std::deque<std::string>, plus memory per element measured two ways:
// List::memory_usage() and the growth of glibc's heap (mallinfo2, malloc headers included), which
// is also how the deque is measured.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <deque>
#include <string>
#include <vector>

#include "store/list.hpp"

namespace basalt {
namespace {

std::string value(size_t len, size_t i) {
  std::string s = std::to_string(i);
  s.resize(len, 'x');
  return s;
}

size_t heap_in_use() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// RPUSH + LPOP on a queue holding range(0) elements of 16 bytes.
template <class L>
void queue_cycle(benchmark::State& state, L& l) {
  const std::string v = value(16, 0);
  for (int64_t i = 0; i < state.range(0); ++i) l.push_back(v);
  for (auto _ : state) {
    l.push_back(v);
    benchmark::DoNotOptimize(l.front());
    l.pop_front();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ListPushBackPopFront(benchmark::State& state) {
  List l;
  queue_cycle(state, l);
}
void BM_DequePushBackPopFront(benchmark::State& state) {
  std::deque<std::string> l;
  queue_cycle(state, l);
}
BENCHMARK(BM_ListPushBackPopFront)->Arg(10)->Arg(100000);
BENCHMARK(BM_DequePushBackPopFront)->Arg(10)->Arg(100000);

// LPUSH range(0) elements of 10 bytes into a new list, then free it.
template <class L>
void push_front_n(benchmark::State& state) {
  const std::string v = value(10, 0);
  for (auto _ : state) {
    L l;
    for (int64_t i = 0; i < state.range(0); ++i) l.push_front(v);
    benchmark::DoNotOptimize(l.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
void BM_ListPushFront(benchmark::State& state) { push_front_n<List>(state); }
void BM_DequePushFront(benchmark::State& state) { push_front_n<std::deque<std::string>>(state); }
BENCHMARK(BM_ListPushFront)->Arg(100000);
BENCHMARK(BM_DequePushFront)->Arg(100000);

template <class L>
void push_back_n(benchmark::State& state) {
  const std::string v = value(10, 0);
  for (auto _ : state) {
    L l;
    for (int64_t i = 0; i < state.range(0); ++i) l.push_back(v);
    benchmark::DoNotOptimize(l.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
void BM_ListPushBack(benchmark::State& state) { push_back_n<List>(state); }
void BM_DequePushBack(benchmark::State& state) { push_back_n<std::deque<std::string>>(state); }
BENCHMARK(BM_ListPushBack)->Arg(100000);
BENCHMARK(BM_DequePushBack)->Arg(100000);

// LINDEX of the middle element: the worst case, as lookups walk from the nearer end.
void BM_ListAtMiddle(benchmark::State& state) {
  List l;
  for (int64_t i = 0; i < state.range(0); ++i) l.push_back(value(10, static_cast<size_t>(i)));
  const size_t mid = l.size() / 2;
  for (auto _ : state) benchmark::DoNotOptimize(l.at(mid));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListAtMiddle)->Arg(100)->Arg(10000)->Arg(1000000);

// LRANGE of 100 elements from the middle of a 1M-element list.
void BM_ListForEach100(benchmark::State& state) {
  List l;
  for (int64_t i = 0; i < 1000000; ++i) l.push_back(value(10, static_cast<size_t>(i)));
  size_t total = 0;
  for (auto _ : state) {
    l.for_each(500000, 500099, [&](std::string_view v) { total += v.size(); });
  }
  benchmark::DoNotOptimize(total);
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ListForEach100);

// LINSERT into the middle of a 100k-element list (one node's memmove, plus splits).
void BM_ListInsertMiddle(benchmark::State& state) {
  List l;
  for (int64_t i = 0; i < 100000; ++i) l.push_back(value(10, static_cast<size_t>(i)));
  const std::string v = value(10, 0);
  for (auto _ : state) {
    l.insert(l.size() / 2, v);
    l.erase(l.size() / 3);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListInsertMiddle);

// Memory for 100k elements of range(0) bytes, built by push_back (range(1) == 0) or push_front.
template <class L>
void memory(benchmark::State& state, bool list) {
  constexpr size_t kN = 100000;
  const auto len = static_cast<size_t>(state.range(0));
  const bool back = state.range(1) == 0;
  std::vector<std::string> values;
  for (size_t i = 0; i < kN; ++i) values.push_back(value(len, i));
  double heap = 0, reported = 0;
  for (auto _ : state) {
    const size_t before = heap_in_use();
    auto* l = new L;
    for (const std::string& v : values) back ? l->push_back(v) : l->push_front(v);
    heap = static_cast<double>(heap_in_use() - before) / kN;
    if constexpr (std::is_same_v<L, List>) reported = static_cast<double>(l->memory_usage()) / kN;
    delete l;
  }
  state.counters["heap_B_per_elem"] = heap;
  if (list) state.counters["reported_B_per_elem"] = reported;
}
void BM_ListMemory(benchmark::State& state) { memory<List>(state, true); }
void BM_DequeMemory(benchmark::State& state) { memory<std::deque<std::string>>(state, false); }
BENCHMARK(BM_ListMemory)
    ->ArgsProduct({{3, 10, 16, 40, 100, 1000}, {0, 1}})
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DequeMemory)
    ->ArgsProduct({{3, 10, 16, 40, 100, 1000}, {0, 1}})
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

// Many small lists (3 elements of 10 bytes), which is where per-list overhead shows.
template <class L>
void small_lists(benchmark::State& state) {
  constexpr size_t kLists = 100000;
  const std::string v = value(10, 0);
  double heap = 0;
  for (auto _ : state) {
    const size_t before = heap_in_use();
    std::vector<L*> lists(kLists);
    const size_t vector_bytes = heap_in_use() - before;
    for (L*& l : lists) {
      l = new L;
      for (int i = 0; i < 3; ++i) l->push_back(v);
    }
    heap = static_cast<double>(heap_in_use() - before - vector_bytes) / kLists;
    for (L* l : lists) delete l;
  }
  state.counters["heap_B_per_list"] = heap;
}
void BM_ListSmallLists(benchmark::State& state) { small_lists<List>(state); }
void BM_DequeSmallLists(benchmark::State& state) { small_lists<std::deque<std::string>>(state); }
BENCHMARK(BM_ListSmallLists)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DequeSmallLists)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace basalt
