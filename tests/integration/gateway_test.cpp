#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/gateway_env.hpp"

using namespace loong::test;

namespace {

bool eventually(const std::function<bool()>& pred, int limit_ms = 20000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limit_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

// The recorded replies of an app, as (reply_to -> count).
std::map<std::string, int> replies(gateway_env& env, const std::string& app) {
  auto d = json(env.mock("GET", "/_mock/messages?app_id=" + app).body);
  std::map<std::string, int> out;
  if (d.HasParseError() || !d.HasMember("messages"))
    return out;
  for (auto& m : d["messages"].GetArray())
    ++out[m["reply_to"].GetString()];
  return out;
}

bool wait_messages(gateway_env& env, int count, int timeout_ms = 20000) {
  auto r = env.mock("GET", "/_mock/wait?kind=messages&count=" + std::to_string(count)
                             + "&timeout_ms=" + std::to_string(timeout_ms));
  return r.status == 200;
}

} // namespace

TEST_CASE("gateway run answers both transports, dedups, reports and stops",
          "[integration]") {
  gateway_env env{1};
  REQUIRE(env.feishu.ok());
  REQUIRE(env.ark.ok());
  auto gw = env.start_gateway();
  INFO(gw->err());
  REQUIRE(eventually([&] { return env.ready(); }));
  // Websocket: one event, then a duplicate delivery of another.
  env.mock("POST", "/_mock/push", R"({"app_id":"cli_work","chat_id":"oc_team","text":"hello ws"})");
  env.mock("POST", "/_mock/push",
           R"({"app_id":"cli_work","chat_id":"oc_team","text":"twice","duplicate":true})");
  // Webhook: a signed, encrypted event.
  auto hook = json(env.mock("POST", "/_mock/webhook/deliver",
                            R"({"url":")" + env.hook_url()
                              + R"(","app_id":"cli_backup","chat_id":"oc_ops","text":"hello hook"})")
                     .body);
  REQUIRE_FALSE(hook.HasParseError());
  CHECK(hook["status"].GetInt() == 200);
  REQUIRE(wait_messages(env, 3));
  auto work = replies(env, "cli_work");
  auto backup = replies(env, "cli_backup");
  CHECK(work.size() == 2);
  for (auto& kv : work)
    CHECK(kv.second == 1);
  // Each accepted message got one ack reaction; the duplicate none.
  CHECK(env.mock("GET", "/_mock/wait?kind=reactions&count=3&timeout_ms=10000").status == 200);
  auto reactions = json(env.mock("GET", "/_mock/reactions").body);
  CHECK(reactions["total"].GetInt() == 3);
  CHECK(backup.size() == 1);
  auto msgs = env.mock("GET", "/_mock/messages").body;
  CHECK(msgs.find("echo: hello ws") != std::string::npos);
  CHECK(msgs.find("echo: hello hook") != std::string::npos);
  // The duplicate was ACKed twice but answered once.
  auto stats = json(env.mock("GET", "/_mock/stats").body);
  CHECK(stats["acks"].GetInt() >= 3);
  // A forged webhook is refused and answered by nobody.
  auto forged = json(env.mock("POST", "/_mock/webhook/deliver",
                              R"({"url":")" + env.hook_url()
                                + R"(","app_id":"cli_backup","text":"evil","tamper":"bad_signature"})")
                       .body);
  CHECK(forged["status"].GetInt() == 401);
  // Status from another process: running, with per-account detail.
  auto st = env.status();
  REQUIRE_FALSE(st.HasParseError());
  CHECK(st["running"].GetBool());
  CHECK_FALSE(st["stale"].GetBool());
  CHECK(std::string{st["phase"].GetString()} == "running");
  CHECK(st["owner_reachable"].GetBool());
  REQUIRE(eventually([&] {
    auto s = env.status();
    return s.HasMember("accounts") && s["accounts"].Size() == 2
           && s["accounts"][0]["replies_out"].GetInt() + s["accounts"][1]["replies_out"].GetInt() == 3;
  }));
  // A second owner is refused.
  auto second = env.loong({"gateway", "run", "--config", env.config});
  CHECK(second.exit_code == 2);
  CHECK(second.err.find("gateway owner already active") != std::string::npos);
  // Metrics over the control endpoint, with the owner's bearer token only.
  {
    auto s = env.status();
    auto url = "http://127.0.0.1:" + std::to_string(s["port"].GetInt()) + "/metrics";
    CHECK(http_call("GET", url).status == 401);
    std::ifstream in{s["token_path"].GetString()};
    std::string token;
    std::getline(in, token);
    auto m = http_call("GET", url, {}, {{"Authorization", "Bearer " + token}});
    CHECK(m.status == 200);
    CHECK(m.body.find("loong_replies_total{account=\"lark=work\"} 2") != std::string::npos);
    CHECK(m.body.find("loong_reply_latency_seconds_bucket") != std::string::npos);
  }
  // Stop: drains and releases ownership.
  auto stop = env.loong({"gateway", "stop"});
  CHECK(stop.exit_code == 0);
  CHECK(stop.out.find("gateway stop requested") != std::string::npos);
  CHECK(stop.out.find("gateway stopped") != std::string::npos);
  auto code = gw->wait(20000);
  INFO("gateway stderr:\n" << gw->err());
  CHECK(code == 0);
  auto after = env.status();
  CHECK_FALSE(after["running"].GetBool());
  CHECK(std::string{after["phase"].GetString()} == "stopped");
  CHECK(env.loong({"gateway", "stop"}).out.find("gateway is not running") != std::string::npos);
}

TEST_CASE("kill -9 with events in flight, then a new owner answers each exactly once",
          "[integration]") {
  gateway_env env{2};
  REQUIRE(env.feishu.ok());
  REQUIRE(env.ark.ok());
  auto gw = env.start_gateway("gw1");
  REQUIRE(eventually([&] { return env.ready(); }));
  // Slow provider: events are journaled and ACKed, answers are not out yet.
  http_call("POST", env.ark.url() + "/_mock/latency", R"({"delay_ms":3000})");
  env.mock("POST", "/_mock/push",
           R"({"app_id":"cli_work","chat_id":"oc_a","text":"in flight","count":4})");
  REQUIRE(env.mock("GET", "/_mock/wait?kind=acks&count=4&timeout_ms=10000").status == 200);
  gw->signal(SIGKILL);
  CHECK(gw->wait(5000) == 128 + SIGKILL);
  // The dead owner is reported stale, never running.
  auto st = env.status();
  CHECK_FALSE(st["running"].GetBool());
  CHECK(st["stale"].GetBool());
  http_call("POST", env.ark.url() + "/_mock/latency", R"({"delay_ms":0})");
  auto gw2 = env.start_gateway("gw2");
  INFO(gw2->err());
  REQUIRE(wait_messages(env, 4));
  // Nothing more arrives: each of the 4 messages got exactly one reply.
  auto work = replies(env, "cli_work");
  CHECK(work.size() == 4);
  for (auto& kv : work)
    CHECK(kv.second == 1);
  gw2->signal(SIGTERM);
  CHECK(gw2->wait(20000) == 0);
  CHECK(gw2->err().find("received SIGTERM; shutting down gracefully") != std::string::npos);
}

TEST_CASE("a dropped connection reconnects and the other account is unaffected",
          "[integration]") {
  gateway_env env{3};
  REQUIRE(env.feishu.ok());
  auto gw = env.start_gateway();
  REQUIRE(eventually([&] { return env.ready(); }));
  env.mock("POST", "/_mock/connections/drop", R"({"app_id":"cli_work"})");
  env.mock("POST", "/_mock/push", R"({"app_id":"cli_work","chat_id":"oc_team","text":"after drop"})");
  REQUIRE(wait_messages(env, 1));
  auto hook = json(env.mock("POST", "/_mock/webhook/deliver",
                            R"({"url":")" + env.hook_url()
                              + R"(","app_id":"cli_backup","text":"still here"})")
                     .body);
  CHECK(hook["status"].GetInt() == 200);
  REQUIRE(wait_messages(env, 2));
  REQUIRE(eventually([&] {
    auto s = env.status();
    if (!s.HasMember("accounts"))
      return false;
    for (auto& a : s["accounts"].GetArray())
      if (std::string{a["account"].GetString()} == "work")
        return a["transport"]["reconnects"].GetInt() >= 1
               && std::string{a["transport"]["state"].GetString()} == "connected";
    return false;
  }));
  gw->signal(SIGTERM);
  CHECK(gw->wait(20000) == 0);
}

TEST_CASE("channels serve feishu runs one account through drops and refusals",
          "[integration]") {
  gateway_env env{4};
  REQUIRE(env.feishu.ok());
  child_process serve{{loong_binary(), "channels", "serve", "feishu", "--account", "work",
                       "--config", env.config},
                      env.env(), env.dir.path() + "/serve"};
  REQUIRE(env.mock("GET", "/_mock/wait?kind=connections&count=1&timeout_ms=20000").status == 200);
  CHECK(eventually([&] {
    return serve.out().find("feishu channel started (config=" + env.config
                            + ", configured_account=work") != std::string::npos;
  }));
  // A second serve of the same account is refused.
  auto again = env.loong({"channels", "serve", "feishu", "--account", "work", "--config", env.config});
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("already has an active serve runtime") != std::string::npos);
  // Refuse the next two handshakes, then drop the connection.
  env.mock("POST", "/_mock/ws/refuse", R"({"count":2,"status":403,"handshake_status":"514"})");
  env.mock("POST", "/_mock/connections/drop", R"({"app_id":"cli_work"})");
  env.mock("POST", "/_mock/push", R"({"app_id":"cli_work","chat_id":"oc_team","text":"through it all"})");
  REQUIRE(wait_messages(env, 1, 30000));
  CHECK(env.mock("GET", "/_mock/messages").body.find("echo: through it all") != std::string::npos);
  auto stats = json(env.mock("GET", "/_mock/stats").body);
  CHECK(stats["handshakes_refused"].GetInt() == 2);
  CHECK(stats["acks_failed"].GetInt() == 0);
  serve.signal(SIGINT);
  CHECK(serve.wait(20000) == 0);
  CHECK(serve.err().find("received SIGINT; shutting down gracefully") != std::string::npos);
}

TEST_CASE("channels serve feishu exits 2 without a banner when the token is refused",
          "[integration]") {
  gateway_env env{5};
  REQUIRE(env.feishu.ok());
  std::string text;
  {
    std::ifstream in{env.config};
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  auto at = text.find("\"secret_work\"");
  REQUIRE(at != std::string::npos);
  text.replace(at, 13, "\"not-the-secret\"");
  auto bad = env.dir.write("bad-secret.toml", text);
  auto r = env.loong({"channels", "serve", "feishu", "--account", "work", "--config", bad});
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("feishu channel started") == std::string::npos);
  CHECK(r.err.find("no tenant token") != std::string::npos);
  CHECK(r.err.find("not-the-secret") == std::string::npos);
  // The serve slot is released with the reason on record.
  std::ifstream st{env.env().at("LOONG_HOME") + "/channel-runtime/feishu-serve-work/status.json"};
  std::stringstream record;
  record << st.rdbuf();
  CHECK(record.str().find("\"phase\": \"failed\"") != std::string::npos);
  CHECK(record.str().find("\"running\": false") != std::string::npos);
}

TEST_CASE("an account that keeps crashing is given up on while the other answers",
          "[integration]") {
  gateway_env env{6};
  REQUIRE(env.feishu.ok());
  auto gw = env.start_gateway();
  REQUIRE(eventually([&] { return env.ready(); }));
  auto s = env.status();
  auto kill_url = "http://127.0.0.1:" + std::to_string(s["port"].GetInt())
                  + "/api/gateway/accounts/work/kill";
  std::string token;
  {
    std::ifstream in{s["token_path"].GetString()};
    std::getline(in, token);
  }
  auto work = [&env](const char* field) -> std::string {
    auto d = env.status();
    if (!d.HasMember("accounts"))
      return {};
    for (auto& a : d["accounts"].GetArray())
      if (std::string{a["account"].GetString()} == "work") {
        auto& v = a[field];
        return v.IsString() ? v.GetString() : std::to_string(v.GetInt64());
      }
    return {};
  };
  // The restart budget is five per minute: five kills are restarted with a
  // growing backoff, the sixth gives the account up.
  for (int k = 1; k <= 6; ++k) {
    auto r = http_call("POST", kill_url, "{}", {{"Authorization", "Bearer " + token}});
    REQUIRE(r.status == 200);
    if (k < 6)
      REQUIRE(eventually([&] {
        return work("restarts") == std::to_string(k) && work("state") == "running";
      }));
  }
  REQUIRE(eventually([&] { return work("state") == "failed"; }));
  CHECK(work("restarts") == "5");
  // A failed account is not killed again, and the other account still answers.
  CHECK(http_call("POST", kill_url, "{}", {{"Authorization", "Bearer " + token}}).status == 404);
  auto hook = json(env.mock("POST", "/_mock/webhook/deliver",
                            R"({"url":")" + env.hook_url()
                              + R"(","app_id":"cli_backup","text":"still answering"})")
                     .body);
  CHECK(hook["status"].GetInt() == 200);
  REQUIRE(wait_messages(env, 1));
  CHECK(env.mock("GET", "/_mock/messages?app_id=cli_backup").body.find("still answering")
        != std::string::npos);
  auto d = env.status();
  for (auto& a : d["accounts"].GetArray())
    if (std::string{a["account"].GetString()} == "backup") {
      CHECK(a["restarts"].GetInt() == 0);
      CHECK(std::string{a["state"].GetString()} == "running");
    }
  gw->signal(SIGTERM);
  CHECK(gw->wait(20000) == 0);
}
