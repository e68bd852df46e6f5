#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/runtime.hpp"
#include "config/gateway_config.hpp"
#include "protocol/ark_chat.hpp"

namespace loong {

/// Counters a provider pool shares with its calls: retries happen inside a
/// call, and the pool reports them in provider_status.
struct provider_counters {
  /// Attempts started after a failed one, over all calls.
  std::atomic<int64_t> retries{0};
};

/// Total deadline (ms) of one HTTP attempt: request_timeout_ms for a plain
/// call; a stream may run longer (its gaps are bounded by the idle timeout
/// and its first byte by request_timeout_ms).
int64_t attempt_timeout_ms(const config::provider_config& cfg, bool stream);

/// Upper bound (ms) of one admitted completion: model resolution, every
/// attempt's deadline and the longest backoffs between them.
int64_t call_budget_ms(const config::provider_config& cfg, bool stream);

/// State of a PROVIDER CALL: one chat completion, its attempts and its
/// stream decoder.
struct provider_call_state {
  static inline const char* name = "provider-call";
  /// Bridge and clock.
  runtime_ptr rt;
  /// The provider profile (shared with the pool).
  std::shared_ptr<const config::provider_config> cfg;
  /// The pool's counters.
  std::shared_ptr<provider_counters> counters;
  /// The caller's request (messages, stream flag, delta sink).
  completion_request req;
  /// Resolved model id and the serialized request body (same every attempt).
  std::string model;
  std::string body;
  /// The pool's request; answered exactly once.
  caf::response_promise rp;
  /// Whether `rp` was delivered (the call is over).
  bool answered = false;
  /// Attempts started so far (1 = the first).
  int attempt = 0;
  /// Tag of the live attempt; 0 while none is live (waiting to retry), so
  /// late replies and chunks of an abandoned attempt are ignored.
  int64_t tag = 0;
  /// Tag of the next attempt.
  int64_t next_tag = 1;
  /// Whether body bytes of the live (streamed) attempt arrived: from then
  /// on the call is never retried (spec §9).
  bool body_started = false;
  /// The live streamed attempt's SSE decoder.
  std::optional<ark::sse_decoder> decoder;
  /// The `X-Client-Request-Id` of the live attempt (logged).
  std::string request_id;
  /// When the first attempt started (latency_ms).
  std::chrono::steady_clock::time_point started;
};

/// Runs one chat completion through the HTTP bridge (an internal helper of
/// provider_pool, dynamically typed because the bridge streams http_chunk
/// messages to it). Answers `complete_atom` once with a completion_result
/// or a caf::error, then quits. Retries 408/409/429 (not quota) / 5xx /
/// transport failures / timeouts before any body byte, with backoff and
/// jitter or the server's Retry-After, within retry_max_attempts. Stream
/// deltas go to `req.delta_sink` as completion_delta messages.
caf::behavior provider_call(caf::stateful_actor<provider_call_state>* self,
                            runtime_ptr rt,
                            std::shared_ptr<const config::provider_config> cfg,
                            std::shared_ptr<provider_counters> counters,
                            completion_request req, std::string model);

} // namespace loong
