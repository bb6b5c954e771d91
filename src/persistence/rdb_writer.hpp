#pragma once
// Writing Redis's RDB format, version 10, as redis-server 7.0 writes it and byte for byte what its
// loader and redis-check-rdb accept: strings as integers when canonical, LZF when it saves bytes,
// raw otherwise; lists as RDB_TYPE_LIST_QUICKLIST_2, a sequence of 8 KiB listpacks. See
// rdb_format.hpp for the layout.
//
// The writer appends to a caller-owned buffer and never holds more than one entry's bytes of its
// own, so the caller decides when to drain the buffer to a file (and memory stays bounded by what
// it lets accumulate). The CRC covers every byte appended by each call before the call returns, so
// the caller may clear or consume the buffer freely between calls.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "persistence/entry_encoder.hpp"
#include "persistence/rdb_format.hpp"
#include "store/entry.hpp"
#include "store/value.hpp"

namespace basalt {

class Store;

struct RdbWriteOptions {
  bool compression = true;  // rdbcompression: LZF for strings over 20 bytes when it helps
  bool checksum = true;     // rdbchecksum: without it the footer is eight zero bytes
  // List elements of at least this many bytes get a PLAIN quicklist node of their own. Redis's
  // default (1 GiB) is above any element Basalt stores; tests lower it to exercise PLAIN nodes.
  size_t plain_threshold = rdb::kPlainThreshold;
};

// The AUX fields of the header.
struct RdbHeaderInfo {
  int64_t ctime_s = 0;    // creation time, unix seconds
  uint64_t used_mem = 0;  // bytes in use when the save started
  bool aof_base = false;  // the file is the base of a multi-part AOF
};

class RdbWriter final : public EntryEncoder {
 public:
  RdbWriter(std::string& out, RdbWriteOptions options = {});
  RdbWriter(const RdbWriter&) = delete;
  RdbWriter& operator=(const RdbWriter&) = delete;

  // "REDIS0010" and the AUX fields redis-server 7.0 writes (redis-ver, redis-bits, ctime,
  // used-mem, aof-base).
  void write_header(const RdbHeaderInfo& info);
  void write_aux(std::string_view key, std::string_view value);
  // SELECTDB and RESIZEDB (size hints for the loader's table) for the entries that follow.
  void begin_db(int db, uint64_t keys, uint64_t expires);
  // One key. A SELECTDB comes first when db is not that of the previous entry: entries of
  // several databases may interleave (the snapshot does), and Redis's loader takes SELECTDB at
  // any point. expire_at_ms is absolute unix ms, kNoExpire (0) for none.
  void write_entry(int db, std::string_view key, const Value& value, int64_t expire_at_ms) override;
  // EOF and the checksum; nothing may be written after.
  void write_footer() override;

  uint64_t bytes_written() const { return written_; }
  bool finished() const { return finished_; }

 private:
  // Accounts for (and checksums) the bytes appended since mark.
  void commit(size_t mark);

  std::string* out_;
  RdbWriteOptions options_;
  std::string scratch_;  // one listpack or LZF output at a time
  uint64_t crc_ = 0;
  uint64_t written_ = 0;
  int current_db_ = -1;
  bool finished_ = false;
};

// The DUMP payload of a value: type byte, value encoding, RDB version (2 bytes LE) and the CRC-64
// of all that (8 bytes LE).
std::string dump_value(const Value& value, bool compression = true);

// SAVE: the whole store into path, synchronously (temp file, fsync, rename, directory fsync).
// Returns an error text on failure, the old file left in place. after_each_key, when set, runs
// after each key is encoded (rdb-key-save-delay); returning false stops the save, as a failure.
// The temporary file is Redis's for a foreground save (foreground_save_temp_path).
std::optional<std::string> save_rdb(const Store& store, const std::string& path,
                                    const RdbWriteOptions& options, const RdbHeaderInfo& info,
                                    const std::function<bool()>& after_each_key = {});

namespace rdb {
// The encodings, for the writer, the snapshot and tests.
void append_length(std::string& out, uint64_t len);
// A string as rdbSaveRawString writes it: integer, LZF (when compress and it helps) or raw.
void append_string(std::string& out, std::string_view s, bool compress);
// The type byte for a value, and the value's encoding.
uint8_t type_of(const Value& value);
void append_value(std::string& out, const Value& value, const RdbWriteOptions& options,
                  std::string& scratch);
// One listpack element (encoding, data, backlen) as listpack.c writes it: integer encodings for
// canonical integers, else the smallest string encoding. Callers add the header and terminator.
void append_listpack_element(std::string& lp, std::string_view element);
size_t listpack_element_size(std::string_view element);
}  // namespace rdb

}  // namespace basalt
