#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

#include "messages/chat.hpp"
#include "messages/provider.hpp"

namespace loong {

/// The account's answer to a transport handing it an event.
struct inbound_verdict {
  /// accepted (journaled, will be answered), duplicate (seen before),
  /// ignored (outside the trust boundary: settled, nothing stored), or
  /// refused (not accepted; the platform should redeliver).
  std::string outcome = "accepted";
  std::string detail;
  /// For a duplicate: its journal entry is still unfinished (being answered
  /// or waiting in the outbox), so the account makes sure it is in hand.
  bool unfinished = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, inbound_verdict& x) {
  return f(caf::meta::type_name("loong::inbound_verdict"), x.outcome,
           x.detail, x.unfinished);
}

/// What became of one inbound message (conversation -> account, counters).
struct turn_outcome {
  std::string chat_id;
  std::string message_id;
  /// replied, ignored, failed, apologized.
  std::string kind;
  /// Why it was ignored or failed (e.g. "chat_not_allowed").
  std::string detail;
  /// Receipt of the event to reply accepted, ms.
  int64_t latency_ms = 0;
  bool provider_failed = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, turn_outcome& x) {
  return f(caf::meta::type_name("loong::turn_outcome"), x.chat_id,
           x.message_id, x.kind, x.detail, x.latency_ms, x.provider_failed);
}

/// A conversation with nothing left to do; `processed` counts the messages
/// it handled, so the account stops it only if none is on the way.
struct chat_idle {
  std::string chat_id;
  int64_t processed = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_idle& x) {
  return f(caf::meta::type_name("loong::chat_idle"), x.chat_id, x.processed);
}

/// A request that arrived on the owner's control endpoint; `request_id`
/// finds the pending HTTP response.
struct control_request {
  int64_t request_id = 0;
  std::string method;
  std::string path;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, control_request& x) {
  return f(caf::meta::type_name("loong::control_request"), x.request_id,
           x.method, x.path);
}

/// Identifies a journal entry.
struct journal_key {
  std::string account;
  std::string message_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_key& x) {
  return f(caf::meta::type_name("loong::journal_key"), x.account,
           x.message_id);
}

/// Turns to append to a conversation's stored history.
struct history_append {
  std::string session_key;
  std::vector<chat_turn> turns;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_append& x) {
  return f(caf::meta::type_name("loong::history_append"), x.session_key,
           x.turns);
}

} // namespace loong
