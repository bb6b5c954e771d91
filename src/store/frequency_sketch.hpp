#pragma once
// How often each key was requested lately, for the LFU policies' eviction (evict.hpp), counting
// requests for keys not in the cache too: a count-min sketch of 4-bit counters, as TinyLFU
// (Einziger, Friedman and Manes) and Caffeine keep one.
//
// Redis's LFU knows a key's frequency only while the key is in the cache, in an 8-bit counter
// that is logarithmic from its start value of 5: keys read once and keys read ten times look
// alike, and a key evicted and requested again starts over. On a cache workload those are the
// keys the choice is about: under a 64 MB cap over 5,000,000 Zipf-distributed keys, the keys at
// the edge of the cache are requested two or three times in ten million requests. The sketch
// counts them up to 15, whether cached or not, for 4 bits a counter and no per-key memory; other
// keys sharing its counters can raise a key's count, never lower it. The key hashes are seeded
// per process (Store), so a client cannot choose keys that inflate another key's count.
//
// Layout: 64-byte blocks of 16 counters per 8-byte word. A key hashes to one block (one cache
// line per request) and, within it, to one counter in each of four pairs of words; its estimate is
// the least of the four, which other keys' requests can only raise (the count-min bound). An
// increment raises only the counters equal to that least one (conservative update), which keeps
// the estimates of keys sharing counters with popular ones close. Every `sample_size` increments,
// all counters are halved, so the sketch follows a popularity that changes (TinyLFU's reset);
// increments that find all four counters at 15 do not count towards it, as Caffeine's.
//
// Sized for the keys the cache holds: 8 counters a key in a power of two of 8-byte words, 2 MB
// for 371,000 keys. The bytes come from the allocator, so they count against maxmemory like the
// keys', and a larger sketch holds fewer keys: a simulation of bench/compare-cache's workload (its
// key draws replayed through Basalt's sampling, counter and this sketch; not kept in the tree)
// hit 80.43% with 8 counters a key at 372,000 keys, 80.45% with 16 at the 360,000 keys the 2 MB
// more leave, 80.06% with 4 at 378,000. The server measured 80.25-80.37% with 8 (nine runs).
//
// Counts are halved every 20 increments per key sized for, twice TinyLFU's W = 10 C: Redis's
// counter, decaying with idle minutes, ranks candidates first (evict.hpp) and carries recency, so
// the sketch may remember longer. The simulation hit 80.43% with 20 against 80.36% with 10; the
// server 80.25-80.37% (nine runs) against 80.21-80.36% (three): within the runs' spread.
//
// A resize (fit) and a halving walk the whole table on the loop thread, as Caffeine's reset does:
// about 0.1 ms for 2 MB; a cache of 100 million keys (512 MB of counters) would pause some 100 ms
// at each, once per doubling of its keys and once per 2 billion requests.

#include <cstddef>
#include <cstdint>

namespace basalt {

class FrequencySketch {
 public:
  static constexpr int kMaxCount = 15;

  FrequencySketch() = default;
  ~FrequencySketch() { release(); }
  FrequencySketch(const FrequencySketch&) = delete;
  FrequencySketch& operator=(const FrequencySketch&) = delete;

  // Sizes the sketch for `keys` keys when it holds none yet, when `keys` outgrew it, or when
  // `keys` fell below a quarter of what it was sized for (after a FLUSHALL); resizing forgets
  // every count.
  void fit(size_t keys);
  // Frees the counters: an empty sketch records nothing and estimates 0.
  void release();
  bool empty() const { return words_ == 0; }

  // One request for the key whose hash is `hash` (a 64-bit hash of good quality).
  void record(uint64_t hash);
  // Its requests since they were last halved, at most kMaxCount; never below the true count
  // (halvings aside).
  int estimate(uint64_t hash) const;

  // The keys it is sized for, and its bytes.
  size_t capacity() const { return words_ * kKeysPerWord; }
  size_t memory_usage() const { return words_ * sizeof(uint64_t); }
  // Increments between two halvings.
  uint64_t sample_size() const { return sample_size_; }

 private:
  static constexpr size_t kWordsPerBlock = 8;  // 64 bytes: one cache line
  static constexpr size_t kKeysPerWord = 2;    // 16 counters a word: 8 a key
  static constexpr size_t kMinWords = 512;     // 4 KB
  // Increments per key sized for between two halvings (see above).
  static constexpr uint64_t kSampleFactor = 20;

  // The key's counter in each of the four rows: its word and bit shift.
  struct Slots {
    uint64_t* word[4];
    int shift[4];
    int count(int row) const { return static_cast<int>((*word[row] >> shift[row]) & 15); }
    int least() const;
  };
  Slots slots(uint64_t hash) const;
  void halve();

  uint64_t* table_ = nullptr;
  size_t words_ = 0;
  size_t block_mask_ = 0;
  uint64_t additions_ = 0;
  uint64_t sample_size_ = 0;
};

}  // namespace basalt
