#pragma once

// The webhook HTTP servers of all accounts (spec §7, product contract §5.1
// "Webhook"): one net::http_server per bind address, a route table
// path -> account. Not an actor: a thread-safe object shared through
// actor_runtime::hub, whose request handling runs on the I/O threads.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "messages/actors.hpp"
#include "protocol/webhook.hpp"

namespace loong::net {
class io_runtime;
} // namespace loong::net

namespace loong {

/// Tunables of a webhook route. The server-wide ones (body_limit, timeouts,
/// max_connections) come from the first mount of a bind.
struct webhook_options {
  /// Larger request bodies are answered 413 and the connection closed.
  size_t body_limit = 1u << 20;
  /// Slowloris guard: a request's headers must arrive within this.
  int64_t header_timeout_ms = 10000;
  /// A request's body must arrive within this after its headers.
  int64_t body_timeout_ms = 30000;
  /// An idle keep-alive connection is closed after this.
  int64_t keep_alive_timeout_ms = 60000;
  /// Connections beyond this are accepted and closed at once.
  size_t max_connections = 1024;
  /// Max |now - X-Lark-Request-Timestamp| in seconds; 0 = off, as spec
  /// §7.5 recommends (the platform's retries may arrive hours later).
  int64_t replay_window_s = 0;
  /// Events awaiting the account's verdict per route; more get 503 at once.
  size_t pending_limit = 256;
  /// The listener waits this long for the account's verdict, then 500.
  int64_t verdict_timeout_ms = 2500;
  /// At most one rejection log line per route this often; the rest are
  /// counted and reported with the next line.
  int64_t reject_log_interval_ms = 1000;
};

/// Counters of one route since it was mounted.
struct webhook_route_stats {
  /// Requests that passed verification: challenges, ignored and events.
  int64_t received = 0;
  /// Requests refused by verification or parsing (401/400) or with a wrong
  /// method (405).
  int64_t rejected = 0;
  int64_t challenges = 0;
  int64_t ignored = 0;
  /// Events handed to the listener.
  int64_t events = 0;
  /// Events answered 503 because `pending_limit` was reached.
  int64_t overloaded = 0;
  /// Events answered 503 because the route was draining.
  int64_t refused_draining = 0;
  /// Events awaiting their answer now.
  int64_t pending = 0;
  /// Rejections by reason ("bad_signature", "bad_token", "not_json", ...).
  std::map<std::string, int64_t> rejected_by_reason;
  /// Reason of the most recent rejection ("" when none).
  std::string last_rejection;
};

/// Shared internals of a hub (actors/webhook_hub_core.hpp).
struct webhook_hub_core;

/// A mounted route. Unmounts at destruction; move-only.
class webhook_mount {
public:
  webhook_mount() = default;
  ~webhook_mount();
  webhook_mount(webhook_mount&& other) noexcept;
  webhook_mount& operator=(webhook_mount&& other) noexcept;
  webhook_mount(const webhook_mount&) = delete;
  webhook_mount& operator=(const webhook_mount&) = delete;

  /// Removes the route: its pending requests are answered 500 (the platform
  /// redelivers) and the last route of a bind stops that server.
  /// Idempotent.
  void unmount();
  /// New events of this route are answered 503 from now on.
  void drain();
  /// True until unmount() (or the hub's destruction).
  bool mounted() const;
  /// The route's counters; empty once unmounted.
  std::optional<webhook_route_stats> stats() const;
  /// "http://<host>:<bound port><path>"; "" once unmounted.
  std::string url() const;
  /// Unique id of this mount within its hub (0 = none).
  int64_t id() const { return id_; }

private:
  friend class webhook_hub;
  webhook_mount(std::weak_ptr<webhook_hub_core> core, int64_t id)
    : core_(std::move(core)), id_(id) {
  }
  std::weak_ptr<webhook_hub_core> core_;
  int64_t id_ = 0;
};

/// The webhook servers shared by every account of the process.
/// Thread-safe; request handling runs on the io_runtime's threads and
/// never blocks (events go to the listener with caf::anon_send).
class webhook_hub {
public:
  /// Serves on `io`, which must outlive every server (stop the hub's users
  /// first). `now_ms` gives Unix ms (received_ms stamps, replay window).
  explicit webhook_hub(net::io_runtime& io,
                       std::function<int64_t()> now_ms = nullptr);
  /// Stops every server; pending requests are answered 500.
  ~webhook_hub();
  webhook_hub(const webhook_hub&) = delete;
  webhook_hub& operator=(const webhook_hub&) = delete;

  /// Routes POST `path` on `bind` ("host:port", IPv4 or "localhost"; port 0
  /// = one ephemeral port per bind string) to `listener` for `account`,
  /// starting the bind's server if needed. Errors: ec::invalid_config for a
  /// malformed bind or path and for a path already mounted on that bind by
  /// another account (naming both), ec::transport_failed when the server
  /// cannot listen (e.g. address in use); each names the bind and the path.
  /// The same account mounting its path again (a restarted listener whose
  /// predecessor has not unmounted yet) replaces the old mount.
  caf::expected<webhook_mount> mount(const std::string& bind,
                                     const std::string& path,
                                     feishu::webhook_secrets secrets,
                                     webhook_listener_actor listener,
                                     const std::string& account,
                                     const webhook_options& opts = {});

  /// Answers the pending request `request_id` (from a webhook_event) with
  /// `status` and a JSON `body`; false when it is no longer pending.
  bool respond(int64_t request_id, unsigned status, std::string body);

  /// The bound port of `bind` while it has a server.
  std::optional<uint16_t> port(const std::string& bind) const;
  /// Counters of the route `path` on `bind` while it is mounted.
  std::optional<webhook_route_stats> stats(const std::string& bind,
                                           const std::string& path) const;
  /// Requests awaiting an answer, over all routes.
  size_t pending() const;
  /// Running servers (one per bind in use).
  size_t servers() const;

private:
  std::shared_ptr<webhook_hub_core> core_;
};

/// Normalizes a webhook bind "host:port" ("localhost" becomes 127.0.0.1);
/// ec::invalid_config naming the value when it is malformed.
caf::expected<std::pair<std::string, uint16_t>>
parse_webhook_bind(const std::string& bind);

/// Rate limit of a log line: at most one per interval, counting the rest.
class log_limiter {
public:
  /// Lets one line through per `interval_ms` (0 = every line).
  explicit log_limiter(int64_t interval_ms = 1000) : interval_ms_(interval_ms) {
  }
  /// At steady time `now_ms`: -1 when this line must be dropped, else the
  /// number of lines dropped since the last one let through.
  int64_t admit(int64_t now_ms);

private:
  int64_t interval_ms_;
  int64_t last_ms_ = 0;
  bool any_ = false;
  int64_t suppressed_ = 0;
};

} // namespace loong
