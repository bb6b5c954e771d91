// ETags: the quoted key version; If-Match / If-None-Match list matching.

#include "http/etag.hpp"

#include <gtest/gtest.h>

namespace basalt::http {
namespace {

TEST(Etag, QuotedHexOfTheVersion) {
  EXPECT_EQ(etag_of_version(0x0123456789abcdefull), "\"0123456789abcdef\"");
  EXPECT_NE(etag_of_version(1), etag_of_version(2));
}

TEST(Etag, ListMatching) {
  std::string t = etag_of_version(42);
  EXPECT_TRUE(etag_list_matches(t, t, false));
  EXPECT_TRUE(etag_list_matches("*", t, false));
  std::string listed = " \"x\" , " + t;
  EXPECT_TRUE(etag_list_matches(listed, t, false));
  EXPECT_FALSE(etag_list_matches("\"x\", \"y\"", t, false));
  EXPECT_FALSE(etag_list_matches(std::string_view(t).substr(1, 16), t, false));  // unquoted
  // A weak tag matches only in weak comparison (If-None-Match), never for If-Match.
  EXPECT_TRUE(etag_list_matches("W/" + t, t, true));
  EXPECT_FALSE(etag_list_matches("W/" + t, t, false));
}

}  // namespace
}  // namespace basalt::http
