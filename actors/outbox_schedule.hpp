#pragma once

// Pure helpers of the outbox actor: when to try a failed delivery again and
// which failures are worth another try. No actor, no I/O.

#include <cstdint>

#include <caf/fwd.hpp>

namespace loong {

/// Default time an answer keeps being retried: 24 hours.
constexpr int64_t default_delivery_deadline_ms = 24 * 3600 * 1000;

/// The retry after a failed delivery attempt.
struct delivery_retry {
  /// True when the deadline has passed: the answer is given up.
  bool give_up = false;
  /// Wait this long before the next attempt.
  int64_t delay_ms = 0;
};

/// The base delay after `failed` failed attempts (1 = the first failed):
/// 1 s, 5 s, 30 s, 2 min, 10 min, then every 30 min.
int64_t delivery_backoff_ms(int32_t failed);

/// The retry after `failed` failed attempts of an answer stored at
/// `answered_ms`: the backoff times `scale`, jittered by ±10 % (`unit` in
/// [0, 1)), cut so that the last attempt falls on the deadline; give_up
/// once `now_ms` is at or past `answered_ms + deadline_ms`.
delivery_retry plan_delivery_retry(int32_t failed, int64_t answered_ms,
                                   int64_t now_ms, int64_t deadline_ms,
                                   double unit, double scale = 1.0);

/// True for failures another attempt cannot fix (the platform rejected
/// the reply itself: bad content, a recalled target, no permission).
bool delivery_failure_is_final(const caf::error& err);

} // namespace loong
