#pragma once
// A RESP client: parses pipelined requests out of the read buffer (arguments stay views into it
// while the batch runs), executes each through the engine, and appends the replies to the output
// buffer that the server flushes once per loop turn.

#include <utility>
#include <vector>

#include "commands/engine.hpp"
#include "protocol/request_parser.hpp"
#include "server/resp_reply.hpp"
#include "server/stream.hpp"

namespace basalt {

class RespConnection final : public StreamConnection, public ClientLink {
 public:
  explicit RespConnection(Server& server);

  // ClientLink
  ReplyBuilder& async_reply() override;
  ReplyBuilder& push_reply() override;
  ReplyBuilder& push_as_reply() override;
  void on_unblocked() override;
  void kill() override { close_soon(); }
  size_t query_buffer_bytes() const override;
  size_t query_buffer_free() const override;
  size_t output_buffer_bytes() const override { return pending_output(); }
  void pushed() override;

  size_t memory_usage() const override {
    return StreamConnection::memory_usage() + parser_.memory_usage() +
           (session_ != nullptr ? session_->state_bytes() : 0);
  }
  bool evictable() const override { return session_ != nullptr && !session_->no_evict; }

  void resume() override { process_input(); }
  bool idle_exempt() const override { return session_ != nullptr && session_->blocked; }
  bool enforce_output_limit() override { return pending_output() > 0 && closed_for_output_limit(); }

 protected:
  void on_read() override { process_input(); }
  void on_start() override;
  void on_close() override;
  size_t read_hint() const override { return parser_.bytes_hint(); }

 private:
  void process_input();
  // Prefetch hints for the pipelined requests after the current one (`rest`: the bytes after it).
  void prefetch_next(std::string_view rest);
  bool output_over_limit();
  // Closes the client when its unread replies are over a limit, at once or (soon) after the
  // loop turn's commands; true if it did.
  bool closed_for_output_limit(bool soon = false);
  void apply_auth_limits();
  void drop_replies_since(size_t reply_start);

  Session* session_ = nullptr;
  resp::RequestParser parser_;
  // How many of the requests after the current one prefetch_next() has already given hints for.
  size_t ahead_left_ = 0;
  RespReplyBuilder reply_;
  // Where a re-run of a blocked or held command began its reply (async_reply()); rerun_ from
  // then until on_unblocked().
  size_t async_reply_start_ = 0;
  bool rerun_ = false;
  size_t push_start_ = 0;  // where the last push_reply() began writing
  // Inside engine.execute() for this client: out-of-band data written now, or during a re-run,
  // is kept (kept_pushes_: [begin, end) offsets) when CLIENT REPLY drops the command's reply.
  bool executing_ = false;
  std::vector<std::pair<size_t, size_t>> kept_pushes_;
  // Out-of-band data for this client written while its own command runs (its own keyspace
  // events, a message it published to itself, SUBSCRIBE's notices): appended after the
  // command's reply, as Redis 7.2 does (7.0 wrote them wherever the reply had got to, even
  // inside an EXEC's or ZPOPMIN's array, which no RESP3 client can parse).
  std::string deferred_pushes_;
  RespReplyBuilder deferred_push_reply_;
  bool last_push_deferred_ = false;  // the frame pushed() reports went to deferred_pushes_
  void forget_kept_pushes();
  int64_t soft_limit_since_ms_ = 0;
  bool limits_authenticated_ = false;
  // Authenticated at some point (or no password needed): only clients that never were get the
  // small output limit; a RESET that asks for AUTH again does not shrink a known client's room.
  bool ever_authenticated_ = false;
};

}  // namespace basalt
