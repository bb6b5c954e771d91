// ArgParser: keywords, numbers with the caller's range error, and the first error latched.

#include "commands/arg_parser.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace basalt {
namespace {

TEST(ArgParser, ReadsKeywordsAndNumbers) {
  std::vector<std::string_view> argv = {"CMD", "key", "limit", "10", "withscores"};
  ArgParser p(argv, 2);
  EXPECT_TRUE(p.check("LIMIT"));
  EXPECT_EQ(p.next_int(0, 100), 10);
  EXPECT_FALSE(p.check("LIMIT"));
  EXPECT_EQ(p.next_keyword({"WITHVALUES", "WITHSCORES"}), 1);
  EXPECT_FALSE(p.has_next());
  EXPECT_TRUE(p.ok());
}

TEST(ArgParser, LatchesTheFirstError) {
  std::vector<std::string_view> argv = {"CMD", "-5", "x", "1.5"};
  ArgParser p(argv, 1);
  EXPECT_EQ(p.next_int(1, INT64_MAX, "ERR value is out of range, must be positive"), 1);
  EXPECT_EQ(p.next_int(), INT64_MIN);  // "x": a second error, not latched
  EXPECT_EQ(p.error(), "ERR value is out of range, must be positive");
}

TEST(ArgParser, MissingAndLeftOverArgumentsAreSyntaxErrors) {
  std::vector<std::string_view> argv = {"CMD", "1"};
  ArgParser missing(argv, 1);
  missing.next_int();
  missing.next();
  EXPECT_EQ(missing.error(), "ERR syntax error");
  ArgParser left(argv, 0);
  left.next();
  EXPECT_TRUE(left.ok());
  EXPECT_EQ(left.next_double(), 1.0);
  EXPECT_TRUE(left.ok());
  std::vector<std::string_view> extra = {"CMD", "1", "2"};
  ArgParser over(extra, 1);
  over.next_int();
  EXPECT_TRUE(over.ok());
  EXPECT_TRUE(over.has_next());
  EXPECT_EQ(over.next_keyword({"A"}), -1);
  EXPECT_EQ(over.error(), "ERR syntax error");
  std::vector<std::string_view> nan = {"nan"};
  ArgParser f(nan, 0);
  f.next_double();
  EXPECT_EQ(f.error(), "ERR value is not a valid float");
}

}  // namespace
}  // namespace basalt
