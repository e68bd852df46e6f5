#pragma once

#include "config/gateway_config.hpp"
#include "config/toml_reader.hpp"

namespace loong::config {

/// Reads `active_provider` and every `[providers.<name>]` into `cfg`.
void read_providers(toml_reader& r, gateway_config& cfg);

/// Canonical provider kind for a name or alias, empty when unknown.
std::string canonical_provider_kind(const std::string& kind);

} // namespace loong::config
