#include "persistence/aof_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.hpp"
#include "base/strings.hpp"

namespace basalt {

namespace {

// Redis reads an annotation with fgets into a buffer of AOF_ANNOTATION_LINE_MAX_LEN (1024)
// bytes: a line of up to 1023 bytes with its '\n' is one annotation.
constexpr size_t kMaxAnnotationLine = 1023;

enum class Step { kNeedMore, kCommand, kAnnotation, kCorrupt };

struct Parsed {
  std::vector<std::string_view> args;
  size_t end = 0;  // bytes the command or annotation takes
  size_t bad = 0;  // offset of the offending byte (kCorrupt)
  std::string why;
};

std::string describe_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("0x") + kHex[u >> 4] + kHex[u & 15];
}

// Parses "<digits>\r\n" at p, at most max. Leading zeros are accepted, as Redis's atoi/strtol
// accept them; signs and spaces are not.
Step parse_length(std::string_view in, size_t& p, uint64_t max, uint64_t* value, Parsed* out) {
  const size_t start = p;
  uint64_t v = 0;
  for (;;) {
    if (p >= in.size()) return Step::kNeedMore;
    const char c = in[p];
    if (c >= '0' && c <= '9') {
      const uint64_t digit = static_cast<uint64_t>(c - '0');
      if (digit > max || v > (max - digit) / 10) {
        out->bad = start;
        out->why = "length over the limit of " + std::to_string(max);
        return Step::kCorrupt;
      }
      v = v * 10 + digit;
      ++p;
      continue;
    }
    if (c != '\r' || p == start) {
      out->bad = p;
      out->why = "expected a digit, got " + describe_byte(c);
      return Step::kCorrupt;
    }
    if (p + 1 >= in.size()) return Step::kNeedMore;
    if (in[p + 1] != '\n') {
      out->bad = p + 1;
      out->why = "expected '\\n', got " + describe_byte(in[p + 1]);
      return Step::kCorrupt;
    }
    p += 2;
    *value = v;
    return Step::kCommand;
  }
}

// One command or annotation at the start of in. kNeedMore only when in is a proper prefix of
// something valid, so that at the end of the file it means "torn", never "bad".
Step parse_one(std::string_view in, const AofReaderOptions& options, Parsed* out) {
  out->args.clear();
  if (in.empty()) return Step::kNeedMore;
  if (in[0] == '#') {
    const size_t newline = in.substr(0, kMaxAnnotationLine).find('\n');
    if (newline != std::string_view::npos) {
      out->end = newline + 1;
      return Step::kAnnotation;
    }
    if (in.size() < kMaxAnnotationLine) return Step::kNeedMore;
    out->bad = 0;
    out->why = "an annotation line longer than " + std::to_string(kMaxAnnotationLine) + " bytes";
    return Step::kCorrupt;
  }
  if (in[0] != '*') {
    out->bad = 0;
    out->why = "expected '*' or '#', got " + describe_byte(in[0]);
    return Step::kCorrupt;
  }
  size_t p = 1;
  uint64_t argc = 0;
  Step step = parse_length(in, p, options.max_args, &argc, out);
  if (step != Step::kCommand) return step;
  if (argc == 0) {
    out->bad = 1;
    out->why = "a command of zero arguments";
    return Step::kCorrupt;
  }
  for (uint64_t i = 0; i < argc; ++i) {
    if (p >= in.size()) return Step::kNeedMore;
    if (in[p] != '$') {
      out->bad = p;
      out->why = "expected '$', got " + describe_byte(in[p]);
      return Step::kCorrupt;
    }
    ++p;
    uint64_t len = 0;
    step = parse_length(in, p, options.max_bulk_len, &len, out);
    if (step != Step::kCommand) return step;
    // Compare with what is there without forming p + len, which a hostile length could overflow.
    const size_t available = in.size() - p;
    if (available > len && in[p + len] != '\r') {
      out->bad = p + len;
      out->why = "expected '\\r' after " + std::to_string(len) + " bytes, got " +
                 describe_byte(in[p + len]);
      return Step::kCorrupt;
    }
    if (available > len && available - len > 1 && in[p + len + 1] != '\n') {
      out->bad = p + len + 1;
      out->why = "expected '\\n', got " + describe_byte(in[p + len + 1]);
      return Step::kCorrupt;
    }
    if (available <= len || available - len < 2) return Step::kNeedMore;
    out->args.emplace_back(in.substr(p, len));
    p += len + 2;
  }
  out->end = p;
  return Step::kCommand;
}

// Fills buf[at, at + want) from the source; returns bytes read, 0 at the end, -1 with *error.
using Source = std::function<ssize_t(char* into, size_t want, std::string* error)>;

AofReadResult run(std::string_view name, uint64_t base_offset, const Source& source,
                  const AofCommandHandler& on_command, const AofReaderOptions& options) {
  AofReadResult result;
  result.valid_up_to = base_offset;
  std::string buf;
  size_t pos = 0;
  uint64_t buf_offset = base_offset;  // file offset of buf[0]
  bool eof = false;
  uint64_t multi_offset = 0;
  Parsed parsed;
  const std::string where(name);
  const size_t chunk = std::max<size_t>(options.chunk_size, 1);

  for (;;) {
    const Step step = parse_one(std::string_view(buf).substr(pos), options, &parsed);
    const uint64_t here = buf_offset + pos;
    if (step == Step::kCommand) {
      AofCommand command{parsed.args, here, here + parsed.end};
      const std::string_view verb = parsed.args[0];
      if (iequals(verb, "multi") && !result.in_multi) {
        result.in_multi = true;
        multi_offset = here;
      } else if (iequals(verb, "exec")) {
        result.in_multi = false;
      }
      if (!on_command(command)) {
        result.status = AofReadStatus::kStopped;
        result.error_offset = here;
        result.message =
            where + ": loading stopped by the command at offset " + std::to_string(here);
        return result;
      }
      ++result.commands;
      pos += parsed.end;
      if (!result.in_multi) result.valid_up_to = command.end_offset;
      continue;
    }
    if (step == Step::kAnnotation) {
      pos += parsed.end;
      if (!result.in_multi) result.valid_up_to = buf_offset + pos;
      continue;
    }
    if (step == Step::kCorrupt) {
      result.status = AofReadStatus::kCorrupt;
      result.error_offset = here + parsed.bad;
      result.message =
          where + ": corrupt at offset " + std::to_string(result.error_offset) + ": " + parsed.why;
      if (here == 0 && std::string_view("REDIS").starts_with(std::string_view(buf).substr(0, 5)))
        result.message += " (an RDB file where commands were expected)";
      else if (parsed.bad != 0)
        result.message += " (in the command at offset " + std::to_string(here) + ")";
      return result;
    }
    // kNeedMore.
    if (eof) {
      if (pos == buf.size() && !result.in_multi) return result;  // clean end
      result.status = AofReadStatus::kTruncated;
      if (pos == buf.size()) {
        result.error_offset = multi_offset;
        result.message = where + ": truncated at offset " + std::to_string(multi_offset) +
                         ": ends inside the MULTI/EXEC transaction begun there";
      } else {
        result.error_offset = here;
        result.message = where + ": truncated at offset " + std::to_string(here) + ": the last " +
                         std::to_string(buf.size() - pos) + " bytes are an incomplete command";
        if (result.in_multi)
          result.message +=
              " inside the MULTI/EXEC transaction begun at offset " + std::to_string(multi_offset);
      }
      return result;
    }
    buf.erase(0, pos);
    buf_offset += pos;
    pos = 0;
    // Read at least as much as is held: a long command is re-parsed O(log size) times, and what
    // is allocated is never more than twice what the file really holds.
    const size_t want = std::max(chunk, buf.size());
    const size_t old = buf.size();
    buf.resize(old + want);
    std::string error;
    const ssize_t n = source(buf.data() + old, want, &error);
    if (n < 0) {
      result.status = AofReadStatus::kIoError;
      result.error_offset = buf_offset + old;
      result.message = "Unrecoverable error reading the append only file " + where + ": " + error;
      return result;
    }
    buf.resize(old + static_cast<size_t>(n));
    if (n == 0) eof = true;
  }
}

}  // namespace

void append_aof_command(std::string& out, std::span<const std::string_view> argv) {
  out += '*';
  append_int64(out, static_cast<int64_t>(argv.size()));
  out += "\r\n";
  for (std::string_view arg : argv) {
    out += '$';
    append_int64(out, static_cast<int64_t>(arg.size()));
    out += "\r\n";
    out += arg;
    out += "\r\n";
  }
}

void append_aof_select(std::string& out, int db) {
  const std::string number = std::to_string(db);
  out += "*2\r\n$6\r\nSELECT\r\n$";
  append_int64(out, static_cast<int64_t>(number.size()));
  out += "\r\n";
  out += number;
  out += "\r\n";
}

void append_aof_timestamp(std::string& out, int64_t unix_s) {
  out += "#TS:";
  append_int64(out, unix_s);
  out += "\r\n";
}

std::string_view aof_read_status_name(AofReadStatus status) {
  switch (status) {
    case AofReadStatus::kOk:
      return "ok";
    case AofReadStatus::kTruncated:
      return "truncated";
    case AofReadStatus::kCorrupt:
      return "corrupt";
    case AofReadStatus::kIoError:
      return "I/O error";
    case AofReadStatus::kStopped:
      return "stopped";
  }
  return "unknown";
}

AofReadResult read_aof_file(const std::string& path, uint64_t start_offset,
                            const AofCommandHandler& on_command, const AofReaderOptions& options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    AofReadResult result;
    result.status = AofReadStatus::kIoError;
    result.valid_up_to = start_offset;
    result.message = "Fatal error: can't open the append log file " + path +
                     " for reading: " + std::strerror(errno);
    return result;
  }
  uint64_t offset = start_offset;
  Source source = [&](char* into, size_t want, std::string* error) -> ssize_t {
    for (;;) {
      const ssize_t n = ::pread(fd, into, want, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *error = std::strerror(errno);
        return -1;
      }
      offset += static_cast<uint64_t>(n);
      return n;
    }
  };
  AofReadResult result = run(path, start_offset, source, on_command, options);
  ::close(fd);
  return result;
}

AofReadResult read_aof_bytes(std::string_view bytes, std::string_view name,
                             const AofCommandHandler& on_command, const AofReaderOptions& options) {
  size_t offset = 0;
  const size_t chunk = std::max<size_t>(options.chunk_size, 1);
  Source source = [&](char* into, size_t want, std::string*) -> ssize_t {
    // A file hands out what was asked for; handing out one chunk at most exercises the parser's
    // need-more paths the way short reads would.
    const size_t n = std::min({want, chunk, bytes.size() - offset});
    std::memcpy(into, bytes.data() + offset, n);
    offset += n;
    return static_cast<ssize_t>(n);
  };
  return run(name, 0, source, on_command, options);
}

std::optional<std::string> truncate_aof_file(const std::string& path, uint64_t offset) {
  BASALT_LOG(kWarning, "!!! Warning: short read while loading the AOF file %s!!!", path.c_str());
  BASALT_LOG(kWarning, "!!! Truncating the AOF %s at offset %llu !!!", path.c_str(),
             static_cast<unsigned long long>(offset));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return "Error truncating the AOF file " + path + ": " + std::strerror(errno);
  struct stat st;
  std::optional<std::string> error;
  if (::fstat(fd, &st) != 0) {
    error = "Error truncating the AOF file " + path + ": " + std::strerror(errno);
  } else if (offset > static_cast<uint64_t>(st.st_size)) {
    error = "Error truncating the AOF file " + path + ": offset " + std::to_string(offset) +
            " is past its end (" + std::to_string(st.st_size) + " bytes)";
  } else if (::ftruncate(fd, static_cast<off_t>(offset)) != 0 || ::fsync(fd) != 0) {
    error = "Error truncating the AOF file " + path + ": " + std::strerror(errno);
  }
  ::close(fd);
  return error;
}

}  // namespace basalt
