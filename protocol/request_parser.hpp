// Incremental parser for client requests (the server side of RESP).
//
// It accepts exactly what Redis 7 accepts (networking.c: processMultibulkBuffer and
// processInlineBuffer) and fails with the same error texts, so that clients see no difference.
// It is I/O free: the connection owns the bytes, the parser only remembers offsets.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::resp {

struct ParserLimits {
  size_t max_bulk_len = 512ull * 1024 * 1024;  // proto-max-bulk-len
  size_t max_multibulk_len = 2147483647;  // INT_MAX, as Redis 7; the query buffer limit bounds it
  size_t max_inline_len = 64 * 1024;      // PROTO_INLINE_MAX_SIZE
  // Set while the client still has to AUTH: Redis 7 then refuses multibulk requests of more than
  // kUnauthMaxMultibulkLen arguments or with a bulk over kUnauthMaxBulkLen bytes, with their own
  // error texts ("unauthenticated multibulk length", "unauthenticated bulk length").
  bool auth_required = false;

  static constexpr size_t kUnauthMaxMultibulkLen = 10;
  static constexpr size_t kUnauthMaxBulkLen = 16384;
};

enum class ParseStatus { kOk, kNeedMore, kError };

class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {});

  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }

  // `input` holds every unconsumed byte, starting where the previous complete request ended.
  // kOk: one request is ready in args(); drop consumed() bytes before the next call.
  // kNeedMore: call again with the same bytes plus more. They may live elsewhere in memory by
  //   then: the parser keeps offsets only, and resumes where it stopped (a large bulk is never
  //   rescanned). Empty requests (`*0`, `*-1`, blank inline lines) are skipped without a kOk;
  //   their bytes stay in `input` until the next kOk counts them in consumed().
  // kError: error() holds the reply text; the connection must be closed, as Redis does. The
  //   parser keeps failing until reset().
  ParseStatus parse(std::string_view input);

  // On kOk: views into `input` or into an internal buffer (for inline arguments that had quotes
  // or escapes). Valid until the next parse() or reset().
  std::span<const std::string_view> args() const { return args_; }
  // On kOk: bytes of `input` used by this request (including any skipped empty requests).
  size_t consumed() const { return consumed_; }
  // On kError: the text that follows "-ERR ", e.g. "Protocol error: invalid bulk length". It never
  // contains CR or LF.
  std::string_view error() const { return error_; }
  // On kNeedMore inside a bulk argument: bytes still missing (payload and CRLF), so the caller
  // can reserve room for the whole value at once. Otherwise 0.
  size_t bytes_hint() const { return bytes_hint_; }
  // Whether the last kOk request used the inline protocol.
  bool inline_request() const { return inline_; }

  // Where unescaped inline arguments live; exposed so tests and fuzzers can check that every
  // argument points into `input` or here.
  std::string_view inline_buffer() const { return {unescaped_.data(), unescaped_.capacity()}; }

  void reset();
  // Between requests: gives back the argument tables an unusually large request grew (Redis frees
  // a client's argv after each command), so an idle connection that once sent 100,000 arguments
  // does not keep 3 MB for them. Small tables stay for reuse. No-op inside a request.
  void release_large_buffers();
  // Bytes its argument tables and unescaping buffer hold (a client's memory, as CLIENT LIST and
  // maxmemory-clients count it).
  size_t memory_usage() const {
    return bulks_.capacity() * sizeof(bulks_[0]) + args_.capacity() * sizeof(args_[0]) +
           unescaped_.capacity();
  }

 private:
  enum class State { kIdle, kMultibulkCount, kBulkHeader, kBulkData, kInline };
  enum class Step { kDone, kNeedMore, kError };

  Step parse_multibulk(std::string_view in);
  Step parse_inline(std::string_view in);
  Step fail(std::string_view text);
  // Offset of the first `target` byte at or after scan_, or npos. Like the strchr() Redis uses
  // on its NUL-terminated query buffer, a NUL byte ends the search unsuccessfully.
  size_t find_line_end(std::string_view in, char target);
  bool split_inline(std::string_view line);

  ParserLimits limits_;
  State state_ = State::kIdle;
  bool failed_ = false;
  bool inline_ = false;
  size_t start_ = 0;  // offset of the current request in `input`
  size_t pos_ = 0;    // offset of the next byte to interpret
  size_t scan_ = 0;   // where the search for the current line's terminator resumes
  size_t args_left_ = 0;
  size_t bulk_len_ = 0;
  size_t consumed_ = 0;
  size_t bytes_hint_ = 0;
  std::vector<std::pair<size_t, size_t>> bulks_;  // offset and length of each parsed bulk
  std::vector<std::string_view> args_;
  std::string unescaped_;
  std::string_view error_;
  char error_buf_[48] = {};
};

// A look ahead at the request that starts `in`, for prefetching: when `in` holds a whole multibulk
// request, returns its length in bytes and sets `*arg` to its argument `index` (left alone when
// the request has fewer). Returns 0 for anything else (incomplete, inline, malformed). It checks
// only what it needs to find the end; RequestParser still decides what the bytes mean.
size_t PeekRequest(std::string_view in, size_t index, std::string_view* arg);

}  // namespace basalt::resp
