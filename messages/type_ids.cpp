#include "messages/type_ids.hpp"

#include <caf/actor_system_config.hpp>

#include "messages/errors.hpp"

#include <algorithm>
#include <cctype>

namespace loong {

std::string http_reply::header(const std::string& name) const {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  auto want = lower(name);
  for (auto& h : headers)
    if (lower(h.name) == want)
      return h.value;
  return {};
}

void register_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::loong_types>();
  cfg.add_error_category(caf::atom("loong"), render_loong_error);
}

} // namespace loong
