#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

namespace loong {

/// One turn of a conversation as the provider sees it.
struct chat_turn {
  /// "system", "user" or "assistant".
  std::string role;
  std::string content;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_turn& x) {
  return f(caf::meta::type_name("loong::chat_turn"), x.role, x.content);
}

inline bool operator==(const chat_turn& x, const chat_turn& y) {
  return x.role == y.role && x.content == y.content;
}

/// Token usage reported by the provider (all zero when it sent none).
struct token_usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t total_tokens = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_usage& x) {
  return f(caf::meta::type_name("loong::token_usage"), x.prompt_tokens,
           x.completion_tokens, x.total_tokens);
}

/// A request for one completion.
struct completion_request {
  /// Conversation key (account + chat); selects the provider session.
  std::string session_key;
  /// Full message list to send, system prompt first.
  std::vector<chat_turn> messages;
  /// Model id; empty means the provider's configured (or auto) model.
  std::string model;
  /// Stream the answer (SSE) and report partial text as it arrives.
  bool stream = false;
  /// With `stream`, receives each content delta as a completion_delta
  /// message as it arrives (optional).
  caf::actor delta_sink;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, completion_request& x) {
  return f(caf::meta::type_name("loong::completion_request"), x.session_key,
           x.messages, x.model, x.stream, x.delta_sink);
}

/// A piece of answer text from a streamed completion, in arrival order.
struct completion_delta {
  std::string text;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, completion_delta& x) {
  return f(caf::meta::type_name("loong::completion_delta"), x.text);
}

/// The provider's answer.
struct completion_result {
  std::string text;
  /// "stop", "length", "content_filter", ...
  std::string finish_reason;
  /// Model that served the request.
  std::string model;
  token_usage usage;
  bool has_usage = false;
  /// Wall time from the first attempt to the last byte, ms.
  int64_t latency_ms = 0;
  /// Attempts it took (1 = first try).
  int32_t attempts = 1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, completion_result& x) {
  return f(caf::meta::type_name("loong::completion_result"), x.text,
           x.finish_reason, x.model, x.usage, x.has_usage, x.latency_ms,
           x.attempts);
}

} // namespace loong
