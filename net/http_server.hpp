#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/http_types.hpp"
#include "net/net_error.hpp"

namespace loong::net {

class io_runtime;

/// A complete request as the server read it.
struct server_request {
  /// The method, e.g. "POST".
  std::string method;
  /// The request target: path plus query.
  std::string target;
  /// Request fields in wire order.
  header_list headers;
  /// The complete body.
  std::string body;
  /// The peer's IP address.
  std::string remote_address;
};

/// The answer to one request.
struct server_response {
  /// The status code.
  unsigned status = 200;
  /// Extra response fields.
  header_list headers;
  /// The body.
  std::string body;
  /// Content-Type unless `headers` already has one; empty = none.
  std::string content_type = "application/json";
  /// Close the connection after this response.
  bool close = false;
  /// Write nothing and close the connection at once: a peer that hangs up
  /// on a request it read (test servers inject this fault).
  bool drop = false;
};

/// Answers a request: call exactly once, from any thread, any time later. If
/// the last copy dies uncalled the server answers 500; calls after the
/// connection died are ignored.
using respond_fn = std::function<void(server_response)>;

/// Handles one request; runs on an I/O thread and must not block.
using request_handler = std::function<void(server_request, respond_fn)>;

/// One accepted server-side WebSocket. Thread-safe: methods post to its strand.
class ws_session {
public:
  virtual ~ws_session() = default;
  /// Queues a message; one write is in flight at a time.
  virtual void send(std::string data, bool binary = true) = 0;
  /// Sends a close frame after the queued messages.
  virtual void close() = 0;
  /// Shuts the TCP socket down without a close frame.
  virtual void drop() = 0;
  /// A process-unique id.
  virtual uint64_t id() const = 0;
};

/// The upgrade handler's decision and the session callbacks.
struct ws_accept {
  /// False refuses the upgrade with `refusal`.
  bool accept = true;
  /// Sent when accept == false (e.g. 403 plus Handshake-* fields).
  server_response refusal;
  /// Runs once the handshake completed.
  std::function<void(std::shared_ptr<ws_session>)> on_open;
  /// Runs for each complete message.
  std::function<void(std::shared_ptr<ws_session>, std::string data,
                     bool binary)>
    on_message;
  /// Runs exactly once after on_open, when the session ended.
  std::function<void(std::shared_ptr<ws_session>, net_error)> on_close;
};

/// Decides on a WebSocket upgrade request; runs on an I/O thread.
using ws_upgrade_handler = std::function<ws_accept(const server_request&)>;

/// Listener settings and per-connection limits.
struct http_server_options {
  /// The IPv4 address to bind.
  std::string bind_host = "127.0.0.1";
  /// The port; 0 picks an ephemeral one.
  uint16_t port = 0;
  /// Larger bodies are answered 413 and the connection closed.
  size_t body_limit = 1u << 20;
  /// Slowloris guard: a request's headers must complete in this time.
  std::chrono::milliseconds header_timeout{10000};
  /// A request's body must complete in this time after its headers.
  std::chrono::milliseconds body_timeout{30000};
  /// An idle keep-alive connection is closed after this.
  std::chrono::milliseconds keep_alive_timeout{60000};
  /// Connections beyond this are accepted and closed at once.
  size_t max_connections = 1024;
  /// Certificate chain PEM; with tls_key_pem it makes the server HTTPS.
  std::string tls_cert_pem;
  /// Private key PEM for tls_cert_pem.
  std::string tls_key_pem;
};

/// HTTP/1.1 server with keep-alive and WebSocket upgrades on the same port.
class http_server {
public:
  /// Binds and starts accepting; nullptr and *err on failure (e.g. address
  /// in use, bad certificate). Upgrade requests go to `on_upgrade`, or get
  /// 404 without one.
  static std::shared_ptr<http_server>
  start(io_runtime& io, http_server_options opts, request_handler on_request,
        ws_upgrade_handler on_upgrade = {}, net_error* err = nullptr);
  virtual ~http_server() = default;
  /// The bound port.
  virtual uint16_t port() const = 0;
  /// "http://<bind_host>:<port>" ("https://" with TLS).
  virtual std::string url() const = 0;
  /// Closes the acceptor and all connections; idempotent.
  virtual void stop() = 0;
  /// Open connections, HTTP and WebSocket.
  virtual size_t active_connections() const = 0;
  /// Connections accepted since start (tests: keep-alive reuse).
  virtual size_t accepted_connections() const = 0;
};

} // namespace loong::net
