#pragma once

// Internal: included only by net/*.cpp that already use Beast.

#include <string>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include "net/net_error.hpp"

namespace loong::net::detail {

/// Builds a net_error whose detail reads "<step>: <ec.message()>".
inline net_error make_error(net_errc code, const std::string& step,
                            const boost::system::error_code& ec) {
  return {code, step + ": " + ec.message()};
}

/// An error from a connection step (resolve, connect, TLS, handshake):
/// timeouts and cancellation keep their own codes, the rest is `fallback`.
inline net_error step_error(const boost::system::error_code& ec,
                            net_errc fallback, const std::string& step) {
  if (ec == boost::beast::error::timeout)
    return {net_errc::timeout, step + ": timed out"};
  if (ec == boost::asio::error::operation_aborted)
    return make_error(net_errc::cancelled, step, ec);
  return make_error(fallback, step, ec);
}

/// Classifies an error from reading or writing an established connection.
inline net_errc classify_io(const boost::system::error_code& ec) {
  namespace http = boost::beast::http;
  namespace websocket = boost::beast::websocket;
  if (ec == boost::beast::error::timeout)
    return net_errc::timeout;
  if (ec == boost::asio::error::operation_aborted)
    return net_errc::cancelled;
  if (ec == http::error::body_limit || ec == http::error::header_limit
      || ec == http::error::buffer_overflow
      || ec == websocket::error::message_too_big
      || ec == websocket::error::buffer_overflow)
    return net_errc::too_large;
  if (ec == websocket::error::closed)
    return net_errc::closed;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message)
    return net_errc::io_error;
  if (ec.category() == http::make_error_code(http::error::bad_target).category()
      || ec == websocket::condition::protocol_violation
      || ec == websocket::condition::handshake_failed)
    return net_errc::protocol_error;
  return net_errc::io_error;
}

} // namespace loong::net::detail
