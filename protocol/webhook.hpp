#pragma once

// The inbound webhook decision as one pure function (spec §7, product
// contract §5.1 "Webhook").

#include <cstdint>
#include <string>
#include <string_view>

#include "messages/chat.hpp"

namespace loong::feishu {

/// The account's webhook secrets.
struct webhook_secrets {
  /// Required: an empty token rejects every request (fail closed).
  std::string verification_token;
  /// When set, events must be signed, and encrypted bodies can be read.
  std::string encrypt_key;
  /// Max |now - X-Lark-Request-Timestamp| in seconds; 0 = no check.
  int64_t replay_window_s = 0;
};

/// The three X-Lark-Request-* headers as received ("" when absent).
struct webhook_headers {
  /// X-Lark-Request-Timestamp, Unix seconds as received.
  std::string timestamp;
  /// X-Lark-Request-Nonce.
  std::string nonce;
  /// X-Lark-Signature, hex (either case).
  std::string signature;
};

/// What to answer and what to do with one webhook request.
struct webhook_outcome {
  /// challenge: answer it; event: enqueue `message`; ignored: 200 only;
  /// rejected: error status, nothing processed.
  enum class kind { challenge, event, ignored, rejected } what;
  /// 200, 400 (unreadable body) or 401 (authentication failed).
  unsigned http_status = 200;
  /// Exact JSON body to send; generic on rejection (no detail leaks).
  std::string response_body;
  /// The parsed message when `what == event` (account left empty).
  loong::inbound_message message;
  /// Machine-readable cause for logs and counters, e.g. "bad_signature".
  std::string reason;
};

/// Decides a webhook request: parse, decrypt, answer a url_verification
/// after the token check (no signature needed), else require a valid
/// signature (when an encrypt key is set) and timestamp (when a replay
/// window is set), check the token and parse the event. `now_s` is Unix
/// seconds.
webhook_outcome process_webhook(std::string_view raw_body,
                                const webhook_headers& h,
                                const webhook_secrets& s, int64_t now_s);

} // namespace loong::feishu
