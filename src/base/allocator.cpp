#include "base/allocator.hpp"

#include <malloc.h>
#include <sys/prctl.h>

#include <cerrno>

#ifdef BASALT_JEMALLOC
#include <jemalloc/jemalloc.h>
#include <sys/types.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#endif

#ifdef BASALT_JEMALLOC
// jemalloc reads this at its first allocation (MALLOC_CONF in the environment still overrides
// it): it advises huge pages (MADV_HUGEPAGE) for every mapping it makes. The process then keeps
// them off with prctl(PR_SET_THP_DISABLE) once its configuration is read (main.cpp), except
// while it loads a dataset (persistence.cpp): on 4 KB pages a load takes a page fault every
// 4 KB and a TLB miss on most table reads, and 1,000,000 keys load in 1.0-1.2 s instead of
// 0.33-0.76 s (README, Persistence). Not for good: khugepaged (with its default max_ptes_none)
// would gather pages jemalloc has purged back into whole 2 MB pages, so a cache's RSS would
// creep past maxmemory; once they are off, loaded pages stay huge until jemalloc frees part of
// one, which splits it. Redis keeps them off altogether (disable-thp yes) because after its
// fork every page a write touches is copied whole; Basalt never forks, and disable-thp yes
// keeps its loads on 4 KB pages too. The kernel's transparent_hugepage mode has the last word.
const char* malloc_conf = "thp:always";
#endif

namespace basalt {

bool allow_huge_pages(bool allow) { return prctl(PR_SET_THP_DISABLE, allow ? 0 : 1, 0, 0, 0) == 0; }

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

namespace {

void refresh_stats() {
  // Statistics are cached until the epoch is bumped.
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);
}

std::optional<uint64_t> read_stat(const char* name) {
  size_t value = 0;
  size_t len = sizeof(value);
  if (mallctl(name, &value, &len, nullptr, 0) != 0) return std::nullopt;
  return value;
}

}  // namespace

uint64_t allocated_bytes() { return allocator_bytes(/*exact=*/true).allocated; }

AllocatorBytes allocator_bytes(bool exact) {
  // Blocks this thread freed wait in its cache (up to 32 KB each) and count as allocated until
  // they go back to their arena: a client's 16 KB read buffer, freed when it closed, would still
  // show. Redis counts its own allocations instead; flushing first gives the same figure.
  if (exact) mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
  refresh_stats();
  const uint64_t allocated = read_stat("stats.allocated").value_or(0);
  const uint64_t active = read_stat("stats.active").value_or(allocated);
  return {allocated, active, read_stat("stats.resident").value_or(active)};
}

ThreadAllocation thread_allocation() {
  // The counters' addresses are fixed for a thread's life: asked for once.
  thread_local const uint64_t* allocated = [] {
    uint64_t* p = nullptr;
    size_t len = sizeof(p);
    return mallctl("thread.allocatedp", &p, &len, nullptr, 0) == 0 ? p : nullptr;
  }();
  thread_local const uint64_t* deallocated = [] {
    uint64_t* p = nullptr;
    size_t len = sizeof(p);
    return mallctl("thread.deallocatedp", &p, &len, nullptr, 0) == 0 ? p : nullptr;
  }();
  if (allocated == nullptr || deallocated == nullptr) return {};
  return {*allocated, *deallocated};
}

void enable_background_release() {
  bool on = true;
  mallctl("background_thread", nullptr, nullptr, &on, sizeof(on));
}

void set_prompt_release(bool prompt) {
  // The values the process started with (opt.*: MALLOC_CONF or jemalloc's defaults).
  static const std::pair<ssize_t, ssize_t> defaults = [] {
    ssize_t dirty = 10000, muzzy = 0;
    size_t len = sizeof(ssize_t);
    mallctl("opt.dirty_decay_ms", &dirty, &len, nullptr, 0);
    len = sizeof(ssize_t);
    mallctl("opt.muzzy_decay_ms", &muzzy, &len, nullptr, 0);
    return std::pair{dirty, muzzy};
  }();
  // 100 ms kept the RSS of 1 GB of random-size SETs through a 64 MB cap within 10% of the cap
  // plus the empty server's RSS, where 0 (a madvise per free) cost 4x the time.
  ssize_t dirty = prompt ? std::min<ssize_t>(defaults.first, 100) : defaults.first;
  ssize_t muzzy = prompt ? 0 : defaults.second;
  // New arenas take the arenas.* values; existing ones are set one by one.
  mallctl("arenas.dirty_decay_ms", nullptr, nullptr, &dirty, sizeof(dirty));
  mallctl("arenas.muzzy_decay_ms", nullptr, nullptr, &muzzy, sizeof(muzzy));
  unsigned narenas = 0;
  size_t len = sizeof(narenas);
  if (mallctl("arenas.narenas", &narenas, &len, nullptr, 0) != 0) return;
  for (unsigned i = 0; i < narenas; ++i) {
    const std::string prefix = "arena." + std::to_string(i);
    mallctl((prefix + ".dirty_decay_ms").c_str(), nullptr, nullptr, &dirty, sizeof(dirty));
    mallctl((prefix + ".muzzy_decay_ms").c_str(), nullptr, nullptr, &muzzy, sizeof(muzzy));
  }
}

void release_free_memory() {
  // Every arena's dirty and muzzy pages ("4096" is MALLCTL_ARENAS_ALL).
  static_assert(MALLCTL_ARENAS_ALL == 4096);
  mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
}

size_t allocation_size(size_t n) { return n == 0 ? 0 : nallocx(n, 0); }

bool allocator_has_controls() { return true; }

ControlInt allocator_control_int(const std::string& name, const int64_t* value) {
  ControlInt r;
  // Redis's mallctl_int: the widest size first, narrower on EINVAL (a control of another width).
  int64_t old = 0;
  int64_t val = value != nullptr ? *value : 0;
  for (size_t sz = sizeof(old); sz > 0; sz /= 2) {
    size_t len = sz;
    const int ret = mallctl(name.c_str(), &old, &len, value != nullptr ? &val : nullptr,
                            value != nullptr ? sz : 0);
    if (ret == 0) {
      r.old = old;
      return r;
    }
    if (ret == EPERM && value != nullptr &&
        mallctl(name.c_str(), nullptr, nullptr, &val, sz) == 0) {
      r.wrote_only = true;
      return r;
    }
    if (ret != EINVAL) {
      r.error = ret;
      return r;
    }
  }
  r.error = EINVAL;
  return r;
}

ControlString allocator_control_string(const std::string& name, const std::string* value) {
  ControlString r;
  const char* old = nullptr;
  size_t sz = sizeof(old);
  r.read_error = mallctl(name.c_str(), &old, &sz, nullptr, 0);
  if (r.read_error == 0 && old != nullptr) r.old = old;
  if (value != nullptr) {
    const char* val = value->c_str();
    const bool none = *value == "VOID";
    r.write_error =
        mallctl(name.c_str(), nullptr, nullptr, none ? nullptr : &val, none ? 0 : sizeof(val));
  }
  return r;
}

std::string allocator_stats_report() {
  std::string out;
  malloc_stats_print([](void* text, const char* s) { static_cast<std::string*>(text)->append(s); },
                     &out, nullptr);
  return out;
}

#else

std::string_view allocator_name() { return "libc"; }

uint64_t allocated_bytes() {
  // Arena chunks in use plus mmap'd large blocks (Redis's used_memory counts both). A
  // sanitizer's allocator reports nothing here.
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

AllocatorBytes allocator_bytes(bool) {
  const uint64_t allocated = allocated_bytes();
  return {allocated, allocated, allocated};
}

ThreadAllocation thread_allocation() { return {}; }

void enable_background_release() {}

void set_prompt_release(bool) {}

void release_free_memory() { malloc_trim(0); }

size_t allocation_size(size_t n) { return n; }

std::string allocator_stats_report() { return {}; }

bool allocator_has_controls() { return false; }

ControlInt allocator_control_int(const std::string&, const int64_t*) { return {ENOTSUP, 0, false}; }

ControlString allocator_control_string(const std::string&, const std::string*) {
  return {ENOTSUP, ENOTSUP, {}};
}

#endif

}  // namespace basalt
