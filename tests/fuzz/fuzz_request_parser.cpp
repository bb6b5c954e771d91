// Feeds arbitrary bytes to RequestParser, whole and in random pieces (each piece in a freshly
// allocated buffer, so the input moves between calls), and checks:
//   - consumed() never exceeds the input and always advances;
//   - every argument lies inside the input or inside the parser's own inline buffer;
//   - the requests and the final status do not depend on the split (except that Redis's
//     "too big ..." checks may fire earlier on a partial buffer);
//   - each request, re-encoded with append_command(), parses back to the same arguments;
//   - where PeekRequest (the server's prefetch look-ahead) sees a whole request, the parser
//     either rejects it or parses a request of that length with that argument 1.
//
// Input layout: byte 0 picks the limits, byte 1 seeds the split, the rest is the stream.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request_parser.hpp"
#include "protocol/writer.hpp"

namespace {

using basalt::resp::ParserLimits;
using basalt::resp::ParseStatus;
using basalt::resp::RequestParser;

struct Outcome {
  std::vector<std::vector<std::string>> requests;
  ParseStatus last = ParseStatus::kNeedMore;
  std::string error;
};

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

bool Inside(std::string_view outer, std::string_view inner) {
  const auto o = reinterpret_cast<uintptr_t>(outer.data());
  const auto i = reinterpret_cast<uintptr_t>(inner.data());
  return inner.empty() || (i >= o && i + inner.size() <= o + outer.size());
}

void CheckRoundTrip(std::span<const std::string_view> args, const ParserLimits& limits) {
  std::string encoded;
  basalt::resp::append_command(encoded, args);
  ParserLimits relaxed = limits;
  relaxed.auth_required = false;  // an inline request may hold more arguments than AUTH allows
  relaxed.max_multibulk_len = std::max(relaxed.max_multibulk_len, args.size());
  relaxed.max_inline_len = std::max<size_t>(relaxed.max_inline_len, 64);
  for (std::string_view a : args) relaxed.max_bulk_len = std::max(relaxed.max_bulk_len, a.size());
  RequestParser again(relaxed);
  Check(again.parse(encoded) == ParseStatus::kOk, "re-encoded request parses");
  Check(again.consumed() == encoded.size(), "re-encoded request consumed whole");
  Check(again.args().size() == args.size(), "re-encoded argument count");
  for (size_t i = 0; i < args.size(); ++i) Check(again.args()[i] == args[i], "re-encoded argument");
}

Outcome Run(std::string_view stream, const std::vector<size_t>& piece_sizes,
            const ParserLimits& limits, bool round_trip) {
  RequestParser parser(limits);
  Outcome out;
  std::string pending;
  size_t offset = 0;
  for (size_t piece : piece_sizes) {
    pending.append(stream.substr(offset, piece));
    offset += piece;
    for (;;) {
      const std::string input = pending;  // a new allocation: the bytes move every call
      std::string_view peeked_key;
      const size_t peeked = basalt::resp::PeekRequest(input, 1, &peeked_key);
      out.last = parser.parse(input);
      if (peeked != 0) {
        Check(out.last != ParseStatus::kNeedMore, "a peeked request is complete");
        if (out.last == ParseStatus::kOk) {
          Check(parser.consumed() == peeked, "peeked length is the parsed length");
          Check(parser.args().size() > 1 ? peeked_key == parser.args()[1]
                                         : peeked_key.data() == nullptr,
                "peeked key is argument 1");
        }
      }
      if (out.last == ParseStatus::kNeedMore) {
        Check(parser.bytes_hint() <= limits.max_bulk_len + 2, "bytes_hint bounded");
      }
      if (out.last != ParseStatus::kOk) break;
      Check(parser.consumed() > 0, "kOk consumes bytes");
      Check(parser.consumed() <= input.size(), "consumed within input");
      Check(!parser.args().empty(), "kOk has arguments");
      std::vector<std::string>& request = out.requests.emplace_back();
      for (std::string_view arg : parser.args()) {
        Check(Inside(input, arg) || Inside(parser.inline_buffer(), arg), "argument location");
        Check(parser.inline_request() || Inside(input, arg), "multibulk arguments are views");
        request.emplace_back(arg);
      }
      if (round_trip) CheckRoundTrip(parser.args(), limits);
      pending.erase(0, parser.consumed());
    }
    if (out.last == ParseStatus::kError) {
      out.error = std::string(parser.error());
      Check(out.error.find_first_of("\r\n") == std::string::npos, "error text has no CR/LF");
      Check(parser.parse(pending) == ParseStatus::kError, "errors are sticky");
      break;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  ParserLimits limits;
  if (mode & 1) {
    // Small limits, so that every limit error is within the fuzzer's reach.
    limits.max_bulk_len = 64;
    limits.max_multibulk_len = 8;
    limits.max_inline_len = 32;
  }
  limits.auth_required = (mode & 2) != 0;
  std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  const Outcome whole = Run(stream, {stream.size()}, limits, /*round_trip=*/true);

  std::minstd_rand rng(data[1] + 1u);
  const size_t max_piece = 1 + (data[1] % 3 == 0 ? 3 : data[1] % 64);
  std::vector<size_t> pieces;
  for (size_t left = stream.size(); left > 0;) {
    const size_t piece = std::min<size_t>(left, 1 + rng() % max_piece);
    pieces.push_back(piece);
    left -= piece;
  }
  const Outcome split = Run(stream, pieces, limits, /*round_trip=*/false);

  // Redis judges an unterminated line by the bytes it holds at the time, so a partial buffer can
  // trip "too big ..." where the whole one found the terminator. Up to there, both must agree.
  if (split.error.starts_with("Protocol error: too big")) {
    Check(split.requests.size() <= whole.requests.size(), "split is a prefix (count)");
    for (size_t i = 0; i < split.requests.size(); ++i) {
      Check(split.requests[i] == whole.requests[i], "split is a prefix (requests)");
    }
    return 0;
  }
  Check(split.requests == whole.requests, "same requests whatever the split");
  Check(split.last == whole.last, "same final status whatever the split");
  Check(split.error == whole.error, "same error whatever the split");
  return 0;
}
