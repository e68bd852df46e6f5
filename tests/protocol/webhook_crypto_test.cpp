#include <catch2/catch.hpp>

#include <string>

#include "messages/errors.hpp"
#include "protocol/crypto.hpp"
#include "protocol/webhook_crypto.hpp"

using namespace loong::feishu;
using loong::crypto::base64_decode;
using loong::crypto::base64_encode;
using loong::crypto::to_hex;

namespace {

std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string{hex.substr(i, 2)},
                                              nullptr, 16)));
  return out;
}

const std::string key = "kR3xT9vQ2mLp8wZc";

const std::string a_plain
  = R"({"challenge":"ajls384kdj","token":"vt_test_token_01","type":"url_verification"})";
const std::string a_ct_hex
  = "1c72e4593eb98ef3d55acea9a1d44af17486c3b1c885c13ab4abd6291db168a8740868e5"
    "934aa5dde7f5b8964f732786b30f787aa7cad58f122b64aa7b895eb22aa7d16068b67925"
    "c249611786290dd9";
const std::string a_encrypt
  = "AAECAwQFBgcICQoLDA0ODxxy5Fk+uY7z1VrOqaHUSvF0hsOxyIXBOrSr1ikdsWiodAho5ZNK"
    "pd3n9biWT3MnhrMPeHqnytWPEitkqnuJXrIqp9FgaLZ5JcJJYReGKQ3Z";

const std::string a2_plain
  = R"({"schema":"2.0","header":{"event_id":"evt_0001","event_type":"im.message.receive_v1",)"
    R"("create_time":"1700000000000","token":"vt_test_token_01",)"
    R"("app_id":"cli_a1b2c3d4e5f60718","tenant_key":"tk_0001"},"event":{}})";
const std::string a2_encrypt
  = "8OHSw7Sllod4aVpLPC0eD+4NkNnmXOiDSXEIrSx3MYv5XZ9qLr/wpxjrkmErXYQUZWc3fNB4"
    "RexwFhU9DrMgMieWaSmpAUEGqsnwvbYbQm5Yx7ud2enzN9Yl5mZV2Efj4eTXkPmruyb9X+Rc"
    "OUF3jfATOxklTglRxCwSUa8wLVwbHiCD6RXFq2h3SjlK3WccwchIXD03NoJJ0/jaRtwYhB7D"
    "ie2ttVyYTRTXvUzQGogk3H58eKl6+5Cm0zUxDHVUIzyb7fjtbfnNjWskaR/bJAZXaD6qceqM"
    "lk0SR0/uo7Yn5T8aEXLWoYSzbhvEKuly";

const std::string b2_body
  = R"({"schema":"2.0","header":{"event_id":"evt_plain_1","event_type":"im.message.receive_v1",)"
    R"("create_time":"1700000000000","token":"vt_test_token_01",)"
    R"("app_id":"cli_a1b2c3d4e5f60718","tenant_key":"2ca1d211f64f6438"},"event":{}})";

void check_fails(const caf::expected<std::string>& r) {
  REQUIRE_FALSE(r);
  CHECK(r.error() == loong::ec::malformed_response);
  CHECK(loong::describe(r.error()).find(key) == std::string::npos);
}

} // namespace

TEST_CASE("webhook crypto: A0 vector from the Feishu docs", "[webhook]") {
  auto r = decrypt_event("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=",
                         "test key");
  REQUIRE(r);
  CHECK(*r == "hello world");
  CHECK(to_hex(base64_decode("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=")
                 ->substr(0, 16))
        == "3f7ef0f9564898d80f10ed5106127a46");
}

TEST_CASE("webhook crypto: A vector, encrypted url_verification",
          "[webhook]") {
  CHECK(a_plain.size() == 79);
  auto iv = from_hex("000102030405060708090a0b0c0d0e0f");
  CHECK(base64_encode(iv + from_hex(a_ct_hex)) == a_encrypt);
  CHECK(encrypt_event(a_plain, key, iv) == a_encrypt);
  auto r = decrypt_event(a_encrypt, key);
  REQUIRE(r);
  CHECK(*r == a_plain);
}

TEST_CASE("webhook crypto: A2 vector, encrypted event", "[webhook]") {
  auto iv = from_hex("f0e1d2c3b4a5968778695a4b3c2d1e0f");
  CHECK(encrypt_event(a2_plain, key, iv) == a2_encrypt);
  auto r = decrypt_event(a2_encrypt, key);
  REQUIRE(r);
  CHECK(*r == a2_plain);
}

TEST_CASE("webhook crypto: B and B2 signature vectors", "[webhook]") {
  auto body = R"({"encrypt":")" + a2_encrypt + R"("})";
  CHECK(body.size() == 334);
  CHECK(loong::crypto::sha256_hex(body)
        == "1ac79ee84978b0ba993df7b01c4ca44250ec5b27c077e32cd132746083867502");
  CHECK(webhook_signature("1700000000", "1234567890abcdef", key, body)
        == "4f0e9478021dd10ad3bbe00956359f671449e3f6b886d31fc460150ab2244d9c");
  CHECK(webhook_signature("1700000000", "1234567890abcdef", key, b2_body)
        == "c86fe30145dfdda8e6bfc28ddf6127cce85ec15e2337b0b85ba8274af3ab7464");
  // The raw bytes count: one extra space changes the signature.
  CHECK(webhook_signature("1700000000", "1234567890abcdef", key, body + " ")
        != "4f0e9478021dd10ad3bbe00956359f671449e3f6b886d31fc460150ab2244d9c");
}

TEST_CASE("webhook crypto: random IVs and round trips", "[webhook]") {
  auto x = encrypt_event("payload", key);
  auto y = encrypt_event("payload", key);
  CHECK(x != y);
  CHECK(decrypt_event(x, key) == std::string{"payload"});
  CHECK(decrypt_event(y, key) == std::string{"payload"});
  // A 15-byte IV is not used; a random one is.
  CHECK(decrypt_event(encrypt_event("", key, "short"), key)
        == std::string{});
  for (size_t n : {0u, 1u, 15u, 16u, 17u, 1000u}) {
    std::string p(n, 'p');
    CHECK(decrypt_event(encrypt_event(p, "k"), "k") == p);
  }
}

TEST_CASE("webhook crypto: decryption failures", "[webhook]") {
  check_fails(decrypt_event(a_encrypt, ""));
  check_fails(decrypt_event("not base64!", key));
  check_fails(decrypt_event(a_encrypt.substr(0, a_encrypt.size() - 1), key));
  auto unpadded = a_encrypt;
  unpadded.back() = '=';
  check_fails(decrypt_event(unpadded + "===", key));
  auto raw = *base64_decode(a_encrypt);
  check_fails(decrypt_event(base64_encode(raw.substr(0, 16)), key));
  check_fails(decrypt_event(base64_encode(raw.substr(0, 31)), key));
  check_fails(decrypt_event(base64_encode(raw.substr(0, raw.size() - 1)),
                            key));
  check_fails(decrypt_event(base64_encode(raw + "x"), key));
  check_fails(decrypt_event(a_encrypt, "another key"));
  check_fails(decrypt_event("", key));
}
