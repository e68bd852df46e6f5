#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/expected.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/provider_call.hpp"
#include "actors/runtime.hpp"
#include "config/gateway_config.hpp"
#include "messages/actors.hpp"

namespace loong {

/// How long a models list counts as fresh (contract §1.3).
constexpr int64_t provider_models_ttl_ms = 30000;

/// How long a models list may stand in when a refresh fails.
constexpr int64_t provider_models_stale_ms = 120000;

/// A session nobody asked for this long is dropped (its history is in the
/// store, so the next use rebuilds it).
constexpr int64_t provider_session_idle_ms = 30 * 60 * 1000;

/// Deadline for a request to provider_pool (`complete_atom`) or to a
/// provider_session (`ask_atom`): one call's budget plus as long again for
/// waiting in the pool's queue, which drops jobs that waited longer.
std::chrono::milliseconds provider_request_timeout(
  const config::provider_config& cfg, bool stream = false);

/// State of the PROVIDER POOL of one configured provider.
struct provider_pool_state {
  static inline const char* name = "provider-pool";

  /// A completion waiting for (or holding) a concurrency slot.
  struct job {
    /// Admission number (FIFO order).
    int64_t id = 0;
    /// What the caller asked for.
    completion_request req;
    /// The caller's answer.
    caf::typed_response_promise<completion_result> rp;
    /// When the job entered the queue.
    std::chrono::steady_clock::time_point admitted;
  };

  /// The models list and its fetch (one in flight; callers wait on it).
  struct model_cache {
    /// Model ids of the last successful fetch, in catalogue order.
    std::vector<std::string> ids;
    /// runtime now_ms() of the last successful fetch; -1 before one.
    int64_t fetched_at_ms = -1;
    /// Resolved "auto" model of that list ("" when none could be chosen).
    std::string chosen;
    /// Whether a fetch is in flight.
    bool fetching = false;
    /// Called with the fetch's outcome (in the pool's context).
    using waiter
      = std::function<void(caf::expected<std::vector<std::string>>&)>;
    /// Callers waiting for the fetch in flight.
    std::vector<waiter> waiters;
  };

  /// A live session and when it was last used (runtime now_ms()).
  struct session_entry {
    /// The session actor.
    provider_session_actor handle;
    /// runtime now_ms() of the last lookup or call.
    int64_t last_used_ms = 0;
  };

  /// Bridge, clock.
  runtime_ptr rt;
  /// The profile, shared read-only with every call.
  std::shared_ptr<const config::provider_config> cfg;
  /// History persistence for sessions; may be invalid.
  store_actor store;
  /// Counters the calls update (retries).
  std::shared_ptr<provider_counters> counters
    = std::make_shared<provider_counters>();

  /// Jobs waiting for a slot, oldest first.
  std::deque<job> queue;
  /// A call holding a slot: its caller and its worker (once spawned).
  struct running_call {
    /// The caller's answer.
    caf::typed_response_promise<completion_result> rp;
    /// The provider_call running it (invalid while the model resolves).
    caf::actor worker;
    /// For log lines.
    std::string session_key;
    /// When the call took its slot (latency histogram).
    std::chrono::steady_clock::time_point started;
  };

  /// Calls holding a slot, by job id.
  std::unordered_map<int64_t, running_call> running;
  /// Id of the next admitted job.
  int64_t next_job = 1;
  /// Whether pump() is on the stack (a job may fail synchronously).
  bool pumping = false;

  /// The models list of model "auto".
  model_cache models;

  /// Live sessions by conversation key.
  std::unordered_map<std::string, session_entry> sessions;
  /// Reverse index for down messages.
  std::unordered_map<caf::actor_addr, std::string> session_keys;
  /// runtime now_ms() of the last idle sweep.
  int64_t last_sweep_ms = 0;

  /// Answered calls, and those answered with an error (provider_status).
  int64_t calls = 0;
  int64_t errors = 0;
  /// Slot-to-answer latency of every answered call.
  latency_histogram latency;
  /// The most recent failure, rendered.
  std::string last_error;

  /// Stops the calls and sessions still alive (the pool is going away).
  ~provider_pool_state();
};

using provider_pool_pointer
  = provider_pool_actor::stateful_pointer<provider_pool_state>;

/// The PROVIDER POOL: runs chat completions for one configured provider
/// with at most cfg.max_concurrency calls in flight (cfg.max_queue more
/// wait FIFO; beyond that ec::overloaded at once), resolves model "auto"
/// through the models endpoint (cached), and owns one provider_session per
/// conversation key. `store` may be invalid (no history persistence).
provider_pool_actor::behavior_type
provider_pool(provider_pool_pointer self, runtime_ptr rt,
              config::provider_config cfg, store_actor store);

} // namespace loong
