#pragma once

// Builds the platform's event bodies (spec §5, §7.3) for pushes and webhooks.

#include <cstdint>
#include <string>

namespace loong::bench {

/// Inputs of one im.message.receive_v1 event (convenience push form).
struct message_event_spec {
  std::string app_id;
  std::string tenant_key = "tk_mock";
  /// Verification token written to header.token.
  std::string token;
  std::string event_id;
  std::string message_id;
  std::string chat_id;
  /// "p2p" or "group".
  std::string chat_type = "p2p";
  std::string text;
  std::string sender_open_id;
  /// "user" normally; "app" / "bot" to test loop protection.
  std::string sender_type = "user";
  /// When set, the text starts with the placeholder @_user_1 mentioning the bot.
  bool mention_bot = false;
  std::string bot_open_id;
  std::string bot_name;
  /// Unix ms for header.create_time and message.create_time.
  int64_t create_ms = 0;
};

/// Returns the schema 2.0 event JSON (compact, keys in the spec's order).
std::string build_message_event(const message_event_spec& spec);

/// Returns {"challenge":...,"token":...,"type":"url_verification"}.
std::string build_challenge(const std::string& challenge, const std::string& token);

} // namespace loong::bench
