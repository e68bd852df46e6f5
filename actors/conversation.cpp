#include "actors/conversation.hpp"

#include <chrono>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "messages/errors.hpp"
#include "protocol/feishu_event.hpp"
#include "protocol/feishu_openapi.hpp"

namespace loong {

namespace {

using self_ptr = conversation_actor::stateful_pointer<conversation_state>;

constexpr int64_t idle_tick = 1;
constexpr int64_t next_tick = 2;

const char* unsupported_reply
  = "Sorry, I can only read text messages for now.";

bool is_reset_command(const std::string& text) {
  auto t = text;
  auto at = t.find('@');
  if (at != std::string::npos)
    t.resize(at);
  return t == "/new" || t == ":new" || t == "/reset" || t == ":reset";
}

void process_next(self_ptr self);

void finish(self_ptr self, const inbound_message& m, turn_outcome outcome) {
  auto& st = self->state;
  auto& d = *st.deps;
  if (outcome.kind == "ignored" && d.store)
    self->send(d.store, close_atom_v,
               journal_close{{m.account, m.message_id}, "skipped", outcome.detail});
  outcome.chat_id = m.chat_id;
  outcome.message_id = m.message_id;
  if (m.received_ms > 0)
    outcome.latency_ms = d.rt->now_ms() - m.received_ms;
  spdlog::debug("conversation {} chat={} message={} {}{}{}", d.account->selector(),
                m.chat_id, m.message_id, outcome.kind,
                outcome.detail.empty() ? "" : ": ", outcome.detail);
  self->send(d.parent, outcome_atom_v, std::move(outcome));
  ++st.processed;
  st.busy = false;
  // Through the mailbox, not a direct call: a long run of ignored messages
  // must not recurse.
  self->send(self, tick_atom_v, next_tick);
}

// The answer is known: it is stored with the journal entry (and the turn
// with the history, in the same write) before the outbox delivers it, so a
// failed delivery or a restart never asks the provider a second time.
void answer(self_ptr self, inbound_message m, std::string text, std::string kind,
            bool provider_failed, std::vector<chat_turn> turns = {}) {
  auto& st = self->state;
  auto& d = *st.deps;
  stored_answer a;
  a.text = std::move(text);
  a.kind = std::move(kind);
  a.provider_failed = provider_failed;
  a.answered_ms = wall_clock_ms();
  if (d.store) {
    journal_answer x;
    x.key = {m.account, m.message_id};
    x.answer = a;
    if (!turns.empty())
      x.history = {session_key(*d.account, st.chat_id), std::move(turns)};
    self->send(d.store, answer_atom_v, std::move(x));
  }
  turn_outcome o;
  o.kind = "answered";
  o.provider_failed = provider_failed;
  delivery_job job;
  job.message = m;
  job.answer = std::move(a);
  self->send(d.outbox, deliver_atom_v, std::move(job));
  finish(self, m, std::move(o));
}

void ask_provider(self_ptr self, inbound_message m, std::string prompt) {
  auto& d = *self->state.deps;
  self->request(self->state.session, std::chrono::milliseconds{d.ask_timeout_ms},
                ask_atom_v, prompt)
    .then(
      [self, m, prompt](completion_result& r) {
        std::vector<chat_turn> turns;
        // An empty answer is not worth remembering (Ark rejects empty turns).
        if (!r.text.empty())
          turns = {{"user", prompt}, {"assistant", r.text}};
        answer(self, m, std::move(r.text), "replied", false, std::move(turns));
      },
      [self, m](caf::error& err) {
        auto& d = *self->state.deps;
        spdlog::error("conversation {} chat={} message={} provider failed: {}",
                      d.account->selector(), m.chat_id, m.message_id, describe(err));
        answer(self, m, apology_for(err), "apologized", true);
      });
}

void with_session(self_ptr self, inbound_message m, std::string prompt) {
  auto& st = self->state;
  if (st.session) {
    ask_provider(self, std::move(m), std::move(prompt));
    return;
  }
  auto& d = *st.deps;
  self->request(d.pool, std::chrono::seconds(10), session_atom_v,
                session_key(*d.account, st.chat_id))
    .then(
      [self, m, prompt](provider_session_actor& s) {
        self->state.session = s;
        ask_provider(self, m, prompt);
      },
      [self, m](caf::error& err) {
        answer(self, m, apology_for(err), "apologized", true);
      });
}

void handle(self_ptr self, inbound_message m) {
  auto& st = self->state;
  auto& d = *st.deps;
  if (auto why = gate(*d.account, m, st.bot_open_id); !why.empty()) {
    turn_outcome o;
    o.kind = "ignored";
    o.detail = why;
    finish(self, m, std::move(o));
    return;
  }
  if (m.kind == content_kind::unsupported) {
    answer(self, std::move(m), unsupported_reply, "replied", false);
    return;
  }
  auto prompt = feishu::prompt_text(m, st.bot_open_id);
  if (prompt.empty()) {
    turn_outcome o;
    o.kind = "ignored";
    o.detail = "empty";
    finish(self, m, std::move(o));
    return;
  }
  // Counts towards the poison cap: a message whose turn keeps crashing its
  // handler is given up after a few starts (account_supervisor).
  if (d.store)
    self->send(d.store, attempt_atom_v, journal_key{m.account, m.message_id});
  // Contract §5.8: an accepted message gets an emoji before the provider
  // turn. The journal's de-duplication keeps a re-delivery from a second one.
  if (d.account->ack_reactions)
    self->send(d.sender, react_atom_v, m.message_id, feishu::ack_reaction_emoji(random_unit()));
  if (is_reset_command(prompt)) {
    if (st.session)
      self->send(st.session, reset_atom_v);
    answer(self, std::move(m), "Started a new conversation.", "replied", false);
    return;
  }
  with_session(self, std::move(m), std::move(prompt));
}

void process_next(self_ptr self) {
  auto& st = self->state;
  if (st.busy)
    return;
  st.last_activity_ms = st.deps->rt->now_ms();
  if (st.queue.empty()) {
    self->delayed_send(self, std::chrono::milliseconds{st.deps->idle_ms}, tick_atom_v,
                       idle_tick);
    return;
  }
  st.busy = true;
  auto m = std::move(st.queue.front());
  st.queue.pop_front();
  // The bot's own open_id decides mention gating; learn it once.
  if (!st.identity_known && st.deps->account->require_mention) {
    self->request(st.deps->keeper, std::chrono::seconds(15), identity_atom_v)
      .then(
        [self, m](std::string& id) {
          self->state.identity_known = true;
          self->state.bot_open_id = std::move(id);
          handle(self, m);
        },
        [self, m](caf::error&) {
          // Unknown identity: any bot mention passes (contract §5.4).
          self->state.identity_known = true;
          handle(self, m);
        });
    return;
  }
  handle(self, std::move(m));
}

} // namespace

std::string apology_for(const caf::error& err) {
  if (err == ec::rate_limited || err == ec::overloaded)
    return "Sorry, the model is receiving too many requests right now (rate "
           "limited). Please try again in a minute.";
  if (err == ec::timeout || err == caf::sec::request_timeout)
    return "Sorry, the model took too long to answer (timeout). Please try "
           "again in a moment.";
  return "Sorry, the model service returned an error, so I could not answer. "
         "Please try again in a moment.";
}

conversation_actor::behavior_type
conversation(conversation_actor::stateful_pointer<conversation_state> self,
             std::shared_ptr<const conversation_deps> deps, std::string chat_id) {
  self->state.deps = std::move(deps);
  self->state.chat_id = std::move(chat_id);
  self->state.last_activity_ms = self->state.deps->rt->now_ms();
  self->set_exception_handler([](std::exception_ptr& ep) -> caf::error {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      return caf::make_error(ec::transport_failed, std::string{"conversation: "} + e.what());
    } catch (...) {
      return caf::make_error(ec::transport_failed, "conversation: unknown exception");
    }
  });
  return {
    [self](inbound_atom, inbound_message& m) {
      self->state.queue.push_back(std::move(m));
      process_next(self);
    },
    [self](tick_atom, int64_t kind) {
      if (kind == next_tick) {
        process_next(self);
        return;
      }
      auto& st = self->state;
      if (st.busy || !st.queue.empty())
        return;
      if (st.deps->rt->now_ms() - st.last_activity_ms >= st.deps->idle_ms)
        self->send(st.deps->parent, chat_idle{st.chat_id, st.processed});
    },
  };
}

} // namespace loong
