// The string family against Redis 7.0.15's exact replies (checked against a real redis-server):
// every command, option, error text and reply type, TTL interplay on the manual clock, RESP3,
// and which commands signal a modification (what WATCH sees).

#include <string>
#include <string_view>
#include <vector>

#include "commands/engine_fixture.hpp"
#include "commands/error_texts.hpp"
#include "store/entry.hpp"
#include "store/list.hpp"

namespace basalt {
namespace {

using testing::array;
using testing::bulk;
using testing::err;
using testing::integer;
using testing::kNil;
using testing::kOk;

const std::string kWrongType = err(err::kWrongType);
const std::string kSyntax = err(err::kSyntax);
const std::string kNotInteger = err(err::kNotInteger);
const std::string kNotFloat = err(err::kNotFloat);
const std::string kEmpty = bulk("");
constexpr int64_t kTtlNone = -1, kKeyMissing = -2;

class StringsTest : public testing::EngineTest {
 protected:
  int64_t now() const { return clock_.now_ms(); }

  // The key's absolute expiry (kTtlNone without one, kKeyMissing when absent), read from the
  // store so these tests do not depend on the keyspace family's TTL commands.
  int64_t expire_at(std::string_view key) {
    Entry* e = db().peek(key);
    if (e == nullptr || db().is_expired(e)) return kKeyMissing;
    return e->has_expire() ? db().expire_at(e) : kTtlNone;
  }
  // A list key, built in the store (the list family is tested on its own).
  void make_list(std::string_view key) {
    Value v = Value::new_list();
    v.list().push_back("x");
    db().set(key, std::move(v));
  }
  bool is_list(std::string_view key) {
    Entry* e = db().peek(key);
    return e != nullptr && e->value.is_list();
  }
  void resp3(size_t i = 0) { client(i).session->protocol = 3; }

  // Whether running argv signals `key` as modified, as a client WATCHing it would see.
  bool signals(std::string_view key, std::vector<std::string_view> argv) {
    Session& watcher = *client(1).session;
    engine_->unwatch_all(watcher);
    engine_->watch(watcher, key);
    run(argv);
    bool dirty = watcher.watch_dirty;
    engine_->unwatch_all(watcher);
    return dirty;
  }
};

// --- Command table ---------------------------------------------------------------------------

TEST_F(StringsTest, TableRowsMatchRedis) {
  struct Row {
    std::string_view name;
    int arity;
    std::vector<std::string_view> flags;
    int first, last, step;
    std::vector<std::string> acl;
  };
  const std::vector<std::string> kWriteFast = {"@write", "@string", "@fast"};
  const std::vector<std::string> kWriteSlow = {"@write", "@string", "@slow"};
  const std::vector<std::string> kReadFast = {"@read", "@string", "@fast"};
  const std::vector<std::string> kReadSlow = {"@read", "@string", "@slow"};
  // From tests/differential/reference/command_info.json (redis-server 7.0.15).
  const Row rows[] = {
      {"get", 2, {"readonly", "fast"}, 1, 1, 1, kReadFast},
      {"set", -3, {"write", "denyoom"}, 1, 1, 1, kWriteSlow},
      {"setnx", 3, {"write", "denyoom", "fast"}, 1, 1, 1, kWriteFast},
      {"setex", 4, {"write", "denyoom"}, 1, 1, 1, kWriteSlow},
      {"psetex", 4, {"write", "denyoom"}, 1, 1, 1, kWriteSlow},
      {"getset", 3, {"write", "denyoom", "fast"}, 1, 1, 1, kWriteFast},
      {"getdel", 2, {"write", "fast"}, 1, 1, 1, kWriteFast},
      {"getex", -2, {"write", "fast"}, 1, 1, 1, kWriteFast},
      {"mget", -2, {"readonly", "fast"}, 1, -1, 1, kReadFast},
      {"mset", -3, {"write", "denyoom"}, 1, -1, 2, kWriteSlow},
      {"msetnx", -3, {"write", "denyoom"}, 1, -1, 2, kWriteSlow},
      {"append", 3, {"write", "denyoom", "fast"}, 1, 1, 1, kWriteFast},
      {"strlen", 2, {"readonly", "fast"}, 1, 1, 1, kReadFast},
      {"getrange", 4, {"readonly"}, 1, 1, 1, kReadSlow},
      {"substr", 4, {"readonly"}, 1, 1, 1, kReadSlow},
      {"setrange", 4, {"write", "denyoom"}, 1, 1, 1, kWriteSlow},
      {"incr", 2, {"write", "denyoom", "fast"}, 1, 1, 1, kWriteFast},
      {"decr", 2, {"write", "denyoom", "fast"}, 1, 1, 1, kWriteFast},
      {"incrby", 3, {"write", "denyoom", "fast"}, 1, 1, 1, kWriteFast},
      {"decrby", 3, {"write", "denyoom", "fast"}, 1, 1, 1, kWriteFast},
      {"incrbyfloat", 3, {"write", "denyoom", "fast"}, 1, 1, 1, kWriteFast},
      {"lcs", -3, {"readonly"}, 1, 2, 1, kReadSlow},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.name));
    const Command* cmd = engine_->commands().find(row.name);
    ASSERT_NE(cmd, nullptr);
    EXPECT_EQ(cmd->spec.arity, row.arity);
    EXPECT_EQ(flag_names(cmd->spec.flags), row.flags);
    EXPECT_EQ(cmd->spec.first_key, row.first);
    EXPECT_EQ(cmd->spec.last_key, row.last);
    EXPECT_EQ(cmd->spec.step, row.step);
    EXPECT_EQ(acl_category_names(cmd->acl_categories), row.acl);
    EXPECT_EQ(cmd->spec.group, "string");
    EXPECT_FALSE(cmd->spec.summary.empty());
  }
}

TEST_F(StringsTest, WrongArityIsCheckedCentrally) {
  EXPECT_EQ(run({"GET"}), err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(run({"GET", "a", "b"}), err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(run({"SET", "k"}), err("ERR wrong number of arguments for 'set' command"));
  EXPECT_EQ(run({"SETEX", "k", "10"}), err("ERR wrong number of arguments for 'setex' command"));
  EXPECT_EQ(run({"GETEX"}), err("ERR wrong number of arguments for 'getex' command"));
  EXPECT_EQ(run({"MSET", "k"}), err("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(run({"SUBSTR", "k", "0"}), err("ERR wrong number of arguments for 'substr' command"));
  EXPECT_EQ(run({"LCS", "a"}), err("ERR wrong number of arguments for 'lcs' command"));
  EXPECT_EQ(run({"INCRBYFLOAT", "k"}),
            err("ERR wrong number of arguments for 'incrbyfloat' command"));
}

// --- GET / SET -------------------------------------------------------------------------------

TEST_F(StringsTest, SetAndGet) {
  EXPECT_EQ(run({"GET", "k"}), kNil);
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(run({"SET", "k", ""}), kOk);
  EXPECT_EQ(run({"GET", "k"}), bulk(""));
  std::string big(100'000, 'x');
  EXPECT_EQ(run({"SET", "k", big}), kOk);
  EXPECT_EQ(run({"GET", "k"}), bulk(big));
  std::string binary("a\0b\r\nc", 6);
  EXPECT_EQ(run({"SET", binary, binary}), kOk);
  EXPECT_EQ(run({"GET", binary}), bulk(binary));
}

TEST_F(StringsTest, GetWrongTypeAndSetOverwritesAnyType) {
  make_list("l");
  EXPECT_EQ(run({"GET", "l"}), kWrongType);
  EXPECT_EQ(run({"SET", "l", "v"}), kOk);
  EXPECT_EQ(run({"GET", "l"}), bulk("v"));
}

TEST_F(StringsTest, SetNxXx) {
  EXPECT_EQ(run({"SET", "k", "v", "XX"}), kNil);
  EXPECT_EQ(run({"GET", "k"}), kNil);
  EXPECT_EQ(run({"SET", "k", "v", "NX"}), kOk);
  EXPECT_EQ(run({"SET", "k", "w", "nx"}), kNil);
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(run({"SET", "k", "w", "xx"}), kOk);
  EXPECT_EQ(run({"GET", "k"}), bulk("w"));
  // Repeating an option is allowed; contradicting one is not, in either order.
  EXPECT_EQ(run({"SET", "k", "x", "XX", "XX"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v", "NX", "XX"}), kSyntax);
  EXPECT_EQ(run({"SET", "k", "v", "XX", "NX"}), kSyntax);
  // NX sees a key of any type.
  make_list("l");
  EXPECT_EQ(run({"SET", "l", "v", "NX"}), kNil);
  EXPECT_TRUE(is_list("l"));
}

TEST_F(StringsTest, SetGet) {
  EXPECT_EQ(run({"SET", "k", "v1", "GET"}), kNil);
  EXPECT_EQ(run({"SET", "k", "v2", "GET"}), bulk("v1"));
  EXPECT_EQ(run({"GET", "k"}), bulk("v2"));
  EXPECT_EQ(run({"SET", "k", "v3", "get", "GET"}), bulk("v2"));
  // With NX/XX the old value is still the reply, whether or not the write happens.
  EXPECT_EQ(run({"SET", "k", "v4", "NX", "GET"}), bulk("v3"));
  EXPECT_EQ(run({"GET", "k"}), bulk("v3"));
  EXPECT_EQ(run({"SET", "n", "v", "NX", "GET"}), kNil);
  EXPECT_EQ(run({"GET", "n"}), bulk("v"));
  EXPECT_EQ(run({"SET", "m", "v", "XX", "GET"}), kNil);
  EXPECT_EQ(run({"GET", "m"}), kNil);
  EXPECT_EQ(run({"SET", "k", "v5", "XX", "GET"}), bulk("v3"));
  EXPECT_EQ(run({"GET", "k"}), bulk("v5"));
}

TEST_F(StringsTest, SetGetOnListIsWrongTypeAndDoesNotSet) {
  make_list("l");
  EXPECT_EQ(run({"SET", "l", "v", "GET"}), kWrongType);
  EXPECT_TRUE(is_list("l"));
  EXPECT_EQ(run({"SET", "l", "v", "NX", "GET"}), kWrongType);
  EXPECT_EQ(run({"SET", "l", "v", "GET", "EX", "10"}), kWrongType);
  EXPECT_TRUE(is_list("l"));
  EXPECT_EQ(expire_at("l"), kTtlNone);
}

TEST_F(StringsTest, SetSyntaxErrors) {
  EXPECT_EQ(run({"SET", "k", "v", "FOO"}), kSyntax);
  EXPECT_EQ(run({"SET", "k", "v", "EX"}), kSyntax);  // EX needs a value
  EXPECT_EQ(run({"SET", "k", "v", "PXAT"}), kSyntax);
  EXPECT_EQ(run({"SET", "k", "v", "EX", "10", "PX", "20"}), kSyntax);
  EXPECT_EQ(run({"SET", "k", "v", "EX", "10", "EXAT", "20"}), kSyntax);
  EXPECT_EQ(run({"SET", "k", "v", "PXAT", "10", "PX", "20"}), kSyntax);
  EXPECT_EQ(run({"SET", "k", "v", "EX", "10", "KEEPTTL"}), kSyntax);
  EXPECT_EQ(run({"SET", "k", "v", "KEEPTTL", "PX", "10"}), kSyntax);
  EXPECT_EQ(run({"SET", "k", "v", "PERSIST"}), kSyntax);  // GETEX only
  EXPECT_EQ(run({"SET", "k", "v", "NXX"}), kSyntax);
  EXPECT_EQ(run({"GET", "k"}), kNil);  // nothing was written by any of those
  // A syntax error wins over a bad expire value that comes first.
  EXPECT_EQ(run({"SET", "k", "v", "EX", "abc", "FOO"}), kSyntax);
}

TEST_F(StringsTest, SetExpireOptions) {
  int64_t t0 = now();
  EXPECT_EQ(run({"SET", "k", "v", "EX", "10"}), kOk);
  EXPECT_EQ(expire_at("k"), t0 + 10'000);
  EXPECT_EQ(run({"SET", "k", "v", "ex", "10", "EX", "20"}), kOk);  // the last one wins
  EXPECT_EQ(expire_at("k"), t0 + 20'000);
  EXPECT_EQ(run({"SET", "k", "v", "PX", "1500"}), kOk);
  EXPECT_EQ(expire_at("k"), t0 + 1500);
  EXPECT_EQ(run({"SET", "k", "v", "EXAT", std::to_string(t0 / 1000 + 100)}), kOk);
  EXPECT_EQ(expire_at("k"), (t0 / 1000 + 100) * 1000);
  EXPECT_EQ(run({"SET", "k", "v", "PXAT", std::to_string(t0 + 1234)}), kOk);
  EXPECT_EQ(expire_at("k"), t0 + 1234);
  advance_ms(1233);
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  advance_ms(1);
  EXPECT_EQ(run({"GET", "k"}), kNil);
}

TEST_F(StringsTest, SetExpireInThePastDeletesTheKey) {
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v", "PXAT", "1"}), kOk);
  EXPECT_EQ(expire_at("k"), kKeyMissing);
  EXPECT_EQ(run({"SET", "k", "v", "EXAT", std::to_string(now() / 1000)}), kOk);
  EXPECT_EQ(run({"GET", "k"}), kNil);
  EXPECT_EQ(run({"SET", "k", "v2", "EXAT", "1", "GET"}), kNil);
  EXPECT_EQ(run({"GET", "k"}), kNil);
}

TEST_F(StringsTest, SetInvalidExpire) {
  const std::string invalid = err("ERR invalid expire time in 'set' command");
  EXPECT_EQ(run({"SET", "k", "v", "EX", "0"}), invalid);
  EXPECT_EQ(run({"SET", "k", "v", "EX", "-1"}), invalid);
  EXPECT_EQ(run({"SET", "k", "v", "PX", "0"}), invalid);
  EXPECT_EQ(run({"SET", "k", "v", "EXAT", "0"}), invalid);
  EXPECT_EQ(run({"SET", "k", "v", "PXAT", "-5"}), invalid);
  // Seconds to ms overflows; relative + now overflows.
  EXPECT_EQ(run({"SET", "k", "v", "EX", "9223372036854775"}), invalid);
  EXPECT_EQ(run({"SET", "k", "v", "EXAT", "9223372036854776"}), invalid);
  EXPECT_EQ(run({"SET", "k", "v", "PX", "9223372036854775807"}), invalid);
  EXPECT_EQ(run({"SET", "k", "v", "EX", "abc"}), kNotInteger);
  EXPECT_EQ(run({"SET", "k", "v", "PX", "1.5"}), kNotInteger);
  EXPECT_EQ(run({"GET", "k"}), kNil);
  // Absolute times are not added to now, so the largest ones are valid.
  EXPECT_EQ(run({"SET", "k", "v", "EXAT", "9223372036854775"}), kOk);
  EXPECT_EQ(expire_at("k"), 9223372036854775000);
  EXPECT_EQ(run({"SET", "k", "v", "PXAT", "9223372036854775807"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v", "EX", "9223372036854"}), kOk);
  // The expire is checked before GET and before NX: nothing is replied or written.
  make_list("l");
  EXPECT_EQ(run({"SET", "l", "v", "GET", "EX", "0"}), invalid);
}

TEST_F(StringsTest, SetDropsTtlUnlessKeepTtl) {
  EXPECT_EQ(run({"SET", "k", "v", "EX", "10"}), kOk);
  int64_t at = expire_at("k");
  EXPECT_EQ(run({"SET", "k", "v2", "KEEPTTL"}), kOk);
  EXPECT_EQ(expire_at("k"), at);
  EXPECT_EQ(run({"SET", "k", "v3", "keepttl", "XX", "GET"}), bulk("v2"));
  EXPECT_EQ(expire_at("k"), at);
  EXPECT_EQ(run({"SET", "k", "v4"}), kOk);
  EXPECT_EQ(expire_at("k"), kTtlNone);
  advance_ms(20'000);
  EXPECT_EQ(run({"GET", "k"}), bulk("v4"));
  // KEEPTTL on a new key just sets it.
  EXPECT_EQ(run({"SET", "n", "v", "KEEPTTL"}), kOk);
  EXPECT_EQ(expire_at("n"), kTtlNone);
}

TEST_F(StringsTest, ExpiredKeysAreMissingForSet) {
  EXPECT_EQ(run({"SET", "k", "old", "PX", "100"}), kOk);
  advance_ms(100);
  EXPECT_EQ(run({"SET", "k", "v", "XX"}), kNil);
  EXPECT_EQ(run({"SET", "k", "v", "PX", "100"}), kOk);
  advance_ms(100);
  EXPECT_EQ(run({"SET", "k", "v2", "NX", "GET"}), kNil);
  EXPECT_EQ(run({"GET", "k"}), bulk("v2"));
  EXPECT_EQ(expire_at("k"), kTtlNone);
}

TEST_F(StringsTest, SetNxCommand) {
  EXPECT_EQ(run({"SETNX", "k", "v"}), integer(1));
  EXPECT_EQ(run({"SETNX", "k", "w"}), integer(0));
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  make_list("l");
  EXPECT_EQ(run({"SETNX", "l", "v"}), integer(0));
  EXPECT_TRUE(is_list("l"));
  EXPECT_EQ(run({"SET", "e", "v", "PX", "5"}), kOk);
  advance_ms(5);
  EXPECT_EQ(run({"SETNX", "e", "w"}), integer(1));
}

TEST_F(StringsTest, SetExAndPsetEx) {
  int64_t t0 = now();
  EXPECT_EQ(run({"SETEX", "k", "10", "v"}), kOk);
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(expire_at("k"), t0 + 10'000);
  EXPECT_EQ(run({"PSETEX", "p", "1500", "v"}), kOk);
  EXPECT_EQ(expire_at("p"), t0 + 1500);
  make_list("l");
  EXPECT_EQ(run({"SETEX", "l", "10", "v"}), kOk);  // overwrites any type
  EXPECT_EQ(run({"GET", "l"}), bulk("v"));
  advance_ms(1500);
  EXPECT_EQ(run({"GET", "p"}), kNil);
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));

  EXPECT_EQ(run({"SETEX", "k", "0", "v"}), err("ERR invalid expire time in 'setex' command"));
  EXPECT_EQ(run({"SETEX", "k", "-1", "v"}), err("ERR invalid expire time in 'setex' command"));
  EXPECT_EQ(run({"SETEX", "k", "9223372036854775", "v"}),
            err("ERR invalid expire time in 'setex' command"));
  EXPECT_EQ(run({"PSETEX", "k", "0", "v"}), err("ERR invalid expire time in 'psetex' command"));
  EXPECT_EQ(run({"PSETEX", "k", "9223372036854775807", "v"}),
            err("ERR invalid expire time in 'psetex' command"));
  EXPECT_EQ(run({"SETEX", "k", "abc", "v"}), kNotInteger);
  EXPECT_EQ(run({"PSETEX", "k", "", "v"}), kNotInteger);
}

// --- GETSET / GETDEL / GETEX -------------------------------------------------------------------

TEST_F(StringsTest, GetSet) {
  EXPECT_EQ(run({"GETSET", "k", "v"}), kNil);
  EXPECT_EQ(run({"GETSET", "k", "w"}), bulk("v"));
  EXPECT_EQ(run({"GET", "k"}), bulk("w"));
  EXPECT_EQ(run({"SET", "k", "x", "EX", "10"}), kOk);
  EXPECT_EQ(run({"GETSET", "k", "y"}), bulk("x"));
  EXPECT_EQ(expire_at("k"), kTtlNone);  // GETSET drops the TTL, as SET does
  make_list("l");
  EXPECT_EQ(run({"GETSET", "l", "v"}), kWrongType);
  EXPECT_TRUE(is_list("l"));
}

TEST_F(StringsTest, GetDel) {
  EXPECT_EQ(run({"GETDEL", "k"}), kNil);
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"GETDEL", "k"}), bulk("v"));
  EXPECT_EQ(run({"GET", "k"}), kNil);
  EXPECT_EQ(db().peek("k"), nullptr);
  std::string big(100, 'b');
  EXPECT_EQ(run({"SET", "k", big, "EX", "10"}), kOk);
  EXPECT_EQ(run({"GETDEL", "k"}), bulk(big));
  EXPECT_EQ(db().expires(), 0u);
  make_list("l");
  EXPECT_EQ(run({"GETDEL", "l"}), kWrongType);
  EXPECT_TRUE(is_list("l"));
}

TEST_F(StringsTest, GetExWithoutOptionsLeavesTheTtl) {
  EXPECT_EQ(run({"GETEX", "k"}), kNil);
  EXPECT_EQ(run({"SET", "k", "v", "EX", "10"}), kOk);
  int64_t at = expire_at("k");
  EXPECT_EQ(run({"GETEX", "k"}), bulk("v"));
  EXPECT_EQ(expire_at("k"), at);
}

TEST_F(StringsTest, GetExSetsExpiry) {
  int64_t t0 = now();
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"GETEX", "k", "EX", "100"}), bulk("v"));
  EXPECT_EQ(expire_at("k"), t0 + 100'000);
  EXPECT_EQ(run({"GETEX", "k", "px", "500"}), bulk("v"));
  EXPECT_EQ(expire_at("k"), t0 + 500);
  EXPECT_EQ(run({"GETEX", "k", "EXAT", std::to_string(t0 / 1000 + 50)}), bulk("v"));
  EXPECT_EQ(expire_at("k"), (t0 / 1000 + 50) * 1000);
  EXPECT_EQ(run({"GETEX", "k", "PXAT", std::to_string(t0 + 700)}), bulk("v"));
  EXPECT_EQ(expire_at("k"), t0 + 700);
  EXPECT_EQ(run({"GETEX", "k", "EX", "1", "EX", "2"}), bulk("v"));  // repeats are allowed
  EXPECT_EQ(expire_at("k"), t0 + 2000);
  EXPECT_EQ(run({"GETEX", "k", "PERSIST"}), bulk("v"));
  EXPECT_EQ(expire_at("k"), kTtlNone);
  EXPECT_EQ(run({"GETEX", "k", "PERSIST", "persist"}), bulk("v"));
  EXPECT_EQ(expire_at("k"), kTtlNone);
}

TEST_F(StringsTest, GetExPastAbsoluteTimeDeletes) {
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"GETEX", "k", "PXAT", "1"}), bulk("v"));  // replies first, then deletes
  EXPECT_EQ(db().peek("k"), nullptr);
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"GETEX", "k", "EXAT", std::to_string(now() / 1000)}), bulk("v"));
  EXPECT_EQ(run({"GET", "k"}), kNil);
}

TEST_F(StringsTest, GetExErrors) {
  const std::string invalid = err("ERR invalid expire time in 'getex' command");
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"GETEX", "k", "EX", "0"}), invalid);
  EXPECT_EQ(run({"GETEX", "k", "PX", "-1"}), invalid);
  EXPECT_EQ(run({"GETEX", "k", "EX", "9223372036854775"}), invalid);
  EXPECT_EQ(run({"GETEX", "k", "EX", "abc"}), kNotInteger);
  EXPECT_EQ(run({"GETEX", "k", "EX"}), kSyntax);
  EXPECT_EQ(run({"GETEX", "k", "PERSIST", "EX", "10"}), kSyntax);
  EXPECT_EQ(run({"GETEX", "k", "EX", "10", "PERSIST"}), kSyntax);
  EXPECT_EQ(run({"GETEX", "k", "EX", "10", "PX", "10"}), kSyntax);
  EXPECT_EQ(run({"GETEX", "k", "KEEPTTL"}), kSyntax);
  EXPECT_EQ(run({"GETEX", "k", "NX"}), kSyntax);
  EXPECT_EQ(run({"GETEX", "k", "GET"}), kSyntax);
  EXPECT_EQ(expire_at("k"), kTtlNone);
  // A missing key answers nil before its expire argument is checked; a list answers WRONGTYPE.
  EXPECT_EQ(run({"GETEX", "missing", "EX", "abc"}), kNil);
  EXPECT_EQ(run({"GETEX", "missing", "EX", "0"}), kNil);
  EXPECT_EQ(run({"GETEX", "missing", "FOO"}), kSyntax);
  make_list("l");
  EXPECT_EQ(run({"GETEX", "l"}), kWrongType);
  EXPECT_EQ(run({"GETEX", "l", "EX", "0"}), kWrongType);
}

// --- MGET / MSET / MSETNX ---------------------------------------------------------------------

TEST_F(StringsTest, MGet) {
  EXPECT_EQ(run({"SET", "a", "1"}), kOk);
  EXPECT_EQ(run({"SET", "c", ""}), kOk);
  make_list("l");
  EXPECT_EQ(run({"MGET", "a", "b", "c", "l", "a"}),
            array({bulk("1"), kNil, bulk(""), kNil, bulk("1")}));
  EXPECT_EQ(run({"MGET", "nope"}), array({kNil}));
}

TEST_F(StringsTest, MSet) {
  EXPECT_EQ(run({"MSET", "a", "1", "b", "2"}), kOk);
  EXPECT_EQ(run({"MGET", "a", "b"}), array({bulk("1"), bulk("2")}));
  EXPECT_EQ(run({"MSET", "a", "x", "a", "y"}), kOk);  // the last one wins
  EXPECT_EQ(run({"GET", "a"}), bulk("y"));
  EXPECT_EQ(run({"MSET", "a", "1", "b"}), err("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(run({"GET", "a"}), bulk("y"));
  make_list("l");
  EXPECT_EQ(run({"SET", "t", "v", "EX", "10"}), kOk);
  EXPECT_EQ(run({"MSET", "l", "v", "t", "w"}), kOk);
  EXPECT_EQ(run({"GET", "l"}), bulk("v"));
  EXPECT_EQ(expire_at("t"), kTtlNone);
}

TEST_F(StringsTest, MSetNx) {
  EXPECT_EQ(run({"MSETNX", "a", "1", "b", "2"}), integer(1));
  EXPECT_EQ(run({"MSETNX", "b", "x", "c", "3"}), integer(0));
  EXPECT_EQ(run({"MGET", "a", "b", "c"}), array({bulk("1"), bulk("2"), kNil}));
  EXPECT_EQ(run({"MSETNX", "p", "1", "p", "2"}), integer(1));
  EXPECT_EQ(run({"GET", "p"}), bulk("2"));
  make_list("l");
  EXPECT_EQ(run({"MSETNX", "l", "1", "z", "2"}), integer(0));
  EXPECT_EQ(run({"GET", "z"}), kNil);
  EXPECT_EQ(run({"MSETNX", "a", "1", "b"}),
            err("ERR wrong number of arguments for 'msetnx' command"));
  EXPECT_EQ(run({"SET", "e", "v", "PX", "10"}), kOk);
  advance_ms(10);
  EXPECT_EQ(run({"MSETNX", "e", "1", "f", "2"}), integer(1));
}

// --- Counters ----------------------------------------------------------------------------------

TEST_F(StringsTest, IncrDecr) {
  EXPECT_EQ(run({"INCR", "c"}), integer(1));
  EXPECT_EQ(run({"INCR", "c"}), integer(2));
  EXPECT_EQ(run({"DECR", "c"}), integer(1));
  EXPECT_EQ(run({"INCRBY", "c", "100"}), integer(101));
  EXPECT_EQ(run({"DECRBY", "c", "1"}), integer(100));
  EXPECT_EQ(run({"INCRBY", "c", "-200"}), integer(-100));
  EXPECT_EQ(run({"DECRBY", "c", "-100"}), integer(0));
  EXPECT_EQ(run({"GET", "c"}), bulk("0"));
  EXPECT_EQ(run({"DECR", "d"}), integer(-1));
  EXPECT_EQ(run({"DECRBY", "e", "5"}), integer(-5));
  EXPECT_EQ(run({"INCRBY", "f", "-9223372036854775808"}), integer(INT64_MIN));
  // Values that go to the heap (over 15 bytes) and back.
  EXPECT_EQ(run({"SET", "g", "1000000000000000000"}), kOk);
  EXPECT_EQ(run({"INCRBY", "g", "-999999999999999999"}), integer(1));
  EXPECT_EQ(run({"GET", "g"}), bulk("1"));
}

TEST_F(StringsTest, IncrOverflow) {
  const std::string overflow = err("ERR increment or decrement would overflow");
  EXPECT_EQ(run({"INCRBY", "c", "9223372036854775807"}), integer(INT64_MAX));
  EXPECT_EQ(run({"INCR", "c"}), overflow);
  EXPECT_EQ(run({"DECRBY", "c", "-1"}), overflow);
  EXPECT_EQ(run({"GET", "c"}), bulk("9223372036854775807"));
  EXPECT_EQ(run({"SET", "c", "-9223372036854775808"}), kOk);
  EXPECT_EQ(run({"DECR", "c"}), overflow);
  EXPECT_EQ(run({"INCRBY", "c", "-1"}), overflow);
  EXPECT_EQ(run({"DECRBY", "n", "-9223372036854775808"}), err("ERR decrement would overflow"));
  EXPECT_EQ(run({"GET", "n"}), kNil);
}

TEST_F(StringsTest, IncrNotAnInteger) {
  for (std::string_view bad : {"abc", " 1", "1 ", "01", "-0", "+1", "1.5", "", "1e3",
                               "9223372036854775808", "-9223372036854775809"}) {
    SCOPED_TRACE(std::string(bad));
    EXPECT_EQ(run({"SET", "c", bad}), kOk);
    EXPECT_EQ(run({"INCR", "c"}), kNotInteger);
    EXPECT_EQ(run({"GET", "c"}), bulk(bad));
    EXPECT_EQ(run({"INCRBY", "x", bad}), kNotInteger);
    EXPECT_EQ(run({"DECRBY", "x", bad}), kNotInteger);
  }
  EXPECT_EQ(run({"GET", "x"}), kNil);
  make_list("l");
  EXPECT_EQ(run({"INCR", "l"}), kWrongType);
  EXPECT_EQ(run({"DECR", "l"}), kWrongType);
  EXPECT_EQ(run({"INCRBY", "l", "1"}), kWrongType);
  EXPECT_EQ(run({"DECRBY", "l", "1"}), kWrongType);
  // The increment is parsed before the key is looked at.
  EXPECT_EQ(run({"INCRBY", "l", "x"}), kNotInteger);
}

TEST_F(StringsTest, CountersKeepTheTtl) {
  EXPECT_EQ(run({"SET", "c", "5", "EX", "10"}), kOk);
  int64_t at = expire_at("c");
  EXPECT_EQ(run({"INCR", "c"}), integer(6));
  EXPECT_EQ(run({"DECRBY", "c", "2"}), integer(4));
  EXPECT_EQ(run({"INCRBYFLOAT", "c", "1.5"}), bulk("5.5"));
  EXPECT_EQ(expire_at("c"), at);
  advance_ms(10'000);
  EXPECT_EQ(run({"GET", "c"}), kNil);
  EXPECT_EQ(run({"INCR", "c"}), integer(1));  // an expired counter starts again from 0
  EXPECT_EQ(expire_at("c"), kTtlNone);
}

TEST_F(StringsTest, IncrByFloat) {
  EXPECT_EQ(run({"INCRBYFLOAT", "f", "10.5"}), bulk("10.5"));
  EXPECT_EQ(run({"INCRBYFLOAT", "f", "-10.5"}), bulk("0"));
  EXPECT_EQ(run({"INCRBYFLOAT", "f", "3.0e3"}), bulk("3000"));
  EXPECT_EQ(run({"GET", "f"}), bulk("3000"));
  EXPECT_EQ(run({"INCRBYFLOAT", "i", "0.1"}), bulk("0.1"));
  EXPECT_EQ(run({"INCRBYFLOAT", "i", "0.2"}), bulk("0.3"));
  EXPECT_EQ(run({"INCRBYFLOAT", "j", "1.23e-5"}), bulk("0.0000123"));
  EXPECT_EQ(run({"INCRBYFLOAT", "j", "-1.23e-5"}), bulk("0"));
  EXPECT_EQ(run({"SET", "h", "1.5"}), kOk);
  EXPECT_EQ(run({"INCRBYFLOAT", "h", "0.1"}), bulk("1.6"));
  EXPECT_EQ(run({"SET", "n", "7"}), kOk);
  EXPECT_EQ(run({"INCRBYFLOAT", "n", "1"}), bulk("8"));
  EXPECT_EQ(run({"INCR", "n"}), integer(9));  // an integral result stays usable by INCR
  // The stored form is always rewritten in Redis's format, whatever was parsed (strtold).
  EXPECT_EQ(run({"SET", "r", "1.50"}), kOk);
  EXPECT_EQ(run({"INCRBYFLOAT", "r", "0"}), bulk("1.5"));
  EXPECT_EQ(run({"SET", "r", "1e2"}), kOk);
  EXPECT_EQ(run({"INCR", "r"}), kNotInteger);
  EXPECT_EQ(run({"INCRBYFLOAT", "r", "0"}), bulk("100"));
  EXPECT_EQ(run({"SET", "r", "0x10"}), kOk);
  EXPECT_EQ(run({"INCRBYFLOAT", "r", "1"}), bulk("17"));
  // Redis prints every digit ("%.17Lf"), never an exponent.
  EXPECT_EQ(run({"INCRBYFLOAT", "big", "1e308"}),
            bulk("999999999999999999966858796558456456605600998474155672077970479949217348688380"
                 "618721001269218885393204467472250540132231521347495939605835974208144301964187"
                 "679591000196031907786631096045071066679391533957889389145605435630612683649016"
                 "18630217086589253444881623791300855757318142424510452728255046343928578048"));
}

TEST_F(StringsTest, IncrByFloatErrors) {
  const std::string nan_or_inf = err("ERR increment would produce NaN or Infinity");
  EXPECT_EQ(run({"INCRBYFLOAT", "g", "inf"}), nan_or_inf);
  EXPECT_EQ(run({"INCRBYFLOAT", "g", "-inf"}), nan_or_inf);
  EXPECT_EQ(run({"GET", "g"}), kNil);
  EXPECT_EQ(run({"INCRBYFLOAT", "g", "nan"}), kNotFloat);
  EXPECT_EQ(run({"INCRBYFLOAT", "g", " 1"}), kNotFloat);
  EXPECT_EQ(run({"INCRBYFLOAT", "g", "1 "}), kNotFloat);
  EXPECT_EQ(run({"INCRBYFLOAT", "g", "abc"}), kNotFloat);
  EXPECT_EQ(run({"INCRBYFLOAT", "g", ""}), kNotFloat);
  EXPECT_EQ(run({"SET", "h", "abc"}), kOk);
  EXPECT_EQ(run({"INCRBYFLOAT", "h", "1"}), kNotFloat);
  EXPECT_EQ(run({"GET", "h"}), bulk("abc"));
  // Long double range, beyond a double's: 2e4000 is printed in full, 2e4932 overflows.
  EXPECT_EQ(run({"SET", "m", "1e4000"}), kOk);
  std::string reply = run({"INCRBYFLOAT", "m", "1e4000"});
  EXPECT_EQ(reply.size(), 4010u);
  EXPECT_EQ(reply.substr(0, 40), "$4001\r\n199999999999999999999309277461992");
  EXPECT_EQ(run({"SET", "m", "1e4932"}), kOk);
  EXPECT_EQ(run({"INCRBYFLOAT", "m", "1e4932"}), nan_or_inf);
  EXPECT_EQ(run({"INCRBYFLOAT", "m", "1.2e4932"}), kNotFloat);  // out of range
  make_list("l");
  EXPECT_EQ(run({"INCRBYFLOAT", "l", "1"}), kWrongType);
  EXPECT_EQ(run({"INCRBYFLOAT", "l", "abc"}), kWrongType);  // the type is checked first
}

// --- APPEND / STRLEN ----------------------------------------------------------------------------

TEST_F(StringsTest, Append) {
  EXPECT_EQ(run({"APPEND", "k", "Hello"}), integer(5));
  EXPECT_EQ(run({"APPEND", "k", " World"}), integer(11));
  EXPECT_EQ(run({"GET", "k"}), bulk("Hello World"));
  // An empty APPEND still creates the key (unlike SETRANGE).
  EXPECT_EQ(run({"APPEND", "e", ""}), integer(0));
  EXPECT_NE(db().peek("e"), nullptr);
  EXPECT_EQ(run({"APPEND", "k", ""}), integer(11));
  make_list("l");
  EXPECT_EQ(run({"APPEND", "l", "x"}), kWrongType);
}

TEST_F(StringsTest, AppendGrowsInPlaceAcrossTheInlineLimit) {
  std::string expect;
  for (int i = 0; i < 2000; ++i) {
    std::string piece = std::to_string(i) + ",";
    expect += piece;
    ASSERT_EQ(run({"APPEND", "k", piece}), integer(static_cast<int64_t>(expect.size())));
  }
  EXPECT_EQ(run({"GET", "k"}), bulk(expect));
  EXPECT_EQ(run({"STRLEN", "k"}), integer(static_cast<int64_t>(expect.size())));
}

TEST_F(StringsTest, AppendKeepsTheTtl) {
  EXPECT_EQ(run({"SET", "k", "v", "EX", "10"}), kOk);
  int64_t at = expire_at("k");
  EXPECT_EQ(run({"APPEND", "k", "w"}), integer(2));
  EXPECT_EQ(expire_at("k"), at);
  advance_ms(10'000);
  EXPECT_EQ(run({"APPEND", "k", "x"}), integer(1));
  EXPECT_EQ(expire_at("k"), kTtlNone);
}

TEST_F(StringsTest, AppendLimitIsProtoMaxBulkLen) {
  config_.proto_max_bulk_len = 10;
  EXPECT_EQ(run({"SET", "k", "12345678"}), kOk);
  EXPECT_EQ(run({"APPEND", "k", "ab"}), integer(10));
  EXPECT_EQ(run({"APPEND", "k", "c"}), err(err::kStringTooLong));
  EXPECT_EQ(run({"GET", "k"}), bulk("12345678ab"));
  EXPECT_EQ(run({"APPEND", "k", ""}), integer(10));
}

TEST_F(StringsTest, Strlen) {
  EXPECT_EQ(run({"STRLEN", "k"}), integer(0));
  EXPECT_EQ(run({"SET", "k", "hello"}), kOk);
  EXPECT_EQ(run({"STRLEN", "k"}), integer(5));
  EXPECT_EQ(run({"SET", "k", std::string(300, 'x')}), kOk);
  EXPECT_EQ(run({"STRLEN", "k"}), integer(300));
  EXPECT_EQ(run({"SET", "e", ""}), kOk);
  EXPECT_EQ(run({"STRLEN", "e"}), integer(0));
  make_list("l");
  EXPECT_EQ(run({"STRLEN", "l"}), kWrongType);
}

// --- GETRANGE / SUBSTR / SETRANGE ---------------------------------------------------------------

TEST_F(StringsTest, GetRange) {
  EXPECT_EQ(run({"SET", "s", "Hello World"}), kOk);
  EXPECT_EQ(run({"GETRANGE", "s", "0", "4"}), bulk("Hello"));
  EXPECT_EQ(run({"GETRANGE", "s", "-3", "-1"}), bulk("rld"));
  EXPECT_EQ(run({"GETRANGE", "s", "0", "-1"}), bulk("Hello World"));
  EXPECT_EQ(run({"GETRANGE", "s", "10", "100"}), bulk("d"));
  EXPECT_EQ(run({"GETRANGE", "s", "-1", "-5"}), kEmpty);
  EXPECT_EQ(run({"GETRANGE", "s", "5", "3"}), kEmpty);
  EXPECT_EQ(run({"GETRANGE", "s", "11", "11"}), kEmpty);
  // Out-of-range negatives clamp to the first byte.
  EXPECT_EQ(run({"GETRANGE", "s", "-100", "-50"}), bulk("H"));
  EXPECT_EQ(run({"GETRANGE", "s", "-100", "2"}), bulk("Hel"));
  EXPECT_EQ(run({"GETRANGE", "s", "0", "-100"}), bulk("H"));
  // ...but two crossed negatives are empty even where clamping would make them (0, 0).
  EXPECT_EQ(run({"GETRANGE", "s", "-50", "-100"}), kEmpty);
  EXPECT_EQ(run({"GETRANGE", "s", "-12", "-13"}), kEmpty);
  EXPECT_EQ(run({"GETRANGE", "s", "9223372036854775807", "9223372036854775807"}), kEmpty);
  EXPECT_EQ(run({"GETRANGE", "s", "-9223372036854775808", "-9223372036854775808"}), bulk("H"));
  EXPECT_EQ(run({"GETRANGE", "s", "-9223372036854775808", "9223372036854775807"}),
            bulk("Hello World"));
  EXPECT_EQ(run({"SUBSTR", "s", "0", "4"}), bulk("Hello"));
  EXPECT_EQ(run({"SUBSTR", "s", "-5", "-1"}), bulk("World"));
}

TEST_F(StringsTest, GetRangeEmptyAndMissing) {
  EXPECT_EQ(run({"GETRANGE", "nokey", "0", "1"}), kEmpty);  // empty string, not nil
  EXPECT_EQ(run({"SET", "e", ""}), kOk);
  EXPECT_EQ(run({"GETRANGE", "e", "0", "-1"}), kEmpty);
  EXPECT_EQ(run({"GETRANGE", "e", "0", "0"}), kEmpty);
  EXPECT_EQ(run({"GETRANGE", "e", "-1", "0"}), kEmpty);
}

TEST_F(StringsTest, GetRangeErrors) {
  EXPECT_EQ(run({"SET", "s", "abc"}), kOk);
  EXPECT_EQ(run({"GETRANGE", "s", "a", "1"}), kNotInteger);
  EXPECT_EQ(run({"GETRANGE", "s", "0", "1.5"}), kNotInteger);
  EXPECT_EQ(run({"GETRANGE", "nokey", "a", "1"}), kNotInteger);  // parsed before the lookup
  make_list("l");
  EXPECT_EQ(run({"GETRANGE", "l", "0", "1"}), kWrongType);
  EXPECT_EQ(run({"SUBSTR", "l", "0", "1"}), kWrongType);
  EXPECT_EQ(run({"GETRANGE", "l", "x", "1"}), kNotInteger);
}

TEST_F(StringsTest, SetRange) {
  EXPECT_EQ(run({"SET", "k", "Hello World"}), kOk);
  EXPECT_EQ(run({"SETRANGE", "k", "6", "Redis"}), integer(11));
  EXPECT_EQ(run({"GET", "k"}), bulk("Hello Redis"));
  EXPECT_EQ(run({"SETRANGE", "k", "0", "J"}), integer(11));  // never shrinks
  EXPECT_EQ(run({"GET", "k"}), bulk("Jello Redis"));
  EXPECT_EQ(run({"SETRANGE", "k", "9", "ing!"}), integer(13));
  EXPECT_EQ(run({"GET", "k"}), bulk("Jello Reding!"));
  // Zero padding, on a new key and past the end of an existing one.
  EXPECT_EQ(run({"SETRANGE", "n", "5", "ab"}), integer(7));
  EXPECT_EQ(run({"GET", "n"}), bulk(std::string("\0\0\0\0\0ab", 7)));
  EXPECT_EQ(run({"SETRANGE", "n", "1", "XYZW"}), integer(7));
  EXPECT_EQ(run({"GET", "n"}), bulk(std::string("\0XYZWab", 7)));
  EXPECT_EQ(run({"SETRANGE", "n", "20", "z"}), integer(21));
  EXPECT_EQ(run({"GET", "n"}), bulk(std::string("\0XYZWab", 7) + std::string(13, '\0') + "z"));
  EXPECT_EQ(run({"SETRANGE", "n", "0", std::string(40, 'q')}), integer(40));
  EXPECT_EQ(run({"GET", "n"}), bulk(std::string(40, 'q')));
}

TEST_F(StringsTest, SetRangeEmptyValue) {
  // Nothing written: a missing key stays missing, whatever the offset.
  EXPECT_EQ(run({"SETRANGE", "k", "0", ""}), integer(0));
  EXPECT_EQ(run({"SETRANGE", "k", "9223372036854775807", ""}), integer(0));
  EXPECT_EQ(db().peek("k"), nullptr);
  EXPECT_EQ(run({"SET", "k", "abc"}), kOk);
  EXPECT_EQ(run({"SETRANGE", "k", "9223372036854775807", ""}), integer(3));
  EXPECT_EQ(run({"GET", "k"}), bulk("abc"));
}

TEST_F(StringsTest, SetRangeErrors) {
  const std::string out_of_range = err("ERR offset is out of range");
  EXPECT_EQ(run({"SETRANGE", "k", "-1", "x"}), out_of_range);
  EXPECT_EQ(run({"SETRANGE", "k", "-1", ""}), out_of_range);
  EXPECT_EQ(run({"SETRANGE", "k", "abc", "x"}), kNotInteger);
  EXPECT_EQ(run({"SETRANGE", "k", "1.0", "x"}), kNotInteger);
  make_list("l");
  EXPECT_EQ(run({"SETRANGE", "l", "0", "x"}), kWrongType);
  EXPECT_EQ(run({"SETRANGE", "l", "0", ""}), kWrongType);
  EXPECT_EQ(run({"SETRANGE", "l", "-1", "x"}), out_of_range);  // the offset is checked first
  EXPECT_EQ(db().peek("k"), nullptr);
}

TEST_F(StringsTest, SetRangeLimitIsProtoMaxBulkLen) {
  const std::string too_long = err(err::kStringTooLong);
  config_.proto_max_bulk_len = 10;
  EXPECT_EQ(run({"SETRANGE", "k", "9", "x"}), integer(10));
  EXPECT_EQ(run({"SETRANGE", "k", "10", "x"}), too_long);
  EXPECT_EQ(run({"SETRANGE", "k", "8", "xyz"}), too_long);
  EXPECT_EQ(run({"SETRANGE", "n", "10", "x"}), too_long);
  EXPECT_EQ(db().peek("n"), nullptr);  // a refused write creates nothing
  // Offsets near INT64_MAX must not wrap around the check.
  EXPECT_EQ(run({"SETRANGE", "k", "9223372036854775807", "x"}), too_long);
  EXPECT_EQ(run({"SETRANGE", "n", "9223372036854775807", "xy"}), too_long);
  EXPECT_EQ(run({"STRLEN", "k"}), integer(10));
}

TEST_F(StringsTest, SetRangeKeepsTheTtl) {
  EXPECT_EQ(run({"SET", "k", "abc", "EX", "10"}), kOk);
  int64_t at = expire_at("k");
  EXPECT_EQ(run({"SETRANGE", "k", "1", "XYZ"}), integer(4));
  EXPECT_EQ(expire_at("k"), at);
  EXPECT_EQ(run({"GET", "k"}), bulk("aXYZ"));
}

// --- LCS -----------------------------------------------------------------------------------------

TEST_F(StringsTest, Lcs) {
  EXPECT_EQ(run({"MSET", "key1", "ohmytext", "key2", "mynewtext"}), kOk);
  EXPECT_EQ(run({"LCS", "key1", "key2"}), bulk("mytext"));
  EXPECT_EQ(run({"LCS", "key1", "key2", "LEN"}), integer(6));
  EXPECT_EQ(run({"LCS", "key1", "key2", "withmatchlen"}), bulk("mytext"));  // ignored without IDX
  EXPECT_EQ(run({"LCS", "key1", "key2", "MINMATCHLEN", "3", "LEN"}), integer(6));
  EXPECT_EQ(run({"LCS", "key1", "nokey"}), kEmpty);
  EXPECT_EQ(run({"LCS", "nokey", "nokey2", "LEN"}), integer(0));
  EXPECT_EQ(run({"LCS", "key1", "key1"}), bulk("ohmytext"));
}

TEST_F(StringsTest, LcsIdx) {
  EXPECT_EQ(run({"MSET", "key1", "ohmytext", "key2", "mynewtext"}), kOk);
  const std::string text_match =
      array({array({integer(4), integer(7)}), array({integer(5), integer(8)})});
  const std::string my_match =
      array({array({integer(2), integer(3)}), array({integer(0), integer(1)})});
  EXPECT_EQ(run({"LCS", "key1", "key2", "IDX"}),
            array({bulk("matches"), array({text_match, my_match}), bulk("len"), integer(6)}));
  EXPECT_EQ(run({"LCS", "key1", "key2", "idx", "minmatchlen", "4"}),
            array({bulk("matches"), array({text_match}), bulk("len"), integer(6)}));
  EXPECT_EQ(run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            array({bulk("matches"),
                   array({array({array({integer(4), integer(7)}), array({integer(5), integer(8)}),
                                 integer(4)})}),
                   bulk("len"), integer(6)}));
  EXPECT_EQ(run({"LCS", "key1", "key2", "IDX", "WITHMATCHLEN"}),
            array({bulk("matches"),
                   array({array({array({integer(4), integer(7)}), array({integer(5), integer(8)}),
                                 integer(4)}),
                          array({array({integer(2), integer(3)}), array({integer(0), integer(1)}),
                                 integer(2)})}),
                   bulk("len"), integer(6)}));
  // A negative MINMATCHLEN counts as 0.
  EXPECT_EQ(run({"LCS", "key1", "key2", "MINMATCHLEN", "-5", "IDX"}),
            array({bulk("matches"), array({text_match, my_match}), bulk("len"), integer(6)}));
  EXPECT_EQ(run({"LCS", "nokey", "nokey2", "IDX"}),
            array({bulk("matches"), array({}), bulk("len"), integer(0)}));
  EXPECT_EQ(run({"LCS", "key1", "key1", "IDX", "WITHMATCHLEN"}),
            array({bulk("matches"),
                   array({array({array({integer(0), integer(7)}), array({integer(0), integer(7)}),
                                 integer(8)})}),
                   bulk("len"), integer(8)}));
}

TEST_F(StringsTest, LcsErrors) {
  EXPECT_EQ(run({"MSET", "key1", "ohmytext", "key2", "mynewtext"}), kOk);
  const std::string both = err("ERR If you want both the length and indexes, please just use IDX.");
  EXPECT_EQ(run({"LCS", "key1", "key2", "LEN", "IDX"}), both);
  EXPECT_EQ(run({"LCS", "key1", "key2", "IDX", "LEN"}), both);
  EXPECT_EQ(run({"LCS", "key1", "key2", "MINMATCHLEN"}), kSyntax);
  EXPECT_EQ(run({"LCS", "key1", "key2", "MINMATCHLEN", "abc"}), kNotInteger);
  EXPECT_EQ(run({"LCS", "key1", "key2", "FOO"}), kSyntax);
  // A list key is its own error, checked before the options.
  make_list("l");
  const std::string not_strings = err("ERR The specified keys must contain string values");
  EXPECT_EQ(run({"LCS", "key1", "l"}), not_strings);
  EXPECT_EQ(run({"LCS", "l", "key1", "FOO"}), not_strings);
  EXPECT_EQ(run({"LCS", "l", "nokey", "IDX", "LEN"}), not_strings);
}

TEST_F(StringsTest, LcsTableIsBoundedByProtoMaxBulkLen) {
  config_.proto_max_bulk_len = 1024 * 1024;
  const std::string too_big =
      err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  EXPECT_EQ(run({"SET", "a", std::string(600, 'x')}), kOk);
  EXPECT_EQ(run({"SET", "b", std::string(600, 'y')}), kOk);
  EXPECT_EQ(run({"LCS", "a", "b"}), too_big);
  EXPECT_EQ(run({"LCS", "a", "b", "LEN"}), too_big);
  EXPECT_EQ(run({"SET", "a", std::string(500, 'x')}), kOk);
  EXPECT_EQ(run({"LCS", "a", "b"}), too_big);  // 501 * 601 * 4 bytes
  EXPECT_EQ(run({"SET", "a", std::string(400, 'y')}), kOk);
  EXPECT_EQ(run({"LCS", "a", "b", "LEN"}), integer(400));  // 401 * 601 * 4 bytes fit
}

TEST_F(StringsTest, LcsLongerStrings) {
  // A brute-force check of the length on strings with many partial matches.
  std::string a, b;
  for (int i = 0; i < 300; ++i) {
    a += static_cast<char>('a' + (i * 7) % 5);
    b += static_cast<char>('a' + (i * 3) % 4);
  }
  EXPECT_EQ(run({"MSET", "a", a, "b", b}), kOk);
  std::vector<std::vector<int>> t(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j)
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
  int expect = t[a.size()][b.size()];
  EXPECT_EQ(run({"LCS", "a", "b", "LEN"}), integer(expect));
  std::string reply = run({"LCS", "a", "b"});
  std::string prefix = "$" + std::to_string(expect) + "\r\n";
  ASSERT_EQ(reply.substr(0, prefix.size()), prefix);
  // The string returned is a subsequence of both.
  std::string lcs = reply.substr(prefix.size(), static_cast<size_t>(expect));
  auto is_subsequence = [](const std::string& sub, const std::string& s) {
    size_t k = 0;
    for (char c : s)
      if (k < sub.size() && sub[k] == c) ++k;
    return k == sub.size();
  };
  EXPECT_TRUE(is_subsequence(lcs, a));
  EXPECT_TRUE(is_subsequence(lcs, b));
}

// --- RESP3 ---------------------------------------------------------------------------------------

TEST_F(StringsTest, Resp3NullsAndMaps) {
  resp3();
  const std::string null = "_\r\n";
  EXPECT_EQ(run({"GET", "nokey"}), null);
  EXPECT_EQ(run({"SET", "k", "v", "GET"}), null);
  EXPECT_EQ(run({"SET", "k", "v", "NX"}), null);
  EXPECT_EQ(run({"SET", "x", "v", "XX"}), null);
  EXPECT_EQ(run({"GETSET", "n", "v"}), null);
  EXPECT_EQ(run({"GETDEL", "nokey"}), null);
  EXPECT_EQ(run({"GETEX", "nokey"}), null);
  EXPECT_EQ(run({"MGET", "k", "nokey"}), array({bulk("v"), null}));
  EXPECT_EQ(run({"GETRANGE", "nokey", "0", "1"}), kEmpty);
  EXPECT_EQ(run({"INCRBYFLOAT", "f", "1.5"}), bulk("1.5"));  // still a bulk string in RESP3
  EXPECT_EQ(run({"MSET", "key1", "ohmytext", "key2", "mynewtext"}), kOk);
  EXPECT_EQ(
      run({"LCS", "key1", "key2", "IDX", "WITHMATCHLEN"}),
      "%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r"
      "\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(run({"LCS", "nokey", "nokey2", "IDX"}),
            "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
}

// --- Modification signals (WATCH) and keyspace statistics
// -----------------------------------------

TEST_F(StringsTest, WritesSignalTheKey) {
  EXPECT_TRUE(signals("k", {"SET", "k", "v"}));
  EXPECT_FALSE(signals("k", {"SET", "k", "v", "NX"}));
  EXPECT_FALSE(signals("k", {"SET", "k", "v", "NX", "GET"}));
  EXPECT_FALSE(signals("k", {"SET", "k", "v", "EX", "0"}));
  EXPECT_TRUE(signals("k", {"SET", "k", "v", "EX", "10"}));
  EXPECT_TRUE(signals("k", {"SET", "k", "v", "PXAT", "1"}));
  EXPECT_TRUE(signals("k", {"SETNX", "k", "v"}));  // PXAT 1 deleted k
  EXPECT_FALSE(signals("k", {"SETNX", "k", "v2"}));
  EXPECT_TRUE(signals("k", {"SETEX", "k", "10", "v"}));
  EXPECT_TRUE(signals("k", {"PSETEX", "k", "10", "v"}));
  EXPECT_TRUE(signals("k", {"GETSET", "k", "v"}));
  EXPECT_FALSE(signals("k", {"GET", "k"}));
  EXPECT_FALSE(signals("k", {"GETEX", "k"}));
  EXPECT_FALSE(signals("k", {"GETEX", "k", "PERSIST"}));  // had no TTL
  EXPECT_TRUE(signals("k", {"GETEX", "k", "EX", "10"}));
  EXPECT_TRUE(signals("k", {"GETEX", "k", "PERSIST"}));
  EXPECT_TRUE(signals("k", {"GETDEL", "k"}));
  EXPECT_FALSE(signals("k", {"GETDEL", "k"}));
  EXPECT_TRUE(signals("k", {"MSET", "a", "1", "k", "2"}));
  EXPECT_FALSE(signals("k", {"MSETNX", "k", "1", "b", "2"}));
  EXPECT_TRUE(signals("b", {"MSETNX", "c", "1", "b", "2"}));
  EXPECT_TRUE(signals("k", {"INCR", "k"}));
  EXPECT_TRUE(signals("k", {"DECRBY", "k", "5"}));
  EXPECT_TRUE(signals("k", {"INCRBYFLOAT", "k", "0.5"}));
  EXPECT_FALSE(signals("k", {"INCRBYFLOAT", "k", "inf"}));
  EXPECT_FALSE(signals("k", {"INCRBY", "k", "9223372036854775807"}));
  EXPECT_TRUE(signals("k", {"APPEND", "k", "x"}));
  EXPECT_TRUE(signals("k", {"APPEND", "k", ""}));  // Redis signals even an empty append
  EXPECT_TRUE(signals("k", {"SETRANGE", "k", "0", "y"}));
  EXPECT_FALSE(signals("k", {"SETRANGE", "k", "0", ""}));
  EXPECT_FALSE(signals("k", {"STRLEN", "k"}));
  EXPECT_FALSE(signals("k", {"GETRANGE", "k", "0", "1"}));
  EXPECT_FALSE(signals("k", {"LCS", "k", "a"}));
  EXPECT_FALSE(signals("k", {"MGET", "k"}));
}

TEST_F(StringsTest, ReadsCountKeyspaceHitsAndMisses) {
  StoreStats& stats = engine_->store().stats();
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(stats.keyspace_hits + stats.keyspace_misses, 0u);  // a plain SET is no read
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(run({"GET", "x"}), kNil);
  EXPECT_EQ(run({"MGET", "k", "x", "k"}), array({bulk("v"), kNil, bulk("v")}));
  EXPECT_EQ(stats.keyspace_hits, 3u);
  EXPECT_EQ(stats.keyspace_misses, 2u);
  EXPECT_EQ(run({"SET", "k", "w", "GET"}), bulk("v"));  // GET reads
  EXPECT_EQ(stats.keyspace_hits, 4u);
}

}  // namespace
}  // namespace basalt
