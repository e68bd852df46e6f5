#include "bench/feishu_mock.hpp"

#include <cstdio>

namespace loong::bench {

net::server_response json_response(unsigned status, std::string body, header_pairs extra) {
  net::server_response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(extra);
  return r;
}

net::server_response feishu_error(unsigned status, int64_t code, const std::string& msg) {
  return json_response(status, "{\"code\":" + std::to_string(code)
                                 + ",\"msg\":" + json_quote(msg) + "}");
}

std::string message_text(const std::string& msg_type, const std::string& content) {
  if (msg_type != "text")
    return {};
  auto doc = parse_object(content);
  return doc ? json_str(*doc, "text") : std::string{};
}

feishu_mock::feishu_mock(net::io_runtime& io, feishu_options opts)
  : io_(io), opts_(std::move(opts)) {
  for (auto app : opts_.apps) {
    if (app.bot_open_id.empty())
      app.bot_open_id = "ou_bot_" + app.app_id;
    if (app.bot_name.empty())
      app.bot_name = "MockBot " + app.app_id;
    apps_[app.app_id] = app;
  }
}

feishu_mock::~feishu_mock() {
  stop();
}

bool feishu_mock::start(std::string& err) {
  net::http_server_options so;
  so.port = opts_.port;
  so.body_limit = 16u << 20;        // raw events and webhook payloads from tests
  so.max_connections = 65536;       // load runs hold one long connection per account
  std::weak_ptr<feishu_mock> weak = weak_from_this();
  net::net_error e;
  server_ = net::http_server::start(
    io_, so,
    [weak](net::server_request req, net::respond_fn respond) {
      if (auto self = weak.lock())
        self->on_request(std::move(req), std::move(respond));
    },
    [weak](const net::server_request& req) {
      if (auto self = weak.lock())
        return self->on_upgrade(req);
      net::ws_accept refused;
      refused.accept = false;
      refused.refusal = feishu_error(503, 503, "shutting down");
      return refused;
    },
    &e);
  if (!server_) {
    err = e.detail.empty() ? std::string{net::to_string(e.code)} : e.detail;
    return false;
  }
  {
    std::lock_guard<std::mutex> lk{mu_};
    client_ = std::make_shared<net::http_client>(io_);
  }
  if (opts_.ack_timeout_ms > 0)
    schedule_ack_sweep();
  return true;
}

std::string feishu_mock::url() const {
  return server_ ? server_->url() : std::string{};
}

void feishu_mock::stop() {
  std::vector<waiter> waiters;
  std::vector<net::respond_fn> hung;
  std::shared_ptr<timer_handle> sweep;
  std::shared_ptr<net::http_client> client;
  {
    std::lock_guard<std::mutex> lk{mu_};
    if (stopped_)
      return;
    stopped_ = true;
    waiters.swap(waiters_);
    hung.swap(hung_);
    sweep = std::move(sweep_timer_);
    client = std::move(client_);
  }
  if (sweep)
    sweep->cancel();
  for (auto& w : waiters)
    if (w.timer)
      w.timer->cancel();
  if (server_)
    server_->stop();
  client.reset();  // cancels webhook calls still in flight (their callbacks run)
}

void feishu_mock::on_request(net::server_request req, net::respond_fn respond) {
  if (opts_.log_requests)
    std::fprintf(stderr, "mock_feishu: %s %s\n", req.method.c_str(), req.target.c_str());
  auto t = split_target(req.target);
  if (t.path.rfind("/_mock/", 0) == 0) {
    handle_control(req, t, std::move(respond));
  } else if (t.path == "/callback/ws/endpoint") {
    finish(std::move(respond), handle_discovery(req));
  } else if (t.path.rfind("/open-apis/", 0) == 0) {
    finish(std::move(respond), handle_openapi(req, t));
  } else {
    finish(std::move(respond), mock_reply{feishu_error(404, 404, "not found")});
  }
}

void feishu_mock::finish(net::respond_fn respond, mock_reply r) {
  if (r.hang) {
    // Held until reset or shutdown; the client sees no answer at all.
    std::lock_guard<std::mutex> lk{mu_};
    hung_.push_back(std::move(respond));
    return;
  }
  if (r.delay_ms > 0) {
    run_after(io_.context(), std::chrono::milliseconds{r.delay_ms},
              [respond = std::move(respond), resp = std::move(r.resp)]() mutable {
                respond(std::move(resp));
              });
    return;
  }
  respond(std::move(r.resp));
}

void feishu_mock::run(effects& fx) {
  for (auto& f : fx)
    f();
  fx.clear();
}

void feishu_mock::bump_locked(const std::string& kind, const std::string& app_id,
                              uint64_t n) {
  auto& per = counters_[kind];
  per[""] += n;
  if (!app_id.empty())
    per[app_id] += n;
}

uint64_t feishu_mock::count_locked(const std::string& kind,
                                   const std::string& app_id) const {
  if (kind == "connections") {
    if (app_id.empty())
      return conns_.size();
    auto i = app_conns_.find(app_id);
    return i == app_conns_.end() ? 0 : i->second.size();
  }
  auto i = counters_.find(kind);
  if (i == counters_.end())
    return 0;
  auto j = i->second.find(app_id);
  return j == i->second.end() ? 0 : j->second;
}

void feishu_mock::wake_locked(effects& fx) {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    auto n = count_locked(it->kind, it->app_id);
    if (n < it->count) {
      ++it;
      continue;
    }
    auto body = "{\"kind\":" + json_quote(it->kind) + ",\"app_id\":" + json_quote(it->app_id)
                + ",\"count\":" + std::to_string(n) + ",\"wanted\":"
                + std::to_string(it->count) + ",\"satisfied\":true}";
    fx.push_back([respond = std::move(it->respond), timer = std::move(it->timer),
                  body = std::move(body)] {
      if (timer)
        timer->cancel();
      respond(json_response(200, body));
    });
    it = waiters_.erase(it);
  }
}

const feishu_app* feishu_mock::app_locked(const std::string& app_id) const {
  auto i = apps_.find(app_id);
  return i == apps_.end() ? nullptr : &i->second;
}

std::optional<mock_reply> feishu_mock::take_fault_locked(const std::string& endpoint,
                                                         const std::string& app_id,
                                                         const std::string& token,
                                                         int64_t& delay_ms) {
  auto it = faults_.begin();
  for (; it != faults_.end(); ++it)
    if (it->remaining > 0 && (it->endpoint == endpoint || it->endpoint == "any")
        && (it->app_id.empty() || it->app_id == app_id))
      break;
  if (it == faults_.end())
    return std::nullopt;
  auto kind = it->kind;
  if (--it->remaining <= 0)
    faults_.erase(it);
  bump_locked("faults_fired", app_id);
  bump_locked("faults_" + endpoint, app_id);
  // A reconnect that had to get past a failed discovery is not "clean".
  if (endpoint == "discovery")
    taint_reconnects_locked(app_id);
  mock_reply r;
  if (kind == "drop") {
    // Read, then hung up on: the client sees the connection close unanswered.
    r.resp.drop = true;
  } else if (kind == "rate_limit") {
    r.resp = json_response(429, R"({"code":99991400,"msg":"request trigger frequency limit"})",
                           {{"x-ogw-ratelimit-limit", "50"}, {"x-ogw-ratelimit-reset", "1"}});
  } else if (kind == "freq_limit") {
    r.resp = feishu_error(400, 230020, "This operation triggers the frequency limit.");
  } else if (kind == "token_invalid") {
    if (auto t = tokens_.find(token); t != tokens_.end())
      t->second.revoked = true;
    r.resp = feishu_error(400, 99991663, "Invalid access token for authorization.");
  } else if (kind == "server_error") {
    r.resp = json_response(500, R"({"code":500,"msg":"mock internal server error"})");
  } else if (kind == "malformed") {
    // A 200 whose JSON stops mid-token: parsers must report, not crash.
    r.resp = json_response(200, R"({"code":0,"msg":"success","data":{"message_id":"om_)");
  } else if (kind == "hang") {
    r.hang = true;
  } else if (kind.rfind("delay:", 0) == 0) {
    delay_ms += to_int(kind.substr(6)).value_or(0);
    return std::nullopt;
  } else if (kind.rfind("http:", 0) == 0) {
    auto st = static_cast<unsigned>(to_int(kind.substr(5)).value_or(500));
    r.resp = feishu_error(st, st, "mock http fault");
  } else {
    // "code:<n>" or a bare number: HTTP 200 with that business code (discovery
    // codes 1, 1000040343, 10003 and any other).
    auto num = kind.rfind("code:", 0) == 0 ? kind.substr(5) : kind;
    r.resp = feishu_error(200, to_int(num).value_or(1), "mock fault");
  }
  return r;
}

} // namespace loong::bench
