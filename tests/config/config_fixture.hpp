#pragma once

#include <map>
#include <string>

#include <caf/expected.hpp>

#include "config/load.hpp"
#include "messages/errors.hpp"

namespace loong::test {

/// Loads a config from text with a pinned environment.
inline caf::expected<config::gateway_config>
load_text(const std::string& text,
          std::map<std::string, std::string> env = {}) {
  config::load_options opts;
  opts.home = "/tmp/loong-home";
  opts.env = [env](const std::string& k) -> std::optional<std::string> {
    if (auto i = env.find(k); i != env.end())
      return i->second;
    return std::nullopt;
  };
  return config::load_string(text, "test.toml", opts);
}

/// The rendered error of a failed load ("" when it succeeded).
inline std::string load_error(const std::string& text,
                              std::map<std::string, std::string> env = {}) {
  auto cfg = load_text(text, std::move(env));
  return cfg ? std::string{} : describe(cfg.error());
}

} // namespace loong::test
