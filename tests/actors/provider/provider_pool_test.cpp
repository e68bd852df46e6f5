// provider_pool against the real bench/mock_ark: plain and streamed calls,
// retries, typed failures with their hints, timeouts and back-pressure.

#include "tests/actors/provider/provider_test_util.hpp"

#include "net/http_server.hpp"
#include "protocol/ark_error.hpp"

using namespace loong;
using namespace loong::test;
using namespace std::chrono_literals;

TEST_CASE("pool answers a plain completion with text and usage",
          "[provider_pool]") {
  auto m = start_ark();
  actor_fixture fx;
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(),
                             test_provider(m.url()), store_actor{});
  auto r = complete(fx.sys(), pool, user_request("hello there"));
  REQUIRE(r);
  CHECK(r->text == "echo: hello there");
  CHECK(r->finish_reason == "stop");
  CHECK(r->model == "doubao-seed-1-6-250615");
  CHECK(r->has_usage);
  CHECK(r->usage.total_tokens > 0);
  CHECK(r->attempts == 1);
  auto reqs = ark_requests(m);
  CHECK(reqs["requests"][0]["stream"].GetBool() == false);
  CHECK(reqs["requests"][0]["max_tokens"].GetInt64() == 1024);
  auto s = pool_status(fx.sys(), pool);
  CHECK(s.calls == 1);
  CHECK(s.errors == 0);
  CHECK(s.latency.total == 1);
  CHECK(s.in_flight == 0);
  fx.stop(pool);
}

TEST_CASE("pool streams deltas to the sink in order and answers the whole "
          "text",
          "[provider_pool]") {
  auto m = start_ark({"--token-delay-ms", "5"});
  actor_fixture fx;
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(),
                             test_provider(m.url()), store_actor{});
  caf::scoped_actor self{fx.sys()};
  auto req = user_request("stream me a fairly long answer please", true);
  req.delta_sink = caf::actor_cast<caf::actor>(self);
  std::string joined;
  int deltas = 0;
  caf::expected<completion_result> r{caf::make_error(ec::none)};
  self->request(pool, 20s, complete_atom_v, req)
    .receive([&](completion_result& x) { r = std::move(x); },
             [&](caf::error& e) { r = std::move(e); });
  REQUIRE(r);
  CHECK(r->text == "echo: stream me a fairly long answer please");
  CHECK(r->has_usage);
  CHECK(r->usage.completion_tokens > 0);
  // Every delta was enqueued before the answer left the call.
  bool more = true;
  while (more)
    self->receive(
      [&](completion_delta& d) {
        joined += d.text;
        ++deltas;
      },
      caf::after(0s) >> [&] { more = false; });
  CHECK(deltas > 1);
  CHECK(joined == r->text);
  auto reqs = ark_requests(m);
  CHECK(reqs["requests"][0]["stream"].GetBool());
  CHECK(reqs["requests"][0]["include_usage"].GetBool());
  fx.stop(pool);
}

TEST_CASE("pool decodes a byte-by-byte stream with a split UTF-8 character",
          "[provider_pool]") {
  auto m = start_ark();
  actor_fixture fx;
  auto cfg = test_provider(m.url());
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
  auto req = user_request("split", true);
  req.model = "mock-split";
  auto r = complete(fx.sys(), pool, req);
  REQUIRE(r);
  CHECK(r->text == "echo: split \xE2\x9C\x93");
  fx.stop(pool);
}

TEST_CASE("pool retries 429 with Retry-After and 500, then succeeds",
          "[provider_pool]") {
  auto m = start_ark();
  actor_fixture fx;
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(),
                             test_provider(m.url()), store_actor{});
  SECTION("429 honours Retry-After: 1") {
    ark_fault(m, "429");
    auto t0 = std::chrono::steady_clock::now();
    auto r = complete(fx.sys(), pool, user_request("again"));
    REQUIRE(r);
    CHECK(r->attempts == 2);
    CHECK(r->text == "echo: again");
    // The backoff alone would be ~10 ms; the server asked for a second.
    CHECK(std::chrono::steady_clock::now() - t0 >= 900ms);
  }
  SECTION("two 500s within three attempts") {
    ark_fault(m, "500", 2);
    auto r = complete(fx.sys(), pool, user_request("again"));
    REQUIRE(r);
    CHECK(r->attempts == 3);
  }
  CHECK(pool_status(fx.sys(), pool).retries >= 1);
  fx.stop(pool);
}

TEST_CASE("pool gives up after the attempt budget with a typed error",
          "[provider_pool]") {
  auto m = start_ark();
  actor_fixture fx;
  auto cfg = test_provider(m.url());
  cfg.retry_max_attempts = 2;
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
  auto req = user_request("x");
  req.model = "mock-500";
  auto r = complete(fx.sys(), pool, req);
  REQUIRE_FALSE(r);
  CHECK(code_of(r.error()) == ec::server_error);
  CHECK(describe(r.error()).find("InternalServiceError") != std::string::npos);
  CHECK(ark_stat(m, "requests") == 2);
  auto s = pool_status(fx.sys(), pool);
  CHECK(s.errors == 1);
  CHECK(s.retries == 1);
  CHECK(s.last_error.find("server_error") != std::string::npos);
  SECTION("quota errors are not retried") {
    ark_fault(m, "429-quota");
    auto q = complete(fx.sys(), pool, user_request("x"));
    REQUIRE_FALSE(q);
    CHECK(code_of(q.error()) == ec::rate_limited);
    CHECK(ark::doctor_hint(q.error()).find("quota") != std::string::npos);
    CHECK(ark_stat(m, "requests") == 3);
    CHECK(pool_status(fx.sys(), pool).retries == 1);
  }
  fx.stop(pool);
}

TEST_CASE("pool maps 401 and 404 to errors with the doctor hints",
          "[provider_pool]") {
  auto m = start_ark();
  actor_fixture fx;
  SECTION("a wrong key is auth_failed, not retried, hint names ARK_API_KEY") {
    auto cfg = test_provider(m.url());
    cfg.api_key.value = "wrong-key";
    auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
    auto r = complete(fx.sys(), pool, user_request("x"));
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::auth_failed);
    CHECK(ark::doctor_hint(r.error()).find("ARK_API_KEY") != std::string::npos);
    CHECK(describe(r.error()).find("wrong-key") == std::string::npos);
    CHECK(ark_stat(m, "requests") == 1);
    fx.stop(pool);
  }
  SECTION("an unknown model is not_found with the models-list hint") {
    auto pool = fx.sys().spawn(provider_pool, fx.runtime(),
                               test_provider(m.url()), store_actor{});
    auto req = user_request("x");
    req.model = "mock-404";
    auto r = complete(fx.sys(), pool, req);
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::not_found);
    CHECK(ark::doctor_hint(r.error()).find("loong runtime models list")
          != std::string::npos);
    CHECK(ark_stat(m, "requests") == 1);
    fx.stop(pool);
  }
}

TEST_CASE("pool turns a hanging provider into a timeout, then retries",
          "[provider_pool]") {
  auto m = start_ark();
  actor_fixture fx;
  auto cfg = test_provider(m.url());
  cfg.request_timeout_ms = 300;
  SECTION("one attempt: ec::timeout") {
    cfg.retry_max_attempts = 1;
    auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
    ark_fault(m, "hang");
    auto r = complete(fx.sys(), pool, user_request("x"), 10s);
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::timeout);
    CHECK(ark::doctor_hint(r.error()).find("request_timeout_ms")
          != std::string::npos);
    fx.stop(pool);
  }
  SECTION("two attempts: the second one answers") {
    cfg.retry_max_attempts = 2;
    auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
    ark_fault(m, "hang");
    auto r = complete(fx.sys(), pool, user_request("y"), 10s);
    REQUIRE(r);
    CHECK(r->attempts == 2);
    fx.stop(pool);
  }
  SECTION("a stream that stalls after output began fails, unretried") {
    cfg.retry_max_attempts = 3;
    auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
    auto req = user_request("stall", true);
    req.model = "mock-stall";
    auto r = complete(fx.sys(), pool, req, 10s);
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::timeout);
    CHECK(ark_stat(m, "requests") == 1);
    fx.stop(pool);
  }
  SECTION("a mid-stream error object fails, unretried") {
    auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
    auto req = user_request("x", true);
    req.model = "mock-midstream-error";
    auto r = complete(fx.sys(), pool, req, 10s);
    REQUIRE_FALSE(r);
    CHECK(describe(r.error()).find("InternalServiceError") != std::string::npos);
    CHECK(ark_stat(m, "requests") == 1);
    fx.stop(pool);
  }
}

TEST_CASE("pool keeps at most max_concurrency calls at the provider",
          "[provider_pool]") {
  auto m = start_ark({"--delay-ms", "60"});
  actor_fixture fx;
  auto cfg = test_provider(m.url());
  cfg.max_concurrency = 4;
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
  caf::scoped_actor self{fx.sys()};
  const int n = 20;
  using handle_t
    = decltype(self->request(pool, 20s, complete_atom_v, completion_request{}));
  std::vector<handle_t> calls;
  for (int i = 0; i < n; ++i)
    calls.push_back(self->request(pool, 20s, complete_atom_v,
                                  user_request("n" + std::to_string(i))));
  int ok = 0;
  for (int i = 0; i < n; ++i)
    calls[i].receive(
      [&](completion_result& r) {
        ok += r.text == "echo: n" + std::to_string(i);
      },
      [&](caf::error& e) { FAIL(describe(e)); });
  CHECK(ok == n);
  auto peak = ark_stat(m, "max_in_flight");
  CHECK(peak <= 4);
  CHECK(peak >= 2);
  CHECK(ark_requests(m)["requests"].Size() == n);
  auto s = pool_status(fx.sys(), pool);
  CHECK(s.calls == n);
  CHECK(s.max_concurrency == 4);
  CHECK(s.queued == 0);
  fx.stop(pool);
}

TEST_CASE("pool refuses work beyond max_queue at once with ec::overloaded",
          "[provider_pool]") {
  auto m = start_ark();
  actor_fixture fx;
  auto cfg = test_provider(m.url());
  cfg.max_concurrency = 1;
  cfg.max_queue = 1;
  cfg.retry_max_attempts = 1;
  cfg.request_timeout_ms = 1500;
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
  // The first call hangs until its timeout, holding the only slot.
  ark_fault(m, "hang");
  caf::scoped_actor self{fx.sys()};
  auto first = self->request(pool, 20s, complete_atom_v, user_request("a"));
  auto second = self->request(pool, 20s, complete_atom_v, user_request("b"));
  auto third = self->request(pool, 20s, complete_atom_v, user_request("c"));
  bool refused = false;
  third.receive([&](completion_result&) {},
                [&](caf::error& e) { refused = code_of(e) == ec::overloaded; });
  CHECK(refused);
  auto s = pool_status(fx.sys(), pool);
  CHECK(s.in_flight == 1);
  CHECK(s.queued == 1);
  first.receive([&](completion_result&) { FAIL("the hung call answered"); },
                [&](caf::error& e) { CHECK(code_of(e) == ec::timeout); });
  second.receive([&](completion_result& r) { CHECK(r.text == "echo: b"); },
                 [&](caf::error& e) { FAIL(describe(e)); });
  fx.stop(pool);
}

TEST_CASE("pool resolves model auto through the models endpoint, cached",
          "[provider_pool]") {
  auto m = start_ark({"--models", "doubao-embedding-x,doubao-a,doubao-b"});
  actor_fixture fx;
  pinned_clock clock;
  auto cfg = test_provider(m.url());
  cfg.model = "auto";
  SECTION("preferred models rank first; the list is cached 30 s") {
    cfg.preferred_models = {"DOUBAO-B"};
    auto pool = fx.sys().spawn(provider_pool, clock.runtime(fx.runtime()), cfg,
                               store_actor{});
    auto r = complete(fx.sys(), pool, user_request("x"));
    REQUIRE(r);
    CHECK(r->model == "doubao-b");
    CHECK(complete(fx.sys(), pool, user_request("y")));
    CHECK(ark_stat(m, "models_requests") == 1);
    CHECK(pool_status(fx.sys(), pool).model == "doubao-b");
    clock.advance(31000);
    CHECK(complete(fx.sys(), pool, user_request("z")));
    CHECK(ark_stat(m, "models_requests") == 2);
    fx.stop(pool);
  }
  SECTION("a failed refresh keeps the old choice for 120 s, then fails") {
    auto pool = fx.sys().spawn(provider_pool, clock.runtime(fx.runtime()), cfg,
                               store_actor{});
    auto r = complete(fx.sys(), pool, user_request("x"));
    REQUIRE(r);
    CHECK(r->model == "doubao-a");
    clock.advance(60000);
    ark_fault(m, "500");
    r = complete(fx.sys(), pool, user_request("y"));
    REQUIRE(r);
    CHECK(r->model == "doubao-a");
    CHECK(ark_stat(m, "models_requests") == 2);
    clock.advance(70000);
    ark_fault(m, "500");
    r = complete(fx.sys(), pool, user_request("z"));
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == ec::server_error);
    fx.stop(pool);
  }
  SECTION("an explicit model skips the models endpoint") {
    cfg.model = "my-endpoint";
    auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
    auto r = complete(fx.sys(), pool, user_request("x"));
    REQUIRE(r);
    CHECK(r->model == "my-endpoint");
    CHECK(ark_stat(m, "models_requests") == 0);
    fx.stop(pool);
  }
  SECTION("models_atom lists the catalogue") {
    auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
    caf::scoped_actor self{fx.sys()};
    std::vector<std::string> ids;
    self->request(pool, 10s, models_atom_v)
      .receive([&](std::vector<std::string>& xs) { ids = std::move(xs); },
               [&](caf::error& e) { FAIL(describe(e)); });
    CHECK(ids
          == std::vector<std::string>{"doubao-embedding-x", "doubao-a",
                                      "doubao-b"});
    fx.stop(pool);
  }
}

TEST_CASE("pool reports an empty catalogue for model auto as a config error",
          "[provider_pool]") {
  actor_fixture fx;
  auto server = net::http_server::start(
    fx.io(), {}, [](net::server_request, net::respond_fn respond) {
      net::server_response r;
      r.body = R"({"object":"list","data":[]})";
      respond(std::move(r));
    });
  REQUIRE(server);
  auto cfg = test_provider(server->url());
  cfg.model = "auto";
  auto pool = fx.sys().spawn(provider_pool, fx.runtime(), cfg, store_actor{});
  auto r = complete(fx.sys(), pool, user_request("x"));
  REQUIRE_FALSE(r);
  CHECK(code_of(r.error()) == ec::invalid_config);
  CHECK(ark::doctor_hint(r.error()).find("providers.<name>.model")
        != std::string::npos);
  fx.stop(pool);
  server->stop();
}

TEST_CASE("pool drops sessions idle for half an hour", "[provider_pool]") {
  actor_fixture fx;
  pinned_clock clock;
  auto pool = fx.sys().spawn(provider_pool, clock.runtime(fx.runtime()),
                             test_provider("http://127.0.0.1:9"),
                             store_actor{});
  caf::scoped_actor self{fx.sys()};
  auto session = [&](const std::string& key) {
    provider_session_actor out;
    self->request(pool, 5s, session_atom_v, key)
      .receive([&](provider_session_actor& s) { out = s; },
               [&](caf::error& e) { FAIL(describe(e)); });
    return out;
  };
  auto idle = session("idle");
  auto busy = session("busy");
  self->monitor(idle);
  clock.advance(20 * 60 * 1000);
  CHECK(session("busy") == busy);
  clock.advance(15 * 60 * 1000);
  // The sweep runs on the next session lookup: "idle" is gone, "busy" not.
  CHECK(session("busy") == busy);
  bool down = false;
  self->receive([&](caf::down_msg& dm) { down = dm.source == idle.address(); },
                caf::after(5s) >> [] {});
  CHECK(down);
  auto again = session("idle");
  CHECK(again != idle);
  fx.stop(pool);
}
