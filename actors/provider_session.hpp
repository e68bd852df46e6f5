#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/runtime.hpp"
#include "config/gateway_config.hpp"
#include "messages/actors.hpp"

namespace loong {

/// Length of a text in characters (UTF-8 code points), as history_chars
/// counts them.
int64_t utf8_chars(const std::string& text);

/// Drops the oldest turns of `history` until at most `max_turns` turns and
/// `max_chars` characters of content remain (a limit <= 0 keeps nothing).
void trim_history(std::deque<chat_turn>& history, int64_t max_turns,
                  int64_t max_chars);

/// The message list for one ask: the system prompt (when not blank), the
/// history window, then the user's text.
std::vector<chat_turn> build_messages(const std::string& system_prompt,
                                      const std::deque<chat_turn>& history,
                                      const std::string& user_text);

/// State of a PROVIDER SESSION: one conversation's history window.
struct provider_session_state {
  static inline const char* name = "provider-session";

  /// An ask waiting for its turn (one runs at a time).
  struct pending_ask {
    /// The user's text.
    std::string text;
    /// The asker's answer.
    caf::typed_response_promise<completion_result> rp;
  };

  /// Process-wide handles (unused today; kept for timers and clocks).
  runtime_ptr rt;
  /// Runs the completions.
  provider_pool_actor pool;
  /// Stored history; may be invalid (memory only).
  store_actor store;
  /// The conversation key (contract §5.6).
  std::string key;
  /// System prompt and window limits.
  config::provider_config cfg;
  /// The window, oldest first; never longer than the configured limits.
  std::deque<chat_turn> history;
  /// Asks in arrival order; the front one is at the provider when busy.
  std::deque<pending_ask> asks;
  /// False until the stored history arrived (or there is no store).
  bool loaded = false;
  /// Whether an ask is at the provider.
  bool busy = false;

  /// Answers asks that never ran (the session is going away).
  ~provider_session_state();
};

using provider_session_pointer
  = provider_session_actor::stateful_pointer<provider_session_state>;

/// The PROVIDER SESSION of one conversation key: sends the system prompt,
/// a bounded history window (cfg.history_turns / history_chars, oldest
/// dropped first) and the user's text through `pool`, one ask at a time in
/// arrival order. Loads the stored history from `store` on start (`store`
/// may be invalid: memory only) and keeps both turns of each successful
/// answer in memory; storing them is the asker's job (the conversation
/// writes them with the stored answer, in one transaction).
provider_session_actor::behavior_type
provider_session(provider_session_pointer self, runtime_ptr rt,
                 provider_pool_actor pool, store_actor store, std::string key,
                 config::provider_config cfg);

} // namespace loong
