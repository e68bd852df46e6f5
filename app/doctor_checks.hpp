#pragma once

#include <string>
#include <vector>

#include "config/gateway_config.hpp"

namespace loong::app {

/// One doctor line. `level` is "ok", "warn" or "fail" (the JSON tokens).
struct doctor_check {
  std::string name;
  std::string level;
  std::string detail;
  /// What to do about it; empty for ok.
  std::string hint;
};

/// The configuration checks (no network): provider credentials and
/// transport, feishu channel, per-account credentials, mode material,
/// allowlist, default-account policy.
std::vector<doctor_check> config_checks(const config::gateway_config& cfg);

} // namespace loong::app
