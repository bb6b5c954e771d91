// The capturing reply builder and its JSON / RESP2 renderings, for every reply type.

#include "http/reply_tree.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace basalt::http {
namespace {

std::string json(const JsonReplyBuilder& b, StringMode mode = StringMode::kText, uint32_t at = 0) {
  std::string out;
  render_json(out, b.at(at), mode);
  return out;
}

std::string resp2(const JsonReplyBuilder& b, uint32_t at = 0) {
  std::string out;
  render_resp2(out, b.at(at));
  return out;
}

TEST(ReplyTree, Scalars) {
  struct Case {
    void (*write)(JsonReplyBuilder&);
    const char* json;
    const char* base64;
    const char* resp2;
  };
  const Case cases[] = {
      {[](JsonReplyBuilder& b) { b.ok(); }, R"("OK")", R"("OK")", "+OK\r\n"},
      {[](JsonReplyBuilder& b) { b.simple("PONG"); }, R"("PONG")", R"("UE9ORw==")", "+PONG\r\n"},
      {[](JsonReplyBuilder& b) { b.integer(-42); }, "-42", "-42", ":-42\r\n"},
      {[](JsonReplyBuilder& b) { b.integer(INT64_MAX); }, "9223372036854775807",
       "9223372036854775807", ":9223372036854775807\r\n"},
      {[](JsonReplyBuilder& b) { b.bulk("OK"); }, R"("OK")", R"("T0s=")", "$2\r\nOK\r\n"},
      {[](JsonReplyBuilder& b) { b.bulk(""); }, R"("")", R"("")", "$0\r\n\r\n"},
      {[](JsonReplyBuilder& b) { b.null(); }, "null", "null", "$-1\r\n"},
      {[](JsonReplyBuilder& b) { b.null_array(); }, "null", "null", "*-1\r\n"},
      {[](JsonReplyBuilder& b) { b.dbl(3.0); }, "3", "3", "$1\r\n3\r\n"},
      {[](JsonReplyBuilder& b) { b.dbl(0.1); }, "0.10000000000000001", "0.10000000000000001",
       "$19\r\n0.10000000000000001\r\n"},
      {[](JsonReplyBuilder& b) { b.dbl(INFINITY); }, R"("inf")", R"("inf")", "$3\r\ninf\r\n"},
      {[](JsonReplyBuilder& b) { b.dbl(-INFINITY); }, R"("-inf")", R"("-inf")", "$4\r\n-inf\r\n"},
      {[](JsonReplyBuilder& b) { b.boolean(true); }, "true", "true", ":1\r\n"},
      {[](JsonReplyBuilder& b) { b.boolean(false); }, "false", "false", ":0\r\n"},
      {[](JsonReplyBuilder& b) { b.verbatim("txt", "some text"); }, R"("some text")",
       R"("c29tZSB0ZXh0")", "$9\r\nsome text\r\n"},
  };
  for (const Case& c : cases) {
    JsonReplyBuilder b;
    c.write(b);
    EXPECT_TRUE(b.complete());
    EXPECT_EQ(json(b), c.json);
    EXPECT_EQ(json(b, StringMode::kBase64), c.base64);
    EXPECT_EQ(resp2(b), c.resp2);
  }
}

TEST(ReplyTree, ErrorsAtTheTopAndNested) {
  JsonReplyBuilder b;
  b.error("WRONGTYPE Operation against a key holding the wrong kind of value");
  ReplyRef r = b.at(0);
  EXPECT_TRUE(r.is_error());
  EXPECT_EQ(r.str(), "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(b.last_error_code(), "WRONGTYPE");
  EXPECT_EQ(resp2(b), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");

  JsonReplyBuilder exec;
  exec.array(2);
  exec.ok();
  exec.error("ERR value is not an integer or out of range");
  EXPECT_EQ(json(exec), R"(["OK",{"error":"ERR value is not an integer or out of range"}])");
  // Error texts are never base64-encoded.
  EXPECT_EQ(json(exec, StringMode::kBase64),
            R"(["OK",{"error":"ERR value is not an integer or out of range"}])");
}

TEST(ReplyTree, Aggregates) {
  JsonReplyBuilder b;
  b.array(3);
  b.bulk("a");
  b.array(2);
  b.integer(1);
  b.null();
  b.set(1);
  b.bulk("s");
  EXPECT_TRUE(b.complete());
  EXPECT_EQ(json(b), R"(["a",[1,null],["s"]])");
  EXPECT_EQ(json(b, StringMode::kBase64), R"(["YQ==",[1,null],["cw=="]])");
  EXPECT_EQ(resp2(b), "*3\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n*1\r\n$1\r\ns\r\n");
  ReplyRef root = b.at(0);
  EXPECT_EQ(root.size(), 3u);
  EXPECT_EQ(root.child(0).str(), "a");
  EXPECT_EQ(root.child(1).size(), 2u);
  EXPECT_EQ(root.child(1).child(0).integer(), 1);
  EXPECT_EQ(root.child(2).child(0).str(), "s");
  size_t n = 0;
  for (ReplyRef e : root) {
    (void)e;
    ++n;
  }
  EXPECT_EQ(n, 3u);
}

TEST(ReplyTree, MapsBecomeObjects) {
  JsonReplyBuilder b;
  b.map(3);
  b.bulk("name");
  b.bulk("basalt");
  b.bulk("proto");
  b.integer(3);
  b.integer(7);  // a non-string key is written as its text
  b.array(0);
  EXPECT_EQ(json(b), R"({"name":"basalt","proto":3,"7":[]})");
  EXPECT_EQ(json(b, StringMode::kBase64), R"({"name":"YmFzYWx0","proto":3,"7":[]})");
  EXPECT_EQ(resp2(b), "*6\r\n$4\r\nname\r\n$6\r\nbasalt\r\n$5\r\nproto\r\n:3\r\n:7\r\n*0\r\n");
  EXPECT_EQ(b.at(0).size(), 6u);
}

TEST(ReplyTree, EmptyAggregatesCompleteAtOnce) {
  JsonReplyBuilder b;
  b.array(0);
  EXPECT_TRUE(b.complete());
  EXPECT_EQ(json(b), "[]");
  b.clear();
  b.map(0);
  EXPECT_EQ(json(b), "{}");
}

TEST(ReplyTree, InvalidUtf8) {
  JsonReplyBuilder b;
  b.bulk(std::string("ab\xff\x00", 4));
  // As text, invalid bytes become U+FFFD (NUL is escaped); base64 keeps every byte.
  EXPECT_EQ(json(b), "\"ab\xef\xbf\xbd\\u0000\"");
  EXPECT_EQ(json(b, StringMode::kBase64), R"("YWL/AA==")");
  EXPECT_EQ(resp2(b), std::string("$4\r\nab\xff\x00\r\n", 10));
}

TEST(ReplyTree, SeveralRootsOneAfterAnother) {
  JsonReplyBuilder b;
  uint32_t first = b.mark();
  b.simple("string");
  uint32_t second = b.mark();
  b.array(2);
  b.bulk("x");
  b.bulk("y");
  uint32_t third = b.mark();
  b.integer(-1);
  EXPECT_EQ(b.at(first).str(), "string");
  EXPECT_EQ(json(b, StringMode::kText, second), R"(["x","y"])");
  EXPECT_EQ(b.at(third).integer(), -1);
  EXPECT_FALSE(b.at(b.mark()).valid());  // a command that blocked wrote nothing yet
}

TEST(ReplyTree, ReportsItsProtocol) {
  JsonReplyBuilder b;
  EXPECT_EQ(b.protocol(), 3);
  b.set_protocol(2);
  EXPECT_EQ(b.protocol(), 2);
}

// A bignum is text in JSON (parsers would round it) and a bulk string in RESP2.
TEST(ReplyTree, BigNum) {
  JsonReplyBuilder b;
  b.bignum("1234567999999999999999999999999999999");
  EXPECT_EQ(json(b), R"("1234567999999999999999999999999999999")");
  EXPECT_EQ(resp2(b), "$37\r\n1234567999999999999999999999999999999\r\n");
  EXPECT_TRUE(b.at(0).is_string());
}

// Attributes and push data are dropped with everything nested in them; the reply after them is
// the root, and an enclosing aggregate counts only its real elements.
TEST(ReplyTree, AttributesAndPushDataAreDropped) {
  JsonReplyBuilder b;
  b.attribute(1);
  b.bulk("key-popularity");
  b.array(2);
  b.bulk("key:123");
  b.integer(90);
  EXPECT_EQ(b.node_count(), 0u) << "nothing of the attribute is kept";
  b.bulk("real");
  EXPECT_TRUE(b.complete());
  EXPECT_EQ(json(b), R"("real")");

  b.clear();
  b.array(2);
  b.integer(1);
  b.push(3);
  b.bulk("x");
  b.map(1);
  b.bulk("k");
  b.set(0);
  b.array(0);
  b.integer(2);
  EXPECT_TRUE(b.complete());
  EXPECT_EQ(json(b), "[1,2]");
  EXPECT_EQ(resp2(b), "*2\r\n:1\r\n:2\r\n");

  b.clear();
  b.push(0);
  b.attribute(0);
  b.verbatim("txt", "v");
  EXPECT_TRUE(b.complete());
  EXPECT_EQ(json(b), R"("v")");
}

}  // namespace
}  // namespace basalt::http
