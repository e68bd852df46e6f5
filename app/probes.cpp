#include "app/probes.hpp"

namespace loong::app {

void run_network_probes(const config::gateway_config&, bool,
                        std::vector<doctor_check>&) {
  // Network probes join with the provider and Feishu clients.
}

} // namespace loong::app
