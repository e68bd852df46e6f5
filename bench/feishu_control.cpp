// Control API of mock_feishu (JSON over HTTP under /_mock/, documented in
// bench/README.md): apps, pushes, faults, switches, stats, wait, reset.

#include "bench/feishu_events.hpp"
#include "bench/feishu_mock.hpp"

namespace loong::bench {

net::server_response control_error(unsigned status, const std::string& msg) {
  return json_response(status, "{\"ok\":false,\"error\":" + json_quote(msg) + "}");
}

namespace {

const net::server_response ok_response = json_response(200, R"({"ok":true})");

bool valid_endpoint(const std::string& e) {
  for (const char* x : {"token", "send", "reply", "edit", "reaction", "bot_info", "discovery", "any"})
    if (e == x)
      return true;
  return false;
}

bool valid_fault_kind(const std::string& k) {
  for (const char* x : {"rate_limit", "freq_limit", "token_invalid", "server_error", "malformed",
                        "hang", "drop"})
    if (k == x)
      return true;
  for (const char* prefix : {"delay:", "http:", "code:"})
    if (k.rfind(prefix, 0) == 0)
      return to_int(k.substr(std::string{prefix}.size())).has_value();
  return to_int(k).has_value();
}

// Reads a JSON value that tests may give either as a number or a string.
std::string str_or_int(const rapidjson::Value& obj, const char* key, std::string def) {
  if (!json_has(obj, key))
    return def;
  const auto& v = obj[key];
  if (v.IsString())
    return {v.GetString(), v.GetStringLength()};
  if (v.IsInt64())
    return std::to_string(v.GetInt64());
  return def;
}

} // namespace

void feishu_mock::handle_control(const net::server_request& req, const target_parts& t,
                                 net::respond_fn respond) {
  auto what = t.path.substr(7);  // after "/_mock/"
  const bool get = req.method == "GET";
  const bool post = req.method == "POST";
  if (post && !req.body.empty() && !parse_object(req.body)) {
    respond(control_error(400, "body is not a JSON object"));
    return;
  }
  if (what == "wait" && get)
    return control_wait(t, std::move(respond));
  if (what == "webhook/deliver" && post)
    return control_webhook(req, std::move(respond));
  mock_reply r;
  if (what == "health")
    r.resp = ok_response;
  else if (what == "apps" && (get || post))
    r = control_apps(req);
  else if ((what == "push" || what == "push_raw") && post)
    r = control_push(req, what == "push_raw");
  else if ((what == "messages" || what == "edits" || what == "reactions" || what == "acks"
            || what == "deliveries")
           && get)
    r = control_list(what, t);
  else if (what == "faults")
    r = control_faults(req);
  else if (what == "config" && (get || post))
    r = control_config(req);
  else if (what == "stats" && get)
    r = control_stats();
  else if (what.rfind("connections", 0) == 0)
    r = control_connections(req, t);
  else if ((what == "ws/refuse" || what == "ws/pings" || what == "tokens/expire") && post)
    r = control_ws(what, req);
  else if (what == "reconnects" && get)
    r = control_reconnects();
  else if (what == "load" && (get || post))
    r = control_load(req);
  else if (what == "reset" && post)
    r = control_reset(req);
  else
    r.resp = control_error(404, "unknown control route " + req.method + " " + t.path);
  finish(std::move(respond), std::move(r));
}

mock_reply feishu_mock::control_apps(const net::server_request& req) {
  std::lock_guard<std::mutex> lk{mu_};
  if (req.method == "POST") {
    auto doc = parse_object(req.body);
    if (!doc)
      return {control_error(400, "body required")};
    feishu_app app;
    app.app_id = json_str(*doc, "app_id");
    app.app_secret = json_str(*doc, "app_secret");
    app.encrypt_key = json_str(*doc, "encrypt_key");
    app.verification_token = json_str(*doc, "verification_token");
    app.bot_open_id = json_str(*doc, "bot_open_id", "ou_bot_" + app.app_id);
    app.bot_name = json_str(*doc, "bot_name", "MockBot " + app.app_id);
    if (app.app_id.empty() || app.app_secret.empty())
      return {control_error(400, "app_id and app_secret are required")};
    apps_[app.app_id] = app;
  }
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("ok"), w.Bool(true);
  w.Key("apps");
  w.StartArray();
  for (const auto& [id, a] : apps_) {
    w.StartObject();
    w.Key("app_id"), w.String(a.app_id);
    w.Key("bot_open_id"), w.String(a.bot_open_id);
    w.Key("bot_name"), w.String(a.bot_name);
    w.Key("verification_token"), w.String(a.verification_token);
    w.Key("encrypted"), w.Bool(!a.encrypt_key.empty());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {json_response(200, {buf.GetString(), buf.GetSize()})};
}

mock_reply feishu_mock::control_push(const net::server_request& req, bool raw) {
  auto doc = parse_object(req.body);
  if (!doc)
    return {control_error(400, "body required")};
  const auto& b = *doc;
  push_options po;
  po.parts = static_cast<int>(json_int(b, "parts", 1));
  po.duplicate = json_bool(b, "duplicate", false);
  po.reverse = json_bool(b, "reverse", false);
  po.conn_id = static_cast<uint64_t>(json_int(b, "conn_id", 0));
  auto app_id = json_str(b, "app_id");
  // Each pushed event: payload bytes, event_id, message_id, chat_id.
  struct item {
    std::string payload, event_id, message_id, chat_id;
  };
  std::vector<item> items;
  effects fx;
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  {
    std::lock_guard<std::mutex> lk{mu_};
    const auto* app = app_locked(app_id);
    if (!app)
      return {control_error(404, "unknown app_id " + app_id)};
    if (raw) {
      item it;
      if (json_has(b, "event_json"))
        it.payload = json_str(b, "event_json");
      else if (json_has(b, "event") && b["event"].IsObject())
        it.payload = json_dump(b["event"]);
      if (it.payload.empty())
        return {control_error(400, "event_json (string) or event (object) required")};
      if (json_has(b, "seq_id"))
        po.seq_id = static_cast<uint64_t>(json_int(b, "seq_id", 0));
      if (json_has(b, "log_id"))
        po.log_id = static_cast<uint64_t>(json_int(b, "log_id", 0));
      po.frame_message_id = json_str(b, "frame_message_id");
      po.trace_id = json_str(b, "trace_id");
      if (auto ev = parse_object(it.payload)) {
        if (json_has(*ev, "header"))
          it.event_id = json_str((*ev)["header"], "event_id");
        if (json_has(*ev, "event") && json_has((*ev)["event"], "message")) {
          it.message_id = json_str((*ev)["event"]["message"], "message_id");
          it.chat_id = json_str((*ev)["event"]["message"], "chat_id");
        }
      }
      items.push_back(std::move(it));
    } else {
      auto count = std::max<int64_t>(1, json_int(b, "count", 1));
      for (int64_t i = 0; i < count; ++i) {
        auto n = std::to_string(next_id_++);
        message_event_spec s;
        s.app_id = app_id;
        s.token = app->verification_token;
        s.bot_open_id = app->bot_open_id;
        s.bot_name = app->bot_name;
        s.event_id = count == 1 ? json_str(b, "event_id", "evt_mock_" + n) : "evt_mock_" + n;
        s.message_id = count == 1 ? json_str(b, "message_id", "om_in_mock_" + n)
                                  : "om_in_mock_" + n;
        s.chat_id = json_str(b, "chat_id", "oc_mock_chat");
        s.chat_type = json_str(b, "chat_type", "p2p");
        s.text = json_str(b, "text", "hello");
        s.sender_open_id = json_str(b, "sender_open_id", "ou_user_mock");
        s.sender_type = json_str(b, "sender_type", "user");
        s.tenant_key = json_str(b, "tenant_key", "tk_mock");
        s.mention_bot = json_bool(b, "mention_bot", false);
        s.create_ms = json_int(b, "create_ms", wall_ms());
        items.push_back({build_message_event(s), s.event_id, s.message_id, s.chat_id});
      }
    }
    w.StartObject();
    w.Key("ok"), w.Bool(true);
    w.Key("events");
    w.StartArray();
    for (auto& it : items) {
      if (!it.message_id.empty() && !it.chat_id.empty())
        inbound_chats_[it.message_id] = it.chat_id;
      auto ids = push_locked(app_id, it.payload, it.event_id, it.message_id, po, fx);
      w.StartObject();
      w.Key("event_id"), w.String(it.event_id);
      w.Key("message_id"), w.String(it.message_id);
      w.Key("deliveries");
      w.StartArray();
      bool delivered = true;
      for (auto id : ids) {
        const auto& d = deliveries_[id - 1];
        delivered = delivered && d.conn_id != 0;
        w.StartObject();
        w.Key("delivery_id"), w.Uint64(id);
        w.Key("seq_id"), w.Uint64(d.seq_id);
        w.Key("log_id"), w.Uint64(d.log_id);
        w.Key("frame_message_id"), w.String(d.frame_message_id);
        w.Key("conn_id"), w.Uint64(d.conn_id);
        w.EndObject();
      }
      w.EndArray();
      w.Key("delivered"), w.Bool(delivered);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    wake_locked(fx);
  }
  run(fx);
  return {json_response(200, {buf.GetString(), buf.GetSize()})};
}

mock_reply feishu_mock::control_list(const std::string& what, const target_parts& t) {
  std::lock_guard<std::mutex> lk{mu_};
  return {json_response(200, list_json_locked(what, t))};
}

mock_reply feishu_mock::control_faults(const net::server_request& req) {
  std::lock_guard<std::mutex> lk{mu_};
  if (req.method == "DELETE") {
    faults_.clear();
  } else if (req.method == "POST") {
    auto doc = parse_object(req.body);
    if (!doc)
      return {control_error(400, "body required")};
    if (json_bool(*doc, "clear", false)) {
      faults_.clear();
    } else {
      fault_rule f;
      f.endpoint = json_str(*doc, "endpoint", "any");
      f.kind = str_or_int(*doc, "kind", "");
      f.remaining = json_int(*doc, "count", 1);
      f.app_id = json_str(*doc, "app_id");
      if (!f.app_id.empty() && !app_locked(f.app_id))
        return {control_error(404, "unknown app_id " + f.app_id)};
      if (!valid_endpoint(f.endpoint))
        return {control_error(400, "endpoint must be token|send|reply|edit|reaction|"
                                   "bot_info|discovery|any")};
      if (!valid_fault_kind(f.kind))
        return {control_error(400, "unknown fault kind '" + f.kind + "'")};
      if (f.remaining > 0)
        faults_.push_back(f);
    }
  } else if (req.method != "GET") {
    return {control_error(405, "GET, POST or DELETE")};
  }
  std::string body = R"({"ok":true,"faults":[)";
  for (size_t i = 0; i < faults_.size(); ++i)
    body += (i ? "," : "") + std::string{"{\"endpoint\":"} + json_quote(faults_[i].endpoint)
            + ",\"kind\":" + json_quote(faults_[i].kind)
            + ",\"app_id\":" + json_quote(faults_[i].app_id)
            + ",\"remaining\":" + std::to_string(faults_[i].remaining) + "}";
  return {json_response(200, body + "]}")};
}

mock_reply feishu_mock::control_config(const net::server_request& req) {
  bool start_sweep = false;
  std::string body;
  {
    std::lock_guard<std::mutex> lk{mu_};
    if (req.method == "POST") {
      auto doc = parse_object(req.body);
      if (!doc)
        return {control_error(400, "body required")};
      auto& c = opts_.client;
      c.ping_interval_s = static_cast<int>(json_int(*doc, "ping_interval", c.ping_interval_s));
      c.reconnect_count = static_cast<int>(json_int(*doc, "reconnect_count", c.reconnect_count));
      c.reconnect_interval_s =
        static_cast<int>(json_int(*doc, "reconnect_interval", c.reconnect_interval_s));
      c.reconnect_nonce_s = static_cast<int>(json_int(*doc, "reconnect_nonce", c.reconnect_nonce_s));
      opts_.token_ttl_s = json_int(*doc, "token_ttl", opts_.token_ttl_s);
      auto old_timeout = opts_.ack_timeout_ms;
      opts_.ack_timeout_ms = json_int(*doc, "ack_timeout_ms", opts_.ack_timeout_ms);
      start_sweep = old_timeout <= 0 && opts_.ack_timeout_ms > 0 && !sweep_timer_;
    }
    body = R"({"ok":true,"client_config":)" + feishu::client_config_json(opts_.client)
           + ",\"token_ttl\":" + std::to_string(opts_.token_ttl_s)
           + ",\"ack_timeout_ms\":" + std::to_string(opts_.ack_timeout_ms)
           + ",\"service_id\":" + std::to_string(opts_.service_id) + "}";
  }
  if (start_sweep)
    schedule_ack_sweep();
  return {json_response(200, std::move(body))};
}

mock_reply feishu_mock::control_stats() {
  // Listed even when zero, so readers need no defaults.
  static const char* always[] = {
    "token_requests", "token_fetches", "tokens_issued", "auth_missing", "auth_invalid",
    "sends", "replies", "messages", "edits", "reactions", "dedup_hits", "bot_info",
    "discovery", "handshakes", "handshakes_refused", "connections_opened",
    "connections_closed", "connections_dropped", "pings", "bad_pings", "pongs",
    "events_pushed", "deliveries_sent", "frames_sent", "acks", "acks_invalid",
    "acks_failed", "redeliveries", "repushes", "webhooks", "faults_fired",
    "connections_blackholed", "blackholed_frames"};
  std::lock_guard<std::mutex> lk{mu_};
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  for (const char* k : always)
    if (counters_.count(k) == 0)
      w.Key(k), w.Uint64(0);
  for (const auto& [k, per] : counters_)
    w.Key(k.c_str()), w.Uint64(per.count("") ? per.at("") : 0);
  w.Key("connections"), w.Uint64(conns_.size());
  w.Key("outstanding"), w.Uint64(outstanding_.size());
  size_t pending = 0;
  for (const auto& [app, q] : pending_)
    pending += q.size();
  w.Key("pending"), w.Uint64(pending);
  w.Key("hung"), w.Uint64(hung_.size());
  w.Key("per_app");
  w.StartObject();
  for (const auto& [app, a] : apps_) {
    w.Key(app.c_str());
    w.StartObject();
    for (const auto& [k, per] : counters_)
      if (auto i = per.find(app); i != per.end())
        w.Key(k.c_str()), w.Uint64(i->second);
    w.Key("connections"), w.Uint64(count_locked("connections", app));
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return {json_response(200, {buf.GetString(), buf.GetSize()})};
}

mock_reply feishu_mock::control_reset(const net::server_request& req) {
  auto doc = parse_object(req.body.empty() ? "{}" : req.body);
  bool apps = doc && json_bool(*doc, "apps", false);
  bool conns = doc && json_bool(*doc, "connections", false);
  std::vector<waiter> waiters;
  std::vector<net::respond_fn> hung;
  {
    std::lock_guard<std::mutex> lk{mu_};
    messages_.clear();
    edits_.clear();
    reactions_.clear();
    acks_.clear();
    deliveries_.clear();
    outstanding_.clear();
    pending_.clear();
    dedup_.clear();
    inbound_chats_.clear();
    faults_.clear();
    counters_.clear();
    refusals_.clear();
    reconnects_.clear();
    awaiting_reopen_.clear();
    answer_pings_ = true;
    muted_apps_.clear();
    waiters.swap(waiters_);
    hung.swap(hung_);
    if (apps) {
      apps_.clear();
      tokens_.clear();
      current_token_.clear();
      tickets_.clear();
    }
  }
  for (auto& w : waiters) {
    if (w.timer)
      w.timer->cancel();
    w.respond(control_error(409, "reset while waiting"));
  }
  hung.clear();  // their clients now get the server's 500
  if (conns)
    drop_connections({}, 0, false);
  return {ok_response};
}

void feishu_mock::control_wait(const target_parts& t, net::respond_fn respond) {
  auto kind = t.param("kind");
  auto app_id = t.param("app_id");
  auto count = static_cast<uint64_t>(std::max<int64_t>(0, t.int_param("count", 1)));
  auto timeout = std::clamp<int64_t>(t.int_param("timeout_ms", 5000), 0, 120000);
  if (kind.empty()) {
    respond(control_error(400, "kind is required"));
    return;
  }
  std::unique_lock<std::mutex> lk{mu_};
  auto n = count_locked(kind, app_id);
  if (n >= count || stopped_) {
    lk.unlock();
    respond(json_response(n >= count ? 200 : 408,
                          "{\"kind\":" + json_quote(kind) + ",\"app_id\":"
                            + json_quote(app_id) + ",\"count\":" + std::to_string(n)
                            + ",\"wanted\":" + std::to_string(count)
                            + ",\"satisfied\":" + (n >= count ? "true" : "false") + "}"));
    return;
  }
  waiter w{next_waiter_++, kind, app_id, count, std::move(respond), nullptr};
  std::weak_ptr<feishu_mock> weak = weak_from_this();
  w.timer = run_after(io_.context(), std::chrono::milliseconds{timeout}, [weak, id = w.id] {
    auto self = weak.lock();
    if (!self)
      return;
    net::respond_fn late;
    std::string body;
    {
      std::lock_guard<std::mutex> lk2{self->mu_};
      for (auto it = self->waiters_.begin(); it != self->waiters_.end(); ++it) {
        if (it->id != id)
          continue;
        body = "{\"kind\":" + json_quote(it->kind) + ",\"app_id\":" + json_quote(it->app_id)
               + ",\"count\":" + std::to_string(self->count_locked(it->kind, it->app_id))
               + ",\"wanted\":" + std::to_string(it->count) + ",\"satisfied\":false}";
        late = std::move(it->respond);
        self->waiters_.erase(it);
        break;
      }
    }
    if (late)
      late(json_response(408, body));
  });
  waiters_.push_back(std::move(w));
}

} // namespace loong::bench
