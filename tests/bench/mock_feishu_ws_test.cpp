// mock_feishu long connection: discovery, ping/pong, pushes compared with
// the spec's vectors, ACK recording, refusals, drops and re-delivery.

#include <set>

#include "net/http_types.hpp"
#include "protocol/feishu_event.hpp"
#include "protocol/feishu_frame.hpp"
#include "tests/bench/bench_test_util.hpp"
#include "tests/bench/spec_vectors.hpp"

using namespace loong::test;
using loong::bench::json_bool;
using loong::bench::json_int;
using loong::bench::json_quote;
using loong::bench::json_str;
namespace feishu = loong::feishu;
namespace net = loong::net;

namespace {

constexpr int32_t service = 33554678;

// Starts a mock with one app and connects one probe to it.
struct fixture {
  explicit fixture(std::vector<std::string> extra = {}) : m(start(std::move(extra))) {
  }
  static mock_process start(std::vector<std::string> extra) {
    std::vector<std::string> args{"--app", "cli_a:s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return start_mock("mock_feishu", args);
  }
  std::unique_ptr<ws_probe> connect(const std::string& app = "cli_a", size_t expect = 1) {
    auto p = std::make_unique<ws_probe>(io, discover(m, app, "s"));
    REQUIRE(p->wait_open());
    // The server registers the session right after the upgrade; wait for it.
    auto w = get(m, "/_mock/wait?kind=connections&app_id=" + app + "&count="
                      + std::to_string(expect) + "&timeout_ms=5000");
    REQUIRE(w.status == 200);
    return p;
  }
  mock_process m;
  net::io_runtime io{1};
};

feishu::frame next_frame(ws_probe& p) {
  auto bytes = p.next();
  REQUIRE(bytes.has_value());
  auto f = feishu::decode_frame(*bytes);
  REQUIRE(f.has_value());
  return *f;
}

rapidjson::Document wait_and_list(const mock_process& m, const std::string& kind, int count) {
  auto w = get(m, "/_mock/wait?kind=" + kind + "&count=" + std::to_string(count)
                    + "&timeout_ms=5000");
  INFO(w.body);
  REQUIRE(w.status == 200);
  return json_of(get(m, "/_mock/" + kind));
}

} // namespace

TEST_CASE("discovery, WebSocket connect and ping/pong with ClientConfig", "[mock]") {
  fixture f{{"--ping-interval", "90", "--reconnect-interval", "90", "--reconnect-nonce", "25"}};
  auto d = json_of(post(f.m, "/callback/ws/endpoint", R"({"AppID":"cli_a","AppSecret":"s"})"));
  REQUIRE(json_int(d, "code", -1) == 0);
  auto url = json_str(d["data"], "URL");
  CHECK(url.rfind("ws://127.0.0.1:" + f.m.url().substr(17) + "/ws/v2?device_id=", 0) == 0);
  CHECK(url.find("&service_id=33554678&ticket=") != std::string::npos);
  const auto& cc = d["data"]["ClientConfig"];
  CHECK(json_int(cc, "PingInterval", 0) == 90);
  CHECK(json_int(cc, "ReconnectCount", 0) == -1);
  CHECK(json_int(cc, "ReconnectInterval", 0) == 90);
  CHECK(json_int(cc, "ReconnectNonce", 0) == 25);

  auto ws = f.connect();
  auto ping = feishu::encode_frame(feishu::make_ping(service));
  REQUIRE(to_hex(ping) == vectors::ping_hex);
  ws->send(ping);
  auto pong = ws->next();
  REQUIRE(pong.has_value());
  CHECK(to_hex(*pong) == vectors::pong_hex);
  auto stats = json_of(get(f.m, "/_mock/stats"));
  CHECK(json_int(stats, "pings", 0) == 1);
  CHECK(json_int(stats, "pongs", 0) == 1);
  CHECK(json_int(stats, "connections_opened", 0) == 1);
  CHECK(json_int(stats, "bad_pings", 0) == 0);
  auto conns = json_of(get(f.m, "/_mock/connections?app_id=cli_a"));
  CHECK(json_int(conns, "count", 0) == 1);
  CHECK(json_int(conns["connections"][0], "pings", 0) == 1);
}

TEST_CASE("a pushed event is the spec's data frame and the SDK's ACK is recorded", "[mock]") {
  fixture f;
  auto ws = f.connect();
  auto r = post(f.m, "/_mock/push_raw",
                R"({"app_id":"cli_a","seq_id":1,"log_id":1700000000123456,)"
                R"("frame_message_id":"msg_0001","trace_id":"trace_0001","event_json":)"
                  + json_quote(vectors::event_payload) + "}");
  auto pushed = json_of(r);
  CHECK(json_bool(pushed["events"][0], "delivered", false));
  CHECK(json_str(pushed["events"][0], "event_id") == "evt_0001");
  auto frame = ws->next();
  REQUIRE(frame.has_value());
  CHECK(to_hex(*frame) == vectors::data_frame_hex);

  ws->send(from_hex(vectors::ack_hex));
  auto acks = wait_and_list(f.m, "acks", 1);
  REQUIRE(acks["acks"].Size() == 1);
  const auto& a = acks["acks"][0];
  INFO(loong::bench::json_dump(a["problems"]));
  CHECK(json_bool(a, "valid", false));
  CHECK(a["problems"].Size() == 0);
  CHECK(json_int(a, "code", 0) == 200);
  CHECK(json_str(a, "biz_rt") == "0");
  CHECK(json_str(a, "event_id") == "evt_0001");
  CHECK(a["log_id"].GetUint64() == 1700000000123456u);
  CHECK(json_int(a, "latency_ms", -1) >= 0);
  auto deliveries = json_of(get(f.m, "/_mock/deliveries"));
  CHECK(json_bool(deliveries["deliveries"][0], "acked", false));
  CHECK(json_of(get(f.m, "/_mock/deliveries?unacked=1"))["deliveries"].Size() == 0);
}

TEST_CASE("a two-part push splits the payload and the fragmented ACK is recorded", "[mock]") {
  fixture f;
  auto ws = f.connect();
  post(f.m, "/_mock/push_raw",
       R"({"app_id":"cli_a","parts":2,"seq_id":2,"log_id":1700000000123457,)"
       R"("frame_message_id":"msg_0002","trace_id":"trace_0002","event_json":)"
         + json_quote(vectors::event_payload) + "}");
  auto f0 = next_frame(*ws);
  auto f1 = next_frame(*ws);
  CHECK(f0.header("sum") == "2");
  CHECK(f0.header("seq") == "0");
  CHECK(f1.header("seq") == "1");
  CHECK(f0.payload == vectors::event_payload.substr(0, 220));
  CHECK(f1.payload == vectors::event_payload.substr(220));
  feishu::reassembler ra;
  CHECK(ra.feed(f0, 0).what == feishu::reassembler::outcome::pending);
  auto done = ra.feed(f1, 0);
  REQUIRE(done.what == feishu::reassembler::outcome::complete);
  CHECK(done.payload == vectors::event_payload);
  auto ack = feishu::encode_frame(feishu::make_ack(f1, 0));
  CHECK(to_hex(ack) == vectors::fragmented_ack_hex);
  ws->send(ack);
  auto acks = wait_and_list(f.m, "acks", 1);
  CHECK(json_bool(acks["acks"][0], "valid", false));
  CHECK(json_str(acks["acks"][0], "frame_message_id") == "msg_0002");
}

TEST_CASE("reverse part order: the ACK must echo the last frame sent", "[mock]") {
  fixture f;
  auto ws = f.connect();
  post(f.m, "/_mock/push", R"({"app_id":"cli_a","parts":3,"reverse":true,"text":"backwards"})");
  auto a = next_frame(*ws);
  auto b = next_frame(*ws);
  auto c = next_frame(*ws);
  CHECK(a.header("seq") == "2");
  CHECK(c.header("seq") == "0");
  feishu::reassembler ra;
  ra.feed(a, 0);
  ra.feed(b, 0);
  auto done = ra.feed(c, 0);
  REQUIRE(done.what == feishu::reassembler::outcome::complete);
  auto ev = feishu::parse_event(done.payload);
  REQUIRE(ev);
  CHECK(std::get<loong::inbound_message>(*ev).text == "backwards");
  ws->send(feishu::encode_frame(feishu::make_ack(c, 3)));
  auto acks = wait_and_list(f.m, "acks", 1);
  CHECK(json_bool(acks["acks"][0], "valid", false));
  CHECK(json_str(acks["acks"][0], "biz_rt") == "3");
}

TEST_CASE("ACK checks: other payload forms, failures and malformed ACKs", "[mock]") {
  fixture f;
  auto ws = f.connect();
  post(f.m, "/_mock/push", R"({"app_id":"cli_a","count":3})");
  auto e1 = next_frame(*ws);
  auto e2 = next_frame(*ws);
  auto e3 = next_frame(*ws);
  // Go SDK form of the payload.
  auto go = feishu::make_ack(e1, 5);
  go.payload = R"({"code":200,"headers":null,"data":null})";
  ws->send(feishu::encode_frame(go));
  // code 500: recorded, but the event stays unacknowledged.
  ws->send(feishu::encode_frame(feishu::make_ack(e2, 1, 500)));
  // No biz_rt header.
  auto bad = e3;
  bad.payload = R"({"code":200})";
  ws->send(feishu::encode_frame(bad));
  // Unknown SeqID.
  auto stray = feishu::make_ack(e3, 0);
  stray.seq_id = 999999;
  ws->send(feishu::encode_frame(stray));
  auto acks_doc = wait_and_list(f.m, "acks", 4);
  auto acks = acks_doc["acks"].GetArray();
  REQUIRE(acks.Size() == 4);
  CHECK(json_bool(acks[0], "valid", false));
  CHECK(json_int(acks[1], "code", 0) == 500);
  CHECK(json_bool(acks[1], "valid", false));
  CHECK_FALSE(json_bool(acks[2], "valid", true));
  CHECK(acks[2]["problems"].Size() >= 1);
  CHECK_FALSE(json_bool(acks[3], "valid", true));
  auto open_doc = json_of(get(f.m, "/_mock/deliveries?unacked=1"));
  auto open = open_doc["deliveries"].GetArray();
  REQUIRE(open.Size() == 1);
  CHECK(json_str(open[0], "frame_message_id") == e2.header("message_id"));
  CHECK(json_int(json_of(get(f.m, "/_mock/stats")), "acks_invalid", 0) == 2);
}

TEST_CASE("the convenience push builds a valid im.message.receive_v1", "[mock]") {
  fixture f;
  auto ws = f.connect();
  post(f.m, "/_mock/push",
       R"({"app_id":"cli_a","chat_id":"oc_g","chat_type":"group","text":"hi \"there\"",)"
       R"("sender_open_id":"ou_u1","mention_bot":true,"message_id":"om_x","event_id":"evt_x"})");
  auto fr = next_frame(*ws);
  CHECK(fr.method == 1);
  CHECK(fr.service == service);
  CHECK(fr.header("type") == "event");
  REQUIRE(fr.payload.has_value());
  auto ev = feishu::parse_event(*fr.payload);
  REQUIRE(ev);
  const auto& msg = std::get<loong::inbound_message>(*ev);
  CHECK(msg.event_id == "evt_x");
  CHECK(msg.app_id == "cli_a");
  CHECK(msg.message_id == "om_x");
  CHECK(msg.chat_id == "oc_g");
  CHECK(msg.chat_type == "group");
  CHECK(msg.sender_open_id == "ou_u1");
  CHECK(msg.sender_type == "user");
  CHECK(feishu::mentions_bot(msg, "ou_bot_cli_a"));
  CHECK(feishu::prompt_text(msg, "ou_bot_cli_a") == "hi \"there\"");
}

TEST_CASE("refused handshakes carry status and Handshake-* headers", "[mock]") {
  fixture f;
  post(f.m, "/_mock/ws/refuse",
       R"({"count":1,"status":400,"handshake_status":514,"handshake_msg":"exceed conn limit",)"
       R"("autherrcode":1000040350})");
  auto url = discover(f.m, "cli_a", "s");
  {
    ws_probe refused{f.io, url};
    REQUIRE(refused.wait_closed());
    CHECK(refused.error().code == net::net_errc::handshake_rejected);
    auto hs = refused.handshake();
    CHECK(hs.status == 400);
    CHECK(net::find_header(hs.headers, "Handshake-Status") == "514");
    CHECK(net::find_header(hs.headers, "Handshake-Msg") == "exceed conn limit");
    CHECK(net::find_header(hs.headers, "Handshake-Autherrcode") == "1000040350");
  }
  {
    ws_probe ok{f.io, url};  // the refusal did not use up the ticket
    CHECK(ok.wait_open());
  }
  ws_probe reused{f.io, url};  // tickets are single-use
  REQUIRE(reused.wait_closed());
  CHECK(reused.handshake().status == 403);
  CHECK(net::find_header(reused.handshake().headers, "Handshake-Status") == "514");
  CHECK(json_int(json_of(get(f.m, "/_mock/stats")), "handshakes_refused", 0) == 2);
}

TEST_CASE("a dropped connection's un-ACKed events are re-delivered", "[mock]") {
  fixture f;
  auto first = f.connect();
  post(f.m, "/_mock/push", R"({"app_id":"cli_a","text":"again"})");
  auto lost = next_frame(*first);
  auto dropped = json_of(post(f.m, "/_mock/connections/drop", R"({"app_id":"cli_a"})"));
  CHECK(json_int(dropped, "dropped", 0) == 1);
  REQUIRE(first->wait_closed());
  REQUIRE(get(f.m, "/_mock/wait?kind=connections_closed&count=1&timeout_ms=5000").status == 200);
  auto second = f.connect();
  auto again = next_frame(*second);
  CHECK(again.payload == lost.payload);
  CHECK(again.header("message_id") == lost.header("message_id"));
  second->send(feishu::encode_frame(feishu::make_ack(again, 0)));
  auto acks = wait_and_list(f.m, "acks", 1);
  CHECK(json_bool(acks["acks"][0], "valid", false));
  auto stats = json_of(get(f.m, "/_mock/stats"));
  CHECK(json_int(stats, "redeliveries", 0) == 1);
  CHECK(json_int(json_of(get(f.m, "/_mock/deliveries"))["deliveries"][0], "sends", 0) == 2);
}

TEST_CASE("offline pushes arrive on connect and duplicates are separate deliveries", "[mock]") {
  fixture f;
  auto r = json_of(post(f.m, "/_mock/push", R"({"app_id":"cli_a","duplicate":true})"));
  CHECK_FALSE(json_bool(r["events"][0], "delivered", true));
  CHECK(r["events"][0]["deliveries"].Size() == 2);
  auto ws = f.connect();
  auto a = next_frame(*ws);
  auto b = next_frame(*ws);
  CHECK(a.payload == b.payload);
  CHECK(a.header("message_id") != b.header("message_id"));
  CHECK(a.seq_id != b.seq_id);
}

TEST_CASE("cluster mode: each event goes to exactly one connection", "[mock]") {
  fixture f;
  auto one = f.connect("cli_a", 1);
  auto two = f.connect("cli_a", 2);
  post(f.m, "/_mock/push", R"({"app_id":"cli_a","count":4})");
  std::set<std::string> ids;
  for (auto* p : {one.get(), two.get()})
    for (int i = 0; i < 2; ++i)
      ids.insert(next_frame(*p).header("message_id"));
  CHECK(ids.size() == 4);
  CHECK_FALSE(one->next(200).has_value());
  CHECK_FALSE(two->next(50).has_value());
}

TEST_CASE("the mock can stop answering pings", "[mock]") {
  fixture f;
  auto ws = f.connect();
  post(f.m, "/_mock/ws/pings", R"({"answer":false})");
  ws->send(feishu::encode_frame(feishu::make_ping(service)));
  REQUIRE(get(f.m, "/_mock/wait?kind=pings&count=1&timeout_ms=5000").status == 200);
  CHECK_FALSE(ws->next(200).has_value());
  post(f.m, "/_mock/ws/pings", R"({"answer":true})");
  ws->send(feishu::encode_frame(feishu::make_ping(service)));
  auto pong = next_frame(*ws);
  CHECK(pong.header("type") == "pong");
}

TEST_CASE("with --ack-timeout-ms an un-ACKed event is pushed again", "[mock]") {
  fixture f{{"--ack-timeout-ms", "200"}};
  auto ws = f.connect();
  post(f.m, "/_mock/push", R"({"app_id":"cli_a"})");
  auto first = next_frame(*ws);
  auto again = next_frame(*ws);
  CHECK(again.seq_id == first.seq_id);
  CHECK(again.payload == first.payload);
  ws->send(feishu::encode_frame(feishu::make_ack(again, 0)));
  wait_and_list(f.m, "acks", 1);
  CHECK(json_int(json_of(get(f.m, "/_mock/stats")), "repushes", 0) >= 1);
}
