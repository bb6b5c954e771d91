#pragma once
// Shared pieces of command handlers. As in Redis, a function named ..._or_reply has already sent
// the error reply when it returns false / nullptr, so the caller just returns.

#include <cstdint>
#include <optional>
#include <string_view>

#include "commands/engine.hpp"
#include "store/entry.hpp"

namespace basalt {

// "ERR value is not an integer or out of range" unless s is a strict int64.
bool parse_int_or_reply(CommandContext& ctx, std::string_view s, int64_t* out);
// An int64 >= min; anything else (not an integer too, as Redis's getRangeLongFromObjectOrReply)
// gets `range_error`, Redis's per-command wording.
bool parse_int_min_or_reply(CommandContext& ctx, std::string_view s, int64_t min, int64_t* out,
                            std::string_view range_error);
// "ERR value is not a valid float".
bool parse_double_or_reply(CommandContext& ctx, std::string_view s, double* out);

// Blocking-command timeout in seconds (float, as Redis 6+): absolute unix-ms deadline in *deadline
// (0 = wait forever). Errors: "timeout is not a float or out of range", "timeout is negative".
bool parse_timeout_or_reply(CommandContext& ctx, std::string_view s, int64_t* deadline);

// Looks a key up with lazy expiry. Returns nullptr if missing; if present with another type,
// replies WRONGTYPE, sets *wrong_type and returns nullptr.
Entry* find_typed_or_reply(CommandContext& ctx, std::string_view key, ValueType type,
                           bool* wrong_type);
// Same on the read path (counts keyspace hits and misses).
Entry* find_typed_for_read_or_reply(CommandContext& ctx, std::string_view key, ValueType type,
                                    bool* wrong_type);

// An expiry as it replays (EXPIRE family, GETEX): the absolute millisecond, or, for a time not in
// the future (the key was deleted), Redis's DEL (UNLINK under lazyfree-lazy-expire).
void propagate_expire_at(CommandContext& ctx, std::string_view key, int64_t when_ms);

// Gives a key an absolute expiry; a time not in the future deletes it instead, as Redis does.
// Returns true if the key was deleted. Signals the modification either way; the caller sends
// the command's keyspace event, which depends on the outcome.
bool expire_or_delete(Database& db, Entry* e, int64_t when_ms);

// DEL's effect on one key (DEL, UNLINK, a STORE command's empty result): deleted, signalled,
// and a "del" keyspace event. False if there was no such key.
bool delete_key(Database& db, std::string_view key);

// After a write removed elements from the collection at `e` (now_empty: none are left): signals
// the key and sends the command's keyspace event, then deletes the key with a "del" event if it
// emptied, in Redis's order. A collection never exists empty. `e` may move (Database::refit) or
// go: callers do not use it afterwards.
void after_elements_removed(Database& db, Entry* e, std::string_view key, uint32_t event_class,
                            std::string_view event, bool now_empty);

// Converts a relative/absolute TTL argument to absolute ms, checking Redis's overflow rules.
// unit_ms: 1000 for seconds, 1 for ms; absolute: EXAT/PXAT/EXPIREAT forms. Returns nullopt on
// overflow (callers reply with err::invalid_expire(command)).
std::optional<int64_t> expire_to_absolute_ms(int64_t value, int64_t unit_ms, bool absolute,
                                             int64_t now_ms);

// Normalizes Redis's negative indexes (-1 = last) against a length; may stay out of range.
inline int64_t normalize_index(int64_t index, int64_t len) {
  return index < 0 ? len + index : index;
}

}  // namespace basalt
