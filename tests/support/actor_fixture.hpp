#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/runtime.hpp"

namespace loong::net {
class io_runtime;
class http_client;
} // namespace loong::net

namespace loong::test {

/// An actor system configured like the app (registered types, two
/// scheduler threads), an io_runtime with one I/O thread, the HTTP bridge
/// and a runtime_ptr for spawning gateway actors. Tears down in the order
/// toolchain.md §5 prescribes: actors, then I/O threads, then the system.
class actor_fixture {
public:
  actor_fixture();
  ~actor_fixture();

  caf::actor_system& sys() { return *sys_; }
  runtime_ptr runtime() const { return runtime_; }
  net::io_runtime& io() { return *io_; }
  /// Trust an extra CA for TLS tests (before the first request).
  void trust_pem(const std::string& pem);

  /// Sends exit to `x` and waits until it is gone (bounded).
  template <class Handle>
  void stop(const Handle& x) {
    caf::scoped_actor self{*sys_};
    self->monitor(x);
    self->send_exit(x, caf::exit_reason::user_shutdown);
    self->receive([](const caf::down_msg&) {},
                  caf::after(std::chrono::seconds(10)) >> [] {});
  }

private:
  struct config;
  std::unique_ptr<config> cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::unique_ptr<net::io_runtime> io_;
  std::shared_ptr<net::http_client> http_;
  runtime_ptr runtime_;
};

/// Waits until `pred()` holds, polling every 10 ms for at most `limit`.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

} // namespace loong::test
