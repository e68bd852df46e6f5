#include "bench/ark_mock.hpp"

#include <algorithm>
#include <cstdio>

namespace loong::bench {

namespace {

std::string request_id(uint64_t n) {
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (int i = 0; i < 16; ++i, n >>= 4)
    hex.insert(hex.begin(), digits[n & 0xf]);
  return "021" + std::to_string(wall_ms()) + hex;
}

ark_plan error_plan(unsigned status, const std::string& code, const std::string& message,
                    const std::string& type, const std::string& rid) {
  ark_plan p;
  p.status = status;
  p.body = ark_error_body(code, message + " Request id: " + rid, type);
  return p;
}

// A message's content: a string, or the text parts of an array (§3).
std::string content_text(const rapidjson::Value& m) {
  if (!m.IsObject() || !m.HasMember("content"))
    return {};
  const auto& c = m["content"];
  if (c.IsString())
    return {c.GetString(), c.GetStringLength()};
  std::string out;
  if (c.IsArray())
    for (const auto& part : c.GetArray())
      if (json_str(part, "type") == "text")
        out += json_str(part, "text");
  return out;
}

} // namespace

ark_mock::ark_mock(boost::asio::io_context& io, ark_options opts)
  : io_(io), opts_(std::move(opts)) {
}

ark_mock::~ark_mock() {
  stop();
}

bool ark_mock::start(std::string& err) {
  std::weak_ptr<ark_mock> weak = weak_from_this();
  server_ = stream_server::start(
    io_, opts_.port,
    [weak](raw_request req, std::shared_ptr<exchange> ex) {
      if (auto self = weak.lock())
        self->on_request(std::move(req), std::move(ex));
      else
        ex->abort();
    },
    err);
  return server_ != nullptr;
}

std::string ark_mock::url() const {
  return server_ ? "http://127.0.0.1:" + std::to_string(server_->port()) : std::string{};
}

void ark_mock::stop() {
  std::vector<std::shared_ptr<exchange>> hung;
  std::vector<waiter> waiters;
  {
    std::lock_guard<std::mutex> lk{mu_};
    if (stopped_)
      return;
    stopped_ = true;
    hung.swap(hung_);
    waiters.swap(waiters_);
  }
  for (auto& w : waiters)
    if (w.timer)
      w.timer->cancel();
  if (server_)
    server_->stop();
}

void ark_mock::on_request(raw_request req, std::shared_ptr<exchange> ex) {
  if (opts_.log_requests)
    std::fprintf(stderr, "mock_ark: %s %s\n", req.method.c_str(), req.target.c_str());
  auto t = split_target(req.target);
  if (t.path.rfind("/_mock/", 0) == 0)
    return handle_control(req, t, std::move(ex));
  bool chat = t.path == "/api/v3/chat/completions" && req.method == "POST";
  bool models = t.path == "/api/v3/models" && req.method == "GET";
  if (!chat && !models)
    return ex->respond(404, {}, {});  // unknown path: empty body (spec §7)
  ark_plan p;
  std::vector<std::shared_ptr<exchange>> ready;
  std::vector<std::string> bodies;
  {
    std::lock_guard<std::mutex> lk{mu_};
    auto rid = request_id(next_id_++);
    if (chat) {
      ++requests_;
      max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
      p = plan_chat_locked(req, rid);
    } else {
      ++models_requests_;
      p = plan_models_locked(req, rid);
    }
    if (p.status >= 400)
      ++errors_;
    wake_locked(ready, bodies);
  }
  if (chat) {
    std::weak_ptr<ark_mock> weak = weak_from_this();
    ex->on_done([weak](bool completed) {
      auto self = weak.lock();
      if (!self)
        return;
      std::vector<std::shared_ptr<exchange>> r;
      std::vector<std::string> b;
      {
        std::lock_guard<std::mutex> lk{self->mu_};
        --self->in_flight_;
        ++(completed ? self->completed_ : self->aborted_);
        self->wake_locked(r, b);
      }
      for (size_t i = 0; i < r.size(); ++i)
        r[i]->respond(200, {}, b[i]);
    });
  }
  for (size_t i = 0; i < ready.size(); ++i)
    ready[i]->respond(200, {}, bodies[i]);
  execute(std::move(p), std::move(ex));
}

std::optional<ark_plan> ark_mock::fault_plan_locked(const std::string& rid, int64_t& delay_ms,
                                                    std::string& fired) {
  auto it = std::find_if(faults_.begin(), faults_.end(), [](auto& f) { return f.remaining > 0; });
  if (it == faults_.end())
    return std::nullopt;
  fired = it->kind;
  if (--it->remaining <= 0)
    faults_.erase(it);
  ++faults_fired_;
  if (fired.rfind("delay:", 0) == 0) {
    delay_ms += to_int(fired.substr(6)).value_or(0);
    return std::nullopt;
  }
  ark_plan p;
  if (fired == "hang") {
    p.how = ark_plan::mode::hang;
  } else if (fired == "401") {
    p = error_plan(401, "AuthenticationError",
                   "The API key or AK/SK in the request is missing or invalid.", "Unauthorized",
                   rid);
  } else if (fired == "403") {
    p = error_plan(403, "AccessDenied", "Access denied.", "Forbidden", rid);
  } else if (fired == "404") {
    p = error_plan(404, "InvalidEndpointOrModel.NotFound",
                   "The model or endpoint does not exist or you do not have access to it.",
                   "NotFound", rid);
  } else if (fired == "429") {
    p = error_plan(429, "RateLimitExceeded.EndpointRPMExceeded",
                   "The request rate of the endpoint exceeded the limit.", "TooManyRequests",
                   rid);
    p.headers.emplace_back("Retry-After", "1");
  } else if (fired == "429-quota") {
    p = error_plan(429, "QuotaExceeded", "The quota of the account is exhausted.",
                   "TooManyRequests", rid);
  } else if (fired == "503") {
    p = error_plan(503, "ServiceUnavailable", "The service is unavailable.",
                   "ServiceUnavailable", rid);
  } else {
    p = error_plan(500, "InternalServiceError", "The service encountered an internal error.",
                   "InternalServerError", rid);
  }
  return p;
}

ark_plan ark_mock::plan_models_locked(const raw_request& req, const std::string& rid) {
  int64_t delay = 0;
  std::string fired;
  auto p = fault_plan_locked(rid, delay, fired);
  if (!p) {
    if (header_value(req.headers, "authorization") != "Bearer " + opts_.key) {
      ++auth_failures_;
      p = error_plan(401, "AuthenticationError",
                     "The API key or AK/SK in the request is missing or invalid.",
                     "Unauthorized", rid);
    } else {
      p = ark_plan{};
      p->body = models_body(opts_.models);
    }
  }
  p->delay_ms += delay;
  p->headers.emplace_back("X-Request-Id", rid);
  return *p;
}

ark_plan ark_mock::plan_chat_locked(const raw_request& req, const std::string& rid) {
  record rec;
  rec.index = records_.size();
  rec.time_ms = wall_ms();
  auto doc = parse_object(req.body);
  if (doc) {
    rec.model = json_str(*doc, "model");
    rec.stream = json_bool(*doc, "stream", false);
    rec.max_tokens = json_int(*doc, "max_tokens", 0);
    if (json_has(*doc, "stream_options"))
      rec.include_usage = json_bool((*doc)["stream_options"], "include_usage", false);
    if (json_has(*doc, "messages") && (*doc)["messages"].IsArray())
      for (const auto& m : (*doc)["messages"].GetArray())
        rec.messages.push_back({json_str(m, "role"), content_text(m)});
  }
  int64_t delay = opts_.delay_ms;
  auto p = fault_plan_locked(rid, delay, rec.fault);
  const auto& model = rec.model;
  if (p) {
    // injected fault
  } else if (header_value(req.headers, "authorization") != "Bearer " + opts_.key) {
    ++auth_failures_;
    p = error_plan(401, "AuthenticationError",
                   "The API key or AK/SK in the request is missing or invalid.", "Unauthorized",
                   rid);
  } else if (!doc || model.empty()) {
    p = error_plan(400, "MissingParameter", "The request is missing the parameter model.",
                   "BadRequest", rid);
  } else if (rec.messages.empty()) {
    p = error_plan(400, "MissingParameter", "The request is missing the parameter messages.",
                   "BadRequest", rid);
  } else if (model == "mock-404") {
    p = error_plan(404, "InvalidEndpointOrModel.NotFound",
                   "The model or endpoint mock-404 does not exist or you do not have access "
                   "to it.",
                   "NotFound", rid);
  } else if (model == "mock-429") {
    p = error_plan(429, "RateLimitExceeded.EndpointRPMExceeded",
                   "The request rate of the endpoint exceeded the limit.", "TooManyRequests",
                   rid);
    p->headers.emplace_back("Retry-After", "1");
  } else if (model == "mock-500" || (model == "mock-midstream-error" && !rec.stream)) {
    p = error_plan(500, "InternalServiceError", "The service encountered an internal error.",
                   "InternalServerError", rid);
  } else if (model == "mock-stall" && !rec.stream) {
    p = ark_plan{};
    p->how = ark_plan::mode::hang;
  } else {
    ark_answer a;
    a.id = rid;
    a.model = model;
    a.created = rec.time_ms / 1000;
    auto text = echo_answer(rec.messages);
    if (model == "mock-split")
      text += " \xE2\x9C\x93";  // U+2713: a 3-byte character split across writes
    a.chunks = split_chunks(text);
    if (rec.max_tokens > 0 && a.chunks.size() > static_cast<size_t>(rec.max_tokens)) {
      a.chunks.resize(static_cast<size_t>(rec.max_tokens));
      a.finish_reason = "length";
    }
    for (const auto& m : rec.messages)
      a.prompt_tokens += 1 + static_cast<int64_t>((m.content.size() + 3) / 4);
    p = ark_plan{};
    p->token_delay_ms = opts_.token_delay_ms;
    if (rec.stream) {
      ++streams_;
      p->how = ark_plan::mode::stream;
      p->events = stream_events(a, rec.include_usage);
      if (model == "mock-midstream-error") {
        // 200 and one content chunk, then an error object (V6); no [DONE].
        p->events.resize(2);
        p->events.push_back(sse_event(ark_error_body(
          "InternalServiceError", "mock mid-stream error Request id: " + rid,
          "InternalServerError")));
      }
      p->stall = model == "mock-stall";
      p->byte_by_byte = model == "mock-split";
    } else {
      p->body = completion_body(a);
    }
    if (model == "mock-slow")
      delay += opts_.slow_ms;
  }
  p->delay_ms += delay;
  p->headers.emplace_back("X-Request-Id", rid);
  rec.status = p->how == ark_plan::mode::hang ? 0 : p->status;
  records_.push_back(std::move(rec));
  return *p;
}

void ark_mock::execute(ark_plan plan, std::shared_ptr<exchange> ex) {
  auto p = std::make_shared<ark_plan>(std::move(plan));
  std::weak_ptr<ark_mock> weak = weak_from_this();
  auto go = [weak, p, ex] {
    auto self = weak.lock();
    if (!self)
      return ex->abort();
    auto hold = [&] {
      // Never answered: kept until the peer closes, reset or shutdown.
      std::lock_guard<std::mutex> lk{self->mu_};
      auto& h = self->hung_;
      h.erase(std::remove_if(h.begin(), h.end(), [](auto& x) { return x->finished(); }), h.end());
      h.push_back(ex);
    };
    if (p->how == ark_plan::mode::hang)
      return hold();
    if (p->how == ark_plan::mode::full)
      return ex->respond(p->status, p->headers, p->body);
    auto headers = p->headers;
    headers.emplace_back("Content-Type", "text/event-stream");
    headers.emplace_back("Cache-Control", "no-cache");
    ex->begin_stream(200, std::move(headers));
    if (p->stall) {
      for (size_t i = 0; i < std::min<size_t>(2, p->events.size()); ++i)
        ex->write(p->events[i]);
      return hold();
    }
    if (p->token_delay_ms > 0)
      return self->stream_from(ex, p, 0);
    std::string all;
    for (const auto& e : p->events)
      all += e;
    if (p->byte_by_byte) {
      for (char c : all)
        ex->write(std::string(1, c));
    } else {
      ex->write(std::move(all));
    }
    ex->end_stream();
  };
  if (p->delay_ms > 0)
    run_after(io_, std::chrono::milliseconds{p->delay_ms}, std::move(go));
  else
    go();
}

void ark_mock::stream_from(std::shared_ptr<exchange> ex, std::shared_ptr<ark_plan> p, size_t i) {
  if (ex->finished())
    return;  // the client went away: stop the chain
  if (i >= p->events.size())
    return ex->end_stream();
  ex->write(p->events[i]);
  std::weak_ptr<ark_mock> weak = weak_from_this();
  run_after(io_, std::chrono::milliseconds{p->token_delay_ms}, [weak, ex, p, i] {
    if (auto self = weak.lock())
      self->stream_from(ex, p, i + 1);
  });
}

} // namespace loong::bench
