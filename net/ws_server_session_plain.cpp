// Server-side WebSocket sessions over plain TCP.

#include "net/detail/ws_session_impl.hpp"

namespace loong::net::detail {

void start_plain_ws_session(std::shared_ptr<server_core> core, uint64_t id,
                            boost::beast::tcp_stream&& stream,
                            upgrade_request&& req, ws_accept&& accept) {
  start_ws_server_session(std::move(core), id, std::move(stream),
                          std::move(req), std::move(accept));
}

} // namespace loong::net::detail
