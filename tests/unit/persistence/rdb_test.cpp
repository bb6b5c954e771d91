#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "persistence/crc64.hpp"
#include "persistence/file_io.hpp"
#include "persistence/keyspace_copy.hpp"
#include "persistence/lzf.hpp"
#include "persistence/rdb_format.hpp"
#include "persistence/rdb_loader.hpp"
#include "persistence/rdb_writer.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/set.hpp"
#include "store/store.hpp"

namespace basalt {
namespace {

using testing_support::copy_keyspace;
using testing_support::first_difference;

std::pair<int, std::string> key0(const char* k) { return {0, k}; }

TEST(Crc64Test, CheckValueAndIncrementalUse) {
  EXPECT_EQ(crc64(0, "123456789"), 0xe9c6d914c4b8d9caull);
  EXPECT_EQ(crc64(0, ""), 0u);
  // Any split gives the same CRC (slicing-by-8 takes 8 bytes at a time, then single bytes).
  std::string s;
  for (int i = 0; i < 1000; ++i) s.push_back(static_cast<char>(i * 7));
  const uint64_t whole = crc64(0, s);
  for (size_t cut : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    EXPECT_EQ(crc64(crc64(0, s.substr(0, cut)), s.substr(cut)), whole) << cut;
  }
}

std::string round_trip_lzf(const std::string& in, size_t* compressed = nullptr) {
  std::string out(in.size() + in.size() / 32 + 64, '\0');
  const size_t n = lzf_compress(in.data(), in.size(), out.data(), out.size());
  if (compressed) *compressed = n;
  if (n == 0) return "<incompressible>";
  std::string back(in.size(), '\0');
  auto m = lzf_decompress(out.data(), n, back.data(), back.size());
  if (!m || *m != in.size()) return "<decompression failed>";
  return back;
}

TEST(LzfTest, RoundTrips) {
  std::mt19937_64 rng(42);
  std::vector<std::string> inputs = {"a", "abc", std::string(100000, 'x'),
                                     "abcabcabcabcabcabcabcabc"};
  std::string random(70000, '\0');
  for (auto& c : random) c = static_cast<char>(rng());
  inputs.push_back(random);
  std::string text;
  while (text.size() < 200000) text += "the quick brown fox " + std::to_string(rng() % 1000) + " ";
  inputs.push_back(text);
  for (const auto& in : inputs) EXPECT_EQ(round_trip_lzf(in), in) << in.size();

  size_t n = 0;
  round_trip_lzf(std::string(100000, 'x'), &n);
  EXPECT_LT(n, 100000u / 50);  // runs compress to about 3 bytes per 264
}

TEST(LzfTest, RespectsTheOutputCapacity) {
  std::mt19937_64 rng(7);
  std::string random(1000, '\0');
  for (auto& c : random) c = static_cast<char>(rng());
  std::string out(random.size() - 4, '\0');
  // Random bytes cannot shrink by four: the compressor says so rather than overrunning.
  EXPECT_EQ(lzf_compress(random.data(), random.size(), out.data(), out.size()), 0u);
  std::string small(3, '\0');
  EXPECT_EQ(lzf_compress(random.data(), random.size(), small.data(), small.size()), 0u);
}

TEST(LzfTest, DecompressionRejectsHostileInput) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "hello world " + std::to_string(i % 10);
  std::string comp(text.size(), '\0');
  const size_t n = lzf_compress(text.data(), text.size(), comp.data(), comp.size());
  ASSERT_GT(n, 0u);
  comp.resize(n);
  std::string out(text.size(), '\0');
  // Every truncation fails or yields less; none reads past the input.
  for (size_t cut = 0; cut < n; ++cut) {
    auto m = lzf_decompress(comp.data(), cut, out.data(), out.size());
    if (m) {
      EXPECT_LT(*m, text.size());
    }
  }
  // Too small an output buffer.
  EXPECT_FALSE(lzf_decompress(comp.data(), n, out.data(), text.size() - 1));
  // A back-reference before the start of the output.
  const uint8_t backref[] = {0x20, 0x05};
  EXPECT_FALSE(lzf_decompress(backref, sizeof(backref), out.data(), out.size()));
  // A literal run longer than the input.
  const uint8_t literal[] = {0x1f, 'a', 'b'};
  EXPECT_FALSE(lzf_decompress(literal, sizeof(literal), out.data(), out.size()));
  // A long reference missing its length byte.
  const uint8_t partial[] = {0x00, 'a', 0xe0};
  EXPECT_FALSE(lzf_decompress(partial, sizeof(partial), out.data(), out.size()));
  // Random garbage never crashes.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string g(rng() % 64, '\0');
    for (auto& c : g) c = static_cast<char>(rng());
    (void)lzf_decompress(g.data(), g.size(), out.data(), rng() % out.size());
  }
}

class RdbTest : public ::testing::Test {
 protected:
  RdbTest() : store_(16, clock_, 1) {}

  void fill(Store& s) {
    Database& db0 = s.db(0);
    db0.add("empty", Value(""));
    db0.add("inline", Value("short"));
    db0.add("long", Value(std::string(5000, 'z')));
    std::string binary;
    for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
    db0.add("binary", Value(binary));
    const char* ints[] = {"0",
                          "-0",
                          "007",
                          "1",
                          "-1",
                          "127",
                          "128",
                          "-128",
                          "-129",
                          "32767",
                          "32768",
                          "-32769",
                          "2147483647",
                          "2147483648",
                          "-2147483648",
                          "-2147483649",
                          "9223372036854775807",
                          "-9223372036854775808",
                          "9223372036854775808",
                          "+1",
                          " 1",
                          "1 "};
    int i = 0;
    for (const char* v : ints) db0.add("int:" + std::to_string(i++), Value(v));
    db0.set_expire(db0.add("ttl", Value("v")), clock_.now_ms() + 100000);

    auto list = [&](Database& db, const std::string& key, auto&& gen, size_t n) {
      Entry* e = db.add(key, Value::new_list());
      for (size_t k = 0; k < n; ++k) e->value.list().push_back(gen(k));
      return e;
    };
    list(
        db0, "one", [](size_t) { return std::string("x"); }, 1);
    list(
        db0, "big", [](size_t k) { return "element-" + std::to_string(k); }, 100000);
    list(
        db0, "ints",
        [](size_t k) {
          static const char* v[] = {"0",
                                    "127",
                                    "128",
                                    "-1",
                                    "4095",
                                    "-4096",
                                    "4096",
                                    "32767",
                                    "-32768",
                                    "32768",
                                    "8388607",
                                    "-8388608",
                                    "8388608",
                                    "2147483647",
                                    "-2147483648",
                                    "2147483648",
                                    "9223372036854775807",
                                    "-9223372036854775808",
                                    "-0",
                                    "01",
                                    "12345678901234567890"};
          return std::string(v[k % 21]);
        },
        1000);
    list(
        db0, "mixed",
        [](size_t k) {
          if (k % 3 == 0) return std::to_string(k * 1000003);
          if (k % 3 == 1) return std::string(k % 200, 'm');
          return std::string(70 + k % 5000, 'q');
        },
        3000);
    list(
        db0, "huge-element",
        [](size_t k) { return k == 1 ? std::string(100000, 'h') : std::string(10, 'a' + k); }, 3);
    Database& db3 = s.db(3);
    db3.add("inline", Value("in db 3"));
    db3.set_expire(list(
                       db3, "ttl-list", [](size_t k) { return std::to_string(k); }, 10),
                   clock_.now_ms() + 5000);
    s.db(15).add("last", Value("db 15"));
  }

  std::string write(const Store& s, const RdbWriteOptions& options) {
    std::string out;
    RdbWriter w(out, options);
    w.write_header({1700000000, 12345, false});
    for (int i = 0; i < s.db_count(); ++i) {
      if (s.db(i).size() == 0) continue;
      w.begin_db(i, s.db(i).size(), s.db(i).expires());
      s.db(i).for_each(
          [&](const Entry* e) { w.write_entry(i, e->key(), e->value, s.db(i).expire_at(e)); });
    }
    w.write_footer();
    EXPECT_EQ(w.bytes_written(), out.size());
    return out;
  }

  ManualClock clock_;
  Store store_;
};

// A file of unknown size (a FIFO): the bytes left cannot bound a collection's announced count, so
// nothing is sized for it before its elements arrive. Sizing a table for 2^40 elements would throw
// (or abort under ASan) instead of reporting the truncated file.
TEST_F(RdbTest, CountsFromAnInputOfUnknownSizeReserveNothing) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("basalt-rdb-fifo-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string fifo = dir + "/dump.rdb";
  for (uint8_t type : {rdb::kTypeHash, rdb::kTypeSet, rdb::kTypeZset2}) {
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::string bytes = "REDIS0010";
    bytes += static_cast<char>(type);
    bytes += std::string("\x01k", 2);
    bytes += '\x81';  // a 64-bit length follows, big-endian: 2^40 elements
    const uint64_t n = uint64_t{1} << 40;
    for (int i = 7; i >= 0; --i) bytes += static_cast<char>((n >> (8 * i)) & 0xff);
    bytes += {'\x01', 'a', '\x01', 'b'};  // one element or pair, then the file ends
    std::thread writer([&] {
      FILE* f = std::fopen(fifo.c_str(), "wb");
      ASSERT_NE(f, nullptr);
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    });
    Store store(16, clock_, 3);
    const RdbLoadResult r = load_rdb_file(fifo, store);
    writer.join();
    ASSERT_FALSE(r.ok()) << "type " << int{type};
    EXPECT_NE(r.error->find("Unexpected end of file"), std::string::npos) << *r.error;
    std::filesystem::remove(fifo);
  }
  std::filesystem::remove_all(dir);
}

TEST_F(RdbTest, RoundTripsEveryOptionCombination) {
  fill(store_);
  const auto want = copy_keyspace(store_);
  for (bool compression : {false, true}) {
    for (bool checksum : {false, true}) {
      for (size_t plain : {rdb::kPlainThreshold, size_t{4096}}) {
        RdbWriteOptions options;
        options.compression = compression;
        options.checksum = checksum;
        options.plain_threshold = plain;
        const std::string file = write(store_, options);
        ASSERT_EQ(file.substr(0, 9), "REDIS0010");
        Store loaded(16, clock_, 2);
        RdbLoadResult r = load_rdb(file, loaded);
        ASSERT_TRUE(r.ok()) << *r.error;
        EXPECT_EQ(r.version, 10);
        EXPECT_EQ(r.checksum_verified, checksum);
        EXPECT_EQ(r.keys_loaded, want.size());
        EXPECT_EQ(r.aux_field("redis-ver"), "7.0.15");
        EXPECT_EQ(r.aux_field("ctime"), "1700000000");
        EXPECT_EQ(r.aux_field("aof-base"), "0");
        const auto got = copy_keyspace(loaded);
        EXPECT_EQ(first_difference(want, got), "");
        EXPECT_EQ(got, want);
      }
    }
  }
}

TEST_F(RdbTest, CompressionShrinksCompressibleData) {
  store_.db(0).add("k", Value(std::string(100000, 'a')));
  RdbWriteOptions on, off;
  off.compression = false;
  EXPECT_LT(write(store_, on).size() * 20, write(store_, off).size());
}

TEST_F(RdbTest, ExpiredKeysAreSkippedAndCounted) {
  Database& db = store_.db(0);
  db.set_expire(db.add("soon", Value("v")), clock_.now_ms() + 10);
  db.set_expire(db.add("later", Value("v")), clock_.now_ms() + 10000);
  const std::string file = write(store_, {});
  clock_.advance_ms(20);
  Store loaded(16, clock_, 2);
  loaded.refresh_time();
  RdbLoadResult r = load_rdb(file, loaded);
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.keys_loaded, 1u);
  EXPECT_EQ(r.expired_skipped, 1u);
  EXPECT_EQ(loaded.db(0).peek("soon"), nullptr);
  ASSERT_NE(loaded.db(0).peek("later"), nullptr);
  EXPECT_EQ(loaded.db(0).expires(), 1u);
  // An AOF's RDB base keeps them, with their TTL: the log after it may change them (Redis's
  // RDBFLAGS_AOF_PREAMBLE); they expire once the load is over.
  Store base(16, clock_, 3);
  base.refresh_time();
  RdbLoadOptions keep;
  keep.keep_expired = true;
  r = load_rdb(file, base, keep);
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.keys_loaded, 2u);
  EXPECT_EQ(r.expired_skipped, 0u);
  ASSERT_NE(base.db(0).peek("soon"), nullptr);
  EXPECT_EQ(base.db(0).expires(), 2u);
  EXPECT_EQ(base.db(0).find("soon"), nullptr) << "expired once looked up outside a load";
}

// Redis writes no empty collection, but files exist that hold them (its corrupt_empty_keys.rdb):
// they are skipped, counted, and the first ten named for the log, as Redis's loader does.
TEST_F(RdbTest, EmptyCollectionsAreSkippedAndNamed) {
  std::string f = "REDIS0010";
  for (int i = 0; i < 12; ++i) {
    const std::string key = "empty" + std::to_string(i);
    f.push_back(static_cast<char>(rdb::kTypeList));
    f.push_back(static_cast<char>(key.size()));
    f += key;
    f.push_back('\0');  // no elements
  }
  f += std::string("\x00\x01k\x01v", 5);
  f.push_back(static_cast<char>(rdb::kOpEof));
  f.append(8, '\0');
  Store loaded(16, clock_, 2);
  RdbLoadResult r = load_rdb(f, loaded);
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.keys_loaded, 1u);
  EXPECT_EQ(r.empty_skipped, 12u);
  ASSERT_EQ(r.empty_skipped_keys.size(), 10u);
  EXPECT_EQ(r.empty_skipped_keys.front(), "empty0");
  EXPECT_EQ(r.empty_skipped_keys.back(), "empty9");
  EXPECT_EQ(loaded.db(0).peek("empty0"), nullptr);
}

TEST_F(RdbTest, EveryTruncationIsAnErrorWithAnOffset) {
  Database& db = store_.db(0);
  db.add("s", Value("a string value that compresses compresses compresses"));
  db.add("n", Value("12345"));
  Entry* l = db.add("l", Value::new_list());
  for (int i = 0; i < 50; ++i) l->value.list().push_back("e" + std::to_string(i));
  db.set_expire(db.add("t", Value("x")), clock_.now_ms() + 1000);
  const std::string file = write(store_, {});
  for (size_t cut = 0; cut < file.size(); ++cut) {
    Store loaded(16, clock_, 2);
    RdbLoadResult r = load_rdb(std::string_view(file).substr(0, cut), loaded);
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_NE(r.error->find("byte offset"), std::string::npos) << *r.error;
  }
}

TEST_F(RdbTest, AFlippedByteIsAChecksumErrorOrAFormatError) {
  store_.db(0).add("key", Value("value value value value"));
  RdbWriteOptions raw;
  raw.compression = false;  // so that a flip in the value stays a valid string
  const std::string file = write(store_, raw);
  int checksum_errors = 0;
  for (size_t i = 9; i < file.size() - 8; ++i) {
    std::string bad = file;
    bad[i] ^= 0x01;
    Store loaded(16, clock_, 2);
    RdbLoadResult r = load_rdb(bad, loaded);
    ASSERT_FALSE(r.ok()) << i;
    if (r.error->find("RDB CRC error") != std::string::npos) ++checksum_errors;
  }
  EXPECT_GT(checksum_errors, 10);
  // With the checksum zeroed (rdbchecksum no), the same flip in the value is not detected.
  std::string unchecked = file;
  for (size_t i = file.size() - 8; i < file.size(); ++i) unchecked[i] = 0;
  unchecked[file.size() - 12] ^= 0x01;
  Store loaded(16, clock_, 2);
  EXPECT_TRUE(load_rdb(unchecked, loaded).ok());
}

TEST_F(RdbTest, RandomCorruptionNeverCrashes) {
  fill(store_);
  RdbWriteOptions options;
  options.checksum = false;  // so corruption reaches the decoders
  const std::string file = write(store_, options);
  std::mt19937_64 rng(11);
  for (int round = 0; round < 300; ++round) {
    std::string bad = file.substr(0, 4000 + rng() % 20000);
    for (int k = 0; k < 3; ++k) bad[9 + rng() % (bad.size() - 9)] = static_cast<char>(rng());
    Store loaded(16, clock_, 2);
    (void)load_rdb(bad, loaded);
  }
}

TEST_F(RdbTest, RefusesWhatItCannotHold) {
  auto file_with = [&](std::string body) {
    std::string f = "REDIS0010";
    f += body;
    f.push_back(static_cast<char>(rdb::kOpEof));
    f.append(8, '\0');
    return f;
  };
  Store s(4, clock_, 2);
  // A database past the store's count.
  auto r = load_rdb(file_with("\xfe\x05"), s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error->find("database 5"), std::string::npos) << *r.error;
  // A set, a zset and a stream, each named with its key.
  struct Case {
    uint8_t type;
    const char* text;
  } cases[] = {{rdb::kTypeStreamListpacks2, "of type stream"},
               {rdb::kTypeModule2, "of type module"},
               {42, "unknown RDB value type 42"}};
  for (const auto& c : cases) {
    std::string body(1, static_cast<char>(c.type));
    body += "\x06user:1";
    body += "\x00\x00";
    Store fresh(4, clock_, 2);
    auto res = load_rdb(file_with(body), fresh);
    ASSERT_FALSE(res.ok());
    EXPECT_NE(res.error->find(c.text), std::string::npos) << *res.error;
    EXPECT_EQ(res.error->find('\n'), std::string::npos);
  }
  // A duplicate key.
  Store dup(4, clock_, 2);
  auto d = load_rdb(file_with(std::string("\x00\x01k\x01v\x00\x01k\x01w", 10)), dup);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error->find("Duplicate key 'k'"), std::string::npos) << *d.error;
  // Functions and module data.
  Store f(4, clock_, 2);
  EXPECT_FALSE(load_rdb(file_with("\xf5"), f).ok());
  EXPECT_FALSE(load_rdb(file_with("\xf7"), f).ok());
  // A version from the future, and a bad signature.
  EXPECT_NE(load_rdb("REDIS0011\xff", f).error->find("version 11"), std::string::npos);
  EXPECT_FALSE(load_rdb("RUBIS0010\xff", f).ok());
}

// The loader links each key some keys after reading it (Loader::link_ahead): a duplicate is
// still found however near or far its first copy, in its own database only, and every key of a
// valid file is there with its value and TTL.
TEST_F(RdbTest, DuplicatesAreFoundHoweverFarApart) {
  auto file_with = [&](const std::string& body) {
    std::string f = "REDIS0010" + body;
    f.push_back(static_cast<char>(rdb::kOpEof));
    f.append(8, '\0');
    return f;
  };
  auto key = [](int i, const std::string& value = "v") {
    const std::string k = "k" + std::to_string(i);
    std::string r(1, '\0');  // a string
    r += static_cast<char>(k.size()) + k + static_cast<char>(value.size()) + value;
    return r;
  };
  auto select = [](int db) { return std::string("\xfe") + static_cast<char>(db); };
  const int64_t at = clock_.now_ms() + 100000;
  std::string expire(1, static_cast<char>(rdb::kOpExpireTimeMs));
  for (int i = 0; i < 8; ++i) expire.push_back(static_cast<char>((at >> (8 * i)) & 0xff));

  std::string both;
  for (int db = 0; db < 2; ++db) {
    both += select(db);
    for (int i = 0; i < 20; ++i) both += (i % 3 == 0 ? expire : "") + key(i, std::to_string(db));
  }
  Store ok(4, clock_, 2);
  auto r = load_rdb(file_with(both), ok);
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.keys_loaded, 40u);
  for (int db = 0; db < 2; ++db) {
    ASSERT_EQ(ok.db(db).size(), 20u);
    for (int i = 0; i < 20; ++i) {
      const Entry* e = ok.db(db).peek("k" + std::to_string(i));
      ASSERT_NE(e, nullptr) << db << " " << i;
      EXPECT_EQ(e->value.str(), std::to_string(db));
      EXPECT_EQ(ok.db(db).expire_at(e), i % 3 == 0 ? at : kNoExpire);
    }
  }

  struct Case {
    std::string body;
    const char* error;
  };
  std::string far, near, across;
  for (int i = 0; i < 20; ++i) far += key(i);
  far += key(3);
  near = key(0) + key(1) + key(1) + key(2);
  across = select(0) + key(0) + key(4) + select(1) + key(0) + key(1) + select(0) + key(4);
  for (const Case& c : {Case{far, "Duplicate key 'k3' in database 0"},
                        Case{near, "Duplicate key 'k1' in database 0"},
                        Case{across, "Duplicate key 'k4' in database 0"},
                        Case{select(2) + key(7) + key(7), "Duplicate key 'k7' in database 2"}}) {
    Store s(4, clock_, 2);
    auto res = load_rdb(file_with(c.body), s);
    ASSERT_FALSE(res.ok()) << c.error;
    EXPECT_NE(res.error->find(c.error), std::string::npos) << *res.error;
  }
}

TEST_F(RdbTest, LengthsAreCheckedBeforeAllocating) {
  Store s(4, clock_, 2);
  // A string claiming 4 GB, a list claiming 2^60 elements, LZF claiming 500 MB from 3 bytes.
  const std::string huge_string = std::string("REDIS0010\x00\x01k\x80\xff\xff\xff\xf0", 17) + "abc";
  auto r = load_rdb(huge_string, s);
  ASSERT_FALSE(r.ok());
  const std::string huge_list =
      std::string("REDIS0010\x01\x01k\x81\x10\x00\x00\x00\x00\x00\x00\x00\x01\x01", 22);
  r = load_rdb(huge_list, s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error->find("past the end"), std::string::npos) << *r.error;
  const std::string lzf =
      std::string("REDIS0010\x00\x01k\xc3\x03\x80\x1d\xcd\x65\x00\x00\x61\x61", 22);
  r = load_rdb(lzf, s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error->find("LZF"), std::string::npos) << *r.error;
}

TEST_F(RdbTest, OldFormatsHandBuilt) {
  // Version 6 file: EXPIRETIME (seconds), an RDB_TYPE_LIST, a ziplist list (type 10) with every
  // integer encoding, a quicklist (type 14) of two ziplists, FREQ/IDLE opcodes.
  auto zl_entry = [](std::string& zl, size_t& prev, std::string enc) {
    std::string e;
    if (prev < 254) {
      e.push_back(static_cast<char>(prev));
    } else {
      e.push_back(static_cast<char>(0xfe));
      for (int i = 0; i < 4; ++i) e.push_back(static_cast<char>((prev >> (8 * i)) & 0xff));
    }
    e += enc;
    zl += e;
    prev = e.size();
  };
  auto ziplist = [&](const std::vector<std::string>& encs) {
    std::string body;
    size_t prev = 0, tail = 10, pos = 10;
    for (const auto& enc : encs) {
      tail = pos;
      zl_entry(body, prev, enc);
      pos = 10 + body.size();
    }
    std::string zl;
    const size_t total = 10 + body.size() + 1;
    for (int i = 0; i < 4; ++i) zl.push_back(static_cast<char>((total >> (8 * i)) & 0xff));
    for (int i = 0; i < 4; ++i) zl.push_back(static_cast<char>((tail >> (8 * i)) & 0xff));
    zl.push_back(static_cast<char>(encs.size() & 0xff));
    zl.push_back(static_cast<char>(encs.size() >> 8));
    zl += body;
    zl.push_back(static_cast<char>(0xff));
    return zl;
  };
  auto str_enc = [](std::string s) { return std::string(1, static_cast<char>(s.size())) + s; };
  const std::string long_str(300, 'L');
  std::string long_enc = std::string(1, static_cast<char>(0x40 | (300 >> 8))) +
                         std::string(1, static_cast<char>(300 & 0xff)) + long_str;
  std::vector<std::string> encs = {
      str_enc("abc"),
      long_enc,
      std::string("\xfe\x85", 2),                              // int8 -123
      std::string("\xc0\x39\x30", 3),                          // int16 12345
      std::string("\xf0\x00\x00\x80", 4),                      // int24 -8388608
      std::string("\xd0\xff\xff\xff\x7f", 5),                  // int32 2147483647
      std::string("\xe0\x00\x00\x00\x00\x00\x00\x00\x80", 9),  // int64 min
      std::string("\xf1", 1),
      std::string("\xfd", 1)};  // immediates 0 and 12
  const std::string zl = ziplist(encs);
  auto rdb_str = [](const std::string& s) {
    std::string out;
    rdb::append_length(out, s.size());
    return out + s;
  };
  std::string f = "REDIS0006";
  f += "\xfe";
  f.push_back(0);
  f += "\xfd";
  const int32_t secs = static_cast<int32_t>(clock_.now_ms() / 1000 + 100);
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<char>((secs >> (8 * i)) & 0xff));
  f += std::string("\x01", 1) + rdb_str("linked") + std::string("\x03", 1) + rdb_str("a") +
       std::string("\xc0\x07", 2) + rdb_str("c");
  f += std::string("\xf9\x05", 2);  // FREQ
  f += std::string("\x0a", 1) + rdb_str("zl") + rdb_str(zl);
  f += std::string("\xf8\x10", 2);  // IDLE
  f += std::string("\x0e", 1) + rdb_str("ql") + std::string("\x02", 1) +
       rdb_str(ziplist({str_enc("x")})) + rdb_str(ziplist({str_enc("y"), str_enc("z")}));
  f += "\xff";
  const uint64_t crc = crc64(0, f);
  for (int i = 0; i < 8; ++i) f.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));

  Store s(16, clock_, 2);
  auto r = load_rdb(f, s);
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_TRUE(r.checksum_verified);
  EXPECT_EQ(r.keys_loaded, 3u);
  auto ks = copy_keyspace(s);
  using V = std::vector<std::string>;
  EXPECT_EQ(ks[key0("linked")].list, (V{"a", "7", "c"}));
  EXPECT_EQ(ks[key0("linked")].expire_at, int64_t{secs} * 1000);
  EXPECT_EQ(ks[key0("zl")].list, (V{"abc", long_str, "-123", "12345", "-8388608", "2147483647",
                                    "-9223372036854775808", "0", "12"}));
  EXPECT_EQ(ks[key0("ql")].list, (V{"x", "y", "z"}));

  // A ziplist with a wrong previous length, a wrong tail, a wrong count: refused.
  std::string bad_prev = zl;
  bad_prev[10 + 1 + 4] ^= 1;  // second entry's prevlen
  std::string bad_count = zl;
  bad_count[8] = 3;
  std::string bad_tail = zl;
  bad_tail[4] ^= 1;
  for (const auto& bad : {bad_prev, bad_count, bad_tail}) {
    std::string g = "REDIS0006";
    g += std::string("\x0a", 1) + rdb_str("zl") + rdb_str(bad) + "\xff";
    g.append(8, '\0');
    Store t(16, clock_, 2);
    EXPECT_FALSE(load_rdb(g, t).ok());
  }
}

TEST_F(RdbTest, ListpackDecodesEveryEncodingAndRejectsBadBacklen) {
  std::string lp(rdb::kListpackHeader, '\0');
  const std::vector<std::string> elements = {"0",
                                             "127",
                                             "-1",
                                             "4095",
                                             "-4096",
                                             "32767",
                                             "-32768",
                                             "8388607",
                                             "-8388608",
                                             "2147483647",
                                             "-2147483648",
                                             "9223372036854775807",
                                             "-9223372036854775808",
                                             std::string(63, 's'),
                                             std::string(64, 'm'),
                                             std::string(4095, 'l'),
                                             std::string(4096, 'L'),
                                             std::string(20000, 'x'),
                                             "-0",
                                             "1.5"};
  for (const auto& e : elements) {
    const size_t before = lp.size();
    rdb::append_listpack_element(lp, e);
    EXPECT_EQ(lp.size() - before, rdb::listpack_element_size(e)) << e.size();
  }
  lp.push_back(static_cast<char>(0xff));
  for (int i = 0; i < 4; ++i) lp[i] = static_cast<char>((lp.size() >> (8 * i)) & 0xff);
  lp[4] = static_cast<char>(elements.size());
  auto file = [](const std::string& blob) {
    std::string f = "REDIS0010";
    f += std::string("\x12", 1);
    rdb::append_length(f, 1);
    f += "k";
    rdb::append_length(f, 1);  // one node
    rdb::append_length(f, rdb::kContainerPacked);
    rdb::append_length(f, blob.size());
    f += blob;
    f += "\xff";
    f.append(8, '\0');
    return f;
  };
  Store s(16, clock_, 2);
  auto r = load_rdb(file(lp), s);
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(copy_keyspace(s)[std::make_pair(0, std::string("k"))].list, elements);
  // The 7-bit integer 0 is one byte 0x00 with backlen 0x01: corrupting the backlen is caught.
  std::string bad = lp;
  bad[rdb::kListpackHeader + 1] = 0x02;
  Store t(16, clock_, 2);
  EXPECT_FALSE(load_rdb(file(bad), t).ok());
}

TEST_F(RdbTest, DumpAndRestore) {
  fill(store_);
  store_.db(0).for_each([&](const Entry* e) {
    for (bool compress : {false, true}) {
      const std::string payload = dump_value(e->value, compress);
      RestoreResult r = restore_value(payload);
      ASSERT_EQ(r.status, RestoreStatus::kOk) << e->key() << " " << r.detail;
      Entry* copy = Entry::create(e->key(), std::move(r.value));
      EXPECT_EQ(testing_support::copy_item(copy, nullptr).str,
                testing_support::copy_item(e, nullptr).str);
      EXPECT_EQ(testing_support::copy_item(copy, nullptr).list,
                testing_support::copy_item(e, nullptr).list);
      Entry::destroy(copy);
    }
  });
  // Redis's own DUMP of "hello" (redis-cli DUMP after SET k hello, Redis 7.0).
  const std::string redis_dump("\x00\x05hello\x0a\x00\x63\x72\xdf\x76\x65\x34\x20\x0a", 17);
  RestoreResult hello = restore_value(redis_dump);
  ASSERT_EQ(hello.status, RestoreStatus::kOk) << hello.detail;
  EXPECT_EQ(hello.value.str(), "hello");
  EXPECT_EQ(dump_value(Value("hello")), redis_dump);

  std::string bad = redis_dump;
  bad[3] ^= 1;
  EXPECT_EQ(restore_value(bad).status, RestoreStatus::kBadPayload);
  EXPECT_EQ(restore_error_text(RestoreStatus::kBadPayload),
            "ERR DUMP payload version or checksum are wrong");
  EXPECT_EQ(restore_value("short").status, RestoreStatus::kBadPayload);
  // A newer version is refused even with a right checksum.
  std::string v11 = redis_dump.substr(0, 7) + std::string("\x0b\x00", 2);
  const uint64_t crc = crc64(0, v11);
  for (int i = 0; i < 8; ++i) v11.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  EXPECT_EQ(restore_value(v11).status, RestoreStatus::kBadPayload);
  // Redis's RDB_TYPE_HASH payload of one pair loads as a hash.
  std::string hash(
      "\x04\x01\x01"
      "f\x01v\x0a\x00",
      8);
  const uint64_t hcrc = crc64(0, hash);
  for (int i = 0; i < 8; ++i) hash.push_back(static_cast<char>((hcrc >> (8 * i)) & 0xff));
  RestoreResult h = restore_value(hash);
  ASSERT_EQ(h.status, RestoreStatus::kOk) << h.detail;
  EXPECT_EQ(h.value.hash().get("f"), "v");
  // Every truncation of a list's payload, re-checksummed, is bad data, never a crash.
  Value list = Value::new_list();
  for (int i = 0; i < 100; ++i) list.list().push_back("v" + std::to_string(i));
  const std::string full = dump_value(list);
  const std::string body = full.substr(0, full.size() - 10);
  for (size_t cut = 0; cut < body.size(); ++cut) {
    std::string p = body.substr(0, cut) + std::string("\x0a\x00", 2);
    const uint64_t c = crc64(0, p);
    for (int i = 0; i < 8; ++i) p.push_back(static_cast<char>((c >> (8 * i)) & 0xff));
    EXPECT_EQ(restore_value(p).status, RestoreStatus::kBadData) << cut;
  }
}

TEST_F(RdbTest, FilesLoadInChunksWithProgress) {
  Database& db = store_.db(0);
  for (int i = 0; i < 20000; ++i)
    db.add("key:" + std::to_string(i), Value(std::string(300, 'a' + i % 26) + std::to_string(i)));
  RdbWriteOptions options;
  options.compression = false;
  const std::string bytes = write(store_, options);
  char dir_pattern[] = "/tmp/basalt-rdb-XXXXXX";
  ASSERT_NE(mkdtemp(dir_pattern), nullptr);
  const std::string path = join_path(dir_pattern, "dump.rdb");
  ASSERT_FALSE(write_file_atomically(path, bytes));
  Store loaded(16, clock_, 2);
  RdbLoadOptions lo;
  int calls = 0;
  uint64_t last = 0;
  lo.progress_interval = 1 << 20;
  lo.progress = [&](const RdbLoadProgress& p) {
    ++calls;
    EXPECT_GT(p.bytes_read, last);
    last = p.bytes_read;
    return true;
  };
  auto r = load_rdb_file(path, loaded, lo);
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.bytes_read, bytes.size());
  EXPECT_GE(calls, static_cast<int>(bytes.size() >> 20) - 1);
  EXPECT_EQ(copy_keyspace(loaded), copy_keyspace(store_));
  // A progress callback can stop the load.
  Store stopped(16, clock_, 2);
  lo.progress = [](const RdbLoadProgress&) { return false; };
  EXPECT_FALSE(load_rdb_file(path, stopped, lo).ok());
  // A truncated file: an error naming the path.
  ASSERT_FALSE(write_file_atomically(path, bytes.substr(0, bytes.size() / 2)));
  Store half(16, clock_, 2);
  auto t = load_rdb_file(path, half);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error->find(path), std::string::npos);
  std::filesystem::remove_all(dir_pattern);
}

}  // namespace
}  // namespace basalt

namespace basalt {
namespace {
// A DUMP payload around `body` (type byte and value): RDB version 10 and a CRC64.
std::string payload(std::string body) {
  body += std::string("\x0a\x00", 2);
  const uint64_t crc = crc64(0, body);
  for (int i = 0; i < 8; ++i) body.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return body;
}
// An intset blob: encoding, count, then members, little-endian, as an RDB string.
std::string intset_body(uint32_t width, std::vector<int64_t> members, uint32_t count) {
  std::string blob;
  for (int i = 0; i < 4; ++i) blob.push_back(static_cast<char>((width >> (8 * i)) & 0xff));
  for (int i = 0; i < 4; ++i) blob.push_back(static_cast<char>((count >> (8 * i)) & 0xff));
  for (int64_t m : members)
    for (uint32_t i = 0; i < width; ++i)
      blob.push_back(static_cast<char>((static_cast<uint64_t>(m) >> (8 * i)) & 0xff));
  std::string body(1, static_cast<char>(rdb::kTypeSetIntset));
  body.push_back(static_cast<char>(blob.size()));  // 6-bit length: blobs here are short
  return body + blob;
}
}  // namespace

TEST_F(RdbTest, SetsRoundTripAndAreValidatedAsRedisDoes) {
  const std::vector<std::vector<std::string>> cases = {
      {"1", "-2", "300"},
      {"70000", "1"},
      {"9223372036854775807", "-9223372036854775808"},
      {"a", "", "1", "007"}};
  for (const auto& members : cases) {
    Value v = Value::new_set();
    for (const auto& m : members) v.set().add(m, Set::kDefaultMaxIntsetEntries);
    RestoreResult r = restore_value(dump_value(v));
    ASSERT_EQ(r.status, RestoreStatus::kOk) << r.detail;
    ASSERT_TRUE(r.value.is_set());
    EXPECT_EQ(r.value.encoding(), v.encoding());
    EXPECT_EQ(r.value.set().size(), members.size());
    for (const auto& m : members) EXPECT_TRUE(r.value.set().contains(m)) << m;
  }
  EXPECT_EQ(restore_value(payload(intset_body(2, {1, 5}, 2))).status, RestoreStatus::kOk);
  // Redis's intsetValidateIntegrity: a known width, the size its count says, not empty, sorted
  // and unique.
  for (const auto& bad :
       {intset_body(3, {1, 5}, 2), intset_body(2, {1, 5}, 3), intset_body(2, {}, 0),
        intset_body(2, {5, 1}, 2), intset_body(4, {7, 7}, 2)}) {
    EXPECT_EQ(restore_value(payload(bad)).status, RestoreStatus::kBadData);
  }
  // A set with a duplicate member, and an empty one.
  const std::string dup(
      "\x02\x02\x01"
      "a\x01"
      "a",
      6);
  EXPECT_NE(restore_value(payload(dup)).detail.find("Duplicate set members"), std::string::npos);
  EXPECT_EQ(restore_value(payload(std::string("\x02\x00", 2))).status, RestoreStatus::kBadData);
  // Past set-max-intset-entries' default, integers load as a table, as Redis converts them.
  std::string big(1, static_cast<char>(rdb::kTypeSet));
  big += std::string("\x42\x01", 2);  // a 14-bit length: 0x201 = 513 members
  for (int i = 0; i < 513; ++i) {
    const std::string m = std::to_string(i + 1000);
    big.push_back(static_cast<char>(m.size()));
    big += m;
  }
  RestoreResult r = restore_value(payload(big));
  ASSERT_EQ(r.status, RestoreStatus::kOk) << r.detail;
  EXPECT_EQ(r.value.encoding(), "hashtable");
  EXPECT_EQ(r.value.set().size(), 513u);
}

}  // namespace basalt
