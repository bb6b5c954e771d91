// The typed command methods, written once and shared by Client (returns the value), Pipeline and
// Transaction (queue the command, return themselves for chaining) and AsyncClient (returns a
// std::future of the value). Each method builds the argument list and names the function that
// turns the server's Reply into the result type; the class that inherits decides when the
// command is sent.
//
// All keys and values are binary safe: std::string_view in (NUL bytes included), std::string
// out. An error reply becomes a ServerError; a reply of an unexpected type a ProtocolError.
#pragma once

#include <chrono>
#include <cstdint>
#include <forward_list>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basalt/options.hpp"
#include "basalt/reply.hpp"

namespace basalt {

// A key and its value, as returned by a multi-key blocking pop (which key it came from, what it
// popped).
struct KeyValue {
  std::string key;
  std::string value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

// A key and the elements popped from it, as returned by LMPOP / BLMPOP.
struct KeyValues {
  std::string key;
  std::vector<std::string> values;
  friend bool operator==(const KeyValues&, const KeyValues&) = default;
};

// A sorted set member and its score, as returned by ZRANGE ... WITHSCORES, ZPOPMIN and friends.
struct ScoredMember {
  std::string member;
  double score = 0;
  friend bool operator==(const ScoredMember&, const ScoredMember&) = default;
};

// Results of Client::ttl when there is no remaining time to report (Redis's PTTL codes).
inline constexpr std::chrono::milliseconds kNoKey{-2};     // the key does not exist
inline constexpr std::chrono::milliseconds kNoExpiry{-1};  // the key exists and has no TTL

namespace detail {

// Turns a reply into a method's result; throws ServerError / ProtocolError.
template <class T>
using Decoder = T (*)(Reply&&);

// The argument list of one command: views of the caller's strings plus numbers formatted into
// storage owned here. Up to kInline arguments live inside the object (no allocation for typical
// commands); longer lists move to the heap. Number storage is node-based, so views into it stay
// valid while more are added.
class Args {
 public:
  static constexpr size_t kInline = 8;

  Args() = default;
  Args(std::initializer_list<std::string_view> args) {
    for (std::string_view a : args) add(a);
  }
  Args(const Args&) = delete;
  Args& operator=(const Args&) = delete;

  Args& add(std::string_view arg) {
    if (size_ < kInline) {
      inline_[size_] = arg;
    } else {
      if (size_ == kInline) heap_.assign(inline_, inline_ + kInline);
      heap_.push_back(arg);
    }
    ++size_;
    return *this;
  }
  Args& add(const char* arg) { return add(std::string_view(arg)); }
  Args& add(int64_t n);
  Args& add_double(double d);
  template <class Range>
  Args& add_all(const Range& range) {
    for (const auto& s : range) add(std::string_view(s));
    return *this;
  }
  std::span<const std::string_view> view() const {
    return size_ <= kInline ? std::span<const std::string_view>(inline_, size_)
                            : std::span<const std::string_view>(heap_);
  }

 private:
  std::string_view inline_[kInline];
  size_t size_ = 0;
  std::vector<std::string_view> heap_;
  std::forward_list<std::string> owned_;
};

// The decoders, one per result shape (defined in client/decode.cpp).
Reply reply_or_throw(Reply&& r);                        // any type; error -> ServerError
void expect_ok(Reply&& r);                              // +OK (or any non-error)
bool ok_or_nil(Reply&& r);                              // +OK -> true, nil -> false
std::optional<std::string> optional_string(Reply&& r);  // bulk or nil
std::string string_value(Reply&& r);                    // bulk or simple string
int64_t integer(Reply&& r);                             // :n
bool integer_as_bool(Reply&& r);                        // :n -> n != 0
double number(Reply&& r);                               // bulk "1.5" or RESP3 double
std::vector<std::string> string_list(Reply&& r);        // array of bulk strings
std::vector<std::optional<std::string>> optional_strings(Reply&& r);  // array, nils kept
std::optional<std::string> first_or_nil(Reply&& r);                   // BLPOP on one key: its value
std::optional<KeyValue> key_value(Reply&& r);                         // BLPOP: [key, value] or nil
std::optional<KeyValues> key_values(Reply&& r);      // LMPOP: [key, [elements]] or nil
std::optional<int64_t> optional_integer(Reply&& r);  // LPOS
std::chrono::milliseconds milliseconds(Reply&& r);   // PTTL
std::vector<std::string> pop_many(Reply&& r);        // LPOP n: array or nil
// HGETALL: a RESP3 map or a RESP2 flat array of field, value, ...
std::vector<std::pair<std::string, std::string>> field_values(Reply&& r);
std::optional<double> optional_number(Reply&& r);                // ZSCORE: number or nil
std::vector<std::optional<double>> optional_numbers(Reply&& r);  // ZMSCORE: array, nils kept
std::vector<bool> bools(Reply&& r);                              // SMISMEMBER: array of :0/:1
// ZRANGE WITHSCORES, ZPOPMIN: a flat array of member, score, ... (RESP2, with scores as bulk
// strings) or an array of [member, score] pairs (RESP3, with doubles).
std::vector<ScoredMember> scored_members(Reply&& r);
// ZPOPMIN without a count: [member, score] or an empty array.
std::optional<ScoredMember> optional_scored_member(Reply&& r);

// Appends " [NX|XX] [GT|LT] [CH]" for ZAddOptions.
void add_zadd_options(Args& args, const ZAddOptions& options);

// Appends " [NX|XX] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]" for SetOptions.
void add_set_options(Args& args, const SetOptions& options);
// A duration as a RESP timeout in seconds ("0.25"), for BLPOP and BLMOVE.
std::string timeout_seconds(std::chrono::milliseconds timeout);

}  // namespace detail

// CRTP base holding every typed method. `Derived` implements
//   template <class T> Result<T> dispatch(detail::Decoder<T>, const detail::Args&,
//                                         std::chrono::milliseconds blocking_timeout);
// Methods are documented by what the command does and what the value means; see the derived
// class for when it is sent and how the value is delivered.
template <class Derived, template <class> class Result>
class Commands {
 public:
  // A braced list of keys: {"a", "b"}.
  using Keys = std::initializer_list<std::string_view>;
  // Durations (TTLs, timeouts) are given in milliseconds; seconds convert implicitly.
  using Ms = std::chrono::milliseconds;

  // ---- Any command ----------------------------------------------------------------------------

  // Sends any command, e.g. command({"LRANGE", "jobs", "0", "-1"}), and returns the reply as it
  // came (an error reply throws ServerError, except in a Pipeline, whose results keep it).
  Result<Reply> command(std::initializer_list<std::string_view> args) {
    return run<Reply>(&detail::reply_or_throw, detail::Args(args));
  }
  // Same, with the arguments in a span (std::vector<std::string_view> converts).
  Result<Reply> command(std::span<const std::string_view> args) {
    detail::Args a;
    a.add_all(args);
    return run<Reply>(&detail::reply_or_throw, a);
  }
  // Same, with the arguments as strings.
  Result<Reply> command(const std::vector<std::string>& args) {
    detail::Args a;
    a.add_all(args);
    return run<Reply>(&detail::reply_or_throw, a);
  }
  // PING: checks the connection; the server's answer ("PONG").
  Result<std::string> ping() { return run<std::string>(&detail::string_value, {"PING"}); }

  // ---- Strings --------------------------------------------------------------------------------

  // GET: the value of `key`, nullopt if it does not exist. WRONGTYPE if it holds a list.
  Result<std::optional<std::string>> get(std::string_view key) {
    return run<std::optional<std::string>>(&detail::optional_string, {"GET", key});
  }
  // SET with options (TTL, NX/XX, KEEPTTL). True if the value was set; false only when the
  // NX/XX condition was not met.
  Result<bool> set(std::string_view key, std::string_view value, const SetOptions& options = {}) {
    detail::Args a{"SET", key, value};
    detail::add_set_options(a, options);
    return run<bool>(&detail::ok_or_nil, a);
  }
  // SET ... XX: replaces the value of an existing key, false if the key does not exist. Like any
  // SET it drops the key's TTL unless options.ttl or options.keep_ttl says otherwise.
  Result<bool> update(std::string_view key, std::string_view value, SetOptions options = {}) {
    options.condition = Condition::IfExists;
    return set(key, value, options);
  }
  // SET ... GET: sets the value and returns the old one (nullopt if there was none). With an
  // NX/XX condition that is not met, nothing is set and the old value is still returned.
  Result<std::optional<std::string>> set_get(std::string_view key, std::string_view value,
                                             const SetOptions& options = {}) {
    detail::Args a{"SET", key, value};
    detail::add_set_options(a, options);
    a.add("GET");
    return run<std::optional<std::string>>(&detail::optional_string, a);
  }
  // GETDEL: the value of `key` (nullopt if missing), deleting the key.
  Result<std::optional<std::string>> get_delete(std::string_view key) {
    return run<std::optional<std::string>>(&detail::optional_string, {"GETDEL", key});
  }
  // GETEX EX/PX: the value of `key` (nullopt if missing), giving the key a new TTL.
  Result<std::optional<std::string>> get_and_expire(std::string_view key, Ms ttl) {
    const bool whole = ttl.count() % 1000 == 0;
    detail::Args a{"GETEX", key, whole ? "EX" : "PX"};
    a.add(whole ? ttl.count() / 1000 : ttl.count());
    return run<std::optional<std::string>>(&detail::optional_string, a);
  }
  // GETEX PERSIST: the value of `key` (nullopt if missing), removing its TTL.
  Result<std::optional<std::string>> get_and_persist(std::string_view key) {
    return run<std::optional<std::string>>(&detail::optional_string, {"GETEX", key, "PERSIST"});
  }
  // LCS: the longest common subsequence of the two string values.
  Result<std::string> lcs(std::string_view key1, std::string_view key2) {
    return run<std::string>(&detail::string_value, {"LCS", key1, key2});
  }
  // LCS LEN: the length of that subsequence.
  Result<int64_t> lcs_length(std::string_view key1, std::string_view key2) {
    return run<int64_t>(&detail::integer, {"LCS", key1, key2, "LEN"});
  }
  // MGET: the values of `keys` in order, nullopt for missing keys (and keys holding non-strings).
  Result<std::vector<std::optional<std::string>>> mget(Keys keys) {
    return mget(std::span<const std::string_view>(keys.begin(), keys.size()));
  }
  // MGET with the keys in a span.
  Result<std::vector<std::optional<std::string>>> mget(std::span<const std::string_view> keys) {
    detail::Args a{"MGET"};
    a.add_all(keys);
    return run<std::vector<std::optional<std::string>>>(&detail::optional_strings, a);
  }
  // MSET: sets every key to its value, atomically.
  Result<void> mset(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
    return mset(std::span<const std::pair<std::string_view, std::string_view>>(pairs.begin(),
                                                                               pairs.size()));
  }
  // MSET with the pairs in a span.
  Result<void> mset(std::span<const std::pair<std::string_view, std::string_view>> pairs) {
    detail::Args a{"MSET"};
    for (const auto& [k, v] : pairs) a.add(k).add(v);
    return run<void>(&detail::expect_ok, a);
  }
  // MSETNX: sets them all only if none of the keys exists. True if they were set.
  Result<bool> mset_if_none_exist(
      std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
    detail::Args a{"MSETNX"};
    for (const auto& [k, v] : pairs) a.add(k).add(v);
    return run<bool>(&detail::integer_as_bool, a);
  }
  // INCR / INCRBY: adds `by` to the integer value of `key` (0 if missing); the new value.
  Result<int64_t> incr(std::string_view key, int64_t by = 1) {
    if (by == 1) return run<int64_t>(&detail::integer, {"INCR", key});
    return run<int64_t>(&detail::integer, detail::Args{"INCRBY", key}.add(by));
  }
  // DECR / DECRBY: subtracts `by`; the new value.
  Result<int64_t> decr(std::string_view key, int64_t by = 1) {
    if (by == 1) return run<int64_t>(&detail::integer, {"DECR", key});
    return run<int64_t>(&detail::integer, detail::Args{"DECRBY", key}.add(by));
  }
  // INCRBYFLOAT: adds a floating point increment; the new value.
  Result<double> incr_float(std::string_view key, double by) {
    return run<double>(&detail::number, detail::Args{"INCRBYFLOAT", key}.add_double(by));
  }
  // APPEND: appends to the value (creating the key); the new length.
  Result<int64_t> append(std::string_view key, std::string_view value) {
    return run<int64_t>(&detail::integer, {"APPEND", key, value});
  }
  // STRLEN: the length of the value, 0 if the key does not exist.
  Result<int64_t> strlen(std::string_view key) {
    return run<int64_t>(&detail::integer, {"STRLEN", key});
  }
  // GETRANGE: the substring between byte offsets start and end, inclusive; negative offsets
  // count from the end.
  Result<std::string> get_range(std::string_view key, int64_t start, int64_t end) {
    return run<std::string>(&detail::string_value,
                            detail::Args{"GETRANGE", key}.add(start).add(end));
  }
  // SETRANGE: overwrites the value from `offset` on (zero-padding if needed); the new length.
  Result<int64_t> set_range(std::string_view key, int64_t offset, std::string_view value) {
    return run<int64_t>(&detail::integer, detail::Args{"SETRANGE", key}.add(offset).add(value));
  }

  // ---- Bitmaps and HyperLogLog (in string values) ----------------------------------------------

  // SETBIT: sets or clears bit `offset` (0 is the first byte's most significant bit), growing
  // the value with zeros as needed; the bit's previous value.
  Result<bool> set_bit(std::string_view key, int64_t offset, bool value) {
    return run<bool>(&detail::integer_as_bool,
                     detail::Args{"SETBIT", key}.add(offset).add(value ? "1" : "0"));
  }
  // GETBIT: bit `offset` of the value; false past its end or for a missing key.
  Result<bool> get_bit(std::string_view key, int64_t offset) {
    return run<bool>(&detail::integer_as_bool, detail::Args{"GETBIT", key}.add(offset));
  }
  // BITCOUNT: how many bits of the value are set.
  Result<int64_t> bit_count(std::string_view key) {
    return run<int64_t>(&detail::integer, {"BITCOUNT", key});
  }
  // BITCOUNT start end: the set bits between two byte offsets (bit offsets with `bits`),
  // inclusive; negative offsets count from the end.
  Result<int64_t> bit_count(std::string_view key, int64_t start, int64_t end, bool bits = false) {
    return run<int64_t>(&detail::integer, detail::Args{"BITCOUNT", key}.add(start).add(end).add(
                                              bits ? "BIT" : "BYTE"));
  }
  // PFADD: adds elements to the HyperLogLog at `key` (creating it); true if its estimate may
  // have changed.
  Result<bool> pfadd(std::string_view key, Keys elements) {
    return pfadd(key, std::span<const std::string_view>(elements.begin(), elements.size()));
  }
  // PFADD with the elements in a span.
  Result<bool> pfadd(std::string_view key, std::span<const std::string_view> elements) {
    detail::Args a{"PFADD", key};
    a.add_all(elements);
    return run<bool>(&detail::integer_as_bool, a);
  }
  // PFCOUNT: the estimated number of distinct elements added to the HyperLogLogs at `keys`
  // (of their union for several keys).
  Result<int64_t> pfcount(Keys keys) {
    detail::Args a{"PFCOUNT"};
    a.add_all(keys);
    return run<int64_t>(&detail::integer, a);
  }
  // PFMERGE: makes `destination` the union of itself and the `sources`.
  Result<void> pfmerge(std::string_view destination, Keys sources) {
    detail::Args a{"PFMERGE", destination};
    a.add_all(sources);
    return run<void>(&detail::expect_ok, a);
  }

  // ---- Keys and expiry ------------------------------------------------------------------------

  // DEL of one key: true if it existed.
  Result<bool> remove(std::string_view key) {
    return run<bool>(&detail::integer_as_bool, {"DEL", key});
  }
  // DEL of several keys: how many existed.
  Result<int64_t> remove(Keys keys) {
    return run<int64_t>(&detail::integer, detail::Args{"DEL"}.add_all(keys));
  }
  // DEL with the keys in a span.
  Result<int64_t> remove(std::span<const std::string_view> keys) {
    return run<int64_t>(&detail::integer, detail::Args{"DEL"}.add_all(keys));
  }
  // UNLINK: deletes keys like DEL (the memory is reclaimed the same way); how many existed.
  Result<int64_t> unlink(Keys keys) {
    return run<int64_t>(&detail::integer, detail::Args{"UNLINK"}.add_all(keys));
  }
  // TOUCH: how many of `keys` exist (it counts as an access, like a read).
  Result<int64_t> touch(Keys keys) {
    return run<int64_t>(&detail::integer, detail::Args{"TOUCH"}.add_all(keys));
  }
  // COPY: copies the value (and TTL) of `source` to `destination`, in database `db` if given;
  // true if copied, false if `destination` exists and `replace` is false.
  Result<bool> copy(std::string_view source, std::string_view destination, bool replace = false,
                    std::optional<int> db = std::nullopt) {
    detail::Args a{"COPY", source, destination};
    if (db) a.add("DB").add(static_cast<int64_t>(*db));
    if (replace) a.add("REPLACE");
    return run<bool>(&detail::integer_as_bool, a);
  }
  // RANDOMKEY: a random key of the selected database, nullopt if it is empty.
  Result<std::optional<std::string>> random_key() {
    return run<std::optional<std::string>>(&detail::optional_string, {"RANDOMKEY"});
  }
  // EXISTS of one key.
  Result<bool> exists(std::string_view key) {
    return run<bool>(&detail::integer_as_bool, {"EXISTS", key});
  }
  // EXISTS of several keys: how many exist (a key named twice counts twice).
  Result<int64_t> exists(Keys keys) {
    return run<int64_t>(&detail::integer, detail::Args{"EXISTS"}.add_all(keys));
  }
  // EXPIRE / PEXPIRE: sets a TTL (sent in seconds when whole, else in milliseconds). True if set;
  // false if the key does not exist or the condition was not met. A TTL <= 0 deletes the key.
  Result<bool> expire(std::string_view key, Ms ttl,
                      ExpireCondition condition = ExpireCondition::Always) {
    const bool whole = ttl.count() % 1000 == 0;
    detail::Args a{whole ? "EXPIRE" : "PEXPIRE", key};
    a.add(whole ? ttl.count() / 1000 : ttl.count());
    add_expire_condition(a, condition);
    return run<bool>(&detail::integer_as_bool, a);
  }
  // PEXPIREAT: expires the key at a point in time (wall clock). True if set.
  Result<bool> expire_at(std::string_view key, std::chrono::system_clock::time_point when,
                         ExpireCondition condition = ExpireCondition::Always) {
    const auto ms = std::chrono::duration_cast<Ms>(when.time_since_epoch()).count();
    detail::Args a{"PEXPIREAT", key};
    a.add(static_cast<int64_t>(ms));
    add_expire_condition(a, condition);
    return run<bool>(&detail::integer_as_bool, a);
  }
  // PTTL: the remaining time to live; kNoExpiry (-1 ms) if the key has no TTL, kNoKey (-2 ms) if
  // it does not exist.
  Result<Ms> ttl(std::string_view key) { return run<Ms>(&detail::milliseconds, {"PTTL", key}); }
  // PEXPIRETIME: when the key expires, in milliseconds since the Unix epoch; kNoExpiry (-1 ms)
  // if it has no TTL, kNoKey (-2 ms) if it does not exist.
  Result<Ms> expire_time(std::string_view key) {
    return run<Ms>(&detail::milliseconds, {"PEXPIRETIME", key});
  }
  // PERSIST: removes the TTL; true if there was one.
  Result<bool> persist(std::string_view key) {
    return run<bool>(&detail::integer_as_bool, {"PERSIST", key});
  }
  // TYPE: "string", "list", ... or "none" for a missing key.
  Result<std::string> type(std::string_view key) {
    return run<std::string>(&detail::string_value, {"TYPE", key});
  }
  // RENAME: renames `key` to `new_key`, replacing it if it exists. ERR no such key if missing.
  Result<void> rename(std::string_view key, std::string_view new_key) {
    return run<void>(&detail::expect_ok, {"RENAME", key, new_key});
  }
  // RENAMENX: renames only if `new_key` does not exist; true if renamed.
  Result<bool> rename_if_missing(std::string_view key, std::string_view new_key) {
    return run<bool>(&detail::integer_as_bool, {"RENAMENX", key, new_key});
  }
  // KEYS: every key matching a glob pattern. Blocks the server while it walks the whole
  // keyspace: prefer Client::scan on a large database.
  Result<std::vector<std::string>> keys(std::string_view pattern = "*") {
    return run<std::vector<std::string>>(&detail::string_list, {"KEYS", pattern});
  }
  // DBSIZE: the number of keys in the selected database.
  Result<int64_t> dbsize() { return run<int64_t>(&detail::integer, {"DBSIZE"}); }
  // FLUSHDB: deletes every key of the selected database.
  Result<void> flushdb() { return run<void>(&detail::expect_ok, {"FLUSHDB"}); }

  // ---- Hashes ---------------------------------------------------------------------------------

  // HSET: sets fields of the hash at `key` (creating it); how many fields were new.
  Result<int64_t> hset(std::string_view key,
                       std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
    detail::Args a{"HSET", key};
    for (const auto& [f, v] : pairs) a.add(f).add(v);
    return run<int64_t>(&detail::integer, a);
  }
  // HSETNX: sets the field only if it is absent; true if it was set.
  Result<bool> hset_if_absent(std::string_view key, std::string_view field,
                              std::string_view value) {
    return run<bool>(&detail::integer_as_bool, {"HSETNX", key, field, value});
  }
  // HGET: the field's value, nullopt if the key or the field does not exist.
  Result<std::optional<std::string>> hget(std::string_view key, std::string_view field) {
    return run<std::optional<std::string>>(&detail::optional_string, {"HGET", key, field});
  }
  // HMGET: each field's value in order, nullopt where absent.
  Result<std::vector<std::optional<std::string>>> hmget(std::string_view key, Keys fields) {
    return run<std::vector<std::optional<std::string>>>(&detail::optional_strings,
                                                        detail::Args{"HMGET", key}.add_all(fields));
  }
  // HGETALL: every field and value (in the server's order), empty if the key does not exist.
  Result<std::vector<std::pair<std::string, std::string>>> hgetall(std::string_view key) {
    return run<std::vector<std::pair<std::string, std::string>>>(&detail::field_values,
                                                                 {"HGETALL", key});
  }
  // HKEYS / HVALS: the fields, or the values.
  Result<std::vector<std::string>> hkeys(std::string_view key) {
    return run<std::vector<std::string>>(&detail::string_list, {"HKEYS", key});
  }
  Result<std::vector<std::string>> hvals(std::string_view key) {
    return run<std::vector<std::string>>(&detail::string_list, {"HVALS", key});
  }
  // HDEL: removes fields (the key goes with its last field); how many existed.
  Result<int64_t> hdel(std::string_view key, Keys fields) {
    return run<int64_t>(&detail::integer, detail::Args{"HDEL", key}.add_all(fields));
  }
  // HLEN: the number of fields, 0 if the key does not exist.
  Result<int64_t> hlen(std::string_view key) {
    return run<int64_t>(&detail::integer, {"HLEN", key});
  }
  // HEXISTS: whether the field exists.
  Result<bool> hexists(std::string_view key, std::string_view field) {
    return run<bool>(&detail::integer_as_bool, {"HEXISTS", key, field});
  }
  // HINCRBY: adds `by` to the field's integer value (0 if absent); the new value.
  Result<int64_t> hincrby(std::string_view key, std::string_view field, int64_t by = 1) {
    return run<int64_t>(&detail::integer, detail::Args{"HINCRBY", key, field}.add(by));
  }
  // HINCRBYFLOAT: adds a floating point increment to the field; the new value.
  Result<double> hincrby_float(std::string_view key, std::string_view field, double by) {
    return run<double>(&detail::number, detail::Args{"HINCRBYFLOAT", key, field}.add_double(by));
  }

  // ---- Sets -----------------------------------------------------------------------------------

  // SADD: adds members to the set at `key` (creating it); how many were new.
  Result<int64_t> sadd(std::string_view key, Keys members) {
    return sadd(key, std::span<const std::string_view>(members.begin(), members.size()));
  }
  // SADD with the members in a span.
  Result<int64_t> sadd(std::string_view key, std::span<const std::string_view> members) {
    return run<int64_t>(&detail::integer, detail::Args{"SADD", key}.add_all(members));
  }
  // SREM: removes members (the key goes with its last member); how many were there.
  Result<int64_t> srem(std::string_view key, Keys members) {
    return run<int64_t>(&detail::integer, detail::Args{"SREM", key}.add_all(members));
  }
  // SMEMBERS: every member, in the server's order; empty if the key does not exist.
  Result<std::vector<std::string>> smembers(std::string_view key) {
    return run<std::vector<std::string>>(&detail::string_list, {"SMEMBERS", key});
  }
  // SISMEMBER: whether `member` is in the set.
  Result<bool> sismember(std::string_view key, std::string_view member) {
    return run<bool>(&detail::integer_as_bool, {"SISMEMBER", key, member});
  }
  // SMISMEMBER: for each of `members` in order, whether it is in the set.
  Result<std::vector<bool>> smismember(std::string_view key, Keys members) {
    return run<std::vector<bool>>(&detail::bools, detail::Args{"SMISMEMBER", key}.add_all(members));
  }
  // SCARD: the number of members, 0 if the key does not exist.
  Result<int64_t> scard(std::string_view key) {
    return run<int64_t>(&detail::integer, {"SCARD", key});
  }
  // SPOP: removes and returns a random member, nullopt if the set is empty or missing.
  Result<std::optional<std::string>> spop(std::string_view key) {
    return run<std::optional<std::string>>(&detail::optional_string, {"SPOP", key});
  }
  // SPOP count: removes and returns up to `count` distinct random members.
  Result<std::vector<std::string>> spop(std::string_view key, size_t count) {
    return run<std::vector<std::string>>(
        &detail::string_list, detail::Args{"SPOP", key}.add(static_cast<int64_t>(count)));
  }
  // SRANDMEMBER: a random member (not removed), nullopt if the set is empty or missing.
  Result<std::optional<std::string>> srandmember(std::string_view key) {
    return run<std::optional<std::string>>(&detail::optional_string, {"SRANDMEMBER", key});
  }
  // SRANDMEMBER count: up to `count` distinct random members with count > 0; exactly -count
  // members, possibly repeated, with count < 0.
  Result<std::vector<std::string>> srandmember(std::string_view key, int64_t count) {
    return run<std::vector<std::string>>(&detail::string_list,
                                         detail::Args{"SRANDMEMBER", key}.add(count));
  }

  // ---- Sorted sets ----------------------------------------------------------------------------

  // ZADD: adds members with their scores, or updates the scores of existing ones; how many were
  // new (with options.changed: how many were added or had their score changed).
  Result<int64_t> zadd(std::string_view key,
                       std::initializer_list<std::pair<std::string_view, double>> members,
                       const ZAddOptions& options = {}) {
    return zadd(
        key, std::span<const std::pair<std::string_view, double>>(members.begin(), members.size()),
        options);
  }
  // ZADD with the (member, score) pairs in a span.
  Result<int64_t> zadd(std::string_view key,
                       std::span<const std::pair<std::string_view, double>> members,
                       const ZAddOptions& options = {}) {
    detail::Args a{"ZADD", key};
    detail::add_zadd_options(a, options);
    for (const auto& [m, score] : members) a.add_double(score).add(m);
    return run<int64_t>(&detail::integer, a);
  }
  // ZREM: removes members (the key goes with its last member); how many were there.
  Result<int64_t> zrem(std::string_view key, Keys members) {
    return run<int64_t>(&detail::integer, detail::Args{"ZREM", key}.add_all(members));
  }
  // ZSCORE: the member's score, nullopt if the key or the member does not exist.
  Result<std::optional<double>> zscore(std::string_view key, std::string_view member) {
    return run<std::optional<double>>(&detail::optional_number, {"ZSCORE", key, member});
  }
  // ZMSCORE: each member's score in order, nullopt where absent.
  Result<std::vector<std::optional<double>>> zmscore(std::string_view key, Keys members) {
    return run<std::vector<std::optional<double>>>(&detail::optional_numbers,
                                                   detail::Args{"ZMSCORE", key}.add_all(members));
  }
  // ZINCRBY: adds `by` to the member's score (adding the member with score `by` if absent); the
  // new score.
  Result<double> zincrby(std::string_view key, std::string_view member, double by) {
    return run<double>(&detail::number, detail::Args{"ZINCRBY", key}.add_double(by).add(member));
  }
  // ZCARD: the number of members, 0 if the key does not exist.
  Result<int64_t> zcard(std::string_view key) {
    return run<int64_t>(&detail::integer, {"ZCARD", key});
  }
  // ZRANK / ZREVRANK: the member's 0-based position by ascending (descending) score, nullopt if
  // it is not in the set.
  Result<std::optional<int64_t>> zrank(std::string_view key, std::string_view member) {
    return run<std::optional<int64_t>>(&detail::optional_integer, {"ZRANK", key, member});
  }
  Result<std::optional<int64_t>> zrevrank(std::string_view key, std::string_view member) {
    return run<std::optional<int64_t>>(&detail::optional_integer, {"ZREVRANK", key, member});
  }
  // ZRANGE: the members from rank start to stop inclusive (negative: from the end), by ascending
  // score, or descending with `reverse`; by default all of them.
  Result<std::vector<std::string>> zrange(std::string_view key, int64_t start = 0,
                                          int64_t stop = -1, bool reverse = false) {
    detail::Args a{"ZRANGE", key};
    a.add(start).add(stop);
    if (reverse) a.add("REV");
    return run<std::vector<std::string>>(&detail::string_list, a);
  }
  // ZRANGE ... WITHSCORES: the same with each member's score.
  Result<std::vector<ScoredMember>> zrange_with_scores(std::string_view key, int64_t start = 0,
                                                       int64_t stop = -1, bool reverse = false) {
    detail::Args a{"ZRANGE", key};
    a.add(start).add(stop);
    if (reverse) a.add("REV");
    a.add("WITHSCORES");
    return run<std::vector<ScoredMember>>(&detail::scored_members, a);
  }
  // ZRANGE ... BYSCORE (ZRANGEBYSCORE): the members with min <= score <= max, by ascending score.
  // Bounds are Redis's: "1.5", "(1.5" (exclusive), "-inf", "+inf".
  Result<std::vector<std::string>> zrangebyscore(std::string_view key, std::string_view min,
                                                 std::string_view max) {
    return run<std::vector<std::string>>(&detail::string_list,
                                         {"ZRANGE", key, min, max, "BYSCORE"});
  }
  // Same with inclusive numeric bounds.
  Result<std::vector<std::string>> zrangebyscore(std::string_view key, double min, double max) {
    return run<std::vector<std::string>>(
        &detail::string_list,
        detail::Args{"ZRANGE", key}.add_double(min).add_double(max).add("BYSCORE"));
  }
  // Same with each member's score.
  Result<std::vector<ScoredMember>> zrangebyscore_with_scores(std::string_view key,
                                                              std::string_view min,
                                                              std::string_view max) {
    return run<std::vector<ScoredMember>>(&detail::scored_members,
                                          {"ZRANGE", key, min, max, "BYSCORE", "WITHSCORES"});
  }
  // ZPOPMIN / ZPOPMAX: removes and returns the member with the lowest (highest) score, nullopt
  // if the set is empty or missing.
  Result<std::optional<ScoredMember>> zpopmin(std::string_view key) {
    return run<std::optional<ScoredMember>>(&detail::optional_scored_member, {"ZPOPMIN", key});
  }
  Result<std::optional<ScoredMember>> zpopmax(std::string_view key) {
    return run<std::optional<ScoredMember>>(&detail::optional_scored_member, {"ZPOPMAX", key});
  }
  // ZPOPMIN / ZPOPMAX count: up to `count` of them, lowest (highest) first.
  Result<std::vector<ScoredMember>> zpopmin(std::string_view key, size_t count) {
    return run<std::vector<ScoredMember>>(
        &detail::scored_members, detail::Args{"ZPOPMIN", key}.add(static_cast<int64_t>(count)));
  }
  Result<std::vector<ScoredMember>> zpopmax(std::string_view key, size_t count) {
    return run<std::vector<ScoredMember>>(
        &detail::scored_members, detail::Args{"ZPOPMAX", key}.add(static_cast<int64_t>(count)));
  }

  // ---- Lists ----------------------------------------------------------------------------------

  // RPUSH (End::Tail) or LPUSH (End::Head) of one or more values; the new length. With LPUSH the
  // values are pushed one after the other, so {"a", "b"} leaves "b" at the head.
  Result<int64_t> push(std::string_view key, std::initializer_list<std::string_view> values,
                       End end = End::Tail) {
    return push(key, std::span<const std::string_view>(values.begin(), values.size()), end);
  }
  // Push of values in a span.
  Result<int64_t> push(std::string_view key, std::span<const std::string_view> values,
                       End end = End::Tail) {
    return run<int64_t>(&detail::integer,
                        detail::Args{end == End::Head ? "LPUSH" : "RPUSH", key}.add_all(values));
  }
  // Push of one value.
  Result<int64_t> push(std::string_view key, std::string_view value, End end = End::Tail) {
    return run<int64_t>(&detail::integer, {end == End::Head ? "LPUSH" : "RPUSH", key, value});
  }
  // RPUSHX / LPUSHX: pushes only if the list exists; the new length (0: nothing was pushed).
  Result<int64_t> push_existing(std::string_view key,
                                std::initializer_list<std::string_view> values,
                                End end = End::Tail) {
    return run<int64_t>(&detail::integer,
                        detail::Args{end == End::Head ? "LPUSHX" : "RPUSHX", key}.add_all(values));
  }
  // LPOP / RPOP of one element; nullopt if the list is empty or missing.
  Result<std::optional<std::string>> pop(std::string_view key, End end = End::Head) {
    return run<std::optional<std::string>>(&detail::optional_string,
                                           {end == End::Head ? "LPOP" : "RPOP", key});
  }
  // LPOP / RPOP with a count: up to `count` elements, empty if the list is missing.
  Result<std::vector<std::string>> pop(std::string_view key, End end, size_t count) {
    return run<std::vector<std::string>>(
        &detail::pop_many,
        detail::Args{end == End::Head ? "LPOP" : "RPOP", key}.add(static_cast<int64_t>(count)));
  }
  // BLPOP / BRPOP on one list: waits up to `timeout` (zero: forever) for an element; nullopt on
  // timeout. The command timeout is extended by `timeout` for this request.
  Result<std::optional<std::string>> pop_blocking(std::string_view key, Ms timeout,
                                                  End end = End::Head) {
    const std::string t = detail::timeout_seconds(timeout);
    return run<std::optional<std::string>>(
        &detail::first_or_nil, {end == End::Head ? "BLPOP" : "BRPOP", key, t}, budget(timeout));
  }
  // BLPOP / BRPOP on several lists: the first element available and the key it came from.
  Result<std::optional<KeyValue>> pop_blocking(Keys keys, Ms timeout, End end = End::Head) {
    const std::string t = detail::timeout_seconds(timeout);
    detail::Args a{end == End::Head ? "BLPOP" : "BRPOP"};
    a.add_all(keys).add(t);
    return run<std::optional<KeyValue>>(&detail::key_value, a, budget(timeout));
  }
  // LMPOP: up to `count` elements from the first of `keys` that is a non-empty list, and its name;
  // nullopt if they are all empty.
  Result<std::optional<KeyValues>> pop_first(Keys keys, End end = End::Head, size_t count = 1) {
    detail::Args a{"LMPOP"};
    a.add(static_cast<int64_t>(keys.size())).add_all(keys);
    a.add(end_name(end)).add("COUNT").add(static_cast<int64_t>(count));
    return run<std::optional<KeyValues>>(&detail::key_values, a);
  }
  // BLMPOP: LMPOP that waits up to `timeout` (zero: forever) for one of the lists to have
  // elements; nullopt on timeout.
  Result<std::optional<KeyValues>> pop_first_blocking(Keys keys, Ms timeout, End end = End::Head,
                                                      size_t count = 1) {
    const std::string t = detail::timeout_seconds(timeout);
    detail::Args a{"BLMPOP"};
    a.add(t).add(static_cast<int64_t>(keys.size())).add_all(keys);
    a.add(end_name(end)).add("COUNT").add(static_cast<int64_t>(count));
    return run<std::optional<KeyValues>>(&detail::key_values, a, budget(timeout));
  }
  // LRANGE: elements from index start to stop inclusive (negative: from the end); by default the
  // whole list.
  Result<std::vector<std::string>> range(std::string_view key, int64_t start = 0,
                                         int64_t stop = -1) {
    return run<std::vector<std::string>>(&detail::string_list,
                                         detail::Args{"LRANGE", key}.add(start).add(stop));
  }
  // LLEN: the length of the list, 0 if missing.
  Result<int64_t> len(std::string_view key) {
    return run<int64_t>(&detail::integer, {"LLEN", key});
  }
  // LINDEX: the element at `index` (negative: from the end), nullopt if out of range.
  Result<std::optional<std::string>> index(std::string_view key, int64_t index) {
    return run<std::optional<std::string>>(&detail::optional_string,
                                           detail::Args{"LINDEX", key}.add(index));
  }
  // LSET: replaces the element at `index`. ERR index out of range / ERR no such key.
  Result<void> set_at(std::string_view key, int64_t index, std::string_view value) {
    return run<void>(&detail::expect_ok, detail::Args{"LSET", key}.add(index).add(value));
  }
  // LINSERT: inserts `value` before or after the first element equal to `pivot`; the new length,
  // -1 if the pivot was not found, 0 if the list does not exist.
  Result<int64_t> insert(std::string_view key, Where where, std::string_view pivot,
                         std::string_view value) {
    return run<int64_t>(
        &detail::integer,
        {"LINSERT", key, where == Where::Before ? "BEFORE" : "AFTER", pivot, value});
  }
  // LTRIM: keeps only the elements from start to stop inclusive.
  Result<void> trim(std::string_view key, int64_t start, int64_t stop) {
    return run<void>(&detail::expect_ok, detail::Args{"LTRIM", key}.add(start).add(stop));
  }
  // LREM: removes elements equal to `value`: the first `count` from the head (count > 0), from the
  // tail (count < 0) or all (0). How many were removed.
  Result<int64_t> remove_element(std::string_view key, std::string_view value, int64_t count = 0) {
    return run<int64_t>(&detail::integer, detail::Args{"LREM", key}.add(count).add(value));
  }
  // LPOS: the index of the first element equal to `value`, nullopt if none.
  Result<std::optional<int64_t>> position(std::string_view key, std::string_view value) {
    return run<std::optional<int64_t>>(&detail::optional_integer, {"LPOS", key, value});
  }
  // LMOVE: pops from one end of `source` and pushes to one end of `destination`, atomically; the
  // element moved, nullopt if `source` is empty.
  Result<std::optional<std::string>> move(std::string_view source, std::string_view destination,
                                          End from = End::Head, End to = End::Tail) {
    return run<std::optional<std::string>>(
        &detail::optional_string, {"LMOVE", source, destination, end_name(from), end_name(to)});
  }
  // BLMOVE: LMOVE that waits up to `timeout` (zero: forever) for `source` to have an element.
  Result<std::optional<std::string>> move_blocking(std::string_view source,
                                                   std::string_view destination, Ms timeout,
                                                   End from = End::Head, End to = End::Tail) {
    const std::string t = detail::timeout_seconds(timeout);
    return run<std::optional<std::string>>(
        &detail::optional_string, {"BLMOVE", source, destination, end_name(from), end_name(to), t},
        budget(timeout));
  }

 protected:
  ~Commands() = default;

 private:
  template <class T>
  Result<T> run(detail::Decoder<T> decode, const detail::Args& args, Ms blocking = Ms::zero()) {
    return static_cast<Derived&>(*this).template dispatch<T>(decode, args, blocking);
  }
  // The time a blocking command may legitimately wait, added to the command timeout; a zero
  // timeout waits forever (Ms::max()).
  static Ms budget(Ms timeout) { return timeout <= Ms::zero() ? Ms::max() : timeout; }
  static std::string_view end_name(End end) { return end == End::Head ? "LEFT" : "RIGHT"; }
  static void add_expire_condition(detail::Args& a, ExpireCondition c) {
    switch (c) {
      case ExpireCondition::Always:
        break;
      case ExpireCondition::IfNoTtl:
        a.add("NX");
        break;
      case ExpireCondition::IfHasTtl:
        a.add("XX");
        break;
      case ExpireCondition::IfGreater:
        a.add("GT");
        break;
      case ExpireCondition::IfLess:
        a.add("LT");
        break;
    }
  }
};

}  // namespace basalt
