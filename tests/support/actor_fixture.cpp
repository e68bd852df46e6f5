#include "tests/support/actor_fixture.hpp"

#include <cstdlib>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/http_bridge.hpp"
#include "messages/type_ids.hpp"
#include "net/http_client.hpp"
#include "net/io_runtime.hpp"

namespace loong::test {

struct actor_fixture::config : caf::actor_system_config {
  config() {
    register_types(*this);
    set("scheduler.max-threads", 2);
  }
};

actor_fixture::actor_fixture()
  : cfg_(std::make_unique<config>()),
    sys_(std::make_unique<caf::actor_system>(*cfg_)),
    io_(std::make_unique<net::io_runtime>(1)) {
  // Quiet by default; LOONG_LOG=debug shows the actors' log lines.
  auto level = std::getenv("LOONG_LOG");
  spdlog::set_level(spdlog::level::from_str(level ? level : "off"));
  http_ = std::make_shared<net::http_client>(*io_);
  auto rt = std::make_shared<actor_runtime>();
  rt->io = io_.get();
  rt->http = sys_->spawn(http_bridge, http_);
  rt->now_ms = wall_clock_ms;
  runtime_ = rt;
}

void actor_fixture::trust_pem(const std::string& pem) {
  io_->trust_pem(pem);
}

actor_fixture::~actor_fixture() {
  {
    caf::scoped_actor self{*sys_};
    self->send_exit(runtime_->http, caf::exit_reason::user_shutdown);
  }
  runtime_.reset();
  sys_->await_all_actors_done();
  http_.reset();
  io_->stop_and_join();
}

} // namespace loong::test
