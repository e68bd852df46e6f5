#include "app/owner_run.hpp"

#include <algorithm>

#include <iostream>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime.hpp"
#include "app/actor_host.hpp"
#include "app/signals.hpp"
#include "app/tree.hpp"
#include "messages/errors.hpp"
#include "store/owner_slot.hpp"

namespace loong::app {

int run_owner(const context& ctx, owner_run run) {
  (void) ctx;
  // Before any thread exists, so only the watch thread sees the signals.
  signal_watch signals;
  auto slot = store::owner_slot::acquire(run.runtime_dir, run.record);
  if (!slot) {
    if (!run.conflict_hint.empty() && slot.error() == ec::owner_conflict)
      return fail(run.conflict_hint + ": " + describe(slot.error()));
    return fail(slot.error());
  }
  if (run.preflight) {
    if (auto err = run.preflight(); !err.empty()) {
      auto last = (*slot)->record();
      last.phase = "failed";
      last.last_error = err;
      last.shutdown_reason = "startup failed";
      (void) (*slot)->finalize(last);
      return fail(err);
    }
  }
  std::shared_ptr<store::owner_slot> shared_slot{std::move(*slot)};
  // Provider calls in flight must not queue behind the HTTP pool's bound.
  size_t per_host = 64;
  if (auto* p = run.cfg->provider())
    per_host = std::max<size_t>(per_host, static_cast<size_t>(std::max<int64_t>(p->max_concurrency, 1)));
  actor_host host{run.cfg->host, per_host};
  auto setup = std::make_shared<owner_setup>();
  setup->rt = host.runtime();
  setup->cfg = run.cfg;
  setup->accounts = run.accounts;
  setup->slot = shared_slot;
  setup->lease = run.lease;
  wire_production_factories(*setup);
  auto owner = host.sys().spawn(gateway_owner, std::shared_ptr<const owner_setup>{setup});
  signals.start([owner](int, const char* name) {
    std::cerr << "received " << name << "; shutting down gracefully" << std::endl;
    caf::anon_send(owner, stop_atom_v, std::string{"signal "} + name);
  });
  if (run.on_started)
    run.on_started();
  caf::error reason;
  {
    caf::scoped_actor self{host.sys()};
    self->monitor(owner);
    self->receive([&](caf::down_msg& dm) { reason = dm.reason; });
  }
  host.shutdown();
  auto& final = shared_slot->record();
  if (final.phase == "failed")
    return fail("gateway owner failed: "
                + final.last_error.value_or(describe(reason)));
  return 0;
}

} // namespace loong::app
