#include <catch2/catch.hpp>

#include "config/selector.hpp"
#include "messages/errors.hpp"

using loong::config::parse_selector;

namespace {

std::string error_of(const char* text) {
  auto s = parse_selector(text);
  REQUIRE_FALSE(s);
  CHECK(s.error() == loong::ec::invalid_argument);
  return loong::describe(s.error());
}

} // namespace

TEST_CASE("selectors parse CHANNEL=ACCOUNT with lark as an alias", "[config][selector]") {
  auto s = parse_selector(" lark = Work ");
  REQUIRE(s);
  CHECK(s->channel == "feishu");
  CHECK(s->channel_as_written == "lark");
  CHECK(s->account == "Work");
  auto upper = parse_selector("LARK=work");
  REQUIRE(upper);
  CHECK(upper->channel == "feishu");
  CHECK(parse_selector("feishu=backup")->channel == "feishu");
}

TEST_CASE("malformed selectors are rejected with the rule", "[config][selector]") {
  CHECK(error_of("  ").find("value is empty") != std::string::npos);
  CHECK(error_of("telegrambot123").find("CHANNEL=ACCOUNT syntax") != std::string::npos);
  CHECK(error_of("=work").find("missing the channel id") != std::string::npos);
  CHECK(error_of("lark=").find("missing the account id") != std::string::npos);
}

TEST_CASE("unknown and unsupported channels are rejected", "[config][selector]") {
  auto unknown = error_of("nope=x");
  CHECK(unknown.find("unrecognized channel \"nope\"") != std::string::npos);
  CHECK(unknown.find("feishu") != std::string::npos);
  CHECK(error_of("slack=x").find("resolves to slack, which is not a gateway-supervised channel")
        != std::string::npos);
  CHECK(error_of("Telegram=x").find("resolves to telegram, which is not compiled")
        != std::string::npos);
}
