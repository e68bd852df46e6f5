// The outbox through a whole account: stored answers retried with the same
// uuid, resumed after a restart, nudged by redeliveries; the poison cap,
// stale replays and the delivery deadline.

#include <catch2/catch.hpp>

#include "actors/account_supervisor.hpp"
#include "actors/store_keeper.hpp"
#include "store/database.hpp"
#include "store/history.hpp"
#include "tests/actors/core/fakes.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/run_process.hpp"

using namespace loong;
using loong::test::eventually;

namespace {

config::feishu_account work_account() {
  config::feishu_account a;
  a.id = "work";
  a.runtime_id = "work";
  a.domain = "lark";
  a.enabled = true;
  a.allowed_chat_ids = {"*"};
  a.ack_reactions = false;
  return a;
}

/// One account over a real store file; the account can be restarted on
/// the same file, as after a crash.
struct outbox_env {
  test::actor_fixture fx;
  test::temp_dir dir;
  std::shared_ptr<test::fake_world> world = std::make_shared<test::fake_world>();
  config::feishu_account acct = work_account();
  double scale = 0.01;
  store_actor store;
  provider_pool_actor pool;
  account_actor account;

  outbox_env() {
    store = fx.sys().spawn<caf::detached>(store_keeper, db(), int64_t{3600000});
    pool = fx.sys().spawn(test::fake_pool, world);
  }

  ~outbox_env() {
    if (account)
      fx.stop(account);
    fx.stop(pool);
    fx.stop(store);
  }

  std::string db() const { return dir.path() + "/loong.db"; }

  void start() {
    auto d = std::make_shared<account_deps>();
    d->rt = fx.runtime();
    d->account = std::make_shared<const config::feishu_account>(acct);
    d->pool = pool;
    d->store = store;
    d->delivery_backoff_scale = scale;
    test::wire_fakes(*d, world);
    account = fx.sys().spawn(account_supervisor, std::shared_ptr<const account_deps>{d});
  }

  void stop_account() {
    fx.stop(account);
    account = nullptr;
  }

  inbound_verdict push(inbound_message m) {
    caf::scoped_actor self{fx.sys()};
    inbound_verdict out{"timeout", ""};
    self->request(account, std::chrono::seconds(10), inbound_atom_v, std::move(m))
      .receive([&](inbound_verdict& v) { out = v; },
               [&](caf::error& e) { out = {"error", describe(e)}; });
    return out;
  }

  /// Journals `m` directly, as a gateway that crashed after the ACK would
  /// have left it.
  void admit(const inbound_message& m) {
    caf::scoped_actor self{fx.sys()};
    self->request(store, std::chrono::seconds(5), admit_atom_v, m)
      .receive([](inbound_verdict& v) { CHECK(v.outcome == "accepted"); },
               [](caf::error& e) { FAIL(describe(e)); });
  }

  std::vector<journal_item> pending() {
    caf::scoped_actor self{fx.sys()};
    std::vector<journal_item> out;
    self->request(store, std::chrono::seconds(5), pending_atom_v, std::string{"work"})
      .receive([&](std::vector<journal_item>& xs) { out = std::move(xs); },
               [](caf::error& e) { FAIL(describe(e)); });
    return out;
  }

  std::vector<chat_turn> history(const std::string& chat) {
    caf::scoped_actor self{fx.sys()};
    std::vector<chat_turn> out;
    self->request(store, std::chrono::seconds(5), history_atom_v,
                  session_key(acct, chat))
      .receive([&](std::vector<chat_turn>& xs) { out = std::move(xs); },
               [](caf::error& e) { FAIL(describe(e)); });
    return out;
  }

  account_status status() {
    caf::scoped_actor self{fx.sys()};
    account_status out;
    self->request(account, std::chrono::seconds(10), status_atom_v)
      .receive([&](account_status& s) { out = s; }, [](caf::error&) {});
    return out;
  }
};

} // namespace

TEST_CASE("a failing reply is retried with the same uuid and never asked twice",
          "[outbox]") {
  outbox_env env;
  env.start();
  // Longer than the sender's own quick retries: the outbox must carry it.
  env.world->fail_next_sends(ec::server_error, 3);
  CHECK(env.push(test::text_message("1", "oc_1", "hello")).outcome == "accepted");
  REQUIRE(eventually([&] { return env.world->sent_count() == 1; }));
  auto uuids = env.world->attempts_copy();
  REQUIRE(uuids.size() == 4);
  for (auto& u : uuids)
    CHECK(u == uuids[0]);
  CHECK(env.world->asked_count() == 1);
  REQUIRE(eventually([&] { return env.status().replies_out == 1; }));
  auto s = env.status();
  CHECK(s.outbox.retries == 3);
  CHECK(s.outbox.pending == 0);
  CHECK(s.in_flight == 0);
  CHECK(s.reply_failures == 0);
  CHECK(env.pending().empty());
  // One exchange, one pair of turns.
  CHECK(env.history("oc_1").size() == 2);
}

TEST_CASE("status shows a pending delivery and its age", "[outbox]") {
  outbox_env env;
  env.scale = 100;  // the first retry is 100 s away
  env.start();
  env.world->fail_next_sends(ec::rate_limited, 1);
  env.push(test::text_message("1", "oc_1", "hello"));
  REQUIRE(eventually([&] { return env.status().outbox.retrying == 1; }));
  auto s = env.status();
  CHECK(s.outbox.pending == 1);
  CHECK(s.outbox.oldest_age_ms >= 0);
  // Durable and waiting: a drain does not wait for it.
  CHECK(s.in_flight == 0);
  auto items = env.pending();
  REQUIRE(items.size() == 1);
  CHECK(items[0].answered);
  CHECK(items[0].answer.text == "echo: hello");
  CHECK(items[0].delivery_attempts == 1);
}

TEST_CASE("a restart resumes a pending delivery from the stored answer", "[outbox]") {
  outbox_env env;
  env.scale = 100;
  env.start();
  env.world->fail_next_sends(ec::server_error, 1);
  env.push(test::text_message("1", "oc_1", "hello"));
  REQUIRE(eventually([&] { return env.status().outbox.retrying == 1; }));
  env.stop_account();
  CHECK(env.world->asked_count() == 1);
  // The new account delivers at once, from the journal, without a turn.
  env.start();
  REQUIRE(eventually([&] { return env.world->sent_count() == 1; }));
  CHECK(env.world->asked_count() == 1);
  CHECK(env.world->sent_copy()[0].content.find("echo: hello") != std::string::npos);
  REQUIRE(eventually([&] { return env.pending().empty(); }));
  CHECK(env.history("oc_1").size() == 2);
}

TEST_CASE("a redelivery of a message with a pending answer tries it now", "[outbox]") {
  outbox_env env;
  env.scale = 100;
  env.start();
  env.world->fail_next_sends(ec::server_error, 1);
  auto m = test::text_message("1", "oc_1", "hello");
  env.push(m);
  REQUIRE(eventually([&] { return env.status().outbox.retrying == 1; }));
  // The platform redelivers: a duplicate, but not a dropped one.
  auto v = env.push(m);
  CHECK(v.outcome == "duplicate");
  CHECK(v.unfinished);
  REQUIRE(eventually([&] { return env.world->sent_count() == 1; }));
  CHECK(env.world->asked_count() == 1);
}

TEST_CASE("a redelivery of an unfinished message nobody holds resumes it", "[outbox]") {
  outbox_env env;
  // Journaled by an earlier process; this account starts without it in hand
  // because its journal read happened before the entry existed.
  env.start();
  REQUIRE(eventually([&] { return env.status().transport.state == "connected"; }));
  auto m = test::text_message("7", "oc_7", "lost turn");
  env.admit(m);
  auto v = env.push(m);
  CHECK(v.outcome == "duplicate");
  CHECK(v.unfinished);
  REQUIRE(eventually([&] { return env.world->sent_count() == 1; }));
  CHECK(env.world->asked_count() == 1);
}

TEST_CASE("a message that crashed its handler three times gets one apology", "[outbox]") {
  outbox_env env;
  auto m = test::text_message("3", "oc_3", "poison");
  env.admit(m);
  {
    caf::scoped_actor self{env.fx.sys()};
    for (int i = 0; i < 3; ++i)
      self->send(env.store, attempt_atom_v, journal_key{"work", "om_3"});
  }
  REQUIRE(eventually([&] {
    auto xs = env.pending();
    return xs.size() == 1 && xs[0].attempts == 3;
  }));
  env.start();
  REQUIRE(eventually([&] { return env.world->sent_count() == 1; }));
  CHECK(env.world->sent_copy()[0].content.find("Sorry") != std::string::npos);
  CHECK(env.world->asked_count() == 0);
  REQUIRE(eventually([&] { return env.pending().empty(); }));
  auto s = env.status();
  CHECK(s.poisoned == 1);
  CHECK(s.outbox.failed == 0);
  // Never again: a restart finds nothing to do.
  env.stop_account();
  env.start();
  REQUIRE(eventually([&] { return env.status().transport.state == "connected"; }));
  CHECK(env.world->sent_count() == 1);
  CHECK(env.world->asked_count() == 0);
}

TEST_CASE("a journal entry too old on replay is counted, not answered", "[outbox]") {
  outbox_env env;
  auto m = test::text_message("4", "oc_4", "old news");
  m.create_time_ms = wall_clock_ms() - 2 * 3600 * 1000;
  env.admit(m);
  env.start();
  REQUIRE(eventually([&] { return env.status().stale_skipped == 1; }));
  REQUIRE(eventually([&] { return env.pending().empty(); }));
  CHECK(env.world->sent_count() == 0);
  CHECK(env.world->asked_count() == 0);
}

TEST_CASE("an answer is given up at the delivery deadline", "[outbox]") {
  outbox_env env;
  env.acct.delivery_deadline_ms = 1000;
  env.scale = 0.05;
  env.start();
  env.world->fail_next_sends(ec::server_error, 100000);
  env.push(test::text_message("5", "oc_5", "never"));
  REQUIRE(eventually([&] { return env.status().outbox.failed == 1; }));
  auto s = env.status();
  CHECK(s.reply_failures == 1);
  CHECK(s.outbox.pending == 0);
  CHECK(s.in_flight == 0);
  CHECK(env.pending().empty());
  CHECK(env.world->asked_count() == 1);
}

TEST_CASE("a reply the platform rejects for good is not retried", "[outbox]") {
  outbox_env env;
  env.start();
  env.world->fail_next_sends(ec::permission_denied, 1);
  env.push(test::text_message("6", "oc_6", "nope"));
  REQUIRE(eventually([&] { return env.status().outbox.failed == 1; }));
  CHECK(env.world->attempts_copy().size() == 1);
  CHECK(env.status().outbox.retries == 0);
}
