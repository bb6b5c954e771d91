// Feeds arbitrary bytes to ReplyReader, whole and in random pieces, and checks:
//   - the replies and the error do not depend on the split, nor on reading each reply into a new
//     Reply (next()) or into one reused Reply (next(Reply&));
//   - every reply prints (to_string) and, re-encoded, reads back equal;
//   - buffered() never exceeds what was fed.
//
// Input layout: byte 0 picks the limits, byte 1 seeds the split, the rest is the stream.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_reader.hpp"
#include "protocol/writer.hpp"

namespace {

using basalt::resp::ReaderLimits;
using basalt::resp::Reply;
using basalt::resp::ReplyReader;
using Type = Reply::Type;

struct Outcome {
  std::vector<Reply> replies;
  std::string error;
};

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

// Writes a reply back as RESP. Lines keep their received text (a simple string may hold a lone
// CR, a double its own spelling); errors go out as blob errors, which any text survives.
void Encode(const Reply& r, std::string& out) {
  namespace resp = basalt::resp;
  // One frame per pair: the reader merges consecutive attribute frames, and a single frame
  // holding all of them could exceed max_elements where the originals did not.
  for (size_t i = 0; i + 1 < r.attributes().size(); i += 2) {
    resp::append_attribute_header(out, 1);
    Encode(r.attributes()[i], out);
    Encode(r.attributes()[i + 1], out);
  }
  auto line = [&](char prefix, const std::string& text) {
    out.push_back(prefix);
    out.append(text);
    out.append("\r\n");
  };
  switch (r.type()) {
    case Type::kSimpleString:
      line('+', r.str());
      break;
    case Type::kError:
      out.push_back('!');
      out.append(std::to_string(r.str().size()));
      out.append("\r\n");
      out.append(r.str());
      out.append("\r\n");
      break;
    case Type::kInteger:
      resp::append_integer(out, r.integer());
      break;
    case Type::kBulkString:
      resp::append_bulk(out, r.str());
      break;
    case Type::kNil:
      resp::append_null(out);
      break;
    case Type::kDouble:
      line(',', r.str());
      break;
    case Type::kBoolean:
      resp::append_boolean(out, r.boolean());
      break;
    case Type::kBigNumber:
      resp::append_bignum(out, r.str());
      break;
    case Type::kVerbatim:
      resp::append_verbatim(out, r.str(), r.verbatim_format());
      break;
    case Type::kArray:
    case Type::kSet:
    case Type::kPush:
    case Type::kMap:
    case Type::kAttribute: {
      const size_t n = r.elements().size();
      if (r.type() == Type::kArray) resp::append_array_header(out, n);
      if (r.type() == Type::kSet) resp::append_set_header(out, n);
      if (r.type() == Type::kPush) resp::append_push_header(out, n);
      if (r.type() == Type::kMap) resp::append_map_header(out, n / 2);
      if (r.type() == Type::kAttribute) resp::append_attribute_header(out, n / 2);
      for (const Reply& e : r.elements()) Encode(e, out);
      break;
    }
  }
}

Outcome Run(std::string_view stream, const std::vector<size_t>& piece_sizes,
            const ReaderLimits& limits, bool reuse) {
  ReplyReader reader(limits);
  Outcome out;
  Reply reused;
  size_t offset = 0;
  size_t fed = 0;
  for (size_t piece : piece_sizes) {
    reader.feed(stream.substr(offset, piece));
    offset += piece;
    fed += piece;
    if (reuse) {
      while (reader.next(reused)) out.replies.push_back(reused);
    } else {
      while (auto reply = reader.next()) out.replies.push_back(std::move(*reply));
    }
    Check(reader.buffered() <= fed, "buffered within what was fed");
    if (reader.has_error()) break;
  }
  out.error = std::string(reader.error());
  Check(reader.has_error() == !out.error.empty(), "has_error matches error()");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  ReaderLimits limits;
  limits.max_depth = 16;  // keeps the recursive Reply destructor and printer shallow
  if (data[0] & 1) {
    limits.max_bulk_len = 16;
    limits.max_elements = 6;
    limits.max_depth = 3;
    limits.max_line_len = 12;
  }
  std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  const Outcome whole = Run(stream, {stream.size()}, limits, false);

  std::minstd_rand rng(data[1] + 1u);
  const size_t max_piece = 1 + (data[1] % 3 == 0 ? 3 : data[1] % 64);
  std::vector<size_t> pieces;
  for (size_t left = stream.size(); left > 0;) {
    const size_t piece = std::min<size_t>(left, 1 + rng() % max_piece);
    pieces.push_back(piece);
    left -= piece;
  }
  const Outcome split = Run(stream, pieces, limits, true);
  Check(split.replies == whole.replies, "same replies whatever the split");
  Check(split.error == whole.error, "same error whatever the split");

  for (const Reply& r : whole.replies) {
    (void)r.to_string();
    std::string encoded;
    Encode(r, encoded);
    ReplyReader again(limits);
    again.feed(encoded);
    auto back = again.next();
    Check(back.has_value(), "re-encoded reply reads back");
    Check(*back == r, "re-encoded reply is equal");
    Check(again.buffered() == 0, "re-encoded reply consumed whole");
  }
  return 0;
}
