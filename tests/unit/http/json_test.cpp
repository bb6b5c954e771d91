// The JSON writer pieces: escaping, UTF-8 validation, base64, comma placement.

#include "http/json.hpp"

#include <gtest/gtest.h>

namespace basalt::http {
namespace {

std::string escaped(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonEscape, PlainTextIsQuoted) {
  EXPECT_EQ(escaped(""), "\"\"");
  EXPECT_EQ(escaped("hello world"), "\"hello world\"");
}

TEST(JsonEscape, QuotesBackslashesAndControls) {
  EXPECT_EQ(escaped("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(escaped("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(escaped(std::string("\x00\x01\x1f", 3)), "\"\\u0000\\u0001\\u001f\"");
  EXPECT_EQ(escaped("\x7f"), "\"\x7f\"");  // DEL is allowed unescaped in JSON
  EXPECT_EQ(escaped("</script>"), "\"</script>\"");
}

TEST(JsonEscape, ValidUtf8PassesThrough) {
  EXPECT_EQ(escaped("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(escaped("\xe2\x82\xac"), "\"\xe2\x82\xac\"");          // euro sign
  EXPECT_EQ(escaped("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");  // emoji, 4 bytes
}

TEST(JsonEscape, LineSeparatorsAreEscaped) {
  EXPECT_EQ(escaped("a\xe2\x80\xa8z\xe2\x80\xa9"), "\"a\\u2028z\\u2029\"");
}

TEST(JsonEscape, InvalidUtf8BecomesReplacementCharacters) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(escaped("a\xff"
                    "b"),
            "\"a" + fffd + "b\"");
  EXPECT_EQ(escaped("\xc3"), "\"" + fffd + "\"");                        // truncated sequence
  EXPECT_EQ(escaped("\xc0\xaf"), "\"" + fffd + fffd + "\"");             // overlong '/'
  EXPECT_EQ(escaped("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");  // a UTF-16 surrogate
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(utf8_valid(""));
  EXPECT_TRUE(utf8_valid("plain ascii text, longer than eight bytes"));
  EXPECT_TRUE(utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_TRUE(utf8_valid(std::string("nul\0inside", 10)));
  EXPECT_TRUE(utf8_valid("\xf4\x8f\xbf\xbf"));  // U+10FFFF
  EXPECT_FALSE(utf8_valid("\xff"));
  EXPECT_FALSE(utf8_valid("abcdefgh\x80"));
  EXPECT_FALSE(utf8_valid("\xc1\xbf"));          // overlong
  EXPECT_FALSE(utf8_valid("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(utf8_valid("\xed\xbf\xbf"));      // surrogate
  EXPECT_FALSE(utf8_valid("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(utf8_valid("\xe2\x82"));          // truncated
}

TEST(Base64, EncodesWithPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\x00\xff\xfe", 3)), "AP/+");
}

TEST(Base64, DecodesAndRoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    std::string s = all.substr(0, n);
    auto back = base64_decode(base64_encode(s));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(base64_decode("Zm8"), "fo");                             // padding optional
  EXPECT_EQ(base64_decode("AP_-"), std::string("\x00\xff\xfe", 3));  // URL-safe alphabet
}

TEST(Base64, RejectsMalformedText) {
  EXPECT_FALSE(base64_decode("Zm9v!").has_value());
  EXPECT_FALSE(base64_decode("Z").has_value());     // a lone sextet is never valid
  EXPECT_FALSE(base64_decode("Zh==").has_value());  // non-zero leftover bits
  EXPECT_FALSE(base64_decode("Zm 9v").has_value());
}

TEST(JsonWriter, PlacesCommas) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a");
  w.integer(-5);
  w.key("b");
  w.begin_array();
  w.string("x");
  w.null();
  w.boolean(true);
  w.begin_object();
  w.end_object();
  w.base64("hi");
  w.end_array();
  w.key("c");
  w.number(1.5);
  w.key("d");
  w.number(1.0 / 0.0);
  w.end_object();
  EXPECT_EQ(out, R"({"a":-5,"b":["x",null,true,{},"aGk="],"c":1.5,"d":"inf"})");
}

}  // namespace
}  // namespace basalt::http
