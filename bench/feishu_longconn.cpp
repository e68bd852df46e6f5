// Long connection of mock_feishu (spec §6, §6.10): endpoint discovery, the
// WebSocket upgrade, ping/pong, event pushes in cluster mode, ACK checks and
// re-delivery of events that were not acknowledged.

#include "bench/feishu_mock.hpp"

#include <algorithm>

namespace loong::bench {

namespace {

constexpr int64_t ticket_ttl_ms = 5 * 60 * 1000;

// Frame headers of part `seq` of a delivery, in the platform's order (§10.3).
std::vector<feishu::frame_header> part_headers(const std::string& frame_message_id,
                                               const std::string& trace_id, int parts,
                                               int seq) {
  return {{"type", "event"},
          {"message_id", frame_message_id},
          {"sum", std::to_string(parts)},
          {"seq", std::to_string(seq)},
          {"trace_id", trace_id}};
}

bool is_decimal(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

mock_reply feishu_mock::handle_discovery(const net::server_request& req) {
  auto doc = parse_object(req.body);
  auto app_id = doc ? json_str(*doc, "AppID") : std::string{};
  auto secret = doc ? json_str(*doc, "AppSecret") : std::string{};
  effects fx;
  mock_reply r;
  {
    std::lock_guard<std::mutex> lk{mu_};
    if (auto f = take_fault_locked("discovery", app_id, {}, r.delay_ms))
      return *f;
    bump_locked("discovery", app_id);
    // Credential errors come with HTTP 200 and a business code (spec §6.1).
    const auto* app = app_locked(app_id);
    if (!app)
      return {feishu_error(200, 10003, "invalid param"), r.delay_ms};
    if (app->app_secret != secret)
      return {feishu_error(200, 10014, "app secret invalid"), r.delay_ms};
    auto now = mono_ms();
    if (tickets_.size() > 10000)
      for (auto it = tickets_.begin(); it != tickets_.end();)
        it = it->second.expires_mono_ms < now ? tickets_.erase(it) : std::next(it);
    auto ticket = random_hex(16);
    auto device = std::to_string(next_device_++);
    tickets_[ticket] = ticket_entry{app_id, device, opts_.service_id, now + ticket_ttl_ms};
    auto url = "ws://127.0.0.1:" + std::to_string(server_->port()) + "/ws/v2?device_id="
               + device + "&service_id=" + std::to_string(opts_.service_id)
               + "&ticket=" + ticket;
    r.resp = json_response(200, R"({"code":0,"msg":"ok","data":{"URL":)" + json_quote(url)
                                  + ",\"ClientConfig\":"
                                  + feishu::client_config_json(opts_.client) + "}}");
    wake_locked(fx);
  }
  run(fx);
  return r;
}

net::ws_accept feishu_mock::on_upgrade(const net::server_request& req) {
  net::ws_accept a;
  auto refuse = [&a](unsigned status, const std::string& hs_status, const std::string& msg,
                     const std::string& autherr) {
    a.accept = false;
    a.refusal = feishu_error(status, status, msg.empty() ? "handshake refused" : msg);
    if (!hs_status.empty())
      a.refusal.headers.emplace_back("Handshake-Status", hs_status);
    if (!msg.empty())
      a.refusal.headers.emplace_back("Handshake-Msg", msg);
    if (!autherr.empty())
      a.refusal.headers.emplace_back("Handshake-Autherrcode", autherr);
  };
  auto ticket = split_target(req.target).param("ticket");
  ticket_entry entry;
  {
    std::lock_guard<std::mutex> lk{mu_};
    bump_locked("handshakes", "");
    auto it = tickets_.find(ticket);
    // An injected refusal for the ticket's app, else one for any app. The
    // ticket stays unused: clients start over with a fresh discovery anyway.
    auto app = it == tickets_.end() ? std::string{} : it->second.app_id;
    auto rule = refusals_.end();
    if (!app.empty())
      rule = refusals_.find(app);
    if (rule == refusals_.end())
      rule = refusals_.find("");
    if (rule != refusals_.end()) {
      auto rf = rule->second;
      if (--rule->second.remaining <= 0)
        refusals_.erase(rule);
      bump_locked("handshakes_refused", app);
      if (!app.empty())
        taint_reconnects_locked(app);
      refuse(rf.http_status, rf.handshake_status, rf.handshake_msg, rf.autherrcode);
      return a;
    }
    if (it == tickets_.end() || it->second.expires_mono_ms < mono_ms()) {
      // An unknown or used ticket is a server-side auth failure: clients retry
      // with a fresh discovery (514 without the connection-limit code, §6.9).
      bump_locked("handshakes_refused", "");
      refuse(403, "514", "invalid ticket", "1000040351");
      return a;
    }
    entry = it->second;
    tickets_.erase(it);  // single use, like the platform's short-lived tickets
  }
  std::weak_ptr<feishu_mock> weak = weak_from_this();
  a.on_open = [weak, entry](std::shared_ptr<net::ws_session> s) {
    if (auto self = weak.lock())
      self->on_ws_open(s, entry);
  };
  a.on_message = [weak](std::shared_ptr<net::ws_session> s, std::string data, bool binary) {
    if (auto self = weak.lock())
      self->on_ws_message(s, data, binary);
  };
  a.on_close = [weak](std::shared_ptr<net::ws_session> s, net::net_error) {
    if (auto self = weak.lock())
      self->on_ws_close(s);
  };
  return a;
}

void feishu_mock::on_ws_open(const std::shared_ptr<net::ws_session>& s,
                             const ticket_entry& t) {
  effects fx;
  {
    std::lock_guard<std::mutex> lk{mu_};
    if (stopped_) {
      fx.push_back([s] { s->drop(); });
    } else {
      auto& c = conns_[s->id()];
      c = connection{s->id(), t.app_id, t.device_id, t.service_id, s, wall_ms(), 0};
      app_conns_[t.app_id].push_back(c.id);
      bump_locked("connections_opened", t.app_id);
      note_reopen_locked(t.app_id);
      // Events waiting for this app (pushed while it was offline, or not
      // ACKed before a drop) go to the new connection (spec §6.9).
      auto q = pending_.find(t.app_id);
      if (q != pending_.end()) {
        for (auto id : q->second) {
          auto& d = deliveries_[id - 1];
          if (!d.acked && d.conn_id == 0)
            send_delivery_locked(d, c, fx);
        }
        pending_.erase(q);
      }
      wake_locked(fx);
    }
  }
  run(fx);
}

void feishu_mock::on_ws_message(const std::shared_ptr<net::ws_session>& s,
                                const std::string& data, bool binary) {
  auto f = binary ? feishu::decode_frame(data) : std::nullopt;
  effects fx;
  {
    std::lock_guard<std::mutex> lk{mu_};
    auto it = conns_.find(s->id());
    if (it == conns_.end())
      return;
    auto& c = it->second;
    if (c.blackholed) {
      // Nothing the client says gets through: no pongs, no ACKs.
      bump_locked("blackholed_frames", c.app_id);
      return;
    }
    if (!binary) {
      bump_locked("text_messages", c.app_id);  // the protocol ignores text frames
    } else if (!f) {
      bump_locked("bad_frames", c.app_id);
    } else if (f->method == 0) {
      if (f->header("type") == "ping") {
        ++c.pings;
        bump_locked("pings", c.app_id);
        if (f->service != c.service_id || f->seq_id != 0 || f->payload)
          bump_locked("bad_pings", c.app_id);
        if (answer_pings_ && muted_apps_.count(c.app_id) == 0) {
          auto pong = feishu::encode_frame(
            feishu::make_pong(c.service_id, feishu::client_config_json(opts_.client)));
          fx.push_back([s, pong = std::move(pong)]() mutable { s->send(std::move(pong), true); });
          bump_locked("pongs", c.app_id);
        }
      } else {
        bump_locked("control_frames", c.app_id);
      }
    } else {
      handle_ack_locked(c, *f);
    }
    wake_locked(fx);
  }
  run(fx);
}

void feishu_mock::on_ws_close(const std::shared_ptr<net::ws_session>& s) {
  effects fx;
  {
    std::lock_guard<std::mutex> lk{mu_};
    auto it = conns_.find(s->id());
    if (it == conns_.end())
      return;
    auto app = it->second.app_id;
    auto id = it->first;
    conns_.erase(it);
    auto& ids = app_conns_[app];
    ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
    if (ids.empty())
      app_conns_.erase(app);
    bump_locked("connections_closed", app);
    requeue_locked(id, fx);
    wake_locked(fx);
  }
  run(fx);
}

void feishu_mock::handle_ack_locked(connection& c, const feishu::frame& f) {
  ack_record a;
  a.index = acks_.size();
  a.app_id = c.app_id;
  a.conn_id = c.id;
  a.seq_id = f.seq_id;
  a.log_id = f.log_id;
  a.frame_message_id = f.header("message_id");
  a.code = f.payload ? feishu::ack_code(*f.payload) : -1;
  if (!f.headers.empty() && f.headers.back().key == "biz_rt")
    a.biz_rt = f.headers.back().value;
  delivery* d = nullptr;
  auto range = outstanding_.equal_range({c.id, f.seq_id});
  auto found = range.second;
  for (auto it = range.first; it != range.second; ++it) {
    auto& cand = deliveries_[it->second - 1];
    if (cand.frame_message_id == a.frame_message_id) {
      d = &cand;
      found = it;
      break;
    }
  }
  if (!d) {
    // Either unknown or a second ACK for a delivery already settled (looked
    // up among recent deliveries only, to stay cheap under load).
    size_t looked = 0;
    for (auto it = deliveries_.rbegin(); it != deliveries_.rend() && looked < 10000;
         ++it, ++looked) {
      if (it->acked && it->seq_id == f.seq_id && it->frame_message_id == a.frame_message_id) {
        a.duplicate = true;
        a.delivery_id = it->id;
        a.event_id = it->event_id;
        break;
      }
    }
    a.problems.push_back(a.duplicate ? "delivery already acknowledged"
                                     : "no outstanding delivery with this SeqID/message_id");
  } else {
    a.delivery_id = d->id;
    a.event_id = d->event_id;
    a.latency_ms = mono_ms() - d->sent_mono_ms;
    if (f.log_id != d->log_id)
      a.problems.push_back("LogID not echoed");
    if (f.service != c.service_id)
      a.problems.push_back("service not echoed");
    if (f.method != 1)
      a.problems.push_back("method is not 1");
    auto last = d->reverse ? 0 : d->parts - 1;
    auto want = part_headers(d->frame_message_id, d->trace_id, d->parts, last);
    if (f.headers.size() != want.size() + 1) {
      a.problems.push_back("expected " + std::to_string(want.size())
                           + " echoed headers plus biz_rt, got "
                           + std::to_string(f.headers.size()));
    } else {
      for (size_t i = 0; i < want.size(); ++i)
        if (f.headers[i].key != want[i].key || f.headers[i].value != want[i].value)
          a.problems.push_back("header " + std::to_string(i) + " not echoed ("
                               + want[i].key + ")");
      if (f.headers.back().key != "biz_rt" || !is_decimal(f.headers.back().value))
        a.problems.push_back("last header is not biz_rt with a non-negative integer");
    }
    if (f.payload_encoding || f.payload_type || f.log_id_new)
      a.problems.push_back("optional fields 6/7/9 present but not sent");
    if (a.code < 0)
      a.problems.push_back("payload is not {\"code\":N}");
    if (a.code == 200) {
      // Settled: free the payload (load runs push millions of events).
      d->acked = true;
      load_note_ack_locked(*d);
      std::string{}.swap(d->payload);
      outstanding_.erase(found);
    }
  }
  a.valid = a.problems.empty();
  bump_locked("acks", c.app_id);
  if (!a.valid)
    bump_locked("acks_invalid", c.app_id);
  if (d && a.code != 200)
    bump_locked("acks_failed", c.app_id);
  acks_.push_back(std::move(a));
}

std::vector<uint64_t> feishu_mock::push_locked(const std::string& app_id,
                                               const std::string& payload,
                                               const std::string& event_id,
                                               const std::string& message_id,
                                               const push_options& po, effects& fx) {
  std::vector<uint64_t> ids;
  for (int copy = 0; copy < (po.duplicate ? 2 : 1); ++copy) {
    auto n = std::to_string(next_id_++);
    delivery d;
    d.id = deliveries_.size() + 1;
    d.app_id = app_id;
    d.event_id = event_id;
    d.message_id = message_id;
    d.payload = payload;
    d.parts = std::clamp<int>(po.parts, 1, std::max<int>(1, static_cast<int>(payload.size())));
    d.reverse = po.reverse;
    // Explicit ids (to reproduce the spec's vectors) apply to the first copy;
    // a duplicate is a separate delivery with fresh frame ids.
    bool first = copy == 0;
    d.frame_message_id = first && !po.frame_message_id.empty() ? po.frame_message_id
                                                               : "msg_mock_" + n;
    d.trace_id = first && !po.trace_id.empty() ? po.trace_id : "trace_mock_" + n;
    d.seq_id = first && po.seq_id ? *po.seq_id : next_seq_++;
    d.log_id = first && po.log_id ? *po.log_id : next_log_++;
    deliveries_.push_back(std::move(d));
    bump_locked("events_pushed", app_id);
    if (auto* c = pick_connection_locked(app_id, po.conn_id))
      send_delivery_locked(deliveries_.back(), *c, fx);
    else
      pending_[app_id].push_back(deliveries_.back().id);
    ids.push_back(deliveries_.back().id);
  }
  return ids;
}

void feishu_mock::untrack_locked(const delivery& d) {
  auto range = outstanding_.equal_range({d.conn_id, d.seq_id});
  for (auto it = range.first; it != range.second; ++it)
    if (it->second == d.id) {
      outstanding_.erase(it);
      return;
    }
}

void feishu_mock::send_delivery_locked(delivery& d, connection& c, effects& fx) {
  untrack_locked(d);
  d.conn_id = c.id;
  ++d.sends;
  std::vector<std::string> frames;
  frames.reserve(static_cast<size_t>(d.parts));
  auto size = d.payload.size();
  for (int k = 0; k < d.parts; ++k) {
    int i = d.reverse ? d.parts - 1 - k : k;
    // Byte ranges [i*L/n, (i+1)*L/n): 441 bytes in 2 parts = 220 + 221 (§10.3).
    auto from = size * static_cast<size_t>(i) / static_cast<size_t>(d.parts);
    auto to = size * static_cast<size_t>(i + 1) / static_cast<size_t>(d.parts);
    feishu::frame f;
    f.seq_id = d.seq_id;
    f.log_id = d.log_id;
    f.service = c.service_id;
    f.method = 1;
    f.headers = part_headers(d.frame_message_id, d.trace_id, d.parts, i);
    f.payload = d.payload.substr(from, to - from);
    frames.push_back(feishu::encode_frame(f));
  }
  outstanding_.emplace(std::make_pair(c.id, d.seq_id), d.id);
  d.sent_mono_us = mono_us();
  d.sent_mono_ms = d.sent_mono_us / 1000;
  bump_locked("frames_sent", d.app_id, static_cast<uint64_t>(d.parts));
  bump_locked("deliveries_sent", d.app_id);
  fx.push_back([s = c.session, frames = std::move(frames)]() mutable {
    for (auto& b : frames)
      s->send(std::move(b), true);
  });
}

feishu_mock::connection* feishu_mock::pick_connection_locked(const std::string& app_id,
                                                             uint64_t preferred) {
  if (preferred != 0) {
    auto it = conns_.find(preferred);
    if (it != conns_.end() && it->second.app_id == app_id && !it->second.blackholed)
      return &it->second;
  }
  auto ids = app_conns_.find(app_id);
  if (ids == app_conns_.end() || ids->second.empty())
    return nullptr;
  // Cluster mode (spec §6): each event goes to exactly one connection of the
  // app; round robin keeps it deterministic. Blackholed connections are
  // skipped (the platform stops routing to a connection it cannot reach);
  // with none left the event waits for the app's next connection.
  auto& rr = round_robin_[app_id];
  for (size_t tries = 0; tries < ids->second.size(); ++tries) {
    auto& c = conns_.at(ids->second[rr++ % ids->second.size()]);
    if (!c.blackholed)
      return &c;
  }
  return nullptr;
}

void feishu_mock::requeue_locked(uint64_t conn_id, effects& fx) {
  std::vector<uint64_t> ids;
  auto from = outstanding_.lower_bound({conn_id, 0});
  auto to = outstanding_.lower_bound({conn_id + 1, 0});
  for (auto it = from; it != to; ++it)
    ids.push_back(it->second);
  outstanding_.erase(from, to);
  std::sort(ids.begin(), ids.end());
  for (auto id : ids) {
    auto& d = deliveries_[id - 1];
    d.conn_id = 0;
    bump_locked("redeliveries", d.app_id);
    if (auto* c = pick_connection_locked(d.app_id, 0))
      send_delivery_locked(d, *c, fx);
    else
      pending_[d.app_id].push_back(id);
  }
}

void feishu_mock::schedule_ack_sweep() {
  std::lock_guard<std::mutex> lk{mu_};
  if (stopped_ || opts_.ack_timeout_ms <= 0)
    return;
  auto period = std::clamp<int64_t>(opts_.ack_timeout_ms / 4, 20, 250);
  std::weak_ptr<feishu_mock> weak = weak_from_this();
  sweep_timer_ = run_after(io_.context(), std::chrono::milliseconds{period}, [weak] {
    if (auto self = weak.lock())
      self->ack_sweep();
  });
}

void feishu_mock::ack_sweep() {
  effects fx;
  {
    std::lock_guard<std::mutex> lk{mu_};
    sweep_timer_.reset();
    if (stopped_ || opts_.ack_timeout_ms <= 0)
      return;
    // The platform re-pushes an event not ACKed within the timeout (3 s).
    auto now = mono_ms();
    std::vector<uint64_t> late;
    for (const auto& [key, id] : outstanding_)
      if (now - deliveries_[id - 1].sent_mono_ms >= opts_.ack_timeout_ms)
        late.push_back(id);
    for (auto id : late) {
      auto& d = deliveries_[id - 1];
      auto c = conns_.find(d.conn_id);
      if (c == conns_.end() || c->second.blackholed)
        continue;  // a blackholed connection's events wait for its close
      bump_locked("repushes", d.app_id);
      send_delivery_locked(d, c->second, fx);
    }
    wake_locked(fx);
  }
  run(fx);
  schedule_ack_sweep();
}

size_t feishu_mock::drop_connections(const std::string& app_id, uint64_t conn_id,
                                     bool graceful) {
  std::vector<std::shared_ptr<net::ws_session>> victims;
  {
    std::lock_guard<std::mutex> lk{mu_};
    for (const auto& [id, c] : conns_) {
      if ((conn_id != 0 && id != conn_id) || (!app_id.empty() && c.app_id != app_id))
        continue;
      victims.push_back(c.session);
      if (c.blackholed) {
        // The mock, not the client, ended this blackhole: its record no
        // longer measures detection.
        for (auto i : awaiting_reopen_[c.app_id])
          if (reconnects_[i].kind == "blackhole")
            reconnects_[i].clean = false;
      }
      note_loss_locked(c.app_id, graceful ? "close" : "drop");
    }
    bump_locked(graceful ? "connections_closed_by_mock" : "connections_dropped", app_id,
                victims.size());
  }
  for (auto& s : victims) {
    if (graceful)
      s->close();
    else
      s->drop();  // TCP close without a close frame
  }
  return victims.size();
}

size_t feishu_mock::blackhole_connections_locked(const std::string& app_id, uint64_t conn_id) {
  size_t n = 0;
  for (auto& [id, c] : conns_) {
    if ((conn_id != 0 && id != conn_id) || (!app_id.empty() && c.app_id != app_id)
        || c.blackholed)
      continue;
    c.blackholed = true;
    note_loss_locked(c.app_id, "blackhole");
    ++n;
  }
  bump_locked("connections_blackholed", app_id, n);
  return n;
}

void feishu_mock::note_loss_locked(const std::string& app_id, const std::string& kind) {
  reconnect_record r;
  r.app_id = app_id;
  r.kind = kind;
  r.fault_ms = mono_ms();
  awaiting_reopen_[app_id].push_back(reconnects_.size());
  reconnects_.push_back(std::move(r));
}

void feishu_mock::taint_reconnects_locked(const std::string& app_id) {
  auto it = awaiting_reopen_.find(app_id);
  if (it == awaiting_reopen_.end())
    return;
  for (auto i : it->second)
    reconnects_[i].clean = false;
}

void feishu_mock::note_reopen_locked(const std::string& app_id) {
  auto it = awaiting_reopen_.find(app_id);
  if (it == awaiting_reopen_.end())
    return;
  auto now = mono_ms();
  for (auto i : it->second)
    reconnects_[i].reopened_ms = now;
  awaiting_reopen_.erase(it);
}

} // namespace loong::bench
