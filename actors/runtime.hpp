#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include <caf/timespan.hpp>

#include "messages/actors.hpp"

namespace loong::net {
class io_runtime;
} // namespace loong::net

namespace loong {

class webhook_hub;

/// Process-wide handles every actor of the tree may use. Built once by the
/// app (or a test fixture) before anything is spawned; immutable after.
struct actor_runtime {
  /// The shared Asio threads (sessions of ws_connection, webhook servers).
  net::io_runtime* io = nullptr;
  /// HTTP(S) requests go through this actor.
  http_bridge_actor http;
  /// Webhook HTTP servers shared by accounts with the same bind.
  std::shared_ptr<webhook_hub> hub;
  /// Wall clock in Unix ms; tests may pin it.
  std::function<int64_t()> now_ms;
};

using runtime_ptr = std::shared_ptr<const actor_runtime>;

/// The timeout of requests to actors that always answer on their own: the
/// HTTP bridge (its client calls back exactly once, after the exchange's own
/// deadline) and the store keeper (after its next commit). A CAF request
/// timeout costs the clock thread two wake-ups; on the hot path that was
/// 5 % of the gateway's CPU (docs/benchmarks.md).
constexpr caf::infinite_t answers_on_its_own = caf::infinite;

/// Unix ms from the system clock.
int64_t wall_clock_ms();

/// A uniformly random value in [0, 1) from a per-thread engine (jitter).
double random_unit();

} // namespace loong
