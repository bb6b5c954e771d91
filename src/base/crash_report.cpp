#include "base/crash_report.hpp"

#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>

#include "base/log.hpp"

namespace basalt {

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr size_t kMaxArgs = 32;
constexpr size_t kMaxArgBytes = 128;
constexpr char kHex[] = "0123456789abcdef";

std::atomic<bool> g_enabled{true};
// Written by the loop thread, read by a handler interrupting it: relaxed atomics are plain moves.
std::atomic<const std::string_view*> g_argv{nullptr};
std::atomic<size_t> g_argc{0};

// What the handler writes with: no allocation, no stdio, only write(2).
class RawWriter {
 public:
  explicit RawWriter(int fd) : fd_(fd) {}
  ~RawWriter() { flush(); }
  RawWriter& put(std::string_view s) {
    for (char c : s) {
      if (n_ == sizeof(buf_)) flush();
      buf_[n_++] = c;
    }
    return *this;
  }
  RawWriter& num(int64_t v) {
    if (v < 0) {
      put("-");
      v = -v;
    }
    char digits[24];
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) put(std::string_view(&digits[--n], 1));
    return *this;
  }
  RawWriter& hex(uintptr_t v) {
    char digits[2 * sizeof(v)];
    size_t n = 0;
    do {
      digits[n++] = kHex[v & 15];
      v >>= 4;
    } while (v != 0);
    put("0x");
    while (n > 0) put(std::string_view(&digits[--n], 1));
    return *this;
  }
  // Redis's serverLogFromHandler prefix: no date, which would need the time zone's locks.
  RawWriter& line() { return num(getpid()).put(":signal-handler (").num(time(nullptr)).put(") "); }
  void flush() {
    size_t off = 0;
    while (off < n_) {
      ssize_t w = ::write(fd_, buf_ + off, n_ - off);
      if (w <= 0) break;
      off += static_cast<size_t>(w);
    }
    n_ = 0;
  }

 private:
  int fd_;
  char buf_[512];
  size_t n_ = 0;
};

// An argument as Redis's report shows it, quoted, with what is not printable escaped.
void put_argument(RawWriter& out, std::string_view arg) {
  out.put("'");
  for (size_t i = 0; i < arg.size() && i < kMaxArgBytes; ++i) {
    const auto c = static_cast<unsigned char>(arg[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.put(std::string_view(&arg[i], 1));
    } else {
      const char escaped[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
      out.put(std::string_view(escaped, 4));
    }
  }
  out.put(arg.size() > kMaxArgBytes ? "'... (" : "'");
  if (arg.size() > kMaxArgBytes) out.num(static_cast<int64_t>(arg.size())).put(" bytes)");
}

void report(int sig, const siginfo_t* info) {
  RawWriter out(log_fd());
  out.put("\n\n=== BASALT BUG REPORT START: Cut & paste starting from here ===\n");
  out.line().put("Basalt " BASALT_VERSION " crashed by signal: ").num(sig);
  out.put(", si_code: ").num(info->si_code).put("\n");
  if (sig == SIGSEGV || sig == SIGBUS) {
    out.line().put("Accessing address: ").hex(reinterpret_cast<uintptr_t>(info->si_addr));
    out.put("\n");
  }
  if (info->si_code == SI_USER || info->si_code == SI_TKILL) {
    out.line().put("Killed by PID: ").num(info->si_pid);
    out.put(", UID: ").num(info->si_uid).put("\n");
  }
  out.put("\n------ STACK TRACE ------\n\nBacktrace:\n");
  out.flush();
  void* frames[100];
  const int depth = backtrace(frames, 100);
  backtrace_symbols_fd(frames, depth, log_fd());

  // The request that was running: what a report most needs to reproduce a crash from one request.
  out.put("\n------ CURRENT CLIENT INFO ------\n");
  const std::string_view* argv = g_argv.load(std::memory_order_relaxed);
  const size_t argc = g_argc.load(std::memory_order_relaxed);
  if (argv == nullptr) {
    out.put("no command was running\n");
  } else {
    out.put("argc: ").num(static_cast<int64_t>(argc)).put("\n");
    for (size_t i = 0; i < argc && i < kMaxArgs; ++i) {
      out.put("argv[").num(static_cast<int64_t>(i)).put("]: ");
      put_argument(out, argv[i]);
      out.put("\n");
    }
    if (argc > kMaxArgs) out.put("... ").num(static_cast<int64_t>(argc - kMaxArgs)).put(" more\n");
  }
  out.put(
      "\n=== BASALT BUG REPORT END. Make sure to include from START to END. ===\n\n"
      "       Please report the crash with this report.\n\n");
}

void on_crash_signal(int sig, siginfo_t* info, void* /*context*/) {
  if (g_enabled.load(std::memory_order_relaxed)) report(sig, info);
  // SA_RESETHAND put the default action back: the same signal again ends the process with it
  // (a core dump where enabled), as it would have without the report.
  kill(getpid(), sig);
}

// A handler for a stack overflow needs a stack of its own.
alignas(16) char g_alt_stack[64 * 1024];

}  // namespace

void install_crash_handler() {
  static bool installed = false;
  if (kSanitized || installed) return;
  installed = true;
  // backtrace() loads libgcc on its first call, which allocates: not in a handler.
  void* warm[1];
  backtrace(warm, 1);
  stack_t ss{};
  ss.ss_sp = g_alt_stack;
  ss.ss_size = sizeof(g_alt_stack);
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESETHAND | SA_ONSTACK;
  sa.sa_sigaction = on_crash_signal;
  for (int sig : kCrashSignals) sigaction(sig, &sa, nullptr);
}

void set_crash_log_enabled(bool enabled) { g_enabled.store(enabled, std::memory_order_relaxed); }

CrashContextCommand::CrashContextCommand(std::span<const std::string_view> argv) {
  outer_ = {g_argv.load(std::memory_order_relaxed), g_argc.load(std::memory_order_relaxed)};
  g_argc.store(argv.size(), std::memory_order_relaxed);
  g_argv.store(argv.data(), std::memory_order_relaxed);
}

CrashContextCommand::~CrashContextCommand() {
  g_argv.store(outer_.data(), std::memory_order_relaxed);
  g_argc.store(outer_.size(), std::memory_order_relaxed);
}

}  // namespace basalt
