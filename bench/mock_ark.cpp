// mock_ark: loopback Volcengine Ark chat completions for tests, demo and load runs.
// See bench/README.md for the command line and the control API.

#include <cstdio>
#include <memory>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "bench/ark_mock.hpp"

namespace {

const char* usage =
  "usage: mock_ark [--port N] [--key KEY] [--models id1,id2,...] [--delay-ms N]\n"
  "                [--token-delay-ms N] [--slow-ms N] [--threads N] [--log-requests]\n";

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from <= s.size()) {
    auto comma = s.find(',', from);
    auto item = s.substr(from, comma - from);
    if (!item.empty())
      out.push_back(item);
    if (comma == std::string::npos)
      break;
    from = comma + 1;
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  using namespace loong::bench;
  block_termination_signals();
  ark_options opts;
  size_t threads = 1;
  arg_reader args{argc, argv};
  while (args.more()) {
    auto flag = args.next_flag();
    if (flag == "--log-requests") {
      opts.log_requests = true;
      continue;
    }
    if (flag == "--help" || flag == "-h") {
      std::fputs(usage, stdout);
      return 0;
    }
    auto v = args.value();
    // value_or instead of a dereferenced optional: g++ 12 warns falsely on that.
    auto parsed = v ? to_int(*v) : std::optional<int64_t>{};
    const bool num = parsed.has_value();
    const int64_t n = parsed.value_or(0);
    bool ok = true;
    if (flag == "--key" && v && !v->empty())
      opts.key = *v;
    else if (flag == "--models" && v && !split_list(*v).empty())
      opts.models = split_list(*v);
    else if (flag == "--port" && num && n >= 0 && n < 65536)
      opts.port = static_cast<uint16_t>(n);
    else if (flag == "--delay-ms" && num && n >= 0)
      opts.delay_ms = n;
    else if (flag == "--token-delay-ms" && num && n >= 0)
      opts.token_delay_ms = n;
    else if (flag == "--slow-ms" && num && n >= 0)
      opts.slow_ms = n;
    else if (flag == "--threads" && num && n > 0 && n <= 64)
      threads = static_cast<size_t>(n);
    else
      ok = false;
    if (!ok) {
      std::fprintf(stderr, "mock_ark: bad or incomplete option %s\n%s", flag.c_str(), usage);
      return 2;
    }
  }
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  auto mock = std::make_shared<ark_mock>(io, opts);
  std::string err;
  if (!mock->start(err)) {
    std::fprintf(stderr, "mock_ark: cannot listen: %s\n", err.c_str());
    return 1;
  }
  std::vector<std::thread> pool;
  for (size_t i = 0; i < threads; ++i)
    pool.emplace_back([&io] { io.run(); });
  announce("mock_ark", mock->url());
  wait_for_termination();
  mock->stop();
  guard.reset();
  io.stop();
  for (auto& t : pool)
    t.join();
  return 0;
}
