#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "actors/conversation.hpp"
#include "actors/restart_policy.hpp"
#include "actors/runtime.hpp"
#include "config/gateway_config.hpp"
#include "messages/actors.hpp"

namespace caf {
class actor_system;
} // namespace caf

namespace loong {

/// Spawns an account's inbound transport (ws_connection or
/// webhook_listener); injectable so tests use a fake one.
using transport_factory = std::function<transport_actor(
  caf::actor_system&, const runtime_ptr&, const config::feishu_account&,
  account_actor)>;

/// Spawns the account's outbound pair; injectable for tests.
using outbound_factory = std::function<std::pair<token_keeper_actor, sender_actor>(
  caf::actor_system&, const runtime_ptr&, const config::feishu_account&)>;

/// What an account supervisor needs; built by the channel supervisor.
struct account_deps {
  runtime_ptr rt;
  std::shared_ptr<const config::feishu_account> account;
  provider_pool_actor pool;
  store_actor store;
  transport_factory make_transport;
  outbound_factory make_outbound;
  restart_options transport_restart;
  int64_t ask_timeout_ms = 120000;
  int64_t conversation_idle_ms = 300000;
  /// Multiplies the outbox's retry delays (tests run the schedule faster).
  double delivery_backoff_scale = 1.0;
};

/// State of an ACCOUNT SUPERVISOR.
struct account_supervisor_state {
  static inline const char* name = "account-supervisor";
  std::shared_ptr<const account_deps> deps;
  std::shared_ptr<const conversation_deps> conv_deps;
  token_keeper_actor keeper;
  sender_actor sender;
  outbox_actor outbox;
  transport_actor transport;
  restart_policy transport_policy;
  int64_t transport_started_ms = 0;
  struct chat {
    conversation_actor actor;
    int64_t dispatched = 0;
  };
  std::unordered_map<std::string, chat> chats;
  /// Messages in hand, by message_id: with their chat's conversation
  /// (chat id) or, once answered, with the outbox ("" ). A redelivery of
  /// one of them is never a new turn; one that is not in hand is resumed.
  std::unordered_map<std::string, std::string> live;
  bool draining = false;
  account_status status;
};

/// One account's subtree: token keeper, sender and outbox (linked: their
/// failure restarts the account), the transport (restarted here with
/// backoff) and one conversation per chat. Journals every event before it
/// is accepted; on start resumes the journal: answered entries go to the
/// outbox, unanswered ones to their conversation, except entries that
/// crashed their handler `poison_cap` times (one apology, then failed) and
/// entries older than stale_message_ms (skipped).
constexpr int32_t poison_cap = 3;

account_actor::behavior_type
account_supervisor(account_actor::stateful_pointer<account_supervisor_state> self,
                   std::shared_ptr<const account_deps> deps);

} // namespace loong
