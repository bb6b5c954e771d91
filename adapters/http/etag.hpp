#pragma once
// Entity tags for the resource API. A strong validator computed from the value's content: the
// type and every byte (list elements length-prefixed, so ["ab"] and ["a","b"] differ). It changes
// whenever the value changes and stays the same when a write leaves it unchanged (a TTL change
// does not change it). 64-bit FNV-1a: cheap, and collisions are not a practical concern for the
// compare-and-swap it guards (an attacker who can write the key needs no collision).

#include <cstdint>
#include <string>
#include <string_view>

#include "http/reply_tree.hpp"

namespace basalt::http {

class EtagHasher {
 public:
  void add(std::string_view bytes);
  void add_length_prefixed(std::string_view bytes);
  // "\"<16 hex digits>\"" (quoted, as it appears in the header).
  std::string tag() const;

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

// ETag of a string value.
std::string etag_of_string(std::string_view value);
// ETag of a list value: an array reply of bulk strings (LRANGE key 0 -1).
std::string etag_of_list(ReplyRef elements);

// RFC 9110 If-Match / If-None-Match: does the comma-separated list (or "*") match `etag`?
// `weak` comparison (If-None-Match) also accepts W/"..." forms of the same tag.
bool etag_list_matches(std::string_view header, std::string_view etag, bool weak);

}  // namespace basalt::http
