#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "actors/runtime.hpp"
#include "messages/actors.hpp"
#include "store/owner_files.hpp"

namespace loong::net {
class http_server;
} // namespace loong::net

namespace loong::store {
class owner_slot;
} // namespace loong::store

namespace loong {

/// Settings of the owner lease.
struct lease_options {
  int64_t heartbeat_ms = 5000;
  int64_t stop_poll_ms = 100;
  /// Control endpoint port (0 = ephemeral) and where the number came from.
  int64_t port = 26306;
  std::string port_source = "default";
  /// Serve the control endpoint at all (serve loops may not need one).
  bool control = true;
};

/// HTTP answers waiting for the lease actor; shared with the I/O threads.
class pending_replies {
public:
  using respond = std::function<void(unsigned, std::string, std::string)>;
  int64_t add(respond r);
  /// Answers and forgets request `id` (no-op when already answered).
  void complete(int64_t id, unsigned status, std::string body,
                std::string content_type = "application/json");

private:
  std::mutex mtx_;
  int64_t next_ = 1;
  std::unordered_map<int64_t, respond> table_;
};

/// State of the OWNER LEASE.
struct owner_lease_state {
  static inline const char* name = "owner-lease";
  std::shared_ptr<store::owner_slot> slot;
  store::owner_record record;
  gateway_owner_actor owner;
  runtime_ptr rt;
  lease_options opts;
  std::shared_ptr<net::http_server> server;
  std::shared_ptr<pending_replies> pending;
  std::string token;
  bool stop_sent = false;
};

/// Keeps the owner files true (heartbeat, phase, binding), polls for stop
/// requests and serves the loopback control endpoint. Spawn it detached:
/// it writes files. Finalizes status.json when the owner goes down.
owner_lease_actor::behavior_type
owner_lease(owner_lease_actor::stateful_pointer<owner_lease_state> self,
            runtime_ptr rt, std::shared_ptr<store::owner_slot> slot,
            gateway_owner_actor owner, lease_options opts);

} // namespace loong
