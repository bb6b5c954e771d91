#pragma once
// Redis 7's multi-part append-only file: a directory (appenddirname) holding one base file (a
// snapshot: RDB, or commands when aof-use-rdb-preamble is no), the incremental files of commands
// written since, and a manifest naming them. The manifest's text is Redis 7.0's byte for byte, so
// that a directory written by either server (and redis-check-aof) is read by the other:
//
//   file appendonly.aof.2.base.rdb seq 2 type b
//   file appendonly.aof.1.incr.aof seq 1 type h
//   file appendonly.aof.2.incr.aof seq 2 type i
//
// Base first, then history (files a rewrite replaced, about to be deleted), then incr files in
// the order they are replayed. Names with spaces or unprintable bytes are quoted as Redis's
// sdscatrepr writes them and read back as its sdssplitargs reads them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace basalt {

// Where the files are, from the configuration: dir, appenddirname, appendfilename.
struct AofNames {
  std::string dir = ".";  // the server's working directory ("dir")
  std::string dirname = "appendonlydir";
  std::string filename = "appendonly.aof";

  std::string aof_dir() const;                            // dir/dirname
  std::string path_of(std::string_view file_name) const;  // dir/dirname/file_name
  std::string manifest_name() const;                      // <filename>.manifest
  std::string manifest_path() const;
  // The pre-7.0 single file, dir/<filename>: what Redis upgrades from.
  std::string legacy_path() const;
};

enum class AofFileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct AofFileInfo {
  std::string name;  // a bare file name inside the AOF directory, never a path
  int64_t seq = 0;
  AofFileType type = AofFileType::kIncr;
  bool operator==(const AofFileInfo&) const = default;
};

// Why a manifest was refused, with Redis's texts ("Invalid AOF manifest file format", ...) so
// that tests and operators can match them against Redis's.
struct AofManifestError {
  std::string reason;
  int line = 0;           // 1-based; 0 when the error is not about one line
  std::string line_text;  // the line as Redis logs it (trimmed)
  // "<where>: <reason> (line N: '<text>')".
  std::string to_string(std::string_view where) const;
};

class AofManifest {
 public:
  std::optional<AofFileInfo> base;
  std::vector<AofFileInfo> history;
  std::vector<AofFileInfo> incrs;  // replay order; strictly increasing seq
  // The last sequence numbers handed out, as Redis tracks them (curr_base_file_seq and
  // curr_incr_file_seq): history lines do not move them.
  int64_t base_seq = 0;
  int64_t incr_seq = 0;

  bool operator==(const AofManifest&) const = default;
  bool empty() const { return !base && incrs.empty(); }

  // Parses with Redis 7.0's rules (aofLoadManifestFromFile): lines of at most 1024 bytes ending
  // in '\n', '#' comments, keys file/seq/type in any case and order, unknown key pairs ignored for
  // forward compatibility, a base at most once, incr seqs strictly increasing.
  static std::optional<AofManifestError> parse(std::string_view text, AofManifest* out);
  // The manifest's text (getAofManifestAsString): base, history, incrs.
  std::string serialize() const;

  // Makes a new base the current one, turning the old base (if any) into history, and returns its
  // name: "<filename>.<seq>.base.rdb", or ".aof" for a base of commands.
  const std::string& add_new_base(std::string_view filename, bool rdb);
  // Appends a new incr file and returns its name: "<filename>.<seq>.incr.aof".
  const std::string& add_new_incr(std::string_view filename);
  // The file appends go to: the last incr, or a new one when there is none (getLastIncrAofName).
  const std::string& last_incr_or_new(std::string_view filename);
  // After a rewrite: incr files with seq < first_kept_seq become history (their commands are in
  // the new base).
  void mark_incrs_before_as_history(int64_t first_kept_seq);
};

// Reads dir/dirname/<filename>.manifest. A missing directory or manifest is not an error (Redis
// starts without an AOF then): *found is false and *out empty.
std::optional<std::string> load_aof_manifest(const AofNames& names, AofManifest* out, bool* found);
// Writes the manifest durably (temp file, fsync, rename, directory fsync).
std::optional<std::string> persist_aof_manifest(const AofNames& names, const AofManifest& manifest);

// What a file holds, from its first bytes.
enum class AofFileFormat { kEmpty, kRdb, kCommands };
std::string_view aof_file_format_name(AofFileFormat format);
// "REDIS" at the start: an RDB (a base written with aof-use-rdb-preamble, or an old single file
// with an RDB preamble and a tail of commands).
std::optional<AofFileFormat> detect_aof_file_format(const std::string& path, std::string* error);

struct AofPlannedFile {
  std::string name;
  std::string path;
  AofFileType type = AofFileType::kIncr;  // kBase or kIncr
  AofFileFormat format = AofFileFormat::kEmpty;
  uint64_t size = 0;
};

// What start-up loads, in order (loadAppendOnlyFiles): the base, then the incr files. A base in
// RDB format goes to the RDB loader, then the command reader continues from where the RDB ended
// (an old single file has a tail of commands after its RDB preamble); every other file goes to
// the command reader from offset 0. A file that reads as truncated may be cut only when it is the
// last one (Redis: "the truncated file is not the last file" is fatal).
struct AofLoadPlan {
  enum class State {
    kNoAof,  // no manifest, or one naming no files: start empty (Redis's AOF_NOT_EXIST)
    kEmpty,  // every file is empty (AOF_EMPTY)
    kLoad,
  };
  State state = State::kNoAof;
  AofManifest manifest;
  std::vector<AofPlannedFile> files;
  uint64_t total_size = 0;  // base + incr files: INFO's aof_current_size after loading
  uint64_t base_size = 0;   // aof_base_size after loading
  bool upgraded = false;    // an old single file was moved into the directory
};

// Builds the plan. As Redis does at start-up, an old single file dir/<filename> is first moved
// into the directory as the base of a new manifest (aofUpgradePrepare) when the directory has no
// manifest or no files, or names only that file without holding it; a crash during the upgrade
// leaves a state the next start upgrades again. A file the manifest names that is missing is fatal
// with Redis's text ("Unable to obtain the AOF file <name> length. stat: No such file or
// directory"); so is an incr file in RDB format, which only a base may be.
std::optional<std::string> prepare_aof_load(const AofNames& names, AofLoadPlan* plan);

}  // namespace basalt
