#pragma once
// One HTTP request as the router sees it (owned copies of what llhttp delivered in pieces), the
// response a route fills in, and the response's serialisation.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/url.hpp"

namespace basalt::http {

// Methods the router knows, as bits (a route answers a set of them).
enum Method : uint32_t {
  kGet = 1u << 0,
  kHead = 1u << 1,
  kPost = 1u << 2,
  kPut = 1u << 3,
  kPatch = 1u << 4,
  kDelete = 1u << 5,
  kOptions = 1u << 6,
  kOtherMethod = 1u << 7,
};
// From llhttp's method name ("GET"); kOtherMethod for anything else.
Method method_from_name(std::string_view name);
std::string_view method_name(Method m);
// "GET, HEAD, PUT" for an Allow header, in a fixed order.
std::string methods_list(uint32_t methods);

struct Request {
  Method method = kGet;
  std::string method_text;                                   // as sent, for logs
  std::string target;                                        // as sent
  Target url;                                                // parsed from target by the router
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased, values trimmed
  std::string body;
  uint8_t http_major = 1, http_minor = 1;
  bool keep_alive = true;

  // The first header with this (lowercase) name; empty if absent.
  std::string_view header(std::string_view lname) const;
  bool has_header(std::string_view lname) const;
  // The last query parameter with this name, or nullptr.
  const std::string* param(std::string_view name) const;
  void clear();
};

struct Response {
  int status = 200;
  std::string content_type;  // empty: none
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in order
  bool close = false;  // send Connection: close and close after writing

  void add_header(std::string_view name, std::string_view value) {
    headers.emplace_back(std::string(name), std::string(value));
  }
  void clear();
};

std::string_view status_reason(int status);

// Appends the status line, headers and (unless head_only) body. Content-Length is written for
// every status that may have a body (so HEAD reports the GET body's length).
void serialize_response(std::string& out, const Response& res, bool head_only, bool keep_alive,
                        std::string_view request_id, std::string_view date);

// The media type of a Content-Type value, lowercased, without parameters ("application/json").
std::string media_type(std::string_view content_type);

}  // namespace basalt::http
