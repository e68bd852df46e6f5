// mock_feishu OpenAPI: tokens, bearer checks, send/reply/edit/reactions,
// uuid de-duplication, control API basics.

#include <future>

#include "tests/bench/bench_test_util.hpp"

using namespace loong::test;
using loong::bench::json_bool;
using loong::bench::json_int;
using loong::bench::json_str;

namespace {

const std::string send_path = "/open-apis/im/v1/messages?receive_id_type=chat_id";

http_result send_text(const mock_process& m, const std::string& token, const std::string& text,
                      const std::string& uuid = {}, const std::string& path = send_path) {
  std::string body = R"({"receive_id":"oc_1","msg_type":"text","content":)"
                     + loong::bench::json_quote("{\"text\":\"" + text + "\"}");
  if (!uuid.empty())
    body += R"(,"uuid":")" + uuid + "\"";
  body += "}";
  return http_call("POST", m.url() + path, body, {{"Authorization", "Bearer " + token}});
}

} // namespace

TEST_CASE("mock_feishu announces its URL and exits 0 on SIGTERM", "[mock]") {
  auto m = start_mock("mock_feishu");
  CHECK(m.url().rfind("http://127.0.0.1:", 0) == 0);
  CHECK(m.pid() > 0);
  CHECK(json_bool(json_of(get(m, "/_mock/health")), "ok", false));
  CHECK(m.terminate() == 0);
}

TEST_CASE("mock_feishu rejects bad command lines", "[mock]") {
  auto m = mock_process::start(mock_binary("mock_feishu"), {"--app", "no-secret"});
  CHECK_FALSE(m.ok());
  CHECK(m.terminate() == 2);
}

TEST_CASE("tenant tokens: issue, reuse, wrong secret, unknown app, expiry", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:sec_a", "--token-ttl", "7200"});
  auto r = post(m, "/open-apis/auth/v3/tenant_access_token/internal",
                R"({"app_id":"cli_a","app_secret":"sec_a"})");
  auto d = json_of(r);
  CHECK(r.status == 200);
  CHECK(json_int(d, "code", -1) == 0);
  auto token = json_str(d, "tenant_access_token");
  CHECK(token.rfind("t-", 0) == 0);
  CHECK(json_int(d, "expire", 0) == 7200);
  // More than 30 min left: the platform hands out the same token.
  CHECK(fetch_token(m, "cli_a", "sec_a") == token);

  r = post(m, "/open-apis/auth/v3/tenant_access_token/internal",
           R"({"app_id":"cli_a","app_secret":"wrong"})");
  CHECK(r.status == 400);
  CHECK(json_int(json_of(r), "code", 0) == 10014);
  r = post(m, "/open-apis/auth/v3/tenant_access_token/internal",
           R"({"app_id":"cli_x","app_secret":"sec_a"})");
  CHECK(json_int(json_of(r), "code", 0) == 10003);

  // Bearer checks: missing, unknown, valid, expired.
  r = get(m, "/open-apis/bot/v3/info");
  CHECK(r.status == 400);
  CHECK(json_int(json_of(r), "code", 0) == 99991661);
  r = http_call("GET", m.url() + "/open-apis/bot/v3/info", {}, {{"Authorization", "Bearer t-nope"}});
  CHECK(json_int(json_of(r), "code", 0) == 99991663);
  r = http_call("GET", m.url() + "/open-apis/bot/v3/info", {}, {{"Authorization", "Bearer " + token}});
  d = json_of(r);
  CHECK(json_int(d, "code", -1) == 0);
  CHECK(json_str(d["bot"], "open_id") == "ou_bot_cli_a");

  CHECK(json_int(json_of(post(m, "/_mock/tokens/expire", R"({"app_id":"cli_a"})")), "expired", 0)
        == 1);
  r = http_call("GET", m.url() + "/open-apis/bot/v3/info", {}, {{"Authorization", "Bearer " + token}});
  CHECK(r.status == 400);
  CHECK(json_int(json_of(r), "code", 0) == 99991663);
  auto fresh = fetch_token(m, "cli_a", "sec_a");
  CHECK(fresh != token);
  auto stats = json_of(get(m, "/_mock/stats"));
  CHECK(json_int(stats, "token_fetches", 0) == 3);
  CHECK(json_int(stats, "tokens_issued", 0) == 2);
}

TEST_CASE("the token lifetime comes from --token-ttl", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:s", "--token-ttl", "1"});
  auto d = json_of(post(m, "/open-apis/auth/v3/tenant_access_token/internal",
                        R"({"app_id":"cli_a","app_secret":"s"})"));
  CHECK(json_int(d, "expire", 0) == 1);
}

TEST_CASE("send, reply, edit and reaction are recorded", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:s"});
  auto token = fetch_token(m, "cli_a", "s");
  auto r = send_text(m, token, "hello \\\"world\\\"", "uuid-1");
  auto d = json_of(r);
  REQUIRE(r.status == 200);
  CHECK(json_int(d, "code", -1) == 0);
  CHECK(json_str(d, "msg") == "success");
  auto sent_id = json_str(d["data"], "message_id");
  CHECK(sent_id.rfind("om_", 0) == 0);
  CHECK(json_str(d["data"], "chat_id") == "oc_1");

  r = http_call("POST", m.url() + "/open-apis/im/v1/messages/om_in_1/reply",
                R"({"msg_type":"text","content":"{\"text\":\"re\"}","reply_in_thread":true,"uuid":"r-1"})",
                {{"Authorization", "Bearer " + token}});
  d = json_of(r);
  CHECK(json_int(d, "code", -1) == 0);
  CHECK(json_str(d["data"], "parent_id") == "om_in_1");

  r = http_call("PUT", m.url() + "/open-apis/im/v1/messages/" + sent_id,
                R"({"msg_type":"text","content":"{\"text\":\"edited\"}"})",
                {{"Authorization", "Bearer " + token}});
  CHECK(json_int(json_of(r), "code", -1) == 0);
  r = http_call("POST", m.url() + "/open-apis/im/v1/messages/" + sent_id + "/reactions",
                R"({"reaction_type":{"emoji_type":"THUMBSUP"}})",
                {{"Authorization", "Bearer " + token}});
  d = json_of(r);
  CHECK(json_str(d["data"]["reaction_type"], "emoji_type") == "THUMBSUP");

  auto list = json_of(get(m, "/_mock/messages?app_id=cli_a"));
  REQUIRE(list["messages"].Size() == 2);
  const auto& s = list["messages"][0];
  CHECK(json_str(s, "kind") == "send");
  CHECK(json_str(s, "receive_id") == "oc_1");
  CHECK(json_str(s, "receive_id_type") == "chat_id");
  CHECK(json_str(s, "msg_type") == "text");
  CHECK(json_str(s, "text") == "hello \"world\"");
  CHECK(json_str(s, "uuid") == "uuid-1");
  CHECK(json_str(s, "message_id") == sent_id);
  CHECK(json_int(s, "time_ms", 0) > 0);
  const auto& rep = list["messages"][1];
  CHECK(json_str(rep, "kind") == "reply");
  CHECK(json_str(rep, "reply_to") == "om_in_1");
  CHECK(json_bool(rep, "reply_in_thread", false));
  CHECK(json_of(get(m, "/_mock/messages?since=1"))["messages"].Size() == 1);
  CHECK(json_of(get(m, "/_mock/messages?kind=reply"))["messages"].Size() == 1);
  CHECK(json_of(get(m, "/_mock/messages?app_id=cli_other"))["messages"].Size() == 0);
  auto edits = json_of(get(m, "/_mock/edits"));
  REQUIRE(edits["edits"].Size() == 1);
  CHECK(json_str(edits["edits"][0], "text") == "edited");
  CHECK(json_of(get(m, "/_mock/reactions"))["reactions"].Size() == 1);
  auto stats = json_of(get(m, "/_mock/stats"));
  CHECK(json_int(stats, "sends", 0) == 1);
  CHECK(json_int(stats, "replies", 0) == 1);
}

TEST_CASE("send validates receive_id_type and the body", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:s"});
  auto token = fetch_token(m, "cli_a", "s");
  for (auto type : {"open_id", "user_id", "union_id", "email", "chat_id"}) {
    auto r = send_text(m, token, "x", {}, std::string{"/open-apis/im/v1/messages?receive_id_type="} + type);
    CHECK(json_int(json_of(r), "code", -1) == 0);
  }
  for (auto path : {"/open-apis/im/v1/messages?receive_id_type=phone", "/open-apis/im/v1/messages"}) {
    auto r = send_text(m, token, "x", {}, path);
    CHECK(r.status == 400);
    CHECK(json_int(json_of(r), "code", 0) == 230001);
  }
  auto r = http_call("POST", m.url() + send_path, R"({"receive_id":"oc_1","msg_type":"text","content":"not json"})",
                     {{"Authorization", "Bearer " + token}});
  CHECK(json_int(json_of(r), "code", 0) == 230001);
  CHECK(json_int(json_of(get(m, "/_mock/stats")), "sends", -1) == 5);
}

TEST_CASE("the same uuid within an hour is de-duplicated", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:s", "--app", "cli_b:s"});
  auto ta = fetch_token(m, "cli_a", "s");
  auto first = json_of(send_text(m, ta, "one", "dup-1"));
  auto again = json_of(send_text(m, ta, "one", "dup-1"));
  CHECK(json_str(first["data"], "message_id") == json_str(again["data"], "message_id"));
  auto other = json_of(send_text(m, ta, "two", "dup-2"));
  CHECK(json_str(other["data"], "message_id") != json_str(first["data"], "message_id"));
  // uuids are per app.
  auto tb = fetch_token(m, "cli_b", "s");
  auto b = json_of(send_text(m, tb, "one", "dup-1"));
  CHECK(json_str(b["data"], "message_id") != json_str(first["data"], "message_id"));
  CHECK(json_of(get(m, "/_mock/messages"))["messages"].Size() == 3);
  auto stats = json_of(get(m, "/_mock/stats"));
  CHECK(json_int(stats, "dedup_hits", 0) == 1);
  CHECK(json_int(stats["per_app"]["cli_a"], "dedup_hits", 0) == 1);
}

TEST_CASE("wait answers once records exist, or 408 at the deadline", "[mock]") {
  auto m = start_mock("mock_feishu", {"--app", "cli_a:s"});
  auto token = fetch_token(m, "cli_a", "s");
  auto waiting = std::async(std::launch::async, [&m] {
    return get(m, "/_mock/wait?kind=messages&app_id=cli_a&count=2&timeout_ms=5000");
  });
  send_text(m, token, "a");
  send_text(m, token, "b");
  auto r = waiting.get();
  CHECK(r.status == 200);
  auto d = json_of(r);
  CHECK(json_bool(d, "satisfied", false));
  CHECK(json_int(d, "count", 0) == 2);
  auto t0 = std::chrono::steady_clock::now();
  r = get(m, "/_mock/wait?kind=messages&count=3&timeout_ms=200");
  CHECK(r.status == 408);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds{190});
  CHECK_FALSE(json_bool(json_of(r), "satisfied", true));
}

TEST_CASE("control API: apps, reset and unknown routes", "[mock]") {
  auto m = start_mock("mock_feishu");
  auto r = post(m, "/_mock/apps",
                R"({"app_id":"cli_c","app_secret":"s","bot_open_id":"ou_custom","verification_token":"vt"})");
  CHECK(r.status == 200);
  auto token = fetch_token(m, "cli_c", "s");
  r = http_call("GET", m.url() + "/open-apis/bot/v3/info", {}, {{"Authorization", "Bearer " + token}});
  CHECK(json_str(json_of(r)["bot"], "open_id") == "ou_custom");
  CHECK(post(m, "/_mock/apps", R"({"app_id":"x"})").status == 400);
  send_text(m, token, "a");
  CHECK(post(m, "/_mock/reset").status == 200);
  CHECK(json_of(get(m, "/_mock/messages"))["messages"].Size() == 0);
  CHECK(json_int(json_of(get(m, "/_mock/stats")), "sends", -1) == 0);
  CHECK(get(m, "/_mock/nope").status == 404);
  CHECK(post(m, "/_mock/faults", "not json").status == 400);
  CHECK(get(m, "/open-apis/unknown").status == 400);  // bearer first
}
