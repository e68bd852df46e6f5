#include "actors/account_supervisor.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

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

void dispatch(self_ptr self, inbound_message m) {
  auto& st = self->state;
  auto i = st.chats.find(m.chat_id);
  if (i == st.chats.end()) {
    auto c = self->spawn(conversation, st.conv_deps, m.chat_id);
    self->link_to(c);
    i = st.chats.emplace(m.chat_id, account_supervisor_state::chat{c, 0}).first;
  }
  ++i->second.dispatched;
  ++st.status.in_flight;
  self->send(i->second.actor, inbound_atom_v, std::move(m));
}

// Re-dispatches journaled messages that were never answered (after a
// restart or a crash); `only_chat` limits it to one chat.
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
      [self, only_chat, then_start](std::vector<inbound_message>& xs) {
        size_t n = 0;
        for (auto& m : xs) {
          if (!only_chat.empty() && m.chat_id != only_chat)
            continue;
          ++n;
          dispatch(self, std::move(m));
        }
        if (n > 0)
          spdlog::info("account-supervisor {} resumes {} unfinished message(s)",
                       label(self), n);
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

void on_child_exit(self_ptr self, const caf::exit_msg& em) {
  auto& st = self->state;
  auto reason = describe(em.reason);
  if (em.source == st.keeper.address() || em.source == st.sender.address()) {
    spdlog::warn("account-supervisor {} restarts the account: {} ended: {}",
                 label(self), em.source == st.keeper.address() ? "token-keeper" : "sender",
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
      resume_pending(self, chat, false);
    }
    return;
  }
  // Not a child: the parent (or an operator) stops this account.
  self->quit(em.reason);
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
  auto cd = std::make_shared<conversation_deps>();
  cd->rt = deps->rt;
  cd->account = deps->account;
  cd->parent = caf::actor_cast<account_actor>(self);
  cd->sender = st.sender;
  cd->keeper = st.keeper;
  cd->pool = deps->pool;
  cd->store = deps->store;
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
              spdlog::debug("account-supervisor {} duplicate event={} message={}",
                            label(self), m.event_id, m.message_id);
            }
            rp.deliver(std::move(v));
          },
          [self, rp](caf::error& err) mutable {
            self->state.status.last_error = "store: " + describe(err);
            rp.deliver(inbound_verdict{"refused", describe(err)});
          });
      return rp;
    },
    [self](outcome_atom, turn_outcome& o) {
      auto& s = self->state.status;
      --s.in_flight;
      if (o.kind == "replied" || o.kind == "apologized") {
        ++s.replies_out;
        s.reply_latency.add(o.latency_ms);
      } else if (o.kind == "ignored") {
        ++s.ignored;
      } else {
        ++s.reply_failures;
        s.last_error = "reply: " + o.detail;
      }
      if (o.provider_failed)
        ++s.provider_errors;
    },
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
      if (!st.transport)
        return st.status;
      auto rp = self->make_response_promise<account_status>();
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
      return rp;
    },
    [self](restart_atom, std::string& what) {
      if (what == "transport" && !self->state.transport)
        start_transport(self);
    },
  };
}

} // namespace loong
