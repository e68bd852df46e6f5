#pragma once

// Internal to webhook_hub: the shared core, split between mount management
// (webhook_hub.cpp) and request handling (webhook_hub_requests.cpp).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_control_block.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include "actors/webhook_hub.hpp"
#include "net/http_server.hpp"

namespace loong {

/// Monotonic ms (the rejection log's rate limit).
int64_t webhook_steady_ms();

/// A response with a JSON body.
net::server_response webhook_answer(unsigned status, std::string body);

/// `{"code":<status>,"msg":"<msg>"}`.
std::string webhook_small_body(unsigned status, const char* msg);

/// One mounted path. Immutable fields are set at mount; the rest are
/// guarded by webhook_hub_core::mu.
struct webhook_route {
  int64_t mount_id = 0;
  std::string bind;
  std::string path;
  std::string account;
  std::shared_ptr<const feishu::webhook_secrets> secrets;
  /// Weak: a strong handle would keep the listener alive (toolchain §5).
  caf::weak_actor_ptr listener;
  size_t pending_limit = 0;
  bool draining = false;
  bool unmounted = false;
  webhook_route_stats stats;
  log_limiter limiter;
};

/// The hub's shared state; webhook_mount and the servers' handlers hold it
/// weakly, so the hub's destruction ends everything.
struct webhook_hub_core {
  struct bind_entry {
    std::shared_ptr<net::http_server> server;
    std::map<std::string, std::shared_ptr<webhook_route>> routes;
  };
  struct pending_entry {
    net::respond_fn respond;
    std::shared_ptr<webhook_route> route;
  };

  webhook_hub_core(net::io_runtime& io_, std::function<int64_t()> now)
    : io(io_), now_ms(std::move(now)) {
  }

  net::io_runtime& io;
  std::function<int64_t()> now_ms;
  mutable std::mutex mu;
  /// By normalized bind "host:port".
  std::map<std::string, bind_entry> binds;
  std::unordered_map<int64_t, pending_entry> pending;
  int64_t next_mount = 0;
  int64_t next_request = 0;

  /// The route of `path` on the bind key, or nullptr (caller holds mu).
  std::shared_ptr<webhook_route> find_route(const std::string& bind,
                                            const std::string& path) const {
    auto b = binds.find(bind);
    if (b == binds.end())
      return nullptr;
    auto r = b->second.routes.find(path);
    return r == b->second.routes.end() ? nullptr : r->second;
  }

  /// The route of mount `id`, or nullptr (caller holds mu).
  std::shared_ptr<webhook_route> find_mount(int64_t id) const {
    for (auto& [key, b] : binds)
      for (auto& [path, r] : b.routes)
        if (r->mount_id == id)
          return r;
    return nullptr;
  }

  /// Counts a rejection and logs it, at most once per interval per route.
  void note_rejection(webhook_route& r, unsigned status,
                      const std::string& reason, const std::string& remote);
  /// Routes one request of `bind` (runs on an I/O thread).
  void handle(const std::string& bind, net::server_request req,
              net::respond_fn respond);
  /// Parks a verified event and hands it to the route's listener.
  void deliver(const std::shared_ptr<webhook_route>& r, inbound_message msg,
               net::respond_fn respond);
  /// Answers pending request `id`; false when it is gone.
  bool answer(int64_t id, unsigned status, std::string body);
  /// Removes mount `mount_id` (pending -> 500, last route stops the server).
  void unmount(int64_t mount_id);
  /// Removes and returns the pending answers of `r` (caller holds mu).
  std::vector<net::respond_fn>
  take_pending_locked(const std::shared_ptr<webhook_route>& r);
  /// Removes everything (hub destruction).
  void stop_all();
};

} // namespace loong
