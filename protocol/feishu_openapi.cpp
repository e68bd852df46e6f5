#include "protocol/feishu_openapi.hpp"

#include <algorithm>

#include <cctype>

#include <caf/atom.hpp>

#include "messages/errors.hpp"
#include "protocol/feishu_json.hpp"

namespace loong::feishu {

namespace {

std::string finish(rapidjson::StringBuffer& buf) {
  return {buf.GetString(), buf.GetSize()};
}

std::string percent_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0x0f]);
    }
  }
  return out;
}

std::string http(unsigned status) {
  return "(HTTP " + std::to_string(status) + ")";
}

// Platform messages are not secret, but bound them and keep them UTF-8.
std::string short_msg(std::string_view msg) {
  constexpr size_t max = 200;
  if (msg.size() <= max)
    return json::sanitize_utf8(msg);
  return json::sanitize_utf8(msg.substr(0, max)) + "...";
}

bool is_token_code(int64_t code) {
  return code == 99991661 || code == 99991663 || code == 99991664
         || code == 99991668;
}

bool is_rate_code(int64_t code) {
  return code == 99991400 || code == 230020 || code == 11232;
}

bool is_permission_code(int64_t code) {
  return code == 99991672 || code == 230027 || code == 230035;
}

// Classifies by body code first, HTTP status second (spec §2).
caf::error classify(unsigned status, int64_t code, std::string_view msg) {
  auto ctx = "code " + std::to_string(code) + ": " + short_msg(msg) + " "
             + http(status);
  if (is_token_code(code))
    return caf::make_error(ec::token_invalid, std::move(ctx));
  if (is_rate_code(code))
    return caf::make_error(ec::rate_limited, std::move(ctx));
  if (is_permission_code(code))
    return caf::make_error(ec::permission_denied, std::move(ctx));
  if (code == 230034) // receive_id invalid
    return caf::make_error(ec::not_found, std::move(ctx));
  if (status == 429)
    return caf::make_error(ec::rate_limited, std::move(ctx));
  if (status >= 500)
    return caf::make_error(ec::server_error, std::move(ctx));
  return caf::make_error(ec::platform_error, std::move(ctx));
}

// A body without a JSON envelope: only the HTTP status tells us anything.
caf::error classify_opaque(unsigned status, const char* what) {
  auto ctx = std::string{what} + " " + http(status);
  if (status == 429)
    return caf::make_error(ec::rate_limited, std::move(ctx));
  if (status >= 500)
    return caf::make_error(ec::server_error, std::move(ctx));
  return caf::make_error(ec::malformed_response, std::move(ctx));
}

// Parses the {"code","msg",...} envelope; an error when there is none.
caf::error envelope(unsigned status, std::string_view body,
                    rapidjson::Document& doc, int64_t& code) {
  if (!json::parse(doc, body) || !doc.IsObject())
    return classify_opaque(status, "body is not a JSON object");
  auto c = json::int64(doc, "code");
  if (!c)
    return classify_opaque(status, "body lacks an integer code");
  code = *c;
  return {};
}

// The envelope of an answer whose business code must be 0.
caf::error successful_envelope(unsigned http_status, std::string_view body,
                               rapidjson::Document& doc) {
  int64_t code = 0;
  if (auto err = envelope(http_status, body, doc, code))
    return err;
  if (code != 0)
    return classify(http_status, code, json::string_or_empty(doc, "msg"));
  return caf::none;
}

} // namespace

std::string join_url(std::string_view base_url, std::string_view path) {
  while (!base_url.empty() && base_url.back() == '/')
    base_url.remove_suffix(1);
  std::string out{base_url};
  if (path.empty() || path.front() != '/')
    out.push_back('/');
  out.append(path.data(), path.size());
  return out;
}

std::string default_base_url(std::string_view domain) {
  std::string lower;
  for (unsigned char c : domain)
    lower.push_back(static_cast<char>(std::tolower(c)));
  if (lower == "feishu")
    return "https://open.feishu.cn";
  if (lower == "lark")
    return "https://open.larksuite.com";
  if (lower.rfind("http://", 0) == 0 || lower.rfind("https://", 0) == 0) {
    while (!domain.empty() && domain.back() == '/')
      domain.remove_suffix(1);
    return std::string{domain};
  }
  return {};
}

std::string token_request_body(const std::string& app_id,
                               const std::string& app_secret) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key("app_id");
  json::put_string(w, app_id);
  w.Key("app_secret");
  json::put_string(w, app_secret);
  w.EndObject();
  return finish(buf);
}

caf::expected<tenant_token> parse_token_response(unsigned http_status,
                                                 std::string_view body) {
  rapidjson::Document doc;
  int64_t code = 0;
  if (auto err = envelope(http_status, body, doc, code))
    return err;
  auto msg = json::string_or_empty(doc, "msg");
  if (code != 0) {
    if (code == 10003 || code == 10014) // bad app_id / app_secret
      return caf::make_error(ec::auth_failed, "code " + std::to_string(code)
                                                + ": " + short_msg(msg) + " "
                                                + http(http_status));
    return classify(http_status, code, msg);
  }
  tenant_token out;
  out.token = json::string_or_empty(doc, "tenant_access_token");
  if (out.token.empty())
    return caf::make_error(ec::malformed_response,
                           "token response lacks tenant_access_token "
                             + http(http_status));
  auto expire = json::int64(doc, "expire");
  out.expire_s = expire && *expire > 0 ? *expire : 1800;
  return out;
}

std::string text_content(std::string_view text) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key("text");
  json::put_string(w, text);
  w.EndObject();
  return finish(buf);
}

std::string markdown_card_content(std::string_view markdown) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key("schema");
  w.String("2.0");
  w.Key("config");
  w.StartObject();
  w.Key("wide_screen_mode");
  w.Bool(true);
  w.EndObject();
  w.Key("body");
  w.StartObject();
  w.Key("elements");
  w.StartArray();
  w.StartObject();
  w.Key("tag");
  w.String("markdown");
  w.Key("content");
  json::put_string(w, markdown);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return finish(buf);
}

std::string send_path(std::string_view receive_id_type) {
  return "/open-apis/im/v1/messages?receive_id_type="
         + percent_encode(receive_id_type);
}

std::string reply_path(std::string_view message_id) {
  return "/open-apis/im/v1/messages/" + percent_encode(message_id) + "/reply";
}

std::string reaction_path(std::string_view message_id) {
  return "/open-apis/im/v1/messages/" + percent_encode(message_id) + "/reactions";
}

std::string reaction_body(std::string_view emoji_type) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key("reaction_type");
  w.StartObject();
  w.Key("emoji_type");
  json::put_string(w, emoji_type);
  w.EndObject();
  w.EndObject();
  return finish(buf);
}

std::string ack_reaction_emoji(double unit) {
  static const char* const emojis[] = {"HappyDragon", "OneSecond", "OK", "APPLAUSE",
                                       "GoGoGo", "DONE", "CheckMark"};
  constexpr size_t n = sizeof(emojis) / sizeof(emojis[0]);
  auto i = static_cast<size_t>(std::clamp(unit, 0.0, 0.999999) * static_cast<double>(n));
  return emojis[std::min(i, n - 1)];
}

caf::error check_reaction_response(unsigned http_status, std::string_view body) {
  rapidjson::Document doc;
  return successful_envelope(http_status, body, doc);
}

std::string send_body(const outbound_message& m) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key("receive_id");
  json::put_string(w, m.receive_id);
  w.Key("msg_type");
  json::put_string(w, m.msg_type);
  w.Key("content");
  json::put_string(w, m.content);
  if (!m.uuid.empty()) {
    w.Key("uuid");
    json::put_string(w, m.uuid);
  }
  w.EndObject();
  return finish(buf);
}

std::string reply_body(const outbound_message& m) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key("msg_type");
  json::put_string(w, m.msg_type);
  w.Key("content");
  json::put_string(w, m.content);
  w.Key("reply_in_thread");
  w.Bool(m.reply_in_thread);
  if (!m.uuid.empty()) {
    w.Key("uuid");
    json::put_string(w, m.uuid);
  }
  w.EndObject();
  return finish(buf);
}

caf::expected<send_receipt> parse_send_response(unsigned http_status,
                                                std::string_view body) {
  rapidjson::Document doc;
  if (auto err = successful_envelope(http_status, body, doc))
    return err;
  auto* data = json::object(doc, "data");
  send_receipt out;
  if (data != nullptr) {
    out.message_id = json::string_or_empty(*data, "message_id");
    out.chat_id = json::string_or_empty(*data, "chat_id");
  }
  if (out.message_id.empty())
    return caf::make_error(ec::malformed_response,
                           "send response lacks data.message_id "
                             + http(http_status));
  return out;
}

bool is_retryable(const caf::error& err) {
  if (!err || err.category() != caf::atom("loong"))
    return false;
  switch (static_cast<ec>(err.code())) {
    case ec::rate_limited:
    case ec::server_error:
    case ec::timeout:
    case ec::transport_failed:
      return true;
    default:
      return false;
  }
}

caf::expected<bot_info> parse_bot_info(unsigned http_status,
                                       std::string_view body) {
  rapidjson::Document doc;
  int64_t code = 0;
  if (auto err = envelope(http_status, body, doc, code))
    return err;
  if (code != 0)
    return classify(http_status, code, json::string_or_empty(doc, "msg"));
  bot_info out;
  if (auto* bot = json::object(doc, "bot")) {
    out.open_id = json::string_or_empty(*bot, "open_id");
    out.app_name = json::string_or_empty(*bot, "app_name");
  }
  if (out.open_id.empty())
    return caf::make_error(ec::malformed_response,
                           "bot info lacks bot.open_id " + http(http_status));
  return out;
}

} // namespace loong::feishu
