#include <catch2/catch.hpp>

#include "messages/errors.hpp"
#include "protocol/feishu_frame.hpp"

using namespace loong::feishu;

TEST_CASE("feishu discovery: request body matches the SDK capture",
          "[feishu]") {
  CHECK(discovery_request_body("cli_a1b2c3d4e5f60718", "secret_test")
        == R"({"AppID":"cli_a1b2c3d4e5f60718","AppSecret":"secret_test"})");
  CHECK(discovery_request_body("a\"b", "c\\d")
        == R"({"AppID":"a\"b","AppSecret":"c\\d"})");
}

TEST_CASE("feishu discovery: response parsing", "[feishu]") {
  auto ok = parse_discovery_response(
    R"({"code":0,"msg":"ok","data":{"URL":"wss://msg-frontier.feishu.cn/ws/v2?)"
    R"(fpid=493&aid=552564&device_id=7677469797122837778&access_key=ak&)"
    R"(service_id=33554678&ticket=tk","ClientConfig":{"PingInterval":90,)"
    R"("ReconnectCount":5,"ReconnectInterval":60,"ReconnectNonce":0}}})");
  REQUIRE(ok);
  CHECK(ok->code == 0);
  CHECK(ok->msg == "ok");
  CHECK(ok->url.rfind("wss://msg-frontier.feishu.cn/ws/v2?", 0) == 0);
  CHECK(ok->config.ping_interval_s == 90);
  CHECK(ok->config.reconnect_count == 5);
  CHECK(ok->config.reconnect_interval_s == 60);
  CHECK(ok->config.reconnect_nonce_s == 0);
  // ClientConfig absent: defaults.
  auto plain = parse_discovery_response(
    R"({"code":0,"data":{"URL":"ws://127.0.0.1:1/ws?service_id=1"}})");
  REQUIRE(plain);
  CHECK(plain->config.ping_interval_s == 120);
  CHECK(plain->config.reconnect_nonce_s == 30);
  // Non-zero codes are results, to be classified.
  auto busy = parse_discovery_response(R"({"code":1,"msg":"system busy"})");
  REQUIRE(busy);
  CHECK(busy->code == 1);
  CHECK(busy->msg == "system busy");
  CHECK(busy->url.empty());
  // Failures.
  for (auto body : {"", "<html>502</html>", "[]", R"({"msg":"ok"})",
                    R"({"code":0})", R"({"code":0,"data":{}})",
                    R"({"code":0,"data":{"URL":""}})"}) {
    auto r = parse_discovery_response(body);
    REQUIRE_FALSE(r);
    CHECK(r.error() == loong::ec::malformed_response);
  }
}

TEST_CASE("feishu discovery: code classes", "[feishu]") {
  CHECK(classify_discovery(0) == discovery_class::ok);
  CHECK(classify_discovery(1) == discovery_class::retry);
  CHECK(classify_discovery(1000040343) == discovery_class::retry);
  CHECK(classify_discovery(10003) == discovery_class::fatal);
  CHECK(classify_discovery(1000040344) == discovery_class::fatal);
  CHECK(classify_discovery(-1) == discovery_class::fatal);
}

TEST_CASE("feishu discovery: ws url parsing and redaction", "[feishu]") {
  auto url = "ws://127.0.0.1:5555/ws/v2?fpid=493&aid=552564&device_id="
             "7677469797122837778&access_key=ak_test&service_id=33554678"
             "&ticket=tk_test";
  auto info = parse_ws_url(url);
  REQUIRE(info);
  CHECK(info->service_id == 33554678);
  CHECK(info->device_id == "7677469797122837778");
  CHECK(redact_url(url) == "ws://127.0.0.1:5555/ws/v2");
  CHECK(redact_url("wss://h/p#frag") == "wss://h/p");
  CHECK(redact_url("wss://h/p") == "wss://h/p");
  auto minimal = parse_ws_url("ws://h/?service_id=7#x");
  REQUIRE(minimal);
  CHECK(minimal->service_id == 7);
  CHECK(minimal->device_id.empty());
  for (auto bad : {"ws://h/ws/v2", "ws://h/ws/v2?device_id=1&ticket=t",
                   "ws://h/?service_id=", "ws://h/?service_id=abc",
                   "ws://h/?service_id=-4", "ws://h/?service_id=0",
                   "ws://h/?service_id=2147483648", "ws://h/#service_id=3"}) {
    auto r = parse_ws_url(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error() == loong::ec::malformed_response);
    // The URL (ticket!) never shows up in the error.
    CHECK(loong::describe(r.error()).find("ticket") == std::string::npos);
  }
}

TEST_CASE("feishu discovery: handshake failure classes", "[feishu]") {
  CHECK(classify_handshake("403", "") == handshake_class::fatal);
  CHECK(classify_handshake(" 403 ", "") == handshake_class::fatal);
  CHECK(classify_handshake("514", "1000040350") == handshake_class::fatal);
  CHECK(classify_handshake("514", "1000040351") == handshake_class::retry);
  CHECK(classify_handshake("514", "") == handshake_class::retry);
  CHECK(classify_handshake("500", "1000040350") == handshake_class::retry);
  CHECK(classify_handshake("", "") == handshake_class::retry);
}
