// mock_feishu fault injection: every kind, counts, endpoints.

#include "tests/bench/bench_test_util.hpp"

using namespace loong::test;
using loong::bench::json_int;
using loong::bench::json_str;
using loong::bench::parse_object;

namespace {

const std::string send_path = "/open-apis/im/v1/messages?receive_id_type=chat_id";
const std::string body = R"({"receive_id":"oc_1","msg_type":"text","content":"{\"text\":\"x\"}"})";

void fault(const mock_process& m, const std::string& endpoint, const std::string& kind,
           int count = 1) {
  auto r = post(m, "/_mock/faults",
                R"({"endpoint":")" + endpoint + R"(","kind":")" + kind + R"(","count":)"
                  + std::to_string(count) + "}");
  INFO(r.body);
  REQUIRE(r.status == 200);
}

http_result send(const mock_process& m, const std::string& token, int timeout_ms = 10000) {
  return http_call("POST", m.url() + send_path, body, {{"Authorization", "Bearer " + token}},
                   timeout_ms);
}

} // namespace

TEST_CASE("faults: rate_limit, freq_limit, server_error, malformed", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:s"});
  auto token = fetch_token(m, "cli_a", "s");

  fault(m, "send", "rate_limit");
  auto r = send(m, token);
  CHECK(r.status == 429);
  CHECK(json_int(json_of(r), "code", 0) == 99991400);
  CHECK(r.header("x-ogw-ratelimit-reset") == "1");

  fault(m, "send", "freq_limit");
  r = send(m, token);
  CHECK(r.status == 400);
  CHECK(json_int(json_of(r), "code", 0) == 230020);

  fault(m, "send", "server_error");
  r = send(m, token);
  CHECK(r.status == 500);

  fault(m, "send", "malformed");
  r = send(m, token);
  CHECK(r.status == 200);
  CHECK_FALSE(parse_object(r.body).has_value());

  // All consumed: the next call succeeds and only it is recorded.
  r = send(m, token);
  CHECK(json_int(json_of(r), "code", -1) == 0);
  CHECK(json_of(get(m, "/_mock/messages"))["messages"].Size() == 1);
  CHECK(json_int(json_of(get(m, "/_mock/stats")), "faults_fired", 0) == 4);
}

TEST_CASE("faults: count, endpoint filter and any", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:s"});
  auto token = fetch_token(m, "cli_a", "s");
  fault(m, "reply", "server_error", 2);
  CHECK(send(m, token).status == 200);  // a send is not a reply
  auto reply = [&] {
    return http_call("POST", m.url() + "/open-apis/im/v1/messages/om_1/reply",
                     R"({"msg_type":"text","content":"{\"text\":\"x\"}"})",
                     {{"Authorization", "Bearer " + token}});
  };
  CHECK(reply().status == 500);
  CHECK(reply().status == 500);
  CHECK(reply().status == 200);

  fault(m, "any", "code:12345");
  CHECK(json_int(json_of(send(m, token)), "code", 0) == 12345);
  fault(m, "token", "server_error");
  auto r = post(m, "/open-apis/auth/v3/tenant_access_token/internal",
                R"({"app_id":"cli_a","app_secret":"s"})");
  CHECK(r.status == 500);
  auto listed = json_of(post(m, "/_mock/faults", R"({"endpoint":"send","kind":"hang","count":3})"));
  REQUIRE(listed["faults"].Size() == 1);
  CHECK(json_int(listed["faults"][0], "remaining", 0) == 3);
  CHECK(http_call("DELETE", m.url() + "/_mock/faults").status == 200);
  CHECK(send(m, token).status == 200);
  CHECK(post(m, "/_mock/faults", R"({"endpoint":"send","kind":"explode"})").status == 400);
  CHECK(post(m, "/_mock/faults", R"({"endpoint":"nowhere","kind":"hang"})").status == 400);
}

TEST_CASE("faults: token_invalid invalidates the token", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:s"});
  auto token = fetch_token(m, "cli_a", "s");
  fault(m, "send", "token_invalid");
  auto r = send(m, token);
  CHECK(json_int(json_of(r), "code", 0) == 99991663);
  r = send(m, token);
  CHECK(json_int(json_of(r), "code", 0) == 99991663);
  auto fresh = fetch_token(m, "cli_a", "s");
  CHECK(fresh != token);
  CHECK(json_int(json_of(send(m, fresh)), "code", -1) == 0);
}

TEST_CASE("faults: delay answers late, hang never answers", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:s"});
  auto token = fetch_token(m, "cli_a", "s");
  fault(m, "send", "delay:300");
  auto t0 = std::chrono::steady_clock::now();
  auto r = send(m, token);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds{290});
  CHECK(json_int(json_of(r), "code", -1) == 0);

  fault(m, "send", "hang");
  r = send(m, token, 300);
  CHECK(r.status == 0);
  INFO(r.body);
  CHECK(r.body.find("timeout") != std::string::npos);
  CHECK(json_int(json_of(get(m, "/_mock/stats")), "hung", 0) == 1);
  // A hung call was not processed.
  CHECK(json_of(get(m, "/_mock/messages"))["messages"].Size() == 1);
}

TEST_CASE("faults: discovery codes and HTTP errors", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:s"});
  auto discovery = [&] {
    return post(m, "/callback/ws/endpoint", R"({"AppID":"cli_a","AppSecret":"s"})");
  };
  for (auto code : {"1", "1000040343", "10003"}) {
    fault(m, "discovery", code);
    auto r = discovery();
    CHECK(r.status == 200);
    CHECK(std::to_string(json_int(json_of(r), "code", 0)) == code);
  }
  fault(m, "discovery", "server_error");
  CHECK(discovery().status == 500);
  fault(m, "discovery", "delay:200");
  auto t0 = std::chrono::steady_clock::now();
  CHECK(json_int(json_of(discovery()), "code", -1) == 0);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds{190});
  // Credential errors of discovery itself.
  auto r = post(m, "/callback/ws/endpoint", R"({"AppID":"cli_a","AppSecret":"bad"})");
  CHECK(json_int(json_of(r), "code", 0) == 10014);
  r = post(m, "/callback/ws/endpoint", R"({"AppID":"cli_zz","AppSecret":"s"})");
  CHECK(json_int(json_of(r), "code", 0) == 10003);
  CHECK(json_int(json_of(get(m, "/_mock/stats")), "faults_fired", 0) == 5);
}
