#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loong::net {

/// HTTP header fields in wire order; names keep the caller's spelling.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// Returns the value of the first field named `name` (case-insensitive), or "".
std::string find_header(const header_list& xs, std::string_view name);

/// True when `a` and `b` are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);

/// One outgoing HTTP request and its limits.
struct http_request {
  /// The request method, e.g. "GET" or "POST".
  std::string method = "GET";
  /// Absolute http:// or https:// URL (ws/wss only for ws_client).
  std::string url;
  /// Extra fields; Host, Content-Length and User-Agent are added if absent.
  header_list headers;
  /// The request body.
  std::string body;
  /// Total deadline including queueing, connect, TLS, headers and body.
  std::chrono::milliseconds timeout{30000};
  /// Deadline for resolve + TCP connect + TLS handshake.
  std::chrono::milliseconds connect_timeout{10000};
  /// Streamed bodies: maximum gap between chunks (0 = only `timeout`).
  std::chrono::milliseconds read_idle_timeout{0};
  /// Limit for response header plus body; beyond it the call fails too_large.
  size_t max_response_bytes = 8u << 20;
};

/// A received HTTP response.
struct http_response {
  /// The status code, e.g. 200.
  unsigned status = 0;
  /// Response fields in wire order.
  header_list headers;
  /// The body; empty when it was streamed to a chunk callback.
  std::string body;
};

} // namespace loong::net
