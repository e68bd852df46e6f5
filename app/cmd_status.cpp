#include "app/commands.hpp"

#include <iostream>

#include <rapidjson/document.h>

#include "actors/runtime.hpp"
#include "app/control_client.hpp"
#include "app/json_writer.hpp"
#include "config/paths.hpp"
#include "store/owner_files.hpp"

namespace loong::app {

int run_status(const context& ctx) {
  auto cfg = load_config(ctx);
  if (!cfg)
    return fail(cfg.error());
  auto dir = config::runtime_dir(ctx.home);
  auto view = store::read_owner(dir, wall_clock_ms());
  // Contract §1.10: an owner of another config is not this config's owner.
  if (view.record.config_path != cfg->path) {
    view = store::owner_view{};
  }
  std::optional<std::string> detail;
  if (view.running)
    detail = control_get(view.record, "/api/gateway/operator-summary");
  auto provider = cfg->provider();
  json_writer w;
  w.begin_object();
  w.key("config").str(cfg->path);
  w.key("schema").begin_object().key("version").num(2).key("surface").str("status")
    .key("purpose").str("operator_runtime_summary").end_object();
  w.key("active_provider").str(provider ? provider->name : "");
  w.key("active_model").str(provider ? provider->model : "");
  w.key("gateway").begin_object();
  w.key("owner").raw(store::to_json(view, dir));
  w.key("control_surface").begin_object();
  if (view.running && view.record.bind_address && view.record.port)
    w.key("base_url").str("http://" + *view.record.bind_address + ":"
                          + std::to_string(*view.record.port));
  else
    w.key("base_url").null();
  w.key("loopback_only").boolean(true).end_object();
  w.key("owner_reachable").boolean(detail.has_value());
  w.key("runtime");
  if (detail)
    w.raw(*detail);
  else
    w.null();
  w.key("channels").begin_object().key("surfaces").begin_array();
  auto& f = cfg->feishu;
  int64_t enabled = 0, ready_send = 0, ready_serve = 0, mention = 0;
  for (auto& a : f.accounts) {
    enabled += a.enabled;
    ready_send += a.enabled && a.send_issues.empty();
    ready_serve += a.enabled && a.serve_issues.empty();
    mention += a.require_mention;
  }
  w.begin_object().key("channel_id").str("feishu").key("label").str("Feishu/Lark")
    .key("implementation_status").str("runtime_backed")
    .key("configured_account_count").num(static_cast<int64_t>(f.accounts.size()))
    .key("enabled_account_count").num(enabled)
    .key("ready_send_account_count").num(ready_send)
    .key("ready_serve_account_count").num(ready_serve)
    .key("mention_gated_account_count").num(mention)
    .key("default_configured_account_id").str(f.default_account)
    .key("service_enabled").boolean(f.present && f.enabled)
    .key("service_ready").boolean(ready_serve > 0).end_object();
  w.end_array().end_object();
  w.end_object();
  w.key("next_actions").begin_array();
  if (!view.running)
    w.begin_object().key("label").str("start the gateway")
      .key("command").str("loong gateway run --config " + cfg->path).end_object();
  w.begin_object().key("label").str("check prerequisites")
    .key("command").str("loong doctor --config " + cfg->path).end_object();
  w.end_array();
  w.end_object();
  if (ctx.inv.json) {
    std::cout << w.text();
    return 0;
  }
  std::cout << "config=" << cfg->path << "\n"
            << "provider=" << (provider ? provider->name : "-")
            << " model=" << (provider ? provider->model : "-") << "\n"
            << "gateway phase=" << view.record.phase
            << " running=" << (view.running ? "true" : "false")
            << " stale=" << (view.stale ? "true" : "false") << "\n"
            << "feishu accounts configured=" << f.accounts.size() << " enabled=" << enabled
            << " ready_serve=" << ready_serve << "\n"
            << "(use --json for the full summary, `loong gateway status` for the owner)\n";
  return 0;
}

} // namespace loong::app
