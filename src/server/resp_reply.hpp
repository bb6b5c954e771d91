#pragma once
// The RESP front end's ReplyBuilder: appends RESP2 or RESP3 frames (whichever the session
// negotiated with HELLO) straight into the connection's output buffer.

#include <string>

#include "commands/reply_builder.hpp"

namespace basalt {

class RespReplyBuilder final : public ReplyBuilder {
 public:
  // protocol points at the session's negotiated version, so HELLO 3 takes effect at once.
  RespReplyBuilder(std::string* out, const int* protocol) : out_(out), protocol_(protocol) {}
  void set_output(std::string* out) { out_ = out; }

  void simple(std::string_view s) override;
  void integer(int64_t v) override;
  void bulk(std::string_view s) override;
  void null() override;
  void null_array() override;
  void array(size_t n) override;
  void map(size_t pairs) override;
  void set(size_t n) override;
  void dbl(double v) override;
  void boolean(bool v) override;
  void verbatim(std::string_view format, std::string_view text) override;
  void bignum(std::string_view digits) override;
  void push(size_t n) override;
  void attribute(size_t pairs) override;
  int protocol() const override { return *protocol_; }

 protected:
  void write_error(std::string_view text) override;

 private:
  bool resp3() const { return *protocol_ >= 3; }
  std::string* out_;
  const int* protocol_;
};

}  // namespace basalt
