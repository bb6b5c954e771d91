#pragma once
// Number parsing and formatting with Redis's exact rules (string2ll, string2ld, ld2string), and
// glob matching (stringmatchlen). Commands must accept and print exactly what Redis does, or
// clients that round-trip values through Basalt see different bytes.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace basalt {

// Strict int64: optional '-', digits, no leading zeros, no spaces, no '+', in range (string2ll).
std::optional<int64_t> parse_int64(std::string_view s);
// strtod over all of s, as Redis's callers of strtod check it: nullopt when s is longer than
// max_len, when anything is left over (a NUL inside included) or when it reads as NaN; else the
// value and whether strtod reported it out of range (an overflow to +-HUGE_VAL or an underflow).
// Leading spaces are strtod's to skip: callers that refuse them check first.
struct StrtodResult {
  double value;
  bool out_of_range;
};
std::optional<StrtodResult> strtod_whole(std::string_view s, size_t max_len);
// Strict double, as Redis's getDoubleFromObject (strtod on the whole string, no spaces, not NaN).
std::optional<double> parse_double(std::string_view s);
// Long double for INCRBYFLOAT and timeouts (string2ld): no spaces, not NaN, under 5 KiB; inf is
// allowed here and refused by the callers, as in Redis.
std::optional<long double> parse_long_double(std::string_view s);

// Appends the decimal form of v.
void append_int64(std::string& out, int64_t v);
std::string int64_to_string(int64_t v);
// INCRBYFLOAT's output: "%.17Lf" with trailing zeros (and a bare '.') removed (ld2string
// humanfriendly).
std::string long_double_to_string(long double v);
// Redis's "%.17g" for doubles in replies ("inf", "-inf", "nan" spelt as Redis does).
std::string double_to_string(double v);

// Redis's glob: * ? [abc] [^a] [a-z] and \ escapes. nocase for CONFIG GET.
bool glob_match(std::string_view pattern, std::string_view s, bool nocase = false);

// ASCII case-insensitive equality (command names, options).
bool iequals(std::string_view a, std::string_view b);
void to_lower(std::string& s);
std::string lowercase(std::string_view s);

// Control characters replaced by spaces: user text quoted in an error must not break framing.
std::string sanitize_for_error(std::string_view s);

// Redis's sdscatrepr: s double-quoted, with C escapes (\n \r \t \a \b \\ \") and \xhh for
// other unprintable bytes (MONITOR lines, AOF manifest names).
void append_repr(std::string& out, std::string_view s);

// Redis's sdssplitargs (config file lines, AOF manifest lines): words separated by blanks,
// "double quotes" with \n \r \t \b \a \xHH escapes, 'single quotes' with \' only; a closing quote
// must be followed by a blank or the end. The line has no NUL (callers cut it there, as Redis's C
// strings end). nullopt for unbalanced quotes.
std::optional<std::vector<std::string>> split_args(std::string_view line);
// A word as split_args reads it back: bare when it needs no quoting (sdsneedsrepr), else
// append_repr's form. Deliberate differences: a word with a single quote, and an empty word, are
// quoted too (Redis writes them bare and then cannot read them back); Redis reads the quoted forms.
std::string quote_arg(std::string_view word);

// Whether "host:port" (as a connection's peer reads: "127.0.0.1:5000", "::1:5000") is on the
// loopback interface: 127.0.0.0/8, ::1, or IPv4-mapped 127.x. Redis's "local client".
bool is_loopback_address(std::string_view host_port);

// Hash for std::unordered_map<std::string, T, StringHash, std::equal_to<>>: lookups by
// string_view without building a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace basalt
