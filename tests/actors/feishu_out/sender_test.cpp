// sender against mock_feishu over real TCP: send and reply shapes, token
// refresh, rate limits, 5xx, timeouts, malformed answers, back-pressure.

#include "tests/actors/feishu_out/feishu_out_util.hpp"

using namespace loong;
using namespace loong::test;

namespace {

// The single recorded message (REQUIREs exactly one).
const rapidjson::Value& only_record(const rapidjson::Document& d) {
  REQUIRE(d["messages"].Size() == 1);
  return d["messages"][0];
}

std::string str(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

} // namespace

TEST_CASE("sender sends to every receive_id_type", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  out_pair p{fx, account_for(m)};
  std::vector<std::pair<std::string, std::string>> targets{
    {"chat_id", "oc_chat_1"}, {"open_id", "ou_user_1"}, {"user_id", "u_1"},
    {"union_id", "on_union_1"}, {"email", "someone@example.com"}};
  for (auto& [type, id] : targets) {
    auto r = send_one(fx.sys(), p.out, text_to(id, type, "hi " + type));
    INFO(type);
    REQUIRE(r);
    CHECK(r->message_id.rfind("om_", 0) == 0);
    CHECK(r->attempts == 1);
  }
  auto d = messages(m);
  REQUIRE(d["messages"].Size() == targets.size());
  for (rapidjson::SizeType i = 0; i < targets.size(); ++i) {
    auto& rec = d["messages"][i];
    CHECK(str(rec, "kind") == "send");
    CHECK(str(rec, "receive_id_type") == targets[i].first);
    CHECK(str(rec, "receive_id") == targets[i].second);
    CHECK(str(rec, "text") == "hi " + targets[i].first);
    // A uuid was generated for each message.
    CHECK(str(rec, "uuid").rfind("loong-", 0) == 0);
    CHECK(str(rec, "uuid").size() <= 50);
  }
}

TEST_CASE("sender uses the reply API when a reply target is set", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  out_pair p{fx, account_for(m)};
  outbound_message msg;
  msg.reply_to_message_id = "om_inbound_42";
  msg.reply_in_thread = true;
  msg.msg_type = "interactive";
  msg.content = feishu::markdown_card_content("**answer**");
  msg.uuid = feishu::reply_uuid("work", "om_inbound_42");
  auto r = send_one(fx.sys(), p.out, msg);
  REQUIRE(r);
  auto d = messages(m);
  auto& rec = only_record(d);
  CHECK(str(rec, "kind") == "reply");
  CHECK(str(rec, "reply_to") == "om_inbound_42");
  CHECK(rec["reply_in_thread"].GetBool());
  CHECK(str(rec, "msg_type") == "interactive");
  CHECK(str(rec, "uuid") == msg.uuid);
  CHECK(str(rec, "message_id") == r->message_id);
  CHECK(stat(m, "replies") == 1);
  CHECK(stat(m, "sends") == 0);
}

TEST_CASE("a rejected token is refreshed once", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  out_pair p{fx, account_for(m)};
  REQUIRE(send_one(fx.sys(), p.out, text_to("oc_warm")));
  SECTION("then the send succeeds") {
    fault(m, "send", "token_invalid");
    auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
    REQUIRE(r);
    CHECK(r->attempts == 2);
    CHECK(stat(m, "tokens_issued") == 2);
    CHECK(stat(m, "sends") == 2);
  }
  SECTION("a second rejection is reported") {
    fault(m, "send", "token_invalid", 3);
    auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::token_invalid);
    CHECK(describe(r.error()).find("99991663") != std::string::npos);
    CHECK(describe(r.error()).find("after 2 attempt(s)") != std::string::npos);
    // Exactly one retry: the third armed fault is still pending.
    CHECK(stat(m, "faults_send") == 2);
  }
}

TEST_CASE("rate limits back off and retry", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  SECTION("429 honours x-ogw-ratelimit-reset, then succeeds") {
    auto so = quick_sender();
    so.max_reset_wait_ms = 400;  // the mock says 1 s; the cap keeps it short
    out_pair p{fx, account_for(m), quick_keeper(), so};
    REQUIRE(send_one(fx.sys(), p.out, text_to("oc_warm")));
    fault(m, "send", "rate_limit");
    auto started = std::chrono::steady_clock::now();
    auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
    auto waited = std::chrono::steady_clock::now() - started;
    REQUIRE(r);
    CHECK(r->attempts == 2);
    // The reset header (capped at 400 ms), not the 20 ms backoff.
    CHECK(waited >= std::chrono::milliseconds(400));
  }
  SECTION("230020 frequency limit retries with backoff") {
    out_pair p{fx, account_for(m)};
    fault(m, "send", "freq_limit", 2);
    auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
    REQUIRE(r);
    CHECK(r->attempts == 3);
  }
  SECTION("gives up after the budget with a clear error") {
    out_pair p{fx, account_for(m)};
    fault(m, "send", "rate_limit", 10);
    auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::rate_limited);
    auto text = describe(r.error());
    CHECK(text.find("after 4 attempt(s)") != std::string::npos);
    CHECK(text.find("99991400") != std::string::npos);
    CHECK(stat(m, "faults_send") == 4);
    CHECK(stat(m, "sends") == 0);
  }
}

TEST_CASE("5xx answers are retried", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  out_pair p{fx, account_for(m)};
  fault(m, "send", "server_error", 2);
  auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
  REQUIRE(r);
  CHECK(r->attempts == 3);
  CHECK(stat(m, "sends") == 1);
}

TEST_CASE("timeouts are retried with the same uuid", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  auto so = quick_sender();
  so.request_timeout_ms = 300;
  out_pair p{fx, account_for(m), quick_keeper(), so};
  REQUIRE(send_one(fx.sys(), p.out, text_to("oc_warm")));
  SECTION("a late answer: the platform recorded it, the retry is de-duplicated") {
    fault(m, "send", "delay:1000");
    auto msg = text_to("oc_1");
    msg.uuid = "uuid-stable-across-retries";
    auto r = send_one(fx.sys(), p.out, msg);
    REQUIRE(r);
    CHECK(r->attempts == 2);
    auto d = messages(m);
    REQUIRE(d["messages"].Size() == 2);
    auto& rec = d["messages"][1];
    CHECK(str(rec, "uuid") == "uuid-stable-across-retries");
    // The retry got the first try's message back: nothing sent twice.
    CHECK(str(rec, "message_id") == r->message_id);
    CHECK(stat(m, "dedup_hits") == 1);
  }
  SECTION("a hanging endpoint") {
    fault(m, "send", "hang");
    auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
    REQUIRE(r);
    CHECK(r->attempts == 2);
  }
  SECTION("always hanging: gives up with a timeout") {
    fault(m, "send", "hang", 4);
    auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::timeout);
    CHECK(describe(r.error()).find("after 4 attempt(s)") != std::string::npos);
  }
}

TEST_CASE("malformed answers and other 4xx fail without retries", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  out_pair p{fx, account_for(m)};
  REQUIRE(send_one(fx.sys(), p.out, text_to("oc_warm")));
  SECTION("truncated JSON") {
    fault(m, "send", "malformed");
    auto r = send_one(fx.sys(), p.out, text_to("oc_1"));
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::malformed_response);
    CHECK(describe(r.error()).find("after 1 attempt(s)") != std::string::npos);
  }
  SECTION("the platform's code and message") {
    auto r = send_one(fx.sys(), p.out, text_to("x_1", "bogus_type"));
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::platform_error);
    auto text = describe(r.error());
    CHECK(text.find("code 230001") != std::string::npos);
    CHECK(text.find("receive_id_type") != std::string::npos);
    CHECK(text.find("after 1 attempt(s)") != std::string::npos);
  }
  SECTION("an invalid message never reaches the platform") {
    auto msg = text_to("oc_1");
    msg.content.clear();
    auto r = send_one(fx.sys(), p.out, msg);
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::invalid_argument);
  }
  // The sender survives all of it.
  REQUIRE(send_one(fx.sys(), p.out, text_to("oc_after")));
}

TEST_CASE("sends beyond the bound are refused at once", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  auto so = quick_sender();
  so.max_outstanding = 2;
  out_pair p{fx, account_for(m), quick_keeper(), so};
  REQUIRE(send_one(fx.sys(), p.out, text_to("oc_warm")));
  fault(m, "send", "delay:500", 2);
  caf::scoped_actor self{fx.sys()};
  auto h1 = self->request(p.out, std::chrono::seconds(10), send_atom_v, text_to("oc_1"));
  auto h2 = self->request(p.out, std::chrono::seconds(10), send_atom_v, text_to("oc_2"));
  auto third = send_one(fx.sys(), p.out, text_to("oc_3"), std::chrono::seconds(2));
  REQUIRE_FALSE(third);
  CHECK(code_of(third.error()) == ec::overloaded);
  int ok = 0;
  for (auto* h : {&h1, &h2})
    h->receive([&](send_receipt&) { ++ok; }, [&](caf::error& e) { FAIL(describe(e)); });
  CHECK(ok == 2);
  // Capacity is back once they finished.
  CHECK(send_one(fx.sys(), p.out, text_to("oc_4")));
}

TEST_CASE("stopping the sender answers pending sends", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  out_pair p{fx, account_for(m)};
  fault(m, "send", "hang");
  caf::scoped_actor self{fx.sys()};
  auto h = self->request(p.out, std::chrono::seconds(10), send_atom_v, text_to("oc_1"));
  CHECK(eventually([&] { return stat(m, "hung") == 1; }));
  self->send_exit(p.out, caf::exit_reason::user_shutdown);
  h.receive([&](send_receipt&) { FAIL("a hung send cannot succeed"); },
            [&](caf::error& e) { CHECK(code_of(e) == ec::shutting_down); });
}

TEST_CASE("an ack reaction whose token is rejected is retried once", "[feishu_out]") {
  auto m = start_feishu();
  actor_fixture fx;
  out_pair p{fx, account_for(m)};
  REQUIRE(send_one(fx.sys(), p.out, text_to("oc_warm")));
  SECTION("then the reaction lands") {
    fault(m, "reaction", "token_invalid");
    caf::anon_send(p.out, react_atom_v, std::string{"om_in_1"}, std::string{"OK"});
    REQUIRE(eventually([&] { return stat(m, "reactions") == 1; }));
    CHECK(stat(m, "tokens_issued") == 2);
    CHECK(stat(m, "faults_reaction") == 1);
  }
  SECTION("a second rejection only logs") {
    fault(m, "reaction", "token_invalid", 3);
    caf::anon_send(p.out, react_atom_v, std::string{"om_in_1"}, std::string{"OK"});
    REQUIRE(eventually([&] { return stat(m, "faults_reaction") == 2; }));
    // One retry, no more: the third armed fault stays armed.
    REQUIRE(send_one(fx.sys(), p.out, text_to("oc_after")));
    CHECK(stat(m, "faults_reaction") == 2);
    CHECK(stat(m, "reactions") == 0);
  }
}
