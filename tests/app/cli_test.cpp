#include <catch2/catch.hpp>

#include "tests/support/run_process.hpp"

using loong::test::loong_binary;
using loong::test::run_process;
using loong::test::source_path;
using loong::test::temp_dir;

namespace {

loong::test::process_result run_loong(std::vector<std::string> args,
                                  std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), loong_binary());
  // A clean slate: no operator environment leaks into the tests.
  for (auto k : {"LOONG_CONFIG", "LOONG_HOME", "LOONG_LOG", "ARK_API_KEY",
                 "FEISHU_APP_ID", "FEISHU_APP_SECRET"})
    env.emplace(k, "");
  return run_process(args, env);
}

} // namespace

TEST_CASE("every command has --help", "[cli]") {
  std::vector<std::vector<std::string>> cmds = {
    {}, {"doctor"}, {"runtime", "models", "list"}, {"ask"}, {"channels"},
    {"channels", "send", "feishu"}, {"channels", "serve", "feishu"},
    {"feishu", "send"}, {"feishu", "serve"}, {"gateway", "run"},
    {"gateway", "status"}, {"gateway", "stop"}, {"status"}};
  for (auto cmd : cmds) {
    cmd.push_back("--help");
    auto r = run_loong(cmd);
    INFO(cmd.front());
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage:") != std::string::npos);
  }
  auto send = run_loong({"channels", "send", "feishu", "--help"});
  CHECK(send.out.find("--receive-id") != std::string::npos);
  CHECK(send.out.find("--target") != std::string::npos);
}

TEST_CASE("the version flag prints the version", "[cli]") {
  auto r = run_loong({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("loong ", 0) == 0);
}

TEST_CASE("usage errors exit 2 with error: on stderr", "[cli]") {
  auto unknown = run_loong({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.rfind("error: ", 0) == 0);
  auto missing = run_loong({"ask"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--message") != std::string::npos);
  auto kind = run_loong({"channels", "send", "feishu", "--text", "x", "--target-kind", "dm"});
  CHECK(kind.exit_code == 2);
  CHECK(kind.err.find("receive_id") != std::string::npos);
  auto none = run_loong({});
  CHECK(none.exit_code == 2);
}

TEST_CASE("the config flag works before and after the subcommand", "[cli]") {
  auto cfg = source_path("examples/websocket.toml");
  for (auto args : {std::vector<std::string>{"--config", cfg, "channels", "--json"},
                    std::vector<std::string>{"channels", "--json", "--config", cfg}}) {
    auto r = run_loong(args);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("\"config\": \"" + cfg + "\"") != std::string::npos);
  }
}

TEST_CASE("LOONG_CONFIG and LOONG_HOME pick the config file", "[cli]") {
  temp_dir home;
  home.write("config.toml", "[feishu]\nenabled = true\napp_id = \"cli_home\"\n");
  auto r = run_loong({"channels"}, {{"LOONG_HOME", home.path()}});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("config=" + home.path() + "/config.toml") != std::string::npos);
  auto other = home.write("other.toml", "[feishu]\n");
  auto r2 = run_loong({"channels"}, {{"LOONG_HOME", home.path()}, {"LOONG_CONFIG", other}});
  CHECK(r2.out.find("config=" + other) != std::string::npos);
}

TEST_CASE("a missing or invalid config is an error naming file and line", "[cli]") {
  temp_dir dir;
  auto missing = run_loong({"channels", "--config", dir.path() + "/nope.toml"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("could not read config " + dir.path() + "/nope.toml") != std::string::npos);
  auto bad = dir.write("bad.toml", "[feishu]\nmode = \"carrier-pigeon\"\n");
  auto r = run_loong({"doctor", "--config", bad});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("error: invalid configuration: " + bad + ":2: feishu.mode: must be")
        != std::string::npos);
  auto syntax = dir.write("syntax.toml", "[feishu\n");
  auto s = run_loong({"doctor", "--config", syntax});
  CHECK(s.exit_code == 2);
  CHECK(s.err.find("TOML parse failure: " + syntax + ":1") != std::string::npos);
}

TEST_CASE("gateway run rejects bad selectors before doing anything", "[cli]") {
  temp_dir home;
  auto cfg = home.write("c.toml", "[feishu]\nenabled = true\n[feishu.accounts.work]\n[feishu.accounts.backup]\n");
  auto base = std::vector<std::string>{"gateway", "run", "--config", cfg};
  auto with = [&](std::vector<std::string> extra) {
    auto a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return run_loong(a, {{"LOONG_HOME", home.path()}});
  };
  auto malformed = with({"--channel-account", "larkwork"});
  CHECK(malformed.exit_code == 2);
  CHECK(malformed.err.find("CHANNEL=ACCOUNT") != std::string::npos);
  auto dup = with({"--channel-account", "lark=work", "--channel-account", "feishu=backup"});
  CHECK(dup.exit_code == 2);
  CHECK(dup.err.find("duplicate account selection") != std::string::npos);
  auto ghost = with({"--channel-account", "lark=ghost"});
  CHECK(ghost.exit_code == 2);
  CHECK(ghost.err.find("(configured: backup, work)") != std::string::npos);
  auto slack = with({"--channel-account", "slack=x"});
  CHECK(slack.exit_code == 2);
  CHECK(slack.err.find("not a gateway-supervised channel") != std::string::npos);
}
