#pragma once

// The systems the load driver measures, behind one interface: the gateway
// (`loong gateway run`), the official-SDK baseline (bench/peers/lark-sdk-bot)
// and the in-process echo lower bound.

#include <memory>
#include <string>
#include <vector>

#include "bench/load/echo_peer.hpp"

namespace loong::bench {

/// Where the driver finds binaries and scripts.
struct bench_paths {
  /// The CMake build directory (holds `loong` and `bench/mock_*`).
  std::string build_dir;
  /// The source tree (holds `bench/peers/`).
  std::string source_dir;
  /// npm prefix with @larksuiteoapi/node-sdk installed (the SDK peer).
  std::string node_cache;
};

/// What a target is started with.
struct target_setup {
  std::string feishu_url;
  std::string ark_url;
  std::string ark_key;
  std::vector<app_credentials> apps;
  /// Provider calls in flight at most.
  int max_concurrency = 16;
  /// The gateway reacts to accepted messages (its product default).
  bool ack_reactions = false;
  /// A private directory for configs, homes and logs.
  std::string work_dir;
};

/// A system under load.
class load_target {
public:
  virtual ~load_target() = default;
  /// "gateway", "sdk" or "echo".
  virtual std::string name() const = 0;
  /// Starts it; false and `err` when it could not start.
  virtual bool start(const target_setup& setup, std::string& err) = 0;
  /// The process to measure (0 = the driver itself).
  virtual int pid() const = 0;
  /// Kills one account's subtree so the target must recover it; false and
  /// `err` when the target cannot.
  virtual bool kill_account(size_t index, std::string& err);
  /// kill -9 of the whole process (waits for it to be gone); false and `err`
  /// when the target cannot.
  virtual bool crash(std::string& err);
  /// Starts the process again after crash(), same config and state
  /// directory; false and `err` when it could not.
  virtual bool restart(std::string& err);
  /// Stops it (gracefully first); idempotent. Returns a note on trouble.
  virtual std::string stop() = 0;
};

/// Creates the target named `kind`; nullptr for an unknown name.
std::unique_ptr<load_target> make_target(const std::string& kind, const bench_paths& paths);

/// True when the SDK peer can run (node and the installed SDK are there).
bool sdk_available(const bench_paths& paths, std::string& why_not);

} // namespace loong::bench
