#include "commands/effect_stream.hpp"

#include <algorithm>

namespace basalt {

namespace {

uint64_t decimal_digits(uint64_t v) {
  uint64_t digits = 1;
  while (v >= 10) {
    v /= 10;
    ++digits;
  }
  return digits;
}

}  // namespace

void EffectStream::add_consumer(EffectConsumer* consumer) { consumers_.push_back(consumer); }

void EffectStream::remove_consumer(EffectConsumer* consumer) {
  consumers_.erase(std::remove(consumers_.begin(), consumers_.end(), consumer), consumers_.end());
}

uint64_t EffectStream::resp_size(std::span<const std::string_view> argv) {
  uint64_t size = 1 + decimal_digits(argv.size()) + 2;
  for (std::string_view arg : argv) size += 1 + decimal_digits(arg.size()) + 2 + arg.size() + 2;
  return size;
}

void EffectStream::emit(int db, std::span<const std::string_view> argv) {
  offset_ += resp_size(argv);
  for (EffectConsumer* consumer : consumers_) consumer->on_effect(offset_, db, argv);
}

void EffectStream::turn_end() {
  for (EffectConsumer* consumer : consumers_) consumer->on_turn_end();
}

}  // namespace basalt
