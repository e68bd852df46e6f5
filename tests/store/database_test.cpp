#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "messages/errors.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "test_support.hpp"

using namespace loong::store;
using loong::store::test::temp_dir;

namespace {

// Runs SQL on a file with the raw C API, bypassing our migrations.
void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  std::string why = msg != nullptr ? msg : "";
  sqlite3_free(msg);
  sqlite3_close(db);
  INFO(why);
  REQUIRE(rc == SQLITE_OK);
}

int64_t count_rows(database& db, const std::string& table) {
  auto st = db.prepare("count", "SELECT COUNT(*) FROM " + table);
  REQUIRE(st);
  auto row = st->step();
  REQUIRE(row);
  REQUIRE(*row);
  return st->column_int64(0);
}

} // namespace

TEST_CASE("open creates parents, uses WAL and the latest schema",
          "[store][database]") {
  temp_dir dir;
  auto db = database::open(dir / "a/b/loong.db");
  REQUIRE(db);
  CHECK((*db)->journal_mode() == std::string{"wal"});
  CHECK((*db)->schema_version() == latest_schema_version());
  CHECK((*db)->migrations_applied() == migrations().size());
  CHECK(latest_schema_version() == static_cast<int64_t>(migrations().size()));
}

TEST_CASE("a v0 file is migrated and reopening is a no-op",
          "[store][database][migrations]") {
  temp_dir dir;
  auto path = dir / "v0.db";
  // A v0 file: exists, has unrelated content, user_version 0.
  raw_exec(path, "CREATE TABLE unrelated (x INTEGER); "
                 "INSERT INTO unrelated VALUES (7);");
  {
    auto db = database::open(path);
    REQUIRE(db);
    CHECK((*db)->migrations_applied() == 3);
    CHECK((*db)->schema_version() == 3);
    CHECK(count_rows(**db, "unrelated") == 1);
    CHECK(count_rows(**db, "journal") == 0);
    CHECK(count_rows(**db, "history") == 0);
  }
  auto again = database::open(path);
  REQUIRE(again);
  CHECK((*again)->migrations_applied() == 0);
  CHECK((*again)->schema_version() == 3);
}

TEST_CASE("a v1 file gets only the missing step and keeps its rows",
          "[store][database][migrations]") {
  temp_dir dir;
  auto path = dir / "v1.db";
  raw_exec(path, std::string{migrations()[0].sql}
                   + "INSERT INTO dedupe_keys VALUES ('work', 'm:om_1', 5);"
                     "PRAGMA user_version = 1;");
  auto db = database::open(path);
  REQUIRE(db);
  CHECK((*db)->migrations_applied() == 2);
  CHECK((*db)->schema_version() == 3);
  CHECK(count_rows(**db, "dedupe_keys") == 1);
}

TEST_CASE("a file newer than the binary is an error naming both versions",
          "[store][database][migrations]") {
  temp_dir dir;
  auto path = dir / "future.db";
  raw_exec(path, "PRAGMA user_version = 99;");
  auto db = database::open(path);
  REQUIRE(!db);
  CHECK(db.error() == loong::ec::store_failed);
  auto text = loong::describe(db.error());
  CHECK_THAT(text, Catch::Contains("schema version 99"));
  CHECK_THAT(text, Catch::Contains("binary's 3"));
}

TEST_CASE("SQLite failures become store_failed errors naming the operation",
          "[store][database]") {
  temp_dir dir;
  SECTION("a directory is not a database") {
    auto db = database::open(dir.path);
    REQUIRE(!db);
    CHECK(db.error() == loong::ec::store_failed);
    CHECK_THAT(loong::describe(db.error()), Catch::Contains(dir.path));
  }
  SECTION("a file that is not SQLite") {
    auto path = dir / "garbage.db";
    FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    std::string junk(4096, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
    auto db = database::open(path);
    REQUIRE(!db);
    CHECK(db.error() == loong::ec::store_failed);
  }
  SECTION("bad SQL") {
    auto db = database::open(dir / "x.db");
    REQUIRE(db);
    auto st = (*db)->prepare("my.op", "SELEKT 1");
    REQUIRE(!st);
    CHECK(st.error() == loong::ec::store_failed);
    CHECK_THAT(loong::describe(st.error()), Catch::Contains("my.op"));
    CHECK_THAT(loong::describe(st.error()), Catch::Contains("syntax error"));
    auto err = (*db)->exec("other.op", "INSERT INTO nowhere VALUES (1)");
    CHECK(err == loong::ec::store_failed);
    CHECK_THAT(loong::describe(err), Catch::Contains("no such table"));
  }
  SECTION("constraint violation on step") {
    auto db = database::open(dir / "x.db");
    REQUIRE(db);
    auto sql = std::string{"INSERT INTO dedupe_keys VALUES ('a', 'k', 1)"};
    REQUIRE(!(*db)->exec("first", sql));
    auto st = (*db)->prepare("second insert", sql);
    REQUIRE(st);
    auto err = st->run();
    CHECK(err == loong::ec::store_failed);
    CHECK_THAT(loong::describe(err), Catch::Contains("second insert"));
    CHECK_THAT(loong::describe(err), Catch::Contains("UNIQUE"));
  }
}

TEST_CASE("a cached statement in use is not handed out twice",
          "[store][database]") {
  temp_dir dir;
  auto db = database::open(dir / "x.db");
  REQUIRE(db);
  REQUIRE(!(*db)->exec("seed", "INSERT INTO dedupe_keys VALUES ('a','k1',1),"
                               "('a','k2',2)"));
  std::string sql = "SELECT seen_ms FROM dedupe_keys ORDER BY seen_ms";
  auto outer = (*db)->prepare("outer", sql);
  REQUIRE(outer);
  REQUIRE(outer->step() == true);
  CHECK(outer->column_int64(0) == 1);
  {
    auto inner = (*db)->prepare("inner", sql);
    REQUIRE(inner);
    REQUIRE(inner->step() == true);
    CHECK(inner->column_int64(0) == 1);
  }
  // The outer cursor was not disturbed by the nested use.
  REQUIRE(outer->step() == true);
  CHECK(outer->column_int64(0) == 2);
}

TEST_CASE("a transaction rolls back unless committed", "[store][database]") {
  temp_dir dir;
  auto db = database::open(dir / "x.db");
  REQUIRE(db);
  {
    transaction tx{**db, "test"};
    REQUIRE(!tx.begin());
    REQUIRE(!(*db)->exec("insert", "INSERT INTO dedupe_keys VALUES "
                                   "('a','k',1)"));
  }
  CHECK(count_rows(**db, "dedupe_keys") == 0);
  {
    transaction tx{**db, "test"};
    REQUIRE(!tx.begin());
    REQUIRE(!(*db)->exec("insert", "INSERT INTO dedupe_keys VALUES "
                                   "('a','k',1)"));
    REQUIRE(!tx.commit());
  }
  CHECK(count_rows(**db, "dedupe_keys") == 1);
}
