#include "bench/load/chaos.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include <rapidjson/document.h>

#include "bench/load/format.hpp"
#include "tests/support/mock_process.hpp"

namespace loong::bench {

namespace {

using clock_type = std::chrono::steady_clock;

double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// The fault mix, drawn uniformly. Bootstrap faults are armed for one app and
// that app's connection is dropped at once, so they hit its reconnect now
// rather than whenever it next happens to reconnect.
const char* const connection_kinds[] = {"conn_drop", "conn_close", "conn_blackhole"};
const char* const other_kinds[] = {
  // bootstrap
  "handshake_514", "handshake_5xx", "discovery_500", "discovery_hang", "discovery_busy",
  // reply calls (and the reaction the gateway adds)
  "reply_500", "reply_429", "reply_token_invalid", "reply_drop", "reaction_fault",
  // provider
  "ark_500", "ark_429", "ark_stall"};

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  if (d.HasParseError() || !d.IsObject())
    d.SetObject();
  return d;
}

int64_t int_of(const rapidjson::Value& v, const char* k) {
  return v.IsObject() && v.HasMember(k) && v[k].IsInt64() ? v[k].GetInt64() : 0;
}

std::string str_of(const rapidjson::Value& v, const char* k) {
  return v.IsObject() && v.HasMember(k) && v[k].IsString() ? v[k].GetString() : "";
}

/// Arms and fires faults on the two mocks; each call returns a detail line
/// for the fault log (what the mock answered).
class fault_injector {
public:
  fault_injector(std::string feishu, std::string ark, uint64_t seed)
    : feishu_(std::move(feishu)), ark_(std::move(ark)), rng_(seed) {}

  /// Draws a kind from the mix and an app from `apps`.
  std::pair<std::string, std::string> draw(bool blackholes, const std::vector<std::string>& apps) {
    std::vector<std::string> kinds;
    for (const char* k : connection_kinds)
      if (blackholes || std::string{k} != "conn_blackhole")
        kinds.emplace_back(k);
    kinds.insert(kinds.end(), std::begin(other_kinds), std::end(other_kinds));
    auto kind = kinds[pick(kinds.size())];
    auto app = apps[pick(apps.size())];
    // mock_ark's faults hit its next request, whichever account sends it.
    return {kind, kind.rfind("ark_", 0) == 0 ? "*" : app};
  }

  std::string apply(const std::string& kind, const std::string& app) {
    if (kind == "conn_drop")
      return drop(app, false);
    if (kind == "conn_close")
      return drop(app, true);
    if (kind == "conn_blackhole")
      return post(feishu_ + "/_mock/connections/blackhole", R"({"app_id":")" + app + "\"}",
                  "blackholed");
    if (kind == "handshake_514")
      // Server-side auth failure: retryable by the spec's §6.9 table.
      return post(feishu_ + "/_mock/ws/refuse",
                  R"({"app_id":")" + app + R"(","status":403,"handshake_status":514,)"
                    R"("handshake_msg":"auth failed","autherrcode":1000040351})",
                  "")
             + "handshake 403/Handshake-Status 514 x1 armed; " + drop(app, false);
    if (kind == "handshake_5xx")
      return post(feishu_ + "/_mock/ws/refuse",
                  R"({"app_id":")" + app
                    + R"(","status":502,"handshake_status":"","handshake_msg":""})",
                  "")
             + "handshake 502 x1 armed; " + drop(app, false);
    if (kind == "discovery_500")
      return fault("discovery", "http:500", app, 1) + drop(app, false);
    if (kind == "discovery_hang")
      return fault("discovery", "hang", app, 1) + drop(app, false);
    if (kind == "discovery_busy")
      return fault("discovery", pick(2) ? "1" : "1000040343", app, 1) + drop(app, false);
    if (kind == "reply_500")
      return fault("reply", "server_error", app, 1);
    if (kind == "reply_429")
      return fault("reply", "rate_limit", app, 1);
    if (kind == "reply_token_invalid")
      return fault("reply", "token_invalid", app, 1 + static_cast<int>(pick(2)));
    if (kind == "reply_drop")
      // Twice sometimes: HTTP clients resend once on a reused connection
      // that closed without a byte, so one drop alone is often invisible.
      return fault("reply", "drop", app, 1 + static_cast<int>(pick(2)));
    if (kind == "reaction_fault") {
      static const char* const kinds[] = {"server_error", "rate_limit", "token_invalid", "drop"};
      return fault("reaction", kinds[pick(4)], app, 1);
    }
    if (kind == "ark_500")
      return post(ark_ + "/_mock/faults", R"({"kind":"500"})", "ark 500 for the next request");
    if (kind == "ark_429")
      return post(ark_ + "/_mock/faults", R"({"kind":"429"})", "ark 429 for the next request");
    if (kind == "ark_stall")
      return post(ark_ + "/_mock/faults", R"({"kind":"delay:4000"})",
                  "ark answers the next request after 4 s");
    return "unknown fault kind";
  }

private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>{0, n - 1}(rng_); }

  // POSTs a control call; `what` names the count field to report, or the
  // fixed text of a call without one.
  std::string post(const std::string& url, const std::string& body, const std::string& what) {
    auto r = test::http_call("POST", url, body);
    if (r.status != 200)
      return "control call failed (" + std::to_string(r.status) + " " + r.body + "); ";
    auto d = parse(r.body);
    if (d.HasMember(what.c_str()))
      return what + " " + std::to_string(int_of(d, what.c_str())) + "; ";
    return what.empty() ? std::string{} : what + "; ";
  }

  std::string fault(const std::string& endpoint, const std::string& kind, const std::string& app,
                    int count) {
    return post(feishu_ + "/_mock/faults",
                R"({"endpoint":")" + endpoint + R"(","kind":")" + kind + R"(","app_id":")" + app
                  + R"(","count":)" + std::to_string(count) + "}",
                "")
           + endpoint + " " + kind + " x" + std::to_string(count) + " armed; ";
  }

  std::string drop(const std::string& app, bool graceful) {
    return post(feishu_ + "/_mock/connections/drop",
                R"({"app_id":")" + app + R"(","graceful":)" + (graceful ? "true" : "false") + "}",
                "dropped");
  }

  std::string feishu_, ark_;
  std::mt19937_64 rng_;
};

// A planned action of the timeline.
struct action {
  double t_ms;
  enum { fault, kill, restart } what;
};

int64_t mock_now_ms(const std::string& feishu) {
  return int_of(parse(test::http_call("GET", feishu + "/_mock/reconnects").body), "now_ms");
}

// Waits until nothing is left to re-deliver and the reply count held still
// for a second (a late duplicate would show up here), at most `cap_ms`.
void settle(const std::string& feishu, int cap_ms) {
  auto until = clock_type::now() + std::chrono::milliseconds{cap_ms};
  int64_t last = -1;
  int quiet = 0;
  while (clock_type::now() < until && quiet < 5) {
    auto st = parse(test::http_call("GET", feishu + "/_mock/stats").body);
    auto replies = int_of(st, "replies");
    bool idle = int_of(st, "outstanding") == 0 && int_of(st, "pending") == 0;
    quiet = idle && replies == last ? quiet + 1 : 0;
    last = replies;
    // Polling a counter that has no waitable "stable" state; bounded above.
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
  }
}

void read_reconnects(const std::string& feishu, const std::vector<int64_t>& kills_ms,
                     chaos_result& out) {
  auto d = parse(test::http_call("GET", feishu + "/_mock/reconnects").body);
  if (!d.HasMember("reconnects") || !d["reconnects"].IsArray())
    return;
  for (const auto& r : d["reconnects"].GetArray()) {
    auto fault = int_of(r, "fault_ms");
    auto reopened = int_of(r, "reopened_ms");
    bool blackhole = str_of(r, "kind") == "blackhole";
    bool clean = r.HasMember("clean") && r["clean"].IsBool() && r["clean"].GetBool();
    bool killed = std::any_of(kills_ms.begin(), kills_ms.end(), [&](int64_t k) {
      return fault <= k && (reopened < 0 || reopened >= k);
    });
    if (killed)
      ++out.reconnects_killed;
    else if (reopened < 0)
      ++(blackhole ? out.blackholes_never : out.reconnects_never);
    else if (!clean)
      ++out.reconnects_unclean;
    else
      (blackhole ? out.blackhole_ms : out.reconnect_ms).push_back(static_cast<double>(reopened - fault));
  }
}

} // namespace

chaos_result run_chaos(load_session& s, const chaos_spec& spec,
                       const std::function<void(const std::string&)>& progress) {
  chaos_result out;
  out.spec = spec;
  if (!s.ok()) {
    out.error = s.error();
    return out;
  }
  const auto feishu = s.feishu_url();
  const auto total = std::max<int64_t>(1, static_cast<int64_t>(spec.rate * spec.push_s));
  const double push_ms = static_cast<double>(total) * 1000.0 / spec.rate;

  std::vector<action> plan;
  for (double t = spec.fault_every_ms; t < push_ms; t += spec.fault_every_ms)
    plan.push_back({t, action::fault});
  for (double f : spec.kills) {
    plan.push_back({push_ms * f, action::kill});
    plan.push_back({push_ms * f + spec.restart_after_ms, action::restart});
  }
  std::stable_sort(plan.begin(), plan.end(),
                   [](const action& a, const action& b) { return a.t_ms < b.t_ms; });

  auto start = test::http_call("POST", feishu + "/_mock/load",
                               "{\"rate\":" + std::to_string(spec.rate) + ",\"count\":"
                                 + std::to_string(total) + ",\"chats_per_app\":"
                                 + std::to_string(spec.chats_per_app) + "}");
  if (start.status != 200) {
    out.error = "load start refused: " + start.body;
    return out;
  }
  const auto t0 = clock_type::now();
  fault_injector inject{feishu, s.ark_url(), spec.seed};
  std::vector<int64_t> kills_mock_ms;
  auto log = [&](const std::string& kind, const std::string& app, const std::string& detail) {
    out.events.push_back({ms_between(t0, clock_type::now()), kind, app, detail});
    if (progress)
      progress("[chaos] t=" + fmt(out.events.back().t_ms / 1000.0, 1) + "s " + kind + " "
               + app + " " + detail);
  };
  for (const auto& a : plan) {
    // Pacing the faults is the scenario itself, not synchronisation.
    std::this_thread::sleep_until(t0 + std::chrono::microseconds{
                                         static_cast<int64_t>(a.t_ms * 1000.0)});
    std::string err;
    if (a.what == action::fault) {
      auto [kind, app] = inject.draw(spec.blackholes, s.app_ids());
      log(kind, app, inject.apply(kind, app));
    } else if (a.what == action::kill) {
      kills_mock_ms.push_back(mock_now_ms(feishu));
      bool ok = s.target()->crash(err);
      log("kill -9", "*", ok ? "process killed" : "FAILED: " + err);
      if (!ok && out.error.empty())
        out.error = err;
    } else {
      bool ok = s.target()->restart(err);
      log("restart", "*", ok ? "same config and home" : "FAILED: " + err);
      if (!ok && out.error.empty())
        out.error = err;
    }
  }

  // Drain: every message answered, or the deadline.
  const auto push_end = t0 + std::chrono::microseconds{static_cast<int64_t>(push_ms * 1000.0)};
  std::this_thread::sleep_until(push_end);
  const auto deadline = push_end + std::chrono::milliseconds{spec.drain_ms};
  while (clock_type::now() < deadline) {
    auto left = static_cast<int64_t>(ms_between(clock_type::now(), deadline));
    auto wait_ms = std::clamp<int64_t>(left, 1, 120000);
    auto w = test::http_call("GET", feishu + "/_mock/wait?kind=load_answered&count="
                                      + std::to_string(total)
                                      + "&timeout_ms=" + std::to_string(wait_ms),
                             {}, {}, static_cast<int>(wait_ms) + 5000);
    if (w.status == 200) {
      out.complete = true;
      break;
    }
    if (w.status != 408)
      break;  // the mock is gone or answers nonsense: report what it has
  }
  out.drain_used_ms = std::max(0.0, ms_between(push_end, clock_type::now()));
  if (out.complete)
    settle(feishu, 15000);
  else
    test::http_call("POST", feishu + "/_mock/load", R"({"stop":true})");

  auto rep = parse(test::http_call("GET", feishu + "/_mock/load?unanswered=1").body);
  out.pushed = int_of(rep, "pushed");
  out.acked = int_of(rep, "acked");
  out.replied = int_of(rep, "answered");
  out.lost = int_of(rep, "unanswered");
  out.duplicated = int_of(rep, "duplicates");
  out.apologies = int_of(rep, "apologies");
  if (rep.HasMember("e2e") && rep["e2e"].IsObject()) {
    const auto& e = rep["e2e"];
    auto num = [&e](const char* k) {
      return e.HasMember(k) && e[k].IsNumber() ? e[k].GetDouble() : 0.0;
    };
    out.reply = {num("p50_ms"), num("p95_ms"), num("p99_ms"), num("max_ms")};
  }
  if (rep.HasMember("unanswered_ids") && rep["unanswered_ids"].IsArray())
    for (const auto& u : rep["unanswered_ids"].GetArray())
      out.lost_ids.push_back({str_of(u, "message_id"), str_of(u, "app_id"),
                              u.HasMember("pushed_ms") && u["pushed_ms"].IsNumber()
                                ? u["pushed_ms"].GetDouble()
                                : 0.0,
                              u.HasMember("acked") && u["acked"].IsBool() && u["acked"].GetBool()});
  read_reconnects(feishu, kills_mock_ms, out);
  auto st = parse(test::http_call("GET", feishu + "/_mock/stats").body);
  out.redeliveries = int_of(st, "redeliveries");
  out.repushes = int_of(st, "repushes");
  out.dedup_hits = int_of(st, "dedup_hits");
  if (out.pushed != total && out.error.empty())
    out.error = "pushed " + std::to_string(out.pushed) + " of " + std::to_string(total);
  return out;
}

} // namespace loong::bench
