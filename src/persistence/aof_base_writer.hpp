#pragma once
// A base file of commands (aof-use-rdb-preamble no): the dataset as the commands that rebuild
// it, as Redis's rewriteAppendOnlyFileRio emits them: SELECT before each non-empty database,
// SET for a string, RPUSH of at most 64 elements per command for a list
// (AOF_REWRITE_ITEMS_PER_CMD), PEXPIREAT after a key with a TTL. It writes to a file of its own
// (a whole base at once: open, the keys, finish), or as the encoder of a background snapshot
// into the snapshot's buffer (the rewrite's base, written while the server goes on serving).
//
// Errors latch: the feeding calls return nothing, and finish() reports the first failure
// (Dragonfly's parser style), so the walk needs no check per key.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "persistence/entry_encoder.hpp"
#include "persistence/file_io.hpp"

namespace basalt {

class AofBaseWriter final : public EntryEncoder {
 public:
  static constexpr size_t kItemsPerCommand = 64;  // AOF_REWRITE_ITEMS_PER_CMD
  // Redis's REDIS_AUTOSYNC_BYTES: aof-rewrite-incremental-fsync syncs this often, so the final
  // fsync does not stall on gigabytes of dirty pages.
  static constexpr uint64_t kIncrementalFsyncBytes = 4 << 20;

  AofBaseWriter() = default;
  // Into out, which the caller drains: no file (open, finish and abandon are not for this one).
  explicit AofBaseWriter(std::string& out) : buf_(&out), own_file_(false) {}
  ~AofBaseWriter() override;  // abandons a file not finished
  AofBaseWriter(const AofBaseWriter&) = delete;
  AofBaseWriter& operator=(const AofBaseWriter&) = delete;

  std::optional<std::string> open(const std::string& path, bool incremental_fsync = true);

  void select(int db);
  // aof-timestamp-enabled: "#TS:<unix_s>" first in the file, the time the rewrite began
  // (rewriteAppendOnlyFileRio).
  void timestamp(int64_t unix_s);
  void set(std::string_view key, std::string_view value);
  // A whole list at once.
  void rpush(std::string_view key, std::span<const std::string_view> elements);
  // A list element by element (from an iterator): exactly length calls of list_element follow.
  void begin_list(std::string_view key, size_t length);
  void list_element(std::string_view element);
  // A set member by member, as SADD batches of kItemsPerCommand (rewriteSetObject): exactly
  // length calls of set_member follow.
  void begin_set(std::string_view key, size_t length);
  void set_member(std::string_view member) { list_element(member); }
  void pexpireat(std::string_view key, int64_t unix_time_ms);
  // Any other command (a type without its own method yet).
  void command(std::span<const std::string_view> argv);
  // A key of any type as the commands that rebuild it, then PEXPIREAT when it has a TTL; a SELECT
  // first when db is not the previous key's.
  void write_entry(int db, std::string_view key, const Value& value, int64_t expire_at_ms) override;
  void write_footer() override { check_list_done(); }

  // Writes what is buffered, fsyncs and closes: the first error of the whole file, if any.
  std::optional<std::string> finish();
  // Closes and removes the file (a failed or cancelled rewrite).
  void abandon();
  uint64_t bytes() const { return bytes_; }

 private:
  void write_bulk(std::string_view s);
  void maybe_flush();
  void check_list_done();

  void hash(std::string_view key, const Value& value);
  void zset(std::string_view key, const Value& value);

  OutputFile file_;
  std::string own_buf_;
  std::string* buf_ = &own_buf_;
  bool own_file_ = true;
  int current_db_ = -1;
  std::optional<std::string> error_;
  bool incremental_fsync_ = true;
  uint64_t bytes_ = 0;
  uint64_t synced_at_ = 0;
  bool finished_ = false;
  std::string list_key_;
  size_t list_remaining_ = 0;
  size_t list_count_ = 0;
  std::string_view list_command_ = "RPUSH";  // or SADD: the batches being written
};

}  // namespace basalt
