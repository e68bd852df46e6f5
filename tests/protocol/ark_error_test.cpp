#include <catch2/catch.hpp>

#include <string>

#include <caf/sec.hpp>

#include "messages/errors.hpp"
#include "protocol/ark_chat.hpp"

namespace ark = loong::ark;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

std::string body(const std::string& code, const std::string& type = "") {
  return R"({"error":{"code":")" + code + R"(","message":"m. Request id: 0217",)"
         + R"("param":"","type":")" + type + R"("}})";
}

} // namespace

TEST_CASE("ark V7: 401 AuthenticationError is not retried", "[ark]") {
  auto e = ark::parse_error(
    401, R"({"error":{"code":"AuthenticationError","message":"The API key or AK/SK )"
         R"(in the request is missing or invalid. Request id: 021700000000000abc",)"
         R"("param":"","type":"Unauthorized"}})");
  CHECK(e.http_status == 401);
  CHECK(e.code == "AuthenticationError");
  CHECK(e.message.find("Request id: 021700000000000abc") != std::string::npos);
  CHECK_FALSE(e.retryable);
  auto err = ark::to_error(e);
  CHECK(err == loong::ec::auth_failed);
  CHECK(loong::describe(err).rfind("auth_failed: HTTP 401 AuthenticationError: "
                                   "The API key",
                                   0)
        == 0);
}

TEST_CASE("ark V8: 429 rate limit retries after backoff, then 200 succeeds",
          "[ark]") {
  auto e = ark::parse_error(429, body("RateLimitExceeded.EndpointRPMExceeded"));
  REQUIRE(e.retryable);
  CHECK(ark::to_error(e) == loong::ec::rate_limited);
  // SDK backoff for the first retry: 500 ms * jitter in [0.75, 1.0].
  auto lo = ark::retry_delay(0, 500ms, 8000ms, "", 0.0);
  auto hi = ark::retry_delay(0, 500ms, 8000ms, "", 0.999999);
  CHECK(lo == 375ms);
  CHECK(hi >= 499ms);
  CHECK(hi <= 500ms);
  // The mock's Retry-After: 1 wins over the backoff.
  CHECK(ark::retry_delay(0, 500ms, 8000ms, "1", 0.5) == 1000ms);
  auto ok = ark::parse_chat_response(
    R"({"model":"m","choices":[{"index":0,"message":{"content":"hi"},)"
    R"("finish_reason":"stop"}]})");
  REQUIRE(ok);
  CHECK(ok->text == "hi");
}

TEST_CASE("ark V9: 429 QuotaExceeded is not retried", "[ark]") {
  for (auto code : {"QuotaExceeded", "SetLimitExceeded"}) {
    auto e = ark::parse_error(429, body(code));
    CHECK(e.code == code);
    CHECK_FALSE(e.retryable);
    CHECK(ark::to_error(e) == loong::ec::rate_limited);
  }
}

TEST_CASE("ark V10: 404 with an empty body", "[ark]") {
  for (auto b : {"", "  \r\n"}) {
    auto e = ark::parse_error(404, b);
    CHECK(e.http_status == 404);
    CHECK(e.code.empty());
    CHECK(e.message.empty());
    CHECK_FALSE(e.retryable);
    auto err = ark::to_error(e);
    CHECK(err == loong::ec::not_found);
    CHECK(loong::describe(err) == "not_found: HTTP 404");
  }
}

TEST_CASE("ark every row of the section 7 table", "[ark]") {
  struct row {
    unsigned status;
    const char* code;
    bool retryable;
    loong::ec ec;
  };
  const row rows[] = {
    {400, "MissingParameter", false, loong::ec::platform_error},
    {400, "InvalidParameter", false, loong::ec::platform_error},
    {400, "InvalidEndpoint.ClosedEndpoint", false, loong::ec::platform_error},
    {400, "InputTextSensitiveContentDetected", false, loong::ec::platform_error},
    {400, "OutputTextSensitiveContentDetected", false, loong::ec::platform_error},
    {400, "OutofContextError", false, loong::ec::platform_error},
    {401, "AuthenticationError", false, loong::ec::auth_failed},
    {403, "AccountOverdueError", false, loong::ec::permission_denied},
    {403, "AccessDenied", false, loong::ec::permission_denied},
    {403, "OperationDenied.ServiceOverdue", false, loong::ec::permission_denied},
    {404, "InvalidEndpointOrModel.NotFound", false, loong::ec::not_found},
    {404, "ModelNotOpen", false, loong::ec::not_found},
    {404, "InvalidEndpointOrModel.ModelIDAccessDisabled", false, loong::ec::not_found},
    {429, "RateLimitExceeded.EndpointRPMExceeded", true, loong::ec::rate_limited},
    {429, "RateLimitExceeded.EndpointTPMExceeded", true, loong::ec::rate_limited},
    {429, "ModelAccountRpmRateLimitExceeded", true, loong::ec::rate_limited},
    {429, "ModelAccountTpmRateLimitExceeded", true, loong::ec::rate_limited},
    {429, "APIAccountRpmRateLimitExceeded", true, loong::ec::rate_limited},
    {429, "AccountRateLimitExceeded", true, loong::ec::rate_limited},
    {429, "ServerOverloaded", true, loong::ec::rate_limited},
    {429, "RequestBurstTooFast", true, loong::ec::rate_limited},
    {429, "InflightBatchsizeExceeded", true, loong::ec::rate_limited},
    {429, "QuotaExceeded", false, loong::ec::rate_limited},
    {429, "SetLimitExceeded", false, loong::ec::rate_limited},
    {500, "InternalServiceError", true, loong::ec::server_error},
    {502, "", true, loong::ec::server_error},
    {503, "", true, loong::ec::server_error},
    {504, "", true, loong::ec::server_error},
  };
  for (auto& r : rows) {
    INFO(r.status << " " << r.code);
    auto e = ark::parse_error(r.status, *r.code ? body(r.code, "T") : "");
    CHECK(e.code == r.code);
    CHECK(e.retryable == r.retryable);
    auto err = ark::to_error(e);
    CHECK(err == r.ec);
    auto prefix = "HTTP " + std::to_string(r.status)
                  + (*r.code ? std::string{" "} + r.code + ": m." : "");
    CHECK(loong::describe(err).find(prefix) != std::string::npos);
  }
}

TEST_CASE("ark retryable statuses follow the SDK and contract rules", "[ark]") {
  for (unsigned s : {408u, 409u, 425u, 429u, 500u, 501u, 599u})
    CHECK(ark::parse_error(s, "").retryable);
  for (unsigned s : {400u, 401u, 403u, 404u, 413u, 422u})
    CHECK_FALSE(ark::parse_error(s, "").retryable);
  CHECK(ark::to_error(ark::parse_error(408, "")) == loong::ec::platform_error);
  CHECK(ark::to_error(ark::parse_error(422, "")) == loong::ec::platform_error);
}

TEST_CASE("ark x-should-retry overrides the status rule", "[ark]") {
  CHECK(ark::parse_error(400, body("InvalidParameter"), "true").retryable);
  CHECK(ark::parse_error(400, "", " TRUE ").retryable);
  CHECK_FALSE(ark::parse_error(503, "", "false").retryable);
  CHECK_FALSE(ark::parse_error(429, body("ServerOverloaded"), "False").retryable);
  CHECK(ark::parse_error(429, body("QuotaExceeded"), "true").retryable);
  // Anything else leaves the rule alone.
  CHECK(ark::parse_error(503, "", "maybe").retryable);
  CHECK_FALSE(ark::parse_error(400, "", "1").retryable);
}

TEST_CASE("ark non-JSON and odd error bodies", "[ark]") {
  SECTION("HTML from a proxy is clipped into the message") {
    auto e = ark::parse_error(
      502, "<html>\n  <body>502   Bad Gateway</body>\n</html>" + std::string(400, 'x'));
    CHECK(e.code.empty());
    CHECK(e.message.rfind("<html> <body>502 Bad Gateway</body> </html>", 0) == 0);
    CHECK(e.message.size() <= 203);
    CHECK(e.message.substr(e.message.size() - 3) == "...");
    CHECK(e.retryable);
  }
  SECTION("body without an error key is used as is (SDK rule)") {
    auto e = ark::parse_error(400, R"({"code":"InvalidParameter","message":"bad"})");
    CHECK(e.code == "InvalidParameter");
    CHECK(e.message == "bad");
  }
  SECTION("error as a string, numeric code") {
    CHECK(ark::parse_error(400, R"({"error":"nope"})").message == "nope");
    auto e = ark::parse_error(500, R"({"error":{"code":1001,"message":"x"}})");
    CHECK(e.code == "1001");
  }
  SECTION("JSON without code or message keeps an excerpt") {
    auto e = ark::parse_error(500, R"({"status":"down"})");
    CHECK(e.message == R"({"status":"down"})");
    CHECK(ark::parse_error(500, "[1,2]").message == "[1,2]");
  }
  SECTION("long messages are bounded and stay valid UTF-8") {
    std::string big;
    for (int i = 0; i < 300; ++i)
      big += "\xE4\xBD\xA0"; // 900 bytes
    auto e = ark::parse_error(400, R"({"error":{"code":"X","message":")" + big + "\"}}");
    CHECK(e.message.size() <= 515);
    CHECK(e.message.substr(e.message.size() - 3) == "...");
    CHECK(e.message.find("\xEF\xBF\xBD") == std::string::npos);
    CHECK((e.message.size() - 3) % 3 == 0);
  }
  SECTION("unusual statuses map to platform_error") {
    CHECK(ark::to_error(ark::parse_error(418, "")) == loong::ec::platform_error);
    CHECK(loong::describe(ark::to_error(ark::parse_error(418, "teapot")))
          == "platform_error: HTTP 418: teapot");
  }
}

TEST_CASE("ark retry_delay bounds", "[ark]") {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto raw = std::min<int64_t>(500LL << attempt, 8000);
    for (double u : {0.0, 0.25, 0.5, 0.75, 0.999}) {
      auto d = ark::retry_delay(attempt, 500ms, 8000ms, "", u).count();
      CHECK(d >= raw * 3 / 4);
      CHECK(d <= raw);
    }
  }
  // Contract defaults: 300 ms -> 3 s.
  CHECK(ark::retry_delay(0, 300ms, 3000ms, "", 0.0) == 225ms);
  CHECK(ark::retry_delay(5, 300ms, 3000ms, "", 0.0) == 2250ms);
  // Huge and negative attempts, out-of-range jitter.
  CHECK(ark::retry_delay(1000, 500ms, 8000ms, "", 0.0) == 6000ms);
  CHECK(ark::retry_delay(-3, 500ms, 8000ms, "", 0.0) == 375ms);
  CHECK(ark::retry_delay(0, 500ms, 8000ms, "", 7.0) == 500ms);
  CHECK(ark::retry_delay(0, 500ms, 8000ms, "", -1.0) == 375ms);
  CHECK(ark::retry_delay(0, 500ms, 8000ms, "", std::nan("")) == 375ms);
  CHECK(ark::retry_delay(0, -5ms, 8000ms, "", 0.0) == 0ms);
}

TEST_CASE("ark Retry-After wins, capped at 60 s", "[ark]") {
  CHECK(ark::retry_delay(0, 500ms, 8000ms, "0", 0.3) == 0ms);
  CHECK(ark::retry_delay(3, 500ms, 8000ms, " 2 ", 0.3) == 2000ms);
  CHECK(ark::retry_delay(0, 500ms, 8000ms, "1.5", 0.3) == 1500ms);
  CHECK(ark::retry_delay(0, 500ms, 8000ms, "120", 0.3) == 60000ms);
  CHECK(ark::retry_delay(0, 500ms, 8000ms, "99999999999999999999", 0.3) == 60000ms);
  // Dates, negatives and garbage fall back to the backoff.
  for (auto h : {"Wed, 21 Oct 2015 07:28:00 GMT", "-1", "abc", ".", "1e3", " "})
    CHECK(ark::retry_delay(0, 500ms, 8000ms, h, 0.0) == 375ms);
}

TEST_CASE("ark doctor hints name the fix", "[ark]") {
  auto hint = [](unsigned status, const std::string& b) {
    return ark::doctor_hint(ark::to_error(ark::parse_error(status, b)));
  };
  CHECK(hint(401, body("AuthenticationError"))
        == "check ARK_API_KEY (bearer API key from the Ark console, not AK/SK)");
  CHECK(hint(404, "")
        == "the model or endpoint id is not activated for this key; set "
           "providers.<name>.model to an id from `loong runtime models list`");
  CHECK(hint(404, body("ModelNotOpen")).find("activate it") != std::string::npos);
  CHECK(hint(403, body("AccountOverdueError")).find("overdue") != std::string::npos);
  CHECK(hint(403, body("AccessDenied")).find("permissions") != std::string::npos);
  CHECK(hint(429, body("QuotaExceeded")).find("quota") != std::string::npos);
  CHECK(hint(429, body("ServerOverloaded")).find("rate limited") != std::string::npos);
  CHECK(hint(500, "").find("server error") != std::string::npos);
  CHECK(hint(400, body("OutofContextError")).find("context window") != std::string::npos);
  CHECK(hint(400, body("InputTextSensitiveContentDetected")).find("content filter")
        != std::string::npos);
  CHECK(hint(400, body("InvalidEndpoint.ClosedEndpoint")).find("closed")
        != std::string::npos);
  auto transport = ark::doctor_hint(
    caf::make_error(loong::ec::transport_failed, "resolve ark.cn-beijing.volces.com"));
  CHECK(transport.find("DNS") != std::string::npos);
  CHECK(transport.find("PROXY") != std::string::npos);
  CHECK(ark::doctor_hint(caf::make_error(loong::ec::timeout, "headers"))
          .find("did not answer in time")
        != std::string::npos);
  CHECK(ark::doctor_hint(caf::make_error(caf::sec::request_timeout))
          .find("did not answer in time")
        != std::string::npos);
  CHECK(ark::doctor_hint(caf::make_error(loong::ec::missing_secret, "ARK_API_KEY"))
          .find("ARK_API_KEY")
        != std::string::npos);
  CHECK(ark::doctor_hint(ark::choose_model({}, {}).error()).find("models list")
        != std::string::npos);
  CHECK(ark::doctor_hint(caf::error{}).empty());
  CHECK(ark::doctor_hint(caf::make_error(loong::ec::owner_conflict)).empty());
  // Hints are one line.
  for (auto s : {400u, 401u, 403u, 404u, 429u, 500u})
    CHECK(hint(s, "").find('\n') == std::string::npos);
}
