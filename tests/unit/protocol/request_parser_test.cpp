#include "protocol/request_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/writer.hpp"

namespace basalt::resp {
namespace {

using ::testing::ElementsAre;
using Args = std::vector<std::string>;

// Everything a parser made of an input: the requests, then how it stopped.
struct Outcome {
  std::vector<Args> requests;
  std::vector<bool> inline_flags;
  ParseStatus last = ParseStatus::kNeedMore;
  std::string error;
  size_t unconsumed = 0;  // bytes left in the caller's buffer

  bool operator==(const Outcome&) const = default;
};

void PrintTo(const Outcome& o, std::ostream* os) {
  *os << o.requests.size() << " requests, last status " << static_cast<int>(o.last) << " error '"
      << o.error << "' unconsumed " << o.unconsumed;
}

Args ToArgs(const RequestParser& parser) {
  Args args;
  for (std::string_view a : parser.args()) args.emplace_back(a);
  return args;
}

// Runs the parser the way a connection does: `chunks` arrive one by one into a buffer, and every
// call sees a fresh copy of the unconsumed bytes, so that the input has moved in memory each time.
Outcome ParseChunks(const std::vector<std::string_view>& chunks, ParserLimits limits = {}) {
  RequestParser parser(limits);
  Outcome out;
  std::string pending;
  for (std::string_view chunk : chunks) {
    pending.append(chunk);
    for (;;) {
      const std::string moved = pending;
      out.last = parser.parse(moved);
      if (out.last != ParseStatus::kOk) break;
      out.requests.push_back(ToArgs(parser));
      out.inline_flags.push_back(parser.inline_request());
      EXPECT_LE(parser.consumed(), moved.size());
      pending.erase(0, parser.consumed());
    }
    if (out.last == ParseStatus::kError) {
      out.error = std::string(parser.error());
      break;
    }
  }
  out.unconsumed = pending.size();
  return out;
}

Outcome ParseWhole(std::string_view input, ParserLimits limits = {}) {
  return ParseChunks({input}, limits);
}

// The outcome must not depend on where reads split the input: two pieces at every offset, and
// one byte at a time.
void ExpectSplitInvariant(std::string_view input, const Outcome& expected,
                          ParserLimits limits = {}) {
  for (size_t i = 0; i <= input.size(); ++i) {
    ASSERT_EQ(ParseChunks({input.substr(0, i), input.substr(i)}, limits), expected)
        << "split at " << i;
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  ASSERT_EQ(ParseChunks(bytes, limits), expected) << "byte by byte";
}

Outcome ParseEverySplit(std::string_view input, ParserLimits limits = {}) {
  Outcome whole = ParseWhole(input, limits);
  ExpectSplitInvariant(input, whole, limits);
  return whole;
}

std::string Error(std::string_view input, ParserLimits limits = {}) {
  Outcome o = ParseWhole(input, limits);
  EXPECT_EQ(o.last, ParseStatus::kError) << "input: " << input;
  return o.error;
}

TEST(RequestParser, Multibulk) {
  Outcome o = ParseEverySplit("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n");
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_THAT(o.requests[0], ElementsAre("SET", "k", "value"));
  EXPECT_THAT(o.inline_flags, ElementsAre(false));
  EXPECT_EQ(o.last, ParseStatus::kNeedMore);
  EXPECT_EQ(o.unconsumed, 0u);
}

TEST(RequestParser, ConsumedAndArgsPointIntoInput) {
  RequestParser parser;
  const std::string input = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n";
  ASSERT_EQ(parser.parse(input), ParseStatus::kOk);
  EXPECT_EQ(parser.consumed(), 20u);
  ASSERT_EQ(parser.args().size(), 2u);
  EXPECT_EQ(parser.args()[0].data(), input.data() + 8);
  EXPECT_EQ(parser.args()[1].data(), input.data() + 17);
  EXPECT_EQ(parser.bytes_hint(), 0u);
  ASSERT_EQ(parser.parse(std::string_view(input).substr(20)), ParseStatus::kOk);
  EXPECT_EQ(parser.consumed(), 14u);
  EXPECT_THAT(ToArgs(parser), ElementsAre("PING"));
}

TEST(RequestParser, EmptyArgumentsAndBinaryBulks) {
  const std::string binary("a\r\nb\0c\r\n\xff", 9);
  std::string input = "*3\r\n$0\r\n\r\n$9\r\n" + binary + "\r\n$2\r\n\r\n\r\n";
  Outcome o = ParseEverySplit(input);
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_THAT(o.requests[0], ElementsAre("", binary, "\r\n"));
}

TEST(RequestParser, Pipeline) {
  std::string input;
  std::vector<Args> expected;
  for (int i = 0; i < 500; ++i) {
    const std::string key = "key:" + std::to_string(i);
    const std::string value(static_cast<size_t>(i % 37), static_cast<char>('a' + i % 26));
    if (i % 3 == 0) {
      append_command(input, {"SET", key, value});
      expected.push_back({"SET", key, value});
    } else if (i % 3 == 1) {
      append_command(input, {"GET", key});
      expected.push_back({"GET", key});
    } else {
      input += "INCR " + key + "\r\n";
      expected.push_back({"INCR", key});
    }
  }
  Outcome o = ParseWhole(input);
  EXPECT_EQ(o.requests, expected);
  EXPECT_EQ(o.last, ParseStatus::kNeedMore);
  EXPECT_EQ(o.unconsumed, 0u);
  // Reads of assorted sizes, as a socket would deliver them.
  for (size_t step : {1u, 2u, 3u, 7u, 16u, 100u, 4096u}) {
    std::vector<std::string_view> chunks;
    for (size_t i = 0; i < input.size(); i += step) {
      chunks.push_back(std::string_view(input).substr(i, step));
    }
    EXPECT_EQ(ParseChunks(chunks), o) << "step " << step;
  }
}

TEST(RequestParser, EmptyRequestsAreSkipped) {
  Outcome o = ParseEverySplit("*0\r\n*-1\r\n*-7\r\n*1\r\n$4\r\nPING\r\n\r\n\n   \r\n*0\r\n");
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_THAT(o.requests[0], ElementsAre("PING"));
  EXPECT_EQ(o.last, ParseStatus::kNeedMore);
  // Skipped requests after the last real one wait in the caller's buffer.
  EXPECT_EQ(o.unconsumed, 12u);

  RequestParser parser;
  const std::string input = "*0\r\n\r\n*1\r\n$1\r\nX\r\n";
  ASSERT_EQ(parser.parse(input), ParseStatus::kOk);
  EXPECT_EQ(parser.consumed(), input.size());
}

TEST(RequestParser, Inline) {
  Outcome o = ParseEverySplit("PING\r\nSET k v\nGET   k  \r\n  ECHO x\r\n");
  EXPECT_THAT(o.requests, ElementsAre(Args{"PING"}, Args{"SET", "k", "v"}, Args{"GET", "k"},
                                      Args{"ECHO", "x"}));
  EXPECT_THAT(o.inline_flags, ElementsAre(true, true, true, true));
  EXPECT_EQ(o.unconsumed, 0u);
}

TEST(RequestParser, InlineMixedWithMultibulk) {
  Outcome o = ParseEverySplit("PING\r\n*1\r\n$4\r\nPING\r\nPING\n");
  EXPECT_EQ(o.requests.size(), 3u);
  EXPECT_THAT(o.inline_flags, ElementsAre(true, false, true));
}

std::vector<Args> Inline(std::string_view line) { return ParseEverySplit(line).requests; }

TEST(RequestParser, InlineQuoting) {
  EXPECT_THAT(Inline("SET \"a b\" 'c d'\r\n"), ElementsAre(Args{"SET", "a b", "c d"}));
  EXPECT_THAT(Inline("X \"\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n"),
              ElementsAre(Args{"X", "AJ\n\r\t\b\a\\\"q"}));
  EXPECT_THAT(Inline("X \"\\xZZ\\x4\" \"\\x00\"\n"),
              ElementsAre(Args{"X", "xZZx4", std::string(1, '\0')}));
  EXPECT_THAT(Inline("X 'it\\'s' 'a\\nb' 'q\"'\n"), ElementsAre(Args{"X", "it's", "a\\nb", "q\""}));
  EXPECT_THAT(Inline("X \"\" ''\n"), ElementsAre(Args{"X", "", ""}));
  // A quote may open in the middle of an argument; only a closing quote needs a space after it.
  EXPECT_THAT(Inline("X a\"b c\" d'e'\n"), ElementsAre(Args{"X", "ab c", "de"}));
  // Outside quotes a backslash is an ordinary byte.
  EXPECT_THAT(Inline("X a\\nb\n"), ElementsAre(Args{"X", "a\\nb"}));
  // Every isspace() byte separates arguments, but inside a bare argument \v and \f are kept.
  EXPECT_THAT(Inline("\v\fX\ta\rb c\vd \"q\"\fe\n"),
              ElementsAre(Args{"X", "a", "b", "c\vd", "q", "e"}));
  EXPECT_THAT(Inline("X \"a\"\r\n"), ElementsAre(Args{"X", "a"}));
}

TEST(RequestParser, InlineUnbalancedQuotes) {
  for (std::string_view line : {"X \"abc\n", "X \"abc\"def\n", "X 'abc\n", "X 'a'b\n",
                                "X \"a\\\"\n", "X \"a\\\n", "X '\n"}) {
    SCOPED_TRACE(line);
    Outcome o = ParseEverySplit(line);
    EXPECT_EQ(o.last, ParseStatus::kError);
    EXPECT_EQ(o.error, "Protocol error: unbalanced quotes in request");
    EXPECT_TRUE(o.requests.empty());
  }
}

TEST(RequestParser, InlineArgsWithEscapesLiveInTheParser) {
  RequestParser parser;
  const std::string input = "SET plain \"esc\\n\" 'x y'\r\n";
  ASSERT_EQ(parser.parse(input), ParseStatus::kOk);
  ASSERT_EQ(parser.args().size(), 4u);
  auto inside = [](std::string_view outer, std::string_view inner) {
    return inner.data() >= outer.data() &&
           inner.data() + inner.size() <= outer.data() + outer.size();
  };
  EXPECT_TRUE(inside(input, parser.args()[0]));
  EXPECT_TRUE(inside(input, parser.args()[1]));
  EXPECT_TRUE(inside(parser.inline_buffer(), parser.args()[2]));
  EXPECT_TRUE(inside(parser.inline_buffer(), parser.args()[3]));
  EXPECT_THAT(ToArgs(parser), ElementsAre("SET", "plain", "esc\n", "x y"));
  EXPECT_TRUE(parser.inline_request());
}

// Redis 7 takes up to INT_MAX arguments (the query buffer limit bounds a request instead), and
// sizes nothing by the count before the arguments come.
TEST(RequestParser, MultibulkCountUpToIntMax) {
  for (std::string count : {"1048577", "2147483647"}) {
    RequestParser parser;
    std::string input = "*" + count + "\r\n$4\r\nPING\r\n";
    EXPECT_EQ(parser.parse(input), ParseStatus::kNeedMore) << count;
  }
  // A whole request of more than 2^20 arguments parses.
  std::string input = "*1048577\r\n$3\r\nDEL\r\n";
  for (int i = 1; i < 1048577; ++i) input += "$1\r\nk\r\n";
  RequestParser parser;
  ASSERT_EQ(parser.parse(input), ParseStatus::kOk);
  EXPECT_EQ(parser.args().size(), 1048577u);
  EXPECT_EQ(parser.consumed(), input.size());
}

TEST(RequestParser, ErrorTexts) {
  EXPECT_EQ(Error("*abc\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(Error("*\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(Error("*2147483648\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(Error("*+1\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(Error("*01\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(Error("*-0\r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(Error("*1 \r\n"), "Protocol error: invalid multibulk length");
  EXPECT_EQ(Error("*1\r\n:5\r\n"), "Protocol error: expected '$', got ':'");
  EXPECT_EQ(Error("*2\r\n$1\r\na\r\nfoo\r\n"), "Protocol error: expected '$', got 'f'");
  // Redis turns CR and LF in error replies into spaces.
  EXPECT_EQ(Error("*1\r\n\r\n"), "Protocol error: expected '$', got ' '");
  EXPECT_EQ(Error("*1\r\n\n\r\n"), "Protocol error: expected '$', got ' '");
  EXPECT_EQ(Error("*1\r\n$-1\r\n"), "Protocol error: invalid bulk length");
  EXPECT_EQ(Error("*1\r\n$abc\r\n"), "Protocol error: invalid bulk length");
  EXPECT_EQ(Error("*1\r\n$\r\n"), "Protocol error: invalid bulk length");
  EXPECT_EQ(Error("*1\r\n$+3\r\n"), "Protocol error: invalid bulk length");
  EXPECT_EQ(Error("*1\r\n$536870913\r\n"), "Protocol error: invalid bulk length");
  EXPECT_EQ(Error("*1\r\n$99999999999999999999\r\n"), "Protocol error: invalid bulk length");
  EXPECT_EQ(Error("*" + std::string(64 * 1024, '1')), "Protocol error: too big mbulk count string");
  EXPECT_EQ(Error("*1\r\n$" + std::string(64 * 1024, '1')),
            "Protocol error: too big bulk count string");
  EXPECT_EQ(Error("*1\r\n" + std::string(70000, 'X')), "Protocol error: too big bulk count string");
  EXPECT_EQ(Error(std::string(64 * 1024 + 1, 'a')), "Protocol error: too big inline request");
  EXPECT_EQ(Error("GET \"k\n"), "Protocol error: unbalanced quotes in request");
}

TEST(RequestParser, ErrorsAreFoundAtEverySplit) {
  for (std::string_view input : {"*1\r\n$3\r\nfoo\r\n*1\r\n:5\r\n", "*x\r\n",
                                 "*2\r\n$1\r\na\r\n$-5\r\n", "PING\r\nGET \"a\r\n"}) {
    SCOPED_TRACE(input);
    EXPECT_EQ(ParseEverySplit(input).last, ParseStatus::kError);
  }
}

TEST(RequestParser, ErrorIsSticky) {
  RequestParser parser;
  ASSERT_EQ(parser.parse("*x\r\n"), ParseStatus::kError);
  EXPECT_EQ(parser.parse("*1\r\n$1\r\na\r\n"), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "Protocol error: invalid multibulk length");
  parser.reset();
  EXPECT_EQ(parser.parse("*1\r\n$1\r\na\r\n"), ParseStatus::kOk);
  EXPECT_TRUE(parser.error().empty());
}

TEST(RequestParser, HeaderLinesWaitUpToTheInlineLimit) {
  // Exactly the limit without a CR is still a partial header, as in Redis; one more byte fails.
  EXPECT_EQ(ParseWhole("*" + std::string(64 * 1024 - 1, '1')).last, ParseStatus::kNeedMore);
  EXPECT_EQ(ParseWhole(std::string(64 * 1024, 'a')).last, ParseStatus::kNeedMore);
  // A long line is fine when its terminator is already there.
  std::string line = "ECHO " + std::string(100000, 'x') + "\r\n";
  Outcome o = ParseWhole(line);
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_EQ(o.requests[0][1].size(), 100000u);
}

TEST(RequestParser, Limits) {
  ParserLimits limits;
  limits.max_bulk_len = 10;
  limits.max_multibulk_len = 3;
  limits.max_inline_len = 16;
  EXPECT_EQ(ParseEverySplit("*1\r\n$10\r\n0123456789\r\n", limits).requests.size(), 1u);
  EXPECT_EQ(Error("*1\r\n$11\r\n", limits), "Protocol error: invalid bulk length");
  EXPECT_EQ(ParseEverySplit("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", limits).requests.size(), 1u);
  EXPECT_EQ(Error("*4\r\n", limits), "Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseWhole(std::string(16, 'a'), limits).last, ParseStatus::kNeedMore);
  EXPECT_EQ(Error(std::string(17, 'a'), limits), "Protocol error: too big inline request");
  EXPECT_EQ(Error("*" + std::string(16, '1'), limits),
            "Protocol error: too big mbulk count string");
  EXPECT_EQ(Error("*1\r\n$" + std::string(16, '1'), limits),
            "Protocol error: too big bulk count string");

  RequestParser parser(limits);
  limits.max_bulk_len = 100;
  parser.set_limits(limits);
  EXPECT_EQ(parser.parse("*1\r\n$11\r\nhello world\r\n"), ParseStatus::kOk);
}

TEST(RequestParser, UnauthenticatedLimits) {
  ParserLimits limits;
  limits.auth_required = true;
  std::string ten;
  append_command(ten, {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"});
  EXPECT_EQ(ParseEverySplit(ten, limits).requests.size(), 1u);
  EXPECT_EQ(Error("*11\r\n", limits), "Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(Error("*x\r\n", limits), "Protocol error: invalid multibulk length");
  EXPECT_EQ(Error("*1\r\n$16385\r\n", limits), "Protocol error: unauthenticated bulk length");
  EXPECT_EQ(Error("*1\r\n$-1\r\n", limits), "Protocol error: invalid bulk length");
  std::string ok;
  append_command(ok, {"AUTH", std::string(16384, 'p')});
  EXPECT_EQ(ParseWhole(ok, limits).requests.size(), 1u);
  // Inline requests are bounded by their line length only, as in Redis.
  EXPECT_EQ(ParseWhole("A B C D E F G H I J K L\r\n", limits).requests.size(), 1u);
  limits.auth_required = false;
  EXPECT_EQ(ParseWhole("*11\r\n", limits).last, ParseStatus::kNeedMore);
}

// Quirks of Redis's parser that we reproduce on purpose.
TEST(RequestParser, RedisQuirks) {
  // The byte after a header's CR is skipped without being checked.
  Outcome o = ParseEverySplit("*1\rX$3\rYfoo\r\n");
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_THAT(o.requests[0], ElementsAre("foo"));
  // So are the two bytes after a bulk payload.
  o = ParseEverySplit("*2\r\n$3\r\nfooXY$3\r\nbarZZ");
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_THAT(o.requests[0], ElementsAre("foo", "bar"));
  // Redis searches header and inline lines with strchr(): a NUL hides the terminator, so the
  // request waits until the line limit turns it into an error.
  for (std::string_view stuck :
       {std::string_view("*1\0\r\n", 5), std::string_view("GET a\0b\r\n", 9),
        std::string_view("*1\r\n$3\0\r\n", 9)}) {
    EXPECT_EQ(ParseEverySplit(stuck).last, ParseStatus::kNeedMore);
    EXPECT_EQ(ParseWhole(std::string(stuck) + std::string(70000, '\n')).last, ParseStatus::kError);
  }
}

TEST(RequestParser, LargeBulkArrivesInPieces) {
  const size_t len = 32 * 1024 * 1024;
  std::string header = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(len) + "\r\n";
  std::string payload(len, 'v');
  payload[0] = 'A';
  payload[len - 1] = 'Z';
  const std::string input = header + payload + "\r\n";

  RequestParser parser;
  std::string buffer;
  size_t fed = 0;
  size_t calls = 0;
  ParseStatus status = ParseStatus::kNeedMore;
  while (fed < input.size()) {
    const size_t n = std::min<size_t>(64 * 1024, input.size() - fed);
    buffer.append(input, fed, n);
    fed += n;
    status = parser.parse(buffer);
    ++calls;
    if (status != ParseStatus::kNeedMore) break;
    if (fed > header.size()) {
      EXPECT_EQ(parser.bytes_hint(), input.size() - fed);
      // What a connection would do with the hint: reserve the whole value once.
      if (buffer.capacity() < buffer.size() + parser.bytes_hint()) {
        buffer.reserve(buffer.size() + parser.bytes_hint());
      }
    }
  }
  ASSERT_EQ(status, ParseStatus::kOk);
  EXPECT_EQ(fed, input.size());
  EXPECT_GT(calls, 500u);
  EXPECT_EQ(parser.consumed(), input.size());
  ASSERT_EQ(parser.args().size(), 3u);
  EXPECT_EQ(parser.args()[2].size(), len);
  EXPECT_EQ(parser.args()[2].front(), 'A');
  EXPECT_EQ(parser.args()[2].back(), 'Z');
  EXPECT_EQ(parser.args()[2].data(), buffer.data() + header.size());
}

TEST(RequestParser, ManyArguments) {
  std::vector<std::string> storage;
  for (int i = 0; i < 5000; ++i) storage.push_back(std::to_string(i));
  std::vector<std::string_view> views(storage.begin(), storage.end());
  std::string input;
  append_command(input, views);
  Outcome o = ParseWhole(input);
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_EQ(o.requests[0], storage);
}

TEST(RequestParser, ShrunkInputRestartsInsteadOfReadingOutOfBounds) {
  RequestParser parser;
  ASSERT_EQ(parser.parse("*2\r\n$3\r\nGET\r\n$1"), ParseStatus::kNeedMore);
  ASSERT_EQ(parser.parse("*1\r\n$4\r\nPING\r\n"), ParseStatus::kOk);
  EXPECT_THAT(ToArgs(parser), ElementsAre("PING"));
}

// PeekRequest finds what the parser would: the length of a whole multibulk request and its
// argument 1, and nothing for anything it cannot be sure of.
TEST(PeekRequest, FindsTheLengthAndTheKeyOfAWholeRequest) {
  const std::string get = "*2\r\n$3\r\nGET\r\n$5\r\nuser1\r\n";
  using namespace std::string_literals;
  const std::string set = "*3\r\n$3\r\nSET\r\n$2\r\nk\0\r\n$0\r\n\r\n"s;
  std::string_view key;
  const std::string both = get + set;  // the key is a view into the input
  EXPECT_EQ(PeekRequest(both, 1, &key), get.size());
  EXPECT_EQ(key, "user1");
  EXPECT_EQ(PeekRequest(set, 1, &key), set.size());
  EXPECT_EQ(key, std::string_view("k\0", 2));
  EXPECT_EQ(PeekRequest(set, 2, &key), set.size());
  EXPECT_EQ(key, "");

  std::string_view untouched;
  EXPECT_EQ(PeekRequest("*1\r\n$4\r\nPING\r\n", 1, &untouched), 14u);
  EXPECT_EQ(untouched.data(), nullptr);  // no argument 1

  // Every proper prefix is incomplete.
  for (size_t n = 0; n < get.size(); ++n) {
    EXPECT_EQ(PeekRequest(std::string_view(get).substr(0, n), 1, &untouched), 0u) << n;
  }
  EXPECT_EQ(untouched.data(), nullptr);
}

TEST(PeekRequest, LeavesEverythingElseToTheParser) {
  std::string_view key;
  for (const char* input : {"GET k\r\n", "*0\r\n", "*-1\r\n", "*1\r\n+PING\r\n", "*1\r\n$-1\r\n",
                            "*1\r\n$+4\r\nPING\r\n", "*x\r\n", "*1\n$4\r\nPING\r\n",
                            "*1\r\n$99999999999999\r\nPING\r\n"}) {
    EXPECT_EQ(PeekRequest(input, 1, &key), 0u) << input;
  }
  EXPECT_EQ(key.data(), nullptr);
}

}  // namespace
}  // namespace basalt::resp
