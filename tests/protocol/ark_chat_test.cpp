#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "messages/errors.hpp"
#include "protocol/ark_chat.hpp"

namespace ark = loong::ark;

namespace {

bool is_valid_json(const std::string& x) {
  rapidjson::Document doc;
  doc.Parse(x.data(), x.size());
  return !doc.HasParseError() && doc.IsObject();
}

} // namespace

TEST_CASE("ark URLs derive from the host root", "[ark]") {
  const std::string chat = "https://ark.cn-beijing.volces.com/api/v3/chat/completions";
  const std::string models = "https://ark.cn-beijing.volces.com/api/v3/models";
  for (auto base : {"https://ark.cn-beijing.volces.com",
                    "https://ark.cn-beijing.volces.com/",
                    "https://ark.cn-beijing.volces.com/api/v3",
                    "https://ark.cn-beijing.volces.com/api/v3/",
                    " https://ark.cn-beijing.volces.com// ",
                    "https://ark.cn-beijing.volces.com/api/v3/chat/completions"}) {
    INFO(base);
    CHECK(ark::chat_url(base) == chat);
    CHECK(ark::models_url(base) == models);
  }
  CHECK(ark::chat_url("http://127.0.0.1:8080")
        == "http://127.0.0.1:8080/api/v3/chat/completions");
  CHECK(ark::models_url("http://127.0.0.1:8080/")
        == "http://127.0.0.1:8080/api/v3/models");
  // A prefix of "/api/v3" is not the suffix itself.
  CHECK(ark::chat_url("http://h/api/v3x") == "http://h/api/v3x/api/v3/chat/completions");
  CHECK(ark::chat_url("https://ark.cn-beijing.volces.com/api/coding/v3")
        == "https://ark.cn-beijing.volces.com/api/coding/v3/chat/completions");
}

TEST_CASE("ark coding-plan base URLs are recognised", "[ark]") {
  CHECK(ark::is_coding_plan_url("https://ark.cn-beijing.volces.com/api/coding/v3"));
  CHECK(ark::is_coding_plan_url("https://ark.cn-beijing.volces.com/api/coding"));
  CHECK_FALSE(ark::is_coding_plan_url("https://ark.cn-beijing.volces.com"));
  CHECK_FALSE(ark::is_coding_plan_url("https://ark.cn-beijing.volces.com/api/v3"));
}

TEST_CASE("ark V1: request body is byte-identical to spec section 3", "[ark]") {
  std::vector<loong::chat_turn> msgs{{"system", "You are a helpful assistant."},
                                     {"user", "hello"}};
  ark::chat_options opts;
  opts.max_tokens = 1024;
  opts.temperature = 0.7;
  opts.thinking = "disabled";
  CHECK(ark::chat_request_body("doubao-seed-1-6-250615", msgs, true, opts)
        == R"({"model":"doubao-seed-1-6-250615","messages":[{"role":"system",)"
           R"("content":"You are a helpful assistant."},{"role":"user",)"
           R"("content":"hello"}],"stream":true,"stream_options":)"
           R"({"include_usage":true},"max_tokens":1024,"temperature":0.7,)"
           R"("thinking":{"type":"disabled"}})");
}

TEST_CASE("ark request body omits unset options", "[ark]") {
  std::vector<loong::chat_turn> msgs{{"user", "hi"}};
  CHECK(ark::chat_request_body("m", msgs, false)
        == R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":false})");
  // stream_options only with stream:true, and only when usage is wanted.
  ark::chat_options opts;
  opts.include_usage = true;
  CHECK(ark::chat_request_body("m", msgs, false, opts).find("stream_options")
        == std::string::npos);
  opts.include_usage = false;
  CHECK(ark::chat_request_body("m", msgs, true, opts)
        == R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true})");
  opts.temperature = 0;
  opts.thinking = "auto";
  CHECK(ark::chat_request_body("m", {}, true, opts)
        == R"({"model":"m","messages":[],"stream":true,"temperature":0.0,)"
           R"("thinking":{"type":"auto"}})");
}

TEST_CASE("ark request body stays valid JSON for hostile input", "[ark]") {
  ark::chat_options opts;
  opts.temperature = std::numeric_limits<double>::quiet_NaN();
  opts.max_tokens = -5;
  std::vector<loong::chat_turn> msgs{
    {"developer", "be brief"},
    {"user", std::string("quote \" backslash \\ newline \n nul ") + '\0' + " end"},
    {"assistant", "bad utf8 \xC3 and \xED\xA0\x80 surrogate, ok \xE4\xBD\xA0"}};
  auto body = ark::chat_request_body("m", msgs, false, opts);
  REQUIRE(is_valid_json(body));
  CHECK(body.find("temperature") == std::string::npos);
  CHECK(body.find("max_tokens") == std::string::npos);
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  auto& m = doc["messages"];
  CHECK(std::string{m[0]["role"].GetString()} == "system");
  CHECK(std::string(m[1]["content"].GetString(), m[1]["content"].GetStringLength())
        == msgs[1].content);
  CHECK(std::string{m[2]["content"].GetString()}
        == "bad utf8 \xEF\xBF\xBD and \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
           "surrogate, ok \xE4\xBD\xA0");
  opts.temperature = std::numeric_limits<double>::infinity();
  CHECK(is_valid_json(ark::chat_request_body("m", msgs, true, opts)));
}

TEST_CASE("ark V2: non-stream response from spec section 4", "[ark]") {
  const std::string body = R"json({"id":"0217000000000000aaaabbbbccccddddeeeeffff0000111122223333",
 "object":"chat.completion","created":1700000000,
 "model":"doubao-seed-1-6-250615","service_tier":"default",
 "choices":[{"index":0,"finish_reason":"stop","logprobs":null,
             "message":{"role":"assistant","content":"Hello! How can I help?",
                        "reasoning_content":"(only on thinking models)"}}],
 "usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29,
          "prompt_tokens_details":{"cached_tokens":0},
          "completion_tokens_details":{"reasoning_tokens":0}}})json";
  auto r = ark::parse_chat_response(body);
  REQUIRE(r);
  CHECK(r->text == "Hello! How can I help?");
  CHECK(r->finish_reason == "stop");
  CHECK(r->model == "doubao-seed-1-6-250615");
  REQUIRE(r->has_usage);
  CHECK(r->usage.prompt_tokens == 20);
  CHECK(r->usage.completion_tokens == 9);
  CHECK(r->usage.total_tokens == 29);
}

TEST_CASE("ark non-stream parsing is lenient where it can be", "[ark]") {
  SECTION("null content, no usage, unknown fields") {
    auto r = ark::parse_chat_response(
      R"({"x":[1],"choices":[{"message":{"content":null,"reasoning_content":"r"},)"
      R"("finish_reason":"length","extra":{}}]})");
    REQUIRE(r);
    CHECK(r->text.empty());
    CHECK(r->finish_reason == "length");
    CHECK_FALSE(r->has_usage);
  }
  SECTION("content as an array of text parts") {
    auto r = ark::parse_chat_response(
      R"({"choices":[{"index":0,"message":{"content":[{"type":"text","text":"a"},)"
      R"({"type":"image_url"},{"type":"text","text":"b"}]}}]})");
    REQUIRE(r);
    CHECK(r->text == "ab");
  }
  SECTION("the choice with index 0 wins") {
    auto r = ark::parse_chat_response(
      R"({"choices":[{"index":1,"message":{"content":"B"}},)"
      R"({"index":0,"message":{"content":"A"}}]})");
    REQUIRE(r);
    CHECK(r->text == "A");
  }
  SECTION("odd usage values do not break parsing") {
    auto r = ark::parse_chat_response(
      R"({"choices":[{"message":{"content":"ok"}}],)"
      R"("usage":{"prompt_tokens":"20","completion_tokens":2.0,"total_tokens":-1e300}})");
    REQUIRE(r);
    CHECK(r->has_usage);
    CHECK(r->usage.prompt_tokens == 0);
    CHECK(r->usage.completion_tokens == 2);
    CHECK(r->usage.total_tokens == 0);
  }
}

TEST_CASE("ark non-stream parsing names what is wrong", "[ark]") {
  auto fails_with = [](std::string_view body, const std::string& what) {
    auto r = ark::parse_chat_response(body);
    REQUIRE_FALSE(r);
    CHECK(r.error() == loong::ec::malformed_response);
    auto text = loong::describe(r.error());
    INFO(text);
    CHECK(text.find(what) != std::string::npos);
  };
  fails_with("", "invalid JSON at offset 0");
  fails_with("<html>bad gateway</html>", "invalid JSON");
  fails_with("[]", "not a JSON object");
  fails_with("{}", "no choices");
  fails_with(R"({"choices":[]})", "no choices");
  fails_with(R"({"choices":[7]})", "not an object");
  fails_with(R"({"choices":[{"delta":{}}]})", "message missing");
}

TEST_CASE("ark a 200 body with an error object is that error", "[ark]") {
  auto r = ark::parse_chat_response(
    R"({"error":{"code":"InvalidEndpointOrModel.NotFound","message":"no such model"}})");
  REQUIRE_FALSE(r);
  CHECK(r.error() == loong::ec::not_found);
  CHECK(loong::describe(r.error())
        == "not_found: HTTP 200 InvalidEndpointOrModel.NotFound: no such model");
}

TEST_CASE("ark models list is parsed leniently", "[ark]") {
  CHECK(ark::parse_models(
          R"({"object":"list","data":[{"id":"doubao-seed-1-6-250615",)"
          R"("object":"model","created":1750000000,"owned_by":"volcengine"}]})")
        == std::vector<std::string>{"doubao-seed-1-6-250615"});
  CHECK(ark::parse_models(
          R"({"data":[{"id":"a"},{"name":"no id"},7,null,{"id":5},{"id":" b "},)"
          R"("c",{"id":"a"},{"id":""}],"has_more":false})")
        == std::vector<std::string>{"a", "b", "c"});
  CHECK(ark::parse_models(R"([{"id":"x"},{"id":"y"}])")
        == std::vector<std::string>{"x", "y"});
  CHECK(ark::parse_models("").empty());
  CHECK(ark::parse_models("not json").empty());
  CHECK(ark::parse_models(R"({"data":{"id":"x"}})").empty());
  CHECK(ark::parse_models(R"({"object":"list"})").empty());
}

TEST_CASE("ark choose_model ranks preferred, then catalogue order", "[ark]") {
  std::vector<std::string> catalogue{"doubao-embedding-large", "doubao-seed-1-6-250615",
                                     "deepseek-v3-250324", "Kimi-K2"};
  CHECK(ark::choose_model(catalogue, {}).value()
        == "doubao-seed-1-6-250615"); // embedding models cannot chat
  CHECK(ark::choose_model(catalogue, {"absent", "deepseek-v3-250324"}).value()
        == "deepseek-v3-250324");
  CHECK(ark::choose_model(catalogue, {" ", "kimi-k2"}).value() == "Kimi-K2");
  CHECK(ark::choose_model(catalogue, {"absent"}).value() == "doubao-seed-1-6-250615");
  CHECK(ark::choose_model({"doubao-seedream-3-0"}, {}).value()
        == "doubao-seedream-3-0");
  for (auto& available : {std::vector<std::string>{}, std::vector<std::string>{" "}}) {
    auto r = ark::choose_model(available, {"doubao-seed-1-6-250615"});
    REQUIRE_FALSE(r);
    CHECK(r.error() == loong::ec::invalid_config);
    CHECK(loong::describe(r.error()).find("providers.<name>.model")
          != std::string::npos);
  }
}

TEST_CASE("ark deeply nested bodies are errors, not stack overflows", "[ark]") {
  std::string deep(300000, '[');
  auto r = ark::parse_chat_response(deep);
  REQUIRE_FALSE(r);
  CHECK(r.error() == loong::ec::malformed_response);
  CHECK(ark::parse_models(deep).empty());
  CHECK(ark::parse_models("{\"data\":" + deep).empty());
  auto e = ark::parse_error(500, deep);
  CHECK(e.code.empty());
  CHECK(e.message.size() <= 203);
}
