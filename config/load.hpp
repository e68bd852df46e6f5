#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "config/gateway_config.hpp"
#include "config/secret.hpp"

namespace loong::config {

/// Inputs of a load besides the file: environment and home directory.
struct load_options {
  env_lookup env = process_env();
  /// LOONG_HOME as resolved by the caller (config/paths.hpp).
  std::string home;
};

/// Reads, parses, resolves and validates a config file. A missing file,
/// a TOML syntax error or any error finding fails with ec::invalid_config
/// and a message naming the file, the line and the dotted key.
caf::expected<gateway_config> load_file(const std::string& path,
                                        const load_options& opts);

/// Same, from text already in memory; `path` only labels messages.
caf::expected<gateway_config> load_string(std::string_view text,
                                          const std::string& path,
                                          const load_options& opts);

/// "<path>:<line>: <message>" (line omitted when unknown).
std::string render_issue(const issue& x, const std::string& path);

} // namespace loong::config
