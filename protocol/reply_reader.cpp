#include "protocol/reply_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "protocol/number.hpp"

namespace basalt::resp {
namespace {

// Aggregates reserve room for at most this many elements before they arrive, so an announced
// count costs nothing until the elements are really sent.
constexpr size_t kMaxPreallocatedElements = 1024;
// Consumed bytes are dropped from the front of the buffer once they are this many and more than
// half of it: amortised O(1) per byte, and no copy at all while the buffer empties fully.
constexpr size_t kCompactThreshold = 64 * 1024;

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// hiredis's rules for RESP3 doubles: inf, -inf, nan, -nan in any case, otherwise a finite
// decimal number taking the whole line.
bool ParseDouble(std::string_view s, double* value) {
  if (EqualsNoCase(s, "inf") || EqualsNoCase(s, "+inf")) {
    *value = INFINITY;
    return true;
  }
  if (EqualsNoCase(s, "-inf")) {
    *value = -INFINITY;
    return true;
  }
  if (EqualsNoCase(s, "nan") || EqualsNoCase(s, "-nan")) {
    *value = NAN;
    return true;
  }
  // strtod(), which hiredis uses, also takes a leading '+'; from_chars does not.
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s[0] == '-') return false;
  }
  if (s.empty()) return false;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), *value);
  return res.ec == std::errc() && res.ptr == s.data() + s.size() && std::isfinite(*value);
}

bool IsBigNumber(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Printable(char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') return std::string(1, c);
  const auto byte = static_cast<unsigned char>(c);
  return std::string("\\x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

// The offset of the first CR in base[from, end), or `end`. Lines are mostly a few bytes ("$64",
// ":1", "OK"): a plain loop finds their CR before memchr would have finished its setup.
size_t FindCr(const char* base, size_t from, size_t end) {
  const size_t short_end = std::min(end, from + 16);
  for (size_t i = from; i < short_end; ++i) {
    if (base[i] == '\r') return i;
  }
  if (short_end == end) return end;
  const auto* cr = static_cast<const char*>(std::memchr(base + short_end, '\r', end - short_end));
  return cr == nullptr ? end : static_cast<size_t>(cr - base);
}

// RESP2 and RESP3 type bytes, less the streamed forms (?, ;, .) that Redis never sends.
bool IsTypeByte(char c) {
  switch (c) {
    case '+':
    case '-':
    case ':':
    case ',':
    case '#':
    case '_':
    case '(':
    case '$':
    case '!':
    case '=':
    case '*':
    case '%':
    case '~':
    case '>':
    case '|':
      return true;
    default:
      return false;
  }
}

}  // namespace

ReplyReader::ReplyReader(ReaderLimits limits) : limits_(limits) {}

void ReplyReader::reset() {
  buf_.clear();
  pos_ = scan_ = 0;
  stack_.clear();
  top_attributes_.clear();
  error_.clear();
}

void ReplyReader::feed(std::string_view bytes) {
  if (has_error()) return;
  compact();
  buf_.append(bytes);
}

void ReplyReader::compact() {
  if (pos_ == 0) return;
  if (pos_ == buf_.size()) {
    buf_.clear();
  } else if (pos_ >= kCompactThreshold && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
  } else {
    return;
  }
  scan_ -= std::min(scan_, pos_);
  pos_ = 0;
}

ReplyReader::Item ReplyReader::fail(std::string text) {
  error_ = std::move(text);
  stack_.clear();
  top_attributes_.clear();
  return Item::kError;
}

bool ReplyReader::find_line(std::string_view* line) {
  const size_t begin = pos_ + 1;  // after the type byte
  scan_ = std::max(scan_, begin);
  const char* base = buf_.data();
  for (;;) {
    const size_t at = FindCr(base, scan_, buf_.size());
    if (at == buf_.size()) {
      scan_ = at;
      return false;
    }
    if (at + 1 == buf_.size()) {  // the LF may be in the next chunk
      scan_ = at;
      return false;
    }
    if (base[at + 1] == '\n') {
      scan_ = at;
      *line = std::string_view(base + begin, at - begin);
      return true;
    }
    scan_ = at + 1;  // a lone CR belongs to the line
  }
}

ReplyReader::Item ReplyReader::read_item(Reply* value) {
  if (pos_ >= buf_.size()) return Item::kNeedMore;
  const char type = buf_[pos_];
  if (!IsTypeByte(type)) {
    return fail("Protocol error, got \"" + Printable(type) + "\" as reply type byte");
  }

  std::string_view line;
  if (!find_line(&line)) {
    // Judged on the bytes seen so far but with the same outcome as once the CRLF arrives, so the
    // result never depends on how the input was split.
    if (buf_.size() - pos_ > limits_.max_line_len + 2) return fail("Line too long");
    return Item::kNeedMore;
  }
  if (line.size() > limits_.max_line_len) return fail("Line too long");
  const size_t after_line = pos_ + 1 + line.size() + 2;

  switch (type) {
    case '+':
      value->reset(Reply::Type::kSimpleString);
      value->str_.assign(line);
      break;
    case '-':
      value->reset(Reply::Type::kError);
      value->str_.assign(line);
      break;
    case ':': {
      long long n = 0;
      if (!string_to_ll(line, &n)) return fail("Bad integer value");
      value->reset(Reply::Type::kInteger);
      value->integer_ = n;
      break;
    }
    case ',': {
      double d = 0;
      if (!ParseDouble(line, &d)) return fail("Bad double value");
      value->reset(Reply::Type::kDouble);
      value->double_ = d;
      value->str_.assign(line);
      break;
    }
    case '#':
      if (line != "t" && line != "f") return fail("Bad bool value");
      value->reset(Reply::Type::kBoolean);
      value->integer_ = line == "t" ? 1 : 0;
      break;
    case '_':
      if (!line.empty()) return fail("Bad nil value");
      value->reset(Reply::Type::kNil);
      break;
    case '(':
      if (!IsBigNumber(line)) return fail("Bad big number value");
      value->reset(Reply::Type::kBigNumber);
      value->str_.assign(line);
      break;
    case '$':
    case '!':
    case '=': {
      long long len = 0;
      if (!string_to_ll(line, &len) || len < -1) return fail("Bad bulk string length");
      if (len == -1) {
        if (type != '$') return fail("Bad bulk string length");
        value->reset(Reply::Type::kNil);
        break;
      }
      const auto n = static_cast<unsigned long long>(len);
      if (n > limits_.max_bulk_len) return fail("Bulk string length out of range");
      // The header stays unconsumed until the payload is complete; scan_ still points at its CR,
      // so looking again costs O(1) however many pieces the payload arrives in.
      if (buf_.size() - after_line < n + 2) return Item::kNeedMore;
      std::string_view payload(buf_.data() + after_line, n);
      if (buf_[after_line + n] != '\r' || buf_[after_line + n + 1] != '\n') {
        return fail("Bad bulk string terminator");
      }
      if (type == '$' || type == '!') {
        value->reset(type == '$' ? Reply::Type::kBulkString : Reply::Type::kError);
        value->str_.assign(payload);
      } else {
        if (payload.size() < 4 || payload[3] != ':') {
          return fail(
              "Verbatim string 4 bytes of content type are missing or incorrectly encoded.");
        }
        *value = Reply::verbatim(std::string(payload.substr(0, 3)), std::string(payload.substr(4)));
      }
      pos_ = scan_ = after_line + n + 2;
      return Item::kValue;
    }
    default: {  // aggregates
      long long count = 0;
      if (!string_to_ll(line, &count) || count < -1) return fail("Bad multi-bulk length");
      if (count == -1) {
        value->reset(Reply::Type::kNil);
        break;
      }
      const bool paired = type == '%' || type == '|';
      const auto n = static_cast<unsigned long long>(count);
      if (n > limits_.max_elements || (paired && n > limits_.max_elements / 2)) {
        return fail("Multi-bulk length out of range");
      }
      Reply aggregate = type == '*'   ? Reply::array({})
                        : type == '%' ? Reply::map({})
                        : type == '~' ? Reply::set({})
                        : type == '>' ? Reply::push({})
                                      : Reply::attribute({});
      pos_ = scan_ = after_line;
      if (n == 0) {
        *value = std::move(aggregate);
        return Item::kValue;
      }
      if (stack_.size() >= limits_.max_depth) {
        return fail("Nesting deeper than " + std::to_string(limits_.max_depth) + " aggregates");
      }
      const size_t left = static_cast<size_t>(paired ? n * 2 : n);
      aggregate.elements().reserve(std::min(left, kMaxPreallocatedElements));
      stack_.push_back(Frame{std::move(aggregate), left, {}});
      return Item::kOpened;
    }
  }
  pos_ = scan_ = after_line;
  return Item::kValue;
}

std::optional<Reply> ReplyReader::next() {
  Reply reply;
  if (!next(reply)) return std::nullopt;
  return reply;
}

bool ReplyReader::next(Reply& out) {
  if (has_error()) return false;
  for (;;) {
    // A top-level scalar is read straight into `out`; an aggregate's elements into element_,
    // then moved into their parent.
    Reply* value = stack_.empty() ? &out : &element_;
    const Item item = read_item(value);
    if (item == Item::kNeedMore || item == Item::kError) return false;
    if (item == Item::kOpened) continue;
    // Place the finished value, closing every aggregate it completes.
    for (;;) {
      std::vector<Reply>& pending =
          stack_.empty() ? top_attributes_ : stack_.back().pending_attributes;
      if (value->type() == Reply::Type::kAttribute) {
        // Not an element of its parent: it describes whatever comes next at this level.
        std::vector<Reply>& flat = value->elements();
        pending.insert(pending.end(), std::make_move_iterator(flat.begin()),
                       std::make_move_iterator(flat.end()));
        break;
      }
      if (!pending.empty()) {
        value->set_attributes(std::move(pending));
        pending.clear();
      }
      if (stack_.empty()) {
        if (value != &out) out = std::move(*value);
        return true;
      }
      Frame& top = stack_.back();
      top.reply.elements().push_back(std::move(*value));
      if (--top.left > 0) break;
      closed_ = std::move(top.reply);
      stack_.pop_back();
      value = &closed_;
    }
  }
}

}  // namespace basalt::resp
