// Timers of the ws_connection actor: pings and liveness (spec §6.5),
// reassembly sweeps, reconnect scheduling after a lost connection (§6.8)
// and drain.

#include <algorithm>
#include <chrono>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/ws_detail.hpp"
#include "net/ws_client.hpp"

namespace loong::ws_detail {

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch())
    .count();
}

void arm(ws_self self, ws_timer kind, int64_t delay_ms) {
  auto& st = self->state;
  auto token = ++st.next_token;
  st.timers[static_cast<size_t>(kind)] = token;
  self->delayed_send(self, std::chrono::milliseconds{std::max<int64_t>(delay_ms, 0)},
                     tick_atom_v, encode_tick(kind, token));
}

void disarm(ws_self self, ws_timer kind) {
  self->state.timers[static_cast<size_t>(kind)] = 0;
}

void send_ping(ws_self self) {
  auto& st = self->state;
  if (!st.open || !st.slot->client)
    return;
  st.slot->client->send(feishu::encode_frame(feishu::make_ping(st.service_id)),
                        true);
  // Liveness counts from the oldest ping nothing has answered yet.
  if (st.unanswered_ping_ms == 0 && st.opts.pong_timeout_ms > 0) {
    st.unanswered_ping_ms = steady_ms();
    arm(self, ws_timer::liveness, st.opts.pong_timeout_ms);
  }
  // The interval is read now, so a pong's new value applies from the next ping.
  auto interval = int64_t{std::max(st.live.ping_interval_s, 1)} * 1000;
  if (st.opts.max_ping_interval_ms > 0)
    interval = std::min(interval, st.opts.max_ping_interval_ms);
  arm(self, ws_timer::ping, interval);
}

void close_socket(ws_self self) {
  auto& st = self->state;
  disarm(self, ws_timer::drain);
  if (st.slot->client)
    st.slot->client->close();
  st.open = false;
  st.status.connected_since_ms = 0;
}

void finish_drain_if_idle(ws_self self) {
  auto& st = self->state;
  if (st.draining && st.open && st.pending_verdicts == 0)
    close_socket(self);
}

void connection_lost(ws_self self, const std::string& why) {
  auto& st = self->state;
  st.slot->abort();
  // A new generation: late callbacks of the old socket are ignored, and
  // verdicts still on their way find no connection to ACK on.
  ++st.generation;
  st.open = false;
  st.pending_verdicts = 0;
  st.unanswered_ping_ms = 0;
  for (auto t : {ws_timer::ping, ws_timer::liveness, ws_timer::sweep})
    disarm(self, t);
  st.status.connected_since_ms = 0;
  st.status.last_error = why;
  st.status.last_disconnect_reason = why;
  st.status.disconnected_since_ms = st.rt->now_ms ? st.rt->now_ms() : wall_clock_ms();
  if (st.draining)
    return;
  st.status.state = "backoff";
  auto delay = st.policy.connection_lost(steady_ms() - st.opened_steady_ms);
  spdlog::info("ws-connection {} lost its connection ({}); reconnecting in {} ms",
               st.account.selector(), why, delay);
  arm(self, ws_timer::attempt, delay);
}

namespace {

// Spec §6.5 (our addition): no frame at all within pong_timeout of the
// oldest unanswered ping means the connection is dead.
void check_liveness(ws_self self) {
  auto& st = self->state;
  if (!st.open || st.draining || st.unanswered_ping_ms == 0)
    return;
  auto waited = steady_ms() - st.unanswered_ping_ms;
  if (waited < st.opts.pong_timeout_ms)
    return arm(self, ws_timer::liveness, st.opts.pong_timeout_ms - waited);
  connection_lost(self, "no frame within " + std::to_string(st.opts.pong_timeout_ms)
                          + " ms after a ping");
}

} // namespace

void on_tick(ws_self self, int64_t payload) {
  auto& st = self->state;
  auto kind = tick_kind(payload);
  if (kind <= 0 || kind >= ws_timer_slots
      || st.timers[static_cast<size_t>(kind)] != tick_token(payload))
    return;
  st.timers[static_cast<size_t>(kind)] = 0;
  switch (static_cast<ws_timer>(kind)) {
    case ws_timer::attempt:
      begin_attempt(self);
      break;
    case ws_timer::ping:
      if (!st.draining)
        send_ping(self);
      break;
    case ws_timer::liveness:
      check_liveness(self);
      break;
    case ws_timer::sweep:
      if (st.open) {
        if (auto n = st.reasm.sweep(steady_ms()); n > 0)
          spdlog::debug("ws-connection {} evicted {} incomplete multi-part events",
                        st.account.selector(), n);
        arm(self, ws_timer::sweep, std::max<int64_t>(st.opts.reassembly.ttl_ms / 2, 100));
      }
      break;
    case ws_timer::drain:
      spdlog::info("ws-connection {} stops waiting for {} verdicts and closes",
                   st.account.selector(), st.pending_verdicts);
      close_socket(self);
      break;
  }
}

void start_drain(ws_self self) {
  auto& st = self->state;
  if (st.draining)
    return;
  st.draining = true;
  st.status.state = "draining";
  for (auto t : {ws_timer::attempt, ws_timer::ping, ws_timer::liveness, ws_timer::sweep})
    disarm(self, t);
  spdlog::info("ws-connection {} drains ({} verdicts pending)", st.account.selector(),
               st.pending_verdicts);
  if (!st.open) {
    // Mid-attempt: forget the discovery or handshake in flight.
    ++st.generation;
    st.slot->abort();
    return;
  }
  // Events already handed to the account get their ACK first; new ones are
  // left un-ACKed, so the platform redelivers them later (spec §6.7).
  if (st.pending_verdicts == 0)
    close_socket(self);
  else
    arm(self, ws_timer::drain, st.opts.ack_timeout_ms + 500);
}

} // namespace loong::ws_detail
