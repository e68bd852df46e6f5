#include <catch2/catch.hpp>

#include "config/resolve.hpp"
#include "tests/config/config_fixture.hpp"

using loong::test::load_text;
using namespace loong::config;

namespace {

const char* multi = R"(
[feishu]
enabled = true
app_secret = "s"
allowed_chat_ids = ["*"]
[feishu.accounts.work]
app_id = "cli_work"
account_id = "team-bot"
[feishu.accounts.backup]
app_id = "cli_backup"
[feishu.accounts.off]
app_id = "cli_off"
enabled = false
)";

std::vector<channel_selector> sels(std::initializer_list<const char*> xs) {
  std::vector<channel_selector> out;
  for (auto x : xs)
    out.push_back(*parse_selector(x));
  return out;
}

std::string error_text(const caf::error& e) {
  return loong::describe(e);
}

} // namespace

TEST_CASE("an explicit account picks a named account or a runtime identity", "[config][resolve]") {
  auto cfg = load_text(multi);
  REQUIRE(cfg);
  auto byid = select_account(*cfg, std::string{"Work"});
  REQUIRE(byid);
  CHECK(byid->account.id == "work");
  CHECK(byid->source == "explicit");
  auto byidentity = select_account(*cfg, std::string{"team-bot"});
  REQUIRE(byidentity);
  CHECK(byidentity->account.id == "work");
  auto ghost = select_account(*cfg, std::string{"ghost"});
  REQUIRE_FALSE(ghost);
  CHECK(error_text(ghost.error()).find("feishu account \"ghost\" is not configured (configured: backup, off, work)")
        != std::string::npos);
}

TEST_CASE("ambiguous runtime identities are refused", "[config][resolve]") {
  auto cfg = load_text("[feishu]\naccount_id = \"same\"\n[feishu.accounts.a]\n[feishu.accounts.b]\n");
  REQUIRE(cfg);
  auto s = select_account(*cfg, std::string{"same"});
  REQUIRE_FALSE(s);
  CHECK(error_text(s.error()).find("ambiguous") != std::string::npos);
}

TEST_CASE("without an explicit account the default applies, with a route warning on fallback", "[config][resolve]") {
  auto cfg = load_text(multi);
  auto s = select_account(*cfg, std::nullopt);
  REQUIRE(s);
  CHECK(s->account.id == "backup");
  CHECK(s->selected_by_default);
  CHECK(s->source == "fallback");
  CHECK(s->warning.find("feishu.default_account") != std::string::npos);
  auto one = load_text("[feishu]\n[feishu.accounts.only]\n");
  auto s1 = select_account(*one, std::nullopt);
  CHECK(s1->source == "fallback");
  CHECK(s1->warning.empty());
}

TEST_CASE("single-account config accepts the requested account as its id", "[config][resolve]") {
  auto cfg = load_text("[feishu]\nenabled = true\napp_id = \"cli_x\"\n");
  auto s = select_account(*cfg, std::string{"Ops Bot"});
  REQUIRE(s);
  CHECK(s->account.id == "ops-bot");
  CHECK(s->account.app_id.value == "cli_x");
  auto missing = load_text("");
  CHECK_FALSE(select_account(*missing, std::nullopt));
}

TEST_CASE("gateway accounts: all enabled without selectors", "[config][resolve]") {
  auto cfg = load_text(multi);
  auto xs = select_gateway_accounts(*cfg, {});
  REQUIRE(xs);
  REQUIRE(xs->size() == 2);
  CHECK((*xs)[0].id == "backup");
  CHECK((*xs)[1].id == "work");
}

TEST_CASE("gateway selectors: one per family, known accounts only", "[config][resolve]") {
  auto cfg = load_text(multi);
  auto one = select_gateway_accounts(*cfg, sels({"lark=work"}));
  REQUIRE(one);
  REQUIRE(one->size() == 1);
  CHECK(one->at(0).id == "work");
  auto dup = select_gateway_accounts(*cfg, sels({"lark=work", "feishu=backup"}));
  REQUIRE_FALSE(dup);
  CHECK(error_text(dup.error()).find("duplicate account selection for channel family feishu (lark=work, feishu=backup)")
        != std::string::npos);
  auto same = select_gateway_accounts(*cfg, sels({"lark=work", "lark=work"}));
  CHECK_FALSE(same);
  auto ghost = select_gateway_accounts(*cfg, sels({"lark=ghost"}));
  REQUIRE_FALSE(ghost);
  CHECK(error_text(ghost.error()).find("(configured: backup, off, work)") != std::string::npos);
  auto off = select_gateway_accounts(*cfg, sels({"feishu=off"}));
  REQUIRE(off);
  CHECK(off->empty());
}

TEST_CASE("a selector against a single-account config names the fix", "[config][resolve]") {
  auto cfg = load_text("[feishu]\nenabled = true\napp_id = \"cli_x\"\n");
  auto xs = select_gateway_accounts(*cfg, sels({"lark=work"}));
  REQUIRE_FALSE(xs);
  auto msg = error_text(xs.error());
  CHECK(msg.find("feishu.default_account = \"work\"") != std::string::npos);
  CHECK(msg.find("[feishu.accounts.work]") != std::string::npos);
}

TEST_CASE("a disabled channel contributes no accounts", "[config][resolve]") {
  auto cfg = load_text("[feishu]\nenabled = false\n[feishu.accounts.work]\n");
  auto xs = select_gateway_accounts(*cfg, sels({"lark=work"}));
  REQUIRE(xs);
  CHECK(xs->empty());
}
