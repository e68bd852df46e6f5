// TLS HTTP client connections; the Beast instantiation for ssl_stream.

#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/detail/http_conn_impl.hpp"
#include "net/detail/tls_client.hpp"

namespace loong::net::detail {

namespace {

struct tls_policy {
  using stream_type = beast::ssl_stream<beast::tcp_stream>;

  static stream_type make_stream(const strand_type& strand, io_runtime& io) {
    return stream_type{strand, io.tls_client_context()};
  }

  template <class Handler>
  static void handshake(stream_type& s, const std::string& host, Handler&& h) {
    prepare_client_tls(s, host);
    s.async_handshake(asio::ssl::stream_base::client,
                      std::forward<Handler>(h));
  }

  static bool is_truncation(const error_code& ec) {
    return ec == asio::ssl::error::stream_truncated;
  }
};

} // namespace

std::shared_ptr<http_conn> make_tls_http_conn(io_runtime& io,
                                              const url_parts& u) {
  return std::make_shared<http_conn_impl<tls_policy>>(io, u);
}

} // namespace loong::net::detail
