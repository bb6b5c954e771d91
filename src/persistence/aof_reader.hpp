#pragma once
// Reading an append-only file of commands: RESP arrays of bulk strings ("*2\r\n$6\r\nSELECT\r\n
// $1\r\n0\r\n"), and '#' annotation lines (Redis's "#TS:<unix time>" timestamps), which are
// skipped. The reader knows nothing of commands: it hands each argv to the caller, who executes
// it (MULTI and EXEC included: they are ordinary commands to the reader, which only remembers
// where an unfinished transaction began, see AofReadResult).
//
// The input is untrusted (a torn write, a disk error, a hand edit): the reader never allocates
// for a length it was told before the bytes are there, so memory follows the bytes that exist,
// at most about twice the largest command plus one read chunk. Every fault is a returned status
// with the file's name and an offset; nothing throws or aborts.
//
// A file ending in the middle of a command (a crash during write(2)) is "truncated": every
// command before it was delivered, and valid_up_to is where to cut the file
// (truncate_aof_file) when aof-load-truncated is yes. Bytes that cannot begin or continue any
// command are "corrupt", wherever they are.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace basalt {

// Appends one command as Redis's catAppendOnlyGenericCommand writes it.
void append_aof_command(std::string& out, std::span<const std::string_view> argv);
// "*2\r\n$6\r\nSELECT\r\n$<n>\r\n<db>\r\n".
void append_aof_select(std::string& out, int db);
// "#TS:<unix seconds>\r\n": aof-timestamp-enabled's annotation, which loading skips and
// redis-check-aof --truncate-to-timestamp cuts at.
void append_aof_timestamp(std::string& out, int64_t unix_s);

struct AofCommand {
  std::span<const std::string_view> argv;  // valid only during the callback
  uint64_t offset = 0;                     // of its '*'
  uint64_t end_offset = 0;                 // just past its last "\r\n"
};
// Returns false to stop reading (an unknown command, a failed execution): the read then ends
// with kStopped and valid_up_to at this command's offset.
using AofCommandHandler = std::function<bool(const AofCommand&)>;

enum class AofReadStatus {
  kOk,         // the whole file (or nothing: an empty file) was read
  kTruncated,  // ends inside a command, or inside a MULTI without its EXEC
  kCorrupt,    // bytes no command can have, before or at the end
  kIoError,    // open or read failed
  kStopped,    // the handler returned false
};
std::string_view aof_read_status_name(AofReadStatus status);

struct AofReadResult {
  AofReadStatus status = AofReadStatus::kOk;
  // The end of the last command that stays valid: for kTruncated, where to cut the file. Inside
  // an unfinished MULTI it is where the MULTI began, so a cut file never ends in an open
  // transaction (the caller queued, and now discards, the commands after MULTI, as Redis's
  // loader does).
  uint64_t valid_up_to = 0;
  // Where the fault is: the torn command's start (kTruncated), the first bad byte (kCorrupt).
  uint64_t error_offset = 0;
  uint64_t commands = 0;  // delivered to the handler
  bool in_multi = false;  // the file (or the valid part) ended inside MULTI
  std::string message;    // for the log: names the file and the offset; empty for kOk
};

struct AofReaderOptions {
  // Longest argument accepted; longer announced lengths are corrupt. Redis's proto-max-bulk-len.
  uint64_t max_bulk_len = 512ull * 1024 * 1024;
  uint64_t max_args = 1024ull * 1024 * 1024;  // Redis refuses more than this in a request too
  // Bytes per read(2). The reader reads more when a command is longer than what it holds.
  size_t chunk_size = 64 * 1024;
};

// Reads the commands of a file from start_offset (0, or where an RDB preamble ended).
AofReadResult read_aof_file(const std::string& path, uint64_t start_offset,
                            const AofCommandHandler& on_command,
                            const AofReaderOptions& options = {});
// The same over bytes in memory, fed in options.chunk_size pieces as a file would be; name is
// used in messages. Offsets count from the start of bytes.
AofReadResult read_aof_bytes(std::string_view bytes, std::string_view name,
                             const AofCommandHandler& on_command,
                             const AofReaderOptions& options = {});

// aof-load-truncated yes: cuts the file at valid_up_to (ftruncate, then fsync) and logs Redis's
// warning ("!!! Warning: short read while loading the AOF file ... Truncating ... at offset").
std::optional<std::string> truncate_aof_file(const std::string& path, uint64_t offset);

}  // namespace basalt
