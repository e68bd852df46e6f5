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
// Cards above this size are refused by the platform (230025).
constexpr size_t max_card_bytes = 30 * 1024;

const char* apology_timeout
  = "Sorry, the model took too long to answer. Please try again in a moment.";
const char* apology_failure
  = "Sorry, I could not get an answer from the model right now. Please try "
    "again in a moment.";
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

void finish(self_ptr self, const inbound_message& m, turn_outcome outcome,
            bool done) {
  auto& st = self->state;
  auto& d = *st.deps;
  if (done && d.store)
    self->send(d.store, done_atom_v, journal_key{m.account, m.message_id});
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

// Posts `chunks` one after the other as replies to `m`; all or nothing is
// reported (a partial failure stays journaled and is resumed later).
void send_chunks(self_ptr self, inbound_message m,
                 std::shared_ptr<std::vector<std::string>> chunks, size_t i,
                 turn_outcome outcome) {
  auto& d = *self->state.deps;
  if (i >= chunks->size()) {
    finish(self, m, std::move(outcome), true);
    return;
  }
  outbound_message out;
  out.account = d.account->id;
  out.reply_to_message_id = m.message_id;
  out.reply_in_thread = !m.thread_id.empty() || !m.root_id.empty()
                        || !m.parent_id.empty();
  out.receive_id = m.chat_id;
  auto card = feishu::markdown_card_content((*chunks)[i]);
  if (card.size() <= max_card_bytes) {
    out.msg_type = "interactive";
    out.content = std::move(card);
  } else {
    out.msg_type = "text";
    out.content = feishu::text_content((*chunks)[i]);
  }
  out.uuid = feishu::reply_uuid(d.account->id, m.message_id, static_cast<int>(i));
  self->request(d.sender, std::chrono::milliseconds{d.send_timeout_ms}, send_atom_v,
                std::move(out))
    .then(
      [self, m, chunks, i, outcome](send_receipt&) mutable {
        send_chunks(self, std::move(m), chunks, i + 1, std::move(outcome));
      },
      [self, m](caf::error& err) {
        auto& d = *self->state.deps;
        spdlog::error("conversation {} chat={} message={} reply failed: {}",
                      d.account->selector(), m.chat_id, m.message_id, describe(err));
        turn_outcome o;
        o.kind = "failed";
        o.detail = describe(err);
        // Not marked done: the journal keeps it for the next start.
        finish(self, m, std::move(o), false);
      });
}

void reply(self_ptr self, inbound_message m, const std::string& text,
           turn_outcome outcome) {
  auto chunks = std::make_shared<std::vector<std::string>>(feishu::split_reply(text));
  if (chunks->empty())
    chunks->push_back("(empty answer)");
  send_chunks(self, std::move(m), std::move(chunks), 0, std::move(outcome));
}

void ask_provider(self_ptr self, inbound_message m, std::string prompt) {
  auto& d = *self->state.deps;
  self->request(self->state.session, std::chrono::milliseconds{d.ask_timeout_ms},
                ask_atom_v, std::move(prompt))
    .then(
      [self, m](completion_result& r) {
        turn_outcome o;
        o.kind = "replied";
        reply(self, m, r.text, std::move(o));
      },
      [self, m](caf::error& err) {
        auto& d = *self->state.deps;
        spdlog::error("conversation {} chat={} message={} provider failed: {}",
                      d.account->selector(), m.chat_id, m.message_id, describe(err));
        turn_outcome o;
        o.kind = "apologized";
        o.provider_failed = true;
        o.detail = describe(err);
        bool timed_out = err == ec::timeout || err == caf::sec::request_timeout;
        reply(self, m, timed_out ? apology_timeout : apology_failure, std::move(o));
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
        turn_outcome o;
        o.kind = "apologized";
        o.provider_failed = true;
        o.detail = describe(err);
        reply(self, m, apology_failure, std::move(o));
      });
}

void handle(self_ptr self, inbound_message m) {
  auto& st = self->state;
  auto& d = *st.deps;
  if (auto why = gate(*d.account, m, st.bot_open_id); !why.empty()) {
    turn_outcome o;
    o.kind = "ignored";
    o.detail = why;
    finish(self, m, std::move(o), true);
    return;
  }
  if (m.kind == content_kind::unsupported) {
    turn_outcome o;
    o.kind = "replied";
    o.detail = "unsupported " + m.message_type;
    reply(self, std::move(m), unsupported_reply, std::move(o));
    return;
  }
  auto prompt = feishu::prompt_text(m, st.bot_open_id);
  if (prompt.empty()) {
    turn_outcome o;
    o.kind = "ignored";
    o.detail = "empty";
    finish(self, m, std::move(o), true);
    return;
  }
  // Contract §5.8: an accepted message gets an emoji before the provider
  // turn. The journal's de-duplication keeps a re-delivery from a second one.
  if (d.account->ack_reactions)
    self->send(d.sender, react_atom_v, m.message_id, feishu::ack_reaction_emoji(random_unit()));
  if (is_reset_command(prompt)) {
    if (st.session)
      self->send(st.session, reset_atom_v);
    turn_outcome o;
    o.kind = "replied";
    o.detail = "reset";
    reply(self, std::move(m), "Started a new conversation.", std::move(o));
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
