// http_server limits, timeouts and the respond_fn contract.

#include <atomic>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/net/http_test_util.hpp"
#include "tests/net/raw_peer.hpp"

using namespace loong::net;
using namespace loong::test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

TEST_CASE("bodies over body_limit get 413 without reaching the handler",
          "[net]") {
  std::atomic<int> handled{0};
  io_runtime io{1};
  http_server_options opts;
  opts.body_limit = 100;
  auto srv = start_server(io, opts, [&](server_request req, respond_fn fn) {
    ++handled;
    fn({200, {}, req.body});
  });
  http_client client{io};
  auto r = fetch(client, make_request(srv->url(), "POST", std::string(1000, 'a')));
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.status == 413);
  CHECK(handled == 0);
  r = fetch(client, make_request(srv->url(), "POST", std::string(100, 'a')));
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.status == 200);
  CHECK(handled == 1);
}

TEST_CASE("slow headers are cut off by header_timeout", "[net]") {
  io_runtime io{1};
  http_server_options opts;
  opts.header_timeout = 200ms;
  auto srv = start_server(io, opts);
  auto t0 = std::chrono::steady_clock::now();
  auto r = raw_exchange(srv->port(), "GET / HTTP/1.1\r\nHost: x\r\n", 5000ms);
  CHECK(r.connected);
  CHECK(r.closed);
  CHECK(r.data.empty());
  CHECK(elapsed_ms(t0) >= 150);
  CHECK(elapsed_ms(t0) < 4000);
}

TEST_CASE("idle keep-alive connections close after keep_alive_timeout",
          "[net]") {
  io_runtime io{1};
  http_server_options opts;
  opts.keep_alive_timeout = 200ms;
  auto srv = start_server(io, opts);
  auto t0 = std::chrono::steady_clock::now();
  auto r = raw_exchange(srv->port(), "GET /k HTTP/1.1\r\nHost: x\r\n\r\n",
                        5000ms);
  CHECK_THAT(r.data, StartsWith("HTTP/1.1 200"));
  CHECK(r.closed);
  CHECK(elapsed_ms(t0) < 4000);
  CHECK(eventually([&] { return srv->active_connections() == 0; }));
}

TEST_CASE("malformed requests get 400 and the connection closes", "[net]") {
  io_runtime io{1};
  auto srv = start_server(io);
  auto r = raw_exchange(srv->port(), "BLAH\r\n\r\n", 5000ms);
  CHECK_THAT(r.data, StartsWith("HTTP/1.1 400"));
  CHECK(r.closed);
}

TEST_CASE("respond_fn may be called later from another thread", "[net]") {
  one_shot<respond_fn> handed;
  io_runtime io{2};
  scope_exit release{[&] { handed.reset(); }};
  auto srv = start_server(io, {}, [&](server_request, respond_fn fn) {
    handed.set(std::move(fn));
  });
  http_client client{io};
  auto shot = start_fetch(client, make_request(srv->url()));
  auto fn = handed.wait();
  REQUIRE(fn);
  std::thread other{[fn = *fn] {
    server_response res;
    res.status = 201;
    res.body = R"({"later":true})";
    fn(std::move(res));
    // A second call is ignored.
    fn({500, {}, "again"});
  }};
  other.join();
  auto r = shot->wait();
  REQUIRE(r);
  REQUIRE_FALSE(r->err);
  CHECK(r->resp.status == 201);
  CHECK(r->resp.body == R"({"later":true})");
  CHECK(find_header(r->resp.headers, "content-type") == "application/json");
}

TEST_CASE("a dropped respond_fn answers 500", "[net]") {
  io_runtime io{1};
  auto srv = start_server(io, {}, [](server_request, respond_fn) {});
  http_client client{io};
  auto r = fetch(client, make_request(srv->url()));
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.status == 500);
  CHECK_THAT(r.resp.body, Contains("no response"));
  // Keep-alive survives the 500.
  r = fetch(client, make_request(srv->url()));
  CHECK(r.resp.status == 500);
  CHECK(srv->accepted_connections() == 1);
}

TEST_CASE("respond_fn after the server stopped is ignored", "[net]") {
  collector<respond_fn> held;
  io_runtime io{1};
  scope_exit release{[&] { held.clear(); }};
  auto srv = start_server(io, {}, [&](server_request, respond_fn fn) {
    held.add(std::move(fn));
  });
  http_client client{io};
  auto shot = start_fetch(client, make_request(srv->url()));
  REQUIRE(held.wait_for(1));
  srv->stop();
  srv->stop();
  auto r = shot->wait();
  REQUIRE(r);
  CHECK(r->err);
  held.values()[0]({200, {}, "too late"});
  CHECK(eventually([&] { return srv->active_connections() == 0; }));
  auto again = fetch(client, make_request(srv->url()));
  CHECK((again.err.code == net_errc::connect_failed
         || again.err.code == net_errc::io_error));
}

TEST_CASE("connections beyond max_connections are closed at once",
          "[net]") {
  collector<respond_fn> held;
  io_runtime io{1};
  scope_exit release{[&] { held.clear(); }};
  http_server_options opts;
  opts.max_connections = 1;
  auto srv = start_server(io, opts, [&](server_request, respond_fn fn) {
    held.add(std::move(fn));
  });
  http_client client{io};
  auto shot = start_fetch(client, make_request(srv->url()));
  REQUIRE(held.wait_for(1));
  CHECK(srv->active_connections() == 1);
  auto r = raw_exchange(srv->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                        5000ms);
  CHECK(r.connected);
  CHECK(r.closed);
  CHECK(r.data.empty());
  held.values()[0]({200, {}, "ok"});
  auto ok = shot->wait();
  REQUIRE(ok);
  CHECK(ok->resp.body == "ok");
  CHECK(srv->accepted_connections() == 2);
}

TEST_CASE("a response with close=true closes the connection", "[net]") {
  io_runtime io{1};
  auto srv = start_server(io, {}, [](server_request, respond_fn fn) {
    server_response res;
    res.body = "bye";
    res.close = true;
    res.content_type.clear();
    fn(std::move(res));
  });
  http_client client{io};
  auto r = fetch(client, make_request(srv->url()));
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.body == "bye");
  CHECK(find_header(r.resp.headers, "connection") == "close");
  CHECK(find_header(r.resp.headers, "content-type").empty());
  CHECK(client.idle_connections() == 0);
  REQUIRE_FALSE(fetch(client, make_request(srv->url())).err);
  CHECK(srv->accepted_connections() == 2);
}

TEST_CASE("binding a port in use fails with an error", "[net]") {
  io_runtime io{1};
  auto srv = start_server(io);
  http_server_options opts;
  opts.port = srv->port();
  net_error err;
  auto second = http_server::start(io, opts, echo_handler(), {}, &err);
  CHECK_FALSE(second);
  CHECK(err.code == net_errc::io_error);
  CHECK_THAT(err.detail, Contains("in use"));
  opts.port = 0;
  opts.bind_host = "not-an-ip";
  CHECK_FALSE(http_server::start(io, opts, echo_handler(), {}, &err));
  CHECK(err.code == net_errc::invalid_url);
  CHECK_THAT(srv->url(), StartsWith("http://127.0.0.1:"));
}

TEST_CASE("Expect: 100-continue gets an interim response", "[net]") {
  io_runtime io{1};
  auto srv = start_server(io);
  auto r = raw_exchange(srv->port(),
                        "POST /e HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        "Expect: 100-continue\r\nContent-Length: 4\r\n\r\nbody",
                        5000ms);
  CHECK_THAT(r.data, StartsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200"));
  CHECK_THAT(r.data, Contains("\r\n\r\nbody"));
  CHECK(r.closed);
}
