// Hashes in the RDB codec: every encoding Redis 7.0 loads (HASH, ZIPMAP, ZIPLIST, LISTPACK), the
// checks it makes (duplicate fields, pair counts, headers), and Basalt's own output read back, all
// through DUMP/RESTORE payloads, which share the file's value codec.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

#include "persistence/crc64.hpp"
#include "persistence/rdb_format.hpp"
#include "persistence/rdb_loader.hpp"
#include "persistence/rdb_writer.hpp"
#include "store/hash.hpp"
#include "store/value.hpp"

namespace basalt {
namespace {

// A RESTORE payload: type, the value's bytes, RDB version 10 and the CRC-64.
std::string payload(uint8_t type, std::string_view body) {
  std::string p(1, static_cast<char>(type));
  p += body;
  p += std::string("\x0a\x00", 2);
  const uint64_t crc = crc64(0, p);
  for (int i = 0; i < 8; ++i) p.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return p;
}

// An RDB string of a blob's bytes (lengths under 64 only, which these tests need).
std::string rdb_string(std::string_view blob) {
  EXPECT_LT(blob.size(), 64u);
  return std::string(1, static_cast<char>(blob.size())) + std::string(blob);
}

std::string le(uint64_t v, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

std::map<std::string, std::string> contents(const Value& v) {
  std::map<std::string, std::string> out;
  v.hash().for_each([&](std::string_view f, std::string_view x) { out.emplace(f, x); });
  return out;
}

using Map = std::map<std::string, std::string>;

// A listpack of short strings and small integers, as listpack.c lays them out.
std::string listpack(std::initializer_list<std::string_view> elements, int count = -1) {
  std::string entries;
  for (std::string_view e : elements) {
    if (e.size() == 1 && e[0] >= '0' && e[0] <= '9') {
      entries.push_back(static_cast<char>(e[0] - '0'));  // 7-bit unsigned integer
      entries.push_back(1);
    } else {
      entries.push_back(static_cast<char>(0x80 | e.size()));
      entries += e;
      entries.push_back(static_cast<char>(1 + e.size()));
    }
  }
  const size_t total = 6 + entries.size() + 1;
  return le(total, 4) + le(count < 0 ? elements.size() : static_cast<size_t>(count), 2) + entries +
         "\xff";
}

TEST(RdbHashTest, ListpackLoadsWithIntegersAndRefusesDuplicatesAndOddCounts) {
  RestoreResult ok = restore_value(
      payload(rdb::kTypeHashListpack, rdb_string(listpack({"name", "ann", "age", "7"}))));
  ASSERT_EQ(ok.status, RestoreStatus::kOk) << ok.detail;
  EXPECT_EQ(contents(ok.value), (Map{{"name", "ann"}, {"age", "7"}}));
  EXPECT_EQ(ok.value.encoding(), "listpack");

  RestoreResult dup =
      restore_value(payload(rdb::kTypeHashListpack, rdb_string(listpack({"a", "1", "a", "2"}))));
  EXPECT_NE(dup.status, RestoreStatus::kOk);
  EXPECT_NE(dup.detail.find("Duplicate hash fields"), std::string::npos) << dup.detail;

  RestoreResult odd =
      restore_value(payload(rdb::kTypeHashListpack, rdb_string(listpack({"a", "1", "b"}))));
  EXPECT_NE(odd.status, RestoreStatus::kOk);

  RestoreResult miscounted =
      restore_value(payload(rdb::kTypeHashListpack, rdb_string(listpack({"a", "1"}, /*count=*/4))));
  EXPECT_NE(miscounted.status, RestoreStatus::kOk);

  // An empty hash is skipped as Redis skips it; RESTORE has nothing to create.
  RestoreResult empty = restore_value(payload(rdb::kTypeHashListpack, rdb_string(listpack({}))));
  EXPECT_NE(empty.status, RestoreStatus::kOk);
}

TEST(RdbHashTest, ZiplistLoads) {
  // {a: "1", b: 5}: strings with 6-bit lengths, then 5 as a 4-bit immediate integer.
  std::string entries;
  entries += std::string(
      "\x00\x01"
      "a",
      3);
  entries += std::string(
      "\x03\x01"
      "1",
      3);
  entries += std::string(
      "\x03\x01"
      "b",
      3);
  entries += std::string("\x03\xf6", 2);
  const size_t tail = 10 + 9;
  const std::string zl = le(10 + entries.size() + 1, 4) + le(tail, 4) + le(4, 2) + entries + "\xff";
  RestoreResult r = restore_value(payload(rdb::kTypeHashZiplist, rdb_string(zl)));
  ASSERT_EQ(r.status, RestoreStatus::kOk) << r.detail;
  EXPECT_EQ(contents(r.value), (Map{{"a", "1"}, {"b", "5"}}));

  // The same field twice.
  std::string dup_entries = std::string(
                                "\x00\x01"
                                "a",
                                3) +
                            std::string(
                                "\x03\x01"
                                "1",
                                3) +
                            std::string(
                                "\x03\x01"
                                "a",
                                3) +
                            std::string("\x03\xf6", 2);
  const std::string dup =
      le(10 + dup_entries.size() + 1, 4) + le(tail, 4) + le(4, 2) + dup_entries + "\xff";
  EXPECT_NE(restore_value(payload(rdb::kTypeHashZiplist, rdb_string(dup))).status,
            RestoreStatus::kOk);
}

TEST(RdbHashTest, ZipmapLoadsAndIsValidated) {
  // Two pairs; the second value has one free byte after it.
  const std::string zm = std::string(
      "\x02\x01"
      "a\x01\x00"
      "1\x01"
      "b\x02\x01"
      "xy?\xff",
      14);
  RestoreResult r = restore_value(payload(rdb::kTypeHashZipmap, rdb_string(zm)));
  ASSERT_EQ(r.status, RestoreStatus::kOk) << r.detail;
  EXPECT_EQ(contents(r.value), (Map{{"a", "1"}, {"b", "xy"}}));
  // A count that disagrees, a value past the end, no terminator, a duplicate.
  for (std::string bad : {std::string("\x03\x01"
                                      "a\x01\x00"
                                      "1\xff",
                                      7),
                          std::string("\x01\x01"
                                      "a\x09\x00"
                                      "1\xff",
                                      7),
                          std::string("\x01\x01"
                                      "a\x01\x00"
                                      "1",
                                      6),
                          std::string("\x02\x01"
                                      "a\x01\x00"
                                      "1\x01"
                                      "a\x01\x00"
                                      "2\xff",
                                      12)}) {
    EXPECT_NE(restore_value(payload(rdb::kTypeHashZipmap, rdb_string(bad))).status,
              RestoreStatus::kOk);
  }
}

TEST(RdbHashTest, HashTypeRefusesDuplicatesAndImpossibleCounts) {
  RestoreResult dup = restore_value(payload(rdb::kTypeHash, std::string("\x02\x01"
                                                                        "f\x01"
                                                                        "v\x01"
                                                                        "f\x01"
                                                                        "w",
                                                                        10)));
  EXPECT_NE(dup.status, RestoreStatus::kOk);
  // 2^32 pairs announced in a few bytes: refused before anything is allocated.
  RestoreResult huge =
      restore_value(payload(rdb::kTypeHash, std::string("\x81\x00\x00\x00\x01\x00\x00\x00\x00\x01"
                                                        "f",
                                                        11)));
  EXPECT_NE(huge.status, RestoreStatus::kOk);
}

// The loader converts by the limits it is given (the configuration's), not by process-wide state.
TEST(RdbHashTest, LoadedHashesFollowTheLimitsGiven) {
  Value v = Value::new_hash();
  for (const char* f : {"a", "b", "c"}) v.hash().set(f, "1", HashLimits{});
  const std::string dumped = dump_value(v);
  ValueLimits few;
  few.hash.max_listpack_entries = 2;
  RestoreResult r = restore_value(dumped, few);
  ASSERT_EQ(r.status, RestoreStatus::kOk);
  EXPECT_FALSE(r.value.hash().is_packed());
  ValueLimits short_values;
  short_values.hash.max_listpack_value = 0;
  r = restore_value(dumped, short_values);
  ASSERT_EQ(r.status, RestoreStatus::kOk);
  EXPECT_FALSE(r.value.hash().is_packed());
  r = restore_value(dumped);
  ASSERT_EQ(r.status, RestoreStatus::kOk);
  EXPECT_TRUE(r.value.hash().is_packed());
  EXPECT_EQ(r.value.hash().size(), 3u);
}

TEST(RdbHashTest, BothEncodingsRoundTripThroughDump) {
  for (int n : {3, 2000}) {
    Value v = Value::new_hash();
    Map want;
    for (int i = 0; i < n; ++i) {
      const std::string f = "f" + std::to_string(i);
      const std::string x = i % 2 == 0 ? std::to_string(i * 1000 - 7) : "value " + f;
      v.hash().set(f, x, HashLimits{});
      want[f] = x;
    }
    const std::string dumped = dump_value(v);
    EXPECT_EQ(static_cast<uint8_t>(dumped[0]), n == 3 ? rdb::kTypeHashListpack : rdb::kTypeHash);
    RestoreResult r = restore_value(dumped);
    ASSERT_EQ(r.status, RestoreStatus::kOk) << r.detail;
    EXPECT_EQ(contents(r.value), want);
    EXPECT_EQ(r.value.encoding(), v.encoding());
  }
}

}  // namespace
}  // namespace basalt
