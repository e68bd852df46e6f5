#include <catch2/catch.hpp>

#include <unistd.h>

#include "actors/gateway_owner.hpp"
#include "actors/runtime.hpp"
#include "store/owner_files.hpp"
#include "store/owner_slot.hpp"
#include "tests/actors/core/fakes.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/run_process.hpp"

using namespace loong;
using loong::test::eventually;

namespace {

config::feishu_account account(const std::string& id) {
  config::feishu_account a;
  a.id = id;
  a.runtime_id = id;
  a.domain = "lark";
  a.enabled = true;
  a.allowed_chat_ids = {"*"};
  return a;
}

std::shared_ptr<owner_setup> make_setup(test::actor_fixture& fx, test::temp_dir& dir,
                                        std::shared_ptr<test::fake_world> w) {
  auto cfg = std::make_shared<config::gateway_config>();
  cfg->host.store_path = dir.path() + "/loong.db";
  config::provider_config p;
  p.name = "volcengine";
  cfg->providers.push_back(p);
  cfg->active_provider = "volcengine";
  auto setup = std::make_shared<owner_setup>();
  setup->rt = fx.runtime();
  setup->cfg = cfg;
  setup->accounts = {account("work"), account("backup")};
  setup->make_provider = [w](caf::actor_system& sys, const runtime_ptr&,
                             const config::provider_config&, store_actor) {
    return sys.spawn(test::fake_pool, w);
  };
  account_deps d;
  test::wire_fakes(d, w);
  setup->make_transport = d.make_transport;
  setup->make_outbound = d.make_outbound;
  return setup;
}

gateway_snapshot snapshot(test::actor_fixture& fx, const gateway_owner_actor& owner) {
  caf::scoped_actor self{fx.sys()};
  gateway_snapshot out;
  self->request(owner, std::chrono::seconds(10), status_atom_v)
    .receive([&](gateway_snapshot& x) { out = x; }, [](caf::error&) {});
  return out;
}

} // namespace

TEST_CASE("the owner runs every account and reports them", "[core][owner]") {
  test::actor_fixture fx;
  test::temp_dir dir;
  auto w = std::make_shared<test::fake_world>();
  auto setup = make_setup(fx, dir, w);
  auto owner = fx.sys().spawn(gateway_owner, std::shared_ptr<const owner_setup>{setup});
  REQUIRE(eventually([&] {
    auto x = snapshot(fx, owner);
    return x.accounts.size() == 2 && x.accounts[0].transport.state == "connected"
           && x.accounts[1].transport.state == "connected";
  }));
  auto x = snapshot(fx, owner);
  CHECK(x.phase == "running");
  CHECK(x.accounts[0].selector == "lark=backup");
  CHECK(x.accounts[1].selector == "lark=work");
  CHECK(x.accounts[1].transport.state == "connected");
  fx.stop(owner);
}

TEST_CASE("a stop drains, finalizes the owner files and releases the lock", "[core][owner]") {
  test::actor_fixture fx;
  test::temp_dir dir;
  auto w = std::make_shared<test::fake_world>();
  auto setup = make_setup(fx, dir, w);
  auto runtime_dir = dir.path() + "/gateway-runtime";
  store::owner_record rec;
  rec.phase = "starting";
  rec.running = true;
  rec.pid = getpid();
  rec.started_at_ms = wall_clock_ms();
  rec.last_heartbeat_at = rec.started_at_ms;
  rec.configured_surface_count = 2;
  auto slot = store::owner_slot::acquire(runtime_dir, rec);
  REQUIRE(slot);
  setup->slot = std::shared_ptr<store::owner_slot>{std::move(*slot)};
  setup->lease.port = 0;
  setup->lease.port_source = "ephemeral_cli";
  auto owner = fx.sys().spawn(gateway_owner, std::shared_ptr<const owner_setup>{setup});
  REQUIRE(eventually([&] {
    auto v = store::read_owner(runtime_dir, wall_clock_ms());
    return v.running && v.record.phase == "running" && v.record.port.has_value();
  }));
  // A second owner is refused while this one lives.
  auto second = store::owner_slot::acquire(runtime_dir, rec);
  CHECK_FALSE(second);
  caf::scoped_actor self{fx.sys()};
  self->monitor(owner);
  auto outcome = store::request_stop(runtime_dir, wall_clock_ms());
  REQUIRE(outcome);
  CHECK(*outcome == store::stop_outcome::requested);
  bool down = false;
  self->receive([&](caf::down_msg&) { down = true; },
                caf::after(std::chrono::seconds(20)) >> [] {});
  REQUIRE(down);
  REQUIRE(eventually([&] {
    auto v = store::read_owner(runtime_dir, wall_clock_ms());
    return !v.running && v.record.phase == "stopped";
  }));
  auto v = store::read_owner(runtime_dir, wall_clock_ms());
  CHECK_FALSE(v.stale);
  CHECK(v.record.shutdown_reason.value_or("").find("gateway stop requested")
        != std::string::npos);
  setup->slot.reset();
  REQUIRE(eventually([&] { return static_cast<bool>(store::owner_slot::acquire(runtime_dir, rec)); }));
}
