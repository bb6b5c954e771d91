// Fuzzes the HTTP front end end to end, in process: a Server and an HttpFrontEnd as main() builds
// them, a loopback TCP connection accepted by the server's own accept path into a real
// HttpConnection, and the input written to it as a client would. Everything behind the socket is
// production code: llhttp and its callbacks, the head/body limits, routing, auth, CORS, JSON bodies
// -> arguments, the engine, reply -> JSON, serialisation and the write path. Oracles besides
// ASan/UBSan/LSan: what the server sends is HTTP/1.1 responses back to back, each with a status
// line and a status code, complete unless the server closed the connection.
//
// Input: byte 0 picks the configuration (password, read-only token, a small http-max-body, the
// admin port instead of the API port, CORS origins; 0xc0 alone sets maxclients to 0); byte 1 how
// the rest is cut into writes (0: one write; n: pieces of n bytes with a loop turn between them, so
// llhttp delivers values in pieces); the rest is what the clients send, one connection per part
// between kClientSeparator markers (at most kMaxClients).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "commands/engine.hpp"
#include "config/config.hpp"
#include "http/frontend.hpp"
#include "http/http_connection.hpp"
#include "server/server.hpp"

namespace {

using namespace basalt;

// Seeds use these to get past authentication.
constexpr std::string_view kPassword = "fuzz-password";
constexpr std::string_view kReadonlyToken = "fuzz-readonly";
// Loop turns without news from the server before the input counts as answered, and a bound on
// turns in all (a blocked command never answers).
constexpr int kQuietTurns = 3;
constexpr int kMaxTurns = 2000;
// The input may hold several clients' bytes, cut at this marker: one client's request can then
// wait on another's (a blocking pop served by a push, CLIENT KILL, CLIENT PAUSE ...).
constexpr std::string_view kClientSeparator = "\n--next-client--\n";
constexpr size_t kMaxClients = 3;

[[noreturn]] void fail(const char* what, std::string_view received) {
  std::fprintf(stderr, "%s; the server sent %zu bytes:\n%.*s\n", what, received.size(),
               static_cast<int>(std::min<size_t>(received.size(), 4000)), received.data());
  __builtin_trap();
}

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::abort();
}

Handler g_debug = nullptr;

// DEBUG SLEEP would stop the fuzzer for as long as an input asks; the rest of DEBUG stays.
void debug_without_sleep(CommandContext& ctx) {
  if (ctx.argc() >= 2 && iequals(ctx.arg(1), "sleep")) {
    ctx.reply.ok();
    return;
  }
  g_debug(ctx);
}

void disable_debug_sleep(Engine& engine) {
  // The table is the engine's own (non-const) member; only its accessor is const.
  auto* debug = const_cast<Command*>(engine.commands().find("debug"));
  if (debug == nullptr) return;
  if (g_debug == nullptr) g_debug = debug->spec.handler;
  debug->spec.handler = debug_without_sleep;
}

Config make_config(uint8_t variant) {
  Config c;
  c.bind = "127.0.0.1";
  c.port = 0;  // no RESP listener
  c.http_port = 0;
  c.admin_port = 0;  // the harness listens itself, on a port the kernel picks
  c.databases = 4;
  c.proto_max_bulk_len = 1024 * 1024;  // keeps SETRANGE/APPEND growth small
  c.loglevel = "warning";
  if (variant & 0x01) c.requirepass = kPassword;
  if (variant & 0x02) c.http_readonly_token = kReadonlyToken;
  if (variant & 0x04) c.http_max_body = 1024;  // the smallest http-max-body accepts
  switch ((variant >> 4) & 3) {
    case 1:
      c.http_cors_origins = "*";
      break;
    case 2:
      c.http_cors_origins = "https://app.example";
      break;
    case 3:
      c.http_cors_origins = "https://a.example, https://b.example";
      break;
  }
  if (variant == 0xc0) c.maxclients = 0;  // every connection refused with a 503
  return c;
}

int listening_port(uv_loop_t* loop) {
  int port = 0;
  uv_walk(
      loop,
      [](uv_handle_t* h, void* arg) {
        if (h->type != UV_TCP) return;
        sockaddr_storage ss;
        int len = sizeof(ss);
        if (uv_tcp_getsockname(reinterpret_cast<uv_tcp_t*>(h), reinterpret_cast<sockaddr*>(&ss),
                               &len) == 0 &&
            ss.ss_family == AF_INET) {
          *static_cast<int*>(arg) = ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
        }
      },
      &port);
  return port;
}

int connect_client(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Blocking: the kernel completes the handshake from the listen backlog, before any accept().
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) die("connect");
  // Closing with a reset leaves no TIME_WAIT behind: thousands of inputs a second would otherwise
  // run out of ephemeral ports.
  linger no_linger{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &no_linger, sizeof(no_linger));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

struct Client {
  int fd = -1;
  std::string_view to_send;
  size_t sent = 0;
  std::string received;
  bool closed = false;  // by the server
};

// One loop turn, then whatever the server has sent to each client. Returns the number of bytes
// received.
size_t turn(uv_loop_t* loop, std::vector<Client>& clients) {
  uv_run(loop, UV_RUN_NOWAIT);
  size_t got = 0;
  char buf[64 * 1024];
  for (Client& c : clients) {
    while (!c.closed) {
      ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
      if (n > 0) {
        c.received.append(buf, static_cast<size_t>(n));
        got += static_cast<size_t>(n);
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) c.closed = true;
      break;
    }
  }
  return got;
}

bool starts_response(std::string_view s, size_t at) {
  return at == s.size() || s.substr(at).starts_with("HTTP/1.1 ");
}

// Walks the responses the server sent. A response to HEAD announces a Content-Length it does not
// send, so the next response starts either after the body or right after the head.
void check_responses(std::string_view s, bool closed) {
  size_t pos = 0;
  while (pos < s.size()) {
    std::string_view r = s.substr(pos);
    if (!r.starts_with("HTTP/1.1 ")) {
      if (closed && std::string_view("HTTP/1.1 ").starts_with(r)) return;
      fail("a response does not start with \"HTTP/1.1 \"", s);
    }
    size_t head_end = r.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
      if (closed) return;
      fail("a response head never ends", s);
    }
    std::string_view head = r.substr(0, head_end + 2);
    int status = 0;
    for (size_t i = 9; i < 12; ++i) {
      if (i >= head.size() || head[i] < '0' || head[i] > '9') fail("no status code", s);
      status = status * 10 + (head[i] - '0');
    }
    if (head.size() < 13 || head[12] != ' ' || status < 100 || status > 599) {
      fail("malformed status line", s);
    }
    size_t length = 0;
    bool bodiless = status < 200 || status == 204 || status == 304;
    size_t cl = head.find("\r\nContent-Length: ");
    if (cl != std::string_view::npos) {
      auto digits = head.substr(cl + 18, head.find("\r\n", cl + 2) - (cl + 18));
      auto v = parse_int64(digits);
      if (!v || *v < 0) fail("malformed Content-Length", s);
      length = static_cast<size_t>(*v);
    } else if (!bodiless) {
      fail("a response with a body has no Content-Length", s);
    }
    size_t after_head = pos + head_end + 4;
    size_t after_body = after_head + length;
    if (after_body <= s.size() && starts_response(s, after_body)) {
      pos = after_body;
    } else if (starts_response(s, after_head)) {
      pos = after_head;
    } else if (closed && after_body > s.size()) {
      return;
    } else {
      fail("bytes after a response that are not a response", s);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Every input ends in a shutdown, which the server logs as a warning: thousands a second would
  // bury the fuzzer's own output. BASALT_FUZZ_VERBOSE=1 keeps the log and prints each exchange.
  if (std::getenv("BASALT_FUZZ_VERBOSE") == nullptr) set_log_file("/dev/null");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t variant = data[0];
  const size_t piece = data[1];
  std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  // CONFIG SET loglevel changes the process's level; later inputs must not inherit it.
  const LogLevel level = log_detail::g_level;

  Config config = make_config(variant);
  {
    Server server(config);
    http::HttpFrontEnd front_end(server);
    std::string error;
    if (!server.start(&error) || !front_end.start(&error)) {
      std::fprintf(stderr, "start: %s\n", error.c_str());
      std::abort();
    }
    disable_debug_sleep(server.engine());
    const bool admin = (variant & 0x08) != 0;
    auto factory = [&front_end, admin](Server&) -> StreamConnection* {
      return new http::HttpConnection(front_end, admin);
    };
    if (!server.listen("127.0.0.1", 0, admin ? kAdminListener : kHttpListener, factory, &error) ||
        !server.open_listeners(&error)) {
      std::fprintf(stderr, "listen: %s\n", error.c_str());
      std::abort();
    }
    // Up to kMaxClients connections, all open before the first byte is sent; each writes its part
    // in turn.
    std::vector<Client> clients;
    for (std::string_view rest = input; clients.size() < kMaxClients;) {
      size_t cut =
          clients.size() + 1 < kMaxClients ? rest.find(kClientSeparator) : std::string_view::npos;
      Client& c = clients.emplace_back();
      c.fd = connect_client(listening_port(server.loop()));
      c.to_send = rest.substr(0, cut);
      if (cut == std::string_view::npos) break;
      rest.remove_prefix(cut + kClientSeparator.size());
    }

    int turns = 0;
    for (Client& c : clients) {
      while (c.sent < c.to_send.size() && !c.closed && turns < kMaxTurns) {
        size_t left = c.to_send.size() - c.sent;
        ssize_t n = send(c.fd, c.to_send.data() + c.sent, piece == 0 ? left : std::min(piece, left),
                         MSG_NOSIGNAL);
        if (n > 0) {
          c.sent += static_cast<size_t>(n);
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          c.closed = true;  // reset by the server
        }
        turn(server.loop(), clients);
        ++turns;
      }
    }
    for (int quiet = 0; quiet < kQuietTurns && turns < kMaxTurns; ++turns) {
      quiet = turn(server.loop(), clients) > 0 ? 0 : quiet + 1;
    }
    for (Client& c : clients) {
      if (std::getenv("BASALT_FUZZ_VERBOSE") != nullptr) {
        std::fprintf(stderr, "--- variant 0x%02x, pieces of %zu, sent %zu of %zu, %s\n%s\n",
                     variant, piece, c.sent, c.to_send.size(),
                     c.closed ? "closed by the server" : "still open", c.received.c_str());
      }
      check_responses(c.received, c.closed);
      close(c.fd);
    }

    // As on SIGTERM: the next check phase closes every handle; then their close callbacks run.
    server.request_shutdown();
    uv_run(server.loop(), UV_RUN_NOWAIT);
    uv_run(server.loop(), UV_RUN_DEFAULT);
    if (uv_loop_alive(server.loop())) {
      std::fprintf(stderr, "the loop still has live handles after shutdown\n");
      __builtin_trap();
    }
  }
  set_log_level(level);
  return 0;
}
