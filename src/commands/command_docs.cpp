#include "commands/command_docs.hpp"

#include <algorithm>

namespace basalt::docs {

#include "commands/command_docs.inc"

namespace {

const CommandDoc* find_in(std::span<const CommandDoc> table, std::string_view name) {
  auto it = std::ranges::lower_bound(table, name, {}, &CommandDoc::name);
  return it != table.end() && it->name == name ? &*it : nullptr;
}

}  // namespace

std::string_view docs_redis_version() { return kDocsRedisVersion; }

const CommandDoc* find_command_doc(std::string_view lowercase_name) {
  if (lowercase_name.find('|') != std::string_view::npos) {
    return find_in(kSubcommandDocs, lowercase_name);
  }
  return find_in(kCommandDocs, lowercase_name);
}

std::span<const CommandDoc> all_command_docs() { return kCommandDocs; }

void replay(const CommandDoc& doc, DocVisitor& visitor) { replay(doc.nodes, visitor); }

size_t value_extent(std::span<const DocNode> nodes, size_t i) {
  size_t end = i;
  int64_t pending = 1;  // values still to step over
  while (pending > 0 && end < nodes.size()) {
    const DocNode& node = nodes[end++];
    --pending;
    if (node.kind == DocKind::kMap) {
      pending += 2 * node.n;
    } else if (node.kind == DocKind::kArray || node.kind == DocKind::kSet) {
      pending += node.n;
    }
  }
  return end - i;
}

void replay(std::span<const DocNode> nodes, DocVisitor& visitor) {
  for (const DocNode& node : nodes) {
    switch (node.kind) {
      case DocKind::kMap:
        visitor.map(node.n);
        break;
      case DocKind::kArray:
        visitor.array(node.n);
        break;
      case DocKind::kSet:
        visitor.set(node.n);
        break;
      case DocKind::kBulk:
        visitor.bulk(node.str);
        break;
      case DocKind::kSimple:
        visitor.simple(node.str);
        break;
      case DocKind::kInteger:
        visitor.integer(node.n);
        break;
    }
  }
}

}  // namespace basalt::docs
