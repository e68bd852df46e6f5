#include "actors/owner_lease.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/status_render.hpp"
#include "messages/errors.hpp"
#include "net/http_server.hpp"
#include "protocol/crypto.hpp"
#include "store/owner_slot.hpp"

namespace loong {

namespace {

using self_ptr = owner_lease_actor::stateful_pointer<owner_lease_state>;

constexpr int64_t heartbeat_tick = 1;
constexpr int64_t stop_tick = 2;

std::string error_body(const char* code, const std::string& msg) {
  return std::string{"{\"error\":{\"code\":\""} + code + "\",\"message\":\"" + msg
         + "\"}}";
}

void write_record(self_ptr self) {
  auto& st = self->state;
  st.record.last_heartbeat_at = st.rt->now_ms();
  if (auto err = st.slot->update(st.record))
    spdlog::error("owner-lease cannot write the owner files: {}", describe(err));
}

// Refreshes the surface counts from the live tree, then writes the record.
void refresh_and_write(self_ptr self) {
  self->request(self->state.owner, std::chrono::seconds(2), status_atom_v)
    .then(
      [self](gateway_snapshot& x) {
        int64_t running = 0;
        for (auto& a : x.accounts)
          running += a.state == "running";
        self->state.record.running_surface_count = running;
        write_record(self);
      },
      [self](caf::error&) { write_record(self); });
}

// Starts the control endpoint; requests reach this actor as
// control_request messages after the bearer token check.
void start_control(self_ptr self) {
  auto& st = self->state;
  auto token = st.slot->create_control_token();
  if (!token) {
    spdlog::error("owner-lease cannot create the control token: {}",
                  describe(token.error()));
    return;
  }
  st.token = *token;
  net::http_server_options opts;
  opts.bind_host = "127.0.0.1";
  opts.port = static_cast<uint16_t>(st.opts.port);
  opts.body_limit = 64 * 1024;
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  auto pending = st.pending;
  auto expected = "Bearer " + st.token;
  auto handler = [weak, pending, expected](net::server_request req,
                                           net::respond_fn respond) {
    auto auth = net::find_header(req.headers, "authorization");
    if (!crypto::constant_time_equal(auth, expected)) {
      net::server_response r;
      r.status = 401;
      r.body = error_body("unauthorized", "missing or wrong bearer token");
      respond(std::move(r));
      return;
    }
    auto strong = weak.lock();
    if (!strong) {
      net::server_response r;
      r.status = 503;
      r.body = error_body("unavailable", "the owner is shutting down");
      respond(std::move(r));
      return;
    }
    auto id = pending->add([respond](unsigned status, std::string body,
                                     std::string type) {
      net::server_response r;
      r.status = status;
      r.body = std::move(body);
      r.content_type = std::move(type);
      respond(std::move(r));
    });
    caf::anon_send(caf::actor_cast<owner_lease_actor>(strong),
                   control_request{id, req.method, req.target});
  };
  net::net_error err;
  st.server = net::http_server::start(*st.rt->io, opts, handler, {}, &err);
  if (!st.server) {
    spdlog::error("owner-lease cannot listen on 127.0.0.1:{}: {}", st.opts.port,
                  err.detail);
    st.record.last_error = "control endpoint: " + err.detail;
    return;
  }
  st.record.bind_address = "127.0.0.1";
  st.record.port = st.server->port();
  st.record.port_source = st.opts.port_source;
  st.record.token_path = st.slot->runtime_dir() + "/" + store::owner_file::control_token;
  spdlog::info("owner-lease control endpoint on {}", st.server->url());
}

void answer_snapshot(self_ptr self, int64_t id, bool metrics) {
  auto& st = self->state;
  self->request(st.owner, std::chrono::seconds(5), status_atom_v)
    .then(
      [self, id, metrics](gateway_snapshot& x) {
        if (metrics)
          self->state.pending->complete(id, 200, metrics_text(x),
                                        "text/plain; version=0.0.4");
        else
          self->state.pending->complete(id, 200, snapshot_json(x));
      },
      [self, id](caf::error& err) {
        self->state.pending->complete(id, 503, error_body("unavailable", describe(err)));
      });
}

void route(self_ptr self, const control_request& r) {
  auto& st = self->state;
  auto path = r.path.substr(0, r.path.find('?'));
  if (path.rfind("/v1/", 0) == 0)
    path = "/api/gateway/" + path.substr(4);
  if (r.method == "GET" && path == "/api/gateway/status") {
    store::owner_view v;
    v.record = st.record;
    v.running = st.record.running;
    st.pending->complete(r.request_id, 200, store::to_json(v, st.slot->runtime_dir()));
  } else if (r.method == "GET"
             && (path == "/api/gateway/channels" || path == "/api/gateway/operator-summary"
                 || path == "/api/gateway/runtime-snapshot")) {
    answer_snapshot(self, r.request_id, false);
  } else if (r.method == "GET" && path == "/metrics") {
    answer_snapshot(self, r.request_id, true);
  } else if (r.method == "POST" && path == "/api/gateway/stop") {
    auto outcome = st.stop_sent ? "already_requested" : "requested";
    if (!st.stop_sent) {
      st.stop_sent = true;
      self->send(st.owner, stop_atom_v, std::string{"gateway stop requested (control API)"});
    }
    st.pending->complete(r.request_id, 202,
                         std::string{"{\"outcome\":\""} + outcome
                           + "\",\"message\":\"the owner drains and stops\"}");
  } else if (r.method == "POST" && path.rfind("/api/gateway/accounts/", 0) == 0
             && path.size() > 27 && path.compare(path.size() - 5, 5, "/kill") == 0) {
    auto id = path.substr(22, path.size() - 27);
    auto rid = r.request_id;
    self->request(st.owner, std::chrono::seconds(5), kill_atom_v, id)
      .then(
        [self, rid](bool found) {
          self->state.pending->complete(rid, found ? 200 : 404,
                                        found ? "{\"outcome\":\"killed\"}"
                                              : error_body("not_found", "no such account"));
        },
        [self, rid](caf::error& err) {
          self->state.pending->complete(rid, 503, error_body("unavailable", describe(err)));
        });
  } else {
    st.pending->complete(r.request_id, 404, error_body("not_found", "no such route"));
  }
}

} // namespace

int64_t pending_replies::add(respond r) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto id = next_++;
  table_.emplace(id, std::move(r));
  return id;
}

void pending_replies::complete(int64_t id, unsigned status, std::string body,
                               std::string content_type) {
  respond r;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = table_.find(id);
    if (i == table_.end())
      return;
    r = std::move(i->second);
    table_.erase(i);
  }
  r(status, std::move(body), std::move(content_type));
}

owner_lease_actor::behavior_type
owner_lease(owner_lease_actor::stateful_pointer<owner_lease_state> self,
            runtime_ptr rt, std::shared_ptr<store::owner_slot> slot,
            gateway_owner_actor owner, lease_options opts) {
  auto& st = self->state;
  st.rt = std::move(rt);
  st.slot = std::move(slot);
  st.record = st.slot->record();
  st.owner = owner;
  st.opts = opts;
  st.pending = std::make_shared<pending_replies>();
  if (opts.control)
    start_control(self);
  write_record(self);
  self->monitor(owner);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source != st.owner.address())
      return;
    // The owner is gone: nothing may answer control requests any more.
    if (st.server)
      st.server->stop();
    auto failed = dm.reason && dm.reason != caf::exit_reason::normal
                  && dm.reason != caf::exit_reason::user_shutdown;
    st.record.phase = failed ? "failed" : "stopped";
    if (failed) {
      st.record.last_error = describe(dm.reason);
      if (!st.record.shutdown_reason)
        st.record.shutdown_reason = st.record.last_error;
    }
    st.record.running = false;
    st.record.stopped_at_ms = st.rt->now_ms();
    st.record.last_heartbeat_at = *st.record.stopped_at_ms;
    if (auto err = st.slot->finalize(st.record))
      spdlog::error("owner-lease cannot finalize the owner files: {}", describe(err));
    spdlog::info("owner-lease released ownership (phase={})", st.record.phase);
    self->quit();
  });
  // The first beat comes early so the surface counts show soon after start.
  self->delayed_send(self, std::chrono::milliseconds{std::min<int64_t>(opts.heartbeat_ms, 1000)},
                     tick_atom_v, heartbeat_tick);
  self->delayed_send(self, std::chrono::milliseconds{opts.stop_poll_ms}, tick_atom_v,
                     stop_tick);
  return {
    [self](control_request& r) { route(self, r); },
    [self](tick_atom, int64_t kind) {
      auto& st = self->state;
      if (kind == heartbeat_tick) {
        refresh_and_write(self);
        self->delayed_send(self, std::chrono::milliseconds{st.opts.heartbeat_ms},
                           tick_atom_v, heartbeat_tick);
        return;
      }
      if (!st.stop_sent && st.slot->stop_requested()) {
        st.stop_sent = true;
        spdlog::info("owner-lease found a stop request");
        self->send(st.owner, stop_atom_v, std::string{"gateway stop requested"});
      }
      self->delayed_send(self, std::chrono::milliseconds{st.opts.stop_poll_ms},
                         tick_atom_v, stop_tick);
    },
    [self](phase_atom, std::string& phase) {
      self->state.record.phase = phase;
      // Readers right after the start see the accounts already counted.
      if (phase == "running")
        refresh_and_write(self);
      else
        write_record(self);
    },
    [self](stop_atom, std::string& reason) {
      self->state.record.shutdown_reason = "shutdown requested: " + reason;
      self->state.record.phase = "stopping";
      write_record(self);
    },
  };
}

} // namespace loong
