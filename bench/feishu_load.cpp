// Load generator of mock_feishu (bench/README.md, POST /_mock/load): the
// platform side of the load benchmark. Pushing from inside the mock keeps one
// clock for push, ACK and reply, and costs no control request per event.

#include "bench/feishu_events.hpp"
#include "bench/feishu_mock.hpp"

#include <algorithm>
#include <cmath>

namespace loong::bench {

namespace {

// The tick re-arms itself; each tick pushes every event due by then, so the
// rate holds even when a tick fires late.
constexpr std::chrono::milliseconds load_tick_period{1};
constexpr int64_t max_load_events = 10'000'000;

void write_percentiles(json_writer& w, const char* key, std::vector<int64_t> us) {
  std::sort(us.begin(), us.end());
  auto at = [&us](double q) {
    if (us.empty())
      return 0.0;
    auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(us.size())));
    return static_cast<double>(us[std::clamp<size_t>(rank, 1, us.size()) - 1]) / 1000.0;
  };
  w.Key(key);
  w.StartObject();
  w.Key("count"), w.Uint64(us.size());
  w.Key("p50_ms"), w.Double(at(0.50));
  w.Key("p95_ms"), w.Double(at(0.95));
  w.Key("p99_ms"), w.Double(at(0.99));
  w.Key("max_ms"), w.Double(us.empty() ? 0.0 : static_cast<double>(us.back()) / 1000.0);
  w.EndObject();
}

} // namespace

mock_reply feishu_mock::control_load(const net::server_request& req) {
  if (req.method == "GET") {
    auto unanswered = split_target(req.target).param("unanswered");
    std::lock_guard<std::mutex> lk{mu_};
    return {json_response(200, load_report_locked(unanswered == "1" || unanswered == "true"))};
  }
  auto doc = parse_object(req.body);
  if (!doc)
    return {control_error(400, "body required")};
  const auto& b = *doc;
  uint64_t run_id = 0;
  {
    std::lock_guard<std::mutex> lk{mu_};
    if (json_bool(b, "stop", false)) {
      if (load_.timer)
        load_.timer->cancel();
      load_.running = false;
      return {json_response(200, load_report_locked())};
    }
    if (load_.running)
      return {control_error(409, "a load run is in progress (POST {\"stop\":true} ends it)")};
    load_run run;
    if (json_has(b, "apps") && b["apps"].IsArray()) {
      for (const auto& a : b["apps"].GetArray())
        if (a.IsString())
          run.apps.emplace_back(a.GetString(), a.GetStringLength());
    } else {
      for (const auto& [id, app] : apps_)
        run.apps.push_back(id);
    }
    for (const auto& a : run.apps)
      if (!app_locked(a))
        return {control_error(404, "unknown app_id " + a)};
    if (run.apps.empty())
      return {control_error(400, "no apps to load")};
    run.rate = json_has(b, "rate") && b["rate"].IsNumber() ? b["rate"].GetDouble() : 0.0;
    run.total = json_int(b, "count", 0);
    run.chats_per_app = std::max<int64_t>(1, json_int(b, "chats_per_app", 1));
    run.text = json_str(b, "text", "load");
    run.apology_prefix = json_str(b, "apology_prefix", "Sorry");
    if (!(run.rate > 0) || run.total <= 0 || run.total > max_load_events)
      return {control_error(400, "rate > 0 and 1 <= count <= 10000000 are required")};
    run.id = load_.id + 1;
    run.running = true;
    run.start_us = mono_us();
    run.events.reserve(static_cast<size_t>(run.total));
    run.e2e_us.reserve(static_cast<size_t>(run.total));
    run.ack_us.reserve(static_cast<size_t>(run.total));
    load_ = std::move(run);
    run_id = load_.id;
    // Per run, so `GET /_mock/wait?kind=load_answered&count=<count>` works.
    counters_.erase("load_answered");
  }
  load_tick(run_id);
  return {json_response(200, R"({"ok":true,"id":)" + std::to_string(run_id) + "}")};
}

void feishu_mock::load_tick(uint64_t run_id) {
  effects fx;
  {
    std::lock_guard<std::mutex> lk{mu_};
    if (stopped_ || !load_.running || load_.id != run_id)
      return;
    auto now = mono_us();
    auto elapsed_s = static_cast<double>(now - load_.start_us) / 1e6;
    auto due = std::min<int64_t>(load_.total,
                                 1 + static_cast<int64_t>(elapsed_s * load_.rate));
    const auto napps = static_cast<int64_t>(load_.apps.size());
    auto wall = wall_ms();
    for (; load_.pushed < due; ++load_.pushed) {
      auto k = load_.pushed;
      auto app_index = k % napps;
      auto chat_index = (k / napps) % load_.chats_per_app;
      const auto* app = app_locked(load_.apps[static_cast<size_t>(app_index)]);
      if (!app)
        continue;  // forgotten by a reset; counted as lost
      auto n = std::to_string(next_id_++);
      message_event_spec s;
      s.app_id = app->app_id;
      s.token = app->verification_token;
      s.bot_open_id = app->bot_open_id;
      s.bot_name = app->bot_name;
      s.event_id = "evt_load_" + n;
      s.message_id = "om_load_" + n;
      s.chat_id = "oc_load_" + std::to_string(app_index) + "_" + std::to_string(chat_index);
      s.text = load_.text;
      s.sender_open_id = "ou_load_user_" + std::to_string(chat_index);
      s.create_ms = wall;
      inbound_chats_[s.message_id] = s.chat_id;
      load_.events[s.message_id] = load_event{mono_us(), static_cast<uint32_t>(app_index), 0,
                                              false};
      push_locked(s.app_id, build_message_event(s), s.event_id, s.message_id, {}, fx);
    }
    load_.last_push_us = mono_us();
    if (load_.pushed >= load_.total) {
      load_.running = false;
    } else {
      std::weak_ptr<feishu_mock> weak = weak_from_this();
      load_.timer = run_after(io_.context(), load_tick_period, [weak, run_id] {
        if (auto self = weak.lock())
          self->load_tick(run_id);
      });
    }
  }
  run(fx);
}

void feishu_mock::load_note_ack_locked(const delivery& d) {
  auto it = load_.events.find(d.message_id);
  if (it == load_.events.end() || it->second.acked)
    return;
  it->second.acked = true;
  ++load_.acked;
  load_.ack_us.push_back(mono_us() - d.sent_mono_us);
}

void feishu_mock::load_note_reply_locked(const message_record& m) {
  auto it = load_.events.find(m.reply_to);
  if (it == load_.events.end())
    return;
  auto now = mono_us();
  // Every recorded reply counts, first or duplicate: the user saw each.
  if (!load_.apology_prefix.empty()
      && message_text(m.msg_type, m.content).rfind(load_.apology_prefix, 0) == 0)
    ++load_.apologies;
  if (++it->second.replies > 1) {
    // A second recorded reply (a new uuid) is a duplicate the user would see;
    // same-uuid retries are absorbed by the platform's de-duplication.
    ++load_.duplicates;
    return;
  }
  ++load_.answered;
  load_.last_reply_us = now;
  load_.e2e_us.push_back(now - it->second.push_us);
  bump_locked("load_answered", "");
}

std::string feishu_mock::load_report_locked(bool unanswered) const {
  const auto& l = load_;
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  auto span_ms = [&l](int64_t until_us) {
    return until_us > l.start_us ? static_cast<double>(until_us - l.start_us) / 1000.0 : 0.0;
  };
  w.StartObject();
  w.Key("ok"), w.Bool(true);
  w.Key("id"), w.Uint64(l.id);
  w.Key("running"), w.Bool(l.running);
  w.Key("apps"), w.Uint64(l.apps.size());
  w.Key("chats_per_app"), w.Int64(l.chats_per_app);
  w.Key("rate"), w.Double(l.rate);
  w.Key("count"), w.Int64(l.total);
  w.Key("pushed"), w.Int64(l.pushed);
  w.Key("acked"), w.Int64(l.acked);
  w.Key("answered"), w.Int64(l.answered);
  w.Key("duplicates"), w.Int64(l.duplicates);
  w.Key("unanswered"), w.Int64(l.pushed - l.answered);
  w.Key("apologies"), w.Int64(l.apologies);
  w.Key("push_span_ms"), w.Double(span_ms(l.last_push_us));
  w.Key("answer_span_ms"), w.Double(span_ms(l.last_reply_us));
  // Answered events per second from the first push to the last reply.
  auto span = span_ms(l.last_reply_us);
  w.Key("answered_per_s"), w.Double(span > 0 ? static_cast<double>(l.answered) * 1000.0 / span : 0.0);
  write_percentiles(w, "e2e", l.e2e_us);
  write_percentiles(w, "ack", l.ack_us);
  if (unanswered) {
    // In push order, so a reader can line them up with faults by time.
    std::vector<std::pair<int64_t, const std::string*>> open;
    for (const auto& [id, e] : l.events)
      if (e.replies == 0)
        open.emplace_back(e.push_us, &id);
    std::sort(open.begin(), open.end());
    w.Key("unanswered_ids");
    w.StartArray();
    for (const auto& [push_us, id] : open) {
      const auto& e = l.events.at(*id);
      w.StartObject();
      w.Key("message_id"), w.String(*id);
      w.Key("app_id"), w.String(e.app_index < l.apps.size() ? l.apps[e.app_index] : "");
      w.Key("pushed_ms"), w.Double(span_ms(push_us));
      w.Key("acked"), w.Bool(e.acked);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

} // namespace loong::bench
