#include "bench/load/load_session.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <rapidjson/document.h>

#include "bench/load/proc_stats.hpp"
#include "tests/support/mock_process.hpp"

namespace loong::bench {

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

// The SDK only accepts app ids shaped like the platform's: cli_ + 16 hex.
std::string app_id(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "cli_%016zx", i + 1);
  return buf;
}

latency_summary read_latency(const rapidjson::Value& v) {
  latency_summary s;
  if (!v.IsObject())
    return s;
  auto num = [&v](const char* k) { return v.HasMember(k) && v[k].IsNumber() ? v[k].GetDouble() : 0.0; };
  s.p50 = num("p50_ms");
  s.p95 = num("p95_ms");
  s.p99 = num("p99_ms");
  s.max = num("max_ms");
  return s;
}

int64_t read_int(const rapidjson::Value& v, const char* k) {
  return v.HasMember(k) && v[k].IsInt64() ? v[k].GetInt64() : 0;
}

} // namespace

load_session::load_session(bench_paths paths, session_spec spec, const std::string& work_dir)
  : paths_(std::move(paths)), spec_(std::move(spec)), work_dir_(work_dir) {
  std::vector<std::string> fargs{"--port", "0"};
  std::vector<app_credentials> apps;
  for (size_t i = 0; i < spec_.accounts; ++i) {
    apps.push_back({app_id(i), "secret_" + app_id(i)});
    app_ids_.push_back(apps.back().app_id);
    fargs.push_back("--app");
    fargs.push_back(apps.back().app_id + ":" + apps.back().app_secret);
  }
  fargs.insert(fargs.end(), spec_.feishu_args.begin(), spec_.feishu_args.end());
  feishu_ = std::make_unique<test::mock_process>(
    test::mock_process::start(paths_.build_dir + "/bench/mock_feishu", fargs));
  ark_ = std::make_unique<test::mock_process>(test::mock_process::start(
    paths_.build_dir + "/bench/mock_ark",
    {"--port", "0", "--key", "bench-ark-key", "--delay-ms", std::to_string(spec_.ark_delay_ms)}));
  if (!feishu_->ok() || !ark_->ok()) {
    error_ = "mock start failed: " + feishu_->error() + " " + ark_->error();
    return;
  }
  target_ = make_target(spec_.target, paths_);
  if (!target_) {
    error_ = "unknown target " + spec_.target;
    return;
  }
  target_setup setup;
  setup.feishu_url = feishu_->url();
  setup.ark_url = ark_->url();
  setup.ark_key = "bench-ark-key";
  setup.apps = apps;
  setup.max_concurrency = spec_.max_concurrency;
  setup.ack_reactions = spec_.ack_reactions;
  setup.work_dir = work_dir_;
  auto t0 = clock_type::now();
  if (!target_->start(setup, error_)) {
    if (error_.empty())
      error_ = spec_.target + " did not start";
    return;
  }
  auto wait = test::http_call("GET",
                              feishu_->url() + "/_mock/wait?kind=connections&count="
                                + std::to_string(spec_.accounts)
                                + "&timeout_ms=" + std::to_string(spec_.connect_timeout_ms),
                              {}, {}, spec_.connect_timeout_ms + 5000);
  cold_start_ms_ = ms_since(t0);
  if (wait.status != 200) {
    error_ = spec_.target + ": not all " + std::to_string(spec_.accounts)
             + " accounts connected within " + std::to_string(spec_.connect_timeout_ms)
             + " ms (" + wait.body + ")";
    return;
  }
  connected_rss_kib_ = sample_process(target_->pid()).rss_kib;
}

const std::string& load_session::feishu_url() const {
  return feishu_->url();
}

const std::string& load_session::ark_url() const {
  return ark_->url();
}

load_session::~load_session() {
  stop();
}

std::string load_session::stop() {
  std::string note;
  if (target_)
    note = target_->stop();
  target_.reset();
  return note;
}

void load_session::kill_round(size_t index, step_result& out) {
  auto app = app_id(index);
  rapidjson::Document stats;
  auto s = test::http_call("GET", feishu_->url() + "/_mock/stats");
  stats.Parse(s.body.c_str());
  int64_t opened = 0;
  if (!stats.HasParseError() && stats.HasMember("per_app") && stats["per_app"].HasMember(app.c_str()))
    opened = read_int(stats["per_app"][app.c_str()], "connections_opened");
  auto t0 = clock_type::now();
  std::string err;
  if (!target_->kill_account(index, err)) {
    out.error = err;
    return;
  }
  auto w = test::http_call("GET", feishu_->url() + "/_mock/wait?kind=connections_opened&app_id="
                                    + app + "&count=" + std::to_string(opened + 1)
                                    + "&timeout_ms=10000",
                           {}, {}, 15000);
  if (w.status != 200) {
    out.error = app + " did not reconnect within 10 s of its kill";
    return;
  }
  out.recovery_ms.push_back(ms_since(t0));
}

step_result load_session::run_step(const step_spec& step) {
  step_result out;
  out.spec = step;
  if (!ok()) {
    out.error = error_;
    return out;
  }
  auto before = sample_process(target_->pid());
  auto start = test::http_call("POST", feishu_->url() + "/_mock/load",
                               "{\"rate\":" + std::to_string(step.rate) + ",\"count\":"
                                 + std::to_string(step.count) + ",\"chats_per_app\":"
                                 + std::to_string(step.chats_per_app) + "}");
  if (start.status != 200) {
    out.error = "load start refused: " + start.body;
    return out;
  }
  auto t0 = clock_type::now();
  auto push_ms = static_cast<double>(step.count) * 1000.0 / step.rate;
  if (step.kill_every_ms > 0 && spec_.accounts > 0) {
    // Pacing of the kills is the scenario itself, not synchronisation.
    for (size_t k = 0;; ++k) {
      auto due = t0 + std::chrono::milliseconds{step.kill_every_ms * static_cast<int64_t>(k + 1)};
      if (std::chrono::duration<double, std::milli>(due - t0).count() >= push_ms)
        break;
      std::this_thread::sleep_until(due);
      kill_round(k % spec_.accounts, out);
      if (!out.error.empty())
        break;
    }
  }
  auto left_ms = static_cast<int64_t>(push_ms - ms_since(t0)) + step.drain_ms;
  left_ms = std::clamp<int64_t>(left_ms, 1000, 120000);
  auto w = test::http_call("GET", feishu_->url() + "/_mock/wait?kind=load_answered&count="
                                    + std::to_string(step.count)
                                    + "&timeout_ms=" + std::to_string(left_ms),
                           {}, {}, static_cast<int>(left_ms) + 5000);
  out.complete = w.status == 200;
  if (!out.complete)
    test::http_call("POST", feishu_->url() + "/_mock/load", R"({"stop":true})");
  auto after = sample_process(target_->pid());
  rapidjson::Document r;
  auto rep = test::http_call("GET", feishu_->url() + "/_mock/load");
  r.Parse(rep.body.c_str());
  if (r.HasParseError() || !r.IsObject()) {
    out.error = "unreadable load report: " + rep.body.substr(0, 200);
    return out;
  }
  out.pushed = read_int(r, "pushed");
  out.acked = read_int(r, "acked");
  out.answered = read_int(r, "answered");
  out.duplicates = read_int(r, "duplicates");
  out.unanswered = read_int(r, "unanswered");
  out.answered_per_s = r.HasMember("answered_per_s") ? r["answered_per_s"].GetDouble() : 0.0;
  out.e2e = read_latency(r["e2e"]);
  out.ack = read_latency(r["ack"]);
  out.cpu_s = after.cpu_s - before.cpu_s;
  out.rss_kib = after.rss_kib;
  out.peak_rss_kib = after.peak_rss_kib;
  return out;
}

} // namespace loong::bench
