// Plain-TCP HTTP server sessions; the Beast instantiation for tcp_stream.

#include "net/detail/http_session_impl.hpp"

namespace loong::net::detail {

namespace {

struct plain_server_policy {
  using stream_type = beast::tcp_stream;

  static stream_type make_stream(tcp::socket&& s, server_core&) {
    return stream_type{std::move(s)};
  }

  template <class Handler>
  static void handshake(stream_type&, Handler&& h) {
    h(error_code{});
  }

  template <class Handler>
  static void shutdown(stream_type& s, Handler&& h) {
    error_code ignored;
    s.socket().shutdown(tcp::socket::shutdown_send, ignored);
    h();
  }

  static void start_ws(std::shared_ptr<server_core> core, uint64_t id,
                       stream_type&& s, upgrade_request&& req,
                       ws_accept&& accept) {
    start_plain_ws_session(std::move(core), id, std::move(s), std::move(req),
                           std::move(accept));
  }
};

} // namespace

void start_plain_session(std::shared_ptr<server_core> core, tcp::socket&& s) {
  start_http_session<plain_server_policy>(std::move(core), std::move(s));
}

} // namespace loong::net::detail
