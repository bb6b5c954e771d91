#pragma once
// The keyspace and expiry family's store operations (generic_family.cpp), on a Database or the
// Store alone: no client, no reply. Failures are an OpStatus; the commands map them to Redis's
// texts. Views returned point at keys, valid until those keys are deleted.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "commands/op_status.hpp"
#include "store/value.hpp"

namespace basalt {

class Database;
class Store;
struct CommandContext;

// DEL, UNLINK: how many of `keys` existed (each is signalled).
int64_t op_del(Database& db, std::span<const std::string_view> keys);
// EXISTS: how many of `keys` exist, a repeated key counting each time; their access times stay.
int64_t op_exists(Database& db, std::span<const std::string_view> keys);
// TOUCH: the same count, and each key found counts as accessed (Redis's lookupKeyRead).
int64_t op_touch(Database& db, std::span<const std::string_view> keys);
std::optional<ValueType> op_type(Database& db, std::string_view key);

// RENAME (nx false) and RENAMENX: whether the key moved; kNoSuchKey when `from` is absent.
OpResult<bool> op_rename(Database& db, std::string_view from, std::string_view to, bool nx);
// MOVE: kSameObject when both are one database.
OpResult<bool> op_move(Database& src_db, Database& dst_db, std::string_view key);
// COPY: value and TTL; kSameObject for the same key in the same database.
// DUMP: the value in Redis's serialization (RDB encoding, version, CRC-64); nullopt when absent.
std::optional<std::string> op_dump(Database& db, std::string_view key);
// RESTORE of a value already parsed: false (nothing done) when the key exists and !replace. A
// time already past deletes what was there and creates nothing, as Redis does.
enum class RestoreOutcome : uint8_t { kBusyKey, kCreated, kExpiredReplaced, kExpiredNothing };
RestoreOutcome op_restore(Database& db, std::string_view key, Value&& value, int64_t expire_at,
                          bool replace);
OpResult<bool> op_copy(Database& src_db, std::string_view key, Database& dst_db,
                       std::string_view newkey, bool replace);

std::vector<std::string_view> op_keys(Database& db, std::string_view pattern);

// The options of SCAN, HSCAN, SSCAN and ZSCAN.
struct ScanParams {
  int64_t count = 10;                    // keys (fields, members) to look at, at least
  std::string_view pattern;              // empty or "*": every one
  std::optional<std::string_view> type;  // SCAN only: a TYPE name ("string", "list")
};
// One SCAN step from `cursor`: appends the live keys that pass the filters to *keys and returns
// the next cursor (0 when the walk is complete).
uint64_t op_scan(Database& db, uint64_t cursor, const ScanParams& params,
                 std::vector<std::string_view>* keys);
std::optional<std::string_view> op_randomkey(Database& db);
// Cmd-side helpers shared by the SCAN family.
// A SCAN-family cursor as Redis's parseScanCursorOrReply reads it; nullopt: "ERR invalid cursor".
std::optional<uint64_t> parse_scan_cursor(std::string_view s);
// The options from argument `first` on, in pairs, as Redis's scanGenericCommand reads them
// (MATCH, COUNT >= 1, and TYPE when type_allowed); replies the error and returns false when bad.
bool parse_scan_options_or_reply(CommandContext& ctx, size_t first, bool type_allowed,
                                 ScanParams* out);

void op_flushdb(Store& store, int index);
void op_flushall(Store& store);
// Swaps two databases' contents (a != b), telling the keyspace observer first.
void op_swapdb(Store& store, int a, int b);

// EXPIRE's NX | XX | GT | LT.
enum ExpireFlag : unsigned { kExpireNx = 1, kExpireXx = 2, kExpireGt = 4, kExpireLt = 8 };
// Sets an absolute expiry if `flags` allow it; a time not ahead deletes the key (still true).
bool op_expire(Database& db, std::string_view key, int64_t when_ms, unsigned flags);
// TTL (in_ms false), PTTL, EXPIRETIME (absolute), PEXPIRETIME: -2 absent, -1 no TTL.
int64_t op_ttl(Database& db, std::string_view key, bool in_ms, bool absolute);
bool op_persist(Database& db, std::string_view key);

}  // namespace basalt
