#pragma once

// Runs the bench/ mock servers as child processes for tests, and a blocking
// HTTP helper to talk to them.

#include <string>
#include <utility>
#include <vector>

namespace loong::test {

/// A running mock server (bench/mock_feishu, bench/mock_ark). The child gets
/// SIGTERM at destruction (SIGKILL after 5 s) and dies with the test process.
class mock_process {
public:
  /// Starts `binary` with `args`, reads its first stdout line (deadline 10 s)
  /// and takes the URL from "... listening on <url>". Never throws: on
  /// failure ok() is false and error() says why.
  static mock_process start(const std::string& binary, std::vector<std::string> args);
  mock_process(mock_process&& other) noexcept;
  mock_process& operator=(mock_process&&) = delete;
  mock_process(const mock_process&) = delete;
  ~mock_process();

  /// The announced base URL, e.g. "http://127.0.0.1:40123"; "" on failure.
  const std::string& url() const { return url_; }
  /// The child's pid; -1 when it did not start.
  int pid() const { return pid_; }
  /// True when the child started and announced its URL.
  bool ok() const { return !url_.empty(); }
  /// What went wrong when !ok().
  const std::string& error() const { return error_; }
  /// Sends SIGTERM, waits (SIGKILL after 5 s) and returns the exit code, or
  /// 128 + signal when it was killed; -1 when there was no child.
  int terminate();

private:
  mock_process() = default;
  int pid_ = -1;
  int out_fd_ = -1;
  std::string url_;
  std::string error_;
};

/// Absolute path of bench/<name> in the build directory (LOONG_BUILD_DIR, or
/// the build directory CMake compiled in).
std::string mock_binary(const std::string& name);

/// Status and body of a finished HTTP call; status 0 on a transport error
/// (the body then names the error).
struct http_result {
  unsigned status = 0;
  std::string body;
  /// Response fields in wire order.
  std::vector<std::pair<std::string, std::string>> headers;
  /// Returns the first field named `name` (case-insensitive), "" if absent.
  std::string header(const std::string& name) const;
};

/// Blocking HTTP call through net::http_client on a private io_runtime.
/// Adds Content-Type: application/json when a body is given.
http_result http_call(const std::string& method, const std::string& url,
                      const std::string& body = {},
                      std::vector<std::pair<std::string, std::string>> headers = {},
                      int timeout_ms = 10000);

} // namespace loong::test
