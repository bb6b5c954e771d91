#pragma once
// How basalt-server lives under a process manager, as redis-server does: `daemonize yes` detaches
// at start, `pidfile` names the process, and `supervised systemd|upstart` tells the supervisor
// when the server is ready (after the dataset has loaded) and when it is stopping. With these,
// basalt-server starts from a stock redis.conf and from Debian's redis-server.service unchanged
// (Type=notify, --supervised systemd --daemonize no).

#include <string>
#include <string_view>

namespace basalt {

enum class Supervision { kNone, kSystemd, kUpstart };

// `supervised`'s value resolved against the environment: auto picks systemd when NOTIFY_SOCKET
// is set and upstart when UPSTART_JOB is; a mode whose variable is missing falls back to none,
// with Redis's warning.
Supervision resolve_supervision(std::string_view setting);
// INFO's process_supervised: "systemd", "upstart" or "no".
std::string_view supervision_name(Supervision s);

// Redis's daemonize(): fork, the parent exits, the child starts a session and points stdin,
// stdout and stderr at /dev/null. Call before any thread or loop exists. False if fork failed.
bool daemonize();

// The pid file: written at start (a failure is logged, not fatal, as in Redis) and removed at exit.
class PidFile {
 public:
  PidFile() = default;
  ~PidFile() { remove(); }
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;
  void write(const std::string& path);
  void remove();

 private:
  std::string path_;
};

// oom-score-adj: Redis's setOOMScoreAdj for the one process class Basalt has (master: no
// replicas, no fork). The score the process had before the first adjustment is kept, so that
// `no` restores it and `relative` adds to it. Writes only when mode or values change.
class OomScoreAdjuster {
 public:
  // False, with Redis's warning logged, if /proc/self/oom_score_adj could not be read or written.
  bool apply(const std::string& mode, const std::string& values);

 private:
  bool adjusted_ = false;
  int base_ = 0;
  std::string applied_mode_ = "no", applied_values_;
};

// systemd's sd_notify, without libsystemd: one datagram to $NOTIFY_SOCKET. upstart: the server
// stops itself with SIGSTOP once ready, which upstart's "expect stop" waits for.
void notify_ready(Supervision s);
void notify_stopping(Supervision s);

}  // namespace basalt
