#pragma once

// OpenAPI request bodies and response parsing: tenant token, send, reply,
// bot info (spec §2-4, product contract §1.5, §5.8-5.10).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "messages/outbound.hpp"

namespace loong::feishu {

/// Joins a base URL (trailing '/' stripped) and a path (given a leading '/').
std::string join_url(std::string_view base_url, std::string_view path);

/// Returns the base URL of a domain: "feishu" -> https://open.feishu.cn,
/// "lark" -> https://open.larksuite.com (case-insensitive); an http(s) URL
/// is returned without trailing '/'; anything else gives "".
std::string default_base_url(std::string_view domain);

/// Renders {"app_id":..,"app_secret":..} for the tenant token call.
std::string token_request_body(const std::string& app_id,
                               const std::string& app_secret);

/// A tenant access token and its remaining lifetime.
struct tenant_token {
  /// The bearer token; secret, never logged.
  std::string token;
  /// Remaining lifetime in seconds as reported; 1800 when absent (the
  /// platform never hands out a token with less than 30 minutes left).
  int64_t expire_s = 0;
};

/// Parses the tenant token answer; a non-zero code or a missing token is
/// an error (10003/10014 -> ec::auth_failed).
caf::expected<tenant_token> parse_token_response(unsigned http_status,
                                                 std::string_view body);

/// Returns the inner document {"text":"..."} of a text message.
std::string text_content(std::string_view text);

/// Returns a schema 2.0 card with one markdown element (wide screen).
std::string markdown_card_content(std::string_view markdown);

/// Returns /open-apis/im/v1/messages?receive_id_type=<type>.
std::string send_path(std::string_view receive_id_type);

/// Returns /open-apis/im/v1/messages/<message_id>/reply.
std::string reply_path(std::string_view message_id);

/// Returns /open-apis/im/v1/messages/<message_id>/reactions.
std::string reaction_path(std::string_view message_id);

/// Renders {"reaction_type":{"emoji_type":"<emoji>"}}.
std::string reaction_body(std::string_view emoji_type);

/// The emoji of an ack reaction, one picked by `unit` in [0, 1) from
/// HappyDragon, OneSecond, OK, APPLAUSE, GoGoGo, DONE, CheckMark.
std::string ack_reaction_emoji(double unit);

/// Checks a reaction answer: none on success, else the classified error.
caf::error check_reaction_response(unsigned http_status, std::string_view body);

/// Renders {"receive_id","msg_type","content","uuid"?} (spec §4.1).
std::string send_body(const loong::outbound_message& m);

/// Renders {"msg_type","content","reply_in_thread","uuid"?} (spec §4.2).
std::string reply_body(const loong::outbound_message& m);

/// Classifies a send/reply answer: success gives the receipt; failures are
/// ec::token_invalid, rate_limited, permission_denied, not_found,
/// server_error, malformed_response or platform_error, with context
/// "code <n>: <msg> (HTTP <status>)".
caf::expected<loong::send_receipt> parse_send_response(unsigned http_status,
                                                       std::string_view body);

/// Returns whether a failed call may be retried with the same uuid.
bool is_retryable(const caf::error& err);

/// The bot's own identity (for mention detection).
struct bot_info {
  /// `bot.open_id`, matched against mentions.
  std::string open_id;
  /// `bot.app_name`, for logs and doctor output.
  std::string app_name;
};

/// Parses the bot/v3/info answer (top-level "bot" object).
caf::expected<bot_info> parse_bot_info(unsigned http_status,
                                       std::string_view body);

/// Returns the reply idempotency uuid (contract §5.8): "feishu-reply-" and
/// the first 24 hex digits of SHA-256("loong:feishu:reply" 0x1F account
/// 0x1F message_id [0x1F chunk when > 0]); 37 characters.
std::string reply_uuid(std::string_view account_id,
                       std::string_view message_id, int chunk = 0);

/// Splits text into chunks of at most `max_chars` code points, cutting at
/// a paragraph, line or space boundary when one lies in the second half of
/// the window, and never inside a UTF-8 sequence.
std::vector<std::string> split_reply(std::string_view text,
                                     size_t max_chars = 3500);

} // namespace loong::feishu
