// What a cache of K keys hits on basalt-benchmark's cache workload under reference policies:
// replays the workload's key draws (each connection's seed, generator and Zipf sampler, as
// RequestMaker draws them) through idealised caches, so that bench/compare-cache's measured hit
// ratios can be read against what the keys a cap holds allow, and a target can be told apart from
// a policy's shortfall.
//
//   bench_cache_bounds --capacity K[,K...] [--keyspace 5000000] [--zipf 0.99] [--connections 50]
//                      [--seed 1] [--warmup-requests W] [--requests 3000000]
//
// The first W draws fill the caches and are not counted (bench/compare-cache passes the GETs the
// server answered during its warm-up); hit ratios are over the next --requests draws. Connections'
// draws are interleaved one at a time, where the real run interleaves them by network timing, and
// a miss fills its key at once, where the real run's SET goes out with the connection's next
// batch: the figures are slightly optimistic.
//
// The caches, each holding at most K keys and filling a key on its miss (as the workload's SET
// does):
// - exact LRU: what allkeys-lru's sampling approximates;
// - perfect LFU: evicts the key requested least often so far, counting every request since the
//   start, also of keys evicted meanwhile (ties: the least recent). Redis's and Basalt's LFU
//   approximate it with a logarithmic 8-bit counter, which evicted keys lose;
// - popularity oracle: holds the K keys the Zipf distribution makes most popular (each after its
//   first miss), which no policy learning from requests can know; under independent draws it is
//   the best a cache of K keys can do without knowing the future;
// - no eviction: every key once requested stays (only first requests miss), the ceiling of any K.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tools/benchmark/zipf.hpp"

namespace {

struct Options {
  uint64_t keyspace = 5000000;
  double zipf = 0.99;
  uint64_t connections = 50;
  uint64_t seed = 1;
  uint64_t warmup = 0;
  uint64_t requests = 3000000;
  std::vector<uint64_t> capacities;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "bench_cache_bounds: %s\nusage: bench_cache_bounds --capacity K[,K...] "
               "[--keyspace N] [--zipf S] [--connections C] [--seed N] [--warmup-requests W] "
               "[--requests R]\n",
               why);
  std::exit(2);
}

uint64_t number(const char* flag, const char* text) {
  if (*text == '-') usage((std::string(flag) + " wants a number").c_str());
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') usage((std::string(flag) + " wants a number").c_str());
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage((flag + " wants a value").c_str());
    const char* value = argv[++i];
    if (flag == "--keyspace") {
      o.keyspace = number(argv[i - 1], value);
    } else if (flag == "--zipf") {
      o.zipf = std::atof(value);
    } else if (flag == "--connections") {
      o.connections = number(argv[i - 1], value);
    } else if (flag == "--seed") {
      o.seed = number(argv[i - 1], value);
    } else if (flag == "--warmup-requests") {
      o.warmup = number(argv[i - 1], value);
    } else if (flag == "--requests") {
      o.requests = number(argv[i - 1], value);
    } else if (flag == "--capacity") {
      for (const char* p = value; *p != '\0';) {
        const char* comma = std::strchr(p, ',');
        const std::string one = comma ? std::string(p, comma) : std::string(p);
        o.capacities.push_back(number("--capacity", one.c_str()));
        p = comma ? comma + 1 : p + one.size();
      }
    } else {
      usage(("unknown flag " + flag).c_str());
    }
  }
  if (o.capacities.empty()) usage("--capacity is required");
  for (const uint64_t capacity : o.capacities) {
    if (capacity == 0) usage("--capacity wants keys above 0");
  }
  if (o.keyspace == 0 || o.keyspace > UINT32_MAX || o.connections == 0 || !(o.zipf > 0)) {
    usage("--keyspace must be 1..2^32-1, --connections at least 1 and --zipf above 0");
  }
  return o;
}

// The workload's draws: connection i draws from mt19937_64(seed * 1000003 + i), as
// basalt-benchmark's RequestMaker, key numbers 0..keyspace-1 with 0 the most popular. RequestMaker
// picks the op (GET or SET) with one output of the generator before each key, when the workload has
// two ops as the cache workload does.
std::vector<uint32_t> draws(const Options& o) {
  std::vector<std::mt19937_64> rngs;
  for (uint64_t i = 0; i < o.connections; ++i) rngs.emplace_back(o.seed * 1000003 + i);
  basalt::bench::Zipf zipf(o.keyspace, o.zipf);
  std::vector<uint32_t> keys(o.warmup + o.requests);
  for (size_t i = 0; i < keys.size(); ++i) {
    std::mt19937_64& rng = rngs[i % o.connections];
    rng.discard(1);
    keys[i] = static_cast<uint32_t>(zipf(rng));
  }
  return keys;
}

struct Ratios {
  double lru, lfu, oracle, unbounded;
};

// Hits of a cache of `capacity` keys that evicts the key least in (requests so far, last
// request) order when `count_requests`, else in last-request order alone: the perfect LFU and the
// exact LRU are one replay, the LRU's counts staying 0.
uint64_t replay(const Options& o, const std::vector<uint32_t>& keys, uint64_t capacity,
                bool count_requests) {
  std::vector<uint32_t> count(o.keyspace, 0);
  std::vector<int64_t> last(o.keyspace, -1);  // the draw that last requested each key
  std::vector<uint8_t> cached(o.keyspace, 0);
  std::set<std::pair<std::pair<uint32_t, int64_t>, uint32_t>> order;
  uint64_t hits = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint32_t k = keys[i];
    if (cached[k]) {
      hits += i >= o.warmup;
      order.erase({{count[k], last[k]}, k});
    } else {
      if (order.size() >= capacity) {
        cached[order.begin()->second] = 0;
        order.erase(order.begin());
      }
      cached[k] = 1;
    }
    count[k] += count_requests;
    last[k] = static_cast<int64_t>(i);
    order.insert({{count[k], last[k]}, k});
  }
  return hits;
}

Ratios simulate(const Options& o, const std::vector<uint32_t>& keys, uint64_t capacity) {
  const auto ratio = [&](uint64_t hits) {
    return o.requests ? static_cast<double>(hits) / static_cast<double>(o.requests) : 0.0;
  };
  // The oracle and the unbounded cache: a key hits when requested before (and, for the oracle,
  // is among the `capacity` most popular).
  std::vector<uint8_t> seen(o.keyspace, 0);
  uint64_t oracle = 0, unbounded = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint32_t k = keys[i];
    if (seen[k] && i >= o.warmup) {
      ++unbounded;
      oracle += k < capacity;
    }
    seen[k] = 1;
  }
  return {ratio(replay(o, keys, capacity, false)), ratio(replay(o, keys, capacity, true)),
          ratio(oracle), ratio(unbounded)};
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const std::vector<uint32_t> keys = draws(o);
  std::printf(
      "# keyspace %llu (zipf %g), %llu connections, seed %llu, %llu warm-up draws, "
      "%llu counted\n",
      static_cast<unsigned long long>(o.keyspace), o.zipf,
      static_cast<unsigned long long>(o.connections), static_cast<unsigned long long>(o.seed),
      static_cast<unsigned long long>(o.warmup), static_cast<unsigned long long>(o.requests));
  std::printf("%12s%12s%14s%19s%14s\n", "keys held", "exact LRU", "perfect LFU",
              "popularity oracle", "no eviction");
  for (const uint64_t capacity : o.capacities) {
    const Ratios r = simulate(o, keys, capacity);
    std::printf("%12llu%11.2f%%%13.2f%%%18.2f%%%13.2f%%\n",
                static_cast<unsigned long long>(capacity), 100 * r.lru, 100 * r.lfu, 100 * r.oracle,
                100 * r.unbounded);
  }
  return 0;
}
