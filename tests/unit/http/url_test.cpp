// Percent-decoding and request targets: keys with '/', '.', spaces, '%' and any byte.

#include "http/url.hpp"

#include <gtest/gtest.h>

namespace basalt::http {
namespace {

TEST(PercentDecode, Escapes) {
  EXPECT_EQ(percent_decode("a%2Fb"), "a/b");
  EXPECT_EQ(percent_decode("%25"), "%");
  EXPECT_EQ(percent_decode("%c3%A9"), "\xc3\xa9");
  EXPECT_EQ(percent_decode("%00%ff"), std::string("\x00\xff", 2));
  EXPECT_EQ(percent_decode("a+b"), "a+b");  // '+' is literal in a path
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a%20b"), "a b");
}

TEST(PercentDecode, RejectsMalformedEscapes) {
  EXPECT_FALSE(percent_decode("%").has_value());
  EXPECT_FALSE(percent_decode("%4").has_value());
  EXPECT_FALSE(percent_decode("%zz").has_value());
  EXPECT_FALSE(percent_decode("ab%g0").has_value());
}

TEST(PercentEncode, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  std::string encoded = percent_encode(all);
  EXPECT_EQ(encoded.find('/'), std::string::npos);
  EXPECT_EQ(percent_decode(encoded), all);
  EXPECT_EQ(percent_encode("a b/c.d~"), "a%20b%2Fc.d~");
}

TEST(ParseTarget, SplitsBeforeDecoding) {
  Target t;
  ASSERT_TRUE(parse_target("/api/v1/keys/a%2Fb%20c.d", &t));
  ASSERT_EQ(t.segments.size(), 4u);
  EXPECT_EQ(t.segments[3], "a/b c.d");
  EXPECT_EQ(t.path, "/api/v1/keys/a%2Fb%20c.d");
  EXPECT_TRUE(t.params.empty());
}

TEST(ParseTarget, EmptySegmentsAndRoot) {
  Target t;
  ASSERT_TRUE(parse_target("/", &t));
  EXPECT_TRUE(t.segments.empty());
  ASSERT_TRUE(parse_target("/a//b/", &t));
  EXPECT_EQ(t.segments, (std::vector<std::string>{"a", "", "b", ""}));
}

TEST(ParseTarget, QueryParameters) {
  Target t;
  ASSERT_TRUE(parse_target("/k?match=user%3A*&count=10&flag&x=a+b&&empty=", &t));
  EXPECT_EQ(t.query, "match=user%3A*&count=10&flag&x=a+b&&empty=");
  ASSERT_EQ(t.params.size(), 5u);
  EXPECT_EQ(t.params[0], (std::pair<std::string, std::string>{"match", "user:*"}));
  EXPECT_EQ(t.params[1].second, "10");
  EXPECT_EQ(t.params[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(t.params[3].second, "a b");
  EXPECT_EQ(t.params[4].first, "empty");
}

TEST(ParseTarget, Rejects) {
  Target t;
  EXPECT_FALSE(parse_target("", &t));
  EXPECT_FALSE(parse_target("http://host/a", &t));  // absolute-form is not served
  EXPECT_FALSE(parse_target("*", &t));
  EXPECT_FALSE(parse_target("/a%zz", &t));
  EXPECT_FALSE(parse_target("/a?b=%", &t));
}

TEST(HostName, KeepsPlainHostsDropsPorts) {
  EXPECT_EQ(host_name("127.0.0.1:8081"), "127.0.0.1");
  EXPECT_EQ(host_name("localhost"), "localhost");
  EXPECT_EQ(host_name("db-1.example.com:80"), "db-1.example.com");
  EXPECT_EQ(host_name("[::1]:8080"), "[::1]");
  EXPECT_EQ(host_name("[fe80::1]"), "[fe80::1]");
}

TEST(HostName, RefusesWhatIsNotAHost) {
  // Anything else would be written into the OpenAPI document or compared with Origin.
  for (std::string_view bad : {"", "evil.example\"/x", "a b", "host:80x", "host:", "[::1", "[x]:80",
                               "[]", "h\"o", "user@host", "host:123456"}) {
    EXPECT_EQ(host_name(bad), "") << bad;
  }
}

}  // namespace
}  // namespace basalt::http
