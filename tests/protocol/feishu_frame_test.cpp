#include <catch2/catch.hpp>

#include <string>

#include "protocol/crypto.hpp"
#include "protocol/feishu_frame.hpp"

using namespace loong::feishu;
using loong::crypto::to_hex;

namespace {

std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string{hex.substr(i, 2)},
                                              nullptr, 16)));
  return out;
}

constexpr int32_t service_id = 33554678;

// Spec §10.3 vectors.
const std::string ping_hex = "0800100018f681801020002a0c0a0474797065120470696e67";
const std::string pong_hex
  = "0800100018f681801020002a0c0a04747970651204706f6e6742527b2250696e67496e74"
    "657276616c223a39302c225265636f6e6e656374436f756e74223a2d312c225265636f6e"
    "6e656374496e74657276616c223a39302c225265636f6e6e6563744e6f6e6365223a3235"
    "7d";

const std::string event_payload
  = R"({"schema":"2.0","header":{"event_id":"evt_0001","event_type":"im.message.receive_v1",)"
    R"("create_time":"1700000000000","token":"","app_id":"cli_a1b2c3d4e5f60718",)"
    R"("tenant_key":"tk_0001"},"event":{"sender":{"sender_id":{"open_id":"ou_user_0001"},)"
    R"("sender_type":"user","tenant_key":"tk_0001"},"message":{"message_id":"om_0001",)"
    R"("create_time":"1700000000000","chat_id":"oc_0001","chat_type":"p2p",)"
    R"("message_type":"text","content":"{\"text\":\"hi\"}"}}})";

const std::string data_hex
  = "080110c0c480c1c1c4820318f681801020012a0d0a047479706512056576656e742a160a"
    "0a6d6573736167655f696412086d73675f303030312a080a0373756d1201312a080a0373"
    "65711201302a160a0874726163655f6964120a74726163655f3030303142b9037b227363"
    "68656d61223a22322e30222c22686561646572223a7b226576656e745f6964223a226576"
    "745f30303031222c226576656e745f74797065223a22696d2e6d6573736167652e726563"
    "656976655f7631222c226372656174655f74696d65223a22313730303030303030303030"
    "30222c22746f6b656e223a22222c226170705f6964223a22636c695f6131623263336434"
    "6535663630373138222c2274656e616e745f6b6579223a22746b5f30303031227d2c2265"
    "76656e74223a7b2273656e646572223a7b2273656e6465725f6964223a7b226f70656e5f"
    "6964223a226f755f757365725f30303031227d2c2273656e6465725f74797065223a2275"
    "736572222c2274656e616e745f6b6579223a22746b5f30303031227d2c226d6573736167"
    "65223a7b226d6573736167655f6964223a226f6d5f30303031222c226372656174655f74"
    "696d65223a2231373030303030303030303030222c22636861745f6964223a226f635f30"
    "303031222c22636861745f74797065223a22703270222c226d6573736167655f74797065"
    "223a2274657874222c22636f6e74656e74223a227b5c22746578745c223a5c2268695c22"
    "7d227d7d7d";

const std::string ack_hex
  = "080110c0c480c1c1c4820318f681801020012a0d0a047479706512056576656e742a160a"
    "0a6d6573736167655f696412086d73675f303030312a080a0373756d1201312a080a0373"
    "65711201302a160a0874726163655f6964120a74726163655f303030312a0b0a0662697a"
    "5f7274120130420c7b22636f6465223a3230307d";

const std::string frag_ack_hex
  = "080210c1c480c1c1c4820318f681801020012a0d0a047479706512056576656e742a160a"
    "0a6d6573736167655f696412086d73675f303030322a080a0373756d1201322a080a0373"
    "65711201312a160a0874726163655f6964120a74726163655f303030322a0b0a0662697a"
    "5f7274120130420c7b22636f6465223a3230307d";

frame data_frame() {
  frame f;
  f.seq_id = 1;
  f.log_id = 1700000000123456ull;
  f.service = service_id;
  f.method = 1;
  f.headers = {{"type", "event"},
               {"message_id", "msg_0001"},
               {"sum", "1"},
               {"seq", "0"},
               {"trace_id", "trace_0001"}};
  f.payload = event_payload;
  return f;
}

frame fragment(int seq, std::string part) {
  frame f;
  f.seq_id = 2;
  f.log_id = 1700000000123457ull;
  f.service = service_id;
  f.method = 1;
  f.headers = {{"type", "event"},
               {"message_id", "msg_0002"},
               {"sum", "2"},
               {"seq", std::to_string(seq)},
               {"trace_id", "trace_0002"}};
  f.payload = std::move(part);
  return f;
}

} // namespace

TEST_CASE("feishu frame: ping vector", "[feishu]") {
  CHECK(to_hex(encode_frame(make_ping(service_id))) == ping_hex);
  auto f = decode_frame(from_hex(ping_hex));
  REQUIRE(f);
  CHECK(f->seq_id == 0);
  CHECK(f->log_id == 0);
  CHECK(f->service == service_id);
  CHECK(f->method == 0);
  CHECK(f->header("type") == "ping");
  CHECK_FALSE(f->payload);
}

TEST_CASE("feishu frame: pong vector updates the client config",
          "[feishu]") {
  client_config sent{90, -1, 90, 25};
  CHECK(client_config_json(sent)
        == R"({"PingInterval":90,"ReconnectCount":-1,)"
           R"("ReconnectInterval":90,"ReconnectNonce":25})");
  CHECK(to_hex(encode_frame(make_pong(service_id, client_config_json(sent))))
        == pong_hex);
  auto f = decode_frame(from_hex(pong_hex));
  REQUIRE(f);
  CHECK(f->method == 0);
  CHECK(f->header("type") == "pong");
  REQUIRE(f->payload);
  client_config live;
  apply_client_config(live, *f->payload);
  CHECK(live.ping_interval_s == 90);
  CHECK(live.reconnect_count == -1);
  CHECK(live.reconnect_interval_s == 90);
  CHECK(live.reconnect_nonce_s == 25);
  // A pong without payload has no field 8.
  CHECK(to_hex(encode_frame(make_pong(service_id)))
        == "0800100018f681801020002a0c0a04747970651204706f6e67");
}

TEST_CASE("feishu frame: data frame round-trips and gets the exact ACK",
          "[feishu]") {
  CHECK(event_payload.size() == 441);
  CHECK(to_hex(encode_frame(data_frame())) == data_hex);
  auto f = decode_frame(from_hex(data_hex));
  REQUIRE(f);
  CHECK(f->seq_id == 1);
  CHECK(f->log_id == 1700000000123456ull);
  CHECK(f->service == service_id);
  CHECK(f->method == 1);
  REQUIRE(f->headers.size() == 5);
  CHECK(f->header("trace_id") == "trace_0001");
  CHECK(f->payload == event_payload);
  CHECK_FALSE(f->payload_encoding);
  CHECK_FALSE(f->payload_type);
  CHECK_FALSE(f->log_id_new);
  auto ack = make_ack(*f, 0);
  CHECK(to_hex(encode_frame(ack)) == ack_hex);
  CHECK(ack_code(*ack.payload) == 200);
  // Only the biz_rt value changes with the measured time; never negative.
  CHECK(make_ack(*f, 42).header("biz_rt") == "42");
  CHECK(to_hex(encode_frame(make_ack(*f, -7))) == ack_hex);
  CHECK(*make_ack(*f, 0, 500).payload == R"({"code":500})");
}

TEST_CASE("feishu frame: fragmented event gives one payload and one ACK",
          "[feishu]") {
  reassembler r;
  auto first = fragment(0, event_payload.substr(0, 220));
  auto last = fragment(1, event_payload.substr(220));
  // Through the wire and back, as the transport will see them.
  auto a = r.feed(*decode_frame(encode_frame(first)), 1000);
  CHECK(a.what == reassembler::outcome::pending);
  auto b = r.feed(*decode_frame(encode_frame(last)), 1001);
  REQUIRE(b.what == reassembler::outcome::complete);
  CHECK(b.payload == event_payload);
  CHECK(r.open_sets() == 0);
  CHECK(to_hex(encode_frame(make_ack(last, 0))) == frag_ack_hex);
}

TEST_CASE("feishu frame: optional fields are echoed when present",
          "[feishu]") {
  auto f = data_frame();
  f.payload_encoding = "";
  f.payload_type = "json";
  f.log_id_new = "log-new-1";
  auto back = decode_frame(encode_frame(f));
  REQUIRE(back);
  CHECK(back->payload_encoding == std::string{});
  CHECK(back->payload_type == std::string{"json"});
  CHECK(back->log_id_new == std::string{"log-new-1"});
  auto ack = decode_frame(encode_frame(make_ack(*back, 3)));
  REQUIRE(ack);
  CHECK(ack->payload_type == std::string{"json"});
  CHECK(ack->log_id_new == std::string{"log-new-1"});
  CHECK(ack->headers.size() == 6);
  CHECK(ack->headers.back().key == "biz_rt");
  CHECK(ack->headers.back().value == "3");
}

TEST_CASE("feishu frame: uint64 ids above 2^53 are echoed exactly",
          "[feishu]") {
  auto f = data_frame();
  f.seq_id = 9007199254740993ull; // 2^53 + 1: not representable as double
  f.log_id = 18446744073709551615ull;
  auto back = decode_frame(encode_frame(f));
  REQUIRE(back);
  CHECK(back->seq_id == 9007199254740993ull);
  CHECK(back->log_id == 18446744073709551615ull);
  auto ack = decode_frame(encode_frame(make_ack(*back, 0)));
  REQUIRE(ack);
  CHECK(ack->seq_id == 9007199254740993ull);
  CHECK(ack->log_id == 18446744073709551615ull);
}

TEST_CASE("feishu frame: decoding tolerates missing fields, rejects garbage",
          "[feishu]") {
  // Only field 4 present: required fields default to 0.
  auto sparse = decode_frame(from_hex("2001"));
  REQUIRE(sparse);
  CHECK(sparse->method == 1);
  CHECK(sparse->seq_id == 0);
  // Unknown field 15 (varint) is skipped.
  auto skip = decode_frame(from_hex("08057801" "2001"));
  REQUIRE(skip);
  CHECK(skip->seq_id == 5);
  CHECK(skip->method == 1);
  // Truncated varint, truncated length, invalid wire type, field 0.
  CHECK_FALSE(decode_frame(from_hex("08ff")));
  CHECK_FALSE(decode_frame(from_hex("2a05")));
  CHECK_FALSE(decode_frame(from_hex("0f00")));
  CHECK_FALSE(decode_frame(from_hex("0001")));
  CHECK_FALSE(decode_frame("GET / HTTP/1.1\r\n\r\n"));
  CHECK_FALSE(decode_frame(std::string(64, '\xff')));
  // Duplicate header keys: the first wins (spec §9.8).
  frame dup;
  dup.headers = {{"type", "event"}, {"type", "card"}};
  CHECK(decode_frame(encode_frame(dup))->header("type") == "event");
  CHECK(dup.header("absent").empty());
}

TEST_CASE("feishu frame: client config keeps only sensible values",
          "[feishu]") {
  client_config cfg;
  apply_client_config(cfg, R"({"PingInterval":0,"ReconnectCount":-5,)"
                           R"("ReconnectInterval":"60","ReconnectNonce":-1})");
  CHECK(cfg.ping_interval_s == 120);
  CHECK(cfg.reconnect_count == -1);
  CHECK(cfg.reconnect_interval_s == 120);
  CHECK(cfg.reconnect_nonce_s == 30);
  apply_client_config(cfg, R"({"ReconnectNonce":0,"ReconnectCount":3})");
  CHECK(cfg.reconnect_nonce_s == 0);
  CHECK(cfg.reconnect_count == 3);
  CHECK(cfg.ping_interval_s == 120);
  apply_client_config(cfg, R"({"PingInterval":1e12})");
  apply_client_config(cfg, R"({"PingInterval":99999999999})");
  apply_client_config(cfg, "not json");
  apply_client_config(cfg, "[1,2]");
  CHECK(cfg.ping_interval_s == 120);
  apply_client_config(cfg, R"({"PingInterval":1,"ReconnectInterval":1})");
  CHECK(cfg.ping_interval_s == 1);
  CHECK(cfg.reconnect_interval_s == 1);
}

TEST_CASE("feishu frame: ack_code accepts the three SDK forms", "[feishu]") {
  CHECK(ack_code(R"({"code":200})") == 200);
  CHECK(ack_code(R"({"code":200,"headers":null,"data":null})") == 200);
  CHECK(ack_code(R"({"code":200,"headers":{},"data":null})") == 200);
  CHECK(ack_code(R"({"code":500})") == 500);
  CHECK(ack_code(R"({"code":"200"})") == -1);
  CHECK(ack_code(R"({"status":200})") == -1);
  CHECK(ack_code("200") == -1);
  CHECK(ack_code("") == -1);
}
