// Fuzzes the whole command path in process: bytes -> RESP request parser -> engine dispatch ->
// every command family -> RESP reply writer. The oracle, besides the sanitizers: each client's
// output is a stream of well-formed frames that the project's reply reader parses to the end; and
// for a client that got no out-of-band data, every command that did not block produced exactly
// one of them. Out-of-band data (Pub/Sub notices and messages, keyspace notifications, MONITOR
// lines) comes in any number, also inside an EXEC's reply as in Redis, so a client that got some
// is held to the stream's well-formedness only.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "commands/engine.hpp"
#include "protocol/reply_reader.hpp"
#include "protocol/request_parser.hpp"
#include "server/resp_reply.hpp"
#include "store/clock.hpp"

namespace {

using namespace basalt;

class FuzzClient final : public ClientLink {
 public:
  FuzzClient() : builder(&out, &protocol_) {}
  void attach(Session* s) {
    session = s;
    builder = RespReplyBuilder(&out, &s->protocol);
  }
  ReplyBuilder& async_reply() override { return builder; }
  void on_unblocked() override { ++late_replies; }
  void pushed() override { ++pushes; }
  void kill() override {}
  size_t query_buffer_bytes() const override { return 0; }
  size_t output_buffer_bytes() const override { return out.size(); }

  std::string out;
  Session* session = nullptr;
  RespReplyBuilder builder;
  size_t late_replies = 0;
  size_t pushes = 0;

 private:
  int protocol_ = 2;
};

bool allowed(std::string_view name) {
  // DEBUG SLEEP would stall the fuzzer; SHUTDOWN has no host here and is harmless, but pointless.
  static constexpr std::string_view kDenied[] = {"debug", "shutdown"};
  for (auto d : kDenied) {
    if (name.size() == d.size() && strncasecmp(name.data(), d.data(), d.size()) == 0) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ManualClock clock;
  Config config;
  config.proto_max_bulk_len = 1024 * 1024;  // keeps SETRANGE/APPEND growth small
  config.databases = 4;
  Engine engine(config, clock, 1);
  FuzzClient clients[2];
  for (auto& c : clients) c.attach(engine.open_session(Frontend::kResp, &c));

  resp::ParserLimits limits;
  limits.max_bulk_len = 1024 * 1024;
  resp::RequestParser parser(limits);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t replies_expected[2] = {0, 0};
  while (!input.empty()) {
    // The first byte of each request picks the client and how far the clock moves.
    uint8_t control = static_cast<uint8_t>(input[0]);
    input.remove_prefix(1);
    if (parser.parse(input) != resp::ParseStatus::kOk) break;
    auto args = parser.args();
    size_t consumed = parser.consumed();
    FuzzClient& c = clients[control & 1];
    clock.advance_ms((control >> 1) & 0x1f);
    if (!args.empty() && allowed(args[0]) && !c.session->blocked) {
      engine.execute(*c.session, args, c.builder);
      if (!c.session->blocked) ++replies_expected[control & 1];
    }
    engine.expire_blocked_clients();
    if (control & 0x80) engine.cron();
    input.remove_prefix(consumed);
  }
  for (int i = 0; i < 2; ++i) {
    resp::ReplyReader reader;
    reader.feed(clients[i].out);
    size_t n = 0;
    while (reader.next()) ++n;
    const bool counted = clients[i].pushes == 0;
    if (reader.has_error() || reader.buffered() != 0 ||
        (counted && n != replies_expected[i] + clients[i].late_replies)) {
      std::fprintf(stderr, "client %d: %zu replies parsed, %zu expected (+%zu late): %.*s\n", i, n,
                   replies_expected[i], clients[i].late_replies,
                   static_cast<int>(reader.error().size()), reader.error().data());
      __builtin_trap();
    }
  }
  for (auto& c : clients) engine.close_session(c.session);
  return 0;
}
