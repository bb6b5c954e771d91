#pragma once
// JSON output for the HTTP front end. Debian's simdjson 3.0 parses but cannot build JSON, so
// responses are written with these small, tested pieces: a string escaper, a UTF-8 validator (so
// binary values are never passed off as text), base64, and a writer that places commas.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace basalt::http {

// True if s is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF).
bool utf8_valid(std::string_view s);

// Appends s as a quoted JSON string. Quotes, backslashes and control characters are escaped;
// U+2028/U+2029 too, so the output is also safe inside a <script>. Bytes that are not valid UTF-8
// become U+FFFD: callers that must not lose bytes check utf8_valid() first and send base64.
void append_json_string(std::string& out, std::string_view s);

// Standard base64 (RFC 4648 section 4) with padding.
void append_base64(std::string& out, std::string_view bytes);
std::string base64_encode(std::string_view bytes);
// Accepts the standard alphabet with or without padding (and the URL-safe '-' '_'); nullopt for
// anything else.
std::optional<std::string> base64_decode(std::string_view text);

// Writes a JSON document in order, placing commas itself:
//   JsonWriter w(out); w.begin_object(); w.key("a"); w.integer(1); w.end_object();
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {
    comma();
    append_json_string(out_, k);
    out_ += ':';
    after_key_ = true;
  }
  void string(std::string_view s) {
    comma();
    append_json_string(out_, s);
  }
  void base64(std::string_view bytes) {
    comma();
    out_ += '"';
    append_base64(out_, bytes);
    out_ += '"';
  }
  void integer(int64_t v);
  void number(double v);  // non-finite values are written as the strings "inf", "-inf", "nan"
  void boolean(bool v) {
    comma();
    out_ += v ? "true" : "false";
  }
  void null() {
    comma();
    out_ += "null";
  }
  // Already-encoded JSON (a nested document).
  void raw(std::string_view json) {
    comma();
    out_ += json;
  }

 private:
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (need_comma_) out_ += ',';
    need_comma_ = true;
  }
  void open(char c) {
    comma();
    out_ += c;
    need_comma_ = false;
  }
  void close(char c) {
    out_ += c;
    need_comma_ = true;
  }

  std::string& out_;
  bool need_comma_ = false;
  bool after_key_ = false;
};

}  // namespace basalt::http
