// The README's command list and configuration table must say what the server has: both are checked
// against the command table and the configuration registry, so neither can drift.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "base/strings.hpp"
#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

std::string readme_section(const std::string& name) {
  auto path = std::filesystem::path(__FILE__).parent_path() / "../../../README.md";
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::string begin = "<!-- " + name + ":begin -->", end = "<!-- " + name + ":end -->";
  size_t b = text.find(begin), e = text.find(end);
  if (b == std::string::npos || e == std::string::npos) return {};
  return text.substr(b + begin.size(), e - b - begin.size());
}

class ReadmeTest : public EngineTest {};

TEST_F(ReadmeTest, CommandListMatchesTheCommandTable) {
  std::string section = readme_section("commands");
  ASSERT_FALSE(section.empty());
  std::set<std::string> listed;
  std::regex word("\\b[A-Z][A-Z_]+\\b");  // SORT_RO is one name
  for (std::sregex_iterator it(section.begin(), section.end(), word), end; it != end; ++it) {
    listed.insert(lowercase(it->str()));
  }
  std::set<std::string> table;
  for (const Command* c : engine_->commands().sorted()) table.insert(std::string(c->spec.name));
  for (const auto& name : table) EXPECT_TRUE(listed.count(name)) << name << " is not in README";
  for (const auto& name : listed) EXPECT_TRUE(table.count(name)) << name << " is not a command";
}

TEST_F(ReadmeTest, ConfigurationTableMatchesTheRegistry) {
  std::string section = readme_section("config");
  ASSERT_FALSE(section.empty());
  std::set<std::string> listed;
  std::regex row("\\n\\| ([a-z-]+) \\|");
  for (std::sregex_iterator it(section.begin(), section.end(), row), end; it != end; ++it) {
    listed.insert((*it)[1].str());
  }
  listed.erase("parameter");
  std::set<std::string> registry;
  for (auto& [name, value] : ConfigRegistry::get(config_, "*")) registry.insert(name);
  EXPECT_EQ(listed, registry);
}

}  // namespace
}  // namespace basalt::testing
