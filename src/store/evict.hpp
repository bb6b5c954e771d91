#pragma once
// Eviction under maxmemory, as Redis's evict.c behaves: before a command runs, while the memory
// in use is over the cap, delete keys chosen by the policy. LRU, LFU and TTL choose by sampling
// `samples` keys of each database into a pool of the 16 best candidates seen so far (the pool
// outlives a call, so every sample refines it); random picks a random key, round-robin over the
// databases. A call is time-boxed (maxmemory-eviction-tenacity); when time runs out the host
// keeps calling between loop turns until the memory is under the cap.
//
// Beyond Redis, under an LFU policy: the store's frequency sketch (frequency_sketch.hpp, on when a
// cap is set) counts requests by key, also of keys not in the cache, up to 15.
// - Among candidates with the same Redis counter, the one the sketch counts fewer requests for
//   goes first. Redis's logarithmic counter, 5 for a new key, tells a key read twice from one read
//   ten times only by chance, and those are the keys at the edge of a cache.
// - The key created last is weighed against the victim at the next eviction, TinyLFU's admission
//   (Einziger et al.): when its counter is lower, or equal with fewer requests counted, it is
//   evicted instead, so a key requested once (most of a cache's misses, under a skewed
//   popularity) does not push out one requested several times. Redis evicts the victim: a new key
//   starts at LFU_INIT_VAL. Ties keep the newcomer, so keys that are only ever written (counted
//   once each) replace old ones as under Redis.
// bench/compare-cache measures what this wins (README, Cache mode).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace basalt {

class Store;
class Database;
struct Entry;

// Redis's eight policies, in redis.conf's order.
enum class EvictionPolicy : uint8_t {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kNoEviction,
};

// Redis's names: "allkeys-lru", ...; nullopt for anything else (case-insensitive).
std::optional<EvictionPolicy> parse_eviction_policy(std::string_view name);
std::string_view eviction_policy_name(EvictionPolicy policy);
// "volatile-lru,volatile-lfu,...": the config parameter's choices, in Redis's order.
std::string_view eviction_policy_choices();
inline bool policy_is_lfu(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLfu || p == EvictionPolicy::kAllKeysLfu;
}
inline bool policy_is_volatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

// What eviction measures: the bytes that count against maxmemory. The server reads the
// allocator; unit tests count keys.
class MemoryMeter {
 public:
  virtual ~MemoryMeter() = default;
  virtual uint64_t used() = 0;
};

// What counts against maxmemory, from the allocator's active bytes (the pages it handed out) and
// allocated bytes (what is live in them): the live bytes, and the holes in the pages between a
// thirty-second and an eighth of the cap, so that fragmentation counts against the cap and the cap
// bounds the RSS. A random mix of value sizes leaves 5-7 MB of holes under a 64 MB cap
// (tests/integration/test_eviction.py), most of them counted.
// The first thirty-second is what a churning cache's evictions leave for its next writes to
// refill: a key evicted from a page that also holds live keys frees no page, so a meter counting
// those holes stayed over the cap whatever was evicted, and eviction went on until the holes
// reached the upper bound (an LFU cache that kept keys of every age lost 13% of its
// keys to 8 MB of holes under 64 MB). Beyond an eighth are holes eviction cannot give back either:
// when a large value lands at the cap (a 4 MB SET among 100-byte keys), eviction frees room in
// small keys spread over pages that also hold live keys; their pages stay, and a meter that went
// on counting them evicted again at every reading (a 345,000-key cache fell to 44,000). New writes
// fill those holes instead.
// Whatever the cap, the first kHolesNeverCounted bytes of holes never count, so that a cap below
// 8 MB counts what Redis does (used_memory): an empty server's pages already hold a few hundred KB
// of holes, and Redis's own tests (unit/maxmemory) set the cap 100 KB above used_memory.
inline constexpr uint64_t kHolesNeverCounted = uint64_t{1} << 20;
uint64_t counted_memory(uint64_t active, uint64_t allocated, uint64_t maxmemory);

struct EvictionParams {
  uint64_t maxmemory = 0;  // 0: no cap
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int samples = 5;
  int tenacity = 10;
};

enum class EvictionResult {
  kOk,       // under the cap (or no cap)
  kRunning,  // over the cap, out of time for this call: keys are left to evict later
  kFail,     // over the cap and nothing can be evicted (noeviction, or no candidate key)
};

// Microseconds one call may spend (Redis's evictionTimeLimitUs): 50 us per step of tenacity up
// to 10, then growing 15% a step; 100 means unbounded.
int64_t eviction_time_limit_us(int tenacity);

class Evictor {
 public:
  static constexpr size_t kPoolSize = 16;

  explicit Evictor(Store& store) : store_(store) {}

  // Evicts until meter.used() <= params.maxmemory, the time limit passes, or nothing is left to
  // evict. Each evicted key is reported to the store's observer as an eviction (WATCH, DEL in
  // the write-effect channel) and counted in StoreStats::evicted_keys.
  EvictionResult perform(const EvictionParams& params, MemoryMeter& meter);

  // Whether the last perform() ran out of time with memory still over the cap.
  bool pending() const { return pending_; }
  // The pool's keys are copies; a FLUSHALL or SWAPDB makes them stale but harmless (each is
  // looked up again before it is evicted). Dropped when the policy changes.
  void clear_pool();

 private:
  struct Candidate {
    uint64_t score = 0;  // higher: a better candidate (idle ms, 255 - frequency, -expiry)
    int db = -1;         // -1: empty slot
    std::string key;
  };
  uint64_t score(const Database& db, const Entry* e, EvictionPolicy policy) const;
  void populate(Database& db, const EvictionParams& params);
  void insert(uint64_t score, int db, std::string_view key);
  // The best candidate still present, removed from the pool; nullptr when none is.
  Entry* pop_best(const EvictionParams& params, Database** db);
  Entry* pick(const EvictionParams& params, Database** db);
  // LFU's admission test (see the file comment): the key created last, instead of `victim` when
  // it scores as the better candidate; the victim then goes back to the pool.
  Entry* admit_newest(const EvictionParams& params, Entry* victim, Database** db);

  Store& store_;
  std::array<Candidate, kPoolSize> pool_{};  // ascending by score; empty slots on the right
  int next_random_db_ = 0;
  bool pending_ = false;
  EvictionPolicy pool_policy_ = EvictionPolicy::kNoEviction;
};

}  // namespace basalt
