#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include "net/http_types.hpp"
#include "net/net_error.hpp"

namespace loong::net {

class io_runtime;

/// Limits of the keep-alive pool, per scheme + host + port.
struct http_client_options {
  /// Keep-alive connections kept idle per origin.
  size_t max_idle_per_host = 8;
  /// Connections in use per origin; beyond it requests queue (FIFO).
  size_t max_active_per_host = 64;
  /// Queue length per origin; beyond it a request fails `overloaded` at once.
  size_t max_queued_per_host = 4096;
  /// Idle pooled connections are closed after this.
  std::chrono::milliseconds idle_timeout{30000};
};

/// Receives the outcome of one request, exactly once, on an I/O thread.
using http_callback = std::function<void(net_error, http_response)>;

/// Receives streamed body bytes of a 2xx response, on an I/O thread.
using body_chunk_callback = std::function<void(std::string_view chunk)>;

/// A request in flight.
class http_call {
public:
  virtual ~http_call() = default;
  /// Aborts the request; its callback gets `cancelled` unless it already ran.
  virtual void cancel() = 0;
};

/// HTTP/1.1 client with a keep-alive pool; see request() for the contract.
class http_client {
public:
  /// Creates an empty pool on `io`, which must outlive this client.
  explicit http_client(io_runtime& io, http_client_options opts = {});
  /// Cancels outstanding calls (their callbacks still run once) and closes
  /// idle connections. Does not wait for the callbacks.
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;
  /// Thread-safe. `done` runs exactly once on an I/O thread. If `on_chunk`
  /// is set AND the status is 2xx, body bytes go to on_chunk as they arrive
  /// (the response body stays empty); otherwise the body is collected.
  /// TLS verifies the peer and host name against io.tls_client_context().
  /// A pooled connection that fails before any response byte is retried
  /// once on a fresh connection.
  std::shared_ptr<http_call> request(http_request req, http_callback done,
                                     body_chunk_callback on_chunk = {});
  /// The number of idle pooled connections over all origins (tests).
  size_t idle_connections() const;
  /// The number of connections in use over all origins (tests).
  size_t active_connections() const;

private:
  struct pool;
  std::shared_ptr<pool> pool_;
};

} // namespace loong::net
