#pragma once

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/runtime.hpp"
#include "config/gateway_config.hpp"

namespace loong::net {
class io_runtime;
class http_client;
} // namespace loong::net

namespace loong::app {

/// The process's actor system, Asio threads, HTTP client and bridge, built
/// from the host settings. Destruction follows toolchain.md §5: stop the
/// actors, then the I/O threads, then the actor system.
class actor_host {
public:
  /// `http_per_host` bounds the HTTP connections per origin (in use and
  /// idle); the owner raises it to the provider's max_concurrency.
  explicit actor_host(const config::host_config& host, size_t http_per_host = 64);
  ~actor_host();
  actor_host(const actor_host&) = delete;
  actor_host& operator=(const actor_host&) = delete;

  caf::actor_system& sys() { return *sys_; }
  runtime_ptr runtime() const { return runtime_; }

  /// Stops the bridge, waits for every actor to finish, joins the I/O
  /// threads. Idempotent; the destructor calls it.
  void shutdown();

private:
  struct system_config;
  std::unique_ptr<system_config> cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::unique_ptr<net::io_runtime> io_;
  std::shared_ptr<net::http_client> http_;
  runtime_ptr runtime_;
  bool down_ = false;
};

} // namespace loong::app
