#include <catch2/catch.hpp>

#include <string>

#include "protocol/crypto.hpp"

using namespace loong::crypto;

TEST_CASE("crypto: sha256", "[crypto]") {
  CHECK(sha256_hex("")
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_raw("abc").size() == 32);
  CHECK(to_hex(sha256_raw("abc")) == sha256_hex("abc"));
  // Spec §10.1 A: the AES key is SHA-256 of the encrypt key.
  CHECK(sha256_hex("kR3xT9vQ2mLp8wZc")
        == "1a34560dfebb6a60560f5e8de82d9519ce1a078a9fbf12a3ab2804eb6dc8db7e");
  CHECK(to_hex(std::string{"\x00\xff\x10", 3}) == "00ff10");
}

TEST_CASE("crypto: base64 round trips and RFC 4648 vectors", "[crypto]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_decode("Zm9vYmE=") == std::string{"fooba"});
  CHECK(base64_decode("") == std::string{});
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 7) {
    auto s = all.substr(0, n);
    CHECK(base64_decode(base64_encode(s)) == s);
  }
  CHECK(base64_encode("\xfb\xff") == "+/8=");
  CHECK(base64url_encode_nopad("\xfb\xff") == "-_8");
  CHECK(base64url_encode_nopad("f") == "Zg");
  CHECK(base64url_encode_nopad("foo") == "Zm9v");
}

TEST_CASE("crypto: base64 decoding is strict", "[crypto]") {
  for (auto bad : {"Zg", "Zg=", "Zg=a", "Z===", "====", "Zm9v\n", " Zm9v",
                   "Zm9-", "Zm9_", "=Zg=", "Zg==Zg==", "Zm9vYmFy=", "Zm!v"})
    CHECK_FALSE(base64_decode(bad));
}

TEST_CASE("crypto: constant-time compare and random bytes", "[crypto]") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK_FALSE(constant_time_equal("", "a"));
  CHECK(random_bytes(0).empty());
  auto a = random_bytes(32);
  auto b = random_bytes(32);
  CHECK(a.size() == 32);
  CHECK(a != b);
}
