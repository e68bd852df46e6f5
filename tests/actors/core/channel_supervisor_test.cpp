#include <catch2/catch.hpp>

#include "actors/channel_supervisor.hpp"
#include "tests/actors/core/fakes.hpp"
#include "tests/support/actor_fixture.hpp"

using namespace loong;
using loong::test::eventually;

namespace {

std::shared_ptr<const account_deps> make_deps(test::actor_fixture& fx,
                                              std::shared_ptr<test::fake_world> w,
                                              provider_pool_actor pool,
                                              const std::string& id) {
  config::feishu_account a;
  a.id = id;
  a.runtime_id = id;
  a.domain = "feishu";
  a.enabled = true;
  a.allowed_chat_ids = {"*"};
  auto d = std::make_shared<account_deps>();
  d->rt = fx.runtime();
  d->account = std::make_shared<const config::feishu_account>(a);
  d->pool = pool;
  test::wire_fakes(*d, w);
  return d;
}

std::vector<account_status> status_of(test::actor_fixture& fx,
                                      const channel_supervisor_actor& sup) {
  caf::scoped_actor self{fx.sys()};
  std::vector<account_status> out;
  self->request(sup, std::chrono::seconds(10), status_atom_v)
    .receive([&](std::vector<account_status>& xs) { out = xs; }, [](caf::error&) {});
  return out;
}

const account_status* find(const std::vector<account_status>& xs, const std::string& id) {
  for (auto& x : xs)
    if (x.account == id)
      return &x;
  return nullptr;
}

bool kill(test::actor_fixture& fx, const channel_supervisor_actor& sup,
          const std::string& id) {
  caf::scoped_actor self{fx.sys()};
  bool found = false;
  self->request(sup, std::chrono::seconds(5), kill_atom_v, id)
    .receive([&](bool b) { found = b; }, [](caf::error&) {});
  return found;
}

} // namespace

TEST_CASE("a killed account restarts and the others never notice", "[core][supervision]") {
  test::actor_fixture fx;
  auto w1 = std::make_shared<test::fake_world>();
  auto w2 = std::make_shared<test::fake_world>();
  auto pool = fx.sys().spawn(test::fake_pool, w1);
  restart_options policy;
  policy.base_ms = 10;
  policy.cap_ms = 50;
  auto sup = fx.sys().spawn(channel_supervisor,
                            std::vector<std::shared_ptr<const account_deps>>{
                              make_deps(fx, w1, pool, "work"), make_deps(fx, w2, pool, "backup")},
                            policy);
  REQUIRE(eventually([&] { return w1->outbound_started == 1 && w2->outbound_started == 1; }));
  CHECK(kill(fx, sup, "work"));
  CHECK_FALSE(kill(fx, sup, "ghost"));
  REQUIRE(eventually([&] { return w1->outbound_started == 2; }));
  REQUIRE(eventually([&] {
    auto xs = status_of(fx, sup);
    auto work = find(xs, "work");
    return work && work->restarts == 1 && work->state == "running";
  }));
  CHECK(w2->outbound_started == 1);
  auto rows = status_of(fx, sup);
  auto backup = find(rows, "backup");
  REQUIRE(backup);
  CHECK(backup->restarts == 0);
  fx.stop(sup);
  fx.stop(pool);
}

TEST_CASE("a crash loop spends the budget and the account is reported failed",
          "[core][supervision]") {
  test::actor_fixture fx;
  auto w = std::make_shared<test::fake_world>();
  auto other = std::make_shared<test::fake_world>();
  auto pool = fx.sys().spawn(test::fake_pool, w);
  restart_options policy;
  policy.base_ms = 5;
  policy.cap_ms = 10;
  policy.budget = 3;
  policy.window_ms = 60000;
  policy.failed_retry_ms = 600000;
  auto sup = fx.sys().spawn(channel_supervisor,
                            std::vector<std::shared_ptr<const account_deps>>{
                              make_deps(fx, w, pool, "flaky"), make_deps(fx, other, pool, "calm")},
                            policy);
  for (int i = 1; i <= 4; ++i) {
    REQUIRE(eventually([&] { return w->outbound_started == i; }));
    REQUIRE(eventually([&] { return kill(fx, sup, "flaky"); }));
  }
  REQUIRE(eventually([&] {
    auto rows = status_of(fx, sup);
    auto f = find(rows, "flaky");
    return f && f->state == "failed";
  }));
  auto xs = status_of(fx, sup);
  CHECK(find(xs, "flaky")->restarts == 3);
  CHECK(find(xs, "flaky")->last_error.find("killed on request") != std::string::npos);
  CHECK(find(xs, "calm")->state == "running");
  CHECK(other->outbound_started == 1);
  fx.stop(sup);
  fx.stop(pool);
}
