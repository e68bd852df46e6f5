#include "app/probes.hpp"

namespace loong::app {

void provider_probes(const config::gateway_config&, bool,
                     std::vector<doctor_check>&) {
  // The provider network checks arrive with the Ark client.
}

} // namespace loong::app
