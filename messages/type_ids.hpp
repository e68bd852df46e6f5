#pragma once

// The type-ID block of every struct that crosses a mailbox. Atoms are tags
// declared in messages/atoms.hpp; CAF 0.17 gives them no IDs.

#include <caf/type_id.hpp>

#include "messages/atoms.hpp"
#include "messages/chat.hpp"
#include "messages/outbound.hpp"
#include "messages/provider.hpp"

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
CAF_END_TYPE_ID_BLOCK(loong_types)

namespace loong {

/// Registers every message type and the "loong" error category.
/// app/main.cpp and the test fixtures both call it.
void register_types(caf::actor_system_config& cfg);

} // namespace loong
