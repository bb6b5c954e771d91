// A decoded RESP2/RESP3 reply as a plain value (what ReplyReader yields), for the client and
// for tests that compare what the server sent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::resp {

class Reply {
 public:
  enum class Type : uint8_t {
    kSimpleString,  // +
    kError,         // - and RESP3 blob errors (!)
    kInteger,       // :
    kBulkString,    // $
    kNil,           // $-1, *-1 and RESP3 _
    kArray,         // *
    kMap,           // %  (elements() holds key, value, key, value...)
    kSet,           // ~
    kDouble,        // ,
    kBoolean,       // #
    kBigNumber,     // (
    kVerbatim,      // =  (str() is the text, verbatim_format() the three-byte format)
    kPush,          // >
    kAttribute,     // |  (only seen through attributes(); the reader attaches it to the next reply)
  };

  Reply() = default;  // nil

  // Factories, one per type (tests and fake servers build replies with them).
  static Reply simple(std::string text) { return Reply(Type::kSimpleString, std::move(text)); }
  static Reply error(std::string text) { return Reply(Type::kError, std::move(text)); }
  static Reply integer(int64_t value);  // :value
  static Reply bulk(std::string data) { return Reply(Type::kBulkString, std::move(data)); }
  static Reply nil() { return Reply(); }
  static Reply array(std::vector<Reply> elements) {
    return Reply(Type::kArray, std::move(elements));
  }
  // `flat` is key, value, key, value...
  static Reply map(std::vector<Reply> flat) { return Reply(Type::kMap, std::move(flat)); }
  static Reply set(std::vector<Reply> elements) { return Reply(Type::kSet, std::move(elements)); }
  static Reply push(std::vector<Reply> elements) { return Reply(Type::kPush, std::move(elements)); }
  static Reply attribute(std::vector<Reply> flat) {
    return Reply(Type::kAttribute, std::move(flat));
  }
  // `text` is the wire form; left empty, it is Redis's formatting of `value`.
  static Reply dbl(double value, std::string text = {});
  static Reply boolean(bool value);  // #t / #f
  static Reply bignum(std::string digits) { return Reply(Type::kBigNumber, std::move(digits)); }
  static Reply verbatim(std::string format, std::string text);

  // Which RESP type arrived; the accessors below read the field that type uses.
  Type type() const { return type_; }
  // Simple string, error, bulk string, big number, verbatim text; for a double its wire text.
  const std::string& str() const { return str_; }
  // Moves the text out, leaving it empty: lets a client hand a large value on without a copy.
  std::string release_str() { return std::move(str_); }
  // The value of an integer reply (0 for other types).
  int64_t integer() const { return integer_; }
  // The value of a RESP3 double (str() keeps its wire text; 0 for other types).
  double dbl() const { return double_; }
  // The value of a RESP3 boolean (false for other types).
  bool boolean() const { return integer_ != 0; }
  // Array, set, push, map (flattened key, value pairs), attribute (same).
  const std::vector<Reply>& elements() const { return elements_; }
  std::vector<Reply>& elements() { return elements_; }
  std::string_view verbatim_format() const { return {format_, type_ == Type::kVerbatim ? 3u : 0u}; }
  // RESP3 attributes sent just before this reply, flattened key, value pairs (usually empty).
  const std::vector<Reply>& attributes() const { return attributes_; }
  // Attaches attributes (what the reader does when an attribute precedes a reply).
  void set_attributes(std::vector<Reply> flat) { attributes_ = std::move(flat); }

  // An error reply (the text is "CODE message", e.g. "WRONGTYPE Operation against ...").
  bool is_error() const { return type_ == Type::kError; }
  // A nil of either protocol ($-1, *-1, _).
  bool is_nil() const { return type_ == Type::kNil; }
  // Array, map, set, push or attribute: a reply with elements().
  bool is_aggregate() const;
  // Whether the text of a string-like reply equals `s` (false for other types).
  bool is_string(std::string_view s) const;

  // A compact one-line form for test failures and logs: +OK, -ERR x, :1, "bulk\r\n", (nil),
  // [1, 2], {"k": "v"}, ~{"a"}, >["message"], ,1.5, #t, (123, ="txt:text". Bytes outside
  // printable ASCII are escaped as in redis-cli.
  std::string to_string() const;

  // Deep comparison, attributes included; doubles compare by value (NaN equals NaN).
  friend bool operator==(const Reply& a, const Reply& b);

 private:
  friend class ReplyReader;  // reads straight into a Reply, reusing its string's capacity

  Reply(Type type, std::string text) : type_(type), str_(std::move(text)) {}
  // Makes this an empty reply of `type`, keeping the capacity of its string.
  void reset(Type type) {
    type_ = type;
    integer_ = 0;
    double_ = 0;
    format_[0] = format_[1] = format_[2] = 0;
    str_.clear();
    elements_.clear();
    attributes_.clear();
  }
  Reply(Type type, std::vector<Reply> elements) : type_(type), elements_(std::move(elements)) {}
  void append_to(std::string& out) const;

  Type type_ = Type::kNil;
  char format_[3] = {};
  int64_t integer_ = 0;
  double double_ = 0;
  std::string str_;
  std::vector<Reply> elements_;
  std::vector<Reply> attributes_;
};

}  // namespace basalt::resp
