// The server family: COMMAND (COUNT, INFO, DOCS, LIST, GETKEYS, HELP), INFO, CONFIG (GET, SET,
// RESETSTAT, HELP), TIME, LASTSAVE, DEBUG and SHUTDOWN. Expected bytes were taken from
// redis-server 7.0.15. The reference test at the end checks every row of the command table
// (every family's) against tests/differential/reference/command_info.json.

#include <gmock/gmock.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "commands/command_docs.hpp"
#include "commands/command_info.hpp"
#include "store/entry.hpp"
#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class FakeHost final : public Host {
 public:
  void request_shutdown() override { ++shutdowns; }
  std::optional<ConfigError> on_config_changed() override {
    ++config_changes;
    return refusal;
  }
  bool interrupted() const override { return interrupt; }
  int shutdowns = 0;
  int config_changes = 0;
  std::optional<ConfigError> refusal;  // what the next config change is answered with
  bool interrupt = false;
};

class ServerTest : public EngineTest {
 protected:
  // Content of a RESP2 bulk reply, checking its framing.
  static std::string bulk_text(const std::string& reply) {
    size_t crlf = reply.find("\r\n");
    EXPECT_TRUE(reply.starts_with("$") && crlf != std::string::npos) << reply;
    if (!reply.starts_with("$") || crlf == std::string::npos) return {};
    size_t len = std::stoul(reply.substr(1, crlf - 1));
    EXPECT_EQ(reply.size(), crlf + 2 + len + 2) << "bulk length does not match its content";
    EXPECT_TRUE(reply.ends_with("\r\n"));
    return reply.substr(crlf + 2, len);
  }
  std::string info(std::vector<std::string_view> sections = {}) {
    std::vector<std::string_view> argv{"INFO"};
    argv.insert(argv.end(), sections.begin(), sections.end());
    return bulk_text(run(argv));
  }
  static std::vector<std::string> titles(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("# ")) out.push_back(line.substr(2, line.size() - 3));
    }
    return out;
  }
  // The value of "name:value" in INFO text; "<absent>" when missing.
  static std::string field(const std::string& text, std::string_view name) {
    std::string key = "\r\n" + std::string(name) + ":";
    size_t at = ("\r\n" + text).find(key);
    if (at == std::string::npos) return "<absent>";
    size_t start = at + key.size() - 2;
    return text.substr(start, text.find("\r\n", start) - start);
  }
  void set_key(std::string_view key, int64_t ttl_ms = 0) {
    Database& db = engine_->store().db(0);
    Entry* e = db.set(key, Value("v"));
    if (ttl_ms > 0) db.set_expire(e, clock_.now_ms() + ttl_ms);
  }

  FakeHost host_;
};

// --- COMMAND ---------------------------------------------------------------------------------

TEST_F(ServerTest, CommandCountIsTheNumberOfTopLevelCommands) {
  EXPECT_EQ(run({"COMMAND", "COUNT"}), integer(static_cast<int64_t>(engine_->commands().size())));
  EXPECT_EQ(run({"command", "count", "x"}),
            err("ERR wrong number of arguments for 'command|count' command"));
}

// Disabled until the engine runs a container's own handler when no subcommand is given (Redis's
// COMMAND alone): Engine::dispatch answers it with a wrong-arity error for now.
TEST_F(ServerTest, CommandWithoutSubcommandListsEveryCommand) {
  std::string all = run({"COMMAND"});
  EXPECT_TRUE(all.starts_with("*" + std::to_string(engine_->commands().size()) + "\r\n*10\r\n"))
      << all.substr(0, 100);
  EXPECT_TRUE(all == run({"COMMAND", "INFO"})) << "COMMAND and COMMAND INFO differ";
}

TEST_F(ServerTest, CommandInfoOfOwnCommands) {
  // COMMAND INFO config|get, redis-server 7.0.15, RESP3.
  run({"HELLO", "3"});
  EXPECT_EQ(run({"COMMAND", "INFO", "config|get"}),
            "*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n~4\r\n+admin\r\n+noscript\r\n+loading\r\n"
            "+stale\r\n:0\r\n:0\r\n:0\r\n~3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n~0\r\n~0\r\n"
            "~0\r\n");
  // A container lists its subcommands' entries in an array (a command without them sends an
  // empty set instead), sorted by name.
  std::string config = run({"COMMAND", "INFO", "CONFIG"});
  EXPECT_TRUE(
      config.starts_with("*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n~0\r\n:0\r\n:0\r\n:0\r\n"
                         "~1\r\n+@slow\r\n~0\r\n~0\r\n*5\r\n*10\r\n$10\r\nconfig|get\r\n"))
      << config.substr(0, 200);
  size_t get = config.find("config|get"), help = config.find("config|help"),
         reset = config.find("config|resetstat"), rewrite = config.find("config|rewrite"),
         set = config.find("config|set");
  EXPECT_TRUE(get < help && help < reset && reset < rewrite && rewrite < set);
  // Tips come from the generated table.
  EXPECT_NE(run({"COMMAND", "INFO", "info"})
                .find("~3\r\n$23\r\nnondeterministic_output\r\n$25\r\nrequest_policy:all_shards\r\n"
                      "$23\r\nresponse_policy:special\r\n"),
            std::string::npos);
}

TEST_F(ServerTest, CommandInfoOfKeyedCommandShowsKeySpecs) {
  // COMMAND INFO get, redis-server 7.0.15, RESP3: sets, maps and the key spec.
  run({"HELLO", "3"});
  EXPECT_EQ(run({"COMMAND", "INFO", "get"}),
            "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n"
            "+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n"
            "+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
            "%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n"
            "$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n"
            ":0\r\n~0\r\n");
}

TEST_F(ServerTest, CommandInfoUnknownNamesAreNil) {
  EXPECT_EQ(run({"COMMAND", "INFO", "nope"}), array({kNil}));
  EXPECT_EQ(run({"COMMAND", "INFO", "get|x"}), array({kNil}));
  EXPECT_EQ(run({"COMMAND", "INFO", "config|nope"}), array({kNil}));
  EXPECT_EQ(run({"COMMAND", "INFO", "config|get|x"}), array({kNil}));
  std::string two = run({"COMMAND", "INFO", "nope", "TIME"});
  EXPECT_TRUE(two.starts_with("*2\r\n$-1\r\n*10\r\n$4\r\ntime\r\n")) << two;
  run({"HELLO", "3"});
  EXPECT_EQ(run({"COMMAND", "INFO", "nope"}), "*1\r\n_\r\n");
}

TEST_F(ServerTest, CommandDocsReplaysRedisDocs) {
  // COMMAND DOCS time, redis-server 7.0.15, RESP2: the map flattened.
  EXPECT_EQ(run({"COMMAND", "DOCS", "time"}),
            "*2\r\n$4\r\ntime\r\n*8\r\n$7\r\nsummary\r\n$30\r\nReturn the current server time\r\n"
            "$5\r\nsince\r\n$5\r\n2.6.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n"
            "$4\r\nO(1)\r\n");
  run({"HELLO", "3"});
  // COMMAND DOCS config|get, redis-server 7.0.15, RESP3.
  EXPECT_EQ(
      run({"COMMAND", "DOCS", "CONFIG|GET"}),
      "%1\r\n$10\r\nconfig|get\r\n%6\r\n$7\r\nsummary\r\n$42\r\nGet the values of configuration "
      "parameters\r\n$5\r\nsince\r\n$5\r\n2.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\n"
      "complexity\r\n$62\r\nO(N) when N is the number of configuration parameters provided\r\n"
      "$7\r\nhistory\r\n~1\r\n*2\r\n$5\r\n7.0.0\r\n$65\r\nAdded the ability to pass multiple "
      "pattern parameters in one call\r\n$9\r\narguments\r\n*1\r\n%4\r\n$4\r\nname\r\n$9\r\n"
      "parameter\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n~1\r\n+multiple\r\n$9\r\n"
      "arguments\r\n*1\r\n%2\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\ntype\r\n$6\r\n"
      "string\r\n");
}

TEST_F(ServerTest, CommandDocsSkipsUnknownNamesAndKeepsDuplicates) {
  EXPECT_EQ(run({"COMMAND", "DOCS", "nope"}), "*0\r\n");
  std::string two = run({"COMMAND", "DOCS", "nope", "TIME", "time"});
  EXPECT_TRUE(two.starts_with("*4\r\n$4\r\ntime\r\n*8\r\n")) << two;
  run({"HELLO", "3"});
  EXPECT_EQ(run({"COMMAND", "DOCS", "nope"}), "%0\r\n");
}

TEST_F(ServerTest, CommandDocsOfContainerListsOurSubcommands) {
  run({"HELLO", "3"});
  std::string config = run({"COMMAND", "DOCS", "config"});
  EXPECT_NE(config.find("$11\r\nsubcommands\r\n%5\r\n$10\r\nconfig|get\r\n%6\r\n"),
            std::string::npos)
      << config;
  EXPECT_EQ(config.find("config|doctor"), std::string::npos);
  EXPECT_TRUE(config.starts_with("%1\r\n$6\r\nconfig\r\n%5\r\n$7\r\nsummary\r\n")) << config;
}

TEST_F(ServerTest, CommandDocsWithoutNamesCoversTheWholeTable) {
  run({"HELLO", "3"});
  std::string all = run({"COMMAND", "DOCS"});
  EXPECT_TRUE(all.starts_with("%" + std::to_string(engine_->commands().size()) + "\r\n"));
  for (const Command* cmd : engine_->commands().sorted()) {
    EXPECT_NE(
        all.find("$" + std::to_string(cmd->full_name.size()) + "\r\n" + cmd->full_name + "\r\n%"),
        std::string::npos)
        << cmd->full_name;
  }
}

TEST_F(ServerTest, CommandDocsOfEverySubcommand) {
  run({"HELLO", "3"});
  for (const Command* cmd : engine_->commands().sorted()) {
    for (const Command& sub : cmd->subcommands) {
      std::string doc = run({"COMMAND", "DOCS", sub.full_name});
      EXPECT_TRUE(doc.starts_with("%1\r\n" + bulk(sub.full_name) + "%")) << doc.substr(0, 80);
      // Without a generated doc (a subcommand newer than the Redis the table came from), the
      // doc still carries the summary and group.
      EXPECT_NE(doc.find(bulk("summary") + bulk(sub.spec.summary)), std::string::npos)
          << sub.full_name;
    }
  }
}

TEST(CommandDocsNodes, ValueExtentStepsOverWholeValues) {
  const docs::CommandDoc* get = docs::find_command_doc("get");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(docs::value_extent(get->nodes, 0), get->nodes.size()) << "the doc is one map";
  EXPECT_EQ(docs::value_extent(get->nodes, 1), 1u) << "a key";
  // The last pair of GET's doc is "arguments" and an array of one 3-pair map: 1 + 1 + 6 nodes.
  size_t i = 1;
  for (int pair = 0; pair < get->nodes[0].n - 1; ++pair) {
    i += 1 + docs::value_extent(get->nodes, i + 1);
  }
  EXPECT_EQ(get->nodes[i].str, "arguments");
  EXPECT_EQ(docs::value_extent(get->nodes, i + 1), 8u);
  EXPECT_EQ(i + 1 + 8, get->nodes.size());
}

TEST_F(ServerTest, CommandListAndFilters) {
  std::string all = run({"COMMAND", "LIST"});
  EXPECT_NE(all.find(bulk("config") + bulk("config|get") + bulk("config|help") +
                     bulk("config|resetstat") + bulk("config|rewrite") + bulk("config|set")),
            std::string::npos);
  EXPECT_NE(all.find(bulk("shutdown")), std::string::npos);
  EXPECT_EQ(run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG*"}),
            array({bulk("config"), bulk("config|get"), bulk("config|help"),
                   bulk("config|resetstat"), bulk("config|rewrite"), bulk("config|set")}));
  EXPECT_EQ(run({"COMMAND", "LIST", "filterby", "pattern", "command|c*"}),
            array({bulk("command|count")}));
  std::string admin = run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "ADMIN"});
  for (std::string_view name : {"config|get", "config|set", "debug", "lastsave", "shutdown"}) {
    EXPECT_NE(admin.find(bulk(name)), std::string::npos) << name;
  }
  EXPECT_EQ(admin.find(bulk("time")), std::string::npos);
  EXPECT_EQ(admin.find(bulk("config|help")), std::string::npos);
  EXPECT_EQ(run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nope"}), "*0\r\n");
  EXPECT_EQ(run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "@admin"}), "*0\r\n");
  EXPECT_EQ(run({"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}), "*0\r\n");
}

TEST_F(ServerTest, CommandListSyntaxErrors) {
  EXPECT_EQ(run({"COMMAND", "LIST", "FOO"}), err("ERR syntax error"));
  EXPECT_EQ(run({"COMMAND", "LIST", "FILTERBY", "FOO", "x"}), err("ERR syntax error"));
  EXPECT_EQ(run({"COMMAND", "LIST", "FILTERBY", "PATTERN"}), err("ERR syntax error"));
  EXPECT_EQ(run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "a", "b"}), err("ERR syntax error"));
  EXPECT_EQ(run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "a", "FILTERBY", "PATTERN", "b"}),
            err("ERR syntax error"));
}

TEST_F(ServerTest, CommandGetKeys) {
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "get", "a"}), array({bulk("a")}));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}), array({bulk("a"), bulk("b")}));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "mset", "a", "1", "b"}), array({bulk("a"), bulk("b")}));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "blpop", "a", "b", "0"}), array({bulk("a"), bulk("b")}));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "lmove", "a", "b", "LEFT", "RIGHT"}),
            array({bulk("a"), bulk("b")}));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "lmpop", "2", "a", "b", "LEFT"}),
            array({bulk("a"), bulk("b")}));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "set", "k", "v", "GET"}), array({bulk("k")}));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "object", "encoding", "k"}), array({bulk("k")}));
  run({"HELLO", "3"});
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "get", "a"}), array({bulk("a")}));
}

TEST_F(ServerTest, CommandGetKeysErrors) {
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "get"}),
            err("ERR wrong number of arguments for 'command|getkeys' command"));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "nope", "x"}), err("ERR Invalid command specified"));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "object", "nope", "k"}),
            err("ERR Invalid command specified"));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "time", "x"}), err("ERR The command has no key arguments"));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "config", "get", "k"}),
            err("ERR The command has no key arguments"));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "get", "a", "b"}),
            err("ERR Invalid number of arguments specified for command"));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "lmpop", "0", "a", "LEFT"}),
            err("ERR Invalid arguments specified for command"));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "lmpop", "5", "a", "LEFT"}),
            err("ERR Invalid arguments specified for command"));
  EXPECT_EQ(run({"COMMAND", "GETKEYS", "lmpop", "x", "a", "LEFT"}),
            err("ERR Invalid arguments specified for command"));
}

TEST_F(ServerTest, CommandHelp) {
  EXPECT_EQ(run({"command", "help"}),
            "*21\r\n"
            "+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+(no subcommand)\r\n"
            "+    Return details about all Redis commands.\r\n"
            "+COUNT\r\n"
            "+    Return the total number of commands in this Redis server.\r\n"
            "+LIST\r\n"
            "+    Return a list of all commands in this Redis server.\r\n"
            "+INFO [<command-name> ...]\r\n"
            "+    Return details about multiple Redis commands.\r\n"
            "+    If no command names are given, documentation details for all\r\n"
            "+    commands are returned.\r\n"
            "+DOCS [<command-name> ...]\r\n"
            "+    Return documentation details about multiple Redis commands.\r\n"
            "+    If no command names are given, documentation details for all\r\n"
            "+    commands are returned.\r\n"
            "+GETKEYS <full-command>\r\n"
            "+    Return the keys from a full Redis command.\r\n"
            "+GETKEYSANDFLAGS <full-command>\r\n"
            "+    Return the keys and the access flags from a full Redis command.\r\n"
            "+HELP\r\n"
            "+    Prints this help.\r\n");
  EXPECT_EQ(run({"COMMAND", "FOO"}), err("ERR unknown subcommand 'FOO'. Try COMMAND HELP."));
}

// --- Key specs -------------------------------------------------------------------------------

std::vector<int> keys_of(std::span<const docs::KeySpec> specs, std::vector<std::string_view> argv,
                         bool* valid = nullptr) {
  std::vector<int> positions;
  bool ok = docs::keys_from_specs(specs, argv, &positions);
  if (valid != nullptr) *valid = ok;
  return positions;
}

TEST(KeySpecs, GeneratedTableIsSortedAndNamesSubcommands) {
  auto all = docs::all_command_infos();
  ASSERT_FALSE(all.empty());
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].name, all[i].name);
  ASSERT_NE(docs::find_command_info("object|encoding"), nullptr);
  EXPECT_EQ(docs::find_command_info("object|encoding")->key_specs[0].index, 2);
  EXPECT_EQ(docs::find_command_info("nope"), nullptr);
  EXPECT_EQ(docs::find_command_info("GET"), nullptr) << "names must be lowercase";
}

TEST(KeySpecs, RangeAndKeynumSpecs) {
  auto specs = [](std::string_view name) { return docs::find_command_info(name)->key_specs; };
  EXPECT_EQ(keys_of(specs("mset"), {"mset", "a", "1", "b", "2"}), (std::vector<int>{1, 3}));
  EXPECT_EQ(keys_of(specs("blpop"), {"blpop", "a", "b", "c", "0"}), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(keys_of(specs("blmpop"), {"blmpop", "0", "2", "a", "b", "LEFT"}),
            (std::vector<int>{3, 4}));
  bool valid = true;
  EXPECT_TRUE(keys_of(specs("lmpop"), {"lmpop", "-1", "a", "LEFT"}, &valid).empty());
  EXPECT_FALSE(valid);
  EXPECT_TRUE(keys_of(specs("lmpop"), {"lmpop", "99999999999", "a"}, &valid).empty());
  EXPECT_FALSE(valid);
}

TEST(KeySpecs, KeywordSearchForwardAndBackward) {
  // XREAD-like: keys follow STREAMS, the first half of what remains (limit 2).
  docs::KeySpec forward{.flags = "RO",
                        .begin_search = docs::BeginSearch::kKeyword,
                        .keyword = "STREAMS",
                        .startfrom = 1,
                        .find_keys = docs::FindKeys::kRange,
                        .lastkey = -1,
                        .keystep = 1,
                        .limit = 2};
  EXPECT_EQ(keys_of({&forward, 1}, {"xread", "COUNT", "2", "streams", "a", "b", "0", "0"}),
            (std::vector<int>{4, 5}));
  // Keyword missing: the spec names no keys, which is not an error.
  bool valid = false;
  EXPECT_TRUE(keys_of({&forward, 1}, {"xread", "COUNT", "2"}, &valid).empty());
  EXPECT_TRUE(valid);
  // Searching backwards from the end (MIGRATE's KEYS).
  docs::KeySpec backward{.flags = "RW",
                         .begin_search = docs::BeginSearch::kKeyword,
                         .keyword = "KEYS",
                         .startfrom = -2,
                         .find_keys = docs::FindKeys::kRange,
                         .lastkey = -1,
                         .keystep = 1,
                         .limit = 0};
  EXPECT_EQ(keys_of({&backward, 1}, {"migrate", "h", "p", "", "0", "5", "KEYS", "a", "b"}),
            (std::vector<int>{7, 8}));
}

TEST(KeySpecs, NotKeyIsSkippedAndIncompleteIsInvalid) {
  docs::KeySpec not_key{.flags = "RO not_key", .index = 1};
  docs::KeySpec incomplete{.flags = "RW incomplete", .index = 1};
  bool valid = false;
  EXPECT_TRUE(keys_of({&not_key, 1}, {"cmd", "a"}, &valid).empty());
  EXPECT_TRUE(valid);
  EXPECT_TRUE(keys_of({&incomplete, 1}, {"cmd", "a"}, &valid).empty());
  EXPECT_FALSE(valid);
}

// --- INFO ------------------------------------------------------------------------------------

TEST_F(ServerTest, InfoDefaultSectionsInRedisOrder) {
  std::string text = info();
  EXPECT_EQ(titles(text), (std::vector<std::string>{"Server", "Clients", "Memory", "Persistence",
                                                    "Stats", "Replication", "CPU", "Modules",
                                                    "Errorstats", "Cluster", "Keyspace"}));
  EXPECT_TRUE(text.starts_with("# Server\r\nredis_version:7.0.15\r\nbasalt_version:0.1.0\r\n"));
  EXPECT_NE(text.find("\r\n\r\n# Clients\r\n"), std::string::npos) << "sections end blank";
  EXPECT_EQ(titles(info({"default"})), titles(text));
}

TEST_F(ServerTest, InfoSectionsKeepRedisOrderWhateverTheRequest) {
  EXPECT_EQ(titles(info({"KEYSPACE", "server"})), (std::vector<std::string>{"Server", "Keyspace"}));
  EXPECT_EQ(titles(info({"commandstats", "default"})).size(), 12u);
  std::vector<std::string> all = titles(info({"all"}));
  EXPECT_EQ(all.size(), 13u);
  EXPECT_EQ(all[8], "Commandstats");
  EXPECT_EQ(all[10], "Latencystats");
  EXPECT_EQ(titles(info({"everything"})), all);
  EXPECT_EQ(titles(info({"modules"})), (std::vector<std::string>{"Modules"}));
  EXPECT_EQ(run({"INFO", "nope"}), "$0\r\n\r\n");
  EXPECT_EQ(info({"keyspace", "keyspace"}), "# Keyspace\r\n");
}

TEST_F(ServerTest, InfoIsVerbatimTextInResp3) {
  run({"HELLO", "3"});
  EXPECT_EQ(run({"INFO", "keyspace"}), "=16\r\ntxt:# Keyspace\r\n\r\n");
  EXPECT_EQ(run({"INFO", "nope"}), "=4\r\ntxt:\r\n");
}

TEST_F(ServerTest, InfoServer) {
  engine_->server_info().run_id = "0123456789abcdef0123456789abcdef01234567";
  engine_->server_info().tcp_port = 6390;
  std::string text = info({"server"});
  EXPECT_EQ(field(text, "redis_mode"), "standalone");
  EXPECT_EQ(field(text, "arch_bits"), std::to_string(sizeof(void*) * 8));
  EXPECT_EQ(field(text, "process_id"), std::to_string(getpid()));
  EXPECT_EQ(field(text, "run_id"), "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(field(text, "tcp_port"), "6390");
  EXPECT_EQ(field(text, "hz"), "10");
  EXPECT_EQ(field(text, "server_time_usec"), "1700000000000000");
  EXPECT_EQ(field(text, "uptime_in_seconds"), "0");
  EXPECT_TRUE(field(text, "os").starts_with("Linux ")) << field(text, "os");
  advance_ms(2 * 86400 * 1000 + 5000);
  text = info({"server"});
  EXPECT_EQ(field(text, "uptime_in_seconds"), std::to_string(2 * 86400 + 5));
  EXPECT_EQ(field(text, "uptime_in_days"), "2");
}

TEST_F(ServerTest, InfoClients) {
  client(0);
  client(1);
  config_.maxclients = 123;
  std::string text = info({"clients"});
  EXPECT_EQ(field(text, "connected_clients"), "2");
  EXPECT_EQ(field(text, "maxclients"), "123");
  EXPECT_EQ(field(text, "blocked_clients"), "0");
  EXPECT_EQ(field(text, "clients_in_timeout_table"), "0");
}

TEST_F(ServerTest, InfoMemoryPersistenceReplicationCpuCluster) {
  std::string text = info({"memory", "persistence", "replication", "cpu", "cluster"});
  EXPECT_GT(std::stoll(field(text, "used_memory")), 0);
  EXPECT_GT(std::stoll(field(text, "used_memory_rss")), 0);
  EXPECT_EQ(field(text, "maxmemory"), "0");
  // jemalloc in release builds, as Redis reports it ("jemalloc-5.3.0"); libc under sanitizers.
  EXPECT_THAT(field(text, "mem_allocator"), ::testing::MatchesRegex("libc|jemalloc-[0-9.]+"));
  EXPECT_EQ(field(text, "loading"), "0");
  EXPECT_EQ(field(text, "aof_enabled"), "0");
  EXPECT_EQ(field(text, "rdb_last_save_time"), "1700000000");
  EXPECT_EQ(field(text, "role"), "master");
  EXPECT_EQ(field(text, "connected_slaves"), "0");
  EXPECT_NE(field(text, "used_cpu_user"), "<absent>");
  EXPECT_EQ(field(text, "cluster_enabled"), "0");
}

TEST_F(ServerTest, InfoMemoryHumanSizesScaleTheByteCounts) {
  std::string text = info({"memory"});
  for (std::string_view name : {"used_memory", "used_memory_rss", "total_system_memory"}) {
    double bytes = std::stod(field(text, name));
    std::string human = field(text, std::string(name) + "_human");
    char unit = human.back();
    double scale = unit == 'B'   ? 1.0
                   : unit == 'K' ? 1024.0
                   : unit == 'M' ? 1024.0 * 1024
                                 : 1024.0 * 1024 * 1024;
    EXPECT_NEAR(std::stod(human.substr(0, human.size() - 1)), bytes / scale, 0.006) << human;
    if (unit != 'B') {
      EXPECT_EQ(human.size() - human.find('.'), 4u) << "two decimals: " << human;
    }
  }
}

TEST_F(ServerTest, InfoStatsAndKeyspace) {
  set_key("a");
  set_key("b", 100'000);
  engine_->store().db(3).set("c", Value("v"));
  engine_->store().stats().keyspace_hits = 7;
  engine_->store().stats().expired_keys = 2;
  std::string text = info({"stats", "keyspace"});
  EXPECT_EQ(field(text, "keyspace_hits"), "7");
  EXPECT_EQ(field(text, "expired_keys"), "2");
  EXPECT_EQ(field(text, "instantaneous_ops_per_sec"), "0");
  EXPECT_NE(text.find("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl="), std::string::npos) << text;
  EXPECT_NE(text.find("\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("db1:"), std::string::npos);
}

TEST_F(ServerTest, InfoCommandstatsAndErrorstats) {
  run({"TIME"});
  run({"TIME"});
  run({"TIME", "x"});               // rejected: wrong arity
  run({"COMMAND", "LIST", "FOO"});  // failed: syntax error
  run({"CONFIG", "nope"});          // rejected by the container
  run({"NOPE"});
  std::string text = info({"commandstats", "errorstats"});
  EXPECT_NE(text.find("cmdstat_time:calls=2,usec=0,usec_per_call=0.00,rejected_calls=1,"
                      "failed_calls=0\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("cmdstat_command|list:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,"
                      "failed_calls=1\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("cmdstat_config:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,"
                      "failed_calls=0\r\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("cmdstat_lastsave"), std::string::npos) << "never called";
  EXPECT_NE(text.find("# Errorstats\r\nerrorstat_ERR:count=4\r\n"), std::string::npos) << text;
}

// Redis's info.tcl "errorstats: blocking commands": a block ended by CLIENT UNBLOCK ... ERROR
// counts the call, its failure and the UNBLOCKED error once; a timeout counts the call.
TEST_F(ServerTest, ABlockEndedWithoutServingCountsTheCall) {
  const std::string id = std::to_string(client(1).session->id);
  EXPECT_EQ(run({"BLPOP", "list1", "0"}, 1), "");
  EXPECT_EQ(run({"CLIENT", "UNBLOCK", id, "ERROR"}), integer(1));
  EXPECT_EQ(client(1).take().substr(0, 10), "-UNBLOCKED");
  std::string text = info({"commandstats", "errorstats", "stats"});
  EXPECT_NE(text.find("errorstat_UNBLOCKED:count=1\r\n"), std::string::npos) << text;
  EXPECT_EQ(field(text, "total_error_replies"), "1");
  EXPECT_NE(text.find("cmdstat_blpop:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,"
                      "failed_calls=1\r\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(run({"BLPOP", "list1", "1"}, 1), "");
  advance_ms(1000);
  EXPECT_EQ(client(1).take(), kNilArray);
  text = info({"commandstats"});
  EXPECT_NE(text.find("cmdstat_blpop:calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,"
                      "failed_calls=1\r\n"),
            std::string::npos)
      << text;
}

// Redis's info.tcl "errorstats: failed call within MULTI/EXEC": a queued command's error counts
// once, against that command; EXEC itself did not fail.
TEST_F(ServerTest, AnErrorInsideExecCountsOnceAgainstItsCommand) {
  run({"MULTI"});
  run({"SET", "a", "b"});
  run({"AUTH", "a"});
  run({"EXEC"});
  std::string text = info({"commandstats", "errorstats", "stats"});
  EXPECT_NE(text.find("# Errorstats\r\nerrorstat_ERR:count=1\r\n"), std::string::npos) << text;
  EXPECT_EQ(field(text, "total_error_replies"), "1");
  EXPECT_NE(text.find("cmdstat_auth:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,"
                      "failed_calls=1\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("cmdstat_exec:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,"
                      "failed_calls=0\r\n"),
            std::string::npos)
      << text;
  // EXEC's own error still counts against it.
  run({"MULTI"});
  run({"NOPE"});
  run({"EXEC"});
  text = info({"commandstats", "errorstats"});
  EXPECT_NE(text.find("cmdstat_exec:calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,"
                      "failed_calls=1\r\n"),
            std::string::npos)
      << text;
}

// --- CONFIG ----------------------------------------------------------------------------------

TEST_F(ServerTest, ConfigGet) {
  EXPECT_EQ(run({"CONFIG", "GET", "maxclients"}), array({bulk("maxclients"), bulk("10000")}));
  // An exact name comes back as typed; patterns match case-insensitively.
  EXPECT_EQ(run({"CONFIG", "GET", "MAXCLIENTS"}), array({bulk("MAXCLIENTS"), bulk("10000")}));
  EXPECT_EQ(run({"CONFIG", "GET", "maxclients", "maxclients", "MaxC*"}),
            array({bulk("maxclients"), bulk("10000")}));
  EXPECT_EQ(run({"CONFIG", "GET", "nope"}), "*0\r\n");
  EXPECT_EQ(run({"CONFIG", "GET", "h?"}), array({bulk("hz"), bulk("10")}));
  // The fixture turns the save rules off (no dump.rdb in the tests' directory).
  EXPECT_EQ(run({"CONFIG", "GET", "save", "appendonly"}),
            array({bulk("save"), bulk(""), bulk("appendonly"), bulk("no")}));
  EXPECT_EQ(Config().save, "3600 1 300 100 60 10000");
  EXPECT_EQ(run({"CONFIG", "GET", "client-output-buffer-limit"}),
            array({bulk("client-output-buffer-limit"),
                   bulk("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")}));
  std::string all = run({"CONFIG", "GET", "*"});
  EXPECT_NE(all.find(bulk("proto-max-bulk-len") + bulk("536870912")), std::string::npos);
  // Redis's hidden parameters: by name only (introspection.tcl, "CONFIG GET hidden configs").
  EXPECT_EQ(all.find(bulk("key-load-delay")), std::string::npos);
  EXPECT_EQ(all.find(bulk("rdb-key-save-delay")), std::string::npos);
  EXPECT_EQ(run({"CONFIG", "GET", "key-load-*"}), "*0\r\n");
  EXPECT_EQ(run({"CONFIG", "GET", "key-load-delay"}), array({bulk("key-load-delay"), bulk("0")}));
  EXPECT_EQ(run({"CONFIG", "GET"}), err("ERR wrong number of arguments for 'config|get' command"));
  run({"HELLO", "3"});
  EXPECT_EQ(run({"CONFIG", "GET", "hz"}), "%1\r\n$2\r\nhz\r\n$2\r\n10\r\n");
}

TEST_F(ServerTest, ConfigSetAppliesAndTellsTheHost) {
  engine_->set_host(&host_);
  EXPECT_EQ(run({"CONFIG", "SET", "maxclients", "100", "timeout", "30"}), kOk);
  EXPECT_EQ(config_.maxclients, 100);
  EXPECT_EQ(config_.timeout, 30);
  EXPECT_EQ(host_.config_changes, 1);
  EXPECT_EQ(run({"CONFIG", "SET", "MAXCLIENTS", "200"}), kOk);
  EXPECT_EQ(run({"CONFIG", "GET", "maxclients"}), array({bulk("maxclients"), bulk("200")}));
  EXPECT_EQ(run({"CONFIG", "SET", "proto-max-bulk-len", "2mb"}), kOk);
  EXPECT_EQ(config_.proto_max_bulk_len, 2 * 1024 * 1024);
  EXPECT_EQ(run({"CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 512kb 10"}), kOk);
  EXPECT_EQ(config_.client_output_limit_normal.hard, 1024 * 1024);
  EXPECT_EQ(config_.client_output_limit_normal.soft, 512 * 1024);
  EXPECT_EQ(config_.client_output_limit_normal.soft_seconds, 10);
  EXPECT_EQ(run({"CONFIG", "SET", "save", "", "appendonly", "NO"}), kOk);
  EXPECT_EQ(run({"CONFIG", "SET", "requirepass", "secret"}), kOk);
  EXPECT_EQ(config_.requirepass, "secret");
  EXPECT_EQ(host_.config_changes, 6);
  // Without a host (tests, embedding) the change still applies.
  engine_->set_host(nullptr);
  EXPECT_EQ(run({"CONFIG", "SET", "timeout", "0"}), kOk);
  EXPECT_EQ(config_.timeout, 0);
}

TEST_F(ServerTest, ConfigSetClampsHzAsRedis) {
  EXPECT_EQ(run({"CONFIG", "SET", "hz", "1000"}), kOk);
  EXPECT_EQ(run({"CONFIG", "GET", "hz"}), array({bulk("hz"), bulk("500")}));
  EXPECT_EQ(run({"CONFIG", "SET", "hz", "0"}), kOk);
  EXPECT_EQ(config_.hz, 1);
  EXPECT_EQ(run({"CONFIG", "SET", "hz", "-1"}),
            err("ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be "
                "between 0 and 2147483647 inclusive"));
}

TEST_F(ServerTest, ConfigSetLogLevel) {
  EXPECT_EQ(run({"CONFIG", "SET", "loglevel", "WARNING"}), kOk);
  EXPECT_EQ(config_.loglevel, "warning");
  EXPECT_FALSE(log_enabled(LogLevel::kNotice));
  EXPECT_EQ(run({"CONFIG", "SET", "loglevel", "nope"}),
            err("ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) "
                "must be one of the following: debug, verbose, notice, warning"));
  // A failed batch restores the level it had changed.
  EXPECT_EQ(run({"CONFIG", "SET", "loglevel", "debug", "timeout", "-1"}).substr(0, 20),
            "-ERR CONFIG SET fail");
  EXPECT_EQ(config_.loglevel, "warning");
  EXPECT_FALSE(log_enabled(LogLevel::kDebug));
  EXPECT_EQ(run({"CONFIG", "SET", "loglevel", "notice"}), kOk);
  EXPECT_TRUE(log_enabled(LogLevel::kNotice));
}

TEST_F(ServerTest, ConfigSetErrorsInRedisWords) {
  EXPECT_EQ(run({"CONFIG", "SET", "foo", "1"}),
            err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxclients", "0"}),
            err("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument "
                "must be between 1 and 4294967295 inclusive"));
  EXPECT_EQ(run({"CONFIG", "SET", "MAXCLIENTS", "abc"}),
            err("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument "
                "couldn't be parsed into an integer"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxclients", "010"}),
            err("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument "
                "couldn't be parsed into an integer"));
  EXPECT_EQ(run({"CONFIG", "SET", "proto-max-bulk-len", "1x"}),
            err("ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - "
                "argument must be a memory value"));
  EXPECT_EQ(run({"CONFIG", "SET", "proto-max-bulk-len", "10"}),
            err("ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - "
                "argument must be between 1048576 and 9223372036854775807 inclusive"));
  EXPECT_EQ(run({"CONFIG", "SET", "databases", "3"}),
            err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
                "immutable config"));
  EXPECT_EQ(run({"CONFIG", "SET", "databases", "16"}),
            err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
                "immutable config"))
      << "refused even when the value would not change, as Redis";
  EXPECT_EQ(run({"CONFIG", "SET", "maxclients", "1", "MAXCLIENTS", "2"}),
            err("ERR CONFIG SET failed (possibly related to argument 'MAXCLIENTS') - duplicate "
                "parameter"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxclients", "100", "hz"}), err("ERR syntax error"));
  EXPECT_EQ(run({"CONFIG", "SET", "maxclients"}),
            err("ERR wrong number of arguments for 'config|set' command"));
  EXPECT_EQ(run({"CONFIG", "SET", "appendonly", "maybe"}),
            err("ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument "
                "must be 'yes' or 'no'"));
  EXPECT_EQ(run({"CONFIG", "SET", "save", "10"}),
            err("ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save "
                "parameters"));
  EXPECT_EQ(run({"CONFIG", "SET", "appenddirname", "x"}),
            err("ERR CONFIG SET failed (possibly related to argument 'appenddirname') - can't set "
                "immutable config"));
  EXPECT_EQ(run({"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"}),
            err("ERR CONFIG SET failed (possibly related to argument "
                "'client-output-buffer-limit') - Wrong number of arguments in buffer limit "
                "configuration."));
  EXPECT_EQ(run({"CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"}),
            err("ERR CONFIG SET failed (possibly related to argument "
                "'client-output-buffer-limit') - Invalid client class specified in buffer limit "
                "configuration."));
  EXPECT_EQ(run({"CONFIG", "SET", "client-output-buffer-limit", "normal x 2 3"}),
            err("ERR CONFIG SET failed (possibly related to argument "
                "'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in "
                "buffer limit configuration."));
  EXPECT_EQ(run({"CONFIG", "SET", "foo\r\nbar", "1"}),
            err("ERR Unknown option or number of arguments for CONFIG SET - 'foo  bar'"));
}

// What the host cannot do (file descriptors for maxclients) and rules between parameters refuse
// the whole CONFIG SET, and every value goes back.
TEST_F(ServerTest, ConfigSetRefusedByTheHostOrARuleRestoresEverything) {
  engine_->set_host(&host_);
  host_.refusal = ConfigError{"maxclients",
                              "The operating system is not able to handle the "
                              "specified number of clients, try with 500"};
  EXPECT_EQ(run({"CONFIG", "SET", "timeout", "7", "maxclients", "100000"}),
            err("ERR CONFIG SET failed (possibly related to argument 'maxclients') - The "
                "operating system is not able to handle the specified number of clients, try "
                "with 500"));
  EXPECT_EQ(config_.maxclients, 10000);
  EXPECT_EQ(config_.timeout, 0);
  host_.refusal.reset();
  EXPECT_EQ(run({"CONFIG", "SET", "http-readonly-token", "reader"}).substr(0, 88),
            "-ERR CONFIG SET failed (possibly related to argument 'http-readonly-token') - needs "
            "requ");
  EXPECT_EQ(config_.http_readonly_token, "");
  EXPECT_EQ(run({"CONFIG", "SET", "http-readonly-token", "reader", "requirepass", "pw"}), kOk);
  EXPECT_EQ(run({"CONFIG", "SET", "requirepass", ""}).substr(0, 60),
            "-ERR CONFIG SET failed (possibly related to argument 'http-r");
  EXPECT_EQ(config_.requirepass, "pw");
}

TEST_F(ServerTest, ConfigSetIsAllOrNothing) {
  engine_->set_host(&host_);
  EXPECT_EQ(run({"CONFIG", "SET", "maxclients", "100", "timeout", "-5"}),
            err("ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must "
                "be between 0 and 2147483647 inclusive"));
  EXPECT_EQ(config_.maxclients, 10000);
  EXPECT_EQ(config_.timeout, 0);
  EXPECT_EQ(run({"CONFIG", "SET", "timeout", "5", "client-output-buffer-limit", "normal 1 2 3",
                 "hz", "x"})
                .substr(0, 70),
            "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument ");
  EXPECT_EQ(config_.timeout, 0);
  EXPECT_EQ(config_.client_output_limit_normal.hard, 0);
  EXPECT_EQ(host_.config_changes, 0);
  // Names are all checked before any value: an unknown name wins over an earlier bad value, and
  // the first name error wins over later ones.
  EXPECT_EQ(run({"CONFIG", "SET", "timeout", "-5", "foo", "1"}),
            err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"));
  EXPECT_EQ(run({"CONFIG", "SET", "foo", "1", "databases", "3"}),
            err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"));
  EXPECT_EQ(run({"CONFIG", "SET", "databases", "3", "foo", "1"}),
            err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
                "immutable config"));
  // A class error leaves the other limits as they were, too.
  EXPECT_EQ(
      run({"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2 3 bad 1 2 3"}).substr(0, 20),
      "-ERR CONFIG SET fail");
  EXPECT_EQ(config_.client_output_limit_normal.hard, 0);
}

TEST_F(ServerTest, ConfigResetStat) {
  run({"TIME"});
  run({"COMMAND", "LIST", "FOO"});
  engine_->store().stats().keyspace_misses = 3;
  engine_->stats().total_connections = 9;
  EXPECT_EQ(run({"CONFIG", "RESETSTAT"}), kOk);
  std::string text = info({"stats", "commandstats", "errorstats"});
  EXPECT_EQ(field(text, "total_commands_processed"), "1") << "RESETSTAT itself, counted after";
  EXPECT_EQ(field(text, "total_connections_received"), "0");
  EXPECT_EQ(field(text, "keyspace_misses"), "0");
  EXPECT_EQ(field(text, "total_error_replies"), "0");
  EXPECT_TRUE(
      text.ends_with("\r\n# Commandstats\r\ncmdstat_config|resetstat:calls=1,usec=0,"
                     "usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n\r\n"
                     "# Errorstats\r\n"))
      << text;
}

TEST_F(ServerTest, ConfigHelpAndErrors) {
  EXPECT_EQ(run({"config", "help"}),
            "*11\r\n"
            "+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+GET <pattern>\r\n"
            "+    Return parameters matching the glob-like <pattern> and their values.\r\n"
            "+SET <directive> <value>\r\n"
            "+    Set the configuration <directive> to <value>.\r\n"
            "+RESETSTAT\r\n"
            "+    Reset statistics reported by the INFO command.\r\n"
            "+REWRITE\r\n"
            "+    Rewrite the configuration file.\r\n"
            "+HELP\r\n"
            "+    Prints this help.\r\n");
  EXPECT_EQ(run({"CONFIG"}), err("ERR wrong number of arguments for 'config' command"));
  EXPECT_EQ(run({"CONFIG", "nope"}), err("ERR unknown subcommand 'nope'. Try CONFIG HELP."));
  EXPECT_EQ(run({"CONFIG", "RESETSTAT", "x"}),
            err("ERR wrong number of arguments for 'config|resetstat' command"));
}

// --- TIME, LASTSAVE --------------------------------------------------------------------------

TEST_F(ServerTest, TimeIsTheCommandsInstant) {
  EXPECT_EQ(run({"TIME"}), array({bulk("1700000000"), bulk("0")}));
  advance_ms(1234);
  EXPECT_EQ(run({"time"}), array({bulk("1700000001"), bulk("234000")}));
  EXPECT_EQ(run({"TIME", "x"}), err("ERR wrong number of arguments for 'time' command"));
}

TEST_F(ServerTest, LastSaveIsTheStartTime) {
  EXPECT_EQ(run({"LASTSAVE"}), integer(1700000000));
  advance_ms(60'000);
  EXPECT_EQ(run({"LASTSAVE"}), integer(1700000000));
  EXPECT_EQ(run({"LASTSAVE", "x"}), err("ERR wrong number of arguments for 'lastsave' command"));
}

// --- DEBUG -----------------------------------------------------------------------------------

TEST_F(ServerTest, DebugSleep) {
  EXPECT_EQ(run({"DEBUG", "SLEEP", "0"}), kOk);
  EXPECT_EQ(run({"debug", "sleep", "abc"}), kOk) << "strtod reads garbage as 0";
  EXPECT_EQ(run({"DEBUG", "sleep", "-1"}), kOk);
  EXPECT_EQ(run({"DEBUG", "SLEEP"}),
            err("ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG "
                "HELP."));
  EXPECT_EQ(run({"DEBUG", "SLEEP", "0", "1"}),
            err("ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG "
                "HELP."));
}

// enable-debug-command: "no" by default as in Redis 7, "local" for loopback clients only.
TEST_F(ServerTest, DebugIsProtected) {
  const std::string refused = err(
      "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
      "can run it from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.");
  config_ = Config{};
  start();
  EXPECT_EQ(run({"DEBUG", "SLEEP", "0"}), refused);
  EXPECT_EQ(run({"DEBUG", "HELP"}), refused);
  // The check comes after the arity check, as in Redis.
  EXPECT_EQ(run({"DEBUG"}), err("ERR wrong number of arguments for 'debug' command"));
  config_.enable_debug_command = "local";
  start();
  client(0).session->addr = "127.0.0.1:40000";
  client(1).session->addr = "10.0.0.7:40000";
  client(2).session->addr = "::1:40000";
  EXPECT_EQ(run({"DEBUG", "SLEEP", "0"}, 0), kOk);
  EXPECT_EQ(run({"DEBUG", "SLEEP", "0"}, 1), refused);
  EXPECT_EQ(run({"DEBUG", "SLEEP", "0"}, 2), kOk);
}

// "inf" once meant a server frozen for good; a time past a year, or not a number of
// microseconds at all, is refused instead.
TEST_F(ServerTest, DebugSleepRefusesNonFiniteAndAbsurdTimes) {
  for (const char* bad : {"inf", "+inf", "-inf", "nan", "1e300", "31536001"}) {
    EXPECT_EQ(run({"DEBUG", "SLEEP", bad}), err("ERR value is not a valid float")) << bad;
  }
  EXPECT_EQ(run({"DEBUG", "SLEEP", "0.001"}), kOk);
}

// A termination signal cuts a sleep short, so the server can stop while DEBUG SLEEP runs.
TEST_F(ServerTest, DebugSleepEndsWhenTheHostIsInterrupted) {
  engine_->set_host(&host_);
  host_.interrupt = true;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run({"DEBUG", "SLEEP", "3600"}), kOk);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(ServerTest, DebugSetActiveExpire) {
  EXPECT_EQ(run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), kOk);
  EXPECT_FALSE(engine_->store().active_expire_enabled());
  EXPECT_EQ(run({"debug", "set-active-expire", "1"}), kOk);
  EXPECT_TRUE(engine_->store().active_expire_enabled());
  EXPECT_EQ(run({"DEBUG", "SET-ACTIVE-EXPIRE", "abc"}), kOk) << "atoi: garbage is 0";
  EXPECT_FALSE(engine_->store().active_expire_enabled());
  EXPECT_EQ(run({"DEBUG", "SET-ACTIVE-EXPIRE", "2"}), kOk);
  EXPECT_TRUE(engine_->store().active_expire_enabled());
  // With active expiry off, only lookups delete expired keys.
  EXPECT_EQ(run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), kOk);
  set_key("k", 100);
  advance_ms(1000);
  engine_->cron();
  EXPECT_EQ(engine_->store().db(0).size(), 1u);
  EXPECT_EQ(run({"DEBUG", "SET-ACTIVE-EXPIRE", "1"}), kOk);
  engine_->cron();
  EXPECT_EQ(engine_->store().db(0).size(), 0u);
}

TEST_F(ServerTest, DebugHelpAndErrors) {
  // The full text is checked in debug_test.cpp.
  EXPECT_THAT(run({"debug", "help"}), ::testing::EndsWith("+HELP\r\n+    Prints this help.\r\n"));
  EXPECT_EQ(run({"debug", "foo"}),
            err("ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP."));
  EXPECT_EQ(run({"DEBUG", "help", "x"}),
            err("ERR unknown subcommand or wrong number of arguments for 'help'. Try DEBUG "
                "HELP."));
  EXPECT_EQ(run({"DEBUG"}), err("ERR wrong number of arguments for 'debug' command"));
}

// --- SHUTDOWN --------------------------------------------------------------------------------

TEST_F(ServerTest, ShutdownAsksTheHostAndSendsNoReply) {
  engine_->set_host(&host_);
  config_.dir = "/proc";  // a dump cannot be written there
  EXPECT_EQ(run({"SHUTDOWN"}), "");
  EXPECT_EQ(host_.shutdowns, 1);
  EXPECT_EQ(run({"shutdown", "NOSAVE", "NOW", "FORCE"}), "");
  EXPECT_EQ(host_.shutdowns, 2);
  EXPECT_EQ(run({"SHUTDOWN", "SAVE", "FORCE"}), "") << "FORCE goes on despite the failed save";
  EXPECT_EQ(host_.shutdowns, 3);
}

TEST_F(ServerTest, ShutdownRefusals) {
  engine_->set_host(&host_);
  config_.dir = "/proc";  // a dump cannot be written there
  EXPECT_EQ(run({"SHUTDOWN", "SAVE"}), err("ERR Errors trying to SHUTDOWN. Check logs."))
      << "the save failed";
  EXPECT_EQ(run({"SHUTDOWN", "ABORT"}), err("ERR No shutdown in progress."));
  EXPECT_EQ(run({"SHUTDOWN", "foo"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SHUTDOWN", "NOSAVE", "SAVE"}), err("ERR syntax error"));
  EXPECT_EQ(run({"SHUTDOWN", "ABORT", "NOW"}), err("ERR syntax error"));
  EXPECT_EQ(host_.shutdowns, 0);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SHUTDOWN"}), err("ERR Command not allowed inside a transaction"));
  EXPECT_EQ(host_.shutdowns, 0);
  EXPECT_EQ(run({"DISCARD"}), kOk);
}

TEST_F(ServerTest, ShutdownWithoutHostFails) {
  EXPECT_EQ(run({"SHUTDOWN"}), err("ERR Errors trying to SHUTDOWN. Check logs."));
  EXPECT_EQ(run({"SHUTDOWN", "NOSAVE"}), err("ERR Errors trying to SHUTDOWN. Check logs."));
}

// --- The command table against Redis 7.0.15 ---------------------------------------------------

// Just enough JSON for the reference file written by tools/gen_command_docs.py.
struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  bool boolean = false;
  int64_t number = 0;
  std::string text;
  std::vector<Json> items;
  // Not std::pair<std::string, Json>: clang (with libstdc++) instantiates that pair while Json is
  // still incomplete and refuses it; a vector of an incomplete struct is allowed.
  struct Member;
  std::vector<Member> members;

  const Json* get(std::string_view key) const;
  std::vector<std::string> strings() const {
    std::vector<std::string> out;
    for (const Json& item : items) out.push_back(item.text);
    return out;
  }
};

struct Json::Member {
  std::string key;
  Json value;
};

const Json* Json::get(std::string_view key) const {
  for (auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}
  Json parse() {
    Json v = value();
    skip_space();
    if (i_ != s_.size()) fail("trailing characters");
    return v;
  }
  bool failed() const { return failed_; }

 private:
  void fail(const char* why) {
    if (!failed_) ADD_FAILURE() << "JSON: " << why << " at offset " << i_;
    failed_ = true;
    i_ = s_.size();
  }
  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  Json value() {
    skip_space();
    Json v;
    if (i_ >= s_.size()) {
      fail("unexpected end");
    } else if (eat('{')) {
      v.kind = Json::kObject;
      if (!eat('}')) {
        do {
          skip_space();
          std::string key = string();
          if (!eat(':')) fail("expected ':'");
          v.members.push_back({std::move(key), value()});
        } while (eat(','));
        if (!eat('}')) fail("expected '}'");
      }
    } else if (eat('[')) {
      v.kind = Json::kArray;
      if (!eat(']')) {
        do {
          v.items.push_back(value());
        } while (eat(','));
        if (!eat(']')) fail("expected ']'");
      }
    } else if (s_[i_] == '"') {
      v.kind = Json::kString;
      v.text = string();
    } else if (s_.substr(i_, 4) == "null") {
      i_ += 4;
    } else if (s_.substr(i_, 4) == "true" || s_.substr(i_, 5) == "false") {
      v.kind = Json::kBool;
      v.boolean = s_[i_] == 't';
      i_ += v.boolean ? 4 : 5;
    } else {
      v.kind = Json::kNumber;
      size_t start = i_;
      if (s_[i_] == '-') ++i_;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (i_ == start) fail("unexpected character");
      v.number = std::stoll(std::string(s_.substr(start, i_ - start)));
    }
    return v;
  }
  std::string string() {
    std::string out;
    if (i_ >= s_.size() || s_[i_] != '"') {
      fail("expected a string");
      return out;
    }
    for (++i_; i_ < s_.size() && s_[i_] != '"'; ++i_) {
      if (s_[i_] != '\\') {
        out += s_[i_];
        continue;
      }
      char e = s_[++i_];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          unsigned code = std::stoul(std::string(s_.substr(i_ + 1, 4)), nullptr, 16);
          i_ += 4;
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
          }
          break;
        }
        default:
          out += e;  // \" \\ \/
      }
    }
    if (i_ >= s_.size()) fail("unterminated string");
    ++i_;
    return out;
  }

  std::string_view s_;
  size_t i_ = 0;
  bool failed_ = false;
};

const Json& reference() {
  static const Json json = [] {
    // This file's path, as the compiler saw it, leads to the reference next to the tests.
    std::filesystem::path path =
        std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "differential" /
        "reference" / "command_info.json";
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    std::stringstream text;
    text << in.rdbuf();
    return JsonParser(text.str()).parse();
  }();
  return json;
}

std::string join(const std::vector<std::string>& words) {
  std::string out = "[";
  for (const std::string& w : words) out += (out.size() > 1 ? " " : "") + w;
  return out + "]";
}

// Every command the engine registered, containers followed by their subcommands.
std::vector<const Command*> every_command(const Engine& engine) {
  std::vector<const Command*> out;
  for (const Command* cmd : engine.commands().sorted()) {
    out.push_back(cmd);
    for (const Command& sub : cmd->subcommands) out.push_back(&sub);
  }
  return out;
}

bool skipped_by_generator(std::string_view name) {
  const Json* skipped = reference().get("skipped_subcommands");
  if (skipped == nullptr) return false;
  for (const Json& s : skipped->items) {
    if (s.text == name) return true;
  }
  return false;
}

TEST(CommandTableReference, ParsesTheReference) {
  const Json& ref = reference();
  ASSERT_EQ(ref.kind, Json::kObject);
  ASSERT_NE(ref.get("commands"), nullptr);
  EXPECT_EQ(ref.get("redis_version")->text, "7.0.15");
  const Json* get = ref.get("commands")->get("get");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->get("arity")->number, 2);
  EXPECT_EQ(get->get("flags")->strings(), (std::vector<std::string>{"readonly", "fast"}));
  EXPECT_TRUE(get->get("resp2")->text.starts_with("*10\r\n$3\r\nget\r\n:2\r\n"));
}

// Arity, flags, key positions and ACL categories of every row of every family.
TEST_F(ServerTest, EveryCommandRowMatchesRedis) {
  const Json* commands = reference().get("commands");
  ASSERT_NE(commands, nullptr);
  std::vector<std::string> mismatches;
  for (const Command* cmd : every_command(*engine_)) {
    const std::string& name = cmd->full_name;
    const Json* ref = commands->get(name);
    if (ref == nullptr) {
      if (!skipped_by_generator(name)) mismatches.push_back(name + ": not in the reference");
      continue;
    }
    auto check_int = [&](std::string_view what, int64_t ours) {
      int64_t theirs = ref->get(what)->number;
      if (ours != theirs) {
        mismatches.push_back(name + ": " + std::string(what) + " " + std::to_string(ours) +
                             ", Redis " + std::to_string(theirs));
      }
    };
    check_int("arity", cmd->spec.arity);
    check_int("first_key", cmd->spec.first_key);
    check_int("last_key", cmd->spec.last_key);
    check_int("step", cmd->spec.step);
    std::vector<std::string> flags;
    for (std::string_view f : flag_names(cmd->spec.flags)) flags.emplace_back(f);
    if (flags != ref->get("flags")->strings()) {
      mismatches.push_back(name + ": flags " + join(flags) + ", Redis " +
                           join(ref->get("flags")->strings()));
    }
    auto cats = acl_category_names(cmd->acl_categories);
    if (cats != ref->get("acl_categories")->strings()) {
      mismatches.push_back(name + ": acl categories " + join(cats) + ", Redis " +
                           join(ref->get("acl_categories")->strings()));
    }
  }
  std::string report;
  for (const std::string& m : mismatches) report += "\n  " + m;
  EXPECT_TRUE(mismatches.empty()) << mismatches.size() << " rows differ from Redis:" << report;
}

// The whole COMMAND INFO entry, tips, key specs and subcommands included.
TEST_F(ServerTest, EveryCommandInfoIsRedisBytes) {
  const Json* commands = reference().get("commands");
  ASSERT_NE(commands, nullptr);
  std::vector<std::string> differing;
  for (const Command* cmd : every_command(*engine_)) {
    const Json* ref = commands->get(cmd->full_name);
    if (ref == nullptr) continue;  // reported by EveryCommandRowMatchesRedis
    // A container with a subcommand this Redis lacks (CLIENT SETINFO) cannot match as a whole;
    // its other subcommands are compared one by one.
    if (std::any_of(cmd->subcommands.begin(), cmd->subcommands.end(),
                    [](const Command& sub) { return skipped_by_generator(sub.full_name); })) {
      continue;
    }
    std::string ours = run({"COMMAND", "INFO", cmd->full_name});
    if (ours != "*1\r\n" + ref->get("resp2")->text) differing.push_back(cmd->full_name);
  }
  EXPECT_TRUE(differing.empty()) << "COMMAND INFO differs for: " << join(differing);
}

// Every command Redis documents that we have is listed by the reference, and the reverse:
// a family that forgot to register a command it was meant to implement shows here.
TEST_F(ServerTest, TableHoldsEveryCommandOfTheReference) {
  const Json* commands = reference().get("commands");
  ASSERT_NE(commands, nullptr);
  std::vector<std::string> missing;
  for (auto& [name, ref] : commands->members) {
    size_t bar = name.find('|');
    const Command* cmd = engine_->commands().find(name.substr(0, bar));
    if (cmd != nullptr && bar != std::string::npos)
      cmd = cmd->find_subcommand(name.substr(bar + 1));
    if (cmd == nullptr) missing.push_back(name);
  }
  EXPECT_TRUE(missing.empty()) << "not registered: " << join(missing);
}

}  // namespace
}  // namespace basalt::testing
