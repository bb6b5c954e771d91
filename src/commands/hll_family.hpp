#pragma once
// The HyperLogLog family's store operations (hll_family.cpp, Redis's hyperloglog.c commands): each
// works on a Database alone and reports failure as an OpStatus: kWrongType for another type,
// kNotHll for a string that is not a HyperLogLog, kHllCorrupt for one whose registers do not add
// up. The representation itself lives in store/hyperloglog.hpp.

#include <cstdint>
#include <span>
#include <string_view>

#include "commands/op_status.hpp"

namespace basalt {

class Database;

// PFADD key [element ...]: whether the key was created or a register changed.
OpResult<bool> op_pfadd(Database& db, std::string_view key,
                        std::span<const std::string_view> elements, int64_t sparse_max_bytes);
// PFCOUNT key [key ...]: one key answers from (and refreshes) its cached cardinality, which
// modifies the value; several keys answer the cardinality of their union and modify nothing.
OpResult<uint64_t> op_pfcount(Database& db, std::span<const std::string_view> keys);
// PFMERGE dest [source ...]: dest holds the union of itself and the sources.
OpStatus op_pfmerge(Database& db, std::string_view dest, std::span<const std::string_view> sources,
                    int64_t sparse_max_bytes);

}  // namespace basalt
