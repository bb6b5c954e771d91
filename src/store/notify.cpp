#include "store/notify.hpp"

#include <utility>

namespace basalt {

uint32_t notify_flags_from(std::string_view classes) {
  static constexpr std::pair<char, uint32_t> kClasses[] = {
      {'A', kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash | kNotifyZset |
                kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule},
      {'g', kNotifyGeneric},
      {'$', kNotifyString},
      {'l', kNotifyList},
      {'s', kNotifySet},
      {'h', kNotifyHash},
      {'z', kNotifyZset},
      {'x', kNotifyExpired},
      {'e', kNotifyEvicted},
      {'t', kNotifyStream},
      {'m', kNotifyKeyMiss},
      {'d', kNotifyModule},
      {'n', kNotifyNew},
      {'K', kNotifyKeyspace},
      {'E', kNotifyKeyevent},
  };
  uint32_t flags = 0;
  for (char c : classes) {
    for (const auto& [ch, bits] : kClasses) {
      if (ch == c) flags |= bits;
    }
  }
  return flags;
}

}  // namespace basalt
