#pragma once
// One request being answered: what a route handler works with. Routes build argument lists and
// run them through the engine (the same dispatcher as RESP) with run(); the replies are captured
// in a tree, and the route shapes the HTTP response from it afterwards. No command logic here.

#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "commands/engine.hpp"
#include "http/message.hpp"
#include "http/reply_tree.hpp"
#include "http/router.hpp"

namespace basalt::http {

class HttpFrontEnd;

class Exchange {
 public:
  Exchange(HttpFrontEnd& front_end, Engine& engine, Session& session, JsonReplyBuilder& reply,
           Request& req, Response& res)
      : req(req),
        res(res),
        front_end_(front_end),
        engine_(engine),
        session_(session),
        reply_(reply) {}

  HttpFrontEnd& front_end() { return front_end_; }
  Engine& engine() { return engine_; }
  Session& session() { return session_; }
  JsonReplyBuilder& reply() { return reply_; }

  // Runs one command and returns its reply. Views into earlier replies' text may move when the
  // tree grows: read what you need from a reply before the next run(). If the command blocked, the
  // returned ref is not valid() and blocked() is true; a command that sent no reply without
  // blocking (SHUTDOWN) returns a null reply.
  ReplyRef run(std::span<const std::string_view> argv);
  ReplyRef run(std::initializer_list<std::string_view> argv) {
    return run(std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  bool blocked() const { return session_.blocked != nullptr; }

  // After a command blocked: the response is finished later by `then`, given the late reply
  // (a nil array when the wait timed out).
  using Continuation = std::function<void(Exchange&, ReplyRef)>;
  void wait(uint32_t mark, Continuation then) {
    wait_mark_ = mark;
    continuation_ = std::move(then);
  }
  bool waiting() const { return static_cast<bool>(continuation_); }
  // Called by the connection when the blocked command has replied.
  void resume();

  // Responses.
  void json(int status, std::string body);
  // The resource API's error envelope: {"error":{"code":"...","message":"..."}}.
  void error(int status, std::string_view code, std::string_view message);
  // The command API's envelope, as Upstash's clients read it: {"error":"<message>"}.
  void command_error(int status, std::string_view message);
  // An engine error reply in that envelope, with its HTTP status (WRONGTYPE 409, NOPERM 403 ...).
  void engine_error(ReplyRef err);
  void empty(int status);

  Request& req;
  Response& res;
  std::string_view route = "unmatched";  // the route template (router-owned), for metrics
  // Decided from the request's head by HttpFrontEnd::admit, before the body is read.
  bool target_ok = false;
  RouteMatch match;

 private:
  HttpFrontEnd& front_end_;
  Engine& engine_;
  Session& session_;
  JsonReplyBuilder& reply_;
  Continuation continuation_;
  uint32_t wait_mark_ = 0;
};

// HTTP status for an error reply's code (first word): WRONGTYPE 409, NOPERM 403, NOAUTH 401,
// everything else 400.
int status_for_error(std::string_view error_text);

}  // namespace basalt::http
