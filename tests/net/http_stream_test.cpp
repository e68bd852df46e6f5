// Streamed bodies, idle gaps and cancellation of http_client calls.

#include <string>

#include <catch2/catch.hpp>

#include "tests/net/http_test_util.hpp"
#include "tests/net/raw_peer.hpp"

using namespace loong::net;
using namespace loong::test;

namespace {

const std::string chunked_head = "HTTP/1.1 200 OK\r\n"
                                 "Content-Type: text/event-stream\r\n"
                                 "Transfer-Encoding: chunked\r\n\r\n";

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs)
    out += x;
  return out;
}

} // namespace

TEST_CASE("2xx chunked bodies stream to on_chunk as they arrive", "[net]") {
  collector<std::string> chunks;
  io_runtime io{1};
  raw_server srv{io,
                 {{0ms, chunked_head + "5\r\nhello\r\n"},
                  {50ms, "6\r\n world\r\n"},
                  {50ms, "0\r\n\r\n"}}};
  http_client client{io};
  auto req = make_request(srv.url() + "/sse", "POST", "{}");
  req.read_idle_timeout = 5000ms;
  auto r = fetch(client, req, [&](std::string_view c) {
    chunks.add(std::string{c});
  });
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.status == 200);
  CHECK(r.resp.body.empty());
  CHECK(find_header(r.resp.headers, "content-type") == "text/event-stream");
  CHECK(join(chunks.values()) == "hello world");
  CHECK(chunks.size() >= 2);
  // A complete chunked keep-alive response returns the connection.
  CHECK(client.idle_connections() == 1);
}

TEST_CASE("non-2xx bodies are collected even with on_chunk", "[net]") {
  collector<std::string> chunks;
  io_runtime io{1};
  raw_server srv{io,
                 {{0ms, "HTTP/1.1 503 Service Unavailable\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"
                        "4\r\nbusy\r\n0\r\n\r\n"}}};
  http_client client{io};
  auto r = fetch(client, make_request(srv.url()), [&](std::string_view c) {
    chunks.add(std::string{c});
  });
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.status == 503);
  CHECK(r.resp.body == "busy");
  CHECK(chunks.size() == 0);
}

TEST_CASE("a stalled stream fails after read_idle_timeout", "[net]") {
  collector<std::string> chunks;
  io_runtime io{1};
  raw_server srv{io, {{0ms, chunked_head + "5\r\nfirst\r\n"}}, false};
  http_client client{io};
  auto req = make_request(srv.url());
  req.timeout = 20000ms;
  req.read_idle_timeout = 200ms;
  auto t0 = std::chrono::steady_clock::now();
  auto r = fetch(client, req, [&](std::string_view c) {
    chunks.add(std::string{c});
  });
  CHECK(r.err.code == net_errc::timeout);
  CHECK(r.resp.status == 200);
  CHECK(join(chunks.values()) == "first");
  CHECK(elapsed_ms(t0) >= 150);
  CHECK(elapsed_ms(t0) < 5000);
}

TEST_CASE("cancel() ends running and queued calls with cancelled", "[net]") {
  io_runtime io{2};
  raw_server silent{io, {}};
  http_client_options opts;
  opts.max_active_per_host = 1;
  http_client client{io, opts};
  std::shared_ptr<http_call> running;
  std::shared_ptr<http_call> queued;
  auto a = start_fetch(client, make_request(silent.url()), {}, &running);
  auto b = start_fetch(client, make_request(silent.url()), {}, &queued);
  REQUIRE(eventually([&] { return silent.connections() == 1; }));
  auto t0 = std::chrono::steady_clock::now();
  queued->cancel();
  auto rb = b->wait();
  REQUIRE(rb);
  CHECK(rb->err.code == net_errc::cancelled);
  running->cancel();
  auto ra = a->wait();
  REQUIRE(ra);
  CHECK(ra->err.code == net_errc::cancelled);
  CHECK(elapsed_ms(t0) < 2000);
  // Cancelling again, or after completion, never runs a callback twice.
  running->cancel();
  queued->cancel();
  CHECK(eventually([&] { return client.active_connections() == 0; }));
  CHECK(a->calls() == 1);
  CHECK(b->calls() == 1);
  CHECK(silent.connections() == 1);
}

TEST_CASE("destroying the client cancels outstanding calls", "[net]") {
  io_runtime io{1};
  raw_server silent{io, {}};
  std::shared_ptr<one_shot<fetch_result>> shot;
  {
    http_client client{io};
    shot = start_fetch(client, make_request(silent.url()));
    REQUIRE(eventually([&] { return silent.connections() == 1; }));
  }
  auto r = shot->wait();
  REQUIRE(r);
  CHECK(r->err.code == net_errc::cancelled);
  CHECK(shot->calls() == 1);
}

TEST_CASE("callbacks may start new requests from inside themselves",
          "[net]") {
  one_shot<fetch_result> second;
  io_runtime io{1};
  auto srv = start_server(io);
  http_client client{io};
  auto url = srv->url();
  client.request(make_request(url, "POST", "1"),
                 [&](net_error err, http_response) {
                   // No Catch2 assertions on I/O threads: hand errors over.
                   if (err)
                     return second.set({std::move(err), {}});
                   client.request(make_request(url, "POST", "2"),
                                  [&](net_error e, http_response r) {
                                    second.set({std::move(e), std::move(r)});
                                  });
                 });
  auto r = second.wait();
  REQUIRE(r);
  CHECK_FALSE(r->err);
  CHECK(r->resp.body == "2");
  CHECK(srv->accepted_connections() == 1);
}
