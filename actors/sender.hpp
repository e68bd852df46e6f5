#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include <caf/typed_response_promise.hpp>

#include "actors/runtime.hpp"
#include "config/gateway_config.hpp"
#include "messages/actors.hpp"

namespace loong {

/// The sender's own handle type: sender_actor plus its retry timer.
/// Converts implicitly to sender_actor.
using sender_impl_actor = sender_actor::extend<
  // INTERNAL: the backoff of send job <id> has passed.
  caf::reacts_to<tick_atom, int64_t>>;

/// Knobs of a sender; the defaults follow spec §4.5.
struct sender_options {
  /// HTTP tries per message for transient failures (first one included).
  /// A token refresh adds one more try, once.
  int32_t max_attempts = 4;
  /// Backoff before retry n: initial * 2^(n-1) capped, jittered.
  int64_t backoff_initial_ms = 200;
  int64_t backoff_max_ms = 2000;
  /// Cap on a wait imposed by x-ogw-ratelimit-reset / Retry-After.
  int64_t max_reset_wait_ms = 10000;
  /// HTTP deadline of one try, and its connect part.
  int64_t request_timeout_ms = 15000;
  int64_t connect_timeout_ms = 5000;
  /// How long a try waits for the token keeper.
  int64_t token_timeout_ms = 20000;
  /// Sends in flight at most; beyond it callers get ec::overloaded at once.
  size_t max_outstanding = 256;
};

/// One message on its way out.
struct send_job {
  outbound_message msg;
  caf::typed_response_promise<send_receipt> promise;
  /// HTTP tries made, transient failures seen, whether the token was
  /// already refreshed for this message.
  int32_t attempts = 0;
  int32_t transient_failures = 0;
  bool token_refreshed = false;
};

/// State of the SENDER of one account.
struct sender_state {
  static inline const char* name = "sender";
  runtime_ptr rt;
  config::feishu_account account;
  token_keeper_actor keeper;
  sender_options opts;
  std::unordered_map<int64_t, send_job> jobs;
  int64_t next_id = 1;
};

/// Sends and replies for `account` (spec §4.1-4.5): token from `keeper`,
/// one refresh on a rejected token, bounded jittered retries on rate
/// limits, 5xx and transport errors with the same uuid, a bound on
/// outstanding sends. Default options.
sender_impl_actor::behavior_type
sender(sender_impl_actor::stateful_pointer<sender_state> self, runtime_ptr rt,
       config::feishu_account account, token_keeper_actor keeper);

/// Same with explicit options (tests shorten timeouts and backoff).
sender_impl_actor::behavior_type
sender_with(sender_impl_actor::stateful_pointer<sender_state> self,
            runtime_ptr rt, config::feishu_account account,
            token_keeper_actor keeper, sender_options opts);

/// A fresh random idempotency key, "loong-" and 32 hex digits (38 chars).
std::string make_send_uuid();

} // namespace loong
