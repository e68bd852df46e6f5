#pragma once

// Shared fixtures for the HTTP tests: a blocking fetch with a deadline and
// an echo server.

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/io_runtime.hpp"
#include "tests/net/net_test_util.hpp"

namespace Catch {

/// Prints net_errc by name in failed assertions.
template <>
struct StringMaker<loong::net::net_errc> {
  static std::string convert(loong::net::net_errc x) {
    return loong::net::to_string(x);
  }
};

} // namespace Catch

namespace loong::test {

/// The outcome of one request.
struct fetch_result {
  net::net_error err;
  net::http_response resp;
};

/// Starts `req` and returns a handle to wait on. The one_shot is shared
/// with the callback, so it outlives any late completion.
inline std::shared_ptr<one_shot<fetch_result>>
start_fetch(net::http_client& client, net::http_request req,
            net::body_chunk_callback on_chunk = {},
            std::shared_ptr<net::http_call>* call = nullptr) {
  auto shot = std::make_shared<one_shot<fetch_result>>();
  auto c = client.request(
    std::move(req),
    [shot](net::net_error e, net::http_response r) {
      shot->set({std::move(e), std::move(r)});
    },
    std::move(on_chunk));
  if (call)
    *call = std::move(c);
  return shot;
}

/// Runs `req` to completion (or fails the test after wait_limit).
inline fetch_result fetch(net::http_client& client, net::http_request req,
                          net::body_chunk_callback on_chunk = {}) {
  auto r = start_fetch(client, std::move(req), std::move(on_chunk))->wait();
  REQUIRE(r);
  return *r;
}

/// A GET or POST request for `url`.
inline net::http_request make_request(std::string url,
                                      std::string method = "GET",
                                      std::string body = {}) {
  net::http_request req;
  req.url = std::move(url);
  req.method = std::move(method);
  req.body = std::move(body);
  return req;
}

/// Echoes method, target, peer, Host, User-Agent and X-Echo as response
/// fields and the request body as the response body.
inline net::request_handler echo_handler() {
  return [](net::server_request req, net::respond_fn respond) {
    net::server_response res;
    res.content_type = "text/plain";
    res.headers = {{"X-Method", req.method},
                   {"X-Target", req.target},
                   {"X-Remote", req.remote_address},
                   {"X-Host", net::find_header(req.headers, "host")},
                   {"X-UA", net::find_header(req.headers, "user-agent")},
                   {"X-Echo", net::find_header(req.headers, "x-echo")}};
    res.body = std::move(req.body);
    respond(std::move(res));
  };
}

/// Starts a server with `handler` (the echo handler by default).
inline std::shared_ptr<net::http_server>
start_server(net::io_runtime& io, net::http_server_options opts = {},
             net::request_handler handler = echo_handler(),
             net::ws_upgrade_handler on_upgrade = {}) {
  net::net_error err;
  auto srv = net::http_server::start(io, std::move(opts), std::move(handler),
                                     std::move(on_upgrade), &err);
  INFO(to_string(err));
  REQUIRE(srv);
  return srv;
}

} // namespace loong::test
