#pragma once
// One line per event: "<pid>:M <date> <level char> <message>", as Redis logs, to stderr or a file.

#include <cstdio>
#include <string>
#include <string_view>

namespace basalt {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };

namespace log_detail {
extern LogLevel g_level;
void write(LogLevel level, std::string_view message);
}  // namespace log_detail

// Parses "debug" / "verbose" / "notice" / "warning".
bool parse_log_level(std::string_view name, LogLevel* out);
std::string_view log_level_name(LogLevel level);
void set_log_level(LogLevel level);
// Empty path: stderr. Returns false (and keeps the old target) when the file cannot be opened.
bool set_log_file(const std::string& path);
// The descriptor log lines go to, for writers that cannot use stdio (a signal handler).
int log_fd();

inline bool log_enabled(LogLevel level) { return level >= log_detail::g_level; }

template <class... Args>
void log(LogLevel level, const char* fmt, Args... args) {
  if (!log_enabled(level)) return;
  char buf[1024];
  int n;
  if constexpr (sizeof...(Args) == 0) {
    n = std::snprintf(buf, sizeof(buf), "%s", fmt);
  } else {
    n = std::snprintf(buf, sizeof(buf), fmt, args...);
  }
  if (n < 0) return;
  log_detail::write(level, std::string_view(buf, std::min<size_t>(n, sizeof(buf) - 1)));
}

#define BASALT_LOG(level, ...) ::basalt::log(::basalt::LogLevel::level, __VA_ARGS__)

}  // namespace basalt
