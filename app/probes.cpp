#include "app/probes.hpp"

namespace loong::app {

void run_network_probes(const config::gateway_config& cfg,
                        bool skip_model_probe,
                        std::vector<doctor_check>& checks) {
  provider_probes(cfg, skip_model_probe, checks);
  feishu_probes(cfg, checks);
}

} // namespace loong::app
