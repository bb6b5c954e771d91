// RESP2/RESP3 frame encoders. Each appends one frame to `out`, the connection's output buffer,
// so that a whole pipeline of replies leaves in one write.
//
// Aggregates are written as a header followed by their elements, the way Redis's addReply*
// functions work: append_array_header(out, 2); append_bulk(out, "a"); append_bulk(out, "b");
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace basalt::resp {

// "+<text>\r\n". CR and LF in `text` become spaces (and are dropped at either end), as Redis
// does for errors, so that no text can break the framing.
void append_simple(std::string& out, std::string_view text);
// "-<text>\r\n", e.g. append_error(out, "ERR syntax error"). The text carries its own error code.
// CR and LF at either end are trimmed and the ones inside become spaces, exactly what Redis's
// addReplyErrorFormat() does with user-supplied text.
void append_error(std::string& out, std::string_view text);
// "-<code> <message>\r\n", e.g. append_error(out, "ERR", parser.error()), without building the
// joined string first. Sanitised like the one-argument form.
void append_error(std::string& out, std::string_view code, std::string_view message);
// ":<value>\r\n"
void append_integer(std::string& out, int64_t value);
// "$<len>\r\n<data>\r\n". Binary safe.
void append_bulk(std::string& out, std::string_view data);
// "$<len>\r\n": the header alone, for a payload appended afterwards in pieces (followed by CRLF).
void append_bulk_header(std::string& out, size_t len);
// "$-1\r\n": the RESP2 null bulk string.
void append_null_bulk(std::string& out);
// "*-1\r\n": the RESP2 null array.
void append_null_array(std::string& out);
// "_\r\n": the RESP3 null.
void append_null(std::string& out);
// "*<count>\r\n"
void append_array_header(std::string& out, size_t count);
// "%<pairs>\r\n", followed by 2 * pairs elements (key, value, key, value...).
void append_map_header(std::string& out, size_t pairs);
// "~<count>\r\n"
void append_set_header(std::string& out, size_t count);
// "><count>\r\n"
void append_push_header(std::string& out, size_t count);
// "|<pairs>\r\n", followed by 2 * pairs elements, then the reply they describe.
void append_attribute_header(std::string& out, size_t pairs);
// ",<value>\r\n" with Redis 7.0's formatting: "%.17g" (3.0 -> "3", -0.0 -> "-0"), "inf", "-inf",
// "nan".
void append_double(std::string& out, double value);
// The RESP2 form of a double in Redis 7.0: a bulk string holding the same text as
// append_double() ("$1\r\n3\r\n", "$3\r\ninf\r\n").
void append_double_as_bulk(std::string& out, double value);
// "#t\r\n" or "#f\r\n"
void append_boolean(std::string& out, bool value);
// "=<len>\r\n<format>:<text>\r\n". `format` is three bytes ("txt", "mkd"); a shorter one is
// padded with spaces and a longer one cut, so the frame stays well formed.
void append_verbatim(std::string& out, std::string_view text, std::string_view format = "txt");
// "(<digits>\r\n"; `digits` is an optional '-' and decimal digits, written unchecked.
void append_bignum(std::string& out, std::string_view digits);

// Client side: a request as a RESP array of bulk strings, "*N\r\n$len\r\narg\r\n...".
void append_command(std::string& out, std::span<const std::string_view> args);
void append_command(std::string& out, std::initializer_list<std::string_view> args);

}  // namespace basalt::resp
