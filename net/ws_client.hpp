#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "net/http_types.hpp"
#include "net/net_error.hpp"

namespace loong::net {

class io_runtime;

/// Limits and extra handshake fields of a WebSocket client.
struct ws_client_options {
  /// Deadline for connect + TLS + upgrade.
  std::chrono::milliseconds handshake_timeout{15000};
  /// Larger incoming messages close the session with too_large.
  size_t max_message_bytes = 16u << 20;
  /// Extra fields of the upgrade request.
  header_list extra_headers;
};

/// Callbacks of a WebSocket client; all run on an I/O thread.
struct ws_client_events {
  /// Runs once the upgrade succeeded.
  std::function<void()> on_open;
  /// Runs for each complete message.
  std::function<void(std::string data, bool binary)> on_message;
  /// Runs exactly once. For a refused upgrade: handshake_rejected and the
  /// non-101 response (status, headers such as Handshake-Status, body).
  std::function<void(net_error, http_response handshake_response)> on_close;
};

/// A WebSocket client session. Thread-safe: methods post to its strand.
class ws_client {
public:
  /// Connects to a ws:// or wss:// URL (wss: SNI + peer verification). The
  /// session keeps itself alive until it ends; failures go to on_close.
  static std::shared_ptr<ws_client> connect(io_runtime& io, std::string url,
                                            ws_client_options opts,
                                            ws_client_events events);
  virtual ~ws_client() = default;
  /// Queues a message; one write is in flight at a time.
  virtual void send(std::string data, bool binary = true) = 0;
  /// Sends a close frame after the queued messages; on_close(closed).
  virtual void close() = 0;
  /// Ends the session at once; on_close(cancelled).
  virtual void abort() = 0;
};

} // namespace loong::net
