// Fuzzes how basalt-server reads its parameters (src/config/config.*): a redis.conf-style file,
// command-line flags and BASALT_* environment variables, through ConfigRegistry::load, the one
// entry point main() uses. The oracle, besides the sanitizers: load either fails with an error
// that names something and says why, or yields a Config whose every parameter, as CONFIG GET
// reports it, is accepted again by CONFIG SET and reads back unchanged, so nothing load accepts is
// out of range or unrepresentable.
//
// Input: <file text> NUL <argv words, one a line> NUL <environment, "name=value" lines>. The
// names in the environment part get the BASALT_ prefix as load expects ("http-port=1" sets
// BASALT_HTTP_PORT). '@' in a word or value stands for the file's path; with no words the file is
// passed as redis-server takes it, first and alone.

#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "config/config.hpp"

namespace {

using namespace basalt;

std::string g_dir;

const std::string& config_path() {
  static const std::string path = [] {
    // tmpfs if there is one: the file is truncated and rewritten for every input, and ext4 flushes
    // such a file to disk on each close (auto_da_alloc), which made the target ten times slower.
    char shm[] = "/dev/shm/basalt-fuzz-config-XXXXXX";
    char tmp[] = "/tmp/basalt-fuzz-config-XXXXXX";
    const char* dir = mkdtemp(shm);
    if (dir == nullptr) dir = mkdtemp(tmp);
    if (dir == nullptr) std::abort();
    g_dir = dir;
    // CI runs this on every push: leave nothing behind.
    std::atexit([] {
      unlink((g_dir + "/basalt.conf").c_str());
      rmdir(g_dir.c_str());
    });
    return g_dir + "/basalt.conf";
  }();
  return path;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t at = s.find(sep);
    out.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

std::string with_path(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '@') {
      out += config_path();
    } else {
      out += c;
    }
  }
  return out;
}

// A path the fuzzer made up may name a device that never ends or blocks (/dev/zero, /dev/stdin,
// /proc/self/fd/0): load would read forever, which is the caller's choice, not a bug.
bool may_name_device(std::string_view s) {
  return s.find("dev/") != std::string_view::npos || s.find("proc/") != std::string_view::npos ||
         s.find("sys/") != std::string_view::npos;
}

std::string env_name(std::string_view name) {
  std::string env = "BASALT_";
  for (char c : name) {
    env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return env;
}

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t end_file = input.find('\0');
  std::string_view file_text = input.substr(0, end_file);
  std::string_view rest =
      end_file == std::string_view::npos ? std::string_view() : input.substr(end_file + 1);
  size_t end_argv = rest.find('\0');
  std::string_view argv_text = rest.substr(0, end_argv);
  std::string_view env_text =
      end_argv == std::string_view::npos ? std::string_view() : rest.substr(end_argv + 1);

  std::vector<std::string> words = {"basalt-server"};
  // A path the input names itself may be a device; the one '@' stands for is not.
  if (may_name_device(argv_text) || may_name_device(env_text)) return 0;
  for (auto& w : split(argv_text, '\n')) words.push_back(with_path(w));
  if (words.size() == 1) words.push_back(config_path());
  std::vector<std::pair<std::string, std::string>> env;
  for (auto& line : split(env_text, '\n')) {
    size_t eq = line.find('=');
    if (eq == std::string::npos || line.find('\0') != std::string::npos) continue;
    env.emplace_back(env_name(line.substr(0, eq)), with_path(line.substr(eq + 1)));
  }

  if (FILE* f = std::fopen(config_path().c_str(), "wb")) {
    std::fwrite(file_text.data(), 1, file_text.size(), f);
    std::fclose(f);
  } else {
    std::abort();
  }
  // putenv, not setenv: glibc keeps every string setenv ever copied, so the process would grow
  // with every input's values. putenv uses ours, which unsetenv below takes back out before they
  // are freed.
  std::vector<std::string> assignments;
  assignments.reserve(env.size());
  for (auto& [name, value] : env) {
    assignments.push_back(name + "=" + value);
    putenv(assignments.back().data());
  }
  std::vector<const char*> argv;
  for (auto& w : words) argv.push_back(w.c_str());

  // "loglevel" sets the process's log level as a side effect; later inputs must not inherit it.
  LogLevel level = log_detail::g_level;
  Config config;
  bool help = false;
  auto err = ConfigRegistry::load(config, static_cast<int>(argv.size()), argv.data(), &help);
  set_log_level(level);
  for (auto& [name, value] : env) unsetenv(name.c_str());

  if (err) {
    if (err->reason.empty()) fail("error without a reason", err->name);
    return 0;
  }
  if (help) {
    if (ConfigRegistry::help_text().empty()) fail("empty help", "");
    return 0;
  }
  auto loaded = ConfigRegistry::get(config, "*");
  Config again;
  for (auto& [name, value] : loaded) {
    if (auto e = ConfigRegistry::set(again, name, value, false)) {
      fail("CONFIG SET refuses what load accepted", name + " " + value + ": " + e->reason);
    }
  }
  set_log_level(level);
  if (ConfigRegistry::get(again, "*") != loaded) fail("parameters differ after GET -> SET", "");
  return 0;
}
