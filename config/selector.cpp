#include "config/selector.hpp"

#include <algorithm>
#include <cctype>

#include "messages/errors.hpp"

namespace loong::config {

namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string{s.substr(b, e - b + 1)};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Gateway-supervised channels of the catalog (contract §7); only feishu is
// compiled into this build.
const std::vector<std::string> supervised
  = {"feishu", "matrix", "qqbot", "telegram", "wecom", "whatsapp"};

// Catalog channels that exist but are never gateway-supervised.
const std::vector<std::string> not_supervised
  = {"line", "webhook", "discord", "slack", "dingtalk", "email", "teams",
     "google-chat", "mattermost", "nextcloud-talk", "synology-chat", "signal",
     "irc", "imessage", "nostr", "tlon", "twitch"};

caf::error bad(const std::string& msg) {
  return caf::make_error(ec::invalid_argument, "--channel-account " + msg);
}

} // namespace

std::vector<std::string> compiled_runtime_channels() {
  return {"feishu"};
}

caf::expected<channel_selector> parse_selector(std::string_view text) {
  auto v = trim(text);
  if (v.empty())
    return bad("value is empty; expected CHANNEL=ACCOUNT, e.g. lark=work");
  auto eq = v.find('=');
  if (eq == std::string::npos)
    return bad("\"" + v + "\" must use the CHANNEL=ACCOUNT syntax, e.g. "
               "lark=work");
  channel_selector out;
  out.channel_as_written = trim(v.substr(0, eq));
  out.account = trim(v.substr(eq + 1));
  if (out.channel_as_written.empty())
    return bad("\"" + v + "\" is missing the channel id before '='");
  if (out.account.empty())
    return bad("\"" + v + "\" is missing the account id after '='");
  auto id = lower(out.channel_as_written);
  if (id == "lark")
    id = "feishu";
  auto compiled = compiled_runtime_channels();
  std::string expected;
  for (auto& c : compiled)
    expected += (expected.empty() ? "" : ", ") + c;
  expected += " (alias lark)";
  if (std::find(compiled.begin(), compiled.end(), id) != compiled.end()) {
    out.channel = id;
    return out;
  }
  if (std::find(supervised.begin(), supervised.end(), id) != supervised.end())
    return bad("\"" + v + "\" resolves to " + id
               + ", which is not compiled into this build; expected one of: "
               + expected);
  if (std::find(not_supervised.begin(), not_supervised.end(), id)
      != not_supervised.end())
    return bad("\"" + v + "\" resolves to " + id
               + ", which is not a gateway-supervised channel; expected one "
                 "of: "
               + expected);
  return bad("\"" + v + "\" names an unrecognized channel \""
             + out.channel_as_written + "\"; available runtime channels: "
             + expected);
}

} // namespace loong::config
