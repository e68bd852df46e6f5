#include "actors/outbox.hpp"

#include <chrono>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "messages/errors.hpp"
#include "protocol/feishu_openapi.hpp"

namespace loong {

namespace {

using self_ptr = outbox_impl_actor::stateful_pointer<outbox_state>;

// Cards above this size are refused by the platform (230025).
constexpr size_t max_card_bytes = 30 * 1024;

const char* label(self_ptr self) {
  return self->state.deps->account->id.c_str();
}

void attempt(self_ptr self, const std::string& id);

// Reports the end of a delivery to the account and forgets it.
void settle(self_ptr self, const std::string& id, const std::string& kind,
            const std::string& detail) {
  auto& st = self->state;
  auto i = st.jobs.find(id);
  if (i == st.jobs.end())
    return;
  auto& d = i->second.d;
  auto& deps = *st.deps;
  turn_outcome o;
  o.chat_id = d.message.chat_id;
  o.message_id = d.message.message_id;
  o.kind = kind;
  o.detail = detail;
  o.provider_failed = d.answer.provider_failed;
  if (d.message.received_ms > 0)
    o.latency_ms = deps.rt->now_ms() - d.message.received_ms;
  journal_key key{d.message.account, d.message.message_id};
  if (kind == "failed") {
    // Either the delivery was given up, or the poison cap's apology went
    // out: the message failed in both cases, the outbox only in the first.
    if (!detail.empty())
      ++st.counters.failed;
    if (deps.store)
      self->send(deps.store, close_atom_v,
                 journal_close{key, "failed",
                               detail.empty() ? "poison cap: apology delivered" : detail});
  } else if (deps.store) {
    self->send(deps.store, done_atom_v, key);
  }
  st.jobs.erase(i);
  self->send(deps.parent, outcome_atom_v, std::move(o));
}

void arm(self_ptr self, const std::string& id, int64_t delay_ms) {
  auto& st = self->state;
  auto i = st.jobs.find(id);
  if (i == st.jobs.end())
    return;
  i->second.armed = ++st.next_token;
  self->delayed_send(self, std::chrono::milliseconds{delay_ms}, tick_atom_v, id,
                     i->second.armed);
}

void on_failure(self_ptr self, const std::string& id, int32_t chunks_done,
                const caf::error& err) {
  auto& st = self->state;
  auto i = st.jobs.find(id);
  if (i == st.jobs.end())
    return;
  auto& job = i->second;
  job.in_flight = false;
  auto& d = job.d;
  d.chunks_done = chunks_done;
  ++d.attempts;
  auto why = describe(err);
  if (delivery_failure_is_final(err)) {
    spdlog::error("outbox {} chat={} message={} reply rejected for good after {} "
                  "attempt(s): {}",
                  label(self), d.message.chat_id, d.message.message_id, d.attempts, why);
    return settle(self, id, "failed", "reply rejected: " + why);
  }
  auto& deps = *st.deps;
  auto plan = plan_delivery_retry(d.attempts, d.answer.answered_ms, wall_clock_ms(),
                                  deps.account->delivery_deadline_ms, random_unit(),
                                  deps.backoff_scale);
  if (plan.give_up) {
    spdlog::error("outbox {} chat={} message={} gives up after {} attempt(s) at the "
                  "delivery deadline: {}",
                  label(self), d.message.chat_id, d.message.message_id, d.attempts, why);
    return settle(self, id, "failed", "delivery deadline passed: " + why);
  }
  ++st.counters.retries;
  spdlog::warn("outbox {} chat={} message={} attempt {} failed ({}); retrying in {} ms",
               label(self), d.message.chat_id, d.message.message_id, d.attempts, why,
               plan.delay_ms);
  if (deps.store)
    self->send(deps.store, progress_atom_v,
               delivery_progress{{d.message.account, d.message.message_id}, d.attempts,
                                 d.chunks_done, why});
  arm(self, id, plan.delay_ms);
}

// Posts chunk `i` and, once it is accepted, the next; the whole answer is
// settled when the last one is.
void send_chunk(self_ptr self, const std::string& id,
                std::shared_ptr<std::vector<outbound_message>> chunks, size_t i) {
  auto& st = self->state;
  auto j = st.jobs.find(id);
  if (j == st.jobs.end())
    return;
  if (i >= chunks->size()) {
    auto kind = j->second.d.answer.kind;
    return settle(self, id, kind, {});
  }
  self
    ->request(st.deps->sender, std::chrono::milliseconds{st.deps->attempt_timeout_ms},
              send_atom_v, (*chunks)[i])
    .then(
      [self, id, chunks, i](send_receipt&) {
        auto j = self->state.jobs.find(id);
        if (j != self->state.jobs.end())
          j->second.d.chunks_done = static_cast<int32_t>(i + 1);
        send_chunk(self, id, chunks, i + 1);
      },
      [self, id, i](caf::error& err) {
        on_failure(self, id, static_cast<int32_t>(i), err);
      });
}

void attempt(self_ptr self, const std::string& id) {
  auto& st = self->state;
  auto i = st.jobs.find(id);
  if (i == st.jobs.end() || i->second.in_flight)
    return;
  auto& job = i->second;
  job.in_flight = true;
  job.armed = 0;
  auto chunks = std::make_shared<std::vector<outbound_message>>(
    reply_messages(st.deps->account->id, job.d.message, job.d.answer.text));
  auto first = static_cast<size_t>(std::max<int32_t>(job.d.chunks_done, 0));
  send_chunk(self, id, std::move(chunks), first);
}

void on_deliver(self_ptr self, delivery_job& d) {
  auto& st = self->state;
  auto id = d.message.message_id;
  if (st.jobs.count(id) > 0) {
    // Already in hand: a second hand-over (a resume racing a live turn)
    // must not start a second attempt.
    attempt(self, id);
    return;
  }
  if (d.message.account.empty())
    d.message.account = st.deps->account->id;
  if (d.answer.answered_ms == 0)
    d.answer.answered_ms = wall_clock_ms();
  st.jobs[id].d = std::move(d);
  attempt(self, id);
}

outbox_status status_of(const outbox_state& st) {
  auto s = st.counters;
  s.pending = static_cast<int64_t>(st.jobs.size());
  s.retrying = 0;
  s.oldest_age_ms = 0;
  auto now = wall_clock_ms();
  for (auto& kv : st.jobs) {
    auto& d = kv.second.d;
    if (d.attempts > 0)
      ++s.retrying;
    s.oldest_age_ms = std::max(s.oldest_age_ms, now - d.answer.answered_ms);
  }
  return s;
}

} // namespace

std::vector<outbound_message> reply_messages(const std::string& account_id,
                                             const inbound_message& m,
                                             const std::string& answer) {
  auto parts = feishu::split_reply(answer);
  if (parts.empty())
    parts.push_back("(empty answer)");
  std::vector<outbound_message> out;
  out.reserve(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    outbound_message o;
    o.account = account_id;
    o.reply_to_message_id = m.message_id;
    o.reply_in_thread = !m.thread_id.empty() || !m.root_id.empty() || !m.parent_id.empty();
    o.receive_id = m.chat_id;
    auto card = feishu::markdown_card_content(parts[i]);
    if (card.size() <= max_card_bytes) {
      o.msg_type = "interactive";
      o.content = std::move(card);
    } else {
      o.msg_type = "text";
      o.content = feishu::text_content(parts[i]);
    }
    o.uuid = feishu::reply_uuid(account_id, m.message_id, static_cast<int>(i));
    out.push_back(std::move(o));
  }
  return out;
}

outbox_impl_actor::behavior_type
outbox(outbox_impl_actor::stateful_pointer<outbox_state> self,
       std::shared_ptr<const outbox_deps> deps) {
  self->state.deps = std::move(deps);
  self->set_exception_handler([](std::exception_ptr& ep) -> caf::error {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      return caf::make_error(ec::transport_failed, std::string{"outbox: "} + e.what());
    } catch (...) {
      return caf::make_error(ec::transport_failed, "outbox: unknown exception");
    }
  });
  return {
    [self](deliver_atom, delivery_job& d) { on_deliver(self, d); },
    [self](poke_atom, std::string& id) {
      auto& st = self->state;
      auto i = st.jobs.find(id);
      if (i == st.jobs.end() || i->second.in_flight)
        return;
      spdlog::info("outbox {} message={} redelivered by the platform; trying its "
                   "answer now",
                   label(self), id);
      attempt(self, id);
    },
    [self](status_atom) -> outbox_status { return status_of(self->state); },
    [self](tick_atom, std::string& id, int64_t token) {
      auto& st = self->state;
      auto i = st.jobs.find(id);
      if (i == st.jobs.end() || i->second.armed != token)
        return;
      attempt(self, id);
    },
  };
}

} // namespace loong
