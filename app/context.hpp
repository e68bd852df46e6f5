#pragma once

#include <string>

#include <caf/expected.hpp>

#include "app/cli.hpp"
#include "config/gateway_config.hpp"
#include "config/secret.hpp"

namespace loong::app {

/// What every command starts from: the parsed command line, the process
/// environment, LOONG_HOME and the config path.
struct context {
  invocation inv;
  config::env_lookup env;
  std::string home;
  std::string config_path;
};

/// Builds the context from the command line and the real environment.
context make_context(invocation inv);

/// Loads and validates the configuration; warnings go to the log.
caf::expected<config::gateway_config> load_config(const context& ctx);

/// Prints "error: <message>" to stderr and returns exit code 2.
int fail(const std::string& message);

/// Same for a caf::error.
int fail(const caf::error& err);

} // namespace loong::app
