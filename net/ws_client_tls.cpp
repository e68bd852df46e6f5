// WebSocket client sessions over TLS (wss://).

#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/detail/ws_client_factory.hpp"
#include "net/detail/tls_client.hpp"
#include "net/detail/ws_client_impl.hpp"

namespace loong::net::detail {

namespace {

struct tls_ws_policy {
  using next_layer = beast::ssl_stream<beast::tcp_stream>;

  static websocket::stream<next_layer> make_stream(const strand_type& strand,
                                                   io_runtime& io) {
    return websocket::stream<next_layer>{strand, io.tls_client_context()};
  }

  template <class Handler>
  static void handshake(next_layer& s, const std::string& host, Handler&& h) {
    prepare_client_tls(s, host);
    s.async_handshake(asio::ssl::stream_base::client,
                      std::forward<Handler>(h));
  }
};

} // namespace

std::shared_ptr<ws_client> make_tls_ws_client(io_runtime& io, url_parts u,
                                              ws_client_options opts,
                                              ws_client_events events) {
  return start_ws_client<tls_ws_policy>(io, std::move(u), std::move(opts),
                                        std::move(events));
}

} // namespace loong::net::detail
