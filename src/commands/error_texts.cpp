#include "commands/error_texts.hpp"

#include "base/strings.hpp"
#include "commands/op_status.hpp"

namespace basalt::err {

std::string wrong_arity(std::string_view command) {
  return "ERR wrong number of arguments for '" + std::string(command) + "' command";
}

std::string unknown_command(std::string_view name, const std::string_view* args, size_t nargs) {
  // As Redis: arguments are quoted until the quoted list reaches 128 bytes.
  std::string quoted;
  for (size_t i = 0; i < nargs && quoted.size() < 128; ++i) {
    quoted += "'" + sanitize_for_error(args[i].substr(0, 128 - quoted.size())) + "' ";
  }
  return "ERR unknown command '" + sanitize_for_error(name.substr(0, 128)) +
         "', with args beginning with: " + quoted;
}

std::string unknown_subcommand(std::string_view container, std::string_view sub) {
  std::string upper(container);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "ERR unknown subcommand '" + sanitize_for_error(sub.substr(0, 128)) + "'. Try " + upper +
         " HELP.";
}

std::string invalid_expire(std::string_view command) {
  return "ERR invalid expire time in '" + std::string(command) + "' command";
}

std::string hello_syntax(std::string_view option) {
  return "ERR Syntax error in HELLO option '" + sanitize_for_error(option) + "'";
}

std::string unknown_client_type(std::string_view type) {
  return "ERR Unknown client type '" + sanitize_for_error(type) + "'";
}

std::string no_such_user(std::string_view user) {
  return "ERR No such user '" + sanitize_for_error(user) + "'";
}

std::string unrecognized_option(std::string_view option) {
  return "ERR Unrecognized option '" + sanitize_for_error(option) + "'";
}

std::string client_attr_invalid(std::string_view attr) {
  return "ERR " + sanitize_for_error(attr) +
         " cannot contain spaces, newlines or special characters.";
}

std::string exec_abort_because(std::string_view error) {
  // Redis builds arity errors without their "ERR " code and shared errors with theirs; the
  // quoted reason keeps a code only when it is not the generic ERR.
  if (error.starts_with("ERR ")) error.remove_prefix(4);
  return "EXECABORT Transaction discarded because of: " + std::string(error);
}

std::string config_set_unknown(std::string_view name) {
  return "ERR Unknown option or number of arguments for CONFIG SET - '" + sanitize_for_error(name) +
         "'";
}

std::string config_set_failed(std::string_view name, std::string_view reason) {
  return "ERR CONFIG SET failed (possibly related to argument '" + sanitize_for_error(name) +
         "') - " + sanitize_for_error(reason);
}

std::string config_rewrite_failed(std::string_view reason) {
  return "ERR Rewriting config file: " + sanitize_for_error(reason);
}

std::string subcommand_syntax(std::string_view command, std::string_view sub) {
  std::string upper(command);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "ERR unknown subcommand or wrong number of arguments for '" +
         sanitize_for_error(sub.substr(0, 128)) + "'. Try " + sanitize_for_error(upper) + " HELP.";
}

}  // namespace basalt::err

namespace basalt {

std::string_view op_status_error(OpStatus status) {
  switch (status) {
    case OpStatus::kOk:
      return {};
    case OpStatus::kWrongType:
      return err::kWrongType;
    case OpStatus::kNotInteger:
      return err::kNotInteger;
    case OpStatus::kNotFloat:
      return err::kNotFloat;
    case OpStatus::kOverflow:
      return err::kOverflow;
    case OpStatus::kNanOrInf:
      return err::kIncrNanOrInf;
    case OpStatus::kStringTooLong:
      return err::kStringTooLong;
    case OpStatus::kOffsetOutOfRange:
      return err::kOffsetOutOfRange;
    case OpStatus::kNoSuchKey:
      return err::kNoSuchKey;
    case OpStatus::kIndexOutOfRange:
      return err::kIndexOutOfRange;
    case OpStatus::kSyntax:
      return err::kSyntax;
    case OpStatus::kSameObject:
      return err::kSameObject;
    case OpStatus::kNotHll:
      return err::kNotHll;
    case OpStatus::kHllCorrupt:
      return err::kHllCorrupt;
    case OpStatus::kHashValueNotInteger:
      return err::kHashValueNotInteger;
    case OpStatus::kHashValueNotFloat:
      return err::kHashValueNotFloat;
  }
  return err::kSyntax;  // not reached: the switch names every status
}

}  // namespace basalt
