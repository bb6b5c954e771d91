// Request-body parsing: the owned tree, exact number text, and what is refused.

#include "http/json_parse.hpp"

#include <gtest/gtest.h>

namespace basalt::http {
namespace {

JsonValue parse_ok(std::string_view text) {
  std::string error;
  auto v = parse_json(text, &error);
  EXPECT_TRUE(v.has_value()) << text << ": " << error;
  return v ? *v : JsonValue();
}

bool parse_fails(std::string_view text) {
  std::string error;
  auto v = parse_json(text, &error);
  return !v.has_value() && !error.empty();
}

TEST(JsonParse, ObjectWithEveryType) {
  JsonValue v = parse_ok(R"({"s":"a\"b\u00e9","n":-1.50e3,"t":true,"f":false,"z":null,
                             "a":[1,"x",[2]],"o":{"k":"v"}})");
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.find("s")->text, "a\"b\xc3\xa9");
  EXPECT_TRUE(v.find("n")->is_number());
  EXPECT_EQ(v.find("n")->text, "-1.50e3");
  EXPECT_TRUE(v.find("t")->boolean);
  EXPECT_EQ(v.find("f")->type, JsonValue::Type::kBool);
  EXPECT_FALSE(v.find("f")->boolean);
  EXPECT_TRUE(v.find("z")->is_null());
  ASSERT_EQ(v.find("a")->items.size(), 3u);
  EXPECT_EQ(v.find("a")->items[0].text, "1");
  EXPECT_EQ(v.find("a")->items[2].items[0].text, "2");
  EXPECT_EQ(v.find("o")->find("k")->text, "v");
  EXPECT_EQ(v.find("missing"), nullptr);
}

TEST(JsonParse, NumbersKeepTheirLiteralText) {
  // Never re-typed or rounded: the digits sent are the digits stored.
  EXPECT_EQ(parse_ok("[1.10]").items[0].text, "1.10");
  EXPECT_EQ(parse_ok("[12345678901234567890123]").items[0].text, "12345678901234567890123");
  EXPECT_EQ(parse_ok("[0.1000000000000000055511151231257827]").items[0].text,
            "0.1000000000000000055511151231257827");
  EXPECT_EQ(parse_ok("[1e400]").items[0].text, "1e400");
  EXPECT_EQ(parse_ok("[ 7 , 8 ]").items[1].text, "8");
}

TEST(JsonParse, ScalarDocuments) {
  EXPECT_EQ(parse_ok("\"just a string\"").text, "just a string");
  EXPECT_EQ(parse_ok("42").text, "42");
  EXPECT_EQ(parse_ok(" 1.5 ").text, "1.5");
  EXPECT_TRUE(parse_ok("null").is_null());
  EXPECT_TRUE(parse_ok("true").boolean);
}

TEST(JsonParse, DuplicateKeysTakeTheLast) {
  EXPECT_EQ(parse_ok(R"({"a":"1","a":"2"})").find("a")->text, "2");
}

TEST(JsonParse, RefusesInvalidDocuments) {
  EXPECT_TRUE(parse_fails(""));
  EXPECT_TRUE(parse_fails("{"));
  EXPECT_TRUE(parse_fails("{\"a\":}"));
  EXPECT_TRUE(parse_fails("[1,]"));
  EXPECT_TRUE(parse_fails("{\"a\":1} trailing"));
  EXPECT_TRUE(parse_fails("[1] [2]"));
  EXPECT_TRUE(parse_fails("[01]"));
  EXPECT_TRUE(parse_fails("[1.]"));
  EXPECT_TRUE(parse_fails("[-]"));
  EXPECT_TRUE(parse_fails("[nul]"));
  EXPECT_TRUE(parse_fails("'single'"));
  EXPECT_TRUE(parse_fails("\"\xff\""));  // not UTF-8
}

TEST(JsonParse, RefusesDeepNesting) {
  std::string deep(kMaxJsonDepth + 5, '[');
  deep += std::string(kMaxJsonDepth + 5, ']');
  EXPECT_TRUE(parse_fails(deep));
  std::string ok(10, '[');
  ok += std::string(10, ']');
  EXPECT_FALSE(parse_fails(ok));
}

// The command API's fast path must agree with parse_json on every document: same texts for the
// arrays it takes, and a refusal (so the caller falls back) for everything else.
std::vector<std::string> arguments(std::string_view text) {
  std::vector<std::string_view> argv;
  if (!parse_json_arguments(text, &argv)) return {"<refused>"};
  return std::vector<std::string>(argv.begin(), argv.end());
}

TEST(JsonArguments, StringsAndNumbersAsSent) {
  using V = std::vector<std::string>;
  EXPECT_EQ(arguments(R"(["SET","k","v"])"), (V{"SET", "k", "v"}));
  EXPECT_EQ(arguments(R"( [ "a\"b\u00e9\n" , -1.50e3 , 0 ] )"),
            (V{"a\"b\xc3\xa9\n", "-1.50e3", "0"}));
  EXPECT_EQ(arguments(R"(["\u0000x"])"), (V{std::string("\0x", 2)}));
  EXPECT_EQ(arguments(R"([""])"), (V{""}));
}

TEST(JsonArguments, RefusesWhatTheTreeWouldRefuseOrNotTakeAsACommand) {
  for (const char* text :
       {"", "[]", "{}", "\"SET\"", "1", "[\"a\",null]", "[\"a\",true]", "[[\"a\"]]", "[\"a\",{}]",
        "[\"a\"] x", "[\"a\",]", "[\"a\"", "[01]", "[1.]", "[-]", "[\"a\" \"b\"]", "[\"\\x\"]"}) {
    EXPECT_EQ(arguments(text), std::vector<std::string>{"<refused>"}) << text;
  }
}

TEST(JsonArguments, ViewsOutliveTheirBodyUntilTheNextParse) {
  std::vector<std::string_view> argv;
  {
    std::string body = R"(["GET","key\u0041",12])";
    ASSERT_TRUE(parse_json_arguments(body, &argv));
  }
  EXPECT_EQ(std::vector<std::string>(argv.begin(), argv.end()),
            (std::vector<std::string>{"GET", "keyA", "12"}));
}

TEST(JsonCommandList, CommandsAsSentOrRefused) {
  using L = std::vector<std::vector<std::string>>;
  L commands;
  ASSERT_TRUE(parse_json_command_list(R"([["SET","a",1],["GET","a\u0041"]])", &commands));
  EXPECT_EQ(commands, (L{{"SET", "a", "1"}, {"GET", "aA"}}));
  for (const char* text : {"[]", "[[]]", "[\"SET\"]", "[[\"a\"],[]]", "[[\"a\",null]]",
                           "[[\"a\"]] x", "[[\"a\"],[[\"b\"]]]", "{}", "[[\"a\"]"}) {
    EXPECT_FALSE(parse_json_command_list(text, &commands)) << text;
  }
}

TEST(JsonNumber, Grammar) {
  for (const char* good : {"0", "-0", "1", "-12", "1.5", "1e5", "1E+5", "2.5e-3", "10"}) {
    EXPECT_TRUE(is_json_number(good)) << good;
  }
  for (const char* bad : {"", "-", "01", "1.", ".5", "1e", "+1", "0x10", "1 ", "inf", "NaN"}) {
    EXPECT_FALSE(is_json_number(bad)) << bad;
  }
}

}  // namespace
}  // namespace basalt::http
