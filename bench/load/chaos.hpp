#pragma once

// The chaos scenario of docs/benchmarks.md: steady load on several accounts
// while platform faults (long connection, bootstrap, reply calls, provider)
// and kill -9 restarts of the target hit at random; then every inbound
// message is checked for exactly one reply.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/load/load_session.hpp"

namespace loong::bench {

/// Knobs of one chaos run.
struct chaos_spec {
  /// Events per second over all accounts, and seconds of pushing.
  double rate = 20;
  double push_s = 120;
  int64_t chats_per_app = 4;
  /// A fault this often while pushing.
  int fault_every_ms = 2000;
  /// kill -9 of the target at these fractions of the push time.
  std::vector<double> kills{1.0 / 3, 2.0 / 3};
  /// Restart this long after a kill.
  int restart_after_ms = 1000;
  /// After the last push, wait at most this long for every answer.
  int drain_ms = 180000;
  /// Seeds the fault choice (kind, app, counts).
  uint64_t seed = 11;
  /// Include blackholed connections in the mix (detected only by the
  /// client's ping liveness, so they need a drain longer than that).
  bool blackholes = true;
};

/// One injected fault or target kill/restart.
struct chaos_event {
  /// ms since the load run started (the mock's push times use the same origin).
  double t_ms = 0;
  std::string kind, app_id, detail;
};

/// A message without a reply at the end of the drain.
struct lost_message {
  std::string message_id, app_id;
  /// ms since the load run started.
  double pushed_ms = 0;
  bool acked = false;
};

/// What a chaos run measured.
struct chaos_result {
  chaos_spec spec;
  int64_t pushed = 0, acked = 0, replied = 0, lost = 0, duplicated = 0, apologies = 0;
  /// Push to first reply, ms.
  latency_summary reply;
  /// Mock-caused drop/close to the account's next connection, ms; only
  /// "clean" ones (no bootstrap fault and no kill in between).
  std::vector<double> reconnect_ms;
  /// The same for blackholes (includes the client's detection time).
  std::vector<double> blackhole_ms;
  /// Reconnect records left out: not clean, spanning a kill, never reopened.
  int64_t reconnects_unclean = 0, reconnects_killed = 0, reconnects_never = 0;
  int64_t blackholes_never = 0;
  /// Mock counters at the end (re-deliveries after drops, ACK-timeout re-pushes).
  int64_t redeliveries = 0, repushes = 0, dedup_hits = 0;
  /// Drain used, ms; every message answered before the drain deadline.
  double drain_used_ms = 0;
  bool complete = false;
  std::vector<chaos_event> events;
  std::vector<lost_message> lost_ids;
  std::string error;
};

/// Runs the chaos step on a started session; `progress` gets one line per
/// fault. The session's target must support kill and restart.
chaos_result run_chaos(load_session& s, const chaos_spec& spec,
                       const std::function<void(const std::string&)>& progress);

} // namespace loong::bench
