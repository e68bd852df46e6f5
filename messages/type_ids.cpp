#include "messages/type_ids.hpp"

#include <caf/actor_system_config.hpp>

#include "messages/errors.hpp"

namespace loong {

void register_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::loong_types>();
  cfg.add_error_category(caf::atom("loong"), render_loong_error);
}

} // namespace loong
