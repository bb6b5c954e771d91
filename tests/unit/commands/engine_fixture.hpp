#pragma once
// In-process fixture for command tests: a real Engine on a ManualClock, clients that reply in
// RESP bytes through the server's own RespReplyBuilder. run({"SET","k","v"}) returns the exact
// bytes a socket client would read, so expectations read like Redis's wire format.

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/engine.hpp"
#include "server/resp_reply.hpp"
#include "store/clock.hpp"

namespace basalt::testing {

class TestClient final : public ClientLink {
 public:
  TestClient() : builder_(&out_, &protocol_storage_) {}
  void attach(Session* s) {
    session = s;
    builder_ = RespReplyBuilder(&out_, &s->protocol);
  }
  ReplyBuilder& async_reply() override { return builder_; }
  void on_unblocked() override { ++unblocked; }
  void kill() override { killed = true; }
  size_t query_buffer_bytes() const override { return 0; }
  size_t output_buffer_bytes() const override { return out_.size(); }

  // Bytes written since the last take().
  std::string take() { return std::exchange(out_, {}); }
  RespReplyBuilder& builder() { return builder_; }

  Session* session = nullptr;
  int unblocked = 0;
  bool killed = false;

 private:
  std::string out_;
  int protocol_storage_ = 2;
  RespReplyBuilder builder_;
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override {
    for (auto& c : clients_) engine_->close_session(c->session);
  }
  // Restart with a changed config (e.g. requirepass) before the first run().
  void start() {
    clients_.clear();
    engine_ = std::make_unique<Engine>(config_, clock_, 42);
  }

  // DEBUG is refused by default (enable-debug-command no); these tests run it as Redis's own
  // test suite does, with the option on. ServerTest.DebugIsProtected checks the default.
  static Config test_config() {
    Config c;
    c.enable_debug_command = "yes";
    c.save = "";  // no dump.rdb in the tests' working directory (FLUSHALL saves with rules)
    return c;
  }

  TestClient& client(size_t i = 0) {
    while (clients_.size() <= i) {
      auto c = std::make_unique<TestClient>();
      c->attach(engine_->open_session(Frontend::kResp, c.get()));
      clients_.push_back(std::move(c));
    }
    return *clients_[i];
  }

  Database& db(int index = 0) { return engine_->store().db(index); }

  // Runs one command as client i and returns its reply bytes (empty while the command blocks).
  std::string run(std::vector<std::string_view> argv, size_t i = 0) {
    TestClient& c = client(i);
    engine_->execute(*c.session, argv, c.builder());
    return c.take();
  }
  std::string run(std::initializer_list<std::string_view> argv, size_t i = 0) {
    return run(std::vector<std::string_view>(argv), i);
  }

  // Moves time forward and lets the engine act on it (blocked-client timeouts, active expiry).
  void advance_ms(int64_t ms) {
    clock_.advance_ms(ms);
    engine_->expire_blocked_clients();
  }

  ManualClock clock_;
  Config config_ = test_config();
  std::unique_ptr<Engine> engine_;
  std::vector<std::unique_ptr<TestClient>> clients_;
};

// Exact RESP encodings, to keep expectations short.
inline std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
// The bytes of one bulk (or RESP3 verbatim) reply, bulk()'s inverse; "" for any other reply.
inline std::string bulk_body(const std::string& reply) {
  const size_t start = reply.find("\r\n") + 2;
  if ((reply[0] != '$' && reply[0] != '=') || start < 2 || reply.size() < start + 2) return "";
  return reply.substr(start, reply.size() - start - 2);
}
inline std::string integer(int64_t v) { return ":" + std::to_string(v) + "\r\n"; }
inline std::string array(std::initializer_list<std::string> items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (auto& i : items) out += i;
  return out;
}
inline std::string err(std::string_view text) { return "-" + std::string(text) + "\r\n"; }
inline const std::string kOk = "+OK\r\n";
inline const std::string kNil = "$-1\r\n";
inline const std::string kNilArray = "*-1\r\n";

}  // namespace basalt::testing
