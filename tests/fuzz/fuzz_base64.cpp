// Fuzzes the HTTP front end's base64 (adapters/http/json.*), which carries binary values both ways
// (Upstash-Encoding: base64 replies, "value_base64" in request bodies). Oracles besides the
// sanitizers: decode(encode(x)) == x, the encoding has the length RFC 4648 says, and any text the
// decoder accepts is the one canonical encoding of what it decoded to (modulo padding and the
// URL-safe alphabet, both documented leniencies), so two different texts never name one value.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "http/json.hpp"

namespace {

using namespace basalt::http;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "%s: input (%zu bytes) \"%.*s\"\n", what, input.size(),
               static_cast<int>(input.size()), input.data());
  __builtin_trap();
}

// The standard alphabet without padding: the form both accepted spellings reduce to.
std::string canonical(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out(text);
  for (char& c : out) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  std::string encoded = base64_encode(input);
  if (encoded.size() != (size + 2) / 3 * 4) fail("encoding has the wrong length", input);
  auto decoded = base64_decode(encoded);
  if (!decoded || *decoded != input) fail("decode(encode(x)) != x", input);
  // Unpadded and URL-safe spellings of the same encoding decode alike.
  std::string url_safe = canonical(encoded);
  for (char& c : url_safe) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  auto decoded_url_safe = base64_decode(url_safe);
  if (!decoded_url_safe || *decoded_url_safe != input) fail("URL-safe unpadded spelling", input);

  auto parsed = base64_decode(input);
  if (parsed && canonical(base64_encode(*parsed)) != canonical(input)) {
    fail("accepted a text that is not the canonical encoding of its value", input);
  }
  return 0;
}
