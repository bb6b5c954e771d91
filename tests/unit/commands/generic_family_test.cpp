// Tests for the keyspace and expiry family (src/commands/generic_family.cpp). Expected bytes and
// error texts were checked against redis-server 7.0.15.
//
// Keys are created through the store rather than SET or RPUSH so that these tests depend on this
// family alone; everything observed goes through the commands under test.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/command_table.hpp"
#include "store/list.hpp"
#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;  // ManualClock's default start

struct ScanPage {
  std::string cursor;
  std::vector<std::string> keys;
};

// Reads a reply of the shape *2 $cursor *N $key... (SCAN); fails the test on anything else.
ScanPage parse_scan(const std::string& r) {
  ScanPage page;
  size_t pos = 0;
  auto line = [&]() {
    size_t end = r.find("\r\n", pos);
    EXPECT_NE(end, std::string::npos) << r;
    std::string s = r.substr(pos, end - pos);
    pos = end + 2;
    return s;
  };
  auto bulk_at = [&]() {
    std::string header = line();
    EXPECT_EQ(header[0], '$') << r;
    size_t n = std::stoul(header.substr(1));
    std::string s = r.substr(pos, n);
    pos += n + 2;
    return s;
  };
  EXPECT_EQ(line(), "*2");
  page.cursor = bulk_at();
  std::string count = line();
  EXPECT_EQ(count[0], '*') << r;
  size_t n = std::stoul(count.substr(1));
  for (size_t i = 0; i < n; ++i) page.keys.push_back(bulk_at());
  EXPECT_EQ(pos, r.size()) << r;
  return page;
}

// Elements of a flat array of bulk strings (KEYS), sorted.
std::vector<std::string> sorted_bulks(const std::string& r) {
  std::vector<std::string> out;
  size_t pos = r.find("\r\n") + 2;
  while (pos < r.size()) {
    size_t end = r.find("\r\n", pos);
    size_t n = std::stoul(r.substr(pos + 1, end - pos - 1));
    out.push_back(r.substr(end + 2, n));
    pos = end + 2 + n + 2;
  }
  std::sort(out.begin(), out.end());
  return out;
}

class KeysTest : public EngineTest {
 protected:
  void put(std::string_view key, std::string_view value, int index = 0) {
    db(index).set(key, Value(value));
  }
  void put_list(std::string_view key, std::initializer_list<std::string_view> elements,
                int index = 0) {
    Value v = Value::new_list();
    for (std::string_view e : elements) v.list().push_back(e);
    db(index).set(key, std::move(v));
  }
  // The key's value without lazy expiry or stats, for checking what a command stored.
  std::optional<std::string> raw_value(std::string_view key, int index = 0) {
    Entry* e = db(index).peek(key);
    if (e == nullptr) return std::nullopt;
    if (e->value.is_string()) return std::string(e->value.str());
    std::string joined;
    for (std::string_view el : e->value.list()) joined += std::string(el) + ",";
    return joined;
  }
  Session& session(size_t i) { return *client(i).session; }
  void use_resp3(size_t i = 0) { session(i).protocol = 3; }
  // Client i watches key in database index (WATCH's bookkeeping, without the transaction family).
  void watch(size_t i, std::string_view key, int index = 0) {
    int saved = session(i).db;
    session(i).db = index;
    engine_->watch(session(i), key);
    session(i).db = saved;
  }
  bool dirty(size_t i) { return session(i).watch_dirty; }
  void reset_watch(size_t i) { engine_->unwatch_all(session(i)); }
  int64_t ms_from_start(int64_t ms) { return kStartMs + ms; }
};

// --- DEL, UNLINK, EXISTS, TOUCH, TYPE ------------------------------------------------------------

TEST_F(KeysTest, DelCountsDeletedKeys) {
  put("a", "1");
  put("b", "2");
  put_list("l", {"x"});
  EXPECT_EQ(run({"DEL", "a", "missing", "l"}), integer(2));
  EXPECT_EQ(run({"EXISTS", "a", "b", "l"}), integer(1));
  // A key named twice is deleted once.
  EXPECT_EQ(run({"DEL", "b", "b"}), integer(1));
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  EXPECT_EQ(run({"DEL"}), err("ERR wrong number of arguments for 'del' command"));
}

TEST_F(KeysTest, UnlinkIsDel) {
  put("a", "1");
  put("b", "2");
  EXPECT_EQ(run({"UNLINK", "a", "b", "c"}), integer(2));
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  EXPECT_EQ(run({"UNLINK"}), err("ERR wrong number of arguments for 'unlink' command"));
}

TEST_F(KeysTest, DelOfExpiredKeyCountsNothing) {
  put("a", "1");
  EXPECT_EQ(run({"PEXPIRE", "a", "100"}), integer(1));
  advance_ms(100);
  EXPECT_EQ(run({"DEL", "a"}), integer(0));
}

TEST_F(KeysTest, ExistsCountsRepeats) {
  put("a", "1");
  put_list("l", {"x"});
  EXPECT_EQ(run({"EXISTS", "a"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "a", "a", "a", "missing", "l"}), integer(4));
  EXPECT_EQ(run({"EXISTS", "missing"}), integer(0));
  EXPECT_EQ(run({"EXISTS"}), err("ERR wrong number of arguments for 'exists' command"));
}

TEST_F(KeysTest, ExistsCountsKeyspaceHitsAndMisses) {
  put("a", "1");
  const StoreStats& stats = engine_->store().stats();
  uint64_t hits = stats.keyspace_hits, misses = stats.keyspace_misses;
  run({"EXISTS", "a", "b"});
  EXPECT_EQ(stats.keyspace_hits, hits + 1);
  EXPECT_EQ(stats.keyspace_misses, misses + 1);
}

TEST_F(KeysTest, TouchCountsExistingKeys) {
  put("a", "1");
  put("b", "1");
  EXPECT_EQ(run({"TOUCH", "a", "b", "c", "a"}), integer(3));
  EXPECT_EQ(run({"TOUCH"}), err("ERR wrong number of arguments for 'touch' command"));
}

TEST_F(KeysTest, TypeIsAStatusReply) {
  put("s", "v");
  put_list("l", {"x"});
  EXPECT_EQ(run({"TYPE", "s"}), "+string\r\n");
  EXPECT_EQ(run({"TYPE", "l"}), "+list\r\n");
  EXPECT_EQ(run({"TYPE", "missing"}), "+none\r\n");
  use_resp3();
  EXPECT_EQ(run({"TYPE", "s"}), "+string\r\n");
  EXPECT_EQ(run({"TYPE", "missing"}), "+none\r\n");
  EXPECT_EQ(run({"TYPE"}), err("ERR wrong number of arguments for 'type' command"));
  EXPECT_EQ(run({"TYPE", "a", "b"}), err("ERR wrong number of arguments for 'type' command"));
}

// --- RENAME, RENAMENX
// ------------------------------------------------------------------------------

TEST_F(KeysTest, RenameMovesValueAndTtl) {
  put("a", "v");
  EXPECT_EQ(run({"PEXPIRE", "a", "5000"}), integer(1));
  EXPECT_EQ(run({"RENAME", "a", "b"}), kOk);
  EXPECT_EQ(run({"EXISTS", "a"}), integer(0));
  EXPECT_EQ(raw_value("b"), "v");
  EXPECT_EQ(run({"PTTL", "b"}), integer(5000));
  // The TTL still fires under the new name.
  advance_ms(5000);
  EXPECT_EQ(run({"EXISTS", "b"}), integer(0));
}

TEST_F(KeysTest, RenameOverwritesDestinationAndItsTtl) {
  put("a", "new");
  put_list("b", {"old"});
  EXPECT_EQ(run({"EXPIRE", "b", "100"}), integer(1));
  EXPECT_EQ(run({"RENAME", "a", "b"}), kOk);
  EXPECT_EQ(raw_value("b"), "new");
  EXPECT_EQ(run({"TTL", "b"}), integer(-1));
  EXPECT_EQ(run({"DBSIZE"}), integer(1));
}

TEST_F(KeysTest, RenameList) {
  put_list("l", {"x", "y"});
  EXPECT_EQ(run({"RENAME", "l", "m"}), kOk);
  EXPECT_EQ(raw_value("m"), "x,y,");
  EXPECT_EQ(run({"TYPE", "m"}), "+list\r\n");
}

TEST_F(KeysTest, RenameErrors) {
  EXPECT_EQ(run({"RENAME", "missing", "b"}), err("ERR no such key"));
  EXPECT_EQ(run({"RENAME", "missing", "missing"}), err("ERR no such key"));
  EXPECT_EQ(run({"RENAMENX", "missing", "b"}), err("ERR no such key"));
  EXPECT_EQ(run({"RENAME", "a"}), err("ERR wrong number of arguments for 'rename' command"));
  EXPECT_EQ(run({"RENAMENX", "a", "b", "c"}),
            err("ERR wrong number of arguments for 'renamenx' command"));
}

TEST_F(KeysTest, RenameOntoItself) {
  put("a", "v");
  EXPECT_EQ(run({"EXPIRE", "a", "100"}), integer(1));
  EXPECT_EQ(run({"RENAME", "a", "a"}), kOk);
  EXPECT_EQ(run({"RENAMENX", "a", "a"}), integer(0));
  EXPECT_EQ(raw_value("a"), "v");
  EXPECT_EQ(run({"TTL", "a"}), integer(100));
}

TEST_F(KeysTest, RenameOfExpiredKeyIsNoSuchKey) {
  put("a", "v");
  run({"PEXPIRE", "a", "10"});
  advance_ms(10);
  EXPECT_EQ(run({"RENAME", "a", "b"}), err("ERR no such key"));
  EXPECT_EQ(run({"EXISTS", "b"}), integer(0));
}

TEST_F(KeysTest, RenamenxOnlyWhenDestinationIsFree) {
  put("a", "1");
  put("b", "2");
  EXPECT_EQ(run({"RENAMENX", "a", "b"}), integer(0));
  EXPECT_EQ(raw_value("a"), "1");
  EXPECT_EQ(raw_value("b"), "2");
  EXPECT_EQ(run({"PEXPIRE", "a", "700"}), integer(1));
  EXPECT_EQ(run({"RENAMENX", "a", "c"}), integer(1));
  EXPECT_EQ(raw_value("c"), "1");
  EXPECT_EQ(run({"PTTL", "c"}), integer(700));
  EXPECT_EQ(run({"EXISTS", "a"}), integer(0));
}

TEST_F(KeysTest, RenamenxOntoExpiredDestination) {
  put("a", "1");
  put("b", "2");
  run({"PEXPIRE", "b", "10"});
  advance_ms(10);
  EXPECT_EQ(run({"RENAMENX", "a", "b"}), integer(1));
  EXPECT_EQ(raw_value("b"), "1");
}

// --- COPY ----------------------------------------------------------------------------------------

TEST_F(KeysTest, CopyString) {
  put("a", "v");
  EXPECT_EQ(run({"COPY", "a", "b"}), integer(1));
  EXPECT_EQ(raw_value("a"), "v");
  EXPECT_EQ(raw_value("b"), "v");
  EXPECT_EQ(run({"COPY", "missing", "c"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "c"}), integer(0));
}

TEST_F(KeysTest, CopyListIsDeep) {
  put_list("l", {"x", "y"});
  EXPECT_EQ(run({"COPY", "l", "m"}), integer(1));
  db().peek("l")->value.list().push_back("z");
  db().peek("m")->value.list().pop_front();
  EXPECT_EQ(raw_value("l"), "x,y,z,");
  EXPECT_EQ(raw_value("m"), "y,");
  EXPECT_TRUE(db().peek("m")->value.list().valid());
}

TEST_F(KeysTest, CopyKeepsTtl) {
  put("a", "v");
  run({"PEXPIRE", "a", "1234"});
  EXPECT_EQ(run({"COPY", "a", "b"}), integer(1));
  EXPECT_EQ(run({"PTTL", "b"}), integer(1234));
  EXPECT_EQ(run({"COPY", "a", "c", "DB", "2"}), integer(1));
  session(0).db = 2;
  EXPECT_EQ(run({"PTTL", "c"}), integer(1234));
  advance_ms(1234);
  EXPECT_EQ(run({"EXISTS", "c"}), integer(0));
}

TEST_F(KeysTest, CopyWithoutReplaceLeavesDestination) {
  put("a", "new");
  put("b", "old");
  EXPECT_EQ(run({"COPY", "a", "b"}), integer(0));
  EXPECT_EQ(raw_value("b"), "old");
  EXPECT_EQ(run({"EXPIRE", "b", "50"}), integer(1));
  EXPECT_EQ(run({"COPY", "a", "b", "replace"}), integer(1));
  EXPECT_EQ(raw_value("b"), "new");
  // The copy has the source's (absent) TTL, not the replaced key's.
  EXPECT_EQ(run({"TTL", "b"}), integer(-1));
}

TEST_F(KeysTest, CopyReplaceAcrossTypes) {
  put_list("l", {"x"});
  put("s", "v");
  EXPECT_EQ(run({"COPY", "l", "s", "REPLACE"}), integer(1));
  EXPECT_EQ(run({"TYPE", "s"}), "+list\r\n");
}

TEST_F(KeysTest, CopyToAnotherDatabase) {
  put("a", "v");
  EXPECT_EQ(run({"COPY", "a", "a", "DB", "1"}), integer(1));
  EXPECT_EQ(raw_value("a", 1), "v");
  put("b", "other", 1);
  EXPECT_EQ(run({"COPY", "a", "b", "db", "1"}), integer(0));
  EXPECT_EQ(run({"COPY", "a", "b", "REPLACE", "DB", "1"}), integer(1));
  EXPECT_EQ(raw_value("b", 1), "v");
  // DB naming the current database is the same database.
  EXPECT_EQ(run({"COPY", "a", "a", "DB", "0"}),
            err("ERR source and destination objects are the same"));
}

TEST_F(KeysTest, CopyErrors) {
  put("a", "v");
  EXPECT_EQ(run({"COPY", "a", "a"}), err("ERR source and destination objects are the same"));
  EXPECT_EQ(run({"COPY", "a", "b", "foo"}), err("ERR syntax error"));
  EXPECT_EQ(run({"COPY", "a", "b", "DB"}), err("ERR syntax error"));
  EXPECT_EQ(run({"COPY", "a", "b", "DB", "x"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"COPY", "a", "b", "DB", "16"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"COPY", "a", "b", "DB", "-1"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"COPY", "a", "b", "DB", "99999999999"}),
            err("ERR value is out of range, value must between -2147483648 and 2147483647"));
  // Options are checked in order: the bad DB comes first here.
  EXPECT_EQ(run({"COPY", "a", "b", "DB", "16", "foo"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"COPY", "a"}), err("ERR wrong number of arguments for 'copy' command"));
  EXPECT_EQ(run({"EXISTS", "b"}), integer(0));
}

// --- MOVE ----------------------------------------------------------------------------------------

TEST_F(KeysTest, MoveToAnotherDatabase) {
  put_list("l", {"x", "y"});
  run({"PEXPIRE", "l", "900"});
  EXPECT_EQ(run({"MOVE", "l", "3"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "l"}), integer(0));
  EXPECT_EQ(raw_value("l", 3), "x,y,");
  session(0).db = 3;
  EXPECT_EQ(run({"PTTL", "l"}), integer(900));
}

TEST_F(KeysTest, MoveRefusesExistingDestinationAndMissingSource) {
  put("a", "here");
  put("a", "there", 1);
  EXPECT_EQ(run({"MOVE", "a", "1"}), integer(0));
  EXPECT_EQ(raw_value("a"), "here");
  EXPECT_EQ(raw_value("a", 1), "there");
  EXPECT_EQ(run({"MOVE", "missing", "1"}), integer(0));
  // An expired key in the destination does not count.
  run({"PEXPIRE", "a", "10"});
  session(0).db = 1;
  run({"PEXPIRE", "a", "5"});
  session(0).db = 0;
  run({"PERSIST", "a"});
  advance_ms(5);
  EXPECT_EQ(run({"MOVE", "a", "1"}), integer(1));
  EXPECT_EQ(raw_value("a", 1), "here");
}

TEST_F(KeysTest, MoveErrors) {
  put("a", "v");
  EXPECT_EQ(run({"MOVE", "a", "0"}), err("ERR source and destination objects are the same"));
  EXPECT_EQ(run({"MOVE", "missing", "0"}), err("ERR source and destination objects are the same"));
  EXPECT_EQ(run({"MOVE", "a", "16"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"MOVE", "a", "-1"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"MOVE", "a", "abc"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"MOVE", "a", "99999999999"}),
            err("ERR value is out of range, value must between -2147483648 and 2147483647"));
  EXPECT_EQ(run({"MOVE", "a"}), err("ERR wrong number of arguments for 'move' command"));
  EXPECT_EQ(raw_value("a"), "v");
}

// --- KEYS ----------------------------------------------------------------------------------------

TEST_F(KeysTest, KeysMatchesGlob) {
  for (std::string_view k : {"hello", "hallo", "hxllo", "hllo", "heeello", "other"}) put(k, "v");
  put_list("hlist", {"x"});
  EXPECT_EQ(
      sorted_bulks(run({"KEYS", "*"})),
      (std::vector<std::string>{"hallo", "heeello", "hello", "hlist", "hllo", "hxllo", "other"}));
  EXPECT_EQ(sorted_bulks(run({"KEYS", "h?llo"})),
            (std::vector<std::string>{"hallo", "hello", "hxllo"}));
  EXPECT_EQ(sorted_bulks(run({"KEYS", "h*llo"})),
            (std::vector<std::string>{"hallo", "heeello", "hello", "hllo", "hxllo"}));
  EXPECT_EQ(sorted_bulks(run({"KEYS", "h[ae]llo"})), (std::vector<std::string>{"hallo", "hello"}));
  EXPECT_EQ(sorted_bulks(run({"KEYS", "h[^e]llo"})), (std::vector<std::string>{"hallo", "hxllo"}));
  EXPECT_EQ(run({"KEYS", "nomatch*"}), "*0\r\n");
  EXPECT_EQ(run({"KEYS", "other"}), array({bulk("other")}));
  EXPECT_EQ(run({"KEYS"}), err("ERR wrong number of arguments for 'keys' command"));
}

TEST_F(KeysTest, KeysEscapes) {
  put("a*b", "v");
  put("axb", "v");
  EXPECT_EQ(run({"KEYS", "a\\*b"}), array({bulk("a*b")}));
}

TEST_F(KeysTest, KeysOnEmptyDatabase) {
  EXPECT_EQ(run({"KEYS", "*"}), "*0\r\n");
  use_resp3();
  EXPECT_EQ(run({"KEYS", "*"}), "*0\r\n");
}

// --- SCAN ----------------------------------------------------------------------------------------

TEST_F(KeysTest, ScanReturnsEveryKey) {
  std::set<std::string> expected;
  for (int i = 0; i < 100; ++i) {
    std::string k = "key:" + std::to_string(i);
    put(k, "v");
    expected.insert(k);
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    ScanPage page = parse_scan(run({"SCAN", cursor}));
    seen.insert(page.keys.begin(), page.keys.end());
    cursor = page.cursor;
    ++calls;
  } while (cursor != "0");
  EXPECT_EQ(seen, expected);
  // COUNT 10 by default: it takes several calls.
  EXPECT_GT(calls, 3);
}

TEST_F(KeysTest, ScanWithLargeCountFinishesInOneCall) {
  for (int i = 0; i < 50; ++i) put("k" + std::to_string(i), "v");
  ScanPage page = parse_scan(run({"SCAN", "0", "COUNT", "1000"}));
  EXPECT_EQ(page.cursor, "0");
  EXPECT_EQ(page.keys.size(), 50u);
}

TEST_F(KeysTest, ScanCountBoundsWork) {
  for (int i = 0; i < 500; ++i) put("k" + std::to_string(i), "v");
  ScanPage page = parse_scan(run({"SCAN", "0", "COUNT", "5"}));
  EXPECT_NE(page.cursor, "0");
  EXPECT_GE(page.keys.size(), 5u);
  // One more bucket than needed at most: chains here are short.
  EXPECT_LT(page.keys.size(), 20u);
}

TEST_F(KeysTest, ScanOnEmptyDatabase) {
  EXPECT_EQ(run({"SCAN", "0"}), array({bulk("0"), "*0\r\n"}));
  use_resp3();
  EXPECT_EQ(run({"SCAN", "0"}), array({bulk("0"), "*0\r\n"}));
}

TEST_F(KeysTest, ScanMatchFiltersAfterCollecting) {
  for (int i = 0; i < 60; ++i) put((i % 3 == 0 ? "user:" : "item:") + std::to_string(i), "v");
  std::set<std::string> seen;
  std::string cursor = "0";
  bool some_page_empty = false;
  do {
    ScanPage page = parse_scan(run({"SCAN", cursor, "MATCH", "user:*", "COUNT", "3"}));
    for (auto& k : page.keys) EXPECT_EQ(k.rfind("user:", 0), 0u) << k;
    if (page.keys.empty()) some_page_empty = true;
    seen.insert(page.keys.begin(), page.keys.end());
    cursor = page.cursor;
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 20u);
  // Filtering happens after collecting, so pages may come back empty mid-iteration.
  EXPECT_TRUE(some_page_empty);
}

TEST_F(KeysTest, ScanMatchStarIsEverything) {
  put("a", "v");
  put("b", "v");
  ScanPage page = parse_scan(run({"SCAN", "0", "match", "*", "count", "100"}));
  EXPECT_EQ(page.keys.size(), 2u);
}

TEST_F(KeysTest, ScanType) {
  put("s1", "v");
  put("s2", "v");
  put_list("l1", {"x"});
  ScanPage page = parse_scan(run({"SCAN", "0", "TYPE", "list", "COUNT", "100"}));
  EXPECT_EQ(page.keys, std::vector<std::string>{"l1"});
  page = parse_scan(run({"SCAN", "0", "type", "STRING", "COUNT", "100"}));
  std::sort(page.keys.begin(), page.keys.end());
  EXPECT_EQ(page.keys, (std::vector<std::string>{"s1", "s2"}));
  page = parse_scan(run({"SCAN", "0", "TYPE", "hash", "COUNT", "100"}));
  EXPECT_TRUE(page.keys.empty());
  page = parse_scan(run({"SCAN", "0", "TYPE", "list", "MATCH", "s*", "COUNT", "100"}));
  EXPECT_TRUE(page.keys.empty());
}

TEST_F(KeysTest, ScanSkipsAndDeletesExpiredKeys) {
  put("live", "v");
  put("dead1", "v");
  put("dead2", "v");
  run({"PEXPIRE", "dead1", "10"});
  run({"PEXPIRE", "dead2", "10"});
  advance_ms(10);
  EXPECT_EQ(run({"DBSIZE"}), integer(3));
  ScanPage page = parse_scan(run({"SCAN", "0", "COUNT", "100"}));
  EXPECT_EQ(page.keys, std::vector<std::string>{"live"});
  EXPECT_EQ(run({"DBSIZE"}), integer(1));
}

TEST_F(KeysTest, ScanTypeNoneReturnsNothing) {
  // Redis 7.0 returns expired keys for TYPE none (a quirk of its filter order); Basalt does not.
  put("live", "v");
  put("dead", "v");
  run({"PEXPIRE", "dead", "10"});
  advance_ms(10);
  ScanPage page = parse_scan(run({"SCAN", "0", "TYPE", "none", "COUNT", "100"}));
  EXPECT_TRUE(page.keys.empty());
  EXPECT_EQ(run({"DBSIZE"}), integer(1));
}

TEST_F(KeysTest, ScanMatchLeavesNonMatchingExpiredKeys) {
  put("dead", "v");
  run({"PEXPIRE", "dead", "10"});
  advance_ms(10);
  parse_scan(run({"SCAN", "0", "MATCH", "x*", "COUNT", "100"}));
  // As Redis: only keys that passed the pattern are checked for expiry.
  EXPECT_EQ(run({"DBSIZE"}), integer(1));
}

TEST_F(KeysTest, ScanCursorParsing) {
  put("a", "v");
  // strtoul's rules, as Redis's parseScanCursorOrReply.
  EXPECT_EQ(parse_scan(run({"SCAN", ""})).cursor, "0");
  EXPECT_EQ(parse_scan(run({"SCAN", "+0"})).keys, std::vector<std::string>{"a"});
  EXPECT_EQ(parse_scan(run({"SCAN", "-0"})).keys, std::vector<std::string>{"a"});
  EXPECT_EQ(parse_scan(run({"SCAN", "-1"})).cursor, "0");
  EXPECT_EQ(parse_scan(run({"SCAN", "18446744073709551615"})).cursor, "0");
  EXPECT_EQ(parse_scan(run({"SCAN", std::string_view("0\0junk", 6)})).keys,
            std::vector<std::string>{"a"});
  for (std::string_view bad : {"abc", " 1", "1 ", "1a", "-", "+", "0x10", "18446744073709551616",
                               "99999999999999999999999"}) {
    EXPECT_EQ(run({"SCAN", bad}), err("ERR invalid cursor")) << bad;
  }
}

TEST_F(KeysTest, ScanOptionErrors) {
  EXPECT_EQ(run({"SCAN", "0", "COUNT", "0"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SCAN", "0", "COUNT", "-5"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SCAN", "0", "COUNT", "x"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"SCAN", "0", "COUNT"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SCAN", "0", "MATCH"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SCAN", "0", "TYPE"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SCAN", "0", "foo", "bar"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SCAN", "x", "COUNT", "0"}), err("ERR invalid cursor"));
  EXPECT_EQ(run({"SCAN"}), err("ERR wrong number of arguments for 'scan' command"));
  // A huge COUNT is fine.
  EXPECT_EQ(run({"SCAN", "0", "COUNT", "9223372036854775807"}), array({bulk("0"), "*0\r\n"}));
}

// SCAN's guarantee: a key present from the start to the end of a full iteration is returned at
// least once, whatever else is added or deleted between the calls.
TEST_F(KeysTest, ScanGuaranteeUnderChurn) {
  constexpr int kStable = 300;
  std::set<std::string> stable;
  for (int i = 0; i < kStable; ++i) {
    std::string k = "stable:" + std::to_string(i);
    put(k, "v");
    stable.insert(k);
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  int step = 0;
  do {
    ScanPage page = parse_scan(run({"SCAN", cursor, "COUNT", "1"}));
    seen.insert(page.keys.begin(), page.keys.end());
    cursor = page.cursor;
    // Churn: add two keys, delete one added earlier.
    put("tmp:" + std::to_string(2 * step), "v");
    put("tmp:" + std::to_string(2 * step + 1), "v");
    if (step > 3) run({"DEL", "tmp:" + std::to_string(step)});
    ++step;
  } while (cursor != "0");
  for (const std::string& k : stable) EXPECT_TRUE(seen.count(k)) << k;
}

TEST_F(KeysTest, ScanGuaranteeAcrossGrowth) {
  constexpr int kStable = 200;
  std::set<std::string> stable;
  for (int i = 0; i < kStable; ++i) {
    std::string k = "stable:" + std::to_string(i);
    put(k, "v");
    stable.insert(k);
  }
  size_t table_bytes_before = db().memory_usage();
  std::set<std::string> seen;
  std::string cursor = "0";
  int step = 0;
  do {
    ScanPage page = parse_scan(run({"SCAN", cursor, "COUNT", "1"}));
    seen.insert(page.keys.begin(), page.keys.end());
    cursor = page.cursor;
    // A burst that makes the table grow (several times over) while the scan is under way; the
    // incremental rehash is still going on during the following calls.
    if (step == 10 || step == 40) {
      for (int i = 0; i < 3000; ++i)
        put("grow:" + std::to_string(step) + ":" + std::to_string(i), "v");
    }
    ++step;
  } while (cursor != "0");
  EXPECT_GT(db().memory_usage(), table_bytes_before * 8);
  for (const std::string& k : stable) EXPECT_TRUE(seen.count(k)) << k;
}

TEST_F(KeysTest, ScanGuaranteeAcrossShrink) {
  constexpr int kStable = 100;
  std::set<std::string> stable;
  for (int i = 0; i < kStable; ++i) {
    std::string k = "stable:" + std::to_string(i);
    put(k, "v");
    stable.insert(k);
  }
  for (int i = 0; i < 5000; ++i) put("bulk:" + std::to_string(i), "v");
  size_t table_bytes_before = db().memory_usage();
  std::set<std::string> seen;
  std::string cursor = "0";
  int step = 0;
  do {
    ScanPage page = parse_scan(run({"SCAN", cursor, "COUNT", "1"}));
    seen.insert(page.keys.begin(), page.keys.end());
    cursor = page.cursor;
    if (step == 20) {
      // Delete nearly everything; the cron shrinks the table.
      for (int i = 0; i < 5000; ++i) db().erase("bulk:" + std::to_string(i));
      for (int i = 0; i < 5; ++i) engine_->cron();
    }
    ++step;
  } while (cursor != "0");
  EXPECT_LT(db().memory_usage(), table_bytes_before / 8);
  for (const std::string& k : stable) EXPECT_TRUE(seen.count(k)) << k;
}

// --- RANDOMKEY, DBSIZE ---------------------------------------------------------------------------

TEST_F(KeysTest, Randomkey) {
  EXPECT_EQ(run({"RANDOMKEY"}), kNil);
  put("only", "v");
  EXPECT_EQ(run({"RANDOMKEY"}), bulk("only"));
  put("other", "v");
  std::set<std::string> got;
  for (int i = 0; i < 200; ++i) got.insert(run({"RANDOMKEY"}));
  EXPECT_EQ(got, (std::set<std::string>{bulk("only"), bulk("other")}));
  EXPECT_EQ(run({"RANDOMKEY", "x"}), err("ERR wrong number of arguments for 'randomkey' command"));
}

TEST_F(KeysTest, RandomkeySkipsExpiredKeys) {
  put("dead", "v");
  run({"PEXPIRE", "dead", "10"});
  advance_ms(10);
  EXPECT_EQ(run({"RANDOMKEY"}), kNil);
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  use_resp3();
  EXPECT_EQ(run({"RANDOMKEY"}), "_\r\n");
}

TEST_F(KeysTest, DbsizePerDatabase) {
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  put("a", "v");
  put("b", "v");
  put("c", "v", 1);
  EXPECT_EQ(run({"DBSIZE"}), integer(2));
  session(0).db = 1;
  EXPECT_EQ(run({"DBSIZE"}), integer(1));
  EXPECT_EQ(run({"DBSIZE", "x"}), err("ERR wrong number of arguments for 'dbsize' command"));
}

// --- FLUSHDB, FLUSHALL, SWAPDB
// ---------------------------------------------------------------------

TEST_F(KeysTest, FlushdbClearsOnlyTheCurrentDatabase) {
  put("a", "v");
  put_list("l", {"x"});
  run({"EXPIRE", "a", "100"});
  put("b", "v", 1);
  EXPECT_EQ(run({"FLUSHDB"}), kOk);
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  EXPECT_EQ(db().expires(), 0u);
  EXPECT_EQ(raw_value("b", 1), "v");
  put("a", "v");
  EXPECT_EQ(run({"FLUSHDB", "ASYNC"}), kOk);
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  put("a", "v");
  EXPECT_EQ(run({"flushdb", "sync"}), kOk);
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  EXPECT_EQ(run({"FLUSHDB", "foo"}), err("ERR syntax error"));
  EXPECT_EQ(run({"FLUSHDB", "SYNC", "ASYNC"}), err("ERR syntax error"));
}

TEST_F(KeysTest, FlushallClearsEveryDatabase) {
  put("a", "v");
  put("b", "v", 1);
  put("c", "v", 15);
  EXPECT_EQ(run({"FLUSHALL", "foo"}), err("ERR syntax error"));
  EXPECT_EQ(run({"FLUSHALL", "sync", "async"}), err("ERR syntax error"));
  EXPECT_EQ(engine_->store().key_count(), 3u);
  EXPECT_EQ(run({"FLUSHALL"}), kOk);
  EXPECT_EQ(engine_->store().key_count(), 0u);
  put("a", "v");
  EXPECT_EQ(run({"FLUSHALL", "ASYNC"}), kOk);
  put("a", "v");
  EXPECT_EQ(run({"FLUSHALL", "SYNC"}), kOk);
  EXPECT_EQ(engine_->store().key_count(), 0u);
}

TEST_F(KeysTest, SwapdbExchangesContentsAndTtls) {
  put("a", "zero");
  run({"PEXPIRE", "a", "300"});
  put("b", "one", 1);
  EXPECT_EQ(run({"SWAPDB", "0", "1"}), kOk);
  EXPECT_EQ(raw_value("b"), "one");
  EXPECT_EQ(raw_value("a", 1), "zero");
  EXPECT_EQ(run({"EXISTS", "a"}), integer(0));
  session(0).db = 1;
  EXPECT_EQ(run({"PTTL", "a"}), integer(300));
  // The same index twice is allowed and changes nothing.
  EXPECT_EQ(run({"SWAPDB", "1", "1"}), kOk);
  EXPECT_EQ(raw_value("a", 1), "zero");
}

TEST_F(KeysTest, SwapdbErrors) {
  EXPECT_EQ(run({"SWAPDB", "x", "0"}), err("ERR invalid first DB index"));
  EXPECT_EQ(run({"SWAPDB", "0", "x"}), err("ERR invalid second DB index"));
  EXPECT_EQ(run({"SWAPDB", "x", "y"}), err("ERR invalid first DB index"));
  EXPECT_EQ(run({"SWAPDB", "99999999999", "0"}), err("ERR invalid first DB index"));
  EXPECT_EQ(run({"SWAPDB", "0", "99999999999"}), err("ERR invalid second DB index"));
  EXPECT_EQ(run({"SWAPDB", "0", "16"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"SWAPDB", "-1", "0"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"SWAPDB", "0"}), err("ERR wrong number of arguments for 'swapdb' command"));
}

// --- EXPIRE family
// --------------------------------------------------------------------------------

TEST_F(KeysTest, ExpireSetsRelativeTtl) {
  put("a", "v");
  EXPECT_EQ(run({"EXPIRE", "a", "10"}), integer(1));
  EXPECT_EQ(run({"PTTL", "a"}), integer(10'000));
  EXPECT_EQ(run({"PEXPIRE", "a", "2500"}), integer(1));
  EXPECT_EQ(run({"PTTL", "a"}), integer(2500));
  advance_ms(2499);
  EXPECT_EQ(run({"EXISTS", "a"}), integer(1));
  advance_ms(1);
  EXPECT_EQ(run({"EXISTS", "a"}), integer(0));
  EXPECT_EQ(run({"EXPIRE", "a", "10"}), integer(0));
}

TEST_F(KeysTest, ExpireatSetsAbsoluteTime) {
  put("a", "v");
  EXPECT_EQ(run({"EXPIREAT", "a", std::to_string(kStartMs / 1000 + 100)}), integer(1));
  EXPECT_EQ(run({"EXPIRETIME", "a"}), integer(kStartMs / 1000 + 100));
  EXPECT_EQ(run({"PEXPIRETIME", "a"}), integer(kStartMs + 100'000));
  EXPECT_EQ(run({"PEXPIREAT", "a", std::to_string(kStartMs + 1234)}), integer(1));
  EXPECT_EQ(run({"PEXPIRETIME", "a"}), integer(kStartMs + 1234));
  EXPECT_EQ(run({"PTTL", "a"}), integer(1234));
  advance_ms(1234);
  EXPECT_EQ(run({"EXISTS", "a"}), integer(0));
}

TEST_F(KeysTest, ExpireOnMissingKey) {
  EXPECT_EQ(run({"EXPIRE", "missing", "10"}), integer(0));
  EXPECT_EQ(run({"PEXPIRE", "missing", "10"}), integer(0));
  EXPECT_EQ(run({"EXPIREAT", "missing", "1"}), integer(0));
  EXPECT_EQ(run({"PEXPIREAT", "missing", "1"}), integer(0));
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
}

TEST_F(KeysTest, ExpireInThePastDeletesAndReturnsOne) {
  for (std::string_view k : {"a", "b", "c", "d", "e"}) put(k, "v");
  EXPECT_EQ(run({"EXPIRE", "a", "0"}), integer(1));
  EXPECT_EQ(run({"PEXPIRE", "b", "-1"}), integer(1));
  EXPECT_EQ(run({"EXPIREAT", "c", "1"}), integer(1));
  // Exactly now is already past.
  EXPECT_EQ(run({"PEXPIREAT", "d", std::to_string(kStartMs)}), integer(1));
  EXPECT_EQ(run({"EXPIRE", "e", "-9223372036854775"}), integer(1));
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  EXPECT_EQ(db().expires(), 0u);
}

TEST_F(KeysTest, ExpireOnListKey) {
  put_list("l", {"x"});
  EXPECT_EQ(run({"EXPIRE", "l", "1"}), integer(1));
  advance_ms(1000);
  EXPECT_EQ(run({"TYPE", "l"}), "+none\r\n");
}

TEST_F(KeysTest, ExpireOverflow) {
  put("a", "v");
  EXPECT_EQ(run({"EXPIRE", "a", "9223372036854775807"}),
            err("ERR invalid expire time in 'expire' command"));
  // Fits in ms, but adding the current time overflows.
  EXPECT_EQ(run({"EXPIRE", "a", "9223372036854775"}),
            err("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(run({"EXPIRE", "a", "-9223372036854775808"}),
            err("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(run({"PEXPIRE", "a", "9223372036854775807"}),
            err("ERR invalid expire time in 'pexpire' command"));
  EXPECT_EQ(run({"EXPIREAT", "a", "9223372036854775807"}),
            err("ERR invalid expire time in 'expireat' command"));
  EXPECT_EQ(run({"TTL", "a"}), integer(-1));
  // PEXPIREAT needs no conversion at all: the largest time is valid.
  EXPECT_EQ(run({"PEXPIREAT", "a", "9223372036854775807"}), integer(1));
  EXPECT_EQ(run({"PEXPIRETIME", "a"}), integer(INT64_MAX));
  EXPECT_EQ(run({"PTTL", "a"}), integer(INT64_MAX - kStartMs));
  EXPECT_EQ(run({"TTL", "a"}), integer((INT64_MAX - kStartMs + 500) / 1000));
  // Seconds round up from the half: (ms + 500) / 1000.
  EXPECT_EQ(run({"EXPIRETIME", "a"}), integer((INT64_MAX - 500) / 1000 + 1));
}

TEST_F(KeysTest, ExpireErrors) {
  put("a", "v");
  EXPECT_EQ(run({"EXPIRE", "a", "abc"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"EXPIRE", "a", "1.5"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"PEXPIREAT", "a", ""}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"EXPIRE", "a", "10", "foo"}), err("ERR Unsupported option foo"));
  // Options are checked before the number, and before looking at the key.
  EXPECT_EQ(run({"EXPIRE", "missing", "abc", "foo"}), err("ERR Unsupported option foo"));
  EXPECT_EQ(run({"EXPIRE", "a", "10", "f\r\no"}), err("ERR Unsupported option f  o"));
  const std::string nx_error =
      err("ERR NX and XX, GT or LT options at the same time are not compatible");
  const std::string gt_lt_error = err("ERR GT and LT options at the same time are not compatible");
  EXPECT_EQ(run({"EXPIRE", "a", "10", "NX", "XX"}), nx_error);
  EXPECT_EQ(run({"PEXPIRE", "a", "10", "nx", "gt"}), nx_error);
  EXPECT_EQ(run({"EXPIREAT", "a", "10", "LT", "NX"}), nx_error);
  EXPECT_EQ(run({"PEXPIREAT", "missing", "abc", "NX", "XX"}), nx_error);
  EXPECT_EQ(run({"EXPIRE", "a", "10", "GT", "LT"}), gt_lt_error);
  EXPECT_EQ(run({"EXPIRE", "a", "10", "XX", "GT", "LT"}), gt_lt_error);
  EXPECT_EQ(run({"EXPIRE", "a"}), err("ERR wrong number of arguments for 'expire' command"));
  EXPECT_EQ(run({"PEXPIRE", "a"}), err("ERR wrong number of arguments for 'pexpire' command"));
  EXPECT_EQ(run({"EXPIREAT", "a"}), err("ERR wrong number of arguments for 'expireat' command"));
  EXPECT_EQ(run({"PEXPIREAT", "a"}), err("ERR wrong number of arguments for 'pexpireat' command"));
  EXPECT_EQ(run({"TTL", "a"}), integer(-1));
}

TEST_F(KeysTest, ExpireNxXx) {
  put("a", "v");
  EXPECT_EQ(run({"EXPIRE", "a", "100", "XX"}), integer(0));
  EXPECT_EQ(run({"TTL", "a"}), integer(-1));
  EXPECT_EQ(run({"EXPIRE", "a", "100", "NX"}), integer(1));
  EXPECT_EQ(run({"EXPIRE", "a", "200", "nx"}), integer(0));
  EXPECT_EQ(run({"TTL", "a"}), integer(100));
  EXPECT_EQ(run({"EXPIRE", "a", "200", "xx"}), integer(1));
  EXPECT_EQ(run({"TTL", "a"}), integer(200));
  // Repeating an option is allowed.
  EXPECT_EQ(run({"EXPIRE", "a", "300", "XX", "XX"}), integer(1));
}

TEST_F(KeysTest, ExpireGtLt) {
  put("a", "v");
  // No TTL counts as infinite: GT never holds, LT always does.
  EXPECT_EQ(run({"EXPIRE", "a", "100", "GT"}), integer(0));
  EXPECT_EQ(run({"TTL", "a"}), integer(-1));
  EXPECT_EQ(run({"EXPIRE", "a", "100", "LT"}), integer(1));
  EXPECT_EQ(run({"TTL", "a"}), integer(100));
  EXPECT_EQ(run({"EXPIRE", "a", "50", "GT"}), integer(0));
  EXPECT_EQ(run({"EXPIRE", "a", "100", "GT"}), integer(0));
  EXPECT_EQ(run({"EXPIRE", "a", "150", "gt"}), integer(1));
  EXPECT_EQ(run({"TTL", "a"}), integer(150));
  EXPECT_EQ(run({"EXPIRE", "a", "200", "LT"}), integer(0));
  EXPECT_EQ(run({"EXPIRE", "a", "150", "LT"}), integer(0));
  EXPECT_EQ(run({"EXPIRE", "a", "20", "lt"}), integer(1));
  EXPECT_EQ(run({"TTL", "a"}), integer(20));
  EXPECT_EQ(run({"EXPIRE", "a", "30", "XX", "GT"}), integer(1));
  EXPECT_EQ(run({"TTL", "a"}), integer(30));
  EXPECT_EQ(run({"PERSIST", "a"}), integer(1));
  EXPECT_EQ(run({"EXPIRE", "a", "30", "XX", "LT"}), integer(0));
  // LT with a time in the past on a key without TTL deletes it.
  EXPECT_EQ(run({"EXPIRE", "a", "-1", "LT"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "a"}), integer(0));
}

TEST_F(KeysTest, TtlReplies) {
  EXPECT_EQ(run({"TTL", "missing"}), integer(-2));
  EXPECT_EQ(run({"PTTL", "missing"}), integer(-2));
  EXPECT_EQ(run({"EXPIRETIME", "missing"}), integer(-2));
  EXPECT_EQ(run({"PEXPIRETIME", "missing"}), integer(-2));
  put("a", "v");
  EXPECT_EQ(run({"TTL", "a"}), integer(-1));
  EXPECT_EQ(run({"PTTL", "a"}), integer(-1));
  EXPECT_EQ(run({"EXPIRETIME", "a"}), integer(-1));
  EXPECT_EQ(run({"PEXPIRETIME", "a"}), integer(-1));
  EXPECT_EQ(run({"TTL"}), err("ERR wrong number of arguments for 'ttl' command"));
  EXPECT_EQ(run({"PTTL", "a", "b"}), err("ERR wrong number of arguments for 'pttl' command"));
  EXPECT_EQ(run({"EXPIRETIME"}), err("ERR wrong number of arguments for 'expiretime' command"));
  EXPECT_EQ(run({"PEXPIRETIME"}), err("ERR wrong number of arguments for 'pexpiretime' command"));
}

TEST_F(KeysTest, TtlRoundsToNearestSecond) {
  put("a", "v");
  run({"PEXPIRE", "a", "1499"});
  EXPECT_EQ(run({"TTL", "a"}), integer(1));
  run({"PEXPIRE", "a", "1500"});
  EXPECT_EQ(run({"TTL", "a"}), integer(2));
  run({"PEXPIRE", "a", "499"});
  EXPECT_EQ(run({"TTL", "a"}), integer(0));
  EXPECT_EQ(run({"PTTL", "a"}), integer(499));
  advance_ms(498);
  EXPECT_EQ(run({"PTTL", "a"}), integer(1));
  advance_ms(1);
  EXPECT_EQ(run({"PTTL", "a"}), integer(-2));
  EXPECT_EQ(run({"TTL", "a"}), integer(-2));
  // Absolute times round the same way.
  put("b", "v");
  run({"PEXPIREAT", "b", std::to_string(ms_from_start(10'499))});
  EXPECT_EQ(run({"EXPIRETIME", "b"}), integer(kStartMs / 1000 + 10));
  run({"PEXPIREAT", "b", std::to_string(ms_from_start(10'500))});
  EXPECT_EQ(run({"EXPIRETIME", "b"}), integer(kStartMs / 1000 + 11));
}

TEST_F(KeysTest, Persist) {
  put("a", "v");
  EXPECT_EQ(run({"PERSIST", "a"}), integer(0));
  EXPECT_EQ(run({"PERSIST", "missing"}), integer(0));
  run({"EXPIRE", "a", "10"});
  EXPECT_EQ(db().expires(), 1u);
  EXPECT_EQ(run({"PERSIST", "a"}), integer(1));
  EXPECT_EQ(run({"TTL", "a"}), integer(-1));
  EXPECT_EQ(db().expires(), 0u);
  advance_ms(20'000);
  EXPECT_EQ(run({"EXISTS", "a"}), integer(1));
  EXPECT_EQ(run({"PERSIST"}), err("ERR wrong number of arguments for 'persist' command"));
}

// --- Expiry as every command sees it
// --------------------------------------------------------------

TEST_F(KeysTest, ExpiredKeyDisappearsEverywhere) {
  put("gone", "v");
  put("kept", "v");
  run({"PEXPIRE", "gone", "100"});
  advance_ms(100);
  // Nothing has touched the key yet: it still occupies the table, as in Redis.
  EXPECT_EQ(run({"DBSIZE"}), integer(2));
  EXPECT_EQ(run({"KEYS", "*"}), array({bulk("kept")}));
  EXPECT_EQ(run({"DBSIZE"}), integer(2));
  EXPECT_EQ(parse_scan(run({"SCAN", "0", "MATCH", "k*", "COUNT", "100"})).keys,
            std::vector<std::string>{"kept"});
  EXPECT_EQ(run({"TYPE", "gone"}), "+none\r\n");
  EXPECT_EQ(run({"DBSIZE"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "gone"}), integer(0));
  EXPECT_EQ(run({"TTL", "gone"}), integer(-2));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "gone"}), kNil);
  EXPECT_EQ(run({"COPY", "gone", "x"}), integer(0));
  EXPECT_EQ(run({"PERSIST", "gone"}), integer(0));
}

TEST_F(KeysTest, ExpiredKeyIsGoneForGet) {
  if (engine_->commands().find("get") == nullptr) GTEST_SKIP() << "GET not registered yet";
  put("a", "v");
  run({"PEXPIRE", "a", "100"});
  EXPECT_EQ(run({"GET", "a"}), bulk("v"));
  advance_ms(100);
  EXPECT_EQ(run({"GET", "a"}), kNil);
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
}

TEST_F(KeysTest, ExpiredKeyCountsUntilAccessed) {
  for (int i = 0; i < 10; ++i) {
    put("k" + std::to_string(i), "v");
    run({"PEXPIRE", "k" + std::to_string(i), "50"});
  }
  advance_ms(50);
  EXPECT_EQ(run({"DBSIZE"}), integer(10));
  EXPECT_EQ(run({"EXISTS", "k0", "k1", "k2"}), integer(0));
  EXPECT_EQ(run({"DBSIZE"}), integer(7));
}

TEST_F(KeysTest, ActiveExpiryReclaimsKeysNobodyReads) {
  for (int i = 0; i < 500; ++i) {
    put("ttl:" + std::to_string(i), "v");
    run({"PEXPIRE", "ttl:" + std::to_string(i), "1000"});
  }
  for (int i = 0; i < 50; ++i) put("plain:" + std::to_string(i), "v");
  put("later", "v");
  run({"PEXPIRE", "later", "5000"});
  put("other-db", "v", 4);
  session(0).db = 4;
  run({"PEXPIRE", "other-db", "1000"});
  session(0).db = 0;

  engine_->cron();
  EXPECT_EQ(run({"DBSIZE"}), integer(551));
  advance_ms(1000);
  EXPECT_EQ(run({"DBSIZE"}), integer(551));
  for (int i = 0; i < 10; ++i) engine_->cron();
  EXPECT_EQ(run({"DBSIZE"}), integer(51));
  EXPECT_EQ(db().expires(), 1u);
  EXPECT_EQ(db(4).size(), 0u);
  EXPECT_EQ(run({"TTL", "later"}), integer(4));
}

// --- WATCH invalidation
// ----------------------------------------------------------------------------

TEST_F(KeysTest, WritesInvalidateWatchers) {
  struct Case {
    std::vector<std::string_view> command;
    std::string_view watched;
    bool dirties;
  };
  const std::vector<Case> cases = {
      {{"DEL", "a"}, "a", true},
      {{"DEL", "missing"}, "missing", false},
      {{"UNLINK", "a"}, "a", true},
      {{"EXPIRE", "a", "100"}, "a", true},
      {{"EXPIRE", "a", "100", "XX"}, "a", false},
      {{"EXPIRE", "missing", "100"}, "missing", false},
      {{"PEXPIRE", "a", "-1"}, "a", true},
      {{"EXPIREAT", "a", "1"}, "a", true},
      {{"PEXPIREAT", "a", "9999999999999"}, "a", true},
      {{"PERSIST", "a"}, "a", false},
      {{"PERSIST", "t"}, "t", true},
      {{"RENAME", "a", "b"}, "a", true},
      {{"RENAME", "a", "b"}, "b", true},
      {{"RENAME", "a", "a"}, "a", false},
      {{"RENAMENX", "a", "t"}, "t", false},
      {{"RENAMENX", "a", "b"}, "b", true},
      {{"COPY", "a", "b"}, "b", true},
      {{"COPY", "a", "b"}, "a", false},
      {{"COPY", "a", "t"}, "t", false},
      {{"COPY", "a", "t", "REPLACE"}, "t", true},
      {{"MOVE", "a", "1"}, "a", true},
      {{"MOVE", "t", "1"}, "t", false},  // t exists in db 1 too
      {{"FLUSHDB"}, "a", true},
      {{"FLUSHDB"}, "missing", false},
      {{"FLUSHALL"}, "t", true},
      {{"EXISTS", "a"}, "a", false},
      {{"TYPE", "a"}, "a", false},
      {{"TTL", "t"}, "t", false},
      {{"TOUCH", "a"}, "a", false},
      {{"KEYS", "*"}, "a", false},
      {{"SCAN", "0"}, "a", false},
      {{"OBJECT", "ENCODING", "a"}, "a", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.command[0]) + " watching " + std::string(c.watched));
    run({"FLUSHALL"});
    put("a", "v");
    put("t", "v");
    put("t", "v", 1);
    run({"EXPIRE", "t", "100"});
    watch(1, c.watched);
    EXPECT_FALSE(dirty(1));
    std::string reply = run(c.command);
    EXPECT_NE(reply[0], '-') << reply;
    EXPECT_EQ(dirty(1), c.dirties);
    reset_watch(1);
  }
}

TEST_F(KeysTest, MoveAndCopyInvalidateWatchersOfTheDestinationDatabase) {
  put("a", "v");
  watch(1, "a", 2);
  EXPECT_EQ(run({"MOVE", "a", "2"}), integer(1));
  EXPECT_TRUE(dirty(1));
  reset_watch(1);
  watch(1, "c", 3);
  session(0).db = 2;
  EXPECT_EQ(run({"COPY", "a", "c", "DB", "3"}), integer(1));
  EXPECT_TRUE(dirty(1));
}

TEST_F(KeysTest, LazyExpiryInvalidatesWatchers) {
  put("a", "v");
  run({"PEXPIRE", "a", "10"});
  watch(1, "a");
  advance_ms(10);
  EXPECT_EQ(run({"EXISTS", "a"}), integer(0));
  EXPECT_TRUE(dirty(1));
}

TEST_F(KeysTest, SwapdbInvalidatesWatchersOnEitherSide) {
  // Watched in db 0; the key exists only in db 0 before the swap (only in db 1 after).
  put("k", "v");
  watch(1, "k");
  EXPECT_EQ(run({"SWAPDB", "0", "1"}), kOk);
  EXPECT_TRUE(dirty(1));
  reset_watch(1);
  run({"FLUSHALL"});
  // Watched in db 0; the key exists only in db 1 before the swap.
  put("k", "v", 1);
  watch(1, "k");
  EXPECT_EQ(run({"SWAPDB", "0", "1"}), kOk);
  EXPECT_TRUE(dirty(1));
  reset_watch(1);
  run({"FLUSHALL"});
  // Neither side has it.
  watch(1, "k");
  EXPECT_EQ(run({"SWAPDB", "0", "1"}), kOk);
  EXPECT_FALSE(dirty(1));
}

// --- Clients blocked on lists
// ---------------------------------------------------------------------

class KeysBlockingTest : public KeysTest {
 protected:
  void SetUp() override {
    KeysTest::SetUp();
    if (engine_->commands().find("blpop") == nullptr) GTEST_SKIP() << "BLPOP not registered yet";
  }
};

TEST_F(KeysBlockingTest, RenameWakesClientBlockedOnTheNewName) {
  EXPECT_EQ(run({"BLPOP", "dst", "0"}, 1), "");
  put_list("src", {"x"});
  EXPECT_EQ(run({"RENAME", "src", "dst"}), kOk);
  EXPECT_EQ(client(1).take(), array({bulk("dst"), bulk("x")}));
}

TEST_F(KeysBlockingTest, CopyAndMoveWakeBlockedClients) {
  EXPECT_EQ(run({"BLPOP", "dst", "0"}, 1), "");
  put_list("src", {"x"});
  EXPECT_EQ(run({"COPY", "src", "dst"}), integer(1));
  EXPECT_EQ(client(1).take(), array({bulk("dst"), bulk("x")}));
  session(1).db = 5;
  EXPECT_EQ(run({"BLPOP", "src", "0"}, 1), "");
  EXPECT_EQ(run({"MOVE", "src", "5"}), integer(1));
  EXPECT_EQ(client(1).take(), array({bulk("src"), bulk("x")}));
}

TEST_F(KeysBlockingTest, SwapdbWakesClientWhoseListAppears) {
  session(1).db = 0;
  EXPECT_EQ(run({"BLPOP", "q", "0"}, 1), "");
  put_list("q", {"job"}, 7);
  EXPECT_EQ(run({"SWAPDB", "0", "7"}), kOk);
  EXPECT_EQ(client(1).take(), array({bulk("q"), bulk("job")}));
}

// --- OBJECT
// ----------------------------------------------------------------------------------------

TEST_F(KeysTest, ObjectEncoding) {
  put("int", "12345");
  put("neg", "-7");
  put("padded", "012");
  put("short", "hello");
  put("embstr44", std::string(44, 'x'));
  put("raw45", std::string(45, 'x'));
  put_list("list", {"a"});
  EXPECT_EQ(run({"OBJECT", "ENCODING", "int"}), bulk("int"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "neg"}), bulk("int"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "padded"}), bulk("embstr"));
  EXPECT_EQ(run({"object", "encoding", "short"}), bulk("embstr"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "embstr44"}), bulk("embstr"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "raw45"}), bulk("raw"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "list"}), bulk("quicklist"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "missing"}), kNil);
  // Changed in place: "raw" at any length, as Redis's unshared sds; SET makes it an int again.
  EXPECT_EQ(run({"SETRANGE", "int", "0", ""}), integer(5));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "int"}), bulk("int"));
  EXPECT_EQ(run({"SETRANGE", "int", "0", "9"}), integer(5));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "int"}), bulk("raw"));
  EXPECT_EQ(run({"APPEND", "short", "!"}), integer(6));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "short"}), bulk("raw"));
  EXPECT_EQ(run({"SET", "int", "92345"}), kOk);
  EXPECT_EQ(run({"OBJECT", "ENCODING", "int"}), bulk("int"));
  use_resp3();
  EXPECT_EQ(run({"OBJECT", "ENCODING", "missing"}), "_\r\n");
  EXPECT_EQ(run({"OBJECT", "ENCODING", "int"}), bulk("int"));
}

TEST_F(KeysTest, ObjectRefcountIdletimeFreq) {
  put("a", "v");
  EXPECT_EQ(run({"OBJECT", "REFCOUNT", "a"}), integer(1));
  EXPECT_EQ(run({"OBJECT", "REFCOUNT", "missing"}), kNil);
  // Under the default policy (noeviction) the idle time is tracked, as in Redis.
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "a"}), integer(0));
  advance_ms(3000);
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "a"}), integer(3));
  EXPECT_EQ(run({"OBJECT", "IDLETIME", "missing"}), kNil);
  EXPECT_EQ(run({"OBJECT", "FREQ", "a"}),
            err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                "Please note that when switching between policies at runtime LRU and LFU data "
                "will take some time to adjust."));
  EXPECT_EQ(run({"OBJECT", "FREQ", "missing"}), kNil);
  use_resp3();
  EXPECT_EQ(run({"OBJECT", "REFCOUNT", "missing"}), "_\r\n");
}

TEST_F(KeysTest, ObjectHelpAndErrors) {
  const std::string help =
      "*15\r\n"
      "+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
      "+ENCODING <key>\r\n"
      "+    Return the kind of internal representation used in order to store the value\r\n"
      "+    associated with a <key>.\r\n"
      "+FREQ <key>\r\n"
      "+    Return the access frequency index of the <key>. The returned integer is\r\n"
      "+    proportional to the logarithm of the recent access frequency of the key.\r\n"
      "+IDLETIME <key>\r\n"
      "+    Return the idle time of the <key>, that is the approximated number of\r\n"
      "+    seconds elapsed since the last access to the key.\r\n"
      "+REFCOUNT <key>\r\n"
      "+    Return the number of references of the value associated with the specified\r\n"
      "+    <key>.\r\n"
      "+HELP\r\n"
      "+    Prints this help.\r\n";
  EXPECT_EQ(run({"OBJECT", "HELP"}), help);
  EXPECT_EQ(run({"object", "help"}), help);
  EXPECT_EQ(run({"OBJECT"}), err("ERR wrong number of arguments for 'object' command"));
  EXPECT_EQ(run({"OBJECT", "foo"}), err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  EXPECT_EQ(run({"OBJECT", "ENCODING"}),
            err("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "a", "b"}),
            err("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_EQ(run({"OBJECT", "HELP", "x"}),
            err("ERR wrong number of arguments for 'object|help' command"));
}

// --- MEMORY
// ----------------------------------------------------------------------------------------

TEST_F(KeysTest, MemoryUsage) {
  put("small", "v");
  put("big", std::string(10'000, 'x'));
  put_list("list", {"a", "b", "c"});
  for (std::string_view k : {"small", "big", "list"}) {
    EXPECT_EQ(run({"MEMORY", "USAGE", k}),
              integer(static_cast<int64_t>(db().peek(k)->memory_usage())))
        << k;
  }
  // The entry header and key are always counted; a long string adds its buffer.
  EXPECT_GE(db().peek("small")->memory_usage(), sizeof(Entry));
  EXPECT_GT(db().peek("big")->memory_usage(), 10'000u);
  EXPECT_EQ(run({"MEMORY", "USAGE", "missing"}), kNil);
  use_resp3();
  EXPECT_EQ(run({"MEMORY", "USAGE", "missing"}), "_\r\n");
}

TEST_F(KeysTest, MemoryUsageGrowsWithTheList) {
  put_list("list", {"a"});
  std::string before = run({"MEMORY", "USAGE", "list"});
  for (int i = 0; i < 5000; ++i) db().peek("list")->value.list().push_back("element");
  std::string after = run({"MEMORY", "USAGE", "list"});
  EXPECT_GT(std::stoll(after.substr(1)), std::stoll(before.substr(1)) + 5000 * 7);
}

TEST_F(KeysTest, MemoryUsageSamples) {
  put("a", "v");
  std::string usage = integer(static_cast<int64_t>(db().peek("a")->memory_usage()));
  EXPECT_EQ(run({"MEMORY", "USAGE", "a", "SAMPLES", "5"}), usage);
  EXPECT_EQ(run({"MEMORY", "USAGE", "a", "samples", "0"}), usage);
  EXPECT_EQ(run({"MEMORY", "USAGE", "a", "SAMPLES", "1", "SAMPLES", "2"}), usage);
  EXPECT_EQ(run({"MEMORY", "USAGE", "a", "SAMPLES"}), err("ERR syntax error"));
  EXPECT_EQ(run({"MEMORY", "USAGE", "a", "SAMPLES", "-1"}), err("ERR syntax error"));
  EXPECT_EQ(run({"MEMORY", "USAGE", "a", "SAMPLES", "x"}),
            err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"MEMORY", "USAGE", "a", "foo"}), err("ERR syntax error"));
  // Options are checked even for a missing key.
  EXPECT_EQ(run({"MEMORY", "USAGE", "missing", "foo"}), err("ERR syntax error"));
  EXPECT_EQ(run({"MEMORY", "USAGE"}),
            err("ERR wrong number of arguments for 'memory|usage' command"));
}

TEST_F(KeysTest, MemoryUsageSeesExpiredKeysAsRedisDoes) {
  // Redis's MEMORY USAGE reads the table directly, without lazy expiry.
  put("a", "v");
  run({"PEXPIRE", "a", "10"});
  advance_ms(10);
  EXPECT_EQ(run({"MEMORY", "USAGE", "a"}),
            integer(static_cast<int64_t>(db().peek("a")->memory_usage())));
  EXPECT_EQ(run({"DBSIZE"}), integer(1));
}

TEST_F(KeysTest, MemoryHelpAndErrors) {
  EXPECT_EQ(run({"MEMORY", "HELP"}),
            "*14\r\n"
            "+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+DOCTOR\r\n"
            "+    Return memory problems reports.\r\n"
            "+MALLOC-STATS\r\n"
            "+    Return internal statistics report from the memory allocator.\r\n"
            "+PURGE\r\n"
            "+    Attempt to purge dirty pages for reclamation by the allocator.\r\n"
            "+STATS\r\n"
            "+    Return information about the memory usage of the server.\r\n"
            "+USAGE <key> [SAMPLES <count>]\r\n"
            "+    Return memory in bytes used by <key> and its value. SAMPLES is accepted for\r\n"
            "+    compatibility: the count is always exact.\r\n"
            "+HELP\r\n"
            "+    Prints this help.\r\n");
  EXPECT_EQ(run({"MEMORY"}), err("ERR wrong number of arguments for 'memory' command"));
  EXPECT_EQ(run({"MEMORY", "NOPE"}), err("ERR unknown subcommand 'NOPE'. Try MEMORY HELP."));
  EXPECT_EQ(run({"MEMORY", "PURGE", "x"}),
            err("ERR wrong number of arguments for 'memory|purge' command"));
  EXPECT_EQ(run({"MEMORY", "PURGE"}), kOk);
  // A standalone server: a master with no replicas (MEMORY DOCTOR: MemoryDoctorTest).
  EXPECT_EQ(run({"ROLE"}), "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
}

// WAIT as Redis answers with no replica connected (redis-server 7.0.15's replies).
TEST_F(KeysTest, WaitWithNoReplicas) {
  EXPECT_EQ(run({"WAIT", "0", "0"}), integer(0));
  EXPECT_EQ(run({"WAIT", "-1", "0"}), integer(0));
  EXPECT_EQ(run({"WAIT", "x", "1"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"WAIT", "1", "-1"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"WAIT", "1", "1.5"}), err("ERR timeout is not an integer or out of range"));
  // One replica wanted: none comes, so 0 when the timeout ends.
  EXPECT_EQ(run({"WAIT", "1", "100"}, 1), "");
  advance_ms(99);
  EXPECT_EQ(client(1).take(), "");
  advance_ms(1);
  EXPECT_EQ(client(1).take(), integer(0));
  // 0 waits until CLIENT UNBLOCK (TIMEOUT: the count so far; ERROR: Redis's error).
  EXPECT_EQ(run({"WAIT", "2", "0"}, 1), "");
  advance_ms(1'000'000);
  EXPECT_EQ(client(1).take(), "");
  const std::string id = std::to_string(client(1).session->id);
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", id}), integer(1));
  EXPECT_EQ(client(1).take(), integer(0));
  EXPECT_EQ(run({"WAIT", "2", "0"}, 1), "");
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", id, "ERROR"}), integer(1));
  EXPECT_EQ(client(1).take(), err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
  // Inside MULTI it cannot block.
  run({"MULTI"});
  EXPECT_EQ(run({"WAIT", "1", "0"}), "+QUEUED\r\n");
  EXPECT_EQ(run({"EXEC"}), array({integer(0)}));
}

// --- The command table
// ----------------------------------------------------------------------------

TEST_F(KeysTest, CommandRowsMatchRedis) {
  // From tests/differential/reference/command_info.json (redis-server 7.0.15).
  struct Row {
    std::string_view name;
    int arity;
    std::string_view flags;
    int first, last, step;
    std::string_view acl;
  };
  const Row rows[] = {
      {"del", -2, "write", 1, -1, 1, "@keyspace @write @slow"},
      {"unlink", -2, "write fast", 1, -1, 1, "@keyspace @write @fast"},
      {"exists", -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast"},
      {"touch", -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast"},
      {"type", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast"},
      {"rename", 3, "write", 1, 2, 1, "@keyspace @write @slow"},
      {"renamenx", 3, "write fast", 1, 2, 1, "@keyspace @write @fast"},
      {"copy", -3, "write denyoom", 1, 2, 1, "@keyspace @write @slow"},
      {"move", 3, "write fast", 1, 1, 1, "@keyspace @write @fast"},
      {"keys", 2, "readonly", 0, 0, 0, "@keyspace @read @slow @dangerous"},
      {"scan", -2, "readonly", 0, 0, 0, "@keyspace @read @slow"},
      {"randomkey", 1, "readonly", 0, 0, 0, "@keyspace @read @slow"},
      {"dbsize", 1, "readonly fast", 0, 0, 0, "@keyspace @read @fast"},
      {"flushdb", -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous"},
      {"flushall", -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous"},
      {"swapdb", 3, "write fast", 0, 0, 0, "@keyspace @write @fast @dangerous"},
      {"expire", -3, "write fast", 1, 1, 1, "@keyspace @write @fast"},
      {"pexpire", -3, "write fast", 1, 1, 1, "@keyspace @write @fast"},
      {"expireat", -3, "write fast", 1, 1, 1, "@keyspace @write @fast"},
      {"pexpireat", -3, "write fast", 1, 1, 1, "@keyspace @write @fast"},
      {"ttl", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast"},
      {"pttl", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast"},
      {"expiretime", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast"},
      {"pexpiretime", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast"},
      {"persist", 2, "write fast", 1, 1, 1, "@keyspace @write @fast"},
      {"object", -2, "", 0, 0, 0, "@slow"},
      {"memory", -2, "", 0, 0, 0, "@slow"},
      {"object|encoding", 3, "readonly", 2, 2, 1, "@keyspace @read @slow"},
      {"object|freq", 3, "readonly", 2, 2, 1, "@keyspace @read @slow"},
      {"object|idletime", 3, "readonly", 2, 2, 1, "@keyspace @read @slow"},
      {"object|refcount", 3, "readonly", 2, 2, 1, "@keyspace @read @slow"},
      {"object|help", 2, "loading stale", 0, 0, 0, "@keyspace @slow"},
      {"memory|help", 2, "loading stale", 0, 0, 0, "@slow"},
      {"memory|usage", -3, "readonly", 2, 2, 1, "@read @slow"},
  };
  auto join = [](const auto& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + std::string(w);
    return out;
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const Command* cmd = nullptr;
    if (size_t bar = row.name.find('|'); bar != std::string_view::npos) {
      const Command* container = engine_->commands().find(row.name.substr(0, bar));
      ASSERT_NE(container, nullptr);
      cmd = container->find_subcommand(row.name.substr(bar + 1));
    } else {
      cmd = engine_->commands().find(row.name);
    }
    ASSERT_NE(cmd, nullptr);
    EXPECT_EQ(cmd->full_name, row.name);
    EXPECT_EQ(cmd->spec.arity, row.arity);
    EXPECT_EQ(join(flag_names(cmd->spec.flags)), row.flags);
    EXPECT_EQ(cmd->spec.first_key, row.first);
    EXPECT_EQ(cmd->spec.last_key, row.last);
    EXPECT_EQ(cmd->spec.step, row.step);
    EXPECT_EQ(join(acl_category_names(cmd->acl_categories)), row.acl);
    EXPECT_FALSE(cmd->spec.summary.empty());
  }
}

}  // namespace
}  // namespace basalt::testing

namespace basalt::testing {
namespace {

// DUMP's payload goes back in with RESTORE, with its TTL relative, absolute or none; an existing
// key needs REPLACE; a TTL already past restores nothing.
TEST_F(EngineTest, DumpRestoreRoundTrips) {
  run({"RPUSH", "l", "a", "12", "c"});
  run({"SET", "s", std::string(100, 'z')});
  auto payload = [&](std::string_view key) {
    std::string reply = run({"DUMP", key});
    size_t header = reply.find("\r\n");
    return reply.substr(header + 2, reply.size() - header - 4);
  };
  const std::string list = payload("l"), str = payload("s");
  EXPECT_EQ(run({"RESTORE", "l", "0", list}), err("BUSYKEY Target key name already exists."));
  EXPECT_EQ(run({"RESTORE", "l2", "0", list}), kOk);
  EXPECT_EQ(run({"LRANGE", "l2", "0", "-1"}), array({bulk("a"), bulk("12"), bulk("c")}));
  EXPECT_EQ(run({"TTL", "l2"}), integer(-1));
  EXPECT_EQ(run({"RESTORE", "l", "5000", str, "REPLACE"}), kOk);
  EXPECT_EQ(run({"GET", "l"}), bulk(std::string(100, 'z')));
  EXPECT_EQ(run({"PTTL", "l"}), integer(5000));
  const std::string at = std::to_string(clock_.now_ms() + 9000);
  EXPECT_EQ(run({"RESTORE", "abs", at, str, "ABSTTL"}), kOk);
  EXPECT_EQ(run({"PTTL", "abs"}), integer(9000));
  // A time in the past: the old key goes, nothing is created, and the reply is still OK.
  EXPECT_EQ(run({"RESTORE", "abs", "1", str, "ABSTTL", "REPLACE"}), kOk);
  EXPECT_EQ(run({"EXISTS", "abs"}), integer(0));
  EXPECT_EQ(run({"DUMP", "nothing"}), kNil);
  std::string corrupt = str;
  corrupt[corrupt.size() - 1] ^= 1;
  EXPECT_EQ(run({"RESTORE", "x", "0", corrupt}),
            err("ERR DUMP payload version or checksum are wrong"));
  EXPECT_EQ(run({"RESTORE", "x", "-5", str}), err("ERR Invalid TTL value, must be >= 0"));
  EXPECT_EQ(run({"RESTORE", "x", "0", str, "IDLETIME", "1", "FREQ", "2"}), err("ERR syntax error"));
}

}  // namespace
}  // namespace basalt::testing
