// Control API of mock_feishu, part 2: recorded lists, connections and the
// long-connection switches.

#include "bench/feishu_mock.hpp"

namespace loong::bench {

std::string feishu_mock::list_json_locked(const std::string& what,
                                          const target_parts& t) const {
  auto app = t.param("app_id");
  auto since = static_cast<size_t>(std::max<int64_t>(0, t.int_param("since", 0)));
  auto kind = t.param("kind");
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key(what.c_str());
  w.StartArray();
  size_t total = 0;
  if (what == "messages" || what == "edits" || what == "reactions") {
    const auto& list = what == "messages" ? messages_ : what == "edits" ? edits_ : reactions_;
    total = list.size();
    for (size_t i = since; i < list.size(); ++i) {
      const auto& m = list[i];
      if ((!app.empty() && m.app_id != app) || (!kind.empty() && m.kind != kind))
        continue;
      w.StartObject();
      w.Key("index"), w.Uint64(m.index);
      w.Key("app_id"), w.String(m.app_id);
      w.Key("kind"), w.String(m.kind);
      w.Key("message_id"), w.String(m.message_id);
      w.Key("receive_id"), w.String(m.receive_id);
      w.Key("receive_id_type"), w.String(m.receive_id_type);
      w.Key("reply_to"), w.String(m.reply_to);
      w.Key("reply_in_thread"), w.Bool(m.reply_in_thread);
      w.Key("msg_type"), w.String(m.msg_type);
      w.Key("content"), w.String(m.content);
      w.Key("text"), w.String(message_text(m.msg_type, m.content));
      w.Key("uuid"), w.String(m.uuid);
      w.Key("time_ms"), w.Int64(m.time_ms);
      w.EndObject();
    }
  } else if (what == "acks") {
    total = acks_.size();
    for (size_t i = since; i < acks_.size(); ++i) {
      const auto& a = acks_[i];
      if (!app.empty() && a.app_id != app)
        continue;
      w.StartObject();
      w.Key("index"), w.Uint64(a.index);
      w.Key("app_id"), w.String(a.app_id);
      w.Key("conn_id"), w.Uint64(a.conn_id);
      w.Key("delivery_id"), w.Uint64(a.delivery_id);
      w.Key("event_id"), w.String(a.event_id);
      w.Key("frame_message_id"), w.String(a.frame_message_id);
      w.Key("seq_id"), w.Uint64(a.seq_id);
      w.Key("log_id"), w.Uint64(a.log_id);
      w.Key("code"), w.Int(a.code);
      w.Key("biz_rt"), w.String(a.biz_rt);
      w.Key("latency_ms"), w.Int64(a.latency_ms);
      w.Key("valid"), w.Bool(a.valid);
      w.Key("duplicate"), w.Bool(a.duplicate);
      w.Key("problems");
      w.StartArray();
      for (const auto& p : a.problems)
        w.String(p);
      w.EndArray();
      w.EndObject();
    }
  } else {  // deliveries
    total = deliveries_.size();
    bool unacked_only = t.param("unacked") == "1" || t.param("unacked") == "true";
    for (size_t i = since; i < deliveries_.size(); ++i) {
      const auto& d = deliveries_[i];
      if ((!app.empty() && d.app_id != app) || (unacked_only && d.acked))
        continue;
      w.StartObject();
      w.Key("delivery_id"), w.Uint64(d.id);
      w.Key("app_id"), w.String(d.app_id);
      w.Key("event_id"), w.String(d.event_id);
      w.Key("message_id"), w.String(d.message_id);
      w.Key("frame_message_id"), w.String(d.frame_message_id);
      w.Key("trace_id"), w.String(d.trace_id);
      w.Key("seq_id"), w.Uint64(d.seq_id);
      w.Key("log_id"), w.Uint64(d.log_id);
      w.Key("parts"), w.Int(d.parts);
      w.Key("conn_id"), w.Uint64(d.conn_id);
      w.Key("sends"), w.Int(d.sends);
      w.Key("acked"), w.Bool(d.acked);
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("total"), w.Uint64(total);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

mock_reply feishu_mock::control_connections(const net::server_request& req,
                                            const target_parts& t) {
  if (t.path == "/_mock/connections/drop" && req.method == "POST") {
    auto doc = parse_object(req.body.empty() ? "{}" : req.body);
    auto app = doc ? json_str(*doc, "app_id") : std::string{};
    auto conn = doc ? static_cast<uint64_t>(json_int(*doc, "conn_id", 0)) : 0;
    auto graceful = doc && json_bool(*doc, "graceful", false);
    auto n = drop_connections(app, conn, graceful);
    return {json_response(200, R"({"ok":true,"dropped":)" + std::to_string(n) + "}")};
  }
  if (t.path == "/_mock/connections/blackhole" && req.method == "POST") {
    auto doc = parse_object(req.body.empty() ? "{}" : req.body);
    auto app = doc ? json_str(*doc, "app_id") : std::string{};
    auto conn = doc ? static_cast<uint64_t>(json_int(*doc, "conn_id", 0)) : 0;
    effects fx;
    size_t n = 0;
    {
      std::lock_guard<std::mutex> lk{mu_};
      n = blackhole_connections_locked(app, conn);
      wake_locked(fx);
    }
    run(fx);
    return {json_response(200, R"({"ok":true,"blackholed":)" + std::to_string(n) + "}")};
  }
  if (t.path != "/_mock/connections" || req.method != "GET")
    return {feishu_error(404, 404, "unknown connections route")};
  auto app = t.param("app_id");
  std::lock_guard<std::mutex> lk{mu_};
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("count"), w.Uint64(count_locked("connections", app));
  w.Key("connections");
  w.StartArray();
  for (const auto& [id, c] : conns_) {
    if (!app.empty() && c.app_id != app)
      continue;
    w.StartObject();
    w.Key("conn_id"), w.Uint64(id);
    w.Key("app_id"), w.String(c.app_id);
    w.Key("device_id"), w.String(c.device_id);
    w.Key("service_id"), w.Int(c.service_id);
    w.Key("opened_ms"), w.Int64(c.opened_ms);
    w.Key("pings"), w.Uint64(c.pings);
    w.Key("blackholed"), w.Bool(c.blackholed);
    w.EndObject();
  }
  w.EndArray();
  w.Key("per_app");
  w.StartObject();
  for (const auto& [a, ids] : app_conns_)
    w.Key(a.c_str()), w.Uint64(ids.size());
  w.EndObject();
  w.EndObject();
  return {json_response(200, {buf.GetString(), buf.GetSize()})};
}

mock_reply feishu_mock::control_ws(const std::string& what, const net::server_request& req) {
  auto doc = parse_object(req.body.empty() ? "{}" : req.body);
  if (!doc)
    return {feishu_error(400, 400, "body is not a JSON object")};
  const auto& b = *doc;
  auto num_or_str = [&b](const char* key, std::string def) {
    if (!json_has(b, key))
      return def;
    if (b[key].IsString())
      return json_str(b, key);
    return std::to_string(json_int(b, key, 0));
  };
  std::lock_guard<std::mutex> lk{mu_};
  if (what == "ws/refuse") {
    // One rule per app ("" = any app); a new one replaces the old.
    auto app = json_str(b, "app_id");
    if (!app.empty() && !app_locked(app))
      return {control_error(404, "unknown app_id " + app)};
    refusal rf;
    rf.remaining = json_int(b, "count", 1);
    rf.http_status = static_cast<unsigned>(json_int(b, "status", 403));
    rf.handshake_status = num_or_str("handshake_status", "403");
    rf.handshake_msg = json_str(b, "handshake_msg", "forbidden");
    rf.autherrcode = num_or_str("autherrcode", "");
    if (rf.remaining > 0)
      refusals_[app] = rf;
    else
      refusals_.erase(app);
  } else if (what == "ws/pings") {
    auto answer = json_bool(b, "answer", true);
    auto app = json_str(b, "app_id");
    if (app.empty())
      answer_pings_ = answer;
    else if (answer)
      muted_apps_.erase(app);
    else
      muted_apps_.insert(app);
  } else {  // tokens/expire: every token of the app (or all) expires now
    auto app = json_str(b, "app_id");
    size_t n = 0;
    for (auto& [tok, e] : tokens_)
      if (app.empty() || e.app_id == app) {
        e.expires_ms = mono_ms() - 1;
        ++n;
      }
    return {json_response(200, R"({"ok":true,"expired":)" + std::to_string(n) + "}")};
  }
  return {json_response(200, R"({"ok":true})")};
}

mock_reply feishu_mock::control_reconnects() {
  std::lock_guard<std::mutex> lk{mu_};
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  // The mock's monotonic clock now, so callers can place their own events
  // (e.g. a process kill) on the same time line.
  w.Key("now_ms"), w.Int64(mono_ms());
  w.Key("reconnects");
  w.StartArray();
  for (const auto& r : reconnects_) {
    w.StartObject();
    w.Key("app_id"), w.String(r.app_id);
    w.Key("kind"), w.String(r.kind);
    w.Key("fault_ms"), w.Int64(r.fault_ms);
    w.Key("reopened_ms"), w.Int64(r.reopened_ms);
    w.Key("gap_ms"), w.Int64(r.reopened_ms < 0 ? -1 : r.reopened_ms - r.fault_ms);
    w.Key("clean"), w.Bool(r.clean);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {json_response(200, {buf.GetString(), buf.GetSize()})};
}

} // namespace loong::bench
