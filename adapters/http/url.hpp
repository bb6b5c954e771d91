#pragma once
// Request targets: the path split into percent-decoded segments (split first, so a key may
// contain an encoded '/'), and the query string decoded as HTML forms encode it.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::http {

// Decodes %XX escapes; in a query ('+' means space there) also '+'. nullopt for a malformed
// escape ("%", "%4", "%zz"). Any byte may result, including NUL and invalid UTF-8: keys are
// binary-safe.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false);

// Encodes every byte outside RFC 3986's unreserved set.
std::string percent_encode(std::string_view s);

struct Target {
  std::string_view path;                                    // raw, before '?'
  std::string_view query;                                   // raw, after '?', without it
  std::vector<std::string> segments;                        // decoded; "/a//b/" -> "a", "", "b", ""
  std::vector<std::pair<std::string, std::string>> params;  // decoded, in order
};

// Splits an origin-form target ("/path?query"). Returns false for a target that does not start
// with '/' or holds a malformed escape.
bool parse_target(std::string_view target, Target* out);

}  // namespace basalt::http
