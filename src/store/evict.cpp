#include "store/evict.hpp"

#include <cmath>
#include <limits>

#include "base/strings.hpp"
#include "store/store.hpp"

namespace basalt {

namespace {
struct PolicyName {
  EvictionPolicy policy;
  std::string_view name;
};
constexpr PolicyName kPolicyNames[] = {
    {EvictionPolicy::kVolatileLru, "volatile-lru"},
    {EvictionPolicy::kVolatileLfu, "volatile-lfu"},
    {EvictionPolicy::kVolatileRandom, "volatile-random"},
    {EvictionPolicy::kVolatileTtl, "volatile-ttl"},
    {EvictionPolicy::kAllKeysLru, "allkeys-lru"},
    {EvictionPolicy::kAllKeysLfu, "allkeys-lfu"},
    {EvictionPolicy::kAllKeysRandom, "allkeys-random"},
    {EvictionPolicy::kNoEviction, "noeviction"},
};
// Keys checked between two looks at the clock and the meter, as Redis.
constexpr int kCheckEvery = 16;
}  // namespace

std::optional<EvictionPolicy> parse_eviction_policy(std::string_view name) {
  const std::string lower = lowercase(name);
  for (const auto& p : kPolicyNames) {
    if (p.name == lower) return p.policy;
  }
  return std::nullopt;
}

std::string_view eviction_policy_name(EvictionPolicy policy) {
  for (const auto& p : kPolicyNames) {
    if (p.policy == policy) return p.name;
  }
  return "noeviction";
}

std::string_view eviction_policy_choices() {
  return "volatile-lru,volatile-lfu,volatile-random,volatile-ttl,allkeys-lru,allkeys-lfu,"
         "allkeys-random,noeviction";
}

uint64_t counted_memory(uint64_t active, uint64_t allocated, uint64_t maxmemory) {
  if (maxmemory == 0) return active;
  const uint64_t holes = active > allocated ? active - allocated : 0;
  const uint64_t slack = std::max(maxmemory / 32, kHolesNeverCounted), most = maxmemory / 8;
  // Never above the pages: allocated can read above active when another thread's frees race the
  // reading.
  if (holes <= slack || most <= slack) return std::min(active, allocated);
  return std::min(active, allocated + std::min(holes - slack, most - slack));
}

int64_t eviction_time_limit_us(int tenacity) {
  if (tenacity <= 10) return 50 * static_cast<int64_t>(std::max(tenacity, 0));
  if (tenacity < 100) return static_cast<int64_t>(500.0 * std::pow(1.15, tenacity - 10.0));
  return std::numeric_limits<int64_t>::max();
}

void Evictor::clear_pool() {
  for (auto& c : pool_) {
    c.db = -1;
    c.score = 0;
  }
}

uint64_t Evictor::score(const Database& db, const Entry* e, EvictionPolicy policy) const {
  switch (policy) {
    case EvictionPolicy::kAllKeysLru:
    case EvictionPolicy::kVolatileLru:
      return static_cast<uint64_t>(store_.idle_ms(e));
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      // Redis's counter first; among equal counters, the key the sketch counts fewer requests
      // for (always 0 with the sketch off, which leaves Redis's order).
      return (static_cast<uint64_t>(255 - store_.lfu_counter(e)) << 4) |
             static_cast<uint64_t>(FrequencySketch::kMaxCount - store_.requests_seen(e->key()));
    case EvictionPolicy::kVolatileTtl:
      // The sooner it expires, the better a candidate.
      return std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(db.expire_at(e));
    case EvictionPolicy::kAllKeysRandom:
    case EvictionPolicy::kVolatileRandom:
    case EvictionPolicy::kNoEviction:
      return 0;
  }
  return 0;
}

void Evictor::insert(uint64_t score, int db, std::string_view key) {
  // The pool is sorted ascending by score, filled from the left: the best candidate is the
  // rightmost filled slot.
  size_t k = 0;
  while (k < kPoolSize && pool_[k].db >= 0 && pool_[k].score < score) ++k;
  if (k == 0 && pool_[kPoolSize - 1].db >= 0) return;  // worse than all, and the pool is full
  if (k < kPoolSize && pool_[k].db < 0) {
    // An empty slot: everything to its right is empty too.
  } else if (pool_[kPoolSize - 1].db < 0) {
    // Room on the right: shift [k, end) one step right. The strings move, so their buffers are
    // reused rather than freed.
    for (size_t i = kPoolSize - 1; i > k; --i) std::swap(pool_[i], pool_[i - 1]);
  } else {
    // Full: drop the worst (leftmost) and insert just left of k.
    --k;
    for (size_t i = 0; i < k; ++i) std::swap(pool_[i], pool_[i + 1]);
  }
  Candidate& c = pool_[k];
  c.score = score;
  c.db = db;
  c.key.assign(key.data(), key.size());
}

void Evictor::populate(Database& db, const EvictionParams& params) {
  Entry* samples[64];
  // maxmemory-samples above 64 takes several rounds.
  for (size_t left = static_cast<size_t>(std::max(params.samples, 1)); left > 0;) {
    const size_t want = std::min<size_t>(left, std::size(samples));
    const size_t count = policy_is_volatile(params.policy) ? db.sample_volatile(samples, want)
                                                           : db.sample(samples, want);
    for (size_t i = 0; i < count; ++i) {
      insert(score(db, samples[i], params.policy), db.index(), samples[i]->key());
    }
    left -= want;
  }
}

Entry* Evictor::pop_best(const EvictionParams& params, Database** db) {
  for (size_t k = kPoolSize; k-- > 0;) {
    Candidate& c = pool_[k];
    if (c.db < 0) continue;
    const int index = c.db;
    const uint64_t sampled_score = c.score;
    c.db = -1;
    c.score = 0;
    if (index >= store_.db_count()) continue;
    Database& d = store_.db(index);
    Entry* e = d.peek(c.key);
    // Deleted since it was sampled, or (volatile) it lost its TTL: not a candidate any more.
    if (e == nullptr || (policy_is_volatile(params.policy) && !e->has_expire())) continue;
    // Read since it was sampled (Redis would evict it on the old score): back into the pool with
    // what it scores now, and the best is looked for again. Scores do not move within a call, so
    // each candidate goes back at most once.
    if (const uint64_t now = score(d, e, params.policy); now < sampled_score) {
      insert(now, index, e->key());
      k = kPoolSize;
      continue;
    }
    *db = &d;
    return e;
  }
  return nullptr;
}

Entry* Evictor::pick(const EvictionParams& params, Database** db) {
  const bool is_volatile = policy_is_volatile(params.policy);
  if (params.policy == EvictionPolicy::kAllKeysRandom ||
      params.policy == EvictionPolicy::kVolatileRandom) {
    const int n = store_.db_count();
    for (int i = 0; i < n; ++i) {
      next_random_db_ = (next_random_db_ + 1) % n;
      Database& d = store_.db(next_random_db_);
      Entry* e = is_volatile ? d.random_volatile() : d.random_any();
      if (e != nullptr) {
        *db = &d;
        return e;
      }
    }
    return nullptr;
  }
  while (true) {
    size_t total = 0;
    for (int i = 0; i < store_.db_count(); ++i) {
      Database& d = store_.db(i);
      const size_t keys = is_volatile ? d.expires() : d.size();
      if (keys == 0) continue;
      populate(d, params);
      total += keys;
    }
    if (total == 0) return nullptr;
    if (Entry* e = pop_best(params, db)) return admit_newest(params, e, db);
  }
}

Entry* Evictor::admit_newest(const EvictionParams& params, Entry* victim, Database** db) {
  int newest_db = -1;
  Entry* newest = store_.take_newest(&newest_db);
  if (newest == nullptr || newest == victim || !policy_is_lfu(params.policy) ||
      newest_db >= store_.db_count() ||
      (policy_is_volatile(params.policy) && !newest->has_expire())) {
    return victim;
  }
  Database& nd = store_.db(newest_db);
  const uint64_t victim_score = score(**db, victim, params.policy);
  // A tie keeps the newcomer, as Redis would (its counter starts at LFU_INIT_VAL, above most
  // victims'): only a key known to be requested less often than the victim goes in its place.
  if (score(nd, newest, params.policy) <= victim_score) return victim;
  insert(victim_score, (*db)->index(), victim->key());
  *db = &nd;
  return newest;
}

EvictionResult Evictor::perform(const EvictionParams& params, MemoryMeter& meter) {
  pending_ = false;
  if (params.maxmemory == 0) return EvictionResult::kOk;
  const uint64_t used = meter.used();
  if (used <= params.maxmemory) return EvictionResult::kOk;
  if (params.policy == EvictionPolicy::kNoEviction) return EvictionResult::kFail;
  if (params.policy != pool_policy_) {
    // Scores of another policy do not compare with this one's.
    clear_pool();
    pool_policy_ = params.policy;
  }
  const Clock& clock = store_.clock();
  const int64_t limit_us = eviction_time_limit_us(params.tenacity);
  const int64_t start_us = clock.monotonic_us();
  const uint64_t to_free = used - params.maxmemory;
  uint64_t freed = 0;
  uint64_t keys_freed = 0;
  while (freed < to_free) {
    Database* db = nullptr;
    Entry* e = pick(params, &db);
    if (e == nullptr) return EvictionResult::kFail;
    const uint64_t before = meter.used();
    db->evict(e);
    const uint64_t after = meter.used();
    if (before > after) freed += before - after;
    store_.stats().evicted_keys++;
    if (++keys_freed % kCheckEvery == 0 && clock.monotonic_us() - start_us > limit_us) {
      pending_ = true;
      return EvictionResult::kRunning;
    }
  }
  return EvictionResult::kOk;
}

}  // namespace basalt
