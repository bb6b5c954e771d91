// Fuzzes HyperLogLog values (src/store/hyperloglog.*) through the store operations of PFADD,
// PFCOUNT and PFMERGE (src/commands/hll_family.*): arbitrary bytes stored under a key, as a SET or
// RESTORE of anything would. The oracle, besides the sanitizers: every operation either refuses
// the value (WRONGTYPE ... not a valid HyperLogLog, INVALIDOBJ) or leaves it a valid HyperLogLog,
// and a value that PFCOUNT accepts alone is accepted in a union and by PFMERGE too.
//
// Input: <flags byte> <value bytes>. Bit 0 of flags puts "HYLL" in front of the value (most
// inputs would otherwise be refused at the magic); bits 1-3 pick hll-sparse-max-bytes; bits 4-5
// pick how many elements PFADD adds.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "commands/hll_family.hpp"
#include "store/clock.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"
#include "store/hyperloglog.hpp"
#include "store/store.hpp"

namespace {

using namespace basalt;

void check(bool ok) {
  if (!ok) std::abort();
}

// The value at key is still a HyperLogLog (or gone, never something half-written).
void check_still_hll(Database& db, std::string_view key) {
  const Entry* e = db.find(key);
  check(e == nullptr || hll::is_hll(e->value.str()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ManualClock clock;
  static Store store(1, clock, 1);
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string value(reinterpret_cast<const char*>(data + 1), size - 1);
  if (flags & 1) value.insert(0, "HYLL");
  static constexpr int64_t kSparseMax[] = {0, 1, 20, 100, 300, 3000, 20000, 1 << 20};
  const int64_t sparse_max = kSparseMax[(flags >> 1) & 7];
  const int elements = 1 << (((flags >> 4) & 3) * 3);  // 1, 8, 64 or 512

  Database& db = store.db(0);
  db.clear();
  db.set("v", Value(value));
  const bool valid_header = hll::is_hll(value);

  // Whether the registers add up; PFCOUNT of the key alone may not look when its cache is valid.
  const bool registers_ok = valid_header && hll::count(value).has_value();
  const bool cached = valid_header && hll::cached_card(value).has_value();

  const std::string_view one[] = {"v"};
  auto alone = op_pfcount(db, one);
  check(alone.ok() == (registers_ok || cached));
  check(alone.ok() || alone.status() == (valid_header ? OpStatus::kHllCorrupt : OpStatus::kNotHll));
  if (valid_header) check_still_hll(db, "v");

  db.set("v", Value(value));
  const std::string_view with_empty[] = {"v", "empty"};
  auto with_other = op_pfcount(db, with_empty);
  check(with_other.ok() == registers_ok);

  OpStatus merged = op_pfmerge(db, "dest", one, sparse_max);
  check((merged == OpStatus::kOk) == registers_ok);
  if (merged == OpStatus::kOk) {
    check_still_hll(db, "dest");
    // The destination holds the same registers: its estimate is the union's.
    const std::string_view dest[] = {"dest"};
    check(*op_pfcount(db, dest) == *with_other);
  }

  std::string element;
  for (int i = 0; i < elements; ++i) {
    element = std::to_string(i) + ":" + std::to_string(size);
    const std::string_view e[] = {element};
    auto added = op_pfadd(db, "v", e, sparse_max);
    if (valid_header) check_still_hll(db, "v");
    if (!added.ok()) break;
  }
  (void)op_pfcount(db, one);

  // A valid sparse value can always turn dense, and then counts the same as before.
  if (registers_ok) {
    Value copy(value);
    check(hll::to_dense(copy));
    check(hll::is_hll(copy.str()));
    check(hll::count(copy.str()) == hll::count(value));
  }
  return 0;
}
