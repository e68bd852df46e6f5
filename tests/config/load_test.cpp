#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include <unistd.h>

#include "config/paths.hpp"
#include "tests/config/config_fixture.hpp"

using loong::test::load_error;
using loong::test::load_text;

TEST_CASE("a TOML syntax error names the file and line", "[config]") {
  auto err = load_error("active_provider = \"x\"\n\n[feishu]\nenabled = = true\n");
  CHECK(err.find("TOML parse failure: test.toml:4") != std::string::npos);
}

TEST_CASE("a missing file is reported by path", "[config]") {
  loong::config::load_options opts;
  auto cfg = loong::config::load_file("/nonexistent/loong.toml", opts);
  REQUIRE_FALSE(cfg);
  CHECK(loong::describe(cfg.error()).find("could not read config /nonexistent/loong.toml")
        != std::string::npos);
  CHECK(cfg.error() == loong::ec::invalid_config);
}

TEST_CASE("load_file reads a real file", "[config]") {
  char path[] = "/tmp/loong-config-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream{path} << "[providers.ark]\nkind = \"ark\"\napi_key = \"k\"\n";
  loong::config::load_options opts;
  auto cfg = loong::config::load_file(path, opts);
  std::remove(path);
  REQUIRE(cfg);
  CHECK(cfg->provider()->kind == "volcengine");
  CHECK(cfg->path == path);
}

TEST_CASE("provider kinds, aliases and the default key variable", "[config]") {
  auto cfg = load_text(R"(
active_provider = "main"
[providers.main]
kind = "doubao"
model = "  "
)", {{"ARK_API_KEY", "sk-live-value"}});
  REQUIRE(cfg);
  auto p = cfg->provider();
  REQUIRE(p != nullptr);
  CHECK(p->kind == "volcengine");
  CHECK(p->model == "auto");
  CHECK(p->api_key.value == "sk-live-value");
  CHECK(p->api_key.source == "env:ARK_API_KEY");
  CHECK(p->base_url == "https://ark.cn-beijing.volces.com");
}

TEST_CASE("an unknown provider kind is an error at its line", "[config]") {
  auto err = load_error("[providers.x]\n\nkind = \"openai\"\n");
  CHECK(err.find("test.toml:3: providers.x.kind: unsupported provider kind")
        != std::string::npos);
}

TEST_CASE("provider values are range and type checked", "[config]") {
  auto err = load_error("[providers.x]\nmax_concurrency = 0\nmodel = 5\n");
  CHECK(err.find("providers.x.max_concurrency: must be between 1") != std::string::npos);
  CHECK(err.find("test.toml:3: providers.x.model: expects a string") != std::string::npos);
  CHECK(load_error("[providers.x]\nbase_url = \"ftp://x\"\n").find("providers.x.base_url")
        != std::string::npos);
}

TEST_CASE("active_provider problems are warnings that recover", "[config]") {
  auto cfg = load_text("active_provider = \"ghost\"\n[providers.b]\n[providers.a]\n");
  REQUIRE(cfg);
  CHECK(cfg->active_provider == "a");
  REQUIRE(cfg->warnings.size() == 1);
  CHECK(cfg->warnings[0].code == "config.provider_selection.unknown_active");
  auto implicit = load_text("[providers.b]\n[providers.a]\n");
  REQUIRE(implicit);
  CHECK(implicit->active_provider == "a");
  CHECK(implicit->warnings.at(0).code == "config.provider_selection.implicit_active");
}

TEST_CASE("a coding-plan base URL gets a hint", "[config]") {
  auto cfg = load_text("[providers.a]\nbase_url = \"https://ark.cn-beijing.volces.com/api/coding/v3/\"\n");
  REQUIRE(cfg);
  CHECK(cfg->providers[0].base_url == "https://ark.cn-beijing.volces.com/api/coding/v3");
  CHECK(cfg->warnings.at(0).code == "config.provider.coding_plan");
}

TEST_CASE("host settings: gateway port, store path, threads", "[config]") {
  auto cfg = load_text("[gateway]\nport = 0\n[store]\npath = \"db/x.db\"\n[runtime]\nactor_threads = 3\n");
  REQUIRE(cfg);
  CHECK(cfg->host.gateway_port == 0);
  CHECK(cfg->host.port_source == "config");
  CHECK(cfg->host.store_path == "/tmp/loong-home/db/x.db");
  CHECK(cfg->host.actor_threads == 3);
  auto defaults = load_text("");
  REQUIRE(defaults);
  CHECK(defaults->host.gateway_port == 26306);
  CHECK(defaults->host.store_path == "/tmp/loong-home/loong.db");
  CHECK(load_error("[gateway]\nport = 70000\n").find("gateway.port") != std::string::npos);
}

TEST_CASE("home and config path resolution", "[config]") {
  std::map<std::string, std::string> env{{"HOME", "/home/op"}};
  auto lookup = [&](const std::string& k) -> std::optional<std::string> {
    if (auto i = env.find(k); i != env.end())
      return i->second;
    return std::nullopt;
  };
  using namespace loong::config;
  CHECK(resolve_home(lookup) == "/home/op/.loong");
  env["LOONG_HOME"] = "~/custom";
  CHECK(resolve_home(lookup) == "/home/op/custom");
  env["LOONG_HOME"] = "";
  CHECK(resolve_home(lookup) == "/home/op/.loong");
  CHECK(resolve_config_path(std::nullopt, lookup, "/h") == "/h/config.toml");
  env["LOONG_CONFIG"] = "/etc/loong.toml";
  CHECK(resolve_config_path(std::nullopt, lookup, "/h") == "/etc/loong.toml");
  CHECK(resolve_config_path(std::string{"~/x.toml"}, lookup, "/h") == "/home/op/x.toml");
  CHECK(runtime_dir("/h") == "/h/gateway-runtime");
}
