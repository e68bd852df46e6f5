// Request handling of the webhook hub, on the I/O threads: route, verify
// (process_webhook), answer at once or park the respond_fn until the
// listener's verdict. The hub's mutex is never held across a callback, a
// send or process_webhook.

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/webhook_hub_core.hpp"
#include "net/http_types.hpp"

namespace loong {

void webhook_hub_core::note_rejection(webhook_route& r, unsigned status,
                                      const std::string& reason,
                                      const std::string& remote) {
  int64_t dropped = 0;
  {
    std::lock_guard<std::mutex> lk{mu};
    ++r.stats.rejected;
    ++r.stats.rejected_by_reason[reason];
    r.stats.last_rejection = reason;
    dropped = r.limiter.admit(webhook_steady_ms());
  }
  if (dropped < 0)
    return;
  spdlog::warn("webhook-hub {}{} account={} rejected a request from {}: "
               "HTTP {} {}{}",
               r.bind, r.path, r.account, remote, status, reason,
               dropped > 0 ? " (" + std::to_string(dropped)
                               + " more rejections not logged)"
                           : std::string{});
}

void webhook_hub_core::handle(const std::string& bind, net::server_request req,
                              net::respond_fn respond) {
  auto path = req.target.substr(0, req.target.find('?'));
  std::shared_ptr<webhook_route> r;
  {
    std::lock_guard<std::mutex> lk{mu};
    r = find_route(bind, path);
  }
  if (!r)
    return respond(webhook_answer(404, webhook_small_body(404, "not found")));
  if (req.method != "POST") {
    note_rejection(*r, 405, "method_not_allowed", req.remote_address);
    auto x = webhook_answer(405, webhook_small_body(405, "method not allowed"));
    x.headers.emplace_back("Allow", "POST");
    return respond(std::move(x));
  }
  feishu::webhook_headers h;
  h.timestamp = net::find_header(req.headers, "X-Lark-Request-Timestamp");
  h.nonce = net::find_header(req.headers, "X-Lark-Request-Nonce");
  h.signature = net::find_header(req.headers, "X-Lark-Signature");
  // Pure CPU work (AES, SHA-256, JSON) on the I/O thread, outside the lock.
  auto out = feishu::process_webhook(req.body, h, *r->secrets, now_ms() / 1000);
  using kind = feishu::webhook_outcome::kind;
  switch (out.what) {
    case kind::rejected:
      note_rejection(*r, out.http_status, out.reason, req.remote_address);
      return respond(webhook_answer(out.http_status, std::move(out.response_body)));
    case kind::challenge:
    case kind::ignored: {
      {
        std::lock_guard<std::mutex> lk{mu};
        ++r->stats.received;
        ++(out.what == kind::challenge ? r->stats.challenges : r->stats.ignored);
      }
      spdlog::debug("webhook-hub {}{} account={} answered a {} request",
                    r->bind, r->path, r->account, out.reason);
      return respond(webhook_answer(200, std::move(out.response_body)));
    }
    case kind::event:
      return deliver(r, std::move(out.message), std::move(respond));
  }
}

void webhook_hub_core::deliver(const std::shared_ptr<webhook_route>& r,
                               inbound_message msg, net::respond_fn respond) {
  int64_t id = 0;
  const char* refusal = nullptr;
  {
    std::lock_guard<std::mutex> lk{mu};
    if (r->unmounted || r->draining) {
      ++r->stats.refused_draining;
      refusal = "draining";
    } else if (static_cast<size_t>(r->stats.pending) >= r->pending_limit) {
      ++r->stats.overloaded;
      refusal = "busy";
    } else {
      id = ++next_request;
      ++r->stats.received;
      ++r->stats.events;
      ++r->stats.pending;
      pending.emplace(id, pending_entry{std::move(respond), r});
    }
  }
  if (refusal != nullptr) {
    // 503: the platform redelivers later (spec §7.6).
    spdlog::debug("webhook-hub {}{} account={} answers 503 ({}) for event_id={}",
                  r->bind, r->path, r->account, refusal, msg.event_id);
    return respond(webhook_answer(503, webhook_small_body(503, refusal)));
  }
  msg.account = r->account;
  msg.received_ms = now_ms();
  spdlog::debug("webhook-hub {}{} account={} hands event_id={} message_id={} "
                "to its listener as request {}",
                r->bind, r->path, r->account, msg.event_id, msg.message_id, id);
  if (auto strong = r->listener.lock()) {
    caf::anon_send(caf::actor_cast<webhook_listener_actor>(strong),
                   webhook_event{id, std::move(msg)});
    return;
  }
  answer(id, 500, webhook_small_body(500, "listener stopped"));
}

bool webhook_hub_core::answer(int64_t id, unsigned status, std::string body) {
  net::respond_fn fn;
  {
    std::lock_guard<std::mutex> lk{mu};
    auto i = pending.find(id);
    if (i == pending.end())
      return false;
    fn = std::move(i->second.respond);
    --i->second.route->stats.pending;
    pending.erase(i);
  }
  fn(webhook_answer(status, std::move(body)));
  return true;
}

} // namespace loong
