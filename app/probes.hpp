#pragma once

#include <vector>

#include "app/doctor_checks.hpp"
#include "config/gateway_config.hpp"

namespace loong::app {

/// Appends the network checks (provider key and models, tenant token per
/// account) to `checks`. Skips what the config checks already failed.
void run_network_probes(const config::gateway_config& cfg,
                        bool skip_model_probe,
                        std::vector<doctor_check>& checks);

/// Provider checks: key accepted, models endpoint reachable, model
/// resolvable (app/probes_provider.cpp).
void provider_probes(const config::gateway_config& cfg, bool skip_model_probe,
                     std::vector<doctor_check>& checks);

/// Channel checks: a tenant token per enabled account
/// (app/probes_feishu.cpp).
void feishu_probes(const config::gateway_config& cfg,
                   std::vector<doctor_check>& checks);

/// One tenant-token check per account (ok, warn when unreachable, fail when
/// rejected), fetched concurrently on a private actor host.
std::vector<doctor_check> token_checks(const config::host_config& host,
                                       const std::vector<const config::feishu_account*>& accounts);

} // namespace loong::app
