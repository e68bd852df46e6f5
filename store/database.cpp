#include "store/database.hpp"

#include <filesystem>
#include <utility>

#include <sqlite3.h>

#include "messages/errors.hpp"
#include "store/migrations.hpp"

namespace loong::store {

// -- statement ----------------------------------------------------------------

statement::statement(database& db, sqlite3_stmt* stmt, std::string op,
                     bool* in_use)
  : db_(&db), stmt_(stmt), op_(std::move(op)), in_use_(in_use) {
  // nop
}

statement::statement(statement&& other) noexcept
  : db_(other.db_),
    stmt_(std::exchange(other.stmt_, nullptr)),
    op_(std::move(other.op_)),
    in_use_(std::exchange(other.in_use_, nullptr)) {
  // nop
}

statement::~statement() {
  if (stmt_ == nullptr)
    return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

caf::error statement::fail(const char* what) const {
  return db_->fail(op_ + " (" + what + ")");
}

caf::error statement::bind(int idx, int64_t value) {
  if (sqlite3_bind_int64(stmt_, idx, value) != SQLITE_OK)
    return fail("bind");
  return caf::none;
}

caf::error statement::bind(int idx, std::string_view value) {
  // A null pointer would bind SQL NULL, not the empty string.
  const char* data = value.data() != nullptr ? value.data() : "";
  if (sqlite3_bind_text64(stmt_, idx, data, value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8)
      != SQLITE_OK)
    return fail("bind");
  return caf::none;
}

caf::error statement::bind_null(int idx) {
  if (sqlite3_bind_null(stmt_, idx) != SQLITE_OK)
    return fail("bind");
  return caf::none;
}

caf::expected<bool> statement::step() {
  switch (sqlite3_step(stmt_)) {
    case SQLITE_ROW:
      return true;
    case SQLITE_DONE:
      return false;
    default:
      return fail("step");
  }
}

caf::error statement::run() {
  for (;;) {
    auto more = step();
    if (!more)
      return more.error();
    if (!*more)
      return caf::none;
  }
}

int64_t statement::column_int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::string statement::column_text(int col) const {
  // column_text before column_bytes: the conversion may change the size.
  auto text = sqlite3_column_text(stmt_, col);
  auto size = sqlite3_column_bytes(stmt_, col);
  if (text == nullptr || size <= 0)
    return {};
  return std::string{reinterpret_cast<const char*>(text),
                     static_cast<size_t>(size)};
}

bool statement::column_is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

// -- database -----------------------------------------------------------------

database::database(std::string path) : path_(std::move(path)) {
  // nop
}

database::~database() {
  for (auto& [sql, entry] : cache_)
    sqlite3_finalize(entry.stmt);
  // close_v2 defers the close if a statement was leaked, instead of failing.
  if (db_ != nullptr)
    sqlite3_close_v2(db_);
}

caf::expected<std::unique_ptr<database>>
database::open(const std::string& path) {
  if (path.empty())
    return caf::make_error(ec::store_failed,
                           std::string{"open database: empty path"});
  if (path != ":memory:" && path.rfind("file:", 0) != 0) {
    auto parent = std::filesystem::path{path}.parent_path();
    std::error_code fs_err;
    if (!parent.empty())
      std::filesystem::create_directories(parent, fs_err);
    if (fs_err)
      return caf::make_error(ec::store_failed,
                             "open database " + path + ": cannot create "
                               + parent.string() + ": " + fs_err.message());
  }
  std::unique_ptr<database> db{new database(path)};
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db->db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db->db_ != nullptr ? sqlite3_errmsg(db->db_)
                                         : sqlite3_errstr(rc);
    return caf::make_error(ec::store_failed,
                           "open database " + path + ": " + why);
  }
  sqlite3_extended_result_codes(db->db_, 1);
  sqlite3_busy_timeout(db->db_, 5000);
  // WAL + NORMAL: a commit survives a process crash (kill -9); only a power
  // loss may drop the last transactions, which is what we promise.
  auto op = "open database " + path;
  if (auto err = db->exec(op, "PRAGMA journal_mode = WAL;"
                              "PRAGMA synchronous = NORMAL;"
                              "PRAGMA foreign_keys = ON;"))
    return err;
  auto applied = migrate(*db);
  if (!applied)
    return applied.error();
  db->migrations_applied_ = *applied;
  return db;
}

caf::error database::fail(std::string_view op) const {
  std::string msg{op};
  msg += ": ";
  msg += db_ != nullptr ? sqlite3_errmsg(db_) : "database not open";
  if (db_ != nullptr)
    msg += " (sqlite " + std::to_string(sqlite3_extended_errcode(db_)) + ")";
  return caf::make_error(ec::store_failed, std::move(msg));
}

caf::expected<statement> database::prepare(std::string_view op,
                                           const std::string& sql) {
  auto i = cache_.find(sql);
  if (i != cache_.end() && !i->second.in_use) {
    i->second.in_use = true;
    return statement{*this, i->second.stmt, std::string{op},
                     &i->second.in_use};
  }
  // Not cached yet, or already borrowed by an enclosing use (a nested
  // query): the second case gets a private statement.
  unsigned flags = i == cache_.end() ? SQLITE_PREPARE_PERSISTENT : 0;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags,
                         &stmt, nullptr)
      != SQLITE_OK)
    return fail(std::string{op} + " (prepare)");
  if (stmt == nullptr)
    return caf::make_error(ec::store_failed,
                           std::string{op} + " (prepare): empty SQL");
  if (i != cache_.end())
    return statement{*this, stmt, std::string{op}, nullptr};
  auto& entry = cache_[sql];
  entry.stmt = stmt;
  entry.in_use = true;
  return statement{*this, stmt, std::string{op}, &entry.in_use};
}

caf::error database::exec(std::string_view op, const std::string& sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) == SQLITE_OK)
    return caf::none;
  std::string why = msg != nullptr ? msg : sqlite3_errmsg(db_);
  sqlite3_free(msg);
  return caf::make_error(ec::store_failed, std::string{op} + ": " + why);
}

int64_t database::changes() const {
  return sqlite3_changes64(db_);
}

caf::expected<std::string> database::journal_mode() {
  auto st = prepare("journal_mode", "PRAGMA journal_mode");
  if (!st)
    return st.error();
  auto row = st->step();
  if (!row)
    return row.error();
  return *row ? st->column_text(0) : std::string{};
}

caf::expected<int64_t> database::schema_version() {
  auto st = prepare("read schema version", "PRAGMA user_version");
  if (!st)
    return st.error();
  auto row = st->step();
  if (!row)
    return row.error();
  return *row ? st->column_int64(0) : 0;
}

// -- transaction --------------------------------------------------------------

transaction::transaction(database& db, std::string_view op)
  : db_(db), op_(op) {
  // nop
}

transaction::~transaction() {
  if (active_)
    db_.exec(op_ + " (rollback)", "ROLLBACK");
}

namespace {

// BEGIN and COMMIT go through the statement cache: sqlite3_exec would
// parse them again on every transaction.
caf::error run_cached(database& db, const std::string& op,
                      const std::string& sql) {
  auto st = db.prepare(op, sql);
  if (!st)
    return st.error();
  return st->run();
}

} // namespace

caf::error transaction::begin() {
  if (auto err = run_cached(db_, op_ + " (begin)", "BEGIN IMMEDIATE"))
    return err;
  active_ = true;
  return caf::none;
}

caf::error transaction::commit() {
  if (auto err = run_cached(db_, op_ + " (commit)", "COMMIT")) {
    // A failed COMMIT may leave the transaction open; end it here.
    if (sqlite3_get_autocommit(db_.handle()) == 0)
      db_.exec(op_, "ROLLBACK");
    active_ = false;
    return err;
  }
  active_ = false;
  return caf::none;
}

} // namespace loong::store
