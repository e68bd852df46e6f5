#pragma once

// Shared by the feishu_out tests: mock_feishu as a process, its control
// API, and blocking calls into the token keeper and the sender.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <caf/all.hpp>
#include <rapidjson/document.h>

#include "actors/sender.hpp"
#include "actors/token_keeper.hpp"
#include "messages/errors.hpp"
#include "protocol/feishu_openapi.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/mock_process.hpp"

namespace loong::test {

inline const std::string app_id = "cli_test_app";
inline const std::string app_secret = "secret_value_never_printed";

/// Starts mock_feishu with the test app (plus `extra` arguments).
inline mock_process start_feishu(std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--app", app_id + ":" + app_secret};
  args.insert(args.end(), extra.begin(), extra.end());
  auto m = mock_process::start(mock_binary("mock_feishu"), args);
  INFO(m.error());
  REQUIRE(m.ok());
  return m;
}

/// Parses a JSON body; the test stops when it is not an object.
inline rapidjson::Document parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  INFO(body);
  REQUIRE_FALSE(d.HasParseError());
  REQUIRE(d.IsObject());
  return d;
}

/// Arms a mock fault: the next `count` calls to `endpoint` fail with `kind`.
inline void fault(const mock_process& m, const std::string& endpoint,
                  const std::string& kind, int count = 1) {
  auto r = http_call("POST", m.url() + "/_mock/faults",
                     R"({"endpoint":")" + endpoint + R"(","kind":")" + kind
                       + R"(","count":)" + std::to_string(count) + "}");
  INFO(r.body);
  REQUIRE(r.status == 200);
}

/// One counter of /_mock/stats (0 when absent).
inline int64_t stat(const mock_process& m, const std::string& name) {
  auto d = parse(http_call("GET", m.url() + "/_mock/stats").body);
  if (!d.HasMember(name.c_str()) || !d[name.c_str()].IsNumber())
    return 0;
  return d[name.c_str()].GetInt64();
}

/// The recorded messages (sends and replies) as a JSON document.
inline rapidjson::Document messages(const mock_process& m) {
  return parse(http_call("GET", m.url() + "/_mock/messages").body);
}

/// Waits (inside the mock, bounded) until counter `kind` reaches `count`.
inline bool mock_wait(const mock_process& m, const std::string& kind, int count,
                      int timeout_ms) {
  auto r = http_call("GET", m.url() + "/_mock/wait?kind=" + kind + "&count="
                              + std::to_string(count) + "&timeout_ms="
                              + std::to_string(timeout_ms),
                     {}, {}, timeout_ms + 5000);
  return r.status == 200;
}

/// An enabled account pointing at the mock.
inline config::feishu_account account_for(const mock_process& m,
                                          const std::string& secret = app_secret,
                                          const std::string& id = app_id) {
  config::feishu_account a;
  a.id = "work";
  a.enabled = true;
  a.runtime_id = "work";
  a.runtime_label = "work";
  a.app_id.value = id;
  a.app_id.source = "literal";
  a.app_secret.value = secret;
  a.app_secret.source = "literal";
  a.base_url = m.url();
  a.base_url_overridden = true;
  return a;
}

/// Fast options for tests: short timeouts and backoffs.
inline token_keeper_options quick_keeper() {
  token_keeper_options o;
  o.request_timeout_ms = 2000;
  o.connect_timeout_ms = 1000;
  o.retry_initial_ms = 40;
  o.retry_max_ms = 200;
  o.fetch_identity = false;
  return o;
}

inline sender_options quick_sender() {
  sender_options o;
  o.backoff_initial_ms = 20;
  o.backoff_max_ms = 100;
  o.max_reset_wait_ms = 50;
  o.request_timeout_ms = 2000;
  o.connect_timeout_ms = 1000;
  o.token_timeout_ms = 5000;
  return o;
}

/// The loong error code of `err`, or ec::none for other categories.
inline ec code_of(const caf::error& err) {
  if (!err || err.category() != caf::atom("loong"))
    return ec::none;
  return static_cast<ec>(err.code());
}

/// Asks the keeper for a token (blocking, bounded).
inline caf::expected<std::string> ask_token(caf::actor_system& sys,
                                            const token_keeper_actor& k,
                                            std::chrono::milliseconds limit
                                            = std::chrono::seconds(10)) {
  caf::scoped_actor self{sys};
  caf::expected<std::string> out = caf::make_error(ec::timeout, "no answer");
  self->request(k, limit, token_atom_v)
    .receive([&](std::string& t) { out = std::move(t); },
             [&](caf::error& e) { out = std::move(e); });
  return out;
}

/// Sends one message (blocking, bounded).
inline caf::expected<send_receipt> send_one(caf::actor_system& sys,
                                            const sender_actor& s,
                                            const outbound_message& msg,
                                            std::chrono::milliseconds limit
                                            = std::chrono::seconds(20)) {
  caf::scoped_actor self{sys};
  caf::expected<send_receipt> out = caf::make_error(ec::timeout, "no answer");
  self->request(s, limit, send_atom_v, msg)
    .receive([&](send_receipt& r) { out = std::move(r); },
             [&](caf::error& e) { out = std::move(e); });
  return out;
}

/// A text message to a chat.
inline outbound_message text_to(const std::string& receive_id,
                                const std::string& type = "chat_id",
                                const std::string& text = "hello") {
  outbound_message m;
  m.account = "work";
  m.receive_id = receive_id;
  m.receive_id_type = type;
  m.msg_type = "text";
  m.content = feishu::text_content(text);
  return m;
}

/// A token keeper and a sender for one account, stopped at scope exit (the
/// fixture cannot shut down while they live).
struct out_pair {
  out_pair(actor_fixture& fx, const config::feishu_account& a,
           token_keeper_options ko = quick_keeper(),
           sender_options so = quick_sender(), runtime_ptr rt = nullptr)
    : fx_(fx) {
    if (!rt)
      rt = fx.runtime();
    keeper = fx.sys().spawn(token_keeper_with, rt, a, ko);
    out = fx.sys().spawn(sender_with, rt, a, keeper, so);
  }
  ~out_pair() {
    fx_.stop(out);
    fx_.stop(keeper);
  }
  out_pair(const out_pair&) = delete;
  out_pair& operator=(const out_pair&) = delete;

  token_keeper_actor keeper;
  sender_actor out;

private:
  actor_fixture& fx_;
};

} // namespace loong::test
