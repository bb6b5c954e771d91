#include "base/strings.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace basalt {

std::optional<int64_t> parse_int64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  const char* p = s.data();
  const char* end = p + s.size();
  if (s.size() == 1 && s[0] == '0') return 0;
  bool negative = false;
  if (*p == '-') {
    negative = true;
    if (++p == end) return std::nullopt;
  }
  // No leading zeros (so "01" and "-0" are not integers, as in Redis).
  if (*p < '1' || *p > '9') return std::nullopt;
  uint64_t v = 0;
  for (; p < end; ++p) {
    if (*p < '0' || *p > '9') return std::nullopt;
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(*p - '0');
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::optional<StrtodResult> strtod_whole(std::string_view s, size_t max_len) {
  if (s.size() > max_len) return std::nullopt;
  // strtod wants a NUL-terminated string: short ones (scores, most numbers) are copied to the
  // stack.
  char small[130];
  std::string large;
  const char* text = small;
  if (s.size() < sizeof(small)) {
    std::memcpy(small, s.data(), s.size());
    small[s.size()] = '\0';
  } else {
    large.assign(s);
    text = large.c_str();
  }
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text, &end);
  if (end != text + s.size() || std::isnan(v)) return std::nullopt;
  return StrtodResult{v, errno == ERANGE};
}

std::optional<double> parse_double(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back())))
    return std::nullopt;
  const std::optional<StrtodResult> r = strtod_whole(s, 5000);
  if (!r || (r->out_of_range && (r->value == HUGE_VAL || r->value == -HUGE_VAL))) {
    return std::nullopt;
  }
  return r->value;
}

std::optional<long double> parse_long_double(std::string_view s) {
  // Redis's string2ld: under 5 KiB (MAX_LONG_DOUBLE_CHARS), no leading space, all consumed, not
  // NaN; an out-of-range value is refused only when it overflowed or underflowed to zero, so
  // denormals pass and so does a literal "inf" (callers check infinity where Redis does).
  constexpr size_t kMaxLongDoubleChars = 5 * 1024;
  if (s.empty() || s.size() >= kMaxLongDoubleChars) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(s.front()))) return std::nullopt;
  char buf[kMaxLongDoubleChars];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(buf, &end);
  bool out_of_range =
      errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO);
  if (end != buf + s.size() || out_of_range || std::isnan(v)) return std::nullopt;  // NUL inside
  return v;
}

void append_int64(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

std::string int64_to_string(int64_t v) {
  std::string s;
  append_int64(s, v);
  return s;
}

std::string long_double_to_string(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[5500];
  int len = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof(buf)) return "0";
  // Trim trailing zeros after the point, then the point itself.
  if (std::memchr(buf, '.', len) != nullptr) {
    while (len > 0 && buf[len - 1] == '0') --len;
    if (len > 0 && buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, len);
}

std::string double_to_string(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  char buf[64];
  int len = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, len);
}

namespace {
char fold(char c, bool nocase) {
  return nocase && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Redis's stringmatchlen_impl, including skip_longer: once a '*' failed to match any suffix, no
// longer match can succeed either, which keeps patterns like "*a*a*a*b" from going exponential.
bool match(const char* p, const char* pend, const char* s, const char* send, bool nocase,
           bool* skip_longer, int nesting) {
  if (nesting > 1000) return false;
  while (p < pend && s < send) {
    switch (*p) {
      case '*':
        while (p + 1 < pend && p[1] == '*') ++p;
        if (p + 1 == pend) return true;
        while (s < send) {
          if (match(p + 1, pend, s, send, nocase, skip_longer, nesting + 1)) return true;
          if (*skip_longer) return false;
          ++s;
        }
        *skip_longer = true;
        return false;
      case '?':
        ++s;
        break;
      case '[': {
        ++p;
        bool negate = p < pend && *p == '^';
        if (negate) ++p;
        bool matched = false;
        while (p < pend) {
          if (*p == '\\' && p + 1 < pend) {
            ++p;
            if (*p == *s) matched = true;
          } else if (*p == ']') {
            break;
          } else if (p + 2 < pend && p[1] == '-') {
            char lo = fold(p[0], nocase), hi = fold(p[2], nocase), c = fold(*s, nocase);
            if (lo > hi) std::swap(lo, hi);
            p += 2;
            if (c >= lo && c <= hi) matched = true;
          } else if (fold(*p, nocase) == fold(*s, nocase)) {
            matched = true;
          }
          ++p;
        }
        if (p >= pend) --p;  // unterminated class: the end acts as ']', as in Redis
        if (negate) matched = !matched;
        if (!matched) return false;
        ++s;
        break;
      }
      case '\\':
        if (p + 1 < pend) ++p;
        [[fallthrough]];
      default:
        if (fold(*p, nocase) != fold(*s, nocase)) return false;
        ++s;
        break;
    }
    ++p;
    if (s == send) {
      while (p < pend && *p == '*') ++p;
      break;
    }
  }
  return p == pend && s == send;
}
}  // namespace

bool glob_match(std::string_view pattern, std::string_view s, bool nocase) {
  bool skip_longer = false;
  return match(pattern.data(), pattern.data() + pattern.size(), s.data(), s.data() + s.size(),
               nocase, &skip_longer, 0);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (fold(a[i], true) != fold(b[i], true)) return false;
  }
  return true;
}

void to_lower(std::string& s) {
  for (char& c : s) c = fold(c, true);
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  to_lower(out);
  return out;
}

std::string sanitize_for_error(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

bool is_loopback_address(std::string_view host_port) {
  if (host_port.starts_with("::ffff:")) host_port.remove_prefix(7);
  return host_port.starts_with("127.") || host_port.starts_with("::1:") || host_port == "::1";
}

namespace {

// The C locale's classes, which Redis's parsing uses (isspace, isprint): bytes >= 0x80 are
// neither.
bool c_isspace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool c_isprint(unsigned char c) { return c >= 0x20 && c < 0x7f; }
bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

}  // namespace

std::optional<std::vector<std::string>> split_args(std::string_view line) {
  std::vector<std::string> words;
  size_t p = 0;
  const size_t n = line.size();
  auto at = [&](size_t i) -> char { return i < n ? line[i] : '\0'; };
  for (;;) {
    while (p < n && c_isspace(static_cast<unsigned char>(line[p]))) ++p;
    if (p >= n) return words;
    std::string current;
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      const char c = at(p);
      if (in_double) {
        if (c == '\\' && at(p + 1) == 'x' && is_hex_digit(at(p + 2)) && is_hex_digit(at(p + 3))) {
          current += static_cast<char>(hex_value(at(p + 2)) * 16 + hex_value(at(p + 3)));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          switch (at(p)) {
            case 'n':
              current += '\n';
              break;
            case 'r':
              current += '\r';
              break;
            case 't':
              current += '\t';
              break;
            case 'b':
              current += '\b';
              break;
            case 'a':
              current += '\a';
              break;
            default:
              current += at(p);
              break;
          }
        } else if (c == '"') {
          if (at(p + 1) != '\0' && !c_isspace(static_cast<unsigned char>(at(p + 1))))
            return std::nullopt;
          done = true;
        } else if (c == '\0') {
          return std::nullopt;
        } else {
          current += c;
        }
      } else if (in_single) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          current += '\'';
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !c_isspace(static_cast<unsigned char>(at(p + 1))))
            return std::nullopt;
          done = true;
        } else if (c == '\0') {
          return std::nullopt;
        } else {
          current += c;
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            current += c;
            break;
        }
      }
      if (p < n) ++p;
    }
    words.push_back(std::move(current));
  }
}

std::string quote_arg(std::string_view word) {
  bool needs = false;
  for (char c : word) {
    const auto u = static_cast<unsigned char>(c);
    // A single quote is not in sdsneedsrepr's list, but sdssplitargs opens a quoted word at one
    // even mid-word, so Redis writes a word like x'y unquoted and then cannot read it back (a
    // manifest name). Quoted, Redis reads it back (inside double quotes ' is plain).
    if (c == '\\' || c == '"' || c == '\'' || !c_isprint(u) || c_isspace(u)) needs = true;
  }
  // Bare, an empty word would be no word at all and the line unreadable (Redis writes it so).
  if (!needs && !word.empty()) return std::string(word);
  std::string out;
  append_repr(out, word);
  return out;
}

void append_repr(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\\':
      case '"':
        out.push_back('\\');
        out.push_back(ch);
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        // isprint in the C locale, whatever the process's locale.
        if (c >= 0x20 && c < 0x7f) {
          out.push_back(ch);
        } else {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        }
    }
  }
  out.push_back('"');
}

}  // namespace basalt
