#pragma once

#include <memory>
#include <string>

#include "messages/actors.hpp"

namespace loong::store {
class database;
class journal;
class history;
} // namespace loong::store

namespace loong {

/// State of the STORE KEEPER: the SQLite file and its tables.
struct store_keeper_state {
  static inline const char* name = "store-keeper";
  std::unique_ptr<store::database> db;
  std::unique_ptr<store::journal> journal;
  std::unique_ptr<store::history> history;
  int64_t dedupe_ttl_ms = 0;
  int64_t admits_since_purge = 0;
  store_keeper_state();
  ~store_keeper_state();
};

/// Owns the database file; spawn it `detached` (SQLite blocks). Quits with
/// ec::store_failed when the file cannot be opened.
store_actor::behavior_type
store_keeper(store_actor::stateful_pointer<store_keeper_state> self,
             std::string path, int64_t dedupe_ttl_ms);

} // namespace loong
