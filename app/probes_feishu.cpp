#include "app/probes.hpp"

namespace loong::app {

void feishu_probes(const config::gateway_config&, std::vector<doctor_check>&) {
  // The tenant-token checks arrive with the Feishu OpenAPI client.
}

} // namespace loong::app
