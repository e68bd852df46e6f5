#include <catch2/catch.hpp>

#include <string>

#include "protocol/crypto.hpp"
#include "protocol/feishu_openapi.hpp"

using namespace loong::feishu;

namespace {

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80)
      ++n;
  return n;
}

bool valid_utf8_boundaries(const std::string& s) {
  if (s.empty())
    return true;
  auto first = static_cast<unsigned char>(s.front());
  if ((first & 0xc0) == 0x80)
    return false;
  // The last sequence is complete.
  size_t i = s.size();
  size_t cont = 0;
  while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xc0) == 0x80) {
    --i;
    ++cont;
  }
  if (i == 0)
    return false;
  auto lead = static_cast<unsigned char>(s[i - 1]);
  size_t need = lead < 0x80 ? 0 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
  return need == cont;
}

} // namespace

TEST_CASE("feishu reply: uuid is stable, short and distinct", "[feishu]") {
  auto material = std::string{"loong:feishu:reply"} + '\x1f' + "work" + '\x1f'
                  + "om_0001";
  auto expected
    = "feishu-reply-" + loong::crypto::sha256_hex(material).substr(0, 24);
  auto u = reply_uuid("work", "om_0001");
  CHECK(u == expected);
  CHECK(u == reply_uuid("work", "om_0001", 0));
  CHECK(u.size() == 37);
  CHECK(u.size() <= 50);
  auto c1 = reply_uuid("work", "om_0001", 1);
  CHECK(c1 != u);
  CHECK(c1
        == "feishu-reply-"
             + loong::crypto::sha256_hex(material + '\x1f' + "1").substr(0, 24));
  CHECK(reply_uuid("work", "om_0001", 2) != c1);
  CHECK(reply_uuid("other", "om_0001") != u);
  CHECK(reply_uuid("work", "om_0002") != u);
  // The separator keeps "ab"+"c" apart from "a"+"bc".
  CHECK(reply_uuid("ab", "c") != reply_uuid("a", "bc"));
}

TEST_CASE("feishu reply: split keeps short text whole", "[feishu]") {
  CHECK(split_reply("").empty());
  CHECK(split_reply(" \n\t ").empty());
  auto one = split_reply("  hello world \n");
  REQUIRE(one.size() == 1);
  CHECK(one[0] == "hello world");
  CHECK(split_reply(std::string(3500, 'a')).size() == 1);
  CHECK(split_reply(std::string(3501, 'a')).size() == 2);
}

TEST_CASE("feishu reply: split prefers paragraph, line, space", "[feishu]") {
  SECTION("paragraph") {
    auto parts = split_reply("aaaa bbbb\ncccc\n\ndddd eeee", 18);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0] == "aaaa bbbb\ncccc");
    CHECK(parts[1] == "dddd eeee");
  }
  SECTION("line") {
    auto parts = split_reply("aaaa bbbb cccc\ndddd eeee", 18);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0] == "aaaa bbbb cccc");
    CHECK(parts[1] == "dddd eeee");
  }
  SECTION("space") {
    auto parts = split_reply("aaaa bbbb cccc dddd eeee", 12);
    REQUIRE(parts.size() == 3);
    CHECK(parts[0] == "aaaa bbbb");
    CHECK(parts[1] == "cccc dddd");
    CHECK(parts[2] == "eeee");
  }
  SECTION("a boundary too early is ignored") {
    auto parts = split_reply("a\n\nbbbbbbbbbbbbbbbbbbbb", 10);
    REQUIRE(parts.size() == 3);
    CHECK(parts[0] == "a\n\nbbbbbbb");
    CHECK(parts[1] == "bbbbbbbbbb");
    CHECK(parts[2] == "bbb");
  }
  SECTION("hard cut") {
    auto parts = split_reply(std::string(25, 'x'), 10);
    REQUIRE(parts.size() == 3);
    CHECK(parts[2] == "xxxxx");
  }
  SECTION("indentation after a line cut survives") {
    auto parts = split_reply("aaaaaaaa\n  code", 10);
    REQUIRE(parts.size() == 2);
    CHECK(parts[1] == "  code");
  }
}

TEST_CASE("feishu reply: split never breaks UTF-8", "[feishu]") {
  std::string text;
  for (int i = 0; i < 500; ++i)
    text += i % 3 == 0 ? "中" : i % 3 == 1 ? "😀" : "é";
  for (size_t max : {1u, 2u, 7u, 100u, 3500u}) {
    auto parts = split_reply(text, max);
    std::string joined;
    for (auto& p : parts) {
      CHECK(code_points(p) <= max);
      CHECK(valid_utf8_boundaries(p));
      joined += p;
    }
    CHECK(joined == text);
  }
  // Invalid bytes do not stop progress.
  auto junk = split_reply(std::string(40, '\x80'), 7);
  CHECK(junk.size() == 6);
  CHECK(split_reply("abc", 0).size() == 3);
}
