#include "net/net_error.hpp"

namespace loong::net {

const char* to_string(net_errc x) {
  switch (x) {
    case net_errc::none: return "none";
    case net_errc::invalid_url: return "invalid_url";
    case net_errc::resolve_failed: return "resolve_failed";
    case net_errc::connect_failed: return "connect_failed";
    case net_errc::tls_failed: return "tls_failed";
    case net_errc::timeout: return "timeout";
    case net_errc::io_error: return "io_error";
    case net_errc::too_large: return "too_large";
    case net_errc::protocol_error: return "protocol_error";
    case net_errc::closed: return "closed";
    case net_errc::cancelled: return "cancelled";
    case net_errc::handshake_rejected: return "handshake_rejected";
    case net_errc::overloaded: return "overloaded";
  }
  return "unknown";
}

std::string to_string(const net_error& x) {
  std::string out = to_string(x.code);
  if (!x.detail.empty()) {
    out += ": ";
    out += x.detail;
  }
  return out;
}

} // namespace loong::net
