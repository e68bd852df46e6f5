// mock_feishu: loopback Feishu/Lark Open Platform for tests, demo and load runs.
// See bench/README.md for the command line and the control API.

#include <cstdio>
#include <memory>

#include "bench/feishu_mock.hpp"

namespace {

const char* usage =
  "usage: mock_feishu [--port N] [--app APP_ID:APP_SECRET[:ENCRYPT_KEY[:VERIFICATION_TOKEN]]]...\n"
  "                   [--token-ttl SECONDS] [--ping-interval S] [--reconnect-interval S]\n"
  "                   [--reconnect-nonce S] [--reconnect-count N] [--ack-timeout-ms MS]\n"
  "                   [--threads N] [--log-requests]\n";

std::optional<loong::bench::feishu_app> parse_app(const std::string& spec) {
  std::vector<std::string> parts;
  size_t from = 0;
  while (true) {
    auto colon = spec.find(':', from);
    parts.push_back(spec.substr(from, colon - from));
    if (colon == std::string::npos)
      break;
    from = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 4 || parts[0].empty() || parts[1].empty())
    return std::nullopt;
  loong::bench::feishu_app app;
  app.app_id = parts[0];
  app.app_secret = parts[1];
  if (parts.size() > 2)
    app.encrypt_key = parts[2];
  if (parts.size() > 3)
    app.verification_token = parts[3];
  return app;
}

} // namespace

int main(int argc, char** argv) {
  using namespace loong::bench;
  block_termination_signals();
  feishu_options opts;
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
    bool ok = v.has_value();
    if (flag == "--app") {
      auto app = v ? parse_app(*v) : std::nullopt;
      ok = app.has_value();
      if (app)
        opts.apps.push_back(*app);
    } else if (flag == "--port" && num && n >= 0 && n < 65536) {
      opts.port = static_cast<uint16_t>(n);
    } else if (flag == "--token-ttl" && num && n > 0) {
      opts.token_ttl_s = n;
    } else if (flag == "--ping-interval" && num && n > 0) {
      opts.client.ping_interval_s = static_cast<int>(n);
    } else if (flag == "--reconnect-interval" && num && n > 0) {
      opts.client.reconnect_interval_s = static_cast<int>(n);
    } else if (flag == "--reconnect-nonce" && num && n >= 0) {
      opts.client.reconnect_nonce_s = static_cast<int>(n);
    } else if (flag == "--reconnect-count" && num && n >= -1) {
      opts.client.reconnect_count = static_cast<int>(n);
    } else if (flag == "--ack-timeout-ms" && num && n >= 0) {
      opts.ack_timeout_ms = n;
    } else if (flag == "--threads" && num && n > 0 && n <= 64) {
      threads = static_cast<size_t>(n);
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "mock_feishu: bad or incomplete option %s\n%s", flag.c_str(), usage);
      return 2;
    }
  }
  loong::net::io_runtime io{threads};
  auto mock = std::make_shared<feishu_mock>(io, opts);
  std::string err;
  if (!mock->start(err)) {
    std::fprintf(stderr, "mock_feishu: cannot listen: %s\n", err.c_str());
    return 1;
  }
  announce("mock_feishu", mock->url());
  wait_for_termination();
  mock->stop();
  io.stop_and_join();
  return 0;
}
