#pragma once
// Redis's crash report: on SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT the log gets the signal,
// the faulting address or the sender, a stack trace and the command being run, between Redis's
// START and END lines; then the signal's default action goes on (a core dump where enabled), so
// a supervisor sees the same death as without the report. Under a sanitizer nothing is installed:
// the sanitizer's report is the better one.

#include <span>
#include <string_view>

namespace basalt {

// Installs the handlers once; `crash-log-enabled` switches the report (set_crash_log_enabled).
void install_crash_handler();
void set_crash_log_enabled(bool enabled);

// The command the loop is running, for the report's CURRENT CLIENT INFO: set while it runs,
// nested calls (EXEC's commands) restore the outer one.
class CrashContextCommand {
 public:
  explicit CrashContextCommand(std::span<const std::string_view> argv);
  ~CrashContextCommand();
  CrashContextCommand(const CrashContextCommand&) = delete;
  CrashContextCommand& operator=(const CrashContextCommand&) = delete;

 private:
  std::span<const std::string_view> outer_;
};

}  // namespace basalt
