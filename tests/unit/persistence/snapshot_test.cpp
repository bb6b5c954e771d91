#include "persistence/snapshot.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "persistence/keyspace_copy.hpp"
#include "persistence/rdb_loader.hpp"
#include "store/list.hpp"
#include "store/store.hpp"

namespace basalt {
namespace {

using testing_support::copy_keyspace;
using testing_support::first_difference;
using testing_support::Keyspace;

class SnapshotTest : public ::testing::Test {
 protected:
  SnapshotTest() : store_(4, clock_, 1) {
    char pattern[] = "/tmp/basalt-snapshot-XXXXXX";
    dir_ = mkdtemp(pattern);
    path_ = dir_ + "/dump.rdb";
  }
  ~SnapshotTest() override { std::filesystem::remove_all(dir_); }

  Keyspace load(int64_t at_ms) {
    ManualClock clock(at_ms);
    Store loaded(4, clock, 2);
    RdbLoadResult r = load_rdb_file(path_, loaded);
    EXPECT_TRUE(r.ok()) << *r.error;
    return copy_keyspace(loaded);
  }

  size_t files_in_dir() const {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) n += e.is_regular_file();
    return n;
  }

  ManualClock clock_;
  Store store_;
  std::string dir_, path_;
};

TEST_F(SnapshotTest, InterleavedWritesLeaveThePointInTimeKeyspace) {
  std::mt19937_64 rng(5);
  auto key = [&](int space) { return "k" + std::to_string(rng() % space); };
  for (int db = 0; db < 4; ++db) {
    for (int i = 0; i < 3000; ++i) {
      Database& d = store_.db(db);
      const std::string k = "k" + std::to_string(i);
      if (i % 3 == 0) {
        Entry* e = d.add(k, Value::new_list());
        for (int j = 0; j < 1 + i % 50; ++j) e->value.list().push_back(std::to_string(j));
      } else {
        d.add(k, Value("value-" + std::to_string(i) + std::string(i % 100, 'v')));
      }
      if (i % 7 == 0) d.set_expire(d.find(k), clock_.now_ms() + 1000 + i);
    }
  }
  const int64_t start_ms = clock_.now_ms();
  const Keyspace want = copy_keyspace(store_);
  std::string error;
  auto save = BackgroundSave::start(store_, path_, {}, {start_ms / 1000, 0, false}, &error);
  ASSERT_NE(save, nullptr) << error;
  int flushes = 0;
  while (!save->done()) {
    ASSERT_FALSE(save->step(50));
    for (int op = 0; op < 30; ++op) {
      Database& d = store_.db(static_cast<int>(rng() % 4));
      const std::string k = key(4000);
      switch (rng() % 10) {
        case 0:
          d.set(k, Value("overwritten"));
          break;
        case 1:
          d.erase(k);
          break;
        case 2:
          if (Entry* e = d.find(k); e != nullptr && e->value.is_list()) {
            e->value.list().push_back("pushed");
            if (e->value.list().size() > 1) e->value.list().pop_front();
          }
          break;
        case 3:
          if (Entry* e = d.find(k)) d.set_expire(e, clock_.now_ms() + 5);
          break;
        case 4:
          // New keys (the table grows and rehashes incrementally under the walk).
          for (int j = 0; j < 20; ++j) {
            const std::string nk = "new" + std::to_string(rng());
            if (d.find(nk) == nullptr) d.add(nk, Value("fresh"));
          }
          break;
        case 5:
          clock_.advance_ms(3);
          store_.refresh_time();
          (void)d.find_read(k);  // lazy expiry
          break;
        case 6:
          d.active_expire(INT64_MAX);
          break;
        case 7:
          if (rng() % 40 == 0 && flushes < 3) {
            d.clear();
            ++flushes;
          }
          break;
        default:
          if (Entry* e = d.find(k); e != nullptr && e->value.is_string())
            e->value.assign("mutated");
          break;
      }
    }
  }
  ASSERT_FALSE(save->finish_bytes());
  ASSERT_FALSE(save->commit());
  EXPECT_GT(flushes, 0);
  const Keyspace got = load(start_ms);
  EXPECT_EQ(first_difference(want, got), "");
  EXPECT_EQ(got.size(), want.size());
  EXPECT_EQ(files_in_dir(), 1u);
  // After a snapshot every entry is back to "serialized": a second one sees the current state.
  // Keys whose TTL has passed but that no one touched yet are written and then skipped at load.
  Keyspace now = copy_keyspace(store_);
  std::erase_if(now, [&](const auto& kv) {
    return kv.second.expire_at != 0 && kv.second.expire_at <= clock_.now_ms();
  });
  auto again = BackgroundSave::start(store_, path_, {}, {0, 0, false}, &error);
  ASSERT_NE(again, nullptr);
  while (!again->done()) ASSERT_FALSE(again->step(1000));
  ASSERT_FALSE(again->finish_bytes());
  ASSERT_FALSE(again->commit());
  EXPECT_EQ(first_difference(now, load(clock_.now_ms())), "");
}

TEST_F(SnapshotTest, BufferStaysBounded) {
  for (int i = 0; i < 20000; ++i)
    store_.db(0).add("key" + std::to_string(i), Value(std::string(500, 'x')));
  RdbWriteOptions options;
  options.compression = false;
  std::string error;
  auto save = BackgroundSave::start(store_, path_, options, {0, 0, false}, &error);
  ASSERT_NE(save, nullptr);
  while (!save->done()) ASSERT_FALSE(save->step(100));
  ASSERT_FALSE(save->finish_bytes());
  ASSERT_FALSE(save->commit());
  EXPECT_GT(save->stats().bytes, 9u << 20);
  // The drain threshold plus at most one step's entries.
  EXPECT_LT(save->stats().max_buffer_bytes, BackgroundSave::kDrainBytes + 100 * 600);
  EXPECT_EQ(load(clock_.now_ms()).size(), 20000u);
}

TEST_F(SnapshotTest, SwapDbCompletesBothDatabasesFirst) {
  for (int i = 0; i < 500; ++i) {
    store_.db(0).add("a" + std::to_string(i), Value("zero"));
    store_.db(1).add("b" + std::to_string(i), Value("one"));
  }
  const Keyspace want = copy_keyspace(store_);
  std::string error;
  auto save = BackgroundSave::start(store_, path_, {}, {0, 0, false}, &error);
  ASSERT_FALSE(save->step(10));
  store_.swap_db(0, 1);
  store_.db(0).set("b1", Value("changed after the swap"));
  store_.db(1).erase("a1");
  while (!save->done()) ASSERT_FALSE(save->step(100));
  ASSERT_FALSE(save->finish_bytes());
  ASSERT_FALSE(save->commit());
  EXPECT_EQ(first_difference(want, load(clock_.now_ms())), "");
}

TEST_F(SnapshotTest, AbortLeavesNoTemporaryAndTheOldDump) {
  store_.db(0).add("old", Value("dump"));
  ASSERT_FALSE(save_rdb(store_, path_, {}, {0, 0, false}));
  for (int i = 0; i < 1000; ++i) store_.db(0).add("k" + std::to_string(i), Value("v"));
  std::string error;
  auto save = BackgroundSave::start(store_, path_, {}, {0, 0, false}, &error);
  ASSERT_FALSE(save->step(10));
  EXPECT_EQ(files_in_dir(), 2u);
  // FLUSHALL: the server aborts the save first, as Redis kills its child.
  save->abort();
  store_.flush_all();
  EXPECT_EQ(files_in_dir(), 1u);
  const Keyspace old = load(clock_.now_ms());
  EXPECT_EQ(old.size(), 1u);
  EXPECT_EQ(old.begin()->first.second, "old");
  // An aborted walk leaves the entries right for the next snapshot.
  store_.db(1).add("after", Value("abort"));
  for (int i = 0; i < 100; ++i) store_.db(1).add("x" + std::to_string(i), Value("y"));
  auto first = BackgroundSave::start(store_, path_, {}, {0, 0, false}, &error);
  ASSERT_FALSE(first->step(5));
  first->abort();
  const Keyspace want = copy_keyspace(store_);
  auto second = BackgroundSave::start(store_, path_, {}, {0, 0, false}, &error);
  while (!second->done()) ASSERT_FALSE(second->step(7));
  ASSERT_FALSE(second->finish_bytes());
  ASSERT_FALSE(second->commit());
  EXPECT_EQ(first_difference(want, load(clock_.now_ms())), "");
}

}  // namespace
}  // namespace basalt
