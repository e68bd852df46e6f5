// `loong channels send feishu` / `loong feishu send` and the doctor's token
// probe, run as processes against mock_feishu.

#include <map>

#include "tests/actors/feishu_out/feishu_out_util.hpp"
#include "tests/support/run_process.hpp"

using namespace loong;
using namespace loong::test;

namespace {

const std::string provider = R"(active_provider = "volcengine"
[providers.volcengine]
kind = "volcengine"
api_key = "ark-test-key"
model = "mock-model"
base_url = "http://127.0.0.1:9"
)";

std::string single_config(const mock_process& m, const std::string& secret = app_secret,
                          bool enabled = true) {
  return provider + "[feishu]\nenabled = " + (enabled ? "true" : "false")
         + "\nbase_url = \"" + m.url() + "\"\napp_id = \"" + app_id
         + "\"\napp_secret = \"" + secret + "\"\nallowed_chat_ids = [\"*\"]\n";
}

// Two accounts, no default_account: the fallback picks "alpha".
std::string two_accounts(const mock_process& m) {
  return provider + "[feishu]\nenabled = true\nallowed_chat_ids = [\"*\"]\nbase_url = \""
         + m.url() + "\"\n[feishu.accounts.alpha]\napp_id = \"" + app_id
         + "\"\napp_secret = \"" + app_secret + "\"\nreceive_id_type = \"open_id\"\n"
         + "[feishu.accounts.beta]\napp_id = \"" + app_id + "\"\napp_secret = \""
         + app_secret + "\"\nenabled = false\n";
}

process_result run_loong(const temp_dir& home, std::vector<std::string> args) {
  args.insert(args.begin(), loong_binary());
  std::map<std::string, std::string> env{{"LOONG_HOME", home.path()},
                                         {"LOONG_CONFIG", ""}, {"LOONG_LOG", ""}};
  return run_process(args, env, 60);
}

void no_secrets(const process_result& r) {
  CHECK(r.out.find(app_secret) == std::string::npos);
  CHECK(r.err.find(app_secret) == std::string::npos);
  CHECK(r.out.find("t-mock") == std::string::npos);
  CHECK(r.err.find("t-mock") == std::string::npos);
}

std::string str(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

} // namespace

TEST_CASE("channels send feishu sends with the configured receive_id_type", "[feishu_out][cli]") {
  auto m = start_feishu();
  temp_dir home;
  auto cfg = home.write("config.toml", single_config(m));
  auto r = run_loong(home, {"channels", "send", "feishu", "--config", cfg, "--target",
                        "oc_chat_9", "--text", "hello from the cli"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto d = messages(m);
  REQUIRE(d["messages"].Size() == 1);
  auto& rec = d["messages"][0];
  CHECK(str(rec, "kind") == "send");
  CHECK(str(rec, "receive_id_type") == "chat_id");
  CHECK(str(rec, "receive_id") == "oc_chat_9");
  CHECK(str(rec, "text") == "hello from the cli");
  CHECK(str(rec, "msg_type") == "text");
  CHECK(r.out.rfind("feishu message sent (config=" + cfg + ", configured_account=", 0) == 0);
  CHECK(r.out.find("receive_id_type=chat_id") != std::string::npos);
  CHECK(r.out.find("message_id=" + str(rec, "message_id") + ")") != std::string::npos);
  CHECK(r.out.find("selected_by_default=true") != std::string::npos);
  CHECK(r.err.find("warning") == std::string::npos);
  no_secrets(r);
}

TEST_CASE("feishu send --json reports the delivery", "[feishu_out][cli]") {
  auto m = start_feishu();
  temp_dir home;
  auto cfg = home.write("config.toml", single_config(m));
  auto r = run_loong(home, {"feishu", "send", "--config", cfg, "--receive-id", "ou_user_1",
                        "--receive-id-type", "open_id", "--text", "**hi**", "--card",
                        "--uuid", "cli-uuid-1", "--json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto out = parse(r.out);
  auto recs = messages(m);
  REQUIRE(recs["messages"].Size() == 1);
  auto& rec = recs["messages"][0];
  CHECK(str(rec, "receive_id_type") == "open_id");
  CHECK(str(rec, "msg_type") == "interactive");
  CHECK(str(rec, "uuid") == "cli-uuid-1");
  CHECK(str(out, "configured_account").size() > 0);
  CHECK(str(out, "account_id").size() > 0);
  auto& dl = out["delivery"];
  CHECK(str(dl, "mode") == "send");
  CHECK(str(dl, "receive_id_type") == "open_id");
  CHECK(str(dl, "receive_id") == "ou_user_1");
  CHECK(str(dl, "uuid") == "cli-uuid-1");
  CHECK(str(dl, "msg_type") == "interactive");
  CHECK(str(dl, "message_id") == str(rec, "message_id"));
  no_secrets(r);
}

TEST_CASE("message_reply goes to the reply API", "[feishu_out][cli]") {
  auto m = start_feishu();
  temp_dir home;
  auto cfg = home.write("config.toml", single_config(m));
  auto r = run_loong(home, {"channels", "send", "feishu", "--config", cfg, "--target",
                        "om_original_7", "--target-kind", "message_reply", "--text", "re"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto d = messages(m);
  REQUIRE(d["messages"].Size() == 1);
  auto& rec = d["messages"][0];
  CHECK(str(rec, "kind") == "reply");
  CHECK(str(rec, "reply_to") == "om_original_7");
  CHECK(str(rec, "receive_id_type").empty());
  CHECK(r.out.find("reply_to=om_original_7") != std::string::npos);
  CHECK(r.out.find("message_id=" + str(rec, "message_id")) != std::string::npos);
}

TEST_CASE("the fallback account is announced on stderr", "[feishu_out][cli]") {
  auto m = start_feishu();
  temp_dir home;
  auto cfg = home.write("config.toml", two_accounts(m));
  auto r = run_loong(home, {"channels", "send", "lark", "--config", cfg, "--target", "ou_x",
                        "--text", "hi"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("warning: several feishu accounts") != std::string::npos);
  CHECK(r.err.find("\"alpha\"") != std::string::npos);
  CHECK(r.out.find("configured_account=alpha") != std::string::npos);
  CHECK(r.out.find("default_source=fallback") != std::string::npos);
  // alpha's own receive_id_type applies.
  CHECK(r.out.find("receive_id_type=open_id") != std::string::npos);
  auto d = messages(m);
  REQUIRE(d["messages"].Size() == 1);
  CHECK(str(d["messages"][0], "receive_id_type") == "open_id");
  SECTION("a disabled account is refused before any call") {
    auto b = run_loong(home, {"channels", "send", "feishu", "--config", cfg, "--account",
                          "beta", "--target", "oc_1", "--text", "hi"});
    CHECK(b.exit_code == 2);
    CHECK(b.err.find("disabled by configuration") != std::string::npos);
    CHECK(b.err.find("warning") == std::string::npos);
    CHECK(stat(m, "token_requests") == 1);
  }
}

TEST_CASE("send failures exit 2 with the platform's code", "[feishu_out][cli]") {
  auto m = start_feishu();
  temp_dir home;
  SECTION("wrong secret") {
    auto cfg = home.write("config.toml", single_config(m, "wrong-secret-value"));
    auto r = run_loong(home, {"channels", "send", "feishu", "--config", cfg, "--target", "oc_1",
                          "--text", "hi"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    // The last stderr line is the error (log lines may precede it).
    CHECK((r.err.rfind("\nerror: feishu send") != std::string::npos
           || r.err.rfind("error: feishu send", 0) == 0));
    CHECK(r.err.find("10014") != std::string::npos);
    CHECK(r.err.find("wrong-secret-value") == std::string::npos);
    CHECK(stat(m, "sends") == 0);
  }
  SECTION("a platform rejection") {
    auto cfg = home.write("config.toml", single_config(m));
    fault(m, "send", "code:230002");
    auto r = run_loong(home, {"channels", "send", "feishu", "--config", cfg, "--target", "oc_1",
                          "--text", "hi"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("code 230002") != std::string::npos);
    no_secrets(r);
  }
  SECTION("disabled top-level feishu") {
    auto cfg = home.write("config.toml", single_config(m, app_secret, false));
    auto r = run_loong(home, {"channels", "send", "feishu", "--config", cfg, "--target", "oc_1",
                          "--text", "hi"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("disabled by configuration") != std::string::npos);
  }
}

TEST_CASE("doctor probes the tenant token", "[feishu_out][cli]") {
  auto m = start_feishu();
  temp_dir home;
  auto check_of = [](const rapidjson::Document& d) -> const rapidjson::Value* {
    for (auto& c : d["checks"].GetArray())
      if (std::string{c["name"].GetString()}.rfind("feishu token (", 0) == 0)
        return &c;
    return nullptr;
  };
  SECTION("ok") {
    auto cfg = home.write("config.toml", single_config(m));
    auto r = run_loong(home, {"doctor", "--skip-model-probe", "--json", "--config", cfg});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto d = parse(r.out);
    auto* c = check_of(d);
    REQUIRE(c != nullptr);
    CHECK(str(*c, "level") == "ok");
    CHECK(str(*c, "detail").find("plain http://") != std::string::npos);
    CHECK(stat(m, "token_requests") == 1);
    no_secrets(r);
  }
  SECTION("wrong secret fails with the code and a hint") {
    auto cfg = home.write("config.toml", single_config(m, "wrong-secret-value"));
    auto r = run_loong(home, {"doctor", "--skip-model-probe", "--config", cfg});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("FAIL  feishu token (") != std::string::npos);
    CHECK(r.out.find("10014") != std::string::npos);
    CHECK(r.out.find("app secret invalid") != std::string::npos);
    CHECK(r.out.find("wrong-secret-value") == std::string::npos);
  }
  SECTION("an unreachable platform warns") {
    // Port 9 (discard) on loopback: nothing listens, the connect fails.
    auto text = single_config(m);
    text.replace(text.find(m.url()), m.url().size(), "http://127.0.0.1:9");
    auto cfg = home.write("config.toml", text);
    auto r = run_loong(home, {"doctor", "--skip-model-probe", "--json", "--config", cfg});
    INFO(r.out << r.err);
    auto d = parse(r.out);
    auto* c = check_of(d);
    REQUIRE(c != nullptr);
    CHECK(str(*c, "level") == "warn");
    CHECK(str(*c, "detail").find("could not reach http://127.0.0.1:9") != std::string::npos);
  }
}
