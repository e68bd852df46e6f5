#include <catch2/catch.hpp>

#include "net/http_types.hpp"
#include "net/net_error.hpp"
#include "net/url.hpp"

using namespace loong::net;

TEST_CASE("parse_url splits scheme, host, port and target", "[net]") {
  auto u = parse_url("https://Open.Feishu.cn/open-apis/x?a=1#frag");
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "open.feishu.cn");
  CHECK(u->port == 443);
  CHECK(u->target == "/open-apis/x?a=1");
  CHECK(u->tls());
  CHECK(u->host_field() == "open.feishu.cn");
  CHECK(u->origin() == "https://open.feishu.cn:443");
}

TEST_CASE("parse_url applies default ports and an empty target", "[net]") {
  auto http = parse_url("http://127.0.0.1");
  REQUIRE(http);
  CHECK(http->port == 80);
  CHECK(http->target == "/");
  CHECK_FALSE(http->tls());
  auto ws = parse_url("ws://localhost:8080?ticket=t");
  REQUIRE(ws);
  CHECK(ws->port == 8080);
  CHECK(ws->target == "/?ticket=t");
  CHECK(ws->host_field() == "localhost:8080");
  auto wss = parse_url("WSS://example.com/ws");
  REQUIRE(wss);
  CHECK(wss->scheme == "wss");
  CHECK(wss->port == 443);
  CHECK(wss->tls());
  auto v6 = parse_url("http://[::1]:81/x");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->host_field() == "[::1]:81");
}

TEST_CASE("parse_url rejects malformed and unsupported URLs", "[net]") {
  for (const char* bad :
       {"", "localhost", "ftp://x/", "http://", "http://:80/", "http://h:0/",
        "http://h:65536/", "http://h:8x/", "http://h:/", "http://user:pw@h/",
        "http://h/a b", "http://ho st/", "http://[::1/", "://h/",
        "http://h/\x01"}) {
    INFO(bad);
    CHECK_FALSE(parse_url(bad));
  }
}

TEST_CASE("find_header ignores case and returns the first match", "[net]") {
  header_list xs{{"Content-Type", "a"}, {"X-A", "1"}, {"content-type", "b"}};
  CHECK(find_header(xs, "content-type") == "a");
  CHECK(find_header(xs, "X-a") == "1");
  CHECK(find_header(xs, "missing").empty());
  CHECK(iequals("Host", "hOST"));
  CHECK_FALSE(iequals("Host", "Hosts"));
}

TEST_CASE("net_error renders its code and detail", "[net]") {
  net_error none;
  CHECK_FALSE(none);
  net_error e{net_errc::connect_failed, "connect 127.0.0.1:9: refused"};
  CHECK(e);
  CHECK(std::string{to_string(net_errc::overloaded)} == "overloaded");
  CHECK(to_string(e) == "connect_failed: connect 127.0.0.1:9: refused");
  CHECK(to_string(net_error{net_errc::timeout, ""}) == "timeout");
}
