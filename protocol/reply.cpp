#include "protocol/reply.hpp"

#include <charconv>
#include <cmath>

namespace basalt::resp {
namespace {

// sdscatrepr()'s escaping, so that debug output reads like redis-cli's.
void AppendQuoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '"':
        out.append("\\\"");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\a':
        out.append("\\a");
        break;
      case '\b':
        out.append("\\b");
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out.push_back(c);
        } else {
          const auto byte = static_cast<unsigned char>(c);
          out.append("\\x");
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xf]);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

Reply Reply::integer(int64_t value) {
  Reply r(Type::kInteger, std::string());
  r.integer_ = value;
  return r;
}

Reply Reply::dbl(double value, std::string text) {
  if (text.empty()) {
    if (std::isnan(value)) {
      text = "nan";
    } else if (std::isinf(value)) {
      text = value > 0 ? "inf" : "-inf";
    } else {
      char buf[40];
      const auto res = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::general, 17);
      text.assign(buf, res.ptr);
    }
  }
  Reply r(Type::kDouble, std::move(text));
  r.double_ = value;
  return r;
}

Reply Reply::boolean(bool value) {
  Reply r(Type::kBoolean, std::string());
  r.integer_ = value ? 1 : 0;
  return r;
}

Reply Reply::verbatim(std::string format, std::string text) {
  Reply r(Type::kVerbatim, std::move(text));
  for (size_t i = 0; i < 3; ++i) r.format_[i] = i < format.size() ? format[i] : ' ';
  return r;
}

bool Reply::is_aggregate() const {
  switch (type_) {
    case Type::kArray:
    case Type::kMap:
    case Type::kSet:
    case Type::kPush:
    case Type::kAttribute:
      return true;
    default:
      return false;
  }
}

bool Reply::is_string(std::string_view s) const {
  switch (type_) {
    case Type::kSimpleString:
    case Type::kBulkString:
    case Type::kVerbatim:
    case Type::kError:
    case Type::kBigNumber:
      return str_ == s;
    default:
      return false;
  }
}

std::string Reply::to_string() const {
  std::string out;
  append_to(out);
  return out;
}

void Reply::append_to(std::string& out) const {
  auto list = [&](const std::vector<Reply>& items, std::string_view open, std::string_view close) {
    out.append(open);
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out.append(", ");
      items[i].append_to(out);
    }
    out.append(close);
  };
  auto pairs = [&](const std::vector<Reply>& flat, std::string_view open) {
    out.append(open);
    for (size_t i = 0; i + 1 < flat.size(); i += 2) {
      if (i > 0) out.append(", ");
      flat[i].append_to(out);
      out.append(": ");
      flat[i + 1].append_to(out);
    }
    out.push_back('}');
  };
  if (!attributes_.empty()) {
    pairs(attributes_, "|{");
    out.push_back(' ');
  }
  switch (type_) {
    case Type::kSimpleString:
      out.push_back('+');
      out.append(str_);
      break;
    case Type::kError:
      out.push_back('-');
      out.append(str_);
      break;
    case Type::kInteger: {
      char buf[24];
      out.push_back(':');
      out.append(buf, std::to_chars(buf, buf + sizeof(buf), integer_).ptr);
      break;
    }
    case Type::kBulkString:
      AppendQuoted(out, str_);
      break;
    case Type::kNil:
      out.append("(nil)");
      break;
    case Type::kArray:
      list(elements_, "[", "]");
      break;
    case Type::kSet:
      list(elements_, "~{", "}");
      break;
    case Type::kPush:
      list(elements_, ">[", "]");
      break;
    case Type::kMap:
      pairs(elements_, "{");
      break;
    case Type::kAttribute:
      pairs(elements_, "|{");
      break;
    case Type::kDouble:
      out.push_back(',');
      out.append(str_);
      break;
    case Type::kBoolean:
      out.append(integer_ ? "#t" : "#f");
      break;
    case Type::kBigNumber:
      out.push_back('(');
      out.append(str_);
      break;
    case Type::kVerbatim:
      out.push_back('=');
      AppendQuoted(out, std::string(verbatim_format()) + ":" + str_);
      break;
  }
}

bool operator==(const Reply& a, const Reply& b) {
  if (a.type_ != b.type_) return false;
  if (a.type_ == Reply::Type::kDouble) {
    if (std::isnan(a.double_) || std::isnan(b.double_)) {
      if (!std::isnan(a.double_) || !std::isnan(b.double_)) return false;
    } else if (a.double_ != b.double_ || std::signbit(a.double_) != std::signbit(b.double_)) {
      return false;
    }
  } else if (a.str_ != b.str_ || a.integer_ != b.integer_) {
    return false;
  }
  return a.verbatim_format() == b.verbatim_format() && a.elements_ == b.elements_ &&
         a.attributes_ == b.attributes_;
}

}  // namespace basalt::resp
