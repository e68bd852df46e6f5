#include <catch2/catch.hpp>

#include <string>

#include "protocol/feishu_frame.hpp"

using namespace loong::feishu;
using outcome = reassembler::outcome;

namespace {

frame part(const std::string& id, const std::string& sum,
           const std::string& seq, std::string payload) {
  frame f;
  f.seq_id = 7;
  f.method = 1;
  f.headers = {{"type", "event"}, {"message_id", id}};
  if (!sum.empty())
    f.headers.push_back({"sum", sum});
  if (!seq.empty())
    f.headers.push_back({"seq", seq});
  f.payload = std::move(payload);
  return f;
}

} // namespace

TEST_CASE("feishu reassembly: unfragmented frames pass through",
          "[feishu]") {
  reassembler r;
  auto a = r.feed(part("m", "", "", "whole"), 0);
  CHECK(a.what == outcome::complete);
  CHECK(a.payload == "whole");
  auto b = r.feed(part("m", "1", "0", "one"), 0);
  CHECK(b.what == outcome::complete);
  CHECK(b.payload == "one");
  CHECK(r.open_sets() == 0);
}

TEST_CASE("feishu reassembly: in order and out of order", "[feishu]") {
  reassembler r;
  SECTION("in order") {
    CHECK(r.feed(part("m1", "3", "0", "ab"), 0).what == outcome::pending);
    CHECK(r.feed(part("m1", "3", "1", "cd"), 1).what == outcome::pending);
    CHECK(r.open_sets() == 1);
    auto done = r.feed(part("m1", "3", "2", "ef"), 2);
    CHECK(done.what == outcome::complete);
    CHECK(done.payload == "abcdef");
  }
  SECTION("out of order, interleaved with another message") {
    CHECK(r.feed(part("m1", "3", "2", "ef"), 0).what == outcome::pending);
    CHECK(r.feed(part("m2", "2", "1", "YZ"), 0).what == outcome::pending);
    CHECK(r.feed(part("m1", "3", "0", "ab"), 1).what == outcome::pending);
    // A repeated fragment changes nothing.
    CHECK(r.feed(part("m1", "3", "0", "XX"), 1).what == outcome::pending);
    CHECK(r.open_sets() == 2);
    auto m1 = r.feed(part("m1", "3", "1", "cd"), 2);
    CHECK(m1.what == outcome::complete);
    CHECK(m1.payload == "abcdef");
    auto m2 = r.feed(part("m2", "2", "0", "WX"), 3);
    CHECK(m2.what == outcome::complete);
    CHECK(m2.payload == "WXYZ");
  }
  CHECK(r.open_sets() == 0);
}

TEST_CASE("feishu reassembly: a missing part is evicted after the ttl",
          "[feishu]") {
  reassembler r{reassembler::limits{64, 1 << 20, 10000, 16}};
  CHECK(r.feed(part("m", "2", "0", "a"), 1000).what == outcome::pending);
  CHECK(r.sweep(11000) == 0); // idle exactly ttl: kept
  CHECK(r.open_sets() == 1);
  CHECK(r.sweep(11001) == 1);
  CHECK(r.open_sets() == 0);
  // A late part starts over rather than completing stale data.
  CHECK(r.feed(part("m", "2", "1", "b"), 11002).what == outcome::pending);
  // Each new part refreshes the timer.
  CHECK(r.sweep(20000) == 0);
  CHECK(r.feed(part("m", "2", "1", "b"), 20000).what == outcome::pending);
  CHECK(r.sweep(29000) == 0);
  CHECK(r.open_sets() == 1);
  // Lazy expiry in feed() without a sweep.
  auto late = r.feed(part("m", "2", "0", "a"), 40000);
  CHECK(late.what == outcome::pending);
  CHECK(r.open_sets() == 1);
}

TEST_CASE("feishu reassembly: bounds reject, inconsistent headers stand alone",
          "[feishu]") {
  reassembler r{reassembler::limits{2, 10, 10000, 8}};
  SECTION("oversized") {
    CHECK(r.feed(part("m", "2", "0", "123456"), 0).what == outcome::pending);
    auto big = r.feed(part("m", "2", "1", "123456"), 0);
    CHECK(big.what == outcome::rejected);
    CHECK(big.reason == "message exceeds max_bytes");
    CHECK(r.open_sets() == 0);
    CHECK(r.feed(part("x", "", "", std::string(11, 'x')), 0).what
          == outcome::rejected);
  }
  // A frame whose seq/sum cannot be part of a set is a whole message of
  // its own: parsed (or found malformed) and ACKed, never redelivered
  // forever for want of an ACK.
  auto alone = [&](const reassembler::result& x, const std::string& payload) {
    CHECK(x.what == outcome::complete);
    CHECK(x.payload == payload);
    CHECK_FALSE(x.reason.empty());
  };
  SECTION("seq >= sum") {
    alone(r.feed(part("m", "2", "2", "a"), 0), "a");
    alone(r.feed(part("m", "2", "-1", "b"), 0), "b");
    alone(r.feed(part("m", "2", "", "c"), 0), "c");
    CHECK(r.open_sets() == 0);
  }
  SECTION("sum mismatch") {
    CHECK(r.feed(part("m", "2", "0", "a"), 0).what == outcome::pending);
    auto bad = r.feed(part("m", "3", "1", "b"), 0);
    alone(bad, "b");
    CHECK(bad.reason == "sum differs from the first fragment");
    // The set stays and can still complete.
    CHECK(r.feed(part("m", "2", "1", "b"), 0).payload == "ab");
  }
  SECTION("bad sum, too many parts, no message_id") {
    alone(r.feed(part("m", "two", "0", "a"), 0), "a");
    alone(r.feed(part("m", "-2", "0", "a"), 0), "a");
    alone(r.feed(part("m", "9", "0", "a"), 0), "a");
    alone(r.feed(part("m", "99999999999999999999", "0", "a"), 0), "a");
    alone(r.feed(part("", "2", "0", "a"), 0), "a");
    CHECK(r.open_sets() == 0);
  }
  SECTION("max_sets") {
    CHECK(r.feed(part("a", "2", "0", "1"), 0).what == outcome::pending);
    CHECK(r.feed(part("b", "2", "0", "1"), 0).what == outcome::pending);
    auto third = r.feed(part("c", "2", "0", "1"), 5);
    CHECK(third.what == outcome::rejected);
    CHECK(r.open_sets() == 2);
    // Parts of open sets still complete.
    CHECK(r.feed(part("a", "2", "1", "2"), 6).what == outcome::complete);
    CHECK(r.feed(part("c", "2", "0", "1"), 7).what == outcome::pending);
    // Expired sets make room without an explicit sweep.
    CHECK(r.feed(part("d", "2", "0", "1"), 20000).what == outcome::pending);
    CHECK(r.open_sets() == 1);
  }
}
