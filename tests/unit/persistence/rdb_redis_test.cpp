// Compatibility with the real redis-server 7.0: files it writes load into Basalt, and files Basalt
// writes pass redis-check-rdb and load into redis-server with every key, value and TTL intact.
// Outside CI these tests skip when redis-server is not installed; under CI (the CI variable set)
// they fail instead, so the check cannot silently vanish.

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "persistence/file_io.hpp"
#include "persistence/keyspace_copy.hpp"
#include "persistence/rdb_loader.hpp"
#include "persistence/rdb_writer.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/store.hpp"
#include "store/zset.hpp"

namespace basalt {
namespace {

using testing_support::copy_keyspace;
using testing_support::first_difference;
using testing_support::Keyspace;

constexpr const char* kRedisServer = "/usr/bin/redis-server";
constexpr const char* kRedisCheckRdb = "/usr/bin/redis-check-rdb";

bool have_redis() { return access(kRedisServer, X_OK) == 0 && access(kRedisCheckRdb, X_OK) == 0; }

#define REQUIRE_REDIS()                                                                 \
  do {                                                                                  \
    if (!have_redis()) {                                                                \
      if (std::getenv("CI") != nullptr) FAIL() << kRedisServer << " is required in CI"; \
      GTEST_SKIP() << kRedisServer << " is not installed";                              \
    }                                                                                   \
  } while (0)

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class RedisServer {
 public:
  RedisServer(const std::string& dir, const std::vector<std::string>& extra = {}) {
    port_ = free_port();
    std::vector<std::string> args = {kRedisServer,
                                     "--port",
                                     std::to_string(port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--dir",
                                     dir,
                                     "--dbfilename",
                                     "dump.rdb",
                                     "--save",
                                     "",
                                     "--appendonly",
                                     "no",
                                     "--logfile",
                                     dir + "/redis.log"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(kRedisServer, argv.data());
      _exit(127);
    }
    for (int i = 0; i < 200 && ctx_ == nullptr; ++i) {
      redisContext* c = redisConnect("127.0.0.1", port_);
      if (c != nullptr && c->err == 0) {
        // Loading a file answers -LOADING until done.
        auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
        const bool ready = r != nullptr && r->type == REDIS_REPLY_STATUS;
        if (r) freeReplyObject(r);
        if (ready) {
          ctx_ = c;
          break;
        }
      }
      if (c) redisFree(c);
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  ~RedisServer() {
    if (ctx_) redisFree(ctx_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool up() const { return ctx_ != nullptr; }

  // A command from its words (binary-safe); the reply, owned by the caller through the guard.
  struct Reply {
    redisReply* r = nullptr;
    ~Reply() {
      if (r) freeReplyObject(r);
    }
    redisReply* operator->() const { return r; }
  };
  void run(const std::vector<std::string>& words, Reply* out = nullptr) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& w : words) {
      argv.push_back(w.data());
      lens.push_back(w.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()));
    ASSERT_NE(r, nullptr) << words[0];
    ASSERT_NE(r->type, REDIS_REPLY_ERROR) << words[0] << ": " << std::string(r->str, r->len);
    if (out) {
      if (out->r != nullptr) freeReplyObject(out->r);  // a Reply reused for another command
      out->r = r;
    } else {
      freeReplyObject(r);
    }
  }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  redisContext* ctx_ = nullptr;
};

// The same data set as a list of commands for redis and as a Basalt keyspace.
struct DataSet {
  struct Key {
    int db;
    std::string key;
    bool is_list;
    std::string str;  // a set: "set"

    std::vector<std::string> list;
    int64_t expire_at;  // absolute ms, 0 for none
    bool is_hash = false;
    std::map<std::string, std::string> hash;
  };
  std::vector<Key> keys;

  static DataSet make(int64_t now_ms) {
    DataSet d;
    auto s = [&](int db, std::string k, std::string v, int64_t exp = 0) {
      d.keys.push_back({db, std::move(k), false, std::move(v), {}, exp, false, {}});
    };
    auto l = [&](int db, std::string k, std::vector<std::string> v, int64_t exp = 0) {
      d.keys.push_back({db, std::move(k), true, "", std::move(v), exp, false, {}});
    };
    s(0, "raw", "hello world");
    s(0, "int", "12345");
    s(0, "neg", "-7");
    s(0, "int64", "9223372036854775807");
    s(0, "not-int", "007");
    s(0, "minus-zero", "-0");
    s(0, "empty", "");
    s(0, "compressible", std::string(5000, 'a') + "tail");
    std::string binary;
    for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
    s(0, "binary", binary + binary);
    s(0, "ttl", "expiring", now_ms + 3600 * 1000);
    l(0, "small-list", {"a", "b", "1", "2", "-3", "300000", "x y z"});
    std::vector<std::string> large;
    for (int i = 0; i < 20000; ++i) {
      large.push_back(i % 4 == 0 ? std::to_string(i * 7919 - 50000) : "item:" + std::to_string(i));
    }
    l(0, "large-list", large);
    l(0, "huge-element", {"before", std::string(20000, 'h'), "after"});
    l(0, "ttl-list", {"1", "2", "3"}, now_ms + 7200 * 1000);
    auto h = [&](int db, std::string k, std::map<std::string, std::string> v, int64_t exp = 0) {
      d.keys.push_back({db, std::move(k), false, "", {}, exp, true, std::move(v)});
    };
    // A listpack with integers (Redis stores "12" as a listpack integer), a table by size and one
    // by a long value (RDB_TYPE_HASH), a TTL.
    h(0, "small-hash",
      {{"name", "ann"},
       {"age", "12"},
       {"big", "-9223372036854775808"},
       {"", "empty field"},
       {"neg", "-4000"},
       {"007", "x"}});
    std::map<std::string, std::string> many;
    for (int i = 0; i < 1000; ++i) many["field:" + std::to_string(i)] = std::to_string(i * 31);
    h(0, "large-hash", many);
    h(0, "long-value-hash", {{"f", std::string(300, 'v')}, {"g", "1"}});
    h(0, "ttl-hash", {{"a", "1"}}, now_ms + 5400 * 1000);
    h(3, "h3", {{"x", "y"}});
    s(3, "k3", "in db three");
    l(3, "l3", {"x", "9223372036854775807", "-9223372036854775808", "18446744073709551616"});
    // Sets: intsets of each width, a table of strings, an intset past 512 (a table in both).
    auto set = [&](int db, std::string k, std::vector<std::string> v, int64_t exp = 0) {
      d.keys.push_back({db, std::move(k), false, "set", std::move(v), exp, false, {}});
    };
    set(0, "set16", {"1", "-2", "300"});
    set(0, "set32", {"1", "70000", "-70000"});
    set(0, "set64", {"9223372036854775807", "-9223372036854775808", "0"});
    set(0, "set-strings", {"a", "b", "", "1", "007", std::string(100, 'z')}, now_ms + 3600 * 1000);
    std::vector<std::string> members;
    for (int i = 0; i < 600; ++i) members.push_back(std::to_string(i * 3));
    set(2, "set-big", members);
    return d;
  }

  void fill(Store& store) const {
    for (const auto& k : keys) {
      Database& db = store.db(k.db);
      Entry* e;
      if (k.is_list) {
        e = db.add(k.key, Value::new_list());
        for (const auto& v : k.list) e->value.list().push_back(v);
      } else if (k.is_hash) {
        e = db.add(k.key, Value::new_hash());
        for (const auto& [f, v] : k.hash) e->value.hash().set(f, v, HashLimits{});
      } else if (k.str == "set") {
        e = db.add(k.key, Value::new_set());
        for (const auto& v : k.list) e->value.set().add(v, Set::kDefaultMaxIntsetEntries);
      } else {
        e = db.add(k.key, Value(k.str));
      }
      if (k.expire_at) db.set_expire(e, k.expire_at);
    }
  }

  void fill(RedisServer& redis) const {
    for (const auto& k : keys) {
      redis.run({"SELECT", std::to_string(k.db)});
      if (k.is_list) {
        for (size_t i = 0; i < k.list.size(); i += 1000) {
          std::vector<std::string> cmd = {"RPUSH", k.key};
          for (size_t j = i; j < std::min(k.list.size(), i + 1000); ++j) cmd.push_back(k.list[j]);
          redis.run(cmd);
        }
      } else if (k.is_hash) {
        std::vector<std::string> cmd = {"HSET", k.key};
        for (const auto& [f, v] : k.hash) {
          cmd.push_back(f);
          cmd.push_back(v);
        }
        redis.run(cmd);
      } else if (k.str == "set") {
        std::vector<std::string> cmd = {"SADD", k.key};
        cmd.insert(cmd.end(), k.list.begin(), k.list.end());
        redis.run(cmd);
      } else {
        redis.run({"SET", k.key, k.str});
      }
      if (k.expire_at) redis.run({"PEXPIREAT", k.key, std::to_string(k.expire_at)});
    }
  }

  // Every key read back from redis-server: type, value and absolute expiry.
  void expect_in(RedisServer& redis) const {
    size_t per_db[16] = {};
    for (const auto& k : keys) per_db[k.db]++;
    for (int db = 0; db < 16; ++db) {
      redis.run({"SELECT", std::to_string(db)});
      RedisServer::Reply size;
      redis.run({"DBSIZE"}, &size);
      EXPECT_EQ(static_cast<size_t>(size->integer), per_db[db]) << "db " << db;
    }
    for (const auto& k : keys) {
      redis.run({"SELECT", std::to_string(k.db)});
      if (k.is_list) {
        RedisServer::Reply r;
        redis.run({"LRANGE", k.key, "0", "-1"}, &r);
        ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << k.key;
        std::vector<std::string> got;
        for (size_t i = 0; i < r->elements; ++i)
          got.emplace_back(r->element[i]->str, r->element[i]->len);
        EXPECT_EQ(got, k.list) << k.key;
      } else if (k.is_hash) {
        RedisServer::Reply r;
        redis.run({"HGETALL", k.key}, &r);
        ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << k.key;
        std::map<std::string, std::string> got;
        for (size_t i = 0; i + 1 < r->elements; i += 2) {
          got.emplace(std::string(r->element[i]->str, r->element[i]->len),
                      std::string(r->element[i + 1]->str, r->element[i + 1]->len));
        }
        EXPECT_EQ(got, k.hash) << k.key;
      } else if (k.str == "set") {
        RedisServer::Reply r;
        redis.run({"SMEMBERS", k.key}, &r);
        ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << k.key;
        std::vector<std::string> got;
        for (size_t i = 0; i < r->elements; ++i)
          got.emplace_back(r->element[i]->str, r->element[i]->len);
        std::sort(got.begin(), got.end());
        std::vector<std::string> want = k.list;
        std::sort(want.begin(), want.end());
        EXPECT_EQ(got, want) << k.key;
        RedisServer::Reply enc;
        redis.run({"OBJECT", "ENCODING", k.key}, &enc);
        Set probe;
        for (const auto& v : k.list) probe.add(v, Set::kDefaultMaxIntsetEntries);
        EXPECT_EQ(std::string(enc->str, enc->len), probe.is_intset() ? "intset" : "hashtable")
            << k.key;
      } else {
        RedisServer::Reply r;
        redis.run({"GET", k.key}, &r);
        ASSERT_EQ(r->type, REDIS_REPLY_STRING) << k.key;
        EXPECT_EQ(std::string(r->str, r->len), k.str) << k.key;
      }
      RedisServer::Reply t;
      redis.run({"PEXPIRETIME", k.key}, &t);
      EXPECT_EQ(t->integer, k.expire_at ? k.expire_at : -1) << k.key;
    }
  }
};

class RdbRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/basalt-rdb-redis-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  SystemClock clock_;
};

TEST_F(RdbRedisTest, FilesRedisWritesLoadIntoBasalt) {
  REQUIRE_REDIS();
  const DataSet data = DataSet::make(clock_.now_ms());
  Store want(16, clock_, 1);
  data.fill(want);
  const Keyspace expected = copy_keyspace(want);
  // The defaults; 5-element nodes with LZF-compressed interior nodes (list-compress-depth), which
  // quicklist saves as LZF blobs; and compression and checksums off.
  const std::vector<std::vector<std::string>> configs = {
      {},
      {"--list-max-listpack-size", "5", "--list-compress-depth", "1"},
      {"--rdbcompression", "no", "--rdbchecksum", "no"},
      // Every hash a table (RDB_TYPE_HASH), and listpacks holding what Basalt's limits convert.
      {"--hash-max-listpack-entries", "0"},
      {"--hash-max-listpack-entries", "5000", "--hash-max-listpack-value", "1000"}};
  for (const auto& config : configs) {
    std::filesystem::remove(dir_ + "/dump.rdb");
    {
      RedisServer redis(dir_, config);
      ASSERT_TRUE(redis.up());
      data.fill(redis);
      redis.run({"SAVE"});
    }
    Store got(16, clock_, 2);
    got.refresh_time();
    RdbLoadResult r = load_rdb_file(dir_ + "/dump.rdb", got);
    ASSERT_TRUE(r.ok()) << *r.error;
    EXPECT_EQ(r.version, 10);
    EXPECT_EQ(r.aux_field("redis-ver"), "7.0.15");
    const bool checksum_off =
        std::find(config.begin(), config.end(), "--rdbchecksum") != config.end();
    EXPECT_EQ(r.checksum_verified, !checksum_off);
    EXPECT_EQ(first_difference(expected, copy_keyspace(got)), "");
    EXPECT_EQ(r.keys_loaded, data.keys.size());
  }
}

TEST_F(RdbRedisTest, FilesBasaltWritesPassRedisCheckAndLoadIntoRedis) {
  REQUIRE_REDIS();
  const DataSet data = DataSet::make(clock_.now_ms());
  Store store(16, clock_, 1);
  data.fill(store);
  struct Variant {
    bool compression, checksum;
    size_t plain_threshold;
  } variants[] = {
      {true, true, rdb::kPlainThreshold}, {false, false, rdb::kPlainThreshold}, {true, true, 1000}};
  for (const auto& v : variants) {
    RdbWriteOptions options;
    options.compression = v.compression;
    options.checksum = v.checksum;
    options.plain_threshold = v.plain_threshold;
    const std::string path = dir_ + "/dump.rdb";
    ASSERT_FALSE(save_rdb(store, path, options, {clock_.now_ms() / 1000, 1 << 20, false}));
    const std::string cmd =
        std::string(kRedisCheckRdb) + " " + path + " > " + dir_ + "/check.txt 2>&1";
    const int status = std::system(cmd.c_str());
    std::string error;
    const auto report = read_file(dir_ + "/check.txt", &error);
    ASSERT_TRUE(report);
    EXPECT_EQ(status, 0) << *report;
    EXPECT_NE(report->find("RDB looks OK"), std::string::npos) << *report;
    RedisServer redis(dir_);
    ASSERT_TRUE(redis.up()) << "redis-server did not start on our file";
    data.expect_in(redis);
  }
}

TEST_F(RdbRedisTest, TypesBasaltLacksAreRefusedNamingTheKey) {
  REQUIRE_REDIS();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"XADD", "events", "*", "f", "v"}, "Can't load key 'events' of type stream"}};
  for (const auto& [cmd, text] : cases) {
    std::filesystem::remove(dir_ + "/dump.rdb");
    {
      RedisServer redis(dir_);
      ASSERT_TRUE(redis.up());
      redis.run({"SET", "plain", "string"});
      redis.run(cmd);
      redis.run({"SAVE"});
    }
    Store got(16, clock_, 2);
    RdbLoadResult r = load_rdb_file(dir_ + "/dump.rdb", got);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error->find(text), std::string::npos) << *r.error;
    EXPECT_EQ(r.error->find('\n'), std::string::npos);
  }
}

// Sorted sets both ways: listpack and skiplist encodings from redis-server (with scores that only
// "%.17g" or the binary form keep exactly), and ZSET_2 files of ours that redis-check-rdb accepts
// and redis-server loads.
TEST_F(RdbRedisTest, SortedSetsRoundTripWithRedis) {
  REQUIRE_REDIS();
  std::vector<std::vector<std::string>> adds = {
      {"ZADD", "small", "1", "a", "0.1", "b", "-inf", "c", "1e300", "d", "-3", ""}};
  std::vector<std::string> big = {"ZADD", "big"};
  for (int i = 0; i < 300; ++i) {
    big.push_back(std::to_string(i * 0.37 - 40));
    big.push_back("member:" + std::to_string(i));
  }
  adds.push_back(big);
  std::filesystem::remove(dir_ + "/dump.rdb");
  std::vector<std::string> want_small, want_big;
  {
    RedisServer redis(dir_);
    ASSERT_TRUE(redis.up());
    for (const auto& cmd : adds) redis.run(cmd);
    redis.run({"SAVE"});
  }
  Store got(16, clock_, 2);
  got.refresh_time();
  RdbLoadResult r = load_rdb_file(dir_ + "/dump.rdb", got);
  ASSERT_TRUE(r.ok()) << *r.error;
  auto dump = [](const ZSet& z) {
    std::vector<std::pair<std::string, double>> out;
    z.for_each([&](std::string_view m, double s) { out.emplace_back(std::string(m), s); });
    return out;
  };
  const Entry* small = got.db(0).find("small");
  const Entry* large = got.db(0).find("big");
  ASSERT_TRUE(small != nullptr && small->value.is_zset());
  ASSERT_TRUE(large != nullptr && large->value.is_zset());
  EXPECT_EQ(small->value.encoding(), "listpack");
  EXPECT_EQ(large->value.encoding(), "skiplist");
  const auto small_pairs = dump(small->value.zset());
  ASSERT_EQ(small_pairs.size(), 5u);
  EXPECT_EQ(small_pairs[0].second, -HUGE_VAL);
  EXPECT_EQ(small_pairs[2].second, 0.1);
  EXPECT_EQ(large->value.zset().size(), 300u);

  // Ours back to redis-server.
  const std::string path = dir_ + "/dump.rdb";
  ASSERT_FALSE(save_rdb(got, path, RdbWriteOptions{}, {clock_.now_ms() / 1000, 1 << 20, false}));
  const std::string cmd =
      std::string(kRedisCheckRdb) + " " + path + " > " + dir_ + "/check.txt 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  RedisServer redis(dir_);
  ASSERT_TRUE(redis.up());
  RedisServer::Reply reply;
  redis.run({"ZRANGE", "big", "0", "-1", "WITHSCORES"}, &reply);
  ASSERT_EQ(reply->elements, 600u);
  size_t i = 0;
  large->value.zset().for_each([&](std::string_view m, double s) {
    EXPECT_EQ(std::string(reply->element[i]->str, reply->element[i]->len), m);
    EXPECT_EQ(std::strtod(reply->element[i + 1]->str, nullptr), s);
    i += 2;
  });
  redis.run({"ZSCORE", "small", "b"}, &reply);
  EXPECT_EQ(std::string(reply->str, reply->len), "0.10000000000000001");
}

}  // namespace
}  // namespace basalt
