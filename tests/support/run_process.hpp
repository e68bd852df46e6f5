#pragma once

#include <map>
#include <string>
#include <vector>

namespace loong::test {

/// Exit code and captured output of a finished child process.
struct process_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `argv` to completion (killed after `timeout_s`), with `env` added to
/// (or, for empty values, removed from) the current environment.
process_result run_process(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env = {},
                           int timeout_s = 60);

/// Absolute path of the built `loong` binary (from LOONG_BUILD_DIR).
std::string loong_binary();

/// Absolute path of a file in the source tree (from LOONG_SOURCE_DIR).
std::string source_path(const std::string& relative);

/// A fresh directory under /tmp, removed with everything in it on destruction.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  /// Writes `content` to path()/name and returns the full path.
  std::string write(const std::string& name, const std::string& content) const;

private:
  std::string path_;
};

} // namespace loong::test
