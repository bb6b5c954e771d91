// Sorted-set microbenchmarks on one large tree-encoded set, the shape of bench/compare
// --large (a million members "m:<12 digits>", random scores): what a ZADD that moves an existing
// member costs, and a ZRANK, without the network in the way. Run: build/release/bench/bench_zset

#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "store/zset.hpp"

namespace basalt {
namespace {

constexpr size_t kMembers = 1000000;

std::vector<std::string> make_members() {
  std::vector<std::string> members;
  members.reserve(kMembers);
  char buf[32];
  for (size_t i = 0; i < kMembers; ++i) {
    std::snprintf(buf, sizeof(buf), "m:%012zu", i);
    members.emplace_back(buf);
  }
  return members;
}

// Built once: the set is large, and each benchmark leaves it as valid as it found it.
struct Fixture {
  std::vector<std::string> members = make_members();
  ZSet set;
  std::mt19937_64 rng{42};
  Fixture() {
    for (size_t i = 0; i < kMembers; ++i) {
      set.insert(members[i], static_cast<double>(rng() % kMembers), ZSet::Limits{});
    }
  }
};
Fixture& fixture() {
  static Fixture f;
  return f;
}

// ZADD zbig <rand> m:<rand> on a member already present: its node moves to a random place.
void BM_ZSetMoveMember(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    const std::string& m = f.members[f.rng() % kMembers];
    double old_score = 0;
    f.set.score(m, &old_score);
    const double score = static_cast<double>(f.rng() % kMembers);
    if (score != old_score) f.set.update(m, old_score, score);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ZSetMoveMember);

void BM_ZSetRank(benchmark::State& state) {
  Fixture& f = fixture();
  size_t rank = 0;
  for (auto _ : state) {
    f.set.rank(f.members[f.rng() % kMembers], &rank);
    benchmark::DoNotOptimize(rank);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ZSetRank);

}  // namespace
}  // namespace basalt
