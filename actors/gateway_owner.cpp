#include "actors/gateway_owner.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/channel_supervisor.hpp"
#include "actors/store_keeper.hpp"
#include "messages/errors.hpp"

namespace loong {

namespace {

using self_ptr = gateway_owner_actor::stateful_pointer<gateway_owner_state>;

void set_phase(self_ptr self, std::string phase) {
  auto& st = self->state;
  st.phase = phase;
  if (st.lease)
    self->send(st.lease, phase_atom_v, std::move(phase));
}

// Polls the accounts until nothing is in flight or the deadline passed.
void await_drained(self_ptr self) {
  auto& st = self->state;
  self->request(st.channels, std::chrono::seconds(3), status_atom_v)
    .then(
      [self](std::vector<account_status>& xs) {
        int64_t in_flight = 0;
        for (auto& a : xs)
          in_flight += std::max<int64_t>(a.in_flight, 0);
        auto now = self->state.setup->rt->now_ms();
        if (in_flight == 0 || now >= self->state.stop_deadline_ms) {
          if (in_flight > 0)
            spdlog::warn("gateway-owner drain deadline passed with {} message(s) in "
                         "flight; they stay journaled",
                         in_flight);
          self->quit(caf::exit_reason::user_shutdown);
          return;
        }
        self->delayed_send(self, std::chrono::milliseconds(50), stop_atom_v,
                           std::string{});
      },
      [self](caf::error&) { self->quit(caf::exit_reason::user_shutdown); });
}

} // namespace

gateway_owner_actor::behavior_type
gateway_owner(gateway_owner_actor::stateful_pointer<gateway_owner_state> self,
              std::shared_ptr<const owner_setup> setup) {
  auto& st = self->state;
  st.setup = setup;
  auto& cfg = *setup->cfg;
  st.store = self->spawn<caf::detached + caf::linked>(store_keeper, cfg.host.store_path,
                                                      cfg.host.dedupe_ttl_ms);
  if (auto p = cfg.provider(); p && setup->make_provider) {
    st.pool = setup->make_provider(self->system(), setup->rt, *p, st.store);
    self->link_to(st.pool);
  }
  std::vector<std::shared_ptr<const account_deps>> deps;
  for (auto& a : setup->accounts) {
    auto d = std::make_shared<account_deps>();
    d->rt = setup->rt;
    d->account = std::make_shared<const config::feishu_account>(a);
    d->pool = st.pool;
    d->store = st.store;
    d->make_transport = setup->make_transport;
    d->make_outbound = setup->make_outbound;
    d->transport_restart = setup->transport_restart;
    d->ask_timeout_ms = setup->ask_timeout_ms;
    d->conversation_idle_ms = setup->conversation_idle_ms;
    deps.push_back(std::move(d));
  }
  st.channels = self->spawn<caf::linked>(channel_supervisor, std::move(deps),
                                         setup->account_restart);
  if (setup->slot)
    st.lease = self->spawn<caf::detached>(owner_lease, setup->rt, setup->slot,
                                          caf::actor_cast<gateway_owner_actor>(self),
                                          setup->lease);
  spdlog::info("gateway-owner runs {} account(s)", setup->accounts.size());
  set_phase(self, "running");
  return {
    [self](status_atom) -> caf::result<gateway_snapshot> {
      auto& st = self->state;
      auto rp = self->make_response_promise<gateway_snapshot>();
      auto snap = std::make_shared<gateway_snapshot>();
      snap->phase = st.phase;
      auto ask_pool = [self, rp, snap]() mutable {
        auto& st = self->state;
        if (!st.pool) {
          rp.deliver(*snap);
          return;
        }
        self->request(st.pool, std::chrono::seconds(2), status_atom_v)
          .then(
            [rp, snap](provider_status& p) mutable {
              snap->provider = std::move(p);
              rp.deliver(*snap);
            },
            [rp, snap](caf::error&) mutable { rp.deliver(*snap); });
      };
      self->request(st.channels, std::chrono::seconds(4), status_atom_v)
        .then(
          [snap, ask_pool](std::vector<account_status>& xs) mutable {
            snap->accounts = std::move(xs);
            ask_pool();
          },
          [ask_pool](caf::error&) mutable { ask_pool(); });
      return rp;
    },
    [self](kill_atom, std::string& id) -> caf::result<bool> {
      return self->delegate(self->state.channels, kill_atom_v, std::move(id));
    },
    [self](stop_atom, std::string& reason) {
      auto& st = self->state;
      // An empty reason is the drain poll re-arming itself.
      if (reason.empty()) {
        await_drained(self);
        return;
      }
      if (st.phase == "stopping")
        return;
      spdlog::info("gateway-owner stops: {}", reason);
      if (st.lease)
        self->send(st.lease, stop_atom_v, reason);
      set_phase(self, "stopping");
      st.stop_deadline_ms = st.setup->rt->now_ms() + st.setup->drain_timeout_ms;
      self->send(st.channels, drain_atom_v);
      await_drained(self);
    },
  };
}

} // namespace loong
