#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "config/gateway_config.hpp"
#include "config/selector.hpp"

namespace loong::config {

/// The account a single-surface command (`channels send|serve feishu`) uses.
struct account_selection {
  feishu_account account;
  bool selected_by_default = false;
  /// runtime_identity, explicit_default, mapped_default, fallback, or
  /// "explicit" when --account was given.
  std::string source;
  /// A route warning for stderr (several accounts, no default), or empty.
  std::string warning;
};

/// Resolves `--account` (or the default) against the config (contract §2.5).
caf::expected<account_selection>
select_account(const gateway_config& cfg,
               const std::optional<std::string>& requested);

/// The accounts `gateway run` starts: all enabled ones without selectors;
/// with selectors one per channel family (contract §3, with the single-account
/// rule tightened as the playbook asks). Disabled selections are skipped.
caf::expected<std::vector<feishu_account>>
select_gateway_accounts(const gateway_config& cfg,
                        const std::vector<channel_selector>& selectors);

} // namespace loong::config
