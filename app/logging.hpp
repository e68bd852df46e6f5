#pragma once

#include <string>

namespace loong::app {

/// Routes spdlog to stderr at `level` (else $LOONG_LOG, else "warn").
void setup_logging(const std::string& level);

} // namespace loong::app
