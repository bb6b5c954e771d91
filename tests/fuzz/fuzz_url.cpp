// Fuzzes the request-target decoding of the HTTP front end (adapters/http/url.*). Besides the
// sanitizers, the oracles are the inverses: percent_encode() must undo percent_decode() and the
// other way round, and a target rebuilt from what parse_target() decoded must parse back to the
// same segments and parameters (the router and every handler see only the decoded form, so two
// targets that decode alike must be interchangeable).

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "http/url.hpp"

namespace {

using namespace basalt::http;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "%s: input \"%.*s\"\n", what, static_cast<int>(input.size()), input.data());
  __builtin_trap();
}

void check_decode(std::string_view s, bool plus_is_space) {
  auto decoded = percent_decode(s, plus_is_space);
  if (!decoded) return;
  // Each escape shrinks three bytes to one; nothing grows.
  if (decoded->size() > s.size()) fail("decoded text longer than its encoding", s);
  auto again = percent_decode(percent_encode(*decoded), plus_is_space);
  if (!again || *again != *decoded) fail("percent_encode does not invert percent_decode", s);
}

std::string rebuild(const Target& t) {
  std::string out = "/";
  for (size_t i = 0; i < t.segments.size(); ++i) {
    if (i > 0) out += '/';
    out += percent_encode(t.segments[i]);
  }
  if (!t.params.empty()) {
    out += '?';
    for (size_t i = 0; i < t.params.size(); ++i) {
      if (i > 0) out += '&';
      // Always with '=': "name" and "name=" decode alike, and an empty pair is dropped.
      out += percent_encode(t.params[i].first) + '=' + percent_encode(t.params[i].second);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // Any bytes survive encode -> decode, in both the path and the query flavour.
  std::string encoded = percent_encode(input);
  for (bool plus : {false, true}) {
    auto decoded = percent_decode(encoded, plus);
    if (!decoded || *decoded != input) fail("percent_decode does not invert percent_encode", input);
  }
  check_decode(input, false);
  check_decode(input, true);

  Target t;
  if (!parse_target(input, &t)) return 0;
  if (input.empty() || input[0] != '/') fail("accepted a target without a leading '/'", input);
  if (!input.starts_with(t.path)) fail("path is not a prefix of the target", input);
  std::string again = rebuild(t);
  Target u;
  if (!parse_target(again, &u)) fail("rebuilt target does not parse", input);
  if (u.segments != t.segments) fail("rebuilt target has other segments", input);
  if (u.params != t.params) fail("rebuilt target has other parameters", input);
  return 0;
}
