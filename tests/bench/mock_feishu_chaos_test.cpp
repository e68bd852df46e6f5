// mock_feishu additions for the chaos benchmark: the `drop` fault, faults and
// refusals for one app, blackholed connections, reconnect timing, and the
// load report's unanswered ids and apologies.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "net/http_types.hpp"
#include "protocol/feishu_event.hpp"
#include "protocol/feishu_frame.hpp"
#include "tests/bench/bench_test_util.hpp"

using namespace loong::test;
using loong::bench::json_bool;
using loong::bench::json_int;
using loong::bench::json_str;
namespace feishu = loong::feishu;
namespace net = loong::net;

namespace {

constexpr int32_t service = 33554678;

struct two_apps {
  mock_process m = start_mock("mock_feishu", {"--app", "cli_a:s", "--app", "cli_b:s"});
  net::io_runtime io{1};

  std::unique_ptr<ws_probe> connect(const std::string& app, size_t expect = 1) {
    auto p = std::make_unique<ws_probe>(io, discover(m, app, "s"));
    REQUIRE(p->wait_open());
    auto w = get(m, "/_mock/wait?kind=connections&app_id=" + app + "&count="
                      + std::to_string(expect) + "&timeout_ms=5000");
    REQUIRE(w.status == 200);
    return p;
  }
};

void ok_post(const mock_process& m, const std::string& path, const std::string& body) {
  auto r = post(m, path, body);
  INFO(path << " " << body << " -> " << r.body);
  REQUIRE(r.status == 200);
}

http_result reply(const mock_process& m, const std::string& token, const std::string& to,
                  const std::string& text, const std::string& uuid = {}) {
  auto content = loong::bench::json_quote("{\"text\":" + loong::bench::json_quote(text) + "}");
  return http_call("POST", m.url() + "/open-apis/im/v1/messages/" + to + "/reply",
                   R"({"msg_type":"text","content":)" + content
                     + (uuid.empty() ? "" : R"(,"uuid":")" + uuid + "\"") + "}",
                   {{"Authorization", "Bearer " + token}});
}

// One request on a fresh TCP connection (no client retries, no pooling):
// everything the server wrote before closing, or "<no connect>".
std::string raw_exchange(const mock_process& m, const std::string& method,
                         const std::string& path, const std::string& body,
                         const std::string& extra_headers = {}) {
  auto port = static_cast<uint16_t>(std::stoi(m.url().substr(m.url().rfind(':') + 1)));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{5, 0};  // a server that neither answers nor closes fails the test
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "<no connect>";
  }
  auto req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
             + extra_headers + "Content-Type: application/json\r\nContent-Length: "
             + std::to_string(body.size()) + "\r\n\r\n" + body;
  REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
  std::string got;
  char buf[4096];
  for (;;) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      INFO("recv ended with " << n);
      CHECK(n == 0);  // EOF, not the 5 s timeout
      break;
    }
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return got;
}

feishu::frame next_frame(ws_probe& p) {
  auto bytes = p.next();
  REQUIRE(bytes.has_value());
  auto f = feishu::decode_frame(*bytes);
  REQUIRE(f.has_value());
  return *f;
}

std::string message_id_of(const feishu::frame& f) {
  REQUIRE(f.payload.has_value());
  auto ev = feishu::parse_event(*f.payload);
  REQUIRE(ev);
  return std::get<loong::inbound_message>(*ev).message_id;
}

} // namespace

TEST_CASE("chaos: the drop fault closes the connection without an answer", "[mock]") {
  two_apps f;
  auto token = fetch_token(f.m, "cli_a", "s");
  const std::string reply_body = R"({"msg_type":"text","content":"{\"text\":\"x\"}"})";
  const std::string bearer = "Authorization: Bearer " + token + "\r\n";
  ok_post(f.m, "/_mock/faults", R"({"endpoint":"reply","kind":"drop"})");
  CHECK(raw_exchange(f.m, "POST", "/open-apis/im/v1/messages/om_1/reply", reply_body, bearer)
          .empty());
  CHECK(json_int(json_of(get(f.m, "/_mock/stats")), "replies", -1) == 0);
  auto after = raw_exchange(f.m, "POST", "/open-apis/im/v1/messages/om_1/reply", reply_body,
                            bearer);
  CHECK(after.rfind("HTTP/1.1 200", 0) == 0);

  // Every HTTP endpoint can drop, discovery and token included.
  ok_post(f.m, "/_mock/faults", R"({"endpoint":"discovery","kind":"drop"})");
  CHECK(raw_exchange(f.m, "POST", "/callback/ws/endpoint", R"({"AppID":"cli_a","AppSecret":"s"})")
          .empty());
  ok_post(f.m, "/_mock/faults", R"({"endpoint":"token","kind":"drop"})");
  CHECK(raw_exchange(f.m, "POST", "/open-apis/auth/v3/tenant_access_token/internal",
                     R"({"app_id":"cli_a","app_secret":"s"})")
          .empty());
  CHECK(json_int(json_of(get(f.m, "/_mock/stats")), "faults_fired", 0) == 3);
}

TEST_CASE("chaos: faults and refusals for one app leave the others alone", "[mock]") {
  two_apps f;
  auto a = fetch_token(f.m, "cli_a", "s");
  auto b = fetch_token(f.m, "cli_b", "s");
  ok_post(f.m, "/_mock/faults", R"({"endpoint":"reply","kind":"server_error","app_id":"cli_b"})");
  auto listed = json_of(get(f.m, "/_mock/faults"));
  CHECK(json_str(listed["faults"][0], "app_id") == "cli_b");
  CHECK(reply(f.m, a, "om_1", "x").status == 200);  // the bearer is cli_a's
  CHECK(reply(f.m, b, "om_2", "x").status == 500);
  CHECK(reply(f.m, b, "om_2", "x").status == 200);
  CHECK(post(f.m, "/_mock/faults", R"({"endpoint":"reply","kind":"drop","app_id":"cli_x"})")
          .status
        == 404);

  // Discovery: the body's AppID decides.
  ok_post(f.m, "/_mock/faults", R"({"endpoint":"discovery","kind":"1","app_id":"cli_b"})");
  auto da = json_of(post(f.m, "/callback/ws/endpoint", R"({"AppID":"cli_a","AppSecret":"s"})"));
  CHECK(json_int(da, "code", -1) == 0);
  auto db = json_of(post(f.m, "/callback/ws/endpoint", R"({"AppID":"cli_b","AppSecret":"s"})"));
  CHECK(json_int(db, "code", -1) == 1);

  // Handshakes: the ticket's app decides; a refusal leaves its ticket unused.
  ok_post(f.m, "/_mock/ws/refuse",
          R"({"app_id":"cli_b","status":503,"handshake_status":"","handshake_msg":"busy"})");
  auto ua = discover(f.m, "cli_a", "s");
  auto ub = discover(f.m, "cli_b", "s");
  {
    ws_probe pa{f.io, ua};
    CHECK(pa.wait_open());
  }
  ws_probe refused{f.io, ub};
  REQUIRE(refused.wait_closed());
  CHECK(refused.handshake().status == 503);
  CHECK(net::find_header(refused.handshake().headers, "Handshake-Status").empty());
  ws_probe pb{f.io, ub};
  CHECK(pb.wait_open());
}

TEST_CASE("chaos: a blackholed connection gets nothing and its events wait", "[mock]") {
  two_apps f;
  ok_post(f.m, "/_mock/config", R"({"ack_timeout_ms":200})");
  auto first = f.connect("cli_a");
  ok_post(f.m, "/_mock/push", R"({"app_id":"cli_a","text":"before"})");
  auto before = next_frame(*first);
  auto n = json_of(post(f.m, "/_mock/connections/blackhole", R"({"app_id":"cli_a"})"));
  CHECK(json_int(n, "blackholed", 0) == 1);
  auto conns = json_of(get(f.m, "/_mock/connections?app_id=cli_a"));
  CHECK(json_bool(conns["connections"][0], "blackholed", false));

  // The ACK and a ping are ignored: no pong, the event stays open, and the
  // ACK-timeout re-push does not use the blackholed connection.
  first->send(feishu::encode_frame(feishu::make_ack(before, 0)));
  first->send(feishu::encode_frame(feishu::make_ping(service)));
  REQUIRE(get(f.m, "/_mock/wait?kind=blackholed_frames&count=2&timeout_ms=5000").status == 200);
  auto pushed = json_of(post(f.m, "/_mock/push", R"({"app_id":"cli_a","text":"during"})"));
  CHECK_FALSE(json_bool(pushed["events"][0], "delivered", true));
  CHECK_FALSE(first->next(600).has_value());
  auto stats = json_of(get(f.m, "/_mock/stats"));
  CHECK(json_int(stats, "acks", -1) == 0);
  CHECK(json_int(stats, "pongs", -1) == 0);
  CHECK(json_int(stats, "repushes", -1) == 0);
  CHECK(json_int(stats, "pending", -1) == 1);

  // A second connection of the app gets the waiting event; the first
  // event comes back only once the blackholed connection closes.
  auto second = f.connect("cli_a", 2);
  auto during = next_frame(*second);
  CHECK(during.payload != before.payload);
  second->send(feishu::encode_frame(feishu::make_ack(during, 0)));
  first.reset();  // the client gives up on it
  auto again = next_frame(*second);
  CHECK(again.payload == before.payload);
  second->send(feishu::encode_frame(feishu::make_ack(again, 0)));
  REQUIRE(get(f.m, "/_mock/wait?kind=acks&count=2&timeout_ms=5000").status == 200);
  CHECK(json_of(get(f.m, "/_mock/deliveries?unacked=1"))["deliveries"].Size() == 0);
}

TEST_CASE("chaos: reconnect records time the mock's own connection losses", "[mock]") {
  two_apps f;
  auto a = f.connect("cli_a");
  auto b = f.connect("cli_b");
  ok_post(f.m, "/_mock/connections/drop", R"({"app_id":"cli_a"})");
  ok_post(f.m, "/_mock/connections/drop", R"({"app_id":"cli_b","graceful":true})");
  REQUIRE(a->wait_closed());
  REQUIRE(b->wait_closed());
  // cli_b's way back meets a discovery fault first: not a clean reconnect.
  ok_post(f.m, "/_mock/faults", R"({"endpoint":"discovery","kind":"server_error","app_id":"cli_b"})");
  CHECK(post(f.m, "/callback/ws/endpoint", R"({"AppID":"cli_b","AppSecret":"s"})").status == 500);
  auto open = json_of(get(f.m, "/_mock/reconnects"));
  REQUIRE(open["reconnects"].Size() == 2);
  CHECK(json_int(open["reconnects"][0], "reopened_ms", 0) == -1);
  CHECK(json_int(open, "now_ms", 0) >= json_int(open["reconnects"][0], "fault_ms", 0));

  a = f.connect("cli_a");
  b = f.connect("cli_b");
  auto c = json_of(post(f.m, "/_mock/connections/blackhole", R"({"app_id":"cli_a"})"));
  CHECK(json_int(c, "blackholed", 0) == 1);
  a.reset();
  REQUIRE(get(f.m, "/_mock/wait?kind=connections_closed&app_id=cli_a&count=2&timeout_ms=5000")
            .status
          == 200);
  a = f.connect("cli_a");

  auto doc = json_of(get(f.m, "/_mock/reconnects"));
  const auto& r = doc["reconnects"];
  REQUIRE(r.Size() == 3);
  CHECK(json_str(r[0], "app_id") == "cli_a");
  CHECK(json_str(r[0], "kind") == "drop");
  CHECK(json_bool(r[0], "clean", false));
  CHECK(json_str(r[1], "kind") == "close");
  CHECK_FALSE(json_bool(r[1], "clean", true));
  CHECK(json_str(r[2], "kind") == "blackhole");
  CHECK(json_bool(r[2], "clean", false));
  for (const auto& x : r.GetArray()) {
    CHECK(json_int(x, "reopened_ms", -1) >= json_int(x, "fault_ms", 0));
    CHECK(json_int(x, "gap_ms", -1) == json_int(x, "reopened_ms", 0) - json_int(x, "fault_ms", 0));
  }
  ok_post(f.m, "/_mock/reset", "{}");
  CHECK(json_of(get(f.m, "/_mock/reconnects"))["reconnects"].Size() == 0);
}

TEST_CASE("chaos: the load report lists unanswered events and counts apologies", "[mock]") {
  two_apps f;
  auto ws = f.connect("cli_a");
  auto token = fetch_token(f.m, "cli_a", "s");
  ok_post(f.m, "/_mock/load", R"({"rate":1000,"count":3,"apps":["cli_a"]})");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(message_id_of(next_frame(*ws)));
  CHECK(reply(f.m, token, ids[0], "Sorry, the model took too long.", "u0").status == 200);
  CHECK(reply(f.m, token, ids[1], "echo: load", "u1").status == 200);
  CHECK(reply(f.m, token, ids[1], "Sorry, again", "u2").status == 200);  // a duplicate
  REQUIRE(get(f.m, "/_mock/wait?kind=load_answered&count=2&timeout_ms=5000").status == 200);
  auto rep = json_of(get(f.m, "/_mock/load?unanswered=1"));
  CHECK(json_int(rep, "answered", 0) == 2);
  CHECK(json_int(rep, "duplicates", 0) == 1);
  CHECK(json_int(rep, "apologies", 0) == 2);
  CHECK(json_int(rep, "unanswered", 0) == 1);
  REQUIRE(rep["unanswered_ids"].Size() == 1);
  CHECK(json_str(rep["unanswered_ids"][0], "message_id") == ids[2]);
  CHECK(json_str(rep["unanswered_ids"][0], "app_id") == "cli_a");
  CHECK_FALSE(json_bool(rep["unanswered_ids"][0], "acked", true));
  CHECK_FALSE(json_of(get(f.m, "/_mock/load")).HasMember("unanswered_ids"));
}
