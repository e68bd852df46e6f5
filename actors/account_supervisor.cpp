#include "actors/account_supervisor.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbox.hpp"
#include "messages/errors.hpp"

namespace loong {

namespace {

using self_ptr = account_actor::stateful_pointer<account_supervisor_state>;

const char* label(self_ptr self) {
  return self->state.status.selector.c_str();
}

void start_transport(self_ptr self) {
  auto& st = self->state;
  if (st.draining)
    return;
  auto handle = caf::actor_cast<account_actor>(self);
  st.transport = st.deps->make_transport(self->system(), st.deps->rt,
                                         *st.deps->account, handle);
  st.transport_started_ms = st.deps->rt->now_ms();
  self->link_to(st.transport);
}

const char* poison_apology
  = "Sorry, I could not process this message and will not try it again. "
    "Please rephrase it or try again later.";

void count_in_flight(account_supervisor_state& st) {
  st.status.in_flight = static_cast<int64_t>(st.live.size());
}

void dispatch(self_ptr self, inbound_message m) {
  auto& st = self->state;
  auto i = st.chats.find(m.chat_id);
  if (i == st.chats.end()) {
    auto c = self->spawn(conversation, st.conv_deps, m.chat_id);
    self->link_to(c);
    i = st.chats.emplace(m.chat_id, account_supervisor_state::chat{c, 0}).first;
  }
  ++i->second.dispatched;
  st.live[m.message_id] = m.chat_id;
  count_in_flight(st);
  self->send(i->second.actor, inbound_atom_v, std::move(m));
}

void to_outbox(self_ptr self, delivery_job d) {
  auto& st = self->state;
  st.live[d.message.message_id] = std::string{};
  count_in_flight(st);
  self->send(st.outbox, deliver_atom_v, std::move(d));
}

// Decides what becomes of one unfinished journal entry found on a resume.
// Returns false when it was not dispatched again (in hand, answered,
// poisoned or stale).
bool resume_one(self_ptr self, journal_item& x) {
  auto& st = self->state;
  auto& m = x.message;
  if (st.live.count(m.message_id) > 0)
    return false;
  journal_key key{m.account, m.message_id};
  if (x.answered) {
    to_outbox(self, delivery_job{std::move(m), std::move(x.answer), x.delivery_attempts,
                             x.chunks_done});
    return false;
  }
  if (x.attempts >= poison_cap) {
    ++st.status.poisoned;
    spdlog::error("account-supervisor {} chat={} message={} crashed its handler {} "
                  "times; answering with an apology and never again",
                  label(self), m.chat_id, m.message_id, x.attempts);
    stored_answer a;
    a.text = poison_apology;
    a.kind = "failed";
    a.answered_ms = wall_clock_ms();
    if (st.deps->store)
      self->send(st.deps->store, answer_atom_v, journal_answer{key, a, {}});
    to_outbox(self, delivery_job{std::move(m), std::move(a), 0, 0});
    return false;
  }
  auto limit = st.deps->account->stale_message_ms;
  auto born = m.create_time_ms > 0 ? m.create_time_ms : x.received_ms;
  auto age = wall_clock_ms() - born;
  if (limit > 0 && born > 0 && age > limit) {
    ++st.status.stale_skipped;
    spdlog::warn("account-supervisor {} chat={} message={} is {} ms old on replay "
                 "(stale_message_ms {}); not answered",
                 label(self), m.chat_id, m.message_id, age, limit);
    if (st.deps->store)
      self->send(st.deps->store, close_atom_v,
                 journal_close{key, "skipped", "stale on replay"});
    return false;
  }
  dispatch(self, std::move(m));
  return true;
}

// Re-dispatches journaled messages that are not in hand (after a restart,
// a crash, or a redelivery of one nobody holds); `only_chat` limits it to
// one chat.
void resume_pending(self_ptr self, std::string only_chat, bool then_start) {
  auto& st = self->state;
  if (!st.deps->store) {
    if (then_start)
      start_transport(self);
    return;
  }
  self->request(st.deps->store, std::chrono::seconds(30), pending_atom_v,
                st.deps->account->id)
    .then(
      [self, only_chat, then_start](std::vector<journal_item>& xs) {
        size_t turns = 0, deliveries = 0;
        for (auto& x : xs) {
          if (!only_chat.empty() && x.message.chat_id != only_chat)
            continue;
          auto answered = x.answered;
          if (resume_one(self, x))
            ++turns;
          else if (answered)
            ++deliveries;
        }
        if (turns + deliveries > 0)
          spdlog::info("account-supervisor {} resumes {} unanswered message(s) and {} "
                       "pending deliveries",
                       label(self), turns, deliveries);
        if (then_start)
          start_transport(self);
      },
      [self, then_start](caf::error& err) {
        spdlog::error("account-supervisor {} cannot read the journal: {}",
                      label(self), describe(err));
        if (then_start)
          start_transport(self);
      });
}

// A duplicate whose journal entry is unfinished: nudge its pending answer,
// or resume it when nothing holds it (its turn was lost).
void on_unfinished_duplicate(self_ptr self, const inbound_message& m) {
  auto& st = self->state;
  auto i = st.live.find(m.message_id);
  if (i == st.live.end()) {
    spdlog::info("account-supervisor {} chat={} message={} redelivered while "
                 "unfinished and not in hand; resuming its chat",
                 label(self), m.chat_id, m.message_id);
    resume_pending(self, m.chat_id, false);
  } else if (i->second.empty()) {
    self->send(st.outbox, poke_atom_v, m.message_id);
  }
}

void on_outcome(self_ptr self, turn_outcome& o) {
  auto& st = self->state;
  auto& s = st.status;
  if (o.kind == "answered") {
    // Handed to the outbox: still in flight until the platform accepts it.
    if (auto i = st.live.find(o.message_id); i != st.live.end())
      i->second.clear();
    if (o.provider_failed)
      ++s.provider_errors;
    return;
  }
  st.live.erase(o.message_id);
  count_in_flight(st);
  if (o.kind == "replied" || o.kind == "apologized") {
    ++s.replies_out;
    s.reply_latency.add(o.latency_ms);
  } else if (o.kind == "ignored") {
    ++s.ignored;
  } else {
    ++s.reply_failures;
    s.last_error = "reply: " + o.detail;
  }
}

void on_child_exit(self_ptr self, const caf::exit_msg& em) {
  auto& st = self->state;
  auto reason = describe(em.reason);
  if (em.source == st.keeper.address() || em.source == st.sender.address()
      || em.source == st.outbox.address()) {
    spdlog::warn("account-supervisor {} restarts the account: {} ended: {}",
                 label(self),
                 em.source == st.keeper.address()   ? "token-keeper"
                 : em.source == st.sender.address() ? "sender"
                                                    : "outbox",
                 reason);
    self->quit(em.reason ? em.reason : caf::make_error(ec::transport_failed, "child ended"));
    return;
  }
  if (st.transport && em.source == st.transport.address()) {
    st.transport = nullptr;
    if (st.draining)
      return;
    st.status.last_error = "transport: " + reason;
    auto now = st.deps->rt->now_ms();
    auto delay = st.transport_policy.on_failure(now, st.transport_started_ms,
                                                random_unit());
    if (delay < 0)
      delay = st.transport_policy.options().failed_retry_ms;
    ++st.status.transport.reconnects;
    spdlog::warn("account-supervisor {} restarts transport in {} ms: {}",
                 label(self), delay, reason);
    self->delayed_send(self, std::chrono::milliseconds{delay}, restart_atom_v,
                       std::string{"transport"});
    return;
  }
  for (auto i = st.chats.begin(); i != st.chats.end(); ++i) {
    if (i->second.actor.address() != em.source)
      continue;
    auto chat = i->first;
    st.chats.erase(i);
    if (em.reason && em.reason != caf::exit_reason::normal) {
      spdlog::error("account-supervisor {} conversation chat={} crashed: {}",
                    label(self), chat, reason);
      st.status.last_error = "conversation: " + reason;
      // Its queue died with it; answered ones stay with the outbox.
      for (auto j = st.live.begin(); j != st.live.end();)
        j = j->second == chat ? st.live.erase(j) : std::next(j);
      count_in_flight(st);
      resume_pending(self, chat, false);
    }
    return;
  }
  // Not a child: the parent (or an operator) stops this account.
  self->quit(em.reason);
}

// Completes a status answer with the live transport's view.
void transport_status_into(self_ptr self, caf::typed_response_promise<account_status> rp) {
  auto& st = self->state;
  if (!st.transport) {
    rp.deliver(st.status);
    return;
  }
  self->request(st.transport, std::chrono::seconds(2), status_atom_v)
    .then(
      [self, rp](transport_status& t) mutable {
        auto reconnects = self->state.status.transport.reconnects;
        auto s = self->state.status;
        s.transport = t;
        s.transport.reconnects += reconnects;
        rp.deliver(std::move(s));
      },
      [self, rp](caf::error&) mutable { rp.deliver(self->state.status); });
}

} // namespace

account_actor::behavior_type
account_supervisor(account_actor::stateful_pointer<account_supervisor_state> self,
                   std::shared_ptr<const account_deps> deps) {
  auto& st = self->state;
  st.deps = deps;
  st.transport_policy = restart_policy{deps->transport_restart};
  auto& a = *deps->account;
  st.status.account = a.id;
  st.status.selector = a.selector();
  st.status.domain = a.domain;
  st.status.mode = a.mode;
  st.status.state = "running";
  st.status.transport.kind = a.mode;
  st.status.started_at_ms = deps->rt->now_ms();
  auto out = deps->make_outbound(self->system(), deps->rt, a);
  st.keeper = out.first;
  st.sender = out.second;
  self->link_to(st.keeper);
  self->link_to(st.sender);
  auto od = std::make_shared<outbox_deps>();
  od->rt = deps->rt;
  od->account = deps->account;
  od->parent = caf::actor_cast<account_actor>(self);
  od->sender = st.sender;
  od->store = deps->store;
  od->backoff_scale = deps->delivery_backoff_scale;
  st.outbox = self->spawn(outbox, std::shared_ptr<const outbox_deps>{od});
  self->link_to(st.outbox);
  auto cd = std::make_shared<conversation_deps>();
  cd->rt = deps->rt;
  cd->account = deps->account;
  cd->parent = caf::actor_cast<account_actor>(self);
  cd->sender = st.sender;
  cd->keeper = st.keeper;
  cd->pool = deps->pool;
  cd->store = deps->store;
  cd->outbox = st.outbox;
  cd->ask_timeout_ms = deps->ask_timeout_ms;
  cd->idle_ms = deps->conversation_idle_ms;
  st.conv_deps = cd;
  self->set_exit_handler([self](caf::exit_msg& em) { on_child_exit(self, em); });
  spdlog::info("account-supervisor {} starts (mode={})", label(self), a.mode);
  resume_pending(self, {}, true);
  return {
    [self](inbound_atom, inbound_message& m) -> caf::result<inbound_verdict> {
      auto& st = self->state;
      if (st.draining)
        return inbound_verdict{"refused", "draining"};
      if (m.account.empty())
        m.account = st.deps->account->id;
      // Untrusted chats and senders get nothing: no journal row, no
      // conversation actor; the event is settled so it is not redelivered.
      if (auto why = trust_gate(*st.deps->account, m); !why.empty()) {
        ++st.status.ignored;
        spdlog::debug("account-supervisor {} ignores event={} message={} chat={}: {}",
                      label(self), m.event_id, m.message_id, m.chat_id, why);
        return inbound_verdict{"ignored", why, false};
      }
      if (!st.deps->store) {
        ++st.status.events_in;
        dispatch(self, std::move(m));
        return inbound_verdict{};
      }
      auto rp = self->make_response_promise<inbound_verdict>();
      self->request(st.deps->store, answers_on_its_own, admit_atom_v, m)
        .then(
          [self, rp, m](inbound_verdict& v) mutable {
            auto& st = self->state;
            if (v.outcome == "accepted") {
              ++st.status.events_in;
              dispatch(self, std::move(m));
            } else if (v.outcome == "duplicate") {
              ++st.status.duplicates;
              spdlog::debug("account-supervisor {} duplicate event={} message={}{}",
                            label(self), m.event_id, m.message_id,
                            v.unfinished ? " (unfinished)" : "");
              if (v.unfinished)
                on_unfinished_duplicate(self, m);
            }
            rp.deliver(std::move(v));
          },
          [self, rp](caf::error& err) mutable {
            self->state.status.last_error = "store: " + describe(err);
            rp.deliver(inbound_verdict{"refused", describe(err)});
          });
      return rp;
    },
    [self](outcome_atom, turn_outcome& o) { on_outcome(self, o); },
    [self](chat_idle& x) {
      auto& st = self->state;
      auto i = st.chats.find(x.chat_id);
      if (i == st.chats.end() || i->second.dispatched != x.processed)
        return;
      auto actor = i->second.actor;
      st.chats.erase(i);
      self->unlink_from(actor);
      self->send_exit(actor, caf::exit_reason::normal);
    },
    [self](drain_atom) {
      auto& st = self->state;
      st.draining = true;
      st.status.state = "draining";
      if (st.transport)
        self->send(st.transport, drain_atom_v);
    },
    [self](status_atom) -> caf::result<account_status> {
      auto& st = self->state;
      st.status.active_chats = static_cast<int64_t>(st.chats.size());
      st.status.restarts = 0;
      auto rp = self->make_response_promise<account_status>();
      // The outbox answers at once; then the transport, when there is one.
      self->request(st.outbox, std::chrono::seconds(2), status_atom_v)
        .then(
          [self, rp](outbox_status& o) mutable {
            auto& st = self->state;
            st.status.outbox = o;
            // An answer waiting out its backoff is durable: a drain need
            // not wait for it, so it no longer counts as in flight.
            count_in_flight(st);
            st.status.in_flight = std::max<int64_t>(st.status.in_flight - o.retrying, 0);
            transport_status_into(self, rp);
          },
          [self, rp](caf::error&) mutable { transport_status_into(self, rp); });
      return rp;
    },
    [self](restart_atom, std::string& what) {
      if (what == "transport" && !self->state.transport)
        start_transport(self);
    },
  };
}

} // namespace loong
