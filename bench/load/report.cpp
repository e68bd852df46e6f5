#include "bench/load/report.hpp"
#include "bench/load/format.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace loong::bench {

namespace {

double pct(std::vector<double> xs, double q) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(xs.size())));
  return xs[std::clamp<size_t>(rank, 1, xs.size()) - 1];
}

std::string ratio(double num, double den) {
  return den > 0 && num > 0 ? fmt(num / den, 1) + "×" : "—";
}

void write_latency(rapidjson::PrettyWriter<rapidjson::StringBuffer>& w, const char* key,
                   const latency_summary& l) {
  w.Key(key);
  w.StartObject();
  w.Key("p50_ms"), w.Double(l.p50);
  w.Key("p95_ms"), w.Double(l.p95);
  w.Key("p99_ms"), w.Double(l.p99);
  w.Key("max_ms"), w.Double(l.max);
  w.EndObject();
}

void write_doubles(rapidjson::PrettyWriter<rapidjson::StringBuffer>& w, const char* key,
                   const std::vector<double>& xs) {
  w.Key(key);
  w.StartArray();
  for (double v : xs)
    w.Double(v);
  w.EndArray();
}

void write_chaos(rapidjson::PrettyWriter<rapidjson::StringBuffer>& w, const chaos_result& c) {
  w.Key("chaos");
  w.StartObject();
  w.Key("seed"), w.Uint64(c.spec.seed);
  w.Key("rate"), w.Double(c.spec.rate);
  w.Key("push_s"), w.Double(c.spec.push_s);
  w.Key("fault_every_ms"), w.Int(c.spec.fault_every_ms);
  w.Key("drain_limit_ms"), w.Int(c.spec.drain_ms);
  w.Key("pushed"), w.Int64(c.pushed);
  w.Key("acked"), w.Int64(c.acked);
  w.Key("replied"), w.Int64(c.replied);
  w.Key("lost"), w.Int64(c.lost);
  w.Key("duplicated"), w.Int64(c.duplicated);
  w.Key("apologies"), w.Int64(c.apologies);
  write_latency(w, "reply", c.reply);
  write_doubles(w, "reconnect_ms", c.reconnect_ms);
  write_doubles(w, "blackhole_reconnect_ms", c.blackhole_ms);
  w.Key("reconnects_unclean"), w.Int64(c.reconnects_unclean);
  w.Key("reconnects_spanning_kill"), w.Int64(c.reconnects_killed);
  w.Key("reconnects_never"), w.Int64(c.reconnects_never);
  w.Key("blackholes_never"), w.Int64(c.blackholes_never);
  w.Key("redeliveries"), w.Int64(c.redeliveries);
  w.Key("repushes"), w.Int64(c.repushes);
  w.Key("dedup_hits"), w.Int64(c.dedup_hits);
  w.Key("drain_used_ms"), w.Double(c.drain_used_ms);
  w.Key("complete"), w.Bool(c.complete);
  w.Key("error"), w.String(c.error.c_str());
  w.Key("faults");
  w.StartArray();
  for (const auto& e : c.events) {
    w.StartObject();
    w.Key("t_ms"), w.Double(e.t_ms);
    w.Key("kind"), w.String(e.kind.c_str());
    w.Key("app_id"), w.String(e.app_id.c_str());
    w.Key("detail"), w.String(e.detail.c_str());
    w.EndObject();
  }
  w.EndArray();
  w.Key("lost_ids");
  w.StartArray();
  for (const auto& l : c.lost_ids) {
    w.StartObject();
    w.Key("message_id"), w.String(l.message_id.c_str());
    w.Key("app_id"), w.String(l.app_id.c_str());
    w.Key("pushed_ms"), w.Double(l.pushed_ms);
    w.Key("acked"), w.Bool(l.acked);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

std::string results_json(const std::vector<result_row>& rows, const std::string& machine) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("machine"), w.String(machine.c_str());
  w.Key("rows");
  w.StartArray();
  for (const auto& r : rows) {
    w.StartObject();
    w.Key("scenario"), w.String(r.scenario.c_str());
    w.Key("target"), w.String(r.target.c_str());
    w.Key("accounts"), w.Uint64(r.accounts);
    w.Key("max_concurrency"), w.Int(r.max_concurrency);
    w.Key("ark_delay_ms"), w.Int(r.ark_delay_ms);
    w.Key("cold_start_ms"), w.Double(r.cold_start_ms);
    w.Key("connected_rss_kib"), w.Int64(r.connected_rss_kib);
    w.Key("note"), w.String(r.note.c_str());
    if (r.has_step) {
      const auto& s = r.step;
      w.Key("rate"), w.Double(s.spec.rate);
      w.Key("count"), w.Int64(s.spec.count);
      w.Key("chats_per_app"), w.Int64(s.spec.chats_per_app);
      w.Key("pushed"), w.Int64(s.pushed);
      w.Key("acked"), w.Int64(s.acked);
      w.Key("answered"), w.Int64(s.answered);
      w.Key("duplicates"), w.Int64(s.duplicates);
      w.Key("unanswered"), w.Int64(s.unanswered);
      w.Key("complete"), w.Bool(s.complete);
      w.Key("answered_per_s"), w.Double(s.answered_per_s);
      write_latency(w, "e2e", s.e2e);
      write_latency(w, "ack", s.ack);
      w.Key("cpu_s"), w.Double(s.cpu_s);
      w.Key("rss_kib"), w.Int64(s.rss_kib);
      w.Key("peak_rss_kib"), w.Int64(s.peak_rss_kib);
      w.Key("recovery_ms");
      w.StartArray();
      for (double v : s.recovery_ms)
        w.Double(v);
      w.EndArray();
      w.Key("error"), w.String(s.error.c_str());
    }
    if (r.has_chaos)
      write_chaos(w, r.chaos);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::vector<const result_row*> select(const std::vector<result_row>& rows,
                                      const std::string& scenario) {
  std::vector<const result_row*> out;
  for (const auto& r : rows)
    if (r.scenario == scenario)
      out.push_back(&r);
  return out;
}

double mib(int64_t kib) {
  return static_cast<double>(kib) / 1024.0;
}

void table_a(std::ostream& md, const std::vector<result_row>& rows) {
  auto a = select(rows, "a");
  if (a.empty())
    return;
  md << "### (a) One account, rising rate\n\n"
     << "| target | offered/s | answered/s | e2e p50 ms | p95 | p99 | max | ACK p99 ms | CPU s | "
        "lost | dup | note |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  std::map<std::string, double> ceiling, half_p99;
  for (const auto* r : a) {
    const auto& s = r->step;
    if (!r->has_step) {
      md << "| " << r->target << " | | | | | | | | | | | " << r->note << " |\n";
      continue;
    }
    md << "| " << r->target << " | " << fmt(s.spec.rate, 0) << " | " << fmt(s.answered_per_s, 0)
       << " | " << fmt(s.e2e.p50, 2) << " | " << fmt(s.e2e.p95, 2) << " | " << fmt(s.e2e.p99, 2)
       << " | " << fmt(s.e2e.max, 1) << " | " << fmt(s.ack.p99, 2) << " | " << fmt(s.cpu_s, 2)
       << " | " << s.unanswered << " | " << s.duplicates << " | "
       << (s.complete ? r->note : r->note + ", behind") << " |\n";
    if (r->note == "ladder" && s.complete)
      ceiling[r->target] = std::max(ceiling[r->target], s.answered_per_s);
    if (r->note == "half-ceiling")
      half_p99[r->target] = s.e2e.p99;
  }
  md << "\nThroughput ceiling (highest answered/s of a step with every event answered): "
     << "gateway " << fmt(ceiling["gateway"], 0) << "/s, SDK baseline " << fmt(ceiling["sdk"], 0)
     << "/s, echo lower bound " << fmt(ceiling["echo"], 0) << "/s; gateway vs SDK "
     << ratio(ceiling["gateway"], ceiling["sdk"]) << ". At half its ceiling the gateway's p99 "
     << "end-to-end latency is " << fmt(half_p99["gateway"], 2) << " ms (SDK: "
     << fmt(half_p99["sdk"], 2) << " ms).\n\n";
}

void table_b(std::ostream& md, const std::vector<result_row>& rows) {
  auto b = select(rows, "b");
  if (b.empty())
    return;
  md << "### (b) Accounts 1 → 1000 at 200 events/s in total\n\n"
     << "| target | accounts | cold start ms | RSS connected MiB | RSS/account KiB | peak RSS MiB "
        "| e2e p50 ms | p99 | CPU s | lost | dup | note |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  std::map<std::pair<std::string, size_t>, int64_t> rss;
  for (const auto* r : b) {
    const auto& s = r->step;
    rss[{r->target, r->accounts}] = r->connected_rss_kib;
    md << "| " << r->target << " | " << r->accounts << " | " << fmt(r->cold_start_ms, 0) << " | "
       << fmt(mib(r->connected_rss_kib), 1) << " | "
       << fmt(static_cast<double>(r->connected_rss_kib) / std::max<size_t>(1, r->accounts), 0)
       << " | " << fmt(mib(s.peak_rss_kib), 1) << " | " << fmt(s.e2e.p50, 2) << " | "
       << fmt(s.e2e.p99, 2) << " | " << fmt(s.cpu_s, 2) << " | " << s.unanswered << " | "
       << s.duplicates << " | " << r->note << (r->has_step && !s.complete ? " behind" : "")
       << " |\n";
  }
  md << "\nRSS with every account connected, SDK baseline vs gateway: ";
  for (size_t n : {1, 10, 100})
    md << n << " accounts " << ratio(static_cast<double>(rss[{"sdk", n}]),
                                     static_cast<double>(rss[{"gateway", n}]))
       << (n == 100 ? ".\n\n" : ", ");
}

void table_c(std::ostream& md, const std::vector<result_row>& rows) {
  auto c = select(rows, "c");
  if (c.empty())
    return;
  md << "### (c) Provider answering after 200 ms\n\n"
     << "Offered at 1.5× the capacity `max_concurrency / 0.2 s`; answered/s should meet "
        "the capacity.\n\n"
     << "| target | max_concurrency | capacity/s | offered/s | answered/s | of capacity | "
        "e2e p50 ms | p99 | lost | dup |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto* r : c) {
    const auto& s = r->step;
    double capacity = r->max_concurrency / 0.2;
    md << "| " << r->target << " | " << r->max_concurrency << " | " << fmt(capacity, 0) << " | "
       << fmt(s.spec.rate, 0) << " | " << fmt(s.answered_per_s, 0) << " | "
       << fmt(100.0 * s.answered_per_s / capacity, 0) << " % | " << fmt(s.e2e.p50, 0) << " | "
       << fmt(s.e2e.p99, 0) << " | " << s.unanswered << " | " << s.duplicates << " |\n";
  }
  md << "\n";
}

void table_d(std::ostream& md, const std::vector<result_row>& rows) {
  auto d = select(rows, "d");
  if (d.empty())
    return;
  md << "### (d) One of ten accounts killed every second under 300 events/s\n\n"
     << "| target | kills | recovery p50 ms | p99 | max | pushed | answered | lost | dup | "
        "e2e p50 ms | p99 | error |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto* r : d) {
    const auto& s = r->step;
    md << "| " << r->target << " | " << s.recovery_ms.size() << " | "
       << fmt(pct(s.recovery_ms, 0.5), 0) << " | " << fmt(pct(s.recovery_ms, 0.99), 0) << " | "
       << fmt(pct(s.recovery_ms, 1.0), 0) << " | " << s.pushed << " | " << s.answered << " | "
       << s.unanswered << " | " << s.duplicates << " | " << fmt(s.e2e.p50, 2) << " | "
       << fmt(s.e2e.p99, 1) << " | " << (s.error.empty() ? r->note : s.error) << " |\n";
  }
  md << "\nThe SDK baseline has no per-account restart: a crash takes the whole process "
        "and every account with it, so (d) has no baseline row.\n\n";
}

void table_e(std::ostream& md, const std::vector<result_row>& rows) {
  std::vector<const result_row*> e;
  for (const auto& r : rows)
    if (r.scenario == "b" || r.scenario == "e")
      e.push_back(&r);
  if (e.empty())
    return;
  md << "### (e) Cold start: process start to every account connected\n\n"
     << "| target | accounts | cold start ms | RSS connected MiB |\n|---|---|---|---|\n";
  for (const auto* r : e)
    md << "| " << r->target << " | " << r->accounts << " | " << fmt(r->cold_start_ms, 0) << " | "
       << fmt(mib(r->connected_rss_kib), 1) << " |\n";
  md << "\n";
}

void table_smoke(std::ostream& md, const std::vector<result_row>& rows) {
  auto s = select(rows, "smoke");
  if (s.empty())
    return;
  md << "### Smoke\n\n| target | answered | lost | dup | e2e p99 ms |\n|---|---|---|---|---|\n";
  for (const auto* r : s)
    md << "| " << r->target << " | " << r->step.answered << " | " << r->step.unanswered << " | "
       << r->step.duplicates << " | " << fmt(r->step.e2e.p99, 2) << " |\n";
  md << "\n";
}

std::string pair_cell(const std::vector<double>& xs, int64_t left_out) {
  std::string cell = xs.empty() ? "—" : fmt(pct(xs, 0.5), 0) + " / " + fmt(pct(xs, 0.99), 0);
  cell += " (n=" + std::to_string(xs.size());
  if (left_out > 0)
    cell += ", " + std::to_string(left_out) + " never";
  return cell + ")";
}

// The faults of the same app (and the kills) in the `window_ms` before a
// lost message was pushed and while it waited: what a reader checks first.
std::string suspects(const chaos_result& c, const lost_message& l, double window_ms) {
  std::string out;
  for (const auto& e : c.events) {
    if (e.t_ms < l.pushed_ms - window_ms || (e.app_id != l.app_id && e.app_id != "*"))
      continue;
    if (e.t_ms > l.pushed_ms + window_ms)
      break;
    out += (out.empty() ? "" : ", ") + e.kind + " @" + fmt(e.t_ms / 1000.0, 1) + " s";
  }
  return out.empty() ? "none within " + fmt(window_ms / 1000.0, 0) + " s" : out;
}

void table_chaos(std::ostream& md, const std::vector<result_row>& rows,
                 const std::string& scenario, const std::string& title) {
  auto c = select(rows, scenario);
  if (c.empty())
    return;
  md << "### " << title << "\n\n"
     << "| target | replied | lost | duplicated | apologies | reply latency p50 / p99 / max ms "
        "| reconnect time p50 / p99 ms | blackhole reconnect p50 / p99 ms |\n"
        "|---|---|---|---|---|---|---|---|\n";
  for (const auto* r : c) {
    const auto& x = r->chaos;
    if (!r->has_chaos || (!x.error.empty() && x.pushed == 0)) {
      md << "| " << r->target << " | | | | | | | " << (x.error.empty() ? r->note : x.error)
         << " |\n";
      continue;
    }
    md << "| " << r->target << " | " << x.replied << " / " << x.pushed << " | " << x.lost << " | "
       << x.duplicated << " | " << x.apologies << " | " << fmt(x.reply.p50, 0) << " / "
       << fmt(x.reply.p99, 0) << " / " << fmt(x.reply.max, 0) << " | "
       << pair_cell(x.reconnect_ms, x.reconnects_never) << " | "
       << pair_cell(x.blackhole_ms, x.blackholes_never) << " |\n";
  }
  md << "\n";
  for (const auto* r : c) {
    const auto& x = r->chaos;
    if (!r->has_chaos)
      continue;
    std::map<std::string, int> kinds;
    for (const auto& e : x.events)
      ++kinds[e.kind];
    md << "- **" << r->target << "**: " << x.events.size() << " faults and kills (";
    bool first = true;
    for (const auto& [k, n] : kinds) {
      md << (first ? "" : ", ") << k << " " << n;
      first = false;
    }
    md << "); drain " << fmt(x.drain_used_ms / 1000.0, 1) << " s of "
       << fmt(x.spec.drain_ms / 1000.0, 0) << (x.complete ? " s" : " s (limit reached)")
       << "; platform re-deliveries " << x.redeliveries << ", ACK-timeout re-pushes "
       << x.repushes << ", same-uuid retries absorbed " << x.dedup_hits
       << "; reconnects left out of the times: " << x.reconnects_unclean
       << " behind a bootstrap fault, " << x.reconnects_killed << " across a kill."
       << (x.error.empty() ? "" : " Error: " + x.error) << "\n";
    const size_t shown = 10;
    for (size_t i = 0; i < x.lost_ids.size() && i < shown; ++i) {
      const auto& l = x.lost_ids[i];
      md << "  - lost `" << l.message_id << "` (" << l.app_id << ", pushed at "
         << fmt(l.pushed_ms / 1000.0, 1) << " s, " << (l.acked ? "ACKed" : "never ACKed")
         << "); faults on its app and kills within 10 s: " << suspects(x, l, 10000) << "\n";
    }
    if (x.lost_ids.size() > shown)
      md << "  - … " << x.lost_ids.size() - shown
         << " more lost messages: every id and the whole fault log (time, kind, app) are in "
            "results.json\n";
  }
  md << "\n";
}

void write_dat(const std::string& dir, const std::vector<result_row>& rows) {
  std::map<std::string, std::ofstream> a, b;
  for (const auto& r : rows) {
    if (r.scenario == "a" && r.has_step && r.note == "ladder" && r.step.complete) {
      auto& f = a[r.target];
      if (!f.is_open())
        f.open(dir + "/a-" + r.target + ".dat"), f << "# offered answered p50 p95 p99 max\n";
      f << r.step.spec.rate << ' ' << r.step.answered_per_s << ' ' << r.step.e2e.p50 << ' '
        << r.step.e2e.p95 << ' ' << r.step.e2e.p99 << ' ' << r.step.e2e.max << '\n';
    }
    if ((r.scenario == "b" || r.scenario == "e") && r.connected_rss_kib > 0) {
      auto& f = b[r.target];
      if (!f.is_open())
        f.open(dir + "/b-" + r.target + ".dat"), f << "# accounts rss_mib cold_start_ms\n";
      f << r.accounts << ' ' << mib(r.connected_rss_kib) << ' ' << r.cold_start_ms << '\n';
    }
  }
}

} // namespace

std::string write_report(const std::string& dir, const std::vector<result_row>& rows,
                         const std::string& machine) {
  std::ofstream json{dir + "/results.json", std::ios::trunc};
  json << results_json(rows, machine) << "\n";
  std::ofstream md{dir + "/tables.md", std::ios::trunc};
  table_a(md, rows);
  table_b(md, rows);
  table_c(md, rows);
  table_d(md, rows);
  table_e(md, rows);
  table_smoke(md, rows);
  // Chaos tables go to their own file and block of docs/benchmarks.md, so a
  // chaos-only run does not replace the other tables (bench/run.sh).
  std::ofstream chaos_md{dir + "/chaos.md", std::ios::trunc};
  table_chaos(chaos_md, rows, "chaos", "Chaos: faults every 2 s and two kill -9 under load");
  table_chaos(chaos_md, rows, "chaos-smoke", "Chaos, short version (the test suite's)");
  write_dat(dir, rows);
  if (!json || !md || !chaos_md)
    return "could not write the report into " + dir;
  return {};
}

} // namespace loong::bench
