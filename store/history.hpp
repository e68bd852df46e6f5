#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "messages/provider.hpp"

namespace loong::store {

class database;

/// Conversation history per session key (contract §5.6: one history per
/// chat per account). Synchronous; confined to its database's thread.
class history {
public:
  /// Uses `db`, which must outlive the history. Keeps at most
  /// `max_turns_per_key` turns per key (at least 1).
  explicit history(database& db, size_t max_turns_per_key = 40);

  /// Appends one turn and trims the key to its newest turns.
  caf::error append(const std::string& session_key,
                    const loong::chat_turn& turn, int64_t now_ms);

  /// Like `append`, inside a transaction the caller holds.
  caf::error append_within(const std::string& session_key,
                           const loong::chat_turn& turn, int64_t now_ms);

  /// Returns the most recent turns, oldest first: at most `max_turns`, and
  /// at most `max_chars` characters (UTF-8 code points of the contents) in
  /// total. Whole turns are dropped, oldest first, to fit.
  caf::expected<std::vector<loong::chat_turn>>
  recent(const std::string& session_key, size_t max_turns, size_t max_chars);

  /// Forgets every turn of the key (a `/new` or `/reset`).
  caf::error reset(const std::string& session_key);

private:
  database& db_;
  size_t max_turns_;
};

} // namespace loong::store
