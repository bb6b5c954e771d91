#include "persistence/aof_manifest.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "persistence/file_io.hpp"

namespace basalt {
namespace {

AofFileInfo info(std::string name, int64_t seq, AofFileType type) {
  return AofFileInfo{std::move(name), seq, type};
}

AofManifest parse_ok(std::string_view text) {
  AofManifest m;
  auto error = AofManifest::parse(text, &m);
  EXPECT_FALSE(error) << error->to_string("manifest");
  return m;
}

std::string parse_error(std::string_view text) {
  AofManifest m;
  auto error = AofManifest::parse(text, &m);
  if (!error) return "(parsed)";
  EXPECT_TRUE(m.empty());
  return error->reason;
}

TEST(AofManifestTest, ParsesRedisCommentExample) {
  // The example at the top of Redis 7.0's aof.c.
  const std::string text =
      "file appendonly.aof.2.base.rdb seq 2 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type h\n"
      "file appendonly.aof.2.incr.aof seq 2 type h\n"
      "file appendonly.aof.3.incr.aof seq 3 type h\n"
      "file appendonly.aof.4.incr.aof seq 4 type i\n"
      "file appendonly.aof.5.incr.aof seq 5 type i\n";
  AofManifest m = parse_ok(text);
  ASSERT_TRUE(m.base);
  EXPECT_EQ(*m.base, info("appendonly.aof.2.base.rdb", 2, AofFileType::kBase));
  ASSERT_EQ(m.history.size(), 3u);
  EXPECT_EQ(m.history[2], info("appendonly.aof.3.incr.aof", 3, AofFileType::kHistory));
  ASSERT_EQ(m.incrs.size(), 2u);
  EXPECT_EQ(m.incrs[0].name, "appendonly.aof.4.incr.aof");
  EXPECT_EQ(m.base_seq, 2);
  EXPECT_EQ(m.incr_seq, 5);
  EXPECT_EQ(m.serialize(), text);
}

TEST(AofManifestTest, SerializesBaseThenHistoryThenIncr) {
  // Lines in another order are read, and written back in Redis's order.
  AofManifest m = parse_ok(
      "file a.1.incr.aof seq 1 type i\n"
      "file a.1.base.aof seq 1 type h\n"
      "file a.2.base.rdb seq 2 type b\n");
  EXPECT_EQ(m.serialize(),
            "file a.2.base.rdb seq 2 type b\n"
            "file a.1.base.aof seq 1 type h\n"
            "file a.1.incr.aof seq 1 type i\n");
}

TEST(AofManifestTest, RedisTestsAcceptedForms) {
  // tests/integration/aof-multi-part.tcl: extra key/value pairs (forward compatibility), a gap in
  // the sequence, keys in any case and order, comments, and the old single file as base.
  AofManifest m = parse_ok(
      "# written by hand\n"
      "file appendonly.aof.1.base.aof seq 1 type b newkey newvalue\n"
      "FILE appendonly.aof.1.incr.aof SEQ 1 TYPE i\n"
      "type i seq 3 file appendonly.aof.3.incr.aof\n");
  ASSERT_EQ(m.incrs.size(), 2u);
  EXPECT_EQ(m.incrs[1].seq, 3);
  EXPECT_EQ(parse_ok("file appendonly.aof seq 1 type b\n").base->name, "appendonly.aof");
  // Tabs and a CR before the newline are trimmed.
  EXPECT_EQ(parse_ok("file\tx.aof seq 7 type i\r\n").incrs[0].seq, 7);
  // Only comments: a valid, empty manifest.
  EXPECT_TRUE(parse_ok("# nothing\n").empty());
}

TEST(AofManifestTest, RedisErrors) {
  EXPECT_EQ(parse_error(""), "Found an empty AOF manifest");
  EXPECT_EQ(parse_error("file appendonly.aof.2.incr.aof seq 2 type i\n"
                        "file appendonly.aof.1.incr.aof seq 1 type i\n"),
            "Found a non-monotonic sequence number");
  EXPECT_EQ(parse_error("file appendonly.aof.1.incr.aof seq 1 type i\n\n"
                        "file appendonly.aof.3.incr.aof seq 3 type i\n"),
            "Invalid AOF manifest file format");
  EXPECT_EQ(parse_error("file appendonly.aof.1.base.aof seq 1 type b\n"
                        "file appendonly.aof.2.base.aof seq 2 type b\n"),
            "Found duplicate base file information");
  EXPECT_EQ(parse_error("file appendonly.aof.1.base.aof seq 1 type x\n"), "Unknown AOF file type");
  EXPECT_EQ(parse_error("filx appendonly.aof.1.base.aof seq 1 type b\n"),
            "Invalid AOF manifest file format");
  EXPECT_EQ(parse_error("file appendonly.aof.1.incr.aof type i\n"),
            "Invalid AOF manifest file format");
  EXPECT_EQ(parse_error("file appendonly.aof.1.incr.aof seq 1 type i newkey\n"),
            "Invalid AOF manifest file format");
  std::string long_line;
  while (long_line.size() < 1100) long_line += "file appendonly.aof.1.base.aof seq 1 type b ";
  EXPECT_EQ(parse_error(long_line + "\n"), "The AOF manifest file contains too long line");
  // No newline at the end: fgets hands Redis a line without one.
  EXPECT_EQ(parse_error("file a seq 1 type b"), "The AOF manifest file contains too long line");
  EXPECT_EQ(parse_error("file ../a seq 1 type b\n"), "File can't be a path, just a filename");
  EXPECT_EQ(parse_error("file a\\b seq 1 type b\n"), "File can't be a path, just a filename");
  EXPECT_EQ(parse_error("file \"a\\\\b\" seq 1 type b\n"), "File can't be a path, just a filename");
  EXPECT_EQ(parse_error("file a seq 0 type b\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(parse_error("file a seq x type b\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(parse_error("file a seq 1 type \"\"\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(parse_error("file \"a seq 1 type b\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(parse_error("file \"a\"b seq 1 type b\n"), "Invalid AOF manifest file format");
  // Incr sequence numbers must be positive; a base's need only be non-zero (atoll).
  EXPECT_EQ(parse_error("file a seq -1 type i\n"), "Found a non-monotonic sequence number");
  EXPECT_EQ(parse_error("file a seq -1 type b\n"), "(parsed)");
}

TEST(AofManifestTest, ErrorNamesTheLine) {
  AofManifest m;
  auto error = AofManifest::parse("file a seq 1 type b\nfile b seq 1 type x  \n", &m);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->line, 2);
  EXPECT_EQ(error->to_string("dir/m"),
            "dir/m: Unknown AOF file type (line 2: 'file b seq 1 type x')");
}

TEST(AofManifestTest, RoundTripsAwkwardNames) {
  const std::string names[] = {"my append only.aof",
                               "tab\there",
                               "quote\"d",
                               std::string("bin\x01\x80\xff", 6),
                               "x'y",
                               "a\nb",
                               "é.aof"};
  for (const auto& name : names) {
    AofManifest m;
    m.add_new_base(name, true);
    m.add_new_incr(name);
    m.add_new_incr(name);
    AofManifest back;
    auto error = AofManifest::parse(m.serialize(), &back);
    ASSERT_FALSE(error) << error->to_string(name);
    EXPECT_EQ(back, m) << m.serialize();
  }
}

TEST(AofManifestTest, SingleQuotedAndHexForms) {
  AofManifest m = parse_ok("file 'it\\'s' seq 1 type b\nfile \"\\x41\\x4a\" seq 2 type i\n");
  EXPECT_EQ(m.base->name, "it's");
  EXPECT_EQ(m.incrs[0].name, "AJ");
}

TEST(AofManifestTest, NamesFollowRedis) {
  AofManifest m;
  EXPECT_EQ(m.last_incr_or_new("appendonly.aof"), "appendonly.aof.1.incr.aof");
  EXPECT_EQ(m.last_incr_or_new("appendonly.aof"), "appendonly.aof.1.incr.aof");
  EXPECT_EQ(m.add_new_base("appendonly.aof", true), "appendonly.aof.1.base.rdb");
  EXPECT_EQ(m.add_new_incr("appendonly.aof"), "appendonly.aof.2.incr.aof");
  EXPECT_EQ(m.add_new_base("appendonly.aof", false), "appendonly.aof.2.base.aof");
  m.mark_incrs_before_as_history(2);
  EXPECT_EQ(m.serialize(),
            "file appendonly.aof.2.base.aof seq 2 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type h\n"
            "file appendonly.aof.1.base.rdb seq 1 type h\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
}

TEST(AofManifestTest, HistoryOrderMatchesRedisAfterTwoRewrites) {
  // aof-multi-part.tcl, "AOF enable/disable auto gc": two rewrites with gc off leave this.
  AofManifest m = parse_ok(
      "file appendonly.aof.5.base.rdb seq 5 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type i\n");
  for (int i = 0; i < 2; ++i) {
    m.add_new_incr("appendonly.aof");
    m.add_new_base("appendonly.aof", true);
    m.mark_incrs_before_as_history(m.incr_seq);
  }
  EXPECT_EQ(m.serialize(),
            "file appendonly.aof.7.base.rdb seq 7 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type h\n"
            "file appendonly.aof.6.base.rdb seq 6 type h\n"
            "file appendonly.aof.1.incr.aof seq 1 type h\n"
            "file appendonly.aof.5.base.rdb seq 5 type h\n"
            "file appendonly.aof.3.incr.aof seq 3 type i\n");
}

class AofDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/basalt-aof-manifest-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    names_.dir = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(names_.dir); }
  void write(const std::string& path, std::string_view bytes) {
    ASSERT_FALSE(write_file_atomically(path, bytes));
  }
  AofNames names_;
};

TEST_F(AofDirTest, NoDirectoryOrManifestIsNoAof) {
  AofLoadPlan plan;
  ASSERT_FALSE(prepare_aof_load(names_, &plan));
  EXPECT_EQ(plan.state, AofLoadPlan::State::kNoAof);
  std::filesystem::create_directory(names_.aof_dir());
  ASSERT_FALSE(prepare_aof_load(names_, &plan));
  EXPECT_EQ(plan.state, AofLoadPlan::State::kNoAof);
}

TEST_F(AofDirTest, PlansBaseThenIncrs) {
  std::filesystem::create_directory(names_.aof_dir());
  write(names_.path_of("appendonly.aof.1.base.rdb"), "REDIS0009 and more");
  write(names_.path_of("appendonly.aof.1.incr.aof"), "*1\r\n$4\r\nPING\r\n");
  write(names_.path_of("appendonly.aof.2.incr.aof"), "");
  write(names_.manifest_path(),
        "file appendonly.aof.1.base.rdb seq 1 type b\n"
        "file appendonly.aof.1.incr.aof seq 1 type i\n"
        "file appendonly.aof.2.incr.aof seq 2 type i\n");
  AofLoadPlan plan;
  ASSERT_FALSE(prepare_aof_load(names_, &plan));
  EXPECT_EQ(plan.state, AofLoadPlan::State::kLoad);
  ASSERT_EQ(plan.files.size(), 3u);
  EXPECT_EQ(plan.files[0].format, AofFileFormat::kRdb);
  EXPECT_EQ(plan.files[0].type, AofFileType::kBase);
  EXPECT_EQ(plan.files[1].format, AofFileFormat::kCommands);
  EXPECT_EQ(plan.files[2].format, AofFileFormat::kEmpty);
  EXPECT_EQ(plan.files[1].path, names_.dir + "/appendonlydir/appendonly.aof.1.incr.aof");
  EXPECT_EQ(plan.base_size, 18u);
  EXPECT_EQ(plan.total_size, 18u + 14u);
}

TEST_F(AofDirTest, MissingFileIsRedisError) {
  std::filesystem::create_directory(names_.aof_dir());
  write(names_.path_of("appendonly.aof.1.base.aof"), "*1\r\n$4\r\nPING\r\n");
  write(names_.manifest_path(),
        "file appendonly.aof.1.base.aof seq 1 type b\n"
        "file appendonly.aof.1.incr.aof seq 1 type i\n");
  AofLoadPlan plan;
  auto error = prepare_aof_load(names_, &plan);
  ASSERT_TRUE(error);
  EXPECT_EQ(*error,
            "Unable to obtain the AOF file appendonly.aof.1.incr.aof length. stat: No such file "
            "or directory");
}

TEST_F(AofDirTest, RdbIncrIsRefused) {
  std::filesystem::create_directory(names_.aof_dir());
  write(names_.path_of("appendonly.aof.1.incr.aof"), "REDIS0009");
  write(names_.manifest_path(), "file appendonly.aof.1.incr.aof seq 1 type i\n");
  AofLoadPlan plan;
  auto error = prepare_aof_load(names_, &plan);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("only a base file may hold an RDB"), std::string::npos) << *error;
}

TEST_F(AofDirTest, AllEmptyIsEmpty) {
  std::filesystem::create_directory(names_.aof_dir());
  write(names_.path_of("appendonly.aof.1.incr.aof"), "");
  write(names_.manifest_path(), "file appendonly.aof.1.incr.aof seq 1 type i\n");
  AofLoadPlan plan;
  ASSERT_FALSE(prepare_aof_load(names_, &plan));
  EXPECT_EQ(plan.state, AofLoadPlan::State::kEmpty);
}

TEST_F(AofDirTest, BadManifestNamesFileAndLine) {
  std::filesystem::create_directory(names_.aof_dir());
  write(names_.manifest_path(), "file a seq 1 type b\nbad\n");
  AofLoadPlan plan;
  auto error = prepare_aof_load(names_, &plan);
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, names_.manifest_path() + ": Invalid AOF manifest file format (line 2: 'bad')");
}

TEST_F(AofDirTest, UpgradesTheOldSingleFile) {
  const std::string commands = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
  write(names_.legacy_path(), commands);
  AofLoadPlan plan;
  ASSERT_FALSE(prepare_aof_load(names_, &plan));
  EXPECT_TRUE(plan.upgraded);
  EXPECT_EQ(plan.state, AofLoadPlan::State::kLoad);
  ASSERT_EQ(plan.files.size(), 1u);
  EXPECT_EQ(plan.files[0].path, names_.path_of("appendonly.aof"));
  EXPECT_FALSE(std::filesystem::exists(names_.legacy_path()));
  std::string error;
  EXPECT_EQ(read_file(names_.manifest_path(), &error), "file appendonly.aof seq 1 type b\n");
  // A second start finds the upgraded directory as it is.
  ASSERT_FALSE(prepare_aof_load(names_, &plan));
  EXPECT_FALSE(plan.upgraded);
  EXPECT_EQ(plan.files.size(), 1u);
}

TEST_F(AofDirTest, FinishesAnUpgradeInterruptedAfterTheManifest) {
  std::filesystem::create_directory(names_.aof_dir());
  write(names_.manifest_path(), "file appendonly.aof seq 1 type b\n");
  write(names_.legacy_path(), "*1\r\n$4\r\nPING\r\n");
  AofLoadPlan plan;
  ASSERT_FALSE(prepare_aof_load(names_, &plan));
  EXPECT_TRUE(plan.upgraded);
  EXPECT_TRUE(std::filesystem::exists(names_.path_of("appendonly.aof")));
}

TEST_F(AofDirTest, PersistAndLoadRoundTrip) {
  std::filesystem::create_directory(names_.aof_dir());
  AofManifest m;
  m.add_new_base(names_.filename, false);
  m.add_new_incr(names_.filename);
  ASSERT_FALSE(persist_aof_manifest(names_, m));
  AofManifest back;
  bool found = false;
  ASSERT_FALSE(load_aof_manifest(names_, &back, &found));
  EXPECT_TRUE(found);
  EXPECT_EQ(back, m);
}

}  // namespace
}  // namespace basalt
