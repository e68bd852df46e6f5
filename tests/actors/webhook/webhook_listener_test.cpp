// webhook_listener + webhook_hub driven by the platform's own webhook
// sender (bench/mock_feishu signs and encrypts like Feishu): challenges,
// events and their verdicts, tampered requests, two accounts on one bind.

#include <future>
#include <string>

#include <catch2/catch.hpp>

#include "tests/actors/webhook/webhook_fixture.hpp"

using namespace loong;
using namespace loong::test;
using namespace std::chrono_literals;

namespace {

const std::string bind_any = "127.0.0.1:0";

hooked_account& spawn_a(webhook_fixture& f, webhook_options opts = {}) {
  return f.spawn(webhook_fixture::make_account("a", bind_any, "/feishu/events",
                                               key_a, token_a),
                 opts);
}

std::string event_fields(const std::string& event_id, const std::string& extra = {}) {
  return R"("event_id":")" + event_id + R"(","message_id":"om_)" + event_id
         + R"(","chat_id":"oc_hook","text":"hi there")" + extra;
}

} // namespace

TEST_CASE("an encrypted url_verification is answered at once", "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  auto& a = spawn_a(f);
  auto r = f.deliver(f.url(bind_any, "/feishu/events"), "cli_hook_a",
                     R"("kind":"challenge","challenge":"ajls384kdj")");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"challenge":"ajls384kdj"})");
  CHECK(a.log->calls() == 0);
  auto st = f.status(a);
  CHECK(st.kind == "webhook");
  CHECK(st.state == "listening");
  CHECK(st.received == 1);
  CHECK(st.rejected == 0);
}

TEST_CASE("a plain url_verification needs no signature headers", "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  spawn_a(f);
  // Key configured on our side, but the challenge is plaintext and unsigned.
  auto r = f.deliver(f.url(bind_any, "/feishu/events"), "cli_hook_a",
                     R"("kind":"challenge","challenge":"c_plain","encrypt":false,)"
                     R"("tamper":"no_signature")");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"challenge":"c_plain"})");
  // An app without an encrypt key at all.
  auto& p = f.spawn(webhook_fixture::make_account("plain", bind_any, "/plain", "", token_a));
  auto r2 = f.deliver(f.url(bind_any, "/plain"), "cli_hook_plain",
                      R"("kind":"challenge","challenge":"c2")");
  CHECK(r2.status == 200);
  CHECK(r2.body == R"({"challenge":"c2"})");
  CHECK(p.log->calls() == 0);
}

TEST_CASE("a signed encrypted event is delivered once and answered 200 only "
          "after the account's verdict",
          "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  auto& a = spawn_a(f);
  a.log->hold = true;
  auto target = f.url(bind_any, "/feishu/events");
  auto fut = std::async(std::launch::async, [&] {
    return f.deliver(target, "cli_hook_a", event_fields("evt_once"));
  });
  REQUIRE(eventually([&] { return a.log->accepted_count() == 1; }));
  // The account has the event but has not answered: no HTTP answer yet.
  CHECK(fut.wait_for(300ms) == std::future_status::timeout);
  CHECK(f.hub->pending() == 1);
  f.release(a);
  REQUIRE(fut.wait_for(15s) == std::future_status::ready);
  auto r = fut.get();
  CHECK(r.status == 200);
  CHECK(r.body == R"({"code":0,"msg":"ok"})");
  CHECK(f.hub->pending() == 0);
  std::lock_guard<std::mutex> lk{a.log->mu};
  REQUIRE(a.log->accepted.size() == 1);
  const auto& m = a.log->accepted.front();
  CHECK(m.event_id == "evt_once");
  CHECK(m.message_id == "om_evt_once");
  CHECK(m.chat_id == "oc_hook");
  CHECK(m.text == "hi there");
  CHECK(m.account == "a");
  CHECK(m.app_id == "cli_hook_a");
  CHECK(m.received_ms > 0);
}

TEST_CASE("a redelivered event is answered duplicate_event", "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  auto& a = spawn_a(f);
  auto target = f.url(bind_any, "/feishu/events");
  auto first = f.deliver(target, "cli_hook_a", event_fields("evt_dup"));
  auto second = f.deliver(target, "cli_hook_a", event_fields("evt_dup"));
  CHECK(first.status == 200);
  CHECK(first.body == R"({"code":0,"msg":"ok"})");
  CHECK(second.status == 200);
  CHECK(second.body == R"({"code":0,"msg":"duplicate_event"})");
  CHECK(a.log->accepted_count() == 1);
  CHECK(a.log->duplicate_count() == 1);
  CHECK(f.status(a).received == 2);
}

TEST_CASE("forged signatures and wrong tokens get 401 and reach nobody", "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  auto& a = spawn_a(f);
  auto target = f.url(bind_any, "/feishu/events");
  auto forged = f.deliver(target, "cli_hook_a",
                          event_fields("evt_forged", R"(,"tamper":"bad_signature")"));
  CHECK(forged.status == 401);
  CHECK(forged.body == R"({"code":401,"msg":"unauthorized"})");
  auto unsigned_ = f.deliver(target, "cli_hook_a",
                             event_fields("evt_unsigned", R"(,"tamper":"no_signature")"));
  CHECK(unsigned_.status == 401);
  auto token = f.deliver(target, "cli_hook_a",
                         event_fields("evt_token", R"(,"tamper":"wrong_token")"));
  CHECK(token.status == 401);
  // Another app's key: the body does not even decrypt (400, like a
  // padding error, so the answer is no oracle).
  auto other = f.deliver(target, "cli_hook_b", event_fields("evt_other_app"));
  CHECK(other.status == 400);
  CHECK(a.log->calls() == 0);
  auto st = f.status(a);
  CHECK(st.rejected == 4);
  CHECK(st.received == 0);
  CHECK(st.last_error.find("undecryptable") != std::string::npos);
  auto stats = f.hub->stats(bind_any, "/feishu/events");
  REQUIRE(stats);
  CHECK(stats->rejected_by_reason["bad_signature"] == 1);
  CHECK(stats->rejected_by_reason["missing_signature_headers"] == 1);
  CHECK(stats->rejected_by_reason["bad_token"] == 1);
  CHECK(stats->rejected_by_reason["undecryptable"] == 1);
  // A genuine event still goes through afterwards.
  CHECK(f.deliver(target, "cli_hook_a", event_fields("evt_fine")).status == 200);
  CHECK(a.log->accepted_count() == 1);
}

TEST_CASE("an old timestamp is refused only with a replay window", "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  webhook_options strict;
  strict.replay_window_s = 300;
  auto& a = f.spawn(webhook_fixture::make_account("a", bind_any, "/strict", key_a, token_a),
                    strict);
  auto& b = f.spawn(webhook_fixture::make_account("b", bind_any, "/lenient", key_a, token_a));
  auto old = R"(,"tamper":"old_timestamp")";
  auto refused = f.deliver(f.url(bind_any, "/strict"), "cli_hook_a",
                           event_fields("evt_old_1", old));
  CHECK(refused.status == 401);
  CHECK(a.log->calls() == 0);
  auto stats = f.hub->stats(bind_any, "/strict");
  REQUIRE(stats);
  CHECK(stats->rejected_by_reason["stale_timestamp"] == 1);
  // Default: off (the platform's retries may arrive hours later).
  auto accepted = f.deliver(f.url(bind_any, "/lenient"), "cli_hook_a",
                            event_fields("evt_old_2", old));
  CHECK(accepted.status == 200);
  CHECK(b.log->accepted_count() == 1);
  // A fresh timestamp passes the window.
  CHECK(f.deliver(f.url(bind_any, "/strict"), "cli_hook_a", event_fields("evt_new")).status
        == 200);
  CHECK(a.log->accepted_count() == 1);
}

TEST_CASE("other event types are answered ignored", "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  auto& a = spawn_a(f);
  auto event = R"({"schema":"2.0","header":{"event_id":"evt_member","event_type":)"
               R"("im.chat.member.bot.added_v1","create_time":"1700000000000","token":")"
               + token_a + R"(","app_id":"cli_hook_a"},"event":{}})";
  std::string quoted;
  for (char c : event) {
    if (c == '"' || c == '\\')
      quoted.push_back('\\');
    quoted.push_back(c);
  }
  auto r = f.deliver(f.url(bind_any, "/feishu/events"), "cli_hook_a",
                     "\"event_json\":\"" + quoted + "\"");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"code":0,"msg":"ignored"})");
  CHECK(a.log->calls() == 0);
  auto stats = f.hub->stats(bind_any, "/feishu/events");
  REQUIRE(stats);
  CHECK(stats->ignored == 1);
}

TEST_CASE("a refused or unanswered event gets 500 so the platform redelivers",
          "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  webhook_options opts;
  opts.verdict_timeout_ms = 300;
  auto& a = spawn_a(f, opts);
  auto target = f.url(bind_any, "/feishu/events");
  a.log->refuse_next = 1;
  auto refused = f.deliver(target, "cli_hook_a", event_fields("evt_refused"));
  CHECK(refused.status == 500);
  CHECK(a.log->refused_count() == 1);
  // The redelivery is accepted.
  auto again = f.deliver(target, "cli_hook_a", event_fields("evt_refused"));
  CHECK(again.status == 200);
  CHECK(again.body == R"({"code":0,"msg":"ok"})");
  // No verdict within verdict_timeout_ms: 500 as well.
  a.log->silent = true;
  auto silent = f.deliver(target, "cli_hook_a", event_fields("evt_silent"));
  CHECK(silent.status == 500);
  CHECK(f.hub->pending() == 0);
}

TEST_CASE("60 concurrent posts are all answered and delivered once", "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  webhook_options opts;
  opts.verdict_timeout_ms = 20000;
  auto& a = spawn_a(f, opts);
  a.log->hold = true;
  auto target = f.url(bind_any, "/feishu/events");
  constexpr int n = 60;
  std::vector<std::future<delivery>> futs;
  for (int i = 0; i < n; ++i)
    futs.push_back(std::async(std::launch::async, [&f, target, i] {
      return f.deliver(target, "cli_hook_a", event_fields("evt_c" + std::to_string(i)));
    }));
  // All of them are in flight at once: held by the account, none answered.
  REQUIRE(eventually([&] { return a.log->accepted_count() == n; }, 30s));
  CHECK(f.hub->pending() == static_cast<size_t>(n));
  f.release(a);
  std::set<std::string> ids;
  for (auto& fut : futs) {
    REQUIRE(fut.wait_for(30s) == std::future_status::ready);
    auto r = fut.get();
    CHECK(r.status == 200);
    CHECK(r.body == R"({"code":0,"msg":"ok"})");
  }
  {
    std::lock_guard<std::mutex> lk{a.log->mu};
    for (auto& m : a.log->accepted)
      ids.insert(m.event_id);
    CHECK(a.log->duplicates.empty());
  }
  CHECK(ids.size() == static_cast<size_t>(n));
  CHECK(f.hub->pending() == 0);
  CHECK(f.status(a).received == n);
}

TEST_CASE("two accounts share one bind with two paths", "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  auto& a = f.spawn(webhook_fixture::make_account("a", bind_any, "/hook/a", key_a, token_a));
  auto& b = f.spawn(webhook_fixture::make_account("b", bind_any, "/hook/b", key_b, token_b));
  CHECK(f.hub->servers() == 1);
  CHECK(f.deliver(f.url(bind_any, "/hook/a"), "cli_hook_a", event_fields("evt_a")).status
        == 200);
  CHECK(f.deliver(f.url(bind_any, "/hook/b"), "cli_hook_b", event_fields("evt_b")).status
        == 200);
  // Each path verifies with its own account's secrets.
  CHECK(f.deliver(f.url(bind_any, "/hook/b"), "cli_hook_a", event_fields("evt_x")).status
        == 400);
  {
    std::lock_guard<std::mutex> lk{a.log->mu};
    REQUIRE(a.log->accepted.size() == 1);
    CHECK(a.log->accepted[0].event_id == "evt_a");
    CHECK(a.log->accepted[0].account == "a");
  }
  {
    std::lock_guard<std::mutex> lk{b.log->mu};
    REQUIRE(b.log->accepted.size() == 1);
    CHECK(b.log->accepted[0].event_id == "evt_b");
    CHECK(b.log->accepted[0].account == "b");
  }
  CHECK(f.status(b).rejected == 1);
  CHECK(f.status(a).rejected == 0);
  // One account leaving keeps the shared server for the other.
  f.sys.stop(a.listener);
  a.listener = nullptr;
  CHECK(f.hub->servers() == 1);
  CHECK(f.deliver(f.url(bind_any, "/hook/b"), "cli_hook_b", event_fields("evt_b2")).status
        == 200);
  CHECK(f.deliver(f.url(bind_any, "/hook/a"), "cli_hook_a", event_fields("evt_a2")).status
        == 404);
  f.sys.stop(b.listener);
  b.listener = nullptr;
  // The hub releases the server when it processes the listener's exit,
  // after stop() returned: wait for it instead of racing it.
  CHECK(eventually([&] { return f.hub->servers() == 0; }));
}
