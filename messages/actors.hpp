#pragma once

// Every typed actor interface of the gateway. Handles travel inside
// messages, so the interfaces live here, below actors/.

#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/chat.hpp"
#include "messages/delivery.hpp"
#include "messages/http.hpp"
#include "messages/inbound.hpp"
#include "messages/outbound.hpp"
#include "messages/provider.hpp"
#include "messages/status.hpp"
#include "messages/transport.hpp"

namespace loong {

/// The HTTP BRIDGE: runs HTTP(S) requests on the shared keep-alive client
/// and answers in the requester's own context.
using http_bridge_actor = caf::typed_actor<
  caf::replies_to<http_exchange>::with<http_reply>,
  // INTERNAL: a finished call from an I/O thread.
  caf::reacts_to<http_done>>;

/// The TOKEN KEEPER of one account: tenant_access_token and bot identity.
using token_keeper_actor = caf::typed_actor<
  // Answers the current token, fetching it first if needed (one fetch in
  // flight; concurrent callers wait on it).
  caf::replies_to<token_atom>::with<std::string>,
  // The platform rejected this token (99991661/3/8): drop it if current.
  caf::reacts_to<invalid_atom, std::string>,
  // Answers the bot's open_id ("" when the lookup failed).
  caf::replies_to<identity_atom>::with<std::string>>;

/// The SENDER of one account: sends and replies with retries.
using sender_actor = caf::typed_actor<
  // Posts a message (reply when reply_to_message_id is set); answers the
  // receipt or an error after the retry budget. ec::overloaded when too
  // many sends are outstanding.
  caf::replies_to<send_atom, outbound_message>::with<send_receipt>,
  // Adds an emoji reaction (message_id, emoji_type) to an inbound message;
  // fire and forget, a failure is only logged.
  caf::reacts_to<react_atom, std::string, std::string>>;

/// A PROVIDER SESSION: one conversation's history window.
using provider_session_actor = caf::typed_actor<
  // Asks the provider with the session's history plus this user text;
  // answers the completion and remembers both turns.
  caf::replies_to<ask_atom, std::string>::with<completion_result>,
  // Forgets the history.
  caf::reacts_to<reset_atom>>;

/// The PROVIDER POOL of one configured provider.
using provider_pool_actor = caf::typed_actor<
  // One chat completion with bounded concurrency, retries and timeouts.
  caf::replies_to<complete_atom, completion_request>::with<completion_result>,
  // The provider session for a conversation key (spawned on first use).
  caf::replies_to<session_atom, std::string>::with<provider_session_actor>,
  // The provider's model ids.
  caf::replies_to<models_atom>::with<std::vector<std::string>>,
  caf::replies_to<status_atom>::with<provider_status>>;

/// The STORE: the one owner of the SQLite file (runs detached).
using store_actor = caf::typed_actor<
  // Journals the message unless its event_id or message_id was seen.
  caf::replies_to<admit_atom, inbound_message>::with<inbound_verdict>,
  // The reply was accepted by the platform: the entry is finished.
  caf::reacts_to<done_atom, journal_key>,
  // A turn starts on the entry (counts towards the poison cap).
  caf::reacts_to<attempt_atom, journal_key>,
  // The answer is known: stored with the entry, history appended with it.
  caf::reacts_to<answer_atom, journal_answer>,
  // A delivery attempt failed; remember how far it got.
  caf::reacts_to<progress_atom, delivery_progress>,
  // The entry ends without a delivered answer (failed or skipped).
  caf::reacts_to<close_atom, journal_close>,
  // Unfinished entries of an account, oldest first.
  caf::replies_to<pending_atom, std::string>::with<std::vector<journal_item>>,
  // Stored history of a session key, oldest first.
  caf::replies_to<history_atom, std::string>::with<std::vector<chat_turn>>,
  caf::reacts_to<history_atom, history_append>,
  // Internal: commits the writes batched since the last commit.
  caf::reacts_to<flush_atom>>;

/// The OUTBOX of one account: delivers stored answers until the platform
/// accepts them or their deadline passes, same uuid on every attempt.
using outbox_actor = caf::typed_actor<
  // Deliver this stored answer (now, or after the backoff its attempts earned).
  caf::reacts_to<deliver_atom, delivery_job>,
  // The platform redelivered this message: try its pending answer now.
  caf::reacts_to<poke_atom, std::string>,
  caf::replies_to<status_atom>::with<outbox_status>>;

/// An inbound TRANSPORT (ws_connection or webhook_listener).
using transport_actor = caf::typed_actor<
  caf::replies_to<status_atom>::with<transport_status>,
  // Stop taking new events (drain before shutdown).
  caf::reacts_to<drain_atom>>;

/// The WS CONNECTION: transport_actor plus its I/O callbacks.
using ws_connection_actor = transport_actor::extend<
  // INTERNAL: from the I/O threads, tagged with the connection generation.
  caf::reacts_to<ws_discovered>, caf::reacts_to<ws_opened>,
  caf::reacts_to<ws_frame_in>, caf::reacts_to<ws_closed>,
  // INTERNAL: timers (ping, reassembly sweep, reconnect, liveness).
  caf::reacts_to<tick_atom, int64_t>>;

/// The WEBHOOK LISTENER: transport_actor plus verified callbacks.
using webhook_listener_actor = transport_actor::extend<
  // INTERNAL: a verified event from the HTTP server, awaiting its answer.
  caf::reacts_to<webhook_event>>;

/// The ACCOUNT SUPERVISOR of one account: the transports' entry point.
using account_actor = caf::typed_actor<
  // Journals and dispatches an inbound message; answers once the event is
  // durable (accepted), or recognised as a duplicate.
  caf::replies_to<inbound_atom, inbound_message>::with<inbound_verdict>,
  // A conversation reports what became of a message.
  caf::reacts_to<outcome_atom, turn_outcome>,
  // A conversation has nothing to do (the account may stop it).
  caf::reacts_to<chat_idle>,
  // Stop taking events; in-flight ones finish (or stay journaled).
  caf::reacts_to<drain_atom>,
  caf::replies_to<status_atom>::with<account_status>,
  // INTERNAL: restart a child after its backoff.
  caf::reacts_to<restart_atom, std::string>>;

/// A CONVERSATION: one chat of one account, in arrival order.
using conversation_actor = caf::typed_actor<
  caf::reacts_to<inbound_atom, inbound_message>,
  // INTERNAL: idle check.
  caf::reacts_to<tick_atom, int64_t>>;

/// The CHANNEL SUPERVISOR of one channel family.
using channel_supervisor_actor = caf::typed_actor<
  caf::replies_to<status_atom>::with<std::vector<account_status>>,
  // Drains every account (no restarts from now on).
  caf::reacts_to<drain_atom>,
  // Kills an account subtree (operator/test hook); answers false if unknown.
  caf::replies_to<kill_atom, std::string>::with<bool>,
  caf::reacts_to<restart_atom, std::string>>;

/// The OWNER LEASE: owner files, heartbeat, control endpoint (detached).
using owner_lease_actor = caf::typed_actor<
  // INTERNAL: a control endpoint request from an I/O thread.
  caf::reacts_to<control_request>,
  // INTERNAL: heartbeat and stop-request polling.
  caf::reacts_to<tick_atom, int64_t>,
  // The owner's phase changed (running, stopping, ...).
  caf::reacts_to<phase_atom, std::string>,
  // The owner is shutting down for this reason (goes to status.json).
  caf::reacts_to<stop_atom, std::string>>;

/// The GATEWAY OWNER: root of the tree.
using gateway_owner_actor = caf::typed_actor<
  caf::replies_to<status_atom>::with<gateway_snapshot>,
  caf::replies_to<kill_atom, std::string>::with<bool>,
  // Drain and stop; the reason lands in status.json.
  caf::reacts_to<stop_atom, std::string>>;

} // namespace loong
