// The list family's Op side, called as persistence loading or a shard would: on a Store and its
// Database, with no engine, no client and no reply.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "commands/list_family.hpp"
#include "store/clock.hpp"
#include "store/database.hpp"
#include "store/store.hpp"

namespace basalt {
namespace {

// Keeps what a counted pop hands over, as the reply would see it.
class CollectingSink final : public PopSink {
 public:
  void begin(std::string_view key, size_t count) override {
    key_ = key;
    announced_ = count;
  }
  void element(std::string_view value) override { elements_.emplace_back(value); }

  std::string key_;
  size_t announced_ = SIZE_MAX;  // SIZE_MAX: begin() was not called
  std::vector<std::string> elements_;
};

class ListOpsTest : public ::testing::Test {
 protected:
  ListOpsTest() : store_(1, clock_, 7) { store_.set_time(1'700'000'000'000); }
  Database& db() { return store_.db(0); }

  // The whole list, head to tail.
  std::vector<std::string> contents(std::string_view key) {
    std::vector<std::string> out;
    auto slice = op_lrange(db(), key, 0, -1);
    EXPECT_TRUE(slice.ok());
    slice->for_each([&](std::string_view v) { out.emplace_back(v); });
    return out;
  }
  void make_string(std::string_view key) { db().add(key, Value("v")); }

  using Strings = std::vector<std::string>;
  ManualClock clock_{1'700'000'000'000};
  Store store_;
};

TEST_F(ListOpsTest, PushAndPopBothEnds) {
  std::vector<std::string_view> abc = {"a", "b", "c"};
  EXPECT_EQ(*op_push(db(), "l", ListEnd::kTail, abc, false), 3u);
  EXPECT_EQ(*op_push(db(), "l", ListEnd::kHead, abc, false), 6u);  // c b a a b c
  EXPECT_EQ(contents("l"), (Strings{"c", "b", "a", "a", "b", "c"}));
  CollectingSink head, tail;
  EXPECT_TRUE(*op_pop(db(), "l", ListEnd::kHead, 1, head));
  EXPECT_TRUE(*op_pop(db(), "l", ListEnd::kTail, 1, tail));
  EXPECT_EQ(head.elements_, Strings{"c"});
  EXPECT_EQ(tail.elements_, Strings{"c"});
  EXPECT_EQ(*op_llen(db(), "l"), 4u);
  // The X forms create nothing.
  EXPECT_EQ(*op_push(db(), "nope", ListEnd::kHead, abc, true), 0u);
  EXPECT_EQ(db().find("nope"), nullptr);
  CollectingSink absent;
  EXPECT_FALSE(*op_pop(db(), "nope", ListEnd::kHead, 1, absent));
}

TEST_F(ListOpsTest, CountedPopStreamsAndDeletesTheEmptyList) {
  std::vector<std::string_view> abc = {"a", "b", "c"};
  op_push(db(), "l", ListEnd::kTail, abc, false);
  CollectingSink zero;
  EXPECT_TRUE(*op_pop(db(), "l", ListEnd::kHead, 0, zero));
  EXPECT_EQ(zero.announced_, 0u);
  EXPECT_EQ(*op_llen(db(), "l"), 3u);
  CollectingSink sink;
  EXPECT_TRUE(*op_pop(db(), "l", ListEnd::kTail, 10, sink));
  EXPECT_EQ(sink.key_, "l");
  EXPECT_EQ(sink.announced_, 3u);
  EXPECT_EQ(sink.elements_, (Strings{"c", "b", "a"}));
  EXPECT_EQ(db().find("l"), nullptr);
  CollectingSink absent;
  EXPECT_FALSE(*op_pop(db(), "l", ListEnd::kHead, 1, absent));
  EXPECT_EQ(absent.announced_, SIZE_MAX);
}

TEST_F(ListOpsTest, PopFirstServesTheFirstListAndStopsAtAWrongType) {
  std::vector<std::string_view> xy = {"x", "y"};
  op_push(db(), "b", ListEnd::kTail, xy, false);
  make_string("s");
  std::vector<std::string_view> keys = {"a", "b", "s"};
  CollectingSink sink;
  auto served = op_pop_first(db(), keys, ListEnd::kHead, 1, sink);
  ASSERT_TRUE(served.ok());
  EXPECT_EQ(served->value(), "b");
  EXPECT_EQ(sink.elements_, (Strings{"x"}));
  // A string before any list is WRONGTYPE, and nothing is popped.
  std::vector<std::string_view> string_first = {"s", "b"};
  CollectingSink untouched;
  EXPECT_EQ(op_pop_first(db(), string_first, ListEnd::kHead, 1, untouched).status(),
            OpStatus::kWrongType);
  EXPECT_EQ(*op_llen(db(), "b"), 1u);
  std::vector<std::string_view> none = {"a", "c"};
  EXPECT_FALSE(op_pop_first(db(), none, ListEnd::kHead, 1, untouched)->has_value());
}

TEST_F(ListOpsTest, MoveChecksBothTypesBeforePopping) {
  std::vector<std::string_view> abc = {"a", "b", "c"};
  op_push(db(), "src", ListEnd::kTail, abc, false);
  make_string("s");
  EXPECT_EQ(op_move(db(), "src", "s", ListEnd::kHead, ListEnd::kHead).status(),
            OpStatus::kWrongType);
  EXPECT_EQ(*op_llen(db(), "src"), 3u);
  EXPECT_EQ(op_move(db(), "s", "dst", ListEnd::kHead, ListEnd::kHead).status(),
            OpStatus::kWrongType);
  // An absent source is nothing to move, whatever the destination holds.
  EXPECT_FALSE(op_move(db(), "nope", "s", ListEnd::kHead, ListEnd::kHead)->has_value());
  EXPECT_EQ(op_move(db(), "src", "dst", ListEnd::kTail, ListEnd::kHead)->value(), "c");
  // Onto itself: a rotation, and the list is never emptied on the way.
  EXPECT_EQ(op_move(db(), "src", "src", ListEnd::kHead, ListEnd::kTail)->value(), "a");
  EXPECT_EQ(contents("src"), (Strings{"b", "a"}));
  op_move(db(), "dst", "src", ListEnd::kHead, ListEnd::kHead);
  EXPECT_EQ(db().find("dst"), nullptr);
  EXPECT_EQ(contents("src"), (Strings{"c", "b", "a"}));
}

TEST_F(ListOpsTest, IndexAndSetReportTheKeyBeforeABadIndex) {
  std::vector<std::string_view> abc = {"a", "b", "c"};
  op_push(db(), "l", ListEnd::kTail, abc, false);
  make_string("s");
  EXPECT_EQ(op_lindex(db(), "l", -1)->value(), "c");
  EXPECT_FALSE(op_lindex(db(), "l", 3)->has_value());
  EXPECT_FALSE(op_lindex(db(), "nope", std::nullopt)->has_value());
  EXPECT_EQ(op_lindex(db(), "s", std::nullopt).status(), OpStatus::kWrongType);
  EXPECT_EQ(op_lindex(db(), "l", std::nullopt).status(), OpStatus::kNotInteger);

  EXPECT_EQ(op_lset(db(), "nope", std::nullopt, "x"), OpStatus::kNoSuchKey);
  EXPECT_EQ(op_lset(db(), "s", std::nullopt, "x"), OpStatus::kWrongType);
  EXPECT_EQ(op_lset(db(), "l", std::nullopt, "x"), OpStatus::kNotInteger);
  EXPECT_EQ(op_lset(db(), "l", -4, "x"), OpStatus::kIndexOutOfRange);
  EXPECT_EQ(op_lset(db(), "l", -3, "x"), OpStatus::kOk);
  EXPECT_EQ(contents("l"), (Strings{"x", "b", "c"}));
  EXPECT_EQ(op_status_error(OpStatus::kNoSuchKey), "ERR no such key");
  EXPECT_EQ(op_status_error(OpStatus::kIndexOutOfRange), "ERR index out of range");
}

TEST_F(ListOpsTest, RangeIsClampedAndReadInPlace) {
  std::vector<std::string_view> abcd = {"a", "b", "c", "d"};
  op_push(db(), "l", ListEnd::kTail, abcd, false);
  auto slice = op_lrange(db(), "l", -2, 100);
  ASSERT_TRUE(slice.ok());
  EXPECT_EQ(slice->first, 2u);
  EXPECT_EQ(slice->count, 2u);
  EXPECT_EQ(op_lrange(db(), "l", 3, 1)->count, 0u);
  EXPECT_EQ(op_lrange(db(), "nope", 0, -1)->count, 0u);
}

TEST_F(ListOpsTest, InsertRemoveTrim) {
  std::vector<std::string_view> values = {"a", "b", "a", "c", "a"};
  op_push(db(), "l", ListEnd::kTail, values, false);
  EXPECT_EQ(*op_linsert(db(), "l", true, "c", "d"), 6);
  EXPECT_EQ(*op_linsert(db(), "l", false, "zz", "d"), -1);
  EXPECT_EQ(*op_linsert(db(), "nope", false, "a", "d"), 0);
  EXPECT_EQ(*op_lrem(db(), "l", -2, "a"), 2u);
  EXPECT_EQ(contents("l"), (Strings{"a", "b", "c", "d"}));
  EXPECT_EQ(op_ltrim(db(), "l", 1, -2), OpStatus::kOk);
  EXPECT_EQ(contents("l"), (Strings{"b", "c"}));
  // Trimmed to nothing, the key goes.
  EXPECT_EQ(op_ltrim(db(), "l", 5, 1), OpStatus::kOk);
  EXPECT_EQ(db().find("l"), nullptr);
  make_string("s");
  EXPECT_EQ(op_ltrim(db(), "s", 0, 1), OpStatus::kWrongType);
  EXPECT_EQ(op_lrem(db(), "s", 0, "a").status(), OpStatus::kWrongType);
}

TEST_F(ListOpsTest, PositionsByRankCountAndMaxlen) {
  std::vector<std::string_view> values = {"a", "b", "a", "c", "a"};
  op_push(db(), "l", ListEnd::kTail, values, false);
  using Positions = std::vector<int64_t>;
  EXPECT_EQ(*op_lpos(db(), "l", "a", LposParams{}), Positions{0});
  EXPECT_EQ(*op_lpos(db(), "l", "a", LposParams{.rank = 2, .count = 0}), (Positions{2, 4}));
  EXPECT_EQ(*op_lpos(db(), "l", "a", LposParams{.rank = -1, .count = 2}), (Positions{4, 2}));
  EXPECT_EQ(*op_lpos(db(), "l", "a", LposParams{.count = 0, .maxlen = 3}), (Positions{0, 2}));
  EXPECT_TRUE(op_lpos(db(), "l", "zz", LposParams{})->empty());
  EXPECT_TRUE(op_lpos(db(), "nope", "a", LposParams{})->empty());
}

}  // namespace
}  // namespace basalt
