// Steady-state parsing and writing must not allocate: count global operator new calls while a
// warmed-up parser and writer work through a pipeline.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "protocol/request_parser.hpp"
#include "protocol/writer.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};
}  // namespace

// Out of line: once inlined, GCC 12 pairs the free() below with `new` and warns
// (-Wmismatched-new-delete), though replacing both is exactly what the standard allows.
[[gnu::noinline]] void* operator new(size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace basalt::resp {
namespace {

std::string Pipeline() {
  std::string input;
  for (int i = 0; i < 100; ++i) {
    append_command(input, {"SET", "key:" + std::to_string(i), std::string(100, 'v')});
    append_command(input, {"GET", "key:" + std::to_string(i)});
    input += "SET \"quoted key\" 'v\\'al' plain\r\n";
    input += "*0\r\n\r\n";
  }
  return input;
}

size_t ParseAll(RequestParser& parser, std::string_view input, std::string& out) {
  size_t requests = 0;
  while (parser.parse(input) == ParseStatus::kOk) {
    ++requests;
    append_array_header(out, parser.args().size());
    for (std::string_view arg : parser.args()) append_bulk(out, arg);
    append_integer(out, static_cast<int64_t>(requests));
    append_double(out, 1.5);
    input.remove_prefix(parser.consumed());
  }
  return requests;
}

TEST(Allocation, SteadyStateParsingAndWritingDoNotAllocate) {
  const std::string input = Pipeline();
  RequestParser parser;
  std::string out;
  const size_t warm = ParseAll(parser, input, out);  // sizes the reusable buffers
  ASSERT_EQ(warm, 300u);
  out.clear();
  parser.reset();  // the trailing empty requests were left pending; start the same input afresh

  g_allocations = 0;
  g_counting = true;
  const size_t requests = ParseAll(parser, input, out);
  g_counting = false;
  EXPECT_EQ(requests, 300u);
  EXPECT_EQ(g_allocations.load(), 0u);
}

}  // namespace
}  // namespace basalt::resp
