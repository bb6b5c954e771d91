#pragma once
// What a store operation (an Op function) reports, shared by every family: Op functions work on a
// Database without a client (persistence loading, a future per-core shard call them), return an
// OpStatus or an OpResult<T>, and the command side maps a failure to Redis's text in one place
// (op_status_error, beside the other texts in error_texts.cpp).

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace basalt {

enum class OpStatus : uint8_t {
  kOk,
  kWrongType,      // the key holds another type
  kNotInteger,     // the stored value or an argument is not a 64-bit integer
  kNotFloat,       // ... not a float
  kOverflow,       // an increment or decrement would overflow
  kNanOrInf,       // an increment would produce NaN or infinity
  kStringTooLong,  // a write would grow a string past proto-max-bulk-len
  kOffsetOutOfRange,
  kNoSuchKey,
  kIndexOutOfRange,
  kSyntax,
  kSameObject,           // source and destination are the same (MOVE, COPY)
  kNotHll,               // a string that is not a HyperLogLog (no "HYLL" header, wrong size)
  kHllCorrupt,           // a HyperLogLog whose sparse registers do not add up
  kHashValueNotInteger,  // HINCRBY on a field holding no integer
  kHashValueNotFloat,    // HINCRBYFLOAT on a field holding no float
};

// Redis's reply text for a failure ("WRONGTYPE Operation against ..."); empty for kOk.
std::string_view op_status_error(OpStatus status);

// A value, or the status that stopped the operation (never kOk without a value).
template <typename T>
class OpResult {
 public:
  OpResult(T value) : value_(std::move(value)) {}  // NOLINT: implicit, as a return value
  OpResult(OpStatus status) : status_(status) {}   // NOLINT

  bool ok() const { return status_ == OpStatus::kOk; }
  OpStatus status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  OpStatus status_ = OpStatus::kOk;
  std::optional<T> value_;
};

}  // namespace basalt
