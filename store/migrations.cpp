#include "store/migrations.hpp"

#include <string>

#include "messages/errors.hpp"
#include "store/database.hpp"

namespace loong::store {

namespace {

// Dedupe keys are "e:<event_id>" / "m:<message_id>" so both kinds share one
// primary key per account. `done_ms` stays NULL while an entry is pending.
// Each index costs a page write per admit, so there are few: the partial
// pending index serves mark_done/mark_attempt/pending (which sorts by seq),
// and done entries join the purge index only when they finish.
constexpr const char* v1_journal = R"sql(
CREATE TABLE dedupe_keys (
  account TEXT NOT NULL,
  key     TEXT NOT NULL,
  seen_ms INTEGER NOT NULL,
  PRIMARY KEY (account, key)
) WITHOUT ROWID;
CREATE INDEX dedupe_keys_by_seen ON dedupe_keys (seen_ms);
CREATE TABLE journal (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  account     TEXT NOT NULL,
  message_id  TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  body        TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  done_ms     INTEGER
);
CREATE INDEX journal_pending ON journal (account, message_id)
  WHERE done_ms IS NULL;
CREATE INDEX journal_done ON journal (done_ms) WHERE done_ms IS NOT NULL;
)sql";

constexpr const char* v2_history = R"sql(
CREATE TABLE history (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  session_key TEXT NOT NULL,
  role        TEXT NOT NULL,
  content     TEXT NOT NULL,
  created_ms  INTEGER NOT NULL
);
CREATE INDEX history_by_key ON history (session_key, id);
)sql";

// The outbox lives in the journal row (design.md, "Delivery states"): an
// entry with `answer` set and `done_ms` NULL is answered and waits for its
// delivery; `outcome` says how a finished entry ended.
constexpr const char* v3_outbox = R"sql(
ALTER TABLE journal ADD COLUMN answer TEXT;
ALTER TABLE journal ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE journal ADD COLUMN chunks_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE journal ADD COLUMN outcome TEXT;
ALTER TABLE journal ADD COLUMN reason TEXT;
)sql";

} // namespace

const std::vector<migration>& migrations() {
  static const std::vector<migration> steps{
    {1, "inbound journal and dedupe keys", v1_journal},
    {2, "conversation history", v2_history},
    {3, "outbox: stored answers and delivery state", v3_outbox},
  };
  return steps;
}

int64_t latest_schema_version() {
  return migrations().back().version;
}

caf::expected<size_t> migrate(database& db) {
  auto current = db.schema_version();
  if (!current)
    return current.error();
  if (*current > latest_schema_version())
    return caf::make_error(
      ec::store_failed,
      "database " + db.path() + " has schema version "
        + std::to_string(*current) + ", newer than this binary's "
        + std::to_string(latest_schema_version()));
  size_t applied = 0;
  for (const auto& step : migrations()) {
    if (step.version <= *current)
      continue;
    std::string op = "migration " + std::to_string(step.version) + " ("
                     + step.name + ")";
    transaction tx{db, op};
    if (auto err = tx.begin())
      return err;
    // Another process may have migrated while we waited for the lock.
    auto now = db.schema_version();
    if (!now)
      return now.error();
    if (*now >= step.version) {
      *current = *now;
      continue;
    }
    if (auto err = db.exec(op, step.sql))
      return err;
    if (auto err = db.exec(op, "PRAGMA user_version = "
                                 + std::to_string(step.version)))
      return err;
    if (auto err = tx.commit())
      return err;
    ++applied;
  }
  return applied;
}

} // namespace loong::store
