#pragma once

#include "config/gateway_config.hpp"
#include "config/toml_reader.hpp"

namespace loong::config {

/// Reads `[feishu]` and `[feishu.accounts.*]`: inheritance, identities,
/// default account, per-account send/serve readiness.
void read_feishu(toml_reader& r, feishu_config& out);

} // namespace loong::config
