#pragma once
// The HTTP front end's ReplyBuilder: captures what a command replies as a tree (prefix order, one
// flat vector, payload bytes in one arena) instead of writing a wire format. Routes read the tree
// to shape HTTP responses; the renderers turn it into JSON (Upstash's shapes) or RESP2 bytes.
// Several commands may append their replies one after another: each execute() adds one root.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "commands/reply_builder.hpp"

namespace basalt::http {

enum class ReplyKind : uint8_t {
  kSimple,
  kError,
  kInteger,
  kBulk,
  kNull,
  kNullArray,
  kArray,
  kMap,
  kSet,
  kDouble,
  kBool,
  kVerbatim,
  kBigNum,  // digits, as str()
};

class JsonReplyBuilder;

// A node of a captured reply. Cheap to copy; valid while its builder is not cleared.
class ReplyRef {
 public:
  ReplyRef() = default;
  ReplyRef(const JsonReplyBuilder* tree, uint32_t index) : tree_(tree), index_(index) {}

  bool valid() const;  // false for a root that was never written (a command that blocked)
  ReplyKind kind() const;
  bool is_error() const { return kind() == ReplyKind::kError; }
  bool is_null() const { return kind() == ReplyKind::kNull || kind() == ReplyKind::kNullArray; }
  bool is_aggregate() const {
    ReplyKind k = kind();
    return k == ReplyKind::kArray || k == ReplyKind::kMap || k == ReplyKind::kSet;
  }
  bool is_string() const {  // simple, bulk, verbatim, bignum
    ReplyKind k = kind();
    return k == ReplyKind::kSimple || k == ReplyKind::kBulk || k == ReplyKind::kVerbatim ||
           k == ReplyKind::kBigNum;
  }
  // Text of a simple/bulk/verbatim/bignum/error node (verbatim: without its format prefix). The
  // view lives until the builder is next written to.
  std::string_view str() const;
  int64_t integer() const;  // integer, boolean (0/1)
  double dbl() const;
  std::string_view verbatim_format() const;
  // Elements of an aggregate (a map counts keys and values: 2 per pair).
  size_t size() const;
  ReplyRef child(size_t i) const;  // O(i)
  uint32_t index() const { return index_; }

  class Iterator {
   public:
    Iterator(const JsonReplyBuilder* t, uint32_t i) : tree_(t), i_(i) {}
    ReplyRef operator*() const { return {tree_, i_}; }
    Iterator& operator++();
    bool operator!=(const Iterator& o) const { return i_ != o.i_; }

   private:
    const JsonReplyBuilder* tree_;
    uint32_t i_;
  };
  Iterator begin() const;
  Iterator end() const;

 private:
  const JsonReplyBuilder* tree_ = nullptr;
  uint32_t index_ = 0;
};

class JsonReplyBuilder final : public ReplyBuilder {
 public:
  // protocol: what handlers are told (3 for JSON, whose objects carry RESP3 maps; 2 when the
  // client asked for raw RESP2).
  explicit JsonReplyBuilder(int protocol = 3) : protocol_(protocol) {}

  void clear();
  void set_protocol(int p) { protocol_ = p; }
  // Where the next execute()'s reply will start; ReplyRef(this, mark) reads it afterwards.
  uint32_t mark() const { return static_cast<uint32_t>(nodes_.size()); }
  ReplyRef at(uint32_t mark) const { return {this, mark}; }
  size_t node_count() const { return nodes_.size(); }
  // True once every aggregate that was opened has received all its elements.
  bool complete() const { return open_.empty() && skipping_.empty(); }

  // ReplyBuilder
  void simple(std::string_view s) override { leaf(ReplyKind::kSimple, s); }
  void integer(int64_t v) override;
  void bulk(std::string_view s) override { leaf(ReplyKind::kBulk, s); }
  void null() override { leaf(ReplyKind::kNull, {}); }
  void null_array() override { leaf(ReplyKind::kNullArray, {}); }
  void array(size_t n) override { aggregate(ReplyKind::kArray, n, n); }
  void map(size_t pairs) override { aggregate(ReplyKind::kMap, pairs, pairs * 2); }
  void set(size_t n) override { aggregate(ReplyKind::kSet, n, n); }
  void dbl(double v) override;
  void boolean(bool v) override;
  void verbatim(std::string_view format, std::string_view text) override;
  void bignum(std::string_view digits) override { leaf(ReplyKind::kBigNum, digits); }
  // Push data and attributes are not replies, and an HTTP response has room for the reply
  // alone: both are dropped, elements and all, and the reply that follows them is kept.
  void push(size_t n) override { skip(n, false); }
  void attribute(size_t pairs) override { skip(pairs * 2, false); }
  int protocol() const override { return protocol_; }

 protected:
  void write_error(std::string_view text) override { leaf(ReplyKind::kError, text); }

 private:
  friend class ReplyRef;
  struct Node {
    ReplyKind kind;
    uint32_t end;       // index one past this node's subtree
    uint32_t off, len;  // payload in arena_ (verbatim: "fmt" + text)
    int64_t value;      // integer, boolean, element count
    double dbl;
  };
  void leaf(ReplyKind kind, std::string_view payload);
  void aggregate(ReplyKind kind, size_t count, size_t children);
  void push(Node node, size_t children);
  // Starts dropping the next `elements` elements; `counts` says whether the dropped aggregate is
  // itself an element of the one that encloses it (an array inside a push) or not (the push).
  void skip(size_t elements, bool counts);
  // Accounts for one dropped element; true while something is being dropped.
  bool skipped();

  std::vector<Node> nodes_;
  std::string arena_;
  // Open aggregates: (node index, elements still expected).
  std::vector<std::pair<uint32_t, size_t>> open_;
  // Aggregates being dropped (push data, attributes): elements still expected, and whether the
  // aggregate counts as an element of the one enclosing it.
  struct Skip {
    size_t remaining;
    bool counts;
  };
  std::vector<Skip> skipping_;
  int protocol_;
};

// How bulk strings are written in JSON.
enum class StringMode : uint8_t {
  kText,    // as JSON strings; invalid UTF-8 bytes become U+FFFD
  kBase64,  // Upstash-Encoding: base64: every string base64, except the status reply "OK"
};

// The reply as a JSON value: nil -> null, integers -> numbers, arrays and sets -> arrays, maps
// -> objects (keys as text), doubles -> numbers ("inf"/"nan" as strings), booleans -> true/false,
// an error nested in an aggregate (EXEC) -> {"error":"..."}.
void render_json(std::string& out, ReplyRef r, StringMode mode);
// The reply in RESP2 framing, as redis-server sends it to a RESP2 client.
void render_resp2(std::string& out, ReplyRef r);

}  // namespace basalt::http
