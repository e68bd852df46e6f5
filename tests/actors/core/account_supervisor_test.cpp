#include <catch2/catch.hpp>

#include "actors/account_supervisor.hpp"
#include "actors/store_keeper.hpp"
#include "tests/actors/core/fakes.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/run_process.hpp"

using namespace loong;
using loong::test::eventually;

namespace {

struct account_env {
  test::actor_fixture fx;
  test::temp_dir dir;
  std::shared_ptr<test::fake_world> world = std::make_shared<test::fake_world>();
  store_actor store;
  provider_pool_actor pool;
  account_actor account;

  explicit account_env(config::feishu_account a = default_account()) {
    store = fx.sys().spawn<caf::detached>(store_keeper, dir.path() + "/loong.db",
                                          int64_t{3600000});
    pool = fx.sys().spawn(test::fake_pool, world);
    auto d = std::make_shared<account_deps>();
    d->rt = fx.runtime();
    d->account = std::make_shared<const config::feishu_account>(a);
    d->pool = pool;
    d->store = store;
    test::wire_fakes(*d, world);
    account = fx.sys().spawn(account_supervisor, std::shared_ptr<const account_deps>{d});
  }

  ~account_env() {
    fx.stop(account);
    fx.stop(pool);
    fx.stop(store);
  }

  static config::feishu_account default_account() {
    config::feishu_account a;
    a.id = "work";
    a.runtime_id = "work";
    a.domain = "lark";
    a.enabled = true;
    a.allowed_chat_ids = {"*"};
    return a;
  }

  inbound_verdict push(inbound_message m) {
    caf::scoped_actor self{fx.sys()};
    inbound_verdict out{"timeout", ""};
    self->request(account, std::chrono::seconds(10), inbound_atom_v, std::move(m))
      .receive([&](inbound_verdict& v) { out = v; },
               [&](caf::error& e) { out = {"error", describe(e)}; });
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

TEST_CASE("an inbound message is journaled, answered and counted", "[core]") {
  account_env env;
  auto v = env.push(test::text_message("1", "oc_1", "hello"));
  CHECK(v.outcome == "accepted");
  REQUIRE(eventually([&] { return env.world->sent_count() == 1; }));
  auto sent = env.world->sent_copy();
  CHECK(sent[0].reply_to_message_id == "om_1");
  CHECK(sent[0].msg_type == "interactive");
  CHECK(sent[0].content.find("echo: hello") != std::string::npos);
  CHECK(sent[0].uuid.rfind("feishu-reply-", 0) == 0);
  REQUIRE(eventually([&] { return env.status().replies_out == 1; }));
  auto s = env.status();
  CHECK(s.events_in == 1);
  CHECK(s.in_flight == 0);
  CHECK(s.selector == "lark=work");
  CHECK(s.transport.state == "connected");
}

TEST_CASE("a duplicate delivery gets one reply", "[core]") {
  account_env env;
  auto m = test::text_message("1", "oc_1", "hello");
  CHECK(env.push(m).outcome == "accepted");
  CHECK(env.push(m).outcome == "duplicate");
  auto same_message = m;
  same_message.event_id = "evt_other";
  CHECK(env.push(same_message).outcome == "duplicate");
  REQUIRE(eventually([&] { return env.status().replies_out == 1; }));
  CHECK(env.status().duplicates == 2);
  CHECK(env.world->sent_count() == 1);
}

TEST_CASE("messages of one chat are answered in arrival order", "[core]") {
  account_env env;
  for (int i = 0; i < 20; ++i) {
    auto chat = "oc_" + std::to_string(i % 3);
    CHECK(env.push(test::text_message(std::to_string(i), chat, "n" + std::to_string(i)))
            .outcome
          == "accepted");
  }
  REQUIRE(eventually([&] { return env.world->sent_count() == 20; }));
  std::map<std::string, int> last;
  for (auto& s : env.world->sent_copy()) {
    auto n = std::stoi(s.reply_to_message_id.substr(3));
    auto chat = s.receive_id;
    if (last.count(chat))
      CHECK(n > last[chat]);
    last[chat] = n;
  }
}

TEST_CASE("the trust boundary ignores what it must", "[core]") {
  auto a = account_env::default_account();
  a.allowed_chat_ids = {"oc_ok"};
  a.allowed_sender_ids = {"ou_friend"};
  a.require_mention = true;
  account_env env{a};
  env.push(test::text_message("1", "oc_other", "hi", "p2p", "ou_friend"));
  env.push(test::text_message("2", "oc_ok", "hi", "p2p", "ou_stranger"));
  auto group_no_mention = test::text_message("3", "oc_ok", "hi", "group", "ou_friend");
  env.push(group_no_mention);
  auto bot = test::text_message("4", "oc_ok", "hi", "p2p", "ou_friend");
  bot.sender_type = "app";
  env.push(bot);
  // p2p bypasses the mention gate; a group message needs the bot's mention.
  env.push(test::text_message("5", "oc_ok", "direct", "p2p", "ou_friend"));
  auto mentioned = test::text_message("6", "oc_ok", "@_user_1 grouped", "group", "ou_friend");
  mentioned.mentions.push_back({"@_user_1", "ou_bot", "", "", "Bot", "bot"});
  env.push(mentioned);
  REQUIRE(eventually([&] {
    auto s = env.status();
    return s.ignored == 4 && s.replies_out == 2;
  }));
  auto sent = env.world->sent_copy();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].content.find("echo: direct") != std::string::npos);
  // The bot's own placeholder is stripped from the prompt.
  CHECK(sent[1].content.find("echo: grouped") != std::string::npos);
}

TEST_CASE("a provider failure is answered with an apology", "[core]") {
  account_env env;
  env.push(test::text_message("1", "oc_1", "PLEASE-FAIL now"));
  REQUIRE(eventually([&] { return env.world->sent_count() == 1; }));
  auto sent = env.world->sent_copy();
  CHECK(sent[0].content.find("Sorry") != std::string::npos);
  CHECK(sent[0].content.find("500") == std::string::npos);
  REQUIRE(eventually([&] { return env.status().provider_errors == 1; }));
}

TEST_CASE("unfinished journal entries are resumed by a new account", "[core]") {
  test::actor_fixture fx;
  test::temp_dir dir;
  auto db = dir.path() + "/loong.db";
  {
    // A journal entry that was accepted but never answered (crash).
    auto store = fx.sys().spawn<caf::detached>(store_keeper, db, int64_t{3600000});
    caf::scoped_actor self{fx.sys()};
    self->request(store, std::chrono::seconds(5), admit_atom_v,
                  test::text_message("9", "oc_9", "left over"))
      .receive([](inbound_verdict& v) { CHECK(v.outcome == "accepted"); },
               [](caf::error& e) { FAIL(describe(e)); });
    fx.stop(store);
  }
  auto world = std::make_shared<test::fake_world>();
  auto store = fx.sys().spawn<caf::detached>(store_keeper, db, int64_t{3600000});
  auto pool = fx.sys().spawn(test::fake_pool, world);
  auto d = std::make_shared<account_deps>();
  d->rt = fx.runtime();
  d->account = std::make_shared<const config::feishu_account>(account_env::default_account());
  d->pool = pool;
  d->store = store;
  test::wire_fakes(*d, world);
  auto account = fx.sys().spawn(account_supervisor, std::shared_ptr<const account_deps>{d});
  REQUIRE(eventually([&] { return world->sent_count() == 1; }));
  CHECK(world->sent_copy()[0].content.find("echo: left over") != std::string::npos);
  fx.stop(account);
  fx.stop(pool);
  fx.stop(store);
}

TEST_CASE("untrusted chats and senders are settled without storing anything", "[core]") {
  auto a = account_env::default_account();
  a.allowed_chat_ids = {"oc_ok"};
  a.allowed_sender_ids = {"ou_friend"};
  account_env env{a};
  auto outsider = test::text_message("1", "oc_other", "hi", "p2p", "ou_friend");
  auto v = env.push(outsider);
  CHECK(v.outcome == "ignored");
  CHECK(v.detail == "chat_not_allowed");
  CHECK(env.push(test::text_message("2", "oc_ok", "hi", "p2p", "ou_stranger")).outcome
        == "ignored");
  auto s = env.status();
  CHECK(s.ignored == 2);
  CHECK(s.events_in == 0);
  // No conversation actor was spawned and no journal row written: the same
  // message from a trusted place later is new, not a duplicate.
  CHECK(s.active_chats == 0);
  caf::scoped_actor self{env.fx.sys()};
  self->request(env.store, std::chrono::seconds(5), pending_atom_v, std::string{"work"})
    .receive([](std::vector<journal_item>& xs) { CHECK(xs.empty()); },
             [](caf::error& e) { FAIL(describe(e)); });
  CHECK(env.push(outsider).outcome == "ignored");
  CHECK(env.world->sent_count() == 0);
}
