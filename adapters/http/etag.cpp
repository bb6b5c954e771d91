#include "http/etag.hpp"

namespace basalt::http {

void EtagHasher::add(std::string_view bytes) {
  uint64_t h = h_;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h_ = h;
}

void EtagHasher::add_length_prefixed(std::string_view bytes) {
  char len[8];
  uint64_t n = bytes.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<char>(n >> (8 * i));
  add(std::string_view(len, 8));
  add(bytes);
}

std::string EtagHasher::tag() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string t(18, '"');
  for (int i = 0; i < 16; ++i) t[1 + i] = kHex[(h_ >> (60 - 4 * i)) & 15];
  return t;
}

std::string etag_of_string(std::string_view value) {
  EtagHasher h;
  h.add(std::string_view("string", 7));  // with its NUL: the type ends before the bytes
  h.add(value);
  return h.tag();
}

std::string etag_of_list(ReplyRef elements) {
  EtagHasher h;
  h.add(std::string_view("list", 5));
  for (ReplyRef e : elements) h.add_length_prefixed(e.str());
  return h.tag();
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
