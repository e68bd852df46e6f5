// token_keeper against mock_feishu over real TCP: caching, single flight,
// refresh-ahead, invalidation, credential and transient failures, identity.

#include <atomic>
#include <memory>

#include "tests/actors/feishu_out/feishu_out_util.hpp"

using namespace loong;
using namespace loong::test;

TEST_CASE("token keeper fetches once and serves the cached token", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  out_pair p{fx, account_for(m)};
  auto t1 = ask_token(fx.sys(), p.keeper);
  REQUIRE(t1);
  CHECK(t1->rfind("t-", 0) == 0);
  for (int i = 0; i < 5; ++i) {
    auto t = ask_token(fx.sys(), p.keeper);
    REQUIRE(t);
    CHECK(*t == *t1);
  }
  CHECK(stat(m, "token_requests") == 1);
}

TEST_CASE("concurrent callers share one token fetch", "[feishu_out]") {
  auto m = start_feishu();
  // A slow token endpoint: every caller arrives while the fetch is in flight.
  fault(m, "token", "delay:300");
  actor_fixture fx;
  out_pair p{fx, account_for(m)};
  caf::scoped_actor self{fx.sys()};
  using handle_t = decltype(self->request(p.out, std::chrono::seconds(10), send_atom_v,
                                          outbound_message{}));
  std::vector<handle_t> pending;
  for (int i = 0; i < 20; ++i)
    pending.push_back(self->request(p.out, std::chrono::seconds(10), send_atom_v,
                                    text_to("oc_chat_" + std::to_string(i))));
  int ok = 0;
  for (auto& h : pending)
    h.receive([&](send_receipt& r) { ok += !r.message_id.empty(); },
              [&](caf::error& e) { FAIL(describe(e)); });
  CHECK(ok == 20);
  CHECK(stat(m, "token_requests") == 1);
  CHECK(stat(m, "sends") == 20);
}

TEST_CASE("token keeper refreshes ahead of expiry on its timer", "[feishu_out]") {
  // Two-second tokens; refresh 1.5 s early (never before half the life).
  auto m = start_feishu({"--token-ttl", "2"});
  actor_fixture fx;
  auto ko = quick_keeper();
  ko.refresh_margin_ms = 1500;
  out_pair p{fx, account_for(m), ko};
  auto t1 = ask_token(fx.sys(), p.keeper);
  REQUIRE(t1);
  // Nobody asks: only the keeper's timer can make the mock issue token 2.
  REQUIRE(mock_wait(m, "tokens_issued", 2, 5000));
  // The mock counts before its answer reaches the keeper.
  std::string t2;
  CHECK(eventually([&] {
    auto t = ask_token(fx.sys(), p.keeper);
    t2 = t ? *t : std::string{};
    return !t2.empty() && t2 != *t1;
  }));
  // The fresh token works.
  auto r = send_one(fx.sys(), p.out, text_to("oc_after_refresh"));
  REQUIRE(r);
  CHECK(r->attempts == 1);
}

TEST_CASE("token keeper judges expiry by the runtime clock", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  auto clock = std::make_shared<std::atomic<int64_t>>(1'000'000'000'000);
  auto rt = std::make_shared<actor_runtime>(*fx.runtime());
  rt->now_ms = [clock] { return clock->load(); };
  token_keeper_actor k = fx.sys().spawn(token_keeper_with, runtime_ptr{rt},
                                        account_for(m), quick_keeper());
  auto t1 = ask_token(fx.sys(), k);
  REQUIRE(t1);
  CHECK(stat(m, "token_requests") == 1);
  // The mock keeps handing out the same token while it is young on its own
  // (real) clock; expire it there so the refresh is visible as a new token.
  REQUIRE(http_call("POST", m.url() + "/_mock/tokens/expire", "{}").status == 200);
  // Inside the refresh window (7200 s - 180 s): answered at once from the
  // cache, refreshed in the background.
  *clock += 7100 * 1000;
  auto t2 = ask_token(fx.sys(), k);
  REQUIRE(t2);
  CHECK(*t2 == *t1);
  CHECK(eventually([&] { return stat(m, "token_requests") == 2; }));
  // The mock counts before its answer reaches the keeper: wait until the
  // keeper serves the refreshed token, or the next step would join the
  // fetch still in flight instead of starting a third.
  CHECK(eventually([&] {
    auto t = ask_token(fx.sys(), k);
    return t && *t != *t1;
  }));
  CHECK(stat(m, "token_requests") == 2);
  // Past the hard expiry of the (re-stamped) token: the caller waits for a
  // new fetch.
  *clock += 7300 * 1000;
  auto t3 = ask_token(fx.sys(), k);
  REQUIRE(t3);
  CHECK(stat(m, "token_requests") == 3);
  fx.stop(k);
}

TEST_CASE("invalid_atom drops only the current token", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  out_pair p{fx, account_for(m)};
  auto t1 = ask_token(fx.sys(), p.keeper);
  REQUIRE(t1);
  caf::anon_send(p.keeper, invalid_atom_v, std::string{"t-some-older-token"});
  REQUIRE(ask_token(fx.sys(), p.keeper));
  CHECK(stat(m, "token_requests") == 1);
  caf::anon_send(p.keeper, invalid_atom_v, *t1);
  REQUIRE(ask_token(fx.sys(), p.keeper));
  CHECK(stat(m, "token_requests") == 2);
}

TEST_CASE("rejected credentials answer auth_failed without hot-looping", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  SECTION("wrong app secret: 10014") {
    out_pair p{fx, account_for(m, "not-the-secret")};
    for (int i = 0; i < 5; ++i) {
      auto t = ask_token(fx.sys(), p.keeper);
      REQUIRE_FALSE(t);
      CHECK(code_of(t.error()) == ec::auth_failed);
      CHECK(describe(t.error()).find("10014") != std::string::npos);
      CHECK(describe(t.error()).find("not-the-secret") == std::string::npos);
    }
    // One call; the rest were answered from the slow retry schedule.
    CHECK(stat(m, "token_requests") == 1);
    // A send fails fast with the same cause, and sends nothing.
    auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::auth_failed);
    CHECK(stat(m, "sends") == 0);
  }
  SECTION("unknown app id: 10003") {
    out_pair p{fx, account_for(m, app_secret, "cli_unknown")};
    auto t = ask_token(fx.sys(), p.keeper);
    REQUIRE_FALSE(t);
    CHECK(code_of(t.error()) == ec::auth_failed);
    CHECK(describe(t.error()).find("10003") != std::string::npos);
  }
}

TEST_CASE("a transient token failure is retried with backoff", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  SECTION("the keeper retries on its own") {
    fault(m, "token", "server_error");
    out_pair p{fx, account_for(m)};
    auto t = ask_token(fx.sys(), p.keeper);
    REQUIRE_FALSE(t);
    CHECK(code_of(t.error()) == ec::server_error);
    CHECK(mock_wait(m, "tokens_issued", 1, 3000));
    CHECK(ask_token(fx.sys(), p.keeper));
    // The faulted call is not counted as a request by the mock.
    CHECK(stat(m, "faults_token") == 1);
    CHECK(stat(m, "token_requests") == 1);
  }
  SECTION("a send rides over it") {
    fault(m, "token", "server_error");
    out_pair p{fx, account_for(m)};
    auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
    REQUIRE(r);
    CHECK(r->attempts >= 2);
    CHECK(stat(m, "sends") == 1);
  }
  SECTION("a hanging token endpoint times out") {
    fault(m, "token", "hang");
    auto ko = quick_keeper();
    ko.request_timeout_ms = 300;
    out_pair p{fx, account_for(m), ko};
    auto t = ask_token(fx.sys(), p.keeper);
    REQUIRE_FALSE(t);
    CHECK(code_of(t.error()) == ec::timeout);
  }
  SECTION("a malformed token answer is an error") {
    fault(m, "token", "malformed");
    out_pair p{fx, account_for(m)};
    auto t = ask_token(fx.sys(), p.keeper);
    REQUIRE_FALSE(t);
    CHECK(code_of(t.error()) == ec::malformed_response);
  }
}

TEST_CASE("identity answers the bot open_id, or empty when unknown", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  auto ask_identity = [&](const token_keeper_actor& k) {
    caf::scoped_actor self{fx.sys()};
    std::string out = "<none>";
    self->request(k, std::chrono::seconds(10), identity_atom_v)
      .receive([&](std::string& id) { out = id; },
               [&](caf::error& e) { FAIL(describe(e)); });
    return out;
  };
  SECTION("looked up after the first token") {
    auto ko = quick_keeper();
    ko.fetch_identity = true;
    out_pair p{fx, account_for(m), ko};
    REQUIRE(ask_token(fx.sys(), p.keeper));
    REQUIRE(mock_wait(m, "bot_info", 1, 3000));
    CHECK(ask_identity(p.keeper) == "ou_bot_" + app_id);
    CHECK(ask_identity(p.keeper) == "ou_bot_" + app_id);
    CHECK(stat(m, "bot_info") == 1);
  }
  SECTION("on demand, failing softly") {
    fault(m, "bot_info", "server_error");
    out_pair p{fx, account_for(m)};
    CHECK(ask_identity(p.keeper).empty());
    // The token itself is unaffected.
    CHECK(ask_token(fx.sys(), p.keeper));
  }
  SECTION("bad credentials give an empty identity, not an error") {
    out_pair p{fx, account_for(m, "wrong")};
    CHECK(ask_identity(p.keeper).empty());
  }
}

TEST_CASE("backoff doubles, caps and jitters within [base/2, base]", "[feishu_out]") {
  for (int round = 0; round < 50; ++round) {
    int64_t base = 200;
    for (int32_t n = 1; n <= 8; ++n) {
      auto d = backoff_delay_ms(200, 2000, n);
      INFO("n=" << n << " d=" << d);
      CHECK(d >= base / 2);
      CHECK(d <= base);
      base = std::min<int64_t>(base * 2, 2000);
    }
  }
  // Degenerate knobs stay positive and bounded.
  CHECK(backoff_delay_ms(0, 0, 3) >= 0);
  CHECK(backoff_delay_ms(5000, 1000, 1) <= 1000);
}
