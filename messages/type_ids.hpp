#pragma once

// The type-ID block of every struct that crosses a mailbox. Atoms are tags
// declared in messages/atoms.hpp; CAF 0.17 gives them no IDs.

#include <caf/type_id.hpp>

#include "messages/actors.hpp"
#include "messages/atoms.hpp"
#include "messages/inbound.hpp"
#include "messages/chat.hpp"
#include "messages/delivery.hpp"
#include "messages/http.hpp"
#include "messages/outbound.hpp"
#include "messages/provider.hpp"
#include "messages/status.hpp"
#include "messages/transport.hpp"

namespace caf {
class actor_system_config;
} // namespace caf

CAF_BEGIN_TYPE_ID_BLOCK(loong_types, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(loong_types, (loong::mention))
  CAF_ADD_TYPE_ID(loong_types, (loong::inbound_message))
  CAF_ADD_TYPE_ID(loong_types, (loong::outbound_message))
  CAF_ADD_TYPE_ID(loong_types, (loong::send_receipt))
  CAF_ADD_TYPE_ID(loong_types, (loong::chat_turn))
  CAF_ADD_TYPE_ID(loong_types, (loong::token_usage))
  CAF_ADD_TYPE_ID(loong_types, (loong::completion_request))
  CAF_ADD_TYPE_ID(loong_types, (loong::completion_result))
  CAF_ADD_TYPE_ID(loong_types, (std::vector<loong::chat_turn>))
  CAF_ADD_TYPE_ID(loong_types, (std::vector<loong::inbound_message>))
  CAF_ADD_TYPE_ID(loong_types, (std::vector<std::string>))
  CAF_ADD_TYPE_ID(loong_types, (loong::latency_histogram))
  CAF_ADD_TYPE_ID(loong_types, (loong::transport_status))
  CAF_ADD_TYPE_ID(loong_types, (loong::account_status))
  CAF_ADD_TYPE_ID(loong_types, (std::vector<loong::account_status>))
  CAF_ADD_TYPE_ID(loong_types, (loong::provider_status))
  CAF_ADD_TYPE_ID(loong_types, (loong::gateway_snapshot))
  CAF_ADD_TYPE_ID(loong_types, (loong::inbound_verdict))
  CAF_ADD_TYPE_ID(loong_types, (loong::turn_outcome))
  CAF_ADD_TYPE_ID(loong_types, (loong::journal_key))
  CAF_ADD_TYPE_ID(loong_types, (loong::history_append))
  CAF_ADD_TYPE_ID(loong_types, (loong::ws_discovered))
  CAF_ADD_TYPE_ID(loong_types, (loong::ws_opened))
  CAF_ADD_TYPE_ID(loong_types, (loong::ws_frame_in))
  CAF_ADD_TYPE_ID(loong_types, (loong::ws_closed))
  CAF_ADD_TYPE_ID(loong_types, (loong::webhook_event))
  CAF_ADD_TYPE_ID(loong_types, (loong::http_header))
  CAF_ADD_TYPE_ID(loong_types, (loong::http_exchange))
  CAF_ADD_TYPE_ID(loong_types, (loong::http_reply))
  CAF_ADD_TYPE_ID(loong_types, (loong::http_chunk))
  CAF_ADD_TYPE_ID(loong_types, (loong::http_done))
  CAF_ADD_TYPE_ID(loong_types, (loong::http_bridge_actor))
  CAF_ADD_TYPE_ID(loong_types, (loong::token_keeper_actor))
  CAF_ADD_TYPE_ID(loong_types, (loong::sender_actor))
  CAF_ADD_TYPE_ID(loong_types, (loong::provider_session_actor))
  CAF_ADD_TYPE_ID(loong_types, (loong::provider_pool_actor))
  CAF_ADD_TYPE_ID(loong_types, (loong::store_actor))
  CAF_ADD_TYPE_ID(loong_types, (loong::account_actor))
  CAF_ADD_TYPE_ID(loong_types, (loong::chat_idle))
  CAF_ADD_TYPE_ID(loong_types, (loong::control_request))
  CAF_ADD_TYPE_ID(loong_types, (loong::completion_delta))
  CAF_ADD_TYPE_ID(loong_types, (loong::stored_answer))
  CAF_ADD_TYPE_ID(loong_types, (loong::journal_answer))
  CAF_ADD_TYPE_ID(loong_types, (loong::delivery_progress))
  CAF_ADD_TYPE_ID(loong_types, (loong::journal_close))
  CAF_ADD_TYPE_ID(loong_types, (loong::journal_item))
  CAF_ADD_TYPE_ID(loong_types, (std::vector<loong::journal_item>))
  CAF_ADD_TYPE_ID(loong_types, (loong::delivery_job))
  CAF_ADD_TYPE_ID(loong_types, (loong::outbox_status))
  CAF_ADD_TYPE_ID(loong_types, (loong::outbox_actor))
CAF_END_TYPE_ID_BLOCK(loong_types)

namespace loong {

/// Registers every message type and the "loong" error category.
/// app/main.cpp and the test fixtures both call it.
void register_types(caf::actor_system_config& cfg);

} // namespace loong
