#pragma once

// Test support of the webhook lane: a fake account actor that records what
// the listener hands it (and can hold its verdicts back), a fixture with a
// webhook hub on the actor fixture's I/O threads, bench/mock_feishu as the
// platform's webhook sender, and a raw TCP client for malformed traffic.

#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "actors/webhook_hub.hpp"
#include "actors/webhook_listener.hpp"
#include "messages/errors.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/mock_process.hpp"

namespace loong::test {

/// What the fake account saw and how it answers; shared with the test.
struct hook_log {
  std::mutex mu;
  /// First deliveries of an event_id (answered "accepted").
  std::vector<inbound_message> accepted;
  std::vector<std::string> duplicates;
  std::vector<std::string> refused;
  std::set<std::string> seen;
  /// Refuse the next N events (they stay unseen).
  std::atomic<int> refuse_next{0};
  /// Hold verdicts until release (restart_atom "release").
  std::atomic<bool> hold{false};
  /// Never answer.
  std::atomic<bool> silent{false};
  /// Verdicts delivered so far.
  size_t answered = 0;

  size_t accepted_count() {
    std::lock_guard<std::mutex> lk{mu};
    return accepted.size();
  }
  size_t duplicate_count() {
    std::lock_guard<std::mutex> lk{mu};
    return duplicates.size();
  }
  size_t refused_count() {
    std::lock_guard<std::mutex> lk{mu};
    return refused.size();
  }
  size_t calls() {
    std::lock_guard<std::mutex> lk{mu};
    return accepted.size() + duplicates.size() + refused.size();
  }
  size_t answered_count() {
    std::lock_guard<std::mutex> lk{mu};
    return answered;
  }
};

/// State of the fake account: verdicts held back.
struct hook_account_state {
  static inline const char* name = "fake-account";
  std::shared_ptr<hook_log> log;
  std::vector<std::pair<caf::typed_response_promise<inbound_verdict>, inbound_verdict>>
    held;
};

/// An account_actor that de-duplicates by event_id like the real one.
/// restart_atom "release" delivers every held verdict.
inline account_actor::behavior_type
hook_account(account_actor::stateful_pointer<hook_account_state> self,
             std::shared_ptr<hook_log> log) {
  self->state.log = std::move(log);
  return {
    [self](inbound_atom, inbound_message& m) -> caf::typed_response_promise<inbound_verdict> {
      auto rp = self->make_response_promise<inbound_verdict>();
      auto& log = *self->state.log;
      inbound_verdict v;
      bool keep = false;
      {
        std::lock_guard<std::mutex> lk{log.mu};
        if (log.refuse_next > 0) {
          --log.refuse_next;
          v.outcome = "refused";
          v.detail = "test refuses";
          log.refused.push_back(m.event_id);
        } else if (!log.seen.insert(m.event_id).second) {
          v.outcome = "duplicate";
          log.duplicates.push_back(m.event_id);
        } else {
          v.outcome = "accepted";
          log.accepted.push_back(m);
        }
        keep = log.hold || log.silent;
        if (!keep)
          ++log.answered;
      }
      if (keep)
        self->state.held.emplace_back(rp, v);
      else
        rp.deliver(v);
      return rp;
    },
    [self](restart_atom, const std::string&) {
      auto held = std::move(self->state.held);
      self->state.held.clear();
      for (auto& [rp, v] : held) {
        {
          std::lock_guard<std::mutex> lk{self->state.log->mu};
          ++self->state.log->answered;
        }
        rp.deliver(v);
      }
    },
    [](outcome_atom, const turn_outcome&) {},
    [](const chat_idle&) {},
    [](drain_atom) {},
    [](status_atom) -> account_status { return {}; },
  };
}

/// The spec's vector key and token (§10.1), and a second app's.
inline const std::string key_a = "kR3xT9vQ2mLp8wZc";
inline const std::string token_a = "vt_test_token_01";
inline const std::string key_b = "another-encrypt-key-b";
inline const std::string token_b = "vt_test_token_02";

/// One account under test: its fake parent and its listener.
struct hooked_account {
  config::feishu_account account;
  std::shared_ptr<hook_log> log = std::make_shared<hook_log>();
  account_actor parent;
  webhook_listener_actor listener;
};

/// What the mock's webhook driver reports.
struct delivery {
  /// The target's HTTP status (0 = transport failure).
  unsigned status = 0;
  std::string body;
  std::string error;
};

/// A hub on the actor fixture's I/O thread, a runtime carrying it, and
/// (after start_mock) bench/mock_feishu with apps "cli_hook_a" (key_a,
/// token_a), "cli_hook_b" (key_b, token_b) and "cli_hook_plain" (token_a,
/// no encrypt key).
class webhook_fixture {
public:
  webhook_fixture() : hub(std::make_shared<webhook_hub>(sys.io())) {
    auto r = std::make_shared<actor_runtime>(*sys.runtime());
    r->hub = hub;
    rt = r;
  }

  ~webhook_fixture() {
    for (auto& a : accounts) {
      if (a.listener)
        sys.stop(a.listener);
      if (a.parent)
        sys.stop(a.parent);
    }
  }

  webhook_fixture(const webhook_fixture&) = delete;
  webhook_fixture& operator=(const webhook_fixture&) = delete;

  /// Starts the mock and registers the three test apps.
  void start_mock() {
    mock = std::make_unique<mock_process>(
      mock_process::start(mock_binary("mock_feishu"), {}));
    INFO(mock->error());
    REQUIRE(mock->ok());
    add_app("cli_hook_a", key_a, token_a);
    add_app("cli_hook_b", key_b, token_b);
    add_app("cli_hook_plain", "", token_a);
  }

  void add_app(const std::string& app_id, const std::string& key,
               const std::string& token) {
    auto r = http_call("POST", mock->url() + "/_mock/apps",
                       R"({"app_id":")" + app_id + R"(","app_secret":"s_)" + app_id
                         + R"(","encrypt_key":")" + key + R"(","verification_token":")"
                         + token + R"("})");
    INFO(r.body);
    REQUIRE(r.status == 200);
  }

  /// An account config for `bind` + `path` with the given secrets.
  static config::feishu_account make_account(const std::string& id,
                                             const std::string& bind,
                                             const std::string& path,
                                             const std::string& key,
                                             const std::string& token) {
    config::feishu_account a;
    a.id = id;
    a.enabled = true;
    a.mode = "webhook";
    a.app_id.value = "cli_" + id;
    a.app_secret.value = "secret_" + id;
    a.webhook_bind = bind;
    a.webhook_path = path;
    a.encrypt_key.value = key;
    a.verification_token.value = token;
    return a;
  }

  /// Spawns a fake parent and a listener; REQUIREs that it listens.
  hooked_account& spawn(config::feishu_account account, webhook_options opts = {}) {
    auto& a = spawn_unchecked(std::move(account), opts);
    REQUIRE(status(a).state == "listening");
    return a;
  }

  /// Spawns a fake parent and a listener without waiting for it.
  hooked_account& spawn_unchecked(config::feishu_account account,
                                  webhook_options opts = {}) {
    accounts.emplace_back();
    auto& a = accounts.back();
    a.account = std::move(account);
    a.parent = sys.sys().spawn(hook_account, a.log);
    a.listener = sys.sys().spawn(webhook_listener, rt, a.account, a.parent, opts);
    return a;
  }

  /// The listener's transport_status (REQUIREs an answer).
  transport_status status(const hooked_account& a) {
    caf::scoped_actor self{sys.sys()};
    transport_status out;
    bool answered = false;
    self->request(a.listener, std::chrono::seconds(5), status_atom_v)
      .receive(
        [&](const transport_status& s) {
          out = s;
          answered = true;
        },
        [&](caf::error& e) { FAIL_CHECK("no status: " << describe(e)); });
    REQUIRE(answered);
    return out;
  }

  /// Delivers every verdict the fake parent holds back.
  void release(const hooked_account& a) {
    caf::anon_send(a.parent, restart_atom_v, std::string{"release"});
  }

  /// "http://127.0.0.1:<port><path>" of `bind` (REQUIREs a server).
  std::string url(const std::string& bind, const std::string& path) {
    auto p = hub->port(bind);
    REQUIRE(p);
    return "http://127.0.0.1:" + std::to_string(*p) + path;
  }

  /// The mock's webhook driver: POST webhook/deliver with `fields` (JSON
  /// members without braces) to `target`. Uses no Catch2 macro, so any
  /// thread may call it; a failure shows as status 0 with `error` set.
  delivery deliver(const std::string& target, const std::string& app_id,
                   const std::string& fields = {}) {
    auto body = R"({"url":")" + target + R"(","app_id":")" + app_id + "\""
                + (fields.empty() ? "" : "," + fields) + "}";
    auto r = http_call("POST", mock->url() + "/_mock/webhook/deliver", body, {}, 20000);
    delivery out;
    rapidjson::Document d;
    d.Parse(r.body.c_str(), r.body.size());
    if (r.status != 200 || d.HasParseError() || !d.IsObject() || !d.HasMember("status")
        || !d["status"].IsUint() || !d["body"].IsString() || !d["error"].IsString()) {
      out.error = "deliver failed: " + std::to_string(r.status) + " " + r.body;
      return out;
    }
    out.status = d["status"].GetUint();
    out.body = d["body"].GetString();
    out.error = d["error"].GetString();
    return out;
  }

  actor_fixture sys;
  std::shared_ptr<webhook_hub> hub;
  runtime_ptr rt;
  std::unique_ptr<mock_process> mock;
  /// Stable addresses: tests keep references.
  std::list<hooked_account> accounts;
};

/// What a raw TCP exchange saw.
struct raw_outcome {
  bool connected = false;
  /// The peer closed (EOF or reset) before the limit.
  bool closed = false;
  std::string data;
  std::chrono::milliseconds elapsed{0};
};

/// Connects to 127.0.0.1:`port`, writes `bytes` and reads until the peer
/// closes or `limit` passes (poll with a deadline; no sleeps).
inline raw_outcome raw_exchange(uint16_t port, const std::string& bytes,
                                std::chrono::milliseconds limit) {
  raw_outcome out;
  auto start = std::chrono::steady_clock::now();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return out;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    ::close(fd);
    return out;
  }
  out.connected = true;
  size_t off = 0;
  while (off < bytes.size()) {
    auto n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    off += static_cast<size_t>(n);
  }
  auto deadline = start + limit;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now())
                  .count();
    if (left <= 0)
      break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0)
      break;
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
      out.closed = true;
      break;
    }
    out.data.append(buf, static_cast<size_t>(n));
  }
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - start);
  ::close(fd);
  return out;
}

} // namespace loong::test
