// The exceptions the Basalt client throws. Every one derives from basalt::Error, so one catch
// handles them all; catch the specific kinds to tell a server's refusal (ServerError, the
// connection is fine) from a broken or slow connection (ConnectionError, TimeoutError) and from
// bytes that are not RESP (ProtocolError).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace basalt {

// Base of every exception the client library throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The server answered with an error reply ("-WRONGTYPE Operation against a key holding the wrong
// kind of value"). The connection stays usable. what() is the full error text.
class ServerError : public Error {
 public:
  // `text` is the reply's text, its first word the error code.
  explicit ServerError(std::string text);
  // The error code: the first word of the reply, e.g. "WRONGTYPE", "ERR", "NOAUTH", "EXECABORT".
  const std::string& code() const { return code_; }
  // The text after the code.
  std::string_view message() const;

 private:
  std::string code_;
};

// The connection could not be made, or broke. A request that was sent when the connection broke
// may or may not have been executed by the server. The sync Client reconnects on its next
// command; the AsyncClient reconnects by itself.
class ConnectionError : public Error {
 public:
  using Error::Error;
};

// The server did not answer within the command timeout (Options::command_timeout) or the
// connection was not made within the connect timeout. The connection is closed, since a late
// reply would otherwise be taken for the answer to the next request.
class TimeoutError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};

// The server sent bytes that are not valid RESP, or a reply of a type the called method cannot
// interpret (e.g. an array where a string was expected). On malformed input the connection is
// closed.
class ProtocolError : public Error {
 public:
  using Error::Error;
};

}  // namespace basalt
