#include "persistence/aof_reader.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "persistence/file_io.hpp"

namespace basalt {
namespace {

using Argv = std::vector<std::string>;

std::string encode(const std::vector<Argv>& commands) {
  std::string out;
  for (const auto& argv : commands) {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    append_aof_command(out, views);
  }
  return out;
}

struct Collected {
  std::vector<Argv> commands;
  std::vector<uint64_t> offsets;
  AofReadResult result;
};

Collected read_bytes(std::string_view bytes, size_t chunk = 64 * 1024,
                     AofReaderOptions options = {}) {
  Collected c;
  options.chunk_size = chunk;
  c.result = read_aof_bytes(
      bytes, "test.aof",
      [&](const AofCommand& command) {
        c.commands.emplace_back(command.argv.begin(), command.argv.end());
        c.offsets.push_back(command.offset);
        return true;
      },
      options);
  return c;
}

std::vector<Argv> random_commands(std::mt19937& rng, int count) {
  std::vector<Argv> out;
  for (int i = 0; i < count; ++i) {
    Argv argv;
    const int args = 1 + static_cast<int>(rng() % 6);
    for (int a = 0; a < args; ++a) {
      std::string arg(rng() % (a == 0 ? 8 : 300), '\0');
      for (char& ch : arg) ch = static_cast<char>(rng());  // CR, LF, NUL, '*' and '$' included
      argv.push_back(std::move(arg));
    }
    if (argv[0].empty()) argv[0] = "SET";
    out.push_back(std::move(argv));
  }
  return out;
}

TEST(AofReaderTest, EncodesAsRedis) {
  std::string out;
  const std::string_view set[] = {"SET", "key", std::string_view("v\r\n\0", 4)};
  append_aof_command(out, set);
  EXPECT_EQ(out, std::string("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$4\r\nv\r\n\0\r\n", 32));
  out.clear();
  append_aof_select(out, 12);
  EXPECT_EQ(out, "*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n");
  out.clear();
  const std::string_view empty[] = {"SET", "", ""};
  append_aof_command(out, empty);
  EXPECT_EQ(out, "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n");
}

TEST(AofReaderTest, RoundTripsRandomCommandsAtAnyChunkSize) {
  std::mt19937 rng(7);
  const auto commands = random_commands(rng, 200);
  const std::string bytes = encode(commands);
  for (size_t chunk : {1ul, 2ul, 3ul, 7ul, 100ul, 4096ul, 1ul << 20}) {
    Collected c = read_bytes(bytes, chunk);
    EXPECT_EQ(c.result.status, AofReadStatus::kOk) << c.result.message;
    EXPECT_EQ(c.commands, commands) << "chunk " << chunk;
    EXPECT_EQ(c.result.valid_up_to, bytes.size());
    EXPECT_EQ(c.result.commands, commands.size());
  }
}

TEST(AofReaderTest, ReportsEachCommandsOffsets) {
  const std::string bytes = encode({{"SET", "a", "1"}, {"DEL", "a"}});
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  auto result = read_aof_bytes(bytes, "t", [&](const AofCommand& c) {
    spans.emplace_back(c.offset, c.end_offset);
    return true;
  });
  ASSERT_EQ(result.status, AofReadStatus::kOk);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0], std::make_pair(uint64_t{0}, uint64_t{27}));
  EXPECT_EQ(spans[1], std::make_pair(uint64_t{27}, uint64_t{bytes.size()}));
}

TEST(AofReaderTest, EmptyInputIsOk) {
  Collected c = read_bytes("");
  EXPECT_EQ(c.result.status, AofReadStatus::kOk);
  EXPECT_EQ(c.result.commands, 0u);
}

// A crash can cut the file after any byte: every cut inside the last commands leaves exactly the
// commands before the torn one, and names where it began.
TEST(AofReaderTest, TruncationAtEveryByteOfTheLastCommands) {
  std::mt19937 rng(11);
  const auto commands = random_commands(rng, 12);
  std::vector<size_t> starts;
  std::string bytes;
  for (const auto& argv : commands) {
    starts.push_back(bytes.size());
    bytes += encode({argv});
  }
  starts.push_back(bytes.size());
  const size_t first = 8;  // cut anywhere in the last four commands
  for (size_t cut = starts[first]; cut <= bytes.size(); ++cut) {
    // The command the cut falls into (or the count of whole commands when it falls between).
    size_t whole = 0;
    while (whole + 1 < starts.size() && starts[whole + 1] <= cut) ++whole;
    for (size_t chunk : {1ul, 5ul, 65536ul}) {
      Collected c = read_bytes(std::string_view(bytes).substr(0, cut), chunk);
      ASSERT_EQ(c.commands, std::vector<Argv>(commands.begin(), commands.begin() + whole))
          << "cut " << cut;
      if (cut == starts[whole]) {
        EXPECT_EQ(c.result.status, AofReadStatus::kOk) << "cut " << cut;
      } else {
        ASSERT_EQ(c.result.status, AofReadStatus::kTruncated) << "cut " << cut;
        EXPECT_EQ(c.result.error_offset, starts[whole]);
        EXPECT_EQ(c.result.valid_up_to, starts[whole]);
        EXPECT_NE(
            c.result.message.find("test.aof: truncated at offset " + std::to_string(starts[whole])),
            std::string::npos)
            << c.result.message;
      }
    }
  }
}

TEST(AofReaderTest, CorruptionInTheMiddleNamesTheOffset) {
  const std::string good = encode({{"SET", "a", "1"}, {"SET", "b", "2"}});
  struct Case {
    std::string bad;
    size_t bad_at;  // from the start of bad
    const char* why;
  };
  const Case cases[] = {
      {"+OK\r\n", 0, "expected '*' or '#', got '+'"},
      {"*2\r\n$3\r\nGET\r\n:1\r\n", 13, "expected '$', got ':'"},
      {"*2\r\n$3\r\nGETx\r\n", 11, "expected '\\r' after 3 bytes, got 'x'"},
      {"*2\r\n$3\r\nGET\rx", 12, "expected '\\n', got 'x'"},
      {"*x\r\n", 1, "expected a digit, got 'x'"},
      {"*-1\r\n", 1, "expected a digit, got '-'"},
      {"*\r\n", 1, "expected a digit"},
      {"*0\r\n", 1, "a command of zero arguments"},
      {"*1\r\n$ 3\r\n", 5, "expected a digit, got ' '"},
      {"*1\n", 2, "expected a digit, got 0x0a"},
      {"*1\r\r", 3, "expected '\\n', got 0x0d"},
      {"*1\r\n$99999999999999999999\r\n", 5, "length over the limit"},
  };
  for (const auto& c : cases) {
    const std::string bytes = good + c.bad + good;
    Collected got = read_bytes(bytes, 3);
    ASSERT_EQ(got.result.status, AofReadStatus::kCorrupt) << c.bad;
    EXPECT_EQ(got.commands.size(), 2u) << c.bad;
    EXPECT_EQ(got.result.error_offset, good.size() + c.bad_at) << c.bad;
    EXPECT_EQ(got.result.valid_up_to, good.size()) << c.bad;
    EXPECT_NE(got.result.message.find("test.aof: corrupt at offset " +
                                      std::to_string(good.size() + c.bad_at) + ": " + c.why),
              std::string::npos)
        << got.result.message;
  }
}

TEST(AofReaderTest, BadBytesAtTheEndAreCorruptNotTruncated) {
  // A torn write leaves a prefix of a command; these cannot be one.
  for (std::string tail : {"*1\r\n$3\r\nabcd", "*1x", "x", "*1\r\n$3\r\nabc\r\r"}) {
    Collected got = read_bytes(encode({{"PING"}}) + tail);
    EXPECT_EQ(got.result.status, AofReadStatus::kCorrupt) << tail;
    EXPECT_EQ(got.commands.size(), 1u);
  }
}

TEST(AofReaderTest, HostileLengthsAllocateNothing) {
  AofReaderOptions options;
  options.max_bulk_len = 1024;
  // Announced but absent: truncated, without reserving the announced sizes.
  Collected a = read_bytes("*1000000000\r\n$4\r\nPING\r\n", 64 * 1024, options);
  EXPECT_EQ(a.result.status, AofReadStatus::kTruncated);
  Collected b = read_bytes("*1\r\n$1024\r\nabc", 64 * 1024, options);
  EXPECT_EQ(b.result.status, AofReadStatus::kTruncated);
  Collected c = read_bytes("*1\r\n$1025\r\n", 64 * 1024, options);
  EXPECT_EQ(c.result.status, AofReadStatus::kCorrupt);
  EXPECT_NE(c.result.message.find("length over the limit of 1024"), std::string::npos);
  options.max_args = 3;
  Collected d = read_bytes("*4\r\n", 64 * 1024, options);
  EXPECT_EQ(d.result.status, AofReadStatus::kCorrupt);
}

TEST(AofReaderTest, SkipsAnnotations) {
  const std::string bytes =
      "#TS:1700000000\r\n" + encode({{"SET", "a", "1"}}) + "#TS:1\r\n" + encode({{"DEL", "a"}});
  Collected c = read_bytes(bytes, 1);
  EXPECT_EQ(c.result.status, AofReadStatus::kOk);
  EXPECT_EQ(c.commands, (std::vector<Argv>{{"SET", "a", "1"}, {"DEL", "a"}}));
  // Torn inside an annotation at the end: truncated there.
  Collected torn = read_bytes(encode({{"PING"}}) + "#TS:17");
  EXPECT_EQ(torn.result.status, AofReadStatus::kTruncated);
  EXPECT_EQ(torn.result.valid_up_to, 14u);
  // Redis reads annotations of up to 1023 bytes with their newline.
  Collected longest = read_bytes("#" + std::string(1021, 'x') + "\n" + encode({{"PING"}}));
  EXPECT_EQ(longest.result.status, AofReadStatus::kOk);
  Collected too_long = read_bytes("#" + std::string(1022, 'x') + "\n" + encode({{"PING"}}));
  EXPECT_EQ(too_long.result.status, AofReadStatus::kCorrupt);
}

TEST(AofReaderTest, MultiExecAreOrdinaryCommandsButAnOpenOneIsTruncated) {
  const std::string before = encode({{"SET", "a", "1"}});
  const std::string tx = encode({{"multi"}, {"INCR", "a"}, {"EXEC"}});
  Collected whole = read_bytes(before + tx);
  EXPECT_EQ(whole.result.status, AofReadStatus::kOk);
  EXPECT_EQ(whole.commands.size(), 4u);
  EXPECT_FALSE(whole.result.in_multi);

  const std::string open = encode({{"MULTI"}, {"INCR", "a"}});
  Collected unfinished = read_bytes(before + open);
  EXPECT_EQ(unfinished.result.status, AofReadStatus::kTruncated);
  EXPECT_TRUE(unfinished.result.in_multi);
  EXPECT_EQ(unfinished.result.valid_up_to, before.size());
  EXPECT_EQ(unfinished.commands.size(), 3u);  // delivered; the caller discards its queue
  EXPECT_NE(unfinished.result.message.find("inside the MULTI/EXEC transaction begun there"),
            std::string::npos);

  // Torn inside the transaction: cut before MULTI, not after the last whole command.
  const std::string torn = before + open + encode({{"EXEC"}}).substr(0, 5);
  Collected t = read_bytes(torn);
  EXPECT_EQ(t.result.status, AofReadStatus::kTruncated);
  EXPECT_EQ(t.result.valid_up_to, before.size());
  EXPECT_EQ(t.result.error_offset, before.size() + open.size());
}

TEST(AofReaderTest, RdbWhereCommandsBelongIsNamed) {
  Collected c = read_bytes("REDIS0009\xfa\x09redis-ver");
  EXPECT_EQ(c.result.status, AofReadStatus::kCorrupt);
  EXPECT_NE(c.result.message.find("an RDB file where commands were expected"), std::string::npos)
      << c.result.message;
}

TEST(AofReaderTest, HandlerCanStop) {
  const std::string bytes = encode({{"SET", "a", "1"}, {"NOSUCH"}, {"SET", "b", "2"}});
  int seen = 0;
  auto result = read_aof_bytes(bytes, "t", [&](const AofCommand& c) {
    ++seen;
    return c.argv[0] != "NOSUCH";
  });
  EXPECT_EQ(result.status, AofReadStatus::kStopped);
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(result.commands, 1u);
  EXPECT_EQ(result.error_offset, 27u);
}

class AofFileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/basalt-aof-reader-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(AofFileReaderTest, ReadsFromAnOffsetAndTruncates) {
  const std::string path = join_path(dir_, "appendonly.aof");
  const std::string preamble = "REDIS-pretend-rdb";
  const std::string commands = encode({{"SET", "a", "1"}, {"RPUSH", "l", "x", "y"}});
  ASSERT_FALSE(write_file_atomically(path, preamble + commands + "*3\r\n$3\r\nSET\r\n$1"));
  std::vector<Argv> got;
  auto result = read_aof_file(path, preamble.size(), [&](const AofCommand& c) {
    got.emplace_back(c.argv.begin(), c.argv.end());
    return true;
  });
  ASSERT_EQ(result.status, AofReadStatus::kTruncated);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(result.valid_up_to, preamble.size() + commands.size());
  EXPECT_NE(result.message.find(path + ": truncated at offset"), std::string::npos);
  ASSERT_FALSE(truncate_aof_file(path, result.valid_up_to));
  EXPECT_EQ(std::filesystem::file_size(path), preamble.size() + commands.size());
  got.clear();
  result = read_aof_file(path, preamble.size(), [&](const AofCommand& c) {
    got.emplace_back(c.argv.begin(), c.argv.end());
    return true;
  });
  EXPECT_EQ(result.status, AofReadStatus::kOk);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_TRUE(truncate_aof_file(path, 1u << 20));  // past the end: refused
}

TEST_F(AofFileReaderTest, LongCommandsAcrossManyChunks) {
  const std::string path = join_path(dir_, "big.aof");
  std::vector<Argv> commands;
  commands.push_back({"SET", "big", std::string(3 << 20, 'v')});
  Argv many = {"RPUSH", "l"};
  for (int i = 0; i < 20000; ++i) many.push_back(std::to_string(i));
  commands.push_back(many);
  ASSERT_FALSE(write_file_atomically(path, encode(commands)));
  std::vector<Argv> got;
  AofReaderOptions options;
  options.chunk_size = 1000;
  auto result = read_aof_file(
      path, 0,
      [&](const AofCommand& c) {
        got.emplace_back(c.argv.begin(), c.argv.end());
        return true;
      },
      options);
  EXPECT_EQ(result.status, AofReadStatus::kOk) << result.message;
  EXPECT_EQ(got, commands);
}

TEST_F(AofFileReaderTest, MissingFileIsAnIoError) {
  auto result =
      read_aof_file(join_path(dir_, "nope.aof"), 0, [](const AofCommand&) { return true; });
  EXPECT_EQ(result.status, AofReadStatus::kIoError);
  EXPECT_NE(result.message.find("nope.aof"), std::string::npos);
}

}  // namespace
}  // namespace basalt
