#include "protocol/writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace basalt::resp {
namespace {

template <typename F>
std::string Write(F&& write) {
  std::string out = "prefix";  // appenders must append, never overwrite
  write(out);
  EXPECT_EQ(out.substr(0, 6), "prefix");
  return out.substr(6);
}

TEST(Writer, SimpleAndError) {
  EXPECT_EQ(Write([](std::string& o) { append_simple(o, "OK"); }), "+OK\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_simple(o, ""); }), "+\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_error(o, "ERR syntax error"); }),
            "-ERR syntax error\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_error(o, "ERR", "Protocol error: x"); }),
            "-ERR Protocol error: x\r\n");
}

TEST(Writer, ErrorTextCannotBreakFraming) {
  // Redis's addReplyErrorFormat(): CR/LF trimmed at both ends, spaces inside.
  EXPECT_EQ(Write([](std::string& o) { append_error(o, "\r\nERR bad\r\nthing\n\r\n"); }),
            "-ERR bad  thing\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_error(o, "ERR", "unknown command 'a\rb'\n"); }),
            "-ERR unknown command 'a b'\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_error(o, "\r\n"); }), "-\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_simple(o, "a\r\n+b"); }), "+a  +b\r\n");
}

TEST(Writer, Integers) {
  EXPECT_EQ(Write([](std::string& o) { append_integer(o, 0); }), ":0\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_integer(o, -42); }), ":-42\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_integer(o, std::numeric_limits<int64_t>::max()); }),
            ":9223372036854775807\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_integer(o, std::numeric_limits<int64_t>::min()); }),
            ":-9223372036854775808\r\n");
}

TEST(Writer, Bulks) {
  EXPECT_EQ(Write([](std::string& o) { append_bulk(o, "foo"); }), "$3\r\nfoo\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_bulk(o, ""); }), "$0\r\n\r\n");
  const std::string binary("a\r\n\0b", 5);
  EXPECT_EQ(Write([&](std::string& o) { append_bulk(o, binary); }), "$5\r\n" + binary + "\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_bulk_header(o, 123456); }), "$123456\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_null_bulk(o); }), "$-1\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_null_array(o); }), "*-1\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_null(o); }), "_\r\n");
}

TEST(Writer, AggregateHeaders) {
  EXPECT_EQ(Write([](std::string& o) { append_array_header(o, 0); }), "*0\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_array_header(o, 3); }), "*3\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_map_header(o, 2); }), "%2\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_set_header(o, 10); }), "~10\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_push_header(o, 3); }), ">3\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_attribute_header(o, 1); }), "|1\r\n");
}

std::string Double(double d) {
  return Write([d](std::string& o) { append_double(o, d); });
}
std::string DoubleBulk(double d) {
  return Write([d](std::string& o) { append_double_as_bulk(o, d); });
}

TEST(Writer, DoublesAsRedis70) {
  EXPECT_EQ(Double(0.0), ",0\r\n");
  EXPECT_EQ(Double(-0.0), ",-0\r\n");
  EXPECT_EQ(Double(1.5), ",1.5\r\n");
  EXPECT_EQ(Double(3.0), ",3\r\n");
  EXPECT_EQ(Double(-2.25), ",-2.25\r\n");
  EXPECT_EQ(Double(0.1), ",0.10000000000000001\r\n");  // %.17g shows the binary value
  EXPECT_EQ(Double(1e300), ",1.0000000000000001e+300\r\n");
  EXPECT_EQ(Double(1e17), ",1e+17\r\n");
  EXPECT_EQ(Double(123456789012345678.0), ",1.2345678901234568e+17\r\n");
  EXPECT_EQ(Double(5e-324), ",4.9406564584124654e-324\r\n");
  EXPECT_EQ(Double(HUGE_VAL), ",inf\r\n");
  EXPECT_EQ(Double(-HUGE_VAL), ",-inf\r\n");
  EXPECT_EQ(Double(std::nan("")), ",nan\r\n");
  EXPECT_EQ(Double(-std::nan("")), ",nan\r\n");

  EXPECT_EQ(DoubleBulk(3.0), "$1\r\n3\r\n");
  EXPECT_EQ(DoubleBulk(1.5), "$3\r\n1.5\r\n");
  EXPECT_EQ(DoubleBulk(-0.0), "$2\r\n-0\r\n");
  EXPECT_EQ(DoubleBulk(0.1), "$19\r\n0.10000000000000001\r\n");
  EXPECT_EQ(DoubleBulk(1e300), "$23\r\n1.0000000000000001e+300\r\n");
  EXPECT_EQ(DoubleBulk(HUGE_VAL), "$3\r\ninf\r\n");
  EXPECT_EQ(DoubleBulk(-HUGE_VAL), "$4\r\n-inf\r\n");
}

TEST(Writer, Resp3Scalars) {
  EXPECT_EQ(Write([](std::string& o) { append_boolean(o, true); }), "#t\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_boolean(o, false); }), "#f\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_verbatim(o, "Some string"); }),
            "=15\r\ntxt:Some string\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_verbatim(o, "# hi", "mkd"); }), "=8\r\nmkd:# hi\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_verbatim(o, "", "x"); }), "=4\r\nx  :\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_verbatim(o, "a", "toolong"); }), "=5\r\ntoo:a\r\n");
  EXPECT_EQ(
      Write([](std::string& o) { append_bignum(o, "3492890328409238509324850943850943825"); }),
      "(3492890328409238509324850943850943825\r\n");
}

TEST(Writer, Commands) {
  EXPECT_EQ(Write([](std::string& o) {
              append_command(o, {"SET", "key", "value"});
            }),
            "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_command(o, {"PING"}); }), "*1\r\n$4\r\nPING\r\n");
  std::vector<std::string_view> args = {"ECHO", ""};
  EXPECT_EQ(Write([&](std::string& o) { append_command(o, args); }),
            "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n");
  EXPECT_EQ(Write([](std::string& o) { append_command(o, std::span<const std::string_view>()); }),
            "*0\r\n");
}

TEST(Writer, NestedReplyAsRedisBuildsIt) {
  std::string out;
  append_map_header(out, 2);
  append_bulk(out, "first");
  append_integer(out, 1);
  append_bulk(out, "second");
  append_array_header(out, 2);
  append_double(out, 2.5);
  append_null(out);
  EXPECT_EQ(out, "%2\r\n$5\r\nfirst\r\n:1\r\n$6\r\nsecond\r\n*2\r\n,2.5\r\n_\r\n");
}

}  // namespace
}  // namespace basalt::resp
