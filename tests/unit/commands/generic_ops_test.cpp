// The keyspace and expiry family's Op side on a bare Store: no engine, no client, no reply.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "commands/generic_family.hpp"
#include "commands/string_family.hpp"
#include "store/clock.hpp"
#include "store/database.hpp"
#include "store/store.hpp"

namespace basalt {
namespace {

class GenericOpsTest : public ::testing::Test {
 protected:
  GenericOpsTest() : store_(2, clock_, 7) { store_.set_time(kNow); }
  Database& db(int i = 0) { return store_.db(i); }
  void put(std::string_view key, std::string_view value, int i = 0) {
    ASSERT_TRUE(op_set(db(i), key, value, SetParams{}).ok());
  }

  static constexpr int64_t kNow = 1'700'000'000'000;
  ManualClock clock_{kNow};
  Store store_;
};

TEST_F(GenericOpsTest, DeleteRenameCopyMove) {
  put("a", "1");
  put("b", "2");
  std::vector<std::string_view> keys = {"a", "zz", "a"};
  EXPECT_EQ(op_exists(db(), keys), 2);
  EXPECT_EQ(op_rename(db(), "missing", "x", false).status(), OpStatus::kNoSuchKey);
  EXPECT_FALSE(*op_rename(db(), "a", "b", true));  // NX: b exists
  EXPECT_TRUE(*op_rename(db(), "a", "c", false));
  EXPECT_EQ(op_type(db(), "c"), ValueType::kString);
  EXPECT_FALSE(op_type(db(), "a").has_value());
  EXPECT_EQ(op_copy(db(), "c", db(), "c", false).status(), OpStatus::kSameObject);
  EXPECT_TRUE(*op_copy(db(), "c", db(1), "c", false));
  EXPECT_EQ(op_move(db(), db(), "c").status(), OpStatus::kSameObject);
  EXPECT_FALSE(*op_move(db(), db(1), "c"));  // db 1 holds c already
  std::vector<std::string_view> del = {"b", "c", "nope"};
  EXPECT_EQ(op_del(db(), del), 2);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(GenericOpsTest, ExpiryFlagsAndTtl) {
  put("k", "v");
  EXPECT_EQ(op_ttl(db(), "k", false, false), -1);
  EXPECT_EQ(op_ttl(db(), "missing", false, false), -2);
  EXPECT_FALSE(op_expire(db(), "k", kNow + 5000, kExpireXx));  // no TTL yet
  EXPECT_TRUE(op_expire(db(), "k", kNow + 5000, kExpireNx));
  EXPECT_FALSE(op_expire(db(), "k", kNow + 4000, kExpireGt));
  EXPECT_TRUE(op_expire(db(), "k", kNow + 4000, kExpireLt));
  EXPECT_EQ(op_ttl(db(), "k", true, false), 4000);
  EXPECT_EQ(op_ttl(db(), "k", true, true), kNow + 4000);
  EXPECT_TRUE(op_persist(db(), "k"));
  EXPECT_FALSE(op_persist(db(), "k"));
  EXPECT_TRUE(op_expire(db(), "k", kNow - 1, 0));  // in the past: deleted, still a success
  EXPECT_FALSE(op_type(db(), "k").has_value());
}

TEST_F(GenericOpsTest, ScanWalksEveryKeyOnce) {
  for (int i = 0; i < 100; ++i) put("key:" + std::to_string(i), "v");
  put("other", "v");
  std::vector<std::string_view> seen;
  ScanParams params;
  params.pattern = "key:*";
  uint64_t cursor = 0;
  do {
    std::vector<std::string_view> keys;
    cursor = op_scan(db(), cursor, params, &keys);
    seen.insert(seen.end(), keys.begin(), keys.end());
  } while (cursor != 0);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(op_keys(db(), "oth*"), std::vector<std::string_view>{"other"});
}

}  // namespace
}  // namespace basalt
