#pragma once
// The one place that knows which malloc the process runs on. Release builds link jemalloc (what
// Redis ships with): it returns freed pages to the system in the background, where glibc keeps
// a fragmented heap for good, and it reports exactly what is allocated. Sanitizer builds keep
// the sanitizer's allocator, and everything here still answers.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace basalt {

// "jemalloc-5.3.0" or "libc": INFO's mem_allocator.
std::string_view allocator_name();

// Bytes the application holds allocated (INFO's used_memory); 0 when the allocator cannot tell.
// Flushes the calling thread's cache of freed blocks first, so that they do not count.
uint64_t allocated_bytes();

// The figures from one refresh of the allocator's statistics. `active`: bytes in the pages the
// allocator has handed out, i.e. the allocated bytes plus the unused parts of partly used pages
// (jemalloc's stats.active), which is what the data really costs in RAM apart from freed pages
// not yet returned; equal to `allocated` where the allocator cannot tell. `exact` flushes the
// calling thread's cache of freed blocks first, as allocated_bytes() does (INFO, MEMORY, and the
// eviction meter's readings in the cron).
struct AllocatorBytes {
  uint64_t allocated = 0;
  uint64_t active = 0;
  uint64_t resident = 0;  // pages the allocator has touched and not returned (stats.resident)
};
AllocatorBytes allocator_bytes(bool exact = false);

// The calling thread's running totals of bytes it allocated and freed (jemalloc's
// thread.allocatedp / thread.deallocatedp: reading them is two loads, no lock). Zeros where the
// allocator keeps no such counts (sanitizer builds).
struct ThreadAllocation {
  uint64_t allocated = 0;
  uint64_t deallocated = 0;
};
ThreadAllocation thread_allocation();

// Server start: have the allocator give freed pages back by itself (jemalloc's background
// thread), as Redis's jemalloc-bg-thread does.
void enable_background_release();

// Whether the kernel may back the process's memory with transparent huge pages from now on
// (prctl(PR_SET_THP_DISABLE), process-wide; allocator.cpp says when Basalt wants them). Returns
// false with errno set when the kernel refuses.
bool allow_huge_pages(bool allow);

// Cache mode (maxmemory): freed pages go back to the system within about 100 ms instead of
// jemalloc's default 10 s, so that memory freed by eviction stops counting in the RSS while
// writes keep coming. false restores the defaults. A no-op without jemalloc.
void set_prompt_release(bool prompt);

// Returns every free page to the system now (after FLUSHALL and MEMORY PURGE).
void release_free_memory();

// The allocator's own statistics report (jemalloc's malloc_stats_print, MEMORY MALLOC-STATS);
// empty where the allocator has none.
std::string allocator_stats_report();

// DEBUG MALLCTL and MALLCTL-STR: whether the allocator has named controls (jemalloc's mallctl).
bool allocator_has_controls();
// Reads a control as an integer (8, 4, 2 or 1 bytes wide, the first width it accepts) and, with
// `value`, writes it; a write-only control is just written. `error` is an errno value (ENOENT: no
// such control); `wrote_only` when nothing was read.
struct ControlInt {
  int error = 0;
  int64_t old = 0;
  bool wrote_only = false;
};
ControlInt allocator_control_int(const std::string& name, const int64_t* value);
// The same for a string control; `value` "VOID" writes nothing but triggers the control
// (thread.tcache.flush). `read_error`/`write_error` are errno values.
struct ControlString {
  int read_error = 0;
  int write_error = 0;
  std::string old;
};
ControlString allocator_control_string(const std::string& name, const std::string* value);

// The bytes malloc(n) really takes: jemalloc's size class (nallocx); n itself where the allocator
// does not say (sanitizer builds), which makes callers' choices between layouts conservative.
size_t allocation_size(size_t n);

}  // namespace basalt
