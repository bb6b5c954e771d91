// The client's reply path: every RESP2/RESP3 type through the shared ReplyReader, fed whole and
// split at every byte, then through the typed decoders the client methods use.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "basalt/client.hpp"
#include "basalt/errors.hpp"
#include "protocol/reply_reader.hpp"

namespace basalt {
namespace {

using resp::ReplyReader;

struct Case {
  std::string name;
  std::string wire;
  Reply expected;
};

std::vector<Case> EveryType() {
  return {
      {"nil_resp3", "_\r\n", Reply::nil()},
      {"nil_bulk", "$-1\r\n", Reply::nil()},
      {"nil_array", "*-1\r\n", Reply::nil()},
      {"simple", "+OK\r\n", Reply::simple("OK")},
      {"error", "-WRONGTYPE Operation against a key\r\n",
       Reply::error("WRONGTYPE Operation against a key")},
      {"blob_error", "!21\r\nSYNTAX invalid syntax\r\n", Reply::error("SYNTAX invalid syntax")},
      {"integer", ":-1234567890123\r\n", Reply::integer(-1234567890123)},
      {"bulk", "$5\r\nhello\r\n", Reply::bulk("hello")},
      {"bulk_binary", std::string("$5\r\na\0\r\nb\r\n", 11),
       Reply::bulk(std::string("a\0\r\nb", 5))},
      {"bulk_empty", "$0\r\n\r\n", Reply::bulk("")},
      {"array", "*2\r\n$1\r\na\r\n:1\r\n", Reply::array({Reply::bulk("a"), Reply::integer(1)})},
      {"array_empty", "*0\r\n", Reply::array({})},
      {"map", "%2\r\n+server\r\n+basalt\r\n+proto\r\n:3\r\n",
       Reply::map({Reply::simple("server"), Reply::simple("basalt"), Reply::simple("proto"),
                   Reply::integer(3)})},
      {"set", "~2\r\n+a\r\n+b\r\n", Reply::set({Reply::simple("a"), Reply::simple("b")})},
      {"double", ",3.25\r\n", Reply::dbl(3.25, "3.25")},
      {"double_inf", ",-inf\r\n", Reply::dbl(-INFINITY, "-inf")},
      {"boolean_true", "#t\r\n", Reply::boolean(true)},
      {"boolean_false", "#f\r\n", Reply::boolean(false)},
      {"big_number", "(3492890328409238509324850943850943825024385\r\n",
       Reply::bignum("3492890328409238509324850943850943825024385")},
      {"verbatim", "=15\r\ntxt:Some string\r\n", Reply::verbatim("txt", "Some string")},
      {"push", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
       Reply::push({Reply::bulk("message"), Reply::bulk("ch"), Reply::bulk("hi")})},
      {"nested", "*2\r\n%1\r\n$1\r\nk\r\n*1\r\n_\r\n~0\r\n",
       Reply::array(
           {Reply::map({Reply::bulk("k"), Reply::array({Reply::nil()})}), Reply::set({})})},
  };
}

class EveryTypeTest : public ::testing::TestWithParam<Case> {};

TEST_P(EveryTypeTest, Whole) {
  ReplyReader reader;
  reader.feed(GetParam().wire);
  auto r = reader.next();
  ASSERT_TRUE(r.has_value()) << reader.error();
  EXPECT_EQ(*r, GetParam().expected) << r->to_string();
  EXPECT_FALSE(reader.next().has_value());
  EXPECT_FALSE(reader.has_error());
}

TEST_P(EveryTypeTest, SplitAtEveryByte) {
  const std::string& wire = GetParam().wire;
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    ReplyReader reader;
    reader.feed(std::string_view(wire).substr(0, cut));
    auto early = reader.next();
    if (cut < wire.size()) {
      ASSERT_FALSE(early.has_value()) << "cut " << cut;
      reader.feed(std::string_view(wire).substr(cut));
      early = reader.next();
    }
    ASSERT_TRUE(early.has_value()) << "cut " << cut << ": " << reader.error();
    EXPECT_EQ(*early, GetParam().expected) << "cut " << cut;
  }
}

TEST_P(EveryTypeTest, OneByteAtATime) {
  const std::string& wire = GetParam().wire;
  ReplyReader reader;
  std::optional<Reply> r;
  for (size_t i = 0; i < wire.size(); ++i) {
    ASSERT_FALSE(r.has_value()) << "complete before byte " << i;
    reader.feed(std::string_view(&wire[i], 1));
    r = reader.next();
  }
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Resp, EveryTypeTest, ::testing::ValuesIn(EveryType()),
                         [](const auto& info) { return info.param.name; });

TEST(ReplyParsing, PipelineOfEveryTypeSplitAtEveryByte) {
  std::string wire;
  std::vector<Reply> expected;
  for (const Case& c : EveryType()) {
    wire += c.wire;
    expected.push_back(c.expected);
  }
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    ReplyReader reader;
    std::vector<Reply> got;
    reader.feed(std::string_view(wire).substr(0, cut));
    while (auto r = reader.next()) got.push_back(std::move(*r));
    reader.feed(std::string_view(wire).substr(cut));
    while (auto r = reader.next()) got.push_back(std::move(*r));
    ASSERT_EQ(got, expected) << "cut " << cut;
  }
}

// ---- decoders ----

TEST(Decoders, ErrorRepliesThrowServerErrorWithTheCode) {
  try {
    detail::optional_string(
        Reply::error("WRONGTYPE Operation against a key holding the wrong kind"));
    FAIL() << "no throw";
  } catch (const ServerError& e) {
    EXPECT_EQ(e.code(), "WRONGTYPE");
    EXPECT_EQ(e.message(), "Operation against a key holding the wrong kind");
    EXPECT_STREQ(e.what(), "WRONGTYPE Operation against a key holding the wrong kind");
  }
  EXPECT_THROW(detail::integer(Reply::error("ERR value is not an integer")), ServerError);
  EXPECT_THROW(detail::expect_ok(Reply::error("ERR no such key")), ServerError);
  EXPECT_THROW(detail::reply_or_throw(Reply::error("ERR x")), ServerError);
}

TEST(Decoders, UnexpectedTypesThrowProtocolError) {
  EXPECT_THROW(detail::integer(Reply::bulk("1")), ProtocolError);
  EXPECT_THROW(detail::string_value(Reply::integer(1)), ProtocolError);
  EXPECT_THROW(detail::string_list(Reply::bulk("x")), ProtocolError);
  EXPECT_THROW(detail::key_value(Reply::array({Reply::bulk("k")})), ProtocolError);
  EXPECT_THROW(detail::number(Reply::bulk("abc")), ProtocolError);
}

TEST(Decoders, Shapes) {
  EXPECT_EQ(detail::optional_string(Reply::nil()), std::nullopt);
  EXPECT_EQ(detail::optional_string(Reply::bulk(std::string("a\0b", 3))), std::string("a\0b", 3));
  EXPECT_EQ(detail::optional_string(Reply::verbatim("txt", "v")), "v");
  EXPECT_TRUE(detail::ok_or_nil(Reply::simple("OK")));
  EXPECT_FALSE(detail::ok_or_nil(Reply::nil()));
  EXPECT_TRUE(detail::integer_as_bool(Reply::integer(1)));
  EXPECT_FALSE(detail::integer_as_bool(Reply::integer(0)));
  EXPECT_TRUE(detail::integer_as_bool(Reply::boolean(true)));
  EXPECT_EQ(detail::number(Reply::bulk("10.5")), 10.5);
  EXPECT_EQ(detail::number(Reply::dbl(2.5)), 2.5);
  EXPECT_EQ(detail::number(Reply::bulk("-inf")), -INFINITY);
  EXPECT_EQ(detail::string_list(Reply::array({Reply::bulk("a"), Reply::bulk("b")})),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(detail::string_list(Reply::set({Reply::bulk("a")})), (std::vector<std::string>{"a"}));
  EXPECT_EQ(detail::pop_many(Reply::nil()), std::vector<std::string>{});
  EXPECT_EQ(detail::optional_strings(Reply::array({Reply::bulk("a"), Reply::nil()})),
            (std::vector<std::optional<std::string>>{"a", std::nullopt}));
  EXPECT_EQ(detail::key_value(Reply::array({Reply::bulk("k"), Reply::bulk("v")})),
            (KeyValue{"k", "v"}));
  EXPECT_EQ(detail::key_value(Reply::nil()), std::nullopt);
  EXPECT_EQ(detail::first_or_nil(Reply::array({Reply::bulk("k"), Reply::bulk("v")})), "v");
  EXPECT_EQ(detail::optional_integer(Reply::nil()), std::nullopt);
  EXPECT_EQ(detail::optional_integer(Reply::integer(4)), 4);
  EXPECT_EQ(detail::milliseconds(Reply::integer(-2)), kNoKey);
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(detail::field_values(Reply::map({Reply::bulk("f"), Reply::bulk("v")})),
            (Pairs{{"f", "v"}}));
  EXPECT_EQ(detail::field_values(Reply::array(
                {Reply::bulk("a"), Reply::bulk("1"), Reply::bulk("b"), Reply::bulk("2")})),
            (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(detail::field_values(Reply::array({})), Pairs{});
  EXPECT_THROW(detail::field_values(Reply::array({Reply::bulk("a")})), ProtocolError);
  using Scored = std::vector<ScoredMember>;
  // RESP2: flat, scores as bulk strings; RESP3: [member, double] pairs, or flat (ZPOPMIN).
  EXPECT_EQ(detail::scored_members(Reply::array(
                {Reply::bulk("a"), Reply::bulk("1.5"), Reply::bulk("b"), Reply::bulk("-inf")})),
            (Scored{{"a", 1.5}, {"b", -INFINITY}}));
  EXPECT_EQ(
      detail::scored_members(Reply::array({Reply::array({Reply::bulk("a"), Reply::dbl(2)}),
                                           Reply::array({Reply::bulk("b"), Reply::dbl(1e300)})})),
      (Scored{{"a", 2}, {"b", 1e300}}));
  EXPECT_EQ(detail::scored_members(Reply::array({Reply::bulk("a"), Reply::dbl(3)})),
            (Scored{{"a", 3}}));
  EXPECT_EQ(detail::scored_members(Reply::array({})), Scored{});
  EXPECT_THROW(detail::scored_members(Reply::array({Reply::bulk("a")})), ProtocolError);
  EXPECT_THROW(detail::scored_members(Reply::array({Reply::array({Reply::bulk("a")})})),
               ProtocolError);
  EXPECT_THROW(detail::scored_members(Reply::array({Reply::bulk("a"), Reply::bulk("x")})),
               ProtocolError);
  EXPECT_EQ(detail::optional_scored_member(Reply::array({})), std::nullopt);
  EXPECT_EQ(detail::optional_scored_member(Reply::array({Reply::bulk("a"), Reply::bulk("1")})),
            (ScoredMember{"a", 1}));
  EXPECT_EQ(detail::optional_number(Reply::nil()), std::nullopt);
  EXPECT_EQ(detail::optional_number(Reply::dbl(0.5)), 0.5);
  EXPECT_EQ(detail::optional_numbers(Reply::array({Reply::bulk("2"), Reply::nil()})),
            (std::vector<std::optional<double>>{2, std::nullopt}));
  EXPECT_EQ(detail::bools(Reply::array({Reply::integer(0), Reply::integer(1)})),
            (std::vector<bool>{false, true}));
}

}  // namespace
}  // namespace basalt
