#include "protocol/reply_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "protocol/writer.hpp"

namespace basalt::resp {
namespace {

using Type = Reply::Type;

struct Outcome {
  std::vector<Reply> replies;
  std::string error;
  bool operator==(const Outcome&) const = default;
};

void PrintTo(const Outcome& o, std::ostream* os) {
  for (const Reply& r : o.replies) *os << r.to_string() << "\n";
  *os << "error: '" << o.error << "'";
}

Outcome ReadChunks(const std::vector<std::string_view>& chunks, ReaderLimits limits = {}) {
  ReplyReader reader(limits);
  Outcome out;
  for (std::string_view chunk : chunks) {
    reader.feed(chunk);
    while (auto reply = reader.next()) out.replies.push_back(std::move(*reply));
  }
  out.error = std::string(reader.error());
  return out;
}

// The hot-loop form: one Reply reused for every read, starting out as a reply of its own, so
// nothing of an earlier reply (text, elements, attributes) may leak into the next.
Outcome ReadChunksReusing(const std::vector<std::string_view>& chunks, ReaderLimits limits = {}) {
  ReplyReader reader(limits);
  Outcome out;
  Reply reply = Reply::array({Reply::bulk("stale"), Reply::integer(9)});
  reply.set_attributes({Reply::simple("stale"), Reply::integer(1)});
  for (std::string_view chunk : chunks) {
    reader.feed(chunk);
    while (reader.next(reply)) out.replies.push_back(reply);
  }
  out.error = std::string(reader.error());
  return out;
}

Outcome ReadWhole(std::string_view input, ReaderLimits limits = {}) {
  return ReadChunks({input}, limits);
}

// The same replies whatever the split: two pieces at every offset, and one byte at a time.
Outcome ReadEverySplit(std::string_view input, ReaderLimits limits = {}) {
  Outcome whole = ReadWhole(input, limits);
  for (size_t i = 0; i <= input.size(); ++i) {
    EXPECT_EQ(ReadChunks({input.substr(0, i), input.substr(i)}, limits), whole) << "split at " << i;
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  EXPECT_EQ(ReadChunks(bytes, limits), whole) << "byte by byte";
  EXPECT_EQ(ReadChunksReusing({input}, limits), whole) << "into one reused Reply";
  EXPECT_EQ(ReadChunksReusing(bytes, limits), whole) << "into one reused Reply, byte by byte";
  return whole;
}

Reply One(std::string_view input) {
  Outcome o = ReadEverySplit(input);
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.replies.size(), 1u) << input;
  return o.replies.empty() ? Reply() : o.replies[0];
}

std::string Error(std::string_view input, ReaderLimits limits = {}) {
  Outcome o = ReadEverySplit(input, limits);
  EXPECT_FALSE(o.error.empty()) << input;
  return o.error;
}

TEST(ReplyReader, Resp2Types) {
  Reply r = One("+OK\r\n");
  EXPECT_EQ(r.type(), Type::kSimpleString);
  EXPECT_EQ(r.str(), "OK");
  r = One("-ERR unknown command\r\n");
  EXPECT_TRUE(r.is_error());
  EXPECT_EQ(r.str(), "ERR unknown command");
  r = One(":-12345\r\n");
  EXPECT_EQ(r.type(), Type::kInteger);
  EXPECT_EQ(r.integer(), -12345);
  r = One("$5\r\nhe\r\no\r\n");
  EXPECT_EQ(r.type(), Type::kBulkString);
  EXPECT_EQ(r.str(), "he\r\no");
  EXPECT_EQ(One("$0\r\n\r\n").str(), "");
  EXPECT_TRUE(One("$-1\r\n").is_nil());
  EXPECT_TRUE(One("*-1\r\n").is_nil());
  r = One("*3\r\n:1\r\n$1\r\na\r\n*0\r\n");
  EXPECT_EQ(r.type(), Type::kArray);
  ASSERT_EQ(r.elements().size(), 3u);
  EXPECT_EQ(r.elements()[0].integer(), 1);
  EXPECT_TRUE(r.elements()[1].is_string("a"));
  EXPECT_EQ(r.elements()[2].type(), Type::kArray);
  EXPECT_TRUE(r.elements()[2].elements().empty());
}

TEST(ReplyReader, Resp3Types) {
  EXPECT_TRUE(One("_\r\n").is_nil());
  Reply r = One(",3.25\r\n");
  EXPECT_EQ(r.type(), Type::kDouble);
  EXPECT_EQ(r.dbl(), 3.25);
  EXPECT_EQ(r.str(), "3.25");
  EXPECT_EQ(One(",inf\r\n").dbl(), HUGE_VAL);
  EXPECT_EQ(One(",-inf\r\n").dbl(), -HUGE_VAL);
  EXPECT_TRUE(std::isnan(One(",nan\r\n").dbl()));
  EXPECT_EQ(One(",1e300\r\n").dbl(), 1e300);
  EXPECT_EQ(One(",-0\r\n").to_string(), ",-0");
  r = One("#t\r\n");
  EXPECT_EQ(r.type(), Type::kBoolean);
  EXPECT_TRUE(r.boolean());
  EXPECT_FALSE(One("#f\r\n").boolean());
  r = One("(3492890328409238509324850943850943825024385\r\n");
  EXPECT_EQ(r.type(), Type::kBigNumber);
  EXPECT_EQ(r.str(), "3492890328409238509324850943850943825024385");
  r = One("=15\r\ntxt:Some string\r\n");
  EXPECT_EQ(r.type(), Type::kVerbatim);
  EXPECT_EQ(r.verbatim_format(), "txt");
  EXPECT_EQ(r.str(), "Some string");
  r = One("!21\r\nSYNTAX invalid syntax\r\n");
  EXPECT_TRUE(r.is_error());
  EXPECT_EQ(r.str(), "SYNTAX invalid syntax");

  r = One("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n");
  EXPECT_EQ(r.type(), Type::kMap);
  ASSERT_EQ(r.elements().size(), 4u);
  EXPECT_TRUE(r.elements()[2].is_string("second"));
  EXPECT_EQ(r.elements()[3].integer(), 2);
  EXPECT_EQ(r.to_string(), "{+first: :1, +second: :2}");

  r = One("~3\r\n+a\r\n+b\r\n+c\r\n");
  EXPECT_EQ(r.type(), Type::kSet);
  EXPECT_EQ(r.elements().size(), 3u);

  r = One(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n");
  EXPECT_EQ(r.type(), Type::kPush);
  EXPECT_EQ(r.to_string(), ">[\"message\", \"ch\", \"hello\"]");
}

TEST(ReplyReader, AttributesAttachToTheNextReply) {
  Reply r =
      One("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n");
  EXPECT_EQ(r.type(), Type::kArray);
  ASSERT_EQ(r.attributes().size(), 2u);
  EXPECT_TRUE(r.attributes()[0].is_string("key-popularity"));
  EXPECT_EQ(r.attributes()[1].type(), Type::kMap);
  EXPECT_EQ(r.elements().size(), 2u);

  // Inside an aggregate the attribute is not an element; it goes to the element after it.
  r = One("*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n");
  ASSERT_EQ(r.elements().size(), 2u);
  EXPECT_TRUE(r.elements()[0].attributes().empty());
  ASSERT_EQ(r.elements()[1].attributes().size(), 2u);
  EXPECT_EQ(r.elements()[1].attributes()[1].integer(), 3600);
  EXPECT_EQ(r.to_string(), "[:1, |{+ttl: :3600} \"v\"]");
}

TEST(ReplyReader, NestedAggregates) {
  const std::string input =
      "*3\r\n*2\r\n%1\r\n+k\r\n~2\r\n:1\r\n:2\r\n*0\r\n>1\r\n*1\r\n*1\r\n#t\r\n$-1\r\n";
  Reply r = One(input);
  EXPECT_EQ(r.to_string(), "[[{+k: ~{:1, :2}}, []], >[[[#t]]], (nil)]");
}

TEST(ReplyReader, PipelineOfEveryType) {
  std::string input;
  append_simple(input, "OK");
  append_error(input, "ERR x");
  append_integer(input, 42);
  append_bulk(input, std::string("bin\0\r\nary", 9));
  append_null_bulk(input);
  append_null_array(input);
  append_null(input);
  append_double(input, 1.5);
  append_double(input, -HUGE_VAL);
  append_boolean(input, false);
  append_bignum(input, "-12345678901234567890");
  append_verbatim(input, "text\r\nmore");
  append_map_header(input, 1);
  append_bulk(input, "k");
  append_set_header(input, 1);
  append_double_as_bulk(input, 3.0);
  append_push_header(input, 2);
  append_bulk(input, "pong");
  append_bulk(input, "");
  append_attribute_header(input, 1);
  append_simple(input, "a");
  append_integer(input, 1);
  append_integer(input, 7);
  append_command(input, {"SET", "k", "v"});

  Outcome o = ReadEverySplit(input);
  EXPECT_EQ(o.error, "");
  std::vector<Reply> expected = {
      Reply::simple("OK"),
      Reply::error("ERR x"),
      Reply::integer(42),
      Reply::bulk(std::string("bin\0\r\nary", 9)),
      Reply::nil(),
      Reply::nil(),
      Reply::nil(),
      Reply::dbl(1.5),
      Reply::dbl(-HUGE_VAL),
      Reply::boolean(false),
      Reply::bignum("-12345678901234567890"),
      Reply::verbatim("txt", "text\r\nmore"),
      Reply::map({Reply::bulk("k"), Reply::set({Reply::bulk("3")})}),
      Reply::push({Reply::bulk("pong"), Reply::bulk("")}),
      Reply::integer(7),
      Reply::array({Reply::bulk("SET"), Reply::bulk("k"), Reply::bulk("v")}),
  };
  expected[14].set_attributes({Reply::simple("a"), Reply::integer(1)});
  ASSERT_EQ(o.replies.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(o.replies[i], expected[i]) << i << ": " << o.replies[i].to_string();
  }
}

TEST(ReplyReader, ToString) {
  EXPECT_EQ(One("$4\r\na\"\x01\n\r\n").to_string(), "\"a\\\"\\x01\\n\"");
  EXPECT_EQ(One("=8\r\nmkd:# hi\r\n").to_string(), "=\"mkd:# hi\"");
  EXPECT_EQ(One("(-5\r\n").to_string(), "(-5");
  EXPECT_EQ(One("-ERR no\r\n").to_string(), "-ERR no");
  EXPECT_EQ(One("_\r\n").to_string(), "(nil)");
}

TEST(ReplyReader, MalformedInput) {
  EXPECT_EQ(Error("?x\r\n"), "Protocol error, got \"?\" as reply type byte");
  EXPECT_EQ(Error("\r\n"), "Protocol error, got \"\\x0d\" as reply type byte");
  EXPECT_EQ(Error(":12a\r\n"), "Bad integer value");
  EXPECT_EQ(Error(":\r\n"), "Bad integer value");
  EXPECT_EQ(Error(":99999999999999999999\r\n"), "Bad integer value");
  EXPECT_EQ(Error(",abc\r\n"), "Bad double value");
  EXPECT_EQ(Error(",1e999\r\n"), "Bad double value");
  EXPECT_EQ(Error(",\r\n"), "Bad double value");
  EXPECT_EQ(Error("#x\r\n"), "Bad bool value");
  EXPECT_EQ(Error("_x\r\n"), "Bad nil value");
  EXPECT_EQ(Error("(12a\r\n"), "Bad big number value");
  EXPECT_EQ(Error("$x\r\n"), "Bad bulk string length");
  EXPECT_EQ(Error("$-2\r\n"), "Bad bulk string length");
  EXPECT_EQ(Error("!-1\r\n"), "Bad bulk string length");
  EXPECT_EQ(Error("$3\r\nfooXY"), "Bad bulk string terminator");
  EXPECT_EQ(Error("=3\r\ntxt\r\n"),
            "Verbatim string 4 bytes of content type are missing or incorrectly encoded.");
  EXPECT_EQ(Error("=5\r\ntxt-a\r\n"),
            "Verbatim string 4 bytes of content type are missing or incorrectly encoded.");
  EXPECT_EQ(Error("*x\r\n"), "Bad multi-bulk length");
  EXPECT_EQ(Error("*-2\r\n"), "Bad multi-bulk length");
  // Replies before the error are still delivered.
  Outcome o = ReadEverySplit("+OK\r\n*2\r\n:1\r\n@\r\n");
  EXPECT_EQ(o.replies.size(), 1u);
  EXPECT_EQ(o.error, "Protocol error, got \"@\" as reply type byte");
}

TEST(ReplyReader, ErrorIsStickyUntilReset) {
  ReplyReader reader;
  reader.feed("&\r\n+OK\r\n");
  EXPECT_FALSE(reader.next());
  EXPECT_TRUE(reader.has_error());
  reader.feed("+OK\r\n");
  EXPECT_FALSE(reader.next());
  reader.reset();
  EXPECT_FALSE(reader.has_error());
  reader.feed("+OK\r\n");
  auto r = reader.next();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->is_string("OK"));
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(ReplyReader, Limits) {
  ReaderLimits limits;
  limits.max_bulk_len = 4;
  limits.max_elements = 3;
  limits.max_depth = 2;
  limits.max_line_len = 8;
  EXPECT_EQ(ReadEverySplit("$4\r\nabcd\r\n", limits).replies.size(), 1u);
  EXPECT_EQ(Error("$5\r\nabcde\r\n", limits), "Bulk string length out of range");
  EXPECT_EQ(Error("=9\r\ntxt:abcde\r\n", limits), "Bulk string length out of range");
  EXPECT_EQ(ReadEverySplit("*3\r\n:1\r\n:2\r\n:3\r\n", limits).replies.size(), 1u);
  EXPECT_EQ(Error("*4\r\n", limits), "Multi-bulk length out of range");
  EXPECT_EQ(Error("%2\r\n", limits), "Multi-bulk length out of range");
  EXPECT_EQ(ReadEverySplit("*1\r\n*1\r\n:1\r\n", limits).replies.size(), 1u);
  EXPECT_EQ(Error("*1\r\n*1\r\n*1\r\n:1\r\n", limits), "Nesting deeper than 2 aggregates");
  // Empty aggregates do not open a level.
  EXPECT_EQ(ReadEverySplit("*1\r\n*1\r\n*0\r\n", limits).replies.size(), 1u);
  EXPECT_EQ(ReadEverySplit("+12345678\r\n", limits).replies.size(), 1u);
  EXPECT_EQ(Error("+123456789\r\n", limits), "Line too long");
  EXPECT_EQ(Error("+123456789012", limits), "Line too long");
  EXPECT_EQ(ReadWhole("+12345678\r", limits).error, "");
}

TEST(ReplyReader, HugeAnnouncedCountsCostNothingUpFront) {
  ReplyReader reader;
  reader.feed("*4000000000\r\n:1\r\n");
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.has_error());
  reader.reset();
  reader.feed("$536870912\r\nabc");
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.has_error());
}

TEST(ReplyReader, LargeBulkInPieces) {
  const size_t len = 16 * 1024 * 1024;
  std::string value(len, 'x');
  value[0] = 'A';
  std::string input;
  append_bulk(input, value);
  append_simple(input, "after");
  ReplyReader reader;
  std::optional<Reply> r;
  size_t chunks = 0;
  for (size_t i = 0; i < input.size(); i += 16 * 1024) {
    reader.feed(std::string_view(input).substr(i, 16 * 1024));
    ++chunks;
    if (!r) r = reader.next();
  }
  ASSERT_TRUE(r);
  EXPECT_EQ(r->str(), value);
  auto after = reader.next();
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->is_string("after"));
  EXPECT_GT(chunks, 1000u);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(ReplyReader, LongPipelineKeepsBufferBounded) {
  ReplyReader reader;
  std::string one;
  append_bulk(one, std::string(1000, 'v'));
  for (int i = 0; i < 10000; ++i) {
    reader.feed(one);
    auto r = reader.next();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->str().size(), 1000u);
  }
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(Reply, Equality) {
  EXPECT_EQ(Reply::dbl(1.5), Reply::dbl(1.5, "1.50"));
  EXPECT_NE(Reply::dbl(0.0), Reply::dbl(-0.0));
  EXPECT_EQ(Reply::dbl(NAN), Reply::dbl(NAN));
  EXPECT_NE(Reply::bulk("a"), Reply::simple("a"));
  EXPECT_NE(Reply::array({Reply::integer(1)}), Reply::array({Reply::integer(2)}));
  EXPECT_EQ(Reply::dbl(3.0).str(), "3");
  EXPECT_FALSE(Reply::integer(1).is_string("1"));
}

}  // namespace
}  // namespace basalt::resp
