#pragma once

// Inbound event bodies (`im.message.receive_v1` and url_verification),
// prompt text and the mention gate (spec §5, product contract §5.2-5.4).

#include <string>
#include <string_view>
#include <variant>

#include <caf/expected.hpp>

#include "messages/chat.hpp"

namespace loong::feishu {

/// A url_verification request (schema 1.0 shape, plain or decrypted).
struct url_verification {
  /// May be empty; the webhook answers a blank challenge with 400.
  std::string challenge;
  /// Top-level `token`; the webhook compares it with its own.
  std::string token;
};

/// An event we do not handle (other event types, schema 1.0 events).
struct ignored_event {
  /// `header.event_type` (2.0) or `event.type` (1.0).
  std::string event_type;
  /// `header.event_id` (2.0) or `uuid` (1.0); may be empty.
  std::string event_id;
  /// Why it is ignored, for logs.
  std::string reason;
};

/// Everything an event body can turn into.
using parsed_event
  = std::variant<loong::inbound_message, url_verification, ignored_event>;

/// Parses a decrypted event body (schema 2.0; schema 1.0 url_verification).
/// Text content is the second JSON parse of `message.content`; post content
/// is flattened to plain text; other message types become
/// `content_kind::unsupported` with a summary such as "[image img_x]".
/// `event_id` falls back to "message:<message_id>". Errors are
/// ec::malformed_response naming the missing or malformed field.
caf::expected<parsed_event> parse_event(std::string_view json);

/// Returns `header.token`, else the top-level `token`, else "".
std::string event_token(std::string_view json);

/// Returns the text for the LLM: the bot's own placeholder removed (with
/// one adjacent space), other placeholders replaced by "@name", double
/// spaces collapsed, trimmed. With `bot_open_id` empty, mentions whose
/// `mentioned_type` is "bot" count as the bot.
std::string prompt_text(const loong::inbound_message& m,
                        std::string_view bot_open_id);

/// Returns whether the message addresses the bot (contract §5.4): p2p or a
/// missing chat_type always; otherwise a mention whose open_id, user_id or
/// union_id is `bot_open_id` (or, with the bot id unknown, any non-@all
/// mention of `mentioned_type` "bot"). @all never counts.
bool mentions_bot(const loong::inbound_message& m,
                  std::string_view bot_open_id);

} // namespace loong::feishu
