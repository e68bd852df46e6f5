#pragma once

// The webhook transport of one Feishu/Lark account (spec §7, product
// contract §5.1 "Webhook"): mounts the account's route on the shared
// webhook_hub, hands verified events to the account and answers each HTTP
// request with the account's verdict.

#include <cstdint>
#include <memory>

#include "actors/runtime.hpp"
#include "actors/webhook_hub.hpp"
#include "config/gateway_config.hpp"
#include "messages/actors.hpp"

namespace loong {

/// State of the WEBHOOK LISTENER actor.
struct webhook_listener_state {
  static inline const char* name = "webhook-listener";

  runtime_ptr rt;
  config::feishu_account account;
  account_actor parent;
  webhook_options opts;
  /// Shared with the exit hook, which unmounts after the state is gone
  /// (attach_functor runs after the state's destructor).
  std::shared_ptr<webhook_mount> mount;
  /// Events handed to the account whose verdict is still awaited.
  int64_t in_flight = 0;
  bool draining = false;
  /// kind "webhook"; counters are refreshed from the hub on status.
  transport_status status;
};

/// The WEBHOOK LISTENER of one account: mounts `account.webhook_path` on
/// `account.webhook_bind` at once, asks `parent` (inbound_atom) about every
/// verified event and answers the platform: accepted -> 200
/// {"code":0,"msg":"ok"}, duplicate -> 200 {"code":0,"msg":"duplicate_event"},
/// refused or no verdict within opts.verdict_timeout_ms -> 500 (the
/// platform redelivers). Quits with ec::invalid_config (no hub, parent or
/// verification_token; bad bind/path; path taken) or ec::transport_failed
/// (cannot listen), naming bind and path.
webhook_listener_actor::behavior_type
webhook_listener(webhook_listener_actor::stateful_pointer<webhook_listener_state> self,
                 runtime_ptr rt, config::feishu_account account,
                 account_actor parent, webhook_options opts);

} // namespace loong
