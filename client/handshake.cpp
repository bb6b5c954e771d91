#include "handshake.hpp"

#include "basalt/errors.hpp"
#include "protocol/writer.hpp"

namespace basalt::detail {
namespace {

bool IsAuthError(const Reply& r) {
  const std::string& s = r.str();
  return s.starts_with("WRONGPASS") || s.starts_with("NOAUTH") || s.starts_with("NOPERM") ||
         s.find("invalid password") != std::string::npos ||
         s.find("without any password configured") != std::string::npos;
}

[[noreturn]] void Refused(const std::string& what, const Reply& r, const char* advice) {
  throw ConnectionError("basalt: " + what + " refused by the server: " + r.str() + " (" + advice +
                        ")");
}

void CheckAuth(const Reply& r) {
  if (!r.is_error()) return;
  if (r.str().starts_with("NOAUTH")) {
    Refused("the connection", r, "the server requires a password: set Options::password");
  }
  if (IsAuthError(r)) Refused("authentication", r, "check Options::user and Options::password");
}

}  // namespace

Handshake::Handshake(const Options& options) : options_(options) {
  if (options.protocol != 3) {
    start_resp2();
    return;
  }
  std::vector<std::string_view> hello = {"HELLO", "3"};
  if (!options.password.empty()) {
    hello.insert(hello.end(), {"AUTH",
                               options.user.empty() ? std::string_view("default")
                                                    : std::string_view(options.user),
                               options.password});
  }
  if (!options.client_name.empty()) hello.insert(hello.end(), {"SETNAME", options.client_name});
  resp::append_command(out_, hello);
  count_ = 1;
  if (options.database != 0) {
    const std::string db = std::to_string(options.database);
    resp::append_command(out_, {"SELECT", db});
    ++count_;
  }
}

void Handshake::start_resp2() {
  step_ = Step::kResp2;
  protocol_ = 2;
  out_.clear();
  count_ = 0;
  if (!options_.password.empty()) {
    if (options_.user.empty()) {
      resp::append_command(out_, {"AUTH", options_.password});
    } else {
      resp::append_command(out_, {"AUTH", options_.user, options_.password});
    }
    ++count_;
  }
  if (!options_.client_name.empty()) {
    resp::append_command(out_, {"CLIENT", "SETNAME", options_.client_name});
    ++count_;
  }
  if (options_.database != 0) {
    const std::string db = std::to_string(options_.database);
    resp::append_command(out_, {"SELECT", db});
    ++count_;
  }
}

void Handshake::on_replies(std::vector<Reply>& replies) {
  if (step_ == Step::kHello) {
    const Reply& hello = replies.at(0);
    if (hello.is_error()) {
      CheckAuth(hello);
      // NOPROTO, an unknown HELLO, or anything else short of an authentication failure: the
      // server does not do RESP3, so do it the RESP2 way.
      start_resp2();
      return;
    }
    if (replies.size() > 1 && replies[1].is_error()) {
      Refused("SELECT " + std::to_string(options_.database), replies[1], "check Options::database");
    }
    protocol_ = 3;
    out_.clear();
    count_ = 0;
    return;
  }
  size_t i = 0;
  if (!options_.password.empty()) {
    const Reply& r = replies.at(i++);
    CheckAuth(r);
    if (r.is_error()) Refused("AUTH", r, "check Options::user and Options::password");
  }
  if (!options_.client_name.empty()) {
    const Reply& r = replies.at(i++);
    if (r.is_error()) {
      CheckAuth(r);
      Refused("CLIENT SETNAME", r, "check Options::client_name: no spaces or newlines");
    }
  }
  if (options_.database != 0) {
    const Reply& r = replies.at(i++);
    if (r.is_error()) {
      CheckAuth(r);
      Refused("SELECT " + std::to_string(options_.database), r, "check Options::database");
    }
  }
  out_.clear();
  count_ = 0;
}

}  // namespace basalt::detail
