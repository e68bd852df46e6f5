#pragma once

#include <optional>
#include <string>

#include "store/owner_files.hpp"

namespace loong::app {

/// Asks a live owner's control endpoint (loopback, bearer token from the
/// token file) for `path`; nothing when the owner is not reachable.
std::optional<std::string> control_get(const store::owner_record& owner,
                                       const std::string& path,
                                       int timeout_ms = 3000);

} // namespace loong::app
