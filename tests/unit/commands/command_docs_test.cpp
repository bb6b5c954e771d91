// Tests for the generated COMMAND DOCS table (src/commands/command_docs.inc).
#include "commands/command_docs.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::docs {
namespace {

// The commands Basalt implements (tools/gen_command_docs.py: COMMANDS and SUBCOMMANDS).
constexpr std::string_view kCommands[] = {"get",
                                          "set",
                                          "setnx",
                                          "setex",
                                          "psetex",
                                          "getset",
                                          "getdel",
                                          "getex",
                                          "mget",
                                          "mset",
                                          "msetnx",
                                          "append",
                                          "strlen",
                                          "getrange",
                                          "substr",
                                          "setrange",
                                          "incr",
                                          "decr",
                                          "incrby",
                                          "decrby",
                                          "incrbyfloat",
                                          "lcs",
                                          "lpush",
                                          "rpush",
                                          "lpushx",
                                          "rpushx",
                                          "lpop",
                                          "rpop",
                                          "llen",
                                          "lrange",
                                          "lindex",
                                          "lset",
                                          "linsert",
                                          "lrem",
                                          "ltrim",
                                          "lpos",
                                          "lmove",
                                          "rpoplpush",
                                          "lmpop",
                                          "blpop",
                                          "brpop",
                                          "blmove",
                                          "brpoplpush",
                                          "blmpop",
                                          "del",
                                          "unlink",
                                          "exists",
                                          "type",
                                          "rename",
                                          "renamenx",
                                          "copy",
                                          "move",
                                          "keys",
                                          "scan",
                                          "randomkey",
                                          "dbsize",
                                          "touch",
                                          "flushdb",
                                          "flushall",
                                          "swapdb",
                                          "expire",
                                          "pexpire",
                                          "expireat",
                                          "pexpireat",
                                          "ttl",
                                          "pttl",
                                          "expiretime",
                                          "pexpiretime",
                                          "persist",
                                          "ping",
                                          "echo",
                                          "hello",
                                          "auth",
                                          "select",
                                          "client",
                                          "reset",
                                          "quit",
                                          "info",
                                          "config",
                                          "command",
                                          "time",
                                          "debug",
                                          "shutdown",
                                          "lastsave",
                                          "multi",
                                          "exec",
                                          "discard",
                                          "watch",
                                          "unwatch",
                                          "object",
                                          "memory",
                                          "slowlog",
                                          "latency",
                                          "monitor",
                                          "role",
                                          "wait",
                                          "save",
                                          "bgsave",
                                          "bgrewriteaof",
                                          "dump",
                                          "restore",
                                          "setbit",
                                          "getbit",
                                          "bitcount",
                                          "bitpos",
                                          "bitop",
                                          "bitfield",
                                          "bitfield_ro",
                                          "pfadd",
                                          "pfcount",
                                          "pfmerge",
                                          "pfdebug",
                                          "pfselftest",
                                          "hset",
                                          "hsetnx",
                                          "hmset",
                                          "hget",
                                          "hmget",
                                          "hdel",
                                          "hlen",
                                          "hstrlen",
                                          "hexists",
                                          "hkeys",
                                          "hvals",
                                          "hgetall",
                                          "hincrby",
                                          "hincrbyfloat",
                                          "hrandfield",
                                          "hscan",
                                          "sadd",
                                          "srem",
                                          "scard",
                                          "sismember",
                                          "smismember",
                                          "smembers",
                                          "srandmember",
                                          "spop",
                                          "smove",
                                          "sinter",
                                          "sintercard",
                                          "sinterstore",
                                          "sunion",
                                          "sunionstore",
                                          "sdiff",
                                          "sdiffstore",
                                          "sscan",
                                          "sort",
                                          "sort_ro",
                                          "zadd",
                                          "zincrby",
                                          "zrem",
                                          "zcard",
                                          "zscore",
                                          "zmscore",
                                          "zcount",
                                          "zlexcount",
                                          "zrank",
                                          "zrevrank",
                                          "zrange",
                                          "zrevrange",
                                          "zrangebyscore",
                                          "zrevrangebyscore",
                                          "zrangebylex",
                                          "zrevrangebylex",
                                          "zrangestore",
                                          "zremrangebyrank",
                                          "zremrangebyscore",
                                          "zremrangebylex",
                                          "zpopmin",
                                          "zpopmax",
                                          "zmpop",
                                          "bzpopmin",
                                          "bzpopmax",
                                          "bzmpop",
                                          "zrandmember",
                                          "zscan",
                                          "zunion",
                                          "zinter",
                                          "zdiff",
                                          "zunionstore",
                                          "zinterstore",
                                          "zdiffstore",
                                          "zintercard",
                                          "subscribe",
                                          "unsubscribe",
                                          "psubscribe",
                                          "punsubscribe",
                                          "ssubscribe",
                                          "sunsubscribe",
                                          "publish",
                                          "spublish",
                                          "pubsub"};

constexpr std::string_view kSubcommands[] = {"client|id",
                                             "client|setname",
                                             "client|getname",
                                             "client|list",
                                             "client|info",
                                             "client|kill",
                                             "client|no-evict",
                                             "client|reply",
                                             "client|help",
                                             "config|get",
                                             "config|set",
                                             "config|resetstat",
                                             "config|help",
                                             "command|count",
                                             "command|info",
                                             "command|docs",
                                             "command|list",
                                             "command|getkeys",
                                             "command|help",
                                             "object|encoding",
                                             "object|refcount",
                                             "object|idletime",
                                             "object|freq",
                                             "object|help",
                                             "memory|usage",
                                             "memory|help",
                                             "client|pause",
                                             "client|unpause",
                                             "client|unblock",
                                             "config|rewrite",
                                             "command|getkeysandflags",
                                             "memory|stats",
                                             "memory|doctor",
                                             "memory|malloc-stats",
                                             "memory|purge",
                                             "slowlog|get",
                                             "slowlog|len",
                                             "slowlog|reset",
                                             "slowlog|help",
                                             "latency|doctor",
                                             "latency|graph",
                                             "latency|latest",
                                             "latency|history",
                                             "latency|reset",
                                             "latency|histogram",
                                             "latency|help",
                                             "pubsub|channels",
                                             "pubsub|numpat",
                                             "pubsub|numsub",
                                             "pubsub|shardchannels",
                                             "pubsub|shardnumsub",
                                             "pubsub|help"};

// Exact replies of redis-server 7.0.15 over RESP3, captured with
// `tools/gen_command_docs.py --dump-raw get lpush set getset 'client|kill'`.
// COMMAND DOCS GET
constexpr std::string_view kGetReply =
    "%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\n"
    "since\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\n"
    "O(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\n"
    "key\r\n$14\r\nkey_spec_index\r\n:0\r\n";

// COMMAND DOCS LPUSH
constexpr std::string_view kLpushReply =
    "%1\r\n$5\r\nlpush\r\n%6\r\n$7\r\nsummary\r\n$42\r\n"
    "Prepend one or multiple elements to a list\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\n"
    "group\r\n$4\r\nlist\r\n$10\r\ncomplexity\r\n$106\r\n"
    "O(1) for each element added, so O(N) to add N elements when the command is called with "
    "multiple arguments.\r\n"
    "$7\r\nhistory\r\n~1\r\n*2\r\n$5\r\n2.4.0\r\n$37\r\n"
    "Accepts multiple `element` arguments.\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n"
    "$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%3\r\n$4\r\n"
    "name\r\n$7\r\nelement\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\nflags\r\n~1\r\n"
    "+multiple\r\n";

// COMMAND DOCS SET
constexpr std::string_view kSetReply =
    "%1\r\n$3\r\nset\r\n%6\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n"
    "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n"
    "$4\r\nO(1)\r\n$7\r\nhistory\r\n~4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\n"
    "Added the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n$27\r\n"
    "Added the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\n"
    "Added the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\n"
    "Allowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n"
    "%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n"
    ":0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n%5\r\n$4\r\n"
    "name\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n"
    "2.6.12\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\n"
    "name\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n"
    "%3\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n"
    "$2\r\nXX\r\n%5\r\n$4\r\nname\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\n"
    "token\r\n$3\r\nGET\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n"
    "%4\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n"
    "~1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n%4\r\n$4\r\nname\r\n$7\r\nseconds\r\n"
    "$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n"
    "2.6.12\r\n%4\r\n$4\r\nname\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n"
    "$5\r\ntoken\r\n$2\r\nPX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\nname\r\n$17\r\n"
    "unix-time-seconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n"
    "$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n"
    "$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n"
    "6.2.0\r\n%4\r\n$4\r\nname\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n"
    "$5\r\ntoken\r\n$7\r\nKEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n";

// COMMAND DOCS GETSET
constexpr std::string_view kGetsetReply =
    "%1\r\n$6\r\ngetset\r\n%8\r\n$7\r\nsummary\r\n$54\r\n"
    "Set the string value of a key and return its old value\r\n$5\r\nsince\r\n$5\r\n"
    "1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\n"
    "doc_flags\r\n~1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n6.2.0\r\n$11\r\n"
    "replaced_by\r\n$30\r\n`SET` with the `!GET` argument\r\n$9\r\narguments\r\n*2\r\n"
    "%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n"
    ":0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n";

// COMMAND DOCS CLIENT KILL
constexpr std::string_view kClientKillReply =
    "%1\r\n$11\r\nclient|kill\r\n%6\r\n$7\r\nsummary\r\n$31\r\n"
    "Kill the connection of a client\r\n$5\r\nsince\r\n$5\r\n2.4.0\r\n$5\r\ngroup\r\n"
    "$10\r\nconnection\r\n$10\r\ncomplexity\r\n$48\r\n"
    "O(N) where N is the number of client connections\r\n$7\r\nhistory\r\n~5\r\n*2\r\n"
    "$6\r\n2.8.12\r\n$24\r\nAdded new filter format.\r\n*2\r\n$6\r\n2.8.12\r\n$12\r\n"
    "`ID` option.\r\n*2\r\n$5\r\n3.2.0\r\n$41\r\n"
    "Added `master` type in for `TYPE` option.\r\n*2\r\n$5\r\n5.0.0\r\n$91\r\n"
    "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward "
    "compatibility.\r\n"
    "*2\r\n$5\r\n6.2.0\r\n$15\r\n`LADDR` option.\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\n"
    "name\r\n$6\r\nfilter\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n%3\r\n"
    "$4\r\nname\r\n$7\r\nip:port\r\n$4\r\ntype\r\n$6\r\nstring\r\n$16\r\n"
    "deprecated_since\r\n$6\r\n2.8.12\r\n%4\r\n$4\r\nname\r\n$10\r\nnew-format\r\n$4\r\n"
    "type\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+multiple\r\n$9\r\narguments\r\n*6\r\n"
    "%5\r\n$4\r\nname\r\n$9\r\nclient-id\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n"
    "$2\r\nID\r\n$5\r\nsince\r\n$6\r\n2.8.12\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%6\r\n"
    "$4\r\nname\r\n$26\r\nnormal_master_slave_pubsub\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\n"
    "token\r\n$4\r\nTYPE\r\n$5\r\nsince\r\n$6\r\n2.8.12\r\n$5\r\nflags\r\n~1\r\n"
    "+optional\r\n$9\r\narguments\r\n*5\r\n%3\r\n$4\r\nname\r\n$6\r\nnormal\r\n$4\r\n"
    "type\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\nNORMAL\r\n%4\r\n$4\r\nname\r\n$6\r\n"
    "master\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\nMASTER\r\n$5\r\n"
    "since\r\n$5\r\n3.2.0\r\n%3\r\n$4\r\nname\r\n$5\r\nslave\r\n$4\r\ntype\r\n$10\r\n"
    "pure-token\r\n$5\r\ntoken\r\n$5\r\nSLAVE\r\n%4\r\n$4\r\nname\r\n$7\r\nreplica\r\n"
    "$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nREPLICA\r\n$5\r\nsince\r\n"
    "$5\r\n5.0.0\r\n%3\r\n$4\r\nname\r\n$6\r\npubsub\r\n$4\r\ntype\r\n$10\r\npure-token\r\n"
    "$5\r\ntoken\r\n$6\r\nPUBSUB\r\n%4\r\n$4\r\nname\r\n$8\r\nusername\r\n$4\r\ntype\r\n"
    "$6\r\nstring\r\n$5\r\ntoken\r\n$4\r\nUSER\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n"
    "$4\r\nname\r\n$7\r\nip:port\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$4\r\n"
    "ADDR\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%5\r\n$4\r\nname\r\n$7\r\nip:port\r\n$4\r\n"
    "type\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$5\r\nLADDR\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n"
    "$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$6\r\nyes/no\r\n$4\r\ntype\r\n"
    "$6\r\nstring\r\n$5\r\ntoken\r\n$6\r\nSKIPME\r\n$5\r\nflags\r\n~1\r\n+optional\r\n";

// Encodes the replayed doc as RESP3, the way Redis writes it.
class Resp3Encoder : public DocVisitor {
 public:
  void map(int64_t n) override { header('%', n); }
  void array(int64_t n) override { header('*', n); }
  void set(int64_t n) override { header('~', n); }
  void bulk(std::string_view s) override {
    header('$', static_cast<int64_t>(s.size()));
    out_.append(s).append("\r\n");
  }
  void simple(std::string_view s) override { out_.append("+").append(s).append("\r\n"); }
  void integer(int64_t v) override { header(':', v); }

  const std::string& out() const { return out_; }

 private:
  void header(char type, int64_t n) {
    out_.append(1, type).append(std::to_string(n)).append("\r\n");
  }

  std::string out_;
};

// The reply to `COMMAND DOCS <name>`: a one-entry map from the name to the replayed doc.
std::string command_docs_reply(std::string_view name) {
  const CommandDoc* doc = find_command_doc(name);
  if (doc == nullptr) return "<no doc for " + std::string(name) + ">";
  Resp3Encoder enc;
  enc.map(1);
  enc.bulk(doc->name);
  replay(*doc, enc);
  return enc.out();
}

// Index one past the value that starts at nodes[i], or npos if the nodes run out first.
size_t value_end(std::span<const DocNode> nodes, size_t i) {
  size_t pending = 1;
  while (pending > 0) {
    if (i >= nodes.size()) return std::string_view::npos;
    const DocNode& node = nodes[i++];
    --pending;
    switch (node.kind) {
      case DocKind::kMap:
        pending += 2 * static_cast<size_t>(node.n);
        break;
      case DocKind::kArray:
      case DocKind::kSet:
        pending += static_cast<size_t>(node.n);
        break;
      default:
        break;
    }
  }
  return i;
}

// Checks that doc is exactly one map whose aggregates all have their children.
void expect_well_formed(const CommandDoc& doc) {
  SCOPED_TRACE(doc.name);
  ASSERT_FALSE(doc.nodes.empty());
  EXPECT_EQ(doc.nodes[0].kind, DocKind::kMap);
  EXPECT_EQ(value_end(doc.nodes, 0), doc.nodes.size());
  for (const DocNode& node : doc.nodes) {
    if (node.kind == DocKind::kMap || node.kind == DocKind::kArray || node.kind == DocKind::kSet) {
      EXPECT_GE(node.n, 0);
      EXPECT_TRUE(node.str.empty());
    }
    if (node.kind == DocKind::kBulk || node.kind == DocKind::kSimple) {
      EXPECT_EQ(node.n, 0);
    }
    if (node.kind == DocKind::kSimple) {
      EXPECT_EQ(node.str.find_first_of("\r\n"), std::string_view::npos);
    }
  }
}

// The keys of the map value stored under `key` in doc's top-level map (empty if absent).
std::vector<std::string_view> map_keys_under(const CommandDoc& doc, std::string_view key) {
  std::span<const DocNode> nodes = doc.nodes;
  size_t i = 1;
  for (int64_t pair = 0; pair < nodes[0].n; ++pair) {
    const bool match = nodes[i].kind == DocKind::kBulk && nodes[i].str == key;
    size_t value = i + 1;
    size_t end = value_end(nodes, value);
    if (match && nodes[value].kind == DocKind::kMap) {
      std::vector<std::string_view> keys;
      size_t j = value + 1;
      for (int64_t k = 0; k < nodes[value].n; ++k) {
        keys.push_back(nodes[j].str);
        j = value_end(nodes, j + 1);
      }
      return keys;
    }
    i = end;
  }
  return {};
}

TEST(CommandDocsTest, GeneratedFromRedis70) { EXPECT_EQ(docs_redis_version(), "7.0.15"); }

TEST(CommandDocsTest, TableIsSortedAndUnique) {
  std::span<const CommandDoc> docs = all_command_docs();
  ASSERT_FALSE(docs.empty());
  for (size_t i = 1; i < docs.size(); ++i) {
    EXPECT_LT(docs[i - 1].name, docs[i].name) << "at " << i;
  }
}

TEST(CommandDocsTest, HoldsExactlyTheListedTopLevelCommands) {
  for (std::string_view name : kCommands) {
    const CommandDoc* doc = find_command_doc(name);
    ASSERT_NE(doc, nullptr) << name;
    EXPECT_EQ(doc->name, name);
  }
  EXPECT_EQ(all_command_docs().size(), std::size(kCommands));
  for (const CommandDoc& doc : all_command_docs()) {
    EXPECT_EQ(doc.name.find('|'), std::string_view::npos) << doc.name;
  }
}

TEST(CommandDocsTest, FindsListedSubcommands) {
  for (std::string_view name : kSubcommands) {
    const CommandDoc* doc = find_command_doc(name);
    ASSERT_NE(doc, nullptr) << name;
    EXPECT_EQ(doc->name, name);
  }
  // CLIENT SETINFO arrived in Redis 7.2: the generator skips it.
  EXPECT_EQ(find_command_doc("client|setinfo"), nullptr);
}

TEST(CommandDocsTest, UnknownAndNonLowercaseNamesAreNotFound) {
  EXPECT_EQ(find_command_doc(""), nullptr);
  EXPECT_EQ(find_command_doc("GET"), nullptr);
  EXPECT_EQ(find_command_doc("xadd"), nullptr);             // streams: not implemented
  EXPECT_EQ(find_command_doc("client|tracking"), nullptr);  // not implemented
  EXPECT_EQ(find_command_doc("get|x"), nullptr);
  EXPECT_EQ(find_command_doc("client|"), nullptr);
}

TEST(CommandDocsTest, EveryDocIsOneWellFormedMap) {
  for (const CommandDoc& doc : all_command_docs()) expect_well_formed(doc);
  for (std::string_view name : kSubcommands) {
    const CommandDoc* doc = find_command_doc(name);
    ASSERT_NE(doc, nullptr) << name;
    expect_well_formed(*doc);
  }
}

TEST(CommandDocsTest, SubcommandDocIsTheRangeNestedInItsContainer) {
  for (std::string_view name : kSubcommands) {
    SCOPED_TRACE(name);
    const CommandDoc* sub = find_command_doc(name);
    const CommandDoc* container = find_command_doc(name.substr(0, name.find('|')));
    ASSERT_NE(container, nullptr);
    const DocNode* begin = container->nodes.data();
    const DocNode* end = begin + container->nodes.size();
    ASSERT_GT(sub->nodes.data(), begin);
    ASSERT_LE(sub->nodes.data() + sub->nodes.size(), end);
    // The node just before is the key of the container's "subcommands" map entry.
    const DocNode& key = sub->nodes.data()[-1];
    EXPECT_EQ(key.kind, DocKind::kBulk);
    EXPECT_EQ(key.str, name);
  }
}

TEST(CommandDocsTest, ContainersKeepOnlyImplementedSubcommandsSorted) {
  const CommandDoc* client = find_command_doc("client");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(map_keys_under(*client, "subcommands"),
            (std::vector<std::string_view>{"client|getname", "client|help", "client|id",
                                           "client|info", "client|kill", "client|list",
                                           "client|no-evict", "client|pause", "client|reply",
                                           "client|setname", "client|unblock", "client|unpause"}));
  for (const CommandDoc& doc : all_command_docs()) {
    SCOPED_TRACE(doc.name);
    for (std::string_view sub : map_keys_under(doc, "subcommands")) {
      EXPECT_NE(std::find(std::begin(kSubcommands), std::end(kSubcommands), sub),
                std::end(kSubcommands))
          << sub;
    }
  }
  const CommandDoc* debug = find_command_doc("debug");  // no subcommands in Redis 7.0
  ASSERT_NE(debug, nullptr);
  EXPECT_TRUE(map_keys_under(*debug, "subcommands").empty());
}

TEST(CommandDocsTest, ReplayMatchesRedisBytes) {
  EXPECT_EQ(command_docs_reply("get"), kGetReply);
  EXPECT_EQ(command_docs_reply("lpush"), kLpushReply);
  EXPECT_EQ(command_docs_reply("set"), kSetReply);
  EXPECT_EQ(command_docs_reply("getset"), kGetsetReply);
  EXPECT_EQ(command_docs_reply("client|kill"), kClientKillReply);
}

struct CountingVisitor : DocVisitor {
  void map(int64_t) override { ++calls; }
  void array(int64_t) override { ++calls; }
  void set(int64_t) override { ++calls; }
  void bulk(std::string_view) override { ++calls; }
  void simple(std::string_view) override { ++calls; }
  void integer(int64_t) override { ++calls; }
  size_t calls = 0;
};

TEST(CommandDocsTest, ReplayVisitsEveryNodeOnce) {
  for (const CommandDoc& doc : all_command_docs()) {
    CountingVisitor visitor;
    replay(doc, visitor);
    EXPECT_EQ(visitor.calls, doc.nodes.size()) << doc.name;
  }
}

}  // namespace
}  // namespace basalt::docs
