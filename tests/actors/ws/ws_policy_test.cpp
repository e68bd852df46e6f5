// The reconnect schedule and tick encoding of ws_connection, without I/O.

#include <catch2/catch.hpp>

#include "actors/ws_policy.hpp"

using loong::encode_tick;
using loong::scrub_query;
using loong::tick_kind;
using loong::tick_token;
using loong::ws_reconnect_policy;
using loong::ws_timer;

namespace {

loong::feishu::client_config config(int count, int interval_s, int nonce_s) {
  loong::feishu::client_config c;
  c.reconnect_count = count;
  c.reconnect_interval_s = interval_s;
  c.reconnect_nonce_s = nonce_s;
  return c;
}

} // namespace

TEST_CASE("a lost connection waits a random delay below ReconnectNonce", "[ws_policy]") {
  double u = 0.5;
  ws_reconnect_policy p{600000, 0, [&u] { return u; }};
  CHECK(p.connection_lost(config(-1, 120, 30)) == 15000);
  u = 0.0;
  CHECK(p.connection_lost(config(-1, 120, 30)) == 0);
  // A source returning exactly 1 must still stay below the nonce.
  u = 1.0;
  CHECK(p.connection_lost(config(-1, 120, 30)) == 29999);
  CHECK(p.connection_lost(config(-1, 120, 0)) == 0);
}

TEST_CASE("failed attempts wait ReconnectInterval, floored", "[ws_policy]") {
  ws_reconnect_policy p{600000, 0, [] { return 0.0; }};
  auto r = p.attempt_failed(config(-1, 2, 0), false);
  CHECK(r.delay_ms == 2000);
  CHECK_FALSE(r.slow);
  CHECK_FALSE(r.exhausted);
  CHECK(p.attempts() == 1);
  ws_reconnect_policy floored{600000, 5000, [] { return 0.0; }};
  CHECK(floored.attempt_failed(config(-1, 2, 0), false).delay_ms == 5000);
}

TEST_CASE("ReconnectCount spent switches to the slow schedule", "[ws_policy]") {
  ws_reconnect_policy p{60000, 0, [] { return 0.0; }};
  auto cfg = config(3, 1, 0);
  CHECK(p.attempt_failed(cfg, false).delay_ms == 1000);
  CHECK(p.attempt_failed(cfg, false).delay_ms == 1000);
  auto third = p.attempt_failed(cfg, false);
  CHECK(third.exhausted);
  CHECK(third.slow);
  CHECK(third.delay_ms == 60000);
  CHECK(p.slow());
  // Slow until an attempt succeeds, even for retryable errors.
  auto fourth = p.attempt_failed(cfg, false);
  CHECK(fourth.slow);
  CHECK_FALSE(fourth.exhausted);
  CHECK(fourth.delay_ms == 60000);
  p.connected();
  CHECK_FALSE(p.slow());
  CHECK(p.attempts() == 0);
  CHECK(p.attempt_failed(cfg, false).delay_ms == 1000);
}

TEST_CASE("a fatal error stops fast retrying at once", "[ws_policy]") {
  ws_reconnect_policy p{600000, 0, [] { return 0.0; }};
  auto r = p.attempt_failed(config(-1, 1, 0), true);
  CHECK(r.slow);
  CHECK(r.delay_ms == 600000);
  // A lost connection later starts a fresh fast cycle.
  p.connected();
  p.connection_lost(config(-1, 1, 0));
  CHECK_FALSE(p.slow());
  CHECK(p.attempt_failed(config(-1, 1, 0), false).delay_ms == 1000);
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
