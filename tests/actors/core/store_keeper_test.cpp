// store_keeper: group commit answers every admit after its commit, keeps
// duplicates apart inside one batch, lets reads see earlier writes, and
// commits what is batched when it is stopped.

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "actors/store_keeper.hpp"
#include "messages/type_ids.hpp"
#include "store/database.hpp"
#include "store/journal.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/run_process.hpp"

using namespace loong;

namespace {

inbound_message msg(const std::string& id, const std::string& event = {}) {
  inbound_message m;
  m.account = "work";
  m.message_id = id;
  m.event_id = event.empty() ? "evt_" + id : event;
  m.chat_id = "oc_chat";
  m.chat_type = "p2p";
  m.text = "hello " + id;
  return m;
}

store_actor spawn_keeper(test::actor_fixture& fx, const std::string& path) {
  return fx.sys().spawn<caf::detached>(store_keeper, path, int64_t{3600000});
}

} // namespace

TEST_CASE("a burst of admits is committed together and answered one by one", "[store]") {
  test::temp_dir dir;
  test::actor_fixture fx;
  auto keeper = spawn_keeper(fx, dir.path() + "/loong.db");
  caf::scoped_actor self{fx.sys()};
  using handle_t = decltype(self->request(keeper, std::chrono::seconds(10), admit_atom_v,
                                          inbound_message{}));
  std::vector<handle_t> pending;
  // 600 crosses the batch bound; the copy of m5 (same event) and the copy of
  // m6 (same message id) arrive in the same burst as their originals.
  for (int i = 0; i < 600; ++i)
    pending.push_back(self->request(keeper, std::chrono::seconds(10), admit_atom_v,
                                    msg("m" + std::to_string(i))));
  pending.push_back(self->request(keeper, std::chrono::seconds(10), admit_atom_v,
                                  msg("m5-copy", "evt_m5")));
  pending.push_back(self->request(keeper, std::chrono::seconds(10), admit_atom_v,
                                  msg("m6", "evt_other")));
  std::map<std::string, int> outcomes;
  for (auto& h : pending)
    h.receive([&](inbound_verdict& v) { ++outcomes[v.outcome]; },
              [&](caf::error& err) { FAIL(caf::to_string(err)); });
  CHECK(outcomes["accepted"] == 600);
  CHECK(outcomes["duplicate"] == 2);
  // A read right behind writes sees them: 600 pending entries.
  self->request(keeper, std::chrono::seconds(10), pending_atom_v, std::string{"work"})
    .receive([&](std::vector<journal_item>& xs) { CHECK(xs.size() == 600); },
             [&](caf::error& err) { FAIL(caf::to_string(err)); });
  fx.stop(keeper);
}

TEST_CASE("writes batched when the keeper stops are on disk", "[store]") {
  test::temp_dir dir;
  auto path = dir.path() + "/loong.db";
  {
    test::actor_fixture fx;
    auto keeper = spawn_keeper(fx, path);
    caf::scoped_actor self{fx.sys()};
    self->request(keeper, std::chrono::seconds(10), admit_atom_v, msg("a"))
      .receive([](inbound_verdict& v) { CHECK(v.outcome == "accepted"); },
               [](caf::error& err) { FAIL(caf::to_string(err)); });
    // Fire-and-forget writes, then the exit right behind them.
    self->send(keeper, done_atom_v, journal_key{"work", "a"});
    self->send(keeper, history_atom_v,
               history_append{"work:oc_chat", {{"user", "hi"}, {"assistant", "hello"}}});
    fx.stop(keeper);
  }
  auto db = store::database::open(path);
  REQUIRE(db);
  store::journal journal{**db};
  auto left = journal.pending_count("work");
  REQUIRE(left);
  CHECK(*left == 0);
  test::actor_fixture fx;
  auto keeper = spawn_keeper(fx, path);
  caf::scoped_actor self{fx.sys()};
  self->request(keeper, std::chrono::seconds(10), history_atom_v, std::string{"work:oc_chat"})
    .receive([](std::vector<chat_turn>& xs) {
               REQUIRE(xs.size() == 2);
               CHECK(xs[1].content == "hello");
             },
             [](caf::error& err) { FAIL(caf::to_string(err)); });
  fx.stop(keeper);
}
