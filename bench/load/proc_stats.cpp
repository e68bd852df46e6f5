#include "bench/load/proc_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace loong::bench {

namespace {

std::string proc_path(int pid, const char* leaf) {
  return "/proc/" + (pid == 0 ? std::string{"self"} : std::to_string(pid)) + "/" + leaf;
}

int64_t status_kib(const std::string& text, const std::string& key) {
  auto at = text.find("\n" + key + ":");
  if (at == std::string::npos)
    return 0;
  std::istringstream in{text.substr(at + key.size() + 2)};
  int64_t kib = 0;
  in >> kib;
  return kib;
}

} // namespace

proc_sample sample_process(int pid) {
  proc_sample s;
  std::ifstream stat{proc_path(pid, "stat")};
  std::string line;
  if (std::getline(stat, line)) {
    // Fields after the parenthesised command name, which may hold spaces;
    // utime and stime are fields 14 and 15 of the whole line.
    auto close = line.rfind(')');
    if (close != std::string::npos) {
      std::istringstream in{line.substr(close + 2)};
      std::string field;
      double utime = 0, stime = 0;
      for (int i = 3; i <= 15 && in >> field; ++i) {
        if (i == 14)
          utime = std::stod(field);
        if (i == 15)
          stime = std::stod(field);
      }
      s.cpu_s = (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
  std::ifstream status{proc_path(pid, "status")};
  std::stringstream text;
  text << "\n" << status.rdbuf();
  s.rss_kib = status_kib(text.str(), "VmRSS");
  s.peak_rss_kib = status_kib(text.str(), "VmHWM");
  return s;
}

} // namespace loong::bench
