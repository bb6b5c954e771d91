#pragma once
// The human-readable reports of Redis 7.0's diagnostics, byte for byte: LATENCY DOCTOR and
// LATENCY GRAPH (its latency.c and sparkline.c) from the latency monitor's series, and MEMORY
// DOCTOR (object.c) from the memory figures. Tools and people paste them into bug reports, so
// the wording and layout are Redis's.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "commands/engine.hpp"

namespace basalt {

// The configuration the doctor's advice depends on.
struct DoctorSettings {
  int64_t latency_monitor_threshold_ms = 0;
  int64_t slowlog_log_slower_than_us = 10000;
  bool appendfsync_always = false;
  int64_t hz = 10;
};

// LATENCY DOCTOR. Basalt never forks, so it has no "fork" event and never gives Redis's advice
// about fork rates or transparent huge pages (their harm is the copy-on-write after fork; Basalt
// uses huge pages on purpose while loading, see allocator.cpp).
std::string latency_doctor(const std::map<std::string, LatencySeries>& events,
                           const DoctorSettings& settings, int64_t now_s);

// LATENCY GRAPH's text for one event: a header, a rule, and the samples as a sparkline labelled
// with how long ago each was taken.
std::string latency_graph(std::string_view event, const LatencySeries& series, int64_t now_s);

// Redis's ASCII sparkline (sparkline.c, with its fill style): `rows` rows of three levels each,
// then each sample's label written downwards below a blank line; a sequence longer than
// `columns` continues below, after an empty line.
struct SparklineSample {
  double value = 0;
  std::string label;
};
std::string render_sparkline(const std::vector<SparklineSample>& samples, size_t columns, int rows);

// MEMORY DOCTOR over the figures MEMORY STATS reports, for `clients` connected clients. Basalt has
// no replicas and no scripts: Redis's advice about their buffers and caches never applies.
std::string memory_doctor_report(const MemoryFigures& m, size_t clients);

}  // namespace basalt
