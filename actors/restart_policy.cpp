#include "actors/restart_policy.hpp"

#include <algorithm>

namespace loong {

int64_t restart_policy::on_failure(int64_t now_ms, int64_t started_ms,
                                   double unit) {
  if (now_ms - started_ms >= opts_.stable_ms)
    attempt_ = 0;
  while (!recent_.empty() && now_ms - recent_.front() > opts_.window_ms)
    recent_.pop_front();
  if (static_cast<int64_t>(recent_.size()) >= opts_.budget)
    return -1;
  recent_.push_back(now_ms);
  ++restarts_;
  // Full jitter over an exponential ceiling: spreads restarts of many
  // accounts that failed together (e.g. after a platform outage).
  auto ceiling = opts_.base_ms << std::min(attempt_, 20);
  ceiling = std::min(ceiling, opts_.cap_ms);
  ++attempt_;
  auto floor = opts_.base_ms / 2;
  return floor + static_cast<int64_t>(unit * static_cast<double>(ceiling - floor));
}

} // namespace loong
