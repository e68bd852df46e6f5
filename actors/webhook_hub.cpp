// The webhook hub: servers per bind, the route table, mount tokens and
// teardown. Request handling is in webhook_hub_requests.cpp.

#include "actors/webhook_hub.hpp"
#include "actors/webhook_hub_core.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime.hpp"
#include "messages/errors.hpp"
#include "net/http_server.hpp"
#include "net/http_types.hpp"

namespace loong {

int64_t webhook_steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch())
    .count();
}

net::server_response webhook_answer(unsigned status, std::string body) {
  return net::server_response{status, {}, std::move(body)};
}

std::string webhook_small_body(unsigned status, const char* msg) {
  return "{\"code\":" + std::to_string(status) + ",\"msg\":\"" + msg + "\"}";
}

// -- log_limiter --------------------------------------------------------------

int64_t log_limiter::admit(int64_t now_ms) {
  if (any_ && interval_ms_ > 0 && now_ms - last_ms_ < interval_ms_) {
    ++suppressed_;
    return -1;
  }
  any_ = true;
  last_ms_ = now_ms;
  auto dropped = suppressed_;
  suppressed_ = 0;
  return dropped;
}

// -- bind parsing -------------------------------------------------------------

caf::expected<std::pair<std::string, uint16_t>>
parse_webhook_bind(const std::string& bind) {
  auto bad = [&bind](const char* why) {
    return caf::make_error(ec::invalid_config,
                           "webhook_bind '" + bind + "' " + why);
  };
  auto colon = bind.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return bad("is not host:port");
  auto host = bind.substr(0, colon);
  auto port_text = bind.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5
      || port_text.find_first_not_of("0123456789") != std::string::npos)
    return bad("has no valid port");
  auto port = std::stoul(port_text);
  if (port > 65535)
    return bad("has a port above 65535");
  if (host == "localhost")
    host = "127.0.0.1";
  // net::http_server binds IPv4 literals only.
  if (host.find_first_not_of("0123456789.") != std::string::npos)
    return bad("needs an IPv4 address or localhost as host");
  return std::make_pair(host, static_cast<uint16_t>(port));
}

namespace {

// The table key of a bind ("" when malformed: matches nothing).
std::string webhook_bind_key(const std::string& bind) {
  auto addr = parse_webhook_bind(bind);
  return addr ? addr->first + ":" + std::to_string(addr->second) : std::string{};
}

} // namespace

std::vector<net::respond_fn>
webhook_hub_core::take_pending_locked(const std::shared_ptr<webhook_route>& r) {
  std::vector<net::respond_fn> out;
  for (auto i = pending.begin(); i != pending.end();) {
    if (i->second.route == r) {
      out.push_back(std::move(i->second.respond));
      i = pending.erase(i);
    } else {
      ++i;
    }
  }
  r->stats.pending = 0;
  return out;
}

void webhook_hub_core::unmount(int64_t mount_id) {
  std::vector<net::respond_fn> orphans;
  std::shared_ptr<net::http_server> server;
  std::shared_ptr<webhook_route> r;
  {
    std::lock_guard<std::mutex> lk{mu};
    r = find_mount(mount_id);
    if (!r)
      return;
    r->unmounted = true;
    auto b = binds.find(r->bind);
    b->second.routes.erase(r->path);
    if (b->second.routes.empty()) {
      server = std::move(b->second.server);
      binds.erase(b);
    }
    orphans = take_pending_locked(r);
  }
  // Nobody will answer these any more: 500 makes the platform redeliver.
  for (auto& fn : orphans)
    fn(webhook_answer(500, webhook_small_body(500, "listener stopped")));
  spdlog::info("webhook-hub unmounted {}{} of account={}{}", r->bind, r->path,
               r->account, server ? " and stops that server" : "");
  if (server)
    server->stop();
}

void webhook_hub_core::stop_all() {
  std::vector<net::respond_fn> orphans;
  std::vector<std::shared_ptr<net::http_server>> servers;
  {
    std::lock_guard<std::mutex> lk{mu};
    for (auto& [key, b] : binds) {
      for (auto& [path, r] : b.routes)
        r->unmounted = true;
      servers.push_back(std::move(b.server));
    }
    binds.clear();
    for (auto& [id, p] : pending)
      orphans.push_back(std::move(p.respond));
    pending.clear();
  }
  for (auto& fn : orphans)
    fn(webhook_answer(500, webhook_small_body(500, "shutting down")));
  for (auto& s : servers)
    if (s)
      s->stop();
}

// -- webhook_mount ------------------------------------------------------------

webhook_mount::~webhook_mount() {
  unmount();
}

webhook_mount::webhook_mount(webhook_mount&& other) noexcept
  : core_(std::exchange(other.core_, {})), id_(std::exchange(other.id_, 0)) {
}

webhook_mount& webhook_mount::operator=(webhook_mount&& other) noexcept {
  if (this != &other) {
    unmount();
    core_ = std::exchange(other.core_, {});
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void webhook_mount::unmount() {
  if (auto core = core_.lock())
    core->unmount(id_);
  core_.reset();
}

namespace {

// Runs f(core, route) under the hub's lock while mount `id` exists, else
// returns `otherwise`.
template <class T, class F>
T with_mount(const std::weak_ptr<webhook_hub_core>& weak, int64_t id, T otherwise,
             F f) {
  auto core = weak.lock();
  if (!core)
    return otherwise;
  std::lock_guard<std::mutex> lk{core->mu};
  auto r = core->find_mount(id);
  return r ? f(*core, *r) : otherwise;
}

} // namespace

void webhook_mount::drain() {
  with_mount(core_, id_, false, [](webhook_hub_core&, webhook_route& r) {
    return r.draining = true;
  });
}

bool webhook_mount::mounted() const {
  return with_mount(core_, id_, false,
                    [](webhook_hub_core&, webhook_route&) { return true; });
}

std::optional<webhook_route_stats> webhook_mount::stats() const {
  return with_mount(core_, id_, std::optional<webhook_route_stats>{},
                    [](webhook_hub_core&, webhook_route& r) {
                      return std::optional<webhook_route_stats>{r.stats};
                    });
}

std::string webhook_mount::url() const {
  return with_mount(core_, id_, std::string{},
                    [](webhook_hub_core& core, webhook_route& r) {
                      return core.binds.at(r.bind).server->url() + r.path;
                    });
}

// -- webhook_hub --------------------------------------------------------------

webhook_hub::webhook_hub(net::io_runtime& io, std::function<int64_t()> now_ms)
  : core_(std::make_shared<webhook_hub_core>(
      io, now_ms ? std::move(now_ms) : std::function<int64_t()>{wall_clock_ms})) {
}

webhook_hub::~webhook_hub() {
  core_->stop_all();
}

caf::expected<webhook_mount>
webhook_hub::mount(const std::string& bind, const std::string& path,
                   feishu::webhook_secrets secrets,
                   webhook_listener_actor listener, const std::string& account,
                   const webhook_options& opts) {
  auto where = "webhook route " + bind + path + " of account '" + account + "'";
  auto addr = parse_webhook_bind(bind);
  if (!addr)
    return std::move(addr.error());
  if (path.empty() || path.front() != '/' || path.find('?') != std::string::npos)
    return caf::make_error(ec::invalid_config,
                           where + ": webhook_path must start with '/' and "
                                   "carry no query");
  if (!listener)
    return caf::make_error(ec::invalid_config, where + ": no listener");
  auto key = webhook_bind_key(bind);
  auto r = std::make_shared<webhook_route>();
  r->bind = key;
  r->path = path;
  r->account = account;
  r->secrets = std::make_shared<const feishu::webhook_secrets>(std::move(secrets));
  r->listener = caf::actor_cast<caf::weak_actor_ptr>(listener);
  r->pending_limit = std::max<size_t>(opts.pending_limit, 1);
  r->limiter = log_limiter{opts.reject_log_interval_ms};
  std::vector<net::respond_fn> orphans;
  std::unique_lock<std::mutex> lk{core_->mu};
  auto& c = *core_;
  auto b = c.binds.find(key);
  if (b != c.binds.end()) {
    if (auto other = c.find_route(key, path)) {
      if (other->account != account)
        return caf::make_error(ec::invalid_config,
                               "webhook route " + key + path + " is claimed by "
                                 "accounts '" + other->account + "' and '"
                                 + account + "'; give each its own webhook_path");
      // The same account again is its restarted listener, mounting before
      // the old incarnation's exit hook ran: the new one takes over.
      other->unmounted = true;
      b->second.routes.erase(path);
      orphans = c.take_pending_locked(other);
      spdlog::info("webhook-hub {}{} of account={} replaces a stale mount",
                   key, path, account);
    }
  } else {
    // The first mount of a bind starts its server with this mount's limits.
    net::http_server_options so;
    so.bind_host = addr->first;
    so.port = addr->second;
    so.body_limit = opts.body_limit;
    so.header_timeout = std::chrono::milliseconds{opts.header_timeout_ms};
    so.body_timeout = std::chrono::milliseconds{opts.body_timeout_ms};
    so.keep_alive_timeout = std::chrono::milliseconds{opts.keep_alive_timeout_ms};
    so.max_connections = opts.max_connections;
    std::weak_ptr<webhook_hub_core> weak = core_;
    auto handler = [weak, key](net::server_request req, net::respond_fn respond) {
      if (auto core = weak.lock())
        return core->handle(key, std::move(req), std::move(respond));
      respond(webhook_answer(503, webhook_small_body(503, "shutting down")));
    };
    net::net_error err;
    auto server = net::http_server::start(c.io, so, std::move(handler), {}, &err);
    if (!server)
      return caf::make_error(ec::transport_failed,
                             where + ": cannot listen on " + key + ": "
                               + net::to_string(err));
    b = c.binds.emplace(key, webhook_hub_core::bind_entry{}).first;
    b->second.server = std::move(server);
    spdlog::info("webhook-hub listens on {} ({})", key, b->second.server->url());
  }
  r->mount_id = ++c.next_mount;
  b->second.routes.emplace(path, r);
  lk.unlock();
  for (auto& fn : orphans)
    fn(webhook_answer(500, webhook_small_body(500, "listener stopped")));
  spdlog::info("webhook-hub mounted {}{} for account={}", key, path, account);
  return webhook_mount{core_, r->mount_id};
}

bool webhook_hub::respond(int64_t request_id, unsigned status, std::string body) {
  return core_->answer(request_id, status, std::move(body));
}

std::optional<uint16_t> webhook_hub::port(const std::string& bind) const {
  auto key = webhook_bind_key(bind);
  std::lock_guard<std::mutex> lk{core_->mu};
  auto b = core_->binds.find(key);
  if (b == core_->binds.end())
    return std::nullopt;
  return b->second.server->port();
}

std::optional<webhook_route_stats>
webhook_hub::stats(const std::string& bind, const std::string& path) const {
  auto key = webhook_bind_key(bind);
  std::lock_guard<std::mutex> lk{core_->mu};
  auto r = core_->find_route(key, path);
  return r ? std::optional<webhook_route_stats>{r->stats} : std::nullopt;
}

size_t webhook_hub::pending() const {
  std::lock_guard<std::mutex> lk{core_->mu};
  return core_->pending.size();
}

size_t webhook_hub::servers() const {
  std::lock_guard<std::mutex> lk{core_->mu};
  return core_->binds.size();
}

} // namespace loong
