#include "actors/provider_session.hpp"

#include <exception>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/provider_pool.hpp"
#include "messages/errors.hpp"

namespace loong {

namespace {

using session_ptr = provider_session_pointer;

/// The store is local SQLite; a slow answer means something is wrong, and
/// the conversation goes on without its history.
constexpr std::chrono::seconds store_timeout{10};

bool blank(const std::string& x) {
  return x.find_first_not_of(" \t\r\n") == std::string::npos;
}

void pump(session_ptr self);

void on_answer(session_ptr self, caf::expected<completion_result> res) {
  auto& st = self->state;
  auto ask = std::move(st.asks.front());
  st.asks.pop_front();
  st.busy = false;
  if (res) {
    // An empty answer is not worth remembering (Ark rejects empty turns).
    // The asker stores the turns together with the answer it delivers
    // (journal_answer), so a restart never writes a turn twice.
    if (!res->text.empty()) {
      st.history.push_back({"user", ask.text});
      st.history.push_back({"assistant", res->text});
      trim_history(st.history, st.cfg.history_turns, st.cfg.history_chars);
    }
    ask.rp.deliver(std::move(*res));
  } else {
    spdlog::debug("provider-session {} ask failed: {}", st.key,
                  describe(res.error()));
    ask.rp.deliver(res.error());
  }
  pump(self);
}

/// Sends the oldest waiting ask when none is at the provider.
void pump(session_ptr self) {
  auto& st = self->state;
  if (st.busy || !st.loaded || st.asks.empty())
    return;
  st.busy = true;
  completion_request req;
  req.session_key = st.key;
  req.messages = build_messages(st.cfg.system_prompt, st.history,
                                st.asks.front().text);
  spdlog::debug("provider-session {} asks with {} message(s)", st.key,
                req.messages.size());
  self->request(st.pool, provider_request_timeout(st.cfg), complete_atom_v,
                std::move(req))
    .then([self](completion_result& r) { on_answer(self, std::move(r)); },
          [self](caf::error& e) { on_answer(self, std::move(e)); });
}

void load_history(session_ptr self) {
  auto& st = self->state;
  if (!st.store) {
    st.loaded = true;
    return;
  }
  self->request(st.store, store_timeout, history_atom_v, st.key)
    .then(
      [self](std::vector<chat_turn>& turns) {
        auto& st = self->state;
        // Turns asked meanwhile were not stored yet: stored ones go first.
        std::deque<chat_turn> merged(turns.begin(), turns.end());
        merged.insert(merged.end(), st.history.begin(), st.history.end());
        st.history = std::move(merged);
        trim_history(st.history, st.cfg.history_turns, st.cfg.history_chars);
        st.loaded = true;
        spdlog::debug("provider-session {} loaded {} stored turn(s)", st.key,
                      turns.size());
        pump(self);
      },
      [self](caf::error& e) {
        auto& st = self->state;
        spdlog::warn("provider-session {} starts without stored history: {}",
                     st.key, describe(e));
        st.loaded = true;
        pump(self);
      });
}

} // namespace

int64_t utf8_chars(const std::string& text) {
  int64_t n = 0;
  for (unsigned char c : text)
    n += (c & 0xC0) != 0x80;
  return n;
}

void trim_history(std::deque<chat_turn>& history, int64_t max_turns,
                  int64_t max_chars) {
  int64_t chars = 0;
  for (auto& t : history)
    chars += utf8_chars(t.content);
  while (!history.empty()
         && (static_cast<int64_t>(history.size()) > max_turns
             || chars > max_chars)) {
    chars -= utf8_chars(history.front().content);
    history.pop_front();
  }
}

std::vector<chat_turn> build_messages(const std::string& system_prompt,
                                      const std::deque<chat_turn>& history,
                                      const std::string& user_text) {
  std::vector<chat_turn> out;
  out.reserve(history.size() + 2);
  if (!blank(system_prompt))
    out.push_back({"system", system_prompt});
  out.insert(out.end(), history.begin(), history.end());
  out.push_back({"user", user_text});
  return out;
}

provider_session_state::~provider_session_state() {
  auto err = caf::make_error(ec::shutting_down,
                             "provider session " + key + " stopped");
  for (auto& a : asks)
    if (a.rp.pending())
      a.rp.deliver(err);
}

provider_session_actor::behavior_type
provider_session(provider_session_pointer self, runtime_ptr rt,
                 provider_pool_actor pool, store_actor store, std::string key,
                 config::provider_config cfg) {
  auto& st = self->state;
  st.rt = std::move(rt);
  st.pool = std::move(pool);
  st.store = std::move(store);
  st.key = std::move(key);
  st.cfg = std::move(cfg);
  self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("provider-session {} stops: {}", self->state.key, what);
    return caf::make_error(ec::platform_error, "provider session: " + what);
  });
  load_history(self);
  return {
    [self](ask_atom, std::string& text)
      -> caf::typed_response_promise<completion_result> {
      auto rp = self->make_response_promise<completion_result>();
      self->state.asks.push_back({std::move(text), rp});
      pump(self);
      return rp;
    },
    [self](reset_atom) {
      // Memory only: the store keeps its rows; a fresh conversation uses a
      // fresh session key (contract §5.6).
      spdlog::debug("provider-session {} forgets {} turn(s)", self->state.key,
                    self->state.history.size());
      self->state.history.clear();
    },
  };
}

} // namespace loong
