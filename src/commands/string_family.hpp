#pragma once
// The string family's store operations (string_family.cpp): each works on a Database alone, with
// no client and no reply, and reports failure as an OpStatus. The commands (cmd_*) parse their
// arguments, call these, and reply; loading a snapshot or a per-core shard calls them directly.
// Views returned point into the stored value and stay valid until the key is next modified.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "commands/op_status.hpp"
#include "store/entry.hpp"

namespace basalt {

class Database;

// GET: the value, nullopt when absent (counts a keyspace hit or miss).
OpResult<std::optional<std::string_view>> op_get(Database& db, std::string_view key);
// MGET's read of one key: another type reads as absent.
std::optional<std::string_view> op_get_or_nil(Database& db, std::string_view key);

struct SetParams {
  bool nx = false, xx = false, keep_ttl = false;
  bool get = false;               // return the old value (SET ... GET)
  int64_t expire_at = kNoExpire;  // absolute unix ms; a time not ahead deletes the key
};

struct SetOutcome {
  bool written = false;
  std::optional<std::string> old;  // with `get`: the value before, if there was one
};

// SET, SETNX, SETEX, PSETEX.
OpResult<SetOutcome> op_set(Database& db, std::string_view key, std::string_view value,
                            const SetParams& params);
OpResult<std::optional<std::string>> op_getset(Database& db, std::string_view key,
                                               std::string_view value);
OpResult<std::optional<std::string>> op_getdel(Database& db, std::string_view key);
// GETEX's change to an existing key: a new expiry, or PERSIST.
void op_getex_update(Database& db, std::string_view key, int64_t expire_at, bool persist);
// MSET (nx false) and MSETNX over key, value, ...: whether it wrote.
bool op_mset(Database& db, std::span<const std::string_view> pairs, bool nx);

OpResult<int64_t> op_incr_by(Database& db, std::string_view key, int64_t delta);
OpResult<std::string> op_incr_by_float(Database& db, std::string_view key,
                                       std::string_view increment);

// max_len: proto-max-bulk-len; a write past it is kStringTooLong.
OpResult<size_t> op_append(Database& db, std::string_view key, std::string_view tail,
                           uint64_t max_len);
OpResult<size_t> op_strlen(Database& db, std::string_view key);
OpResult<std::string_view> op_getrange(Database& db, std::string_view key, int64_t start,
                                       int64_t end);
OpResult<size_t> op_setrange(Database& db, std::string_view key, uint64_t offset,
                             std::string_view value, uint64_t max_len);
// LCS's two strings ("" for an absent key); kWrongType if either holds another type.
OpResult<std::pair<std::string_view, std::string_view>> op_lcs_inputs(Database& db,
                                                                      std::string_view key1,
                                                                      std::string_view key2);

}  // namespace basalt
