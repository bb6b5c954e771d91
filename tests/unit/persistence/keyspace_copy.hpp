#pragma once
// A deep, comparable copy of a Store's keyspace for tests: what a load must reproduce exactly.

#include <algorithm>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/set.hpp"
#include "store/store.hpp"

namespace basalt::testing_support {

struct Item {
  bool is_list = false;
  bool is_set = false;  // members sorted in `list`, the encoding in `str`
  std::string str;
  std::vector<std::string> list;
  bool is_hash = false;
  std::map<std::string, std::string> hash;
  int64_t expire_at = 0;
  bool operator==(const Item&) const = default;
};

using Keyspace = std::map<std::pair<int, std::string>, Item>;

// The entry's value, and its expiry from db, which holds it (nullptr: an entry in no database).
inline Item copy_item(const Entry* e, const Database* db) {
  Item item;
  if (db != nullptr) item.expire_at = db->expire_at(e);
  if (e->value.is_list()) {
    item.is_list = true;
    for (std::string_view s : e->value.list()) item.list.emplace_back(s);
  } else if (e->value.is_hash()) {
    item.is_hash = true;
    e->value.hash().for_each(
        [&](std::string_view f, std::string_view v) { item.hash.emplace(f, v); });
  } else if (e->value.is_set()) {
    item.is_set = true;
    e->value.set().for_each([&](std::string_view m) { item.list.emplace_back(m); });
    std::sort(item.list.begin(), item.list.end());
    item.str = std::string(e->value.encoding());
  } else {
    item.str = std::string(e->value.str());
  }
  return item;
}

inline Keyspace copy_keyspace(const Store& store) {
  Keyspace out;
  for (int i = 0; i < store.db_count(); ++i) {
    const Database& db = store.db(i);
    db.for_each([&](const Entry* e) {
      out.emplace(std::make_pair(i, std::string(e->key())), copy_item(e, &db));
    });
  }
  return out;
}

inline std::ostream& operator<<(std::ostream& os, const Item& item) {
  if (item.is_list) {
    os << "list[" << item.list.size() << "]";
  } else if (item.is_hash) {
    os << "hash[" << item.hash.size() << "]";
  } else if (item.is_set) {
    os << "set[" << item.list.size() << "] " << item.str;
  } else {
    os << "string(" << item.str.size() << " bytes)";
  }
  return os << " expire_at=" << item.expire_at;
}

// The first difference, for a readable failure.
inline std::string first_difference(const Keyspace& want, const Keyspace& got) {
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    if (it == got.end()) return "missing db " + std::to_string(k.first) + " key '" + k.second + "'";
    if (!(it->second == v))
      return "differs: db " + std::to_string(k.first) + " key '" + k.second + "'";
  }
  for (const auto& [k, v] : got) {
    if (!want.count(k)) return "extra: db " + std::to_string(k.first) + " key '" + k.second + "'";
  }
  return "";
}

}  // namespace basalt::testing_support
