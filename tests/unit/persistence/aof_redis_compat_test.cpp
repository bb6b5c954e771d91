// The AOF against the real thing: a directory Basalt writes passes redis-check-aof and loads into
// redis-server 7.0; a directory redis-server writes (with a rewrite in between) reads back with
// Basalt's manifest parser and command reader. Without the tools these tests skip, except under
// CI (the CI variable set), where a missing tool is a failure.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "persistence/aof_base_writer.hpp"
#include "persistence/aof_log.hpp"
#include "persistence/aof_manifest.hpp"
#include "persistence/aof_reader.hpp"
#include "persistence/file_io.hpp"

namespace basalt {
namespace {

using Argv = std::vector<std::string>;

std::string find_tool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

#define REQUIRE_TOOL(var, name)                                                  \
  const std::string var = find_tool(name);                                       \
  if (var.empty()) {                                                             \
    if (std::getenv("CI") != nullptr) FAIL() << name << " is required under CI"; \
    GTEST_SKIP() << name << " not installed";                                    \
  }

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs a command line through the shell; returns its exit status and output (stdout+stderr).
int run(const std::vector<std::string>& words, std::string* output, const std::string& input = "") {
  std::string line;
  for (const auto& w : words) line += shell_quote(w) + " ";
  if (!input.empty()) line = "printf %s " + shell_quote(input) + " | " + line;
  line += "2>&1";
  FILE* pipe = ::popen(line.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  output->clear();
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) output->append(buf, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A redis-server child on a free port; stopped (SHUTDOWN NOSAVE, then SIGKILL) on destruction.
class RedisServer {
 public:
  RedisServer(const std::string& binary, const std::string& cli, std::vector<std::string> args)
      : cli_(cli), port_(free_port()) {
    args.insert(args.begin(), binary);
    args.push_back("--port");
    args.push_back(std::to_string(port_));
    args.push_back("--bind");
    args.push_back("127.0.0.1");
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~RedisServer() { stop(); }

  bool wait_ready() {
    for (int i = 0; i < 100; ++i) {
      if (cli({"PING"}) == "PONG\n") return true;
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::string cli(std::vector<std::string> words, int db = 0, const std::string& input = "") {
    words.insert(words.begin(), {cli_, "-p", std::to_string(port_), "-n", std::to_string(db)});
    std::string out;
    run(words, &out, input);
    return out;
  }
  void stop() {
    if (pid_ <= 0) return;
    cli({"SHUTDOWN", "NOSAVE"});
    for (int i = 0; i < 100; ++i) {
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  std::string cli_;
  int port_;
  pid_t pid_ = -1;
};

class AofRedisCompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/basalt-aof-compat-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    names_.dir = pattern;
    names_.dirname = "aof dir";
    names_.filename = "my append.aof";  // quoted in the manifest
  }
  void TearDown() override { std::filesystem::remove_all(names_.dir); }
  AofNames names_;
};

std::vector<Argv> read_commands(const AofPlannedFile& file) {
  std::vector<Argv> out;
  auto result = read_aof_file(file.path, 0, [&](const AofCommand& c) {
    out.emplace_back(c.argv.begin(), c.argv.end());
    return true;
  });
  EXPECT_EQ(result.status, AofReadStatus::kOk) << result.message;
  return out;
}

TEST_F(AofRedisCompatTest, RedisChecksAndLoadsWhatBasaltWrites) {
  REQUIRE_TOOL(check_aof, "redis-check-aof");
  REQUIRE_TOOL(server, "redis-server");
  REQUIRE_TOOL(cli, "redis-cli");

  AofLogOptions options;
  options.names = names_;
  options.use_rdb_preamble = false;
  options.fsync = AofFsyncPolicy::kAlways;
  options.timestamps = true;  // aof-timestamp-enabled: Redis skips the annotations too
  {
    AofLog log(options);
    auto base = [](const std::string& path) -> std::optional<std::string> {
      AofBaseWriter writer;
      if (auto error = writer.open(path)) return error;
      writer.timestamp(1700000000);
      writer.select(0);
      writer.set("base:string", std::string("bin\r\n\0ary", 9));
      std::vector<std::string> elements;
      for (int i = 0; i < 100; ++i) elements.push_back("e" + std::to_string(i));
      std::vector<std::string_view> views(elements.begin(), elements.end());
      writer.rpush("base:list", views);
      writer.pexpireat("base:list", 4102444800000);  // 2100-01-01
      writer.select(1);
      writer.set("base:db1", "one");
      return writer.finish();
    };
    ASSERT_FALSE(log.open({}, base));
    int64_t now_s = 1700000000;
    auto add = [&log, &now_s](int db, Argv argv) {
      std::vector<std::string_view> views(argv.begin(), argv.end());
      log.append(db, views, now_s++);  // a "#TS:" before every command
    };
    add(0, {"SET", "incr1:a", "1"});
    add(2, {"RPUSH", "incr1:list", "x", "y"});
    add(0, {"MULTI"});
    add(0, {"INCR", "counter"});
    add(0, {"INCR", "counter"});
    add(0, {"EXEC"});
    ASSERT_EQ(log.flush_turn().status, AofFlushStatus::kOk);
    AofRewrite rewrite;
    ASSERT_FALSE(log.open_new_incr(&rewrite));
    log.abort_rewrite(rewrite);  // keeps two incr files
    add(0, {"SET", "incr2:b", "2"});
    add(0, {"DEL", "incr1:a"});
    ASSERT_EQ(log.flush_turn().status, AofFlushStatus::kOk);
    ASSERT_FALSE(log.close());
  }
  std::string error;
  const std::string manifest = read_file(names_.manifest_path(), &error).value_or("");
  EXPECT_EQ(manifest,
            "file \"my append.aof.1.base.aof\" seq 1 type b\n"
            "file \"my append.aof.1.incr.aof\" seq 1 type i\n"
            "file \"my append.aof.2.incr.aof\" seq 2 type i\n");

  std::string out;
  EXPECT_EQ(run({check_aof, names_.manifest_path()}, &out), 0) << out;
  EXPECT_NE(out.find("BASE AOF my append.aof.1.base.aof is valid"), std::string::npos) << out;
  EXPECT_NE(out.find("INCR AOF my append.aof.1.incr.aof is valid"), std::string::npos) << out;
  EXPECT_NE(out.find("INCR AOF my append.aof.2.incr.aof is valid"), std::string::npos) << out;

  RedisServer redis(server, cli,
                    {"--appendonly", "yes", "--dir", names_.dir, "--appenddirname", names_.dirname,
                     "--appendfilename", names_.filename, "--aof-use-rdb-preamble", "no", "--save",
                     "", "--logfile", names_.dir + "/redis.log"});
  ASSERT_TRUE(redis.wait_ready()) << read_file(names_.dir + "/redis.log", &error).value_or("");
  EXPECT_EQ(redis.cli({"STRLEN", "base:string"}), "9\n");
  EXPECT_EQ(redis.cli({"LLEN", "base:list"}), "100\n");
  EXPECT_EQ(redis.cli({"LINDEX", "base:list", "99"}), "e99\n");
  EXPECT_EQ(redis.cli({"PEXPIRETIME", "base:list"}), "4102444800000\n");
  EXPECT_EQ(redis.cli({"GET", "base:db1"}, 1), "one\n");
  EXPECT_EQ(redis.cli({"LRANGE", "incr1:list", "0", "-1"}, 2), "x\ny\n");
  EXPECT_EQ(redis.cli({"GET", "counter"}), "2\n");
  EXPECT_EQ(redis.cli({"GET", "incr2:b"}), "2\n");
  EXPECT_EQ(redis.cli({"EXISTS", "incr1:a"}), "0\n");
  EXPECT_EQ(redis.cli({"DBSIZE"}), "4\n");
  redis.stop();

  // redis-check-aof cuts the log at a "#TS:" annotation: before "DEL incr1:a", the last command.
  EXPECT_EQ(run({check_aof, "--truncate-to-timestamp", "1700000006", names_.manifest_path()}, &out),
            0)
      << out;
  EXPECT_NE(out.find("Successfully truncated AOF my append.aof.2.incr.aof to timestamp 1700000006"),
            std::string::npos)
      << out;
  AofLoadPlan plan;
  ASSERT_FALSE(prepare_aof_load(names_, &plan));
  EXPECT_EQ(read_commands(plan.files.back()),
            (std::vector<Argv>{{"SELECT", "0"}, {"SET", "incr2:b", "2"}}));
}

TEST_F(AofRedisCompatTest, BasaltReadsWhatRedisWrites) {
  REQUIRE_TOOL(server, "redis-server");
  REQUIRE_TOOL(cli, "redis-cli");
  std::string error;
  {
    RedisServer redis(
        server, cli,
        {"--appendonly", "yes", "--dir", names_.dir, "--appenddirname", names_.dirname,
         "--appendfilename", names_.filename, "--aof-use-rdb-preamble", "no", "--appendfsync",
         "always", "--save", "", "--logfile", names_.dir + "/redis.log"});
    ASSERT_TRUE(redis.wait_ready()) << read_file(names_.dir + "/redis.log", &error).value_or("");
    EXPECT_EQ(redis.cli({"SET", "a", "1"}), "OK\n");
    EXPECT_EQ(redis.cli({"RPUSH", "l", "x", "y"}), "2\n");
    EXPECT_EQ(redis.cli({"SET", "b", "2"}, 5), "OK\n");
    EXPECT_EQ(redis.cli({"SET", "gone", "soon", "PX", "100000000"}), "OK\n");
    EXPECT_EQ(redis.cli({"BGREWRITEAOF"}), "Background append only file rewriting started\n");
    bool done = false;
    for (int i = 0; i < 200 && !done; ++i) {
      const std::string m = read_file(names_.manifest_path(), &error).value_or("");
      done =
          m.find(".2.base.aof") != std::string::npos &&
          redis.cli({"INFO", "persistence"}).find("aof_rewrite_in_progress:0") != std::string::npos;
      if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(done) << "BGREWRITEAOF did not finish";
    EXPECT_EQ(redis.cli({"SET", "c", "3"}), "OK\n");
    EXPECT_EQ(redis.cli({"INCR", "n"}, 5), "1\n");
    redis.cli({}, 0, "MULTI\nSET t 1\nINCR n\nEXEC\n");
  }

  // The manifest, byte for byte as Redis wrote it.
  const std::string manifest_text = read_file(names_.manifest_path(), &error).value_or("");
  AofManifest parsed;
  auto parse_error = AofManifest::parse(manifest_text, &parsed);
  ASSERT_FALSE(parse_error) << parse_error->to_string(names_.manifest_path());
  EXPECT_EQ(parsed.serialize(), manifest_text);
  EXPECT_EQ(manifest_text,
            "file \"my append.aof.2.base.aof\" seq 2 type b\n"
            "file \"my append.aof.2.incr.aof\" seq 2 type i\n");

  AofLoadPlan plan;
  ASSERT_FALSE(prepare_aof_load(names_, &plan));
  ASSERT_EQ(plan.state, AofLoadPlan::State::kLoad);
  ASSERT_EQ(plan.files.size(), 2u);
  EXPECT_EQ(plan.files[0].type, AofFileType::kBase);
  EXPECT_EQ(plan.files[0].format, AofFileFormat::kCommands);

  // The base: the dataset per database, in the dict's order.
  std::vector<Argv> base = read_commands(plan.files[0]);
  const auto select5 = std::find(base.begin(), base.end(), Argv{"SELECT", "5"});
  ASSERT_NE(select5, base.end());
  ASSERT_EQ(base.front(), (Argv{"SELECT", "0"}));
  std::vector<Argv> db0(base.begin() + 1, select5), db5(select5 + 1, base.end());
  std::sort(db0.begin(), db0.end());
  ASSERT_EQ(db0.size(), 4u);
  EXPECT_EQ(db0[0][0], "PEXPIREAT");
  EXPECT_EQ(db0[0][1], "gone");
  EXPECT_EQ(db0[1], (Argv{"RPUSH", "l", "x", "y"}));
  EXPECT_EQ(db0[2], (Argv{"SET", "a", "1"}));
  EXPECT_EQ(db0[3], (Argv{"SET", "gone", "soon"}));
  EXPECT_EQ(db5, (std::vector<Argv>{{"SET", "b", "2"}}));

  // The incr file: what came after the rewrite, in order, transaction included.
  EXPECT_EQ(read_commands(plan.files[1]), (std::vector<Argv>{{"SELECT", "0"},
                                                             {"SET", "c", "3"},
                                                             {"SELECT", "5"},
                                                             {"INCR", "n"},
                                                             {"SELECT", "0"},
                                                             {"MULTI"},
                                                             {"SET", "t", "1"},
                                                             {"INCR", "n"},
                                                             {"EXEC"}}));
}

}  // namespace
}  // namespace basalt
