// mock_feishu webhook driver against a tiny net::http_server in the test that
// verifies with the protocol's own functions.

#include <mutex>

#include "net/http_server.hpp"
#include "protocol/webhook.hpp"
#include "protocol/webhook_crypto.hpp"
#include "tests/bench/bench_test_util.hpp"

using namespace loong::test;
using loong::bench::json_bool;
using loong::bench::json_int;
using loong::bench::json_str;
using loong::bench::parse_object;
namespace feishu = loong::feishu;
namespace net = loong::net;

namespace {

constexpr const char* key = "kR3xT9vQ2mLp8wZc";
constexpr const char* vtoken = "vt_test_token_01";

// Records the last request and answers with process_webhook's verdict.
struct target {
  explicit target(std::string encrypt_key) {
    secrets.verification_token = vtoken;
    secrets.encrypt_key = std::move(encrypt_key);
    server = net::http_server::start(io, {}, [this](net::server_request req, net::respond_fn respond) {
      feishu::webhook_headers h{net::find_header(req.headers, "X-Lark-Request-Timestamp"),
                                net::find_header(req.headers, "X-Lark-Request-Nonce"),
                                net::find_header(req.headers, "X-Lark-Signature")};
      auto out = feishu::process_webhook(req.body, h, secrets, time(nullptr));
      {
        std::lock_guard<std::mutex> lk{mu};
        last = req;
        outcome = out;
      }
      net::server_response resp;
      resp.status = out.http_status;
      resp.body = out.response_body;
      respond(std::move(resp));
    });
    REQUIRE(server);
  }
  ~target() {
    server->stop();
  }
  std::string url() const {
    return server->url() + "/webhook/cli_a";
  }
  net::io_runtime io{1};
  feishu::webhook_secrets secrets;
  std::shared_ptr<net::http_server> server;
  std::mutex mu;
  net::server_request last;
  feishu::webhook_outcome outcome{};
};

rapidjson::Document deliver(const mock_process& m, const std::string& fields) {
  auto r = post(m, "/_mock/webhook/deliver", fields);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return json_of(r);
}

} // namespace

TEST_CASE("webhook driver: encrypted, signed event is accepted by process_webhook", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", std::string{"cli_a:s:"} + key + ":" + vtoken});
  target t{key};
  auto d = deliver(m, R"({"app_id":"cli_a","url":")" + t.url()
                        + R"(","text":"from webhook","chat_id":"oc_w","event_id":"evt_w"})");
  CHECK(json_bool(d, "ok", false));
  CHECK(json_int(d, "status", 0) == 200);
  CHECK(json_str(d, "body") == R"({"code":0,"msg":"ok"})");
  std::lock_guard<std::mutex> lk{t.mu};
  CHECK(t.outcome.what == feishu::webhook_outcome::kind::event);
  CHECK(t.outcome.message.text == "from webhook");
  CHECK(t.outcome.message.chat_id == "oc_w");
  // The request itself: encrypted body, signature over the raw bytes.
  auto ts = net::find_header(t.last.headers, "X-Lark-Request-Timestamp");
  auto nonce = net::find_header(t.last.headers, "X-Lark-Request-Nonce");
  CHECK(net::find_header(t.last.headers, "X-Lark-Signature")
        == feishu::webhook_signature(ts, nonce, key, t.last.body));
  auto body = parse_object(t.last.body);
  REQUIRE(body);
  auto plain = feishu::decrypt_event(json_str(*body, "encrypt"), key);
  REQUIRE(plain);
  CHECK(*plain == json_str(d["request"], "plaintext"));
  CHECK(json_str(d["request"], "body") == t.last.body);
  CHECK(std::abs(std::stoll(ts) - time(nullptr)) < 60);
}

TEST_CASE("webhook driver: url_verification challenge", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", std::string{"cli_a:s:"} + key + ":" + vtoken});
  target t{key};
  auto d = deliver(m, R"({"app_id":"cli_a","kind":"challenge","challenge":"ajls384kdj","url":")"
                        + t.url() + "\"}");
  CHECK(json_int(d, "status", 0) == 200);
  CHECK(json_str(d, "body") == R"({"challenge":"ajls384kdj"})");
  std::lock_guard<std::mutex> lk{t.mu};
  auto body = parse_object(t.last.body);
  REQUIRE(body);
  auto plain = feishu::decrypt_event(json_str(*body, "encrypt"), key);
  REQUIRE(plain);
  CHECK(*plain == R"({"challenge":"ajls384kdj","token":"vt_test_token_01","type":"url_verification"})");
}

TEST_CASE("webhook driver: tampering options are rejected by the target", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", std::string{"cli_a:s:"} + key + ":" + vtoken});
  target t{key};
  t.secrets.replay_window_s = 300;
  struct row {
    const char* tamper;
    const char* reason;
  };
  for (auto [tamper, reason] : {row{"bad_signature", "bad_signature"}, row{"wrong_token", "bad_token"},
                                row{"old_timestamp", "stale_timestamp"},
                                row{"no_signature", "missing_signature_headers"}}) {
    INFO(tamper);
    auto d = deliver(m, R"({"app_id":"cli_a","url":")" + t.url() + R"(","tamper":")" + tamper
                          + "\"}");
    CHECK(json_int(d, "status", 0) == 401);
    std::lock_guard<std::mutex> lk{t.mu};
    CHECK(t.outcome.what == feishu::webhook_outcome::kind::rejected);
    CHECK(t.outcome.reason == reason);
  }
  CHECK(post(m, "/_mock/webhook/deliver", R"({"app_id":"cli_a","url":"x","tamper":"nope"})").status
        == 400);
}

TEST_CASE("webhook driver: plaintext app, raw event and unreachable targets", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", std::string{"cli_p:s::"} + vtoken});
  target t{""};
  auto d = deliver(m, R"({"app_id":"cli_p","url":")" + t.url() + R"(","text":"plain"})");
  CHECK(json_int(d, "status", 0) == 200);
  {
    std::lock_guard<std::mutex> lk{t.mu};
    CHECK(t.last.body == json_str(d["request"], "plaintext"));
    CHECK(net::find_header(t.last.headers, "X-Lark-Signature").empty());
    CHECK(t.outcome.message.text == "plain");
  }
  d = deliver(m, R"({"app_id":"cli_p","url":")" + t.url()
                   + R"(","event_json":"{\"schema\":\"2.0\",\"header\":{\"event_id\":\"e1\",\"event_type\":\"im.chat.updated_v1\",\"token\":\"vt_test_token_01\"},\"event\":{}}"})");
  CHECK(json_int(d, "status", 0) == 200);
  {
    std::lock_guard<std::mutex> lk{t.mu};
    CHECK(t.outcome.what == feishu::webhook_outcome::kind::ignored);
  }
  d = deliver(m, R"({"app_id":"cli_p","url":"http://127.0.0.1:9/nothing","timeout_ms":2000})");
  CHECK_FALSE(json_bool(d, "ok", true));
  CHECK(json_int(d, "status", -1) == 0);
  CHECK_FALSE(json_str(d, "error").empty());
  CHECK(post(m, "/_mock/webhook/deliver", R"({"app_id":"cli_p","url":"x","encrypt":true})").status
        == 400);
}
