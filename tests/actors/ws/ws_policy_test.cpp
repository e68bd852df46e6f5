// The reconnect schedule and tick encoding of ws_connection, without I/O.

#include <vector>

#include <catch2/catch.hpp>

#include "actors/ws_policy.hpp"

using loong::encode_tick;
using loong::scrub_query;
using loong::tick_kind;
using loong::tick_token;
using loong::ws_reconnect_policy;
using loong::ws_timer;

using loong::reconnect_options;

TEST_CASE("a lost connection is retried within the first second", "[ws_policy]") {
  double u = 0.5;
  ws_reconnect_policy p{reconnect_options{}, [&u] { return u; }};
  CHECK(p.connection_lost(120000) == 500);
  u = 0.0;
  CHECK(p.connection_lost(120000) == 0);
  // A source returning exactly 1 stays below the window.
  u = 1.0;
  CHECK(p.connection_lost(120000) == 999);
  // The platform's ReconnectNonce (30 s) plays no part.
  u = 0.999;
  CHECK(p.connection_lost(5) < 1000);
}

TEST_CASE("failed attempts back off exponentially with full jitter up to 30 s",
          "[ws_policy]") {
  double u = 0.999999;
  ws_reconnect_policy p{reconnect_options{}, [&u] { return u; }};
  // Upper ends: 1 s, 2 s, 4 s, 8 s, 16 s, then the 30 s cap forever.
  std::vector<int64_t> ceilings{1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
  for (auto c : ceilings) {
    auto r = p.attempt_failed(false);
    CHECK_FALSE(r.slow);
    CHECK(r.delay_ms <= c);
    CHECK(r.delay_ms >= c - 1);
  }
  CHECK(p.failures() == 8);
  // Full jitter: the lower end is the floor, not half the ceiling.
  u = 0.0;
  CHECK(p.attempt_failed(false).delay_ms == 50);
  // A thousand failures later the delay is still bounded by the cap.
  for (int i = 0; i < 1000; ++i)
    CHECK(p.attempt_failed(false).delay_ms <= 30000);
}

TEST_CASE("the backoff resets only after a connection stayed up 60 s", "[ws_policy]") {
  ws_reconnect_policy p{reconnect_options{}, [] { return 0.999999; }};
  for (int i = 0; i < 4; ++i)
    p.attempt_failed(false);
  p.connected();
  // Up for 10 s: a flapping connection keeps its failure count...
  CHECK(p.connection_lost(10000) <= 1000);
  CHECK(p.attempt_failed(false).delay_ms > 8000);
  p.connected();
  // ...a stable one starts over at 1 s.
  p.connection_lost(60000);
  CHECK(p.failures() == 0);
  CHECK(p.attempt_failed(false).delay_ms <= 1000);
}

TEST_CASE("a fatal error switches to the slow schedule until an attempt succeeds",
          "[ws_policy]") {
  reconnect_options o;
  o.fatal_retry_ms = 300000;
  ws_reconnect_policy p{o, [] { return 0.0; }};
  auto r = p.attempt_failed(true);
  CHECK(r.slow);
  CHECK(r.delay_ms == 300000);
  CHECK(p.slow());
  // A retryable failure after it (the operator fixed the secret, the
  // endpoint is busy) goes back to the fast schedule.
  auto next = p.attempt_failed(false);
  CHECK_FALSE(next.slow);
  CHECK(next.delay_ms <= 30000);
  p.attempt_failed(true);
  p.connected();
  CHECK_FALSE(p.slow());
}

TEST_CASE("tick payloads round-trip kind and token", "[ws_policy]") {
  for (auto kind : {ws_timer::attempt, ws_timer::ping, ws_timer::liveness, ws_timer::sweep,
                    ws_timer::drain}) {
    for (int64_t token : {1, 2, 77, 1000000007}) {
      auto p = encode_tick(kind, token);
      CHECK(tick_kind(p) == static_cast<int64_t>(kind));
      CHECK(tick_token(p) == token);
    }
  }
  CHECK(tick_kind(0) == 0);
  CHECK(tick_kind(-12) == 0);
}

TEST_CASE("scrub_query removes query strings from error texts", "[ws_policy]") {
  CHECK(scrub_query("GET ws://h:1/ws/v2?ticket=abc&access_key=k failed")
        == "GET ws://h:1/ws/v2?<redacted> failed");
  CHECK(scrub_query("connect 127.0.0.1:9: Connection refused")
        == "connect 127.0.0.1:9: Connection refused");
}
