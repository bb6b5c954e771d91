#pragma once
// HyperLogLog in Redis's exact representation (hyperloglog.c), kept in a string value so that GET,
// DUMP and RESTORE see the very bytes Redis holds after the same PFADDs:
//
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 zero bytes | cached cardinality (8 bytes, little
//   endian, top bit set = stale) | registers
//
// 16384 registers of 6 bits. Dense: 12288 bytes, register i at bit 6*i counting from the least
// significant bit of each byte. Sparse: run-length opcodes, ZERO (00xxxxxx: 1..64 zero
// registers), XZERO (01xxxxxx yyyyyyyy: 1..16384 zero registers) and VAL (1vvvvvxx: 1..4
// registers of value 1..32); a sparse value that would grow past hll-sparse-max-bytes, or needs a
// register above 32, turns dense. Elements hash with MurmurHash64A (seed 0xadc83b19), the low 14
// bits choosing the register and the run of zeros above them its value; the estimate is Otmar
// Ertl's improved estimator (arXiv:1702.01284), as Redis 7's hllCount.
//
// Every reader takes hostile bytes (a SET or RESTORE of anything starting with "HYLL"): opcodes
// are bounds-checked and a representation that does not cover exactly 16384 registers is
// reported corrupt, never read past.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/value.hpp"

namespace basalt::hll {

inline constexpr size_t kHeaderSize = 16;
inline constexpr uint32_t kRegisters = 16384;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * 6 + 7) / 8;
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;

// Redis's MurmurHash64A (endian-neutral: little-endian word loads).
uint64_t murmur64a(const void* key, size_t len, uint64_t seed);
// The register an element maps to and the length of its 0...1 pattern (1..51).
uint8_t pattern_len(std::string_view element, uint32_t* index);

// Redis's isHLLObject: "HYLL", a known encoding, and a dense value of exactly kDenseSize bytes.
bool is_hll(std::string_view s);
uint8_t encoding(std::string_view s);  // of a value is_hll accepted

// A new, empty HLL: sparse, all registers zero, cardinality 0 (createHLLObject).
std::string new_sparse();

// The cached cardinality, if valid.
std::optional<uint64_t> cached_card(std::string_view s);
void set_cached_card(char* s, uint64_t card);
void invalidate_cache(char* s);

// Registers of a dense body (kDenseSize - kHeaderSize bytes).
uint8_t dense_get(const uint8_t* registers, uint32_t index);
void dense_set(uint8_t* registers, uint32_t index, uint8_t value);

// Adds an element to the HLL held in v (valid per is_hll): 1 if a register changed, 0 if not,
// -1 if the representation is corrupt. May turn a sparse value dense.
int add(Value& v, std::string_view element, int64_t sparse_max_bytes);
// Raises register `index` to `count` if lower; the same results as add.
int set_register(Value& v, uint32_t index, uint8_t count, int64_t sparse_max_bytes);
// Makes a sparse value dense (a dense one is left alone); false if the sparse one is corrupt.
bool to_dense(Value& v);

// The estimated cardinality; nullopt if a sparse representation is corrupt.
std::optional<uint64_t> count(std::string_view s);
// The estimate over plain registers, one byte each (PFCOUNT of several keys).
uint64_t count_registers(const uint8_t* registers);
// max[i] = max(max[i], register i of s); false if a sparse representation is corrupt.
bool merge_into(uint8_t* max, std::string_view s);

// PFDEBUG DECODE's text of a sparse value: "z:<n>", "Z:<n>", "v:<value>,<n>" separated by spaces.
std::string decode_sparse(std::string_view s);

// PFSELFTEST: nullopt if every check passes, otherwise Redis's "TESTFAILED ..." text.
std::optional<std::string> self_test(int64_t sparse_max_bytes, uint64_t seed);

}  // namespace basalt::hll
