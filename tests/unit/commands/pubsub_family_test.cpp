// The Pub/Sub family and keyspace notifications, in process: what each client's connection would
// read, byte for byte (tests/differential/test_pubsub_differential.py compares the same with
// redis-server 7.0.15 over sockets).
#include <gtest/gtest.h>

#include <string>

#include "commands/pubsub.hpp"
#include "engine_fixture.hpp"
#include "store/notify.hpp"

namespace basalt::testing {
namespace {

std::string message(std::string_view channel, std::string_view payload) {
  return array({bulk("message"), bulk(channel), bulk(payload)});
}
std::string pmessage(std::string_view pattern, std::string_view channel, std::string_view payload) {
  return array({bulk("pmessage"), bulk(pattern), bulk(channel), bulk(payload)});
}
std::string notice(std::string_view kind, std::string_view name, int64_t count) {
  return array({bulk(kind), bulk(name), integer(count)});
}

class PubSubTest : public EngineTest {};

TEST_F(PubSubTest, SubscribeAnswersOncePerChannelWithTheRunningCount) {
  EXPECT_EQ(
      run({"SUBSCRIBE", "a", "b", "a"}),
      notice("subscribe", "a", 1) + notice("subscribe", "b", 2) + notice("subscribe", "a", 2));
  EXPECT_EQ(run({"PSUBSCRIBE", "a*"}), notice("psubscribe", "a*", 3));
  EXPECT_EQ(run({"SSUBSCRIBE", "s"}), notice("ssubscribe", "s", 1)) << "shard channels count apart";
  EXPECT_EQ(run({"PUBSUB", "NUMSUB", "a", "b", "c"}, 1),
            array({bulk("a"), integer(1), bulk("b"), integer(1), bulk("c"), integer(0)}));
  EXPECT_EQ(run({"PUBSUB", "NUMPAT"}, 1), integer(1));
  EXPECT_EQ(run({"PUBSUB", "SHARDNUMSUB", "s"}, 1), array({bulk("s"), integer(1)}));
}

TEST_F(PubSubTest, PublishReachesChannelAndPatternSubscribersOnce) {
  run({"SUBSCRIBE", "news"});
  run({"PSUBSCRIBE", "n*", "x*"}, 1);
  run({"PSUBSCRIBE", "n*"}, 2);
  // One delivery for the channel's subscriber, one for each matching pattern subscription.
  EXPECT_EQ(run({"PUBLISH", "news", "hi"}, 3), integer(3));
  EXPECT_EQ(client(0).take(), message("news", "hi"));
  EXPECT_EQ(client(1).take(), pmessage("n*", "news", "hi"));
  EXPECT_EQ(client(2).take(), pmessage("n*", "news", "hi"));
  EXPECT_EQ(run({"PUBLISH", "nobody", "x"}, 3), integer(2)) << "patterns still match";
  EXPECT_EQ(run({"PUBLISH", "zzz", "x"}, 3), integer(0));
}

TEST_F(PubSubTest, ShardChannelsAreTheirOwnNamespace) {
  run({"SUBSCRIBE", "c"});
  run({"SSUBSCRIBE", "c"}, 1);
  run({"PSUBSCRIBE", "*"}, 2);
  client(0).take();
  client(1).take();
  client(2).take();
  EXPECT_EQ(run({"SPUBLISH", "c", "m"}, 3), integer(1));
  EXPECT_EQ(client(1).take(), array({bulk("smessage"), bulk("c"), bulk("m")}));
  EXPECT_EQ(client(0).take(), "");
  EXPECT_EQ(client(2).take(), "") << "patterns never match shard channels";
}

TEST_F(PubSubTest, Resp2SubscriberMayOnlyRunThePubSubContextCommands) {
  run({"SUBSCRIBE", "a"});
  EXPECT_EQ(run({"GET", "k"}),
            err("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                "RESET are allowed in this context"));
  EXPECT_EQ(run({"PING"}), array({bulk("pong"), bulk("")}));
  EXPECT_EQ(run({"PING", "x"}), array({bulk("pong"), bulk("x")}));
  EXPECT_EQ(run({"UNSUBSCRIBE"}), notice("unsubscribe", "a", 0));
  EXPECT_EQ(run({"GET", "k"}), kNil) << "back to normal once nothing is left";
  EXPECT_EQ(run({"UNSUBSCRIBE"}), array({bulk("unsubscribe"), kNil, integer(0)}));
  EXPECT_EQ(run({"PUNSUBSCRIBE"}), array({bulk("punsubscribe"), kNil, integer(0)}));
}

TEST_F(PubSubTest, Resp3SubscriberRunsAnythingAndGetsPushes) {
  run({"HELLO", "3"});
  EXPECT_EQ(run({"SUBSCRIBE", "a"}), ">3\r\n" + bulk("subscribe") + bulk("a") + integer(1));
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
  // Published to itself: the message first, then PUBLISH's reply.
  EXPECT_EQ(run({"PUBLISH", "a", "me"}),
            ">3\r\n" + bulk("message") + bulk("a") + bulk("me") + integer(1));
}

TEST_F(PubSubTest, ResetAndCloseDropEverySubscription) {
  run({"SUBSCRIBE", "a", "b"});
  run({"PSUBSCRIBE", "p*"});
  run({"SUBSCRIBE", "a"}, 1);
  EXPECT_EQ(run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(run({"PUBSUB", "NUMSUB", "a", "b"}, 2),
            array({bulk("a"), integer(1), bulk("b"), integer(0)}));
  EXPECT_EQ(run({"PUBSUB", "NUMPAT"}, 2), integer(0));
  engine_->close_session(client(1).session);
  client(1).attach(engine_->open_session(Frontend::kResp, &client(1)));
  EXPECT_EQ(run({"PUBLISH", "a", "x"}, 2), integer(0));
  EXPECT_EQ(engine_->pubsub().channel_count(PubSub::Scope::kGlobal), 0u)
      << "a channel nobody listens to is forgotten";
}

TEST_F(PubSubTest, ClientListAndKillKnowSubscribers) {
  run({"SUBSCRIBE", "a", "b"});
  run({"PSUBSCRIBE", "p*"});
  const std::string list = bulk_body(run({"CLIENT", "LIST", "TYPE", "pubsub"}, 1));
  EXPECT_NE(list.find("flags=P db=0 sub=2 psub=1 ssub=0"), std::string::npos) << list;
  EXPECT_EQ(list.find("id=" + std::to_string(client(1).session->id)), std::string::npos);
  EXPECT_EQ(run({"CLIENT", "KILL", "TYPE", "pubsub"}, 1), integer(1));
  EXPECT_TRUE(client(0).killed);
}

TEST_F(PubSubTest, HttpSessionsCannotSubscribe) {
  TestClient http;
  http.attach(engine_->open_session(Frontend::kHttp, &http));
  std::vector<std::string_view> argv = {"SUBSCRIBE", "a"};
  engine_->execute(*http.session, argv, http.builder());
  EXPECT_EQ(http.take(),
            err("ERR SUBSCRIBE needs a RESP connection: a subscription outlives an HTTP request"));
  argv = {"PUBLISH", "a", "x"};
  engine_->execute(*http.session, argv, http.builder());
  EXPECT_EQ(http.take(), integer(0)) << "publishing is a plain request";
  engine_->close_session(http.session);
}

// --- Keyspace notifications -------------------------------------------------------------------

TEST(NotifyFlags, ParsesRedisClassCharacters) {
  EXPECT_EQ(notify_flags_from(""), 0u);
  EXPECT_EQ(notify_flags_from("K$"), kNotifyKeyspace | kNotifyString);
  const uint32_t all = notify_flags_from("A");
  EXPECT_NE(all & kNotifyExpired, 0u);
  EXPECT_EQ(all & (kNotifyKeyMiss | kNotifyNew), 0u) << "A leaves out m and n, as Redis";
}

TEST_F(PubSubTest, KeyspaceAndKeyeventChannelsCarryEventAndKey) {
  run({"PSUBSCRIBE", "*"});
  client(0).take();
  EXPECT_EQ(run({"SET", "k", "v"}, 1), kOk);
  EXPECT_EQ(client(0).take(), "") << "notify-keyspace-events is empty by default";
  EXPECT_EQ(run({"CONFIG", "SET", "notify-keyspace-events", "KEA"}, 1), kOk);
  run({"SET", "k", "v", "EX", "10"}, 1);
  EXPECT_EQ(client(0).take(), pmessage("*", "__keyspace@0__:k", "set") +
                                  pmessage("*", "__keyevent@0__:set", "k") +
                                  pmessage("*", "__keyspace@0__:k", "expire") +
                                  pmessage("*", "__keyevent@0__:expire", "k"));
  run({"SELECT", "3"}, 1);
  run({"LPUSH", "l", "a"}, 1);
  run({"LPOP", "l"}, 1);
  EXPECT_EQ(
      client(0).take(),
      pmessage("*", "__keyspace@3__:l", "lpush") + pmessage("*", "__keyevent@3__:lpush", "l") +
          pmessage("*", "__keyspace@3__:l", "lpop") + pmessage("*", "__keyevent@3__:lpop", "l") +
          pmessage("*", "__keyspace@3__:l", "del") + pmessage("*", "__keyevent@3__:del", "l"));
}

TEST_F(PubSubTest, ClassesMaskEvents) {
  run({"SUBSCRIBE", "__keyevent@0__:expired", "__keyevent@0__:set", "__keyevent@0__:new",
       "__keyevent@0__:keymiss"});
  client(0).take();
  run({"CONFIG", "SET", "notify-keyspace-events", "Ex"}, 1);
  run({"SET", "k", "v", "PX", "100"}, 1);
  EXPECT_EQ(client(0).take(), "") << "string events are off";
  clock_.advance_ms(200);
  EXPECT_EQ(run({"GET", "k"}, 1), kNil);
  EXPECT_EQ(client(0).take(), message("__keyevent@0__:expired", "k"))
      << "a lazily expired key says so";
  run({"CONFIG", "SET", "notify-keyspace-events", "Enm"}, 1);
  run({"SET", "n", "v"}, 1);
  run({"SET", "n", "v2"}, 1);
  EXPECT_EQ(client(0).take(), message("__keyevent@0__:new", "n")) << "new only once";
  run({"GET", "missing"}, 1);
  EXPECT_EQ(client(0).take(), message("__keyevent@0__:keymiss", "missing"));
}

// SCAN ... TYPE looks up the keys it collected, as views into their entries; an expired one is
// deleted by that lookup, and its keymiss event must not read the freed bytes (ASan checks).
TEST_F(PubSubTest, ScanTypeOverAnExpiredKeyNamesItInTheMissEvent) {
  run({"PSUBSCRIBE", "__keyevent@0__:*"});
  client(0).take();
  run({"CONFIG", "SET", "notify-keyspace-events", "Exm"}, 1);
  run({"SET", "gone-key-with-a-long-name", "v", "PX", "5"}, 1);
  clock_.advance_ms(10);
  EXPECT_EQ(run({"SCAN", "0", "TYPE", "string"}, 1), array({bulk("0"), array({})}));
  EXPECT_EQ(
      client(0).take(),
      pmessage("__keyevent@0__:*", "__keyevent@0__:expired", "gone-key-with-a-long-name") +
          pmessage("__keyevent@0__:*", "__keyevent@0__:keymiss", "gone-key-with-a-long-name"));
}

TEST_F(PubSubTest, SetWithATimeAlreadyPastSaysTheKeyExpired) {
  run({"SUBSCRIBE", "__keyspace@0__:k"});
  client(0).take();
  run({"CONFIG", "SET", "notify-keyspace-events", "KA"}, 1);
  EXPECT_EQ(run({"SET", "k", "v", "PXAT", "1"}, 1), kOk);
  // Redis keeps the key until a lookup deletes it ("expired" then); Basalt deletes it at once.
  EXPECT_EQ(client(0).take(), message("__keyspace@0__:k", "set") +
                                  message("__keyspace@0__:k", "expire") +
                                  message("__keyspace@0__:k", "expired"));
  EXPECT_EQ(run({"EXISTS", "k"}, 1), integer(0));
}

}  // namespace
}  // namespace basalt::testing
