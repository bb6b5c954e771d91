// Fuzzes what start-up reads of an append-only directory (src/persistence/aof_*): the same bytes
// as a manifest and as a file of commands. The oracles, besides the sanitizers:
// - manifest: an accepted manifest serializes to text that parses back to the same manifest
//   (unless a quoted line outgrows Redis's 1024-byte line limit), and serializing is stable;
//   a refused one says why.
// - reader: every delivered command is exactly the bytes at its offsets (but for zero-padded
//   lengths, which Redis accepts too); the result does not
//   depend on how the bytes are split into reads (a 1..8-byte chunk size from the first byte,
//   against one read of everything), nor on reading them from a file; a file cut at a truncated
//   result's valid_up_to reads back clean with the commands before the cut.

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "persistence/aof_manifest.hpp"
#include "persistence/aof_reader.hpp"

namespace {

using namespace basalt;

[[noreturn]] void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  __builtin_trap();
}

std::string g_dir;

const std::string& temp_path() {
  static const std::string path = [] {
    // tmpfs when there is one: the file is rewritten for every input.
    char shm[] = "/dev/shm/basalt-fuzz-aof-XXXXXX";
    char tmp[] = "/tmp/basalt-fuzz-aof-XXXXXX";
    const char* dir = mkdtemp(shm);
    if (dir == nullptr) dir = mkdtemp(tmp);
    if (dir == nullptr) std::abort();
    g_dir = dir;
    std::atexit([] {
      unlink((g_dir + "/fuzz.aof").c_str());
      rmdir(g_dir.c_str());
    });
    // truncate_aof_file warns on every cut.
    set_log_file("/dev/null");
    return g_dir + "/fuzz.aof";
  }();
  return path;
}

struct Seen {
  std::vector<std::vector<std::string>> commands;
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  AofReadResult result;
};

AofCommandHandler collect(Seen* seen) {
  return [seen](const AofCommand& c) {
    seen->commands.emplace_back(c.argv.begin(), c.argv.end());
    seen->spans.emplace_back(c.offset, c.end_offset);
    return true;
  };
}

bool same(const Seen& a, const Seen& b) {
  return a.commands == b.commands && a.spans == b.spans && a.result.status == b.result.status &&
         a.result.valid_up_to == b.result.valid_up_to &&
         a.result.error_offset == b.result.error_offset && a.result.commands == b.result.commands &&
         a.result.in_multi == b.result.in_multi;
}

void check_manifest(std::string_view input) {
  AofManifest manifest;
  if (auto error = AofManifest::parse(input, &manifest)) {
    if (error->reason.empty()) fail("manifest error without a reason");
    if (!manifest.empty()) fail("a refused manifest left files behind");
    return;
  }
  const std::string text = manifest.serialize();
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end - start + 1 > 1024) return;  // Redis could not read this line either
    start = end + 1;
  }
  AofManifest again;
  if (text.empty()) return;  // only comments: nothing to write back
  if (auto error = AofManifest::parse(text, &again)) fail("serialized manifest refused", text);
  if (!(again == manifest)) fail("manifest changed in a round trip", text);
  if (again.serialize() != text) fail("serialization is not stable", text);
}

void check_reader(std::string_view input) {
  AofReaderOptions whole;
  whole.chunk_size = input.size() + 1;
  Seen a;
  a.result = read_aof_bytes(input, "fuzz.aof", collect(&a), whole);

  for (size_t i = 0; i < a.commands.size(); ++i) {
    std::vector<std::string_view> views(a.commands[i].begin(), a.commands[i].end());
    std::string encoded;
    append_aof_command(encoded, views);
    const auto [from, to] = a.spans[i];
    const std::string_view span = input.substr(from, to - from);
    // Lengths may have leading zeros ("$01", as Redis's strtol reads them); otherwise the span is
    // exactly the canonical encoding.
    bool padded = false;
    for (size_t at = 0; at + 2 < span.size(); ++at) {
      if ((span[at] == '$' || span[at] == '*') && span[at + 1] == '0' && span[at + 2] >= '0' &&
          span[at + 2] <= '9')
        padded = true;
    }
    if (padded ? span.size() < encoded.size() : span != encoded)
      fail("command bytes differ from its encoding");
  }
  if (a.result.status != AofReadStatus::kOk && a.result.message.find("offset") == std::string::npos)
    fail("error without an offset", a.result.message);
  if (a.result.status == AofReadStatus::kOk && a.result.valid_up_to != input.size())
    fail("clean read that stops short");
  if (a.result.valid_up_to > input.size()) fail("valid_up_to past the end");

  AofReaderOptions small;
  small.chunk_size = input.empty() ? 1 : 1 + static_cast<unsigned char>(input[0]) % 8;
  Seen b;
  b.result = read_aof_bytes(input, "fuzz.aof", collect(&b), small);
  if (!same(a, b)) fail("result depends on the read size");

  const std::string& path = temp_path();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || ::write(fd, input.data(), input.size()) != static_cast<ssize_t>(input.size()))
    std::abort();
  ::close(fd);
  Seen c;
  c.result = read_aof_file(path, 0, collect(&c), small);
  if (!same(a, c)) fail("file and memory reads differ");

  if (a.result.status == AofReadStatus::kTruncated) {
    if (truncate_aof_file(path, a.result.valid_up_to)) fail("could not cut the file");
    Seen d;
    d.result = read_aof_file(path, 0, collect(&d));
    if (d.result.status != AofReadStatus::kOk) fail("a cut file does not read clean");
    size_t kept = 0;
    while (kept < a.spans.size() && a.spans[kept].second <= a.result.valid_up_to) ++kept;
    if (d.commands != std::vector(a.commands.begin(), a.commands.begin() + kept))
      fail("a cut file lost or gained commands");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_manifest(input);
  check_reader(input);
  return 0;
}
