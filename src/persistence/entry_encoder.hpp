#pragma once
// What a snapshot (snapshot.hpp) writes each key with: the RDB writer for a dump or an RDB base,
// the command writer for a base of commands (aof-use-rdb-preamble no). Both append to a buffer
// the snapshot owns and drains to its file.

#include <cstdint>
#include <string_view>

#include "store/value.hpp"

namespace basalt {

class EntryEncoder {
 public:
  virtual ~EntryEncoder() = default;
  // One key, of database db (the encoder selects the database when it changes); expire_at_ms is
  // absolute unix ms, 0 for none.
  virtual void write_entry(int db, std::string_view key, const Value& value,
                           int64_t expire_at_ms) = 0;
  // After the last key: the RDB's EOF and checksum; nothing for commands.
  virtual void write_footer() = 0;
};

}  // namespace basalt
