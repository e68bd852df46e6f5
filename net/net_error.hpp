#pragma once

#include <cstdint>
#include <string>

namespace loong::net {

/// Coarse failure classes of network operations; callers branch on these.
enum class net_errc : uint8_t {
  /// Not an error.
  none,
  /// The URL could not be parsed or has an unsupported scheme.
  invalid_url,
  /// The host name did not resolve.
  resolve_failed,
  /// The TCP connection could not be established.
  connect_failed,
  /// The TLS handshake or certificate verification failed.
  tls_failed,
  /// A deadline passed (connect, total, idle gap, handshake).
  timeout,
  /// Reading or writing the socket failed, or the peer hung up early.
  io_error,
  /// The response or message exceeds the configured limit.
  too_large,
  /// The peer sent bytes that violate HTTP or WebSocket.
  protocol_error,
  /// The connection was closed in an orderly way.
  closed,
  /// The caller cancelled the operation, or its owner went away.
  cancelled,
  /// The WebSocket upgrade was answered with something other than 101.
  handshake_rejected,
  /// Too many queued requests; the caller should back off.
  overloaded,
};

/// Returns the enumerator's name, e.g. "connect_failed".
const char* to_string(net_errc x);

/// A failure code plus the step and system message that produced it.
struct net_error {
  /// The failure class; `none` means success.
  net_errc code = net_errc::none;
  /// Step and cause, e.g. "connect 127.0.0.1:9: Connection refused".
  std::string detail;
  /// True when this holds an error.
  explicit operator bool() const { return code != net_errc::none; }
};

/// Renders `x` as "code: detail" (or just "code" without detail).
std::string to_string(const net_error& x);

} // namespace loong::net
