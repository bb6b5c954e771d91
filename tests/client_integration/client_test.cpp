// Every public method of the sync client, against the real basalt-server and a real
// redis-server: the same tests, parameterized over both.
#include "basalt/client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <thread>

#include "basalt/pool.hpp"
#include "client_integration/servers.hpp"

namespace basalt::testing {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using ::testing::ElementsAre;
using Kind = ChildServer::Kind;

std::string KindName(const ::testing::TestParamInfo<Kind>& info) {
  return info.param == Kind::kBasalt ? "basalt" : "redis";
}

class ClientTest : public ::testing::TestWithParam<Kind> {
 protected:
  ClientTest() : server_(GetParam()) {}
  Options options() const { return Options{.port = server_.port()}; }
  Client connect() { return Client(options()); }

  ChildServer server_;
};

// ---- connection and generic commands ----

TEST_P(ClientTest, ConnectsWithResp3AndPings) {
  Client db = connect();
  EXPECT_TRUE(db.connected());
  EXPECT_EQ(db.protocol(), 3);
  EXPECT_EQ(db.options().port, server_.port());
  EXPECT_EQ(db.ping(), "PONG");
}

TEST_P(ClientTest, Resp2WhenAsked) {
  Options o = options();
  o.protocol = 2;
  Client db(o);
  EXPECT_EQ(db.protocol(), 2);
  db.set("k", "v");
  EXPECT_EQ(db.get("k"), "v");
}

TEST_P(ClientTest, CommandReturnsTypedReplies) {
  Client db = connect();
  db.push("l", {"a", "b"});
  Reply r = db.command({"LRANGE", "l", "0", "-1"});
  EXPECT_EQ(r, Reply::array({Reply::bulk("a"), Reply::bulk("b")}));
  EXPECT_EQ(db.command({"SET", "s", "1"}), Reply::simple("OK"));
  EXPECT_EQ(db.command(std::vector<std::string>{"INCR", "s"}), Reply::integer(2));
  std::vector<std::string_view> args = {"GET", "missing"};
  EXPECT_TRUE(db.command(args).is_nil());
}

TEST_P(ClientTest, ServerErrorsKeepTheCodeAndTheConnection) {
  Client db = connect();
  db.push("l", "x");
  try {
    db.get("l");
    FAIL() << "no throw";
  } catch (const ServerError& e) {
    EXPECT_EQ(e.code(), "WRONGTYPE");
  }
  try {
    db.command({"NOSUCHCOMMAND"});
    FAIL() << "no throw";
  } catch (const ServerError& e) {
    EXPECT_EQ(e.code(), "ERR");
  }
  EXPECT_TRUE(db.connected());
  EXPECT_EQ(db.ping(), "PONG");
}

TEST_P(ClientTest, SelectsTheDatabase) {
  Options o = options();
  o.database = 1;
  Client db1(o);
  Client db0 = connect();
  db1.set("k", "in-1");
  EXPECT_EQ(db0.get("k"), std::nullopt);
  EXPECT_EQ(db1.get("k"), "in-1");
}

TEST_P(ClientTest, RefusedDatabaseSaysWhatToFix) {
  Options o = options();
  o.database = 100000;
  try {
    Client db(o);
    FAIL() << "connected";
  } catch (const ConnectionError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("Options::database"));
  }
}

TEST_P(ClientTest, SetsTheClientName) {
  Options o = options();
  o.client_name = "worker-7";
  Client db(o);
  Reply name = db.command({"CLIENT", "GETNAME"});
  EXPECT_TRUE(name.is_string("worker-7")) << name.to_string();
}

TEST_P(ClientTest, UnreachableServerIsAConnectionError) {
  Options o{.port = free_port(), .connect_timeout = 2s};
  try {
    Client db(o);
    FAIL();
  } catch (const ConnectionError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("cannot connect"));
  }
}

TEST_P(ClientTest, ReconnectsOnTheNextCommandAfterARestart) {
  Client db = connect();
  db.set("k", "v");
  server_.restart();
  EXPECT_THROW(db.ping(), ConnectionError);  // the old connection is gone
  EXPECT_EQ(db.ping(), "PONG");              // a new one is made
  EXPECT_TRUE(db.connected());
  db.close();
  EXPECT_FALSE(db.connected());
  db.reconnect();
  EXPECT_TRUE(db.connected());
}

TEST_P(ClientTest, MovedClientKeepsItsConnection) {
  Client a = connect();
  a.set("k", "v");
  Client b(std::move(a));
  EXPECT_EQ(b.get("k"), "v");
  Client c = connect();
  c = std::move(b);
  EXPECT_EQ(c.get("k"), "v");
}

// ---- strings ----

TEST_P(ClientTest, GetSetUpdateRemove) {
  Client db = connect();
  EXPECT_EQ(db.get("session:42"), std::nullopt);
  EXPECT_FALSE(db.update("session:42", "bob"));
  EXPECT_TRUE(db.set("session:42", "alice", {.ttl = 60s}));
  EXPECT_EQ(db.get("session:42"), "alice");
  EXPECT_GT(db.ttl("session:42"), 58s);
  EXPECT_TRUE(db.update("session:42", "bob"));
  EXPECT_EQ(db.get("session:42"), "bob");
  EXPECT_EQ(db.ttl("session:42"), kNoExpiry);  // a plain SET ... XX drops the TTL
  EXPECT_TRUE(db.update("session:42", "carol", {.ttl = 10s}));
  EXPECT_TRUE(db.update("session:42", "dave", {.keep_ttl = true}));
  EXPECT_GT(db.ttl("session:42"), 8s);
  EXPECT_TRUE(db.remove("session:42"));
  EXPECT_FALSE(db.remove("session:42"));
  EXPECT_EQ(db.ttl("session:42"), kNoKey);
}

TEST_P(ClientTest, SetConditionsAndMillisecondTtl) {
  Client db = connect();
  EXPECT_TRUE(db.set("k", "1", {.condition = Condition::IfMissing}));
  EXPECT_FALSE(db.set("k", "2", {.condition = Condition::IfMissing}));
  EXPECT_EQ(db.get("k"), "1");
  EXPECT_TRUE(db.set("k", "3", {.ttl = 1500ms, .condition = Condition::IfExists}));
  const auto ttl = db.ttl("k");
  EXPECT_GT(ttl, 1000ms);
  EXPECT_LE(ttl, 1500ms);
  EXPECT_FALSE(db.set("nope", "x", {.condition = Condition::IfExists}));
}

TEST_P(ClientTest, SetGetAndGetDelete) {
  Client db = connect();
  EXPECT_EQ(db.set_get("k", "a"), std::nullopt);
  EXPECT_EQ(db.set_get("k", "b"), "a");
  EXPECT_EQ(db.get_delete("k"), "b");
  EXPECT_EQ(db.get_delete("k"), std::nullopt);
  EXPECT_FALSE(db.exists("k"));
}

TEST_P(ClientTest, BinarySafeKeysAndValues) {
  Client db = connect();
  const std::string key = "k\0\r\n\xff"s;
  std::string value;
  for (int i = 0; i < 256; ++i) value.push_back(static_cast<char>(i));
  value += "\r\n$5\r\n"s + std::string(1 << 20, '\0');
  db.set(key, value);
  EXPECT_EQ(db.get(key), value);
  EXPECT_EQ(db.get("k"), std::nullopt);
  EXPECT_EQ(db.strlen(key), static_cast<int64_t>(value.size()));
  db.push("l\0"s, {"\0"s, "a\0b"s});
  EXPECT_THAT(db.range("l\0"s), ElementsAre("\0"s, "a\0b"s));
}

TEST_P(ClientTest, MgetMsetAndMsetIfNoneExist) {
  Client db = connect();
  db.mset({{"a", "1"}, {"b", "2"}});
  db.push("list", "x");
  EXPECT_THAT(db.mget({"a", "missing", "b", "list"}),
              ElementsAre("1", std::nullopt, "2", std::nullopt));
  EXPECT_FALSE(db.mset_if_none_exist({{"a", "9"}, {"c", "3"}}));
  EXPECT_EQ(db.get("c"), std::nullopt);
  EXPECT_TRUE(db.mset_if_none_exist({{"c", "3"}, {"d", "4"}}));
  EXPECT_EQ(db.get("d"), "4");
}

TEST_P(ClientTest, IncrFamily) {
  Client db = connect();
  EXPECT_EQ(db.incr("n"), 1);
  EXPECT_EQ(db.incr("n", 10), 11);
  EXPECT_EQ(db.decr("n"), 10);
  EXPECT_EQ(db.decr("n", 20), -10);
  EXPECT_DOUBLE_EQ(db.incr_float("f", 1.5), 1.5);
  EXPECT_DOUBLE_EQ(db.incr_float("f", 0.25), 1.75);
  db.set("s", "abc");
  EXPECT_THROW(db.incr("s"), ServerError);
}

TEST_P(ClientTest, AppendStrlenAndRanges) {
  Client db = connect();
  EXPECT_EQ(db.append("s", "Hello"), 5);
  EXPECT_EQ(db.append("s", " World"), 11);
  EXPECT_EQ(db.strlen("s"), 11);
  EXPECT_EQ(db.strlen("missing"), 0);
  EXPECT_EQ(db.get_range("s", 0, 4), "Hello");
  EXPECT_EQ(db.get_range("s", -5, -1), "World");
  EXPECT_EQ(db.set_range("s", 6, "Redis"), 11);
  EXPECT_EQ(db.get("s"), "Hello Redis");
}

TEST_P(ClientTest, BitsAndHyperLogLog) {
  Client db = connect();
  EXPECT_FALSE(db.set_bit("b", 7, true));
  EXPECT_TRUE(db.set_bit("b", 7, false));
  db.set_bit("b", 9, true);
  EXPECT_TRUE(db.get_bit("b", 9));
  EXPECT_FALSE(db.get_bit("b", 1000));
  EXPECT_EQ(db.get("b"), std::string("\0\x40", 2));
  db.set("s", "foobar");
  EXPECT_EQ(db.bit_count("s"), 26);
  EXPECT_EQ(db.bit_count("s", 1, 1), 6);
  EXPECT_EQ(db.bit_count("s", 5, 30, true), 17);
  EXPECT_THROW(db.set_bit("b", -1, true), ServerError);
  EXPECT_TRUE(db.pfadd("h", {"a", "b", "c"}));
  EXPECT_FALSE(db.pfadd("h", {"a"}));
  EXPECT_TRUE(db.pfadd("h2", {"c", "d"}));
  EXPECT_EQ(db.pfcount({"h"}), 3);
  EXPECT_EQ(db.pfcount({"h", "h2"}), 4);
  db.pfmerge("m", {"h", "h2"});
  EXPECT_EQ(db.pfcount({"m"}), 4);
  EXPECT_THROW(db.pfadd("s", {"x"}), ServerError);
}

// ---- keys and expiry ----

TEST_P(ClientTest, ExistsAndMultiKeyRemove) {
  Client db = connect();
  db.mset({{"a", "1"}, {"b", "2"}});
  EXPECT_TRUE(db.exists("a"));
  EXPECT_EQ(db.exists({"a", "b", "c", "a"}), 3);
  EXPECT_EQ(db.remove({"a", "b", "c"}), 2);
  std::vector<std::string_view> keys = {"a"};
  EXPECT_EQ(db.remove(keys), 0);
}

TEST_P(ClientTest, ExpireTtlPersist) {
  Client db = connect();
  EXPECT_FALSE(db.expire("k", 10s));
  db.set("k", "v");
  EXPECT_EQ(db.ttl("k"), kNoExpiry);
  EXPECT_TRUE(db.expire("k", 10s));
  EXPECT_GT(db.ttl("k"), 9s);
  EXPECT_TRUE(db.expire("k", 2500ms));
  EXPECT_LE(db.ttl("k"), 2500ms);
  EXPECT_FALSE(db.expire("k", 100s, ExpireCondition::IfNoTtl));
  EXPECT_TRUE(db.expire("k", 100s, ExpireCondition::IfGreater));
  EXPECT_FALSE(db.expire("k", 50s, ExpireCondition::IfGreater));
  EXPECT_TRUE(db.expire("k", 50s, ExpireCondition::IfLess));
  EXPECT_TRUE(db.persist("k"));
  EXPECT_FALSE(db.persist("k"));
  EXPECT_TRUE(db.expire("k", 100s, ExpireCondition::IfNoTtl));
  EXPECT_TRUE(db.expire_at("k", std::chrono::system_clock::now() + 30s));
  const auto ttl = db.ttl("k");
  EXPECT_GT(ttl, 28s);
  EXPECT_LE(ttl, 30s);
  EXPECT_TRUE(db.expire("k", 50ms));
  std::this_thread::sleep_for(120ms);
  EXPECT_EQ(db.get("k"), std::nullopt);
}

TEST_P(ClientTest, GetexExpireTimeAndAbsoluteSetExpiry) {
  Client db = connect();
  EXPECT_EQ(db.get_and_expire("k", 10s), std::nullopt);
  db.set("k", "v");
  EXPECT_EQ(db.get_and_expire("k", 10s), "v");
  EXPECT_GT(db.ttl("k"), 9s);
  EXPECT_EQ(db.get_and_expire("k", 1500ms), "v");
  EXPECT_LE(db.ttl("k"), 1500ms);
  EXPECT_EQ(db.get_and_persist("k"), "v");
  EXPECT_EQ(db.ttl("k"), kNoExpiry);
  EXPECT_EQ(db.expire_time("k"), kNoExpiry);
  EXPECT_EQ(db.expire_time("missing"), kNoKey);
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(4102444800));
  EXPECT_TRUE(db.set("k", "v", {.expire_at = when}));
  EXPECT_EQ(db.expire_time("k"), std::chrono::milliseconds(4102444800000));
  EXPECT_TRUE(db.set("k", "v", {.expire_at = when + 250ms}));
  EXPECT_EQ(db.expire_time("k"), std::chrono::milliseconds(4102444800250));
}

TEST_P(ClientTest, CopyUnlinkTouchRandomKeyLcs) {
  Client db = connect();
  EXPECT_EQ(db.random_key(), std::nullopt);
  db.set("a", "ohmytext");
  db.set("b", "mynewtext");
  std::optional<std::string> some = db.random_key();
  ASSERT_TRUE(some);
  EXPECT_TRUE(*some == "a" || *some == "b") << *some;
  EXPECT_EQ(db.lcs("a", "b"), "mytext");
  EXPECT_EQ(db.lcs_length("a", "b"), 6);
  EXPECT_TRUE(db.copy("a", "c"));
  EXPECT_FALSE(db.copy("b", "c"));
  EXPECT_TRUE(db.copy("b", "c", /*replace=*/true));
  EXPECT_EQ(db.get("c"), "mynewtext");
  EXPECT_TRUE(db.copy("a", "a", false, 1));
  EXPECT_EQ(db.touch({"a", "b", "nope"}), 2);
  EXPECT_EQ(db.unlink({"a", "b", "nope"}), 2);
  EXPECT_EQ(db.dbsize(), 1);
  db.command({"SELECT", "1"});
  EXPECT_EQ(db.get("a"), "ohmytext");
  db.flushdb();
}

TEST_P(ClientTest, Hashes) {
  Client db = connect();
  EXPECT_EQ(db.hset("h", {{"a", "1"}, {"b", "2"}}), 2);
  EXPECT_EQ(db.hset("h", {{"a", "3"}}), 0);
  EXPECT_FALSE(db.hset_if_absent("h", "a", "x"));
  EXPECT_EQ(db.hget("h", "a"), "3");
  EXPECT_EQ(db.hget("h", "zz"), std::nullopt);
  EXPECT_EQ(db.hmget("h", {"b", "zz"}),
            (std::vector<std::optional<std::string>>{"2", std::nullopt}));
  EXPECT_EQ(db.hgetall("h"),
            (std::vector<std::pair<std::string, std::string>>{{"a", "3"}, {"b", "2"}}));
  EXPECT_EQ(db.hkeys("h"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(db.hvals("h"), (std::vector<std::string>{"3", "2"}));
  EXPECT_EQ(db.hincrby("h", "a", 4), 7);
  EXPECT_EQ(db.hincrby_float("h", "f", 1.5), 1.5);
  EXPECT_TRUE(db.hexists("h", "f"));
  EXPECT_EQ(db.hlen("h"), 3);
  EXPECT_EQ(db.hdel("h", {"a", "b", "f", "zz"}), 3);
  EXPECT_FALSE(db.exists("h"));
  db.set("s", "v");
  EXPECT_THROW(db.hget("s", "a"), ServerError);
  db.flushdb();
}

TEST_P(ClientTest, Sets) {
  Client db = connect();
  EXPECT_EQ(db.sadd("s", {"a", "b", "c", "a"}), 3);
  EXPECT_EQ(db.sadd("s", {"c", "d"}), 1);
  std::vector<std::string> members = db.smembers("s");
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(db.smembers("nokey"), std::vector<std::string>{});
  EXPECT_TRUE(db.sismember("s", "a"));
  EXPECT_FALSE(db.sismember("s", "zz"));
  EXPECT_EQ(db.smismember("s", {"zz", "b"}), (std::vector<bool>{false, true}));
  EXPECT_EQ(db.scard("s"), 4);
  EXPECT_EQ(db.srem("s", {"d", "zz"}), 1);
  std::optional<std::string> some = db.srandmember("s");
  ASSERT_TRUE(some);
  EXPECT_THAT(*some, ::testing::AnyOf("a", "b", "c"));
  EXPECT_EQ(db.srandmember("s", 5).size(), 3u);
  EXPECT_EQ(db.srandmember("s", -5).size(), 5u);
  EXPECT_EQ(db.srandmember("nokey"), std::nullopt);
  std::vector<std::string> popped = db.spop("s", 2);
  ASSERT_EQ(popped.size(), 2u);
  EXPECT_EQ(db.scard("s"), 1);
  EXPECT_FALSE(db.sismember("s", popped[0]));
  some = db.spop("s");
  ASSERT_TRUE(some);
  popped.push_back(*some);
  std::sort(popped.begin(), popped.end());
  EXPECT_EQ(popped, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(db.exists("s"));
  EXPECT_EQ(db.spop("s"), std::nullopt);
  EXPECT_EQ(db.spop("s", 3), std::vector<std::string>{});
  db.set("str", "v");
  EXPECT_THROW(db.sadd("str", {"a"}), ServerError);
  db.flushdb();
}

TEST_P(ClientTest, SortedSets) {
  Client db = connect();
  EXPECT_EQ(db.zadd("z", {{"a", 1}, {"b", 2.5}, {"c", 3}}), 3);
  EXPECT_EQ(db.zadd("z", {{"a", 1}, {"b", 2}, {"d", -1}}, {.changed = true}), 2);
  EXPECT_EQ(db.zadd("z", {{"a", 10}, {"e", 5}}, {.condition = Condition::IfExists}), 0);
  EXPECT_EQ(db.zscore("z", "a"), 10);
  EXPECT_EQ(db.zadd("z", {{"a", 0}, {"f", 6}}, {.condition = Condition::IfMissing}), 1);
  EXPECT_EQ(db.zadd("z", {{"a", 4}, {"f", 7}},
                    {.score_condition = ScoreCondition::IfLess, .changed = true}),
            1);
  EXPECT_EQ(db.zscore("z", "a"), 4);
  EXPECT_EQ(db.zscore("z", "f"), 6);
  EXPECT_EQ(db.zscore("z", "zz"), std::nullopt);
  EXPECT_EQ(db.zmscore("z", {"b", "zz"}), (std::vector<std::optional<double>>{2, std::nullopt}));
  EXPECT_EQ(db.zcard("z"), 5);
  EXPECT_EQ(db.zincrby("z", "b", 0.5), 2.5);
  EXPECT_EQ(db.zincrby("z", "new", -2), -2);
  EXPECT_EQ(db.zrem("z", {"new", "zz"}), 1);
  // d -1, b 2.5, c 3, a 4, f 6
  EXPECT_EQ(db.zrank("z", "c"), 2);
  EXPECT_EQ(db.zrevrank("z", "c"), 2);
  EXPECT_EQ(db.zrevrank("z", "f"), 0);
  EXPECT_EQ(db.zrank("z", "zz"), std::nullopt);
  EXPECT_EQ(db.zrange("z"), (std::vector<std::string>{"d", "b", "c", "a", "f"}));
  EXPECT_EQ(db.zrange("z", 1, 2), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(db.zrange("z", 0, 1, /*reverse=*/true), (std::vector<std::string>{"f", "a"}));
  EXPECT_EQ(db.zrange_with_scores("z", -2), (std::vector<ScoredMember>{{"a", 4}, {"f", 6}}));
  EXPECT_EQ(db.zrange_with_scores("z", 0, 0, true), (std::vector<ScoredMember>{{"f", 6}}));
  EXPECT_EQ(db.zrange_with_scores("nokey"), std::vector<ScoredMember>{});
  EXPECT_EQ(db.zrangebyscore("z", 2.5, 4), (std::vector<std::string>{"b", "c", "a"}));
  EXPECT_EQ(db.zrangebyscore("z", "(2.5", "+inf"), (std::vector<std::string>{"c", "a", "f"}));
  EXPECT_EQ(db.zrangebyscore_with_scores("z", "-inf", "(2.5"),
            (std::vector<ScoredMember>{{"d", -1}}));
  EXPECT_EQ(db.zpopmin("z"), (ScoredMember{"d", -1}));
  EXPECT_EQ(db.zpopmax("z"), (ScoredMember{"f", 6}));
  EXPECT_EQ(db.zpopmin("z", 2), (std::vector<ScoredMember>{{"b", 2.5}, {"c", 3}}));
  EXPECT_EQ(db.zpopmax("z", 5), (std::vector<ScoredMember>{{"a", 4}}));
  EXPECT_FALSE(db.exists("z"));
  EXPECT_EQ(db.zpopmin("z"), std::nullopt);
  EXPECT_EQ(db.zpopmax("z", 2), std::vector<ScoredMember>{});
  // Scores survive the trip as doubles both ways (RESP3 doubles, RESP2 bulk strings).
  db.zadd("z", {{"big", 1e300}, {"tiny", 0.1}, {"neg", -INFINITY}});
  EXPECT_EQ(db.zrange_with_scores("z"),
            (std::vector<ScoredMember>{{"neg", -INFINITY}, {"tiny", 0.1}, {"big", 1e300}}));
  EXPECT_THROW(
      db.zadd("z", {{"a", 1}},
              {.condition = Condition::IfMissing, .score_condition = ScoreCondition::IfGreater}),
      ServerError);
  db.set("str", "v");
  EXPECT_THROW(db.zscore("str", "a"), ServerError);
  auto p = db.pipeline();
  p.sadd("ps", {"a"}).zadd("pz", {{"m", 1}}).zcard("pz").zrank("pz", "m").zscore("str", "a");
  std::vector<Reply> replies = p.execute();
  ASSERT_EQ(replies.size(), 5u);
  EXPECT_EQ(replies[0], Reply::integer(1));
  EXPECT_EQ(replies[1], Reply::integer(1));
  EXPECT_EQ(replies[2], Reply::integer(1));
  EXPECT_EQ(replies[3], Reply::integer(0));
  EXPECT_TRUE(replies[4].is_error());
  db.flushdb();
}

TEST_P(ClientTest, SortedSetsOverResp2) {
  Options o = options();
  o.protocol = 2;
  Client db(o);
  db.zadd("z", {{"a", 1.5}, {"b", 2}});
  EXPECT_EQ(db.zrange_with_scores("z"), (std::vector<ScoredMember>{{"a", 1.5}, {"b", 2}}));
  EXPECT_EQ(db.zrangebyscore_with_scores("z", "2", "2"), (std::vector<ScoredMember>{{"b", 2}}));
  EXPECT_EQ(db.zscore("z", "a"), 1.5);
  EXPECT_EQ(db.zmscore("z", {"zz", "b"}), (std::vector<std::optional<double>>{std::nullopt, 2}));
  EXPECT_EQ(db.zincrby("z", "a", 1), 2.5);
  EXPECT_EQ(db.zpopmax("z"), (ScoredMember{"a", 2.5}));
  EXPECT_EQ(db.zpopmin("z", 3), (std::vector<ScoredMember>{{"b", 2}}));
  db.sadd("s", {"x", "y"});
  EXPECT_EQ(db.smismember("s", {"y", "q"}), (std::vector<bool>{true, false}));
  db.flushdb();
}

TEST_P(ClientTest, PopFirstOfSeveralLists) {
  Client db = connect();
  EXPECT_EQ(db.pop_first({"x", "y"}), std::nullopt);
  db.push("y", {"1", "2", "3"});
  std::optional<KeyValues> got = db.pop_first({"x", "y"}, End::Head, 2);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, (KeyValues{"y", {"1", "2"}}));
  got = db.pop_first_blocking({"x", "y"}, 1s, End::Tail, 5);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, (KeyValues{"y", {"3"}}));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(db.pop_first_blocking({"x", "y"}, 200ms), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST_P(ClientTest, TypeRenameKeysDbsizeFlushdb) {
  Client db = connect();
  db.set("s", "v");
  db.push("l", "x");
  EXPECT_EQ(db.type("s"), "string");
  EXPECT_EQ(db.type("l"), "list");
  EXPECT_EQ(db.type("none"), "none");
  db.rename("s", "s2");
  EXPECT_EQ(db.get("s2"), "v");
  EXPECT_THROW(db.rename("missing", "x"), ServerError);
  EXPECT_FALSE(db.rename_if_missing("s2", "l"));
  EXPECT_TRUE(db.rename_if_missing("s2", "s3"));
  auto keys = db.keys();
  std::sort(keys.begin(), keys.end());
  EXPECT_THAT(keys, ElementsAre("l", "s3"));
  EXPECT_THAT(db.keys("s*"), ElementsAre("s3"));
  EXPECT_EQ(db.dbsize(), 2);
  db.flushdb();
  EXPECT_EQ(db.dbsize(), 0);
}

TEST_P(ClientTest, ScanVisitsEveryKey) {
  Client db = connect();
  auto p = db.pipeline();
  for (int i = 0; i < 1000; ++i) p.set("user:" + std::to_string(i), "x");
  for (int i = 0; i < 10; ++i) p.push("queue:" + std::to_string(i), "x");
  p.execute();
  std::set<std::string> seen;
  for (const std::string& key : db.scan("user:*", 100)) seen.insert(key);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_TRUE(seen.count("user:999"));
  seen.clear();
  for (const std::string& key : db.scan()) seen.insert(key);
  EXPECT_EQ(seen.size(), 1010u);
  seen.clear();
  for (const std::string& key : db.scan("*", 0, "list")) seen.insert(key);
  EXPECT_EQ(seen.size(), 10u);
  int n = 0;
  for (const std::string& key : db.scan("nothing:*")) n += !key.empty();
  EXPECT_EQ(n, 0);
}

// ---- lists ----

TEST_P(ClientTest, PushPopBothEnds) {
  Client db = connect();
  EXPECT_EQ(db.push("jobs", {"a", "b"}), 2);
  EXPECT_EQ(db.push("jobs", {"z"}, End::Head), 3);
  EXPECT_EQ(db.push("jobs", "c"), 4);
  EXPECT_THAT(db.range("jobs"), ElementsAre("z", "a", "b", "c"));
  EXPECT_EQ(db.pop("jobs"), "z");
  EXPECT_EQ(db.pop("jobs", End::Tail), "c");
  EXPECT_THAT(db.pop("jobs", End::Head, 5), ElementsAre("a", "b"));
  EXPECT_EQ(db.pop("jobs"), std::nullopt);
  EXPECT_TRUE(db.pop("jobs", End::Tail, 2).empty());
  EXPECT_EQ(db.push_existing("jobs", {"x"}), 0);
  db.push("jobs", "a");
  EXPECT_EQ(db.push_existing("jobs", {"b", "c"}), 3);
  EXPECT_EQ(db.push_existing("jobs", {"0"}, End::Head), 4);
  EXPECT_THAT(db.range("jobs", 0, 1), ElementsAre("0", "a"));
}

TEST_P(ClientTest, PopBlocking) {
  Client db = connect();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(db.pop_blocking("jobs", 200ms), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  db.push("jobs", {"a", "b"});
  EXPECT_EQ(db.pop_blocking("jobs", 1s), "a");
  EXPECT_EQ(db.pop_blocking("jobs", 1s, End::Tail), "b");
  db.push("second", "x");
  EXPECT_EQ(db.pop_blocking({"first", "second"}, 1s), (KeyValue{"second", "x"}));
  EXPECT_EQ(db.pop_blocking({"first", "second"}, 100ms), std::nullopt);

  // Woken by a push from another connection; the command timeout (300 ms here) is extended by
  // the blocking time.
  Options o = options();
  o.command_timeout = 300ms;
  Client waiter(o);
  std::thread pusher([&] {
    std::this_thread::sleep_for(600ms);
    Client other = connect();
    other.push("late", "v");
  });
  EXPECT_EQ(waiter.pop_blocking("late", 5s), "v");
  pusher.join();
}

TEST_P(ClientTest, LenIndexSetAtInsertTrim) {
  Client db = connect();
  db.push("l", {"a", "b", "c", "d"});
  EXPECT_EQ(db.len("l"), 4);
  EXPECT_EQ(db.len("missing"), 0);
  EXPECT_EQ(db.index("l", 0), "a");
  EXPECT_EQ(db.index("l", -1), "d");
  EXPECT_EQ(db.index("l", 10), std::nullopt);
  db.set_at("l", 1, "B");
  EXPECT_THROW(db.set_at("l", 10, "x"), ServerError);
  EXPECT_EQ(db.insert("l", Where::Before, "c", "b2"), 5);
  EXPECT_EQ(db.insert("l", Where::After, "d", "e"), 6);
  EXPECT_EQ(db.insert("l", Where::After, "nope", "x"), -1);
  EXPECT_EQ(db.insert("missing", Where::After, "a", "x"), 0);
  EXPECT_THAT(db.range("l"), ElementsAre("a", "B", "b2", "c", "d", "e"));
  db.trim("l", 1, -2);
  EXPECT_THAT(db.range("l"), ElementsAre("B", "b2", "c", "d"));
}

TEST_P(ClientTest, RemoveElementPositionMove) {
  Client db = connect();
  db.push("l", {"a", "x", "b", "x", "c", "x"});
  EXPECT_EQ(db.position("l", "b"), 2);
  EXPECT_EQ(db.position("l", "nope"), std::nullopt);
  EXPECT_EQ(db.remove_element("l", "x", 1), 1);
  EXPECT_EQ(db.remove_element("l", "x", -1), 1);
  EXPECT_THAT(db.range("l"), ElementsAre("a", "b", "x", "c"));
  EXPECT_EQ(db.remove_element("l", "x"), 1);
  EXPECT_EQ(db.move("l", "dst"), "a");
  EXPECT_EQ(db.move("l", "dst", End::Tail, End::Head), "c");
  EXPECT_THAT(db.range("dst"), ElementsAre("c", "a"));
  EXPECT_EQ(db.move("empty", "dst"), std::nullopt);
  EXPECT_EQ(db.move_blocking("empty", "dst", 100ms), std::nullopt);
  EXPECT_EQ(db.move_blocking("l", "dst", 1s, End::Head, End::Head), "b");
  EXPECT_THAT(db.range("dst"), ElementsAre("b", "c", "a"));
}

// ---- pipelines and transactions ----

TEST_P(ClientTest, PipelineKeepsOrderAndErrors) {
  Client db = connect();
  db.push("list", "x");
  auto p = db.pipeline();
  p.set("a", "1").incr("a").get("a");
  p.get("list");  // WRONGTYPE, kept in place
  p.command({"NOSUCHCOMMAND"});
  p.get("a");
  EXPECT_EQ(p.size(), 6u);
  std::vector<Reply> r = p.execute();
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0], Reply::simple("OK"));
  EXPECT_EQ(r[1], Reply::integer(2));
  EXPECT_EQ(r[2], Reply::bulk("2"));
  EXPECT_TRUE(r[3].is_error());
  EXPECT_THAT(r[3].str(), ::testing::StartsWith("WRONGTYPE"));
  EXPECT_TRUE(r[4].is_error());
  EXPECT_EQ(r[5], Reply::bulk("2"));
  EXPECT_EQ(p.size(), 0u);
  EXPECT_TRUE(p.execute().empty());
  p.ping();
  p.clear();
  EXPECT_TRUE(p.execute().empty());
}

TEST_P(ClientTest, LargePipelinesInOneExecute) {
  Client db = connect();
  auto p = db.pipeline();
  const std::string value(100, 'v');
  for (int i = 0; i < 50000; ++i) p.set("k" + std::to_string(i), value);
  for (int i = 0; i < 50000; ++i) p.get("k" + std::to_string(i));
  std::vector<Reply> r = p.execute();
  ASSERT_EQ(r.size(), 100000u);
  EXPECT_EQ(r[49999], Reply::simple("OK"));
  EXPECT_EQ(r[99999], Reply::bulk(value));
}

TEST_P(ClientTest, TransactionExecutes) {
  Client db = connect();
  auto tx = db.transaction();
  tx.set("a", "1").incr("a").push("l", "x").get("l");
  EXPECT_EQ(tx.size(), 4u);
  auto r = tx.execute();
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[1], Reply::integer(2));
  EXPECT_TRUE((*r)[3].is_error());  // runtime error inside EXEC: reported, others kept
  EXPECT_EQ(db.get("a"), "2");
}

TEST_P(ClientTest, WatchedTransactionAbortsOnAConcurrentChange) {
  Client db = connect();
  Client other = connect();
  db.set("counter", "10");
  int attempts = 0;
  std::optional<std::vector<Reply>> result;
  while (!result) {
    ++attempts;
    result = db.transaction(
        [&](Transaction& tx) {
          const int now = std::stoi(*db.get("counter"));
          if (attempts == 1) other.set("counter", "100");  // someone else wins the race
          tx.set("counter", std::to_string(now + 1));
        },
        {"counter"});
  }
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(db.get("counter"), "101");
}

TEST_P(ClientTest, TransactionDiscardAndExecAbort) {
  Client db = connect();
  Client other = connect();
  {
    auto tx = db.transaction({"k"});
    tx.set("k", "mine");
    tx.discard();  // unwatches: a later change by someone else does not matter
    EXPECT_EQ(tx.size(), 0u);
  }
  {
    auto tx = db.transaction({"k"});
    other.set("k", "theirs");
  }  // destroyed unexecuted: UNWATCH sent
  auto tx = db.transaction();
  tx.set("k", "v").command({"NOSUCHCOMMAND"});
  try {
    tx.execute();
    FAIL() << "no throw";
  } catch (const ServerError& e) {
    EXPECT_EQ(e.code(), "EXECABORT");
  }
  EXPECT_EQ(db.get("k"), "theirs");
  // The connection is still in a sane state: no MULTI left open.
  auto ok = db.transaction().set("k", "after").execute();
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(db.get("k"), "after");
}

// ---- pool ----

TEST_P(ClientTest, PoolSharedByThreads) {
  ClientPool pool(options(), 4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) pool.with([](Client& db) { db.incr("hits"); });
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(pool.size(), 4u);
  EXPECT_EQ(pool.idle(), pool.size());  // every Lease returned its Client
  EXPECT_EQ(pool.acquire()->get("hits"), "1600");
}

TEST_P(ClientTest, PoolTimesOutWhenExhausted) {
  ClientPool pool(options(), 1, 100ms);
  auto held = pool.acquire();
  EXPECT_THROW(pool.acquire(), TimeoutError);
  EXPECT_EQ(held->ping(), "PONG");
}

INSTANTIATE_TEST_SUITE_P(Servers, ClientTest, ::testing::Values(Kind::kBasalt, Kind::kRedis),
                         KindName);

// ---- authentication, against servers started with a password ----

class AuthTest : public ::testing::TestWithParam<Kind> {
 protected:
  AuthTest() : server_(GetParam(), {"--requirepass", "s3cret"}) {}
  ChildServer server_;
};

TEST_P(AuthTest, PasswordAuthenticates) {
  Client db({.port = server_.port(), .password = "s3cret", .database = 1});
  EXPECT_EQ(db.ping(), "PONG");
  EXPECT_EQ(db.protocol(), 3);
  Client resp2({.port = server_.port(), .password = "s3cret", .database = 1, .protocol = 2});
  EXPECT_EQ(resp2.ping(), "PONG");
}

TEST_P(AuthTest, WrongOrMissingPasswordSaysWhatToFix) {
  try {
    Client db({.port = server_.port(), .password = "wrong"});
    FAIL();
  } catch (const ConnectionError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("Options::password"));
  }
  try {
    Client db({.port = server_.port()});
    db.ping();
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::AnyOf(::testing::HasSubstr("Options::password"),
                                           ::testing::HasSubstr("NOAUTH")));
  }
}

INSTANTIATE_TEST_SUITE_P(Servers, AuthTest, ::testing::Values(Kind::kBasalt, Kind::kRedis),
                         KindName);

// ACL users (redis-server; basalt-server has the default user only): HELLO 3 AUTH user pass,
// and AUTH user pass in RESP2.
TEST(AclUser, UserAndPasswordAuthenticate) {
  ChildServer server(Kind::kRedis, {"--user", "alice", "on", ">pw", "~*", "&*", "+@all"});
  Client db({.port = server.port(), .user = "alice", .password = "pw"});
  EXPECT_TRUE(db.command({"ACL", "WHOAMI"}).is_string("alice"));
  Client resp2({.port = server.port(), .user = "alice", .password = "pw", .protocol = 2});
  EXPECT_TRUE(resp2.command({"ACL", "WHOAMI"}).is_string("alice"));
  EXPECT_THROW(Client({.port = server.port(), .user = "alice", .password = "no"}), ConnectionError);
}

// ---- Unix socket (redis-server; basalt-server listens on TCP only) ----

TEST(UnixSocket, ConnectsThroughTheSocket) {
  ChildServer server(Kind::kRedis);
  Client db({.unix_socket = server.unix_socket()});
  db.set("k", "v");
  EXPECT_EQ(db.get("k"), "v");
  Client tcp({.port = server.port()});
  EXPECT_EQ(tcp.get("k"), "v");
}

// ---- timeouts and broken servers ----

TEST(Timeouts, ServerThatAcceptsAndNeverAnswers) {
  FakeServer silent([](int fd, FakeServer& self) { self.idle(fd); });
  const auto start = std::chrono::steady_clock::now();
  try {
    Client db({.port = silent.port(), .connect_timeout = 300ms});
    FAIL() << "connected";
  } catch (const TimeoutError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("within"));
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);
}

// Answers the handshake like an old server (no HELLO), then never again.
void AnswerHelloThenSilence(int fd, FakeServer& self) {
  std::string in = self.read_for(fd, 200);
  const std::string err = "-ERR unknown command 'HELLO'\r\n";
  send(fd, err.data(), err.size(), MSG_NOSIGNAL);
  self.idle(fd);
}

TEST(Timeouts, CommandTimeoutClosesTheConnection) {
  FakeServer server(AnswerHelloThenSilence);
  Client db({.port = server.port(), .command_timeout = 300ms});
  EXPECT_EQ(db.protocol(), 2);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(db.get("k"), TimeoutError);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);
  EXPECT_FALSE(db.connected());
}

TEST(Timeouts, AReplyTricklingInStillTimesOut) {
  // Answers the handshake, then sends a bulk reply one byte every 100 ms: each byte would restart
  // a per-read timeout; the command's limit must hold for the reply as a whole.
  FakeServer trickle([](int fd, FakeServer& self) {
    self.read_for(fd, 200);
    const std::string err = "-ERR unknown command 'HELLO'\r\n";
    send(fd, err.data(), err.size(), MSG_NOSIGNAL);
    self.read_for(fd, 100);
    for (char c : std::string("$10\r\n0123456789\r\n")) {
      if (self.stopping() || send(fd, &c, 1, MSG_NOSIGNAL) != 1) return;
      std::this_thread::sleep_for(100ms);
    }
    self.idle(fd);
  });
  Client db({.port = trickle.port(), .command_timeout = 300ms});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(db.get("k"), TimeoutError);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 1000ms) << "the whole reply would have taken 1.7 s";
}

TEST(Timeouts, PipelineTimesOutToo) {
  FakeServer server(AnswerHelloThenSilence);
  Client db({.port = server.port(), .command_timeout = 200ms});
  auto p = db.pipeline();
  for (int i = 0; i < 10; ++i) p.get("k");
  EXPECT_THROW(p.execute(), TimeoutError);
}

TEST(BrokenServer, InvalidRespIsAProtocolError) {
  FakeServer server([](int fd, FakeServer& self) {
    self.read_for(fd, 100);
    const std::string junk = "?what\r\n";
    send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
    self.idle(fd);
  });
  EXPECT_THROW(Client({.port = server.port()}), ProtocolError);
}

TEST_P(ClientTest, ServerKilledMidPipeline) {
  Client db = connect();
  auto p = db.pipeline();
  p.set("a", "1");
  p.pop_blocking("never", 10s);  // holds the pipeline's replies back
  p.get("a");
  std::thread killer([&] {
    std::this_thread::sleep_for(300ms);
    server_.stop(SIGKILL);
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(p.execute(), ConnectionError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  killer.join();
  server_.start();
  EXPECT_EQ(db.ping(), "PONG");  // reconnected
}

}  // namespace
}  // namespace basalt::testing
