// DEBUG's subcommands (debug_family.cpp): the Op side (digests, DEBUG OBJECT's line) and the
// replies. Expected bytes and digests were taken from redis-server 7.0.15 (--enable-debug-command
// yes); SLEEP, SET-ACTIVE-EXPIRE and RELOAD are covered in server_family_test.cpp and
// persistence_test.cpp.

#include <gmock/gmock.h>

#include <string>
#include <string_view>

#include "base/allocator.hpp"
#include "commands/debug_family.hpp"
#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class DebugTest : public EngineTest {
 protected:
  std::string status(std::string_view s) { return "+" + std::string(s) + "\r\n"; }
  std::string digest() { return run({"DEBUG", "DIGEST"}); }
};

TEST_F(DebugTest, ProtocolRepliesAsRedisInResp2) {
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "string"}), "$11\r\nHello World\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "integer"}), ":12345\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "double"}), "$5\r\n3.141\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "bignum"}),
            "$37\r\n1234567999999999999999999999999999999\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "null"}), "$-1\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "array"}), "*3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "set"}), "*3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "map"}), "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "attrib"}),
            "$39\r\nSome real reply following the attribute\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "push"}), "-ERR RESP2 is not supported by this command\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "verbatim"}), "$25\r\nThis is a verbatim\nstring\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "TRUE"}), ":1\r\n");
  EXPECT_EQ(run({"debug", "protocol", "false"}), ":0\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "nope"}),
            err("ERR Wrong protocol type name. Please use one of the following: "
                "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false"));
}

TEST_F(DebugTest, ProtocolRepliesAsRedisInResp3) {
  run({"HELLO", "3"});
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "string"}), "$11\r\nHello World\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "integer"}), ":12345\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "double"}), ",3.141\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "bignum"}), "(1234567999999999999999999999999999999\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "null"}), "_\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "array"}), "*3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "set"}), "~3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "map"}), "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "attrib"}),
            "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
            "$39\r\nSome real reply following the attribute\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "push"}),
            ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"
            "$40\r\nSome real reply following the push reply\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "verbatim"}), "=29\r\ntxt:This is a verbatim\nstring\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "true"}), "#t\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL", "false"}), "#f\r\n");
  EXPECT_EQ(run({"DEBUG", "PROTOCOL"}),
            err("ERR unknown subcommand or wrong number of arguments for 'PROTOCOL'. Try DEBUG "
                "HELP."));
}

// The digests redis-server 7.0.15 prints for the same data: SHA1 mixing of Redis's debug.c.
TEST_F(DebugTest, DigestMatchesRedis) {
  EXPECT_EQ(digest(), status(std::string(40, '0')));
  run({"SET", "a", "1"});
  EXPECT_EQ(digest(), status("943d800368fb9c0e951138f1bc0e313ac769d91f"));
  run({"SET", "s", "hello"});
  run({"SET", "i", "12345"});
  run({"RPUSH", "l", "a", "b", "c"});
  EXPECT_EQ(
      run({"DEBUG", "DIGEST-VALUE", "s", "i", "l", "missing"}),
      array({status("36b23a1456b2dce2c3ed252c456761301dba8060"),
             status("e1cf90774e995ae03de66e8109dc5cb9d9c2dc83"),
             status("8bf72d812571eea9b927f3c11beb0c4165a6ff89"), status(std::string(40, '0'))}));
  EXPECT_EQ(run({"DEBUG", "DIGEST-VALUE"}), "*0\r\n");
  run({"DEL", "s", "i", "l"});
  run({"RPUSH", "l", "x", "y"});
  EXPECT_EQ(run({"DEBUG", "DIGEST-VALUE", "l", "a"}),
            array({status("a3b14a34cfbd69f970cd30aff36fd797e07b4dbc"),
                   status("b4fc66738120fba0b5aa500ab5c2bf89cea1c5da")}));
}

// The digest changes exactly when the content does: order of a list, a TTL, the database.
TEST_F(DebugTest, DigestFollowsTheContent) {
  run({"RPUSH", "l", "a", "b"});
  const std::string ab = digest();
  run({"RPUSH", "l2", "x"});
  EXPECT_NE(digest(), ab);
  run({"DEL", "l2"});
  EXPECT_EQ(digest(), ab) << "the same content digests the same";
  run({"DEL", "l"});
  run({"RPUSH", "l", "b", "a"});
  EXPECT_NE(digest(), ab) << "list order counts";
  const std::string ba = digest();
  run({"EXPIRE", "l", "100"});
  EXPECT_NE(digest(), ba) << "a TTL counts";
  run({"PERSIST", "l"});
  EXPECT_EQ(digest(), ba);
  run({"MOVE", "l", "3"});
  EXPECT_NE(digest(), ba) << "the database counts";
  // Keys are combined in no order: insertion order does not change the digest.
  run({"FLUSHALL"});
  run({"SET", "k1", "v1"});
  run({"SET", "k2", "v2"});
  const std::string d12 = digest();
  run({"FLUSHALL"});
  run({"SET", "k2", "v2"});
  run({"SET", "k1", "v1"});
  EXPECT_EQ(digest(), d12);
  // A string and a one-element list holding the same bytes differ (the type is mixed in).
  run({"FLUSHALL"});
  run({"SET", "k", "v"});
  const std::string as_string = digest();
  run({"DEL", "k"});
  run({"RPUSH", "k", "v"});
  EXPECT_NE(digest(), as_string);
}

TEST_F(DebugTest, ObjectLine) {
  EXPECT_EQ(run({"DEBUG", "OBJECT", "nokey"}), err("ERR no such key"));
  run({"SET", "i", "12345"});
  run({"SET", "s", "hello"});
  run({"RPUSH", "l", "a", "b", "c"});
  // Redis 7.0.15: serializedlength 3 (int), 6 (embstr "hello"), 19 (a 3-element quicklist).
  EXPECT_THAT(run({"DEBUG", "OBJECT", "i"}),
              ::testing::MatchesRegex("\\+Value at:0x[0-9a-f]+ refcount:1 encoding:int "
                                      "serializedlength:3 lru:[0-9]+ lru_seconds_idle:0\r\n"));
  EXPECT_THAT(run({"DEBUG", "OBJECT", "s"}),
              ::testing::HasSubstr(" encoding:embstr serializedlength:6 lru:"));
  EXPECT_THAT(run({"DEBUG", "OBJECT", "l"}),
              ::testing::MatchesRegex(
                  "\\+Value at:0x[0-9a-f]+ refcount:1 encoding:quicklist serializedlength:19 "
                  "lru:[0-9]+ lru_seconds_idle:0 ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 "
                  "ql_compressed:0 ql_uncompressed_size:16\r\n"));
  advance_ms(5000);
  EXPECT_THAT(run({"DEBUG", "OBJECT", "s"}), ::testing::HasSubstr(" lru_seconds_idle:5\r\n"));
  EXPECT_THAT(run({"DEBUG", "OBJECT", "s"}), ::testing::HasSubstr(" lru_seconds_idle:5\r\n"))
      << "DEBUG OBJECT does not touch the key";
}

TEST_F(DebugTest, QuicklistPackedThreshold) {
  const std::string refused =
      err("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
  EXPECT_EQ(run({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"}), kOk);
  EXPECT_EQ(run({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1mb"}), kOk);
  EXPECT_EQ(run({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"}), refused);
  EXPECT_EQ(run({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "-1"}), refused);
  EXPECT_EQ(run({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "abc"}), refused);
}

TEST_F(DebugTest, ChangeReplIdDrawsANewId) {
  auto replid = [&] {
    std::string info = run({"INFO", "replication"});
    size_t at = info.find("master_replid:");
    return at == std::string::npos ? std::string() : info.substr(at + 14, 40);
  };
  const std::string before = replid();
  EXPECT_EQ(before.size(), 40u);
  EXPECT_EQ(run({"DEBUG", "CHANGE-REPL-ID"}), kOk);
  const std::string after = replid();
  EXPECT_NE(after, before);
  EXPECT_EQ(after.find_first_not_of("0123456789abcdef"), std::string::npos) << after;
}

// DEBUG SET-SKIP-CHECKSUM-VALIDATION 1: a RESTORE payload's CRC-64 is not checked (Redis's suite
// sends hand-made corrupt payloads that way); the value must still decode.
TEST_F(DebugTest, SkipChecksumValidationTakesPayloadsWithAWrongCrc) {
  run({"SET", "k", "hello"});
  std::string dumped = run({"DUMP", "k"});
  const size_t body = dumped.find("\r\n") + 2;
  std::string payload = dumped.substr(body, dumped.size() - body - 2);
  payload.back() = static_cast<char>(payload.back() ^ 0x55);  // the CRC's last byte
  EXPECT_EQ(run({"RESTORE", "a", "0", payload}),
            err("ERR DUMP payload version or checksum are wrong"));
  EXPECT_EQ(run({"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"}), kOk);
  EXPECT_EQ(run({"RESTORE", "a", "0", payload}), kOk);
  EXPECT_EQ(run({"GET", "a"}), "$5\r\nhello\r\n");
  std::string bad_value = payload;
  bad_value[1] = 0x7f;  // a string length past the payload's end
  EXPECT_EQ(run({"RESTORE", "b", "0", bad_value}), err("ERR Bad data format"));
  EXPECT_EQ(run({"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0"}), kOk);
  EXPECT_EQ(run({"RESTORE", "c", "0", payload}),
            err("ERR DUMP payload version or checksum are wrong"));
}

// DEBUG POPULATE, as Redis's test suites use it to fill a server: key:<n> = value:<n>, a size
// cuts or zero-pads the value, existing keys are left alone, bad counts get Redis's text.
TEST_F(DebugTest, PopulateCreatesNumberedStringKeys) {
  run({"SET", "key:1", "mine"});
  EXPECT_EQ(run({"DEBUG", "POPULATE", "3"}), kOk);
  EXPECT_EQ(run({"DBSIZE"}), integer(3));
  EXPECT_EQ(run({"GET", "key:0"}), "$7\r\nvalue:0\r\n");
  EXPECT_EQ(run({"GET", "key:1"}), "$4\r\nmine\r\n");
  EXPECT_EQ(run({"DEBUG", "POPULATE", "2", "p", "10"}), kOk);
  EXPECT_EQ(run({"GET", "p:1"}), std::string("$10\r\nvalue:1\0\0\0\r\n", 17));
  EXPECT_EQ(run({"DEBUG", "POPULATE", "1", "q", "3"}), kOk);
  EXPECT_EQ(run({"GET", "q:0"}), "$3\r\nval\r\n");
  EXPECT_EQ(run({"DEBUG", "POPULATE", "1", std::string(200, 'x')}), kOk);
  EXPECT_EQ(run({"EXISTS", std::string(127, 'x')}), integer(1));
  EXPECT_EQ(run({"DEBUG", "POPULATE", "-1"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"DEBUG", "POPULATE", "x"}), err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"DEBUG", "POPULATE", "1", "k", "-5"}),
            err("ERR value is out of range, must be positive"));
  EXPECT_EQ(run({"DEBUG", "POPULATE", "0"}), kOk);
}

TEST_F(DebugTest, HtstatsDescribesTheKeyspaceTable) {
  // Redis's dictGetStats text; its figures are Basalt's own table's (a chain's length depends on
  // the hash seed).
  EXPECT_EQ(run({"DEBUG", "HTSTATS", "0"}),
            "$189\r\n[Dictionary HT]\nHash table 0 stats (main hash table):\nNo stats available "
            "for empty dictionaries\n[Expires HT]\nHash table 0 stats (main hash table):\nNo "
            "stats available for empty dictionaries\n\r\n");
  for (int i = 0; i < 100; ++i) run({"SET", "k" + std::to_string(i), "v"});
  run({"EXPIRE", "k1", "100"});
  std::string text = run({"DEBUG", "HTSTATS", "0"});
  EXPECT_THAT(text, ::testing::HasSubstr("[Dictionary HT]\nHash table 0 stats (main hash "
                                         "table):\n table size: 128\n number of elements: 100\n"
                                         " different slots: "));
  EXPECT_THAT(text, ::testing::HasSubstr(" Chain length distribution:\n   0: "));
  EXPECT_THAT(text, ::testing::HasSubstr("[Expires HT]\nHash table 0 stats (main hash table):\n"
                                         " table size: "));
  EXPECT_THAT(text, ::testing::EndsWith(" number of elements: 1\n\r\n"));
  EXPECT_EQ(run({"DEBUG", "HTSTATS", "16"}), err("ERR Out of range database"));
  EXPECT_EQ(run({"DEBUG", "HTSTATS", "-1"}), err("ERR Out of range database"));
  EXPECT_EQ(run({"DEBUG", "HTSTATS", "x"}), err("ERR value is not an integer or out of range"));
}

TEST_F(DebugTest, HelpAndUnknownSubcommands) {
  const std::string help = run({"DEBUG", "HELP"});
  // MALLCTL and MALLCTL-STR (two lines each) where the allocator has controls (jemalloc).
  const bool controls = allocator_has_controls();
  EXPECT_THAT(help, ::testing::StartsWith(
                        std::string(controls ? "*56" : "*52") +
                        "\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
  EXPECT_EQ(help.find("+MALLCTL <key> [<val>]\r\n") != std::string::npos, controls);
  EXPECT_THAT(help, ::testing::HasSubstr("+PROTOCOL <type>\r\n"));
  EXPECT_THAT(help, ::testing::HasSubstr("+HTSTATS <dbid>\r\n"));
  EXPECT_THAT(help, ::testing::HasSubstr("+PAUSE-CRON <0|1>\r\n"));
  EXPECT_THAT(help, ::testing::HasSubstr("+AOF-FLUSH-SLEEP <microsec>\r\n"));
  EXPECT_THAT(help, ::testing::EndsWith("+HELP\r\n+    Prints this help.\r\n"));
  // Redis 7.0 has no JMAP or STRINGMATCH-LEN.
  EXPECT_EQ(run({"DEBUG", "JMAP"}),
            err("ERR unknown subcommand or wrong number of arguments for 'JMAP'. Try DEBUG "
                "HELP."));
}

}  // namespace
}  // namespace basalt::testing
