#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace loong::config {

/// A parsed `--channel-account CHANNEL=ACCOUNT` value.
struct channel_selector {
  /// Canonical channel id ("feishu" for "lark" or "LARK").
  std::string channel;
  /// The channel as typed (trimmed), e.g. "lark".
  std::string channel_as_written;
  /// The account as typed (trimmed); normalized during resolution.
  std::string account;
};

/// Parses one selector; errors (ec::invalid_argument) say which rule failed.
caf::expected<channel_selector> parse_selector(std::string_view text);

/// Channel ids that `gateway run` can supervise in this build.
std::vector<std::string> compiled_runtime_channels();

} // namespace loong::config
