#include "app/tree.hpp"

#include <caf/all.hpp>

#include "actors/provider_pool.hpp"
#include "actors/sender.hpp"
#include "actors/token_keeper.hpp"
#include "actors/webhook_listener.hpp"
#include "actors/ws_connection.hpp"

namespace loong::app {

void wire_production_factories(owner_setup& setup) {
  setup.make_provider = [](caf::actor_system& sys, const runtime_ptr& rt,
                           const config::provider_config& p, store_actor store) {
    return sys.spawn(provider_pool, rt, p, store);
  };
  setup.make_outbound = [](caf::actor_system& sys, const runtime_ptr& rt,
                           const config::feishu_account& a) {
    auto keeper = caf::actor_cast<token_keeper_actor>(sys.spawn(token_keeper, rt, a));
    auto snd = caf::actor_cast<sender_actor>(sys.spawn(sender, rt, a, keeper));
    return std::make_pair(keeper, snd);
  };
  setup.make_transport = [](caf::actor_system& sys, const runtime_ptr& rt,
                            const config::feishu_account& a,
                            account_actor parent) -> transport_actor {
    if (a.mode == "webhook")
      return caf::actor_cast<transport_actor>(
        sys.spawn(webhook_listener, rt, a, parent, webhook_options{}));
    return caf::actor_cast<transport_actor>(
      sys.spawn(ws_connection, rt, a, parent, ws_options{}));
  };
}

} // namespace loong::app
