#pragma once

// One measured setup: mock_feishu with N apps, mock_ark, and a target
// connected to them; load steps run against it one after another.

#include <memory>
#include <string>
#include <vector>

#include "bench/load/targets.hpp"

namespace loong::test {
class mock_process;
} // namespace loong::test

namespace loong::bench {

/// Latency percentiles of one step, milliseconds.
struct latency_summary {
  double p50 = 0, p95 = 0, p99 = 0, max = 0;
};

/// What a session is made of.
struct session_spec {
  std::string target = "gateway";
  size_t accounts = 1;
  /// mock_ark's answer delay.
  int ark_delay_ms = 0;
  int max_concurrency = 16;
  /// Deadline for every account to be connected.
  int connect_timeout_ms = 60000;
  /// The gateway reacts to each accepted message (the product default; off
  /// elsewhere so gateway and SDK do the same platform calls).
  bool ack_reactions = false;
  /// Extra mock_feishu flags (ClientConfig, ACK timeout).
  std::vector<std::string> feishu_args{};
};

/// One load step: `count` events at `rate` per second.
struct step_spec {
  double rate = 100;
  int64_t count = 100;
  int64_t chats_per_app = 16;
  /// Kill one account every this many ms while pushing (0 = never).
  int kill_every_ms = 0;
  /// How long after the last push every event must be answered.
  int drain_ms = 15000;
};

/// The measured outcome of a step.
struct step_result {
  step_spec spec;
  int64_t pushed = 0, acked = 0, answered = 0, duplicates = 0, unanswered = 0;
  /// Every event answered before the drain deadline.
  bool complete = false;
  double answered_per_s = 0;
  latency_summary e2e, ack;
  /// Target CPU seconds spent during the step.
  double cpu_s = 0;
  int64_t rss_kib = 0, peak_rss_kib = 0;
  /// Kill to reconnected, ms, one per kill.
  std::vector<double> recovery_ms;
  std::string error;
};

/// A running setup; everything stops on destruction.
class load_session {
public:
  load_session(bench_paths paths, session_spec spec, const std::string& work_dir);
  ~load_session();
  load_session(const load_session&) = delete;
  load_session& operator=(const load_session&) = delete;

  /// False when the mocks or the target failed to start or connect.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const session_spec& spec() const { return spec_; }
  /// Target start to every account connected, ms.
  double cold_start_ms() const { return cold_start_ms_; }
  /// Target RSS right after every account connected, KiB.
  int64_t connected_rss_kib() const { return connected_rss_kib_; }

  /// Runs one step and waits for it to drain (bounded by its deadlines).
  step_result run_step(const step_spec& step);
  /// The mocks' base URLs, the apps' ids and the target (chaos.cpp drives
  /// them directly).
  const std::string& feishu_url() const;
  const std::string& ark_url() const;
  const std::vector<std::string>& app_ids() const { return app_ids_; }
  load_target* target() { return target_.get(); }
  /// Stops the target; returns a note on trouble ("" when clean).
  std::string stop();

private:
  void kill_round(size_t index, step_result& out);

  bench_paths paths_;
  session_spec spec_;
  std::string work_dir_;
  std::unique_ptr<test::mock_process> feishu_, ark_;
  std::unique_ptr<load_target> target_;
  std::vector<std::string> app_ids_;
  std::string error_;
  double cold_start_ms_ = 0;
  int64_t connected_rss_kib_ = 0;
};

} // namespace loong::bench
