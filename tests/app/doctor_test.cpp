#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "tests/support/run_process.hpp"

using loong::test::loong_binary;
using loong::test::run_process;
using loong::test::source_path;
using loong::test::temp_dir;

namespace {

loong::test::process_result doctor(std::vector<std::string> args,
                                   std::map<std::string, std::string> env) {
  args.insert(args.begin(), {loong_binary(), "doctor", "--skip-model-probe"});
  for (auto k : {"LOONG_CONFIG", "LOONG_HOME", "ARK_API_KEY", "FEISHU_APP_ID",
                 "FEISHU_APP_SECRET", "FEISHU_VERIFICATION_TOKEN", "FEISHU_ENCRYPT_KEY"})
    env.emplace(k, "");
  return run_process(args, env);
}

const std::map<std::string, std::string> ws_env = {
  {"ARK_API_KEY", "ark-secret-value"}, {"FEISHU_APP_ID", "cli_example"},
  {"FEISHU_APP_SECRET", "app-secret-value"}};

} // namespace

TEST_CASE("doctor passes the websocket example when secrets resolve", "[cli][doctor]") {
  auto r = doctor({"--config", source_path("examples/websocket.toml")}, ws_env);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("0 fail") != std::string::npos);
  CHECK(r.out.find("ark-secret-value") == std::string::npos);
  CHECK(r.out.find("app-secret-value") == std::string::npos);
  // Websocket mode never asks for webhook secrets.
  CHECK(r.out.find("encrypt_key") == std::string::npos);
  CHECK(r.out.find("verification_token") == std::string::npos);
}

TEST_CASE("doctor fails with the missing variable named, never a value", "[cli][doctor]") {
  auto r = doctor({"--config", source_path("examples/websocket.toml")},
                  {{"FEISHU_APP_SECRET", "app-secret-value"}});
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("ARK_API_KEY is not set") != std::string::npos);
  CHECK(r.out.find("environment variable FEISHU_APP_ID is not set") != std::string::npos);
  CHECK(r.err.find("error: doctor found") != std::string::npos);
  CHECK(r.out.find("app-secret-value") == std::string::npos);
}

TEST_CASE("doctor on the webhook example asks for token and key", "[cli][doctor]") {
  auto cfg = source_path("examples/webhook.toml");
  auto r = doctor({"--config", cfg}, ws_env);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("feishu.encrypt_key (" + cfg + ":17)") != std::string::npos);
  CHECK(r.out.find("feishu.verification_token (" + cfg + ":16)") != std::string::npos);
  auto env = ws_env;
  env["FEISHU_VERIFICATION_TOKEN"] = "vt-secret";
  env["FEISHU_ENCRYPT_KEY"] = "ek-secret";
  auto ok = doctor({"--config", cfg}, env);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("mode=webhook, bind=127.0.0.1:8080, path=/feishu/events") != std::string::npos);
  CHECK(ok.out.find("ek-secret") == std::string::npos);
}

TEST_CASE("doctor --json always exits 0 and reports ok", "[cli][doctor]") {
  auto r = doctor({"--json", "--config", source_path("examples/webhook.toml")}, ws_env);
  CHECK(r.exit_code == 0);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  REQUIRE_FALSE(d.HasParseError());
  CHECK(d["ok"].GetBool() == false);
  CHECK(d["schema"]["surface"].GetString() == std::string{"doctor"});
  CHECK(d["summary"]["fail"].GetInt() == 1);
  bool found = false;
  for (auto& c : d["checks"].GetArray())
    if (c["name"].GetString() == std::string{"feishu inbound transport"}) {
      found = true;
      CHECK(c["level"].GetString() == std::string{"fail"});
    }
  CHECK(found);
}

TEST_CASE("doctor checks each account of a multi-account config", "[cli][doctor]") {
  temp_dir dir;
  auto cfg = dir.write("m.toml", R"(
[providers.volcengine]
api_key = "literal-ark-key"
[feishu]
enabled = true
app_secret = "shared-secret"
[feishu.accounts.work]
app_id = "cli_work"
allowed_chat_ids = ["oc_1"]
[feishu.accounts.backup]
app_id = "cli_backup"
)");
  auto r = doctor({"--config", cfg}, {});
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("feishu inbound transport (backup)") != std::string::npos);
  CHECK(r.out.find("allowed_chat_ids is empty") != std::string::npos);
  CHECK(r.out.find("feishu default account policy") != std::string::npos);
  CHECK(r.out.find("literal-ark-key") == std::string::npos);
  CHECK(r.out.find("shared-secret") == std::string::npos);
}
