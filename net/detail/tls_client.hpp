#pragma once

// Internal: client-side TLS setup shared by the HTTPS and wss:// TUs.

#include <string>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

namespace loong::net::detail {

/// Sets SNI (host names only, RFC 6066 §3: never IP literals) and checks
/// the peer certificate against `host` during the handshake.
template <class SslStream>
void prepare_client_tls(SslStream& s, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec)
    SSL_set_tlsext_host_name(s.native_handle(), host.c_str());
  s.set_verify_callback(boost::asio::ssl::host_name_verification(host));
}

} // namespace loong::net::detail
