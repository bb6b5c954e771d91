// Incremental RESP2/RESP3 reply reader, modelled on hiredis's read.c: no I/O, feed() the bytes
// as they arrive and take complete replies with next(). Hostile or broken input ends in an error
// state, never in a crash or an unbounded allocation.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply.hpp"

namespace basalt::resp {

struct ReaderLimits {
  size_t max_bulk_len = 512ull * 1024 * 1024;  // bulk, blob error and verbatim payloads
  size_t max_elements = (1ull << 32) - 1;      // elements announced by one aggregate header
  size_t max_depth = 64;                       // aggregates open at once
  size_t max_line_len = 64 * 1024 * 1024;      // simple string, error, number lines
};

class ReplyReader {
 public:
  explicit ReplyReader(ReaderLimits limits = {});

  void set_limits(const ReaderLimits& limits) { limits_ = limits; }

  // Copies `bytes` into the reader's buffer.
  void feed(std::string_view bytes);
  // The next complete reply, or nullopt when more bytes are needed or the input was malformed
  // (then has_error() is true and stays true until reset()). Work done on a partial reply is
  // kept: a large or deeply nested reply arriving in pieces is parsed once, not from the start
  // at every call. Attribute frames (|) are not returned: they are attached to the reply that
  // follows them (Reply::attributes()).
  std::optional<Reply> next();
  // The same, reading into `out` (which keeps its string's capacity for the next reply): the
  // form for hot loops. Returns false where next() returns nullopt; `out` is then unspecified.
  bool next(Reply& out);

  bool has_error() const { return !error_.empty(); }
  std::string_view error() const { return error_; }
  // Bytes fed but not yet turned into a returned reply or a finished element.
  size_t buffered() const { return buf_.size() - pos_; }
  void reset();

 private:
  struct Frame {
    Reply reply;                            // the aggregate being filled
    size_t left = 0;                        // elements still to come
    std::vector<Reply> pending_attributes;  // attribute read at this level, for the next element
  };
  enum class Item { kValue, kOpened, kNeedMore, kError };

  // Reads one frame header (and payload for scalars) at pos_: a complete scalar or empty
  // aggregate into *value, or an opened aggregate pushed on stack_.
  Item read_item(Reply* value);
  // Finds the CRLF ending the line that starts at pos_, resuming the scan where it stopped.
  bool find_line(std::string_view* line);
  Item fail(std::string text);
  void compact();

  ReaderLimits limits_;
  std::string buf_;
  size_t pos_ = 0;
  size_t scan_ = 0;  // next offset to look at for the current line's CRLF
  std::vector<Frame> stack_;
  std::vector<Reply> top_attributes_;
  Reply element_;  // the element being read, before it moves into its aggregate
  Reply closed_;   // an aggregate just completed, before it moves into its parent
  std::string error_;
};

}  // namespace basalt::resp
