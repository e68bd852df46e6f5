#include "actors/channel_supervisor.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "messages/errors.hpp"

namespace loong {

namespace {

using self_ptr = channel_supervisor_actor::stateful_pointer<channel_supervisor_state>;

void start(self_ptr self, const std::string& id) {
  auto& s = self->state.slots.at(id);
  s.actor = self->spawn(account_supervisor, s.deps);
  s.started_ms = s.deps->rt->now_ms();
  s.state = "running";
  // Monitored to restart it, linked so that it ends with us.
  self->monitor(s.actor);
  self->link_to(s.actor);
  self->state.children.insert(s.actor.address());
}

// Merges what the supervisor knows (restarts, failures) into a status row.
account_status row(const channel_supervisor_state::slot& s) {
  auto st = s.last_status;
  auto& a = *s.deps->account;
  st.account = a.id;
  st.selector = a.selector();
  st.domain = a.domain;
  st.mode = a.mode;
  st.restarts = s.restarts;
  if (s.state != "running") {
    st.state = s.state;
    st.transport.state = "stopped";
    st.transport.connected_since_ms = 0;
  }
  if (!s.last_error.empty() && st.last_error.empty())
    st.last_error = s.last_error;
  return st;
}

} // namespace

channel_supervisor_actor::behavior_type
channel_supervisor(channel_supervisor_actor::stateful_pointer<channel_supervisor_state> self,
                   std::vector<std::shared_ptr<const account_deps>> accounts,
                   restart_options policy) {
  for (auto& d : accounts) {
    auto& s = self->state.slots[d->account->id];
    s.deps = d;
    s.policy = restart_policy{policy};
    start(self, d->account->id);
  }
  // Exits of linked accounts are handled through their DOWN messages; any
  // other exit (the owner's) ends the supervisor and, through the links,
  // every account.
  self->set_exit_handler([self](caf::exit_msg& em) {
    if (self->state.children.erase(em.source) > 0)
      return;
    self->quit(em.reason);
  });
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto& [id, s] : st.slots) {
      if (!s.actor || s.actor.address() != dm.source)
        continue;
      s.actor = nullptr;
      if (st.draining) {
        s.state = "stopped";
        return;
      }
      s.last_error = describe(dm.reason);
      auto now = s.deps->rt->now_ms();
      auto delay = s.policy.on_failure(now, s.started_ms, random_unit());
      s.restarts = s.policy.restarts();
      if (delay < 0) {
        s.state = "failed";
        delay = s.policy.options().failed_retry_ms;
        spdlog::error("channel-supervisor gives up on account {} after {} restarts "
                      "(retrying in {} s): {}",
                      s.deps->account->selector(), s.restarts, delay / 1000, s.last_error);
      } else {
        s.state = "restarting";
        spdlog::warn("channel-supervisor restarts account {} in {} ms: {}",
                     s.deps->account->selector(), delay, s.last_error);
      }
      self->delayed_send(self, std::chrono::milliseconds{delay}, restart_atom_v, id);
      return;
    }
  });
  return {
    [self](status_atom) -> caf::result<std::vector<account_status>> {
      auto& st = self->state;
      auto rp = self->make_response_promise<std::vector<account_status>>();
      auto rows = std::make_shared<std::vector<account_status>>();
      auto pending = std::make_shared<size_t>(0);
      for (auto& [id, s] : st.slots)
        if (s.actor)
          ++*pending;
      auto finish = [self, rp, rows]() mutable {
        rows->clear();
        for (auto& [id, s] : self->state.slots)
          rows->push_back(row(s));
        rp.deliver(*rows);
      };
      if (*pending == 0) {
        finish();
        return rp;
      }
      for (auto& [id, s] : st.slots) {
        if (!s.actor)
          continue;
        auto key = id;
        self->request(s.actor, std::chrono::seconds(3), status_atom_v)
          .then(
            [self, key, pending, finish](account_status& a) mutable {
              auto i = self->state.slots.find(key);
              if (i != self->state.slots.end())
                i->second.last_status = std::move(a);
              if (--*pending == 0)
                finish();
            },
            [pending, finish](caf::error&) mutable {
              if (--*pending == 0)
                finish();
            });
      }
      return rp;
    },
    [self](drain_atom) {
      auto& st = self->state;
      st.draining = true;
      for (auto& [id, s] : st.slots)
        if (s.actor)
          self->send(s.actor, drain_atom_v);
    },
    [self](kill_atom, std::string& id) -> bool {
      auto i = self->state.slots.find(id);
      if (i == self->state.slots.end() || !i->second.actor)
        return false;
      spdlog::warn("channel-supervisor kills account {} on request",
                   i->second.deps->account->selector());
      self->send_exit(i->second.actor,
                      caf::make_error(ec::transport_failed, "killed on request"));
      return true;
    },
    [self](restart_atom, std::string& id) {
      auto& st = self->state;
      auto i = st.slots.find(id);
      if (st.draining || i == st.slots.end() || i->second.actor)
        return;
      spdlog::info("channel-supervisor starts account {} again",
                   i->second.deps->account->selector());
      start(self, id);
    },
  };
}

} // namespace loong
