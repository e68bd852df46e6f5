#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/runtime.hpp"
#include "config/gateway_config.hpp"
#include "messages/actors.hpp"

namespace loong {

/// The token keeper's own handle type: token_keeper_actor plus its timer.
/// Converts implicitly to token_keeper_actor.
using token_keeper_impl_actor = token_keeper_actor::extend<
  // INTERNAL: refresh-ahead or retry timer, tagged with a generation.
  caf::reacts_to<tick_atom, int64_t>>;

/// Knobs of a token keeper; the defaults follow spec §3.3.
struct token_keeper_options {
  /// Refresh this long before the token expires (the SDK's 3 minutes).
  int64_t refresh_margin_ms = 180000;
  /// HTTP deadline of one token or bot-info call, and its connect part.
  int64_t request_timeout_ms = 10000;
  int64_t connect_timeout_ms = 5000;
  /// Transient failures: first retry delay and cap (doubling, jittered).
  int64_t retry_initial_ms = 500;
  int64_t retry_max_ms = 30000;
  /// Callers asking while a transient retry is due within this wait for
  /// it; later retries answer the last error at once.
  int64_t wait_for_retry_ms = 2000;
  /// Credential failures (10003/10014): slow schedule; the last repeats.
  std::vector<int64_t> auth_retry_ms = {60000, 120000, 300000, 600000};
  /// Look up the bot open_id once the first token arrives.
  bool fetch_identity = true;
  /// No second bot-info lookup sooner than this after a failed one.
  int64_t identity_retry_ms = 60000;
};

/// State of the TOKEN KEEPER of one account.
struct token_keeper_state {
  static inline const char* name = "token-keeper";
  /// Shared handles (HTTP bridge, clock), the account and the knobs.
  runtime_ptr rt;
  config::feishu_account account;
  token_keeper_options opts;
  /// The cached token; empty when none is usable.
  std::string token;
  /// Absolute times (rt->now_ms) of hard expiry and refresh-ahead.
  int64_t expires_at_ms = 0;
  int64_t refresh_at_ms = 0;
  /// One token call in flight at most; callers wait on it here.
  bool fetching = false;
  std::vector<caf::typed_response_promise<std::string>> waiting;
  /// Consecutive failed token calls, the last error, the next attempt.
  int32_t failures = 0;
  caf::error last_error;
  int64_t retry_at_ms = 0;
  /// Only the newest timer counts; older ticks are ignored.
  int64_t timer_gen = 0;
  /// Token calls made so far and how many succeeded (logs, tests).
  int64_t fetches = 0;
  int64_t obtained = 0;
  /// Bot identity (spec §4.6): the answer, whether it is known, whether a
  /// lookup is running or was ever tried, when to try again, who waits.
  std::string bot_open_id;
  bool identity_known = false;
  bool identity_fetching = false;
  bool identity_attempted = false;
  int64_t identity_retry_at_ms = 0;
  std::vector<caf::typed_response_promise<std::string>> identity_waiting;
};

/// Keeps the tenant_access_token of `account` (spec §3.3): single-flight
/// fetch through the HTTP bridge, refresh-ahead, invalidation on demand,
/// backoff on failures (slow for rejected credentials). Default options.
token_keeper_impl_actor::behavior_type
token_keeper(token_keeper_impl_actor::stateful_pointer<token_keeper_state> self,
             runtime_ptr rt, config::feishu_account account);

/// Same with explicit options (tests shorten expiry and backoff).
token_keeper_impl_actor::behavior_type
token_keeper_with(token_keeper_impl_actor::stateful_pointer<token_keeper_state> self,
                  runtime_ptr rt, config::feishu_account account,
                  token_keeper_options opts);

/// Turns a transport failure of an http_reply into ec::timeout or
/// ec::transport_failed naming `what` and the net error.
caf::error http_transport_error(const http_reply& r, std::string_view what);

/// Maps a failed actor request (timeout, receiver down) to a loong error
/// naming `what`; loong errors pass through.
caf::error actor_request_error(const caf::error& err, std::string_view what);

/// Delay before retry `n` (1-based): initial * 2^(n-1) capped at `cap`,
/// scaled by a random factor in [0.5, 1) so peers do not retry in step.
int64_t backoff_delay_ms(int64_t initial, int64_t cap, int32_t n);

/// Returns `err` with the same code and "`prefix`: <context>`suffix`" as
/// context (an empty prefix adds nothing in front).
caf::error with_context(const caf::error& err, const std::string& prefix,
                        const std::string& suffix = {});

} // namespace loong
