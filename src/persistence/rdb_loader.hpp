#pragma once
// Loading RDB files (versions 1 to 10, everything redis-server 7.0 writes for strings and lists)
// into a Store, and RESTORE's parsing of DUMP payloads. Every byte is treated as hostile: each
// length is checked against the bytes that remain before anything is allocated for it (a file is
// read in bounded chunks and strings grow as their bytes arrive), and every failure is a returned
// error naming what was wrong and at which byte offset, never an exception or an abort.
//
// The loader touches nothing but the Store it is given, so it may run on a thread of its own while
// the server's loop waits (it must then be the only user of that Store).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/hash.hpp"
#include "store/set.hpp"
#include "store/value.hpp"
#include "store/zset.hpp"

namespace basalt {

class Store;

struct RdbLoadProgress {
  uint64_t bytes_read = 0;
  uint64_t keys_loaded = 0;
};

// The encoding thresholds a loaded value is converted by, as Redis's loader uses its
// configuration: a small sorted set comes back packed, a large one (or one past
// zset-max-listpack-entries 0) a tree; a set past set-max-intset-entries a table; a hash past
// hash-max-listpack-entries or -value a table.
struct ValueLimits {
  HashLimits hash;
  ZSet::Limits zset;
  size_t max_intset_entries = Set::kDefaultMaxIntsetEntries;
};

struct RdbLoadOptions {
  ValueLimits limits;
  // Called about every progress_interval bytes (and between keys); returning false stops the load
  // with an error (shutdown during start-up loading).
  std::function<bool(const RdbLoadProgress&)> progress;
  uint64_t progress_interval = uint64_t{2} << 20;
  // Keys past their TTL are skipped, as by Redis's master, unless this is an AOF's RDB base
  // (Redis's RDBFLAGS_AOF_PREAMBLE): the AOF's later commands may change them, so they are loaded
  // with their TTL and expire once the load is over (Store::set_loading).
  bool keep_expired = false;
  // false: a wrong CRC-64 at the end is ignored (DEBUG SET-SKIP-CHECKSUM-VALIDATION).
  bool verify_checksum = true;
};

struct RdbLoadResult {
  // One line: what is wrong, with the key or opcode involved and the byte offset. On error the
  // store holds the keys loaded before it; the caller discards them.
  std::optional<std::string> error;
  int version = 0;
  std::vector<std::pair<std::string, std::string>> aux;  // in file order (redis-ver, ctime, ...)
  uint64_t keys_loaded = 0;
  uint64_t expired_skipped = 0;  // keys whose TTL had passed (Redis's master does not load them)
  uint64_t empty_skipped = 0;    // empty lists, which Redis also skips
  std::vector<std::string> empty_skipped_keys;  // the first ten, for the log (as Redis's)
  bool opened = false;  // the file opened: an error is in its content or its reading
  uint64_t bytes_read = 0;
  bool checksum_verified = false;  // false when the file's checksum is zero or it predates them

  bool ok() const { return !error; }
  // The value of an AUX field, or nullopt.
  std::optional<std::string> aux_field(std::string_view name) const;
};

// From memory (tests, the fuzzer, a replica's transfer held in memory).
RdbLoadResult load_rdb(std::string_view bytes, Store& store, const RdbLoadOptions& options = {});
// From a file, read progressively in bounded chunks.
RdbLoadResult load_rdb_file(const std::string& path, Store& store,
                            const RdbLoadOptions& options = {});

// RESTORE's payload check and parse.
enum class RestoreStatus {
  kOk,
  kBadPayload,       // version or checksum: "ERR DUMP payload version or checksum are wrong"
  kBadData,          // a malformed value: "ERR Bad data format"
  kUnsupportedType,  // a type Basalt does not store (detail names it)
};
struct RestoreResult {
  RestoreStatus status = RestoreStatus::kBadData;
  Value value;
  std::string detail;  // what was wrong, for logs (and the reply for kUnsupportedType)
};
RestoreResult restore_value(std::string_view payload, const ValueLimits& limits = {},
                            bool verify_checksum = true);
// Redis's error text for a status (without the leading '-').
std::string_view restore_error_text(RestoreStatus status);

}  // namespace basalt
