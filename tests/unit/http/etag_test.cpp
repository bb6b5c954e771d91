// ETags: derived from type and bytes; If-Match / If-None-Match list matching.

#include "http/etag.hpp"

#include <gtest/gtest.h>

namespace basalt::http {
namespace {

std::string list_tag(std::initializer_list<std::string_view> elements) {
  JsonReplyBuilder b;
  b.array(elements.size());
  for (auto e : elements) b.bulk(e);
  return etag_of_list(b.at(0));
}

TEST(Etag, StableAndQuoted) {
  std::string t = etag_of_string("hello");
  EXPECT_EQ(t, etag_of_string("hello"));
  ASSERT_EQ(t.size(), 18u);
  EXPECT_EQ(t.front(), '"');
  EXPECT_EQ(t.back(), '"');
}

TEST(Etag, ChangesWithTheValue) {
  EXPECT_NE(etag_of_string("hello"), etag_of_string("hellp"));
  EXPECT_NE(etag_of_string(""), etag_of_string(std::string(1, '\0')));
  // Type is part of it: the string "a" and the list ["a"] differ.
  EXPECT_NE(etag_of_string("a"), list_tag({"a"}));
  // Element boundaries are part of it.
  EXPECT_NE(list_tag({"ab"}), list_tag({"a", "b"}));
  EXPECT_NE(list_tag({"a", "b"}), list_tag({"b", "a"}));
  EXPECT_EQ(list_tag({"a", "b"}), list_tag({"a", "b"}));
}

TEST(Etag, ListMatching) {
  std::string t = etag_of_string("v");
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
