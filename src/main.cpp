// basalt-server: parses the configuration, starts the RESP listener (and the HTTP front end when
// built in) on one libuv loop, and runs until SIGTERM, SIGINT or SHUTDOWN.

#include <cstdio>

#include "base/log.hpp"
#include "config/config.hpp"
#include "server/server.hpp"

#ifdef BASALT_HAVE_HTTP
#include "http/http_server.hpp"
#endif

int main(int argc, char** argv) {
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
  return server.run();
}
