#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

namespace loong {

/// A message the gateway posts to Feishu/Lark: either a new message to
/// `receive_id` or a reply to `reply_to_message_id` (when non-empty).
struct outbound_message {
  /// Configured account id that sends it.
  std::string account;
  /// open_id, user_id, union_id, email or chat_id (send only).
  std::string receive_id_type = "chat_id";
  std::string receive_id;
  /// om_... of the message answered; non-empty selects the reply API.
  std::string reply_to_message_id;
  bool reply_in_thread = false;
  /// "text", "post" or "interactive".
  std::string msg_type = "text";
  /// The inner JSON document as a string, e.g. {"text":"hi"}.
  std::string content;
  /// Idempotency key (at most 50 chars); identical across retries.
  std::string uuid;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outbound_message& x) {
  return f(caf::meta::type_name("loong::outbound_message"), x.account,
           x.receive_id_type, x.receive_id, x.reply_to_message_id,
           x.reply_in_thread, x.msg_type, x.content, x.uuid);
}

/// The platform's answer to a successful send or reply.
struct send_receipt {
  std::string message_id;
  std::string chat_id;
  /// Attempts it took (1 = first try).
  int32_t attempts = 1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, send_receipt& x) {
  return f(caf::meta::type_name("loong::send_receipt"), x.message_id,
           x.chat_id, x.attempts);
}

} // namespace loong
