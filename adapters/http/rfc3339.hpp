#pragma once
// RFC 3339 timestamps for "expires_at": written in UTC with milliseconds
// ("2025-06-01T12:00:00.250Z"), read with any offset and fraction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace basalt::http {

std::string format_rfc3339_ms(int64_t unix_ms);
// Unix milliseconds (fractions past the millisecond are truncated), or nullopt if malformed.
std::optional<int64_t> parse_rfc3339_ms(std::string_view s);
// "Sun, 06 Nov 1994 08:49:37 GMT" (the HTTP Date header).
std::string format_http_date(int64_t unix_seconds);

}  // namespace basalt::http
