#include "http/etag.hpp"

namespace basalt::http {

std::string etag_of_version(uint64_t version) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string t(18, '"');
  for (int i = 0; i < 16; ++i) t[1 + i] = kHex[(version >> (60 - 4 * i)) & 15];
  return t;
}

bool etag_list_matches(std::string_view header, std::string_view etag, bool weak) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  header = trim(header);
  if (header == "*") return true;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    bool is_weak = item.starts_with("W/");
    if (is_weak) {
      if (!weak) continue;  // strong comparison: a weak tag never matches
      item.remove_prefix(2);
    }
    if (item == etag) return true;
  }
  return false;
}

}  // namespace basalt::http
