#include "protocol/writer.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

namespace basalt::resp {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool IsCrOrLf(char c) { return c == '\r' || c == '\n'; }

size_t Digits(uint64_t n) {
  size_t digits = 1;
  for (; n >= 10; n /= 10) ++digits;
  return digits;
}

// A header (prefix, decimal number, CRLF) written at p, which has room for it; returns its end.
char* WriteHeader(char* p, char prefix, uint64_t n, size_t digits) {
  *p++ = prefix;
  std::to_chars(p, p + digits, n);
  p += digits;
  *p++ = '\r';
  *p++ = '\n';
  return p;
}

// One append per header: assembled on the stack first.
void AppendHeader(std::string& out, char prefix, uint64_t n) {
  char buf[32];
  const char* end = WriteHeader(buf, prefix, n, Digits(n));
  out.append(buf, static_cast<size_t>(end - buf));
}

// Redis's treatment of error text (sdstrim(s, "\r\n") then sdsmapchars(s, "\r\n", "  ")), applied
// to what was appended at out[from...].
void SanitizeLine(std::string& out, size_t from) {
  size_t begin = from;
  while (begin < out.size() && IsCrOrLf(out[begin])) ++begin;
  size_t end = out.size();
  while (end > begin && IsCrOrLf(out[end - 1])) --end;
  out.resize(end);
  if (begin > from) out.erase(from, begin - from);
  for (size_t i = from; i < out.size(); ++i) {
    if (IsCrOrLf(out[i])) out[i] = ' ';
  }
}

void AppendLine(std::string& out, char prefix, std::string_view text) {
  out.push_back(prefix);
  const size_t from = out.size();
  out.append(text);
  SanitizeLine(out, from);
  out.append(kCrlf);
}

// The text of a double as Redis 7.0 writes it: printf("%.17g") for finite values (which
// std::to_chars reproduces exactly, without locale or snprintf), fixed words otherwise.
std::string_view FormatDouble(double value, char (&buf)[40]) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const auto result = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::general, 17);
  return {buf, static_cast<size_t>(result.ptr - buf)};
}

}  // namespace

void append_simple(std::string& out, std::string_view text) { AppendLine(out, '+', text); }

void append_error(std::string& out, std::string_view text) { AppendLine(out, '-', text); }

void append_error(std::string& out, std::string_view code, std::string_view message) {
  out.push_back('-');
  const size_t from = out.size();
  out.append(code);
  out.push_back(' ');
  out.append(message);
  SanitizeLine(out, from);
  out.append(kCrlf);
}

void append_integer(std::string& out, int64_t value) {
  char buf[32];
  buf[0] = ':';
  char* end = std::to_chars(buf + 1, buf + sizeof(buf) - 2, value).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out.append(buf, static_cast<size_t>(end - buf));
}

void append_bulk(std::string& out, std::string_view data) {
  AppendHeader(out, '$', data.size());
  out.append(data);
  out.append(kCrlf);
}

void append_bulk_header(std::string& out, size_t len) { AppendHeader(out, '$', len); }

void append_null_bulk(std::string& out) { out.append("$-1\r\n"); }

void append_null_array(std::string& out) { out.append("*-1\r\n"); }

void append_null(std::string& out) { out.append("_\r\n"); }

void append_array_header(std::string& out, size_t count) { AppendHeader(out, '*', count); }

void append_map_header(std::string& out, size_t pairs) { AppendHeader(out, '%', pairs); }

void append_set_header(std::string& out, size_t count) { AppendHeader(out, '~', count); }

void append_push_header(std::string& out, size_t count) { AppendHeader(out, '>', count); }

void append_attribute_header(std::string& out, size_t pairs) { AppendHeader(out, '|', pairs); }

void append_double(std::string& out, double value) {
  char buf[40];
  out.push_back(',');
  out.append(FormatDouble(value, buf));
  out.append(kCrlf);
}

void append_double_as_bulk(std::string& out, double value) {
  char buf[40];
  append_bulk(out, FormatDouble(value, buf));
}

void append_boolean(std::string& out, bool value) { out.append(value ? "#t\r\n" : "#f\r\n"); }

void append_verbatim(std::string& out, std::string_view text, std::string_view format) {
  char ext[4] = {' ', ' ', ' ', ':'};
  for (size_t i = 0; i < 3 && i < format.size(); ++i) ext[i] = format[i];
  AppendHeader(out, '=', text.size() + sizeof(ext));
  out.append(ext, sizeof(ext));
  out.append(text);
  out.append(kCrlf);
}

void append_bignum(std::string& out, std::string_view digits) {
  out.push_back('(');
  out.append(digits);
  out.append(kCrlf);
}

// Sized first and written in place: one resize per command instead of an append per piece,
// which the client's pipelines and the benchmark tool feel.
void append_command(std::string& out, std::span<const std::string_view> args) {
  const size_t count_digits = Digits(args.size());
  size_t total = 3 + count_digits;
  for (std::string_view arg : args) total += 5 + Digits(arg.size()) + arg.size();
  const size_t at = out.size();
  out.resize(at + total);
  char* p = WriteHeader(out.data() + at, '*', args.size(), count_digits);
  for (std::string_view arg : args) {
    p = WriteHeader(p, '$', arg.size(), Digits(arg.size()));
    if (!arg.empty()) std::memcpy(p, arg.data(), arg.size());
    p += arg.size();
    *p++ = '\r';
    *p++ = '\n';
  }
}

void append_command(std::string& out, std::initializer_list<std::string_view> args) {
  append_command(out, std::span<const std::string_view>(args.begin(), args.size()));
}

}  // namespace basalt::resp
