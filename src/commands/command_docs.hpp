// COMMAND DOCS replies, generated once from a real redis-server (tools/gen_command_docs.py) and
// stored as flat node arrays, so the server can replay them byte-for-byte in any reply format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace basalt::docs {

enum class DocKind : uint8_t { kMap, kArray, kSet, kBulk, kSimple, kInteger };

// One node of a reply in prefix order. Aggregates are followed by their elements: n is the element
// count (for a map, the number of key/value pairs, whose 2n nodes follow). For kInteger n is the
// value; for kBulk and kSimple str is the text.
struct DocNode {
  DocKind kind;
  int64_t n;
  std::string_view str;
};

// The doc of one command: the value of its entry in the COMMAND DOCS map (not including the name).
// `nodes` holds exactly one complete value, a map.
struct CommandDoc {
  std::string_view name;
  std::span<const DocNode> nodes;
};

// The redis-server version the table was generated from, e.g. "7.0.15".
std::string_view docs_redis_version();

// Looks up a top-level command ("get") or a subcommand ("client|id"); the name must already be
// lowercase. Returns nullptr if Basalt has no doc for it. A subcommand's doc is the same node range
// that is nested in its container's "subcommands" map.
const CommandDoc* find_command_doc(std::string_view lowercase_name);

// Every top-level command, sorted by name (subcommands appear only inside their containers), which
// is what COMMAND DOCS without arguments lists.
std::span<const CommandDoc> all_command_docs();

// Receives a doc in prefix order; map(n) is followed by 2n values (key, value, ...), array(n) and
// set(n) by n values.
struct DocVisitor {
  virtual void map(int64_t n) = 0;
  virtual void array(int64_t n) = 0;
  virtual void set(int64_t n) = 0;
  virtual void bulk(std::string_view s) = 0;
  virtual void simple(std::string_view s) = 0;
  virtual void integer(int64_t v) = 0;
  virtual ~DocVisitor() = default;
};

// Feeds doc's nodes to visitor in order.
void replay(const CommandDoc& doc, DocVisitor& visitor);
// Feeds any node range (e.g. one value inside a doc) to visitor in order.
void replay(std::span<const DocNode> nodes, DocVisitor& visitor);

// The number of nodes making up the complete value that starts at nodes[i] (1 for a scalar; an
// aggregate counts its elements, recursively), so callers can step over a value.
size_t value_extent(std::span<const DocNode> nodes, size_t i);

}  // namespace basalt::docs
