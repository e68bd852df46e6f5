// webhook_hub mechanics: malformed and hostile HTTP (raw client and the net
// http_client), route collisions and bind errors, the pending bound, a
// listener that goes away, drain, and the rejection log's rate limit.

#include <future>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "net/http_server.hpp"
#include "tests/actors/webhook/webhook_fixture.hpp"

using namespace loong;
using namespace loong::test;
using namespace std::chrono_literals;

namespace {

const std::string bind_any = "127.0.0.1:0";

std::string event_fields(const std::string& event_id) {
  return R"("event_id":")" + event_id + R"(","message_id":"om_)" + event_id
         + R"(","chat_id":"oc_hook","text":"hi")";
}

// Waits for `x` to end and returns its exit reason.
caf::error exit_reason(webhook_fixture& f, const webhook_listener_actor& x) {
  caf::scoped_actor self{f.sys.sys()};
  self->monitor(x);
  caf::error reason;
  bool down = false;
  self->receive(
    [&](const caf::down_msg& dm) {
      reason = dm.reason;
      down = true;
    },
    caf::after(10s) >> [] {});
  REQUIRE(down);
  return reason;
}

std::string count_lines(const std::string& text, const std::string& needle) {
  size_t n = 0;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line))
    if (line.find(needle) != std::string::npos)
      ++n;
  return std::to_string(n);
}

} // namespace

TEST_CASE("wrong path 404, wrong method 405, non-JSON 400, oversized 413", "[webhook]") {
  webhook_fixture f;
  webhook_options opts;
  opts.body_limit = 2048;
  auto& a = f.spawn(webhook_fixture::make_account("a", bind_any, "/feishu/events", key_a,
                                                  token_a),
                    opts);
  auto nowhere = http_call("POST", f.url(bind_any, "/elsewhere"), "{}");
  CHECK(nowhere.status == 404);
  CHECK(nowhere.body == R"({"code":404,"msg":"not found"})");
  auto get = http_call("GET", f.url(bind_any, "/feishu/events"));
  CHECK(get.status == 405);
  CHECK(get.body == R"({"code":405,"msg":"method not allowed"})");
  CHECK(get.header("Allow") == "POST");
  // The query string is not part of the route.
  auto junk = http_call("POST", f.url(bind_any, "/feishu/events?x=1"), "this is not json");
  CHECK(junk.status == 400);
  CHECK(junk.body == R"({"code":400,"msg":"bad request"})");
  auto big = http_call("POST", f.url(bind_any, "/feishu/events"),
                       "{\"pad\":\"" + std::string(4096, 'x') + "\"}");
  CHECK(big.status == 413);
  CHECK(a.log->calls() == 0);
  auto stats = f.hub->stats(bind_any, "/feishu/events");
  REQUIRE(stats);
  CHECK(stats->rejected_by_reason["method_not_allowed"] == 1);
  CHECK(stats->rejected_by_reason["not_json"] == 1);
  CHECK(f.status(a).rejected == 2);
}

TEST_CASE("slow headers are cut off by the header timeout", "[webhook]") {
  webhook_fixture f;
  webhook_options opts;
  opts.header_timeout_ms = 300;
  f.spawn(webhook_fixture::make_account("a", bind_any, "/feishu/events", key_a, token_a),
          opts);
  auto port = f.hub->port(bind_any);
  REQUIRE(port);
  // Slowloris: a header block that never ends.
  auto r = raw_exchange(*port, "POST /feishu/events HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n", 5s);
  REQUIRE(r.connected);
  CHECK(r.closed);
  CHECK(r.data.empty());
  CHECK(r.elapsed >= 250ms);
  CHECK(r.elapsed < 5s);
  // The server still serves others.
  CHECK(http_call("POST", f.url(bind_any, "/x"), "{}").status == 404);
}

TEST_CASE("a path claimed twice on one bind is refused naming both accounts", "[webhook]") {
  webhook_fixture f;
  auto& a = f.spawn(webhook_fixture::make_account("first", bind_any, "/shared", key_a,
                                                  token_a));
  auto& b = f.spawn_unchecked(webhook_fixture::make_account("second", bind_any, "/shared",
                                                            key_b, token_b));
  auto reason = exit_reason(f, b.listener);
  REQUIRE(reason);
  CHECK(reason == ec::invalid_config);
  auto text = describe(reason);
  CHECK(text.find("'first'") != std::string::npos);
  CHECK(text.find("'second'") != std::string::npos);
  CHECK(text.find("/shared") != std::string::npos);
  b.listener = nullptr;
  // The first keeps its route.
  CHECK(f.status(a).state == "listening");
  // Direct hub mounts: malformed binds and paths.
  for (auto bad : {"nohost", "127.0.0.1:", "127.0.0.1:99999", "example.com:80", ":80"}) {
    auto m = f.hub->mount(bad, "/p", {}, a.listener, "x");
    INFO(bad);
    REQUIRE(!m);
    CHECK(m.error() == ec::invalid_config);
    CHECK(describe(m.error()).find(bad) != std::string::npos);
  }
  auto nopath = f.hub->mount(bind_any, "no-slash", {}, a.listener, "x");
  REQUIRE(!nopath);
  CHECK(nopath.error() == ec::invalid_config);
  auto parsed = parse_webhook_bind("localhost:8080");
  REQUIRE(parsed);
  CHECK(parsed->first == "127.0.0.1");
  CHECK(parsed->second == 8080);
}

TEST_CASE("a restarted listener of the same account takes its path over", "[webhook]") {
  webhook_fixture f;
  auto& a = f.spawn(webhook_fixture::make_account("a", bind_any, "/e", key_a, token_a));
  // What a restart looks like before the old exit hook ran: a second mount
  // of the same account and path.
  feishu::webhook_secrets s;
  s.verification_token = token_a;
  auto again = f.hub->mount(bind_any, "/e", s, a.listener, "a");
  REQUIRE(again);
  CHECK(again->mounted());
  CHECK(f.hub->servers() == 1);
  // The old mount is gone; its unmount (the old actor's exit) leaves the
  // new one alone.
  f.sys.stop(a.listener);
  a.listener = nullptr;
  CHECK(again->mounted());
  CHECK(f.hub->servers() == 1);
  CHECK(http_call("POST", f.url(bind_any, "/e"), "junk").status == 400);
  again->unmount();
  CHECK(!again->mounted());
  CHECK(f.hub->servers() == 0);
}

TEST_CASE("an address in use makes the listener quit naming bind and path", "[webhook]") {
  webhook_fixture f;
  // Someone else holds the port.
  auto other = net::http_server::start(f.sys.io(), {}, [](net::server_request,
                                                          net::respond_fn r) {
    r(net::server_response{});
  });
  REQUIRE(other);
  auto bind = "127.0.0.1:" + std::to_string(other->port());
  auto& a = f.spawn_unchecked(webhook_fixture::make_account("a", bind, "/events", key_a,
                                                            token_a));
  auto reason = exit_reason(f, a.listener);
  a.listener = nullptr;
  REQUIRE(reason);
  CHECK(reason == ec::transport_failed);
  auto text = describe(reason);
  CHECK(text.find(bind) != std::string::npos);
  CHECK(text.find("/events") != std::string::npos);
  CHECK(f.hub->servers() == 0);
  other->stop();
}

TEST_CASE("a listener needs a hub, a parent and a verification token", "[webhook]") {
  webhook_fixture f;
  auto& a = f.spawn_unchecked(webhook_fixture::make_account("a", bind_any, "/e", key_a, ""));
  auto reason = exit_reason(f, a.listener);
  a.listener = nullptr;
  CHECK(reason == ec::invalid_config);
  CHECK(describe(reason).find("verification_token") != std::string::npos);
  auto no_hub = f.sys.sys().spawn(webhook_listener, f.sys.runtime(),
                                  webhook_fixture::make_account("b", bind_any, "/e",
                                                                key_a, token_a),
                                  a.parent, webhook_options{});
  CHECK(exit_reason(f, no_hub) == ec::invalid_config);
  CHECK(f.hub->servers() == 0);
}

TEST_CASE("beyond the pending limit events get 503 at once", "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  webhook_options opts;
  opts.pending_limit = 2;
  opts.verdict_timeout_ms = 20000;
  auto& a = f.spawn(webhook_fixture::make_account("a", bind_any, "/e", key_a, token_a),
                    opts);
  a.log->hold = true;
  auto target = f.url(bind_any, "/e");
  std::vector<std::future<delivery>> held;
  for (int i = 0; i < 2; ++i)
    held.push_back(std::async(std::launch::async, [&f, target, i] {
      return f.deliver(target, "cli_hook_a", event_fields("evt_p" + std::to_string(i)));
    }));
  REQUIRE(eventually([&] { return a.log->accepted_count() == 2; }));
  auto third = f.deliver(target, "cli_hook_a", event_fields("evt_p2"));
  CHECK(third.status == 503);
  CHECK(a.log->calls() == 2);
  f.release(a);
  for (auto& fut : held) {
    REQUIRE(fut.wait_for(20s) == std::future_status::ready);
    CHECK(fut.get().status == 200);
  }
  auto stats = f.hub->stats(bind_any, "/e");
  REQUIRE(stats);
  CHECK(stats->overloaded == 1);
  // Room again: the redelivery is taken.
  a.log->hold = false;
  CHECK(f.deliver(target, "cli_hook_a", event_fields("evt_p2")).status == 200);
}

TEST_CASE("events pending when the listener goes away are answered 500", "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  webhook_options opts;
  opts.verdict_timeout_ms = 20000;
  auto& a = f.spawn(webhook_fixture::make_account("a", bind_any, "/e", key_a, token_a),
                    opts);
  a.log->hold = true;
  auto target = f.url(bind_any, "/e");
  auto fut = std::async(std::launch::async, [&f, target] {
    return f.deliver(target, "cli_hook_a", event_fields("evt_orphan"));
  });
  REQUIRE(eventually([&] { return a.log->accepted_count() == 1; }));
  f.sys.stop(a.listener);
  a.listener = nullptr;
  REQUIRE(fut.wait_for(15s) == std::future_status::ready);
  CHECK(fut.get().status == 500);
  CHECK(f.hub->pending() == 0);
  CHECK(f.hub->servers() == 0);
}

TEST_CASE("drain answers new events 503, settles in-flight ones, then unmounts",
          "[webhook]") {
  webhook_fixture f;
  f.start_mock();
  webhook_options opts;
  opts.verdict_timeout_ms = 20000;
  auto& a = f.spawn(webhook_fixture::make_account("a", bind_any, "/e", key_a, token_a),
                    opts);
  a.log->hold = true;
  auto target = f.url(bind_any, "/e");
  auto fut = std::async(std::launch::async, [&f, target] {
    return f.deliver(target, "cli_hook_a", event_fields("evt_inflight"));
  });
  REQUIRE(eventually([&] { return a.log->accepted_count() == 1; }));
  caf::anon_send(a.listener, drain_atom_v);
  CHECK(f.status(a).state == "draining");
  auto late = f.deliver(target, "cli_hook_a", event_fields("evt_late"));
  CHECK(late.status == 503);
  CHECK(a.log->calls() == 1);
  f.release(a);
  REQUIRE(fut.wait_for(15s) == std::future_status::ready);
  CHECK(fut.get().status == 200);
  REQUIRE(eventually([&] { return f.status(a).state == "stopped"; }));
  CHECK(f.hub->servers() == 0);
  // Counters survive the unmount.
  CHECK(f.status(a).received == 1);
}

TEST_CASE("rejections are logged at most once per interval per route", "[webhook]") {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  {
    webhook_fixture f;
    // After the fixture, which may silence logging for the whole process.
    auto logger = std::make_shared<spdlog::logger>(
      "webhook-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
    webhook_options opts;
    opts.reject_log_interval_ms = 600000;
    f.spawn(webhook_fixture::make_account("a", bind_any, "/e", key_a, token_a), opts);
    for (int i = 0; i < 10; ++i)
      CHECK(http_call("POST", f.url(bind_any, "/e"), "garbage").status == 400);
    auto stats = f.hub->stats(bind_any, "/e");
    REQUIRE(stats);
    CHECK(stats->rejected == 10);
  }
  spdlog::set_default_logger(previous);
  auto text = out.str();
  INFO(text);
  CHECK(count_lines(text, "rejected a request") == "1");
  CHECK(text.find("not_json") != std::string::npos);
  // Never a secret in the log.
  CHECK(text.find(key_a) == std::string::npos);
  CHECK(text.find(token_a) == std::string::npos);
}

TEST_CASE("log_limiter lets one line per interval through and counts the rest",
          "[webhook]") {
  log_limiter l{1000};
  CHECK(l.admit(5000) == 0);
  CHECK(l.admit(5100) == -1);
  CHECK(l.admit(5999) == -1);
  CHECK(l.admit(6000) == 2);
  CHECK(l.admit(6001) == -1);
  CHECK(l.admit(9000) == 1);
  log_limiter every{0};
  CHECK(every.admit(1) == 0);
  CHECK(every.admit(1) == 0);
}
