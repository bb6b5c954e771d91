// The connection handshake shared by the sync and async clients: HELLO 3 (with AUTH and SETNAME)
// and SELECT, falling back to AUTH / CLIENT SETNAME / SELECT in RESP2 when the server refuses
// HELLO 3. I/O free: it says what to send and judges the replies.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "basalt/options.hpp"
#include "basalt/reply.hpp"

namespace basalt::detail {

class Handshake {
 public:
  explicit Handshake(const Options& options);
  // Whether nothing is left to send.
  bool done() const { return count_ == 0; }
  // The bytes of the current step and the number of replies they produce.
  const std::string& out() const { return out_; }
  size_t replies() const { return count_; }
  // Judges the replies of the current step and prepares the next one. Throws ConnectionError
  // when the server refuses the credentials, the database or the name.
  void on_replies(std::vector<Reply>& replies);
  // 3, or 2 after a fallback; meaningful once done().
  int protocol() const { return protocol_; }

 private:
  void start_resp2();

  const Options options_;  // a copy: callers may pass a temporary
  std::string out_;
  size_t count_ = 0;
  enum class Step { kHello, kResp2 } step_ = Step::kHello;
  int protocol_ = 3;
};

}  // namespace basalt::detail
