#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loong::net {

/// An absolute URL split into the parts a connection needs.
struct url_parts {
  /// Lower-case scheme: http, https, ws or wss.
  std::string scheme;
  /// Host name or IPv4 literal, without brackets or port.
  std::string host;
  /// The explicit port, or the scheme's default.
  uint16_t port = 0;
  /// Path plus query, "/" if the URL has none; the fragment is dropped.
  std::string target;
  /// True for https and wss.
  bool tls() const;
  /// "host" for default ports, else "host:port"; the value of a Host field.
  std::string host_field() const;
  /// "scheme://host:port", the key of a connection pool.
  std::string origin() const;
};

/// Parses an http/https/ws/wss URL; nullopt when malformed or unsupported.
std::optional<url_parts> parse_url(std::string_view url);

} // namespace loong::net
