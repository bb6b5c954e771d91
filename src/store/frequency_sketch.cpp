#include "store/frequency_sketch.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>

namespace basalt {

namespace {
// A second, independent-looking hash from the first (the finalizer of MurmurHash3): the block comes
// from the low bits of the key's hash, the counters within it from these.
uint64_t rehash(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}
}  // namespace

void FrequencySketch::fit(size_t keys) {
  const size_t want = std::max(
      kMinWords, std::bit_ceil((std::max<size_t>(keys, 1) + kKeysPerWord - 1) / kKeysPerWord));
  if (words_ != 0 && keys <= capacity() && (keys >= capacity() / 4 || words_ == kMinWords)) {
    return;
  }
  if (want == words_) return;
  release();
  // Aligned, so that a block is one cache line.
  void* mem = std::aligned_alloc(kWordsPerBlock * sizeof(uint64_t), want * sizeof(uint64_t));
  if (mem == nullptr) throw std::bad_alloc();
  std::memset(mem, 0, want * sizeof(uint64_t));
  table_ = static_cast<uint64_t*>(mem);
  words_ = want;
  block_mask_ = want / kWordsPerBlock - 1;
  additions_ = 0;
  sample_size_ = kSampleFactor * capacity();
}

void FrequencySketch::release() {
  std::free(table_);
  table_ = nullptr;
  words_ = 0;
  block_mask_ = 0;
  additions_ = 0;
  sample_size_ = 0;
}

FrequencySketch::Slots FrequencySketch::slots(uint64_t hash) const {
  const uint64_t h = rehash(hash);
  uint64_t* block = table_ + (hash & block_mask_) * kWordsPerBlock;
  Slots s;
  for (int row = 0; row < 4; ++row) {
    // Row r's counter is in word 2r or 2r+1 of the block, at one of its 16 places.
    s.word[row] = block + 2 * row + ((h >> row) & 1);
    s.shift[row] = static_cast<int>((h >> (8 + 4 * row)) & 15) * 4;
  }
  return s;
}

int FrequencySketch::Slots::least() const {
  int n = kMaxCount;
  for (int row = 0; row < 4; ++row) n = std::min(n, count(row));
  return n;
}

int FrequencySketch::estimate(uint64_t hash) const { return words_ == 0 ? 0 : slots(hash).least(); }

void FrequencySketch::record(uint64_t hash) {
  if (words_ == 0) return;
  const Slots s = slots(hash);
  const int least = s.least();
  if (least == kMaxCount) return;
  for (int row = 0; row < 4; ++row) {
    if (s.count(row) == least) *s.word[row] += uint64_t{1} << s.shift[row];
  }
  if (++additions_ >= sample_size_) halve();
}

void FrequencySketch::halve() {
  for (size_t i = 0; i < words_; ++i) table_[i] = (table_[i] >> 1) & 0x7777777777777777ULL;
  additions_ /= 2;
}

}  // namespace basalt
