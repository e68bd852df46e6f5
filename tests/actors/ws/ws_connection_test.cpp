// ws_connection against the real bench/mock_feishu: connect, ping/pong,
// ClientConfig, events, exact ACKs, multi-part, duplicates, verdict timing.

#include <string>

#include <catch2/catch.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/feishu_frame.hpp"
#include "tests/actors/ws/ws_fixture.hpp"
#include "tests/bench/spec_vectors.hpp"

using namespace loong;
using namespace loong::test;

namespace {

std::string unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string tohex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string quote(const std::string& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  return {buf.GetString(), buf.GetSize()};
}

// push_raw with the ids of the spec's vectors (§10.3).
std::string spec_push(uint64_t seq, uint64_t log, const std::string& msg_id,
                      const std::string& trace, int parts) {
  return R"({"app_id":")" + test_app_id + R"(","event_json":)" + quote(vectors::event_payload)
         + R"(,"seq_id":)" + std::to_string(seq) + R"(,"log_id":)" + std::to_string(log)
         + R"(,"frame_message_id":")" + msg_id + R"(","trace_id":")" + trace
         + R"(","parts":)" + std::to_string(parts) + "}";
}

std::string push_body(const std::string& event_id, const std::string& extra = {}) {
  return R"({"app_id":")" + test_app_id + R"(","event_id":")" + event_id
         + R"(","chat_id":"oc_ws","text":"hello")" + extra + "}";
}

// Connects and waits until both sides agree the connection is up.
void connect(ws_fixture& f) {
  f.spawn();
  REQUIRE(f.wait("connections", 1));
  REQUIRE(f.state_becomes("connected"));
}

std::string str(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

} // namespace

TEST_CASE("connects, pings at once, and takes ClientConfig from pongs", "[ws]") {
  ws_fixture f;
  connect(f);
  auto st = f.status();
  CHECK(st.kind == "websocket");
  CHECK(st.connected_since_ms > 0);
  CHECK(st.reconnects == 0);
  // Ping at open, then every PingInterval (1 s); every ping is well-formed.
  REQUIRE(f.wait("pongs", 2));
  CHECK(f.stat("bad_pings") == 0);
  CHECK(f.stat("discovery") == 1);
  // Pongs now carry PingInterval 10: after at most one ping still scheduled
  // at the old 1 s interval, the next is 10 s away.
  f.post("/_mock/config", R"({"ping_interval":10})");
  auto pongs = f.stat("pongs");
  REQUIRE(f.wait("pongs", pongs + 1));
  auto pings = f.stat("pings");
  CHECK_FALSE(f.wait("pings", pings + 2, 3000));
  st = f.status();
  CHECK(st.state == "connected");
  CHECK(st.reconnects == 0);
}

TEST_CASE("a pushed event reaches the account once and is ACKed with the spec's bytes",
          "[ws]") {
  // The ACK the actor builds for the vector's data frame is the vector's ACK.
  auto data = feishu::decode_frame(unhex(vectors::data_frame_hex));
  REQUIRE(data.has_value());
  CHECK(tohex(feishu::encode_frame(feishu::make_ack(*data, 0))) == vectors::ack_hex);

  ws_fixture f;
  connect(f);
  auto r = f.post("/_mock/push_raw", spec_push(1, 1700000000123456ull, "msg_0001",
                                               "trace_0001", 1));
  REQUIRE(r.status == 200);
  REQUIRE(f.wait("acks", 1));
  auto acks = f.acks();
  REQUIRE(acks["acks"].Size() == 1);
  const auto& a = acks["acks"][0];
  INFO(r.body);
  CHECK(a["valid"].GetBool());
  CHECK(a["problems"].Size() == 0);
  CHECK(a["code"].GetInt() == 200);
  CHECK(a["seq_id"].GetUint64() == 1);
  CHECK(a["log_id"].GetUint64() == 1700000000123456ull);
  CHECK(str(a, "biz_rt") == "0");
  CHECK(str(a, "event_id") == "evt_0001");
  CHECK_FALSE(a["duplicate"].GetBool());
  // Exact bytes, where the mock records them.
  if (a.HasMember("hex"))
    CHECK(str(a, "hex") == vectors::ack_hex);
  REQUIRE(eventually([&] { return f.log->accepted_count() == 1; }));
  {
    std::lock_guard<std::mutex> lk{f.log->mu};
    const auto& m = f.log->accepted.front();
    CHECK(m.account == "work");
    CHECK(m.event_id == "evt_0001");
    CHECK(m.message_id == "om_0001");
    CHECK(m.chat_id == "oc_0001");
    CHECK(m.text == "hi");
    CHECK(m.received_ms > 0);
  }
  auto st = f.status();
  CHECK(st.received == 1);
  CHECK(st.rejected == 0);
  CHECK(f.log->duplicate_count() == 0);
}

TEST_CASE("a multi-part event is dispatched once with one ACK", "[ws]") {
  ws_fixture f;
  connect(f);
  REQUIRE(f.post("/_mock/push_raw", spec_push(2, 1700000000123457ull, "msg_0002",
                                              "trace_0002", 2))
            .status
          == 200);
  // Three parts sent last-to-first are reassembled in seq order too.
  REQUIRE(f.post("/_mock/push", push_body("evt_parts", R"(,"parts":3,"reverse":true)"))
            .status
          == 200);
  REQUIRE(f.wait("acks", 2));
  auto acks = f.acks();
  REQUIRE(acks["acks"].Size() == 2);
  for (const auto& a : acks["acks"].GetArray()) {
    CHECK(a["valid"].GetBool());
    CHECK(a["code"].GetInt() == 200);
  }
  const auto& first = acks["acks"][0];
  CHECK(first["seq_id"].GetUint64() == 2);
  CHECK(first["log_id"].GetUint64() == 1700000000123457ull);
  CHECK(str(first, "frame_message_id") == "msg_0002");
  if (first.HasMember("hex"))
    CHECK(str(first, "hex") == vectors::fragmented_ack_hex);
  REQUIRE(eventually([&] { return f.log->accepted_count() == 2; }));
  std::lock_guard<std::mutex> lk{f.log->mu};
  CHECK(f.log->accepted[0].event_id == "evt_0001");
  CHECK(f.log->accepted[1].event_id == "evt_parts");
  CHECK(f.log->accepted[1].text == "hello");
}

TEST_CASE("a duplicate delivery is ACKed twice but reaches the account as new once",
          "[ws]") {
  ws_fixture f;
  connect(f);
  REQUIRE(f.post("/_mock/push", push_body("evt_dup", R"(,"duplicate":true)")).status == 200);
  REQUIRE(f.wait("acks", 2));
  auto acks = f.acks();
  REQUIRE(acks["acks"].Size() == 2);
  for (const auto& a : acks["acks"].GetArray()) {
    CHECK(a["valid"].GetBool());
    CHECK(a["code"].GetInt() == 200);
    CHECK(str(a, "event_id") == "evt_dup");
  }
  REQUIRE(eventually([&] { return f.log->duplicate_count() == 1; }));
  CHECK(f.log->accepted_count() == 1);
  CHECK(f.status().received == 2);
}

TEST_CASE("the ACK waits for the account's verdict", "[ws]") {
  ws_fixture f;
  f.opts.force_zero_biz_rt = false;
  f.log->delay_ms = 700;
  connect(f);
  REQUIRE(f.post("/_mock/push", push_body("evt_slow")).status == 200);
  REQUIRE(f.wait("acks", 1));
  auto acks = f.acks();
  const auto& a = acks["acks"][0];
  CHECK(a["code"].GetInt() == 200);
  CHECK(a["valid"].GetBool());
  // Both the mock's clock and our biz_rt include the account's 700 ms.
  CHECK(a["latency_ms"].GetInt64() >= 700);
  CHECK(std::stoll(str(a, "biz_rt")) >= 700);
}

TEST_CASE("a refused event and an unanswered one are ACKed with 500", "[ws]") {
  ws_fixture f;
  f.opts.ack_timeout_ms = 300;
  f.log->refuse_next = 1;
  connect(f);
  REQUIRE(f.post("/_mock/push", push_body("evt_refused")).status == 200);
  REQUIRE(f.wait("acks", 1));
  {
    auto acks = f.acks();
    CHECK(acks["acks"][0]["code"].GetInt() == 500);
    CHECK(str(acks["acks"][0], "event_id") == "evt_refused");
  }
  CHECK(f.log->refused_count() == 1);
  {
    std::lock_guard<std::mutex> lk{f.log->mu};
    f.log->silent = true;
  }
  REQUIRE(f.post("/_mock/push", push_body("evt_silent")).status == 200);
  REQUIRE(f.wait("acks", 2));
  auto acks = f.acks();
  const auto& a = acks["acks"][1];
  CHECK(a["code"].GetInt() == 500);
  CHECK(str(a, "event_id") == "evt_silent");
  CHECK(a["latency_ms"].GetInt64() >= 300);
  CHECK(f.stat("acks_failed") == 2);
}

TEST_CASE("malformed and url_verification payloads are ACKed 200 at once", "[ws]") {
  ws_fixture f;
  connect(f);
  auto raw = [&](const std::string& json) {
    return f.post("/_mock/push_raw", R"({"app_id":")" + test_app_id
                                       + R"(","event_json":)" + quote(json) + "}");
  };
  REQUIRE(raw("{not json").status == 200);
  REQUIRE(raw(R"({"type":"url_verification","challenge":"c1","token":"t"})").status == 200);
  REQUIRE(f.wait("acks", 2));
  auto acks = f.acks();
  for (const auto& a : acks["acks"].GetArray())
    CHECK(a["code"].GetInt() == 200);
  auto st = f.status();
  CHECK(st.rejected == 1);
  CHECK(st.received == 1);
  CHECK(f.log->accepted_count() == 0);
}

TEST_CASE("callbacks of an old connection generation are dropped", "[ws]") {
  ws_fixture f;
  connect(f);
  // A late frame and a late close of some earlier connection.
  caf::anon_send(f.conn, ws_frame_in{987654, unhex(vectors::data_frame_hex)});
  caf::anon_send(f.conn, ws_closed{987654, "io_error", "late", 0, "", "", ""});
  REQUIRE(f.post("/_mock/push", push_body("evt_live")).status == 200);
  REQUIRE(f.wait("acks", 1));
  REQUIRE(eventually([&] { return f.log->accepted_count() == 1; }));
  {
    std::lock_guard<std::mutex> lk{f.log->mu};
    CHECK(f.log->accepted.front().event_id == "evt_live");
  }
  auto st = f.status();
  CHECK(st.state == "connected");
  CHECK(st.reconnects == 0);
  CHECK(st.received == 1);
  CHECK(f.stat("connections_opened") == 1);
}

TEST_CASE("card and unknown control frames are ignored without ACK", "[ws]") {
  ws_fixture f;
  connect(f);
  REQUIRE(f.status().reconnects == 0);
  // The first connection of a fresh actor is generation 1 (white-box): a
  // card callback, a server ping, then the vector's event frame.
  feishu::frame card;
  card.seq_id = 5;
  card.log_id = 5;
  card.service = 33554678;
  card.method = 1;
  card.headers = {{"type", "card"}, {"message_id", "msg_card"}, {"sum", "1"}, {"seq", "0"}};
  card.payload = "{}";
  feishu::frame server_ping = feishu::make_ping(33554678);
  caf::anon_send(f.conn, ws_frame_in{1, feishu::encode_frame(card)});
  caf::anon_send(f.conn, ws_frame_in{1, feishu::encode_frame(server_ping)});
  caf::anon_send(f.conn, ws_frame_in{1, unhex(vectors::data_frame_hex)});
  REQUIRE(f.wait("acks", 1));
  REQUIRE(eventually([&] { return f.log->accepted_count() == 1; }));
  auto acks = f.acks();
  // Only the event was ACKed (the mock never sent it, so it is "unknown").
  REQUIRE(acks["acks"].Size() == 1);
  CHECK(std::string{acks["acks"][0]["frame_message_id"].GetString()} == "msg_0001");
  CHECK_FALSE(f.wait("acks", 2, 300));
  CHECK(f.status().received == 1);
}
