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

} // namespace loong::app
