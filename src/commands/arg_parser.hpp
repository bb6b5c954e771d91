#pragma once
// The one way command handlers read their arguments after the key(s): keywords, numbers with
// Redis's range errors, and values, with the first error latched. A handler reads everything,
// then checks error() once, as Dragonfly's CmdArgParser (facade/cmd_arg_parser.h) does:
//
//   ArgParser p(ctx.argv, 2);
//   int64_t count = p.next_int(1, INT64_MAX, err::kMustBePositive);
//   bool with_scores = p.check("WITHSCORES");
//   if (!p.done_or_reply(ctx.reply)) return;
//
// Errors are Redis's texts: a missing or unknown word is "ERR syntax error"; a number that does
// not parse is "ERR value is not an integer or out of range" (or a float's text), unless the
// caller names the text Redis uses there.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace basalt {

class ReplyBuilder;

class ArgParser {
 public:
  ArgParser(std::span<const std::string_view> args, size_t first) : args_(args), pos_(first) {}

  bool has_next() const { return pos_ < args_.size(); }
  size_t position() const { return pos_; }
  size_t remaining() const { return has_next() ? args_.size() - pos_ : 0; }

  // The next argument; a missing one latches a syntax error and returns "".
  std::string_view next();
  // Consumes the next argument if it is `keyword` (ASCII case-insensitive).
  bool check(std::string_view keyword);
  // The index in `keywords` of the next argument (consumed), or -1 with a syntax error latched.
  int next_keyword(std::initializer_list<std::string_view> keywords);

  // The next argument as an integer in [min, max]; otherwise `error` is latched (Redis's text for
  // the command: "ERR value is out of range, must be positive", ...) and `min` returned.
  int64_t next_int(int64_t min = INT64_MIN, int64_t max = INT64_MAX,
                   std::string_view error = kNotIntegerText);
  // A float as Redis's getDoubleFromObject reads it (no NaN).
  double next_double(std::string_view error = kNotFloatText);

  // Latches `text` unless an earlier error is latched (for checks between arguments).
  void fail(std::string_view text);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // True if no error was latched and no argument is left over; otherwise replies with the error
  // (a left-over argument is a syntax error) and returns false.
  bool done_or_reply(ReplyBuilder& reply);
  // The same, when arguments may be left for the caller.
  bool ok_or_reply(ReplyBuilder& reply);

  static constexpr std::string_view kNotIntegerText = "ERR value is not an integer or out of range";
  static constexpr std::string_view kNotFloatText = "ERR value is not a valid float";

 private:
  std::span<const std::string_view> args_;
  size_t pos_;
  std::string error_;
};

}  // namespace basalt
