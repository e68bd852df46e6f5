#include "app/doctor_checks.hpp"

namespace loong::app {

namespace {

std::string join_messages(const std::vector<config::issue>& xs) {
  std::string out;
  for (auto& x : xs) {
    if (!out.empty())
      out += "; ";
    // Drop the "<key>: " prefix; the key is shown in the hint.
    auto colon = x.message.find(": ");
    out += colon == std::string::npos ? x.message : x.message.substr(colon + 2);
  }
  return out;
}

std::string where(const config::gateway_config& cfg,
                  const std::vector<config::issue>& xs) {
  std::string out;
  for (auto& x : xs) {
    if (!out.empty())
      out += ", ";
    out += x.key;
    if (x.line > 0)
      out += " (" + cfg.path + ":" + std::to_string(x.line) + ")";
  }
  return out;
}

void provider_checks(const config::gateway_config& cfg,
                     std::vector<doctor_check>& out) {
  auto p = cfg.provider();
  if (!p) {
    out.push_back({"provider credentials", "fail",
                   "no provider profile is configured",
                   "add active_provider = \"volcengine\" and a "
                   "[providers.volcengine] table with kind, api_key and model"});
    return;
  }
  if (p->api_key.present()) {
    auto src = p->api_key.source.rfind("env:", 0) == 0
                 ? p->api_key.source.substr(4) + " is available"
                 : "api key is set (" + p->api_key.source + ")";
    out.push_back({"provider credentials", "ok", "Volcengine: " + src, ""});
  } else {
    out.push_back({"provider credentials", "fail",
                   "Volcengine: credential missing (" + p->api_key.missing_reason + ")",
                   "export ARK_API_KEY with the bearer API key from the Ark "
                   "console (not an AK/SK pair), or set providers."
                     + p->name + ".api_key = { env = \"NAME\" }"});
  }
  if (p->base_url.rfind("https://", 0) == 0)
    out.push_back({"provider transport", "ok",
                   "chat completions over HTTPS at " + p->base_url, ""});
  else
    out.push_back({"provider transport", "warn",
                   "plain http:// base URL " + p->base_url,
                   "fine for a loopback mock; production Ark needs https://"});
}

void account_checks(const config::gateway_config& cfg,
                    const config::feishu_account& a, bool scoped,
                    std::vector<doctor_check>& out) {
  auto suffix = scoped ? " (" + a.id + ")" : std::string{};
  if (!a.enabled) {
    out.push_back({"feishu account" + suffix, "warn",
                   "disabled by configuration; not checked", ""});
    return;
  }
  if (a.send_issues.empty())
    out.push_back({"feishu channel" + suffix, "ok",
                   "ready (" + a.domain + ", app credentials from "
                     + a.app_id.source + ")",
                   ""});
  else
    out.push_back({"feishu channel" + suffix, "fail",
                   "misconfigured: " + join_messages(a.send_issues),
                   "fix " + where(cfg, a.send_issues)});
  if (a.serve_issues.empty())
    out.push_back({"feishu inbound transport" + suffix, "ok",
                   "ready (mode=" + a.mode
                     + (a.mode == "webhook"
                          ? ", bind=" + a.webhook_bind + ", path=" + a.webhook_path
                          : std::string{})
                     + ")",
                   ""});
  else
    out.push_back({"feishu inbound transport" + suffix, "fail",
                   "misconfigured: " + join_messages(a.serve_issues),
                   "fix " + where(cfg, a.serve_issues)});
  if (a.base_url_overridden && a.base_url.rfind("http://", 0) == 0)
    out.push_back({"feishu open platform" + suffix, "warn",
                   "plain http:// base URL " + a.base_url,
                   "fine for a loopback mock; the real platform needs https://"});
}

} // namespace

std::vector<doctor_check> config_checks(const config::gateway_config& cfg) {
  std::vector<doctor_check> out;
  provider_checks(cfg, out);
  auto& f = cfg.feishu;
  if (!f.present) {
    out.push_back({"feishu channel", "fail", "not configured",
                   "add a [feishu] table with enabled = true, app_id, "
                   "app_secret and allowed_chat_ids"});
    return out;
  }
  if (!f.enabled) {
    out.push_back({"feishu channel", "fail", "disabled",
                   "set feishu.enabled = true in " + cfg.path});
    return out;
  }
  if (f.named_accounts && f.accounts.size() > 1 && f.default_source == "fallback")
    out.push_back({"feishu default account policy", "warn",
                   "several accounts and no default_account; commands fall "
                   "back to \"" + f.default_account + "\"",
                   "set feishu.default_account"});
  bool scoped = f.accounts.size() > 1;
  for (auto& a : f.accounts)
    account_checks(cfg, a, scoped, out);
  return out;
}

} // namespace loong::app
