#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include <unistd.h>

#include "config/secret.hpp"
#include "tests/config/config_fixture.hpp"

using loong::test::load_error;
using loong::test::load_text;

TEST_CASE("secret strings: literal and env reference forms", "[config][secret]") {
  using loong::config::classify_secret_string;
  using kind = loong::config::secret_ref::kind;
  for (auto form : {"$APP_ID", "${APP_ID}", "env:APP_ID", "ENV:APP_ID", "%APP_ID%"}) {
    auto ref = classify_secret_string(form);
    CHECK(ref.what == kind::env);
    CHECK(ref.text == "APP_ID");
  }
  CHECK(classify_secret_string("cli_123").what == kind::literal);
  CHECK(classify_secret_string("   ").what == kind::absent);
}

TEST_CASE("secret table forms resolve env, file and exec", "[config][secret]") {
  char path[] = "/tmp/loong-secret-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream{path} << "file-secret\n\n";
  auto text = std::string{"[feishu]\nenabled = true\napp_id = { env = \"MY_APP\" }\n"}
              + "app_secret = { file = \"" + path + "\" }\n"
              + "verification_token = { exec = [\"printf\", \"tok\"] }\n"
              + "encrypt_key = \"${MY_KEY}\"\n";
  auto cfg = load_text(text, {{"MY_APP", "cli_abc"}, {"MY_KEY", "k"}});
  std::remove(path);
  REQUIRE(cfg);
  auto& a = cfg->feishu.accounts.at(0);
  CHECK(a.app_id.value == "cli_abc");
  CHECK(a.app_secret.value == "file-secret");
  CHECK(a.verification_token.value == "tok");
  CHECK(a.encrypt_key.value == "k");
  CHECK(a.app_secret.source.rfind("file:", 0) == 0);
}

TEST_CASE("a secret table needs exactly one form", "[config][secret]") {
  auto err = load_error("[feishu]\napp_id = { env = \"A\", file = \"b\" }\n");
  CHECK(err.find("test.toml:2: feishu.app_id: a secret table needs exactly one of env, file or exec")
        != std::string::npos);
  CHECK(load_error("[feishu]\napp_id = {}\n").find("exactly one") != std::string::npos);
}

TEST_CASE("env pointer validation codes", "[config][secret]") {
  struct row { const char* value; const char* code; };
  row rows[] = {
    {"FEISHU_APP_ID=cli_1", "config.env_pointer.assignment"},
    {"$FEISHU_APP_SECRET", "config.env_pointer.dollar_prefix"},
    {"%FEISHU_ENCRYPT_KEY%", "config.env_pointer.percent_wrapped"},
    {"sk-abcdef", "config.env_pointer.secret_literal"},
    {"123-bad name", "config.env_pointer.invalid_name"},
  };
  for (auto& r : rows) {
    auto err = load_error(std::string{"[feishu]\napp_secret_env = \""} + r.value + "\"\n");
    INFO(r.value);
    CHECK(err.find(r.code) != std::string::npos);
    CHECK(err.find("test.toml:2: [") != std::string::npos);
    CHECK(err.find("feishu.app_secret_env expects an environment variable name")
          != std::string::npos);
  }
  // A secret pasted into a pointer is never echoed back.
  auto err = load_error("[feishu]\napp_secret_env = \"sk-verysecretvalue1234567890\"\n");
  CHECK(err.find("verysecret") == std::string::npos);
  // Table form is validated at <field>.env, account fields at their own path.
  CHECK(load_error("[feishu]\napp_id = { env = \"a b\" }\n").find("feishu.app_id.env")
        != std::string::npos);
  CHECK(load_error("[feishu.accounts.Work]\napp_secret_env = \"X=1\"\n")
          .find("feishu.accounts.work.app_secret_env")
        != std::string::npos);
}

TEST_CASE("secret precedence: a set reference never falls back to *_env", "[config][secret]") {
  auto cfg = load_text(R"(
[feishu]
enabled = true
app_id = { env = "UNSET_VAR" }
app_id_env = "FALLBACK"
app_secret_env = "SECRET_VAR"
)", {{"FALLBACK", "cli_fallback"}, {"SECRET_VAR", "s3cr3t"}});
  REQUIRE(cfg);
  auto& a = cfg->feishu.accounts.at(0);
  CHECK_FALSE(a.app_id.present());
  CHECK(a.app_id.missing_reason == "environment variable UNSET_VAR is not set");
  CHECK(a.app_secret.value == "s3cr3t");
  // The readiness finding names the variable, never a value.
  REQUIRE_FALSE(a.send_issues.empty());
  CHECK(a.send_issues[0].message
        == "feishu.app_id: app_id is missing: environment variable UNSET_VAR is not set");
  CHECK(a.send_issues[0].line == 4);
}

TEST_CASE("a blank literal falls back to the pointer", "[config][secret]") {
  auto cfg = load_text("[feishu]\napp_id = \"  \"\napp_id_env = \"APP\"\n", {{"APP", "cli_x"}});
  REQUIRE(cfg);
  CHECK(cfg->feishu.accounts.at(0).app_id.value == "cli_x");
}

TEST_CASE("present [feishu] does not read FEISHU_APP_ID implicitly", "[config][secret]") {
  auto cfg = load_text("[feishu]\nenabled = true\n", {{"FEISHU_APP_ID", "cli_implicit"}});
  REQUIRE(cfg);
  CHECK_FALSE(cfg->feishu.accounts.at(0).app_id.present());
}
