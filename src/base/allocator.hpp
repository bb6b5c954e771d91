#pragma once
// The one place that knows which malloc the process runs on. Release builds link jemalloc (what
// Redis ships with): it returns freed pages to the system in the background, where glibc keeps
// a fragmented heap for good, and it reports exactly what is allocated. Sanitizer builds keep
// the sanitizer's allocator, and everything here still answers.

#include <cstdint>
#include <string_view>

namespace basalt {

// "jemalloc-5.3.0" or "libc": INFO's mem_allocator.
std::string_view allocator_name();

// Bytes the application holds allocated (INFO's used_memory); 0 when the allocator cannot tell.
uint64_t allocated_bytes();

// Server start: have the allocator give freed pages back by itself (jemalloc's background
// thread), as Redis's jemalloc-bg-thread does.
void enable_background_release();

// Returns every free page to the system now (after FLUSHALL and MEMORY PURGE).
void release_free_memory();

}  // namespace basalt
