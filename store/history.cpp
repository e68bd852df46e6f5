#include "store/history.hpp"

#include <algorithm>
#include <limits>

#include "store/database.hpp"

namespace loong::store {

namespace {

// Counts code points, not bytes, so a CJK conversation gets the same
// budget as a Latin one: every byte except UTF-8 continuation bytes.
size_t count_chars(const std::string& text) {
  auto is_lead = [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  };
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), is_lead));
}

int64_t to_limit(size_t n) {
  auto max = static_cast<size_t>(std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(std::min(n, max));
}

} // namespace

history::history(database& db, size_t max_turns_per_key)
  : db_(db), max_turns_(std::max<size_t>(max_turns_per_key, 1)) {
  // nop
}

caf::error history::append(const std::string& session_key,
                           const loong::chat_turn& turn, int64_t now_ms) {
  transaction tx{db_, "history.append"};
  if (auto err = tx.begin())
    return err;
  if (auto err = append_within(session_key, turn, now_ms))
    return err;
  return tx.commit();
}

caf::error history::append_within(const std::string& session_key,
                                  const loong::chat_turn& turn, int64_t now_ms) {
  {
    auto st = db_.prepare("history.append",
                          "INSERT INTO history (session_key, role, content,"
                          " created_ms) VALUES (?1, ?2, ?3, ?4)");
    if (!st)
      return st.error();
    if (auto err = st->bind(1, session_key))
      return err;
    if (auto err = st->bind(2, turn.role))
      return err;
    if (auto err = st->bind(3, turn.content))
      return err;
    if (auto err = st->bind(4, now_ms))
      return err;
    if (auto err = st->run())
      return err;
  }
  {
    // Keep the newest max_turns_ rows; with fewer rows the subquery is NULL
    // and nothing matches.
    auto st = db_.prepare("history.append (trim)",
                          "DELETE FROM history WHERE session_key = ?1 AND id <"
                          " (SELECT id FROM history WHERE session_key = ?1"
                          " ORDER BY id DESC LIMIT 1 OFFSET ?2)");
    if (!st)
      return st.error();
    if (auto err = st->bind(1, session_key))
      return err;
    if (auto err = st->bind(2, to_limit(max_turns_ - 1)))
      return err;
    if (auto err = st->run())
      return err;
  }
  return caf::none;
}

caf::expected<std::vector<loong::chat_turn>>
history::recent(const std::string& session_key, size_t max_turns,
                size_t max_chars) {
  std::vector<loong::chat_turn> out;
  if (max_turns == 0)
    return out;
  auto st = db_.prepare("history.recent",
                        "SELECT role, content FROM history"
                        " WHERE session_key = ?1 ORDER BY id DESC LIMIT ?2");
  if (!st)
    return st.error();
  if (auto err = st->bind(1, session_key))
    return err;
  if (auto err = st->bind(2, to_limit(max_turns)))
    return err;
  size_t used = 0;
  for (;;) {
    auto row = st->step();
    if (!row)
      return row.error();
    if (!*row)
      break;
    loong::chat_turn turn{st->column_text(0), st->column_text(1)};
    auto chars = count_chars(turn.content);
    // Newest first: the first turn that does not fit ends the window, so the
    // result is always a contiguous tail of the conversation.
    if (chars > max_chars - used)
      break;
    used += chars;
    out.push_back(std::move(turn));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

caf::error history::reset(const std::string& session_key) {
  auto st = db_.prepare("history.reset",
                        "DELETE FROM history WHERE session_key = ?1");
  if (!st)
    return st.error();
  if (auto err = st->bind(1, session_key))
    return err;
  return st->run();
}

} // namespace loong::store
