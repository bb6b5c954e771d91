// Number parsing and formatting must accept and print exactly what Redis does (string2ll,
// string2ld, ld2string, %.17g), and glob matching must agree with stringmatchlen.

#include "base/strings.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace basalt {
namespace {

TEST(ParseInt64, AcceptsOnlyCanonicalIntegers) {
  EXPECT_EQ(parse_int64("0"), 0);
  EXPECT_EQ(parse_int64("-12"), -12);
  EXPECT_EQ(parse_int64("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parse_int64("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "01", "-0", "1.0", "1e3",
                          "9223372036854775808", "-9223372036854775809", "0x10"}) {
    EXPECT_EQ(parse_int64(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(parse_int64(std::string_view("1\0", 2)), std::nullopt) << "embedded NUL";
}

TEST(ParseDouble, RefusesSpacesAndNaN) {
  EXPECT_EQ(parse_double("1.5"), 1.5);
  EXPECT_EQ(parse_double("-1e3"), -1000.0);
  EXPECT_TRUE(std::isinf(*parse_double("inf")));
  for (const char* bad : {"", " 1", "1 ", "nan", "1.5x", "abc"}) {
    EXPECT_EQ(parse_double(bad), std::nullopt) << bad;
  }
}

TEST(ParseLongDouble, FollowsString2ld) {
  EXPECT_EQ(parse_long_double("10.5"), 10.5L);
  EXPECT_TRUE(parse_long_double("1e-4940").has_value()) << "a denormal is a value";
  EXPECT_TRUE(std::isinf(*parse_long_double("inf"))) << "callers refuse infinity themselves";
  EXPECT_EQ(parse_long_double("1e5000"), std::nullopt) << "overflow";
  EXPECT_EQ(parse_long_double("1e-5000"), std::nullopt) << "underflow to zero";
  EXPECT_EQ(parse_long_double("nan"), std::nullopt);
  EXPECT_EQ(parse_long_double(" 1"), std::nullopt);
  EXPECT_EQ(parse_long_double("1 "), std::nullopt);
  EXPECT_EQ(parse_long_double(std::string_view("1\0", 2)), std::nullopt) << "embedded NUL";
  std::string longest = "1." + std::string(5117, '0');  // 5119 bytes: Redis's maximum
  EXPECT_TRUE(parse_long_double(longest).has_value());
  EXPECT_EQ(parse_long_double(longest + "1"), std::nullopt);
}

TEST(FormatNumbers, MatchRedisOutput) {
  // INCRBYFLOAT's examples from the Redis documentation.
  EXPECT_EQ(long_double_to_string(10.5L + 0.1L), "10.6");
  EXPECT_EQ(long_double_to_string(5.0e3L + 200), "5200");
  EXPECT_EQ(long_double_to_string(-1.0L / 0.0L), "-inf");
  EXPECT_EQ(int64_to_string(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(double_to_string(3.5), "3.5");
  EXPECT_EQ(double_to_string(0.1), "0.10000000000000001");
  EXPECT_EQ(double_to_string(std::numeric_limits<double>::infinity()), "inf");
}

TEST(GlobMatch, AgreesWithStringmatchlen) {
  EXPECT_FALSE(glob_match("*", "")) << "as stringmatchlen; KEYS * special-cases it";
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_TRUE(glob_match("h*llo", "heeeello"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(glob_match("h[b-a]llo", "hallo")) << "Redis swaps a reversed range";
  EXPECT_TRUE(glob_match("h\\*llo", "h*llo"));
  EXPECT_FALSE(glob_match("h\\*llo", "hello"));
  EXPECT_FALSE(glob_match("HELLO", "hello"));
  EXPECT_TRUE(glob_match("HELLO", "hello", true));
  EXPECT_TRUE(glob_match("a*b*c", "a__b__c"));
  EXPECT_FALSE(glob_match("a*b*c", "a__b__"));
}

TEST(Text, CaseAndSanitizing) {
  EXPECT_TRUE(iequals("GeT", "get"));
  EXPECT_FALSE(iequals("get", "gets"));
  EXPECT_EQ(lowercase("LPUSH"), "lpush");
  EXPECT_EQ(sanitize_for_error("a\r\nb"), "a  b");
}

TEST(QuoteArg, AsSdscatrepr) {
  EXPECT_EQ(quote_arg("appendonly.aof.1.incr.aof"), "appendonly.aof.1.incr.aof");
  EXPECT_EQ(quote_arg("my file"), "\"my file\"");
  EXPECT_EQ(quote_arg("a\"b\\c\n\r\t\a\b"), "\"a\\\"b\\\\c\\n\\r\\t\\a\\b\"");
  EXPECT_EQ(quote_arg(std::string("\x01\xff\x7f", 3)), "\"\\x01\\xff\\x7f\"");
  EXPECT_EQ(quote_arg("v\x0b"), "\"v\\x0b\"");  // \v is a space to sdsneedsrepr
  // Redis leaves this bare and cannot read it back; quoted, Redis reads it.
  EXPECT_EQ(quote_arg("x'y"), "\"x'y\"");
  EXPECT_EQ(quote_arg(""), "\"\"");
}

TEST(SplitArgs, ReadsAsSdssplitargs) {
  using Words = std::vector<std::string>;
  EXPECT_EQ(split_args("  save 900 1\t300 10 "), (Words{"save", "900", "1", "300", "10"}));
  EXPECT_EQ(split_args("appendfilename \" file seq \\n\\n.aof \""),
            (Words{"appendfilename", " file seq \n\n.aof "}));
  EXPECT_EQ(split_args("a \"\\x41\\x7a\\r\\t\\b\\a\\\"\\q\""), (Words{"a", "Az\r\t\b\a\"q"}));
  EXPECT_EQ(split_args("a 'it\\'s \\n'"), (Words{"a", "it's \\n"}));
  EXPECT_EQ(split_args("save \"\""), (Words{"save", ""}));
  EXPECT_EQ(split_args("mid\"word\""), (Words{"midword"}));  // a quote opens mid-word too
  EXPECT_EQ(split_args(""), Words{});
  EXPECT_FALSE(split_args("a \"open"));
  EXPECT_FALSE(split_args("a 'open"));
  EXPECT_FALSE(split_args("a \"closed\"glued"));  // a closing quote needs a blank after it
  for (std::string word : {"plain", "two words", "", "x'y", "tab\there", "\"q\"", "back\\slash"}) {
    auto words = split_args("name " + quote_arg(word));
    ASSERT_TRUE(words) << word;
    EXPECT_EQ(*words, (Words{"name", word}));
  }
}

}  // namespace
}  // namespace basalt
