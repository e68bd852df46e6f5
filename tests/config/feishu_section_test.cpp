#include <catch2/catch.hpp>

#include "config/account_id.hpp"
#include "tests/config/config_fixture.hpp"

using loong::test::load_error;
using loong::test::load_text;

namespace {

bool has_issue(const std::vector<loong::config::issue>& xs, const std::string& key) {
  for (auto& x : xs)
    if (x.key == key)
      return true;
  return false;
}

} // namespace

TEST_CASE("account ids normalize as the contract says", "[config][feishu]") {
  using loong::config::normalize_account_id;
  CHECK(normalize_account_id("Lark Prod") == "lark-prod");
  CHECK(normalize_account_id("Work Bot") == "work-bot");
  CHECK(normalize_account_id("  __a--b__  ") == "a-b");
  CHECK(normalize_account_id("a_b") == "a_b");
  CHECK(normalize_account_id("x!!y") == "x-y");
  CHECK(normalize_account_id("---") == "default");
  CHECK(normalize_account_id("") == "default");
}

TEST_CASE("defaults when [feishu] exists", "[config][feishu]") {
  auto cfg = load_text("[feishu]\n");
  REQUIRE(cfg);
  auto& f = cfg->feishu;
  CHECK(f.present);
  CHECK_FALSE(f.enabled);
  REQUIRE(f.accounts.size() == 1);
  auto& a = f.accounts[0];
  CHECK(a.mode == "websocket");
  CHECK(a.domain == "feishu");
  CHECK(a.base_url == "https://open.feishu.cn");
  CHECK(a.receive_id_type == "chat_id");
  CHECK(a.webhook_bind == "127.0.0.1:8080");
  CHECK(a.webhook_path == "/feishu/events");
  CHECK(a.ignore_bot_messages);
  CHECK(a.ack_reactions);
  CHECK_FALSE(a.require_mention);
  CHECK(a.id == "default");
  CHECK(f.default_source == "runtime_identity");
  CHECK(has_issue(a.send_issues, "feishu.enabled"));
}

TEST_CASE("no [feishu] table means no channel", "[config][feishu]") {
  auto cfg = load_text("");
  REQUIRE(cfg);
  CHECK_FALSE(cfg->feishu.present);
  CHECK(cfg->feishu.accounts.empty());
}

TEST_CASE("lark domain and base_url override", "[config][feishu]") {
  auto cfg = load_text("[feishu]\ndomain = \"lark\"\n[feishu.accounts.a]\n[feishu.accounts.b]\nbase_url = \"http://127.0.0.1:9/\"\n");
  REQUIRE(cfg);
  CHECK(cfg->account("a")->base_url == "https://open.larksuite.com");
  CHECK_FALSE(cfg->account("a")->base_url_overridden);
  CHECK(cfg->account("b")->base_url == "http://127.0.0.1:9");
  CHECK(cfg->account("b")->base_url_overridden);
  CHECK(cfg->account("b")->selector() == "lark=b");
}

TEST_CASE("invalid enum values name key and line", "[config][feishu]") {
  CHECK(load_error("[feishu]\ndomain = \"larks\"\n").find("test.toml:2: feishu.domain: must be")
        != std::string::npos);
  CHECK(load_error("[feishu]\n[feishu.accounts.w]\nmode = \"poll\"\n")
          .find("test.toml:3: feishu.accounts.w.mode") != std::string::npos);
  CHECK(load_error("[feishu]\nreceive_id_type = \"phone\"\n").find("feishu.receive_id_type")
        != std::string::npos);
  CHECK(load_error("[feishu]\nwebhook_bind = \"8080\"\n").find("feishu.webhook_bind: must be HOST:PORT")
        != std::string::npos);
  CHECK(load_error("[feishu]\nallowed_chat_ids = \"oc_1\"\n").find("expects an array of strings")
        != std::string::npos);
  CHECK(load_error("[feishu]\nenabled = \"yes\"\n").find("feishu.enabled: expects true or false")
        != std::string::npos);
}

TEST_CASE("accounts inherit top-level keys and lists are replaced wholesale", "[config][feishu]") {
  auto cfg = load_text(R"(
[feishu]
enabled = true
app_secret = "top-secret"
allowed_chat_ids = ["oc_top", " ", "oc_two"]
require_mention = true
mode = "webhook"
verification_token = "vt"
encrypt_key = "ek"
[feishu.accounts.work]
app_id = "cli_work"
allowed_chat_ids = ["oc_work"]
mode = "websocket"
[feishu.accounts.backup]
app_id = "cli_backup"
enabled = false
)");
  REQUIRE(cfg);
  auto work = cfg->account("work");
  auto backup = cfg->account("backup");
  REQUIRE(work);
  REQUIRE(backup);
  CHECK(work->app_secret.value == "top-secret");
  CHECK(work->allowed_chat_ids == std::vector<std::string>{"oc_work"});
  CHECK(backup->allowed_chat_ids == std::vector<std::string>{"oc_top", "oc_two"});
  CHECK(work->require_mention);
  CHECK(work->mode == "websocket");
  CHECK(backup->mode == "webhook");
  CHECK(work->enabled);
  CHECK_FALSE(backup->enabled);
  CHECK(work->serve_issues.empty());
  CHECK(has_issue(backup->serve_issues, "feishu.accounts.backup.enabled"));
}

TEST_CASE("webhook mode needs token and key but websocket mode never asks", "[config][feishu]") {
  auto text = R"(
[feishu]
enabled = true
app_id = "cli_1"
app_secret = "s"
allowed_chat_ids = ["oc_1"]
[feishu.accounts.hook]
mode = "webhook"
encrypt_key_env = "HOOK_KEY"
[feishu.accounts.ws]
mode = "websocket"
)";
  auto cfg = load_text(text);
  REQUIRE(cfg);
  auto hook = cfg->account("hook");
  auto ws = cfg->account("ws");
  CHECK(ws->serve_issues.empty());
  REQUIRE(hook->serve_issues.size() == 2);
  auto& token = hook->serve_issues[0];
  auto& key = hook->serve_issues[1];
  CHECK(token.key == "feishu.accounts.hook.verification_token");
  CHECK(key.key == "feishu.accounts.hook.encrypt_key");
  CHECK(key.message.find("environment variable HOOK_KEY is not set") != std::string::npos);
  CHECK(key.line == 9);
  CHECK(token.line == 7);
  CHECK(hook->send_issues.empty());
}

TEST_CASE("an empty allowlist blocks serve in both modes", "[config][feishu]") {
  auto cfg = load_text("[feishu]\nenabled = true\napp_id = \"a\"\napp_secret = \"b\"\nallowed_chat_ids = [\" \"]\n");
  REQUIRE(cfg);
  auto& a = cfg->feishu.accounts.at(0);
  REQUIRE(a.serve_issues.size() == 1);
  CHECK(a.serve_issues[0].key == "feishu.allowed_chat_ids");
  CHECK(a.serve_issues[0].line == 5);
  CHECK(a.send_issues.empty());
  auto star = load_text("[feishu]\nenabled = true\napp_id = \"a\"\napp_secret = \"b\"\nallowed_chat_ids = [\"*\"]\n");
  CHECK(star->feishu.accounts.at(0).serve_issues.empty());
}

TEST_CASE("runtime identity: account_id, then domain_appid, then default", "[config][feishu]") {
  auto cfg = load_text(R"(
[feishu]
domain = "lark"
[feishu.accounts.a]
account_id = "Prod Bot"
[feishu.accounts.b]
app_id = "cli_LARK_123"
account_id = "--"
[feishu.accounts.c]
)");
  REQUIRE(cfg);
  CHECK(cfg->account("a")->runtime_id == "prod-bot");
  CHECK(cfg->account("b")->runtime_id == "lark_cli_lark_123");
  CHECK(cfg->account("b")->runtime_label == "lark:cli_LARK_123");
  CHECK(cfg->account("c")->runtime_id == "default");
  auto single = load_text("[feishu]\napp_id = \"cli_a1b2c3\"\n");
  CHECK(single->feishu.accounts.at(0).id == "feishu_cli_a1b2c3");
}

TEST_CASE("default account: explicit, mapped, fallback", "[config][feishu]") {
  auto explicit_ = load_text("[feishu]\ndefault_account = \"Work\"\n[feishu.accounts.work]\n[feishu.accounts.a]\n");
  CHECK(explicit_->feishu.default_account == "work");
  CHECK(explicit_->feishu.default_source == "explicit_default");
  auto mapped = load_text("[feishu]\n[feishu.accounts.Default]\n[feishu.accounts.a]\n");
  CHECK(mapped->feishu.default_account == "default");
  CHECK(mapped->feishu.default_source == "mapped_default");
  auto fallback = load_text("[feishu]\n[feishu.accounts.zeta]\n[feishu.accounts.beta]\n");
  CHECK(fallback->feishu.default_account == "beta");
  CHECK(fallback->feishu.default_source == "fallback");
}

TEST_CASE("unknown default_account and duplicate ids are load errors", "[config][feishu]") {
  auto unknown = load_error("[feishu]\ndefault_account = \"ghost\"\n[feishu.accounts.work]\n[feishu.accounts.backup]\n");
  CHECK(unknown.find("config.channel_account.unknown_default") == std::string::npos);
  CHECK(unknown.find("test.toml:2: feishu.default_account: names account \"ghost\", which is not configured (configured: backup, work)")
        != std::string::npos);
  auto dup = load_error("[feishu.accounts.\"Work Bot\"]\n[feishu.accounts.work-bot]\n");
  CHECK(dup.find("feishu.accounts: accounts") != std::string::npos);
  CHECK(dup.find("both normalize to \"work-bot\"") != std::string::npos);
}

TEST_CASE("unknown keys are warnings, not errors", "[config][feishu]") {
  auto cfg = load_text("[feishu]\nenabeld = true\n");
  REQUIRE(cfg);
  REQUIRE(cfg->warnings.size() == 1);
  CHECK(cfg->warnings[0].key == "feishu.enabeld");
  CHECK(cfg->warnings[0].line == 2);
}
