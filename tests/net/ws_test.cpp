// ws_client against server-side WebSocket sessions on the http_server's
// port, plain and TLS.

#include <string>

#include <catch2/catch.hpp>

#include "net/ws_client.hpp"
#include "tests/net/http_test_util.hpp"
#include "tests/net/raw_peer.hpp"
#include "tests/support/test_cert.hpp"

using namespace loong::net;
using namespace loong::test;
using Catch::Matchers::Contains;

namespace {

using close_event = std::pair<net_error, http_response>;
using message = std::pair<std::string, bool>;

/// Records a client's callbacks. Declare it before the io_runtime.
struct client_probe {
  one_shot<bool> opened;
  collector<message> messages;
  one_shot<close_event> closed;

  ws_client_events events() {
    ws_client_events ev;
    ev.on_open = [this] { opened.set(true); };
    ev.on_message = [this](std::string data, bool binary) {
      messages.add({std::move(data), binary});
    };
    ev.on_close = [this](net_error err, http_response resp) {
      closed.set({std::move(err), std::move(resp)});
    };
    return ev;
  }
};

/// Records the server side; holds sessions until reset() before the
/// runtime dies.
struct server_probe {
  collector<std::string> targets;
  one_shot<std::shared_ptr<ws_session>> session;
  collector<net_errc> closed;

  /// Accepts every upgrade and echoes each message back.
  ws_upgrade_handler echo() {
    return [this](const server_request& req) {
      targets.add(req.target + " " + find_header(req.headers, "x-device"));
      ws_accept a;
      a.on_open = [this](std::shared_ptr<ws_session> s) {
        session.set(std::move(s));
      };
      a.on_message = [](std::shared_ptr<ws_session> s, std::string data,
                        bool binary) { s->send(std::move(data), binary); };
      a.on_close = [this](std::shared_ptr<ws_session>, net_error err) {
        closed.add(err.code);
      };
      return a;
    };
  }
};

std::string all_bytes(size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<char>(i % 256);
  return out;
}

void check_echo(io_runtime& io, const std::string& url, client_probe& probe,
                server_probe& server) {
  ws_client_options opts;
  opts.extra_headers = {{"X-Device", "d1"}};
  auto c = ws_client::connect(io, url, opts, probe.events());
  REQUIRE(probe.opened.wait());
  auto payload = all_bytes(64 * 1024);
  REQUIRE(payload.find('\0') != std::string::npos);
  REQUIRE(payload.find('\xff') != std::string::npos);
  c->send(payload, true);
  c->send("hello", false);
  REQUIRE(probe.messages.wait_for(2));
  auto xs = probe.messages.values();
  CHECK(xs[0].first == payload);
  CHECK(xs[0].second);
  CHECK(xs[1].first == "hello");
  CHECK_FALSE(xs[1].second);
  CHECK(server.targets.values().at(0) == "/echo?x=1 d1");
  c->close();
  auto closed = probe.closed.wait();
  REQUIRE(closed);
  CHECK(closed->first.code == net_errc::closed);
  REQUIRE(server.closed.wait_for(1));
  CHECK(server.closed.values()[0] == net_errc::closed);
  CHECK(probe.closed.calls() == 1);
}

} // namespace

TEST_CASE("websocket echo over plain TCP", "[net]") {
  client_probe probe;
  server_probe server;
  io_runtime io{2};
  scope_exit release{[&] { server.session.reset(); }};
  auto srv = start_server(io, {}, echo_handler(), server.echo());
  check_echo(io, "ws://127.0.0.1:" + std::to_string(srv->port()) + "/echo?x=1",
             probe, server);
  CHECK(eventually([&] { return srv->active_connections() == 0; }));
}

TEST_CASE("websocket echo over TLS", "[net]") {
  auto cert = make_test_cert();
  client_probe probe;
  server_probe server;
  io_runtime io{2};
  io.trust_pem(cert.cert_pem);
  scope_exit release{[&] { server.session.reset(); }};
  http_server_options opts;
  opts.tls_cert_pem = cert.cert_pem;
  opts.tls_key_pem = cert.key_pem;
  auto srv = start_server(io, opts, echo_handler(), server.echo());
  check_echo(io, "wss://localhost:" + std::to_string(srv->port())
                   + "/echo?x=1",
             probe, server);
}

TEST_CASE("wss against an untrusted certificate fails with tls_failed",
          "[net]") {
  auto cert = make_test_cert();
  client_probe probe;
  server_probe server;
  io_runtime io{1};
  scope_exit release{[&] { server.session.reset(); }};
  http_server_options opts;
  opts.tls_cert_pem = cert.cert_pem;
  opts.tls_key_pem = cert.key_pem;
  auto srv = start_server(io, opts, echo_handler(), server.echo());
  ws_client::connect(io, "wss://localhost:" + std::to_string(srv->port()),
                     {}, probe.events());
  auto closed = probe.closed.wait();
  REQUIRE(closed);
  CHECK(closed->first.code == net_errc::tls_failed);
  CHECK(probe.opened.calls() == 0);
}

TEST_CASE("a refused upgrade surfaces status and Handshake-* fields",
          "[net]") {
  client_probe probe;
  client_probe no_handler_probe;
  io_runtime io{1};
  auto srv = start_server(io, {}, echo_handler(), [](const server_request&) {
    ws_accept a;
    a.accept = false;
    a.refusal.status = 403;
    a.refusal.headers = {{"Handshake-Status", "514"},
                         {"Handshake-Msg", "ticket expired"},
                         {"Handshake-Autherrcode", "1000040351"}};
    a.refusal.body = R"({"code":514})";
    return a;
  });
  auto url = "ws://127.0.0.1:" + std::to_string(srv->port()) + "/ws";
  ws_client::connect(io, url, {}, probe.events());
  auto closed = probe.closed.wait();
  REQUIRE(closed);
  CHECK(closed->first.code == net_errc::handshake_rejected);
  CHECK_THAT(closed->first.detail, Contains("403"));
  CHECK(closed->second.status == 403);
  CHECK(find_header(closed->second.headers, "handshake-status") == "514");
  CHECK(find_header(closed->second.headers, "handshake-msg")
        == "ticket expired");
  CHECK(find_header(closed->second.headers, "handshake-autherrcode")
        == "1000040351");
  CHECK(closed->second.body == R"({"code":514})");
  CHECK(probe.opened.calls() == 0);
  // Without an upgrade handler the server answers 404.
  auto plain = start_server(io);
  ws_client::connect(io, "ws://127.0.0.1:" + std::to_string(plain->port()),
                     {}, no_handler_probe.events());
  auto c404 = no_handler_probe.closed.wait();
  REQUIRE(c404);
  CHECK(c404->first.code == net_errc::handshake_rejected);
  CHECK(c404->second.status == 404);
}

TEST_CASE("server drop() and close() end the client session", "[net]") {
  client_probe dropped;
  client_probe closed_probe;
  server_probe server;
  server_probe server2;
  io_runtime io{2};
  scope_exit release{[&] {
    server.session.reset();
    server2.session.reset();
  }};
  auto srv = start_server(io, {}, echo_handler(), server.echo());
  auto url = "ws://127.0.0.1:" + std::to_string(srv->port()) + "/echo?x=1";
  auto c = ws_client::connect(io, url, {}, dropped.events());
  auto s = server.session.wait();
  REQUIRE((s && *s));
  (*s)->drop();
  auto r = dropped.closed.wait();
  REQUIRE(r);
  CHECK((r->first.code == net_errc::io_error
         || r->first.code == net_errc::closed));
  REQUIRE(server.closed.wait_for(1));
  auto srv2 = start_server(io, {}, echo_handler(), server2.echo());
  auto c2 = ws_client::connect(
    io, "ws://127.0.0.1:" + std::to_string(srv2->port()), {},
    closed_probe.events());
  auto s2 = server2.session.wait();
  REQUIRE((s2 && *s2));
  (*s2)->send("bye", false);
  (*s2)->close();
  auto r2 = closed_probe.closed.wait();
  REQUIRE(r2);
  CHECK(r2->first.code == net_errc::closed);
  // Messages queued before close() are delivered first.
  REQUIRE(closed_probe.messages.size() == 1);
  CHECK(closed_probe.messages.values()[0].first == "bye");
}

TEST_CASE("client abort() reports cancelled at once", "[net]") {
  client_probe probe;
  server_probe server;
  io_runtime io{1};
  scope_exit release{[&] { server.session.reset(); }};
  auto srv = start_server(io, {}, echo_handler(), server.echo());
  auto c = ws_client::connect(
    io, "ws://127.0.0.1:" + std::to_string(srv->port()), {}, probe.events());
  REQUIRE(probe.opened.wait());
  c->abort();
  c->abort();
  c->close();
  auto r = probe.closed.wait();
  REQUIRE(r);
  CHECK(r->first.code == net_errc::cancelled);
  REQUIRE(server.closed.wait_for(1));
  CHECK(probe.closed.calls() == 1);
}

TEST_CASE("many queued sends arrive complete and in order", "[net]") {
  client_probe probe;
  server_probe server;
  io_runtime io{2};
  scope_exit release{[&] { server.session.reset(); }};
  auto srv = start_server(io, {}, echo_handler(), server.echo());
  auto c = ws_client::connect(
    io, "ws://127.0.0.1:" + std::to_string(srv->port()), {}, probe.events());
  // Sent before the upgrade completes: they queue until on_open.
  const size_t n = 1000;
  for (size_t i = 0; i < n; ++i)
    c->send("m" + std::to_string(i), false);
  REQUIRE(probe.messages.wait_for(n));
  auto xs = probe.messages.values();
  REQUIRE(xs.size() == n);
  for (size_t i = 0; i < n; ++i)
    if (xs[i].first != "m" + std::to_string(i))
      FAIL("message " << i << " is " << xs[i].first);
  c->close();
  REQUIRE(probe.closed.wait());
}

TEST_CASE("websocket failures reach on_close exactly once", "[net]") {
  client_probe bad_url;
  client_probe http_url;
  client_probe refused;
  client_probe too_big;
  server_probe server;
  io_runtime io{1};
  scope_exit release{[&] { server.session.reset(); }};
  ws_client::connect(io, "ws://", {}, bad_url.events());
  ws_client::connect(io, "http://127.0.0.1/", {}, http_url.events());
  auto a = bad_url.closed.wait();
  auto b = http_url.closed.wait();
  REQUIRE((a && b));
  CHECK(a->first.code == net_errc::invalid_url);
  CHECK(b->first.code == net_errc::invalid_url);
  uint16_t port = 0;
  {
    raw_server probe{io, {}};
    port = probe.port();
  }
  ws_client::connect(io, "ws://127.0.0.1:" + std::to_string(port), {},
                     refused.events());
  auto c = refused.closed.wait();
  REQUIRE(c);
  CHECK(c->first.code == net_errc::connect_failed);
  // A message over max_message_bytes ends the session with too_large.
  auto srv = start_server(io, {}, echo_handler(), server.echo());
  ws_client_options opts;
  opts.max_message_bytes = 1024;
  auto client = ws_client::connect(
    io, "ws://127.0.0.1:" + std::to_string(srv->port()), opts,
    too_big.events());
  REQUIRE(too_big.opened.wait());
  client->send(std::string(4096, 'z'));
  auto d = too_big.closed.wait();
  REQUIRE(d);
  CHECK(d->first.code == net_errc::too_large);
  CHECK(too_big.messages.size() == 0);
  CHECK(too_big.closed.calls() == 1);
}

TEST_CASE("server stop() ends open websocket sessions", "[net]") {
  client_probe probe;
  server_probe server;
  io_runtime io{1};
  scope_exit release{[&] { server.session.reset(); }};
  auto srv = start_server(io, {}, echo_handler(), server.echo());
  auto c = ws_client::connect(
    io, "ws://127.0.0.1:" + std::to_string(srv->port()), {}, probe.events());
  REQUIRE(server.session.wait());
  CHECK(srv->active_connections() == 1);
  srv->stop();
  auto r = probe.closed.wait();
  REQUIRE(r);
  CHECK(r->first);
  REQUIRE(server.closed.wait_for(1));
  CHECK(srv->active_connections() == 0);
}
