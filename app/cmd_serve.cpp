#include "app/commands.hpp"

#include <iostream>

#include <unistd.h>

#include "actors/runtime.hpp"
#include "app/owner_run.hpp"
#include "app/probes.hpp"
#include "app/version.hpp"
#include "config/load.hpp"
#include "config/resolve.hpp"

namespace loong::app {

int run_channels_serve(const context& ctx) {
  auto cfg = load_config(ctx);
  if (!cfg)
    return fail(cfg.error());
  auto sel = config::select_account(*cfg, ctx.inv.account);
  if (!sel)
    return fail(sel.error());
  if (!sel->warning.empty())
    std::cerr << sel->warning << std::endl;
  auto account = sel->account;
  if (!ctx.inv.bind.empty())
    account.webhook_bind = ctx.inv.bind;
  if (!ctx.inv.path.empty())
    account.webhook_path = ctx.inv.path[0] == '/' ? ctx.inv.path : "/" + ctx.inv.path;
  if (!account.serve_issues.empty())
    return fail("feishu account " + account.id + " cannot serve: "
                + config::render_issue(account.serve_issues.front(), cfg->path));
  auto provider = cfg->provider();
  if (!provider || !provider->api_key.present())
    return fail("the provider is not ready: run `loong doctor --config " + cfg->path + "`");
  owner_run run;
  // Contract §1.6 step 4, after the one-serve-per-account check: no banner,
  // and exit 2, without a tenant token.
  run.preflight = [host = cfg->host, account]() -> std::string {
    auto token = token_checks(host, {&account}).front();
    if (token.level == "ok")
      return {};
    return "feishu account " + account.id + ": no tenant token: " + token.detail
           + (token.hint.empty() ? std::string{} : " (" + token.hint + ")");
  };
  run.cfg = std::make_shared<const config::gateway_config>(*cfg);
  run.accounts = {account};
  run.runtime_dir = ctx.home + "/channel-runtime/feishu-serve-" + account.id;
  run.conflict_hint = "feishu account " + account.id + " already has an active serve runtime; "
                      "stop it or wait until it goes stale";
  auto now = wall_clock_ms();
  auto& r = run.record;
  r.phase = "starting";
  r.running = true;
  r.pid = getpid();
  r.mode = "multi_channel_serve";
  r.version = version();
  r.config_path = cfg->path;
  r.started_at_ms = now;
  r.last_heartbeat_at = now;
  r.configured_surface_count = 1;
  run.lease.control = false;
  auto banner = "feishu channel started (config=" + cfg->path + ", configured_account="
                + account.id + ", account=" + account.runtime_label
                + ", selected_by_default=" + (sel->selected_by_default ? "true" : "false")
                + ", default_source=" + sel->source + ", "
                + (account.mode == "webhook"
                     ? "bind=" + account.webhook_bind + ", path=" + account.webhook_path
                     : std::string{"mode=websocket"})
                + ")";
  run.on_started = [banner] { std::cout << banner << std::endl; };
  return run_owner(ctx, std::move(run));
}

} // namespace loong::app
