#include "app/commands.hpp"

#include <iostream>
#include <sstream>

#include "app/json_writer.hpp"

namespace loong::app {

namespace {

const char* requirements_send = "enabled,app_id,app_secret";
const char* requirements_serve
  = "enabled,app_id,app_secret,mode,allowed_chat_ids,allowed_sender_ids,"
    "verification_token,encrypt_key";

std::string health(const config::feishu_account& a,
                   const std::vector<config::issue>& xs) {
  if (!a.enabled)
    return "disabled";
  return xs.empty() ? "ready" : "misconfigured";
}

std::string detail(const std::vector<config::issue>& xs) {
  std::string out;
  for (auto& x : xs) {
    auto colon = x.message.find(": ");
    out += (out.empty() ? "" : "; ")
           + (colon == std::string::npos ? x.message : x.message.substr(colon + 2));
  }
  return out.empty() ? "ready" : out;
}

std::string list_mode(const std::vector<std::string>& xs) {
  if (xs.empty())
    return "open";
  for (auto& x : xs)
    if (x == "*")
      return "wildcard_allowlist";
  return "exact_allowlist";
}

void text_view(const config::gateway_config& cfg) {
  auto& f = cfg.feishu;
  size_t enabled = f.present && f.enabled ? 1 : 0;
  std::cout << "config=" << cfg.path << "\n"
            << "summary total_surfaces=1 runtime_backed=1 config_backed=0 "
               "plugin_backed=0 catalog_only=0 enabled="
            << enabled << "\n"
            << "runtime-backed channels:\n"
            << "Feishu/Lark [feishu] implementation_status=runtime_backed "
               "selection_order=1 capabilities=send,serve aliases=lark "
               "transport=feishu_openapi_webhook_or_websocket "
               "target_kinds=receive_id,message_reply configured_accounts="
            << (f.named_accounts ? f.accounts.size() : f.present ? 1 : 0)
            << " default_configured_account="
            << (f.default_account.empty() ? "-" : f.default_account) << "\n"
            << "  gateway-supervised: joins `loong gateway run`, selectable "
               "with --channel-account feishu=ID or lark=ID\n";
  if (!f.present) {
    std::cout << "  not configured: add a [feishu] table (see "
                 "docs/configuration.md)\n";
    return;
  }
  for (auto& a : f.accounts) {
    std::cout << "  account configured_account=" << a.id
              << " default_account=" << (a.id == f.default_account ? "true" : "false")
              << " default_source=" << f.default_source
              << " enabled=" << (a.enabled ? "true" : "false")
              << " api_base_url=" << a.base_url << "\n"
              << "    note: mode=" << a.mode << "\n"
              << "    note: domain=" << a.domain << "\n"
              << "    note: runtime_account=" << a.runtime_id << "\n"
              << "    note: receive_id_type=" << a.receive_id_type << "\n"
              << "    note: allowed_chat_ids=" << a.allowed_chat_ids.size() << "\n";
    if (a.mode == "webhook")
      std::cout << "    note: webhook_bind=" << a.webhook_bind << "\n"
                << "    note: webhook_path=" << a.webhook_path << "\n";
    std::cout << "    policy conversation_mode=" << list_mode(a.allowed_chat_ids)
              << " sender_mode=" << list_mode(a.allowed_sender_ids)
              << " mention_required=" << (a.require_mention ? "true" : "false") << "\n"
              << "    op send (channels send feishu) " << health(a, a.send_issues)
              << ": " << detail(a.send_issues)
              << " target_kinds=receive_id,message_reply requirements="
              << requirements_send << "\n"
              << "    op serve (channels serve feishu) " << health(a, a.serve_issues)
              << ": " << detail(a.serve_issues)
              << " target_kinds=message_reply requirements=" << requirements_serve
              << "\n";
  }
}

void account_json(json_writer& w, const config::gateway_config& cfg,
                  const config::feishu_account& a) {
  auto& f = cfg.feishu;
  w.begin_object()
    .key("channel_id").str("feishu")
    .key("configured_account").str(a.id)
    .key("account").str(a.runtime_label)
    .key("runtime_account_id").str(a.runtime_id)
    .key("default_account").boolean(a.id == f.default_account)
    .key("default_source").str(f.default_source)
    .key("enabled").boolean(a.enabled)
    .key("domain").str(a.domain)
    .key("api_base_url").str(a.base_url)
    .key("mode").str(a.mode)
    .key("receive_id_type").str(a.receive_id_type);
  if (a.mode == "webhook")
    w.key("webhook_bind").str(a.webhook_bind).key("webhook_path").str(a.webhook_path);
  w.key("policy").begin_object()
    .key("conversation_mode").str(list_mode(a.allowed_chat_ids))
    .key("sender_mode").str(list_mode(a.allowed_sender_ids))
    .key("mention_required").boolean(a.require_mention)
    .key("ignore_bot_messages").boolean(a.ignore_bot_messages)
    .end_object();
  w.key("operations").begin_array();
  for (auto [op, xs] : {std::pair{"send", &a.send_issues}, std::pair{"serve", &a.serve_issues}}) {
    w.begin_object().key("id").str(op)
      .key("command").str(std::string{"channels "} + op + " feishu")
      .key("health").str(health(a, *xs)).key("detail").str(detail(*xs))
      .key("issues").begin_array();
    for (auto& x : *xs) {
      w.begin_object().key("key").str(x.key).key("message").str(x.message);
      if (x.line > 0)
        w.key("line").num(x.line);
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object();
}

void json_view(const config::gateway_config& cfg) {
  auto& f = cfg.feishu;
  json_writer w;
  w.begin_object();
  w.key("config").str(cfg.path);
  w.key("schema").begin_object().key("version").num(2)
    .key("primary_channel_view").str("channel_surfaces")
    .key("catalog_view").str("channel_catalog").end_object();
  w.key("summary").begin_object().key("total_surfaces").num(1)
    .key("runtime_backed").num(1).key("config_backed").num(0)
    .key("plugin_backed").num(0).key("catalog_only").num(0).end_object();
  w.key("channels").begin_array();
  for (auto& a : f.accounts)
    account_json(w, cfg, a);
  w.end_array();
  w.key("channel_surfaces").begin_array().begin_object()
    .key("channel_id").str("feishu").key("label").str("Feishu/Lark")
    .key("implementation_status").str("runtime_backed")
    .key("gateway_supervised").boolean(true)
    .key("aliases").begin_array().str("lark").end_array()
    .key("transport").str("feishu_openapi_webhook_or_websocket")
    .key("configured").boolean(f.present)
    .key("enabled").boolean(f.present && f.enabled)
    .key("configured_account_count").num(static_cast<int64_t>(f.accounts.size()))
    .key("default_configured_account_id").str(f.default_account)
    .key("default_source").str(f.default_source)
    .end_object().end_array();
  w.end_object();
  std::cout << w.text();
}

} // namespace

int run_channels(const context& ctx) {
  auto cfg = load_config(ctx);
  if (!cfg)
    return fail(cfg.error());
  if (ctx.inv.json)
    json_view(*cfg);
  else
    text_view(*cfg);
  return 0;
}

} // namespace loong::app
