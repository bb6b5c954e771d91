#pragma once
// DEBUG's store operations (debug_family.cpp): the dataset digest, a value's digest and the
// DEBUG OBJECT line, each computed from a Store or Database alone, with no client.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/sha1.hpp"
#include "commands/op_status.hpp"

namespace basalt {

class Database;
class Store;
struct Entry;

// DEBUG DIGEST: Redis's computeDatasetDigest. Keys and unordered elements are combined by xor
// (order-free), list elements by feeding the digest back (order matters); each key-value digest
// also covers the type and whether the key has a TTL. Twenty zero bytes for an empty keyspace.
// Keys whose TTL has passed but that are still stored count, as in Redis.
Sha1::Digest op_dataset_digest(const Store& store);
// DEBUG DIGEST-VALUE: the digest of one key's value (type, content, TTL or not) without its
// name; zeros for a missing key.
Sha1::Digest op_value_digest(Database& db, std::string_view key);
// DEBUG OBJECT's line for an entry ("Value at:0x... refcount:1 encoding:... serializedlength:N
// lru:N lru_seconds_idle:N", plus the ql_* fields for lists); kNoSuchKey when the key is absent.
// `listpack_size` is list-max-listpack-size and `compress_depth` list-compress-depth, which the
// ql_* fields report.
OpResult<std::string> op_debug_object(const Store& store, Database& db, std::string_view key,
                                      bool compression, int64_t listpack_size,
                                      int64_t compress_depth);

}  // namespace basalt
