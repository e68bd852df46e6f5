// WebSocket client sessions over plain TCP.

#include "net/detail/ws_client_factory.hpp"
#include "net/detail/ws_client_impl.hpp"

namespace loong::net::detail {

namespace {

struct plain_ws_policy {
  using next_layer = beast::tcp_stream;

  static websocket::stream<next_layer> make_stream(const strand_type& strand,
                                                   io_runtime&) {
    return websocket::stream<next_layer>{strand};
  }

  template <class Handler>
  static void handshake(next_layer&, const std::string&, Handler&& h) {
    h(error_code{});
  }
};

} // namespace

std::shared_ptr<ws_client> make_plain_ws_client(io_runtime& io, url_parts u,
                                                ws_client_options opts,
                                                ws_client_events events) {
  return start_ws_client<plain_ws_policy>(io, std::move(u), std::move(opts),
                                          std::move(events));
}

} // namespace loong::net::detail
