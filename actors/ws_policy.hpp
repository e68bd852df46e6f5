#pragma once

// Pure helpers of the ws_connection actor: the reconnect schedule of spec
// §6.8 (with the gateway's slow background retry) and the encoding of its
// timer ticks. No actor, no I/O: tests drive them directly.

#include <cstdint>
#include <functional>
#include <string>

#include "protocol/feishu_frame.hpp"

namespace loong {

/// What to do after a failed connection attempt.
struct ws_retry {
  /// Wait this long before the next attempt.
  int64_t delay_ms = 0;
  /// True when the fast loop stopped (fatal error or ReconnectCount spent)
  /// and the slow background schedule is in force.
  bool slow = false;
  /// True when this failure spent the last attempt ReconnectCount allows.
  bool exhausted = false;
};

/// The reconnect schedule of one long connection (spec §6.8). A cycle
/// starts when a connection is lost; failed attempts are counted against
/// ReconnectCount. A fatal error or a spent count switches to a slow fixed
/// interval until an attempt succeeds, so the account recovers without a
/// restart once an operator fixes the cause.
class ws_reconnect_policy {
public:
  /// Creates a policy; `random_unit` returns values in [0, 1) (jitter).
  ws_reconnect_policy(int64_t slow_retry_ms, int64_t min_interval_ms,
                      std::function<double()> random_unit);

  /// A connection that was up ended: starts a cycle and returns the random
  /// delay in [0, ReconnectNonce) before its first attempt.
  int64_t connection_lost(const feishu::client_config& cfg);

  /// An attempt (discovery or handshake) failed; `fatal` for a
  /// non-retryable discovery code or handshake refusal.
  ws_retry attempt_failed(const feishu::client_config& cfg, bool fatal);

  /// An attempt succeeded: the cycle and the slow schedule end.
  void connected();

  /// Failed attempts of the current cycle.
  int attempts() const { return attempts_; }

  /// True while the slow background schedule is in force.
  bool slow() const { return slow_; }

private:
  int64_t slow_retry_ms_;
  int64_t min_interval_ms_;
  std::function<double()> random_unit_;
  int attempts_ = 0;
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
