#pragma once

// Internal: included only by net/*.cpp. The seam between the HTTP session
// that read an upgrade request and the WebSocket session TUs.

#include <cstdint>
#include <memory>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/detail/server_core.hpp"

namespace loong::net::detail {

/// The upgrade request as the HTTP session read it.
using upgrade_request =
  boost::beast::http::request<boost::beast::http::string_body>;

/// Takes over a plain connection for WebSocket (ws_server_session_plain.cpp).
/// The session registers under `id`, replacing the HTTP session.
void start_plain_ws_session(std::shared_ptr<server_core> core, uint64_t id,
                            boost::beast::tcp_stream&& stream,
                            upgrade_request&& req, ws_accept&& accept);

/// Takes over a TLS connection for WebSocket (ws_server_session_tls.cpp).
void start_tls_ws_session(
  std::shared_ptr<server_core> core, uint64_t id,
  boost::beast::ssl_stream<boost::beast::tcp_stream>&& stream,
  upgrade_request&& req, ws_accept&& accept);

} // namespace loong::net::detail
