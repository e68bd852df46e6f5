#pragma once

// Internal: included only by net/*.cpp. The non-template seam between the
// pool (http_client.cpp) and the Beast connection TUs.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "net/http_client.hpp"
#include "net/http_types.hpp"
#include "net/net_error.hpp"
#include "net/url.hpp"

namespace loong::net::detail {

using clock = std::chrono::steady_clock;

/// What a connection reports after one exchange.
struct exchange_result {
  /// The failure, if any.
  net_error err;
  /// The response; status 0 when none arrived.
  http_response resp;
  /// A complete keep-alive response: the connection may serve another.
  bool reusable = false;
  /// A reused connection failed before any response byte (retry once).
  bool stale = false;
};

/// One request/response exchange handed to a connection.
struct http_exchange {
  /// The request method.
  std::string method;
  /// Path plus query.
  std::string target;
  /// Request fields including Host and User-Agent.
  header_list headers;
  /// The request body.
  std::string body;
  /// Total deadline of the call.
  clock::time_point deadline;
  /// Deadline for resolve + connect + TLS when the connection is new.
  std::chrono::milliseconds connect_timeout{0};
  /// Maximum gap between body reads; 0 = only the deadline.
  std::chrono::milliseconds read_idle_timeout{0};
  /// Header plus body limit.
  size_t max_response_bytes = 0;
  /// Gets 2xx body bytes as they arrive when set.
  body_chunk_callback on_chunk;
  /// Runs once on the connection's strand when the exchange ended.
  std::function<void(exchange_result)> on_done;
  /// Set by the call before abort(), so a run() still queued behind the
  /// abort fails at once instead of starting.
  std::atomic<bool> aborted{false};
};

/// A client connection to one origin; lives on its own strand.
class http_conn {
public:
  virtual ~http_conn() = default;
  /// Starts `ex`, connecting first if needed. One exchange at a time.
  virtual void run(std::shared_ptr<http_exchange> ex) = 0;
  /// Closes the socket if `ex` is the running exchange, or always when
  /// `ex` is null; a running exchange then fails.
  virtual void abort(const http_exchange* ex) = 0;
};

/// A plain TCP connection (http_conn_plain.cpp).
std::shared_ptr<http_conn> make_plain_http_conn(io_runtime& io,
                                                const url_parts& u);

/// A TLS connection with SNI and peer verification (http_conn_tls.cpp).
std::shared_ptr<http_conn> make_tls_http_conn(io_runtime& io,
                                              const url_parts& u);

} // namespace loong::net::detail
