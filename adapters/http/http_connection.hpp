#pragma once
// One HTTP/1.1 connection (API or admin port): llhttp parses the byte stream; each complete
// request is answered before the next is parsed, so pipelined requests get their responses in
// order, and a request that waits (a blocking pop) holds the ones behind it, as HTTP/1.1 requires.
// Responses go to the shared output buffer, flushed once per loop turn.

#include <llhttp.h>

#include <cstdint>
#include <string>

#include "commands/engine.hpp"
#include "http/exchange.hpp"
#include "http/message.hpp"
#include "http/reply_tree.hpp"
#include "server/stream.hpp"

namespace basalt::http {

class HttpFrontEnd;

// Limits on a request's head (request line and headers).
inline constexpr size_t kMaxHeadBytes = 64 * 1024;
inline constexpr size_t kMaxTargetBytes = 16 * 1024;
inline constexpr size_t kMaxHeaders = 128;
// Responses waiting to be written before a connection stops answering pipelined requests.
inline constexpr size_t kMaxPendingOutput = 16 * 1024 * 1024;
// The same before any request on the connection has presented the password, when one is set: an
// unauthenticated peer gets answers to a few requests it does not read (the docs, 404s), not
// 16 MB of them; and its unread requests are limited to one head's worth before it is closed.
inline constexpr size_t kMaxPendingOutputUnauthenticated = 32 * 1024;
inline constexpr size_t kMaxUnreadInputUnauthenticated = kMaxHeadBytes;

class HttpConnection final : public StreamConnection, public ClientLink {
 public:
  HttpConnection(HttpFrontEnd& front_end, bool admin_port);
  ~HttpConnection() override = default;

  // ClientLink
  ReplyBuilder& async_reply() override { return reply_; }
  void on_unblocked() override;
  void kill() override { close_soon(); }
  size_t query_buffer_bytes() const override;
  size_t output_buffer_bytes() const override { return pending_output(); }

  void resume() override;
  void refuse(int http_status, std::string_view error, bool at_capacity) override;
  bool idle_exempt() const override { return state_ == State::kWaiting; }

  // Called by the front end's timer: header/body timeouts, idle keep-alive, lingering close.
  void check_timeouts(int64_t now_ms);

 protected:
  void on_read() override { process_input(); }
  void on_start() override;
  void on_close() override;
  size_t read_hint() const override { return state_ == State::kBody ? 64 * 1024 : 0; }

 private:
  enum class State : uint8_t {
    kIdle,      // between requests
    kHead,      // request line and headers arriving
    kBody,      // body arriving
    kWaiting,   // the request's command is blocked; later requests stay unparsed
    kDraining,  // an error response was sent; input is discarded until close
  };

  static int on_message_begin(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, size_t len);
  static int on_header_field(llhttp_t* p, const char* at, size_t len);
  static int on_header_value(llhttp_t* p, const char* at, size_t len);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, size_t len);
  static int on_message_complete(llhttp_t* p);
  static const llhttp_settings_t& settings();

  int reject_in_parser(int status, std::string_view message);
  // Stops the parser with res_ (already filled in) as the final response.
  int refuse_in_parser();
  // True once a request has passed the token check (or when no password is needed).
  bool trusted() const;
  // Whether the run of SP, HT, CR and LF just before `at` holds a line end (obs-fold).
  bool line_end_before(const char* at) const;
  // Keeps tail_ws_has_lf_ for the bytes llhttp has just consumed.
  void note_consumed(std::string_view consumed);
  size_t output_limit() const;
  void process_input();
  void handle_request();
  void finish_request();
  // Answers with an error, then discards input for a while and closes (a lingering close, so the
  // client reads the response instead of a reset).
  void fail_connection(int status, std::string_view message);
  // Sends res_ and closes the same way.
  void refuse_and_drain();

  HttpFrontEnd& fe_;
  bool admin_;
  llhttp_t parser_;
  Session* session_ = nullptr;
  JsonReplyBuilder reply_;
  Request req_;
  Response res_;
  Exchange ex_;
  State state_ = State::kIdle;
  bool stop_ = false;           // closing after this response: parse nothing more
  bool output_paused_ = false;  // too many responses unread by the client
  std::string header_field_, header_value_;
  size_t head_bytes_ = 0;
  bool discard_body_ = false;   // the answer does not depend on this request's body
  bool authenticated_ = false;  // a request on this connection presented the password
  bool refused_ = false;        // res_ holds the refusal to send (see refuse_in_parser)
  // The buffer llhttp is parsing, and whether the whitespace the previous buffers ended with
  // holds a line end: what line_end_before() needs to look back past the start of the buffer.
  const char* exec_begin_ = nullptr;
  bool tail_ws_has_lf_ = false;
  int reject_status_ = 0;
  std::string reject_message_;
  std::string request_id_;
  int64_t request_start_ms_ = 0, headers_done_ms_ = 0, idle_since_ms_ = 0, drain_deadline_ms_ = 0;
  uint64_t handle_start_ns_ = 0;
  uv_shutdown_t shutdown_req_;
  bool shutdown_sent_ = false;
};

}  // namespace basalt::http
