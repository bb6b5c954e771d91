// ConfigRegistry (src/config/config.cpp): the config file, BASALT_* environment variables and
// flags with their precedence, Redis's memory units, errors that name the parameter and where
// its value came from, --help, and the runtime set/get that CONFIG uses.

#include "config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace basalt {

// Readable failures for EXPECT_EQ(load(...), std::nullopt).
void PrintTo(const ConfigError& e, std::ostream* os) { *os << e.name << ": " << e.reason; }

namespace {

class ConfigLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The runner's environment must not leak into these tests.
    clear_env();
    dir_ =
        std::filesystem::temp_directory_path() / ("basalt_config_test." + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    clear_env();
    std::filesystem::remove_all(dir_);
  }
  static void clear_env() {
    unsetenv("BASALT_CONFIG");
    for (auto& [name, value] : ConfigRegistry::get(Config{}, "*")) {
      std::string env = "BASALT_";
      for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(c));
      unsetenv(env.c_str());
    }
  }
  std::string write_file(const std::string& text) {
    std::string path = (dir_ / ("basalt-" + std::to_string(++files_) + ".conf")).string();
    std::ofstream(path) << text;
    return path;
  }
  std::optional<ConfigError> load(std::vector<std::string> args) {
    args.insert(args.begin(), "basalt-server");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    help_ = false;
    return ConfigRegistry::load(config_, static_cast<int>(argv.size()), argv.data(), &help_);
  }

  Config config_;
  bool help_ = false;
  std::filesystem::path dir_;
  int files_ = 0;
};

TEST_F(ConfigLoadTest, DefaultsWithoutArguments) {
  EXPECT_EQ(load({}), std::nullopt);
  EXPECT_EQ(config_.port, 6379);
  EXPECT_EQ(config_.maxclients, 10000);
  EXPECT_EQ(config_.hz, 10);
  EXPECT_EQ(config_.proto_max_bulk_len, 512ll * 1024 * 1024);
  EXPECT_FALSE(help_);
}

TEST_F(ConfigLoadTest, FlagsInBothSpellings) {
  EXPECT_EQ(load({"--port", "7000", "--maxclients=5", "--LOGLEVEL", "warning"}), std::nullopt);
  EXPECT_EQ(config_.port, 7000);
  EXPECT_EQ(config_.maxclients, 5);
  EXPECT_EQ(config_.loglevel, "warning");
}

TEST_F(ConfigLoadTest, FlagsOverrideEnvironmentOverrideFile) {
  std::string file = write_file("port 1111\nhz 20\ntimeout 7\n");
  setenv("BASALT_PORT", "2222", 1);
  setenv("BASALT_HZ", "30", 1);
  EXPECT_EQ(load({file, "--port", "3333"}), std::nullopt);
  EXPECT_EQ(config_.port, 3333) << "flag beats environment and file";
  EXPECT_EQ(config_.hz, 30) << "environment beats file";
  EXPECT_EQ(config_.timeout, 7) << "file beats the default";
}

TEST_F(ConfigLoadTest, ConfigFileFromFlagOrEnvironment) {
  std::string a = write_file("maxclients 11\n");
  std::string b = write_file("maxclients 22\n");
  EXPECT_EQ(load({"--config", a}), std::nullopt);
  EXPECT_EQ(config_.maxclients, 11);
  setenv("BASALT_CONFIG", b.c_str(), 1);
  EXPECT_EQ(load({}), std::nullopt);
  EXPECT_EQ(config_.maxclients, 22);
  EXPECT_EQ(load({"--config=" + a}), std::nullopt) << "the flag names the file over the env";
  EXPECT_EQ(config_.maxclients, 11);
}

TEST_F(ConfigLoadTest, ConfigFileSyntaxAsRedisConf) {
  std::string file = write_file(
      "# a comment\r\n"
      "\r\n"
      "   port 7001   \r\n"
      "requirepass \"s3cret pass\"\n"
      "save 900 1\n"
      "save 60   10000\n"
      "bind 127.0.0.1 -::1\n"
      "client-output-buffer-limit normal 1mb 512kb 30\n"
      "daemonize no\n"
      "proto-max-bulk-len 64MB\n");
  EXPECT_EQ(load({file}), std::nullopt);
  EXPECT_EQ(config_.port, 7001);
  EXPECT_EQ(config_.requirepass, "s3cret pass");
  // One rule per save line, as in redis.conf; they add up.
  EXPECT_EQ(config_.save, "900 1 60 10000");
  ASSERT_EQ(save_rules(config_).size(), 2u);
  EXPECT_EQ(save_rules(config_)[1].changes, 10000);
  EXPECT_EQ(config_.bind, "127.0.0.1 -::1");
  EXPECT_EQ(config_.client_output_limit_normal.hard, 1024 * 1024);
  EXPECT_EQ(config_.client_output_limit_normal.soft, 512 * 1024);
  EXPECT_EQ(config_.client_output_limit_normal.soft_seconds, 30);
  EXPECT_EQ(config_.proto_max_bulk_len, 64ll * 1024 * 1024);
}

// Lines split as Redis's sdssplitargs: a double-quoted value keeps its spaces and decodes C
// escapes (Redis's test suite names an AOF " file seq \n\n.aof "), a single-quoted one only \',
// and an unbalanced quote is Redis's error rather than a value with a quote in it.
TEST_F(ConfigLoadTest, QuotedValuesAsSdssplitargs) {
  std::string file = write_file(
      "appendfilename \" file seq \\n\\n.aof \"\n"
      "requirepass 'it\\'s \\x41'\n"
      "logfile \"\\x41\\tb\"\n");
  EXPECT_EQ(load({file}), std::nullopt);
  EXPECT_EQ(config_.appendfilename, " file seq \n\n.aof ");
  EXPECT_EQ(config_.requirepass, "it's \\x41");
  EXPECT_EQ(config_.logfile, "A\tb");
  auto e = load({write_file("port 7001\nrequirepass \"open\n")});
  ASSERT_TRUE(e);
  EXPECT_THAT(e->reason, ::testing::HasSubstr("Unbalanced quotes in configuration line"));
  EXPECT_THAT(e->reason, ::testing::HasSubstr(".conf:2"));
}

// The command line as redis-server reads it (Redis's introspection tests start servers so):
// every argument up to the next --name is a value, and --save continues the file's rules.
TEST_F(ConfigLoadTest, FlagsTakeSeveralValuesAndSaveAddsToTheFiles) {
  EXPECT_EQ(load({"--save", "100", "100", "--bind", "127.0.0.1", "::1", "--port", "7002"}),
            std::nullopt);
  EXPECT_EQ(config_.save, "100 100") << "the first save rule replaces the defaults";
  EXPECT_EQ(config_.bind, "127.0.0.1 ::1");
  EXPECT_EQ(config_.port, 7002);
  const std::string file = write_file("save 900 1\n");
  config_ = Config();
  EXPECT_EQ(load({file, "--save", "100", "100"}), std::nullopt);
  EXPECT_EQ(config_.save, "900 1 100 100");
  config_ = Config();
  EXPECT_EQ(load({file, "--save", ""}), std::nullopt);
  EXPECT_EQ(config_.save, "");
  config_ = Config();
  EXPECT_EQ(load({file, "--save", "--port", "7003"}), std::nullopt);
  EXPECT_EQ(config_.save, "") << "a --save with no value is --save \"\"";
  EXPECT_EQ(config_.port, 7003);
  config_ = Config();
  EXPECT_EQ(load({"--save", "", "--save", "60 1"}), std::nullopt);
  EXPECT_EQ(config_.save, "60 1");
}

// redis-server's other argument forms, from Redis's introspection tests: a name and its value in
// one argument, bare words after the file starting a line, and a value starting with "--" after a
// name given alone.
TEST_F(ConfigLoadTest, FlagsInRedisServersOtherForms) {
  EXPECT_EQ(load({"--maxmemory 700mb", "--maxmemory-policy volatile-lru"}), std::nullopt);
  EXPECT_EQ(config_.maxmemory, 734003200);
  EXPECT_EQ(config_.maxmemory_policy, "volatile-lru");
  config_ = Config();
  const std::string file = write_file("port 7005\n");
  EXPECT_EQ(load({file, "loglevel", "verbose", "--maxmemory '700mb'"}), std::nullopt);
  EXPECT_EQ(config_.loglevel, "verbose");
  EXPECT_EQ(config_.maxmemory, 734003200);
  config_ = Config();
  EXPECT_EQ(load({"--proc-title-template", "--my--title--template", "--loglevel", "warning"}),
            std::nullopt);
  EXPECT_EQ(config_.proc_title_template, "--my--title--template");
  EXPECT_EQ(config_.loglevel, "warning");
  auto e = load({"--maxmemory '700mb"});
  ASSERT_TRUE(e);
  EXPECT_THAT(e->reason, ::testing::HasSubstr("Unbalanced quotes"));
}

// shutdown-on-sigterm / shutdown-on-sigint: Redis's flag words in any order and case, kept in
// Redis's order; save with nosave and unknown words get Redis's texts.
TEST_F(ConfigLoadTest, ShutdownOnSignalFlags) {
  EXPECT_EQ(config_.shutdown_on_sigterm, "default");
  EXPECT_EQ(load({"--shutdown-on-sigterm", "NOW", "nosave", "--shutdown-on-sigint", "force save"}),
            std::nullopt);
  EXPECT_EQ(config_.shutdown_on_sigterm, "nosave now");
  EXPECT_EQ(config_.shutdown_on_sigint, "save force");
  EXPECT_EQ(load({"--shutdown-on-sigint", "default"}), std::nullopt);
  EXPECT_EQ(config_.shutdown_on_sigint, "default");
  auto e = load({"--shutdown-on-sigint", "save", "nosave"});
  ASSERT_TRUE(e);
  EXPECT_THAT(e->reason, ::testing::HasSubstr(
                             "shutdown options SAVE and NOSAVE can't be used simultaneously"));
  e = load({"--shutdown-on-sigterm", "later"});
  ASSERT_TRUE(e);
  EXPECT_THAT(e->reason, ::testing::HasSubstr("argument(s) must be one of the following: default"));
}

TEST_F(ConfigLoadTest, RangeErrorsNameTheParameterAndTheSource) {
  auto e = load({"--maxclients", "0"});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "maxclients");
  EXPECT_EQ(e->reason,
            "argument must be between 1 and 4294967295 inclusive (from --maxclients, got '0')");

  setenv("BASALT_TIMEOUT", "-1", 1);
  e = load({});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "timeout");
  EXPECT_EQ(e->reason,
            "argument must be between 0 and 2147483647 inclusive (from BASALT_TIMEOUT, got '-1')");
  unsetenv("BASALT_TIMEOUT");

  std::string file = write_file("port 6379\nhz abc\n");
  e = load({file});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "hz");
  EXPECT_EQ(e->reason,
            "argument couldn't be parsed into an integer (from " + file + ":2, got 'abc')");

  e = load({"--proto-max-bulk-len", "1x"});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "proto-max-bulk-len");
  EXPECT_TRUE(e->reason.starts_with("argument must be a memory value (from --")) << e->reason;

  e = load({"--port", "65536"});
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->reason.starts_with("argument must be between 0 and 65535 inclusive (from --"))
      << e->reason;

  e = load({"--loglevel", "loud"});
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->reason.starts_with(
      "argument(s) must be one of the following: debug, verbose, notice, warning (from --"))
      << e->reason;
}

TEST_F(ConfigLoadTest, OtherLoadErrors) {
  auto e = load({"--nope", "1"});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "nope");
  EXPECT_EQ(e->reason, "unknown parameter (from --nope)");

  e = load({"--port"});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "missing value for --port");

  // A stray word after a value is another value, as redis-server reads it: too many for port.
  e = load({"--port", "1", "stray"});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "port");
  EXPECT_THAT(e->reason, ::testing::HasSubstr("got '1 stray'"));

  e = load({(dir_ / "missing.conf").string()});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "config");

  e = load({"--appendfsync", "sometimes"});
  ASSERT_TRUE(e);
  EXPECT_TRUE(
      e->reason.starts_with("argument(s) must be one of the following: always, everysec, no"))
      << e->reason;
  e = load({"--save", "60"});
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->reason.starts_with("Invalid save parameters")) << e->reason;
  e = load({"--save", "60 -1"});
  ASSERT_TRUE(e);
  e = load({"--dbfilename", "../dump.rdb"});
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->reason.starts_with("dbfilename can't be a path, just a filename")) << e->reason;
  e = load({"--appenddirname", "a/b"});
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->reason.starts_with("appenddirname can't be a path, just a dirname")) << e->reason;
  e = load({"--dir", (dir_ / "missing").string()});
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->reason.starts_with("No such file or directory")) << e->reason;
  EXPECT_EQ(load({"--appendonly", "no", "--save", ""}), std::nullopt)
      << "redis-server's usual flags are accepted";
}

TEST_F(ConfigLoadTest, HelpFlag) {
  EXPECT_EQ(load({"--port", "1", "--help"}), std::nullopt);
  EXPECT_TRUE(help_);
  EXPECT_EQ(load({"-h"}), std::nullopt);
  EXPECT_TRUE(help_);
}

// What the error echoes (a flag's name, a path) cannot carry control characters to the terminal,
// and a directory is not an empty config file.
TEST_F(ConfigLoadTest, ErrorsAreSanitizedAndDirectoriesRefused) {
  auto err = load({"--bad\nname", "1"});
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->name.find('\n'), std::string::npos) << err->name;
  EXPECT_EQ(err->reason.find('\n'), std::string::npos) << err->reason;
  auto dir = load({dir_.string()});
  ASSERT_TRUE(dir.has_value());
  EXPECT_EQ(dir->name, "config");
  EXPECT_THAT(dir->reason, ::testing::HasSubstr("it is a directory"));
}

// A read-only HTTP token restricts nothing without requirepass: refused at start, naming it.
TEST_F(ConfigLoadTest, ReadonlyTokenNeedsRequirepass) {
  auto err = load({"--http-readonly-token", "reader"});
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->name, "http-readonly-token");
  EXPECT_THAT(err->reason, ::testing::HasSubstr("needs requirepass"));
  EXPECT_EQ(load({"--http-readonly-token", "reader", "--requirepass", "pw"}), std::nullopt);
}

TEST(ConfigHelp, ListsEveryParameterWithItsEnvironmentVariable) {
  std::string help = ConfigRegistry::help_text();
  auto params = ConfigRegistry::get(Config{}, "*");
  ASSERT_GE(params.size(), 20u);
  for (auto& [name, value] : params) {
    EXPECT_NE(help.find("  --" + name + " "), std::string::npos) << name;
    std::string env = "BASALT_";
    for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(c));
    EXPECT_NE(help.find("env " + env + ")"), std::string::npos) << env;
  }
  EXPECT_NE(help.find("--config FILE"), std::string::npos);
  EXPECT_NE(help.find("(default: 6379; 0..65535; env BASALT_PORT)"), std::string::npos) << help;
}

TEST(ParseMemory, RedisUnits) {
  EXPECT_EQ(parse_memory("0"), 0);
  EXPECT_EQ(parse_memory("123"), 123);
  EXPECT_EQ(parse_memory("1b"), 1);
  EXPECT_EQ(parse_memory("1k"), 1000);
  EXPECT_EQ(parse_memory("1kb"), 1024);
  EXPECT_EQ(parse_memory("2m"), 2'000'000);
  EXPECT_EQ(parse_memory("2mb"), 2 * 1024 * 1024);
  EXPECT_EQ(parse_memory("3g"), 3'000'000'000);
  EXPECT_EQ(parse_memory("3gb"), 3ll * 1024 * 1024 * 1024);
  EXPECT_EQ(parse_memory("1GB"), 1024ll * 1024 * 1024) << "units ignore case";
  EXPECT_EQ(parse_memory("1Mb"), 1024 * 1024);
  EXPECT_EQ(parse_memory("01mb"), 1024 * 1024) << "leading zeros, as memtoll";
  EXPECT_EQ(parse_memory("9223372036854775807"), INT64_MAX);
}

TEST(ParseMemory, Rejects) {
  for (const char* bad : {"", "kb", "-1", "+1", "1.5mb", " 1", "1 ", "1tb", "1kbb", "x",
                          "9223372036854775808", "9223372036854775807k", "99999999999gb"}) {
    EXPECT_EQ(parse_memory(bad), std::nullopt) << bad;
  }
}

TEST(ConfigRuntime, SetAndGet) {
  Config c;
  EXPECT_EQ(ConfigRegistry::set(c, "maxclients", "50", true), std::nullopt);
  EXPECT_EQ(c.maxclients, 50);
  EXPECT_EQ(ConfigRegistry::set(c, "http-max-body", "1mb", true), std::nullopt);
  EXPECT_EQ(c.http_max_body, 1024 * 1024);
  auto e = ConfigRegistry::set(c, "nope", "1", true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Unknown option");
  // Immutable parameters can be set at startup only, and are refused at runtime even unchanged.
  EXPECT_EQ(ConfigRegistry::set(c, "databases", "20", false), std::nullopt);
  e = ConfigRegistry::set(c, "databases", "20", true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "can't set immutable config");
  EXPECT_TRUE(ConfigRegistry::exists("databases"));
  EXPECT_FALSE(ConfigRegistry::is_mutable("databases"));
  // As in Redis 7, the listeners move at runtime (the server's on_config_changed).
  EXPECT_TRUE(ConfigRegistry::is_mutable("port"));
  EXPECT_TRUE(ConfigRegistry::is_mutable("bind"));
  EXPECT_TRUE(ConfigRegistry::is_mutable("maxclients"));
  EXPECT_TRUE(ConfigRegistry::is_mutable("save"));
  EXPECT_FALSE(ConfigRegistry::is_mutable("nope"));
  EXPECT_FALSE(ConfigRegistry::exists("nope"));

  auto got = ConfigRegistry::get(c, "MAX*");
  std::vector<std::string> names;
  for (auto& [name, value] : got) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"maxclients", "maxmemory", "maxmemory-clients",
                                             "maxmemory-eviction-tenacity", "maxmemory-policy",
                                             "maxmemory-samples"}))
      << "case-insensitive, sorted by name";
  EXPECT_EQ(got[0].second, "50");
}

TEST(ConfigRuntime, HzIsClampedLikeRedis) {
  Config c;
  EXPECT_EQ(ConfigRegistry::set(c, "hz", "100000", true), std::nullopt);
  EXPECT_EQ(c.hz, 500);
  EXPECT_EQ(ConfigRegistry::set(c, "hz", "0", true), std::nullopt);
  EXPECT_EQ(c.hz, 1);
  EXPECT_EQ(ConfigRegistry::set(c, "hz", "2147483648", true)->reason,
            "argument must be between 0 and 2147483647 inclusive");
  EXPECT_EQ(c.hz, 1);
}

TEST(ConfigRuntime, OutputLimitIsValidatedBeforeApplying) {
  Config c;
  EXPECT_EQ(
      ConfigRegistry::set(c, "client-output-buffer-limit", "pubsub 32mb 8mb 60 normal 1 2 3", true),
      std::nullopt);
  EXPECT_EQ(c.client_output_limit_normal.hard, 1);
  EXPECT_EQ(c.client_output_limit_normal.soft, 2);
  EXPECT_EQ(c.client_output_limit_normal.soft_seconds, 3);
  EXPECT_TRUE(ConfigRegistry::set(c, "client-output-buffer-limit", "normal 7 8 9 bad 1 2 3", true));
  EXPECT_EQ(c.client_output_limit_normal.hard, 1) << "a bad class leaves every limit as it was";
  EXPECT_TRUE(ConfigRegistry::set(c, "client-output-buffer-limit", "normal 7 8 -9", true));
  EXPECT_EQ(c.client_output_limit_normal.soft_seconds, 3);
  EXPECT_EQ(ConfigRegistry::get(c, "client-output-buffer-limit")[0].second,
            "normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  // Each class is its own: subscribed clients are held to the pubsub one.
  EXPECT_EQ(ConfigRegistry::set(c, "client-output-buffer-limit", "pubsub 1mb 512kb 5", true),
            std::nullopt);
  EXPECT_EQ(c.client_output_limit_pubsub.hard, 1024 * 1024);
  EXPECT_EQ(c.client_output_limit_pubsub.soft, 512 * 1024);
  EXPECT_EQ(c.client_output_limit_pubsub.soft_seconds, 5);
  EXPECT_EQ(c.client_output_limit_normal.hard, 1) << "other classes untouched";
  EXPECT_EQ(ConfigRegistry::get(c, "client-output-buffer-limit")[0].second,
            "normal 1 2 3 slave 268435456 67108864 60 pubsub 1048576 524288 5");
}

// proc-title-template's expansion, as Redis's sdstemplate and redisProcTitleGetVariable.
TEST(ProcTitle, ExpandsRedisVariables) {
  Config c;
  c.port = 7000;
  c.bind = "10.0.0.1 -::1";
  EXPECT_EQ(expand_proc_title("{title} {listen-addr} {server-mode}", "/usr/bin/basalt-server", c),
            "/usr/bin/basalt-server 10.0.0.1:7000");  // trimmed of the empty mode's space
  EXPECT_EQ(expand_proc_title("T {port} {tls-port} [{unixsocket}] {config-file} {{x}", "", c),
            "T 7000 0 [] - {x}");
  c.config_file = "/etc/basalt.conf";
  c.unixsocket = "/tmp/b.sock";
  EXPECT_EQ(expand_proc_title("{config-file} {unixsocket}", "", c), "/etc/basalt.conf /tmp/b.sock");
  c.bind = "";
  EXPECT_EQ(expand_proc_title("{listen-addr}", "", c), "*:7000");
  c.port = 0;  // no TCP port: the socket
  EXPECT_EQ(expand_proc_title("{listen-addr}", "", c), "unixsocket:/tmp/b.sock");
  EXPECT_EQ(expand_proc_title("{nope}", "", c), std::nullopt);
  EXPECT_EQ(expand_proc_title("{title", "", c), std::nullopt);
  EXPECT_EQ(expand_proc_title("x{", "", c), std::nullopt);
  EXPECT_EQ(expand_proc_title("  ", "", c), "");
}

}  // namespace
}  // namespace basalt
