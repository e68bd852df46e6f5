// Inbound frames of the ws_connection actor (spec §6.4-§6.7): control
// frames, reassembly, event parsing, hand-over to the account and the ACK
// that follows its verdict.

#include <chrono>
#include <string>
#include <utility>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/ws_detail.hpp"
#include "messages/errors.hpp"
#include "net/ws_client.hpp"
#include "protocol/feishu_event.hpp"

namespace loong::ws_detail {

namespace {

// Writes the ACK of `f` on the connection of generation `gen`, if it is
// still the live one; otherwise the platform redelivers the event (§6.9).
void send_ack(ws_self self, int64_t gen, const feishu::frame& f, int64_t received_ms,
              int code, const std::string& event_id) {
  auto& st = self->state;
  if (gen != st.generation || !st.open || !st.slot->client) {
    spdlog::debug("ws-connection {} drops the ACK of event_id={}: connection gone "
                  "(the platform redelivers)",
                  st.account.selector(), event_id);
    return;
  }
  auto biz_rt = st.opts.force_zero_biz_rt ? 0 : steady_ms() - received_ms;
  st.slot->client->send(feishu::encode_frame(feishu::make_ack(f, biz_rt, code)), true);
  spdlog::debug("ws-connection {} acked event_id={} code={} biz_rt={} seq_id={} "
                "trace_id={}",
                st.account.selector(), event_id, code, biz_rt, f.seq_id,
                f.header("trace_id"));
}

// A verdict (or its absence) for an event of generation `gen` arrived.
void verdict_done(ws_self self, int64_t gen) {
  auto& st = self->state;
  if (gen == st.generation && st.pending_verdicts > 0)
    --st.pending_verdicts;
  finish_drain_if_idle(self);
}

// Hands a parsed message to the account; the ACK waits for its verdict so
// that a refused or lost event is redelivered (spec §6.7).
void forward(ws_self self, inbound_message m, feishu::frame f, int64_t received_ms) {
  auto& st = self->state;
  m.account = st.account.id;
  m.received_ms = st.rt->now_ms ? st.rt->now_ms() : wall_clock_ms();
  spdlog::debug("ws-connection {} received event account={} event_id={} message_id={} "
                "chat_id={} trace_id={}",
                st.account.selector(), m.account, m.event_id, m.message_id, m.chat_id,
                f.header("trace_id"));
  auto gen = st.generation;
  auto event_id = m.event_id;
  ++st.pending_verdicts;
  self
    ->request(st.parent, std::chrono::milliseconds{st.opts.ack_timeout_ms}, inbound_atom_v,
              std::move(m))
    .then(
      [self, gen, f, received_ms, event_id](inbound_verdict& v) {
        // Accepted and duplicate events are settled; anything else is
        // redelivered by the platform after a 500.
        auto code = v.outcome == "accepted" || v.outcome == "duplicate"
                        || v.outcome == "ignored"
                      ? 200
                      : 500;
        if (code != 200)
          spdlog::info("ws-connection {} event_id={} was {} ({}); ACK 500",
                       self->state.account.selector(), event_id, v.outcome, v.detail);
        send_ack(self, gen, f, received_ms, code, event_id);
        verdict_done(self, gen);
      },
      [self, gen, f, received_ms, event_id](caf::error& e) {
        spdlog::warn("ws-connection {} got no verdict for event_id={} ({}); ACK 500",
                     self->state.account.selector(), event_id, describe(e));
        send_ack(self, gen, f, received_ms, 500, event_id);
        verdict_done(self, gen);
      });
}

// A complete logical event: parse it and hand it on, or ACK it at once.
void dispatch(ws_self self, feishu::frame f, const std::string& payload,
              int64_t received_ms) {
  auto& st = self->state;
  auto gen = st.generation;
  auto parsed = feishu::parse_event(payload);
  if (!parsed) {
    // Redelivery would not help a body we cannot parse (spec §6.7).
    ++st.status.rejected;
    spdlog::warn("ws-connection {} got a malformed event trace_id={} ({}); ACK 200",
                 st.account.selector(), f.header("trace_id"), describe(parsed.error()));
    return send_ack(self, gen, f, received_ms, 200, {});
  }
  ++st.status.received;
  if (auto* m = std::get_if<inbound_message>(&*parsed))
    return forward(self, std::move(*m), std::move(f), received_ms);
  if (std::get_if<feishu::url_verification>(&*parsed) != nullptr) {
    spdlog::debug("ws-connection {} ignores a url_verification frame; ACK 200",
                  st.account.selector());
    return send_ack(self, gen, f, received_ms, 200, {});
  }
  const auto& ig = std::get<feishu::ignored_event>(*parsed);
  spdlog::debug("ws-connection {} ignores event_id={} type={} ({}); ACK 200",
                st.account.selector(), ig.event_id, ig.event_type, ig.reason);
  send_ack(self, gen, f, received_ms, 200, ig.event_id);
}

// Control frames (spec §6.5): a pong may carry a new ClientConfig.
void handle_control(ws_self self, const feishu::frame& f) {
  auto& st = self->state;
  if (f.header("type") != "pong") {
    spdlog::debug("ws-connection {} ignores a control frame of type '{}'",
                  st.account.selector(), f.header("type"));
    return;
  }
  if (!f.payload || f.payload->empty())
    return;
  auto before = st.live;
  feishu::apply_client_config(st.live, *f.payload);
  auto& now = st.live;
  if (before.ping_interval_s != now.ping_interval_s
      || before.reconnect_count != now.reconnect_count
      || before.reconnect_interval_s != now.reconnect_interval_s
      || before.reconnect_nonce_s != now.reconnect_nonce_s)
    spdlog::info("ws-connection {} takes ClientConfig ping={}s reconnect_count={} "
                 "reconnect_interval={}s reconnect_nonce={}s",
                 st.account.selector(), now.ping_interval_s, now.reconnect_count,
                 now.reconnect_interval_s, now.reconnect_nonce_s);
}

} // namespace

void handle_frame(ws_self self, std::string data) {
  auto& st = self->state;
  if (!st.open)
    return;
  auto received_ms = steady_ms();
  // Liveness: any inbound frame proves the connection (spec §6.5).
  st.unanswered_ping_ms = 0;
  auto f = feishu::decode_frame(data);
  if (!f) {
    ++st.status.rejected;
    spdlog::debug("ws-connection {} drops an undecodable frame of {} bytes",
                  st.account.selector(), data.size());
    return;
  }
  if (f->method == 0)
    return handle_control(self, *f);
  auto type = f->header("type");
  if (f->method != 1 || type != "event") {
    // Card callbacks are ignored without ACK, as both SDKs do (§6.4).
    spdlog::debug("ws-connection {} ignores a frame method={} type='{}'",
                  st.account.selector(), f->method, type);
    return;
  }
  if (st.draining) {
    spdlog::debug("ws-connection {} is draining: event frame left un-ACKed",
                  st.account.selector());
    return;
  }
  auto r = st.reasm.feed(*f, received_ms);
  if (r.what == feishu::reassembler::outcome::pending)
    return;
  if (r.what == feishu::reassembler::outcome::rejected) {
    // Refused for good (over a bound): ACKed, or the platform would
    // redeliver it forever.
    ++st.status.rejected;
    spdlog::warn("ws-connection {} rejects a fragment message_id={} trace_id={}: {}; "
                 "ACK 200",
                 st.account.selector(), f->header("message_id"), f->header("trace_id"),
                 r.reason);
    f->payload.reset();
    return send_ack(self, st.generation, *f, received_ms, 200, {});
  }
  if (!r.reason.empty())
    spdlog::warn("ws-connection {} takes a frame alone message_id={} trace_id={}: {}",
                 st.account.selector(), f->header("message_id"), f->header("trace_id"),
                 r.reason);
  // The ACK echoes the completing frame with its own payload (§6.7).
  f->payload.reset();
  dispatch(self, std::move(*f), r.payload, received_ms);
}

} // namespace loong::ws_detail
