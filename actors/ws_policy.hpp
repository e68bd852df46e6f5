#pragma once

// Pure helpers of the ws_connection actor: the reconnect schedule and the
// encoding of its timer ticks. No actor, no I/O: tests drive them directly.

#include <cstdint>
#include <functional>
#include <string>

#include "protocol/feishu_frame.hpp"

namespace loong {

/// The reconnect schedule's knobs (docs/operations.md, "Recovery").
struct reconnect_options {
  /// The first attempt after losing a connection that was up comes after a
  /// uniform delay in [0, first_window_ms): prompt, yet a thousand
  /// accounts dropped at once do not reconnect in the same millisecond.
  int64_t first_window_ms = 1000;
  /// Failed attempts back off with full jitter: a uniform delay in
  /// [floor_ms, min(cap_ms, base_ms * 2^(n-1))] after the n-th failure.
  int64_t base_ms = 1000;
  int64_t cap_ms = 30000;
  int64_t floor_ms = 50;
  /// A connection up this long resets the failure count.
  int64_t stable_ms = 60000;
  /// Credential errors and the connection-limit refusal: the account is
  /// marked failed and retried this often until an operator fixes it.
  int64_t fatal_retry_ms = 300000;
};

/// What to do after a failed connection attempt.
struct ws_retry {
  /// Wait this long before the next attempt.
  int64_t delay_ms = 0;
  /// True when the failure is not retryable (credentials, connection
  /// limit): the slow schedule is in force and the account shows failed.
  bool slow = false;
};

/// The reconnect schedule of one long connection. The platform's
/// ReconnectInterval and ReconnectNonce (120 s and 30 s) are meant for
/// SDK clients that may stay quiet for minutes; a gateway may not, so its
/// own bounded schedule applies: about a second after a loss, then
/// exponential backoff with full jitter capped at 30 s.
class ws_reconnect_policy {
public:
  /// Creates a policy; `random_unit` returns values in [0, 1) (jitter).
  ws_reconnect_policy(reconnect_options opts, std::function<double()> random_unit);

  /// A connection that was up for `up_ms` ended: returns the delay before
  /// the first attempt. Resets the failure count when it was stable.
  int64_t connection_lost(int64_t up_ms);

  /// An attempt (discovery or handshake) failed; `fatal` for credential
  /// errors and the connection-limit refusal.
  ws_retry attempt_failed(bool fatal);

  /// An attempt succeeded: the slow schedule ends (the failure count stays
  /// until the connection proves stable).
  void connected();

  /// Failed attempts since the last stable connection.
  int failures() const { return failures_; }

  /// True while the slow schedule is in force.
  bool slow() const { return slow_; }

  const reconnect_options& options() const { return opts_; }

private:
  int64_t jitter(int64_t lo, int64_t hi);

  reconnect_options opts_;
  std::function<double()> random_unit_;
  int failures_ = 0;
  bool slow_ = false;
};

/// The timers of a ws_connection; one tick_atom message type serves all.
enum class ws_timer : int64_t {
  /// Start the next connection attempt.
  attempt = 1,
  /// Send the next ping.
  ping = 2,
  /// Check that a frame arrived since the oldest unanswered ping.
  liveness = 3,
  /// Evict stale incomplete multi-part messages.
  sweep = 4,
  /// Stop waiting for verdicts while draining and close.
  drain = 5,
};

/// Number of ws_timer values plus one (array size, index 0 unused).
inline constexpr int64_t ws_timer_slots = 6;

/// Packs a timer and its arming token into a tick_atom payload.
int64_t encode_tick(ws_timer kind, int64_t token);

/// The timer of a tick payload; 0 when the payload is not a valid tick.
int64_t tick_kind(int64_t payload);

/// The arming token of a tick payload.
int64_t tick_token(int64_t payload);

/// Removes query strings from a free-form error text, so a URL with a
/// ticket or access_key inside a transport message never reaches a log.
std::string scrub_query(const std::string& text);

} // namespace loong
