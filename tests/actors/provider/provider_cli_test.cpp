// `loong ask`, `loong runtime models list` and the doctor's provider model
// probe, run as processes against bench/mock_ark.

#include "tests/actors/provider/provider_test_util.hpp"

#include <unistd.h>

#include <map>

#include "net/http_server.hpp"
#include "net/io_runtime.hpp"
#include "tests/support/run_process.hpp"

using namespace loong;
using namespace loong::test;

namespace {

const std::string key = "test-ark-key";

std::string provider_config(const std::string& url,
                            const std::string& model = "auto",
                            const std::string& api_key = "\"" + key + "\"") {
  return "active_provider = \"volcengine\"\n[providers.volcengine]\n"
         "kind = \"volcengine\"\napi_key = "
         + api_key + "\nmodel = \"" + model + "\"\nbase_url = \"" + url
         + "\"\nrequest_timeout_ms = 5000\nretry_initial_backoff_ms = 10\n";
}

process_result run_loong(const temp_dir& home, std::vector<std::string> args) {
  args.insert(args.begin(), loong_binary());
  std::map<std::string, std::string> env{{"LOONG_HOME", home.path()},
                                         {"LOONG_CONFIG", ""},
                                         {"LOONG_LOG", ""},
                                         {"ARK_API_KEY", ""}};
  return run_process(args, env, 60);
}

void no_key(const process_result& r) {
  CHECK(r.out.find(key) == std::string::npos);
  CHECK(r.err.find(key) == std::string::npos);
  CHECK(r.err.find("wrong-key-value") == std::string::npos);
}

/// The doctor check named "provider model probe" of a --json run.
std::pair<std::string, std::string> probe_check(const process_result& r,
                                                std::string* hint = nullptr) {
  auto d = parse_json(r.out);
  for (auto& c : d["checks"].GetArray())
    if (std::string{c["name"].GetString()} == "provider model probe") {
      if (hint && c.HasMember("hint"))
        *hint = c["hint"].GetString();
      return {c["level"].GetString(), c["detail"].GetString()};
    }
  FAIL("no provider model probe check in " << r.out);
  return {};
}

} // namespace

TEST_CASE("runtime models list prints the endpoint and one id per line",
          "[provider][cli]") {
  auto m = start_ark({"--models", "doubao-a,doubao-b"});
  temp_dir home;
  auto cfg = home.write("config.toml", provider_config(m.url()));
  SECTION("text") {
    auto r = run_loong(home, {"runtime", "models", "list", "--config", cfg});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out
          == "config=" + cfg + " provider_kind=Volcengine models_endpoint="
               + m.url() + "/api/v3/models\ndoubao-a\ndoubao-b\n");
    no_key(r);
  }
  SECTION("json") {
    auto r = run_loong(home, {"runtime", "models", "list", "--json", "--config", cfg});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto d = parse_json(r.out);
    CHECK(std::string{d["config"].GetString()} == cfg);
    CHECK(std::string{d["provider_kind"].GetString()} == "volcengine");
    CHECK(std::string{d["models_endpoint"].GetString()}
          == m.url() + "/api/v3/models");
    REQUIRE(d["models"].Size() == 2);
    CHECK(std::string{d["models"][1].GetString()} == "doubao-b");
    CHECK(r.out.find("\n  \"config\"") != std::string::npos); // pretty
  }
  SECTION("a rejected key exits 2 with the hint") {
    auto bad = home.write("bad.toml",
                          provider_config(m.url(), "auto", "\"wrong-key-value\""));
    auto r = run_loong(home, {"runtime", "models", "list", "--config", bad});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("error: ", 0) == 0);
    CHECK(r.err.find("AuthenticationError") != std::string::npos);
    CHECK(r.err.find("hint: check ARK_API_KEY") != std::string::npos);
    no_key(r);
  }
  SECTION("an unreachable endpoint exits 2 with the DNS/proxy hint") {
    auto off = home.write("off.toml", provider_config("http://127.0.0.1:9"));
    auto r = run_loong(home, {"runtime", "models", "list", "--config", off});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("connect_failed") != std::string::npos);
    CHECK(r.err.find("HTTPS_PROXY") != std::string::npos);
  }
  SECTION("a missing key exits 2 naming ARK_API_KEY") {
    auto env_key = home.write("env.toml", provider_config(m.url(), "auto",
                                                          "{ env = \"ARK_API_KEY\" }"));
    auto r = run_loong(home, {"runtime", "models", "list", "--config", env_key});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("ARK_API_KEY") != std::string::npos);
    CHECK(ark_stat(m, "models_requests") == 0);
  }
}

TEST_CASE("ask prints only the answer, --json adds usage and latency",
          "[provider][cli]") {
  auto m = start_ark({"--models", "doubao-a"});
  temp_dir home;
  auto cfg = home.write("config.toml", provider_config(m.url()));
  SECTION("text through a pipe: one plain call") {
    auto r = run_loong(home, {"ask", "--message", "hello gateway", "--config", cfg});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == "echo: hello gateway\n");
    auto reqs = ark_requests(m);
    REQUIRE(reqs["requests"].Size() == 1);
    CHECK(reqs["requests"][0]["stream"].GetBool() == false);
    CHECK(std::string{reqs["requests"][0]["model"].GetString()} == "doubao-a");
    CHECK(recorded_messages(reqs, 0).front()
          == "system:You are a helpful assistant.");
    no_key(r);
  }
  SECTION("json") {
    auto r = run_loong(home, {"ask", "--message", "hi", "--json", "--config", cfg});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto d = parse_json(r.out);
    CHECK(std::string{d["answer"].GetString()} == "echo: hi");
    CHECK(std::string{d["model"].GetString()} == "doubao-a");
    CHECK(d["usage"]["total_tokens"].GetInt64()
          == d["usage"]["prompt_tokens"].GetInt64()
               + d["usage"]["completion_tokens"].GetInt64());
    CHECK(d["usage"]["completion_tokens"].GetInt64() > 0);
    CHECK(d["latency_ms"].GetInt64() >= 0);
    CHECK(d["attempts"].GetInt64() == 1);
  }
  SECTION("a rejected key exits 2 with the hint") {
    auto bad = home.write("bad.toml",
                          provider_config(m.url(), "doubao-a", "\"wrong-key-value\""));
    auto r = run_loong(home, {"ask", "--message", "hi", "--config", bad});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("error: HTTP 401 AuthenticationError") != std::string::npos);
    CHECK(r.err.find("ARK_API_KEY") != std::string::npos);
    no_key(r);
  }
  SECTION("an unknown model exits 2 pointing at the models list") {
    auto nf = home.write("nf.toml", provider_config(m.url(), "mock-404"));
    auto r = run_loong(home, {"ask", "--message", "hi", "--config", nf});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("InvalidEndpointOrModel.NotFound") != std::string::npos);
    CHECK(r.err.find("loong runtime models list") != std::string::npos);
  }
}

TEST_CASE("ask streams to a terminal unless --no-stream", "[provider][cli]") {
  if (access("/usr/bin/script", X_OK) != 0) {
    WARN("util-linux script is missing: no pty to test streaming with");
    return;
  }
  auto m = start_ark({"--models", "doubao-a", "--token-delay-ms", "5"});
  temp_dir home;
  auto cfg = home.write("config.toml", provider_config(m.url()));
  auto under_pty = [&](const std::string& extra) {
    // script(1) gives the child a pseudo-terminal as stdout.
    auto cmd = loong_binary() + " ask --message 'stream this please' --config "
               + cfg + extra;
    return run_process({"/usr/bin/script", "-qec", cmd, "/dev/null"},
                       {{"LOONG_HOME", home.path()}, {"LOONG_LOG", ""},
                        {"ARK_API_KEY", ""}},
                       60);
  };
  auto r = under_pty("");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("echo: stream this please") != std::string::npos);
  auto reqs = ark_requests(m);
  REQUIRE(reqs["requests"].Size() == 1);
  CHECK(reqs["requests"][0]["stream"].GetBool());
  r = under_pty(" --no-stream");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("echo: stream this please") != std::string::npos);
  reqs = ark_requests(m);
  REQUIRE(reqs["requests"].Size() == 2);
  CHECK(reqs["requests"][1]["stream"].GetBool() == false);
}

TEST_CASE("doctor probes the provider's models endpoint", "[provider][cli]") {
  auto m = start_ark({"--models", "doubao-a,doubao-b,doubao-c"});
  temp_dir home;
  auto doctor = [&](const std::string& text, bool skip = false) {
    auto cfg = home.write("config.toml", text);
    std::vector<std::string> args{"doctor", "--json", "--config", cfg};
    if (skip)
      args.push_back("--skip-model-probe");
    auto r = run_loong(home, args);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    no_key(r);
    return r;
  };
  std::string hint;
  SECTION("ok with the model count, right after the provider checks") {
    auto r = doctor(provider_config(m.url()));
    auto c = probe_check(r);
    CHECK(c.first == "ok");
    CHECK(c.second == "3 model(s) available");
    auto d = parse_json(r.out);
    std::vector<std::string> names;
    for (auto& x : d["checks"].GetArray())
      names.push_back(x["name"].GetString());
    REQUIRE(names.size() >= 3);
    CHECK(names[1] == "provider transport");
    CHECK(names[2] == "provider model probe");
  }
  SECTION("skipped on request") {
    auto c = probe_check(doctor(provider_config(m.url()), true));
    CHECK(c.first == "warn");
    CHECK(c.second.find("skipped") != std::string::npos);
    CHECK(ark_stat(m, "models_requests") == 0);
  }
  SECTION("a rejected key fails naming ARK_API_KEY") {
    auto c = probe_check(
      doctor(provider_config(m.url(), "doubao-a", "\"wrong-key-value\"")), &hint);
    CHECK(c.first == "fail");
    CHECK(c.second.find("AuthenticationError") != std::string::npos);
    CHECK(hint.find("ARK_API_KEY") != std::string::npos);
  }
  SECTION("a 404 from the models endpoint fails for model auto") {
    ark_fault(m, "404");
    auto c = probe_check(doctor(provider_config(m.url())), &hint);
    CHECK(c.first == "fail");
    CHECK(c.second.find("404") != std::string::npos);
    CHECK(hint.find("providers.volcengine.model") != std::string::npos);
  }
  SECTION("unreachable: fail for auto, warn for an explicit model") {
    auto c = probe_check(doctor(provider_config("http://127.0.0.1:9")), &hint);
    CHECK(c.first == "fail");
    CHECK(hint.find("DNS") != std::string::npos);
    c = probe_check(doctor(provider_config("http://127.0.0.1:9", "doubao-a")));
    CHECK(c.first == "warn");
    CHECK(c.second.find("explicit") != std::string::npos);
  }
  SECTION("an empty catalogue with model auto fails asking for a model") {
    net::io_runtime io{1};
    auto server = net::http_server::start(
      io, {}, [](net::server_request, net::respond_fn respond) {
        net::server_response r;
        r.body = R"({"object":"list","data":[]})";
        respond(std::move(r));
      });
    REQUIRE(server);
    auto c = probe_check(doctor(provider_config(server->url())), &hint);
    CHECK(c.first == "fail");
    CHECK(c.second.find("listed no models") != std::string::npos);
    CHECK(hint.find("providers.volcengine.model") != std::string::npos);
    server->stop();
    io.stop_and_join();
  }
}
