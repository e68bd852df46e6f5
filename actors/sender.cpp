#include "actors/sender.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/token_keeper.hpp"
#include "messages/errors.hpp"
#include "protocol/crypto.hpp"
#include "protocol/feishu_openapi.hpp"

namespace loong {

namespace {

using sender_ptr = sender_impl_actor::stateful_pointer<sender_state>;

bool is_code(const caf::error& err, ec x) {
  return err && err.category() == caf::atom("loong")
         && err.code() == static_cast<uint8_t>(x);
}

const char* mode(const outbound_message& m) {
  return m.reply_to_message_id.empty() ? "send" : "reply";
}

caf::error validate(const outbound_message& m) {
  auto bad = [](const std::string& why) {
    return caf::make_error(ec::invalid_argument, "outbound message: " + why);
  };
  if (m.reply_to_message_id.empty() && m.receive_id.empty())
    return bad("neither receive_id nor reply_to_message_id is set");
  if (m.msg_type.empty())
    return bad("msg_type is empty");
  if (m.content.empty())
    return bad("content is empty");
  if (m.uuid.size() > 50)
    return bad("uuid is longer than 50 characters");
  return {};
}

// Seconds from x-ogw-ratelimit-reset or Retry-After; -1 when absent.
int64_t reset_hint_ms(const http_reply& r) {
  for (const char* name : {"x-ogw-ratelimit-reset", "retry-after"}) {
    auto v = r.header(name);
    if (v.empty())
      continue;
    char* end = nullptr;
    double s = std::strtod(v.c_str(), &end);
    if (end != v.c_str() && s >= 0 && s < 86400)
      return static_cast<int64_t>(s * 1000);
  }
  return -1;
}

void attempt(sender_ptr self, int64_t id);

void finish(sender_ptr self, int64_t id, caf::expected<send_receipt> res) {
  auto& st = self->state;
  auto i = st.jobs.find(id);
  if (i == st.jobs.end())
    return;
  auto job = std::move(i->second);
  st.jobs.erase(i);
  if (res) {
    res->attempts = job.attempts;
    spdlog::debug("sender {} {} uuid={} message_id={} attempts={}",
                  st.account.selector(), mode(job.msg), job.msg.uuid,
                  res->message_id, job.attempts);
    job.promise.deliver(std::move(*res));
    return;
  }
  spdlog::warn("sender {} gives up {} uuid={} after {} attempt(s): {}",
               st.account.selector(), mode(job.msg), job.msg.uuid, job.attempts,
               describe(res.error()));
  job.promise.deliver(with_context(
    res.error(), std::string{"feishu "} + mode(job.msg) + " (" + st.account.selector()
                   + ") failed after " + std::to_string(job.attempts)
                   + " attempt(s)"));
}

// A try failed: refresh the token once, retry transient failures within
// the budget, give up on everything else.
void on_failure(sender_ptr self, int64_t id, caf::error err,
                const http_reply* reply, const std::string& used_token) {
  auto& st = self->state;
  auto i = st.jobs.find(id);
  if (i == st.jobs.end())
    return;
  auto& job = i->second;
  auto log_id = reply ? reply->header("x-tt-logid") : std::string{};
  if (is_code(err, ec::token_invalid) && !job.token_refreshed) {
    job.token_refreshed = true;
    spdlog::debug("sender {} {} uuid={}: token rejected{}{}; refreshing once",
                  st.account.selector(), mode(job.msg), job.msg.uuid,
                  log_id.empty() ? "" : ", log_id=", log_id);
    if (!used_token.empty())
      self->send(st.keeper, invalid_atom_v, used_token);
    attempt(self, id);
    return;
  }
  if (feishu::is_retryable(err) && job.transient_failures + 1 < st.opts.max_attempts) {
    auto n = ++job.transient_failures;
    auto delay = backoff_delay_ms(st.opts.backoff_initial_ms, st.opts.backoff_max_ms, n);
    auto hint = reply && is_code(err, ec::rate_limited) ? reset_hint_ms(*reply) : -1;
    if (hint >= 0)
      delay = std::min(hint, st.opts.max_reset_wait_ms)
              + static_cast<int64_t>(random_unit() * 100);
    spdlog::debug("sender {} {} uuid={} try {} failed: {}{}{}; retrying in {} ms",
                  st.account.selector(), mode(job.msg), job.msg.uuid, job.attempts,
                  describe(err), log_id.empty() ? "" : ", log_id=", log_id, delay);
    self->delayed_send(self, std::chrono::milliseconds{std::max<int64_t>(delay, 1)},
                       tick_atom_v, id);
    return;
  }
  if (!log_id.empty())
    err = with_context(err, {}, " [log_id " + log_id + "]");
  finish(self, id, std::move(err));
}

void on_reply(sender_ptr self, int64_t id, const std::string& token, http_reply& r) {
  if (!r.ok()) {
    auto i = self->state.jobs.find(id);
    auto what = std::string{"POST "}
                + (i == self->state.jobs.end() ? "message" : mode(i->second.msg));
    return on_failure(self, id, http_transport_error(r, what), &r, token);
  }
  auto res = feishu::parse_send_response(static_cast<unsigned>(r.status), r.body);
  if (!res)
    return on_failure(self, id, res.error(), &r, token);
  finish(self, id, std::move(res));
}

// A POST of `body` to `path` of the account's OpenAPI, with the token.
http_exchange openapi_post(const sender_state& st, const std::string& path, std::string body,
                           const std::string& token) {
  http_exchange x;
  x.method = "POST";
  x.url = feishu::join_url(st.account.base_url, path);
  x.body = std::move(body);
  x.headers.push_back({"Authorization", "Bearer " + token});
  x.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  x.timeout_ms = st.opts.request_timeout_ms;
  x.connect_timeout_ms = std::min(st.opts.connect_timeout_ms, st.opts.request_timeout_ms);
  x.max_response_bytes = 1 << 20;
  return x;
}

void post(sender_ptr self, int64_t id, const std::string& token) {
  auto& st = self->state;
  auto i = st.jobs.find(id);
  if (i == st.jobs.end())
    return;
  auto& m = i->second.msg;
  auto x = m.reply_to_message_id.empty()
             ? openapi_post(st, feishu::send_path(m.receive_id_type), feishu::send_body(m), token)
             : openapi_post(st, feishu::reply_path(m.reply_to_message_id),
                            feishu::reply_body(m), token);
  self->request(st.rt->http, answers_on_its_own, std::move(x))
    .then([self, id, token](http_reply& r) { on_reply(self, id, token, r); },
          [self, id](caf::error& err) {
            on_failure(self, id, actor_request_error(err, "http bridge"), nullptr, {});
          });
}

void attempt(sender_ptr self, int64_t id) {
  auto& st = self->state;
  auto i = st.jobs.find(id);
  if (i == st.jobs.end())
    return;
  ++i->second.attempts;
  self->request(st.keeper, std::chrono::milliseconds{st.opts.token_timeout_ms}, token_atom_v)
    .then([self, id](std::string& token) { post(self, id, token); },
          [self, id](caf::error& err) {
            on_failure(self, id, actor_request_error(err, "token keeper"), nullptr, {});
          });
}

void react(sender_ptr self, std::string message_id, std::string emoji, bool refreshed);

void react_failed(sender_ptr self, const std::string& message_id, const std::string& emoji,
                  bool refreshed, const caf::error& err, const std::string& used_token) {
  auto& st = self->state;
  // A rejected token is the one failure worth a second try (contract §5.8
  // otherwise: failures only log).
  if (is_code(err, ec::token_invalid) && !refreshed) {
    spdlog::debug("sender {} ack reaction message={}: token rejected; refreshing once",
                  st.account.selector(), message_id);
    if (!used_token.empty())
      self->send(st.keeper, invalid_atom_v, used_token);
    return react(self, message_id, emoji, true);
  }
  spdlog::warn("sender {} ack reaction message={} failed: {}", st.account.selector(),
               message_id, describe(err));
}

// An ack reaction: one attempt, plus one after a token refresh.
void react(sender_ptr self, std::string message_id, std::string emoji, bool refreshed) {
  auto& st = self->state;
  self->request(st.keeper, std::chrono::milliseconds{st.opts.token_timeout_ms}, token_atom_v)
    .then(
      [self, message_id, emoji, refreshed](std::string& token) {
        auto& st = self->state;
        auto x = openapi_post(st, feishu::reaction_path(message_id),
                              feishu::reaction_body(emoji), token);
        self->request(st.rt->http, answers_on_its_own, std::move(x))
          .then(
            [self, message_id, emoji, refreshed, token](http_reply& r) {
              auto err = r.ok() ? feishu::check_reaction_response(
                                    static_cast<unsigned>(r.status), r.body)
                                : http_transport_error(r, "POST reaction");
              if (err)
                react_failed(self, message_id, emoji, refreshed, err, token);
            },
            [self, message_id, emoji, refreshed](caf::error& err) {
              react_failed(self, message_id, emoji, refreshed,
                           actor_request_error(err, "http bridge"), {});
            });
      },
      [self, message_id, emoji, refreshed](caf::error& err) {
        react_failed(self, message_id, emoji, refreshed,
                     actor_request_error(err, "token keeper"), {});
      });
}

caf::result<send_receipt> on_send(sender_ptr self, outbound_message& m) {
  auto& st = self->state;
  if (st.jobs.size() >= st.opts.max_outstanding)
    return caf::make_error(ec::overloaded,
                           "feishu sender " + st.account.selector() + " has "
                             + std::to_string(st.jobs.size())
                             + " sends outstanding (the bound); try again later");
  if (m.reply_to_message_id.empty() && m.receive_id_type.empty())
    m.receive_id_type = st.account.receive_id_type;
  if (auto err = validate(m))
    return err;
  if (m.uuid.empty())
    m.uuid = make_send_uuid();
  if (m.account.empty())
    m.account = st.account.id;
  auto id = st.next_id++;
  auto& job = st.jobs[id];
  job.msg = std::move(m);
  job.promise = self->make_response_promise<send_receipt>();
  auto rp = job.promise;
  attempt(self, id);
  return rp;
}

} // namespace

std::string make_send_uuid() {
  return "loong-" + crypto::to_hex(crypto::random_bytes(16));
}

sender_impl_actor::behavior_type
sender(sender_impl_actor::stateful_pointer<sender_state> self, runtime_ptr rt,
       config::feishu_account account, token_keeper_actor keeper) {
  return sender_with(self, std::move(rt), std::move(account), std::move(keeper),
                     sender_options{});
}

sender_impl_actor::behavior_type
sender_with(sender_impl_actor::stateful_pointer<sender_state> self,
            runtime_ptr rt, config::feishu_account account,
            token_keeper_actor keeper, sender_options opts) {
  auto& st = self->state;
  st.rt = std::move(rt);
  st.account = std::move(account);
  st.keeper = std::move(keeper);
  st.opts = std::move(opts);
  if (st.opts.max_attempts < 1)
    st.opts.max_attempts = 1;
  self->set_exception_handler([](std::exception_ptr& ep) -> caf::error {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      return caf::make_error(ec::transport_failed, std::string{"sender: "} + e.what());
    } catch (...) {
      return caf::make_error(ec::transport_failed, "sender: unknown exception");
    }
  });
  // Pending callers learn why instead of waiting for their timeout.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!msg.reason)
      return;
    auto err = caf::make_error(ec::shutting_down, "feishu sender "
                                                    + self->state.account.selector()
                                                    + " stopped");
    for (auto& kv : self->state.jobs)
      kv.second.promise.deliver(err);
    self->state.jobs.clear();
    self->quit(msg.reason);
  });
  return {
    [self](send_atom, outbound_message& m) -> caf::result<send_receipt> {
      return on_send(self, m);
    },
    [self](react_atom, std::string& message_id, std::string& emoji) {
      react(self, std::move(message_id), std::move(emoji), false);
    },
    [self](tick_atom, int64_t id) { attempt(self, id); },
  };
}

} // namespace loong
