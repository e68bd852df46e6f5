#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "messages/actors.hpp"

namespace loong::store {
class database;
class journal;
class history;
} // namespace loong::store

namespace loong {

/// A write waiting for the next group commit.
struct store_write {
  enum class kind { admit, done, history, attempt, answer, progress, close };
  kind what = kind::done;
  inbound_message message;
  caf::typed_response_promise<inbound_verdict> verdict;
  journal_key key;
  history_append turns;
  stored_answer answer;
  delivery_progress progress;
  journal_close closing;
};

/// State of the STORE KEEPER: the SQLite file and its tables.
struct store_keeper_state {
  static inline const char* name = "store-keeper";
  std::unique_ptr<store::database> db;
  std::unique_ptr<store::journal> journal;
  std::unique_ptr<store::history> history;
  int64_t dedupe_ttl_ms = 0;
  int64_t admits_since_purge = 0;
  /// Writes received since the last commit (group commit: one transaction
  /// for everything that queued up while the previous one ran).
  std::vector<store_write> batch;
  /// A flush message is in the mailbox.
  bool flush_queued = false;
  store_keeper_state();
  ~store_keeper_state();
};

/// Owns the database file; spawn it `detached` (SQLite blocks). Quits with
/// ec::store_failed when the file cannot be opened.
store_actor::behavior_type
store_keeper(store_actor::stateful_pointer<store_keeper_state> self,
             std::string path, int64_t dedupe_ttl_ms);

} // namespace loong
