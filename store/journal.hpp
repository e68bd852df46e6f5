#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "messages/chat.hpp"
#include "messages/delivery.hpp"

namespace loong::store {

class database;

/// Default time a dedupe key is remembered: 12 hours.
constexpr int64_t default_dedupe_ttl_ms = 12 * 3600 * 1000;

/// What `journal::admit` decided about one inbound message.
enum class admit_result {
  /// First sight: the message is now journaled as pending.
  accepted,
  /// Its event_id or message_id was seen within the TTL; nothing written.
  duplicate,
  /// A duplicate whose journal entry is still unfinished (being answered,
  /// or its answer waiting for delivery).
  duplicate_unfinished,
};

/// One journaled inbound message.
struct journal_entry {
  /// Arrival order, strictly increasing across the whole file.
  int64_t seq = 0;
  std::string account;
  loong::inbound_message message;
  /// When it was admitted, Unix ms (the caller's clock).
  int64_t received_ms = 0;
  /// Processing attempts recorded with `mark_attempt`.
  int32_t attempts = 0;
  /// Set once `store_answer` ran: only the delivery is left.
  bool answered = false;
  loong::stored_answer answer;
  /// Delivery progress recorded with `record_progress`.
  int32_t delivery_attempts = 0;
  int32_t chunks_done = 0;
};

/// The inbound journal with de-duplication: every accepted event is written
/// before it is acknowledged to the platform and stays pending until
/// `mark_done`, so a crash after the ACK loses nothing. Keys are per account
/// and survive restarts. Synchronous; confined to its database's thread.
class journal {
public:
  /// Uses `db`, which must outlive the journal.
  explicit journal(database& db);

  /// In one transaction: a message whose event_id or message_id was seen
  /// for its account within `ttl_ms` is a duplicate (nothing written); else
  /// records both keys and a pending entry holding the whole message. An
  /// empty message_id is an `ec::invalid_argument` error.
  caf::expected<admit_result> admit(const loong::inbound_message& m,
                                    int64_t now_ms,
                                    int64_t ttl_ms = default_dedupe_ttl_ms);

  /// Like `admit`, inside a transaction the caller holds (the store
  /// keeper's group commit); nothing is committed here.
  caf::expected<admit_result> admit_within(const loong::inbound_message& m,
                                           int64_t now_ms,
                                           int64_t ttl_ms = default_dedupe_ttl_ms);

  /// Like `admit` for a batch in one transaction (group commit); results in
  /// input order, later copies within the batch are duplicates. One invalid
  /// message fails the whole batch and nothing is written.
  caf::expected<std::vector<admit_result>>
  admit_batch(const std::vector<loong::inbound_message>& ms, int64_t now_ms,
              int64_t ttl_ms = default_dedupe_ttl_ms);

  /// Marks the pending entries of (account, message_id) done. Idempotent:
  /// marking an unknown or finished message is not an error.
  caf::error mark_done(const std::string& account,
                       const std::string& message_id, int64_t now_ms);

  /// Stores the answer of an unfinished entry (it becomes `answered`);
  /// idempotent, a finished entry is left alone.
  caf::error store_answer(const std::string& account,
                          const std::string& message_id,
                          const loong::stored_answer& answer);

  /// Records how far the delivery of an answered entry got.
  caf::error record_progress(const std::string& account,
                             const std::string& message_id, int32_t attempts,
                             int32_t chunks_done);

  /// Finishes an unfinished entry without a delivered answer; `outcome` is
  /// "failed" or "skipped", `reason` says why.
  caf::error close(const std::string& account, const std::string& message_id,
                   const std::string& outcome, const std::string& reason,
                   int64_t now_ms);

  /// Counts one more processing attempt on the pending entry.
  caf::error mark_attempt(const std::string& account,
                          const std::string& message_id);

  /// Returns the unfinished entries of an account in arrival order.
  caf::expected<std::vector<journal_entry>>
  pending(const std::string& account, size_t limit = 10000);

  /// Deletes dedupe keys older than `ttl_ms` and entries done longer than
  /// `ttl_ms` ago; returns how many rows went.
  caf::expected<size_t> purge(int64_t now_ms,
                              int64_t ttl_ms = default_dedupe_ttl_ms);

  /// Returns the number of unfinished entries of an account.
  caf::expected<int64_t> pending_count(const std::string& account);

private:
  caf::expected<admit_result> admit_one(const loong::inbound_message& m,
                                        int64_t now_ms, int64_t ttl_ms);

  caf::expected<bool> seen(const std::string& account, const std::string& key,
                           int64_t now_ms, int64_t ttl_ms);

  caf::error remember(const std::string& account, const std::string& key,
                      int64_t now_ms);

  caf::expected<bool> unfinished(const std::string& account,
                                 const std::string& message_id);

  database& db_;
};

} // namespace loong::store
