// Plain-TCP HTTP client connections; the Beast instantiation for tcp_stream.

#include "net/detail/http_conn_impl.hpp"

namespace loong::net::detail {

namespace {

struct plain_policy {
  using stream_type = beast::tcp_stream;

  static stream_type make_stream(const strand_type& strand, io_runtime&) {
    return stream_type{strand};
  }

  template <class Handler>
  static void handshake(stream_type&, const std::string&, Handler&& h) {
    h(error_code{});
  }

  static bool is_truncation(const error_code&) {
    return false;
  }
};

} // namespace

std::shared_ptr<http_conn> make_plain_http_conn(io_runtime& io,
                                                const url_parts& u) {
  return std::make_shared<http_conn_impl<plain_policy>>(io, u);
}

} // namespace loong::net::detail
