#include "protocol/request_parser.hpp"

#include <algorithm>
#include <cstring>

#include "protocol/number.hpp"

namespace basalt::resp {
namespace {

constexpr std::string_view kTooBigMbulk = "Protocol error: too big mbulk count string";
constexpr std::string_view kTooBigBulk = "Protocol error: too big bulk count string";
constexpr std::string_view kTooBigInline = "Protocol error: too big inline request";
constexpr std::string_view kInvalidMbulk = "Protocol error: invalid multibulk length";
constexpr std::string_view kInvalidBulk = "Protocol error: invalid bulk length";
constexpr std::string_view kUnbalanced = "Protocol error: unbalanced quotes in request";
constexpr std::string_view kUnauthMbulk = "Protocol error: unauthenticated multibulk length";
constexpr std::string_view kUnauthBulk = "Protocol error: unauthenticated bulk length";
constexpr std::string_view kExpectedDollar = "Protocol error: expected '$', got '";

// Redis sizes argv for at most this many arguments up front, so that a client announcing a
// million arguments cannot make it allocate before sending them.
constexpr size_t kMaxPreallocatedArgs = 1024;
// An inline request's unescaped arguments above this are not kept between requests.
constexpr size_t kMaxKeptInlineBytes = 64 * 1024;

// isspace() in the C locale, which sdssplitargs() uses between arguments and after quotes.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Inside an unquoted argument sdssplitargs() stops only at these: "\v" and "\f" are part of it.
bool EndsBareArg(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

char Unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

}  // namespace

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {}

void RequestParser::release_large_buffers() {
  if (state_ != State::kIdle) return;
  if (args_.capacity() > kMaxPreallocatedArgs) std::vector<std::string_view>().swap(args_);
  if (bulks_.capacity() > kMaxPreallocatedArgs) {
    std::vector<std::pair<size_t, size_t>>().swap(bulks_);
  }
  if (unescaped_.capacity() > kMaxKeptInlineBytes) std::string().swap(unescaped_);
}

void RequestParser::reset() {
  state_ = State::kIdle;
  failed_ = false;
  inline_ = false;
  start_ = pos_ = scan_ = 0;
  args_left_ = bulk_len_ = consumed_ = bytes_hint_ = 0;
  bulks_.clear();
  args_.clear();
  unescaped_.clear();
  error_ = {};
}

ParseStatus RequestParser::parse(std::string_view in) {
  if (failed_) return ParseStatus::kError;
  bytes_hint_ = 0;
  consumed_ = 0;
  // A caller that drops bytes it was told to keep gets a fresh parse rather than reads past the
  // end of its buffer.
  if (in.size() < pos_ || in.size() < scan_) {
    reset();
  }
  for (;;) {
    if (state_ == State::kIdle) {
      if (pos_ == in.size()) return ParseStatus::kNeedMore;
      start_ = scan_ = pos_;
      args_.clear();
      bulks_.clear();
      state_ = in[pos_] == '*' ? State::kMultibulkCount : State::kInline;
    }
    const bool is_inline = state_ == State::kInline;
    const Step step = is_inline ? parse_inline(in) : parse_multibulk(in);
    if (step == Step::kNeedMore) return ParseStatus::kNeedMore;
    if (step == Step::kError) return ParseStatus::kError;
    state_ = State::kIdle;
    if (!is_inline) {
      for (const auto& [offset, len] : bulks_) args_.push_back(in.substr(offset, len));
    }
    // Redis resets the client and goes on with the next request when one has no arguments.
    if (args_.empty()) continue;
    inline_ = is_inline;
    consumed_ = pos_;
    pos_ = scan_ = 0;
    return ParseStatus::kOk;
  }
}

size_t RequestParser::find_line_end(std::string_view in, char target) {
  const char* base = in.data();
  if (scan_ < in.size() && base[scan_] == '\0') return std::string_view::npos;  // stuck on a NUL
  // Header lines are a few bytes ("*3", "$5"): a plain loop over the first ones finds the end
  // before two memchr calls would have finished their setup (they were a tenth of the server's
  // time at -P 16). Same outcome: the first target, unless a NUL comes before it.
  const size_t short_end = std::min(in.size(), scan_ + 16);
  for (size_t i = scan_; i < short_end; ++i) {
    if (base[i] == target) {
      scan_ = i;
      return i;
    }
    if (base[i] == '\0') {
      scan_ = i;
      return std::string_view::npos;
    }
  }
  scan_ = short_end;
  if (scan_ == in.size()) return std::string_view::npos;
  const char* from = base + scan_;
  const size_t len = in.size() - scan_;
  const auto* hit = static_cast<const char*>(std::memchr(from, target, len));
  const size_t searched = hit ? static_cast<size_t>(hit - from) : len;
  // Redis searches with strchr(): an earlier NUL hides the terminator for good. Parking scan_ on
  // the NUL makes every later call give up in O(1) until the size limit fires.
  if (const auto* nul = static_cast<const char*>(std::memchr(from, '\0', searched))) {
    scan_ = static_cast<size_t>(nul - base);
    return std::string_view::npos;
  }
  if (!hit) {
    scan_ = in.size();
    return std::string_view::npos;
  }
  scan_ = static_cast<size_t>(hit - base);
  return scan_;
}

RequestParser::Step RequestParser::fail(std::string_view text) {
  failed_ = true;
  error_ = text;
  return Step::kError;
}

RequestParser::Step RequestParser::parse_multibulk(std::string_view in) {
  if (state_ == State::kMultibulkCount) {
    const size_t cr = find_line_end(in, '\r');
    if (cr == std::string_view::npos) {
      return in.size() - start_ > limits_.max_inline_len ? fail(kTooBigMbulk) : Step::kNeedMore;
    }
    // Redis wants one byte after the CR and skips it without looking at it.
    if (cr + 2 > in.size()) return Step::kNeedMore;
    long long count = 0;
    if (!string_to_ll(in.substr(start_ + 1, cr - start_ - 1), &count) ||
        (count > 0 && static_cast<unsigned long long>(count) > limits_.max_multibulk_len)) {
      return fail(kInvalidMbulk);
    }
    if (limits_.auth_required && count > static_cast<long long>(limits_.kUnauthMaxMultibulkLen)) {
      return fail(kUnauthMbulk);
    }
    pos_ = scan_ = cr + 2;
    if (count <= 0) return Step::kDone;
    args_left_ = static_cast<size_t>(count);
    bulks_.reserve(std::min(args_left_, kMaxPreallocatedArgs));
    state_ = State::kBulkHeader;
  }

  while (args_left_ > 0) {
    if (state_ == State::kBulkHeader) {
      const size_t cr = find_line_end(in, '\r');
      if (cr == std::string_view::npos) {
        return in.size() - pos_ > limits_.max_inline_len ? fail(kTooBigBulk) : Step::kNeedMore;
      }
      if (cr + 2 > in.size()) return Step::kNeedMore;
      if (in[pos_] != '$') {
        // Redis formats the byte with %c, then turns CR and LF into spaces to keep the reply
        // well framed.
        const char got = in[pos_] == '\r' || in[pos_] == '\n' ? ' ' : in[pos_];
        char* end = std::copy(kExpectedDollar.begin(), kExpectedDollar.end(), error_buf_);
        *end++ = got;
        *end++ = '\'';
        failed_ = true;
        error_ = std::string_view(error_buf_, static_cast<size_t>(end - error_buf_));
        return Step::kError;
      }
      long long len = 0;
      if (!string_to_ll(in.substr(pos_ + 1, cr - pos_ - 1), &len) || len < 0 ||
          static_cast<unsigned long long>(len) > limits_.max_bulk_len) {
        return fail(kInvalidBulk);
      }
      if (limits_.auth_required && static_cast<size_t>(len) > limits_.kUnauthMaxBulkLen) {
        return fail(kUnauthBulk);
      }
      pos_ = cr + 2;
      bulk_len_ = static_cast<size_t>(len);
      state_ = State::kBulkData;
    }
    // Like Redis, take the two bytes after the payload as its CRLF without checking them.
    const size_t have = in.size() - pos_;
    if (have < bulk_len_ + 2) {
      bytes_hint_ = bulk_len_ + 2 - have;
      return Step::kNeedMore;
    }
    bulks_.emplace_back(pos_, bulk_len_);
    pos_ += bulk_len_ + 2;
    scan_ = pos_;
    --args_left_;
    state_ = State::kBulkHeader;
  }
  return Step::kDone;
}

RequestParser::Step RequestParser::parse_inline(std::string_view in) {
  const size_t nl = find_line_end(in, '\n');
  if (nl == std::string_view::npos) {
    return in.size() - start_ > limits_.max_inline_len ? fail(kTooBigInline) : Step::kNeedMore;
  }
  size_t end = nl;
  if (end != start_ && in[end - 1] == '\r') --end;
  if (!split_inline(in.substr(start_, end - start_))) return fail(kUnbalanced);
  pos_ = nl + 1;
  return Step::kDone;
}

// sdssplitargs(), byte for byte. Arguments without quotes stay views into the line; the others
// are unescaped into unescaped_, sized up front so that earlier views never move.
bool RequestParser::split_inline(std::string_view line) {
  unescaped_.clear();
  if (unescaped_.capacity() < line.size()) unescaped_.reserve(line.size());
  const size_t n = line.size();
  // sdssplitargs() walks a C string; its terminating NUL is what ends the last argument. The line
  // cannot hold a NUL itself (find_line_end() refuses it).
  auto at = [&](size_t i) { return i < n ? line[i] : '\0'; };
  size_t i = 0;
  for (;;) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i == n) return true;
    const size_t begin = i;
    while (i < n && !EndsBareArg(line[i]) && line[i] != '"' && line[i] != '\'') ++i;
    if (i == n || EndsBareArg(line[i])) {
      args_.push_back(line.substr(begin, i - begin));
      continue;
    }
    // A quote opens here, possibly in the middle of the argument (a"b c" is one argument: ab c).
    // Every byte read yields at most one byte of output, so this never outgrows the reservation.
    const size_t out_begin = unescaped_.size();
    unescaped_.append(line.substr(begin, i - begin));
    bool in_double = false;
    bool in_single = false;
    for (bool done = false; !done;) {
      const char c = at(i);
      if (in_double) {
        if (c == '\\' && at(i + 1) == 'x' && IsHexDigit(at(i + 2)) && IsHexDigit(at(i + 3))) {
          unescaped_.push_back(static_cast<char>(HexValue(at(i + 2)) * 16 + HexValue(at(i + 3))));
          i += 3;
        } else if (c == '\\' && at(i + 1) != '\0') {
          ++i;
          unescaped_.push_back(Unescape(line[i]));
        } else if (c == '"') {
          // The closing quote must be followed by a space or nothing at all.
          if (at(i + 1) != '\0' && !IsSpace(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          unescaped_.push_back(c);
        }
      } else if (in_single) {
        if (c == '\\' && at(i + 1) == '\'') {
          ++i;
          unescaped_.push_back('\'');
        } else if (c == '\'') {
          if (at(i + 1) != '\0' && !IsSpace(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          unescaped_.push_back(c);
        }
      } else if (c == '\0' || EndsBareArg(c)) {
        done = true;
      } else if (c == '"') {
        in_double = true;
      } else if (c == '\'') {
        in_single = true;
      } else {
        unescaped_.push_back(c);
      }
      if (i < n) ++i;
    }
    args_.emplace_back(unescaped_.data() + out_begin, unescaped_.size() - out_begin);
  }
}

namespace {
// The decimal number at in[*pos] up to its CRLF, moving *pos past the LF. False if malformed.
bool PeekNumber(std::string_view in, size_t* pos, size_t* value) {
  size_t v = 0;
  size_t i = *pos;
  const size_t digits_end = std::min(in.size(), i + 12);  // nothing legal is longer
  for (; i < digits_end && in[i] >= '0' && in[i] <= '9'; ++i) v = v * 10 + (in[i] - '0');
  if (i == *pos || i + 1 >= in.size() || in[i] != '\r' || in[i + 1] != '\n') return false;
  *pos = i + 2;
  *value = v;
  return true;
}
}  // namespace

size_t PeekRequest(std::string_view in, size_t index, std::string_view* arg) {
  size_t pos = 1, count = 0;
  if (in.empty() || in[0] != '*' || !PeekNumber(in, &pos, &count)) return 0;
  for (size_t i = 0; i < count; ++i) {
    size_t len = 0;
    if (pos >= in.size() || in[pos] != '$') return 0;
    ++pos;
    if (!PeekNumber(in, &pos, &len) || len > in.size() - pos || in.size() - pos - len < 2) return 0;
    if (i == index) *arg = in.substr(pos, len);
    pos += len + 2;
  }
  return count == 0 ? 0 : pos;
}

}  // namespace basalt::resp
