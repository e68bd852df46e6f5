#pragma once

#include <cstdint>
#include <deque>

namespace loong {

/// Settings of a supervisor's restart behaviour.
struct restart_options {
  /// Backoff grows from base to cap (full jitter).
  int64_t base_ms = 200;
  int64_t cap_ms = 30000;
  /// A child that stayed up this long resets the backoff: a crash loop
  /// fails within moments, so a few seconds up is proof enough, and a later
  /// single failure restarts at the base delay. The budget still counts.
  int64_t stable_ms = 5000;
  /// At most `budget` restarts within `window_ms`; beyond that the child is
  /// given up (failed) and retried on the slow schedule only.
  int64_t budget = 5;
  int64_t window_ms = 60000;
  int64_t failed_retry_ms = 300000;
};

/// Jittered exponential backoff with a restart budget per window. A plain
/// class (used by supervisors); time and randomness are parameters.
class restart_policy {
public:
  explicit restart_policy(restart_options opts = {}) : opts_(opts) {}

  /// A child went down at `now_ms` after starting at `started_ms`. Returns
  /// the delay before the restart, or -1 when the budget is spent.
  int64_t on_failure(int64_t now_ms, int64_t started_ms, double unit);

  /// Restarts counted since construction.
  int64_t restarts() const { return restarts_; }

  const restart_options& options() const { return opts_; }

private:
  restart_options opts_;
  std::deque<int64_t> recent_;
  int attempt_ = 0;
  int64_t restarts_ = 0;
};

} // namespace loong
