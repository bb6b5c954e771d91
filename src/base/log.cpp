#include "base/log.hpp"

#include <sys/time.h>
#include <unistd.h>

#include <ctime>

namespace basalt {

namespace log_detail {
LogLevel g_level = LogLevel::kNotice;
namespace {
FILE* g_file = nullptr;
}

void write(LogLevel level, std::string_view message) {
  static constexpr char kMarks[] = {'.', '-', '*', '#'};
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm tm_buf;
  localtime_r(&tv.tv_sec, &tm_buf);
  char date[64];
  size_t off = std::strftime(date, sizeof(date), "%d %b %Y %H:%M:%S.", &tm_buf);
  std::snprintf(date + off, sizeof(date) - off, "%03d", static_cast<int>(tv.tv_usec / 1000));
  FILE* out = g_file != nullptr ? g_file : stderr;
  std::fprintf(out, "%d:M %s %c %.*s\n", static_cast<int>(getpid()), date,
               kMarks[static_cast<int>(level)], static_cast<int>(message.size()), message.data());
  std::fflush(out);
}
}  // namespace log_detail

bool parse_log_level(std::string_view name, LogLevel* out) {
  static constexpr std::pair<std::string_view, LogLevel> kLevels[] = {
      {"debug", LogLevel::kDebug},
      {"verbose", LogLevel::kVerbose},
      {"notice", LogLevel::kNotice},
      {"warning", LogLevel::kWarning}};
  for (auto [n, l] : kLevels) {
    if (n == name) {
      *out = l;
      return true;
    }
  }
  return false;
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kVerbose:
      return "verbose";
    case LogLevel::kNotice:
      return "notice";
    case LogLevel::kWarning:
      return "warning";
  }
  return "notice";
}

int log_fd() { return fileno(log_detail::g_file != nullptr ? log_detail::g_file : stderr); }

void set_log_level(LogLevel level) { log_detail::g_level = level; }

bool set_log_file(const std::string& path) {
  if (path.empty()) {
    if (log_detail::g_file != nullptr) std::fclose(log_detail::g_file);
    log_detail::g_file = nullptr;
    return true;
  }
  FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) return false;
  if (log_detail::g_file != nullptr) std::fclose(log_detail::g_file);
  log_detail::g_file = f;
  return true;
}

}  // namespace basalt
