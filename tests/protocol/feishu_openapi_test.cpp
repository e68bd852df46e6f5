#include <catch2/catch.hpp>

#include <string>

#include <caf/sec.hpp>
#include <rapidjson/document.h>

#include "messages/errors.hpp"
#include "protocol/feishu_openapi.hpp"

using namespace loong::feishu;
using loong::ec;

namespace {

// Parses `content` and returns its "text" member (round-trip check).
std::string text_of(const std::string& content) {
  rapidjson::Document doc;
  doc.Parse(content.data(), content.size());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  REQUIRE(doc.HasMember("text"));
  return {doc["text"].GetString(), doc["text"].GetStringLength()};
}

caf::error send_error(unsigned status, const std::string& body) {
  auto r = parse_send_response(status, body);
  REQUIRE_FALSE(r);
  return r.error();
}

} // namespace

TEST_CASE("feishu openapi: urls and paths", "[feishu]") {
  CHECK(join_url("http://127.0.0.1:8080/", "/open-apis/x")
        == "http://127.0.0.1:8080/open-apis/x");
  CHECK(join_url("https://open.feishu.cn//", "open-apis/x")
        == "https://open.feishu.cn/open-apis/x");
  CHECK(join_url("https://open.feishu.cn", "/callback/ws/endpoint")
        == "https://open.feishu.cn/callback/ws/endpoint");
  CHECK(default_base_url("feishu") == "https://open.feishu.cn");
  CHECK(default_base_url("Lark") == "https://open.larksuite.com");
  CHECK(default_base_url("http://127.0.0.1:9/") == "http://127.0.0.1:9");
  CHECK(default_base_url("dingtalk").empty());
  CHECK(send_path("chat_id") == "/open-apis/im/v1/messages?receive_id_type=chat_id");
  CHECK(reply_path("om_0001") == "/open-apis/im/v1/messages/om_0001/reply");
  CHECK(reply_path("om/../x?y") == "/open-apis/im/v1/messages/om%2F..%2Fx%3Fy/reply");
}

TEST_CASE("feishu openapi: token request and response", "[feishu]") {
  CHECK(token_request_body("cli_a1b2c3d4e5f60718", "secret_test")
        == R"({"app_id":"cli_a1b2c3d4e5f60718","app_secret":"secret_test"})");
  auto ok = parse_token_response(
    200, R"({"code":0,"msg":"ok","tenant_access_token":)"
         R"("t-g1044ghJRUIJJ5ZPPZMOHKWZISL33E4QSS3abcef","expire":7200})");
  REQUIRE(ok);
  CHECK(ok->token == "t-g1044ghJRUIJJ5ZPPZMOHKWZISL33E4QSS3abcef");
  CHECK(ok->expire_s == 7200);
  auto no_expire
    = parse_token_response(200, R"({"code":0,"tenant_access_token":"t-1"})");
  REQUIRE(no_expire);
  CHECK(no_expire->expire_s == 1800);
  auto bad_secret
    = parse_token_response(400, R"({"code":10014,"msg":"app secret invalid"})");
  REQUIRE_FALSE(bad_secret);
  CHECK(bad_secret.error() == ec::auth_failed);
  CHECK(loong::describe(bad_secret.error())
        == "auth_failed: code 10014: app secret invalid (HTTP 400)");
  auto bad_param
    = parse_token_response(400, R"({"code":10003,"msg":"invalid param"})");
  REQUIRE_FALSE(bad_param);
  CHECK(bad_param.error() == ec::auth_failed);
  for (auto body : {R"({"code":0,"msg":"ok"})",
                    R"({"code":0,"tenant_access_token":""})",
                    R"({"code":0,"tenant_access_token":7})", "<html>",
                    R"({"msg":"no code"})"}) {
    auto r = parse_token_response(200, body);
    REQUIRE_FALSE(r);
    CHECK(r.error() == ec::malformed_response);
  }
  // A token is no success when the code says otherwise.
  auto both = parse_token_response(
    200, R"({"code":99991400,"msg":"limit","tenant_access_token":"t-x"})");
  REQUIRE_FALSE(both);
  CHECK(both.error() == ec::rate_limited);
  CHECK(loong::describe(both.error()).find("t-x") == std::string::npos);
  auto down = parse_token_response(502, "Bad Gateway");
  REQUIRE_FALSE(down);
  CHECK(down.error() == ec::server_error);
}

TEST_CASE("feishu openapi: text content escaping", "[feishu]") {
  CHECK(text_content("hello") == R"({"text":"hello"})");
  CHECK(text_content("say \"hi\"") == R"({"text":"say \"hi\""})");
  CHECK(text_content("a\\b") == R"({"text":"a\\b"})");
  CHECK(text_content("line 1\nline 2\r\t") == R"({"text":"line 1\nline 2\r\t"})");
  CHECK(text_content("\x01\x1f") == R"({"text":"\u0001\u001F"})");
  CHECK(text_content("你好") == "{\"text\":\"你好\"}");
  CHECK(text_content("ok \xF0\x9F\x98\x80") == "{\"text\":\"ok \xF0\x9F\x98\x80\"}");
  CHECK(text_content("<at user_id=\"ou_x\">Tom</at>")
        == R"({"text":"<at user_id=\"ou_x\">Tom</at>"})");
  // Invalid UTF-8 never reaches the wire.
  CHECK(text_content("bad \xff end") == "{\"text\":\"bad \xEF\xBF\xBD end\"}");
  CHECK(text_content("cut \xE4\xBD") == "{\"text\":\"cut \xEF\xBF\xBD\xEF\xBF\xBD\"}");
  std::string nul{"a\0b", 3};
  CHECK(text_of(text_content(nul)) == nul);
  std::string mixed = "q\"\\/\n\t\x7f 😀 中 \x02";
  CHECK(text_of(text_content(mixed)) == mixed);
}

TEST_CASE("feishu openapi: card content", "[feishu]") {
  CHECK(markdown_card_content("**hi**")
        == R"({"schema":"2.0","config":{"wide_screen_mode":true},)"
           R"("body":{"elements":[{"tag":"markdown","content":"**hi**"}]}})");
  CHECK(markdown_card_content("a\"b\n").find(R"("content":"a\"b\n")")
        != std::string::npos);
}

TEST_CASE("feishu openapi: send and reply bodies are byte-exact", "[feishu]") {
  loong::outbound_message m;
  m.receive_id_type = "chat_id";
  m.receive_id = "oc_0001";
  m.msg_type = "text";
  m.content = text_content("hello");
  m.uuid = "a0d69e20-1dd1-458b-k525-dfeca4015204";
  CHECK(send_body(m)
        == R"({"receive_id":"oc_0001","msg_type":"text","content":)"
           R"("{\"text\":\"hello\"}","uuid":"a0d69e20-1dd1-458b-k525-dfeca4015204"})");
  m.uuid = "reply-om_0001";
  m.reply_to_message_id = "om_0001";
  CHECK(reply_body(m)
        == R"({"msg_type":"text","content":"{\"text\":\"hello\"}",)"
           R"("reply_in_thread":false,"uuid":"reply-om_0001"})");
  m.uuid.clear();
  m.reply_in_thread = true;
  m.content = text_content("line 1\nline 2");
  CHECK(reply_body(m)
        == R"({"msg_type":"text","content":"{\"text\":\"line 1\\nline 2\"}",)"
           R"("reply_in_thread":true})");
  CHECK(send_body(m)
        == R"({"receive_id":"oc_0001","msg_type":"text","content":)"
           R"("{\"text\":\"line 1\\nline 2\"}"})");
}

TEST_CASE("feishu openapi: send response classes", "[feishu]") {
  auto ok = parse_send_response(
    200, R"({"code":0,"msg":"success","data":{"message_id":"om_reply_0001",)"
         R"("root_id":"om_0001","chat_id":"oc_0001","msg_type":"text",)"
         R"("sender":{"id":"cli_a","id_type":"app_id"},"mentions":[]}})");
  REQUIRE(ok);
  CHECK(ok->message_id == "om_reply_0001");
  CHECK(ok->chat_id == "oc_0001");
  CHECK(ok->attempts == 1);
  struct row {
    unsigned status;
    std::string body;
    ec expected;
  };
  auto biz = [](int64_t code) {
    return R"({"code":)" + std::to_string(code) + R"(,"msg":"m"})";
  };
  std::vector<row> rows{
    {400, biz(99991663), ec::token_invalid},
    {401, biz(99991663), ec::token_invalid},
    {400, biz(99991661), ec::token_invalid},
    {400, biz(99991668), ec::token_invalid},
    {429, biz(99991400), ec::rate_limited},
    {400, biz(99991400), ec::rate_limited},
    {400, biz(230020), ec::rate_limited},
    {400, biz(11232), ec::rate_limited},
    {429, "Too Many Requests", ec::rate_limited},
    {429, biz(1), ec::rate_limited},
    {400, biz(99991672), ec::permission_denied},
    {400, biz(230027), ec::permission_denied},
    {400, biz(230035), ec::permission_denied},
    {400, biz(230034), ec::not_found},
    {500, "Internal Server Error", ec::server_error},
    {503, biz(1), ec::server_error},
    {502, "", ec::server_error},
    {400, biz(230001), ec::platform_error},
    {400, biz(230002), ec::platform_error},
    {400, biz(230025), ec::platform_error},
    {200, "not json", ec::malformed_response},
    {200, R"({"code":0,"msg":"success"})", ec::malformed_response},
    {200, R"({"code":0,"data":{"message_id":""}})", ec::malformed_response},
    {200, R"({"msg":"no code"})", ec::malformed_response},
    {404, "<html>", ec::malformed_response},
  };
  for (auto& r : rows) {
    INFO(r.status << " " << r.body);
    CHECK(send_error(r.status, r.body) == r.expected);
  }
  auto err = send_error(400, R"({"code":230001,"msg":"invalid request"})");
  CHECK(loong::describe(err)
        == "platform_error: code 230001: invalid request (HTTP 400)");
  // Long platform messages are bounded.
  auto long_msg = send_error(
    400, R"({"code":230001,"msg":")" + std::string(5000, 'x') + R"("})");
  CHECK(loong::describe(long_msg).size() < 300);
}

TEST_CASE("feishu openapi: retryable errors", "[feishu]") {
  CHECK(is_retryable(caf::make_error(ec::rate_limited, "x")));
  CHECK(is_retryable(caf::make_error(ec::server_error, "x")));
  CHECK(is_retryable(caf::make_error(ec::timeout, "x")));
  CHECK(is_retryable(caf::make_error(ec::transport_failed, "x")));
  CHECK_FALSE(is_retryable(caf::make_error(ec::token_invalid, "x")));
  CHECK_FALSE(is_retryable(caf::make_error(ec::platform_error, "x")));
  CHECK_FALSE(is_retryable(caf::make_error(ec::malformed_response, "x")));
  CHECK_FALSE(is_retryable(caf::error{}));
  CHECK_FALSE(is_retryable(caf::make_error(caf::sec::request_timeout)));
}

TEST_CASE("feishu openapi: bot info", "[feishu]") {
  auto ok = parse_bot_info(
    200, R"({"code":0,"msg":"ok","bot":{"open_id":"ou_bot","app_name":"Gw",)"
         R"("avatar_url":"https://x","activate_status":2}})");
  REQUIRE(ok);
  CHECK(ok->open_id == "ou_bot");
  CHECK(ok->app_name == "Gw");
  auto nested = parse_bot_info(200, R"({"code":0,"data":{"bot":{"open_id":"x"}}})");
  REQUIRE_FALSE(nested);
  CHECK(nested.error() == ec::malformed_response);
  auto expired = parse_bot_info(401, R"({"code":99991663,"msg":"expired"})");
  REQUIRE_FALSE(expired);
  CHECK(expired.error() == ec::token_invalid);
  auto down = parse_bot_info(503, "oops");
  REQUIRE_FALSE(down);
  CHECK(down.error() == ec::server_error);
}

TEST_CASE("ack reactions: path, body, emoji choice and answer check", "[feishu_openapi]") {
  CHECK(reaction_path("om_1") == "/open-apis/im/v1/messages/om_1/reactions");
  CHECK(reaction_body("OK") == R"({"reaction_type":{"emoji_type":"OK"}})");
  CHECK(ack_reaction_emoji(0.0) == "HappyDragon");
  CHECK(ack_reaction_emoji(0.5) == "APPLAUSE");
  CHECK(ack_reaction_emoji(0.9999999) == "CheckMark");
  CHECK(ack_reaction_emoji(7.0) == "CheckMark");
  CHECK(ack_reaction_emoji(-1.0) == "HappyDragon");
  CHECK_FALSE(check_reaction_response(
    200, R"({"code":0,"msg":"success","data":{"reaction_id":"r1"}})"));
  auto err = check_reaction_response(400, R"({"code":231001,"msg":"reaction type is invalid."})");
  REQUIRE(err);
  CHECK(loong::describe(err).find("231001") != std::string::npos);
  CHECK(check_reaction_response(200, "not json"));
}
