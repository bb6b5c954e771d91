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

// The host of a Host header ("example.com:8080" -> "example.com", "[::1]:8080" -> "[::1]"), as
// it goes into a URL; empty unless it is a plain name, IPv4 address or bracketed IPv6 address
// (what a browser sends), so the result is safe to write into a document or compare with Origin.
std::string_view host_name(std::string_view host_header);

// Splits an origin-form target ("/path?query"). Returns false for a target that does not start
// with '/' or holds a malformed escape.
bool parse_target(std::string_view target, Target* out);

}  // namespace basalt::http
