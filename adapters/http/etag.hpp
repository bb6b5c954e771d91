#pragma once
// Entity tags for the resource API: the key's write version (Database::version), which changes
// on every write to the key (over RESP too, TTL changes and expiry included) and is never reused.
// A hash of the value would let a stale If-Match succeed after the value went A -> B -> A.

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::http {

// "\"<16 hex digits>\"" (quoted, as it appears in the header).
std::string etag_of_version(uint64_t version);

// RFC 9110 If-Match / If-None-Match: does the comma-separated list (or "*") match `etag`?
// `weak` comparison (If-None-Match) also accepts W/"..." forms of the same tag.
bool etag_list_matches(std::string_view header, std::string_view etag, bool weak);

}  // namespace basalt::http
