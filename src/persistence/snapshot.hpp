#pragma once
// BGSAVE without fork: a point-in-time RDB file of the keyspace, written while the loop goes on
// serving writes, with no second copy of the data (Dragonfly's SliceSnapshot idea, per table).
//
// How it stays point-in-time:
// - Every Entry has one bit saying which snapshot epoch last serialized it. Starting a snapshot
//   flips each database's epoch, so every existing entry reads "not yet serialized" in O(1), and
//   entries created afterwards carry the new epoch, so they are not part of the snapshot.
// - A DbSnapshot walks its Database's table with the SCAN cursor (which returns every entry
//   present for the whole walk, across incremental rehashing) a bounded number of entries per
//   step, serializing each entry whose bit is stale and flipping it.
// - Before any change to an existing entry (Database::find, the write path; destroy, which
//   deletion and lazy and active expiry end in), the database calls the snapshot hook, which
//   serializes the entry's old value first if the walk has not reached it. The cost when no
//   snapshot runs is one branch on a null pointer.
// - FLUSHDB hands the old table to the snapshot, which walks it and frees it (O(1), no extra
//   memory); SWAPDB completes both databases' walks at once; FLUSHALL aborts (as Redis kills its
//   BGSAVE child).
// Extra memory is the output buffer (drained to the file past kDrainBytes at each step) plus the
// entries hooks serialize between two steps.
//
// One encoder serves the whole file: entries of different databases interleave, each preceded by
// a SELECTDB (or SELECT) when the database changes. The encoder is the RDB writer (BGSAVE, an RDB
// base) or the command writer (a base of commands, aof-use-rdb-preamble no).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "persistence/entry_encoder.hpp"
#include "persistence/file_io.hpp"
#include "persistence/rdb_writer.hpp"
#include "store/database.hpp"

namespace basalt {

class Store;

// The walk over one Database. Attached on construction; detaches when done or aborted.
class DbSnapshot final : public SnapshotHook {
 public:
  DbSnapshot(Database& db, EntryEncoder& writer);
  ~DbSnapshot() override;
  DbSnapshot(const DbSnapshot&) = delete;
  DbSnapshot& operator=(const DbSnapshot&) = delete;

  // Serializes up to max_entries more entries (those visited but already serialized cost a visit
  // each, not counted); returns true once the walk is complete (then detached).
  bool step(size_t max_entries);
  bool done() const { return done_; }
  uint64_t serialized() const { return serialized_; }
  // Stops without finishing; entries not reached get their bit set so that the next snapshot's
  // epoch flip sees them as stale again (O(remaining entries), no serialization).
  void abort();

  void before_change(Entry* e) override;
  void take_table(Dict&& table, TtlIndex&& ttls) override;
  void complete_now() override;

 private:
  void serialize(Entry* e, int64_t expire_at);
  void serialize(Entry* e);
  // An entry of the table FLUSHDB handed over, whose expiry is in owned_ttls_.
  void serialize_owned(Entry* e);
  void finish();

  Database& db_;
  EntryEncoder& writer_;
  const bool epoch_;
  uint64_t cursor_ = 0;
  // A table FLUSHDB handed over: walked (and the old database's part of it finished) first.
  std::unique_ptr<Dict> owned_;
  TtlIndex owned_ttls_;
  uint64_t owned_cursor_ = 0;
  bool db_walk_done_ = false;
  bool done_ = false;
  uint64_t serialized_ = 0;
};

struct BackgroundSaveStats {
  uint64_t bytes = 0;           // bytes written to the file so far
  size_t max_buffer_bytes = 0;  // the largest the output buffer got before a drain
};

// One BGSAVE: owns the temporary file and the writer. Driven by the server: step() from the loop
// (a timer or idle callback), then finish_bytes() on the loop, commit() on any thread (fsync and
// rename are the slow part), or abort().
class BackgroundSave {
 public:
  static constexpr size_t kDrainBytes = size_t{1} << 20;

  // Attaches a snapshot to every database and writes the header; nullptr with *error on failure
  // (the temporary file could not be created).
  static std::unique_ptr<BackgroundSave> start(Store& store, const std::string& path,
                                               const RdbWriteOptions& options,
                                               const RdbHeaderInfo& info, std::string* error);
  // The same walk writing a base of commands (aof-use-rdb-preamble no) instead of an RDB file,
  // first a "#TS:" annotation when timestamp_s is given (aof-timestamp-enabled).
  static std::unique_ptr<BackgroundSave> start_commands(Store& store, const std::string& path,
                                                        std::optional<int64_t> timestamp_s,
                                                        std::string* error);
  ~BackgroundSave();  // aborts unless committed
  BackgroundSave(const BackgroundSave&) = delete;
  BackgroundSave& operator=(const BackgroundSave&) = delete;

  // Advances the walks by up to budget entries in all, draining the buffer to the file past
  // kDrainBytes. An error (a failed write) means the save has failed: call abort().
  std::optional<std::string> step(size_t budget);
  bool done() const;
  // Loop thread, once done(): EOF and checksum, and the rest of the buffer to the file.
  std::optional<std::string> finish_bytes();
  // Any thread, after finish_bytes(): fsync, close, rename over the target, fsync the directory.
  std::optional<std::string> commit();
  // Detaches every snapshot and removes the temporary file; the old dump stays as it was.
  void abort();

  const BackgroundSaveStats& stats() const { return stats_; }
  const std::string& temp_path() const { return temp_; }
  // Entries written so far (by the walk or before a change), and when the save began (the
  // store's monotonic clock): what rdb-key-save-delay paces.
  uint64_t written() const;
  int64_t started_us() const { return started_us_; }

 private:
  BackgroundSave(Store& store, std::string path);
  // Opens the temporary file and attaches a snapshot to every database, encoding with encoder_.
  bool attach(std::string* error);
  std::optional<std::string> drain();

  Store& store_;
  std::string path_;
  std::string temp_;
  OutputFile file_;
  std::string buffer_;
  std::unique_ptr<EntryEncoder> encoder_;
  std::vector<std::unique_ptr<DbSnapshot>> dbs_;
  size_t next_db_ = 0;
  int64_t started_us_ = 0;
  BackgroundSaveStats stats_;
  bool finished_ = false;
  bool committed_ = false;
  bool aborted_ = false;
};

}  // namespace basalt
