#include "http/message.hpp"

#include "base/strings.hpp"

namespace basalt::http {

namespace {
struct MethodName {
  Method method;
  std::string_view name;
};
constexpr MethodName kMethods[] = {
    {kGet, "GET"},     {kHead, "HEAD"},     {kPost, "POST"},       {kPut, "PUT"},
    {kPatch, "PATCH"}, {kDelete, "DELETE"}, {kOptions, "OPTIONS"},
};
}  // namespace

Method method_from_name(std::string_view name) {
  for (auto& m : kMethods) {
    if (m.name == name) return m.method;
  }
  return kOtherMethod;
}

std::string_view method_name(Method m) {
  for (auto& e : kMethods) {
    if (e.method == m) return e.name;
  }
  return "OTHER";
}

std::string methods_list(uint32_t methods) {
  std::string out;
  for (auto& m : kMethods) {
    if ((methods & m.method) == 0) continue;
    if (!out.empty()) out += ", ";
    out += m.name;
  }
  return out;
}

std::string_view Request::header(std::string_view lname) const {
  for (auto& [k, v] : headers) {
    if (k == lname) return v;
  }
  return {};
}

bool Request::has_header(std::string_view lname) const {
  for (auto& [k, v] : headers) {
    if (k == lname) return true;
  }
  return false;
}

const std::string* Request::param(std::string_view name) const {
  const std::string* found = nullptr;
  for (auto& [k, v] : url.params) {
    if (k == name) found = &v;
  }
  return found;
}

void Request::clear() {
  method = kGet;
  method_text.clear();
  target.clear();
  headers.clear();
  body.clear();
  if (body.capacity() > 64 * 1024) body.shrink_to_fit();
  http_major = http_minor = 1;
  keep_alive = true;
}

void Response::clear() {
  status = 200;
  content_type.clear();
  body.clear();
  if (body.capacity() > 64 * 1024) body.shrink_to_fit();
  headers.clear();
  close = false;
}

std::string_view status_reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    case 507:
      return "Insufficient Storage";
    default:
      return "Unknown";
  }
}

void serialize_response(std::string& out, const Response& res, bool head_only, bool keep_alive,
                        std::string_view request_id, std::string_view date) {
  out += "HTTP/1.1 ";
  append_int64(out, res.status);
  out += ' ';
  out += status_reason(res.status);
  out += "\r\n";
  if (!date.empty()) {
    out += "Date: ";
    out += date;
    out += "\r\n";
  }
  bool bodiless = res.status == 204 || res.status == 304 || res.status < 200;
  if (!bodiless) {
    if (!res.content_type.empty()) {
      out += "Content-Type: ";
      out += res.content_type;
      out += "\r\n";
    }
    out += "Content-Length: ";
    append_int64(out, static_cast<int64_t>(res.body.size()));
    out += "\r\n";
  }
  out += "X-Request-Id: ";
  out += request_id;
  out += "\r\n";
  for (auto& [k, v] : res.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  if (!keep_alive || res.close) out += "Connection: close\r\n";
  out += "\r\n";
  if (!bodiless && !head_only) out += res.body;
}

std::string media_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  return lowercase(t);
}

}  // namespace basalt::http
