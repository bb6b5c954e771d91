#pragma once
// A uniformly random node of a chained hash table (HRANDFIELD, SRANDMEMBER, SPOP): a random
// non-empty bucket, kept with probability chain length / longest chain, then a random node of its
// chain, so each node comes up with probability 1 / (non-empty buckets x longest chain). Taking
// any node of any non-empty bucket instead favours nodes alone in their bucket, twice over those
// sharing one (Redis's test suite measures it: HRANDFIELD -1000 over 10 fields, chi-square 109
// where it allows 40). The table must not be empty; max_chain must be at least its longest chain.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>

namespace basalt {

template <class Node>
size_t chain_length(const Node* head) {
  size_t len = 0;
  for (const Node* n = head; n != nullptr; n = n->next) ++len;
  return len;
}

// Keeps max_chain an upper bound: called with the head of each chain a node was just linked into.
template <class Node>
void note_chain(size_t& max_chain, const Node* head) {
  max_chain = std::max(max_chain, chain_length(head));
}

template <class Node>
const Node* fair_random_node(Node* const* buckets, uint64_t mask, size_t max_chain,
                             std::mt19937_64& rng) {
  for (;;) {
    const Node* n = buckets[rng() & mask];
    if (n == nullptr) continue;
    const size_t len = chain_length(n);
    if (rng() % std::max(max_chain, len) >= len) continue;
    for (size_t k = rng() % len; k > 0; --k) n = n->next;
    return n;
  }
}

}  // namespace basalt
