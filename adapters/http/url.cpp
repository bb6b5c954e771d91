#include "http/url.hpp"

#include <cctype>

namespace basalt::http {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi << 4 | lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string_view host_name(std::string_view host_header) {
  std::string_view host = host_header;
  std::string_view port;
  if (host.starts_with('[')) {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return {};
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    for (char c : host.substr(1, host.size() - 2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return {};
    }
    if (host.size() < 4) return {};
  } else {
    size_t colon = host.find(':');
    if (colon != std::string_view::npos) port = host.substr(colon);
    host = host.substr(0, colon);
    for (char c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return {};
    }
  }
  if (!port.empty()) {
    if (port.size() < 2 || port.size() > 6 || port[0] != ':') return {};
    for (char c : port.substr(1)) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return {};
    }
  }
  return host;
}

bool parse_target(std::string_view target, Target* out) {
  if (target.empty() || target[0] != '/') return false;
  size_t q = target.find('?');
  out->path = target.substr(0, q);
  out->query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  // A fragment is never sent by conforming clients; drop one if present.
  if (size_t h = out->query.find('#'); h != std::string_view::npos) {
    out->query = out->query.substr(0, h);
  }
  if (q == std::string_view::npos) {
    if (size_t h = out->path.find('#'); h != std::string_view::npos) {
      out->path = out->path.substr(0, h);
    }
  }
  out->segments.clear();
  std::string_view rest = out->path.substr(1);
  for (;;) {
    size_t slash = rest.find('/');
    auto seg = percent_decode(rest.substr(0, slash));
    if (!seg) return false;
    out->segments.push_back(std::move(*seg));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (out->segments.size() == 1 && out->segments[0].empty()) out->segments.clear();  // "/"
  out->params.clear();
  std::string_view query = out->query;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value) return false;
    out->params.emplace_back(std::move(*name), std::move(*value));
  }
  return true;
}

}  // namespace basalt::http
