#pragma once

// Helpers shared by the mock tests: starting mocks, JSON access, a blocking
// WebSocket probe built on net::ws_client.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "bench/mock_util.hpp"
#include "net/io_runtime.hpp"
#include "net/ws_client.hpp"
#include "tests/support/mock_process.hpp"

namespace loong::test {

/// Starts bench/<name>; the test stops when it cannot.
inline mock_process start_mock(const std::string& name, std::vector<std::string> args = {}) {
  auto m = mock_process::start(mock_binary(name), std::move(args));
  INFO(m.error());
  REQUIRE(m.ok());
  return m;
}

/// Parses a JSON object body; the test stops when it is not one.
inline rapidjson::Document json_of(const http_result& r) {
  auto d = bench::parse_object(r.body);
  INFO("status " << r.status << " body: " << r.body);
  REQUIRE(d.has_value());
  return std::move(*d);
}

/// POSTs JSON to the mock.
inline http_result post(const mock_process& m, const std::string& path,
                        const std::string& body = "{}") {
  return http_call("POST", m.url() + path, body);
}

/// GETs from the mock.
inline http_result get(const mock_process& m, const std::string& path, int timeout_ms = 10000) {
  return http_call("GET", m.url() + path, {}, {}, timeout_ms);
}

/// Fetches a tenant token (REQUIREs success).
inline std::string fetch_token(const mock_process& m, const std::string& app,
                               const std::string& secret) {
  auto r = post(m, "/open-apis/auth/v3/tenant_access_token/internal",
                R"({"app_id":")" + app + R"(","app_secret":")" + secret + R"("})");
  auto d = json_of(r);
  REQUIRE(bench::json_int(d, "code", -1) == 0);
  return bench::json_str(d, "tenant_access_token");
}

/// Hex of raw bytes (for comparing frames with the spec's vectors).
inline std::string to_hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xf]);
  }
  return out;
}

/// Bytes of a hex string.
inline std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

/// A WebSocket client whose events can be awaited with deadlines.
class ws_probe {
public:
  ws_probe(net::io_runtime& io, const std::string& url) : st_(std::make_shared<state>()) {
    net::ws_client_events ev;
    auto st = st_;
    ev.on_open = [st] {
      std::lock_guard<std::mutex> lk{st->mu};
      st->opened = true;
      st->cv.notify_all();
    };
    ev.on_message = [st](std::string data, bool binary) {
      std::lock_guard<std::mutex> lk{st->mu};
      if (binary)
        st->messages.push_back(std::move(data));
      st->cv.notify_all();
    };
    ev.on_close = [st](net::net_error e, net::http_response hs) {
      std::lock_guard<std::mutex> lk{st->mu};
      st->closed = true;
      st->error = e;
      st->handshake = std::move(hs);
      st->cv.notify_all();
    };
    client_ = net::ws_client::connect(io, url, {}, std::move(ev));
  }
  ~ws_probe() {
    if (client_)
      client_->abort();
  }

  /// Waits for on_open (false on close or timeout).
  bool wait_open(int ms = 5000) {
    std::unique_lock<std::mutex> lk{st_->mu};
    st_->cv.wait_for(lk, std::chrono::milliseconds{ms},
                     [this] { return st_->opened || st_->closed; });
    return st_->opened && !st_->closed;
  }

  /// Next binary message, or nullopt after `ms`.
  std::optional<std::string> next(int ms = 5000) {
    std::unique_lock<std::mutex> lk{st_->mu};
    st_->cv.wait_for(lk, std::chrono::milliseconds{ms},
                     [this] { return !st_->messages.empty(); });
    if (st_->messages.empty())
      return std::nullopt;
    auto m = std::move(st_->messages.front());
    st_->messages.pop_front();
    return m;
  }

  /// Waits for on_close; returns false on timeout.
  bool wait_closed(int ms = 5000) {
    std::unique_lock<std::mutex> lk{st_->mu};
    return st_->cv.wait_for(lk, std::chrono::milliseconds{ms}, [this] { return st_->closed; });
  }

  /// The close reason (after wait_closed).
  net::net_error error() const {
    std::lock_guard<std::mutex> lk{st_->mu};
    return st_->error;
  }

  /// The refused upgrade's response (after wait_closed).
  net::http_response handshake() const {
    std::lock_guard<std::mutex> lk{st_->mu};
    return st_->handshake;
  }

  /// Sends a binary message.
  void send(std::string bytes) {
    client_->send(std::move(bytes), true);
  }

private:
  struct state {
    mutable std::mutex mu;
    std::condition_variable cv;
    bool opened = false, closed = false;
    std::deque<std::string> messages;
    net::net_error error;
    net::http_response handshake;
  };
  std::shared_ptr<state> st_;
  std::shared_ptr<net::ws_client> client_;
};

/// Runs endpoint discovery for an app and returns the WebSocket URL.
inline std::string discover(const mock_process& m, const std::string& app,
                            const std::string& secret) {
  auto d = json_of(post(m, "/callback/ws/endpoint",
                        R"({"AppID":")" + app + R"(","AppSecret":")" + secret + R"("})"));
  REQUIRE(bench::json_int(d, "code", -1) == 0);
  auto url = bench::json_str(d["data"], "URL");
  REQUIRE(!url.empty());
  return url;
}

} // namespace loong::test
