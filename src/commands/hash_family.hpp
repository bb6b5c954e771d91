#pragma once
// The hash family's store operations (hash_family.cpp): each works on a Database alone, with no
// client and no reply, and reports failure as an OpStatus. The commands (cmd_*) parse their
// arguments, call these, and reply. Views returned point into the hash and stay valid until the
// key is next modified.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/generic_family.hpp"
#include "commands/op_status.hpp"
#include "store/hash.hpp"

namespace basalt {

class Database;
struct Config;

// hash-max-listpack-entries and -value as the configuration has them, for the writes below and
// the loader (commands/persistence.cpp).
HashLimits hash_limits_of(const Config& config);

using FieldValue = std::pair<std::string_view, std::string_view>;

// HSET/HMSET: `pairs` alternates field and value (an even count, checked by the caller); how many
// fields were new. Creates the key.
OpResult<size_t> op_hset(Database& db, std::string_view key,
                         std::span<const std::string_view> pairs, const HashLimits& limits);
// HSETNX: whether the field was set (it was not there).
OpResult<bool> op_hsetnx(Database& db, std::string_view key, std::string_view field,
                         std::string_view value, const HashLimits& limits);
// HDEL: how many fields were removed; an emptied hash is deleted.
OpResult<size_t> op_hdel(Database& db, std::string_view key,
                         std::span<const std::string_view> fields);

// The hash at key for reading, nullptr when absent (HGET, HMGET, HKEYS, HVALS, HGETALL, ...).
OpResult<const Hash*> op_hash_read(Database& db, std::string_view key);
// HGET: the value, nullopt when the key or the field is absent.
OpResult<std::optional<std::string_view>> op_hget(Database& db, std::string_view key,
                                                  std::string_view field);
// HLEN, HSTRLEN, HEXISTS: 0 for an absent key or field.
OpResult<size_t> op_hlen(Database& db, std::string_view key);
OpResult<size_t> op_hstrlen(Database& db, std::string_view key, std::string_view field);
OpResult<bool> op_hexists(Database& db, std::string_view key, std::string_view field);

// HINCRBY: the new value. kHashValueNotInteger when the field holds no integer, kOverflow.
OpResult<int64_t> op_hincrby(Database& db, std::string_view key, std::string_view field,
                             int64_t increment, const HashLimits& limits);
// HINCRBYFLOAT: the new value as stored (Redis's "%.17Lf", trailing zeros removed).
// kHashValueNotFloat, kNanOrInf. The increment is finite (the caller checks, as Redis does first).
OpResult<std::string> op_hincrbyfloat(Database& db, std::string_view key, std::string_view field,
                                      long double increment, const HashLimits& limits);

// One HSCAN step from `cursor`: appends the pairs whose field matches to *out and returns the
// next cursor (0 when done). An absent key is an empty, finished scan.
OpResult<uint64_t> op_hscan(Database& db, std::string_view key, uint64_t cursor,
                            const ScanParams& params, std::vector<FieldValue>* out);

// Receives HRANDFIELD's pairs as they are picked, so that a reply streams them: begin() with how
// many follow, then each pair.
class RandomFieldSink {
 public:
  virtual void begin(size_t count) = 0;
  virtual void pair(std::string_view field, std::string_view value) = 0;

 protected:
  ~RandomFieldSink() = default;
};
// HRANDFIELD key count: a positive count gives distinct fields (at most the hash's size), a
// negative one -count picks that may repeat. False when the key is absent (the sink hears
// nothing).
OpResult<bool> op_hrandfield(Database& db, std::string_view key, int64_t count,
                             std::mt19937_64& rng, RandomFieldSink& sink);
// HRANDFIELD key: one random field and its value, nullopt when the key is absent.
OpResult<std::optional<FieldValue>> op_hrandfield_one(Database& db, std::string_view key,
                                                      std::mt19937_64& rng);

}  // namespace basalt
