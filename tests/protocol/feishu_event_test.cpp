#include <catch2/catch.hpp>

#include <string>

#include "messages/errors.hpp"
#include "protocol/feishu_event.hpp"

using namespace loong::feishu;
using loong::content_kind;
using loong::inbound_message;

namespace {

// Spec §5 example.
const std::string spec_event
  = R"({"schema":"2.0",
 "header":{"event_id":"5e3702a84e847582be8db7fb73283c02","event_type":"im.message.receive_v1",
           "create_time":"1700000000000","token":"vt_test_token_01",
           "app_id":"cli_a1b2c3d4e5f60718","tenant_key":"2ca1d211f64f6438"},
 "event":{
   "sender":{"sender_id":{"union_id":"on_8ed6aa67826108097d9ee143816345","user_id":"e33ggbyz",
                          "open_id":"ou_84aad35d084aa403a838cf73ee18467"},
             "sender_type":"user","tenant_key":"2ca1d211f64f6438"},
   "message":{"message_id":"om_5ce6d572455d361153b7cb51da133945","root_id":"","parent_id":"",
              "create_time":"1700000000000","update_time":"1700000000000",
              "chat_id":"oc_5ce6d572455d361153b7cb51da133945","chat_type":"group",
              "message_type":"text","content":"{\"text\":\"@_user_1 hello\"}",
              "mentions":[{"key":"@_user_1",
                           "id":{"union_id":"on_bot","user_id":"","open_id":"ou_bot_open_id"},
                           "name":"GatewayBot","tenant_key":"2ca1d211f64f6438"}]}}})";

std::string message_event(const std::string& message_fields,
                          const std::string& header_extra = {}) {
  return R"({"schema":"2.0","header":{"event_type":"im.message.receive_v1")"
         + header_extra + R"(},"event":{"sender":{"sender_id":{"open_id":"ou_u"},)"
         + R"("sender_type":"user"},"message":{)" + message_fields + "}}}";
}

inbound_message parse_message(const std::string& body) {
  auto r = parse_event(body);
  REQUIRE(r);
  REQUIRE(std::holds_alternative<inbound_message>(*r));
  return std::get<inbound_message>(*r);
}

std::string error_of(const std::string& body) {
  auto r = parse_event(body);
  REQUIRE_FALSE(r);
  CHECK(r.error() == loong::ec::malformed_response);
  return loong::describe(r.error());
}

loong::mention make_mention(std::string key, std::string open_id,
                            std::string name, std::string type = {}) {
  loong::mention m;
  m.key = std::move(key);
  m.open_id = std::move(open_id);
  m.name = std::move(name);
  m.mentioned_type = std::move(type);
  return m;
}

} // namespace

TEST_CASE("feishu event: the spec example", "[feishu]") {
  auto m = parse_message(spec_event);
  CHECK(m.event_id == "5e3702a84e847582be8db7fb73283c02");
  CHECK(m.app_id == "cli_a1b2c3d4e5f60718");
  CHECK(m.create_time_ms == 1700000000000);
  CHECK(m.message_id == "om_5ce6d572455d361153b7cb51da133945");
  CHECK(m.chat_id == "oc_5ce6d572455d361153b7cb51da133945");
  CHECK(m.chat_type == "group");
  CHECK(m.root_id.empty());
  CHECK(m.thread_id.empty());
  CHECK(m.sender_open_id == "ou_84aad35d084aa403a838cf73ee18467");
  CHECK(m.sender_user_id == "e33ggbyz");
  CHECK(m.sender_union_id == "on_8ed6aa67826108097d9ee143816345");
  CHECK(m.sender_type == "user");
  CHECK(m.message_type == "text");
  CHECK(m.kind == content_kind::text);
  CHECK(m.text == "@_user_1 hello");
  REQUIRE(m.mentions.size() == 1);
  CHECK(m.mentions[0].key == "@_user_1");
  CHECK(m.mentions[0].open_id == "ou_bot_open_id");
  CHECK(m.mentions[0].union_id == "on_bot");
  CHECK(m.mentions[0].name == "GatewayBot");
  CHECK(prompt_text(m, "ou_bot_open_id") == "hello");
  CHECK(mentions_bot(m, "ou_bot_open_id"));
  CHECK_FALSE(mentions_bot(m, "ou_other_bot"));
  CHECK(event_token(spec_event) == "vt_test_token_01");
}

TEST_CASE("feishu event: optional fields and fallbacks", "[feishu]") {
  auto m = parse_message(message_event(
    R"("message_id":"om_1","chat_id":"oc_1","root_id":"om_r","parent_id":"om_p",)"
    R"("thread_id":"omt_1","create_time":"1700000000123","message_type":"text",)"
    R"("content":"{\"text\":\"line1\\nline2 \\\"q\\\"\"}")"));
  CHECK(m.event_id == "message:om_1");
  CHECK(m.create_time_ms == 1700000000123);
  CHECK(m.root_id == "om_r");
  CHECK(m.parent_id == "om_p");
  CHECK(m.thread_id == "omt_1");
  CHECK(m.chat_type.empty());
  CHECK(m.text == "line1\nline2 \"q\"");
  // Content given as an object instead of a string.
  auto obj = parse_message(message_event(
    R"("message_id":"om_2","chat_id":"oc_1","message_type":"text",)"
    R"("content":{"text":"direct"})"));
  CHECK(obj.text == "direct");
}

TEST_CASE("feishu event: post content is flattened", "[feishu]") {
  auto m = parse_message(message_event(
    R"("message_id":"om_p","chat_id":"oc_1","chat_type":"group","message_type":"post",)"
    R"("content":"{\"title\":\"Plan\",\"content\":[[{\"tag\":\"at\",\"user_id\":)"
    R"(\"@_user_1\",\"user_name\":\"Bot\"},{\"tag\":\"text\",\"text\":\" do \"},)"
    R"({\"tag\":\"a\",\"text\":\"this\",\"href\":\"https://x\"}],)"
    R"([{\"tag\":\"img\",\"image_key\":\"img_1\"},{\"tag\":\"md\",\"text\":\"**b**\"}]]}")",
    R"(,"event_id":"evt_p")"));
  CHECK(m.kind == content_kind::post);
  CHECK(m.event_id == "evt_p");
  CHECK(m.text == "Plan\n@_user_1 do this\n[image]**b**");
  // Send-side shape keyed by locale, no title.
  auto loc = parse_message(message_event(
    R"("message_id":"om_q","chat_id":"oc_1","message_type":"post",)"
    R"("content":"{\"en_us\":{\"title\":\"\",\"content\":[[{\"tag\":\"text\",)"
    R"(\"text\":\"hi\"}]]}}")"));
  CHECK(loc.text == "hi");
  error_of(message_event(R"("message_id":"om_q","chat_id":"oc_1",)"
                         R"("message_type":"post","content":"{\"x\":1}")"));
}

TEST_CASE("feishu event: other message types are unsupported summaries",
          "[feishu]") {
  auto img = parse_message(message_event(
    R"("message_id":"om_i","chat_id":"oc_1","message_type":"image",)"
    R"("content":"{\"image_key\":\"img_v2_abc\"}")"));
  CHECK(img.kind == content_kind::unsupported);
  CHECK(img.message_type == "image");
  CHECK(img.text == "[image img_v2_abc]");
  auto file = parse_message(message_event(
    R"("message_id":"om_f","chat_id":"oc_1","message_type":"file",)"
    R"("content":"{\"file_key\":\"file_1\",\"file_name\":\"a.pdf\"}")"));
  CHECK(file.text == "[file a.pdf]");
  auto sticker = parse_message(message_event(
    R"("message_id":"om_s","chat_id":"oc_1","message_type":"sticker",)"
    R"("content":"not json")"));
  CHECK(sticker.kind == content_kind::unsupported);
  CHECK(sticker.text == "[sticker]");
}

TEST_CASE("feishu event: challenges, ignored events and errors",
          "[feishu]") {
  auto c = parse_event(
    R"({"challenge":"ajls384kdj","token":"vt_test_token_01","type":"url_verification"})");
  REQUIRE(c);
  auto* v = std::get_if<url_verification>(&*c);
  REQUIRE(v);
  CHECK(v->challenge == "ajls384kdj");
  CHECK(v->token == "vt_test_token_01");
  CHECK(event_token(R"({"challenge":"x","token":"t1","type":"url_verification"})")
        == "t1");
  auto read = parse_event(
    R"({"schema":"2.0","header":{"event_id":"e9",)"
    R"("event_type":"im.message.message_read_v1"},"event":{}})");
  REQUIRE(read);
  auto* ign = std::get_if<ignored_event>(&*read);
  REQUIRE(ign);
  CHECK(ign->event_type == "im.message.message_read_v1");
  CHECK(ign->event_id == "e9");
  auto v1 = parse_event(
    R"({"uuid":"u1","token":"t","ts":"1","type":"event_callback","event":{"type":"message"}})");
  REQUIRE(v1);
  REQUIRE(std::holds_alternative<ignored_event>(*v1));
  CHECK(std::get<ignored_event>(*v1).event_id == "u1");
  // Errors name the field.
  CHECK(error_of("not json").find("not JSON") != std::string::npos);
  CHECK(error_of("[1]").find("not a JSON object") != std::string::npos);
  CHECK(error_of("{}").find("header") != std::string::npos);
  CHECK(error_of(R"({"header":{}})").find("header.event_type")
        != std::string::npos);
  CHECK(error_of(R"({"header":{"event_type":"im.message.receive_v1"}})")
          .find("lacks event")
        != std::string::npos);
  CHECK(error_of(R"({"header":{"event_type":"im.message.receive_v1"},)"
                 R"("event":{}})")
          .find("event.message")
        != std::string::npos);
  CHECK(error_of(message_event(R"("message_id":"om_1","message_type":"text",)"
                               R"("content":"{\"text\":\"x\"}")"))
          .find("event.message.chat_id")
        != std::string::npos);
  CHECK(error_of(message_event(R"("chat_id":"oc_1","message_type":"text",)"
                               R"("content":"{\"text\":\"x\"}")"))
          .find("event.message.message_id")
        != std::string::npos);
  CHECK(error_of(message_event(R"("chat_id":"oc_1","message_id":"om_1",)"
                               R"("content":"{\"text\":\"x\"}")"))
          .find("message_type")
        != std::string::npos);
  CHECK(error_of(message_event(R"("chat_id":"oc_1","message_id":"om_1",)"
                               R"("message_type":"text","content":"{bad")"))
          .find("event.message.content")
        != std::string::npos);
  CHECK(error_of(message_event(R"("chat_id":"oc_1","message_id":"om_1",)"
                               R"("message_type":"text","content":"{}")"))
          .find("content.text")
        != std::string::npos);
  CHECK(event_token("nope").empty());
}

TEST_CASE("feishu event: prompt text", "[feishu]") {
  inbound_message m;
  m.chat_type = "group";
  m.mentions = {make_mention("@_user_1", "ou_bot", "Bot"),
                make_mention("@_user_2", "ou_tom", "Tom")};
  auto prompt = [&](std::string text, std::string_view bot = "ou_bot") {
    m.text = std::move(text);
    return prompt_text(m, bot);
  };
  CHECK(prompt("@_user_1 hello") == "hello");
  CHECK(prompt("hello @_user_1") == "hello");
  CHECK(prompt("ask @_user_2  about @_user_1 it") == "ask @Tom about it");
  CHECK(prompt("  @_user_1   spaced   out  ") == "spaced out");
  CHECK(prompt("@_user_1") == "");
  CHECK(prompt("@_all hi @_user_1") == "@all hi");
  CHECK(prompt("line1\n@_user_1 line2") == "line1\nline2");
  // "@_user_1" must not eat the prefix of "@_user_10".
  m.mentions.push_back(make_mention("@_user_10", "ou_x", "Ten"));
  CHECK(prompt("@_user_10 and @_user_1 x") == "@Ten and x");
  // Bot id unknown: mentioned_type decides.
  m.mentions = {make_mention("@_user_1", "ou_bot", "Bot", "bot"),
                make_mention("@_user_2", "ou_tom", "Tom", "user")};
  CHECK(prompt("@_user_1 @_user_2 hi", "") == "@Tom hi");
  // A mention without a name keeps its placeholder.
  m.mentions = {make_mention("@_user_1", "ou_z", "")};
  CHECK(prompt("@_user_1 yo", "ou_bot") == "@_user_1 yo");
}

TEST_CASE("feishu event: mention gate", "[feishu]") {
  inbound_message m;
  SECTION("p2p and missing chat_type bypass") {
    m.chat_type = "p2p";
    CHECK(mentions_bot(m, "ou_bot"));
    m.chat_type = "";
    CHECK(mentions_bot(m, ""));
  }
  SECTION("group without mentions or with others only") {
    m.chat_type = "group";
    CHECK_FALSE(mentions_bot(m, "ou_bot"));
    m.mentions = {make_mention("@_user_1", "ou_tom", "Tom", "user")};
    CHECK_FALSE(mentions_bot(m, "ou_bot"));
    CHECK_FALSE(mentions_bot(m, ""));
  }
  SECTION("group with the bot mentioned") {
    m.chat_type = "group";
    m.mentions = {make_mention("@_user_1", "ou_tom", "Tom"),
                  make_mention("@_user_2", "ou_bot", "Bot")};
    CHECK(mentions_bot(m, "ou_bot"));
    CHECK_FALSE(mentions_bot(m, "ou_other"));
    // Matched through union_id as well.
    m.mentions = {make_mention("@_user_1", "", "Bot")};
    m.mentions[0].union_id = "ou_bot";
    CHECK(mentions_bot(m, "ou_bot"));
  }
  SECTION("bot id unknown") {
    m.chat_type = "topic_group"; // unknown types behave like groups
    m.mentions = {make_mention("@_user_1", "ou_any_bot", "B", "BOT")};
    CHECK(mentions_bot(m, ""));
    m.mentions = {make_mention("@_user_1", "", "B", "bot")};
    CHECK_FALSE(mentions_bot(m, ""));
  }
  SECTION("@all never counts") {
    m.chat_type = "group";
    m.mentions = {make_mention("@_all", "all", "all", "bot")};
    CHECK_FALSE(mentions_bot(m, ""));
    CHECK_FALSE(mentions_bot(m, "all"));
  }
}
