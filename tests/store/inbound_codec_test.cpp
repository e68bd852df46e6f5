#include <catch2/catch.hpp>

#include "messages/errors.hpp"
#include "store/inbound_codec.hpp"
#include "test_support.hpp"

using namespace loong::store;

namespace {

void check_equal(const loong::inbound_message& x,
                 const loong::inbound_message& y) {
  CHECK(x.account == y.account);
  CHECK(x.event_id == y.event_id);
  CHECK(x.app_id == y.app_id);
  CHECK(x.create_time_ms == y.create_time_ms);
  CHECK(x.message_id == y.message_id);
  CHECK(x.root_id == y.root_id);
  CHECK(x.parent_id == y.parent_id);
  CHECK(x.thread_id == y.thread_id);
  CHECK(x.chat_id == y.chat_id);
  CHECK(x.chat_type == y.chat_type);
  CHECK(x.sender_open_id == y.sender_open_id);
  CHECK(x.sender_user_id == y.sender_user_id);
  CHECK(x.sender_union_id == y.sender_union_id);
  CHECK(x.sender_type == y.sender_type);
  CHECK(x.message_type == y.message_type);
  CHECK(x.kind == y.kind);
  CHECK(x.text == y.text);
  CHECK(x.mentions == y.mentions);
}

} // namespace

TEST_CASE("inbound messages round-trip through JSON with every field",
          "[store][inbound_codec]") {
  auto m = test::make_message("work", "evt_1", "om_1");
  m.root_id = "om_root";
  m.parent_id = "om_parent";
  m.thread_id = "omt_1";
  m.sender_user_id = "u_1";
  m.sender_union_id = "on_1";
  m.create_time_ms = -5;
  m.kind = loong::content_kind::post;
  m.text = std::string{"quote \" backslash \\ newline \n nul "} + '\0'
           + " 你好 @_user_1";
  m.mentions.push_back({"@_user_1", "ou_bot", "u_b", "on_b", "Bot", "bot"});
  m.mentions.push_back({"@_user_2", "ou_x", "", "", "X \"Y\"", ""});
  auto json = to_json(m);
  auto back = inbound_from_json(json);
  REQUIRE(back);
  check_equal(*back, m);
  for (auto kind :
       {loong::content_kind::text, loong::content_kind::unsupported}) {
    m.kind = kind;
    auto again = inbound_from_json(to_json(m));
    REQUIRE(again);
    CHECK(again->kind == kind);
  }
}

TEST_CASE("an empty message round-trips", "[store][inbound_codec]") {
  loong::inbound_message m;
  auto back = inbound_from_json(to_json(m));
  REQUIRE(back);
  check_equal(*back, m);
}

TEST_CASE("malformed inbound JSON is an error naming the problem",
          "[store][inbound_codec]") {
  auto fails_with = [](std::string_view json, const std::string& needle) {
    auto r = inbound_from_json(json);
    REQUIRE(!r);
    CHECK(r.error() == loong::ec::store_failed);
    CHECK_THAT(loong::describe(r.error()), Catch::Contains(needle));
  };
  fails_with("", "empty");
  fails_with("{\"account\": ", "offset");
  fails_with("[1,2]", "not an object");
  fails_with(R"({"v":1,"message_id":5})", "message_id");
  fails_with(R"({"v":1,"create_time_ms":"x"})", "create_time_ms");
  fails_with(R"({"v":1,"kind":"video"})", "video");
  fails_with(R"({"v":1,"mentions":{}})", "mentions");
  fails_with(R"({"v":1,"mentions":[{"name":1}]})", "name");
  fails_with(R"({"v":2})", "version 2");
  fails_with(std::string(100000, '['), "offset");
}
