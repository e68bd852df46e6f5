// mock_ark: completions (plain and SSE), magic models, faults, control API
// and concurrency.

#include <future>
#include <mutex>

#include "net/http_client.hpp"
#include "protocol/ark_chat.hpp"
#include "protocol/ark_error.hpp"
#include "protocol/ark_sse.hpp"
#include "tests/bench/bench_test_util.hpp"

using namespace loong::test;
using loong::bench::json_bool;
using loong::bench::json_int;
using loong::bench::json_str;
namespace ark = loong::ark;
namespace net = loong::net;

namespace {

const std::string key = "test-ark-key";

std::string body_for(const std::string& model, bool stream, const std::string& text = "hi",
                     bool usage = true) {
  ark::chat_options o;
  o.include_usage = usage;
  return ark::chat_request_body(model, {{"system", "be brief"}, {"user", text}}, stream, o);
}

http_result chat(const mock_process& m, const std::string& body, const std::string& k = key,
                 int timeout_ms = 10000) {
  return http_call("POST", m.url() + "/api/v3/chat/completions", body,
                   {{"Authorization", "Bearer " + k}}, timeout_ms);
}

// One streamed call through net::http_client, fed into the gateway's decoder.
struct streamed {
  net::net_error err;
  unsigned status = 0;
  size_t chunks = 0;
  ark::sse_decoder decoder;
  std::string error_body;
};

std::unique_ptr<streamed> stream(net::http_client& client, const mock_process& m,
                                 const std::string& body, int idle_ms = 0) {
  auto out = std::make_unique<streamed>();
  net::http_request req;
  req.method = "POST";
  req.url = m.url() + "/api/v3/chat/completions";
  req.body = body;
  req.headers = {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"},
                 {"Accept", "text/event-stream"}};
  req.read_idle_timeout = std::chrono::milliseconds{idle_ms};
  req.timeout = std::chrono::milliseconds{10000};
  std::promise<void> done;
  auto* o = out.get();
  client.request(
    std::move(req),
    [o, &done](net::net_error e, net::http_response r) {
      o->err = e;
      o->status = r.status;
      o->error_body = r.body;
      done.set_value();
    },
    [o](std::string_view chunk) {
      ++o->chunks;
      o->decoder.feed(chunk);
    });
  done.get_future().wait();
  return out;
}

} // namespace

TEST_CASE("mock_ark: non-stream completion echoes the last user message", "[mock]") {
  auto m = start_mock("mock_ark");
  auto r = chat(m, body_for("doubao-seed-1-6-250615", false, "hello there"));
  REQUIRE(r.status == 200);
  CHECK_FALSE(r.header("X-Request-Id").empty());
  auto res = ark::parse_chat_response(r.body);
  REQUIRE(res);
  CHECK(res->text == "echo: hello there");
  CHECK(res->finish_reason == "stop");
  CHECK(res->model == "doubao-seed-1-6-250615");
  CHECK(res->has_usage);
  CHECK(res->usage.total_tokens == res->usage.prompt_tokens + res->usage.completion_tokens);
  auto reqs = json_of(get(m, "/_mock/requests"));
  REQUIRE(reqs["requests"].Size() == 1);
  const auto& rec = reqs["requests"][0];
  CHECK(json_str(rec, "model") == "doubao-seed-1-6-250615");
  CHECK_FALSE(json_bool(rec, "stream", true));
  REQUIRE(rec["messages"].Size() == 2);
  CHECK(json_str(rec["messages"][1], "role") == "user");
  CHECK(json_str(rec["messages"][1], "content") == "hello there");
  CHECK(json_int(rec, "time_ms", 0) > 0);
}

TEST_CASE("mock_ark: streams decode with and without the usage chunk", "[mock]") {
  auto m = start_mock("mock_ark");
  net::io_runtime io{1};
  net::http_client client{io};
  auto s = stream(client, m, body_for("m1", true, "stream me please"));
  REQUIRE_FALSE(s->err);
  CHECK(s->status == 200);
  CHECK(s->decoder.done());
  auto res = s->decoder.finish();
  REQUIRE(res);
  CHECK(res->text == "echo: stream me please");
  CHECK(res->has_usage);
  CHECK(res->usage.completion_tokens >= 3);  // several content chunks

  s = stream(client, m, body_for("m1", true, "no usage", false));
  res = s->decoder.finish();
  REQUIRE(res);
  CHECK(res->text == "echo: no usage");
  CHECK_FALSE(res->has_usage);
  auto reqs = json_of(get(m, "/_mock/requests"));
  CHECK(json_bool(reqs["requests"][0], "include_usage", false));
  CHECK_FALSE(json_bool(reqs["requests"][1], "include_usage", true));
  CHECK(json_bool(reqs["requests"][1], "stream", false));
}

TEST_CASE("mock_ark: bearer check and the models list", "[mock]") {
  auto m = start_mock("mock_ark", {"--key", "k2", "--models", "a-1,b-2"});
  auto r = chat(m, body_for("x", false), "wrong");
  CHECK(r.status == 401);
  auto e = ark::parse_error(r.status, r.body);
  CHECK(e.code == "AuthenticationError");
  CHECK_FALSE(e.retryable);
  r = http_call("GET", m.url() + "/api/v3/models", {}, {{"Authorization", "Bearer k2"}});
  CHECK(ark::parse_models(r.body) == std::vector<std::string>{"a-1", "b-2"});
  CHECK(http_call("GET", m.url() + "/api/v3/models").status == 401);
  r = http_call("GET", m.url() + "/api/v3/nothing");
  CHECK(r.status == 404);
  CHECK(r.body.empty());
  CHECK(chat(m, R"({"messages":[]})", "k2").status == 400);
  auto stats = json_of(get(m, "/_mock/stats"));
  CHECK(json_int(stats, "auth_failures", 0) == 2);
}

TEST_CASE("mock_ark: magic models 404, 429, 500", "[mock]") {
  auto m = start_mock("mock_ark");
  auto r = chat(m, body_for("mock-404", false));
  CHECK(r.status == 404);
  CHECK(ark::parse_error(r.status, r.body).code == "InvalidEndpointOrModel.NotFound");
  r = chat(m, body_for("mock-429", true));
  CHECK(r.status == 429);
  CHECK(r.header("Retry-After") == "1");
  auto e = ark::parse_error(r.status, r.body);
  CHECK(e.code == "RateLimitExceeded.EndpointRPMExceeded");
  CHECK(e.retryable);
  r = chat(m, body_for("mock-500", false));
  CHECK(r.status == 500);
  CHECK(ark::parse_error(r.status, r.body).code == "InternalServiceError");
}

TEST_CASE("mock_ark: mid-stream error, split delivery, stall and slow", "[mock]") {
  auto m = start_mock("mock_ark");
  net::io_runtime io{1};
  net::http_client client{io};
  auto s = stream(client, m, body_for("mock-midstream-error", true));
  CHECK(s->status == 200);
  CHECK(s->decoder.failed());
  CHECK(s->decoder.error().code == "InternalServiceError");

  s = stream(client, m, body_for("mock-split", true, "split"));
  auto res = s->decoder.finish();
  REQUIRE(res);
  CHECK(res->text == "echo: split \xE2\x9C\x93");
  CHECK(s->chunks > 20);  // one write per byte

  s = stream(client, m, body_for("mock-stall", true), 300);
  CHECK(s->err.code == net::net_errc::timeout);
  CHECK(s->chunks >= 1);
  CHECK_FALSE(s->decoder.done());
  // The stalled exchange ends when the client goes away.
  CHECK(get(m, "/_mock/wait?kind=aborted&count=1&timeout_ms=5000").status == 200);
  CHECK(json_int(json_of(get(m, "/_mock/stats")), "in_flight", -1) == 0);

  post(m, "/_mock/latency", R"({"slow_ms":300})");
  auto t0 = std::chrono::steady_clock::now();
  CHECK(chat(m, body_for("mock-slow", false)).status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds{290});
}

TEST_CASE("mock_ark: injected faults for the next N requests", "[mock]") {
  auto m = start_mock("mock_ark");
  struct row {
    const char* kind;
    unsigned status;
    const char* code;
  };
  for (auto [kind, status, code] : {row{"401", 401, "AuthenticationError"},
                                    row{"404", 404, "InvalidEndpointOrModel.NotFound"},
                                    row{"429", 429, "RateLimitExceeded.EndpointRPMExceeded"},
                                    row{"429-quota", 429, "QuotaExceeded"},
                                    row{"500", 500, "InternalServiceError"}}) {
    INFO(kind);
    REQUIRE(post(m, "/_mock/faults", std::string{R"({"count":1,"kind":")"} + kind + "\"}").status
            == 200);
    auto r = chat(m, body_for("ok", false));
    CHECK(r.status == status);
    CHECK(ark::parse_error(r.status, r.body).code == code);
    CHECK((r.header("Retry-After") == "1") == (std::string{kind} == "429"));
  }
  CHECK(chat(m, body_for("ok", false)).status == 200);  // all consumed
  post(m, "/_mock/faults", R"({"count":2,"kind":"500"})");
  CHECK(chat(m, body_for("ok", false)).status == 500);
  CHECK(chat(m, body_for("ok", false)).status == 500);
  CHECK(chat(m, body_for("ok", false)).status == 200);

  post(m, "/_mock/faults", R"({"kind":"delay:250"})");
  auto t0 = std::chrono::steady_clock::now();
  CHECK(chat(m, body_for("ok", false)).status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds{240});

  post(m, "/_mock/faults", R"({"kind":"hang"})");
  auto r = chat(m, body_for("ok", false), key, 300);
  CHECK(r.status == 0);
  CHECK(get(m, "/_mock/wait?kind=aborted&count=1&timeout_ms=5000").status == 200);
  CHECK(post(m, "/_mock/faults", R"({"kind":"418"})").status == 400);
  auto stats = json_of(get(m, "/_mock/stats"));
  CHECK(json_int(stats, "faults_fired", 0) == 9);
  CHECK(post(m, "/_mock/reset").status == 200);
  stats = json_of(get(m, "/_mock/stats"));
  CHECK(json_int(stats, "requests", -1) == 0);
  CHECK(json_of(get(m, "/_mock/requests"))["requests"].Size() == 0);
}

TEST_CASE("mock_ark: slow requests overlap instead of queueing", "[mock]") {
  auto m = start_mock("mock_ark", {"--delay-ms", "200"});
  net::io_runtime io{1};
  net::http_client client{io};
  constexpr int n = 20;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, ok = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    net::http_request req;
    req.method = "POST";
    req.url = m.url() + "/api/v3/chat/completions";
    req.body = body_for("m", i % 2 == 0, "req " + std::to_string(i));
    req.headers = {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}};
    client.request(std::move(req), [&](net::net_error e, net::http_response r) {
      std::lock_guard<std::mutex> lk{mu};
      ++done;
      ok += !e && r.status == 200;
      cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lk{mu};
    REQUIRE(cv.wait_for(lk, std::chrono::seconds{10}, [&] { return done == n; }));
  }
  auto elapsed = std::chrono::steady_clock::now() - t0;
  CHECK(ok == n);
  auto serial = std::chrono::milliseconds{n * 200};
  double ratio = std::chrono::duration<double>(elapsed) / std::chrono::duration<double>(serial);
  INFO("elapsed/serial ratio " << ratio);
  CHECK(ratio < 0.25);
  auto stats = json_of(get(m, "/_mock/stats"));
  CHECK(json_int(stats, "max_in_flight", 0) >= 15);
  CHECK(json_int(stats, "in_flight", -1) == 0);
  CHECK(json_int(stats, "completed", 0) == n);
}

TEST_CASE("mock_ark: token delay paces the stream", "[mock]") {
  auto m = start_mock("mock_ark", {"--token-delay-ms", "20"});
  net::io_runtime io{1};
  net::http_client client{io};
  auto t0 = std::chrono::steady_clock::now();
  auto s = stream(client, m, body_for("m", true, "one two three"));
  auto res = s->decoder.finish();
  REQUIRE(res);
  CHECK(res->text == "echo: one two three");
  CHECK(s->chunks >= 5);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds{100});
}
