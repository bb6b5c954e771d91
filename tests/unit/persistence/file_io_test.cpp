#include "persistence/file_io.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace basalt {
namespace {

class FileIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/basalt-file-io-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileIoTest, AtomicWriteReplacesTheFileAndLeavesNoTemporary) {
  const std::string path = join_path(dir_, "dump.rdb");
  ASSERT_FALSE(write_file_atomically(path, "old"));
  ASSERT_FALSE(write_file_atomically(path, "new contents"));
  std::string error;
  EXPECT_EQ(read_file(path, &error), "new contents");
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(FileIoTest, AFailedWriteKeepsTheOldFile) {
  const std::string path = join_path(dir_, "sub/dump.rdb");  // no such directory
  auto error = write_file_atomically(path, "x");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("sub/"), std::string::npos) << *error;
}

TEST_F(FileIoTest, AppendKeepsWhatWasThere) {
  const std::string path = join_path(dir_, "a.aof");
  {
    OutputFile f;
    ASSERT_FALSE(f.open(path));
    ASSERT_FALSE(f.write("one "));
    ASSERT_FALSE(f.close());
  }
  OutputFile f;
  ASSERT_FALSE(f.open(path, /*append=*/true));
  ASSERT_FALSE(f.write("two"));
  ASSERT_FALSE(f.sync());
  EXPECT_EQ(f.bytes_written(), 3u);
  ASSERT_FALSE(f.close());
  std::string error;
  EXPECT_EQ(read_file(path, &error), "one two");
}

TEST(FilePaths, JoinAndDirectory) {
  EXPECT_EQ(join_path("", "dump.rdb"), "dump.rdb");
  EXPECT_EQ(join_path("/data", "dump.rdb"), "/data/dump.rdb");
  EXPECT_EQ(join_path("/data/", "dump.rdb"), "/data/dump.rdb");
  EXPECT_EQ(directory_of("dump.rdb"), ".");
  EXPECT_EQ(directory_of("/dump.rdb"), "/");
  EXPECT_EQ(directory_of("/data/x/dump.rdb"), "/data/x");
  const std::string t = temp_path_for("/data/dump.rdb");
  EXPECT_EQ(t.rfind("/data/temp-", 0), 0u) << t;
  EXPECT_NE(t, temp_path_for("/data/dump.rdb"));
  EXPECT_EQ(foreground_save_temp_path("/data/dump.rdb"),
            "/data/temp-" + std::to_string(::getpid()) + ".rdb");
}

}  // namespace
}  // namespace basalt
