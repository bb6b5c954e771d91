// What the typed methods put on the wire, byte for byte: a Pipeline exposes nothing of its
// buffer, so these tests check the argument builders and the batch encoder directly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "basalt/client.hpp"
#include "handshake.hpp"

namespace basalt {
namespace {

using namespace std::string_literals;

std::string Encode(const detail::Args& args) {
  detail::Batch b;
  b.add(args, {});
  return b.out;
}

TEST(Encoding, ArgsAreBulkStringsAndBinarySafe) {
  EXPECT_EQ(Encode({"GET", "k"}), "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
  const std::string key("a\0b", 3);
  EXPECT_EQ(Encode({"SET", key, ""}), "*3\r\n$3\r\nSET\r\n$3\r\na\0b\r\n$0\r\n\r\n"s);
  detail::Args a{"INCRBY", "n"};
  a.add(int64_t{-42});
  EXPECT_EQ(Encode(a), "*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$3\r\n-42\r\n");
  detail::Args f{"INCRBYFLOAT", "n"};
  f.add_double(0.1);
  EXPECT_EQ(Encode(f), "*3\r\n$11\r\nINCRBYFLOAT\r\n$1\r\nn\r\n$3\r\n0.1\r\n");
}

TEST(Encoding, NumbersStayValidWhileMoreAreAdded) {
  detail::Args a{"X"};
  for (int64_t i = 0; i < 100; ++i) a.add(i);
  ASSERT_EQ(a.view().size(), 101u);
  for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(a.view()[i + 1], std::to_string(i));
}

TEST(Encoding, SetOptions) {
  auto set = [](SetOptions o) {
    detail::Args a{"SET", "k", "v"};
    detail::add_set_options(a, o);
    std::string s;
    for (auto v : a.view()) s += std::string(v) + " ";
    return s;
  };
  EXPECT_EQ(set({}), "SET k v ");
  EXPECT_EQ(set({.ttl = std::chrono::seconds(60)}), "SET k v EX 60 ");
  EXPECT_EQ(set({.ttl = std::chrono::milliseconds(1500)}), "SET k v PX 1500 ");
  EXPECT_EQ(set({.condition = Condition::IfMissing}), "SET k v NX ");
  EXPECT_EQ(set({.condition = Condition::IfExists, .keep_ttl = true}), "SET k v XX KEEPTTL ");
}

TEST(Encoding, BlockingTimeouts) {
  EXPECT_EQ(detail::timeout_seconds(std::chrono::seconds(5)), "5");
  EXPECT_EQ(detail::timeout_seconds(std::chrono::milliseconds(250)), "0.250");
  EXPECT_EQ(detail::timeout_seconds(std::chrono::milliseconds(1005)), "1.005");
  EXPECT_EQ(detail::timeout_seconds(std::chrono::milliseconds(0)), "0");
}

TEST(Encoding, BatchCountsAndKeepsTheLongestBlockingTime) {
  detail::Batch b;
  b.add({"PING"}, std::chrono::milliseconds(0));
  b.add({"BLPOP", "q", "2"}, std::chrono::milliseconds(2000));
  b.add({"PING"}, std::chrono::milliseconds(0));
  EXPECT_EQ(b.count, 3u);
  EXPECT_EQ(b.blocking, std::chrono::milliseconds(2000));
  b.clear();
  EXPECT_EQ(b.count, 0u);
  EXPECT_TRUE(b.out.empty());
}

// ---- the handshake, I/O free ----

TEST(Handshake, HelloWithAuthNameAndSelectInOneStep) {
  Options o{.user = "u", .password = "p", .database = 2, .client_name = "n"};
  detail::Handshake hs(o);
  EXPECT_EQ(hs.replies(), 2u);
  EXPECT_EQ(hs.out(),
            "*7\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$1\r\nu\r\n$1\r\np\r\n$7\r\nSETNAME\r\n"
            "$1\r\nn\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n");
  std::vector<Reply> replies = {Reply::map({}), Reply::simple("OK")};
  hs.on_replies(replies);
  EXPECT_TRUE(hs.done());
  EXPECT_EQ(hs.protocol(), 3);
}

TEST(Handshake, PasswordOnlyAuthenticatesAsDefault) {
  detail::Handshake hs(Options{.password = "p"});
  EXPECT_NE(hs.out().find("$7\r\ndefault\r\n"), std::string::npos);
}

TEST(Handshake, FallsBackToResp2WhenHelloIsRefused) {
  Options o{.password = "p", .database = 1};
  detail::Handshake hs(o);
  std::vector<Reply> replies = {Reply::error("ERR unknown command 'HELLO'"),
                                Reply::error("NOAUTH Authentication required.")};
  hs.on_replies(replies);
  ASSERT_FALSE(hs.done());
  EXPECT_EQ(hs.replies(), 2u);
  EXPECT_EQ(hs.out(), "*2\r\n$4\r\nAUTH\r\n$1\r\np\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n");
  replies = {Reply::simple("OK"), Reply::simple("OK")};
  hs.on_replies(replies);
  EXPECT_TRUE(hs.done());
  EXPECT_EQ(hs.protocol(), 2);
}

TEST(Handshake, NoProtoFallsBackWithNothingToSend) {
  detail::Handshake hs(Options{});
  std::vector<Reply> replies = {
      Reply::error("NOPROTO sorry, this protocol version is not supported")};
  hs.on_replies(replies);
  EXPECT_TRUE(hs.done());
  EXPECT_EQ(hs.protocol(), 2);
}

TEST(Handshake, Resp2Requested) {
  detail::Handshake hs(Options{.protocol = 2});
  EXPECT_TRUE(hs.done());
  EXPECT_EQ(hs.protocol(), 2);
}

TEST(Handshake, RefusalsSayWhatToFix) {
  {
    detail::Handshake hs(Options{.password = "bad"});
    std::vector<Reply> r = {Reply::error("WRONGPASS invalid username-password pair")};
    try {
      hs.on_replies(r);
      FAIL();
    } catch (const ConnectionError& e) {
      EXPECT_NE(std::string(e.what()).find("Options::password"), std::string::npos) << e.what();
    }
  }
  {
    detail::Handshake hs(Options{});
    std::vector<Reply> r = {
        Reply::error("NOAUTH HELLO must be called with the client already authenticated")};
    EXPECT_THROW(hs.on_replies(r), ConnectionError);
  }
  {
    detail::Handshake hs(Options{.database = 99});
    std::vector<Reply> r = {Reply::map({}), Reply::error("ERR DB index is out of range")};
    try {
      hs.on_replies(r);
      FAIL();
    } catch (const ConnectionError& e) {
      EXPECT_NE(std::string(e.what()).find("Options::database"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace basalt
