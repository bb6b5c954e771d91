#pragma once
// Replays a session recorded from redis-server 7.0.15 by tools/record_redis_replies.py and
// compares each reply's bytes (or, for long replies, their FNV-1a hash) with Redis's.

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {

struct Exchange {
  std::vector<std::string> argv;
  std::string reply;  // empty when only the hash was recorded
  uint64_t hash;      // FNV-1a 64 of the reply, or 0
};

inline uint64_t fnv1a64(std::string_view data) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : data) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  return h;
}

// "@range:PREFIX:N" stands for PREFIX0 ... PREFIX<N-1>, as the recorder expands it.
inline std::vector<std::string> expand_args(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  for (const std::string& a : argv) {
    if (a.rfind("@range:", 0) != 0) {
      out.push_back(a);
      continue;
    }
    const size_t colon = a.rfind(':');
    const std::string prefix = a.substr(7, colon - 7);
    const int n = std::stoi(a.substr(colon + 1));
    for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  }
  return out;
}

class RecordedSessionTest : public EngineTest {
 protected:
  void replay(std::span<const Exchange> session) {
    for (const Exchange& x : session) {
      std::vector<std::string> args = expand_args(x.argv);
      std::vector<std::string_view> views(args.begin(), args.end());
      std::string line;
      for (const std::string& a : x.argv) line += a + " ";
      std::string got = run(views);
      if (x.hash != 0) {
        EXPECT_EQ(fnv1a64(got), x.hash) << line << "(" << got.size() << " bytes)";
      } else {
        EXPECT_EQ(got, x.reply) << line;
      }
    }
  }
};

}  // namespace basalt::testing
