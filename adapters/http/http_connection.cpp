#include "http/http_connection.hpp"

#include <new>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "http/frontend.hpp"
#include "http/json.hpp"
#include "server/server.hpp"

namespace basalt::http {

namespace {
HttpConnection* self(llhttp_t* p) { return static_cast<HttpConnection*>(p->data); }

uint64_t monotonic_ns() { return uv_hrtime(); }

// RFC 9110 5.6.2: a field name is a token. llhttp 8.1.0 also lets a space through inside a
// name ("Transfer Encoding"), which a proxy in front of us may read differently.
bool is_tchar(unsigned char ch) {
  if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(ch)) != std::string_view::npos;
}

// The password may travel as ?_token= (Upstash's clients allow it); it must not reach the log.
std::string redact_token(std::string_view target) {
  std::string out(target);
  for (size_t at = out.find('?'); at != std::string::npos; at = out.find('&', at + 1)) {
    if (out.compare(at + 1, 7, "_token=") != 0) continue;
    size_t end = out.find('&', at + 1);
    out.replace(at + 8, (end == std::string::npos ? out.size() : end) - (at + 8), "***");
  }
  return out;
}
}  // namespace

const llhttp_settings_t& HttpConnection::settings() {
  static const llhttp_settings_t s = [] {
    llhttp_settings_t st;
    llhttp_settings_init(&st);
    st.on_message_begin = on_message_begin;
    st.on_url = on_url;
    st.on_header_field = on_header_field;
    st.on_header_value = on_header_value;
    st.on_header_value_complete = on_header_value_complete;
    st.on_headers_complete = on_headers_complete;
    st.on_body = on_body;
    st.on_message_complete = on_message_complete;
    return st;
  }();
  return s;
}

HttpConnection::HttpConnection(HttpFrontEnd& front_end, bool admin_port)
    : StreamConnection(front_end.server(), admin_port ? kAdminListener : kHttpListener),
      fe_(front_end),
      admin_(admin_port),
      session_(front_end.engine().open_session(admin_port ? Frontend::kInternal : Frontend::kHttp,
                                               this)),
      ex_(front_end, front_end.engine(), *session_, reply_, req_, res_) {
  // Never any lenient flag: they exist for broken peers and open the door to request smuggling.
  llhttp_init(&parser_, HTTP_REQUEST, &settings());
  parser_.data = this;
  session_->protocol = 3;
  if (admin_port) session_->authenticated = true;
  idle_since_ms_ = fe_.server().now_ms();
  fe_.attach(this);
}

size_t HttpConnection::query_buffer_bytes() const {
  return const_cast<HttpConnection*>(this)->read_buffer().size() + req_.body.size();
}

void HttpConnection::on_close() {
  fe_.detach(this);
  if (session_ != nullptr) {
    fe_.engine().close_session(session_);
    session_ = nullptr;
  }
}

// --- llhttp callbacks --------------------------------------------------------------------------

int HttpConnection::reject_in_parser(int status, std::string_view message) {
  reject_status_ = status;
  reject_message_.assign(message);
  return -1;  // llhttp stops with HPE_CB_*; process_input answers with reject_status_
}

int HttpConnection::refuse_in_parser() {
  refused_ = true;
  return -1;  // llhttp stops with HPE_CB_*; process_input sends res_
}

bool HttpConnection::trusted() const {
  return admin_ || authenticated_ || fe_.config().requirepass.empty();
}

size_t HttpConnection::output_limit() const {
  return trusted() ? kMaxPendingOutput : kMaxPendingOutputUnauthenticated;
}

bool HttpConnection::line_end_before(const char* at) const {
  for (const char* q = at; q > exec_begin_;) {
    char ch = *--q;
    if (ch == '\n') return true;
    if (ch != ' ' && ch != '\t' && ch != '\r') return false;
  }
  return tail_ws_has_lf_;
}

void HttpConnection::note_consumed(std::string_view consumed) {
  size_t i = consumed.size();
  bool lf = false;
  for (; i > 0; --i) {
    char ch = consumed[i - 1];
    if (ch == '\n') {
      lf = true;
    } else if (ch != ' ' && ch != '\t' && ch != '\r') {
      break;
    }
  }
  // A buffer of whitespace only continues the run the one before it ended with.
  tail_ws_has_lf_ = i == 0 ? (tail_ws_has_lf_ || lf) : lf;
}

int HttpConnection::on_message_begin(llhttp_t* p) {
  HttpConnection* c = self(p);
  c->discard_body_ = false;
  c->req_.clear();
  c->res_.clear();
  c->reply_.clear();
  c->header_field_.clear();
  c->header_value_.clear();
  c->head_bytes_ = 0;
  c->state_ = State::kHead;
  c->request_start_ms_ = c->fe_.server().now_ms();
  return 0;
}

int HttpConnection::on_url(llhttp_t* p, const char* at, size_t len) {
  HttpConnection* c = self(p);
  c->head_bytes_ += len;
  if (c->req_.target.size() + len > kMaxTargetBytes) {
    return c->reject_in_parser(414, "request target too long");
  }
  c->req_.target.append(at, len);
  return 0;
}

int HttpConnection::on_header_field(llhttp_t* p, const char* at, size_t len) {
  HttpConnection* c = self(p);
  c->head_bytes_ += len;
  if (c->head_bytes_ > kMaxHeadBytes) return c->reject_in_parser(431, "request headers too large");
  // Every byte of a name must be a tchar, so each piece can be checked as it comes.
  for (size_t i = 0; i < len; ++i) {
    if (!is_tchar(static_cast<unsigned char>(at[i]))) {
      return c->reject_in_parser(400, "invalid character in a header name");
    }
  }
  c->header_field_.append(at, len);
  return 0;
}

int HttpConnection::on_header_value(llhttp_t* p, const char* at, size_t len) {
  HttpConnection* c = self(p);
  c->head_bytes_ += len;
  if (c->head_bytes_ > kMaxHeadBytes) return c->reject_in_parser(431, "request headers too large");
  // llhttp joins an obs-fold line (CRLF then a space or tab) to the value before it, where a proxy
  // may have read a header of its own ("X: a\r\n Transfer-Encoding: chunked"), and takes a fold
  // after an empty value for leading whitespace. Either way the piece has a line end in the
  // whitespace before it. RFC 9112 5.2 lets a server refuse it with 400. (llhttp also reports
  // an empty value as an empty piece at the start of the next line: not a fold.)
  if (len > 0 && c->line_end_before(at)) {
    return c->reject_in_parser(400, "obsolete line folding in a header");
  }
  c->header_value_.append(at, len);
  return 0;
}

int HttpConnection::on_header_value_complete(llhttp_t* p) {
  HttpConnection* c = self(p);
  if (c->header_field_.empty()) return c->reject_in_parser(400, "empty header name");
  if (c->req_.headers.size() >= kMaxHeaders) return c->reject_in_parser(431, "too many headers");
  std::string_view v = c->header_value_;
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  to_lower(c->header_field_);
  c->req_.headers.emplace_back(std::move(c->header_field_), std::string(v));
  c->header_field_.clear();
  c->header_value_.clear();
  return 0;
}

int HttpConnection::on_headers_complete(llhttp_t* p) {
  HttpConnection* c = self(p);
  Request& req = c->req_;
  req.method_text = llhttp_method_name(static_cast<llhttp_method_t>(llhttp_get_method(p)));
  req.method = method_from_name(req.method_text);
  req.http_major = llhttp_get_http_major(p);
  req.http_minor = llhttp_get_http_minor(p);
  c->state_ = State::kBody;
  c->headers_done_ms_ = c->fe_.server().now_ms();
  // Request bodies must come with Content-Length. llhttp 8.1.0 accepts chunk data that is not
  // followed by CRLF, so a chunked body can hide a second request that a proxy in front of us
  // forwards as body bytes (request smuggling). Rather than re-check chunk framing ourselves, we
  // refuse chunked request bodies: every client we serve sends Content-Length. 411 says so, and
  // the lingering close drops whatever follows unparsed.
  if (p->flags & (F_CHUNKED | F_TRANSFER_ENCODING)) {
    return c->reject_in_parser(
        411, "Transfer-Encoding request bodies are not accepted: send Content-Length");
  }
  // The token is checked before any of the body is read or buffered, so a peer without the
  // password costs a request head, never http-max-body.
  switch (c->fe_.admit(c->ex_, c->admin_)) {
    case HttpFrontEnd::BodyPolicy::kRefuse:
      return c->refuse_in_parser();
    case HttpFrontEnd::BodyPolicy::kDiscard:
      c->discard_body_ = true;
      break;
    case HttpFrontEnd::BodyPolicy::kRead:
      if (!c->fe_.config().requirepass.empty()) c->authenticated_ = true;
      break;
  }
  // Refuse an oversized body before reading any of it.
  auto max_body = static_cast<uint64_t>(std::max<int64_t>(c->fe_.config().http_max_body, 0));
  if ((p->flags & F_CONTENT_LENGTH) && p->content_length > max_body) {
    return c->reject_in_parser(
        413, "request body is larger than http-max-body (" + std::to_string(max_body) + " bytes)");
  }
  // A client that waits for permission before sending its body (curl does for large bodies);
  // a body that will be dropped gets no invitation.
  if (!c->discard_body_ && req.http_minor >= 1 && iequals(req.header("expect"), "100-continue") &&
      (p->flags & F_CONTENT_LENGTH) && p->content_length > 0) {
    c->output() += "HTTP/1.1 100 Continue\r\n\r\n";
    c->request_flush();
  }
  return 0;
}

int HttpConnection::on_body(llhttp_t* p, const char* at, size_t len) {
  HttpConnection* c = self(p);
  if (c->discard_body_) return 0;
  auto max_body = static_cast<size_t>(std::max<int64_t>(c->fe_.config().http_max_body, 0));
  if (c->req_.body.size() + len > max_body) {
    return c->reject_in_parser(
        413, "request body is larger than http-max-body (" + std::to_string(max_body) + " bytes)");
  }
  // The body grows with what arrives, never by what the peer announced: Content-Length is the
  // peer's claim, and http-max-body may be set above the memory there is.
  try {
    c->req_.body.append(at, len);
  } catch (const std::bad_alloc&) {
    // Out of memory before http-max-body: this request is refused, the server goes on.
    std::string().swap(c->req_.body);
    return c->reject_in_parser(503, "out of memory while reading the request body");
  }
  return 0;
}

int HttpConnection::on_message_complete(llhttp_t* p) {
  HttpConnection* c = self(p);
  c->req_.keep_alive = llhttp_should_keep_alive(p) != 0;
  // Stop here: the request is answered before the next one is parsed.
  return HPE_PAUSED;
}

// --- Request processing ------------------------------------------------------------------------

void HttpConnection::process_input() {
  ReadBuffer& in = read_buffer();
  if (state_ == State::kDraining) {
    in.consume(in.size());
    return;
  }
  // Nothing runs once SHUTDOWN has been accepted, not even the requests pipelined behind it.
  while (!closing() && !stop_ && state_ != State::kWaiting && in.size() > 0 &&
         !fe_.server().stopping()) {
    // A client that sends requests without reading the responses: stop answering until the
    // responses drain (the timer resumes), and give up if its unread requests grow too large.
    if (pending_output() > output_limit()) {
      // Reading stops too, so its unread requests cannot pile up behind the paused responses.
      output_paused_ = true;
      pause_reading();
      size_t input_limit = trusted() ? static_cast<size_t>(fe_.config().client_query_buffer_limit)
                                     : kMaxUnreadInputUnauthenticated;
      if (in.size() > input_limit) close();
      return;
    }
    std::string_view data = in.unread();
    exec_begin_ = data.data();
    llhttp_errno_t err = llhttp_execute(&parser_, data.data(), data.size());
    if (err == HPE_OK) {
      note_consumed(data);
      in.consume(data.size());  // everything so far is copied into req_
      break;
    }
    if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) {
      size_t used = static_cast<size_t>(llhttp_get_error_pos(&parser_) - data.data());
      note_consumed(data.substr(0, used));
      in.consume(used);
      if (err == HPE_PAUSED_UPGRADE) {
        // No protocol switch is offered: answer this request, then close (the bytes after it
        // belong to another protocol).
        req_.keep_alive = false;
      } else {
        llhttp_resume(&parser_);
      }
      handle_request();
      continue;
    }
    in.consume(data.size());
    if (refused_) {
      refuse_and_drain();
    } else if (reject_status_ != 0) {
      fail_connection(reject_status_, reject_message_);
    } else {
      std::string reason = std::string("malformed HTTP request: ") + llhttp_errno_name(err) + " (" +
                           llhttp_get_error_reason(&parser_) + ")";
      BASALT_LOG(kVerbose, "HTTP client %s: %s", peer().c_str(), reason.c_str());
      fail_connection(400, reason);
    }
    return;
  }
  if (!output().empty()) request_flush();
}

void HttpConnection::on_start() {
  // CLIENT LIST / INFO / KILL ADDR|LADDR see these, as for a RESP client.
  session_->addr = peer();
  session_->laddr = local();
  session_->fd = fd();
}

void HttpConnection::handle_request() {
  handle_start_ns_ = monotonic_ns();
  request_id_ = fe_.request_id(req_);
  reply_.clear();
  reply_.set_protocol(3);
  fe_.handle(ex_, admin_);
  if (closing()) return;
  if (ex_.waiting()) {
    state_ = State::kWaiting;
    return;
  }
  finish_request();
}

void HttpConnection::finish_request() {
  // CLIENT KILL of this very connection closed it from inside its own request.
  if (closing() || session_ == nullptr) return;
  fe_.finish(ex_, admin_);
  bool keep_alive = req_.keep_alive && !res_.close && !session_->close_after_reply;
  // HTTP/1.0 closes by default: a connection kept open must say so.
  if (keep_alive && req_.http_minor == 0) res_.add_header("Connection", "keep-alive");
  serialize_response(output(), res_, req_.method == kHead, keep_alive, request_id_, fe_.date());
  uint64_t elapsed_us = (monotonic_ns() - handle_start_ns_) / 1000;
  fe_.metrics().observe_request(ex_.route, method_name(req_.method), res_.status, elapsed_us);
  if (log_enabled(LogLevel::kDebug)) {
    BASALT_LOG(kDebug, "HTTP %s %s %s -> %d (%llu us) id=%s", peer().c_str(),
               req_.method_text.c_str(), redact_token(req_.target).c_str(), res_.status,
               static_cast<unsigned long long>(elapsed_us), request_id_.c_str());
  }
  state_ = State::kIdle;
  idle_since_ms_ = fe_.server().now_ms();
  reply_.clear();
  request_flush();
  if (!keep_alive) {
    stop_ = true;
    close_after_flush();
  }
}

void HttpConnection::on_unblocked() {
  // Called from inside another client's command or a timer: finish in the check phase.
  fe_.server().queue_resume(this);
}

void HttpConnection::resume() {
  if (state_ != State::kWaiting || session_ == nullptr || session_->blocked) return;
  ex_.resume();
  if (ex_.waiting()) return;  // a later command of the same request blocked in turn
  finish_request();
  process_input();
}

void HttpConnection::refuse(int http_status, std::string_view error, bool at_capacity) {
  // Redis's text without its code word ("DENIED ...", "ERR ..."): the envelope carries a code.
  std::string_view message = error.substr(std::min(error.find(' ') + 1, error.size()));
  if (!at_capacity) {
    // Lingers, so that the client reads the answer rather than a reset.
    fail_connection(http_status, message);
    return;
  }
  // Out of room: answer and give the descriptor back now.
  std::string body = R"({"error":{"code":"SERVICE_UNAVAILABLE","message":)";
  append_json_string(body, message);
  body += "}}";
  output() =
      "HTTP/1.1 " + std::to_string(http_status) + " " + std::string(status_reason(http_status)) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  state_ = State::kDraining;
  stop_ = true;
  close_after_flush();
}

void HttpConnection::fail_connection(int status, std::string_view message) {
  std::string().swap(req_.body);  // a refused body is never read: give its memory back now
  res_.clear();
  if (!admin_ && is_command_api_path(req_.target)) {
    // Refused before routing, but the command API's clients still read {"error":"..."}.
    ex_.command_error(status, "ERR " + std::string(message));
  } else {
    ex_.error(status,
              status == 408   ? "REQUEST_TIMEOUT"
              : status == 411 ? "LENGTH_REQUIRED"
              : status == 413 ? "PAYLOAD_TOO_LARGE"
              : status == 414 ? "URI_TOO_LONG"
              : status == 431 ? "HEADERS_TOO_LARGE"
              : status == 403 ? "DENIED"
              : status == 503 ? "SERVICE_UNAVAILABLE"
                              : "BAD_REQUEST",
              message);
  }
  res_.close = true;
  request_id_ = fe_.request_id(req_);
  serialize_response(output(), res_, false, false, request_id_, fe_.date());
  fe_.metrics().observe_request("unmatched", method_name(req_.method), status, 0);
  BASALT_LOG(kVerbose, "HTTP client %s: %d %.*s", peer().c_str(), status,
             static_cast<int>(message.size()), message.data());
  state_ = State::kDraining;
  stop_ = true;
  drain_deadline_ms_ = fe_.server().now_ms() + fe_.timeouts().drain_ms;
  request_flush();
}

void HttpConnection::refuse_and_drain() {
  // Closing rather than reading the body the peer may still send: it is as large as the peer
  // likes, and it is not authenticated. The lingering close lets it read the answer first.
  res_.close = true;
  request_id_ = fe_.request_id(req_);
  fe_.finish(ex_, admin_);  // CORS: a browser may read why it was refused
  serialize_response(output(), res_, req_.method == kHead, false, request_id_, fe_.date());
  fe_.metrics().observe_request(ex_.route, method_name(req_.method), res_.status, 0);
  BASALT_LOG(kVerbose, "HTTP client %s: %d before the body (%s %s)", peer().c_str(), res_.status,
             req_.method_text.c_str(), redact_token(req_.target).c_str());
  state_ = State::kDraining;
  stop_ = true;
  drain_deadline_ms_ = fe_.server().now_ms() + fe_.timeouts().drain_ms;
  request_flush();
}

void HttpConnection::check_timeouts(int64_t now_ms) {
  if (closing()) return;
  if (output_paused_ && pending_output() <= output_limit() / 2) {
    output_paused_ = false;
    resume_reading();
    process_input();
    if (closing()) return;
  }
  const Timeouts t = fe_.timeouts();
  switch (state_) {
    case State::kHead:
      if (now_ms - request_start_ms_ > t.header_ms) {
        fail_connection(408, "request headers not received in time");
      }
      return;
    case State::kBody:
      if (now_ms - headers_done_ms_ > t.body_ms)
        fail_connection(408, "request body not received in time");
      return;
    case State::kIdle:
      if (!stop_ && pending_output() == 0 && now_ms - idle_since_ms_ > t.idle_ms) close();
      return;
    case State::kWaiting:
      return;
    case State::kDraining:
      if (pending_output() == 0 && !shutdown_sent_) {
        // Everything is written: send FIN so the client sees the end of the response, and keep
        // reading (and discarding) until it closes or the deadline passes.
        shutdown_sent_ = true;
        shutdown_req_.data = this;
        if (uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(handle()),
                        [](uv_shutdown_t*, int) {}) != 0) {
          close();
          return;
        }
      }
      if (now_ms >= drain_deadline_ms_) close();
      return;
  }
}

}  // namespace basalt::http
