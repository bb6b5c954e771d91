#include "commands/diagnostics.hpp"

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cstdio>

#include "base/allocator.hpp"
#include "base/strings.hpp"

namespace basalt {

namespace {

// What the doctor may advise, in the order the report lists it.
enum Advice : unsigned {
  kSlowlogEnable = 1u << 0,
  kSlowlogTune = 1u << 1,
  kSlowlogInspect = 1u << 2,
  kScheduler = 1u << 3,
  kLocalDisk = 1u << 4,
  kSsd = 1u << 5,
  kDataWriteback = 1u << 6,
  kDiskContention = 1u << 7,
  kNoAppendfsync = 1u << 8,
  kRelaxFsync = 1u << 9,
  kWriteLoad = 1u << 10,
  kHz = 1u << 11,
  kLargeObjects = 1u << 12,
  kMassEviction = 1u << 13,
};

// Which advice each event brings (Redis's createLatencyReport; "command" is decided from the
// slow log's settings, below).
struct EventAdvice {
  std::string_view event;
  unsigned advice;
};
constexpr EventAdvice kEventAdvice[] = {
    {"fast-command", kScheduler},
    {"aof-write-pending-fsync", kLocalDisk | kDiskContention | kSsd | kDataWriteback},
    {"aof-write-active-child", kNoAppendfsync | kDataWriteback | kSsd},
    {"aof-write-alone", kLocalDisk | kDataWriteback | kSsd},
    {"aof-fsync-always", kRelaxFsync},
    {"aof-fstat", kDiskContention | kLocalDisk},
    {"rdb-unlink-temp-file", kDiskContention | kLocalDisk},
    {"aof-rewrite-diff-write", kWriteLoad | kDataWriteback | kSsd | kLocalDisk},
    {"aof-rename", kWriteLoad | kDataWriteback | kSsd | kLocalDisk},
    {"expire-cycle", kHz | kLargeObjects},
    {"eviction-del", kLargeObjects},
    {"eviction-cycle", kMassEviction},
};

struct SeriesStats {
  uint32_t samples = 0;
  uint32_t avg = 0;
  uint32_t mad = 0;  // mean absolute deviation from avg
  int64_t period_s = 0;
};

SeriesStats analyze(const LatencySeries& series, int64_t now_s) {
  SeriesStats st;
  uint64_t sum = 0;
  int64_t oldest = 0;
  for (const auto& s : series.samples) {
    if (s.time_s == 0) continue;
    st.samples++;
    sum += s.ms;
    if (oldest == 0 || s.time_s < oldest) oldest = s.time_s;
  }
  if (st.samples == 0) return st;
  st.avg = static_cast<uint32_t>(sum / st.samples);
  st.period_s = std::max<int64_t>(now_s - oldest, 1);
  uint64_t deviations = 0;
  for (const auto& s : series.samples) {
    if (s.time_s == 0) continue;
    const int64_t d = static_cast<int64_t>(st.avg) - static_cast<int64_t>(s.ms);
    deviations += static_cast<uint64_t>(d < 0 ? -d : d);
  }
  st.mad = static_cast<uint32_t>(deviations / st.samples);
  return st;
}

void append_format(std::string& out, const char* format, auto... args) {
  char buf[512];
  const int n = std::snprintf(buf, sizeof(buf), format, args...);
  if (n > 0) out.append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
}

}  // namespace

std::string latency_doctor(const std::map<std::string, LatencySeries>& events,
                           const DoctorSettings& settings, int64_t now_s) {
  std::string report;
  if (events.empty() && settings.latency_monitor_threshold_ms == 0) {
    report =
        "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
        "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order "
        "to enable it. If we weren't in a deep space mission I'd suggest to take a look at "
        "https://redis.io/topics/latency-monitor.\n";
    return report;
  }
  unsigned advice = 0;
  int advices = 0;  // Redis counts advice per event, printed or not: it picks the closing text
  int eventnum = 0;
  for (const auto& [event, series] : events) {
    ++eventnum;
    if (eventnum == 1) {
      report +=
          "Dave, I have observed latency spikes in this Redis instance. You don't mind talking "
          "about it, do you Dave?\n\n";
    }
    const SeriesStats st = analyze(series, now_s);
    append_format(report,
                  "%d. %s: %" PRIu32 " latency spikes (average %" PRIu32
                  "ms, mean deviation %" PRIu32
                  "ms, period %.2f sec). Worst all time event %" PRIu64 "ms.",
                  eventnum, event.c_str(), st.samples, st.avg, st.mad,
                  st.samples ? static_cast<double>(st.period_s) / st.samples : 0.0,
                  static_cast<uint64_t>(series.max_ms));
    if (iequals(event, "command")) {
      if (settings.slowlog_log_slower_than_us < 0) {
        advice |= kSlowlogEnable;
        ++advices;
      } else if (settings.slowlog_log_slower_than_us / 1000 >
                 settings.latency_monitor_threshold_ms) {
        advice |= kSlowlogTune;
        ++advices;
      }
      advice |= kSlowlogInspect | kLargeObjects;
      advices += 2;
    }
    for (const auto& [name, flags] : kEventAdvice) {
      if (iequals(event, name)) {
        advice |= flags;
        advices += std::popcount(flags);
      }
    }
    report += '\n';
  }

  if (eventnum == 0 && advices == 0) {
    report +=
        "Dave, no latency spike was observed during the lifetime of this Redis instance, not in "
        "the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and "
        "think things over.\n";
    return report;
  }
  if (advices == 0) {
    report +=
        "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use "
        "the Redis community to get some help, providing this report in your help request.\n";
    return report;
  }
  report += "\nI have a few advices for you:\n\n";
  const auto threshold_us =
      static_cast<unsigned long long>(settings.latency_monitor_threshold_ms) * 1000;
  if (advice & kSlowlogEnable) {
    append_format(report,
                  "- There are latency issues with potentially slow commands you are using. Try "
                  "to enable the Slow Log Redis feature using the command 'CONFIG SET "
                  "slowlog-log-slower-than %llu'. If the Slow log is disabled Redis is not able "
                  "to log slow commands execution for you.\n",
                  threshold_us);
  }
  if (advice & kSlowlogTune) {
    append_format(report,
                  "- Your current Slow Log configuration only logs events that are slower than "
                  "your configured latency monitor threshold. Please use 'CONFIG SET "
                  "slowlog-log-slower-than %llu'.\n",
                  threshold_us);
  }
  if (advice & kSlowlogInspect) {
    report +=
        "- Check your Slow Log to understand what are the commands you are running which are too "
        "slow to execute. Please check https://redis.io/commands/slowlog for more information.\n";
  }
  if (advice & kScheduler) {
    report +=
        "- The system is slow to execute Redis code paths not containing system calls. This "
        "usually means the system does not provide Redis CPU time to run for long periods. You "
        "should try to:\n"
        "  1) Lower the system load.\n"
        "  2) Use a computer / VM just for Redis if you are running other software in the same "
        "system.\n"
        "  3) Check if you have a \"noisy neighbour\" problem.\n"
        "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in "
        "your system.\n"
        "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if "
        "you are using Jemalloc. However this may create fragmentation problems.\n";
  }
  if (advice & kLocalDisk) {
    report +=
        "- It is strongly advised to use local disks for persistence, especially if you are "
        "using AOF. Remote disks provided by platform-as-a-service providers are known to be "
        "slow.\n";
  }
  if (advice & kSsd) {
    report +=
        "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting "
        "and AOF log rewriting (resulting in smaller memory usage). With extremely high write "
        "load SSD disks can be a good option. However Redis should perform reasonably with high "
        "load using normal disks. Use this advice as a last resort.\n";
  }
  if (advice & kDataWriteback) {
    report +=
        "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost "
        "compared to data=ordered, however this mode of operation provides less guarantees, and "
        "sometimes it can happen that after a hard crash the AOF file will have a half-written "
        "command at the end and will require to be repaired before Redis restarts.\n";
  }
  if (advice & kDiskContention) {
    report +=
        "- Try to lower the disk contention. This is often caused by other disk intensive "
        "processes running in the same computer (including other Redis instances).\n";
  }
  if (advice & kNoAppendfsync) {
    report +=
        "- Assuming from the point of view of data safety this is viable in your environment, "
        "you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not "
        "be performed while there is a child rewriting the AOF file or producing an RDB file "
        "(the moment where there is high disk contention).\n";
  }
  if ((advice & kRelaxFsync) && settings.appendfsync_always) {
    report +=
        "- Your fsync policy is set to 'always'. It is very hard to get good performances with "
        "such a setup, if possible try to relax the fsync policy to 'onesec'.\n";
  }
  if (advice & kWriteLoad) {
    report +=
        "- Latency during the AOF atomic rename operation or when the final difference is "
        "flushed to the AOF file at the end of the rewrite, sometimes is caused by very high "
        "write load, causing the AOF buffer to get very large. If possible try to send less "
        "commands to accomplish the same work, or use Lua scripts to group multiple operations "
        "into a single EVALSHA call.\n";
  }
  if ((advice & kHz) && settings.hz < 100) {
    report +=
        "- In order to make the Redis keys expiring process more incremental, try to set the "
        "'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  }
  if (advice & kLargeObjects) {
    report +=
        "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
        "blocking operation. If you have very large objects that are often deleted, expired, or "
        "evicted, try to fragment those objects into multiple smaller objects.\n";
  }
  if (advice & kMassEviction) {
    report +=
        "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large "
        "objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster "
        "large keys migrations (RESTORE command), may create sudden memory pressure forcing the "
        "server to block trying to evict keys. \n";
  }
  return report;
}

std::string render_sparkline(const std::vector<SparklineSample>& samples, size_t columns,
                             int rows) {
  // Three levels a row; a full column is drawn as '|' below its top character.
  static constexpr std::string_view kLevels = "_o#";
  constexpr int kLevelCount = static_cast<int>(kLevels.size());
  std::string out;
  if (samples.empty() || columns == 0 || rows <= 0) return out;
  double min = samples[0].value, max = samples[0].value;
  bool labels = false;
  for (const auto& s : samples) {
    min = std::min(min, s.value);
    max = std::max(max, s.value);
    labels = labels || !s.label.empty();
  }
  const double range = max - min == 0 ? 1 : max - min;
  const int steps = kLevelCount * rows;
  std::string line;
  for (size_t start = 0; start < samples.size(); start += columns) {
    if (start != 0) out += '\n';
    const size_t len = std::min(columns, samples.size() - start);
    for (int row = 0;; ++row) {
      bool more = false;
      line.assign(len, ' ');
      if (row >= rows && labels && row == rows) {
        more = true;  // the blank line between the graph and its labels
      } else {
        for (size_t j = 0; j < len; ++j) {
          const SparklineSample& s = samples[start + j];
          if (row < rows) {
            // Redis truncates the scaled value before dividing by the range.
            const double scaled = static_cast<double>(static_cast<int>((s.value - min) * steps));
            const int step = std::clamp(static_cast<int>(scaled / range), 0, steps - 1);
            const int level = step - (rows - row - 1) * kLevelCount;
            more = true;
            if (level >= 0 && level < kLevelCount) {
              line[j] = kLevels[static_cast<size_t>(level)];
            } else if (level >= kLevelCount) {
              line[j] = '|';
            }
          } else {
            const size_t at = static_cast<size_t>(row - rows - 1);
            if (s.label.size() > at) {
              more = true;
              line[j] = s.label[at];
            }
          }
        }
      }
      if (!more) break;
      out += line;
      out += '\n';
    }
  }
  return out;
}

std::string latency_graph(std::string_view event, const LatencySeries& series, int64_t now_s) {
  std::vector<SparklineSample> samples;
  uint64_t low = 0, high = 0;
  for (size_t j = 0; j < LatencySeries::kSamples; ++j) {
    const auto& s = series.samples[(series.next + j) % LatencySeries::kSamples];
    if (s.time_s == 0) continue;
    if (samples.empty()) {
      low = high = s.ms;
    } else {
      low = std::min(low, s.ms);
      high = std::max(high, s.ms);
    }
    // The label says how long ago, in the largest unit that keeps it above zero.
    const int64_t ago = now_s - s.time_s;
    char label[32];
    if (ago < 60) {
      std::snprintf(label, sizeof(label), "%" PRId64 "s", ago);
    } else if (ago < 3600) {
      std::snprintf(label, sizeof(label), "%" PRId64 "m", ago / 60);
    } else if (ago < 3600 * 24) {
      std::snprintf(label, sizeof(label), "%" PRId64 "h", ago / 3600);
    } else {
      std::snprintf(label, sizeof(label), "%" PRId64 "d", ago / (3600 * 24));
    }
    samples.push_back({static_cast<double>(s.ms), label});
  }
  std::string out(event);
  append_format(out, " - high %" PRIu64 " ms, low %" PRIu64 " ms (all time high %" PRIu64 " ms)\n",
                high, low, static_cast<uint64_t>(series.max_ms));
  constexpr size_t kColumns = 80;
  out.append(kColumns, '-');
  out += '\n';
  out += render_sparkline(samples, kColumns, 4);
  return out;
}

// Redis's getMemoryDoctorReport, over the figures MEMORY STATS reports (Basalt has no replicas
// and no scripts).
std::string memory_doctor_report(const MemoryFigures& m, size_t clients) {
  constexpr uint64_t kTenMb = 10 << 20;
  if (m.used < (5u << 20)) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector "
           "can't be used in these conditions. Please, leave for your mission on Earth and fill "
           "it with some data. The new Sam and I will be back to our programming as soon as I "
           "finished rebooting.\n";
  }
  // Redis keeps these ratios as floats: the same precision decides at the same thresholds.
  auto over = [](uint64_t a, uint64_t b, float limit) {
    return b != 0 && static_cast<float>(a) / static_cast<float>(b) > limit && a > b &&
           a - b > kTenMb;
  };
  const bool big_peak = static_cast<float>(m.peak) / static_cast<float>(m.used) > 1.5f;
  const bool high_frag = over(m.rss, m.used, 1.4f);
  const bool high_alloc_frag = over(m.allocator_active, m.used, 1.1f);
  const bool high_alloc_rss = over(m.allocator_resident, m.allocator_active, 1.1f);
  const bool high_proc_rss = over(m.rss, m.allocator_resident, 1.1f);
  const bool big_client_buf = clients != 0 && m.clients / clients > 1024 * 200;
  if (!big_peak && !high_frag && !high_alloc_frag && !high_alloc_rss && !high_proc_rss &&
      !big_client_buf) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
           "occurs on this base.\n";
  }
  std::string s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
  if (big_peak) {
    s += " * Peak memory: In the past this instance used more than 150% the memory that is "
         "currently using. The allocator is normally not able to release memory after a peak, so "
         "you can expect to see a big fragmentation ratio, however this is actually harmless and "
         "is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is "
         "currently bigger than expected, the memory will be used as soon as you fill the Redis "
         "instance with more data. If the memory peak was only occasional and you want to try to "
         "reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is "
         "to shutdown and restart the instance.\n\n";
  }
  if (high_frag) {
    s += " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
         "than 1.4 (this means that the Resident Set Size of the Redis process is much larger than "
         "the sum of the logical allocations Redis performed). This problem is usually due either "
         "to a large peak memory (check if there is a peak memory entry above in the report) or "
         "may result from a workload that causes the allocator to fragment memory a lot. If the "
         "problem is a large peak memory, then there is no issue. Otherwise, make sure you are "
         "using the Jemalloc allocator and not the default libc malloc. Note: The currently used "
         "allocator is \"" +
         std::string(allocator_name()) + "\".\n\n";
  }
  if (high_alloc_frag) {
    s += " * High allocator fragmentation: This instance has an allocator external fragmentation "
         "greater than 1.1. This problem is usually due either to a large peak memory (check if "
         "there is a peak memory entry above in the report) or may result from a workload that "
         "causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' "
         "config option.\n\n";
  }
  if (high_alloc_rss) {
    s += " * High allocator RSS overhead: This instance has an RSS memory overhead is greater "
         "than 1.1 (this means that the Resident Set Size of the allocator is much larger than the "
         "sum what the allocator actually holds). This problem is usually due to a large peak "
         "memory (check if there is a peak memory entry above in the report), you can try the "
         "MEMORY PURGE command to reclaim it.\n\n";
  }
  if (high_proc_rss) {
    s += " * High process RSS overhead: This instance has non-allocator RSS memory overhead is "
         "greater than 1.1 (this means that the Resident Set Size of the Redis process is much "
         "larger than the RSS the allocator holds). This problem may be due to Lua scripts or "
         "Modules.\n\n";
  }
  if (big_client_buf) {
    s += " * Big client buffers: The clients output buffers in this instance are greater than "
         "200K per client (on average). This may result from different causes, like Pub/Sub "
         "clients subscribed to channels bot not receiving data fast enough, so that data piles on "
         "the Redis instance output buffer, or clients sending commands with large replies or very "
         "large sequences of commands in the same pipeline. Please use the CLIENT LIST command in "
         "order to investigate the issue if it causes problems in your instance, or to understand "
         "better why certain clients are using a big amount of memory.\n\n";
  }
  s += "I'm here to keep you safe, Sam. I want to help you.\n";
  return s;
}

}  // namespace basalt
