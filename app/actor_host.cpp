#include "app/actor_host.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/http_bridge.hpp"
#include "actors/webhook_hub.hpp"
#include "messages/type_ids.hpp"
#include "net/http_client.hpp"
#include "net/io_runtime.hpp"

namespace loong::app {

struct actor_host::system_config : caf::actor_system_config {
  explicit system_config(const config::host_config& host) {
    register_types(*this);
    // Unset, CAF starts more workers than this host has cores.
    set("scheduler.max-threads", static_cast<size_t>(host.actor_threads));
    // CAF's workers poll an empty queue in a 50 us sleep loop for 500 rounds
    // before they wait on a condition variable: at a few hundred events per
    // second that never ends and costs a core. Waiting right after the
    // aggressive (sleepless) polling keeps throughput and idles cheaply.
    set("work-stealing.moderate-poll-attempts", size_t{0});
  }
};

actor_host::actor_host(const config::host_config& host, size_t http_per_host)
  : cfg_(std::make_unique<system_config>(host)),
    sys_(std::make_unique<caf::actor_system>(*cfg_)),
    io_(std::make_unique<net::io_runtime>(static_cast<size_t>(host.io_threads))) {
  // Under load every connection in use returns to the pool: with fewer idle
  // slots than active ones, each burst would close and reconnect the extra
  // connections (measured: 4 % of the gateway's CPU in connect alone).
  net::http_client_options http_opts;
  http_opts.max_active_per_host = std::max<size_t>(http_per_host, 1);
  http_opts.max_idle_per_host = http_opts.max_active_per_host;
  http_ = std::make_shared<net::http_client>(*io_, http_opts);
  auto rt = std::make_shared<actor_runtime>();
  rt->io = io_.get();
  rt->http = sys_->spawn(http_bridge, http_);
  rt->now_ms = wall_clock_ms;
  rt->hub = std::make_shared<webhook_hub>(*io_, wall_clock_ms);
  runtime_ = rt;
}

void actor_host::shutdown() {
  if (down_)
    return;
  down_ = true;
  {
    caf::scoped_actor self{*sys_};
    self->send_exit(runtime_->http, caf::exit_reason::user_shutdown);
  }
  runtime_.reset();
  sys_->await_all_actors_done();
  http_.reset();
  io_->stop_and_join();
}

actor_host::~actor_host() {
  shutdown();
}

} // namespace loong::app
