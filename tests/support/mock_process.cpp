#include "tests/support/mock_process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/http_client.hpp"
#include "net/io_runtime.hpp"

#ifndef LOONG_BENCH_DIR
#define LOONG_BENCH_DIR ""
#endif

namespace loong::test {

namespace {

using clock_type = std::chrono::steady_clock;

int ms_left(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Reads one line from `fd` until '\n', EOF or the deadline.
bool read_line(int fd, std::string& line, clock_type::time_point deadline, std::string& err) {
  while (true) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, ms_left(deadline));
    if (r < 0 && errno == EINTR)
      continue;
    if (r == 0) {
      err = "no announcement line within the deadline";
      return false;
    }
    char c;
    auto n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      err = "the process exited before announcing its URL";
      return false;
    }
    if (c == '\n')
      return true;
    line.push_back(c);
  }
}

} // namespace

mock_process mock_process::start(const std::string& binary, std::vector<std::string> args) {
  mock_process m;
  std::vector<std::string> argv_s{binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    m.error_ = "pipe failed";
    return m;
  }
  auto parent = ::getpid();
  auto pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    m.error_ = "fork failed";
    return m;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec. It dies with the
    // thread that started it, so a crashed test leaves no mock behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(126);
    ::dup2(fds[1], STDOUT_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  m.pid_ = pid;
  m.out_fd_ = fds[0];
  std::string line;
  if (!read_line(m.out_fd_, line, clock_type::now() + std::chrono::seconds{10}, m.error_)) {
    m.error_ = binary + ": " + m.error_;
    return m;
  }
  static const std::string marker = " listening on ";
  auto at = line.find(marker);
  if (at == std::string::npos) {
    m.error_ = binary + ": unexpected first line '" + line + "'";
    return m;
  }
  m.url_ = line.substr(at + marker.size());
  return m;
}

mock_process::mock_process(mock_process&& other) noexcept
  : pid_(other.pid_), out_fd_(other.out_fd_), url_(std::move(other.url_)),
    error_(std::move(other.error_)) {
  other.pid_ = -1;
  other.out_fd_ = -1;
}

mock_process::~mock_process() {
  terminate();
}

int mock_process::terminate() {
  if (pid_ <= 0)
    return -1;
  ::kill(pid_, SIGTERM);
  // The pipe reaches EOF when the child exits (it holds the only write end).
  auto deadline = clock_type::now() + std::chrono::seconds{5};
  bool exited = false;
  while (!exited && out_fd_ >= 0) {
    pollfd p{out_fd_, POLLIN, 0};
    int r = ::poll(&p, 1, ms_left(deadline));
    if (r < 0 && errno == EINTR)
      continue;
    if (r == 0)
      break;
    char buf[256];
    auto n = ::read(out_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    exited = n <= 0;
  }
  if (!exited)
    ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  if (out_fd_ >= 0)
    ::close(out_fd_);
  out_fd_ = -1;
  pid_ = -1;
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

std::string http_result::header(const std::string& name) const {
  return net::find_header(headers, name);
}

std::string mock_binary(const std::string& name) {
  const char* dir = std::getenv("LOONG_BUILD_DIR");
  if (dir && *dir)
    return std::string{dir} + "/bench/" + name;
  return std::string{LOONG_BENCH_DIR} + "/" + name;
}

http_result http_call(const std::string& method, const std::string& url,
                      const std::string& body,
                      std::vector<std::pair<std::string, std::string>> headers,
                      int timeout_ms) {
  // One runtime and client for the whole test process.
  static net::io_runtime io{1};
  static net::http_client client{io};
  net::http_request req;
  req.method = method;
  req.url = url;
  req.body = body;
  req.headers = std::move(headers);
  req.timeout = std::chrono::milliseconds{timeout_ms};
  if (!body.empty() && net::find_header(req.headers, "content-type").empty())
    req.headers.emplace_back("Content-Type", "application/json");
  auto done = std::make_shared<std::promise<http_result>>();
  auto fut = done->get_future();
  auto call = client.request(std::move(req), [done](net::net_error e, net::http_response r) {
    http_result out;
    if (e) {
      out.body = std::string{net::to_string(e.code)} + ": " + e.detail;
    } else {
      out.status = r.status;
      out.body = std::move(r.body);
      out.headers = std::move(r.headers);
    }
    done->set_value(std::move(out));
  });
  // The client enforces the timeout; the margin only guards against a bug there.
  if (fut.wait_for(std::chrono::milliseconds{timeout_ms + 5000}) != std::future_status::ready) {
    call->cancel();
    fut.wait();
  }
  return fut.get();
}

} // namespace loong::test
