// basalt-server: parses the configuration, starts the RESP listener (and the HTTP front end when
// built in) on one libuv loop, and runs until SIGTERM, SIGINT or SHUTDOWN.

#include <unistd.h>

#include <cerrno>
#include <clocale>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "base/allocator.hpp"
#include "base/log.hpp"
#include "commands/command_docs.hpp"
#include "config/config.hpp"
#include "server/proc_title.hpp"
#include "server/server.hpp"
#include "server/supervision.hpp"

#ifdef BASALT_HAVE_HTTP
#include "http/http_server.hpp"
#endif

namespace {
// "basalt-server v=0.1.0 redis=7.0.15 malloc=jemalloc-5.3.0 bits=64", in redis-server -v's shape.
std::string version_line() {
  return std::string("basalt-server v=") + BASALT_VERSION +
         " redis=" + std::string(basalt::docs::docs_redis_version()) +
         " malloc=" + std::string(basalt::allocator_name()) +
         " bits=" + std::to_string(sizeof(void*) * 8);
}
}  // namespace

int main(int argc, char** argv) {
  // First: it moves argv and the environment, where the process title will be written.
  basalt::init_proc_title(argc, argv);
  // SORT ... ALPHA collates in the environment's locale, as Redis's (it sets LC_COLLATE alone).
  std::setlocale(LC_COLLATE, "");
  if (argc == 2 &&
      (std::string_view(argv[1]) == "--version" || std::string_view(argv[1]) == "-v")) {
    std::printf("%s\n", version_line().c_str());
    return 0;
  }
  basalt::Config config;
  bool help = false;
  if (auto err = basalt::ConfigRegistry::load(config, argc, argv, &help)) {
    std::fprintf(stderr, "basalt-server: invalid %s: %s\n", err->name.c_str(), err->reason.c_str());
    return 1;
  }
  if (help) {
    std::fputs(basalt::ConfigRegistry::help_text().c_str(), stdout);
    return 0;
  }
  basalt::LogLevel level;
  basalt::parse_log_level(config.loglevel, &level);
  basalt::set_log_level(level);
  if (!basalt::set_log_file(config.logfile)) {
    std::fprintf(stderr, "basalt-server: invalid logfile: cannot open '%s'\n",
                 config.logfile.c_str());
    return 1;
  }
  BASALT_LOG(kNotice, "%s pid=%d, just started", version_line().c_str(),
             static_cast<int>(getpid()));
  // As redis-server: a supervised server stays in the foreground whatever daemonize says. Before
  // the server exists, so that no thread or loop is forked.
  const basalt::Supervision supervision = basalt::resolve_supervision(config.supervised);
  const bool background = config.daemonize == "yes" && supervision == basalt::Supervision::kNone;
  if (background && !basalt::daemonize()) {
    std::fprintf(stderr, "basalt-server: cannot daemonize: %s\n", std::strerror(errno));
    return 1;
  }
  // Huge pages only while a dataset loads (base/allocator.cpp); pages faulted from here on
  // follow that rule (the few the process touched while starting stay as they are).
  if (!basalt::allow_huge_pages(false)) {
    BASALT_LOG(kWarning, "the kernel refused prctl(PR_SET_THP_DISABLE): %s", std::strerror(errno));
  }
  basalt::Server server(config);
  std::string error;
  if (!server.start(&error)) {
    BASALT_LOG(kWarning, "%s", error.c_str());
    std::fprintf(stderr, "basalt-server: %s\n", error.c_str());
    return 1;
  }
#ifdef BASALT_HAVE_HTTP
  if (!basalt::http::start_http(server, &error)) {
    std::fprintf(stderr, "basalt-server: %s\n", error.c_str());
    return 1;
  }
#endif
  // Every port starts taking connections at once, once every front end is set up.
  if (!server.open_listeners(&error)) {
    BASALT_LOG(kWarning, "%s", error.c_str());
    std::fprintf(stderr, "basalt-server: %s\n", error.c_str());
    return 1;
  }
  // Redis's start-up banner: with always-show-logo (or a terminal on stdout and no logfile) a
  // line naming the version, mode, port and pid, which tools that start redis-server look for
  // (Redis's test suite waits for " PID: <pid>"); otherwise Redis's "Running mode=" line.
  const bool banner =
      config.always_show_logo == "yes" || (config.logfile.empty() && isatty(STDOUT_FILENO) != 0);
  if (banner) {
    BASALT_LOG(kNotice,
               "Basalt %s (Redis %s compatible) %d bit, standalone mode, Port: %lld, PID: %d",
               BASALT_VERSION, std::string(basalt::docs::docs_redis_version()).c_str(),
               static_cast<int>(sizeof(void*) * 8), static_cast<long long>(config.port),
               static_cast<int>(getpid()));
  } else {
    BASALT_LOG(kNotice, "Running mode=standalone, port=%lld.", static_cast<long long>(config.port));
  }
  server.update_proc_title();
  basalt::PidFile pid_file;
  if (background || !config.pidfile.empty()) {
    pid_file.write(config.pidfile.empty() ? "/var/run/redis.pid" : config.pidfile);
  }
  server.set_supervision(supervision);
  return server.run();
}
