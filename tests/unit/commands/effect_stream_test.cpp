// The write-effect channel: what each write records, and the property everything downstream (AOF,
// replicas) relies on: replaying the recorded vectors on an empty server gives the same keyspace.

#include "commands/effect_stream.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>

#include "engine_fixture.hpp"
#include "persistence/rdb_writer.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/set.hpp"
#include "store/zset.hpp"

namespace basalt::testing {
namespace {

struct Recorded {
  uint64_t offset;
  int db;
  std::vector<std::string> argv;
};

class Recorder final : public EffectConsumer {
 public:
  void on_effect(uint64_t offset, int db, std::span<const std::string_view> argv) override {
    effects.push_back({offset, db, std::vector<std::string>(argv.begin(), argv.end())});
  }
  void on_turn_end() override { ++turns; }
  // "db:ARG ARG ..." per effect since the last call.
  std::vector<std::string> take() {
    std::vector<std::string> out;
    for (auto& e : effects) {
      std::string line = std::to_string(e.db) + ":";
      for (size_t i = 0; i < e.argv.size(); ++i) line += (i ? " " : "") + e.argv[i];
      out.push_back(line);
    }
    effects.clear();
    return out;
  }
  std::vector<Recorded> effects;
  int turns = 0;
};

class EffectStreamTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    engine_->effects().add_consumer(&recorder_);
  }
  void TearDown() override {
    engine_->effects().remove_consumer(&recorder_);
    EngineTest::TearDown();
  }
  std::string at(int64_t ms_from_now) { return std::to_string(clock_.now_ms() + ms_from_now); }
  Recorder recorder_;
};

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(EffectStreamTest, RelativeExpiriesBecomeAbsolute) {
  const std::string in10s = at(10'000);
  run({"SET", "k", "v", "EX", "10"});
  run({"SET", "k", "v", "PX", "10000", "GET"});
  run({"SETEX", "k", "10", "v"});
  run({"PSETEX", "k", "10000", "v"});
  run({"SET", "k", "v", "EXAT", std::to_string(clock_.now_ms() / 1000 + 10)});
  run({"EXPIRE", "k", "10"});
  run({"GETEX", "k", "PX", "10000"});
  run({"GETEX", "k", "PERSIST"});
  const std::string exat_ms = std::to_string((clock_.now_ms() / 1000 + 10) * 1000);
  EXPECT_THAT(recorder_.take(), ElementsAre("0:SET k v PXAT " + in10s, "0:SET k v PXAT " + in10s,
                                            "0:SET k v PXAT " + in10s, "0:SET k v PXAT " + in10s,
                                            "0:SET k v PXAT " + exat_ms, "0:PEXPIREAT k " + in10s,
                                            "0:PEXPIREAT k " + in10s, "0:PERSIST k"));
  // PXAT too comes out in Redis 7.0's one form (its AOF has "SET k v PXAT ms" whatever the
  // client's spelling and other options); KEEPTTL replays as it is.
  // A time already past deletes the key, and replays as Redis's DEL (UNLINK when expiry is lazy).
  const std::string past = std::to_string(clock_.now_ms() - 1000);
  run({"SET", "gone", "v"});
  run({"PEXPIREAT", "gone", past});
  run({"SET", "gone", "v"});
  run({"GETEX", "gone", "PXAT", past});
  run({"CONFIG", "SET", "lazyfree-lazy-expire", "yes"});
  run({"SET", "gone", "v"});
  run({"EXPIREAT", "gone", "1"});
  run({"CONFIG", "SET", "lazyfree-lazy-expire", "no"});
  EXPECT_THAT(recorder_.take(), ElementsAre("0:SET gone v", "0:DEL gone", "0:SET gone v",
                                            "0:DEL gone", "0:SET gone v", "0:UNLINK gone"));
  // RESTORE: a relative TTL becomes the absolute one with ABSTTL appended, the rest as sent;
  // an absolute one replays as it is (Redis's restoreCommand).
  const std::string payload = bulk_body(run({"DUMP", "k"}));
  run({"RESTORE", "r1", "10000", payload, "IDLETIME", "5"});
  run({"RESTORE", "r2", in10s, payload, "ABSTTL"});
  EXPECT_THAT(recorder_.take(),
              ElementsAre("0:RESTORE r1 " + in10s + " " + payload + " IDLETIME 5 ABSTTL",
                          "0:RESTORE r2 " + in10s + " " + payload + " ABSTTL"));
  run({"DEL", "k"});
  run({"set", "k", "v", "pxat", in10s, "nx"});
  run({"SET", "k", "v", "XX", "pxat", in10s, "GET"});
  run({"SET", "k", "w", "KEEPTTL"});
  EXPECT_THAT(recorder_.take(), ElementsAre("0:DEL k", "0:SET k v PXAT " + in10s,
                                            "0:SET k v PXAT " + in10s, "0:SET k w KEEPTTL"));
}

TEST_F(EffectStreamTest, NonReplayableEffectsAreRewritten) {
  run({"SET", "f", "1.5"});
  run({"INCRBYFLOAT", "f", "0.25"});
  run({"GETDEL", "f"});
  run({"RPUSH", "src", "a", "b"});
  run({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"});
  run({"BRPOPLPUSH", "src", "dst", "0"});
  run({"RPUSH", "l", "x", "y", "z"});
  run({"BLPOP", "nothing", "l", "0"});
  run({"BRPOP", "l", "0"});
  run({"LMPOP", "2", "none", "l", "LEFT", "COUNT", "5"});
  EXPECT_THAT(recorder_.take(),
              ElementsAre("0:SET f 1.5", "0:SET f 1.75 KEEPTTL", "0:DEL f", "0:RPUSH src a b",
                          "0:LMOVE src dst LEFT RIGHT", "0:LMOVE src dst RIGHT LEFT",
                          "0:RPUSH l x y z", "0:LPOP l", "0:RPOP l", "0:LPOP l 5"));
}

TEST_F(EffectStreamTest, WritesThatChangeNothingRecordNothing) {
  run({"SET", "k", "v"});
  recorder_.take();
  run({"SET", "k", "w", "NX"});
  run({"SET", "absent", "w", "XX"});
  run({"DEL", "absent", "also"});
  run({"EXPIRE", "absent", "10"});
  run({"EXPIRE", "k", "10", "XX"});  // k has no TTL: XX refuses
  run({"PERSIST", "k"});
  run({"LPOP", "absent"});
  run({"LPUSHX", "absent", "x"});
  run({"INCR", "k"});  // an error
  run({"GET", "k"});
  run({"GETEX", "k"});  // no option: a read
  EXPECT_THAT(recorder_.take(), IsEmpty());
  // FLUSHALL and FLUSHDB are recorded even on an empty keyspace, as Redis forces them.
  run({"FLUSHALL"});
  run({"FLUSHDB"});
  EXPECT_THAT(recorder_.take(), ElementsAre("0:FLUSHALL", "0:FLUSHDB"));
}

TEST_F(EffectStreamTest, ExpiryIsRecordedAsDel) {
  run({"SET", "lazy", "v", "PX", "100"});
  run({"SET", "active", "v", "PX", "100"});
  recorder_.take();
  clock_.advance_ms(200);
  run({"GET", "lazy"});
  EXPECT_THAT(recorder_.take(), ElementsAre("0:DEL lazy"));
  engine_->cron();
  EXPECT_THAT(recorder_.take(), ElementsAre("0:DEL active"));
}

TEST_F(EffectStreamTest, TransactionsAreWrappedOnlyWhenTheyWriteMoreThanOnce) {
  run({"MULTI"});
  run({"SET", "a", "1"});
  run({"SELECT", "2"});
  run({"INCR", "a"});
  run({"GET", "a"});
  run({"EXEC"});
  EXPECT_THAT(recorder_.take(), ElementsAre("0:MULTI", "0:SET a 1", "2:INCR a", "2:EXEC"));
  run({"MULTI"});
  run({"SET", "b", "1"});
  run({"GET", "b"});
  run({"EXEC"});
  EXPECT_THAT(recorder_.take(), ElementsAre("2:SET b 1"));
  run({"MULTI"});
  run({"GET", "b"});
  run({"EXEC"});
  EXPECT_THAT(recorder_.take(), IsEmpty());
}

TEST_F(EffectStreamTest, ServedBlockedPopsRecordThePushThenThePop) {
  EXPECT_EQ(run({"BLPOP", "q", "0"}, 1), "");
  run({"LPUSH", "q", "job"});
  EXPECT_THAT(recorder_.take(), ElementsAre("0:LPUSH q job", "0:LPOP q"));
}

TEST_F(EffectStreamTest, HttpSessionsFeedTheSameChannel) {
  TestClient http;
  http.attach(engine_->open_session(Frontend::kHttp, &http));
  std::vector<std::string_view> argv = {"SET", "k", "v", "EX", "5"};
  engine_->execute(*http.session, argv, http.builder());
  EXPECT_THAT(recorder_.take(), ElementsAre("0:SET k v PXAT " + at(5000)));
  engine_->close_session(http.session);
}

TEST_F(EffectStreamTest, OffsetsCountRespBytesAndDirtyCountsKeys) {
  const uint64_t dirty = engine_->store().dirty();
  run({"SET", "k", "v"});
  run({"DEL", "k", "absent"});
  run({"MSET", "a", "1", "b", "2"});
  ASSERT_EQ(recorder_.effects.size(), 3u);
  const uint64_t set_size = std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n").size();
  EXPECT_EQ(recorder_.effects[0].offset, set_size);
  EXPECT_EQ(engine_->effects().offset(), recorder_.effects[2].offset);
  EXPECT_LT(recorder_.effects[0].offset, recorder_.effects[1].offset);
  EXPECT_EQ(engine_->store().dirty() - dirty, 4u);  // SET 1, DEL 1, MSET 2
  engine_->end_turn();
  EXPECT_EQ(recorder_.turns, 1);
}

// --- Replay: every write command, random arguments, replayed on a second engine ------------------

using KeyspaceDump = std::map<std::tuple<int, std::string>, std::pair<std::string, int64_t>>;

KeyspaceDump dump(Engine& engine) {
  KeyspaceDump out;
  Store& store = engine.store();
  store.refresh_time();  // both engines judge expiry at the clock's time, not their last command's
  for (int i = 0; i < store.db_count(); ++i) {
    Database& db = store.db(i);
    db.for_each([&](Entry* e) {
      if (db.is_expired(e)) return;
      std::string value;
      switch (e->value.type()) {
        case ValueType::kString:
          value = "string:" + std::string(e->value.str());
          break;
        case ValueType::kList:
          value = "list:";
          for (std::string_view item : e->value.list()) value += std::string(item) + '\0';
          break;
        case ValueType::kHash: {
          // Sorted: iteration order is the encoding's, not part of the value.
          std::map<std::string, std::string> fields;
          e->value.hash().for_each([&](std::string_view f, std::string_view v) {
            fields.emplace(std::string(f), std::string(v));
          });
          value = std::string("hash:") + std::string(e->value.encoding()) + ':';
          for (const auto& [f, v] : fields) value += f + '\0' + v + '\0';
          break;
        }
        case ValueType::kSet: {
          // Members in sorted order: the two engines' tables may iterate differently.
          std::set<std::string> members;
          e->value.set().for_each([&](std::string_view m) { members.emplace(m); });
          value = e->value.set().is_intset() ? "intset:" : "set:";
          for (const std::string& m : members) value += m + '\0';
          break;
        }
        case ValueType::kZSet:
          value = "zset:";
          e->value.zset().for_each([&](std::string_view m, double score) {
            value += std::string(m) + '\0' + double_to_string(score) + '\0';
          });
          break;
      }
      out[{i, std::string(e->key())}] = {value, db.expire_at(e)};
    });
  }
  return out;
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}
  std::string key() { return kKeys[pick(std::size(kKeys))]; }
  std::string value() {
    switch (pick(4)) {
      case 0:
        return std::to_string(static_cast<int>(pick(200)) - 100);
      case 1:
        return std::to_string(pick(100)) + ".5";
      default:
        return std::string(1 + pick(20), static_cast<char>('a' + pick(26)));
    }
  }
  std::string value_field() { return "f" + std::to_string(pick(4)); }
  std::string ms() { return std::to_string(1 + pick(400)); }
  std::string member() { return "m" + std::to_string(pick(6)); }
  std::string score() {
    static const char* kScores[] = {"1", "-2", "0.1", "1e-5", "3.25", "+inf", "7"};
    return kScores[pick(std::size(kScores))];
  }
  std::string end() { return pick(2) ? "LEFT" : "RIGHT"; }
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  // A random command of the named kind (a write command's name, or "read").
  std::vector<std::string> command(const std::string& name, int64_t now_ms) {
    const std::string k = key(), v = value();
    if (name == "append") return {"APPEND", k, v};
    if (name == "set") {
      std::vector<std::string> argv = {"SET", k, v};
      static const char* kOptions[] = {"",   "NX", "XX",   "GET", "KEEPTTL",
                                       "EX", "PX", "EXAT", "PXAT"};
      const std::string o = kOptions[pick(std::size(kOptions))];
      if (o.empty()) return argv;
      argv.push_back(o);
      if (o == "EX") argv.push_back("1");
      if (o == "PX") argv.push_back(ms());
      if (o == "EXAT") argv.push_back(std::to_string(now_ms / 1000 + 1));
      if (o == "PXAT") argv.push_back(std::to_string(now_ms + 1 + pick(400)));
      return argv;
    }
    if (name == "setnx") return {"SETNX", k, v};
    if (name == "setex") return {"SETEX", k, "1", v};
    if (name == "psetex") return {"PSETEX", k, ms(), v};
    if (name == "getset") return {"GETSET", k, v};
    if (name == "getdel") return {"GETDEL", k};
    if (name == "getex") {
      switch (pick(3)) {
        case 0:
          return {"GETEX", k, "PX", ms()};
        case 1:
          return {"GETEX", k, "PERSIST"};
        default:
          return {"GETEX", k, "EXAT", std::to_string(now_ms / 1000 + 1)};
      }
    }
    if (name == "mset") return {"MSET", k, v, key(), value()};
    if (name == "msetnx") return {"MSETNX", k, v, key(), value()};
    if (name == "incr") return {"INCR", k};
    if (name == "decr") return {"DECR", k};
    if (name == "incrby") return {"INCRBY", k, std::to_string(pick(20))};
    if (name == "decrby") return {"DECRBY", k, std::to_string(pick(20))};
    if (name == "incrbyfloat") return {"INCRBYFLOAT", k, "0.1"};
    if (name == "setrange") return {"SETRANGE", k, std::to_string(pick(10)), v};
    if (name == "del") return {"DEL", k, key()};
    if (name == "unlink") return {"UNLINK", k};
    if (name == "expire") return {"EXPIRE", k, "1"};
    if (name == "pexpire") return {"PEXPIRE", k, ms(), pick(2) ? "GT" : "NX"};
    if (name == "expireat") return {"EXPIREAT", k, std::to_string(now_ms / 1000 + pick(2))};
    if (name == "pexpireat") return {"PEXPIREAT", k, std::to_string(now_ms + 50 - pick(100))};
    if (name == "persist") return {"PERSIST", k};
    if (name == "rename") return {"RENAME", k, key()};
    if (name == "renamenx") return {"RENAMENX", k, key()};
    if (name == "copy") return {"COPY", k, key(), "DB", std::to_string(pick(3)), "REPLACE"};
    if (name == "move") return {"MOVE", k, std::to_string(pick(3))};
    if (name == "swapdb") return {"SWAPDB", std::to_string(pick(3)), std::to_string(pick(3))};
    if (name == "flushdb") return {"FLUSHDB"};
    if (name == "flushall") return {"FLUSHALL"};
    if (name == "restore") {
      const size_t kind = pick(5);
      Value value = kind == 0   ? Value(v)
                    : kind == 1 ? Value::new_list()
                    : kind == 2 ? Value::new_hash()
                    : kind == 3 ? Value::new_set()
                                : Value::new_zset();
      if (value.is_list()) value.list().push_back(v);
      if (value.is_hash()) value.hash().set(value_field(), v, HashLimits{});
      if (value.is_set()) value.set().add(v, Set::kDefaultMaxIntsetEntries);
      if (value.is_zset()) value.zset().insert(v, 0.1, ZSet::Limits{});
      std::vector<std::string> argv = {"RESTORE", k, pick(2) ? "0" : ms(), dump_value(value)};
      if (pick(4) != 0) argv.push_back("REPLACE");
      return argv;
    }
    if (name == "lpush") return {"LPUSH", k, v, value()};
    if (name == "rpush") return {"RPUSH", k, v};
    if (name == "lpushx") return {"LPUSHX", k, v};
    if (name == "rpushx") return {"RPUSHX", k, v};
    if (name == "lpop")
      return pick(2) ? std::vector<std::string>{"LPOP", k}
                     : std::vector<std::string>{"LPOP", k, "2"};
    if (name == "rpop") return {"RPOP", k};
    if (name == "lset") return {"LSET", k, std::to_string(static_cast<int>(pick(3)) - 1), v};
    if (name == "linsert") return {"LINSERT", k, pick(2) ? "BEFORE" : "AFTER", value(), v};
    if (name == "lrem") return {"LREM", k, std::to_string(static_cast<int>(pick(3)) - 1), v};
    if (name == "ltrim") return {"LTRIM", k, std::to_string(pick(3)), "-2"};
    if (name == "lmove") return {"LMOVE", k, key(), end(), end()};
    if (name == "rpoplpush") return {"RPOPLPUSH", k, key()};
    if (name == "lmpop") return {"LMPOP", "2", k, key(), end(), "COUNT", "2"};
    // Sets: members from value(), so intsets and tables both come up; SPOP's draw replays as
    // the SREM (or DEL) it recorded.
    if (name == "sadd") return {"SADD", k, v, value(), value()};
    if (name == "srem") return {"SREM", k, v, value()};
    if (name == "spop")
      return pick(2) ? std::vector<std::string>{"SPOP", k}
                     : std::vector<std::string>{"SPOP", k, std::to_string(pick(4))};
    if (name == "smove") return {"SMOVE", k, key(), v};
    if (name == "sinterstore") return {"SINTERSTORE", k, key(), key()};
    if (name == "sunionstore") return {"SUNIONSTORE", k, key(), key()};
    if (name == "sdiffstore") return {"SDIFFSTORE", k, key(), key()};
    if (name == "sort") {
      switch (pick(3)) {
        case 0:
          return {"SORT", k, "ALPHA", "STORE", key()};
        case 1:
          return {"SORT", k, "BY", "nosort", "LIMIT", "0", "2", "STORE", key()};
        default:
          return {"SORT", k, "DESC", "ALPHA", "GET", "#", "GET", "n*", "STORE", key()};
      }
    }
    // Blocking forms, with a timeout: run by a client of their own.
    if (name == "blpop") return {"BLPOP", k, key(), "0.2"};
    if (name == "brpop") return {"BRPOP", k, "0.2"};
    if (name == "blmove") return {"BLMOVE", k, key(), end(), end(), "0.2"};
    if (name == "brpoplpush") return {"BRPOPLPUSH", k, key(), "0.2"};
    if (name == "blmpop") return {"BLMPOP", "0.2", "1", k, end()};
    if (name == "setbit") return {"SETBIT", k, std::to_string(pick(64)), pick(2) ? "1" : "0"};
    if (name == "bitop") {
      static const char* kOps[] = {"AND", "OR", "XOR", "NOT"};
      const std::string op = kOps[pick(std::size(kOps))];
      if (op == "NOT") return {"BITOP", op, k, key()};
      return {"BITOP", op, k, key(), key()};
    }
    if (name == "bitfield") {
      static const char* kOverflow[] = {"WRAP", "SAT", "FAIL"};
      return {"BITFIELD",
              k,
              "OVERFLOW",
              kOverflow[pick(3)],
              "INCRBY",
              pick(2) ? "i5" : "u7",
              "#" + std::to_string(pick(6)),
              std::to_string(static_cast<int>(pick(200)) - 100),
              "SET",
              "u3",
              std::to_string(pick(40)),
              std::to_string(pick(9))};
    }
    if (name == "pfadd") return {"PFADD", k, v, value()};
    if (name == "pfmerge") return {"PFMERGE", k, key(), key()};
    // A read that writes its cached cardinality back (may_replicate), recorded when it does.
    if (name == "pfcount") return {"PFCOUNT", k};
    if (name == "pfdebug") return {"PFDEBUG", pick(2) ? "TODENSE" : "GETREG", k};
    if (name == "hset") return {"HSET", k, value_field(), v, value_field(), value()};
    if (name == "hmset") return {"HMSET", k, value_field(), v};
    if (name == "hsetnx") return {"HSETNX", k, value_field(), v};
    if (name == "hdel") return {"HDEL", k, value_field(), value_field()};
    if (name == "hincrby") return {"HINCRBY", k, value_field(), std::to_string(pick(20))};
    if (name == "hincrbyfloat") return {"HINCRBYFLOAT", k, value_field(), "0.1"};
    // Sorted sets: scores that format losslessly only as "%.17g" (0.1) among plain ones.
    if (name == "zadd") {
      static const char* kFlags[] = {"", "NX", "XX", "GT", "LT", "CH", "INCR"};
      std::vector<std::string> argv = {"ZADD", k};
      const std::string f = kFlags[pick(std::size(kFlags))];
      if (!f.empty()) argv.push_back(f);
      argv.insert(argv.end(), {score(), member()});
      if (f != "INCR" && pick(2)) argv.insert(argv.end(), {score(), member()});
      return argv;
    }
    if (name == "zincrby") return {"ZINCRBY", k, score(), member()};
    if (name == "zrem") return {"ZREM", k, member(), member()};
    if (name == "zrangestore") return {"ZRANGESTORE", k, key(), "(0", "+inf", "BYSCORE"};
    if (name == "zremrangebyrank") return {"ZREMRANGEBYRANK", k, "0", std::to_string(pick(3))};
    if (name == "zremrangebyscore") return {"ZREMRANGEBYSCORE", k, "-inf", score()};
    if (name == "zremrangebylex") return {"ZREMRANGEBYLEX", k, "-", "[m" + std::to_string(pick(6))};
    if (name == "zpopmin") return {"ZPOPMIN", k};
    if (name == "zpopmax") return {"ZPOPMAX", k, "2"};
    if (name == "zmpop") return {"ZMPOP", "2", k, key(), pick(2) ? "MIN" : "MAX", "COUNT", "2"};
    if (name == "zunionstore") return {"ZUNIONSTORE", k, "2", key(), key(), "WEIGHTS", "1", "0.3"};
    if (name == "zinterstore") return {"ZINTERSTORE", k, "2", key(), key(), "AGGREGATE", "MAX"};
    if (name == "zdiffstore") return {"ZDIFFSTORE", k, "2", key(), key()};
    if (name == "bzpopmin") return {"BZPOPMIN", k, key(), "0.2"};
    if (name == "bzpopmax") return {"BZPOPMAX", k, "0.2"};
    if (name == "bzmpop") return {"BZMPOP", "0.2", "1", k, "MAX", "COUNT", "3"};
    return {};
  }

 private:
  static constexpr const char* kKeys[] = {"a", "b", "c", "n", "l1", "l2", "l3", "h1", "h2"};
  std::mt19937_64 rng_;
};

bool is_blocking(const std::string& name) { return name[0] == 'b'; }

class EffectReplayTest : public EffectStreamTest, public ::testing::WithParamInterface<uint64_t> {};

TEST_P(EffectReplayTest, ReplayingTheEffectsOfEveryWriteCommandRebuildsTheKeyspace) {
  std::vector<std::string> writes;
  for (const Command* cmd : engine_->commands().sorted()) {
    // PUBLISH may replicate (to replicas' subscribers) but never changes the keyspace.
    if (cmd->has(kCmdWrite | kCmdMayReplicate) && !cmd->has(kCmdPubsub)) {
      writes.push_back(cmd->full_name);
    }
    for (const Command& sub : cmd->subcommands) {
      if (sub.has(kCmdWrite)) writes.push_back(sub.full_name);
    }
  }
  Engine replica(config_, clock_, 7);
  TestClient replayer;
  replayer.attach(replica.open_session(Frontend::kInternal, &replayer));
  int replay_db = 0;
  size_t replayed = 0;
  auto replay = [&]() {
    for (; replayed < recorder_.effects.size(); ++replayed) {
      const Recorded& e = recorder_.effects[replayed];
      if (e.db != replay_db) {
        const std::string index = std::to_string(e.db);
        std::vector<std::string_view> select = {"SELECT", index};
        replica.execute(*replayer.session, select, replayer.builder());
        // Inside a transaction's effects (a lazy expiry in COPY's destination database, say) the
        // SELECT is queued and runs in order at EXEC, as Redis propagates it.
        const std::string selected = replayer.take();
        ASSERT_TRUE(selected == kOk || selected == "+QUEUED\r\n") << selected;
        replay_db = e.db;
      }
      std::vector<std::string_view> argv(e.argv.begin(), e.argv.end());
      replica.execute(*replayer.session, argv, replayer.builder());
      const std::string reply = replayer.take();
      ASSERT_TRUE(reply.empty() || reply[0] != '-') << e.argv[0] << ": " << reply;
    }
  };

  std::map<std::string, size_t> effects_by_command;
  size_t expiry_dels = 0, transactions = 0;
  Generator gen(GetParam());
  for (int step = 0; step < 20000; ++step) {
    const size_t before = recorder_.effects.size();
    const std::string name = writes[gen.pick(writes.size())];
    const std::vector<std::string> argv = gen.command(name, clock_.now_ms());
    ASSERT_FALSE(argv.empty()) << "the generator does not know the write command " << name;
    std::vector<std::string_view> views(argv.begin(), argv.end());
    const size_t r = gen.pick(20);
    if (is_blocking(name)) {
      if (!client(1).session->blocked) run(views, 1);
    } else if (r == 0) {
      run({"SELECT", std::to_string(gen.pick(3))});
    } else if (r == 1) {
      run({"MULTI"});
      run(views);
      // Blocking commands inside MULTI do not block; they run like their plain forms.
      const std::vector<std::string> second =
          gen.command(writes[gen.pick(writes.size())], clock_.now_ms());
      run(std::vector<std::string_view>(second.begin(), second.end()));
      run({"EXEC"});
    } else if (r == 2) {
      run({"GET", gen.key()});  // lazy expiry
    } else {
      run(views);
    }
    replay();  // at the instant the effects happened, as a replica following the stream would
    if (gen.pick(10) == 0) {
      advance_ms(static_cast<int64_t>(gen.pick(150)));
      if (gen.pick(4) == 0) engine_->cron();
    }
    for (size_t i = before; i < recorder_.effects.size(); ++i) {
      const std::string& first = recorder_.effects[i].argv[0];
      if (first == "MULTI") ++transactions;
      if (first == "DEL" && recorder_.effects[i].argv.size() == 2 && name != "del" &&
          name != "getdel") {
        ++expiry_dels;
      }
    }
    if (recorder_.effects.size() > before) effects_by_command[name]++;
    replay();
    if (step % 1000 == 999) {
      ASSERT_EQ(dump(*engine_), dump(replica)) << "at step " << step;
    }
  }
  ASSERT_EQ(dump(*engine_), dump(replica));
  // Every write command of the table was exercised and recorded something at least once.
  for (const std::string& name : writes) EXPECT_GT(effects_by_command[name], 0u) << name;
  EXPECT_GT(expiry_dels, 0u);
  EXPECT_GT(transactions, 0u);
  replica.close_session(replayer.session);
}

INSTANTIATE_TEST_SUITE_P(Seeds, EffectReplayTest, ::testing::Values(1, 2, 20261205));

}  // namespace
}  // namespace basalt::testing
