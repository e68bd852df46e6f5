// loong_load: the load driver of docs/benchmarks.md. Starts the mocks and a
// target (the gateway, the official-SDK baseline or the in-process echo),
// runs the scenarios and writes results.json, tables.md and plot data.

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/load/report.hpp"
#include "bench/load/scenarios.hpp"

namespace {

constexpr const char* usage =
  "usage: loong_load [--scenario a|b|c|d|e|chaos|smoke|chaos-smoke|all[,...]]\n"
  "                  [--targets gateway,sdk,echo] [--out DIR] [--step-seconds S]\n"
  "                  [--build-dir DIR] [--source-dir DIR] [--node-cache DIR] [--chats N]\n"
  "                  [--seed N]\n"
  "\n"
  "Runs the load scenarios of docs/benchmarks.md against mock_feishu + mock_ark.\n"
  "  a  one account, rising rate until the target falls behind (throughput ceiling)\n"
  "  b  1, 10, 100, 1000 accounts at 200 events/s (memory, latency, cold start)\n"
  "  c  provider latency 200 ms at max_concurrency 16, 64, 256\n"
  "  d  ten accounts, one killed every second under load (gateway only)\n"
  "  e  cold start only (1..1000 accounts)\n"
  "  chaos  five accounts at 20 events/s for 120 s; a random platform fault every 2 s\n"
  "         (connection drop/close/blackhole, refused handshakes, discovery errors,\n"
  "         reply/reaction errors, provider 500/429/stall; seeded by --seed, default 11)\n"
  "         and kill -9 + restart of the target at 1/3 and 2/3; drains up to 180 s and\n"
  "         counts replied, lost, duplicated, apologies (gateway and sdk only)\n"
  "  smoke  300 events through two accounts (the test suite runs this)\n"
  "  chaos-smoke  chaos for 20 s with one kill and no blackholes, drain up to 60 s\n"
  "'all' is a, b, c, d and chaos.\n"
  "Writes DIR/results.json, DIR/tables.md, DIR/chaos.md and DIR/*.dat (default DIR: bench-out).\n"
  "Exit 0 when every step answered every event exactly once, 1 otherwise, 2 on usage errors.\n";

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in{s};
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty())
      out.push_back(item);
  return out;
}

std::string machine_line() {
  utsname u{};
  uname(&u);
  std::string cpu;
  std::ifstream info{"/proc/cpuinfo"};
  for (std::string line; std::getline(info, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  long mem_kib = 0;
  std::ifstream meminfo{"/proc/meminfo"};
  std::string key;
  meminfo >> key >> mem_kib;
  return std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " cores (" + cpu + "), "
         + std::to_string(mem_kib / 1024 / 1024) + " GiB RAM, " + u.sysname + " " + u.release;
}

int usage_error(const std::string& msg) {
  std::cerr << "error: " << msg << "\n" << usage;
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  using namespace loong::bench;
  // Children are ours to stop; a closed pipe must not kill the driver.
  std::signal(SIGPIPE, SIG_IGN);
  bench_options o;
  o.paths.build_dir = LOONG_LOAD_BUILD_DIR;
  o.paths.source_dir = LOONG_LOAD_SOURCE_DIR;
  o.out_dir = "bench-out";
  std::vector<std::string> scenarios{"smoke"};
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << usage;
      return 0;
    }
    if (i + 1 >= argc)
      return usage_error("flag " + flag + " needs a value");
    std::string v = argv[++i];
    if (flag == "--scenario")
      scenarios = v == "all" ? std::vector<std::string>{"a", "b", "c", "d", "chaos"} : split(v);
    else if (flag == "--targets")
      o.targets = split(v);
    else if (flag == "--out")
      o.out_dir = v;
    else if (flag == "--build-dir")
      o.paths.build_dir = v;
    else if (flag == "--source-dir")
      o.paths.source_dir = v;
    else if (flag == "--node-cache")
      o.paths.node_cache = v;
    else if (flag == "--seed") {
      try {
        o.seed = std::stoull(v);
      } catch (...) {
        return usage_error("--seed wants a non-negative integer, got " + v);
      }
    } else if (flag == "--chats") {
      try {
        o.chats = std::stoll(v);
      } catch (...) {
        o.chats = 0;
      }
      if (o.chats < 1 || o.chats > 100000)
        return usage_error("--chats wants a count in [1, 100000], got " + v);
    } else if (flag == "--step-seconds") {
      try {
        o.step_seconds = std::stod(v);
      } catch (...) {
        o.step_seconds = 0;
      }
      if (!(o.step_seconds >= 0.5 && o.step_seconds <= 60))
        return usage_error("--step-seconds wants a number in [0.5, 60], got " + v);
    } else
      return usage_error("unknown flag " + flag);
  }
  for (const auto& t : o.targets)
    if (t != "gateway" && t != "sdk" && t != "echo")
      return usage_error("--targets: unknown target " + t + " (gateway, sdk, echo)");
  if (o.paths.node_cache.empty())
    o.paths.node_cache = o.paths.build_dir + "/node-sdk";
  std::string why;
  if (std::find(o.targets.begin(), o.targets.end(), "sdk") != o.targets.end()
      && !sdk_available(o.paths, why)) {
    std::cerr << "note: the SDK baseline is skipped: " << why << "\n";
    o.targets.erase(std::find(o.targets.begin(), o.targets.end(), "sdk"));
  }
  ::mkdir(o.out_dir.c_str(), 0755);
  o.progress = [](const std::string& line) { std::cerr << line << std::endl; };
  std::vector<result_row> rows;
  for (const auto& s : scenarios)
    if (!run_scenario(s, o, rows))
      return usage_error("--scenario: unknown scenario " + s);
  if (auto err = write_report(o.out_dir, rows, machine_line()); !err.empty()) {
    std::cerr << "error: " << err << "\n";
    return 1;
  }
  // Ladder steps past the ceiling fall behind by design; every other step
  // must answer every event exactly once.
  int failed = 0;
  for (const auto& r : rows) {
    bool ladder_tail = r.scenario == "a" && r.note == "ladder";
    bool bad = !r.step.error.empty() || (!r.has_step && !r.note.empty() && r.connected_rss_kib == 0)
               || (r.has_step && (r.step.duplicates > 0 || (!ladder_tail && !r.step.complete)));
    if (r.has_chaos) {
      const auto& c = r.chaos;
      bad = !c.error.empty() || c.pushed == 0 || c.lost > 0 || c.duplicated > 0;
      if (bad)
        std::cerr << "FAILED: scenario " << r.scenario << " target " << r.target << ": "
                  << c.lost << " lost, " << c.duplicated << " duplicated of " << c.pushed
                  << (c.error.empty() ? "" : "; " + c.error) << "\n";
      failed += bad ? 1 : 0;
      continue;
    }
    if (bad) {
      ++failed;
      std::cerr << "FAILED: scenario " << r.scenario << " target " << r.target << ": "
                << (r.step.error.empty() ? r.note : r.step.error) << "\n";
    }
  }
  std::cerr << "wrote " << o.out_dir << "/results.json and tables.md (" << rows.size()
            << " rows)\n";
  return failed ? 1 : 0;
}
