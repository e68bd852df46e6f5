#include "actors/token_keeper.hpp"

#include <algorithm>
#include <chrono>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "messages/errors.hpp"
#include "protocol/feishu_openapi.hpp"

namespace loong {

namespace {

using keeper_ptr = token_keeper_impl_actor::stateful_pointer<token_keeper_state>;

constexpr const char* token_path = "/open-apis/auth/v3/tenant_access_token/internal";
constexpr const char* bot_info_path = "/open-apis/bot/v3/info";

// The actor request outlives the HTTP deadline, so the bridge's own
// timeout (with its net error) is what callers normally see.
std::chrono::milliseconds request_deadline(int64_t http_timeout_ms) {
  return std::chrono::milliseconds{http_timeout_ms + 5000};
}

bool is_code(const caf::error& err, ec x) {
  return err && err.category() == caf::atom("loong")
         && err.code() == static_cast<uint8_t>(x);
}

void schedule_tick(keeper_ptr self, int64_t delay_ms) {
  auto gen = ++self->state.timer_gen;
  self->delayed_send(self, std::chrono::milliseconds{std::max<int64_t>(delay_ms, 1)},
                     tick_atom_v, gen);
}

void start_identity(keeper_ptr self);

void deliver_identity(keeper_ptr self, const std::string& open_id) {
  auto waiting = std::move(self->state.identity_waiting);
  self->state.identity_waiting.clear();
  for (auto& rp : waiting)
    rp.deliver(open_id);
}

void on_token(keeper_ptr self, caf::expected<feishu::tenant_token> res) {
  auto& st = self->state;
  st.fetching = false;
  auto now = st.rt->now_ms();
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  if (res) {
    bool first = st.obtained++ == 0;
    bool changed = st.token != res->token;
    st.token = std::move(res->token);
    auto life_ms = res->expire_s * 1000;
    st.expires_at_ms = now + life_ms;
    // Never refresh sooner than half the lifetime: a short-lived token
    // must not turn refresh-ahead into a loop.
    st.refresh_at_ms = std::max(now + life_ms - st.opts.refresh_margin_ms,
                                now + life_ms / 2);
    st.failures = 0;
    st.last_error = caf::error{};
    st.retry_at_ms = 0;
    if (first)
      spdlog::info("token-keeper {} obtained a tenant token (expires in {} s)",
                   st.account.selector(), res->expire_s);
    else
      spdlog::debug("token-keeper {} refreshed the tenant token ({}, expires in {} s)",
                    st.account.selector(), changed ? "new token" : "same token",
                    res->expire_s);
    schedule_tick(self, st.refresh_at_ms - now);
    for (auto& rp : waiting)
      rp.deliver(st.token);
    bool automatic = st.opts.fetch_identity && !st.identity_attempted;
    if (!st.identity_known && !st.identity_fetching
        && (automatic || !st.identity_waiting.empty()))
      start_identity(self);
    return;
  }
  ++st.failures;
  st.last_error = with_context(res.error(), "tenant token for " + st.account.selector());
  bool auth = is_code(res.error(), ec::auth_failed);
  int64_t delay = 0;
  if (auth) {
    auto& sched = st.opts.auth_retry_ms;
    auto i = std::min<size_t>(static_cast<size_t>(st.failures - 1),
                              sched.empty() ? 0 : sched.size() - 1);
    delay = sched.empty() ? 600000 : sched[i];
  } else {
    delay = backoff_delay_ms(st.opts.retry_initial_ms, st.opts.retry_max_ms,
                             st.failures);
  }
  st.retry_at_ms = now + delay;
  spdlog::warn("token-keeper {} cannot obtain a tenant token ({} in a row): {}; "
               "next attempt in {} ms",
               st.account.selector(), st.failures, describe(res.error()), delay);
  schedule_tick(self, delay);
  for (auto& rp : waiting)
    rp.deliver(st.last_error);
  // Identity is best effort: "" rather than an error.
  deliver_identity(self, "");
}

void start_fetch(keeper_ptr self) {
  auto& st = self->state;
  st.fetching = true;
  ++st.fetches;
  http_exchange x;
  x.method = "POST";
  x.url = feishu::join_url(st.account.base_url, token_path);
  x.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  // The body carries app_secret: it is never logged.
  x.body = feishu::token_request_body(st.account.app_id.value,
                                      st.account.app_secret.value);
  x.timeout_ms = st.opts.request_timeout_ms;
  x.connect_timeout_ms = std::min(st.opts.connect_timeout_ms, st.opts.request_timeout_ms);
  x.max_response_bytes = 1 << 20;
  spdlog::debug("token-keeper {} requests a tenant token from {}",
                st.account.selector(), st.account.base_url);
  self->request(st.rt->http, request_deadline(x.timeout_ms), std::move(x))
    .then(
      [self](http_reply& r) {
        if (!r.ok())
          return on_token(self, http_transport_error(r, "POST tenant_access_token"));
        on_token(self, feishu::parse_token_response(static_cast<unsigned>(r.status),
                                                    r.body));
      },
      [self](caf::error& err) {
        on_token(self, actor_request_error(err, "POST tenant_access_token"));
      });
}

void on_identity(keeper_ptr self, const std::string& used_token,
                 caf::expected<feishu::bot_info> res) {
  auto& st = self->state;
  st.identity_fetching = false;
  if (res) {
    st.bot_open_id = res->open_id;
    st.identity_known = true;
    spdlog::info("token-keeper {} knows the bot as {}", st.account.selector(),
                 st.bot_open_id);
    deliver_identity(self, st.bot_open_id);
    return;
  }
  st.identity_retry_at_ms = st.rt->now_ms() + st.opts.identity_retry_ms;
  if (is_code(res.error(), ec::token_invalid) && used_token == st.token)
    st.token.clear();
  spdlog::warn("token-keeper {} cannot read the bot identity: {}",
               st.account.selector(), describe(res.error()));
  deliver_identity(self, "");
}

void start_identity(keeper_ptr self) {
  auto& st = self->state;
  st.identity_fetching = true;
  st.identity_attempted = true;
  http_exchange x;
  x.method = "GET";
  x.url = feishu::join_url(st.account.base_url, bot_info_path);
  x.headers.push_back({"Authorization", "Bearer " + st.token});
  x.timeout_ms = st.opts.request_timeout_ms;
  x.connect_timeout_ms = std::min(st.opts.connect_timeout_ms, st.opts.request_timeout_ms);
  x.max_response_bytes = 1 << 20;
  self->request(st.rt->http, request_deadline(x.timeout_ms), std::move(x))
    .then(
      [self, used = st.token](http_reply& r) {
        if (!r.ok())
          return on_identity(self, used, http_transport_error(r, "GET bot/v3/info"));
        on_identity(self, used,
                    feishu::parse_bot_info(static_cast<unsigned>(r.status), r.body));
      },
      [self, used = st.token](caf::error& err) {
        on_identity(self, used, actor_request_error(err, "GET bot/v3/info"));
      });
}

bool usable(const token_keeper_state& st, int64_t now) {
  return !st.token.empty() && now < st.expires_at_ms;
}

caf::result<std::string> on_token_request(keeper_ptr self) {
  auto& st = self->state;
  auto now = st.rt->now_ms();
  if (usable(st, now)) {
    // Refresh-ahead in the background; the current token stays good.
    if (now >= st.refresh_at_ms && !st.fetching && now >= st.retry_at_ms)
      start_fetch(self);
    return st.token;
  }
  if (!st.fetching) {
    if (st.last_error && now < st.retry_at_ms) {
      bool auth = is_code(st.last_error, ec::auth_failed);
      if (auth || st.retry_at_ms - now > st.opts.wait_for_retry_ms)
        return st.last_error;
      // A short transient backoff: wait for the scheduled retry.
    } else {
      start_fetch(self);
    }
  }
  auto rp = self->make_response_promise<std::string>();
  st.waiting.push_back(rp);
  return rp;
}

caf::result<std::string> on_identity_request(keeper_ptr self) {
  auto& st = self->state;
  if (st.identity_known)
    return st.bot_open_id;
  auto now = st.rt->now_ms();
  if (!st.identity_fetching) {
    if (st.identity_attempted && now < st.identity_retry_at_ms)
      return std::string{};
    if (usable(st, now)) {
      start_identity(self);
    } else if (!st.fetching) {
      if (st.last_error && now < st.retry_at_ms)
        return std::string{};
      start_fetch(self);
    }
  }
  auto rp = self->make_response_promise<std::string>();
  st.identity_waiting.push_back(rp);
  return rp;
}

void on_tick(keeper_ptr self, int64_t gen) {
  auto& st = self->state;
  if (gen != st.timer_gen || st.fetching)
    return;
  auto now = st.rt->now_ms();
  if (st.token.empty() || now >= st.refresh_at_ms || !st.waiting.empty())
    start_fetch(self);
}

} // namespace

int64_t backoff_delay_ms(int64_t initial, int64_t cap, int32_t n) {
  int64_t base = std::max<int64_t>(initial, 1);
  for (int32_t i = 1; i < n && base < cap; ++i)
    base *= 2;
  base = std::min(base, std::max<int64_t>(cap, 1));
  return base / 2 + static_cast<int64_t>(random_unit() * static_cast<double>(base / 2));
}

caf::error http_transport_error(const http_reply& r, std::string_view what) {
  auto ctx = std::string{what} + ": " + r.error_code;
  if (!r.error_detail.empty())
    ctx += " (" + r.error_detail + ")";
  auto code = r.error_code == "timeout" ? ec::timeout : ec::transport_failed;
  return caf::make_error(code, std::move(ctx));
}

caf::error actor_request_error(const caf::error& err, std::string_view what) {
  if (err.category() == caf::atom("loong"))
    return err;
  if (err == caf::sec::request_timeout)
    return caf::make_error(ec::timeout, std::string{what} + ": no answer in time");
  if (err == caf::sec::request_receiver_down)
    return caf::make_error(ec::shutting_down, std::string{what} + ": "
                                                + describe(err));
  return caf::make_error(ec::transport_failed, std::string{what} + ": " + describe(err));
}

caf::error with_context(const caf::error& err, const std::string& prefix,
                        const std::string& suffix) {
  auto lead = prefix.empty() ? std::string{} : prefix + ": ";
  if (err.category() != caf::atom("loong"))
    return caf::make_error(ec::transport_failed, lead + describe(err) + suffix);
  std::string ctx;
  auto& m = err.context();
  if (m.size() == 1 && m.match_element<std::string>(0))
    ctx = m.get_as<std::string>(0);
  else
    ctx = describe(err);
  return caf::make_error(static_cast<ec>(err.code()), lead + ctx + suffix);
}

token_keeper_impl_actor::behavior_type
token_keeper(token_keeper_impl_actor::stateful_pointer<token_keeper_state> self,
             runtime_ptr rt, config::feishu_account account) {
  return token_keeper_with(self, std::move(rt), std::move(account),
                           token_keeper_options{});
}

token_keeper_impl_actor::behavior_type
token_keeper_with(token_keeper_impl_actor::stateful_pointer<token_keeper_state> self,
                  runtime_ptr rt, config::feishu_account account,
                  token_keeper_options opts) {
  auto& st = self->state;
  st.rt = std::move(rt);
  st.account = std::move(account);
  st.opts = std::move(opts);
  self->set_exception_handler([](std::exception_ptr& ep) -> caf::error {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      return caf::make_error(ec::transport_failed,
                             std::string{"token-keeper: "} + e.what());
    } catch (...) {
      return caf::make_error(ec::transport_failed, "token-keeper: unknown exception");
    }
  });
  // Callers still waiting learn why instead of timing out.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!msg.reason)
      return;
    auto err = caf::make_error(ec::shutting_down, "token-keeper "
                                                    + self->state.account.selector()
                                                    + " stopped");
    for (auto& rp : self->state.waiting)
      rp.deliver(err);
    self->state.waiting.clear();
    deliver_identity(self, "");
    self->quit(msg.reason);
  });
  return {
    [self](token_atom) -> caf::result<std::string> { return on_token_request(self); },
    [self](invalid_atom, const std::string& rejected) {
      auto& st = self->state;
      if (rejected.empty() || rejected != st.token)
        return;
      spdlog::debug("token-keeper {} drops the rejected tenant token",
                    st.account.selector());
      st.token.clear();
      st.expires_at_ms = 0;
      st.refresh_at_ms = 0;
    },
    [self](identity_atom) -> caf::result<std::string> {
      return on_identity_request(self);
    },
    [self](tick_atom, int64_t gen) { on_tick(self, gen); },
  };
}

} // namespace loong
