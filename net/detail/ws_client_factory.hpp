#pragma once

// Internal: included only by net/*.cpp. The seam between ws_client::connect
// and the per-stream WebSocket client TUs.

#include <memory>

#include "net/url.hpp"
#include "net/ws_client.hpp"

namespace loong::net::detail {

/// A started ws:// session (ws_client_plain.cpp).
std::shared_ptr<ws_client> make_plain_ws_client(io_runtime& io, url_parts u,
                                                ws_client_options opts,
                                                ws_client_events events);

/// A started wss:// session with SNI and verification (ws_client_tls.cpp).
std::shared_ptr<ws_client> make_tls_ws_client(io_runtime& io, url_parts u,
                                              ws_client_options opts,
                                              ws_client_events events);

} // namespace loong::net::detail
