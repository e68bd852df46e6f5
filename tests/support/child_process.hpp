#pragma once

#include <map>
#include <string>
#include <vector>

namespace loong::test {

/// A long-running child (e.g. `loong gateway run`) whose stdout and stderr
/// go to files; killed with SIGKILL at destruction if still running.
class child_process {
public:
  child_process(const std::vector<std::string>& argv,
                const std::map<std::string, std::string>& env,
                const std::string& log_prefix);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  int pid() const { return pid_; }
  /// Sends `signo`.
  void signal(int signo);
  /// Waits up to `timeout_ms` for the exit; the exit code, 128 + signal,
  /// or -1 on timeout.
  int wait(int timeout_ms);
  /// Everything written to stdout / stderr so far.
  std::string out() const;
  std::string err() const;

private:
  int pid_ = -1;
  int status_ = -1;
  std::string out_path_;
  std::string err_path_;
};

} // namespace loong::test
