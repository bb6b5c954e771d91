// Fuzzes everything that reads RDB bytes (src/persistence/rdb_loader.*, lzf.*): the input is
// loaded as an RDB file into a small Store, parsed as a DUMP payload, and decompressed as LZF.
// The oracle, besides the sanitizers: a load either succeeds or fails with one line naming a byte
// offset; a successful RESTORE dumps back to a payload that restores to the same value.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "persistence/lzf.hpp"
#include "persistence/rdb_loader.hpp"
#include "persistence/rdb_writer.hpp"
#include "store/clock.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/set.hpp"
#include "store/store.hpp"
#include "store/zset.hpp"

namespace {

using namespace basalt;

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  __builtin_trap();
}

bool same(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case ValueType::kString:
      return a.str() == b.str();
    case ValueType::kHash: {
      if (a.hash().size() != b.hash().size()) return false;
      bool equal = true;
      a.hash().for_each([&](std::string_view f, std::string_view v) {
        if (b.hash().get(f) != v) equal = false;
      });
      return equal;
    }
    case ValueType::kSet: {
      if (a.set().size() != b.set().size()) return false;
      bool equal = true;
      a.set().for_each([&](std::string_view m) {
        if (!b.set().contains(m)) equal = false;
      });
      return equal;
    }
    case ValueType::kZSet: {
      if (a.zset().size() != b.zset().size()) return false;
      bool equal = true;
      a.zset().for_each([&](std::string_view m, double score) {
        double other;
        if (!b.zset().score(m, &other) || other != score) equal = false;
      });
      return equal;
    }
    case ValueType::kList: {
      if (a.list().size() != b.list().size()) return false;
      auto i = a.list().begin();
      for (std::string_view e : b.list()) {
        if (*i != e) return false;
        ++i;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  static ManualClock clock;
  Store store(4, clock, 1);
  RdbLoadResult r = load_rdb(input, store);
  if (r.error) {
    if (r.error->find("byte offset") == std::string::npos)
      fail("error without an offset", *r.error);
    if (r.error->find('\n') != std::string::npos) fail("error on several lines", *r.error);
  } else if (r.keys_loaded != store.key_count()) {
    fail("keys_loaded differs from the store", std::to_string(r.keys_loaded));
  }

  RestoreResult restored = restore_value(input);
  if (restored.status == RestoreStatus::kOk) {
    RestoreResult again = restore_value(dump_value(restored.value));
    if (again.status != RestoreStatus::kOk || !same(again.value, restored.value)) {
      fail("DUMP of a restored value does not restore the same", again.detail);
    }
  }

  // Output bounded by the input, as the loader bounds it.
  std::string out(
      size * kLzfMaxExpansion + 1 > (1u << 20) ? (1u << 20) : size * kLzfMaxExpansion + 1, '\0');
  (void)lzf_decompress(data, size, out.data(), out.size());
  return 0;
}
