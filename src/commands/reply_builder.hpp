#pragma once
// Handlers reply through this interface and never see a socket or a wire format: the RESP front
// end writes RESP2/RESP3 frames, the HTTP front end builds JSON, tests capture a tree.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

namespace basalt {

class ReplyBuilder {
 public:
  virtual ~ReplyBuilder() = default;

  virtual void simple(std::string_view s) = 0;  // status reply; s has no CR/LF
  // Full error text with its code: "ERR syntax error", "WRONGTYPE Operation against ...".
  void error(std::string_view text) {
    ++errors_;
    // Keep the code (first word) for INFO errorstats without allocating.
    size_t n = std::min(text.find(' '), sizeof(last_code_));
    n = std::min(n, text.size());
    std::copy_n(text.data(), n, last_code_);
    last_code_len_ = static_cast<uint8_t>(n);
    write_error(text);
  }
  virtual void integer(int64_t v) = 0;
  virtual void bulk(std::string_view s) = 0;
  virtual void null() = 0;        // nil bulk: RESP2 $-1, RESP3 _
  virtual void null_array() = 0;  // nil multi-bulk: RESP2 *-1, RESP3 _
  virtual void array(size_t n) = 0;
  virtual void map(size_t pairs) = 0;  // RESP2 sends a flat array of 2n elements
  virtual void set(size_t n) = 0;      // RESP2 sends an array
  virtual void dbl(double v) = 0;      // RESP2 sends a bulk string
  virtual void boolean(bool v) = 0;    // RESP2 sends :1 / :0
  virtual void verbatim(std::string_view format, std::string_view text) = 0;  // RESP2: bulk
  // An integer too big for 64 bits, as its decimal digits (an optional '-' first); RESP2: bulk.
  virtual void bignum(std::string_view digits) = 0;
  // Out-of-band data (RESP3 push, "><n>"), followed by its n elements. It is not a reply: the
  // command still sends one afterwards. RESP2 has no push type and Redis sends such data there
  // as an array (pub/sub messages), so the RESP front end does the same.
  virtual void push(size_t n) = 0;
  // RESP3 attributes ("|<pairs>"): 2 * pairs elements describing the reply that follows them.
  // RESP3 only, as in Redis: a RESP2 client could not tell them from replies, so callers check
  // protocol() >= 3 first.
  virtual void attribute(size_t pairs) = 0;
  // The protocol the client negotiated (2 or 3); JSON front ends report 3 (typed maps).
  virtual int protocol() const = 0;

  void ok() { simple("OK"); }
  void bulk_or_null(const std::optional<std::string_view>& s) {
    if (s) {
      bulk(*s);
    } else {
      null();
    }
  }
  void bulk_or_null(const std::optional<std::string>& s) {
    if (s) {
      bulk(*s);
    } else {
      null();
    }
  }
  uint64_t error_count() const { return errors_; }
  std::string_view last_error_code() const { return {last_code_, last_code_len_}; }

 protected:
  virtual void write_error(std::string_view text) = 0;

 private:
  uint64_t errors_ = 0;
  char last_code_[32] = {};
  uint8_t last_code_len_ = 0;
};

}  // namespace basalt
