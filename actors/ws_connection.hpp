#pragma once

// The long-connection (WebSocket) transport of one Feishu/Lark account
// (spec/feishu-lark-protocol.md §6): discovery, connect, ping/pong,
// reassembly, hand-over to the account and ACK after its verdict, reconnect.

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/runtime.hpp"
#include "actors/ws_policy.hpp"
#include "config/gateway_config.hpp"
#include "messages/actors.hpp"
#include "protocol/feishu_frame.hpp"

namespace loong::net {
class ws_client;
} // namespace loong::net

namespace loong {

/// Tunables of a ws_connection; defaults follow the spec and the SDKs.
struct ws_options {
  /// Pings go out at the platform's PingInterval, but at least this often:
  /// a connection that went silent (a blackhole, a dead NAT entry) is only
  /// found by a ping nothing answers, and 120 s is too long to be deaf.
  int64_t max_ping_interval_ms = 5000;
  /// Liveness: no inbound frame of any kind this long after a ping means
  /// the connection is dead (abort and reconnect); 0 disables the check.
  int64_t pong_timeout_ms = 5000;
  /// Deadline for TCP connect + TLS + WebSocket upgrade.
  int64_t handshake_timeout_ms = 8000;
  /// Deadline of the discovery POST (a busy endpoint is retried sooner).
  int64_t discovery_timeout_ms = 5000;
  /// How long to wait for the account's verdict before ACKing 500.
  int64_t ack_timeout_ms = 2500;
  /// The reconnect schedule.
  reconnect_options reconnect;
  /// ClientConfig in force until the platform sends one (seconds).
  feishu::client_config initial_config;
  /// Bounds on incomplete multi-part messages.
  feishu::reassembler::limits reassembly;
  /// Largest inbound WebSocket message.
  int64_t max_message_bytes = 16 << 20;
  /// Send biz_rt = 0 in every ACK (tests compare exact ACK bytes).
  bool force_zero_biz_rt = false;
};

/// Holds the live client so the actor's exit hook can abort it after the
/// state is gone (attach_functor runs after the state's destructor).
struct ws_client_slot {
  std::shared_ptr<net::ws_client> client;
  /// Ends the session at once, if any.
  void abort();
};

/// State of the WS CONNECTION actor.
struct ws_connection_state {
  static inline const char* name = "ws-connection";

  ws_connection_state();

  runtime_ptr rt;
  config::feishu_account account;
  account_actor parent;
  ws_options opts;
  /// Live ClientConfig (discovery, then pongs with a payload).
  feishu::client_config live;
  ws_reconnect_policy policy;
  std::shared_ptr<ws_client_slot> slot;
  /// Bumped for every attempt; callbacks of older generations are dropped.
  int64_t generation = 0;
  /// True between the upgrade and the end of the current connection.
  bool open = false;
  bool draining = false;
  /// False until the first attempt started (later ones are reconnects).
  bool started = false;
  /// Steady ms when the current connection opened (its uptime decides
  /// whether the backoff resets).
  int64_t opened_steady_ms = 0;
  int32_t service_id = 0;
  std::string device_id;
  feishu::reassembler reasm;
  /// Verdicts still awaited for frames of the current generation.
  int64_t pending_verdicts = 0;
  /// Steady ms of the oldest ping not followed by any frame (0 = none).
  int64_t unanswered_ping_ms = 0;
  /// Armed token per ws_timer (0 = disarmed); stale ticks are ignored.
  std::array<int64_t, ws_timer_slots> timers{};
  int64_t next_token = 0;
  /// reconnects counts attempts after the first; received counts complete
  /// events that parsed; rejected counts undecodable frames, rejected
  /// fragments and malformed event bodies.
  transport_status status;
};

/// The WS CONNECTION of one account: connects at once, hands every
/// im.message.receive_v1 to `parent` (inbound_atom) and ACKs it after the
/// verdict, reconnects per spec §6.8. Quits with ec::invalid_config when
/// the account or runtime cannot work (no base URL, app id/secret, I/O).
ws_connection_actor::behavior_type
ws_connection(ws_connection_actor::stateful_pointer<ws_connection_state> self,
              runtime_ptr rt, config::feishu_account account,
              account_actor parent, ws_options opts);

} // namespace loong
