// ws_client::connect: URL checks and the choice of plain or TLS session.
// No Beast here.

#include "net/ws_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "net/detail/ws_client_factory.hpp"
#include "net/io_runtime.hpp"
#include "net/url.hpp"

namespace loong::net {

namespace {

/// Stands in for a session that could not start; on_close is posted.
class failed_ws_client final : public ws_client {
public:
  void send(std::string, bool) override {
  }
  void close() override {
  }
  void abort() override {
  }
};

} // namespace

std::shared_ptr<ws_client> ws_client::connect(io_runtime& io, std::string url,
                                              ws_client_options opts,
                                              ws_client_events events) {
  auto u = parse_url(url);
  if (u && u->scheme == "ws")
    return detail::make_plain_ws_client(io, std::move(*u), std::move(opts),
                                        std::move(events));
  if (u && u->scheme == "wss")
    return detail::make_tls_ws_client(io, std::move(*u), std::move(opts),
                                      std::move(events));
  // The URL stays out of the message: its query may carry a ticket.
  boost::asio::post(io.context(), [on_close = std::move(events.on_close)] {
    if (on_close)
      on_close({net_errc::invalid_url, "invalid or non-WebSocket URL"}, {});
  });
  return std::make_shared<failed_ws_client>();
}

} // namespace loong::net
