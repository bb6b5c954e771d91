// SORT and SORT_RO (Redis's sort.c): the elements of a list, a set or a sorted set, sorted
// numerically or lexicographically (ALPHA), by themselves or by the values of other keys (BY
// pattern; a pattern without '*' means no sorting), cut with LIMIT, mapped through GET patterns
// ('#' for the element itself), replied or stored as a list (STORE). Replies and errors follow
// Redis 7.0.
//
// Hash fields ("BY weight_*->field", "GET data_*->field") read the field of the hash at the key;
// a key that is absent or not a hash finds nothing, as in Redis.

#include "commands/sort_family.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "base/strings.hpp"
#include "commands/arg_parser.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"
#include "commands/helpers.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/set.hpp"
#include "store/zset.hpp"

namespace basalt {

namespace {

// ================================ Op side: the store work ======================================

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by
// the element and the key's string value is returned. A "->field" after the '*' names a field of
// the hash at that key.
std::optional<std::string> lookup_by_pattern(Database& db, std::string_view pattern,
                                             std::string_view element) {
  if (pattern == "#") return std::string(element);
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  const size_t arrow = pattern.find("->", star + 1);
  const bool hash_field = arrow != std::string_view::npos && arrow + 2 < pattern.size();
  std::string key(pattern.substr(0, star));
  key += element;
  key += pattern.substr(star + 1, (hash_field ? arrow : pattern.size()) - star - 1);
  const Entry* e = db.find_read(key);
  if (e == nullptr) return std::nullopt;
  if (hash_field) {
    if (!e->value.is_hash()) return std::nullopt;
    const std::optional<std::string_view> v = e->value.hash().get(pattern.substr(arrow + 2));
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  if (!e->value.is_string()) return std::nullopt;
  return std::string(e->value.str());
}

struct SortItem {
  std::string element;
  double score = 0;
  std::optional<std::string> by;  // ALPHA with BY: the value compared (nullopt sorts first)
};

// Redis's strtod over the value as a C string: a NUL ends it, leading spaces, hex and "inf" are
// numbers, anything left over, an overflow or NaN is an error.
bool parse_score(std::string_view s, double* out) {
  const std::optional<StrtodResult> r = strtod_whole(s.substr(0, s.find('\0')), SIZE_MAX);
  if (!r || r->out_of_range) return false;
  *out = r->value;
  return true;
}

// Redis's compareStringObjects: bytes, then length.
int compare_bytes(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// Redis's collateStringObjects: strcoll in the server's LC_COLLATE (main sets it from the
// environment, as Redis does), over C strings, so a NUL ends the comparison.
int compare_collated(const std::string& a, const std::string& b) {
  const int c = std::strcoll(a.c_str(), b.c_str());
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

}  // namespace

OpResult<std::vector<std::optional<std::string>>> op_sort(Database& db, std::string_view key,
                                                          const SortParams& params) {
  const Entry* e = db.find_read(key);
  bool is_set = false, is_zset = false;
  if (e != nullptr) {
    switch (e->value.type()) {
      case ValueType::kList:
        break;
      case ValueType::kSet:
        is_set = true;
        break;
      // A sorted set's members, in score order when nothing is sorted (BY without '*'), as
      // Redis's sortCommandGeneric takes them; read from the other end for DESC, like a list.
      case ValueType::kZSet:
        is_zset = true;
        break;
      case ValueType::kString:
      case ValueType::kHash:
        return OpStatus::kWrongType;
    }
  }
  bool alpha = params.alpha;
  std::optional<std::string_view> by = params.by;
  bool dontsort = by && by->find('*') == std::string_view::npos;
  // A set's order is its table's: with STORE, Redis sorts it (ALPHA) so the stored list is the
  // same on every replica.
  if (dontsort && is_set && params.store) {
    dontsort = false;
    alpha = true;
    by.reset();
  }

  std::vector<SortItem> items;
  if (e != nullptr) {
    if (is_set) {
      items.reserve(e->value.set().size());
      e->value.set().for_each([&](std::string_view m) {
        items.push_back({std::string(m), 0, std::nullopt});
      });
    } else if (is_zset) {
      items.reserve(e->value.zset().size());
      e->value.zset().for_each([&](std::string_view m, double) {
        items.push_back({std::string(m), 0, std::nullopt});
      });
    } else {
      items.reserve(e->value.list().size());
      for (std::string_view v : e->value.list()) items.push_back({std::string(v), 0, std::nullopt});
    }
  }
  const auto len = static_cast<int64_t>(items.size());
  int64_t start = std::min(std::max<int64_t>(params.limit_start, 0), len);
  const int64_t count = std::min(std::max<int64_t>(params.limit_count, -1), len);
  int64_t end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  // A list left in its order (BY without '*') is read from the other end for DESC.
  if (dontsort && !is_set && params.desc) std::reverse(items.begin(), items.end());

  if (!dontsort) {
    bool bad_score = false;
    for (SortItem& item : items) {
      std::optional<std::string> by_value;
      if (by) {
        by_value = lookup_by_pattern(db, *by, item.element);
        if (!by_value) continue;  // no weight: score 0, or first for ALPHA
      }
      if (alpha) {
        if (by) item.by = std::move(by_value);
      } else if (!parse_score(by ? *by_value : item.element, &item.score)) {
        bad_score = true;
      }
    }
    if (bad_score) return OpStatus::kNotFloat;
    // ALPHA collates as the locale says, except into STORE, whose list must be the same on every
    // replica whatever its locale (Redis's sortCompare).
    const bool collate = !params.store;
    auto alpha_compare = [collate](const std::string& a, const std::string& b) {
      return collate ? compare_collated(a, b) : compare_bytes(a, b);
    };
    auto cmp = [&](const SortItem& a, const SortItem& b) {
      int c;
      if (!alpha) {
        c = a.score > b.score ? 1 : a.score < b.score ? -1 : compare_bytes(a.element, b.element);
      } else if (by) {
        if (!a.by || !b.by) {
          c = a.by.has_value() == b.by.has_value() ? 0 : a.by ? 1 : -1;
        } else {
          c = alpha_compare(*a.by, *b.by);
        }
      } else {
        c = alpha_compare(a.element, b.element);
      }
      return (params.desc ? -c : c) < 0;
    };
    // Stable, as glibc's qsort (a merge sort) under Redis keeps elements that collate equal.
    std::stable_sort(items.begin(), items.end(), cmp);
  }

  std::vector<std::optional<std::string>> out;
  for (int64_t j = start; j <= end; ++j) {
    const std::string& element = items[static_cast<size_t>(j)].element;
    if (params.gets.empty()) {
      out.emplace_back(element);
      continue;
    }
    for (std::string_view pattern : params.gets)
      out.push_back(lookup_by_pattern(db, pattern, element));
  }

  if (params.store) {
    const std::string_view dest = *params.store;
    if (out.empty()) {
      delete_key(db, dest);
    } else {
      Value list = Value::new_list();
      // A GET that found nothing stores an empty string, as Redis does.
      for (const auto& v : out)
        list.list().push_back(v ? std::string_view(*v) : std::string_view());
      db.set(dest, std::move(list));
      db.signal_modified(dest);
      db.notify(kNotifyList, "sortstore", dest);
      db.signal_list_ready(dest);
    }
  }
  return out;
}

namespace {

// ============================ Cmd side: arguments and replies ===================================

constexpr std::string_view kScoresNotDouble =
    "ERR One or more scores can't be converted into double";

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]
//   [STORE destination]; SORT_RO takes no STORE.
void sort_generic(CommandContext& ctx, bool readonly) {
  SortParams params;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    const std::string_view opt = ctx.arg(j);
    const size_t left = ctx.argc() - j - 1;
    if (iequals(opt, "ASC")) {
      params.desc = false;
    } else if (iequals(opt, "DESC")) {
      params.desc = true;
    } else if (iequals(opt, "ALPHA")) {
      params.alpha = true;
    } else if (iequals(opt, "LIMIT") && left >= 2) {
      std::optional<int64_t> offset = parse_int64(ctx.arg(j + 1));
      std::optional<int64_t> count = parse_int64(ctx.arg(j + 2));
      if (!offset || !count) return ctx.reply.error(err::kNotInteger);
      params.limit_start = *offset;
      params.limit_count = *count;
      j += 2;
    } else if (!readonly && iequals(opt, "STORE") && left >= 1) {
      params.store = ctx.arg(++j);
    } else if (iequals(opt, "BY") && left >= 1) {
      params.by = ctx.arg(++j);
    } else if (iequals(opt, "GET") && left >= 1) {
      params.gets.push_back(ctx.arg(++j));
    } else {
      return ctx.reply.error(err::kSyntax);
    }
  }
  auto r = op_sort(ctx.db(), ctx.arg(1), params);
  if (!r.ok()) {
    return ctx.reply.error(r.status() == OpStatus::kNotFloat ? kScoresNotDouble
                                                             : op_status_error(r.status()));
  }
  if (params.store) return ctx.reply.integer(static_cast<int64_t>(r->size()));
  ctx.reply.array(r->size());
  for (const auto& v : *r) ctx.reply.bulk_or_null(v);
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE dest]
void cmd_sort(CommandContext& ctx) { sort_generic(ctx, false); }
// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
void cmd_sort_ro(CommandContext& ctx) { sort_generic(ctx, true); }

}  // namespace

std::optional<size_t> sort_store_position(std::span<const std::string_view> argv) {
  std::optional<size_t> store;
  for (size_t i = 2; i < argv.size(); ++i) {
    if (iequals(argv[i], "limit")) {
      i += 2;
    } else if (iequals(argv[i], "get") || iequals(argv[i], "by")) {
      i += 1;
    } else if (iequals(argv[i], "store") && i + 1 < argv.size()) {
      store = i + 1;
    }
  }
  return store;
}

void register_sort(CommandTable& t) {
  constexpr std::string_view kAcl = "@set @sortedset @list @dangerous";
  t.add({"sort", -2, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, 1, 1, 1, cmd_sort, "generic",
         "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.",
         kAcl});
  t.add({"sort_ro", -2, kCmdReadonly | kCmdMovableKeys, 1, 1, 1, cmd_sort_ro, "generic",
         "Returns the sorted elements of a list, a set, or a sorted set.", kAcl});
}

}  // namespace basalt
