#pragma once

// A minimal keep-alive HTTP/1.1 server whose answers can be streamed piece by
// piece (chunked transfer), paused forever or cut off. mock_ark needs that
// for SSE faults (stall after the first chunk, byte-by-byte delivery), which
// net::http_server's whole-body responses cannot express.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "bench/mock_util.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace loong::bench {

/// One parsed request.
struct raw_request {
  std::string method;
  std::string target;
  header_pairs headers;
  std::string body;
};

/// The answer channel of one request. Every member is thread-safe (it posts
/// to the connection's strand); calls after the answer ended are ignored.
class exchange {
public:
  virtual ~exchange() = default;
  /// Sends a complete response with Content-Length.
  virtual void respond(unsigned status, header_pairs headers, std::string body) = 0;
  /// Sends the status line and headers of a chunked response.
  virtual void begin_stream(unsigned status, header_pairs headers) = 0;
  /// Sends `data` as one HTTP chunk (ignored when empty).
  virtual void write(std::string data) = 0;
  /// Sends the terminating chunk; the connection then serves the next request.
  virtual void end_stream() = 0;
  /// Closes the TCP connection at once (a truncated answer).
  virtual void abort() = 0;
  /// Registers the callback run exactly once when the exchange is over:
  /// `completed` is true when the whole answer was written, false when it was
  /// aborted or the peer went away first. Runs at once if already over.
  virtual void on_done(std::function<void(bool completed)> fn) = 0;
  /// True once the exchange is over (see on_done).
  virtual bool finished() const = 0;
};

/// Called on an I/O thread for every request.
using exchange_handler = std::function<void(raw_request, std::shared_ptr<exchange>)>;

/// The listening server.
class stream_server {
public:
  /// Binds 127.0.0.1:`port` (0 = ephemeral); nullptr + `err` on failure.
  static std::shared_ptr<stream_server> start(boost::asio::io_context& io, uint16_t port,
                                              exchange_handler handler, std::string& err);
  virtual ~stream_server() = default;
  /// The bound port.
  virtual uint16_t port() const = 0;
  /// Closes the acceptor and every connection; idempotent.
  virtual void stop() = 0;
};

} // namespace loong::bench
