// DEBUG: the subcommands client libraries' and Redis's own test suites call (PROTOCOL, OBJECT,
// CONFIG-REWRITE-FORCE-ALL, DIGEST, DIGEST-VALUE, LOG, POPULATE, SLEEP, RELOAD, LOADAOF,
// AOF-FLUSH-SLEEP, SET-ACTIVE-EXPIRE, SET-SKIP-CHECKSUM-VALIDATION, PAUSE-CRON,
// QUICKLIST-PACKED-THRESHOLD, CHANGE-REPL-ID). The command is protected: enable-debug-command gates
// it before it gets here.

#include "commands/debug_family.hpp"

#include <arpa/inet.h>
#include <sys/mman.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <span>
#include <string>
#include <thread>

#include "base/allocator.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"
#include "commands/persistence.hpp"
#include "config/config.hpp"
#include "persistence/rdb_writer.hpp"
#include "store/database.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/set.hpp"
#include "store/store.hpp"
#include "store/zset.hpp"

namespace basalt {

namespace {

using Digest = Sha1::Digest;

// Redis's xorDigest: digest ^= SHA1(data). Xor is commutative, so it adds unordered parts.
void xor_digest(Digest& digest, std::string_view data) {
  const Digest h = Sha1::of(data);
  for (size_t i = 0; i < digest.size(); ++i) digest[i] ^= h[i];
}

void xor_digest(Digest& digest, const Digest& other) {
  xor_digest(digest, std::string_view(reinterpret_cast<const char*>(other.data()), other.size()));
}

// Redis's mixDigest: digest = SHA1(digest ^ SHA1(data)), which makes the order of parts count.
void mix_digest(Digest& digest, std::string_view data) {
  xor_digest(digest, data);
  digest = Sha1::of(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// A 32-bit number as Redis mixes it: htonl'd, four bytes.
void mix_u32(Digest& digest, uint32_t v) {
  const uint32_t be = htonl(v);
  mix_digest(digest, std::string_view(reinterpret_cast<const char*>(&be), sizeof(be)));
}

// Redis's object type numbers (OBJ_STRING, OBJ_LIST, ...), which the digest covers.
uint32_t redis_type_number(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return 0;
    case ValueType::kList:
      return 1;
    case ValueType::kSet:
      return 2;
    case ValueType::kZSet:
      return 3;
    case ValueType::kHash:
      return 4;
  }
  return 0;
}

// Redis's xorObjectDigest: mixes the type and the content into digest, then the TTL flag.
void object_digest(Digest& digest, const Entry& e) {
  mix_u32(digest, redis_type_number(e.value.type()));
  switch (e.value.type()) {
    case ValueType::kString:
      mix_digest(digest, e.value.str());
      break;
    case ValueType::kList:
      for (std::string_view element : e.value.list()) mix_digest(digest, element);
      break;
    case ValueType::kSet:
      // Unordered: each member xored in alone.
      e.value.set().for_each([&](std::string_view member) { xor_digest(digest, member); });
      break;
    case ValueType::kHash:
      // Unordered pairs: each pair mixed in order, the pairs xored.
      e.value.hash().for_each([&](std::string_view field, std::string_view value) {
        Digest pair{};
        mix_digest(pair, field);
        mix_digest(pair, value);
        xor_digest(digest, pair);
      });
      break;
    case ValueType::kZSet:
      // Unordered (member, score) pairs, the score as Redis prints it for the digest: "%.17g".
      e.value.zset().for_each([&](std::string_view member, double score) {
        char buf[64];
        const int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
        Digest pair{};
        mix_digest(pair, member);
        mix_digest(pair, std::string_view(buf, static_cast<size_t>(n)));
        xor_digest(digest, pair);
      });
      break;
  }
  if (e.has_expire()) xor_digest(digest, "!!expire!!");
}

}  // namespace

Sha1::Digest op_dataset_digest(const Store& store) {
  Digest final{};
  for (int j = 0; j < store.db_count(); ++j) {
    const Database& db = store.db(j);
    if (db.size() == 0) continue;
    // The database number goes in, so the same keys in another database digest differently.
    mix_u32(final, static_cast<uint32_t>(j));
    db.for_each([&](const Entry* e) {
      Digest d{};
      mix_digest(d, e->key());
      object_digest(d, *e);
      xor_digest(final, d);
    });
  }
  return final;
}

Sha1::Digest op_value_digest(Database& db, std::string_view key) {
  Digest d{};
  // As Redis: the stored entry, even one whose TTL has passed (a debug command must not expire).
  if (const Entry* e = db.peek(key)) object_digest(d, *e);
  return d;
}

// A listpack's header (total bytes, element count) and end byte.
constexpr size_t kListpackOverhead = 7;

OpResult<std::string> op_debug_object(const Store& store, Database& db, std::string_view key,
                                      bool compression, int64_t listpack_size,
                                      int64_t compress_depth) {
  Entry* e = db.peek(key);
  if (e == nullptr) return OpStatus::kNoSuchKey;
  // serializedlength: the value's RDB encoding alone (rdbSavedObjectLen), no type byte or key.
  std::string encoded, scratch;
  rdb::append_value(encoded, e->value, RdbWriteOptions{compression}, scratch);
  // Under LFU the access bits hold the counter and its decay time, and Redis prints them raw.
  const uint32_t lru = e->access();
  const int64_t idle_s = store.lfu() ? 0 : store.idle_ms(e) / 1000;
  char line[256];
  int n = std::snprintf(line, sizeof(line),
                        "Value at:%p refcount:1 encoding:%.*s serializedlength:%zu lru:%u "
                        "lru_seconds_idle:%lld",
                        static_cast<const void*>(&e->value),
                        static_cast<int>(e->value.encoding().size()), e->value.encoding().data(),
                        encoded.size(), lru, static_cast<long long>(idle_s));
  std::string out(line, static_cast<size_t>(n));
  switch (e->value.type()) {
    case ValueType::kString:
    case ValueType::kHash:
    case ValueType::kSet:
    case ValueType::kZSet:
      break;
    case ValueType::kList: {
      // The quicklist fields: nodes, elements per node, the node size setting, compression, and
      // the size of the nodes as listpacks (Basalt never compresses them): the packed elements
      // plus a listpack's 7 bytes of header and terminator per node. Equal to Redis's for string
      // elements; listpack stores integers shorter.
      const List& list = e->value.list();
      const size_t nodes = list.node_count();
      n = std::snprintf(line, sizeof(line),
                        " ql_nodes:%zu ql_avg_node:%.2f ql_listpack_max:%lld ql_compressed:%d "
                        "ql_uncompressed_size:%zu",
                        nodes, nodes == 0 ? 0.0 : static_cast<double>(list.size()) / nodes,
                        static_cast<long long>(listpack_size), compress_depth != 0 ? 1 : 0,
                        list.packed_bytes() + kListpackOverhead * nodes);
      out.append(line, static_cast<size_t>(n));
      break;
    }
  }
  return out;
}

namespace {

// Redis's addReplyHelp for DEBUG (what Basalt implements of Redis's list).
void reply_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "AOF-FLUSH-SLEEP <microsec>",
      "    Server will sleep before flushing the AOF, this is used for testing.",
      "CHANGE-REPL-ID",
      "    Change the replication IDs of the instance.",
      "    Dangerous: should be used only for testing the replication subsystem.",
      "CONFIG-REWRITE-FORCE-ALL",
      "    Like CONFIG REWRITE but writes all configuration options, including",
      "    keywords not listed in original configuration file or default values.",
      "DIGEST",
      "    Output a hex signature representing the current DB content.",
      "DIGEST-VALUE <key> [<key> ...]",
      "    Output a hex signature of the values of all the specified keys.",
      "HTSTATS <dbid>",
      "    Return hash table statistics of the specified Redis database.",
      "MALLCTL <key> [<val>]",
      "    Get or set a malloc tuning integer.",
      "MALLCTL-STR <key> [<val>]",
      "    Get or set a malloc tuning string.",
      "OBJECT <key>",
      "    Show low level info about `key` and associated value.",
      "PANIC",
      "    Crash the server simulating a panic.",
      "POPULATE <count> [<prefix>] [<size>]",
      "    Create <count> string keys named key:<num>. If <prefix> is specified then",
      "    it is used instead of the 'key' prefix. These are not propagated to",
      "    replicas. Cluster slots are not respected so keys not belonging to the",
      "    current node can be created in cluster mode.",
      "PROTOCOL <type>",
      "    Reply with a test value of the specified type. <type> can be: string,",
      "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
      "    true, false.",
      "LOG <message>",
      "    Write <message> to the server log.",
      "LOADAOF",
      "    Flush the AOF buffers on disk and reload the AOF in memory.",
      "RELOAD [NOSAVE]",
      "    Save the RDB on disk and reload it back to memory. With NOSAVE the file on disk",
      "    is loaded as it is.",
      "SET-ACTIVE-EXPIRE <0|1>",
      "    Setting it to 0 disables expiring keys in background when they are not",
      "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
      "    default.",
      "PAUSE-CRON <0|1>",
      "    Stop periodic cron job processing.",
      "QUICKLIST-PACKED-THRESHOLD <size>",
      "    Sets the threshold for elements to be inserted as plain vs packed nodes",
      "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
      "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
      "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
      "SEGFAULT",
      "    Crash the server with sigsegv.",
      "SLEEP <seconds>",
      "    Stop the server for <seconds>. Decimals allowed.",
  };
  // The MALLCTL lines only where the allocator has controls, as Redis built with jemalloc.
  constexpr size_t kMallctlFirst = 14;
  constexpr size_t kMallctlLines = 4;
  static_assert(kLines[kMallctlFirst] == "MALLCTL <key> [<val>]");
  static_assert(kLines[kMallctlFirst + kMallctlLines - 1] ==
                "    Get or set a malloc tuning string.");
  const bool controls = allocator_has_controls();
  ctx.reply.array(std::size(kLines) + 3 - (controls ? 0 : kMallctlLines));
  ctx.reply.simple("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (size_t i = 0; i < std::size(kLines); ++i) {
    if (!controls && i >= kMallctlFirst && i < kMallctlFirst + kMallctlLines) continue;
    ctx.reply.simple(kLines[i]);
  }
  ctx.reply.simple("HELP");
  ctx.reply.simple("    Prints this help.");
}

// C's atoi, which DEBUG's numeric arguments go through in Redis: leading spaces, a sign, digits,
// and anything after them ignored.
int64_t atoi_like(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool negative = i < s.size() && s[i] == '-';
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  int64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9' && v < INT32_MAX; ++i)
    v = v * 10 + (s[i] - '0');
  return negative ? -v : v;
}

// Longer than anyone means (a year) and short enough that the microseconds fit in 64 bits.
constexpr double kMaxDebugSleepSeconds = 365.0 * 24 * 3600;
// How often a sleeping DEBUG SLEEP looks for a termination signal.
constexpr std::chrono::milliseconds kSleepSlice{10};

void debug_sleep(CommandContext& ctx) {
  // strtod as Redis: garbage reads as 0 and a negative time does not sleep. The whole loop
  // stops, which is the point (tests of timeouts and of clients that must not hang). A time
  // that is not a number of microseconds ("inf", "nan", 1e300) is refused rather than taken
  // as forever, and a SIGTERM or SIGINT cuts the sleep short so the server can still stop.
  std::string text(ctx.arg(2));
  double seconds = std::strtod(text.c_str(), nullptr);
  if (!std::isfinite(seconds) || seconds > kMaxDebugSleepSeconds) {
    ctx.reply.error(err::kNotFloat);
    return;
  }
  if (seconds > 0) {
    using Clock = std::chrono::steady_clock;
    const auto deadline =
        Clock::now() + std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
    Host* host = ctx.engine.host();
    for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
      if (host != nullptr && host->interrupted()) break;
      std::this_thread::sleep_for(std::min<Clock::duration>(deadline - now, kSleepSlice));
    }
  }
  ctx.reply.ok();
}

void debug_reload(CommandContext& ctx) {
  bool save = true;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (!iequals(ctx.arg(i), "nosave")) return ctx.reply.error(err::kSyntax);
    save = false;
  }
  Persistence& p = ctx.engine.persistence();
  if (save && p.save()) return ctx.reply.error("ERR Error saving RDB");
  if (auto error = p.load_now()) {
    BASALT_LOG(kWarning, "DEBUG RELOAD: %s", error->c_str());
    return ctx.reply.error("ERR Error trying to load the RDB dump, check server logs.");
  }
  BASALT_LOG(kWarning, "DB reloaded by DEBUG RELOAD");
  ctx.reply.ok();
}

// DEBUG POPULATE <count> [<prefix>] [<size>]: string keys prefix:0 .. prefix:count-1 holding
// "value:<n>" (cut, or padded with zero bytes, to size when given); keys that exist are left
// alone. As in Redis, nothing is propagated (no AOF, no replica) and nothing counts as a change
// for the save rules. No room is reserved up front for count keys: a huge count grows the table
// as keys arrive, and memory runs out no sooner than the keys do.
void debug_populate(CommandContext& ctx) {
  auto positive = [&](std::string_view s, int64_t* out) {
    auto v = parse_int64(s);
    if (!v || *v < 0) {
      ctx.reply.error("ERR value is out of range, must be positive");
      return false;
    }
    *out = *v;
    return true;
  };
  int64_t count = 0, size = 0;
  if (!positive(ctx.arg(2), &count)) return;
  if (ctx.argc() == 5 && !positive(ctx.arg(4), &size)) return;
  const std::string_view prefix = ctx.argc() >= 4 ? ctx.arg(3) : "key";
  Database& db = ctx.db();
  std::string key, value;
  for (int64_t j = 0; j < count; ++j) {
    key.assign(prefix);
    key += ':';
    append_int64(key, j);
    // Redis formats the name into a 128-byte buffer.
    if (key.size() > 127) key.resize(127);
    if (db.find(key) != nullptr) continue;
    value = "value:";
    append_int64(value, j);
    if (size != 0) value.resize(static_cast<size_t>(size), '\0');
    db.add_string(key, value);
    db.signal_modified(key);
  }
  ctx.reply.ok();
}

void debug_loadaof(CommandContext& ctx) {
  if (auto error = ctx.engine.persistence().load_aof_now()) {
    BASALT_LOG(kWarning, "DEBUG LOADAOF: %s", error->c_str());
    return ctx.reply.error("ERR Error loading the append only file, check server logs.");
  }
  BASALT_LOG(kWarning, "Append Only File loaded by DEBUG LOADAOF");
  ctx.reply.ok();
}

// DEBUG PROTOCOL <type>: one test value of each RESP3 type, with Redis's exact values, so that
// client libraries can test their parsers (RESP2 clients get each type's RESP2 form).
void debug_protocol(CommandContext& ctx) {
  std::string_view name = ctx.arg(2);
  ReplyBuilder& r = ctx.reply;
  if (iequals(name, "string")) {
    r.bulk("Hello World");
  } else if (iequals(name, "integer")) {
    r.integer(12345);
  } else if (iequals(name, "double")) {
    r.dbl(3.141);
  } else if (iequals(name, "bignum")) {
    r.bignum("1234567999999999999999999999999999999");
  } else if (iequals(name, "null")) {
    r.null();
  } else if (iequals(name, "array") || iequals(name, "set")) {
    if (iequals(name, "array")) {
      r.array(3);
    } else {
      r.set(3);
    }
    for (int j = 0; j < 3; ++j) r.integer(j);
  } else if (iequals(name, "map")) {
    r.map(3);
    for (int j = 0; j < 3; ++j) {
      r.integer(j);
      r.boolean(j == 1);
    }
  } else if (iequals(name, "attrib")) {
    if (r.protocol() >= 3) {
      r.attribute(1);
      r.bulk("key-popularity");
      r.array(2);
      r.bulk("key:123");
      r.integer(90);
    }
    // An attribute describes the reply after it, so a real reply follows.
    r.bulk("Some real reply following the attribute");
  } else if (iequals(name, "push")) {
    if (r.protocol() < 3) {
      r.error("ERR RESP2 is not supported by this command");
      return;
    }
    r.push(2);
    r.bulk("server-cpu-usage");
    r.integer(42);
    // Push data is not a reply: a client waiting for one gets this.
    r.bulk("Some real reply following the push reply");
  } else if (iequals(name, "true")) {
    r.boolean(true);
  } else if (iequals(name, "false")) {
    r.boolean(false);
  } else if (iequals(name, "verbatim")) {
    r.verbatim("txt", "This is a verbatim\nstring");
  } else {
    r.error(
        "ERR Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  }
}

void reply_digest(CommandContext& ctx, const Digest& d) { ctx.reply.simple(to_hex(d)); }

// Redis refuses a packed threshold at or near 4 GB; 0 restores the default (1 GB).
constexpr uint64_t kMaxPackedThreshold = (uint64_t{1} << 32) - (uint64_t{1} << 20);

// DEBUG MALLCTL <name> [<value>] and MALLCTL-STR <name> [<value>]: jemalloc's controls, as
// Redis built with jemalloc has them (its memory tests read arenas.page and flush the thread
// cache with them). Errors are strerror's text.
void debug_mallctl(CommandContext& ctx, bool as_string) {
  auto reply_errno = [&](int error) {
    ctx.reply.error(std::string("ERR ") + std::strerror(error));
  };
  const std::string name(ctx.arg(2));
  const bool write = ctx.argc() > 3;
  if (!as_string) {
    int64_t value = 0;
    if (write) {
      auto v = parse_int64(ctx.arg(3));
      if (!v) return ctx.reply.error(err::kNotInteger);
      value = *v;
    }
    const ControlInt r = allocator_control_int(name, write ? &value : nullptr);
    if (r.error != 0) return reply_errno(r.error);
    if (r.wrote_only) return ctx.reply.ok();
    return ctx.reply.integer(r.old);
  }
  const std::string value(write ? ctx.arg(3) : std::string_view());
  const ControlString r = allocator_control_string(name, write ? &value : nullptr);
  // Redis's mallctl_string: an unreadable control is an error unless it is written (write-only).
  if (r.read_error != 0 && !(r.read_error == EPERM && write)) {
    return reply_errno(r.read_error);
  }
  if (r.read_error == 0) return ctx.reply.bulk(r.old);
  if (r.write_error != 0) return reply_errno(r.write_error);
  ctx.reply.ok();
}

// DEBUG HTSTATS <dbid>: Redis's text for the keyspace table. Basalt's TTL index is a bucketed
// cuckoo table without chains (ttl_index.hpp), so its section gives capacity and count.
void debug_htstats(CommandContext& ctx) {
  auto id = parse_int64(ctx.arg(2));
  if (!id) return ctx.reply.error(err::kNotInteger);
  if (*id < 0 || *id >= ctx.store().db_count()) return ctx.reply.error("ERR Out of range database");
  const Database& db = ctx.store().db(static_cast<int>(*id));
  std::string text = "[Dictionary HT]\n";
  db.dict().append_stats(text);
  text += "[Expires HT]\n";
  if (db.expires() == 0) {
    text += "Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n";
  } else {
    text += "Hash table 0 stats (main hash table):\n table size: " +
            std::to_string(db.ttl_index_capacity()) +
            "\n number of elements: " + std::to_string(db.expires()) + "\n";
  }
  ctx.reply.verbatim("txt", text);
}

// DEBUG <subcommand> [...]
void cmd_debug(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  const size_t argc = ctx.argc();
  if (iequals(sub, "help") && argc == 2) {
    reply_help(ctx);
  } else if (iequals(sub, "sleep") && argc == 3) {
    debug_sleep(ctx);
  } else if (iequals(sub, "reload")) {
    debug_reload(ctx);
  } else if (iequals(sub, "loadaof") && argc == 2) {
    debug_loadaof(ctx);
  } else if (iequals(sub, "config-rewrite-force-all") && argc == 2) {
    const Config& config = ctx.config();
    std::optional<std::string> failure;
    if (config.config_file.empty()) failure = "the server is running without a config file";
    if (!failure) failure = ConfigRegistry::rewrite(config, /*force_all=*/true);
    if (failure) return ctx.reply.error("ERR CONFIG-REWRITE-FORCE-ALL failed: " + *failure);
    ctx.reply.ok();
  } else if (iequals(sub, "log") && argc == 3) {
    BASALT_LOG(kWarning, "DEBUG LOG: %s", sanitize_for_error(ctx.arg(2)).c_str());
    ctx.reply.ok();
  } else if (iequals(sub, "segfault") && argc == 2) {
    // Redis's way: a write to a read-only page, a real fault rather than raise(SIGSEGV).
    void* page = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return ctx.reply.error(std::string("ERR ") + std::strerror(errno));
    *static_cast<volatile char*>(page) = 'x';
  } else if (iequals(sub, "panic") && argc == 2) {
    BASALT_LOG(kWarning, "------------------------------------------------");
    BASALT_LOG(kWarning, "!!! Software Failure. Press left mouse button to continue");
    BASALT_LOG(kWarning, "Guru Meditation: DEBUG PANIC called at Unix time %lld",
               static_cast<long long>(std::time(nullptr)));
    std::abort();
  } else if (iequals(sub, "htstats") && argc == 3) {
    debug_htstats(ctx);
  } else if (iequals(sub, "populate") && argc >= 3 && argc <= 5) {
    debug_populate(ctx);
  } else if (iequals(sub, "aof-flush-sleep") && argc == 3) {
    ctx.engine.persistence().set_aof_flush_sleep_us(atoi_like(ctx.arg(2)));
    ctx.reply.ok();
  } else if (iequals(sub, "pause-cron") && argc == 3) {
    ctx.engine.set_cron_paused(atoi_like(ctx.arg(2)) != 0);
    ctx.reply.ok();
  } else if (iequals(sub, "set-skip-checksum-validation") && argc == 3) {
    ctx.engine.set_skip_checksum_validation(atoi_like(ctx.arg(2)) != 0);
    ctx.reply.ok();
  } else if (iequals(sub, "set-active-expire") && argc == 3) {
    ctx.store().set_active_expire(atoi_like(ctx.arg(2)) != 0);
    ctx.reply.ok();
  } else if (iequals(sub, "protocol") && argc == 3) {
    debug_protocol(ctx);
  } else if (iequals(sub, "object") && argc == 3) {
    const Config& c = ctx.config();
    auto line = op_debug_object(ctx.store(), ctx.db(), ctx.arg(2), c.rdbcompression == "yes",
                                c.list_max_listpack_size, c.list_compress_depth);
    if (!line.ok()) return ctx.reply.error(op_status_error(line.status()));
    ctx.reply.simple(*line);
  } else if (iequals(sub, "digest") && argc == 2) {
    reply_digest(ctx, op_dataset_digest(ctx.store()));
  } else if (iequals(sub, "digest-value")) {
    ctx.reply.array(argc - 2);
    for (size_t j = 2; j < argc; ++j) reply_digest(ctx, op_value_digest(ctx.db(), ctx.arg(j)));
  } else if (iequals(sub, "quicklist-packed-threshold") && argc == 3) {
    // Redis keeps elements over the threshold in nodes of their own ("plain" nodes). Basalt's
    // list already gives every element too big for a node (8 KiB) a node of its own, and a
    // smaller element never needs one, so the threshold is validated and has nothing to change.
    auto size = parse_memory(ctx.arg(2));
    if (!size || static_cast<uint64_t>(*size) > kMaxPackedThreshold) {
      return ctx.reply.error(
          "ERR argument must be a memory value bigger than 1 and smaller than 4gb");
    }
    ctx.reply.ok();
  } else if ((iequals(sub, "mallctl") || iequals(sub, "mallctl-str")) && argc >= 3 &&
             allocator_has_controls()) {
    debug_mallctl(ctx, iequals(sub, "mallctl-str"));
  } else if (iequals(sub, "change-repl-id") && argc == 2) {
    BASALT_LOG(kWarning, "Changing replication IDs after receiving DEBUG change-repl-id");
    static constexpr char kHex[] = "0123456789abcdef";
    std::random_device rd;
    std::mt19937_64 rng((uint64_t{rd()} << 32) ^ rd());
    std::string id(40, '0');
    for (char& ch : id) ch = kHex[rng() & 15];
    ctx.engine.server_info().replid = id;
    ctx.reply.ok();
  } else {
    ctx.reply.error(err::subcommand_syntax(ctx.arg(0), sub));
  }
}

}  // namespace

void register_debug(CommandTable& table) {
  constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  // Redis's DEBUG takes free-form subcommands, so it is one plain command parsing its own.
  table.add({"debug", -2, kAdmin | kCmdProtected, 0, 0, 0, cmd_debug, "server",
             "A container for debugging commands"});
}

}  // namespace basalt
