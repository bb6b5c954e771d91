// The benchmark's HTTP driver: one keep-alive HTTP/1.1 connection on a libuv loop that sends a
// batch of commands as one request to Basalt's HTTP adapter (POST /redis for one command,
// POST /redis/pipeline for several) and completes each command's callback from the JSON result
// (Upstash format: {"result": ...} or {"error": "..."}). Only what the benchmark needs: numeric
// or resolvable host, Content-Length or chunked responses, reconnect on the next batch.
#pragma once

#include <netdb.h>
#include <uv.h>

#include <charconv>
#include <cstring>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/async_client.hpp"

namespace basalt::bench {

struct HttpTarget {
  std::string host;
  int port = 80;
  std::string prefix;  // path before /redis, without a trailing slash
};

// "http://host[:port][/path]"; nullopt (and *why) for anything else. A URL without a path means
// Basalt's API, whose command routes are under /api/v1; a path given (even "/") is the prefix.
inline std::optional<HttpTarget> ParseHttpUrl(std::string_view url, std::string* why) {
  if (!url.starts_with("http://")) {
    *why = "only http:// URLs are supported";
    return std::nullopt;
  }
  std::string_view rest = url.substr(7);
  HttpTarget t;
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    t.prefix = "/api/v1";
  } else {
    t.prefix = std::string(rest.substr(slash));
    if (t.prefix.ends_with("/")) t.prefix.pop_back();
    rest = rest.substr(0, slash);
  }
  const size_t colon = rest.rfind(':');
  t.host = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) {
    std::string_view digits = rest.substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), t.port);
    if (ec != std::errc() || end != digits.data() + digits.size() || t.port < 1 || t.port > 65535) {
      *why = "bad port \"" + std::string(digits) + "\"";
      return std::nullopt;
    }
  }
  if (t.host.empty()) {
    *why = "no host";
    return std::nullopt;
  }
  return t;
}

class HttpClient {
 public:
  // `url` must be one ParseHttpUrl accepts.
  HttpClient(uv_loop_t* loop, const std::string& url) : loop_(loop) {
    std::string why;
    std::optional<HttpTarget> target = ParseHttpUrl(url, &why);
    if (!target) throw std::invalid_argument("basalt-benchmark: --http " + url + ": " + why);
    host_ = target->host;
    port_ = target->port;
    prefix_ = target->prefix;
    core_ = new Core();
    core_->owner = this;
  }
  ~HttpClient() {
    fail_all("basalt-benchmark: the HTTP client was closed");
    core_->owner = nullptr;
    close_stream();
    if (core_->open_handles == 0) delete core_;
  }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void begin_batch() {
    batch_body_.clear();
    batch_count_ = 0;
  }
  // Queues one command of the batch; `args` may die after the call.
  void command(const std::vector<std::string_view>& args, ReplyCallback done) {
    if (batch_count_ > 0) batch_body_ += ',';
    batch_body_ += '[';
    for (size_t i = 0; i < args.size(); ++i) {
      if (i) batch_body_ += ',';
      AppendJsonString(batch_body_, args[i]);
    }
    batch_body_ += ']';
    ++batch_count_;
    pending_.push_back(std::move(done));
  }
  // Sends the batch as one HTTP request.
  void end_batch() {
    if (batch_count_ == 0) return;
    std::string body = batch_count_ == 1 ? batch_body_ : "[" + batch_body_ + "]";
    std::string req = "POST " + prefix_ + (batch_count_ == 1 ? "/redis" : "/redis/pipeline") +
                      " HTTP/1.1\r\nHost: " + host_ +
                      "\r\nContent-Type: application/json\r\n"
                      "Content-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
    batch_sizes_.push_back(batch_count_);
    if (stream_ == nullptr) connect();
    if (stream_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(&stream_->tcp));
    if (connected_) {
      write(std::move(req));
    } else {
      unsent_ += req;
    }
  }

 private:
  // Outlives the HttpClient until libuv has closed its handle.
  struct Core {
    HttpClient* owner = nullptr;
    int open_handles = 0;
  };
  struct Stream {
    uv_tcp_t tcp;
    uv_connect_t connect;
    Core* core;
  };
  struct Write {
    uv_write_t req;
    std::string data;
  };

  static void AppendJsonString(std::string& out, std::string_view s) {
    out += '"';
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += ch;
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out += buf;
      } else {
        out += ch;
      }
    }
    out += '"';
  }

  void connect() {
    stream_ = new Stream();
    stream_->core = core_;
    stream_->tcp.data = stream_;
    stream_->connect.data = stream_;
    uv_tcp_init(loop_, &stream_->tcp);
    ++core_->open_handles;
    sockaddr_storage addr{};
    if (uv_ip4_addr(host_.c_str(), port_, reinterpret_cast<sockaddr_in*>(&addr)) != 0) {
      addrinfo hints{};
      hints.ai_family = AF_INET;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* res = nullptr;
      if (getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &res) != 0 || !res) {
        return lost("cannot resolve " + host_);
      }
      std::memcpy(&addr, res->ai_addr, res->ai_addrlen);
      freeaddrinfo(res);
    }
    const int rc =
        uv_tcp_connect(&stream_->connect, &stream_->tcp, reinterpret_cast<const sockaddr*>(&addr),
                       [](uv_connect_t* req, int status) {
                         auto* s = static_cast<Stream*>(req->data);
                         if (s->core->owner) s->core->owner->on_connect(s, status);
                       });
    if (rc != 0) lost(std::string("connect: ") + uv_strerror(rc));
  }

  void on_connect(Stream* s, int status) {
    if (s != stream_) return;
    if (status != 0) return lost(std::string("connect: ") + uv_strerror(status));
    connected_ = true;
    uv_tcp_nodelay(&s->tcp, 1);
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&s->tcp),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          static thread_local char storage[65536];
          (void)h;
          *buf = uv_buf_init(storage, sizeof(storage));
        },
        [](uv_stream_t* h, ssize_t n, const uv_buf_t* buf) {
          auto* st = static_cast<Stream*>(h->data);
          if (st->core->owner) st->core->owner->on_read(st, n, buf);
        });
    if (!unsent_.empty()) {
      std::string data;
      data.swap(unsent_);
      write(std::move(data));
    }
  }

  void write(std::string data) {
    auto* w = new Write();
    w->data = std::move(data);
    w->req.data = w;
    uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
    const int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&stream_->tcp), &buf, 1,
                            [](uv_write_t* req, int) { delete static_cast<Write*>(req->data); });
    if (rc != 0) {
      delete w;
      lost(std::string("write: ") + uv_strerror(rc));
    }
  }

  void on_read(Stream* s, ssize_t n, const uv_buf_t* buf) {
    if (s != stream_) return;
    if (n < 0) return lost(n == UV_EOF ? "closed by the server" : uv_strerror(static_cast<int>(n)));
    in_.append(buf->base, static_cast<size_t>(n));
    while (stream_ == s && parse_response()) {
    }
  }

  // One complete response at the front of in_: completes its batch. False if incomplete.
  bool parse_response() {
    const size_t head_end = in_.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    const std::string_view head(in_.data(), head_end);
    int status = 0;
    if (head.size() > 12) status = std::atoi(std::string(head.substr(9, 3)).c_str());
    std::string lower(head);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string body;
    size_t consumed = 0;
    const size_t cl = lower.find("\r\ncontent-length:");
    if (cl != std::string::npos) {
      const size_t len = std::strtoull(lower.c_str() + cl + 17, nullptr, 10);
      if (in_.size() < head_end + 4 + len) return false;
      body = in_.substr(head_end + 4, len);
      consumed = head_end + 4 + len;
    } else if (lower.find("transfer-encoding: chunked") != std::string::npos) {
      size_t at = head_end + 4;
      for (;;) {
        const size_t line_end = in_.find("\r\n", at);
        if (line_end == std::string::npos) return false;
        const size_t size = std::strtoull(in_.c_str() + at, nullptr, 16);
        if (in_.size() < line_end + 2 + size + 2) return false;
        body.append(in_, line_end + 2, size);
        at = line_end + 2 + size + 2;
        if (size == 0) break;
      }
      consumed = at;
    } else {
      return lost("response without a length"), false;
    }
    in_.erase(0, consumed);
    complete_batch(status, body);
    return true;
  }

  // Splits a top-level JSON array into its elements' texts (strings and nesting respected).
  static std::vector<std::string_view> Elements(std::string_view json) {
    std::vector<std::string_view> out;
    size_t i = json.find('[');
    if (i == std::string_view::npos) return out;
    int depth = 0;
    bool in_string = false;
    size_t start = i + 1;
    for (++i; i < json.size(); ++i) {
      const char c = json[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if ((c == ']' || c == '}') && depth > 0) {
        --depth;
      } else if ((c == ',' && depth == 0) || (c == ']' && depth == 0)) {
        out.push_back(json.substr(start, i - start));
        start = i + 1;
        if (c == ']') break;
      }
    }
    return out;
  }

  // The error of a result: the text of {"error": "ERR ..."} (Upstash style), the code of
  // {"error": {"code": "NOT_FOUND", ...}} (the adapter's own errors), or empty.
  static std::string ErrorOf(std::string_view element) {
    const size_t at = element.find("\"error\"");
    if (at == std::string_view::npos) return {};
    size_t i = element.find(':', at);
    if (i == std::string_view::npos) return "ERR";
    ++i;
    while (i < element.size() && (element[i] == ' ' || element[i] == '\n')) ++i;
    if (i < element.size() && element[i] == '{') {
      const size_t code = element.find("\"code\"", i);
      if (code == std::string_view::npos) return "ERR";
      i = element.find(':', code);
      if (i == std::string_view::npos) return "ERR";
      ++i;
    }
    const size_t q = element.find('"', i);
    if (q == std::string_view::npos) return "ERR";
    const size_t end = element.find('"', q + 1);
    if (end == std::string_view::npos) return "ERR";
    return std::string(element.substr(q + 1, end - q - 1));
  }

  // True for {"result": null}: a nil reply (a GET's miss).
  static bool IsNullResult(std::string_view element) {
    const size_t at = element.find("\"result\"");
    if (at == std::string_view::npos) return false;
    size_t i = element.find(':', at);
    if (i == std::string_view::npos) return false;
    ++i;
    while (i < element.size() && (element[i] == ' ' || element[i] == '\n')) ++i;
    return element.substr(i).starts_with("null");
  }

  // What the benchmark needs of a result: an error, nil, or anything else (as OK).
  static Reply ResultOf(std::string_view element) {
    const std::string err = ErrorOf(element);
    if (!err.empty()) return Reply::error(err);
    return IsNullResult(element) ? Reply() : Reply::simple("OK");
  }

  void complete_batch(int status, const std::string& body) {
    if (batch_sizes_.empty()) return;
    const size_t n = batch_sizes_.front();
    batch_sizes_.pop_front();
    std::vector<Reply> replies;
    if (n == 1) {
      const std::string err = status == 200 ? std::string() : ErrorOf(body);
      replies.push_back(status == 200
                            ? ResultOf(body)
                            : Reply::error(err.empty() ? "HTTP" + std::to_string(status) : err));
    } else {
      std::vector<std::string_view> elems;
      if (status == 200) elems = Elements(body);
      for (size_t i = 0; i < n; ++i) {
        if (i >= elems.size()) {
          replies.push_back(Reply::error("HTTP" + std::to_string(status)));
          continue;
        }
        replies.push_back(ResultOf(elems[i]));
      }
    }
    for (size_t i = 0; i < n && !pending_.empty(); ++i) {
      ReplyCallback cb = std::move(pending_.front());
      pending_.pop_front();
      if (cb) cb(std::move(replies[i]), nullptr);
    }
    // An idle kept-alive connection must not keep the run's loop alive (as AsyncClient's does not).
    if (pending_.empty() && stream_ != nullptr)
      uv_unref(reinterpret_cast<uv_handle_t*>(&stream_->tcp));
  }

  void close_stream() {
    if (stream_ == nullptr) return;
    Stream* s = stream_;
    stream_ = nullptr;
    connected_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&s->tcp), [](uv_handle_t* h) {
      auto* st = static_cast<Stream*>(h->data);
      Core* core = st->core;
      delete st;
      if (--core->open_handles == 0 && core->owner == nullptr) delete core;
    });
  }

  void lost(const std::string& why) {
    close_stream();
    in_.clear();
    unsent_.clear();
    batch_sizes_.clear();
    fail_all("basalt-benchmark: HTTP connection to " + host_ + ":" + std::to_string(port_) +
             " failed: " + why);
  }

  void fail_all(const std::string& text) {
    std::deque<ReplyCallback> failed;
    failed.swap(pending_);
    batch_sizes_.clear();
    auto error = std::make_exception_ptr(ConnectionError(text));
    for (auto& cb : failed) {
      if (cb) cb(Reply(), error);
    }
  }

  uv_loop_t* loop_;
  Core* core_;
  std::string host_;
  int port_ = 80;
  std::string prefix_;
  Stream* stream_ = nullptr;
  bool connected_ = false;
  std::string batch_body_;
  size_t batch_count_ = 0;
  std::string unsent_;
  std::string in_;
  std::deque<size_t> batch_sizes_;
  std::deque<ReplyCallback> pending_;
};

}  // namespace basalt::bench
