// Endpoint discovery, ClientConfig, connection URL and handshake
// classification (spec §6.1, §6.2, §6.5, §6.9).
#include "protocol/feishu_frame.hpp"

#include <limits>

#include <caf/error.hpp>

#include "messages/errors.hpp"
#include "protocol/feishu_json.hpp"

namespace loong::feishu {

namespace {

void apply_config_object(client_config& cfg, const rapidjson::Value& doc) {
  constexpr int64_t day = 86400;
  if (auto v = json::int64(doc, "PingInterval"); v && *v > 0 && *v <= day)
    cfg.ping_interval_s = static_cast<int>(*v);
  if (auto v = json::int64(doc, "ReconnectCount");
      v && (*v == -1 || (*v > 0 && *v <= std::numeric_limits<int>::max())))
    cfg.reconnect_count = static_cast<int>(*v);
  if (auto v = json::int64(doc, "ReconnectInterval");
      v && *v > 0 && *v <= day)
    cfg.reconnect_interval_s = static_cast<int>(*v);
  // Nonce 0 is sensible: it means "no jitter" (mocks use it).
  if (auto v = json::int64(doc, "ReconnectNonce"); v && *v >= 0 && *v <= day)
    cfg.reconnect_nonce_s = static_cast<int>(*v);
}

} // namespace

void apply_client_config(client_config& cfg, std::string_view json_text) {
  rapidjson::Document doc;
  if (json::parse(doc, json_text) && doc.IsObject())
    apply_config_object(cfg, doc);
}

std::string client_config_json(const client_config& cfg) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key("PingInterval");
  w.Int(cfg.ping_interval_s);
  w.Key("ReconnectCount");
  w.Int(cfg.reconnect_count);
  w.Key("ReconnectInterval");
  w.Int(cfg.reconnect_interval_s);
  w.Key("ReconnectNonce");
  w.Int(cfg.reconnect_nonce_s);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string discovery_request_body(const std::string& app_id,
                                   const std::string& app_secret) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key("AppID");
  json::put_string(w, app_id);
  w.Key("AppSecret");
  json::put_string(w, app_secret);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

caf::expected<discovery_result>
parse_discovery_response(std::string_view body) {
  rapidjson::Document doc;
  if (!json::parse(doc, body) || !doc.IsObject())
    return caf::make_error(ec::malformed_response,
                           "discovery response is not a JSON object");
  auto code = json::int64(doc, "code");
  if (!code)
    return caf::make_error(ec::malformed_response,
                           "discovery response lacks an integer code");
  discovery_result out;
  out.code = *code;
  out.msg = json::string_or_empty(doc, "msg");
  if (out.code != 0)
    return out;
  auto* data = json::object(doc, "data");
  if (data == nullptr)
    return caf::make_error(ec::malformed_response,
                           "discovery response lacks data");
  out.url = json::string_or_empty(*data, "URL");
  if (out.url.empty())
    return caf::make_error(ec::malformed_response,
                           "discovery response lacks data.URL");
  if (auto* cc = json::object(*data, "ClientConfig"))
    apply_config_object(out.config, *cc);
  return out;
}

discovery_class classify_discovery(int64_t code) {
  switch (code) {
    case 0:
      return discovery_class::ok;
    case 1:          // system busy; the Node SDK wrongly stops (spec §9.2)
    case 1000040343: // internal error
      return discovery_class::retry;
    default:
      return discovery_class::fatal;
  }
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0
        && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16
                                      + hex_value(s[i + 2])));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string_view query_of(std::string_view url) {
  auto q = url.find('?');
  if (q == std::string_view::npos)
    return {};
  auto query = url.substr(q + 1);
  return query.substr(0, query.find('#'));
}

} // namespace

caf::expected<ws_url_info> parse_ws_url(std::string_view url) {
  ws_url_info out;
  bool have_service = false;
  auto query = query_of(url);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{}
                                          : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos)
      continue;
    auto key = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(pair.substr(eq + 1));
    if (key == "service_id" && !have_service) {
      auto v = json::parse_decimal(value);
      if (!v || *v <= 0 || *v > std::numeric_limits<int32_t>::max())
        return caf::make_error(ec::malformed_response,
                               "ws url has an invalid service_id");
      out.service_id = static_cast<int32_t>(*v);
      have_service = true;
    } else if (key == "device_id" && out.device_id.empty()) {
      out.device_id = value;
    }
  }
  // The URL carries a ticket: name the problem, never the URL.
  if (!have_service)
    return caf::make_error(ec::malformed_response,
                           "ws url lacks service_id");
  return out;
}

std::string redact_url(std::string_view url) {
  auto cut = url.find_first_of("?#");
  return std::string{url.substr(0, cut)};
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

} // namespace

handshake_class classify_handshake(std::string_view status,
                                   std::string_view autherrcode) {
  status = trim(status);
  autherrcode = trim(autherrcode);
  if (status == "403")
    return handshake_class::fatal; // app banned or disabled
  if (status == "514" && autherrcode == "1000040350")
    return handshake_class::fatal; // over the 50-connection limit
  return handshake_class::retry;
}

} // namespace loong::feishu
