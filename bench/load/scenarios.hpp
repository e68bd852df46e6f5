#pragma once

// The benchmark scenarios of docs/benchmarks.md: (a) throughput ceiling of
// one account, (b) accounts 1..1000, (c) slow provider, (d) accounts killed
// under load, (e) cold start, chaos (faults and kill -9 under load); plus
// the short smoke runs of the test suite.

#include <functional>
#include <string>
#include <vector>

#include "bench/load/chaos.hpp"
#include "bench/load/load_session.hpp"

namespace loong::bench {

/// One measured line of a scenario.
struct result_row {
  std::string scenario;
  std::string target;
  size_t accounts = 0;
  int max_concurrency = 0;
  int ark_delay_ms = 0;
  double cold_start_ms = 0;
  int64_t connected_rss_kib = 0;
  /// A step was run (cold-start rows have none).
  bool has_step = false;
  step_result step;
  /// A chaos run (scenario "chaos" / "chaos-smoke").
  bool has_chaos = false;
  chaos_result chaos;
  /// "ladder", "half-ceiling", ... or why the row failed.
  std::string note;
};

/// Knobs of a whole run.
struct bench_options {
  bench_paths paths;
  std::string out_dir;
  std::vector<std::string> targets{"gateway", "sdk", "echo"};
  /// Seconds of pushing per step.
  double step_seconds = 3;
  /// Chats per account in scenario (a): a chat's turns run one at a time,
  /// so this bounds the turns in flight.
  int64_t chats = 64;
  /// Seed of the chaos scenario's fault choice.
  uint64_t seed = 11;
  /// Progress lines go here (stderr by default).
  std::function<void(const std::string&)> progress;
};

/// Runs scenario `name` ("a".."e", "smoke", "chaos", "chaos-smoke") and
/// appends its rows.
/// False for an unknown scenario name.
bool run_scenario(const std::string& name, const bench_options& opts,
                  std::vector<result_row>& rows);

} // namespace loong::bench
