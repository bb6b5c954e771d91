// Throughput of the RESP layer on its own: request parsing (pipelined small requests, inline
// requests, one large bulk arriving in socket-sized reads), reply writing and reply reading.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "protocol/reply_reader.hpp"
#include "protocol/request_parser.hpp"
#include "protocol/writer.hpp"

namespace basalt::resp {
namespace {

// What redis-benchmark sends with -P: SET key:<n> <value> and GET key:<n>, alternating.
std::string SetGetPipeline(int requests, size_t value_size) {
  std::string out;
  const std::string value(value_size, 'x');
  for (int i = 0; i < requests; ++i) {
    const std::string key = "key:" + std::to_string(i);
    if (i % 2 == 0) {
      append_command(out, {"SET", key, value});
    } else {
      append_command(out, {"GET", key});
    }
  }
  return out;
}

void ParseAll(benchmark::State& state, const std::string& input, int requests) {
  RequestParser parser;
  for (auto _ : state) {
    std::string_view rest = input;
    int parsed = 0;
    while (parser.parse(rest) == ParseStatus::kOk) {
      benchmark::DoNotOptimize(parser.args().data());
      rest.remove_prefix(parser.consumed());
      ++parsed;
    }
    if (parsed != requests) state.SkipWithError("wrong request count");
    parser.reset();
  }
  state.SetItemsProcessed(state.iterations() * requests);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(input.size()));
}

void BM_ParsePipelinedSetGet(benchmark::State& state) {
  const int requests = 1000;
  ParseAll(state, SetGetPipeline(requests, static_cast<size_t>(state.range(0))), requests);
}
BENCHMARK(BM_ParsePipelinedSetGet)->Arg(3)->Arg(100)->Arg(4096);

void BM_ParseInline(benchmark::State& state) {
  std::string input;
  const int requests = 1000;
  for (int i = 0; i < requests; ++i) {
    input += i % 4 == 0 ? "SET \"key with space\" 'v\\'al'\r\n"
                        : "GET key:" + std::to_string(i) + "\r\n";
  }
  ParseAll(state, input, requests);
}
BENCHMARK(BM_ParseInline);

// One SET whose value arrives in 64 KiB reads; the parser sees the growing buffer each time.
// The parser never reads payload bytes, so what matters is the cost of one parse() call while a
// bulk is incomplete: constant per read whatever the value size means linear overall.
void BM_ParseLargeBulkInReads(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  std::string input;
  append_command(input, {"SET", "big", std::string(size, 'v')});
  constexpr size_t kRead = 64 * 1024;
  RequestParser parser;
  int64_t calls = 0;
  for (auto _ : state) {
    ParseStatus status = ParseStatus::kNeedMore;
    for (size_t fed = kRead; status == ParseStatus::kNeedMore; fed += kRead) {
      status = parser.parse(std::string_view(input.data(), std::min(fed, input.size())));
      ++calls;
    }
    if (status != ParseStatus::kOk || parser.args()[2].size() != size) {
      state.SkipWithError("large bulk not parsed");
    }
    parser.reset();
  }
  state.SetItemsProcessed(calls);
}
BENCHMARK(BM_ParseLargeBulkInReads)->Arg(1 << 20)->Arg(16 << 20)->Arg(100 << 20);

// The replies to a SET/GET pipeline plus a few aggregates, as a connection writes them.
void BM_WriteReplies(benchmark::State& state) {
  const std::string value(static_cast<size_t>(state.range(0)), 'x');
  std::string out;
  const int replies = 1000;
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < replies; ++i) {
      switch (i % 5) {
        case 0:
          append_simple(out, "OK");
          break;
        case 1:
          append_bulk(out, value);
          break;
        case 2:
          append_integer(out, i * 1000003LL);
          break;
        case 3:
          append_array_header(out, 2);
          append_bulk(out, "member");
          append_double(out, i * 0.25);
          break;
        default:
          append_null_bulk(out);
      }
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * replies);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_WriteReplies)->Arg(3)->Arg(100);

void BM_WriteIntegers(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (int64_t i = 0; i < 1000; ++i) append_integer(out, i * 7919 - 3000000);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_WriteIntegers);

void BM_WriteDoubles(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < 1000; ++i) append_double(out, i * 0.1);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_WriteDoubles);

void BM_AppendCommand(benchmark::State& state) {
  std::string out;
  const std::string value(100, 'x');
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < 1000; ++i) append_command(out, {"SET", "key:000000000042", value});
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_AppendCommand);

void BM_ReadReplies(benchmark::State& state) {
  std::string input;
  const std::string value(static_cast<size_t>(state.range(0)), 'x');
  const int replies = 1000;
  for (int i = 0; i < replies; ++i) {
    if (i % 2 == 0) {
      append_simple(input, "OK");
    } else {
      append_bulk(input, value);
    }
  }
  ReplyReader reader;
  for (auto _ : state) {
    reader.feed(input);
    int read = 0;
    Reply reply;
    while (reader.next(reply)) {
      benchmark::DoNotOptimize(reply.str().data());
      ++read;
    }
    if (read != replies) state.SkipWithError("wrong reply count");
  }
  state.SetItemsProcessed(state.iterations() * replies);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(input.size()));
}
BENCHMARK(BM_ReadReplies)->Arg(3)->Arg(100);

}  // namespace
}  // namespace basalt::resp
