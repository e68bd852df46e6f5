// ws_connection's reconnect policy against the real bench/mock_feishu:
// drops with re-delivery, refused handshakes, discovery errors, a silent
// server, ReconnectCount, drain and exit.

#include <string>

#include <catch2/catch.hpp>

#include "tests/actors/ws/ws_fixture.hpp"

using namespace loong;
using namespace loong::test;

namespace {

std::string push_body(const std::string& event_id) {
  return R"({"app_id":")" + test_app_id + R"(","event_id":")" + event_id
         + R"(","chat_id":"oc_ws","text":"hello"})";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("an abrupt drop reconnects and the un-ACKed event is accepted once",
          "[ws][reconnect]") {
  ws_fixture f;
  // The verdict comes after the drop, so the first delivery stays un-ACKed.
  f.log->delay_ms = 1000;
  f.spawn();
  REQUIRE(f.wait("connections", 1));
  REQUIRE(f.post("/_mock/push", push_body("evt_drop")).status == 200);
  REQUIRE(eventually([&] { return f.log->accepted_count() == 1; }));
  REQUIRE(f.post("/_mock/connections/drop", R"({"app_id":")" + test_app_id + R"("})").status
          == 200);
  REQUIRE(f.wait("connections_opened", 2));
  REQUIRE(f.wait("acks", 1, 8000));
  auto acks = f.acks();
  REQUIRE(acks["acks"].Size() == 1);
  const auto& a = acks["acks"][0];
  CHECK(a["code"].GetInt() == 200);
  CHECK(a["valid"].GetBool());
  CHECK(std::string{a["event_id"].GetString()} == "evt_drop");
  CHECK(f.stat("redeliveries") == 1);
  // Nothing lost, nothing handled twice.
  auto unacked = ws_fixture::json(f.get("/_mock/deliveries?unacked=1"));
  CHECK(unacked["deliveries"].Size() == 0);
  CHECK(f.log->accepted_count() == 1);
  CHECK(f.log->duplicate_count() == 1);
  REQUIRE(f.state_becomes("connected"));
  auto st = f.status();
  CHECK(st.reconnects == 1);
  CHECK(contains(st.last_error, "connection ended"));
}

TEST_CASE("retryable handshake refusals are retried until the upgrade succeeds",
          "[ws][reconnect]") {
  ws_fixture f;
  REQUIRE(f.post("/_mock/ws/refuse",
                 R"({"count":2,"status":500,"handshake_status":"514","autherrcode":"1"})")
            .status
          == 200);
  f.spawn();
  REQUIRE(f.wait("handshakes_refused", 2));
  REQUIRE(f.wait("connections", 1, 8000));
  REQUIRE(f.state_becomes("connected"));
  auto st = f.status();
  CHECK(st.reconnects == 2);
  CHECK(contains(st.last_error, "Handshake-Status=514"));
  // A fresh discovery before every attempt (tickets are single use).
  CHECK(f.stat("discovery") == 3);
  CHECK(f.stat("handshakes") == 3);
}

TEST_CASE("a forbidden handshake marks the transport failed without hammering",
          "[ws][reconnect]") {
  ws_fixture f;
  REQUIRE(f.post("/_mock/ws/refuse",
                 R"({"count":100,"status":403,"handshake_status":"403","handshake_msg":"banned"})")
            .status
          == 200);
  f.spawn();
  REQUIRE(f.state_becomes("failed"));
  auto st = f.status();
  CHECK(contains(st.last_error, "Handshake-Status=403"));
  CHECK(contains(st.last_error, "banned"));
  // No second attempt within the window (the slow retry is 60 s away).
  // Every attempt starts with a discovery (whose counter wakes waiters).
  CHECK_FALSE(f.wait("discovery", 2, 1500));
  CHECK(f.stat("handshakes") == 1);
  CHECK(f.status().state == "failed");
}

TEST_CASE("the slow retry recovers a failed transport without a restart",
          "[ws][reconnect]") {
  ws_fixture f;
  f.opts.reconnect.fatal_retry_ms = 800;
  REQUIRE(f.post("/_mock/ws/refuse", R"({"count":1,"status":403,"handshake_status":"403"})")
            .status
          == 200);
  f.spawn();
  REQUIRE(f.wait("handshakes_refused", 1));
  REQUIRE(f.wait("connections", 1, 8000));
  REQUIRE(f.state_becomes("connected"));
  CHECK(f.status().reconnects == 1);
  CHECK(f.stat("handshakes") == 2);
}

TEST_CASE("a credential error from discovery stops fast retrying", "[ws][reconnect]") {
  ws_fixture f;
  f.account.app_secret.value = "wrong_secret";
  f.spawn();
  REQUIRE(f.state_becomes("failed"));
  auto st = f.status();
  CHECK(contains(st.last_error, "discovery code 10014"));
  // The secret never shows up in status.
  CHECK_FALSE(contains(st.last_error, "wrong_secret"));
  CHECK_FALSE(f.wait("discovery", 2, 1500));
  CHECK(f.stat("handshakes") == 0);
}

TEST_CASE("retryable discovery codes are retried with backoff",
          "[ws][reconnect]") {
  ws_fixture f;
  REQUIRE(f.post("/_mock/faults", R"({"endpoint":"discovery","kind":"1","count":1})").status
          == 200);
  REQUIRE(f.post("/_mock/faults",
                 R"({"endpoint":"discovery","kind":"1000040343","count":1})")
            .status
          == 200);
  f.spawn();
  REQUIRE(f.wait("connections", 1, 8000));
  REQUIRE(f.state_becomes("connected"));
  auto st = f.status();
  CHECK(st.reconnects == 2);
  CHECK(contains(st.last_error, "discovery code 1000040343"));
  CHECK(f.stat("faults_fired") == 2);
}

TEST_CASE("refused handshakes are retried for as long as they last", "[ws][reconnect]") {
  // The platform asks for ReconnectCount 2; a gateway does not give up.
  ws_fixture f{{"--reconnect-count", "2"}};
  f.opts.reconnect.base_ms = 50;
  f.opts.reconnect.cap_ms = 200;
  REQUIRE(f.post("/_mock/ws/refuse", R"({"count":6,"status":500,"handshake_status":"500"})")
            .status
          == 200);
  f.spawn();
  // Polled: the mock's wait route is not woken by refused upgrades.
  REQUIRE(eventually([&] { return f.stat("handshakes") >= 4; }));
  auto mid = f.status();
  CHECK(mid.state != "failed");
  CHECK(contains(mid.last_error, "Handshake-Status=500"));
  REQUIRE(f.wait("connections", 1, 8000));
  REQUIRE(f.state_becomes("connected"));
  CHECK(f.stat("handshakes") == 7);
  CHECK(f.status().reconnects == 6);
}

TEST_CASE("a dropped connection is back within a second, whatever the platform's "
          "ReconnectNonce",
          "[ws][reconnect]") {
  ws_fixture f{{"--reconnect-nonce", "30", "--reconnect-interval", "120"}};
  f.spawn();
  REQUIRE(f.wait("connections", 1));
  REQUIRE(f.state_becomes("connected"));
  REQUIRE(f.post("/_mock/connections/drop", R"({"app_id":")" + test_app_id + R"("})").status
          == 200);
  // Under the platform's schedule this would take up to 30 s.
  REQUIRE(f.wait("connections_opened", 2, 3000));
  REQUIRE(f.state_becomes("connected"));
  auto st = f.status();
  CHECK(st.reconnects == 1);
  CHECK(contains(st.last_disconnect_reason, "connection ended"));
  CHECK(st.disconnected_since_ms == 0);
  // The first connect and the outage both count as time disconnected.
  CHECK(st.disconnected_total_ms >= 0);
  CHECK(st.disconnected_total_ms < 3000);
}

TEST_CASE("a silent server is abandoned after pong_timeout", "[ws][reconnect]") {
  ws_fixture f;
  f.opts.pong_timeout_ms = 400;
  REQUIRE(f.post("/_mock/ws/pings", R"({"answer":false})").status == 200);
  f.spawn();
  REQUIRE(f.wait("connections_opened", 2));
  REQUIRE(eventually([&] { return f.status().reconnects >= 1; }));
  CHECK(contains(f.status().last_error, "no frame within 400 ms"));
  // Once pongs flow again the connection stays up.
  REQUIRE(f.post("/_mock/ws/pings", R"({"answer":true})").status == 200);
  // A connection up for longer than pong_timeout + a ping has been answered
  // (pings sent before the switch may still cost one more reconnect).
  REQUIRE(eventually([&] {
    auto st = f.status();
    return st.state == "connected"
           && f.sys.runtime()->now_ms() - st.connected_since_ms > 1200;
  }));
  auto opened = f.stat("connections_opened");
  CHECK_FALSE(f.wait("connections_opened", opened + 1, 1500));
}

TEST_CASE("drain ACKs the event in flight, closes and stays down", "[ws][drain]") {
  ws_fixture f;
  f.log->delay_ms = 500;
  f.spawn();
  REQUIRE(f.wait("connections", 1));
  REQUIRE(f.state_becomes("connected"));
  REQUIRE(f.post("/_mock/push", push_body("evt_inflight")).status == 200);
  REQUIRE(eventually([&] { return f.log->accepted_count() == 1; }));
  caf::anon_send(f.conn, drain_atom_v);
  REQUIRE(f.wait("connections_closed", 1));
  auto acks = f.acks();
  REQUIRE(acks["acks"].Size() == 1);
  CHECK(acks["acks"][0]["code"].GetInt() == 200);
  // Events pushed now wait for another connection; none is opened.
  REQUIRE(f.post("/_mock/push", push_body("evt_after")).status == 200);
  CHECK_FALSE(f.wait("connections_opened", 2, 1500));
  auto st = f.status();
  CHECK(st.state == "draining");
  CHECK(st.connected_since_ms == 0);
  CHECK(f.log->accepted_count() == 1);
}

TEST_CASE("stopping the actor closes its connection", "[ws]") {
  ws_fixture f;
  f.spawn();
  REQUIRE(f.wait("connections", 1));
  f.sys.stop(f.conn);
  f.conn = ws_connection_actor{};
  REQUIRE(f.wait("connections_closed", 1));
  CHECK(f.stat("connections") == 0);
}
