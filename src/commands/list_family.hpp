#pragma once
// The list family's store operations (list_family.cpp): each works on a Database alone, with no
// client and no reply, and reports failure as an OpStatus. The commands (cmd_*) parse their
// arguments, call these, and reply; the blocking commands call the same ops to serve a pop, and
// leave waiting to the engine. Views returned point into the list and stay valid until the key is
// next modified.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/op_status.hpp"
#include "store/list.hpp"

namespace basalt {

class Database;

// LEFT and RIGHT in Redis's arguments.
enum class ListEnd : uint8_t { kHead, kTail };

// Receives popped elements as they leave the list, so that a reply can stream them without a
// vector of copies: first begin() with the key and how many follow, then each element in pop
// order. An element's view dies when element() returns.
class PopSink {
 public:
  virtual void begin(std::string_view key, size_t count) = 0;
  virtual void element(std::string_view value) = 0;

 protected:
  ~PopSink() = default;
};

// LPUSH/RPUSH, and LPUSHX/RPUSHX with only_if_exists: the length after the push; 0 when
// only_if_exists found no list.
OpResult<size_t> op_push(Database& db, std::string_view key, ListEnd end,
                         std::span<const std::string_view> values, bool only_if_exists);
// LPOP/RPOP, with a count or without (count 1): up to `count` elements into `sink`. False when the
// key is absent (the sink hears nothing); a count of 0 finds the key and pops nothing. A sink
// rather than a returned string: the element goes from the list to the reply without being moved
// through return values on the hottest path.
OpResult<bool> op_pop(Database& db, std::string_view key, ListEnd end, size_t count, PopSink& sink);
// LMPOP, BLMPOP, BLPOP, BRPOP: pops up to `count` (>= 1) elements from the first of `keys` that
// holds a list; returns that key (a view into `keys`), nullopt when none does. kWrongType when a
// key before it holds another type, as Redis checks each key in turn.
OpResult<std::optional<std::string_view>> op_pop_first(Database& db,
                                                       std::span<const std::string_view> keys,
                                                       ListEnd end, size_t count, PopSink& sink);
// LMOVE, RPOPLPUSH and their blocking forms: the element moved, nullopt when the source is
// absent. kWrongType when the source, or (a source being there) the destination, holds another
// type; nothing is popped then.
OpResult<std::optional<std::string>> op_move(Database& db, std::string_view source,
                                             std::string_view destination, ListEnd from,
                                             ListEnd to);

// LLEN: 0 for an absent key.
OpResult<size_t> op_llen(Database& db, std::string_view key);

// A run of a list's elements read in place (LRANGE); valid until the list is next modified.
struct ListSlice {
  const List* list = nullptr;
  size_t first = 0;
  size_t count = 0;  // 0: empty, and list may be nullptr

  template <class F>
  void for_each(F&& f) const {
    if (count != 0) list->for_each(first, first + count - 1, f);
  }
};
// LRANGE key start stop, with Redis's clamping; empty for an absent key.
OpResult<ListSlice> op_lrange(Database& db, std::string_view key, int64_t start, int64_t stop);

// LINDEX and LSET take the index as parsed by the caller, nullopt when the argument is not an
// integer: Redis looks at the key first, so a missing key or a wrong type wins over a bad index,
// and the op reports kNotInteger only after those checks.
//
// LINDEX: the element, nullopt for an absent key or an index out of range.
OpResult<std::optional<std::string_view>> op_lindex(Database& db, std::string_view key,
                                                    std::optional<int64_t> index);
// LSET: kNoSuchKey, kNotInteger, kIndexOutOfRange, in that order.
OpStatus op_lset(Database& db, std::string_view key, std::optional<int64_t> index,
                 std::string_view value);

// LINSERT: the length after, 0 for an absent key, -1 when the pivot is not there.
OpResult<int64_t> op_linsert(Database& db, std::string_view key, bool after, std::string_view pivot,
                             std::string_view value);
// LREM: how many were removed (count as in List::remove).
OpResult<size_t> op_lrem(Database& db, std::string_view key, int64_t count, std::string_view value);
// LTRIM: keeps start..stop (Redis's negative indexes); a list trimmed to nothing is deleted.
OpStatus op_ltrim(Database& db, std::string_view key, int64_t start, int64_t stop);

struct LposParams {
  int64_t rank = 1;    // != 0; negative scans from the tail
  int64_t count = 1;   // matches wanted; 0 for all of them
  int64_t maxlen = 0;  // elements compared at most; 0 for no limit
};
// LPOS: the indexes of the matches, in scan order; empty for an absent key.
OpResult<std::vector<int64_t>> op_lpos(Database& db, std::string_view key, std::string_view element,
                                       const LposParams& params);

}  // namespace basalt
