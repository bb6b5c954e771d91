#include "http/reply_tree.hpp"

#include "base/strings.hpp"
#include "http/json.hpp"
#include "protocol/writer.hpp"

namespace basalt::http {

// --- JsonReplyBuilder ------------------------------------------------------------------------

void JsonReplyBuilder::clear() {
  nodes_.clear();
  arena_.clear();
  open_.clear();
  skipping_.clear();
}

void JsonReplyBuilder::skip(size_t elements, bool counts) {
  if (elements > 0) {
    skipping_.push_back({elements, counts});
  } else if (counts) {
    skipped();
  }
}

bool JsonReplyBuilder::skipped() {
  if (skipping_.empty()) return false;
  // An element arrived: it completes every dropped aggregate it was the last element of, each
  // of which is in turn one element of its enclosing dropped aggregate (if it counts as one).
  while (!skipping_.empty()) {
    Skip& top = skipping_.back();
    if (--top.remaining > 0) return true;
    const bool counts = top.counts;
    skipping_.pop_back();
    if (!counts) return true;
  }
  return true;
}

void JsonReplyBuilder::push(Node node, size_t children) {
  if (!skipping_.empty()) {
    if (children > 0) {
      skip(children, true);
    } else {
      skipped();
    }
    return;
  }
  uint32_t index = static_cast<uint32_t>(nodes_.size());
  node.end = index + 1;
  nodes_.push_back(node);
  if (children > 0) {
    open_.emplace_back(index, children);
    return;
  }
  // This node is complete: close every aggregate it completes, innermost first.
  while (!open_.empty()) {
    auto& [agg, remaining] = open_.back();
    if (--remaining > 0) break;
    nodes_[agg].end = static_cast<uint32_t>(nodes_.size());
    open_.pop_back();
  }
}

void JsonReplyBuilder::leaf(ReplyKind kind, std::string_view payload) {
  if (!skipping_.empty()) {
    skipped();
    return;
  }
  Node n{kind, 0, static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(payload.size()),
         0,    0};
  arena_.append(payload);
  push(n, 0);
}

void JsonReplyBuilder::aggregate(ReplyKind kind, size_t count, size_t children) {
  push(Node{kind, 0, 0, 0, static_cast<int64_t>(count), 0}, children);
}

void JsonReplyBuilder::integer(int64_t v) { push(Node{ReplyKind::kInteger, 0, 0, 0, v, 0}, 0); }

void JsonReplyBuilder::dbl(double v) { push(Node{ReplyKind::kDouble, 0, 0, 0, 0, v}, 0); }

void JsonReplyBuilder::boolean(bool v) { push(Node{ReplyKind::kBool, 0, 0, 0, v ? 1 : 0, 0}, 0); }

void JsonReplyBuilder::verbatim(std::string_view format, std::string_view text) {
  if (!skipping_.empty()) {
    skipped();
    return;
  }
  std::string fmt(format.substr(0, 3));
  fmt.resize(3, ' ');
  Node n{ReplyKind::kVerbatim,
         0,
         static_cast<uint32_t>(arena_.size()),
         static_cast<uint32_t>(text.size() + 3),
         0,
         0};
  arena_ += fmt;
  arena_.append(text);
  push(n, 0);
}

// --- ReplyRef --------------------------------------------------------------------------------

bool ReplyRef::valid() const { return tree_ != nullptr && index_ < tree_->nodes_.size(); }

ReplyKind ReplyRef::kind() const { return tree_->nodes_[index_].kind; }

std::string_view ReplyRef::str() const {
  const auto& n = tree_->nodes_[index_];
  std::string_view s(tree_->arena_.data() + n.off, n.len);
  return n.kind == ReplyKind::kVerbatim ? s.substr(3) : s;
}

std::string_view ReplyRef::verbatim_format() const {
  const auto& n = tree_->nodes_[index_];
  return std::string_view(tree_->arena_.data() + n.off, 3);
}

int64_t ReplyRef::integer() const { return tree_->nodes_[index_].value; }

double ReplyRef::dbl() const { return tree_->nodes_[index_].dbl; }

size_t ReplyRef::size() const {
  const auto& n = tree_->nodes_[index_];
  if (n.kind == ReplyKind::kMap) return static_cast<size_t>(n.value) * 2;
  if (n.kind == ReplyKind::kArray || n.kind == ReplyKind::kSet) return static_cast<size_t>(n.value);
  return 0;
}

ReplyRef ReplyRef::child(size_t i) const {
  uint32_t k = index_ + 1;
  while (i-- > 0) k = tree_->nodes_[k].end;
  return {tree_, k};
}

ReplyRef::Iterator& ReplyRef::Iterator::operator++() {
  i_ = tree_->nodes_[i_].end;
  return *this;
}

ReplyRef::Iterator ReplyRef::begin() const { return {tree_, index_ + 1}; }

ReplyRef::Iterator ReplyRef::end() const {
  // An aggregate's elements end where its subtree ends; a leaf has none.
  return {tree_, is_aggregate() ? tree_->nodes_[index_].end : index_ + 1};
}

// --- Renderers -------------------------------------------------------------------------------

namespace {

void write_text(JsonWriter& w, std::string_view s, StringMode mode) {
  if (mode == StringMode::kBase64) {
    w.base64(s);
  } else {
    w.string(s);
  }
}

void render(JsonWriter& w, std::string& out, ReplyRef r, StringMode mode) {
  switch (r.kind()) {
    case ReplyKind::kSimple:
      if (mode == StringMode::kBase64 && r.str() != "OK") {
        w.base64(r.str());
      } else {
        w.string(r.str());
      }
      return;
    case ReplyKind::kError:
      w.begin_object();
      w.key("error");
      w.string(r.str());
      w.end_object();
      return;
    case ReplyKind::kInteger:
      w.integer(r.integer());
      return;
    case ReplyKind::kBulk:
    case ReplyKind::kVerbatim:
      write_text(w, r.str(), mode);
      return;
    case ReplyKind::kBigNum:
      // As text: JSON parsers read big numbers as doubles and would lose digits.
      write_text(w, r.str(), mode);
      return;
    case ReplyKind::kNull:
    case ReplyKind::kNullArray:
      w.null();
      return;
    case ReplyKind::kArray:
    case ReplyKind::kSet:
      w.begin_array();
      for (ReplyRef e : r) render(w, out, e, mode);
      w.end_array();
      return;
    case ReplyKind::kMap: {
      w.begin_object();
      bool is_key = true;
      for (ReplyRef e : r) {
        if (is_key) {
          // Object keys are always text: numbers and other scalars by their RESP text.
          if (e.is_string() || e.is_error()) {
            w.key(e.str());
          } else if (e.kind() == ReplyKind::kInteger) {
            w.key(int64_to_string(e.integer()));
          } else if (e.kind() == ReplyKind::kDouble) {
            w.key(double_to_string(e.dbl()));
          } else if (e.kind() == ReplyKind::kBool) {
            w.key(e.integer() ? "true" : "false");
          } else {
            // An aggregate or nil as a key: use its JSON text.
            std::string nested;
            JsonWriter nw(nested);
            render(nw, nested, e, StringMode::kText);
            w.key(nested);
          }
        } else {
          render(w, out, e, mode);
        }
        is_key = !is_key;
      }
      w.end_object();
      return;
    }
    case ReplyKind::kDouble:
      w.number(r.dbl());
      return;
    case ReplyKind::kBool:
      w.boolean(r.integer() != 0);
      return;
  }
}

}  // namespace

void render_json(std::string& out, ReplyRef r, StringMode mode) {
  JsonWriter w(out);
  render(w, out, r, mode);
}

void render_resp2(std::string& out, ReplyRef r) {
  switch (r.kind()) {
    case ReplyKind::kSimple:
      resp::append_simple(out, r.str());
      return;
    case ReplyKind::kError:
      resp::append_error(out, r.str());
      return;
    case ReplyKind::kInteger:
    case ReplyKind::kBool:
      resp::append_integer(out, r.integer());
      return;
    case ReplyKind::kBulk:
    case ReplyKind::kVerbatim:
    case ReplyKind::kBigNum:
      resp::append_bulk(out, r.str());
      return;
    case ReplyKind::kNull:
      resp::append_null_bulk(out);
      return;
    case ReplyKind::kNullArray:
      resp::append_null_array(out);
      return;
    case ReplyKind::kArray:
    case ReplyKind::kSet:
    case ReplyKind::kMap:
      resp::append_array_header(out, r.size());
      for (ReplyRef e : r) render_resp2(out, e);
      return;
    case ReplyKind::kDouble:
      resp::append_double_as_bulk(out, r.dbl());
      return;
  }
}

}  // namespace basalt::http
