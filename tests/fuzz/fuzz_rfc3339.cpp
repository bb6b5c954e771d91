// Fuzzes the timestamps of the HTTP front end (adapters/http/rfc3339.*): "expires_at" read from
// request bodies and written in responses, and the Date header. Oracles besides the sanitizers:
// every instant in years 0000-9999 survives format -> parse, and whatever parse accepts is an
// instant whose formatted form parses back to it.

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "http/rfc3339.hpp"

namespace {

using namespace basalt::http;

// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the four-digit years RFC 3339 allows.
constexpr int64_t kMinMs = -62'167'219'200'000;
constexpr int64_t kMaxMs = 253'402'300'799'999;

[[noreturn]] void fail(const char* what, std::string_view text, int64_t ms) {
  std::fprintf(stderr, "%s: \"%.*s\" (%lld ms)\n", what, static_cast<int>(text.size()), text.data(),
               static_cast<long long>(ms));
  __builtin_trap();
}

void check_instant(int64_t ms) {
  std::string text = format_rfc3339_ms(ms);
  format_http_date(ms / 1000);  // any second must format, however far from now
  if (ms < kMinMs || ms > kMaxMs) return;
  if (text.size() != 24) fail("formatted timestamp has the wrong length", text, ms);
  auto back = parse_rfc3339_ms(text);
  if (!back || *back != ms) fail("parse(format(ms)) != ms", text, ms);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // The first eight bytes as an instant, once raw (any int64) and once folded into the range.
  if (size >= 8) {
    uint64_t raw;
    std::memcpy(&raw, data, 8);
    check_instant(static_cast<int64_t>(raw));
    format_http_date(static_cast<int64_t>(raw));
    uint64_t span = static_cast<uint64_t>(kMaxMs - kMinMs) + 1;
    check_instant(kMinMs + static_cast<int64_t>(raw % span));
  }

  auto ms = parse_rfc3339_ms(input);
  if (!ms) return 0;
  // An offset can move a valid text just outside the four-digit years; check_instant only asks
  // for a readable form inside them.
  check_instant(*ms);
  return 0;
}
