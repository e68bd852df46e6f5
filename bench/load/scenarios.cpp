#include "bench/load/scenarios.hpp"
#include "bench/load/format.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace loong::bench {

namespace {

// A fresh work directory per session, under the run's output directory. A
// store left by an earlier run would hold its event ids and de-duplicate
// this run's events (the mock numbers them from 1 each time).
std::string work_dir(const bench_options& o, const std::string& tag) {
  static int serial = 0;
  auto dir = o.out_dir + "/work/" + std::to_string(++serial) + "-" + tag;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  return dir;
}

bool has_target(const bench_options& o, const std::string& t) {
  return std::find(o.targets.begin(), o.targets.end(), t) != o.targets.end();
}

result_row base_row(const std::string& scenario, const load_session& s) {
  result_row r;
  r.scenario = scenario;
  r.target = s.spec().target;
  r.accounts = s.spec().accounts;
  r.max_concurrency = s.spec().max_concurrency;
  r.ark_delay_ms = s.spec().ark_delay_ms;
  r.cold_start_ms = s.cold_start_ms();
  r.connected_rss_kib = s.connected_rss_kib();
  if (!s.ok())
    r.note = s.error();
  return r;
}

void say(const bench_options& o, const result_row& r) {
  if (!o.progress)
    return;
  std::ostringstream s;
  s << "[" << r.scenario << "] " << r.target << " accounts=" << r.accounts;
  if (r.has_step)
    s << " rate=" << fmt(r.step.spec.rate, 0) << " answered/s=" << fmt(r.step.answered_per_s, 0)
      << " e2e p50/p99=" << fmt(r.step.e2e.p50, 2) << "/" << fmt(r.step.e2e.p99, 2) << " ms"
      << " answered=" << r.step.answered << "/" << r.step.pushed
      << " dup=" << r.step.duplicates << (r.step.complete ? "" : " INCOMPLETE");
  else
    s << " cold_start=" << fmt(r.cold_start_ms, 0) << " ms rss=" << r.connected_rss_kib << " KiB";
  if (!r.note.empty())
    s << " (" << r.note << ")";
  if (!r.step.error.empty())
    s << " error: " << r.step.error;
  o.progress(s.str());
}

result_row step_row(const std::string& scenario, load_session& s, const step_spec& st,
                    const std::string& note) {
  auto r = base_row(scenario, s);
  r.has_step = true;
  r.step = s.run_step(st);
  if (r.note.empty())
    r.note = note;
  return r;
}

int64_t count_for(double rate, double seconds) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(rate * seconds)));
}

// One unrecorded second at 200/s over every chat: the first event of a chat
// pays for its session, the first of an account for its token, so steady
// state starts after this.
void warm_up(load_session& s, int64_t chats) {
  step_spec st;
  st.rate = 200;
  st.count = std::max<int64_t>(200, chats);
  st.chats_per_app = chats;
  s.run_step(st);
}

// (a) One account; the offered rate rises until the target falls behind.
void scenario_a(const bench_options& o, std::vector<result_row>& rows) {
  static const double ladder[] = {100, 200, 400, 700, 1000, 1500, 2000, 3000,
                                  4000, 6000, 8000, 12000, 16000, 24000};
  for (const auto& target : o.targets) {
    double ceiling = 0;
    {
      load_session s{o.paths, {target, 1}, work_dir(o, "a-" + target)};
      if (!s.ok()) {
        rows.push_back(base_row("a", s));
        say(o, rows.back());
        continue;
      }
      warm_up(s, o.chats);
      for (double rate : ladder) {
        step_spec st;
        st.rate = rate;
        st.count = count_for(rate, o.step_seconds);
        st.chats_per_app = o.chats;
        st.drain_ms = 10000;
        rows.push_back(step_row("a", s, st, "ladder"));
        say(o, rows.back());
        const auto& r = rows.back().step;
        if (r.complete)
          ceiling = std::max(ceiling, r.answered_per_s);
        bool behind = !r.complete || r.answered_per_s < 0.9 * rate || r.e2e.p99 > 1000;
        if (behind || !r.error.empty())
          break;
      }
    }
    if (ceiling <= 0)
      continue;
    // A fresh session: a saturated step's backlog must not leak into it.
    load_session s{o.paths, {target, 1}, work_dir(o, "a-half-" + target)};
    warm_up(s, o.chats);
    step_spec st;
    st.rate = std::floor(ceiling / 2);
    st.count = count_for(st.rate, o.step_seconds);
    st.chats_per_app = o.chats;
    rows.push_back(step_row("a", s, st, "half-ceiling"));
    say(o, rows.back());
  }
}

// (b) Growing numbers of accounts at one moderate total rate; (e) is the
// cold start of the same sessions.
void scenario_b(const bench_options& o, std::vector<result_row>& rows, bool with_load) {
  for (const auto& target : o.targets) {
    for (size_t n : {1, 10, 100, 1000}) {
      // 1000 Node clients would need gigabytes; the SDK stops at 100.
      if (target == "sdk" && n > 100)
        continue;
      session_spec spec{target, n};
      spec.connect_timeout_ms = 120000;
      load_session s{o.paths, spec, work_dir(o, "b-" + target + "-" + std::to_string(n))};
      if (!with_load || !s.ok()) {
        rows.push_back(base_row(with_load ? "b" : "e", s));
        say(o, rows.back());
        continue;
      }
      step_spec st;
      st.rate = 200;
      st.count = count_for(st.rate, std::max(5.0, o.step_seconds));
      st.chats_per_app = 4;
      rows.push_back(step_row("b", s, st, ""));
      say(o, rows.back());
    }
  }
}

// (c) The provider answers after 200 ms: throughput must follow the
// configured provider concurrency (concurrency / 0.2 s).
void scenario_c(const bench_options& o, std::vector<result_row>& rows) {
  for (const auto& target : o.targets) {
    if (target == "echo")
      continue;  // the echo calls no provider
    for (int conc : {16, 64, 256}) {
      session_spec spec{target, 1, 200, conc};
      load_session s{o.paths, spec, work_dir(o, "c-" + target + "-" + std::to_string(conc))};
      double capacity = conc / 0.2;
      step_spec st;
      st.rate = capacity * 1.5;
      st.count = count_for(st.rate, o.step_seconds);
      st.chats_per_app = 1024;
      st.drain_ms = static_cast<int>(st.count * 1000 / capacity) + 10000;
      rows.push_back(step_row("c", s, st, "capacity " + fmt(capacity, 0) + "/s"));
      say(o, rows.back());
    }
  }
}

// (d) One of ten accounts killed every second while events flow.
void scenario_d(const bench_options& o, std::vector<result_row>& rows) {
  if (!has_target(o, "gateway"))
    return;
  load_session s{o.paths, {"gateway", 10}, work_dir(o, "d-gateway")};
  step_spec st;
  st.rate = 300;
  st.count = count_for(st.rate, 30);
  st.chats_per_app = 8;
  // Each account is killed three times in 30 s: inside its restart budget
  // (5 per minute), so every kill must end in a recovery.
  st.kill_every_ms = 1000;
  st.drain_ms = 20000;
  rows.push_back(step_row("d", s, st, "kill every 1 s"));
  say(o, rows.back());
}

// A few hundred events through two accounts: proves the driver end to end.
void scenario_smoke(const bench_options& o, std::vector<result_row>& rows) {
  for (const auto& target : o.targets) {
    load_session s{o.paths, {target, 2}, work_dir(o, "smoke-" + target)};
    step_spec st;
    st.rate = 200;
    st.count = 300;
    st.chats_per_app = 4;
    rows.push_back(step_row("smoke", s, st, ""));
    say(o, rows.back());
  }
}

// Chaos: 5 websocket accounts under 20 events/s while faults hit every 2 s
// and the target is killed with SIGKILL twice; the mock runs the platform's
// real ClientConfig and its 3 s ACK-timeout re-push. `smoke` is the short
// version of the test suite.
void scenario_chaos(const bench_options& o, std::vector<result_row>& rows, bool smoke) {
  const std::string name = smoke ? "chaos-smoke" : "chaos";
  for (const auto& target : o.targets) {
    if (target == "echo")
      continue;  // no provider, no process to kill
    session_spec spec{target, 5};
    spec.ack_reactions = true;  // the product default: reaction faults apply
    spec.feishu_args = {"--ping-interval", "120", "--reconnect-count", "-1",
                        "--reconnect-interval", "120", "--reconnect-nonce", "30",
                        "--ack-timeout-ms", "3000"};
    load_session s{o.paths, spec, work_dir(o, name + "-" + target)};
    chaos_spec c;
    c.seed = o.seed;
    if (smoke) {
      // One kill, every fault kind: the gateway finds a blackhole by its
      // own 5 s pings, well inside a 60 s drain.
      c.push_s = 20;
      c.kills = {0.5};
      c.drain_ms = 60000;
    }
    auto r = base_row(name, s);
    r.has_chaos = true;
    r.chaos = run_chaos(s, c, o.progress);
    rows.push_back(std::move(r));
    const auto& x = rows.back().chaos;
    if (o.progress)
      o.progress("[" + name + "] " + target + " pushed=" + std::to_string(x.pushed)
                 + " replied=" + std::to_string(x.replied) + " lost=" + std::to_string(x.lost)
                 + " duplicated=" + std::to_string(x.duplicated) + " apologies="
                 + std::to_string(x.apologies) + " reply p99=" + fmt(x.reply.p99, 0) + " ms"
                 + (x.error.empty() ? "" : " error: " + x.error));
  }
}

} // namespace

bool run_scenario(const std::string& name, const bench_options& opts,
                  std::vector<result_row>& rows) {
  if (name == "a")
    scenario_a(opts, rows);
  else if (name == "b")
    scenario_b(opts, rows, true);
  else if (name == "c")
    scenario_c(opts, rows);
  else if (name == "d")
    scenario_d(opts, rows);
  else if (name == "e")
    scenario_b(opts, rows, false);
  else if (name == "smoke")
    scenario_smoke(opts, rows);
  else if (name == "chaos" || name == "chaos-smoke")
    scenario_chaos(opts, rows, name == "chaos-smoke");
  else
    return false;
  return true;
}

} // namespace loong::bench
