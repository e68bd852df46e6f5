#pragma once

#include <optional>
#include <string>

#include "config/secret.hpp"

namespace loong::config {

/// LOONG_HOME if set and non-empty, else $HOME/.loong, else ./.loong.
std::string resolve_home(const env_lookup& env);

/// Expands a leading "~" or "~/" with $HOME.
std::string expand_tilde(const std::string& path, const env_lookup& env);

/// --config, else LOONG_CONFIG, else <home>/config.toml.
std::string resolve_config_path(const std::optional<std::string>& flag,
                                const env_lookup& env, const std::string& home);

/// <home>/gateway-runtime.
std::string runtime_dir(const std::string& home);

} // namespace loong::config
