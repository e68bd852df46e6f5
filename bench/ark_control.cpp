// Control API of mock_ark (JSON under /_mock/, documented in bench/README.md).

#include "bench/ark_mock.hpp"

#include <algorithm>

namespace loong::bench {

namespace {

std::string control_error(const std::string& msg) {
  return "{\"ok\":false,\"error\":" + json_quote(msg) + "}";
}

bool valid_fault(const std::string& k) {
  for (const char* x : {"401", "403", "404", "429", "429-quota", "500", "503", "hang"})
    if (k == x)
      return true;
  return k.rfind("delay:", 0) == 0 && to_int(k.substr(6)).has_value();
}

} // namespace

uint64_t ark_mock::count_locked(const std::string& kind) const {
  if (kind == "requests")
    return requests_;
  if (kind == "completed")
    return completed_;
  if (kind == "aborted")
    return aborted_;
  if (kind == "streams")
    return streams_;
  if (kind == "errors")
    return errors_;
  if (kind == "in_flight")
    return static_cast<uint64_t>(std::max<int64_t>(0, in_flight_));
  return 0;
}

void ark_mock::wake_locked(std::vector<std::shared_ptr<exchange>>& ready,
                           std::vector<std::string>& bodies) {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    auto n = count_locked(it->kind);
    if (n < it->count) {
      ++it;
      continue;
    }
    if (it->timer)
      it->timer->cancel();
    ready.push_back(std::move(it->ex));
    bodies.push_back("{\"kind\":" + json_quote(it->kind) + ",\"count\":" + std::to_string(n)
                     + ",\"wanted\":" + std::to_string(it->count) + ",\"satisfied\":true}");
    it = waiters_.erase(it);
  }
}

std::string ark_mock::stats_json_locked() const {
  return "{\"requests\":" + std::to_string(requests_)
         + ",\"models_requests\":" + std::to_string(models_requests_)
         + ",\"streams\":" + std::to_string(streams_)
         + ",\"completed\":" + std::to_string(completed_)
         + ",\"aborted\":" + std::to_string(aborted_) + ",\"errors\":" + std::to_string(errors_)
         + ",\"auth_failures\":" + std::to_string(auth_failures_)
         + ",\"faults_fired\":" + std::to_string(faults_fired_)
         + ",\"in_flight\":" + std::to_string(in_flight_)
         + ",\"max_in_flight\":" + std::to_string(max_in_flight_)
         + ",\"hung\":"
         + std::to_string(std::count_if(hung_.begin(), hung_.end(),
                                        [](auto& x) { return !x->finished(); }))
         + "}";
}

void ark_mock::handle_control(const raw_request& req, const target_parts& t,
                              std::shared_ptr<exchange> ex) {
  auto what = t.path.substr(7);  // after "/_mock/"
  auto doc = parse_object(req.body.empty() ? "{}" : req.body);
  if (!doc)
    return ex->respond(400, {}, control_error("body is not a JSON object"));
  const auto& b = *doc;
  const bool get = req.method == "GET";
  const bool post = req.method == "POST";
  std::vector<std::shared_ptr<exchange>> release;
  std::unique_lock<std::mutex> lk{mu_};
  if (what == "health") {
    lk.unlock();
    return ex->respond(200, {}, R"({"ok":true})");
  }
  if (what == "faults" && (get || post || req.method == "DELETE")) {
    if (req.method == "DELETE" || json_bool(b, "clear", false)) {
      faults_.clear();
    } else if (post) {
      fault f;
      f.kind = json_has(b, "kind") && b["kind"].IsInt64() ? std::to_string(b["kind"].GetInt64())
                                                          : json_str(b, "kind");
      f.remaining = json_int(b, "count", 1);
      if (!valid_fault(f.kind)) {
        lk.unlock();
        return ex->respond(400, {}, control_error("unknown fault kind '" + f.kind + "'"));
      }
      if (f.remaining > 0)
        faults_.push_back(f);
    }
    std::string body = R"({"ok":true,"faults":[)";
    for (size_t i = 0; i < faults_.size(); ++i)
      body += (i ? "," : "") + std::string{"{\"kind\":"} + json_quote(faults_[i].kind)
              + ",\"remaining\":" + std::to_string(faults_[i].remaining) + "}";
    lk.unlock();
    return ex->respond(200, {}, body + "]}");
  }
  if (what == "latency" && (get || post)) {
    opts_.delay_ms = std::max<int64_t>(0, json_int(b, "delay_ms", opts_.delay_ms));
    opts_.token_delay_ms = std::max<int64_t>(0, json_int(b, "token_delay_ms", opts_.token_delay_ms));
    opts_.slow_ms = std::max<int64_t>(0, json_int(b, "slow_ms", opts_.slow_ms));
    auto body = "{\"ok\":true,\"delay_ms\":" + std::to_string(opts_.delay_ms)
                + ",\"token_delay_ms\":" + std::to_string(opts_.token_delay_ms)
                + ",\"slow_ms\":" + std::to_string(opts_.slow_ms) + "}";
    lk.unlock();
    return ex->respond(200, {}, body);
  }
  if (what == "requests" && get) {
    auto since = static_cast<size_t>(std::max<int64_t>(0, t.int_param("since", 0)));
    rapidjson::StringBuffer buf;
    json_writer w{buf};
    w.StartObject();
    w.Key("requests");
    w.StartArray();
    for (size_t i = since; i < records_.size(); ++i) {
      const auto& r = records_[i];
      w.StartObject();
      w.Key("index"), w.Uint64(r.index);
      w.Key("model"), w.String(r.model);
      w.Key("stream"), w.Bool(r.stream);
      w.Key("include_usage"), w.Bool(r.include_usage);
      w.Key("max_tokens"), w.Int64(r.max_tokens);
      w.Key("time_ms"), w.Int64(r.time_ms);
      w.Key("status"), w.Uint(r.status);
      w.Key("fault"), w.String(r.fault);
      w.Key("messages");
      w.StartArray();
      for (const auto& m : r.messages) {
        w.StartObject();
        w.Key("role"), w.String(m.role);
        w.Key("content"), w.String(m.content);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.Key("total"), w.Uint64(records_.size());
    w.EndObject();
    lk.unlock();
    return ex->respond(200, {}, {buf.GetString(), buf.GetSize()});
  }
  if (what == "stats" && get) {
    auto body = stats_json_locked();
    lk.unlock();
    return ex->respond(200, {}, body);
  }
  if (what == "wait" && get) {
    auto kind = t.param("kind", "requests");
    auto count = static_cast<uint64_t>(std::max<int64_t>(0, t.int_param("count", 1)));
    auto timeout = std::clamp<int64_t>(t.int_param("timeout_ms", 5000), 0, 120000);
    auto n = count_locked(kind);
    if (n >= count || stopped_) {
      lk.unlock();
      return ex->respond(n >= count ? 200 : 408, {},
                         "{\"kind\":" + json_quote(kind) + ",\"count\":" + std::to_string(n)
                           + ",\"satisfied\":" + (n >= count ? "true" : "false") + "}");
    }
    waiter w{next_waiter_++, kind, count, ex, nullptr};
    std::weak_ptr<ark_mock> weak = weak_from_this();
    w.timer = run_after(io_, std::chrono::milliseconds{timeout}, [weak, id = w.id] {
      auto self = weak.lock();
      if (!self)
        return;
      std::shared_ptr<exchange> late;
      std::string body;
      {
        std::lock_guard<std::mutex> lk2{self->mu_};
        auto it = std::find_if(self->waiters_.begin(), self->waiters_.end(),
                               [id](auto& x) { return x.id == id; });
        if (it == self->waiters_.end())
          return;
        late = std::move(it->ex);
        body = "{\"kind\":" + json_quote(it->kind) + ",\"count\":"
               + std::to_string(self->count_locked(it->kind)) + ",\"satisfied\":false}";
        self->waiters_.erase(it);
      }
      late->respond(408, {}, body);
    });
    waiters_.push_back(std::move(w));
    return;
  }
  if (what == "reset" && post) {
    records_.clear();
    faults_.clear();
    release.swap(hung_);
    requests_ = models_requests_ = streams_ = completed_ = aborted_ = 0;
    errors_ = auth_failures_ = faults_fired_ = 0;
    max_in_flight_ = in_flight_;
    lk.unlock();
    for (auto& h : release)
      h->abort();  // hung clients see the connection close
    return ex->respond(200, {}, R"({"ok":true})");
  }
  lk.unlock();
  ex->respond(404, {}, control_error("unknown control route " + req.method + " " + t.path));
}

} // namespace loong::bench
