// HyperLogLog in Redis's representation: see hyperloglog.hpp for the layout. The algorithms are
// Redis's (the same hash, register choice, sparse opcode edits and estimator), so results match
// byte for byte; the reading of untrusted bytes is bounded everywhere.

#include "store/hyperloglog.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace basalt::hll {

namespace {

constexpr uint32_t kPBits = 14;
constexpr uint32_t kQ = 64 - kPBits;
constexpr uint8_t kRegisterMax = 63;
constexpr size_t kDenseBytes = kDenseSize - kHeaderSize;

constexpr uint8_t kXZeroBit = 0x40;
constexpr uint8_t kValBit = 0x80;
constexpr int kValMaxValue = 32;
constexpr int kValMaxLen = 4;
constexpr int kZeroMaxLen = 64;
constexpr uint32_t kXZeroMaxLen = 16384;
constexpr double kAlphaInf = 0.721347520444481703680;  // 0.5 / ln(2)

bool is_zero(uint8_t op) { return (op & 0xc0) == 0; }
bool is_xzero(uint8_t op) { return (op & 0xc0) == kXZeroBit; }
bool is_val(uint8_t op) { return (op & kValBit) != 0; }
int zero_len(uint8_t op) { return (op & 0x3f) + 1; }
int xzero_len(uint8_t op, uint8_t next) { return (((op & 0x3f) << 8) | next) + 1; }
int val_value(uint8_t op) { return ((op >> 2) & 0x1f) + 1; }
int val_len(uint8_t op) { return (op & 0x3) + 1; }
uint8_t val_op(int value, int len) {
  return static_cast<uint8_t>(((value - 1) << 2 | (len - 1)) | kValBit);
}
void put_zero(uint8_t*& n, int len) {
  if (len > kZeroMaxLen) {
    const int l = len - 1;
    *n++ = static_cast<uint8_t>((l >> 8) | kXZeroBit);
    *n++ = static_cast<uint8_t>(l & 0xff);
  } else {
    *n++ = static_cast<uint8_t>(len - 1);
  }
}

const uint8_t* bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// Walks the opcodes of a sparse body, calling run(first, len, value) for each; value 0 for the
// zero runs. Stops (false) as soon as the runs pass kRegisters; true if they cover it exactly.
// An XZERO cut by the end reads its second byte as 0, as Redis's reads the string's terminator.
template <typename F>
bool walk_sparse(std::string_view s, F&& run) {
  const uint8_t* p = bytes(s) + kHeaderSize;
  const uint8_t* end = bytes(s) + s.size();
  uint32_t idx = 0;
  while (p < end) {
    uint32_t len;
    int value = 0;
    if (is_zero(*p)) {
      len = static_cast<uint32_t>(zero_len(*p));
      ++p;
    } else if (is_xzero(*p)) {
      len = static_cast<uint32_t>(xzero_len(p[0], p + 1 < end ? p[1] : 0));
      p += 2;
    } else {
      len = static_cast<uint32_t>(val_len(*p));
      value = val_value(*p);
      ++p;
    }
    if (len > kRegisters - idx) return false;
    run(idx, len, value);
    idx += len;
  }
  return idx == kRegisters;
}

// The estimator on a histogram of register values (hllCount after its histogram step).
uint64_t estimate(const int64_t* histo) {
  const double m = kRegisters;
  auto sigma = [](double x) -> double {
    if (x == 1.) return INFINITY;
    double z_prev, y = 1, z = x;
    do {
      x *= x;
      z_prev = z;
      z += x * y;
      y += y;
    } while (z_prev != z);
    return z;
  };
  auto tau = [](double x) -> double {
    if (x == 0. || x == 1.) return 0.;
    double z_prev, y = 1.0, z = 1 - x;
    do {
      x = std::sqrt(x);
      z_prev = z;
      y *= 0.5;
      z -= std::pow(1 - x, 2) * y;
    } while (z_prev != z);
    return z / 3;
  };
  double z = m * tau((m - static_cast<double>(histo[kQ + 1])) / m);
  for (int j = static_cast<int>(kQ); j >= 1; --j) {
    z += static_cast<double>(histo[j]);
    z *= 0.5;
  }
  z += m * sigma(static_cast<double>(histo[0]) / m);
  // Through a double, as Redis keeps the rounded estimate.
  const double e =
      static_cast<double>(std::llround(static_cast<long double>(kAlphaInf * m * m / z)));
  return static_cast<uint64_t>(e);
}

void dense_histogram(const uint8_t* r, int64_t* histo) {
  // Sixteen registers per twelve bytes.
  for (size_t j = 0; j < kDenseBytes; j += 12, r += 12) {
    histo[r[0] & 63]++;
    histo[(r[0] >> 6 | r[1] << 2) & 63]++;
    histo[(r[1] >> 4 | r[2] << 4) & 63]++;
    histo[(r[2] >> 2) & 63]++;
    histo[r[3] & 63]++;
    histo[(r[3] >> 6 | r[4] << 2) & 63]++;
    histo[(r[4] >> 4 | r[5] << 4) & 63]++;
    histo[(r[5] >> 2) & 63]++;
    histo[r[6] & 63]++;
    histo[(r[6] >> 6 | r[7] << 2) & 63]++;
    histo[(r[7] >> 4 | r[8] << 4) & 63]++;
    histo[(r[8] >> 2) & 63]++;
    histo[r[9] & 63]++;
    histo[(r[9] >> 6 | r[10] << 2) & 63]++;
    histo[(r[10] >> 4 | r[11] << 4) & 63]++;
    histo[(r[11] >> 2) & 63]++;
  }
}

// Raises a register of a sparse value in place (Redis's hllSparseSet without the promotion):
// 1 updated, 0 unchanged, -1 corrupt, 2 when the value must turn dense first.
int sparse_set(Value& v, uint32_t index, uint8_t count, int64_t sparse_max_bytes) {
  if (count > kValMaxValue) return 2;
  const size_t len = v.str().size();
  // Room for the worst split (XZERO -> XZERO VAL XZERO) and zeros past the end to read.
  auto* base = reinterpret_cast<uint8_t*>(v.resize(len + 8));
  uint8_t* sparse = base + kHeaderSize;
  uint8_t* end = base + len;
  uint8_t* p = sparse;
  uint8_t* prev = nullptr;
  long first = 0, span = 0;
  while (p < end) {
    long oplen = 1;
    if (is_zero(*p)) {
      span = zero_len(*p);
    } else if (is_val(*p)) {
      span = val_len(*p);
    } else {
      span = xzero_len(p[0], p[1]);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  auto finish = [&](int result) {
    v.resize(static_cast<size_t>(end - base));
    return result;
  };
  if (span == 0 || p >= end) return finish(-1);
  uint8_t* next = is_xzero(*p) ? p + 2 : p + 1;
  if (next >= end) next = nullptr;
  const bool zero = is_zero(*p), xzero = is_xzero(*p), val = is_val(*p);
  const long runlen = zero ? zero_len(*p) : xzero ? xzero_len(p[0], p[1]) : val_len(*p);
  bool simple = false;
  if (val) {
    if (val_value(*p) >= count) return finish(0);
    if (runlen == 1) {
      *p = val_op(count, 1);
      simple = true;
    }
  }
  if (!simple && zero && runlen == 1) {
    *p = val_op(count, 1);
    simple = true;
  }
  if (!simple) {
    // Split the opcode around the register: at most XZERO VAL XZERO, five bytes.
    uint8_t seq[5], *n = seq;
    const long last = first + span - 1;
    if (zero || xzero) {
      if (index != first) put_zero(n, static_cast<int>(index - first));
      *n++ = val_op(count, 1);
      if (index != last) put_zero(n, static_cast<int>(last - index));
    } else {
      const int current = val_value(*p);
      if (index != first) *n++ = val_op(current, static_cast<int>(index - first));
      *n++ = val_op(count, 1);
      if (index != last) *n++ = val_op(current, static_cast<int>(last - index));
    }
    const long seqlen = n - seq;
    const long oldlen = xzero ? 2 : 1;
    const long delta = seqlen - oldlen;
    if (delta > 0 && static_cast<int64_t>(end - base) + delta > sparse_max_bytes) {
      finish(0);
      return 2;
    }
    if (delta != 0 && next != nullptr) std::memmove(next + delta, next, end - next);
    std::memcpy(p, seq, static_cast<size_t>(seqlen));
    end += delta;
  }
  // Merge adjacent VAL opcodes of equal value, scanning a few opcodes from the one before.
  p = prev != nullptr ? prev : sparse;
  int scan = 5;
  while (p < end && scan--) {
    if (is_xzero(*p)) {
      p += 2;
      continue;
    }
    if (is_zero(*p)) {
      ++p;
      continue;
    }
    if (p + 1 < end && is_val(p[1])) {
      const int v1 = val_value(p[0]), v2 = val_value(p[1]);
      if (v1 == v2) {
        const int merged = val_len(p[0]) + val_len(p[1]);
        if (merged <= kValMaxLen) {
          p[1] = val_op(v1, merged);
          std::memmove(p, p + 1, static_cast<size_t>(end - p));
          --end;
          continue;
        }
      }
    }
    ++p;
  }
  invalidate_cache(reinterpret_cast<char*>(base));
  return finish(1);
}

}  // namespace

uint64_t murmur64a(const void* key, size_t len, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  uint64_t h = seed ^ (len * m);
  const auto* data = static_cast<const uint8_t*>(key);
  const uint8_t* end = data + (len - (len & 7));
  for (; data != end; data += 8) {
    uint64_t k = 0;
    for (int i = 7; i >= 0; --i) k = (k << 8) | data[i];
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const size_t rest = len & 7;
  if (rest != 0) {
    for (size_t i = rest; i-- > 0;) h ^= static_cast<uint64_t>(data[i]) << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

uint8_t pattern_len(std::string_view element, uint32_t* index) {
  uint64_t hash = murmur64a(element.data(), element.size(), 0xadc83b19ULL);
  *index = static_cast<uint32_t>(hash & (kRegisters - 1));
  hash >>= kPBits;
  hash |= uint64_t{1} << kQ;  // the run ends by bit Q: at most Q + 1
  return static_cast<uint8_t>(__builtin_ctzll(hash) + 1);
}

bool is_hll(std::string_view s) {
  if (s.size() < kHeaderSize || s.substr(0, 4) != "HYLL") return false;
  const auto enc = static_cast<uint8_t>(s[4]);
  if (enc > kSparse) return false;
  return enc != kDense || s.size() == kDenseSize;
}

uint8_t encoding(std::string_view s) { return static_cast<uint8_t>(s[4]); }

std::string new_sparse() {
  std::string s(kHeaderSize, '\0');
  std::memcpy(s.data(), "HYLL", 4);
  s[4] = static_cast<char>(kSparse);
  for (uint32_t left = kRegisters; left > 0;) {
    const uint32_t n = std::min(left, kXZeroMaxLen);
    s.push_back(static_cast<char>(((n - 1) >> 8) | kXZeroBit));
    s.push_back(static_cast<char>((n - 1) & 0xff));
    left -= n;
  }
  return s;
}

std::optional<uint64_t> cached_card(std::string_view s) {
  const uint8_t* c = bytes(s) + 8;
  if ((c[7] & 0x80) != 0) return std::nullopt;
  uint64_t card = 0;
  for (int i = 7; i >= 0; --i) card = (card << 8) | c[i];
  return card;
}

void set_cached_card(char* s, uint64_t card) {
  for (int i = 0; i < 8; ++i) s[8 + i] = static_cast<char>((card >> (8 * i)) & 0xff);
}

void invalidate_cache(char* s) { s[15] = static_cast<char>(static_cast<uint8_t>(s[15]) | 0x80); }

uint8_t dense_get(const uint8_t* registers, uint32_t index) {
  const size_t byte = index * 6 / 8;
  const unsigned fb = index * 6 & 7;
  unsigned b0 = registers[byte];
  // The last register ends inside its byte; Redis reads the terminator past it.
  unsigned b1 = byte + 1 < kDenseBytes ? registers[byte + 1] : 0;
  return static_cast<uint8_t>(((b0 >> fb) | (b1 << (8 - fb))) & kRegisterMax);
}

void dense_set(uint8_t* registers, uint32_t index, uint8_t value) {
  const size_t byte = index * 6 / 8;
  const unsigned fb = index * 6 & 7;
  const unsigned v = value;
  registers[byte] = static_cast<uint8_t>((registers[byte] & ~(kRegisterMax << fb)) | (v << fb));
  if (byte + 1 < kDenseBytes) {
    registers[byte + 1] =
        static_cast<uint8_t>((registers[byte + 1] & ~(kRegisterMax >> (8 - fb))) | (v >> (8 - fb)));
  }
}

bool to_dense(Value& v) {
  std::string_view s = v.str();
  if (encoding(s) == kDense) return true;
  Value dense;
  auto* d = reinterpret_cast<uint8_t*>(dense.resize(kDenseSize));
  std::memcpy(d, s.data(), kHeaderSize);  // magic and cached cardinality
  d[4] = kDense;
  uint8_t* registers = d + kHeaderSize;
  bool ok = walk_sparse(s, [&](uint32_t first, uint32_t len, int value) {
    if (value == 0) return;
    for (uint32_t i = first; i < first + len; ++i) {
      dense_set(registers, i, static_cast<uint8_t>(value));
    }
  });
  if (!ok) return false;
  v = std::move(dense);
  return true;
}

int set_register(Value& v, uint32_t index, uint8_t count, int64_t sparse_max_bytes) {
  if (encoding(v.str()) == kSparse) {
    int r = sparse_set(v, index, count, sparse_max_bytes);
    if (r != 2) return r;
    if (!to_dense(v)) return -1;
  }
  auto* registers = reinterpret_cast<uint8_t*>(v.resize(v.str().size())) + kHeaderSize;
  if (count <= dense_get(registers, index)) return 0;
  dense_set(registers, index, count);
  return 1;
}

int add(Value& v, std::string_view element, int64_t sparse_max_bytes) {
  uint32_t index;
  uint8_t count = pattern_len(element, &index);
  return set_register(v, index, count, sparse_max_bytes);
}

std::optional<uint64_t> count(std::string_view s) {
  int64_t histo[64] = {};
  if (encoding(s) == kDense) {
    dense_histogram(bytes(s) + kHeaderSize, histo);
  } else {
    bool ok = walk_sparse(s, [&](uint32_t, uint32_t len, int value) { histo[value] += len; });
    if (!ok) return std::nullopt;
  }
  return estimate(histo);
}

uint64_t count_registers(const uint8_t* registers) {
  int64_t histo[64] = {};
  for (uint32_t i = 0; i < kRegisters; ++i) histo[registers[i] & 63]++;
  return estimate(histo);
}

bool merge_into(uint8_t* max, std::string_view s) {
  if (encoding(s) == kDense) {
    const uint8_t* registers = bytes(s) + kHeaderSize;
    for (uint32_t i = 0; i < kRegisters; ++i) max[i] = std::max(max[i], dense_get(registers, i));
    return true;
  }
  return walk_sparse(s, [&](uint32_t first, uint32_t len, int value) {
    for (uint32_t i = first; i < first + len; ++i) {
      max[i] = std::max(max[i], static_cast<uint8_t>(value));
    }
  });
}

std::string decode_sparse(std::string_view s) {
  std::string out;
  const uint8_t* p = bytes(s) + kHeaderSize;
  const uint8_t* end = bytes(s) + s.size();
  while (p < end) {
    if (is_zero(*p)) {
      out += "z:" + std::to_string(zero_len(*p)) + " ";
      ++p;
    } else if (is_xzero(*p)) {
      out += "Z:" + std::to_string(xzero_len(p[0], p + 1 < end ? p[1] : 0)) + " ";
      p += 2;
    } else {
      out += "v:" + std::to_string(val_value(*p)) + "," + std::to_string(val_len(*p)) + " ";
      ++p;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::optional<std::string> self_test(int64_t sparse_max_bytes, uint64_t seed) {
  uint64_t state = seed | 1;
  auto next_random = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  // 1: every register keeps its value without disturbing its neighbours.
  std::string dense(kDenseSize, '\0');
  auto* registers = reinterpret_cast<uint8_t*>(dense.data()) + kHeaderSize;
  uint8_t expected[kRegisters];
  for (int cycle = 0; cycle < 1000; ++cycle) {
    for (uint32_t i = 0; i < kRegisters; ++i) {
      expected[i] = static_cast<uint8_t>(next_random() & kRegisterMax);
      dense_set(registers, i, expected[i]);
    }
    for (uint32_t i = 0; i < kRegisters; ++i) {
      const uint8_t got = dense_get(registers, i);
      if (got != expected[i]) {
        return "TESTFAILED Register " + std::to_string(i) + " should be " +
               std::to_string(expected[i]) + " but is " + std::to_string(got);
      }
    }
  }
  // 2: the estimate stays within a few standard errors, dense and sparse agreeing.
  std::memset(registers, 0, kDenseBytes);
  std::memcpy(dense.data(), "HYLL", 4);
  Value sparse(new_sparse());
  const double relerr = 1.04 / std::sqrt(static_cast<double>(kRegisters));
  int64_t checkpoint = 1;
  const uint64_t salt = next_random();
  for (uint64_t j = 1; j <= 10000000; ++j) {
    const uint64_t ele = j ^ salt;
    const std::string_view element(reinterpret_cast<const char*>(&ele), sizeof(ele));
    uint32_t index;
    const uint8_t c = pattern_len(element, &index);
    if (c > dense_get(registers, index)) dense_set(registers, index, c);
    add(sparse, element, sparse_max_bytes);
    if (static_cast<int64_t>(j) != checkpoint) continue;
    if (static_cast<int64_t>(j) < sparse_max_bytes / 2 && encoding(sparse.str()) != kSparse) {
      return std::string("TESTFAILED sparse encoding not used");
    }
    const uint64_t dense_card = *count(dense);
    if (dense_card != count(sparse.str()).value_or(~uint64_t{0})) {
      return std::string("TESTFAILED dense/sparse disagree");
    }
    int64_t abserr = checkpoint - static_cast<int64_t>(dense_card);
    auto maxerr = static_cast<int64_t>(std::ceil(relerr * 6 * static_cast<double>(checkpoint)));
    if (j == 10) maxerr = 1;  // collisions make larger errors likely at this size
    if (abserr < 0) abserr = -abserr;
    if (abserr > maxerr) {
      return "TESTFAILED Too big error. card:" + std::to_string(checkpoint) +
             " abserr:" + std::to_string(abserr);
    }
    checkpoint *= 10;
  }
  return std::nullopt;
}

}  // namespace basalt::hll
