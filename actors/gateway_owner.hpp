#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/account_supervisor.hpp"
#include "actors/owner_lease.hpp"
#include "actors/restart_policy.hpp"
#include "actors/runtime.hpp"
#include "config/gateway_config.hpp"
#include "messages/actors.hpp"

namespace loong::store {
class owner_slot;
} // namespace loong::store

namespace loong {

/// Spawns the provider pool of the active provider.
using provider_factory = std::function<provider_pool_actor(
  caf::actor_system&, const runtime_ptr&, const config::provider_config&,
  store_actor)>;

/// Everything the owner builds its tree from.
struct owner_setup {
  runtime_ptr rt;
  std::shared_ptr<const config::gateway_config> cfg;
  std::vector<config::feishu_account> accounts;
  provider_factory make_provider;
  transport_factory make_transport;
  outbound_factory make_outbound;
  restart_options account_restart;
  restart_options transport_restart;
  /// The lease (owner files + control endpoint); none in some tests.
  std::shared_ptr<store::owner_slot> slot;
  lease_options lease;
  /// How long a drain waits for in-flight messages before quitting anyway
  /// (unfinished ones stay journaled).
  int64_t drain_timeout_ms = 10000;
  int64_t ask_timeout_ms = 120000;
  int64_t conversation_idle_ms = 300000;
};

/// State of the GATEWAY OWNER.
struct gateway_owner_state {
  static inline const char* name = "gateway-owner";
  std::shared_ptr<const owner_setup> setup;
  store_actor store;
  provider_pool_actor pool;
  channel_supervisor_actor channels;
  owner_lease_actor lease;
  std::string phase = "starting";
  int64_t stop_deadline_ms = 0;
};

/// Root of the tree: store, provider pool, the feishu channel supervisor
/// and the lease. Drains on stop: no new events, in-flight ones finish or
/// stay journaled, then everything ends and the lease releases ownership.
gateway_owner_actor::behavior_type
gateway_owner(gateway_owner_actor::stateful_pointer<gateway_owner_state> self,
              std::shared_ptr<const owner_setup> setup);

} // namespace loong
