#include "store/journal.hpp"

#include <algorithm>
#include <limits>

#include "messages/errors.hpp"
#include "store/answer_codec.hpp"
#include "store/database.hpp"
#include "store/inbound_codec.hpp"

namespace loong::store {

namespace {

// Both id kinds share the dedupe table; the prefix keeps them apart.
std::string event_key(const std::string& event_id) {
  return "e:" + event_id;
}

std::string message_key(const std::string& message_id) {
  return "m:" + message_id;
}

caf::error check(const loong::inbound_message& m, const char* op) {
  if (m.message_id.empty())
    return caf::make_error(ec::invalid_argument,
                           std::string{op} + ": message without message_id"
                             + (m.event_id.empty() ? ""
                                                   : " (event " + m.event_id
                                                       + ")"));
  return caf::none;
}

} // namespace

journal::journal(database& db) : db_(db) {
  // nop
}

caf::expected<bool> journal::seen(const std::string& account,
                                  const std::string& key, int64_t now_ms,
                                  int64_t ttl_ms) {
  auto st = db_.prepare("journal.admit (lookup key)",
                        "SELECT seen_ms FROM dedupe_keys"
                        " WHERE account = ?1 AND key = ?2");
  if (!st)
    return st.error();
  if (auto err = st->bind(1, account))
    return err;
  if (auto err = st->bind(2, key))
    return err;
  auto row = st->step();
  if (!row)
    return row.error();
  // An expired key no longer counts; `remember` overwrites it.
  return *row && now_ms - st->column_int64(0) < ttl_ms;
}

caf::error journal::remember(const std::string& account,
                             const std::string& key, int64_t now_ms) {
  auto st = db_.prepare("journal.admit (remember key)",
                        "INSERT INTO dedupe_keys (account, key, seen_ms)"
                        " VALUES (?1, ?2, ?3) ON CONFLICT (account, key)"
                        " DO UPDATE SET seen_ms = excluded.seen_ms");
  if (!st)
    return st.error();
  if (auto err = st->bind(1, account))
    return err;
  if (auto err = st->bind(2, key))
    return err;
  if (auto err = st->bind(3, now_ms))
    return err;
  return st->run();
}

caf::expected<bool> journal::unfinished(const std::string& account,
                                        const std::string& message_id) {
  auto st = db_.prepare("journal.admit (unfinished entry)",
                        "SELECT 1 FROM journal WHERE account = ?1"
                        " AND message_id = ?2 AND done_ms IS NULL LIMIT 1");
  if (!st)
    return st.error();
  if (auto err = st->bind_all(account, message_id))
    return err;
  auto row = st->step();
  if (!row)
    return row.error();
  return *row;
}

caf::expected<admit_result>
journal::admit_one(const loong::inbound_message& m, int64_t now_ms,
                   int64_t ttl_ms) {
  std::string keys[2];
  size_t n = 0;
  if (!m.event_id.empty())
    keys[n++] = event_key(m.event_id);
  keys[n++] = message_key(m.message_id);
  for (size_t i = 0; i < n; ++i) {
    auto dup = seen(m.account, keys[i], now_ms, ttl_ms);
    if (!dup)
      return dup.error();
    if (*dup) {
      auto open = unfinished(m.account, m.message_id);
      if (!open)
        return open.error();
      return *open ? admit_result::duplicate_unfinished : admit_result::duplicate;
    }
  }
  for (size_t i = 0; i < n; ++i)
    if (auto err = remember(m.account, keys[i], now_ms))
      return err;
  auto st = db_.prepare("journal.admit (insert entry)",
                        "INSERT INTO journal (account, message_id, event_id,"
                        " body, received_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st)
    return st.error();
  if (auto err = st->bind(1, m.account))
    return err;
  if (auto err = st->bind(2, m.message_id))
    return err;
  if (auto err = st->bind(3, m.event_id))
    return err;
  if (auto err = st->bind(4, to_json(m)))
    return err;
  if (auto err = st->bind(5, now_ms))
    return err;
  if (auto err = st->run())
    return err;
  return admit_result::accepted;
}

caf::expected<admit_result> journal::admit(const loong::inbound_message& m,
                                           int64_t now_ms, int64_t ttl_ms) {
  if (auto err = check(m, "journal.admit"))
    return err;
  transaction tx{db_, "journal.admit"};
  if (auto err = tx.begin())
    return err;
  auto result = admit_one(m, now_ms, ttl_ms);
  if (!result)
    return result.error();
  if (*result == admit_result::accepted)
    if (auto err = tx.commit())
      return err;
  return result;
}

caf::expected<admit_result>
journal::admit_within(const loong::inbound_message& m, int64_t now_ms,
                      int64_t ttl_ms) {
  if (auto err = check(m, "journal.admit"))
    return err;
  return admit_one(m, now_ms, ttl_ms);
}

caf::expected<std::vector<admit_result>>
journal::admit_batch(const std::vector<loong::inbound_message>& ms,
                     int64_t now_ms, int64_t ttl_ms) {
  std::vector<admit_result> results;
  if (ms.empty())
    return results;
  for (size_t i = 0; i < ms.size(); ++i)
    if (auto err = check(ms[i], "journal.admit_batch"))
      return caf::make_error(ec::invalid_argument,
                             "journal.admit_batch: item "
                               + std::to_string(i) + " has no message_id");
  results.reserve(ms.size());
  transaction tx{db_, "journal.admit_batch"};
  if (auto err = tx.begin())
    return err;
  for (const auto& m : ms) {
    auto result = admit_one(m, now_ms, ttl_ms);
    if (!result)
      return result.error();
    results.push_back(*result);
  }
  if (auto err = tx.commit())
    return err;
  return results;
}

caf::error journal::mark_done(const std::string& account,
                              const std::string& message_id, int64_t now_ms) {
  auto st = db_.prepare("journal.mark_done",
                        "UPDATE journal SET done_ms = ?3, outcome = 'delivered'"
                        " WHERE account = ?1 AND message_id = ?2"
                        " AND done_ms IS NULL");
  if (!st)
    return st.error();
  if (auto err = st->bind(1, account))
    return err;
  if (auto err = st->bind(2, message_id))
    return err;
  if (auto err = st->bind(3, now_ms))
    return err;
  return st->run();
}

caf::error journal::store_answer(const std::string& account,
                                 const std::string& message_id,
                                 const loong::stored_answer& answer) {
  auto st = db_.prepare("journal.store_answer",
                        "UPDATE journal SET answer = ?3 WHERE account = ?1"
                        " AND message_id = ?2 AND done_ms IS NULL");
  if (!st)
    return st.error();
  if (auto err = st->bind_all(account, message_id, to_json(answer)))
    return err;
  return st->run();
}

caf::error journal::record_progress(const std::string& account,
                                    const std::string& message_id,
                                    int32_t attempts, int32_t chunks_done) {
  auto st = db_.prepare("journal.record_progress",
                        "UPDATE journal SET delivery_attempts = ?3,"
                        " chunks_done = ?4 WHERE account = ?1"
                        " AND message_id = ?2 AND done_ms IS NULL");
  if (!st)
    return st.error();
  if (auto err = st->bind_all(account, message_id, int64_t{attempts},
                              int64_t{chunks_done}))
    return err;
  return st->run();
}

caf::error journal::close(const std::string& account,
                          const std::string& message_id,
                          const std::string& outcome, const std::string& reason,
                          int64_t now_ms) {
  auto st = db_.prepare("journal.close",
                        "UPDATE journal SET done_ms = ?3, outcome = ?4,"
                        " reason = ?5 WHERE account = ?1 AND message_id = ?2"
                        " AND done_ms IS NULL");
  if (!st)
    return st.error();
  if (auto err = st->bind_all(account, message_id, now_ms, outcome, reason))
    return err;
  return st->run();
}

caf::error journal::mark_attempt(const std::string& account,
                                 const std::string& message_id) {
  auto st = db_.prepare("journal.mark_attempt",
                        "UPDATE journal SET attempts = attempts + 1"
                        " WHERE account = ?1 AND message_id = ?2"
                        " AND done_ms IS NULL");
  if (!st)
    return st.error();
  if (auto err = st->bind(1, account))
    return err;
  if (auto err = st->bind(2, message_id))
    return err;
  return st->run();
}

caf::expected<std::vector<journal_entry>>
journal::pending(const std::string& account, size_t limit) {
  std::vector<journal_entry> out;
  auto st = db_.prepare("journal.pending",
                        "SELECT seq, body, received_ms, attempts, answer,"
                        " delivery_attempts, chunks_done FROM journal"
                        " WHERE account = ?1 AND done_ms IS NULL"
                        " ORDER BY seq LIMIT ?2");
  if (!st)
    return st.error();
  if (auto err = st->bind(1, account))
    return err;
  auto max = static_cast<size_t>(std::numeric_limits<int64_t>::max());
  if (auto err = st->bind(2, static_cast<int64_t>(std::min(limit, max))))
    return err;
  for (;;) {
    auto row = st->step();
    if (!row)
      return row.error();
    if (!*row)
      break;
    journal_entry entry;
    entry.seq = st->column_int64(0);
    auto msg = inbound_from_json(st->column_text(1));
    if (!msg)
      return caf::make_error(ec::store_failed,
                             "journal.pending: entry "
                               + std::to_string(entry.seq)
                               + " is corrupt: " + describe(msg.error()));
    entry.account = account;
    entry.message = std::move(*msg);
    entry.received_ms = st->column_int64(2);
    entry.attempts = static_cast<int32_t>(st->column_int64(3));
    if (!st->column_is_null(4)) {
      auto answer = answer_from_json(st->column_text(4));
      if (!answer)
        return caf::make_error(ec::store_failed,
                               "journal.pending: the answer of entry "
                                 + std::to_string(entry.seq)
                                 + " is corrupt: " + describe(answer.error()));
      entry.answered = true;
      entry.answer = std::move(*answer);
    }
    entry.delivery_attempts = static_cast<int32_t>(st->column_int64(5));
    entry.chunks_done = static_cast<int32_t>(st->column_int64(6));
    out.push_back(std::move(entry));
  }
  return out;
}

caf::expected<size_t> journal::purge(int64_t now_ms, int64_t ttl_ms) {
  transaction tx{db_, "journal.purge"};
  if (auto err = tx.begin())
    return err;
  size_t removed = 0;
  // The same boundary as `seen`: a key of age >= ttl is expired.
  for (auto sql : {"DELETE FROM dedupe_keys WHERE seen_ms <= ?1",
                   "DELETE FROM journal WHERE done_ms IS NOT NULL"
                   " AND done_ms <= ?1"}) {
    auto st = db_.prepare("journal.purge", sql);
    if (!st)
      return st.error();
    if (auto err = st->bind(1, now_ms - ttl_ms))
      return err;
    if (auto err = st->run())
      return err;
    removed += static_cast<size_t>(db_.changes());
  }
  if (auto err = tx.commit())
    return err;
  return removed;
}

caf::expected<int64_t> journal::pending_count(const std::string& account) {
  auto st = db_.prepare("journal.pending_count",
                        "SELECT COUNT(*) FROM journal"
                        " WHERE account = ?1 AND done_ms IS NULL");
  if (!st)
    return st.error();
  if (auto err = st->bind(1, account))
    return err;
  auto row = st->step();
  if (!row)
    return row.error();
  return *row ? st->column_int64(0) : 0;
}

} // namespace loong::store
