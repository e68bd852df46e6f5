#include "actors/provider_pool.hpp"

#include <algorithm>
#include <cctype>
#include <exception>

#include <caf/all.hpp>
#include <rapidjson/document.h>
#include <spdlog/spdlog.h>

#include "actors/provider_session.hpp"
#include "messages/errors.hpp"
#include "protocol/ark_chat.hpp"

namespace loong {

namespace {

using pool_ptr = provider_pool_pointer;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;
using model_callback = std::function<void(caf::expected<std::string>)>;

/// Grace beyond an HTTP or call deadline for the answer itself.
constexpr int64_t margin_ms = 5000;

/// Idle sessions are looked for at most this often.
constexpr int64_t session_sweep_ms = 60000;

std::string trim(const std::string& x) {
  auto b = x.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return {};
  auto e = x.find_last_not_of(" \t\r\n");
  return x.substr(b, e - b + 1);
}

/// Model "auto" or blank means discovery (contract §2.1).
bool is_auto(const std::string& model) {
  auto m = trim(model);
  if (m.empty())
    return true;
  std::string lower;
  for (char c : m)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "auto";
}

int64_t now_ms(pool_ptr self) {
  auto& rt = self->state.rt;
  return rt->now_ms ? rt->now_ms() : wall_clock_ms();
}

int64_t elapsed_ms(steady::time_point since) {
  return std::chrono::duration_cast<milliseconds>(steady::now() - since)
    .count();
}

size_t max_concurrency(const config::provider_config& cfg) {
  return static_cast<size_t>(std::max<int64_t>(cfg.max_concurrency, 1));
}

size_t max_queue(const config::provider_config& cfg) {
  return static_cast<size_t>(std::max<int64_t>(cfg.max_queue, 0));
}

/// The context text of a loong error (without the code name).
std::string context_text(const caf::error& err) {
  auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return describe(err);
}

// -- models ------------------------------------------------------------------

caf::expected<std::vector<std::string>>
models_from_reply(const config::provider_config& cfg, const std::string& url,
                  const http_reply& r) {
  auto where = "provider " + cfg.name + " GET " + url;
  if (!r.ok()) {
    auto ctx = where + ": " + r.error_code;
    if (!r.error_detail.empty())
      ctx += ": " + r.error_detail;
    if (r.error_code == "timeout")
      return caf::make_error(ec::timeout, std::move(ctx));
    if (r.error_code == "invalid_url")
      return caf::make_error(ec::invalid_config, std::move(ctx));
    return caf::make_error(ec::transport_failed, std::move(ctx));
  }
  if (r.status < 200 || r.status >= 300) {
    auto pe = ark::parse_error(static_cast<unsigned>(r.status), r.body);
    auto err = ark::to_error(pe);
    return caf::make_error(static_cast<ec>(err.code()),
                           where + ": " + context_text(err));
  }
  // parse_models is lenient; a page that is not JSON at all means the
  // base URL points somewhere else (a proxy or login page).
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  if (doc.HasParseError() || !(doc.IsObject() || doc.IsArray()))
    return caf::make_error(ec::malformed_response,
                           where + ": the answer is not a JSON model list");
  return ark::parse_models(r.body);
}

bool models_fresh(pool_ptr self) {
  auto& m = self->state.models;
  return m.fetched_at_ms >= 0
         && now_ms(self) - m.fetched_at_ms < provider_models_ttl_ms;
}

bool models_stale_usable(pool_ptr self) {
  auto& m = self->state.models;
  return m.fetched_at_ms >= 0
         && now_ms(self) - m.fetched_at_ms < provider_models_stale_ms;
}

void on_models(pool_ptr self, caf::expected<std::vector<std::string>> res) {
  auto& st = self->state;
  auto& m = st.models;
  m.fetching = false;
  if (res) {
    m.ids = *res;
    m.fetched_at_ms = now_ms(self);
    auto chosen = ark::choose_model(m.ids, st.cfg->preferred_models);
    m.chosen = chosen ? *chosen : std::string{};
    spdlog::debug("provider-pool {} listed {} model(s); auto resolves to '{}'",
                  st.cfg->name, m.ids.size(), m.chosen);
  } else {
    spdlog::info("provider-pool {} cannot list models: {}", st.cfg->name,
                 describe(res.error()));
  }
  auto waiters = std::move(m.waiters);
  m.waiters.clear();
  for (auto& w : waiters)
    w(res);
}

/// Fetches the models list; concurrent callers share one request.
void fetch_models(pool_ptr self, provider_pool_state::model_cache::waiter w) {
  auto& st = self->state;
  auto& m = st.models;
  m.waiters.push_back(std::move(w));
  if (m.fetching)
    return;
  m.fetching = true;
  auto& cfg = *st.cfg;
  http_exchange x;
  x.method = "GET";
  x.url = ark::models_url(cfg.base_url);
  x.headers = {{"Authorization", "Bearer " + cfg.api_key.value},
               {"Accept", "application/json"}};
  x.timeout_ms = std::max<int64_t>(cfg.request_timeout_ms, 1);
  x.connect_timeout_ms = std::min(cfg.connect_timeout_ms, x.timeout_ms);
  auto url = x.url;
  auto deadline = milliseconds{x.timeout_ms + margin_ms};
  self->request(st.rt->http, deadline, std::move(x))
    .then(
      [self, url](http_reply& r) {
        on_models(self, models_from_reply(*self->state.cfg, url, r));
      },
      [self, url](caf::error& e) {
        auto code = e == caf::sec::request_timeout ? ec::timeout
                                                    : ec::transport_failed;
        on_models(self, caf::make_error(code, "provider " + self->state.cfg->name
                                                + " GET " + url
                                                + ": http bridge: "
                                                + describe(e)));
      });
}

/// Calls `k` with the model to use: the request's, the configured one, or
/// the "auto" choice from the (cached) models list.
void resolve_model(pool_ptr self, const std::string& requested,
                   model_callback k) {
  auto& cfg = *self->state.cfg;
  if (!is_auto(requested))
    return k(trim(requested));
  if (!is_auto(cfg.model))
    return k(trim(cfg.model));
  if (models_fresh(self))
    return k(ark::choose_model(self->state.models.ids, cfg.preferred_models));
  fetch_models(self, [self, k](caf::expected<std::vector<std::string>>& ids) {
    auto& st = self->state;
    if (ids)
      return k(ark::choose_model(*ids, st.cfg->preferred_models));
    // Stale-if-error, then the preferred list itself (as Loong does).
    if (models_stale_usable(self) && !st.models.chosen.empty())
      return k(st.models.chosen);
    if (!st.cfg->preferred_models.empty())
      return k(trim(st.cfg->preferred_models.front()));
    k(ids.error());
  });
}

// -- completions -------------------------------------------------------------

void pump(pool_ptr self);

void finish(pool_ptr self, int64_t id, caf::expected<completion_result> res) {
  auto& st = self->state;
  auto i = st.running.find(id);
  if (i == st.running.end())
    return;
  auto call = std::move(i->second);
  st.running.erase(i);
  st.latency.add(elapsed_ms(call.started));
  ++st.calls;
  if (res) {
    call.rp.deliver(std::move(*res));
  } else {
    ++st.errors;
    st.last_error = describe(res.error());
    spdlog::debug("provider-pool {} call failed session={}: {}", st.cfg->name,
                  call.session_key, st.last_error);
    // A call we gave up on must not keep running (or retrying).
    if (call.worker)
      self->send_exit(call.worker, caf::exit_reason::user_shutdown);
    call.rp.deliver(res.error());
  }
  pump(self);
}

void start(pool_ptr self, provider_pool_state::job j) {
  auto& st = self->state;
  auto id = j.id;
  auto& call = st.running[id];
  call.rp = j.rp;
  call.session_key = j.req.session_key;
  call.started = steady::now();
  auto requested = j.req.model;
  resolve_model(self, requested,
                [self, id, req = std::move(j.req)](
                  caf::expected<std::string> model) mutable {
                  auto& st = self->state;
                  auto i = st.running.find(id);
                  if (i == st.running.end())
                    return;
                  if (!model)
                    return finish(self, id, model.error());
                  bool stream = req.stream;
                  auto w = self->spawn(provider_call, st.rt, st.cfg,
                                       st.counters, std::move(req), *model);
                  i->second.worker = w;
                  auto deadline = milliseconds{
                    call_budget_ms(*st.cfg, stream) + margin_ms};
                  self->request(w, deadline, complete_atom_v)
                    .then(
                      [self, id](completion_result& r) {
                        finish(self, id, std::move(r));
                      },
                      [self, id](caf::error& e) {
                        finish(self, id, std::move(e));
                      });
                });
}

/// Starts queued jobs while slots are free. Re-entrant calls (a job that
/// fails synchronously) return at once; the outer loop goes on.
void pump(pool_ptr self) {
  auto& st = self->state;
  if (st.pumping)
    return;
  st.pumping = true;
  auto limit = max_concurrency(*st.cfg);
  while (st.running.size() < limit && !st.queue.empty()) {
    auto j = std::move(st.queue.front());
    st.queue.pop_front();
    // The caller's deadline allows one budget of queueing; later is moot.
    auto waited = elapsed_ms(j.admitted);
    if (waited > call_budget_ms(*st.cfg, j.req.stream)) {
      ++st.calls;
      ++st.errors;
      st.last_error = "waited " + std::to_string(waited) + " ms in the queue";
      j.rp.deliver(caf::make_error(ec::overloaded, "provider " + st.cfg->name
                                                     + ": "
                                                     + st.last_error));
      continue;
    }
    start(self, std::move(j));
  }
  st.pumping = false;
}

void touch_session(pool_ptr self, const std::string& key) {
  if (key.empty())
    return;
  auto& st = self->state;
  auto i = st.sessions.find(key);
  if (i != st.sessions.end())
    i->second.last_used_ms = now_ms(self);
}

/// Drops sessions idle for provider_session_idle_ms (checked once a minute).
void sweep_sessions(pool_ptr self) {
  auto& st = self->state;
  auto now = now_ms(self);
  if (now - st.last_sweep_ms < session_sweep_ms)
    return;
  st.last_sweep_ms = now;
  for (auto i = st.sessions.begin(); i != st.sessions.end();) {
    if (now - i->second.last_used_ms < provider_session_idle_ms) {
      ++i;
      continue;
    }
    spdlog::debug("provider-pool {} drops idle session {}", st.cfg->name,
                  i->first);
    self->send_exit(i->second.handle, caf::exit_reason::user_shutdown);
    st.session_keys.erase(i->second.handle.address());
    i = st.sessions.erase(i);
  }
}

} // namespace

std::chrono::milliseconds
provider_request_timeout(const config::provider_config& cfg, bool stream) {
  return milliseconds{2 * call_budget_ms(cfg, stream) + 2 * margin_ms};
}

provider_pool_state::~provider_pool_state() {
  auto err = caf::make_error(ec::shutting_down, "provider pool stopped");
  for (auto& j : queue)
    if (j.rp.pending())
      j.rp.deliver(err);
  for (auto& kv : running) {
    if (kv.second.worker)
      caf::anon_send_exit(kv.second.worker, caf::exit_reason::user_shutdown);
    if (kv.second.rp.pending())
      kv.second.rp.deliver(err);
  }
  for (auto& kv : sessions)
    caf::anon_send_exit(kv.second.handle, caf::exit_reason::user_shutdown);
}

provider_pool_actor::behavior_type
provider_pool(provider_pool_pointer self, runtime_ptr rt,
              config::provider_config cfg, store_actor store) {
  auto& st = self->state;
  st.rt = std::move(rt);
  st.cfg = std::make_shared<const config::provider_config>(std::move(cfg));
  st.store = std::move(store);
  self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("provider-pool {} stops: {}", self->state.cfg->name, what);
    return caf::make_error(ec::platform_error, "provider pool: " + what);
  });
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    auto i = st.session_keys.find(dm.source);
    if (i == st.session_keys.end())
      return;
    auto j = st.sessions.find(i->second);
    if (j != st.sessions.end() && j->second.handle.address() == dm.source)
      st.sessions.erase(j);
    st.session_keys.erase(i);
  });
  spdlog::info("provider-pool {} started (kind={}, model={}, "
               "max_concurrency={}, max_queue={})",
               st.cfg->name, st.cfg->kind, st.cfg->model,
               max_concurrency(*st.cfg), max_queue(*st.cfg));
  return {
    [self](complete_atom, completion_request& req)
      -> caf::typed_response_promise<completion_result> {
      auto& st = self->state;
      auto rp = self->make_response_promise<completion_result>();
      touch_session(self, req.session_key);
      if (st.running.size() >= max_concurrency(*st.cfg)
          && st.queue.size() >= max_queue(*st.cfg)) {
        ++st.calls;
        ++st.errors;
        st.last_error = std::to_string(st.running.size())
                        + " calls in flight and " + std::to_string(st.queue.size())
                        + " queued";
        spdlog::debug("provider-pool {} refuses session={}: {}", st.cfg->name,
                      req.session_key, st.last_error);
        rp.deliver(caf::make_error(ec::overloaded, "provider " + st.cfg->name
                                                     + ": " + st.last_error));
        return rp;
      }
      st.queue.push_back({st.next_job++, std::move(req), rp, steady::now()});
      pump(self);
      return rp;
    },
    [self](session_atom, std::string& key) -> provider_session_actor {
      auto& st = self->state;
      sweep_sessions(self);
      auto now = now_ms(self);
      auto i = st.sessions.find(key);
      if (i != st.sessions.end()) {
        i->second.last_used_ms = now;
        return i->second.handle;
      }
      auto pool = caf::actor_cast<provider_pool_actor>(self);
      auto s = self->spawn(provider_session, st.rt, pool, st.store, key,
                           *st.cfg);
      self->monitor(s);
      st.session_keys.emplace(s.address(), key);
      st.sessions.emplace(key, provider_pool_state::session_entry{s, now});
      spdlog::debug("provider-pool {} opened session {}", st.cfg->name, key);
      return s;
    },
    [self](models_atom)
      -> caf::typed_response_promise<std::vector<std::string>> {
      auto rp = self->make_response_promise<std::vector<std::string>>();
      if (models_fresh(self)) {
        rp.deliver(self->state.models.ids);
        return rp;
      }
      fetch_models(self, [self, rp](
                           caf::expected<std::vector<std::string>>& ids) mutable {
        if (ids)
          rp.deliver(std::move(*ids));
        else if (models_stale_usable(self))
          rp.deliver(self->state.models.ids);
        else
          rp.deliver(ids.error());
      });
      return rp;
    },
    [self](status_atom) -> provider_status {
      auto& st = self->state;
      provider_status s;
      s.name = st.cfg->name;
      s.kind = st.cfg->kind;
      s.model = !is_auto(st.cfg->model)     ? trim(st.cfg->model)
                : st.models.chosen.empty() ? std::string{"auto"}
                                           : st.models.chosen;
      s.calls = st.calls;
      s.errors = st.errors;
      s.retries = st.counters->retries.load();
      s.in_flight = static_cast<int64_t>(st.running.size());
      s.queued = static_cast<int64_t>(st.queue.size());
      s.max_concurrency = static_cast<int64_t>(max_concurrency(*st.cfg));
      s.latency = st.latency;
      s.last_error = st.last_error;
      return s;
    },
  };
}

} // namespace loong
