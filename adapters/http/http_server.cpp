#include "http/http_server.hpp"

#include <memory>

#include "http/frontend.hpp"

namespace basalt::http {

bool start_http(Server& server, std::string* error) {
  // Lives as long as the process: connections refer to it until their close callbacks, which run
  // after the loop has stopped.
  static std::unique_ptr<HttpFrontEnd> front_end;
  front_end = std::make_unique<HttpFrontEnd>(server);
  return front_end->start(error);
}

}  // namespace basalt::http
