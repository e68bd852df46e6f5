#pragma once

// A gateway under test: mock Feishu/Lark and mock Ark processes, a config
// with two accounts (lark=work over the long connection, feishu=backup over
// webhooks) in a temporary LOONG_HOME, and helpers to run `loong`.

#include <csignal>
#include <memory>
#include <string>

#include <rapidjson/document.h>

#include "tests/support/child_process.hpp"
#include "tests/support/mock_process.hpp"
#include "tests/support/run_process.hpp"

namespace loong::test {

struct gateway_env {
  temp_dir dir;
  mock_process feishu = mock_process::start(
    mock_binary("mock_feishu"),
    {"--app", "cli_work:secret_work", "--app", "cli_backup:secret_backup:ek_backup:vt_backup",
     "--ping-interval", "1", "--reconnect-interval", "1", "--reconnect-nonce", "0"});
  mock_process ark = mock_process::start(mock_binary("mock_ark"), {});
  int hook_port = 0;
  std::string config;

  explicit gateway_env(int port_seed) {
    hook_port = 21000 + (getpid() * 7 + port_seed) % 20000;
    config = dir.write("config.toml", R"(
active_provider = "volcengine"
[providers.volcengine]
api_key = "test-ark-key"
model = "auto"
base_url = ")" + ark.url() + R"("
request_timeout_ms = 5000
[feishu]
enabled = true
allowed_chat_ids = ["*"]
base_url = ")" + feishu.url() + R"("
[feishu.accounts.work]
domain = "lark"
app_id = "cli_work"
app_secret = "secret_work"
[feishu.accounts.backup]
mode = "webhook"
app_id = "cli_backup"
app_secret = "secret_backup"
verification_token = "vt_backup"
encrypt_key = "ek_backup"
webhook_bind = "127.0.0.1:)" + std::to_string(hook_port) + R"("
webhook_path = "/feishu/backup"
[gateway]
port = 0
)");
  }

  std::map<std::string, std::string> env() const {
    return {{"LOONG_HOME", dir.path() + "/home"}, {"LOONG_CONFIG", ""}, {"LOONG_LOG", "info"}};
  }

  std::unique_ptr<child_process> start_gateway(const std::string& tag = "gw") {
    return std::make_unique<child_process>(
      std::vector<std::string>{loong_binary(), "gateway", "run", "--config", config}, env(),
      dir.path() + "/" + tag);
  }

  process_result loong(std::vector<std::string> args) {
    args.insert(args.begin(), loong_binary());
    return run_process(args, env());
  }

  rapidjson::Document status() {
    rapidjson::Document d;
    auto r = loong({"gateway", "status", "--json"});
    d.Parse(r.out.c_str());
    return d;
  }

  /// True once both transports are up (websocket connected, webhook listening).
  bool ready() {
    auto d = status();
    if (d.HasParseError() || !d.HasMember("accounts") || d["accounts"].Size() != 2)
      return false;
    for (auto& a : d["accounts"].GetArray()) {
      std::string s = a["transport"]["state"].GetString();
      if (s != "connected" && s != "listening")
        return false;
    }
    return true;
  }

  http_result mock(const std::string& method, const std::string& path,
                   const std::string& body = {}) {
    return http_call(method, feishu.url() + path, body);
  }

  std::string hook_url() const {
    return "http://127.0.0.1:" + std::to_string(hook_port) + "/feishu/backup";
  }
};

} // namespace loong::test
