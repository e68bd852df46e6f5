// The webhook_listener actor: one account's route on the webhook hub and
// the answer to every verified event (spec §7.6: the platform redelivers
// on anything but 200, so only a settled event gets 200).

#include "actors/webhook_listener.hpp"

#include <chrono>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "messages/errors.hpp"

namespace loong {

namespace {

using listener_self
  = webhook_listener_actor::stateful_pointer<webhook_listener_state>;

constexpr const char* ok_body = R"({"code":0,"msg":"ok"})";
constexpr const char* duplicate_body = R"({"code":0,"msg":"duplicate_event"})";
constexpr const char* refused_body = R"({"code":500,"msg":"not accepted"})";
constexpr const char* draining_body = R"({"code":503,"msg":"draining"})";

// Copies the hub's counters into the status (they live on in the status
// once the route is unmounted).
void refresh_status(webhook_listener_state& st) {
  if (!st.mount)
    return;
  if (auto s = st.mount->stats()) {
    st.status.received = s->received;
    st.status.rejected = s->rejected;
    if (!s->last_rejection.empty())
      st.status.last_error = "last rejected request: " + s->last_rejection;
  }
}

// Draining and nothing in flight: the route goes away.
void finish_drain_if_idle(listener_self self) {
  auto& st = self->state;
  if (!st.draining || st.in_flight > 0 || st.status.state == "stopped")
    return;
  refresh_status(st);
  if (st.mount)
    st.mount->unmount();
  st.status.state = "stopped";
  spdlog::info("webhook-listener {} drained and unmounted {}{}",
               st.account.selector(), st.account.webhook_bind,
               st.account.webhook_path);
}

// The account's verdict (or its absence) for pending request `id`.
void answer(listener_self self, int64_t id, const std::string& event_id,
            const std::string& outcome, const std::string& detail) {
  auto& st = self->state;
  unsigned status = 500;
  const char* body = refused_body;
  // Ignored events (outside the trust boundary) are settled like accepted
  // ones, so the platform does not redeliver them.
  if (outcome == "accepted" || outcome == "ignored") {
    status = 200;
    body = ok_body;
  } else if (outcome == "duplicate") {
    status = 200;
    body = duplicate_body;
  } else {
    spdlog::info("webhook-listener {} event_id={} was {} ({}); answering 500",
                 st.account.selector(), event_id, outcome, detail);
  }
  if (!st.rt->hub->respond(id, status, body))
    spdlog::debug("webhook-listener {} request {} for event_id={} is gone "
                  "(connection or route closed)",
                  st.account.selector(), id, event_id);
  else
    spdlog::debug("webhook-listener {} answered event_id={} with {} ({})",
                  st.account.selector(), event_id, status, outcome);
  if (st.in_flight > 0)
    --st.in_flight;
  finish_drain_if_idle(self);
}

void on_event(listener_self self, webhook_event& ev) {
  auto& st = self->state;
  if (st.draining) {
    // Raced with drain in the mailbox: the platform redelivers later.
    st.rt->hub->respond(ev.request_id, 503, draining_body);
    return;
  }
  ++st.in_flight;
  auto id = ev.request_id;
  auto event_id = ev.message.event_id;
  spdlog::debug("webhook-listener {} received event account={} event_id={} "
                "message_id={} chat_id={}",
                st.account.selector(), ev.message.account, event_id,
                ev.message.message_id, ev.message.chat_id);
  self
    ->request(st.parent, std::chrono::milliseconds{st.opts.verdict_timeout_ms},
              inbound_atom_v, std::move(ev.message))
    .then(
      [self, id, event_id](inbound_verdict& v) {
        answer(self, id, event_id, v.outcome, v.detail);
      },
      [self, id, event_id](caf::error& e) {
        answer(self, id, event_id, "unanswered", describe(e));
      });
}

void start_drain(listener_self self) {
  auto& st = self->state;
  if (st.draining)
    return;
  st.draining = true;
  st.status.state = "draining";
  if (st.mount)
    st.mount->drain();
  spdlog::info("webhook-listener {} drains ({} events in flight)",
               st.account.selector(), st.in_flight);
  finish_drain_if_idle(self);
}

std::string missing_piece(const runtime_ptr& rt, const config::feishu_account& a,
                          const account_actor& parent) {
  if (!rt || !rt->hub)
    return "runtime without a webhook hub";
  if (!parent)
    return "no parent account actor";
  // process_webhook fails closed without a token; refuse to start instead
  // of answering 401 to every request.
  if (!a.verification_token.present())
    return "webhook mode needs verification_token";
  return {};
}

} // namespace

webhook_listener_actor::behavior_type
webhook_listener(webhook_listener_actor::stateful_pointer<webhook_listener_state> self,
                 runtime_ptr rt, config::feishu_account account,
                 account_actor parent, webhook_options opts) {
  self->set_exception_handler([](std::exception_ptr& ep) -> caf::error {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      return caf::make_error(ec::transport_failed,
                             std::string{"webhook-listener: "} + e.what());
    } catch (...) {
      return caf::make_error(ec::transport_failed,
                             "webhook-listener: unknown exception");
    }
  });
  auto where = account.webhook_bind + account.webhook_path;
  if (auto missing = missing_piece(rt, account, parent); !missing.empty()) {
    spdlog::error("webhook-listener {} cannot start on {}: {}",
                  account.selector(), where, missing);
    self->quit(caf::make_error(ec::invalid_config, "webhook-listener "
                                                     + account.selector() + " on "
                                                     + where + ": " + missing));
    return webhook_listener_actor::behavior_type::make_empty_behavior();
  }
  feishu::webhook_secrets secrets;
  secrets.verification_token = account.verification_token.value;
  secrets.encrypt_key = account.encrypt_key.value;
  secrets.replay_window_s = opts.replay_window_s;
  auto mounted = rt->hub->mount(account.webhook_bind, account.webhook_path,
                                std::move(secrets),
                                caf::actor_cast<webhook_listener_actor>(self),
                                account.id, opts);
  if (!mounted) {
    spdlog::error("webhook-listener {} cannot mount: {}", account.selector(),
                  describe(mounted.error()));
    self->quit(std::move(mounted.error()));
    return webhook_listener_actor::behavior_type::make_empty_behavior();
  }
  auto& st = self->state;
  st.rt = std::move(rt);
  st.account = std::move(account);
  st.parent = std::move(parent);
  st.opts = opts;
  st.mount = std::make_shared<webhook_mount>(std::move(*mounted));
  st.status.kind = "webhook";
  st.status.state = "listening";
  st.status.connected_since_ms = st.rt->now_ms ? st.rt->now_ms() : wall_clock_ms();
  // Pending requests of this route are answered 500 by the unmount, so the
  // platform redelivers what this actor can no longer settle.
  self->attach_functor([m = st.mount] { m->unmount(); });
  spdlog::info("webhook-listener {} listens on {}{}", st.account.selector(),
               st.mount->url(), st.account.encrypt_key.present()
                                   ? " (signed, encrypted events)"
                                   : " (token check only: no encrypt_key)");
  return {
    [self](status_atom) -> transport_status {
      refresh_status(self->state);
      return self->state.status;
    },
    [self](drain_atom) { start_drain(self); },
    [self](webhook_event& ev) { on_event(self, ev); },
  };
}

} // namespace loong
