// The HyperLogLog representation (store/hyperloglog.*): Redis's layout, sparse and dense agreeing,
// promotion, and corrupt sparse bodies reported rather than read past. Byte equality with Redis's
// values is checked by the recorded sessions in tests/unit/commands/hll_family_test.cpp.

#include "store/hyperloglog.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt {
namespace {

using namespace std::string_literals;

TEST(HyperLogLog, NewValueIsRedisEmptySparse) {
  // "HYLL", sparse, three zero bytes, cardinality 0 (valid), one XZERO of 16384 registers.
  EXPECT_EQ(hll::new_sparse(), "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"s);
  EXPECT_TRUE(hll::is_hll(hll::new_sparse()));
  EXPECT_EQ(hll::cached_card(hll::new_sparse()), 0u);
  EXPECT_EQ(hll::count(hll::new_sparse()), 0u);
}

TEST(HyperLogLog, HeaderChecks) {
  EXPECT_FALSE(hll::is_hll("HYLL"));
  EXPECT_FALSE(hll::is_hll("HYLX\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"s));
  EXPECT_FALSE(hll::is_hll("HYLL\x02\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"s));
  std::string dense(hll::kDenseSize, '\0');
  dense.replace(0, 4, "HYLL");
  EXPECT_TRUE(hll::is_hll(dense));
  dense.pop_back();
  EXPECT_FALSE(hll::is_hll(dense));  // a dense value is exactly 12304 bytes
}

TEST(HyperLogLog, CorruptSparseBodiesAreReported) {
  const std::string header = "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80"s;
  for (const std::string& body : {"\x7f\xfe"s, "\x7f\xff\x00"s, "\x7f"s, ""s, "\xff\x7f\xff"s}) {
    Value v(header + body);
    EXPECT_EQ(hll::count(v.str()), std::nullopt) << body.size();
    uint8_t max[hll::kRegisters] = {};
    EXPECT_FALSE(hll::merge_into(max, v.str()));
    EXPECT_FALSE(hll::to_dense(v));
  }
  // A register past the registers the opcodes cover cannot be set.
  Value short_one(header + "\x00"s);
  EXPECT_EQ(hll::set_register(short_one, 100, 1, 3000), -1);
}

TEST(HyperLogLog, SparseTurnsDensePastItsLimitOrAbove32) {
  Value v(hll::new_sparse());
  for (int i = 0; v.str().size() <= 40 && i < 1000; ++i) {
    ASSERT_GE(hll::add(v, "e" + std::to_string(i), 40), 0);
  }
  EXPECT_EQ(hll::encoding(v.str()), hll::kDense);
  EXPECT_EQ(v.str().size(), hll::kDenseSize);
  Value w(hll::new_sparse());
  EXPECT_EQ(hll::set_register(w, 5, 33, 3000), 1);  // a VAL opcode holds at most 32
  EXPECT_EQ(hll::encoding(w.str()), hll::kDense);
  EXPECT_EQ(hll::dense_get(reinterpret_cast<const uint8_t*>(w.str().data()) + hll::kHeaderSize, 5),
            33);
}

TEST(HyperLogLog, SparseAndDenseAgree) {
  // The same elements through a sparse value (promoted late) and one made dense at once give the
  // same registers and the same estimate.
  Value sparse(hll::new_sparse());
  Value dense(hll::new_sparse());
  ASSERT_TRUE(hll::to_dense(dense));
  for (int i = 0; i < 2000; ++i) {
    const std::string e = "e" + std::to_string(i);
    ASSERT_GE(hll::add(sparse, e, 1 << 20), 0);
    ASSERT_GE(hll::add(dense, e, 1 << 20), 0);
  }
  EXPECT_EQ(hll::encoding(sparse.str()), hll::kSparse);
  EXPECT_EQ(hll::count(sparse.str()), hll::count(dense.str()));
  uint8_t a[hll::kRegisters] = {}, b[hll::kRegisters] = {};
  ASSERT_TRUE(hll::merge_into(a, sparse.str()));
  ASSERT_TRUE(hll::merge_into(b, dense.str()));
  EXPECT_EQ(std::string_view(reinterpret_cast<char*>(a), sizeof(a)),
            std::string_view(reinterpret_cast<char*>(b), sizeof(b)));
  ASSERT_TRUE(hll::to_dense(sparse));
  EXPECT_EQ(sparse.str().substr(hll::kHeaderSize), dense.str().substr(hll::kHeaderSize));
}

TEST(HyperLogLog, DenseRegistersKeepTheirNeighbours) {
  std::string body(hll::kDenseSize - hll::kHeaderSize, '\0');
  auto* r = reinterpret_cast<uint8_t*>(body.data());
  for (uint32_t i = 0; i < hll::kRegisters; ++i) hll::dense_set(r, i, static_cast<uint8_t>(i % 64));
  for (uint32_t i = 0; i < hll::kRegisters; ++i) ASSERT_EQ(hll::dense_get(r, i), i % 64) << i;
}

}  // namespace
}  // namespace basalt
