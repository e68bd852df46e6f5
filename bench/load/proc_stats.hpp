#pragma once

// What the kernel says a process costs: CPU time and resident memory, read
// from /proc so every target (gateway, Node peer, the driver itself) is
// measured the same way.

#include <cstdint>

namespace loong::bench {

/// One reading of /proc/<pid>/{stat,status}; zeros when the process is gone.
struct proc_sample {
  /// User + system CPU seconds since the process started.
  double cpu_s = 0;
  /// Resident set now and its high-water mark, KiB.
  int64_t rss_kib = 0;
  int64_t peak_rss_kib = 0;
};

/// Reads the sample of `pid` (0 = this process).
proc_sample sample_process(int pid);

} // namespace loong::bench
