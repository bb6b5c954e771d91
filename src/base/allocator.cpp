#include "base/allocator.hpp"

#include <malloc.h>

#ifdef BASALT_JEMALLOC
#include <jemalloc/jemalloc.h>

#include <string>
#endif

namespace basalt {

#ifdef BASALT_JEMALLOC

std::string_view allocator_name() {
  static const std::string name = [] {
    const char* version = nullptr;
    size_t len = sizeof(version);
    if (mallctl("version", &version, &len, nullptr, 0) != 0 || version == nullptr) {
      return std::string("jemalloc");
    }
    // "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c": Redis shows only the release.
    std::string v(version);
    return "jemalloc-" + v.substr(0, v.find('-'));
  }();
  return name;
}

uint64_t allocated_bytes() {
  // Statistics are cached until the epoch is bumped.
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);
  size_t allocated = 0;
  len = sizeof(allocated);
  if (mallctl("stats.allocated", &allocated, &len, nullptr, 0) != 0) return 0;
  return allocated;
}

void enable_background_release() {
  bool on = true;
  mallctl("background_thread", nullptr, nullptr, &on, sizeof(on));
}

void release_free_memory() {
  // Every arena's dirty and muzzy pages ("4096" is MALLCTL_ARENAS_ALL).
  static_assert(MALLCTL_ARENAS_ALL == 4096);
  mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
}

#else

std::string_view allocator_name() { return "libc"; }

uint64_t allocated_bytes() {
  // Arena chunks in use plus mmap'd large blocks (Redis's used_memory counts both). A
  // sanitizer's allocator reports nothing here.
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

void enable_background_release() {}

void release_free_memory() { malloc_trim(0); }

#endif

}  // namespace basalt
