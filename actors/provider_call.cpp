#include "actors/provider_call.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "messages/errors.hpp"

namespace loong {

namespace {

using call_ptr = caf::stateful_actor<provider_call_state>*;
using std::chrono::milliseconds;

/// Grace beyond the HTTP deadline for the bridge's own answer.
constexpr int64_t bridge_margin_ms = 5000;

/// Streams may legitimately run for minutes (spec §9: 600 s total).
constexpr int64_t stream_total_ms = 600000;

/// Longest wait a Retry-After may impose (ark::retry_delay's cap).
constexpr int64_t retry_after_cap_ms = 60000;

int64_t max_attempts(const config::provider_config& cfg) {
  return std::max<int64_t>(cfg.retry_max_attempts, 1);
}

/// A random id per attempt, sent as X-Client-Request-Id and logged.
std::string make_request_id() {
  char buf[40];
  auto a = static_cast<unsigned long long>(random_unit() * 1e15);
  auto b = static_cast<unsigned long long>(random_unit() * 1e15);
  std::snprintf(buf, sizeof(buf), "loong-%013llx%013llx", a, b);
  return buf;
}

/// Transport failures (net_errc names) worth another attempt.
bool transport_retryable(const std::string& code) {
  return code == "resolve_failed" || code == "connect_failed"
         || code == "timeout" || code == "io_error" || code == "closed"
         || code == "overloaded";
}

caf::error transport_error(const provider_call_state& st, const http_reply& r) {
  auto ctx = "provider " + st.cfg->name + " chat: " + r.error_code;
  if (!r.error_detail.empty())
    ctx += ": " + r.error_detail;
  auto& c = r.error_code;
  if (c == "timeout")
    return caf::make_error(ec::timeout, std::move(ctx));
  if (c == "invalid_url")
    return caf::make_error(ec::invalid_config, std::move(ctx));
  if (c == "too_large" || c == "protocol_error")
    return caf::make_error(ec::malformed_response, std::move(ctx));
  if (c == "cancelled")
    return caf::make_error(ec::shutting_down, std::move(ctx));
  return caf::make_error(ec::transport_failed, std::move(ctx));
}

void answer(call_ptr self, caf::expected<completion_result> res) {
  auto& st = self->state;
  if (st.answered)
    return;
  st.answered = true;
  st.tag = 0;
  auto ms = std::chrono::duration_cast<milliseconds>(
              std::chrono::steady_clock::now() - st.started)
              .count();
  if (res) {
    res->attempts = st.attempt;
    res->latency_ms = ms;
    if (res->model.empty())
      res->model = st.model;
    spdlog::debug("provider-call {} answered session={} model={} attempts={} "
                  "latency_ms={}",
                  st.cfg->name, st.req.session_key, res->model, st.attempt, ms);
    st.rp.deliver(std::move(*res));
  } else {
    spdlog::debug("provider-call {} failed session={} attempts={} "
                  "latency_ms={}: {}",
                  st.cfg->name, st.req.session_key, st.attempt, ms,
                  describe(res.error()));
    st.rp.deliver(res.error());
  }
  self->quit();
}

void start_attempt(call_ptr self);

/// Retries when the failure allows it and the budget is left, else answers.
void retry_or_fail(call_ptr self, caf::error err, bool retryable,
                   const std::string& retry_after) {
  auto& st = self->state;
  st.tag = 0;
  if (!retryable || st.attempt >= max_attempts(*st.cfg))
    return answer(self, std::move(err));
  auto delay = ark::retry_delay(st.attempt - 1,
                                milliseconds{st.cfg->retry_initial_backoff_ms},
                                milliseconds{st.cfg->retry_max_backoff_ms},
                                retry_after, random_unit());
  ++st.counters->retries;
  spdlog::debug("provider-call {} retries session={} attempt {}/{} in {} ms: {}",
                st.cfg->name, st.req.session_key, st.attempt + 1,
                max_attempts(*st.cfg), delay.count(), describe(err));
  self->delayed_send(self, delay, restart_atom_v,
                     static_cast<int64_t>(st.attempt));
}

void on_reply(call_ptr self, int64_t tag, http_reply& r) {
  auto& st = self->state;
  if (st.answered || tag != st.tag)
    return;
  spdlog::debug("provider-call {} got status={} error={} request_id={} "
                "x_request_id={} elapsed_ms={}",
                st.cfg->name, r.status, r.error_code, st.request_id,
                r.header("x-request-id"), r.elapsed_ms);
  if (!r.ok()) {
    if (!st.body_started)
      return retry_or_fail(self, transport_error(st, r),
                           transport_retryable(r.error_code), {});
    // The stream broke after output began: keep what finished cleanly,
    // never retry (the tokens are billed and may have been shown).
    auto res = st.decoder->finish();
    if (res && !res->finish_reason.empty())
      return answer(self, std::move(res));
    auto err = transport_error(st, r);
    return answer(self, caf::make_error(static_cast<ec>(err.code()),
                                        "stream interrupted: "
                                          + describe(err)));
  }
  if (r.status >= 200 && r.status < 300) {
    if (st.decoder)
      return answer(self, st.decoder->finish());
    return answer(self, ark::parse_chat_response(r.body));
  }
  auto pe = ark::parse_error(static_cast<unsigned>(r.status), r.body,
                             r.header("x-should-retry"));
  retry_or_fail(self, ark::to_error(pe), pe.retryable, r.header("retry-after"));
}

void on_chunk(call_ptr self, http_chunk& c) {
  auto& st = self->state;
  if (st.answered || c.tag != st.tag || !st.decoder)
    return;
  st.body_started = true;
  auto text = st.decoder->feed(c.data);
  if (!text.empty() && st.req.delta_sink)
    self->send(st.req.delta_sink, completion_delta{std::move(text)});
  if (st.decoder->failed())
    return answer(self, ark::to_error(st.decoder->error()));
  // [DONE]: answer now instead of waiting for the connection to finish.
  if (st.decoder->done())
    answer(self, st.decoder->finish());
}

void start_attempt(call_ptr self) {
  auto& st = self->state;
  auto& cfg = *st.cfg;
  ++st.attempt;
  st.tag = st.next_tag++;
  st.body_started = false;
  st.request_id = make_request_id();
  bool stream = st.req.stream;
  if (stream)
    st.decoder.emplace();
  http_exchange x;
  x.method = "POST";
  x.url = ark::chat_url(cfg.base_url);
  x.headers = {{"Authorization", "Bearer " + cfg.api_key.value},
               {"Content-Type", "application/json"},
               {"Accept", stream ? "text/event-stream" : "application/json"},
               {"X-Client-Request-Id", st.request_id}};
  x.body = st.body;
  x.timeout_ms = attempt_timeout_ms(cfg, stream);
  x.connect_timeout_ms = std::min(cfg.connect_timeout_ms, x.timeout_ms);
  x.tag = st.tag;
  if (stream) {
    x.idle_timeout_ms = cfg.request_timeout_ms;
    x.chunk_sink = caf::actor_cast<caf::actor>(self);
    // The HTTP client bounds only the whole stream before its first byte;
    // the first byte gets request_timeout_ms like a plain call.
    self->delayed_send(self, milliseconds{cfg.request_timeout_ms}, tick_atom_v,
                       st.tag);
  }
  spdlog::debug("provider-call {} attempt {}/{} session={} model={} stream={} "
                "request_id={}",
                cfg.name, st.attempt, max_attempts(cfg), st.req.session_key,
                st.model, stream, st.request_id);
  auto tag = st.tag;
  self->request(st.rt->http, answers_on_its_own, std::move(x))
    .then([self, tag](http_reply& r) { on_reply(self, tag, r); },
          [self, tag](caf::error& e) {
            http_reply r;
            r.error_code = e == caf::sec::request_timeout ? "timeout"
                                                           : "io_error";
            r.error_detail = "http bridge: " + describe(e);
            on_reply(self, tag, r);
          });
}

} // namespace

int64_t attempt_timeout_ms(const config::provider_config& cfg, bool stream) {
  auto t = std::max<int64_t>(cfg.request_timeout_ms, 1);
  return stream ? std::max(t, stream_total_ms) : t;
}

int64_t call_budget_ms(const config::provider_config& cfg, bool stream) {
  auto n = max_attempts(cfg);
  auto per_attempt = attempt_timeout_ms(cfg, stream) + bridge_margin_ms;
  auto backoff = std::max(cfg.retry_max_backoff_ms, retry_after_cap_ms);
  // The models lookup of model "auto" comes first.
  auto models = std::max<int64_t>(cfg.request_timeout_ms, 1) + bridge_margin_ms;
  return models + n * per_attempt + (n - 1) * backoff;
}

caf::behavior provider_call(call_ptr self, runtime_ptr rt,
                            std::shared_ptr<const config::provider_config> cfg,
                            std::shared_ptr<provider_counters> counters,
                            completion_request req, std::string model) {
  auto& st = self->state;
  st.rt = std::move(rt);
  st.cfg = std::move(cfg);
  st.counters = std::move(counters);
  st.req = std::move(req);
  st.model = std::move(model);
  ark::chat_options opts;
  opts.max_tokens = static_cast<int>(std::clamp<int64_t>(st.cfg->max_tokens, 0,
                                                         1 << 30));
  opts.temperature = st.cfg->temperature;
  opts.thinking = st.cfg->thinking;
  opts.include_usage = true;
  st.body = ark::chat_request_body(st.model, st.req.messages, st.req.stream,
                                   opts);
  self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    auto err = caf::make_error(ec::platform_error,
                               "provider call failed: " + what);
    if (!self->state.answered) {
      self->state.answered = true;
      self->state.rp.deliver(err);
    }
    return err;
  });
  return {
    [self](complete_atom) -> caf::response_promise {
      auto& st = self->state;
      st.rp = self->make_response_promise();
      if (st.attempt == 0) {
        st.started = std::chrono::steady_clock::now();
        start_attempt(self);
      }
      return st.rp;
    },
    [self](http_chunk& c) { on_chunk(self, c); },
    [self](restart_atom, int64_t attempt) {
      // A retry timer; stale when the call already ended.
      auto& st = self->state;
      if (!st.answered && st.tag == 0 && attempt == st.attempt)
        start_attempt(self);
    },
    [self](tick_atom, int64_t tag) {
      // First-byte deadline of a streamed attempt.
      auto& st = self->state;
      if (st.answered || tag != st.tag || st.body_started)
        return;
      auto err = caf::make_error(
        ec::timeout, "provider " + st.cfg->name
                       + " chat: no response within "
                       + std::to_string(st.cfg->request_timeout_ms) + " ms");
      retry_or_fail(self, std::move(err), true, {});
    },
  };
}

} // namespace loong
