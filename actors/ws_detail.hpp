#pragma once

// Internal to the ws_connection actor: functions shared by its connection
// lifecycle (ws_connection.cpp) and its inbound frame handling
// (ws_inbound.cpp). All of them run in the actor's own context.

#include <cstdint>
#include <string>

#include "actors/ws_connection.hpp"

namespace loong::ws_detail {

/// The actor pointer every helper receives.
using ws_self = ws_connection_actor::stateful_pointer<ws_connection_state>;

/// Monotonic milliseconds (timeouts, biz_rt, reassembly ages).
int64_t steady_ms();

/// Arms `kind` to fire in `delay_ms`, replacing an earlier arming.
void arm(ws_self self, ws_timer kind, int64_t delay_ms);

/// Disarms `kind`; a tick already in the mailbox is then ignored.
void disarm(ws_self self, ws_timer kind);

/// Sends a ping and schedules the next one and the liveness check.
void send_ping(ws_self self);

/// Handles one binary message of the current connection.
void handle_frame(ws_self self, std::string data);

/// Tears down a connection that was up and schedules the reconnect.
void connection_lost(ws_self self, const std::string& why);

/// While draining: closes the socket once no verdict is awaited.
void finish_drain_if_idle(ws_self self);

/// Closes the socket with a close frame (drain); callbacks are ignored.
void close_socket(ws_self self);

/// Starts a connection attempt: a fresh discovery, then the upgrade.
void begin_attempt(ws_self self);

/// Dispatches a tick_atom payload to its timer, unless it is stale.
void on_tick(ws_self self, int64_t payload);

/// Stops taking events: ACKs what is pending, closes, never reconnects.
void start_drain(ws_self self);

} // namespace loong::ws_detail
