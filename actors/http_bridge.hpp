#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

#include <caf/typed_response_promise.hpp>

#include "messages/actors.hpp"

namespace loong::net {
class http_client;
class http_call;
} // namespace loong::net

namespace loong {

/// State of the HTTP BRIDGE: the promises of calls in flight.
struct http_bridge_state {
  static inline const char* name = "http-bridge";
  std::shared_ptr<net::http_client> client;
  int64_t next_id = 1;
  struct pending {
    caf::typed_response_promise<http_reply> promise;
    std::shared_ptr<net::http_call> call;
  };
  std::unordered_map<int64_t, pending> calls;
};

/// Runs http_exchange requests on `client`; I/O callbacks come back as
/// http_done messages so every promise is delivered in this actor's context.
http_bridge_actor::behavior_type
http_bridge(http_bridge_actor::stateful_pointer<http_bridge_state> self,
            std::shared_ptr<net::http_client> client);

} // namespace loong
