// HTTPS: http_client against the TLS http_server with an in-memory
// certificate.

#include <string>

#include <catch2/catch.hpp>

#include "tests/net/http_test_util.hpp"
#include "tests/support/test_cert.hpp"

using namespace loong::net;
using namespace loong::test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

http_server_options tls_options(const test_cert& cert) {
  http_server_options opts;
  opts.tls_cert_pem = cert.cert_pem;
  opts.tls_key_pem = cert.key_pem;
  return opts;
}

} // namespace

TEST_CASE("https round trips with a trusted certificate", "[net]") {
  auto cert = make_test_cert();
  io_runtime io{2};
  io.trust_pem(cert.cert_pem);
  auto srv = start_server(io, tls_options(cert));
  CHECK_THAT(srv->url(), StartsWith("https://127.0.0.1:"));
  http_client client{io};
  // By IP literal: verified against SAN IP:127.0.0.1, no SNI.
  auto r = fetch(client, make_request(srv->url() + "/x", "POST", "tls body"));
  REQUIRE_FALSE(r.err);
  CHECK(r.resp.status == 200);
  CHECK(r.resp.body == "tls body");
  CHECK(find_header(r.resp.headers, "x-target") == "/x");
  // By name: SNI plus SAN DNS:localhost.
  auto by_name = "https://localhost:" + std::to_string(srv->port());
  r = fetch(client, make_request(by_name + "/y"));
  REQUIRE_FALSE(r.err);
  CHECK(find_header(r.resp.headers, "x-host")
        == "localhost:" + std::to_string(srv->port()));
  for (int i = 0; i < 3; ++i)
    REQUIRE_FALSE(fetch(client, make_request(srv->url() + "/k")).err);
  // One keep-alive connection per origin.
  CHECK(srv->accepted_connections() == 2);
  CHECK(client.idle_connections() == 2);
}

TEST_CASE("an untrusted certificate fails with tls_failed", "[net]") {
  auto cert = make_test_cert();
  auto other = make_test_cert();
  io_runtime io{1};
  io.trust_pem(other.cert_pem);
  auto srv = start_server(io, tls_options(cert));
  http_client client{io};
  auto r = fetch(client, make_request(srv->url()));
  CHECK(r.err.code == net_errc::tls_failed);
  CHECK_THAT(r.err.detail, Contains("certificate verify failed"));
  CHECK(client.active_connections() == 0);
}

TEST_CASE("mismatched schemes fail cleanly", "[net]") {
  auto cert = make_test_cert();
  io_runtime io{1};
  io.trust_pem(cert.cert_pem);
  auto tls_srv = start_server(io, tls_options(cert));
  auto plain_srv = start_server(io);
  http_client client{io};
  auto port = std::to_string(plain_srv->port());
  auto r = fetch(client, make_request("https://127.0.0.1:" + port));
  CHECK(r.err.code == net_errc::tls_failed);
  auto req = make_request("http://127.0.0.1:"
                          + std::to_string(tls_srv->port()));
  req.timeout = 5000ms;
  r = fetch(client, req);
  CHECK(r.err);
  CHECK(r.err.code != net_errc::timeout);
  // The TLS server still serves a proper client afterwards.
  REQUIRE_FALSE(fetch(client, make_request(tls_srv->url())).err);
}

TEST_CASE("a bad certificate or key makes start() fail", "[net]") {
  auto cert = make_test_cert();
  io_runtime io{1};
  net_error err;
  auto opts = tls_options(cert);
  opts.tls_cert_pem = "-----BEGIN CERTIFICATE-----\nnope\n";
  CHECK_FALSE(http_server::start(io, opts, echo_handler(), {}, &err));
  CHECK(err.code == net_errc::tls_failed);
  CHECK_THAT(err.detail, Contains("certificate"));
  opts = tls_options(cert);
  opts.tls_key_pem = make_test_cert().key_pem;
  CHECK_FALSE(http_server::start(io, opts, echo_handler(), {}, &err));
  CHECK(err.code == net_errc::tls_failed);
  opts = tls_options(cert);
  opts.tls_key_pem.clear();
  CHECK_FALSE(http_server::start(io, opts, echo_handler(), {}, &err));
  CHECK(err.code == net_errc::tls_failed);
}
