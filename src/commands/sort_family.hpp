#pragma once
// SORT and SORT_RO (Redis's sort.c) over lists and sets: the store work (op_sort) apart from the
// argument parsing and the reply (sort_family.cpp).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/op_status.hpp"

namespace basalt {

class Database;

struct SortParams {
  bool desc = false;
  bool alpha = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;               // -1: to the end
  std::optional<std::string_view> by;     // BY pattern
  std::vector<std::string_view> gets;     // GET patterns, in order
  std::optional<std::string_view> store;  // STORE destination
};

// SORT's output: the elements (or, with GET, one value per pattern per element; nullopt for a
// pattern that found nothing), in order. With STORE the list has been stored (or the destination
// deleted) and the output is what was stored.
// kWrongType when the key is not a list or a set; kNotFloat when a score is not a double
// ("ERR One or more scores can't be converted into double").
OpResult<std::vector<std::optional<std::string>>> op_sort(Database& db, std::string_view key,
                                                          const SortParams& params);

// Where SORT's STORE destination is in argv, as Redis's sortGetKeys finds it for COMMAND GETKEYS
// (its key specs cannot say): options are skipped with their arguments (LIMIT 2, GET and BY 1),
// an unknown word alone, and the last STORE wins. nullopt without one.
std::optional<size_t> sort_store_position(std::span<const std::string_view> argv);

}  // namespace basalt
