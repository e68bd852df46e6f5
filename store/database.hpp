#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <caf/error.hpp>
#include <caf/expected.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace loong::store {

class database;

/// A prepared statement borrowed from the database's cache. Resets itself
/// and clears its bindings on destruction, so it can be reused at once.
class statement {
public:
  /// Wraps `stmt`. A cached statement clears `*in_use` when done; without
  /// `in_use` the statement is owned and finalized on destruction.
  statement(database& db, sqlite3_stmt* stmt, std::string op, bool* in_use);

  statement(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  statement& operator=(statement&&) = delete;
  ~statement();

  /// Binds a 64-bit integer to the 1-based parameter `idx`.
  caf::error bind(int idx, int64_t value);

  /// Binds text (copied by SQLite) to the 1-based parameter `idx`.
  caf::error bind(int idx, std::string_view value);

  /// Binds SQL NULL to the 1-based parameter `idx`.
  caf::error bind_null(int idx);

  /// Binds `xs` to the parameters 1, 2, ... in order; stops at the first
  /// error.
  template <class... Ts>
  caf::error bind_all(const Ts&... xs) {
    caf::error err;
    int idx = 0;
    // A fold over the comma operator keeps the order and skips the rest
    // once one bind failed.
    ((err = err ? std::move(err) : bind(++idx, xs)), ...);
    return err;
  }

  /// Advances one step: true when a row is available, false when done.
  caf::expected<bool> step();

  /// Runs the statement to completion, discarding any rows.
  caf::error run();

  /// Reads column `col` of the current row as an integer (NULL reads 0).
  int64_t column_int64(int col) const;

  /// Reads column `col` of the current row as text (NULL reads "").
  std::string column_text(int col) const;

  /// Tells whether column `col` of the current row is NULL.
  bool column_is_null(int col) const;

private:
  caf::error fail(const char* what) const;

  database* db_;
  sqlite3_stmt* stmt_;
  std::string op_;
  bool* in_use_;
};

/// One SQLite connection with a cache of prepared statements. Opening it
/// applies the schema migrations. Not thread-safe: each instance is
/// confined to the one thread (or actor) that uses it; open one per thread.
class database {
public:
  /// Opens (creating it and its parent directories) and migrates the file.
  /// Sets WAL mode, synchronous=NORMAL, busy_timeout 5 s and foreign keys.
  static caf::expected<std::unique_ptr<database>>
  open(const std::string& path);

  database(const database&) = delete;
  database& operator=(const database&) = delete;
  ~database();

  /// Returns a cached prepared statement for `sql`; `op` names the
  /// operation in error messages ("journal.admit: ...").
  caf::expected<statement> prepare(std::string_view op, const std::string& sql);

  /// Runs one or more statements without results (DDL, pragmas).
  caf::error exec(std::string_view op, const std::string& sql);

  /// Returns the rows changed by the last INSERT/UPDATE/DELETE.
  int64_t changes() const;

  /// Returns the journal mode SQLite reports ("wal" for files).
  caf::expected<std::string> journal_mode();

  /// Returns the schema version stored in the file (PRAGMA user_version).
  caf::expected<int64_t> schema_version();

  /// Returns how many migration steps the last open applied.
  size_t migrations_applied() const {
    return migrations_applied_;
  }

  /// Returns the path the database was opened with.
  const std::string& path() const {
    return path_;
  }

  /// Returns the raw handle (for migrations and tests).
  sqlite3* handle() const {
    return db_;
  }

  /// Builds `ec::store_failed` naming `op` and SQLite's last error message.
  caf::error fail(std::string_view op) const;

private:

  struct cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  explicit database(std::string path);

  std::string path_;
  sqlite3* db_ = nullptr;
  size_t migrations_applied_ = 0;
  std::unordered_map<std::string, cached> cache_;
};

/// An IMMEDIATE transaction (takes the write lock up front, so concurrent
/// writers wait on busy_timeout instead of failing to upgrade). Rolls back
/// on destruction unless committed.
class transaction {
public:
  /// Does not begin yet; call `begin()` and check its result.
  explicit transaction(database& db, std::string_view op);

  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  ~transaction();

  /// Starts the transaction (BEGIN IMMEDIATE).
  caf::error begin();

  /// Commits; on failure the transaction is rolled back.
  caf::error commit();

private:
  database& db_;
  std::string op_;
  bool active_ = false;
};

} // namespace loong::store
