#pragma once

#include <cstdint>
#include <map>
#include <set>

#include <caf/actor_addr.hpp>
#include <memory>
#include <string>
#include <vector>

#include "actors/account_supervisor.hpp"
#include "actors/restart_policy.hpp"
#include "messages/actors.hpp"

namespace loong {

/// State of a CHANNEL SUPERVISOR: one slot per account.
struct channel_supervisor_state {
  static inline const char* name = "channel-supervisor";
  struct slot {
    std::shared_ptr<const account_deps> deps;
    account_actor actor;
    restart_policy policy;
    int64_t started_ms = 0;
    int64_t restarts = 0;
    /// running, restarting, failed.
    std::string state = "running";
    std::string last_error;
    account_status last_status;
  };
  std::map<std::string, slot> slots;
  /// Every account actor that is linked to us and has not exited yet.
  std::set<caf::actor_addr> children;
  bool draining = false;
};

/// Supervises the accounts of one channel family: a failing account
/// subtree restarts with jittered backoff; past its budget it is reported
/// failed and retried on a slow schedule. No failure crosses accounts.
channel_supervisor_actor::behavior_type
channel_supervisor(channel_supervisor_actor::stateful_pointer<channel_supervisor_state> self,
                   std::vector<std::shared_ptr<const account_deps>> accounts,
                   restart_options policy);

} // namespace loong
