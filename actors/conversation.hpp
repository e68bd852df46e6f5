#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/runtime.hpp"
#include "config/gateway_config.hpp"
#include "messages/actors.hpp"

namespace loong {

/// Handles and settings a conversation works with; one copy per account,
/// shared by its conversations.
struct conversation_deps {
  runtime_ptr rt;
  std::shared_ptr<const config::feishu_account> account;
  account_actor parent;
  sender_actor sender;
  token_keeper_actor keeper;
  provider_pool_actor pool;
  store_actor store;
  /// Delivers every answer (stored first, so it is never asked twice).
  outbox_actor outbox;
  /// Deadline for one provider answer (all retries included).
  int64_t ask_timeout_ms = 120000;
  /// Deadline for one reply to be accepted by the platform.
  int64_t send_timeout_ms = 60000;
  /// Report idle after this long without messages.
  int64_t idle_ms = 300000;
};

/// State of a CONVERSATION: one chat's queue, processed in arrival order.
struct conversation_state {
  static inline const char* name = "conversation";
  std::shared_ptr<const conversation_deps> deps;
  std::string chat_id;
  std::deque<inbound_message> queue;
  bool busy = false;
  int64_t processed = 0;
  int64_t last_activity_ms = 0;
  bool identity_known = false;
  std::string bot_open_id;
  provider_session_actor session;
};

/// A chat of one account: trust boundary, provider call, then the answer
/// is stored with its journal entry and handed to the outbox.
conversation_actor::behavior_type
conversation(conversation_actor::stateful_pointer<conversation_state> self,
             std::shared_ptr<const conversation_deps> deps, std::string chat_id);

/// Contract §5.6: feishu[:cfg=<configured>]:<runtime>:<chat>.
std::string session_key(const config::feishu_account& a,
                        const std::string& chat_id);

/// The part of the trust boundary that needs no identity (bot senders,
/// allowed chats and senders): empty when the message may be journaled,
/// else why not. The account applies it before anything is stored.
std::string trust_gate(const config::feishu_account& a, const inbound_message& m);

/// The trust boundary (contract §5.3, §5.4) and the stale-replay guard:
/// empty when the message may be answered, else why it is ignored.
std::string gate(const config::feishu_account& a, const inbound_message& m,
                 const std::string& bot_open_id);

/// The apology for a failed provider turn: says what kind of failure
/// (rate limited, timeout, provider error), never internals.
std::string apology_for(const caf::error& err);

} // namespace loong
