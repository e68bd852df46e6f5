#pragma once

#include <vector>

#include <caf/expected.hpp>

#include "app/context.hpp"
#include "config/gateway_config.hpp"

namespace loong::app {

/// What `gateway run` will own, decided before any owner file is written.
struct gateway_plan {
  config::gateway_config cfg;
  std::vector<config::feishu_account> accounts;
};

/// Parses the selectors, loads the config and picks the accounts; every
/// failure here is a usage or config error (exit 2) with nothing written.
caf::expected<gateway_plan> plan_gateway(const context& ctx);

} // namespace loong::app
