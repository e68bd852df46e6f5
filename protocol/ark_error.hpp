#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <caf/error.hpp>

namespace loong::ark {

/// An error reported by Ark: HTTP status plus the body's `error` object.
struct provider_error {
  /// HTTP status; 200 for an error object that arrived mid-stream.
  unsigned http_status = 0;
  /// `error.code`, the stable key (e.g. "RateLimitExceeded.EndpointRPMExceeded").
  std::string code;
  /// `error.message` (or a clipped excerpt of a non-JSON body).
  std::string message;
  /// Whether a retry may succeed (spec §9); false once a stream started.
  bool retryable = false;
};

/// Classifies a non-2xx response from its status, body (may be empty or not
/// JSON) and the `x-should-retry` header, which overrides the status rule.
provider_error parse_error(unsigned http_status, std::string_view body,
                           std::string_view should_retry_header = {});

/// Maps a provider error to a loong error with context
/// "HTTP <status> <code>: <message>".
caf::error to_error(const provider_error& x);

/// Backoff before retry number `attempt` (0 = first retry):
/// min(base * 2^attempt, cap) * jitter in [0.75, 1.0], where `unit` in [0, 1)
/// is a caller-supplied random value. A `Retry-After` in seconds (capped at
/// 60 s) wins when present.
std::chrono::milliseconds retry_delay(int attempt,
                                      std::chrono::milliseconds base,
                                      std::chrono::milliseconds cap,
                                      std::string_view retry_after_header,
                                      double unit);

/// One-line operator hint for an error (doctor, CLI); "" when none applies.
std::string doctor_hint(const caf::error& err);

} // namespace loong::ark
