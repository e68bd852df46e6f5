#pragma once

// Test support of the ws lane: a fake account actor that records what the
// transport hands it, and a fixture running bench/mock_feishu as a process
// plus a ws_connection actor pointed at it.

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <spdlog/spdlog.h>

#include "actors/ws_connection.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/mock_process.hpp"

namespace loong::test {

/// What the fake account saw and how it answers; shared with the test.
struct parent_log {
  std::mutex mu;
  /// First deliveries of an event_id (answered "accepted").
  std::vector<inbound_message> accepted;
  /// Event ids answered "duplicate" and "refused".
  std::vector<std::string> duplicates;
  std::vector<std::string> refused;
  std::set<std::string> seen;
  /// Refuse the next N events (they stay unseen, so a redelivery is new).
  int refuse_next = 0;
  /// Answer this late (0 = at once).
  int64_t delay_ms = 0;
  /// Never answer at all.
  bool silent = false;

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
};

/// State of the fake account: promises held back for late answers.
struct fake_account_state {
  static inline const char* name = "fake-account";
  std::shared_ptr<parent_log> log;
  std::map<std::string, std::pair<caf::typed_response_promise<inbound_verdict>,
                                  inbound_verdict>>
    held;
  int64_t next_id = 0;
};

/// An account_actor that de-duplicates by event_id like the real one and
/// answers per `parent_log`'s settings.
inline account_actor::behavior_type
fake_account(account_actor::stateful_pointer<fake_account_state> self,
             std::shared_ptr<parent_log> log) {
  self->state.log = std::move(log);
  return {
    [self](inbound_atom, inbound_message& m) -> caf::typed_response_promise<inbound_verdict> {
      auto rp = self->make_response_promise<inbound_verdict>();
      auto& log = *self->state.log;
      inbound_verdict v;
      int64_t delay = 0;
      bool silent = false;
      {
        std::lock_guard<std::mutex> lk{log.mu};
        if (log.refuse_next > 0) {
          --log.refuse_next;
          v.outcome = "refused";
          log.refused.push_back(m.event_id);
        } else if (!log.seen.insert(m.event_id).second) {
          v.outcome = "duplicate";
          log.duplicates.push_back(m.event_id);
        } else {
          v.outcome = "accepted";
          log.accepted.push_back(m);
        }
        delay = log.delay_ms;
        silent = log.silent;
      }
      if (silent || delay > 0) {
        auto id = std::to_string(++self->state.next_id);
        self->state.held.emplace(id, std::make_pair(rp, v));
        // restart_atom doubles as the fake's "answer now" timer.
        if (!silent)
          self->delayed_send(self, std::chrono::milliseconds{delay}, restart_atom_v, id);
      } else {
        rp.deliver(v);
      }
      return rp;
    },
    [self](restart_atom, const std::string& id) {
      auto i = self->state.held.find(id);
      if (i == self->state.held.end())
        return;
      auto [rp, v] = i->second;
      self->state.held.erase(i);
      rp.deliver(v);
    },
    [](outcome_atom, const turn_outcome&) {},
    [](const chat_idle&) {},
    [](drain_atom) {},
    [](status_atom) -> account_status { return {}; },
  };
}

/// The app of the spec's vectors, registered in the mock.
inline const std::string test_app_id = "cli_a1b2c3d4e5f60718";
inline const std::string test_app_secret = "secret_test";

/// A mock_feishu process, a fake account and (after spawn()) the actor.
class ws_fixture {
public:
  /// Starts the mock with the test app, 1 s ping/reconnect interval, no
  /// nonce, plus `extra` arguments.
  explicit ws_fixture(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--app", test_app_id + ":" + test_app_secret,
                                  "--ping-interval", "1", "--reconnect-interval", "1",
                                  "--reconnect-nonce", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    mock = std::make_unique<mock_process>(mock_process::start(mock_binary("mock_feishu"), args));
    INFO(mock->error());
    REQUIRE(mock->ok());
    account.id = "work";
    account.enabled = true;
    account.domain = "feishu";
    account.base_url = mock->url();
    account.app_id.value = test_app_id;
    account.app_secret.value = test_app_secret;
    opts.force_zero_biz_rt = true;
    opts.reconnect.fatal_retry_ms = 60000;
    opts.initial_config.reconnect_interval_s = 1;
    opts.initial_config.reconnect_nonce_s = 0;
    // LOONG_TEST_DEBUG=1 shows the per-event debug lines.
    if (std::getenv("LOONG_TEST_DEBUG") != nullptr)
      spdlog::set_level(spdlog::level::debug);
  }

  ~ws_fixture() {
    if (conn)
      sys.stop(conn);
    if (parent)
      sys.stop(parent);
  }

  ws_fixture(const ws_fixture&) = delete;
  ws_fixture& operator=(const ws_fixture&) = delete;

  /// Spawns the fake account and the connection with `account`/`opts`.
  void spawn() {
    parent = sys.sys().spawn(fake_account, log);
    conn = sys.sys().spawn(ws_connection, sys.runtime(), account, parent, opts);
  }

  /// The actor's transport_status (REQUIREs an answer).
  transport_status status() {
    caf::scoped_actor self{sys.sys()};
    transport_status out;
    bool answered = false;
    self->request(conn, std::chrono::seconds(5), status_atom_v)
      .receive(
        [&](const transport_status& s) {
          out = s;
          answered = true;
        },
        [&](caf::error&) {});
    REQUIRE(answered);
    return out;
  }

  /// Waits until the actor reports `state` (bounded).
  bool state_becomes(const std::string& state,
                     std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    return eventually([&] { return status().state == state; }, limit);
  }

  /// GET on the mock.
  http_result get(const std::string& path, int timeout_ms = 10000) {
    return http_call("GET", mock->url() + path, {}, {}, timeout_ms);
  }

  /// POST of a JSON body on the mock.
  http_result post(const std::string& path, const std::string& body = "{}") {
    return http_call("POST", mock->url() + path, body);
  }

  /// The mock's wait route: true when `kind` reached `count` in time.
  bool wait(const std::string& kind, uint64_t count, int timeout_ms = 5000) {
    auto r = get("/_mock/wait?kind=" + kind + "&count=" + std::to_string(count)
                   + "&timeout_ms=" + std::to_string(timeout_ms),
                 timeout_ms + 5000);
    return r.status == 200;
  }

  /// A counter of the mock's /_mock/stats (0 when absent).
  uint64_t stat(const std::string& key) {
    auto d = json(get("/_mock/stats"));
    if (!d.HasMember(key.c_str()) || !d[key.c_str()].IsUint64())
      return 0;
    return d[key.c_str()].GetUint64();
  }

  /// Parses a response body as JSON (REQUIREs an object).
  static rapidjson::Document json(const http_result& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str(), r.body.size());
    INFO("status " << r.status << " body " << r.body);
    REQUIRE(!d.HasParseError());
    REQUIRE(d.IsObject());
    return d;
  }

  /// The mock's recorded ACKs.
  rapidjson::Document acks() {
    return json(get("/_mock/acks"));
  }

  actor_fixture sys;
  std::unique_ptr<mock_process> mock;
  std::shared_ptr<parent_log> log = std::make_shared<parent_log>();
  config::feishu_account account;
  ws_options opts;
  account_actor parent;
  ws_connection_actor conn;
};

} // namespace loong::test
