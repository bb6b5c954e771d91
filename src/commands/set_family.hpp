#pragma once
// The set family's store operations (set_family.cpp): each works on a Database alone, with no
// client and no reply, and reports failure as an OpStatus. The commands (cmd_*) parse their
// arguments, call these, and reply. max_intset is the set-max-intset-entries in force, passed in
// so that the ops need no config.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/generic_family.hpp"
#include "commands/op_status.hpp"
#include "store/set.hpp"

namespace basalt {

class Database;

// SADD: how many members were new.
OpResult<size_t> op_sadd(Database& db, std::string_view key,
                         std::span<const std::string_view> members, size_t max_intset);
// SREM: how many were removed; a set left empty is deleted.
OpResult<size_t> op_srem(Database& db, std::string_view key,
                         std::span<const std::string_view> members);
// SCARD: 0 for an absent key.
OpResult<size_t> op_scard(Database& db, std::string_view key);
// SISMEMBER.
OpResult<bool> op_sismember(Database& db, std::string_view key, std::string_view member);
// SMISMEMBER: one flag per member (all false for an absent key).
OpResult<std::vector<bool>> op_smismember(Database& db, std::string_view key,
                                          std::span<const std::string_view> members);
// SMOVE: whether the member was moved (or, source and destination being one set, is there).
// kWrongType when the source, or the destination if present, holds another type.
OpResult<bool> op_smove(Database& db, std::string_view source, std::string_view destination,
                        std::string_view member, size_t max_intset);

// The set at a key for reading (SMEMBERS, SSCAN): nullptr for an absent key. Valid until the key
// is next modified.
OpResult<const Set*> op_set_read(Database& db, std::string_view key);

// SINTER and SINTERCARD (limit: stop counting there; 0 for none), as Redis's sinterGenericCommand:
// every key is type-checked, an absent one makes the result empty.
OpResult<Set> op_sinter(Database& db, std::span<const std::string_view> keys, size_t max_intset);
OpResult<size_t> op_sintercard(Database& db, std::span<const std::string_view> keys, size_t limit);
enum class SetAlgebra : uint8_t { kUnion, kDiff };
// SUNION and SDIFF (the first set minus the others); absent keys are empty sets.
OpResult<Set> op_sunion_diff(Database& db, std::span<const std::string_view> keys, SetAlgebra op,
                             size_t max_intset);
// The STORE forms: the result replaces `destination` (any type, its TTL dropped); an empty result
// deletes it. Returns the stored set's size.
OpResult<size_t> op_sinterstore(Database& db, std::string_view destination,
                                std::span<const std::string_view> keys, size_t max_intset);
OpResult<size_t> op_sunion_diff_store(Database& db, std::string_view destination,
                                      std::span<const std::string_view> keys, SetAlgebra op,
                                      size_t max_intset);

// SRANDMEMBER key: a member, nullopt for an absent key.
OpResult<std::optional<std::string>> op_srandmember(Database& db, std::string_view key,
                                                    std::mt19937_64& rng);
// SRANDMEMBER key count: a positive count asks for distinct members (at most the whole set), a
// negative one for -count members that may repeat.
OpResult<std::vector<std::string>> op_srandmember_count(Database& db, std::string_view key,
                                                        int64_t count, std::mt19937_64& rng);

struct PopResult {
  bool found = false;     // the key held a set
  bool took_all = false;  // the whole set was popped and the key deleted
  std::vector<std::string> members;
};
// SPOP key [count]: up to `count` distinct random members, removed; an emptied set is deleted.
OpResult<PopResult> op_spop(Database& db, std::string_view key, size_t count, std::mt19937_64& rng);

// One SSCAN step over a set (from op_set_read): appends members to *out, returns the next cursor.
uint64_t op_sscan(const Set& set, uint64_t cursor, const ScanParams& params,
                  std::vector<std::string>* out);

}  // namespace basalt
