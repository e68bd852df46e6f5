#include "net/url.hpp"

#include <cctype>

namespace loong::net {

namespace {

uint16_t default_port(std::string_view scheme) {
  return (scheme == "https" || scheme == "wss") ? 443 : 80;
}

bool valid_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'
         || c == '_';
}

bool valid_target_char(char c) {
  // Printable ASCII only: spaces or control bytes would corrupt the
  // request line.
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f;
}

std::optional<uint16_t> parse_port(std::string_view x) {
  if (x.empty() || x.size() > 5)
    return std::nullopt;
  uint32_t n = 0;
  for (char c : x) {
    if (c < '0' || c > '9')
      return std::nullopt;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  if (n == 0 || n > 65535)
    return std::nullopt;
  return static_cast<uint16_t>(n);
}

} // namespace

bool url_parts::tls() const {
  return scheme == "https" || scheme == "wss";
}

std::string url_parts::host_field() const {
  auto h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port == default_port(scheme))
    return h;
  return h + ":" + std::to_string(port);
}

std::string url_parts::origin() const {
  return scheme + "://" + host + ":" + std::to_string(port);
}

std::optional<url_parts> parse_url(std::string_view url) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0)
    return std::nullopt;
  url_parts out;
  for (char c : url.substr(0, sep))
    out.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.scheme != "http" && out.scheme != "https" && out.scheme != "ws"
      && out.scheme != "wss")
    return std::nullopt;
  auto rest = url.substr(sep + 3);
  auto authority_end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, authority_end);
  auto tail = authority_end == std::string_view::npos
                ? std::string_view{}
                : rest.substr(authority_end);
  // Credentials in URLs would end up in logs and error strings.
  if (authority.find('@') != std::string_view::npos)
    return std::nullopt;
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return std::nullopt;
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return std::nullopt;
      port = after.substr(1);
      if (port.empty())
        return std::nullopt;
    }
    for (char c : host)
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
        return std::nullopt;
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty())
        return std::nullopt;
    }
    for (char c : host)
      if (!valid_host_char(c))
        return std::nullopt;
  }
  if (host.empty())
    return std::nullopt;
  out.host = std::string{host};
  for (auto& c : out.host)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (port.empty()) {
    out.port = default_port(out.scheme);
  } else if (auto p = parse_port(port)) {
    out.port = *p;
  } else {
    return std::nullopt;
  }
  auto target = tail.substr(0, tail.find('#'));
  for (char c : target)
    if (!valid_target_char(c))
      return std::nullopt;
  if (target.empty() || target.front() != '/')
    out.target = "/" + std::string{target};
  else
    out.target = std::string{target};
  return out;
}

} // namespace loong::net
