// provider_session: the history window (turns and characters), stored
// history in and out, one ask at a time in arrival order.

#include "tests/actors/provider/provider_test_util.hpp"

#include <map>
#include <mutex>

using namespace loong;
using namespace loong::test;
using namespace std::chrono_literals;

namespace {

/// What the fake store holds; shared with the test thread.
struct store_rows {
  std::mutex mu;
  std::map<std::string, std::vector<chat_turn>> rows;
  int appends = 0;

  std::vector<chat_turn> get(const std::string& key) {
    std::lock_guard<std::mutex> lk{mu};
    return rows[key];
  }
  int append_count() {
    std::lock_guard<std::mutex> lk{mu};
    return appends;
  }
};

/// A store_actor that keeps history in memory (the SQLite store is another
/// lane's; only the history messages matter here).
store_actor::behavior_type fake_store(store_actor::pointer,
                                      std::shared_ptr<store_rows> d) {
  return {
    [](admit_atom, inbound_message&) -> inbound_verdict { return {}; },
    [](done_atom, journal_key&) {},
    [](attempt_atom, journal_key&) {},
    [](answer_atom, journal_answer&) {},
    [](progress_atom, delivery_progress&) {},
    [](close_atom, journal_close&) {},
    [](pending_atom, std::string&) -> std::vector<journal_item> { return {}; },
    [d](history_atom, std::string& key) -> std::vector<chat_turn> {
      return d->get(key);
    },
    [d](history_atom, history_append& a) {
      std::lock_guard<std::mutex> lk{d->mu};
      auto& v = d->rows[a.session_key];
      v.insert(v.end(), a.turns.begin(), a.turns.end());
      ++d->appends;
    },
    [](flush_atom) {},
  };
}

provider_session_actor session_of(caf::actor_system& sys,
                                  const provider_pool_actor& pool,
                                  const std::string& key) {
  provider_session_actor out;
  caf::scoped_actor self{sys};
  self->request(pool, 5s, session_atom_v, key)
    .receive([&](provider_session_actor& s) { out = s; },
             [&](caf::error& e) { FAIL(describe(e)); });
  return out;
}

caf::expected<completion_result> ask(caf::actor_system& sys,
                                     const provider_session_actor& s,
                                     const std::string& text) {
  caf::expected<completion_result> out{caf::make_error(ec::none)};
  caf::scoped_actor self{sys};
  self->request(s, 20s, ask_atom_v, text)
    .receive([&](completion_result& r) { out = std::move(r); },
             [&](caf::error& e) { out = std::move(e); });
  return out;
}

std::deque<chat_turn> turns(std::initializer_list<const char*> contents) {
  std::deque<chat_turn> out;
  bool user = true;
  for (auto c : contents) {
    out.push_back({user ? "user" : "assistant", c});
    user = !user;
  }
  return out;
}

} // namespace

TEST_CASE("trim_history drops the oldest turns first", "[provider_session]") {
  auto h = turns({"u1", "a1", "u2", "a2", "u3", "a3"});
  SECTION("by turns") {
    trim_history(h, 4, 1000);
    REQUIRE(h.size() == 4);
    CHECK(h.front().content == "u2");
    CHECK(h.back().content == "a3");
  }
  SECTION("by characters, counted as UTF-8 code points") {
    auto w = turns({"\xE6\xB1\x89\xE5\xAD\x97\xE6\xB1\x89", "abc", "xy"});
    CHECK(utf8_chars(w.front().content) == 3);
    trim_history(w, 10, 5);
    REQUIRE(w.size() == 2);
    CHECK(w.front().content == "abc");
    trim_history(w, 10, 4);
    REQUIRE(w.size() == 1);
    CHECK(w.front().content == "xy");
  }
  SECTION("a limit of zero keeps nothing") {
    trim_history(h, 0, 1000);
    CHECK(h.empty());
  }
}

TEST_CASE("build_messages puts the system prompt first, the user text last",
          "[provider_session]") {
  auto h = turns({"u1", "a1"});
  auto m = build_messages("sys", h, "now");
  REQUIRE(m.size() == 4);
  CHECK(m[0] == chat_turn{"system", "sys"});
  CHECK(m[1] == chat_turn{"user", "u1"});
  CHECK(m[3] == chat_turn{"user", "now"});
  CHECK(build_messages("  ", h, "now").size() == 3);
}

TEST_CASE("session sends the stored window and keeps both new turns",
          "[provider_session]") {
  auto m = start_ark();
  actor_fixture fx;
  auto rows = std::make_shared<store_rows>();
  rows->rows["feishu:work:oc_1"]
    = {{"user", "u1"}, {"assistant", "a1"}, {"user", "u2"},
       {"assistant", "a2"}, {"user", "u3"}, {"assistant", "a3"}};
  auto store = fx.sys().spawn(fake_store, rows);
  auto cfg = test_provider(m.url());
  cfg.history_turns = 4;
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store);
  auto s = session_of(fx.sys(), pool, "feishu:work:oc_1");
  CHECK(s == session_of(fx.sys(), pool, "feishu:work:oc_1"));
  CHECK(s != session_of(fx.sys(), pool, "feishu:work:oc_2"));
  auto r = ask(fx.sys(), s, "new");
  REQUIRE(r);
  CHECK(r->text == "echo: new");
  auto reqs = ark_requests(m);
  CHECK(recorded_messages(reqs, 0)
        == std::vector<std::string>{"system:be brief", "user:u2",
                                    "assistant:a2", "user:u3", "assistant:a3",
                                    "user:new"});
  // The window moved on: the oldest pair fell out.
  REQUIRE(ask(fx.sys(), s, "next"));
  reqs = ark_requests(m);
  CHECK(recorded_messages(reqs, 1)
        == std::vector<std::string>{"system:be brief", "user:u3",
                                    "assistant:a3", "user:new",
                                    "assistant:echo: new", "user:next"});
  // Storing the turns is the asker's (with its stored answer, in one write),
  // so a restart that resumes a delivery never writes them twice.
  CHECK(rows->append_count() == 0);
  CHECK(rows->get("feishu:work:oc_1").size() == 6);
  fx.stop(pool);
  fx.stop(store);
}

TEST_CASE("session bounds the window by characters", "[provider_session]") {
  auto m = start_ark();
  actor_fixture fx;
  auto cfg = test_provider(m.url());
  cfg.history_turns = 100;
  // "echo: q1" is 8 characters: a 20-character window holds two turns.
  cfg.history_chars = 20;
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
  auto s = session_of(fx.sys(), pool, "k");
  REQUIRE(ask(fx.sys(), s, "q1"));
  REQUIRE(ask(fx.sys(), s, "q2"));
  REQUIRE(ask(fx.sys(), s, "q3"));
  auto reqs = ark_requests(m);
  CHECK(recorded_messages(reqs, 1)
        == std::vector<std::string>{"system:be brief", "user:q1",
                                    "assistant:echo: q1", "user:q2"});
  // q1 + echo: q1 + q2 + echo: q2 = 20 characters: still fits.
  CHECK(recorded_messages(reqs, 2)
        == std::vector<std::string>{"system:be brief", "user:q1",
                                    "assistant:echo: q1", "user:q2",
                                    "assistant:echo: q2", "user:q3"});
  REQUIRE(ask(fx.sys(), s, "q4"));
  reqs = ark_requests(m);
  CHECK(recorded_messages(reqs, 3)
        == std::vector<std::string>{"system:be brief", "user:q2",
                                    "assistant:echo: q2", "user:q3",
                                    "assistant:echo: q3", "user:q4"});
  fx.stop(pool);
}

TEST_CASE("session answers concurrent asks one at a time, in order",
          "[provider_session]") {
  auto m = start_ark({"--delay-ms", "30"});
  actor_fixture fx;
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(),
                             test_provider(m.url()), store_actor{});
  auto s = session_of(fx.sys(), pool, "k");
  caf::scoped_actor self{fx.sys()};
  using handle_t = decltype(self->request(s, 20s, ask_atom_v, std::string{}));
  std::vector<handle_t> asks;
  for (auto q : {"first", "second", "third"})
    asks.push_back(self->request(s, 20s, ask_atom_v, std::string{q}));
  std::vector<std::string> answers;
  for (auto& a : asks)
    a.receive([&](completion_result& r) { answers.push_back(r.text); },
              [&](caf::error& e) { FAIL(describe(e)); });
  CHECK(answers
        == std::vector<std::string>{"echo: first", "echo: second",
                                    "echo: third"});
  CHECK(ark_stat(m, "max_in_flight") == 1);
  // Each ask saw the answers before it.
  auto reqs = ark_requests(m);
  CHECK(recorded_messages(reqs, 2)
        == std::vector<std::string>{"system:be brief", "user:first",
                                    "assistant:echo: first", "user:second",
                                    "assistant:echo: second", "user:third"});
  SECTION("reset forgets the history") {
    self->send(s, reset_atom_v);
    REQUIRE(ask(fx.sys(), s, "fresh"));
    CHECK(recorded_messages(ark_requests(m), 3)
          == std::vector<std::string>{"system:be brief", "user:fresh"});
  }
  SECTION("a failed ask answers the error and keeps the history") {
    ark_fault(m, "404");
    auto r = ask(fx.sys(), s, "lost");
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::not_found);
    REQUIRE(ask(fx.sys(), s, "after"));
    auto last = recorded_messages(ark_requests(m), 4);
    CHECK(last.size() == 8);
    CHECK(last.back() == "user:after");
    CHECK(std::find(last.begin(), last.end(), "user:lost") == last.end());
  }
  fx.stop(pool);
}
