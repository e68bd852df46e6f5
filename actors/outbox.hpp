#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "actors/outbox_schedule.hpp"
#include "actors/runtime.hpp"
#include "config/gateway_config.hpp"
#include "messages/actors.hpp"

namespace loong {

/// The outbox's own handle type: outbox_actor plus its retry timer.
using outbox_impl_actor = outbox_actor::extend<
  // INTERNAL: the backoff of (message_id, arming token) has passed.
  caf::reacts_to<tick_atom, std::string, int64_t>>;

/// What an outbox works with.
struct outbox_deps {
  runtime_ptr rt;
  std::shared_ptr<const config::feishu_account> account;
  /// Gets the outcome of every finished delivery (counters, in-flight set).
  account_actor parent;
  sender_actor sender;
  store_actor store;
  /// How long one attempt may take: every chunk, the sender's own quick
  /// retries and rate-limit waits included.
  int64_t attempt_timeout_ms = 90000;
  /// Multiplies every retry delay (tests run the schedule faster).
  double backoff_scale = 1.0;
};

/// State of the OUTBOX of one account.
struct outbox_state {
  static inline const char* name = "outbox";
  struct job {
    delivery_job d;
    /// An attempt is running (its chunks are on their way).
    bool in_flight = false;
    /// Token of the armed retry tick (0 = none); older ticks are ignored.
    int64_t armed = 0;
  };
  std::shared_ptr<const outbox_deps> deps;
  std::unordered_map<std::string, job> jobs;
  int64_t next_token = 0;
  outbox_status counters;
};

/// Delivers stored answers of one account: each chunk as a reply with the
/// uuid derived from (account, message, chunk), retried on the schedule of
/// `plan_delivery_retry` until the platform accepts it or the account's
/// delivery deadline passes. Never calls the provider; the journal entry
/// is marked done (or failed) when it ends.
outbox_impl_actor::behavior_type
outbox(outbox_impl_actor::stateful_pointer<outbox_state> self,
       std::shared_ptr<const outbox_deps> deps);

/// The replies that deliver `answer` to `m`, in order: markdown cards, or
/// text where a card would be too large; chunk i has uuid reply_uuid(i).
std::vector<outbound_message> reply_messages(const std::string& account_id,
                                             const inbound_message& m,
                                             const std::string& answer);

} // namespace loong
