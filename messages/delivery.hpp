#pragma once

// Delivery state of one inbound message after its turn (design.md,
// "Delivery states"): the stored answer, the outbox's view of it, and what
// the journal hands back on a restart.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/chat.hpp"
#include "messages/inbound.hpp"

namespace loong {

/// The answer to one inbound message, stored with its journal entry before
/// delivery starts, so a retry or a restart never asks the provider again.
struct stored_answer {
  /// The text to post (split into chunks deterministically on delivery).
  std::string text;
  /// replied, apologized or failed (the poison apology); what the account
  /// counts once the platform accepted it.
  std::string kind = "replied";
  /// The provider failed (the text is an apology).
  bool provider_failed = false;
  /// Unix ms when the answer was stored (the delivery deadline counts from it).
  int64_t answered_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_answer& x) {
  return f(caf::meta::type_name("loong::stored_answer"), x.text, x.kind,
           x.provider_failed, x.answered_ms);
}

/// A conversation stores an answer: the entry becomes `answered`, and the
/// history turns (may be empty) are appended in the same write.
struct journal_answer {
  journal_key key;
  stored_answer answer;
  history_append history;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_answer& x) {
  return f(caf::meta::type_name("loong::journal_answer"), x.key, x.answer,
           x.history);
}

/// A delivery attempt failed: how far it got, for a resume after a restart.
struct delivery_progress {
  journal_key key;
  /// Delivery attempts made so far.
  int32_t attempts = 0;
  /// Chunks the platform accepted (the next attempt starts after them).
  int32_t chunks_done = 0;
  std::string last_error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_progress& x) {
  return f(caf::meta::type_name("loong::delivery_progress"), x.key,
           x.attempts, x.chunks_done, x.last_error);
}

/// A journal entry ends without a delivered answer.
struct journal_close {
  journal_key key;
  /// failed (poison cap, delivery deadline, rejected reply) or skipped
  /// (stale replay).
  std::string outcome = "failed";
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_close& x) {
  return f(caf::meta::type_name("loong::journal_close"), x.key, x.outcome,
           x.reason);
}

/// An unfinished journal entry as the store hands it back on a resume.
struct journal_item {
  inbound_message message;
  /// Turns started on it (each start of handling counts one); a message
  /// started this often without finishing crashed its handler every time.
  int32_t attempts = 0;
  /// Unix ms when it was admitted.
  int64_t received_ms = 0;
  /// Set once the answer is stored: only its delivery is left.
  bool answered = false;
  stored_answer answer;
  int32_t delivery_attempts = 0;
  int32_t chunks_done = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_item& x) {
  return f(caf::meta::type_name("loong::journal_item"), x.message, x.attempts,
           x.received_ms, x.answered, x.answer, x.delivery_attempts,
           x.chunks_done);
}

/// One answer handed to the outbox.
struct delivery_job {
  /// The inbound message answered (reply target, chat, thread).
  inbound_message message;
  stored_answer answer;
  int32_t attempts = 0;
  int32_t chunks_done = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_job& x) {
  return f(caf::meta::type_name("loong::delivery_job"), x.message, x.answer,
           x.attempts, x.chunks_done);
}

/// What the outbox of one account holds.
struct outbox_status {
  /// Answers waiting for the platform to accept them.
  int64_t pending = 0;
  /// Age of the oldest of them (since its answer was stored), ms.
  int64_t oldest_age_ms = 0;
  /// Pending answers past their first retry.
  int64_t retrying = 0;
  /// Delivery attempts that failed and were rescheduled.
  int64_t retries = 0;
  /// Answers given up at the deadline or rejected for good.
  int64_t failed = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outbox_status& x) {
  return f(caf::meta::type_name("loong::outbox_status"), x.pending,
           x.oldest_age_ms, x.retrying, x.retries, x.failed);
}

} // namespace loong
