// HTTPS server sessions and the server TLS context; the Beast instantiation
// for ssl_stream.

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/detail/http_session_impl.hpp"

namespace loong::net::detail {

namespace ssl = boost::asio::ssl;

namespace {

struct tls_server_policy {
  using stream_type = beast::ssl_stream<beast::tcp_stream>;

  static stream_type make_stream(tcp::socket&& s, server_core& core) {
    return stream_type{std::move(s), *core.tls};
  }

  template <class Handler>
  static void handshake(stream_type& s, Handler&& h) {
    s.async_handshake(ssl::stream_base::server, std::forward<Handler>(h));
  }

  template <class Handler>
  static void shutdown(stream_type& s, Handler&& h) {
    s.async_shutdown(
      [h = std::forward<Handler>(h)](error_code) mutable { h(); });
  }

  static void start_ws(std::shared_ptr<server_core> core, uint64_t id,
                       stream_type&& s, upgrade_request&& req,
                       ws_accept&& accept) {
    start_tls_ws_session(std::move(core), id, std::move(s), std::move(req),
                         std::move(accept));
  }
};

} // namespace

void start_tls_session(std::shared_ptr<server_core> core, tcp::socket&& s) {
  start_http_session<tls_server_policy>(std::move(core), std::move(s));
}

std::shared_ptr<ssl::context> make_server_tls_context(
  const std::string& cert_pem, const std::string& key_pem, net_error* err) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                     | ssl::context::no_sslv3 | ssl::context::no_tlsv1
                     | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                   ec);
  ctx->use_certificate_chain(asio::buffer(cert_pem.data(), cert_pem.size()),
                             ec);
  if (ec) {
    if (err)
      *err = make_error(net_errc::tls_failed, "load TLS certificate", ec);
    return nullptr;
  }
  ctx->use_private_key(asio::buffer(key_pem.data(), key_pem.size()),
                       ssl::context::pem, ec);
  if (ec) {
    if (err)
      *err = make_error(net_errc::tls_failed, "load TLS private key", ec);
    return nullptr;
  }
  return ctx;
}

} // namespace loong::net::detail
