// http_client against the real http_server and scripted raw peers, over
// plain TCP on 127.0.0.1.

#include <string>

#include <catch2/catch.hpp>

#include "tests/net/http_test_util.hpp"
#include "tests/net/raw_peer.hpp"

using namespace loong::net;
using namespace loong::test;
using Catch::Matchers::Contains;

TEST_CASE("http GET and POST round trip over plain TCP", "[net]") {
  io_runtime io{2};
  auto srv = start_server(io);
  http_client client{io};
  auto get = make_request(srv->url() + "/path?q=1");
  get.headers = {{"X-Echo", "hello"}};
  auto r = fetch(client, get);
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.status == 200);
  CHECK(find_header(r.resp.headers, "x-method") == "GET");
  CHECK(find_header(r.resp.headers, "x-target") == "/path?q=1");
  CHECK(find_header(r.resp.headers, "x-remote") == "127.0.0.1");
  CHECK(find_header(r.resp.headers, "x-host")
        == "127.0.0.1:" + std::to_string(srv->port()));
  CHECK(find_header(r.resp.headers, "x-ua") == "loong/0.1");
  CHECK(find_header(r.resp.headers, "x-echo") == "hello");
  CHECK(find_header(r.resp.headers, "content-type") == "text/plain");
  CHECK(r.resp.body.empty());
  std::string body = R"({"a":1})";
  body += std::string("\0\xff", 2);
  r = fetch(client, make_request(srv->url() + "/submit", "POST", body));
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.status == 200);
  CHECK(find_header(r.resp.headers, "x-method") == "POST");
  CHECK(r.resp.body == body);
}

TEST_CASE("sequential requests reuse one keep-alive connection", "[net]") {
  io_runtime io{2};
  auto srv = start_server(io);
  http_client client{io};
  for (int i = 0; i < 5; ++i) {
    auto r = fetch(client, make_request(srv->url() + "/n", "POST",
                                        std::to_string(i)));
    REQUIRE_FALSE(r.err);
    CHECK(r.resp.body == std::to_string(i));
  }
  CHECK(srv->accepted_connections() == 1);
  CHECK(client.idle_connections() == 1);
  CHECK(client.active_connections() == 0);
}

TEST_CASE("requests beyond max_active_per_host queue in FIFO order",
          "[net]") {
  using held = std::pair<std::string, respond_fn>;
  collector<held> arrived;
  io_runtime io{2};
  scope_exit release{[&] { arrived.clear(); }};
  auto srv = start_server(io, {}, [&](server_request req, respond_fn fn) {
    arrived.add({req.target, std::move(fn)});
  });
  http_client_options opts;
  opts.max_active_per_host = 2;
  http_client client{io, opts};
  std::vector<std::shared_ptr<one_shot<fetch_result>>> shots;
  for (int i = 0; i < 6; ++i)
    shots.push_back(
      start_fetch(client, make_request(srv->url() + "/" + std::to_string(i))));
  REQUIRE(arrived.wait_for(2));
  CHECK(client.active_connections() == 2);
  auto first = arrived.values();
  CHECK(((first[0].first == "/0" && first[1].first == "/1")
         || (first[0].first == "/1" && first[1].first == "/0")));
  // Each answer frees a connection, which takes the oldest queued request.
  for (size_t i = 0; i < 6; ++i) {
    REQUIRE(arrived.wait_for(std::min<size_t>(i + 2, 6)));
    auto xs = arrived.values();
    // xs[i + 1] arrived because the answer to xs[i - 1] freed a connection.
    if (i >= 1 && i + 1 < 6)
      CHECK(xs[i + 1].first == "/" + std::to_string(i + 1));
    xs[i].second({200, {}, xs[i].first});
  }
  for (size_t i = 0; i < shots.size(); ++i) {
    auto r = shots[i]->wait();
    REQUIRE(r);
    CHECK_FALSE(r->err);
    CHECK(r->resp.body == "/" + std::to_string(i));
  }
  CHECK(srv->accepted_connections() == 2);
}

TEST_CASE("a full queue fails with overloaded at once", "[net]") {
  collector<respond_fn> held;
  io_runtime io{2};
  scope_exit release{[&] { held.clear(); }};
  auto srv = start_server(io, {}, [&](server_request, respond_fn fn) {
    held.add(std::move(fn));
  });
  http_client_options opts;
  opts.max_active_per_host = 1;
  opts.max_queued_per_host = 1;
  http_client client{io, opts};
  auto a = start_fetch(client, make_request(srv->url() + "/a"));
  REQUIRE(held.wait_for(1));
  auto b = start_fetch(client, make_request(srv->url() + "/b"));
  auto c = fetch(client, make_request(srv->url() + "/c"));
  CHECK(c.err.code == net_errc::overloaded);
  CHECK_THAT(c.err.detail, Contains("127.0.0.1"));
  held.values()[0]({200, {}, "a"});
  REQUIRE(held.wait_for(2));
  held.values()[1]({200, {}, "b"});
  auto ra = a->wait();
  auto rb = b->wait();
  REQUIRE((ra && rb));
  CHECK(ra->resp.body == "a");
  CHECK(rb->resp.body == "b");
}

TEST_CASE("a refused connection fails with connect_failed", "[net]") {
  io_runtime io{1};
  uint16_t port = 0;
  {
    raw_server probe{io, {}};
    port = probe.port();
  }
  http_client client{io};
  auto r = fetch(client,
                 make_request("http://127.0.0.1:" + std::to_string(port)));
  CHECK(r.err.code == net_errc::connect_failed);
  CHECK_THAT(r.err.detail,
             Contains("connect 127.0.0.1:" + std::to_string(port))
               && Contains("refused"));
  CHECK(r.resp.status == 0);
}

TEST_CASE("a server that never answers hits the total timeout", "[net]") {
  io_runtime io{1};
  raw_server silent{io, {}};
  http_client client{io};
  auto req = make_request(silent.url() + "/slow");
  req.timeout = 300ms;
  auto t0 = std::chrono::steady_clock::now();
  auto r = fetch(client, req);
  CHECK(r.err.code == net_errc::timeout);
  CHECK(elapsed_ms(t0) >= 250);
  CHECK(elapsed_ms(t0) < 3000);
  CHECK(client.active_connections() == 0);
}

TEST_CASE("invalid URLs and unsafe fields fail without I/O", "[net]") {
  io_runtime io{1};
  http_client client{io};
  CHECK(fetch(client, make_request("ftp://x/")).err.code
        == net_errc::invalid_url);
  CHECK(fetch(client, make_request("not a url")).err.code
        == net_errc::invalid_url);
  auto req = make_request("http://127.0.0.1:1/");
  req.headers = {{"X-Bad", "a\r\nInjected: 1"}};
  CHECK(fetch(client, req).err.code == net_errc::protocol_error);
}

TEST_CASE("responses beyond max_response_bytes fail too_large", "[net]") {
  io_runtime io{1};
  auto srv = start_server(io, {}, [](server_request, respond_fn fn) {
    fn({200, {}, std::string(4096, 'x')});
  });
  raw_server chunked{io,
                     {{0ms, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
                            "\r\n\r\n800\r\n"
                              + std::string(2048, 'y') + "\r\n0\r\n\r\n"}}};
  http_client client{io};
  auto req = make_request(srv->url());
  req.max_response_bytes = 1024;
  auto r = fetch(client, req);
  CHECK(r.err.code == net_errc::too_large);
  req.url = chunked.url();
  r = fetch(client, req);
  CHECK(r.err.code == net_errc::too_large);
  // The connection that failed is not pooled; the next request works.
  req.url = srv->url();
  req.max_response_bytes = 8192;
  r = fetch(client, req);
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.body.size() == 4096);
}

TEST_CASE("truncated and malformed responses are errors, not crashes",
          "[net]") {
  struct scenario {
    const char* name;
    std::string bytes;
    net_errc expected;
  };
  std::vector<scenario> xs{
    {"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
     net_errc::io_error},
    {"no status line", "NOT HTTP AT ALL\r\n\r\n", net_errc::protocol_error},
    {"bad length", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
     net_errc::protocol_error},
    {"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
     net_errc::protocol_error},
    {"closed silently", "", net_errc::io_error},
    {"truncated header", "HTTP/1.1 200 OK\r\nContent-Le", net_errc::io_error},
  };
  io_runtime io{1};
  http_client client{io};
  for (const auto& x : xs) {
    INFO(x.name);
    raw_server srv{io, {{0ms, x.bytes}}};
    auto r = fetch(client, make_request(srv.url()));
    CHECK(r.err.code == x.expected);
    CHECK_FALSE(r.err.detail.empty());
  }
  CHECK(client.idle_connections() == 0);
}

TEST_CASE("a stale pooled connection is retried once on a fresh one",
          "[net]") {
  io_runtime io{1};
  // Answers keep-alive, then closes: the pooled connection goes stale.
  raw_server srv{io, {{0ms, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}}};
  http_client client{io};
  auto r = fetch(client, make_request(srv.url()));
  REQUIRE_FALSE(r.err);
  REQUIRE(eventually([&] { return srv.closed_connections() == 1; }));
  CHECK(client.idle_connections() == 1);
  r = fetch(client, make_request(srv.url(), "POST", "again"));
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.body == "ok");
  CHECK(srv.connections() == 2);
}

TEST_CASE("idle pooled connections close after idle_timeout", "[net]") {
  io_runtime io{1};
  auto srv = start_server(io);
  http_client_options opts;
  opts.idle_timeout = 100ms;
  http_client client{io, opts};
  REQUIRE_FALSE(fetch(client, make_request(srv->url())).err);
  CHECK(client.idle_connections() == 1);
  CHECK(eventually([&] { return client.idle_connections() == 0; }));
  CHECK(eventually([&] { return srv->active_connections() == 0; }));
  http_client_options no_pool;
  no_pool.max_idle_per_host = 0;
  http_client other{io, no_pool};
  REQUIRE_FALSE(fetch(other, make_request(srv->url())).err);
  CHECK(other.idle_connections() == 0);
}
