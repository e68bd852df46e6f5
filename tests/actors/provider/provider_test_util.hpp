#pragma once

// Helpers of the provider lane tests: mock_ark control, a test provider
// profile, blocking calls into the pool.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <rapidjson/document.h>

#include "actors/provider_pool.hpp"
#include "actors/provider_session.hpp"
#include "config/gateway_config.hpp"
#include "messages/errors.hpp"
#include "messages/type_ids.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/mock_process.hpp"

namespace loong::test {

/// Starts bench/mock_ark with `args`; the test stops when it cannot.
inline mock_process start_ark(std::vector<std::string> args = {}) {
  auto m = mock_process::start(mock_binary("mock_ark"), std::move(args));
  INFO(m.error());
  REQUIRE(m.ok());
  return m;
}

/// Parses a JSON body; the test stops when it is not JSON.
inline rapidjson::Document parse_json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  INFO("body: " << body);
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

/// A counter from the mock's /_mock/stats.
inline int64_t ark_stat(const mock_process& m, const char* key) {
  auto r = http_call("GET", m.url() + "/_mock/stats");
  REQUIRE(r.status == 200);
  auto d = parse_json(r.body);
  REQUIRE(d.HasMember(key));
  return d[key].GetInt64();
}

/// Makes the next `count` mock requests (chat or models) fail with `kind`.
inline void ark_fault(const mock_process& m, const std::string& kind,
                      int count = 1) {
  auto r = http_call("POST", m.url() + "/_mock/faults",
                     R"({"kind":")" + kind + R"(","count":)"
                       + std::to_string(count) + "}");
  INFO(r.body);
  REQUIRE(r.status == 200);
}

/// The chat requests the mock recorded, oldest first.
inline rapidjson::Document ark_requests(const mock_process& m) {
  auto r = http_call("GET", m.url() + "/_mock/requests");
  REQUIRE(r.status == 200);
  return parse_json(r.body);
}

/// The messages of recorded request `i` as "role:content" strings.
inline std::vector<std::string> recorded_messages(const rapidjson::Document& d,
                                                  size_t i) {
  std::vector<std::string> out;
  auto& reqs = d["requests"];
  REQUIRE(i < reqs.Size());
  for (auto& m : reqs[static_cast<rapidjson::SizeType>(i)]["messages"].GetArray())
    out.push_back(std::string{m["role"].GetString()} + ":"
                  + m["content"].GetString());
  return out;
}

/// A provider profile pointing at the mock with fast retries.
inline config::provider_config test_provider(const std::string& url) {
  config::provider_config p;
  p.name = "volcengine";
  p.api_key.value = "test-ark-key";
  p.api_key.source = "literal";
  p.base_url = url;
  p.model = "doubao-seed-1-6-250615";
  p.request_timeout_ms = 5000;
  p.connect_timeout_ms = 2000;
  p.retry_max_attempts = 3;
  p.retry_initial_backoff_ms = 10;
  p.retry_max_backoff_ms = 40;
  p.system_prompt = "be brief";
  return p;
}

/// A user-only completion request.
inline completion_request user_request(const std::string& text,
                                       bool stream = false) {
  completion_request r;
  r.session_key = "test";
  r.messages = {{"user", text}};
  r.stream = stream;
  return r;
}

/// One blocking completion through the pool.
inline caf::expected<completion_result>
complete(caf::actor_system& sys, const provider_pool_actor& pool,
         completion_request req,
         std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  caf::expected<completion_result> out{caf::make_error(ec::none)};
  caf::scoped_actor self{sys};
  self->request(pool, timeout, complete_atom_v, std::move(req))
    .receive([&](completion_result& r) { out = std::move(r); },
             [&](caf::error& e) { out = std::move(e); });
  return out;
}

/// The pool's counters.
inline provider_status pool_status(caf::actor_system& sys,
                                   const provider_pool_actor& pool) {
  provider_status out;
  caf::scoped_actor self{sys};
  self->request(pool, std::chrono::seconds(5), status_atom_v)
    .receive([&](provider_status& s) { out = std::move(s); },
             [&](caf::error& e) { FAIL(describe(e)); });
  return out;
}

/// The loong error code of `err` (ec::none for other categories).
inline ec code_of(const caf::error& err) {
  if (err.category() != caf::atom("loong"))
    return ec::none;
  return static_cast<ec>(err.code());
}

/// A runtime like the fixture's whose clock the test moves by hand.
struct pinned_clock {
  std::shared_ptr<std::atomic<int64_t>> now
    = std::make_shared<std::atomic<int64_t>>(1700000000000);
  runtime_ptr runtime(const runtime_ptr& base) const {
    auto rt = std::make_shared<actor_runtime>(*base);
    rt->now_ms = [n = now] { return n->load(); };
    return rt;
  }
  void advance(int64_t ms) { *now += ms; }
};

} // namespace loong::test
