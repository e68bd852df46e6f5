#include "bench/load/targets.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <rapidjson/document.h>

#include "tests/support/child_process.hpp"
#include "tests/support/mock_process.hpp"

namespace loong::bench {

namespace {

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out{path, std::ios::trunc};
  out << content;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string account_id(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "a%04zu", i + 1);
  return buf;
}

// Stops a child: SIGTERM, a bounded wait, then SIGKILL.
std::string stop_child(std::unique_ptr<test::child_process>& child, const char* what) {
  if (!child)
    return {};
  child->signal(SIGTERM);
  auto code = child->wait(20000);
  std::string note;
  if (code < 0) {
    child->signal(SIGKILL);
    child->wait(5000);
    note = std::string{what} + " did not stop within 20 s of SIGTERM; killed";
  } else if (code != 0) {
    note = std::string{what} + " exited with " + std::to_string(code);
  }
  child.reset();
  return note;
}

// kill -9 of a child, waiting until the kernel has reaped it (its sockets
// are closed by then, as after a real crash).
bool kill_child(std::unique_ptr<test::child_process>& child, const char* what,
                std::string& err) {
  if (!child || child->pid() <= 0) {
    err = std::string{what} + " is not running";
    return false;
  }
  child->signal(SIGKILL);
  if (child->wait(10000) < 0) {
    err = std::string{what} + " outlived SIGKILL for 10 s";
    return false;
  }
  child.reset();
  return true;
}

// The command a target was started with, so a crash can be followed by the
// same start; each run logs to its own files (<prefix>, <prefix>-2, ...).
struct launch_spec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::string log_prefix;
  int runs = 0;

  std::unique_ptr<test::child_process> spawn() {
    ++runs;
    auto prefix = runs == 1 ? log_prefix : log_prefix + "-" + std::to_string(runs);
    return std::make_unique<test::child_process>(argv, env, prefix);
  }
};

class gateway_target : public load_target {
public:
  explicit gateway_target(bench_paths paths) : paths_(std::move(paths)) {}
  ~gateway_target() override { stop(); }

  std::string name() const override { return "gateway"; }

  bool start(const target_setup& s, std::string& err) override {
    home_ = s.work_dir + "/home";
    std::ostringstream cfg;
    cfg << "active_provider = \"volcengine\"\n"
        << "[providers.volcengine]\napi_key = \"" << s.ark_key << "\"\n"
        << "model = \"auto\"\nbase_url = \"" << s.ark_url << "\"\n"
        << "max_concurrency = " << s.max_concurrency << "\n"
        // The SDK baseline adds no reaction: both sides do the same platform
        // work per event (one ACK, one reply).
        << "[feishu]\nenabled = true\nallowed_chat_ids = [\"*\"]\nack_reactions = "
        << (s.ack_reactions ? "true" : "false") << "\n"
        << "base_url = \"" << s.feishu_url << "\"\n";
    for (size_t i = 0; i < s.apps.size(); ++i)
      cfg << "[feishu.accounts." << account_id(i) << "]\napp_id = \"" << s.apps[i].app_id
          << "\"\napp_secret = \"" << s.apps[i].app_secret << "\"\n";
    cfg << "[gateway]\nport = 0\n";
    auto config = s.work_dir + "/config.toml";
    write_file(config, cfg.str());
    apps_ = s.apps;
    auto binary = paths_.build_dir + "/loong";
    if (!exists(binary)) {
      err = binary + " is missing (build the project first)";
      return false;
    }
    // The product's default log level (what an operator runs) unless the
    // driver's own LOONG_LOG asks for more.
    const char* level = std::getenv("LOONG_LOG");
    launch_ = launch_spec{{binary, "gateway", "run", "--config", config},
                          {{"LOONG_HOME", home_}, {"LOONG_CONFIG", ""},
                           {"LOONG_LOG", level ? level : ""}},
                          s.work_dir + "/gateway"};
    child_ = launch_.spawn();
    return child_->pid() > 0;
  }

  bool crash(std::string& err) override { return kill_child(child_, "loong gateway run", err); }

  // Same config and LOONG_HOME: the new process must take over the dead
  // owner's lease and journal by itself.
  bool restart(std::string& err) override {
    if (launch_.argv.empty() || child_) {
      err = "restart needs a crashed gateway";
      return false;
    }
    child_ = launch_.spawn();
    return child_->pid() > 0;
  }

  int pid() const override { return child_ ? child_->pid() : -1; }

  bool kill_account(size_t index, std::string& err) override {
    rapidjson::Document owner;
    auto text = read_file(home_ + "/gateway-runtime/owner-active.json");
    owner.Parse(text.c_str());
    if (owner.HasParseError() || !owner.IsObject() || !owner.HasMember("port")
        || !owner["port"].IsInt() || !owner.HasMember("token_path")) {
      err = "no live owner record under " + home_;
      return false;
    }
    std::string token = read_file(owner["token_path"].GetString());
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
      token.pop_back();
    auto url = "http://127.0.0.1:" + std::to_string(owner["port"].GetInt())
               + "/api/gateway/accounts/" + account_id(index) + "/kill";
    auto r = test::http_call("POST", url, "{}", {{"Authorization", "Bearer " + token}}, 5000);
    if (r.status != 200) {
      err = "kill " + account_id(index) + ": HTTP " + std::to_string(r.status) + " " + r.body;
      return false;
    }
    return true;
  }

  std::string stop() override { return stop_child(child_, "loong gateway run"); }

private:
  bench_paths paths_;
  std::string home_;
  std::vector<app_credentials> apps_;
  launch_spec launch_;
  std::unique_ptr<test::child_process> child_;
};

class sdk_target : public load_target {
public:
  explicit sdk_target(bench_paths paths) : paths_(std::move(paths)) {}
  ~sdk_target() override { stop(); }

  std::string name() const override { return "sdk"; }

  bool start(const target_setup& s, std::string& err) override {
    std::string why;
    if (!sdk_available(paths_, why)) {
      err = why;
      return false;
    }
    std::ostringstream cfg;
    cfg << "{\"feishu_url\":\"" << s.feishu_url << "\",\"ark_url\":\"" << s.ark_url
        << "\",\"ark_key\":\"" << s.ark_key << "\",\"model\":\"" << "doubao-seed-1-6-250615"
        << "\",\"max_concurrency\":" << s.max_concurrency << ",\"accounts\":[";
    for (size_t i = 0; i < s.apps.size(); ++i)
      cfg << (i ? "," : "") << "{\"app_id\":\"" << s.apps[i].app_id << "\",\"app_secret\":\""
          << s.apps[i].app_secret << "\"}";
    cfg << "]}";
    auto config = s.work_dir + "/sdk-bot.json";
    write_file(config, cfg.str());
    // run.sh execs node, so the pid measured (and killed) is node's.
    launch_ = launch_spec{{"/bin/bash", paths_.source_dir + "/bench/peers/lark-sdk-bot/run.sh",
                           paths_.node_cache, config},
                          {},
                          s.work_dir + "/sdk-bot"};
    child_ = launch_.spawn();
    return child_->pid() > 0;
  }

  int pid() const override { return child_ ? child_->pid() : -1; }

  bool crash(std::string& err) override { return kill_child(child_, "the SDK bot", err); }

  bool restart(std::string& err) override {
    if (launch_.argv.empty() || child_) {
      err = "restart needs a crashed SDK bot";
      return false;
    }
    child_ = launch_.spawn();
    return child_->pid() > 0;
  }

  std::string stop() override { return stop_child(child_, "the SDK bot"); }

private:
  bench_paths paths_;
  launch_spec launch_;
  std::unique_ptr<test::child_process> child_;
};

class echo_target : public load_target {
public:
  std::string name() const override { return "echo"; }

  bool start(const target_setup& s, std::string&) override {
    peer_ = std::make_unique<echo_peer>();
    peer_->start(s.feishu_url, s.apps);
    return true;
  }

  int pid() const override { return 0; }

  std::string stop() override {
    if (!peer_)
      return {};
    auto failures = peer_->failures();
    peer_.reset();
    return failures ? "echo: " + std::to_string(failures) + " replies failed" : std::string{};
  }

private:
  std::unique_ptr<echo_peer> peer_;
};

} // namespace

bool load_target::kill_account(size_t, std::string& err) {
  err = name() + " has no per-account kill";
  return false;
}

bool load_target::crash(std::string& err) {
  err = name() + " cannot be killed and restarted";
  return false;
}

bool load_target::restart(std::string& err) {
  err = name() + " cannot be killed and restarted";
  return false;
}

bool sdk_available(const bench_paths& paths, std::string& why_not) {
  auto pkg = paths.node_cache + "/node_modules/@larksuiteoapi/node-sdk/package.json";
  if (!exists(pkg)) {
    why_not = "the Lark Node SDK is not installed under " + paths.node_cache
              + " (bench/run.sh installs it with npm)";
    return false;
  }
  if (!exists("/usr/bin/node") && !exists("/usr/local/bin/node")) {
    why_not = "node is not installed";
    return false;
  }
  return true;
}

std::unique_ptr<load_target> make_target(const std::string& kind, const bench_paths& paths) {
  if (kind == "gateway")
    return std::make_unique<gateway_target>(paths);
  if (kind == "sdk")
    return std::make_unique<sdk_target>(paths);
  if (kind == "echo")
    return std::make_unique<echo_target>();
  return nullptr;
}

} // namespace loong::bench
