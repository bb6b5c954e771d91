// basalt-benchmark: a pipelined load generator for Basalt and any RESP server, built on the
// AsyncClient (or, with --http, on the HTTP adapter's /redis routes).
//
// Each connection sends batches of -P requests in one write and waits for the whole batch before
// sending the next (redis-benchmark's -P semantics, so the two tools' numbers compare). Latency
// of a request runs from when its batch is issued (the client writes it later in the same loop
// turn) to the loop turn in which its reply arrives, so it includes the time the tool itself
// keeps a batch or a reply waiting. Worker threads (--threads) each run a libuv loop with their
// share of the connections (-c).
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "basalt/async_client.hpp"
#include "basalt/client.hpp"
#include "tools/benchmark/histogram.hpp"
#include "tools/benchmark/http_client.hpp"
#include "tools/benchmark/zipf.hpp"

namespace basalt::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::atomic<bool> g_stop{false};
// A connection whose batches keep failing for this long (server gone) ends the run.
constexpr std::chrono::seconds kGiveUpAfter{5};

// ---- configuration ------------------------------------------------------------------------------

enum class Distribution { kUniform, kZipf, kSequential };

// What a template word becomes per request (decided once, not compared per request).
enum class Part { kLiteral, kKey, kData, kTemplate };

struct OpSpec {
  std::string name;                // SET, GET, RPUSH... (the template's first word, upper case)
  std::vector<std::string> parts;  // the template's words, with placeholders
  std::vector<Part> kinds;         // one per word
  uint64_t weight = 1;
};

struct Config {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string http_url;
  std::string password;
  int database = 0;
  int resp = 3;
  int connections = 50;
  int threads = 1;
  int pipeline = 1;
  uint64_t requests = 100000;
  double duration = 0;  // seconds; replaces -n when set
  double warmup = 0;
  uint64_t warmup_requests = 0;
  std::string workload = "set";
  std::optional<std::pair<uint64_t, uint64_t>> ratio;
  uint64_t keyspace = 100000;
  Distribution distribution = Distribution::kUniform;
  double zipf_s = 0.99;
  std::string distribution_text = "uniform";
  size_t data_size = 3;
  uint64_t seed = 1;
  bool json = false;
  bool quiet = false;
  bool workload_given = false;  // --workload or --ratio (which -t replaces)
  bool distribution_given = false;
  // --workload cache: ops are {GET, SET}; a GET that misses is followed by a SET of that key.
  bool cache = false;
  std::vector<OpSpec> ops;
  // -t: redis-benchmark's tests, run one after another, each alone for -n requests (or
  // --duration); each is one op named as redis-benchmark names it.
  std::vector<OpSpec> tests;
};

// redis-benchmark's tests (7.0), in the order it runs them, with the commands it sends. -t takes
// a test's name, or a group ("ping", "lrange") for all of its tests; the LPUSH that fills the
// list runs before any LRANGE test, as in redis-benchmark.
struct BenchTest {
  std::string_view name;   // for -t; empty: not selectable by itself
  std::string_view group;  // selects the test too
  std::string_view title;  // printed
  std::string_view command;
};
constexpr BenchTest kTests[] = {
    {"ping_inline", "ping", "PING_INLINE", "PING"},
    {"ping_mbulk", "ping", "PING_MBULK", "PING"},
    {"set", "", "SET", "SET __key__ __data__"},
    {"get", "", "GET", "GET __key__"},
    {"incr", "", "INCR", "INCR counter:__rand_int__"},
    {"lpush", "", "LPUSH", "LPUSH mylist __data__"},
    {"rpush", "", "RPUSH", "RPUSH mylist __data__"},
    {"lpop", "", "LPOP", "LPOP mylist"},
    {"rpop", "", "RPOP", "RPOP mylist"},
    {"sadd", "", "SADD", "SADD myset element:__rand_int__"},
    {"hset", "", "HSET", "HSET myhash element:__rand_int__ __data__"},
    {"spop", "", "SPOP", "SPOP myset"},
    {"zadd", "", "ZADD", "ZADD myzset 0 element:__rand_int__"},
    {"zpopmin", "", "ZPOPMIN", "ZPOPMIN myzset"},
    {"", "lrange", "LPUSH (needed to benchmark LRANGE)", "LPUSH mylist __data__"},
    {"lrange_100", "lrange", "LRANGE_100 (first 100 elements)", "LRANGE mylist 0 99"},
    {"lrange_300", "lrange", "LRANGE_300 (first 300 elements)", "LRANGE mylist 0 299"},
    {"lrange_500", "lrange", "LRANGE_500 (first 500 elements)", "LRANGE mylist 0 449"},
    {"lrange_600", "lrange", "LRANGE_600 (first 600 elements)", "LRANGE mylist 0 599"},
    {"mset", "", "MSET (10 keys)",
     "MSET key:__rand_int__:0 __data__ key:__rand_int__:1 __data__ key:__rand_int__:2 __data__ "
     "key:__rand_int__:3 __data__ key:__rand_int__:4 __data__ key:__rand_int__:5 __data__ "
     "key:__rand_int__:6 __data__ key:__rand_int__:7 __data__ key:__rand_int__:8 __data__ "
     "key:__rand_int__:9 __data__"},
    {"xadd", "", "XADD", "XADD mystream * myfield __data__"},
};

const char* kUsage = R"(Usage: basalt-benchmark [options]
A pipelined load generator for Basalt and any RESP (Redis-compatible) server.

Target:
  -h, --host HOST          server host (default 127.0.0.1)
  -p, --port PORT          server port (default 6379)
      --http URL           drive Basalt's HTTP adapter instead (http://host:port), through
                           POST <path>/redis (and <path>/redis/pipeline when -P > 1); the
                           URL's path, /api/v1 when it has none
  -a, --password PASS      AUTH password
      --dbnum N            database to SELECT (default 0)
      --resp 2|3           protocol version to ask for (default 3)
Load:
  -c, --connections N      parallel connections (default 50)
      --threads N          worker threads, each with its own event loop (default 1)
  -P, --pipeline N         requests per batch written at once (default 1)
  -n, --requests N         total requests (default 100000)
      --duration SECONDS   run for a time instead of a request count
      --warmup SECONDS     run this long first without recording
      --warmup-requests N  send N requests first without recording (the same history for
                           every server, however fast: compare caches with this)
Workload:
  -t TESTS                 redis-benchmark's tests, comma separated (set,get,incr,lpush,rpush,
                           lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100..600,mset,xadd,
                           ping_inline,ping_mbulk (both sent as arrays); ping and lrange for
                           their groups), run one after another, each for -n requests, in
                           redis-benchmark's order
      --workload W         set | get | push | pop (lists list:N) | cache, or a command template such as
                           "HSET h __key__ __data__" (__key__, __data__, __rand_int__ are
                           replaced per request) (default set)
                           cache: a GET of a key drawn Zipfian (--zipf) and, when it misses, a SET
                           of -d bytes to that key (a read-through cache); the GET row's hit
                           ratio is the cache's, and the key space should dwarf maxmemory
      --ratio S:G          mix SETs and GETs in this proportion (e.g. 1:10)
      --keyspace N         number of distinct keys, key:000000000000.. (default 100000)
      --key-distribution uniform | zipf:S | sequential (default uniform; zipf:0.99 for cache)
      --zipf S             the same as --key-distribution zipf:S
  -d, --data-size BYTES    value size (default 3)
      --seed N             random seed (default 1)
Output:
      --json               print the results as JSON on stdout instead of the table
  -q, --quiet              one line per operation, as redis-benchmark -q prints it
                           ("SET: 123.45 requests per second, p50=0.123 msec"); no live
                           progress line (with --json: only that)
      --help               this text
Ctrl-C stops the run and prints the results so far. GET replies are counted as hits and
misses (nil). The exit status is 1 if every request of an operation failed (the first error
is printed), 2 for a usage error.
)";

[[noreturn]] void Usage(const std::string& error) {
  std::cerr << "basalt-benchmark: " << error << "\n\n" << kUsage;
  std::exit(2);
}

template <class T>
T Number(const std::string& flag, const std::string& text) {
  T value{};
  const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
  if (res.ec != std::errc() || res.ptr != text.data() + text.size()) {
    Usage("bad number for " + flag + ": \"" + text + "\"");
  }
  return value;
}

std::vector<std::string> SplitWords(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

OpSpec MakeOp(const std::string& templ, uint64_t weight = 1) {
  OpSpec op;
  op.parts = SplitWords(templ);
  if (op.parts.empty()) Usage("empty command template");
  op.name = op.parts[0];
  std::transform(op.name.begin(), op.name.end(), op.name.begin(), ::toupper);
  for (const std::string& part : op.parts) {
    op.kinds.push_back(part == "__key__"                      ? Part::kKey
                       : part == "__data__"                   ? Part::kData
                       : part.find("__") == std::string::npos ? Part::kLiteral
                                                              : Part::kTemplate);
  }
  op.weight = weight;
  return op;
}

// "set,get" -> the selected tests, each one op titled as redis-benchmark titles it.
std::vector<OpSpec> ParseTests(const std::string& list) {
  std::vector<std::string> chosen;
  std::string item;
  for (char ch : list + ",") {
    if (ch != ',') {
      item += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      continue;
    }
    if (item.empty()) continue;
    bool known = false;
    for (const BenchTest& t : kTests) known |= item == t.name || item == t.group;
    if (!known) Usage("-t: no test named \"" + item + "\" (see --help)");
    chosen.push_back(item);
    item.clear();
  }
  if (chosen.empty()) Usage("-t wants a comma separated list of tests");
  auto is_chosen = [&](std::string_view name) {
    return !name.empty() && std::find(chosen.begin(), chosen.end(), name) != chosen.end();
  };
  std::vector<OpSpec> tests;
  for (const BenchTest& t : kTests) {
    bool selected = is_chosen(t.name) || is_chosen(t.group);
    if (t.name.empty()) {  // the LPUSH before the LRANGE tests
      for (const BenchTest& other : kTests) {
        selected |= !other.name.empty() && other.group == t.group && is_chosen(other.name);
      }
    }
    if (!selected) continue;
    tests.push_back(MakeOp(std::string(t.command)));
    tests.back().name = std::string(t.title);
  }
  return tests;
}

Config Parse(int argc, char** argv) {
  Config c;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) Usage(a + " needs a value");
      return args[++i];
    };
    if (a == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (a == "-h" || a == "--host") {
      c.host = value();
    } else if (a == "-p" || a == "--port") {
      c.port = Number<int>(a, value());
    } else if (a == "--http") {
      c.http_url = value();
      std::string why;
      if (!ParseHttpUrl(c.http_url, &why)) Usage("bad --http URL \"" + c.http_url + "\": " + why);
    } else if (a == "-a" || a == "--password") {
      c.password = value();
    } else if (a == "--dbnum") {
      c.database = Number<int>(a, value());
    } else if (a == "--resp") {
      c.resp = Number<int>(a, value());
    } else if (a == "-c" || a == "--connections") {
      c.connections = Number<int>(a, value());
    } else if (a == "--threads") {
      c.threads = Number<int>(a, value());
    } else if (a == "-P" || a == "--pipeline") {
      c.pipeline = Number<int>(a, value());
    } else if (a == "-n" || a == "--requests") {
      c.requests = Number<uint64_t>(a, value());
    } else if (a == "--duration") {
      c.duration = Number<double>(a, value());
    } else if (a == "--warmup") {
      c.warmup = Number<double>(a, value());
    } else if (a == "--warmup-requests") {
      c.warmup_requests = Number<uint64_t>(a, value());
    } else if (a == "--workload") {
      c.workload = value();
      c.workload_given = true;
    } else if (a == "-t" || a == "--tests") {
      c.tests = ParseTests(value());
    } else if (a == "--ratio") {
      c.workload_given = true;
      const std::string r = value();
      const size_t colon = r.find(':');
      if (colon == std::string::npos) Usage("--ratio wants S:G, e.g. 1:10");
      c.ratio = {Number<uint64_t>(a, r.substr(0, colon)), Number<uint64_t>(a, r.substr(colon + 1))};
      if (c.ratio->first + c.ratio->second == 0) Usage("--ratio 0:0 has nothing to run");
    } else if (a == "--keyspace") {
      c.keyspace = Number<uint64_t>(a, value());
    } else if (a == "--zipf") {
      c.distribution_text = "zipf:" + value();
      c.distribution = Distribution::kZipf;
      c.distribution_given = true;
      c.zipf_s = Number<double>(a, c.distribution_text.substr(5));
      if (c.zipf_s <= 0) Usage("--zipf wants S > 0");
    } else if (a == "--key-distribution") {
      c.distribution_given = true;
      c.distribution_text = value();
      if (c.distribution_text == "uniform") {
        c.distribution = Distribution::kUniform;
      } else if (c.distribution_text == "sequential") {
        c.distribution = Distribution::kSequential;
      } else if (c.distribution_text.starts_with("zipf:")) {
        c.distribution = Distribution::kZipf;
        c.zipf_s = Number<double>(a, c.distribution_text.substr(5));
        if (c.zipf_s <= 0) Usage("zipf:S wants S > 0");
      } else {
        Usage("--key-distribution is uniform, zipf:S or sequential");
      }
    } else if (a == "-d" || a == "--data-size") {
      c.data_size = Number<size_t>(a, value());
    } else if (a == "--seed") {
      c.seed = Number<uint64_t>(a, value());
    } else if (a == "--json") {
      c.json = true;
    } else if (a == "-q" || a == "--quiet") {
      c.quiet = true;
    } else {
      Usage("unknown option " + a);
    }
  }
  if (c.connections < 1 || c.threads < 1 || c.pipeline < 1) {
    Usage("-c, --threads and -P must be at least 1");
  }
  if (c.keyspace < 1) Usage("--keyspace must be at least 1");
  if (c.warmup_requests > 0 && (c.warmup > 0 || c.duration > 0)) {
    Usage("--warmup-requests counts the warm-up: not with --warmup or --duration");
  }
  if (!c.tests.empty() && c.workload_given) Usage("-t replaces --workload and --ratio: give one");
  c.threads = std::min(c.threads, c.connections);
  if (c.ratio) {
    if (c.ratio->first > 0) c.ops.push_back(MakeOp("SET __key__ __data__", c.ratio->first));
    if (c.ratio->second > 0) c.ops.push_back(MakeOp("GET __key__", c.ratio->second));
  } else if (c.workload == "cache") {
    c.cache = true;
    if (!c.distribution_given) {
      c.distribution = Distribution::kZipf;
      c.zipf_s = 0.99;
      c.distribution_text = "zipf:0.99";
    }
    // The SET is never drawn: only a miss sends it (Worker::issue_impl).
    c.ops.push_back(MakeOp("GET __key__", 1));
    c.ops.push_back(MakeOp("SET __key__ __data__", 0));
  } else if (c.workload == "set") {
    c.ops.push_back(MakeOp("SET __key__ __data__"));
  } else if (c.workload == "get") {
    c.ops.push_back(MakeOp("GET __key__"));
  } else if (c.workload == "push") {
    c.ops.push_back(MakeOp("RPUSH list:__rand_int__ __data__"));  // apart from string keys
  } else if (c.workload == "pop") {
    c.ops.push_back(MakeOp("LPOP list:__rand_int__"));
  } else {
    c.ops.push_back(MakeOp(c.workload));
  }
  return c;
}

// ---- per-request arguments ----------------------------------------------------------------------

// Picks operations and keys and builds each request's argument list.
class RequestMaker {
 public:
  RequestMaker(const Config& config, uint64_t seed, std::atomic<uint64_t>* sequence)
      : config_(config),
        rng_(seed),
        zipf_(config.keyspace, config.zipf_s),
        sequence_(sequence),
        data_(config.data_size, 'x') {
    for (const OpSpec& op : config.ops) total_weight_ += op.weight;
  }

  // The op index; `args` views this object's buffers until the next call.
  size_t next(std::vector<std::string_view>& args) {
    size_t op = 0;
    if (config_.ops.size() > 1) {
      uint64_t r = rng_() % total_weight_;
      while (r >= config_.ops[op].weight) r -= config_.ops[op++].weight;
    }
    last_key_ = next_key();
    build(op, last_key_, args);
    return op;
  }
  // The key number the last next() drew.
  uint64_t last_key() const { return last_key_; }

  // Op `op` on key number `key` (the cache workload's SET after a miss).
  void build(size_t op, uint64_t key, std::vector<std::string_view>& args) {
    // key:%012llu (redis-benchmark's __rand_int__ form), formatted in place: snprintf was a
    // sixth of the tool's CPU time at -P 16.
    for (size_t i = 0; i < 12; ++i) {
      const char digit = static_cast<char>('0' + key % 10);
      key /= 10;
      key_[4 + 11 - i] = digit;
      rand_[11 - i] = digit;
    }
    const OpSpec& spec = config_.ops[op];
    args.clear();
    substituted_.clear();
    substituted_.reserve(spec.parts.size());
    for (size_t i = 0; i < spec.parts.size(); ++i) {
      switch (spec.kinds[i]) {
        case Part::kKey:
          args.push_back(key_);
          break;
        case Part::kData:
          args.push_back(data_);
          break;
        case Part::kLiteral:
          args.push_back(spec.parts[i]);
          break;
        case Part::kTemplate: {
          std::string s = spec.parts[i];
          Replace(s, "__key__", key_);
          Replace(s, "__data__", data_);
          Replace(s, "__rand_int__", rand_);
          substituted_.push_back(std::move(s));
          args.push_back(substituted_.back());
          break;
        }
      }
    }
  }

 private:
  static void Replace(std::string& s, std::string_view from, std::string_view to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
  }
  uint64_t last_key_ = 0;

  uint64_t next_key() {
    switch (config_.distribution) {
      case Distribution::kUniform:
        return rng_() % config_.keyspace;
      case Distribution::kZipf:
        return zipf_(rng_);
      case Distribution::kSequential:
        return sequence_->fetch_add(1, std::memory_order_relaxed) % config_.keyspace;
    }
    return 0;
  }

  const Config& config_;
  std::mt19937_64 rng_;
  Zipf zipf_;
  std::atomic<uint64_t>* sequence_;
  uint64_t total_weight_ = 0;
  std::string data_;
  std::string key_ = "key:000000000000";
  std::string rand_ = "000000000000";
  std::vector<std::string> substituted_;  // reserved up front: views into it stay valid
};

// ---- the run ------------------------------------------------------------------------------------

struct OpStats {
  Histogram latency;
  uint64_t errors = 0;  // loop thread only
  uint64_t nils = 0;    // nil replies: a GET's misses
  // Replies to warm-up requests (--warmup, --warmup-requests): how much history a cache had built
  // before the measured part (bench/cache_bounds replays that many draws).
  uint64_t warmup = 0;
  std::string first_error;
};

struct Shared {
  const Config* config;
  Clock::time_point measure_start;
  Clock::time_point end;  // duration mode
  std::atomic<uint64_t> claimed{0};
  std::atomic<uint64_t> sequence{0};

  // --warmup-requests: the first batches, up to that many requests, are not recorded; the
  // measured time starts with the first batch that is (first_measured, nanoseconds since start).
  std::atomic<uint64_t> warm_claimed{0};
  Clock::time_point start;
  std::atomic<int64_t> first_measured_ns{-1};

  struct Claim {
    int n = 0;  // requests the batch may send (0: this connection is done)
    bool warm = false;
  };
  Claim claim(Clock::time_point now) {
    if (g_stop.load(std::memory_order_relaxed)) return {};
    const int p = config->pipeline;
    if (now < measure_start) return {p, true};  // warming up: not counted
    if (config->warmup_requests > 0 &&
        warm_claimed.load(std::memory_order_relaxed) < config->warmup_requests) {
      const uint64_t old = warm_claimed.fetch_add(static_cast<uint64_t>(p));
      if (old < config->warmup_requests) {
        return {static_cast<int>(
                    std::min<uint64_t>(static_cast<uint64_t>(p), config->warmup_requests - old)),
                true};
      }
    }
    if (config->warmup_requests > 0 && first_measured_ns.load(std::memory_order_relaxed) < 0) {
      int64_t unset = -1;
      first_measured_ns.compare_exchange_strong(
          unset, std::chrono::duration_cast<std::chrono::nanoseconds>(now - start).count());
    }
    if (config->duration > 0) return {now < end ? p : 0, false};
    const uint64_t old = claimed.fetch_add(static_cast<uint64_t>(p), std::memory_order_relaxed);
    if (old >= config->requests) return {};
    return {static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(p), config->requests - old)),
            false};
  }
};

class Worker;

struct Connection {
  Worker* worker;
  std::unique_ptr<AsyncClient> resp;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<RequestMaker> maker;
  int outstanding = 0;
  bool batch_failed = false;
  // The cache workload: the key of each request in flight (replies come in order), and keys
  // whose GET missed, to SET in the next batch.
  std::deque<uint64_t> in_flight;
  std::vector<uint64_t> to_fill;
  Clock::time_point failing_since{};  // first failure of the current run of failed batches
  Clock::time_point batch_start;
  bool batch_warm = false;  // the batch in flight is warm-up: its replies are not recorded
  uv_timer_t retry;         // after a failed batch, the next one waits a little
};

class Worker {
 public:
  Worker(Shared* shared, int first_conn, int conns) : shared_(shared) {
    uv_loop_init(&loop_);
    const Config& c = *shared->config;
    for (size_t i = 0; i < c.ops.size(); ++i) stats_.push_back(std::make_unique<OpStats>());
    for (int i = 0; i < conns; ++i) {
      auto conn = std::make_unique<Connection>();
      conn->worker = this;
      conn->maker = std::make_unique<RequestMaker>(
          c, c.seed * 1000003 + static_cast<uint64_t>(first_conn + i), &shared->sequence);
      conns_.push_back(std::move(conn));
    }
  }

  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void join() { thread_.join(); }
  bool running() const { return running_; }

  const std::vector<std::unique_ptr<OpStats>>& stats() const { return stats_; }
  // Sends the connection's next batch, if any is left.
  void issue(Connection& conn);
  void on_reply(Connection& conn, size_t op, const Reply& reply, std::exception_ptr error);
  const std::map<std::string, uint64_t>& errors() const { return errors_; }
  Clock::time_point last_reply() const { return last_reply_; }

 private:
  void run() {
    const Config& c = *shared_->config;
    Options options{.host = c.host,
                    .port = c.port,
                    .password = c.password,
                    .database = c.database,
                    .protocol = c.resp};
    for (auto& conn : conns_) {
      if (!c.http_url.empty()) {
        conn->http = std::make_unique<HttpClient>(&loop_, c.http_url);
      } else {
        conn->resp = std::make_unique<AsyncClient>(&loop_, options);
      }
    }
    // Replies handled in one loop turn arrived by the same poll: they share one clock reading,
    // taken at the first of them, which this resets before each poll. (A clock read per reply
    // was a twentieth of the tool's time at -P 16.)
    uv_prepare_init(&loop_, &turn_);
    turn_.data = this;
    uv_prepare_start(&turn_,
                     [](uv_prepare_t* h) { static_cast<Worker*>(h->data)->turn_now_.reset(); });
    uv_unref(reinterpret_cast<uv_handle_t*>(&turn_));
    for (auto& conn : conns_) {
      uv_timer_init(&loop_, &conn->retry);
      conn->retry.data = conn.get();
      issue(*conn);
    }
    uv_run(&loop_, UV_RUN_DEFAULT);
    for (auto& conn : conns_) {
      conn->resp.reset();
      conn->http.reset();
      uv_close(reinterpret_cast<uv_handle_t*>(&conn->retry), nullptr);
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&turn_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
    running_ = false;
  }

  void issue_impl(Connection& conn) {
    const Clock::time_point now = Clock::now();
    const auto [n, warm] = shared_->claim(now);
    if (n == 0) return;
    conn.batch_start = now;
    conn.batch_warm = warm;
    conn.outstanding = n;
    if (conn.http) conn.http->begin_batch();
    conn.batch_failed = false;
    const bool cache = shared_->config->cache;
    for (int i = 0; i < n; ++i) {
      size_t op;
      if (cache && !conn.to_fill.empty()) {
        op = 1;  // SET
        conn.maker->build(op, conn.to_fill.back(), args_);
        conn.in_flight.push_back(conn.to_fill.back());
        conn.to_fill.pop_back();
      } else {
        op = conn.maker->next(args_);
        if (cache) conn.in_flight.push_back(conn.maker->last_key());
      }
      // Two words: fits std::function's inline storage, no allocation per request.
      auto done = [c = &conn, op](Reply reply, std::exception_ptr error) {
        c->worker->on_reply(*c, op, reply, error);
      };
      if (conn.http) {
        conn.http->command(args_, std::move(done));
      } else {
        conn.resp->command(std::span<const std::string_view>(args_), std::move(done));
      }
    }
    if (conn.http) conn.http->end_batch();
  }

  void on_reply_impl(Connection& conn, size_t op, const Reply& reply, std::exception_ptr error) {
    if (error) conn.batch_failed = true;
    if (shared_->config->cache && !conn.in_flight.empty()) {
      const uint64_t key = conn.in_flight.front();
      conn.in_flight.pop_front();
      if (op == 0 && !error && reply.is_nil()) conn.to_fill.push_back(key);
    }
    if (!turn_now_) turn_now_ = Clock::now();
    const Clock::time_point now = *turn_now_;
    last_reply_ = now;
    if (!conn.batch_warm) {
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - conn.batch_start);
      stats_[op]->latency.record(static_cast<uint64_t>(ns.count()));
      OpStats& stats = *stats_[op];
      if (error || reply.is_error()) {
        if (stats.errors++ == 0) stats.first_error = ErrorText(reply, error);
        ++errors_[ErrorKind(reply, error)];
      } else if (reply.is_nil()) {
        ++stats.nils;
      }
    } else {
      ++stats_[op]->warmup;
    }
    if (--conn.outstanding > 0) return;
    if (!conn.batch_failed) {
      conn.failing_since = {};
      return issue(conn);
    }
    if (conn.failing_since == Clock::time_point{}) conn.failing_since = now;
    if (now - conn.failing_since > kGiveUpAfter) {
      // The server has been gone too long: end the run (results so far are printed).
      if (!g_stop.exchange(true)) {
        std::fprintf(stderr, "\nbasalt-benchmark: no successful reply for %lld s, stopping\n",
                     static_cast<long long>(kGiveUpAfter.count()));
      }
      return;
    }
    // The connection failed: try again shortly rather than spin (or recurse, when a failure is
    // reported synchronously).
    uv_timer_start(
        &conn.retry,
        [](uv_timer_t* t) {
          auto* c = static_cast<Connection*>(t->data);
          c->worker->issue(*c);
        },
        10, 0);
  }

  static std::string ErrorText(const Reply& reply, std::exception_ptr error) {
    if (!error) return reply.str();
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      return e.what();
    } catch (...) {
      return "unknown error";
    }
  }

  static std::string ErrorKind(const Reply& reply, std::exception_ptr error) {
    if (!error) return reply.str().substr(0, reply.str().find(' '));
    try {
      std::rethrow_exception(error);
    } catch (const TimeoutError&) {
      return "timeout";
    } catch (const ConnectionError&) {
      return "connection";
    } catch (const ProtocolError&) {
      return "protocol";
    } catch (...) {
      return "other";
    }
  }

  Shared* shared_;
  uv_loop_t loop_;
  std::thread thread_;
  std::atomic<bool> running_{true};
  std::vector<std::unique_ptr<Connection>> conns_;
  std::vector<std::unique_ptr<OpStats>> stats_;
  std::map<std::string, uint64_t> errors_;
  std::vector<std::string_view> args_;
  Clock::time_point last_reply_{};
  uv_prepare_t turn_;
  std::optional<Clock::time_point> turn_now_;  // this loop turn's clock reading, once taken
};

void Worker::issue(Connection& conn) { issue_impl(conn); }
void Worker::on_reply(Connection& conn, size_t op, const Reply& reply, std::exception_ptr error) {
  on_reply_impl(conn, op, reply, error);
}

// ---- output -------------------------------------------------------------------------------------

struct Row {
  std::string name;
  uint64_t requests = 0;
  uint64_t warmup_requests = 0;
  uint64_t errors = 0;
  double ops_per_sec = 0;
  double ms[7] = {};  // p50 p90 p99 p99.9 p99.99 max, and mean is not kept
  // GETs: replies with a value and nil replies (memtier reports these too: a GET benchmark over
  // keys that were never set measures misses, which cost less).
  bool counts_hits = false;
  uint64_t hits = 0, misses = 0;
  std::string first_error;
};

// What one run (or, with -t, one test) measured.
struct Result {
  std::vector<Row> rows;
  std::map<std::string, uint64_t> errors;  // by kind
  double seconds = 0;
};

constexpr double kPercentiles[] = {50, 90, 99, 99.9, 99.99};
constexpr const char* kPercentileNames[] = {"p50", "p90", "p99", "p99.9", "p99.99"};

Row MakeRow(const std::string& name, const Histogram& h, uint64_t errors, double seconds) {
  Row r;
  r.name = name;
  r.requests = h.count();
  r.errors = errors;
  r.counts_hits = name == "GET";
  r.ops_per_sec = seconds > 0 ? static_cast<double>(h.count()) / seconds : 0;
  for (int i = 0; i < 5; ++i) r.ms[i] = static_cast<double>(h.percentile(kPercentiles[i])) / 1e6;
  r.ms[5] = static_cast<double>(h.max()) / 1e6;
  return r;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string ErrorsLine(const Result& r) {
  if (r.errors.empty()) return "errors: none";
  std::string line = "errors:";
  for (const auto& [kind, n] : r.errors) line += " " + kind + " " + std::to_string(n);
  for (const Row& row : r.rows) {
    if (row.first_error.empty() || row.name == "ALL") continue;
    line += "\n  first " + row.name + " error: " + row.first_error;
  }
  return line;
}

void PrintTable(const Config& c, const Result& r, bool interrupted) {
  std::printf(
      "basalt-benchmark: %s, %d connections, %d thread%s, pipeline %d, %zu-byte values, "
      "keyspace %llu (%s)%s\n",
      c.http_url.empty() ? (c.host + ":" + std::to_string(c.port)).c_str() : c.http_url.c_str(),
      c.connections, c.threads, c.threads == 1 ? "" : "s", c.pipeline, c.data_size,
      static_cast<unsigned long long>(c.keyspace), c.distribution_text.c_str(),
      interrupted ? " [interrupted]" : "");
  std::printf("measured %.3f s\n\n", r.seconds);
  int width = 10;
  for (const Row& row : r.rows) width = std::max(width, static_cast<int>(row.name.size()));
  std::printf("%-*s %12s %14s %9s %9s %9s %9s %9s %9s  (latency in ms)\n", width, "op", "requests",
              "ops/s", "p50", "p90", "p99", "p99.9", "p99.99", "max");
  for (const Row& row : r.rows) {
    std::printf("%-*s %12llu %14.1f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", width, row.name.c_str(),
                static_cast<unsigned long long>(row.requests), row.ops_per_sec, row.ms[0],
                row.ms[1], row.ms[2], row.ms[3], row.ms[4], row.ms[5]);
  }
  bool blank = true;
  for (const Row& row : r.rows) {
    if (!row.counts_hits) continue;
    const uint64_t answered = row.hits + row.misses;
    std::printf(
        "%s%s: %llu hits, %llu misses (%.1f%% hits)\n", blank ? "\n" : "", row.name.c_str(),
        static_cast<unsigned long long>(row.hits), static_cast<unsigned long long>(row.misses),
        answered ? 100.0 * static_cast<double>(row.hits) / static_cast<double>(answered) : 0.0);
    blank = false;
  }
  std::printf("\n%s\n", ErrorsLine(r).c_str());
}

// As redis-benchmark -q prints its results, so scripts written for one read the other.
void PrintQuiet(const Result& r) {
  for (const Row& row : r.rows) {
    std::printf("%s: %.2f requests per second, p50=%.3f msec\n", row.name.c_str(), row.ops_per_sec,
                row.ms[0]);
  }
  if (!r.errors.empty()) std::printf("%s\n", ErrorsLine(r).c_str());
}

void PrintJson(const Config& c, const Result& r, bool interrupted) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(6);
  std::string workload = c.ratio ? "ratio" : c.workload;
  if (!c.tests.empty()) {
    workload = "tests:";
    for (const OpSpec& t : c.tests) workload += " " + t.name + ";";
    workload.pop_back();
  }
  o << "{\n  \"target\": "
    << JsonString(c.http_url.empty() ? c.host + ":" + std::to_string(c.port) : c.http_url)
    << ",\n  \"config\": {\"connections\": " << c.connections << ", \"threads\": " << c.threads
    << ", \"pipeline\": " << c.pipeline << ", \"data_size\": " << c.data_size
    << ", \"keyspace\": " << c.keyspace
    << ", \"key_distribution\": " << JsonString(c.distribution_text)
    << ", \"workload\": " << JsonString(workload) << ", \"seed\": " << c.seed
    << "},\n  \"interrupted\": " << (interrupted ? "true" : "false")
    << ",\n  \"seconds\": " << r.seconds << ",\n  \"operations\": [";
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const Row& row = r.rows[i];
    o << (i ? ",\n" : "\n") << "    {\"op\": " << JsonString(row.name)
      << ", \"requests\": " << row.requests << ", \"errors\": " << row.errors;
    if (!row.first_error.empty()) o << ", \"first_error\": " << JsonString(row.first_error);
    if (row.counts_hits) {
      const uint64_t answered = row.hits + row.misses;
      o << ", \"hits\": " << row.hits << ", \"misses\": " << row.misses << ", \"hit_ratio\": "
        << (answered ? static_cast<double>(row.hits) / static_cast<double>(answered) : 0.0);
    }
    o << ", \"warmup_requests\": " << row.warmup_requests;
    o << ", \"ops_per_sec\": " << row.ops_per_sec << ", \"latency_ms\": {";
    for (int k = 0; k < 5; ++k) o << JsonString(kPercentileNames[k]) << ": " << row.ms[k] << ", ";
    o << "\"max\": " << row.ms[5] << "}}";
  }
  o << "\n  ],\n  \"errors\": {";
  bool first = true;
  for (const auto& [kind, n] : r.errors) {
    o << (first ? "" : ", ") << JsonString(kind) << ": " << n;
    first = false;
  }
  o << "}\n}\n";
  std::cout << o.str();
}

// One run of c.ops: the workers, the live line, and what they measured.
Result Measure(const Config& c) {
  Shared shared;
  shared.config = &c;
  const Clock::time_point start = Clock::now();
  shared.start = start;
  shared.measure_start =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(c.warmup));
  shared.end = shared.measure_start + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(c.duration));
  std::vector<std::unique_ptr<Worker>> workers;
  int assigned = 0;
  for (int t = 0; t < c.threads; ++t) {
    const int n = c.connections / c.threads + (t < c.connections % c.threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(&shared, assigned, n));
    assigned += n;
  }
  for (auto& w : workers) w->start();

  const bool live = !c.quiet && isatty(STDERR_FILENO);
  const std::string label = c.tests.empty() ? std::string() : c.ops[0].name + ": ";
  for (;;) {
    bool any = false;
    for (auto& w : workers) any |= w->running();
    if (!any) break;
    std::this_thread::sleep_for(200ms);
    if (!live) continue;
    const Clock::time_point now = Clock::now();
    if (now < shared.measure_start) {
      std::fprintf(stderr, "\r%swarming up... %.1f s left   ", label.c_str(),
                   std::chrono::duration<double>(shared.measure_start - now).count());
      continue;
    }
    Histogram all;
    for (auto& w : workers) {
      for (auto& s : w->stats()) all.add(s->latency);
    }
    const double elapsed = std::chrono::duration<double>(now - shared.measure_start).count();
    std::fprintf(stderr, "\r%selapsed %6.1f s  %12.0f ops/s  p50 %.3f ms  p99 %.3f ms   ",
                 label.c_str(), elapsed,
                 elapsed > 0 ? static_cast<double>(all.count()) / elapsed : 0.0,
                 static_cast<double>(all.percentile(50)) / 1e6,
                 static_cast<double>(all.percentile(99)) / 1e6);
  }
  for (auto& w : workers) w->join();
  if (live) std::fprintf(stderr, "\r%100s\r", "");

  Result result;
  const int64_t first_measured = shared.first_measured_ns.load();
  if (first_measured >= 0) shared.measure_start = start + std::chrono::nanoseconds(first_measured);
  Clock::time_point last = shared.measure_start;
  for (auto& w : workers) last = std::max(last, w->last_reply());
  result.seconds = std::chrono::duration<double>(last - shared.measure_start).count();
  Histogram total;
  uint64_t total_errors = 0;
  for (size_t op = 0; op < c.ops.size(); ++op) {
    Histogram h;
    uint64_t errs = 0, nils = 0, warmup = 0;
    std::string first_error;
    for (auto& w : workers) {
      const OpStats& s = *w->stats()[op];
      h.add(s.latency);
      errs += s.errors;
      nils += s.nils;
      warmup += s.warmup;
      if (first_error.empty()) first_error = s.first_error;
    }
    total.add(h);
    total_errors += errs;
    Row row = MakeRow(c.ops[op].name, h, errs, result.seconds);
    row.first_error = std::move(first_error);
    row.misses = nils;
    row.warmup_requests = warmup;
    row.hits = row.requests - errs - nils;
    result.rows.push_back(std::move(row));
  }
  if (c.ops.size() > 1) {
    uint64_t warmup = 0;
    for (const Row& row : result.rows) warmup += row.warmup_requests;
    result.rows.push_back(MakeRow("ALL", total, total_errors, result.seconds));
    result.rows.back().warmup_requests = warmup;
  }
  for (auto& w : workers) {
    for (const auto& [kind, n] : w->errors()) result.errors[kind] += n;
  }
  return result;
}

int Run(const Config& c) {
  // Fail fast, with the client's own message, if the target is not there.
  if (c.http_url.empty()) {
    try {
      Client probe({.host = c.host,
                    .port = c.port,
                    .password = c.password,
                    .database = c.database,
                    .protocol = c.resp});
      probe.ping();
    } catch (const Error& e) {
      std::cerr << "basalt-benchmark: " << e.what() << "\n";
      return 1;
    }
  }
  Result result;
  if (c.tests.empty()) {
    result = Measure(c);
  } else {
    for (const OpSpec& test : c.tests) {
      if (g_stop) break;
      Config one = c;
      one.ops = {test};
      Result r = Measure(one);
      result.seconds += r.seconds;
      for (auto& row : r.rows) result.rows.push_back(std::move(row));
      for (const auto& [kind, n] : r.errors) result.errors[kind] += n;
      if (c.quiet && !c.json) PrintQuiet(Result{{result.rows.back()}, {}, 0});
    }
  }
  if (c.json) {
    PrintJson(c, result, g_stop);
  } else if (!c.quiet) {
    PrintTable(c, result, g_stop);
  } else if (c.tests.empty()) {
    PrintQuiet(result);
  } else if (!result.errors.empty()) {
    std::printf("%s\n", ErrorsLine(result).c_str());
  }
  // A run whose requests all failed measured nothing: say why, and fail.
  int status = 0;
  for (const Row& row : result.rows) {
    if (row.name == "ALL" || row.requests == 0 || row.errors < row.requests) continue;
    std::fprintf(stderr, "basalt-benchmark: every %s request failed; the first error: %s\n",
                 row.name.c_str(), row.first_error.c_str());
    status = 1;
  }
  return status;
}

}  // namespace
}  // namespace basalt::bench

int main(int argc, char** argv) {
  const basalt::bench::Config config = basalt::bench::Parse(argc, argv);
  struct sigaction sa {};
  sa.sa_handler = [](int) {
    if (basalt::bench::g_stop.exchange(true)) _exit(130);  // a second Ctrl-C: leave now
  };
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return basalt::bench::Run(config);
}
