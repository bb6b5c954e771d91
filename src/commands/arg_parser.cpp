#include "commands/arg_parser.hpp"

#include <cmath>

#include "base/strings.hpp"
#include "commands/error_texts.hpp"
#include "commands/reply_builder.hpp"

namespace basalt {

static_assert(ArgParser::kNotIntegerText == err::kNotInteger);
static_assert(ArgParser::kNotFloatText == err::kNotFloat);

void ArgParser::fail(std::string_view text) {
  if (error_.empty()) error_.assign(text);
}

std::string_view ArgParser::next() {
  if (!has_next()) {
    fail(err::kSyntax);
    return {};
  }
  return args_[pos_++];
}

bool ArgParser::check(std::string_view keyword) {
  if (!has_next() || !iequals(args_[pos_], keyword)) return false;
  ++pos_;
  return true;
}

int ArgParser::next_keyword(std::initializer_list<std::string_view> keywords) {
  std::string_view word = next();
  int i = 0;
  for (std::string_view k : keywords) {
    if (iequals(word, k)) return i;
    ++i;
  }
  fail(err::kSyntax);
  return -1;
}

int64_t ArgParser::next_int(int64_t min, int64_t max, std::string_view error) {
  std::string_view word = next();
  if (!ok()) return min;
  std::optional<int64_t> v = parse_int64(word);
  if (!v || *v < min || *v > max) {
    fail(error);
    return min;
  }
  return *v;
}

double ArgParser::next_double(std::string_view error) {
  std::string_view word = next();
  if (!ok()) return 0;
  std::optional<double> v = parse_double(word);
  if (!v || std::isnan(*v)) {
    fail(error);
    return 0;
  }
  return *v;
}

bool ArgParser::ok_or_reply(ReplyBuilder& reply) {
  if (ok()) return true;
  reply.error(error_);
  return false;
}

bool ArgParser::done_or_reply(ReplyBuilder& reply) {
  if (ok() && has_next()) fail(err::kSyntax);
  return ok_or_reply(reply);
}

}  // namespace basalt
