#pragma once

#include <memory>
#include <string>
#include <vector>

#include "actors/gateway_owner.hpp"
#include "app/context.hpp"
#include "store/owner_files.hpp"

namespace loong::app {

/// What one owner process (gateway run, channels serve) runs.
struct owner_run {
  std::shared_ptr<const config::gateway_config> cfg;
  std::vector<config::feishu_account> accounts;
  /// The runtime directory holding the owner files, and the initial record.
  std::string runtime_dir;
  store::owner_record record;
  lease_options lease;
  /// Runs once ownership is claimed, before the tree starts; a non-empty
  /// answer is an error that ends the run with exit code 2.
  std::function<std::string()> preflight;
  /// Called once the tree runs (e.g. to print a banner).
  std::function<void()> on_started;
  /// Conflict message prefix, e.g. "gateway owner already active".
  std::string conflict_hint;
};

/// Claims ownership, builds the actor tree, serves until a signal or a stop
/// request, drains, releases ownership. Returns the exit code.
int run_owner(const context& ctx, owner_run run);

} // namespace loong::app
