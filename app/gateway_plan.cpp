#include "app/gateway_plan.hpp"

#include "config/load.hpp"
#include "config/resolve.hpp"
#include "config/selector.hpp"
#include "messages/errors.hpp"

namespace loong::app {

caf::expected<gateway_plan> plan_gateway(const context& ctx) {
  std::vector<config::channel_selector> selectors;
  for (auto& text : ctx.inv.channel_accounts) {
    auto s = config::parse_selector(text);
    if (!s)
      return s.error();
    selectors.push_back(std::move(*s));
  }
  auto cfg = load_config(ctx);
  if (!cfg)
    return cfg.error();
  auto accounts = config::select_gateway_accounts(*cfg, selectors);
  if (!accounts)
    return accounts.error();
  for (auto& a : *accounts)
    if (!a.serve_issues.empty())
      return caf::make_error(ec::invalid_config,
                             "account " + a.selector() + " cannot serve: "
                               + config::render_issue(a.serve_issues.front(), cfg->path));
  auto provider = cfg->provider();
  if (!accounts->empty() && (!provider || !provider->api_key.present()))
    return caf::make_error(ec::invalid_config,
                           "the provider is not ready (no profile or no api key): run "
                           "`loong doctor --config " + cfg->path + "`");
  return gateway_plan{std::move(*cfg), std::move(*accounts)};
}

} // namespace loong::app
