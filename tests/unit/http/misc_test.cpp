// Response serialisation, media types, RFC 3339 times and the HTTP Date.

#include <gtest/gtest.h>

#include "http/message.hpp"
#include "http/rfc3339.hpp"

namespace basalt::http {
namespace {

TEST(Serialize, StatusHeadersAndBody) {
  Response res;
  res.status = 201;
  res.content_type = "application/json";
  res.body = "{}";
  res.add_header("ETag", "\"abc\"");
  std::string out;
  serialize_response(out, res, false, true, "req-1", "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(out,
            "HTTP/1.1 201 Created\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\nX-Request-Id: req-1\r\n"
            "ETag: \"abc\"\r\n\r\n{}");
}

TEST(Serialize, HeadKeepsLengthDropsBody) {
  Response res;
  res.content_type = "text/plain";
  res.body = "hello";
  std::string out;
  serialize_response(out, res, true, false, "r", "");
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
            "X-Request-Id: r\r\nConnection: close\r\n\r\n");
}

TEST(Serialize, NoBodyStatuses) {
  for (int status : {204, 304}) {
    Response res;
    res.status = status;
    res.body = "ignored";
    std::string out;
    serialize_response(out, res, false, true, "r", "");
    EXPECT_EQ(out.find("Content-Length"), std::string::npos);
    EXPECT_TRUE(out.ends_with("\r\n\r\n"));
  }
}

TEST(MediaType, StripsParametersAndCase) {
  EXPECT_EQ(media_type("Application/JSON; charset=utf-8"), "application/json");
  EXPECT_EQ(media_type(" application/octet-stream "), "application/octet-stream");
  EXPECT_EQ(media_type(""), "");
}

TEST(Methods, Names) {
  EXPECT_EQ(method_from_name("PATCH"), kPatch);
  EXPECT_EQ(method_from_name("get"), kOtherMethod);  // methods are case-sensitive
  EXPECT_EQ(method_from_name("PROPFIND"), kOtherMethod);
  EXPECT_EQ(methods_list(kPut | kGet | kOptions), "GET, PUT, OPTIONS");
}

TEST(Rfc3339, Formats) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(format_rfc3339_ms(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
  // Found by fuzz_rfc3339: the time of day was computed as ms - days * 86400000, and that product
  // overflows for the earliest instants (UBSan: signed integer overflow).
  EXPECT_TRUE(format_rfc3339_ms(INT64_MIN).ends_with("T16:47:04.192Z"));
}

TEST(Rfc3339, Parses) {
  EXPECT_EQ(parse_rfc3339_ms("2023-11-14T22:13:20.123Z"), 1'700'000'000'123);
  EXPECT_EQ(parse_rfc3339_ms("2023-11-14T22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(parse_rfc3339_ms("2023-11-14T23:13:20.5+01:00"), 1'700'000'000'500);
  EXPECT_EQ(parse_rfc3339_ms("2023-11-14T21:43:20.123456-00:30"), 1'700'000'000'123);
  EXPECT_EQ(parse_rfc3339_ms("2000-02-29t00:00:00z"), 951'782'400'000);
  for (int64_t ms : {0LL, 1'700'000'000'123LL, 4'102'444'800'000LL}) {
    EXPECT_EQ(parse_rfc3339_ms(format_rfc3339_ms(ms)), ms);
  }
}

TEST(Rfc3339, Rejects) {
  for (const char* bad : {"", "2023-11-14", "2023-11-14T22:13:20", "2023-13-01T00:00:00Z",
                          "2023-02-29T00:00:00Z", "2023-11-14T24:00:00Z", "2023-11-14T22:13:20.Z",
                          "2023-11-14T22:13:20+0100", "2023-11-14T22:13:20Zjunk", "tomorrow"}) {
    EXPECT_FALSE(parse_rfc3339_ms(bad).has_value()) << bad;
  }
}

TEST(HttpDate, Formats) {
  EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_TRUE(format_http_date(INT64_MIN).ends_with(" 08:29:52 GMT"));
}

}  // namespace
}  // namespace basalt::http
