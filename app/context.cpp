#include "app/context.hpp"

#include <iostream>

#include <spdlog/spdlog.h>

#include "config/load.hpp"
#include "config/paths.hpp"
#include "messages/errors.hpp"

namespace loong::app {

context make_context(invocation inv) {
  context ctx;
  ctx.env = config::process_env();
  ctx.home = config::resolve_home(ctx.env);
  ctx.config_path = config::resolve_config_path(inv.config, ctx.env, ctx.home);
  ctx.inv = std::move(inv);
  return ctx;
}

caf::expected<config::gateway_config> load_config(const context& ctx) {
  config::load_options opts;
  opts.env = ctx.env;
  opts.home = ctx.home;
  auto cfg = config::load_file(ctx.config_path, opts);
  if (cfg)
    for (auto& w : cfg->warnings)
      spdlog::warn("config: {}", config::render_issue(w, cfg->path));
  return cfg;
}

int fail(const std::string& message) {
  std::cerr << "error: " << message << std::endl;
  return 2;
}

int fail(const caf::error& err) {
  // Our errors carry a readable context; show it without the code name
  // when the context says it all.
  auto text = describe(err);
  if (err.category() == caf::atom("loong") && err.context().size() == 1
      && err.context().match_element<std::string>(0))
    text = err.context().get_as<std::string>(0);
  return fail(text);
}

} // namespace loong::app
