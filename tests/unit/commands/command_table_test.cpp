// The command table's bookkeeping: dense ids over commands and subcommands (per-id arrays such as
// the engine's statistics rely on them), and ACL categories as bits.

#include "commands/command_table.hpp"

#include <gtest/gtest.h>

#include <set>

#include "commands/engine.hpp"

namespace basalt {
namespace {

TEST(CommandTable, IdsAreDenseAndUnique) {
  CommandTable table;
  register_all_commands(table);
  std::set<uint16_t> ids;
  size_t rows = 0;
  for (const Command* cmd : table.sorted()) {
    ids.insert(cmd->id);
    ++rows;
    for (const Command& sub : cmd->subcommands) {
      ids.insert(sub.id);
      ++rows;
    }
  }
  EXPECT_EQ(ids.size(), rows) << "two rows share an id";
  EXPECT_EQ(table.id_count(), rows);
  EXPECT_EQ(*ids.rbegin(), rows - 1);
}

TEST(CommandTable, AclCategoriesAreBits) {
  EXPECT_EQ(acl_category_bit("@string"), kAclString);
  EXPECT_EQ(acl_category_bit("keyspace"), kAclKeyspace);
  EXPECT_EQ(acl_category_bit("@nosuch"), 0u);
  EXPECT_EQ(acl_category_names(kAclWrite | kAclKeyspace | kAclSlow),
            (std::vector<std::string>{"@keyspace", "@write", "@slow"}));
  CommandTable table;
  register_all_commands(table);
  // Explicit (@string) and implied by flags (write, denyoom is none, fast absent so slow).
  const Command* set = table.find("set");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->acl_categories, kAclWrite | kAclString | kAclSlow);
  const Command* debug = table.find("debug");
  ASSERT_NE(debug, nullptr);
  EXPECT_EQ(debug->acl_categories, kAclAdmin | kAclDangerous | kAclSlow);
}

}  // namespace
}  // namespace basalt
