#include <catch2/catch.hpp>

#include "store/database.hpp"
#include "store/history.hpp"
#include "test_support.hpp"

using namespace loong::store;
using loong::chat_turn;
using loong::store::test::temp_dir;

namespace {

struct fixture {
  temp_dir dir;
  std::unique_ptr<database> db;

  fixture() {
    auto opened = database::open(dir / "store.db");
    REQUIRE(opened);
    db = std::move(*opened);
  }

  static std::vector<chat_turn> recent(history& h, const std::string& key,
                                       size_t turns, size_t chars) {
    auto r = h.recent(key, turns, chars);
    REQUIRE(r);
    return *r;
  }
};

chat_turn user(std::string text) {
  return {"user", std::move(text)};
}

chat_turn assistant(std::string text) {
  return {"assistant", std::move(text)};
}

} // namespace

TEST_CASE_METHOD(fixture, "recent returns the newest turns oldest first",
                 "[store][history]") {
  history h{*db};
  REQUIRE(!h.append("k", user("one"), 1));
  REQUIRE(!h.append("k", assistant("two"), 2));
  REQUIRE(!h.append("k", user("three"), 3));
  REQUIRE(!h.append("other", user("elsewhere"), 4));
  CHECK(recent(h, "k", 10, 1000)
        == std::vector<chat_turn>{user("one"), assistant("two"),
                                  user("three")});
  CHECK(recent(h, "k", 2, 1000)
        == std::vector<chat_turn>{assistant("two"), user("three")});
  CHECK(recent(h, "k", 0, 1000).empty());
  CHECK(recent(h, "missing", 10, 1000).empty());
}

TEST_CASE_METHOD(fixture, "recent drops the oldest turns to fit max_chars",
                 "[store][history]") {
  history h{*db};
  REQUIRE(!h.append("k", user("aaaa"), 1));      // 4
  REQUIRE(!h.append("k", assistant("bbb"), 2));  // 3
  REQUIRE(!h.append("k", user("cc"), 3));        // 2
  CHECK(recent(h, "k", 10, 9)
        == std::vector<chat_turn>{user("aaaa"), assistant("bbb"), user("cc")});
  CHECK(recent(h, "k", 10, 8)
        == std::vector<chat_turn>{assistant("bbb"), user("cc")});
  CHECK(recent(h, "k", 10, 5)
        == std::vector<chat_turn>{assistant("bbb"), user("cc")});
  CHECK(recent(h, "k", 10, 4) == std::vector<chat_turn>{user("cc")});
  // A newest turn larger than the budget leaves nothing (no gaps, no cuts).
  CHECK(recent(h, "k", 10, 1).empty());
}

TEST_CASE_METHOD(fixture, "max_chars counts characters, not bytes",
                 "[store][history]") {
  history h{*db};
  REQUIRE(!h.append("k", user("你好"), 1));  // 2 chars, 6 bytes
  REQUIRE(!h.append("k", assistant("世界!"), 2)); // 3 chars, 7 bytes
  CHECK(recent(h, "k", 10, 5).size() == 2);
  CHECK(recent(h, "k", 10, 4).size() == 1);
}

TEST_CASE_METHOD(fixture, "append trims each key to max_turns_per_key",
                 "[store][history]") {
  history h{*db, 3};
  for (int i = 1; i <= 5; ++i)
    REQUIRE(!h.append("k", user("t" + std::to_string(i)), i));
  REQUIRE(!h.append("k2", user("x"), 6));
  CHECK(recent(h, "k", 100, 1000)
        == std::vector<chat_turn>{user("t3"), user("t4"), user("t5")});
  CHECK(recent(h, "k2", 100, 1000) == std::vector<chat_turn>{user("x")});
  // The rows are really gone, not just hidden by the limit.
  auto st = db->prepare("count", "SELECT COUNT(*) FROM history");
  REQUIRE(st);
  REQUIRE(st->step() == true);
  CHECK(st->column_int64(0) == 4);
}

TEST_CASE_METHOD(fixture, "a limit of zero keeps one turn",
                 "[store][history]") {
  history h{*db, 0};
  REQUIRE(!h.append("k", user("a"), 1));
  REQUIRE(!h.append("k", user("b"), 2));
  CHECK(recent(h, "k", 10, 100) == std::vector<chat_turn>{user("b")});
}

TEST_CASE_METHOD(fixture, "reset forgets one key only", "[store][history]") {
  history h{*db};
  REQUIRE(!h.append("k", user("a"), 1));
  REQUIRE(!h.append("j", user("b"), 2));
  REQUIRE(!h.reset("k"));
  CHECK(recent(h, "k", 10, 100).empty());
  CHECK(recent(h, "j", 10, 100) == std::vector<chat_turn>{user("b")});
  REQUIRE(!h.append("k", user("fresh"), 3));
  CHECK(recent(h, "k", 10, 100) == std::vector<chat_turn>{user("fresh")});
}

TEST_CASE("history survives reopening the file", "[store][history]") {
  temp_dir dir;
  {
    auto db = database::open(dir / "store.db");
    REQUIRE(db);
    history h{**db};
    REQUIRE(!h.append("k", user("kept"), 1));
  }
  auto db = database::open(dir / "store.db");
  REQUIRE(db);
  history h{**db};
  auto r = h.recent("k", 10, 100);
  REQUIRE(r);
  CHECK(*r == std::vector<chat_turn>{user("kept")});
}
