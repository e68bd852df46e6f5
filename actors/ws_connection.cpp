// Connection lifecycle of the ws_connection actor: discovery, upgrade,
// failed attempts and closes (spec §6.1, §6.2, §6.8, §6.9). Timers, pings
// and drain live in ws_timers.cpp; frames and ACKs in ws_inbound.cpp.

#include "actors/ws_connection.hpp"

#include <algorithm>
#include <chrono>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/ws_detail.hpp"
#include "messages/errors.hpp"
#include "net/http_types.hpp"
#include "net/net_error.hpp"
#include "net/ws_client.hpp"

namespace loong {

void ws_client_slot::abort() {
  if (client) {
    client->abort();
    client.reset();
  }
}

ws_connection_state::ws_connection_state() : policy(reconnect_options{}, random_unit) {
}

namespace {

using namespace ws_detail;

ws_discovered to_discovered(int64_t gen, const http_reply& r) {
  ws_discovered d;
  d.generation = gen;
  // Transport failures and non-200 answers are server-side: retry (§6.1).
  if (!r.ok()) {
    d.error = "discovery " + r.error_code + ": " + scrub_query(r.error_detail);
    return d;
  }
  if (r.status != 200) {
    d.error = "discovery HTTP " + std::to_string(r.status);
    return d;
  }
  auto parsed = feishu::parse_discovery_response(r.body);
  if (!parsed) {
    d.error = "discovery: " + describe(parsed.error());
    return d;
  }
  auto cls = feishu::classify_discovery(parsed->code);
  if (cls != feishu::discovery_class::ok) {
    d.fatal = cls == feishu::discovery_class::fatal;
    d.error = "discovery code " + std::to_string(parsed->code) + ": " + parsed->msg;
    return d;
  }
  d.ok = true;
  d.url = parsed->url;
  d.ping_interval_s = parsed->config.ping_interval_s;
  d.reconnect_count = parsed->config.reconnect_count;
  d.reconnect_interval_s = parsed->config.reconnect_interval_s;
  d.reconnect_nonce_s = parsed->config.reconnect_nonce_s;
  return d;
}

void attempt_failed(ws_self self, bool fatal, const std::string& why) {
  auto& st = self->state;
  st.slot->abort();
  st.open = false;
  auto r = st.policy.attempt_failed(fatal);
  st.status.last_error = why;
  st.status.state = r.slow ? "failed" : "backoff";
  if (r.slow)
    spdlog::warn("ws-connection {} cannot connect ({}); {}retrying every {} ms",
                 st.account.selector(), st.status.last_error,
                 fatal ? "not retryable, " : "", r.delay_ms);
  else
    spdlog::info("ws-connection {} attempt {} failed ({}); retrying in {} ms",
                 st.account.selector(), st.policy.failures(), why, r.delay_ms);
  arm(self, ws_timer::attempt, r.delay_ms);
}

void open_socket(ws_self self, const std::string& url) {
  auto& st = self->state;
  auto gen = st.generation;
  // Weak: a strong handle in the session's callbacks would keep this actor
  // alive through the cycle actor -> session -> callback (toolchain §5).
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  auto deliver = [weak](auto msg) {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<ws_connection_actor>(strong), std::move(msg));
  };
  net::ws_client_events ev;
  ev.on_open = [deliver, gen] { deliver(ws_opened{gen}); };
  // Text messages are not part of the protocol (§6.3): ignored.
  ev.on_message = [deliver, gen](std::string data, bool binary) {
    if (binary)
      deliver(ws_frame_in{gen, std::move(data)});
  };
  ev.on_close = [deliver, gen](net::net_error err, net::http_response resp) {
    ws_closed c;
    c.generation = gen;
    c.code = net::to_string(err.code);
    c.detail = err.detail;
    c.http_status = static_cast<int32_t>(resp.status);
    c.handshake_status = net::find_header(resp.headers, "Handshake-Status");
    c.handshake_msg = net::find_header(resp.headers, "Handshake-Msg");
    c.handshake_autherrcode = net::find_header(resp.headers, "Handshake-Autherrcode");
    deliver(std::move(c));
  };
  net::ws_client_options o;
  o.handshake_timeout = std::chrono::milliseconds{st.opts.handshake_timeout_ms};
  o.max_message_bytes = static_cast<size_t>(st.opts.max_message_bytes);
  st.slot->abort();
  st.slot->client = net::ws_client::connect(*st.rt->io, url, std::move(o), std::move(ev));
}

void on_discovered(ws_self self, const ws_discovered& d) {
  auto& st = self->state;
  if (d.generation != st.generation || st.draining || st.open)
    return;
  if (!d.ok)
    return attempt_failed(self, d.fatal, d.error);
  // Reconnect values apply to the next cycle; ping to this connection.
  st.live.ping_interval_s = d.ping_interval_s;
  st.live.reconnect_count = d.reconnect_count;
  st.live.reconnect_interval_s = d.reconnect_interval_s;
  st.live.reconnect_nonce_s = d.reconnect_nonce_s;
  auto info = feishu::parse_ws_url(d.url);
  if (!info)
    return attempt_failed(self, false, "discovery: " + describe(info.error()));
  st.service_id = info->service_id;
  st.device_id = info->device_id;
  spdlog::debug("ws-connection {} connecting to {} device_id={}",
                st.account.selector(), feishu::redact_url(d.url), st.device_id);
  open_socket(self, d.url);
}

void on_opened(ws_self self, const ws_opened& m) {
  auto& st = self->state;
  if (m.generation != st.generation || st.draining || st.open)
    return;
  st.open = true;
  st.policy.connected();
  st.opened_steady_ms = steady_ms();
  st.status.state = "connected";
  st.status.connected_since_ms = st.rt->now_ms ? st.rt->now_ms() : wall_clock_ms();
  if (st.status.disconnected_since_ms > 0)
    st.status.disconnected_total_ms
      += std::max<int64_t>(st.status.connected_since_ms - st.status.disconnected_since_ms, 0);
  st.status.disconnected_since_ms = 0;
  st.reasm = feishu::reassembler{st.opts.reassembly};
  st.unanswered_ping_ms = 0;
  spdlog::info("ws-connection {} connected device_id={} service_id={} reconnects={}",
               st.account.selector(), st.device_id, st.service_id,
               st.status.reconnects);
  // Spec §6.5: the first ping goes out at once.
  send_ping(self);
  arm(self, ws_timer::sweep, std::max<int64_t>(st.opts.reassembly.ttl_ms / 2, 100));
}

void on_closed(ws_self self, const ws_closed& c) {
  auto& st = self->state;
  if (c.generation != st.generation)
    return;
  auto was_open = st.open;
  st.open = false;
  st.slot->client.reset();
  if (st.draining) {
    spdlog::info("ws-connection {} closed its connection (draining)",
                 st.account.selector());
    return;
  }
  if (was_open) {
    auto why = "connection ended: " + c.code
               + (c.detail.empty() ? "" : " (" + scrub_query(c.detail) + ")");
    return connection_lost(self, why);
  }
  // The attempt failed before the upgrade completed.
  if (c.code == "handshake_rejected") {
    // Spec §6.9: classify by the platform's headers, not the status line.
    auto fatal = feishu::classify_handshake(c.handshake_status, c.handshake_autherrcode)
                 == feishu::handshake_class::fatal;
    auto why = "handshake refused: HTTP " + std::to_string(c.http_status)
               + " Handshake-Status=" + c.handshake_status
               + " Handshake-Autherrcode=" + c.handshake_autherrcode
               + " Handshake-Msg=" + c.handshake_msg;
    return attempt_failed(self, fatal, why);
  }
  attempt_failed(self, false, "connect " + c.code + ": " + scrub_query(c.detail));
}

std::string missing_piece(const runtime_ptr& rt, const config::feishu_account& a,
                          const account_actor& parent) {
  if (!rt || rt->io == nullptr || !rt->http)
    return "runtime without I/O or HTTP bridge";
  if (!parent)
    return "no parent account actor";
  if (a.base_url.empty())
    return "no base_url";
  if (!a.app_id.present() || !a.app_secret.present())
    return "app_id or app_secret missing";
  return {};
}

} // namespace

namespace ws_detail {

void begin_attempt(ws_self self) {
  auto& st = self->state;
  if (st.draining)
    return;
  if (st.started)
    ++st.status.reconnects;
  st.started = true;
  ++st.generation;
  st.open = false;
  st.pending_verdicts = 0;
  st.status.state = "connecting";
  // Spec §6.2: a fresh discovery before every attempt, never an old URL.
  http_exchange x;
  x.method = "POST";
  auto base = st.account.base_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  x.url = base + "/callback/ws/endpoint";
  x.headers = {{"content-type", "application/json"}, {"locale", "zh"}};
  x.body = feishu::discovery_request_body(st.account.app_id.value,
                                          st.account.app_secret.value);
  x.timeout_ms = st.opts.discovery_timeout_ms;
  x.connect_timeout_ms = std::min<int64_t>(st.opts.discovery_timeout_ms, 10000);
  auto gen = st.generation;
  // The bridge answers transport failures as data; the margin lets its own
  // deadline fire first.
  auto limit = std::chrono::milliseconds{st.opts.discovery_timeout_ms + 2000};
  self->request(st.rt->http, limit, std::move(x))
    .then([self, gen](http_reply& r) { on_discovered(self, to_discovered(gen, r)); },
          [self, gen](caf::error& e) {
            ws_discovered d;
            d.generation = gen;
            d.error = "discovery: " + describe(e);
            on_discovered(self, d);
          });
}

} // namespace ws_detail

ws_connection_actor::behavior_type
ws_connection(ws_connection_actor::stateful_pointer<ws_connection_state> self,
              runtime_ptr rt, config::feishu_account account,
              account_actor parent, ws_options opts) {
  self->set_exception_handler([](std::exception_ptr& ep) -> caf::error {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      return caf::make_error(ec::transport_failed, std::string{"ws-connection: "} + e.what());
    } catch (...) {
      return caf::make_error(ec::transport_failed, "ws-connection: unknown exception");
    }
  });
  if (auto missing = missing_piece(rt, account, parent); !missing.empty()) {
    spdlog::error("ws-connection {} cannot start: {}", account.selector(), missing);
    self->quit(caf::make_error(ec::invalid_config,
                               "ws-connection " + account.selector() + ": " + missing));
    return ws_connection_actor::behavior_type::make_empty_behavior();
  }
  auto& st = self->state;
  st.rt = std::move(rt);
  st.account = std::move(account);
  st.parent = std::move(parent);
  st.opts = opts;
  st.live = opts.initial_config;
  st.policy = ws_reconnect_policy{opts.reconnect, random_unit};
  st.reasm = feishu::reassembler{opts.reassembly};
  st.slot = std::make_shared<ws_client_slot>();
  st.status.kind = "websocket";
  st.status.state = "connecting";
  st.status.disconnected_since_ms = st.rt->now_ms ? st.rt->now_ms() : wall_clock_ms();
  // The state is destroyed before attached functors run; the shared slot
  // outlives it, so the session is aborted and nothing leaks.
  self->attach_functor([slot = st.slot] { slot->abort(); });
  // Spec §6.8: the very first connect has no random delay.
  arm(self, ws_timer::attempt, 0);
  return {
    [self](status_atom) -> transport_status { return self->state.status; },
    [self](drain_atom) { start_drain(self); },
    [self](const ws_discovered& d) { on_discovered(self, d); },
    [self](const ws_opened& m) { on_opened(self, m); },
    [self](ws_frame_in& f) {
      if (f.generation == self->state.generation)
        handle_frame(self, std::move(f.data));
    },
    [self](const ws_closed& c) { on_closed(self, c); },
    [self](tick_atom, int64_t payload) { on_tick(self, payload); },
  };
}

} // namespace loong
