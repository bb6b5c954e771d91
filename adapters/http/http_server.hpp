#pragma once
// The HTTP front end's entry point: main() calls start_http() after the server has started.

#include <string>

namespace basalt {
class Server;
}

namespace basalt::http {

// Opens the HTTP API port (--http-port) and the admin port (--admin-port) on the server's loop.
// Returns false with *error set if a port cannot be opened.
bool start_http(Server& server, std::string* error);

}  // namespace basalt::http
