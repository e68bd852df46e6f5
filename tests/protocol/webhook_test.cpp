#include <catch2/catch.hpp>

#include <string>

#include "protocol/crypto.hpp"
#include "protocol/webhook.hpp"
#include "protocol/webhook_crypto.hpp"

using namespace loong::feishu;
using kind = webhook_outcome::kind;

namespace {

const std::string key = "kR3xT9vQ2mLp8wZc";
const std::string token = "vt_test_token_01";
const std::string ts = "1700000000";
const std::string nonce = "1234567890abcdef";
constexpr int64_t now = 1700000000;

const std::string a_body
  = R"({"encrypt":"AAECAwQFBgcICQoLDA0ODxxy5Fk+uY7z1VrOqaHUSvF0hsOxyIXBOrSr1ikdsWio)"
    R"(dAho5ZNKpd3n9biWT3MnhrMPeHqnytWPEitkqnuJXrIqp9FgaLZ5JcJJYReGKQ3Z"})";
const std::string b_body
  = R"({"encrypt":"8OHSw7Sllod4aVpLPC0eD+4NkNnmXOiDSXEIrSx3MYv5XZ9qLr/wpxjrkmErXYQU)"
    R"(ZWc3fNB4RexwFhU9DrMgMieWaSmpAUEGqsnwvbYbQm5Yx7ud2enzN9Yl5mZV2Efj4eTXkPmruyb9X+)"
    R"(RcOUF3jfATOxklTglRxCwSUa8wLVwbHiCD6RXFq2h3SjlK3WccwchIXD03NoJJ0/jaRtwYhB7Die2t)"
    R"(tVyYTRTXvUzQGogk3H58eKl6+5Cm0zUxDHVUIzyb7fjtbfnNjWskaR/bJAZXaD6qceqMlk0SR0/uo7)"
    R"(Yn5T8aEXLWoYSzbhvEKuly"})";
const std::string b_signature
  = "4f0e9478021dd10ad3bbe00956359f671449e3f6b886d31fc460150ab2244d9c";
const std::string plain_challenge
  = R"({"challenge":"ajls384kdj","token":"vt_test_token_01","type":"url_verification"})";

std::string message_event(const std::string& tok,
                          const std::string& chat = "oc_0001") {
  return R"({"schema":"2.0","header":{"event_id":"evt_9","event_type":)"
         R"("im.message.receive_v1","create_time":"1700000000000","token":")"
         + tok
         + R"(","app_id":"cli_a1b2c3d4e5f60718"},"event":{"sender":{"sender_id":)"
           R"({"open_id":"ou_u"},"sender_type":"user"},"message":{"message_id":)"
           R"("om_9","chat_id":")"
         + chat
         + R"(","chat_type":"p2p","message_type":"text","content":)"
           R"("{\"text\":\"hi\"}"}}})";
}

webhook_secrets secrets(int64_t window = 0) {
  return webhook_secrets{token, key, window};
}

webhook_headers signed_for(const std::string& body,
                           const std::string& stamp = ts) {
  return {stamp, nonce, webhook_signature(stamp, nonce, key, body)};
}

void check_rejected(const webhook_outcome& out, unsigned status,
                    const std::string& reason) {
  CHECK(out.what == kind::rejected);
  CHECK(out.http_status == status);
  CHECK(out.reason == reason);
  // Nothing about the cause leaks into the HTTP answer.
  CHECK(out.response_body
        == (status == 401 ? R"({"code":401,"msg":"unauthorized"})"
                          : R"({"code":400,"msg":"bad request"})"));
  CHECK(out.message.message_id.empty());
}

} // namespace

TEST_CASE("webhook: encrypted challenge needs no signature", "[webhook]") {
  auto out = process_webhook(a_body, {}, secrets(300), now + 100000);
  CHECK(out.what == kind::challenge);
  CHECK(out.http_status == 200);
  CHECK(out.response_body == R"({"challenge":"ajls384kdj"})");
}

TEST_CASE("webhook: plain challenge, with and without encrypt key",
          "[webhook]") {
  auto out = process_webhook(plain_challenge, {}, secrets(), now);
  CHECK(out.what == kind::challenge);
  CHECK(out.response_body == R"({"challenge":"ajls384kdj"})");
  auto no_key = process_webhook(plain_challenge, {}, {token, "", 0}, now);
  CHECK(no_key.what == kind::challenge);
  // Challenges with odd characters come back escaped.
  auto odd = process_webhook(
    R"({"challenge":"a\"b","token":"vt_test_token_01","type":"url_verification"})",
    {}, secrets(), now);
  CHECK(odd.response_body == R"({"challenge":"a\"b"})");
  check_rejected(
    process_webhook(R"({"challenge":"","token":"vt_test_token_01","type":"url_verification"})",
                    {}, secrets(), now),
    400, "blank_challenge");
}

TEST_CASE("webhook: signed encrypted event (vector B)", "[webhook]") {
  // Signature, decryption and token pass; A2's empty "event" then fails
  // the event shape check, which only runs after all of them.
  auto out = process_webhook(b_body, {ts, nonce, b_signature}, secrets(), now);
  check_rejected(out, 400, "malformed_event");
  // A full message event, encrypted and signed, is accepted.
  auto body = R"({"encrypt":")" + encrypt_event(message_event(token), key)
              + R"("})";
  auto ok = process_webhook(body, signed_for(body), secrets(), now);
  REQUIRE(ok.what == kind::event);
  CHECK(ok.http_status == 200);
  CHECK(ok.response_body == R"({"code":0,"msg":"ok"})");
  CHECK(ok.message.event_id == "evt_9");
  CHECK(ok.message.message_id == "om_9");
  CHECK(ok.message.chat_id == "oc_0001");
  CHECK(ok.message.text == "hi");
  CHECK(ok.message.app_id == "cli_a1b2c3d4e5f60718");
  // Hex case of the received signature does not matter.
  auto upper = signed_for(body);
  for (auto& c : upper.signature)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(process_webhook(body, upper, secrets(), now).what == kind::event);
}

TEST_CASE("webhook: plain signed event (vector B2 signature)", "[webhook]") {
  auto body = message_event(token);
  auto out = process_webhook(body, signed_for(body), secrets(), now);
  CHECK(out.what == kind::event);
  // Without an encrypt key only the token protects the endpoint.
  auto open = process_webhook(body, {}, {token, "", 0}, now);
  CHECK(open.what == kind::event);
  auto ignored_body
    = R"({"schema":"2.0","header":{"event_type":"im.chat.member.bot.added_v1",)"
      R"("token":"vt_test_token_01"},"event":{}})";
  auto ignored
    = process_webhook(ignored_body, signed_for(ignored_body), secrets(), now);
  CHECK(ignored.what == kind::ignored);
  CHECK(ignored.http_status == 200);
  CHECK(ignored.response_body == R"({"code":0,"msg":"ignored"})");
}

TEST_CASE("webhook: forged signature", "[webhook]") {
  auto forged = b_signature;
  forged[10] = forged[10] == 'a' ? 'b' : 'a';
  check_rejected(process_webhook(b_body, {ts, nonce, forged}, secrets(), now),
                 401, "bad_signature");
  // A signature over different bytes (re-serialized body) fails too.
  auto body = message_event(token);
  check_rejected(process_webhook(body + " ", signed_for(body), secrets(), now),
                 401, "bad_signature");
  // Other nonce or timestamp than signed.
  auto h = signed_for(body);
  h.nonce = "other";
  check_rejected(process_webhook(body, h, secrets(), now), 401,
                 "bad_signature");
}

TEST_CASE("webhook: wrong token, both schema versions", "[webhook]") {
  auto v2 = message_event("vt_wrong");
  check_rejected(process_webhook(v2, signed_for(v2), secrets(), now), 401,
                 "bad_token");
  auto v1
    = R"({"uuid":"u1","token":"vt_wrong","ts":"1","type":"event_callback",)"
      R"("event":{"type":"message"}})";
  check_rejected(process_webhook(v1, signed_for(v1), secrets(), now), 401,
                 "bad_token");
  auto v1_ok
    = R"({"uuid":"u1","token":"vt_test_token_01","ts":"1",)"
      R"("type":"event_callback","event":{"type":"message"}})";
  CHECK(process_webhook(v1_ok, signed_for(v1_ok), secrets(), now).what
        == kind::ignored);
  auto challenge
    = R"({"challenge":"c","token":"vt_wrong","type":"url_verification"})";
  check_rejected(process_webhook(challenge, {}, secrets(), now), 401,
                 "bad_token");
  auto no_token = message_event("");
  check_rejected(process_webhook(no_token, signed_for(no_token), secrets(),
                                 now),
                 401, "bad_token");
  // An unconfigured token fails closed.
  check_rejected(process_webhook(plain_challenge, {}, {"", key, 0}, now), 401,
                 "token_not_configured");
}

TEST_CASE("webhook: replay window", "[webhook]") {
  auto body = message_event(token);
  auto h = signed_for(body);
  CHECK(process_webhook(body, h, secrets(300), now + 300).what == kind::event);
  CHECK(process_webhook(body, h, secrets(300), now - 300).what == kind::event);
  check_rejected(process_webhook(body, h, secrets(300), now + 301), 401,
                 "stale_timestamp");
  check_rejected(process_webhook(body, h, secrets(300), now - 301), 401,
                 "stale_timestamp");
  // Off by default: retries may arrive hours later.
  CHECK(process_webhook(body, h, secrets(0), now + 7 * 3600).what
        == kind::event);
  auto odd = signed_for(body, "17e8");
  check_rejected(process_webhook(body, odd, secrets(300), now), 401,
                 "bad_timestamp");
}

TEST_CASE("webhook: missing signature headers", "[webhook]") {
  auto body = message_event(token);
  auto full = signed_for(body);
  for (int i = 0; i < 4; ++i) {
    auto h = full;
    if (i == 0)
      h.timestamp.clear();
    if (i == 1)
      h.nonce.clear();
    if (i == 2)
      h.signature.clear();
    if (i == 3)
      h = {};
    check_rejected(process_webhook(body, h, secrets(), now), 401,
                   "missing_signature_headers");
  }
  // Encrypted body but no key configured.
  check_rejected(process_webhook(b_body, {ts, nonce, b_signature},
                                 {token, "", 0}, now),
                 401, "no_encrypt_key");
}

TEST_CASE("webhook: undecryptable bodies", "[webhook]") {
  auto run = [](const std::string& encrypt, const webhook_secrets& s) {
    auto body = R"({"encrypt":")" + encrypt + R"("})";
    return process_webhook(body, signed_for(body), s, now);
  };
  auto raw = *loong::crypto::base64_decode(
    encrypt_event(message_event(token), key));
  check_rejected(run("%%%%not-base64", secrets()), 400, "undecryptable");
  check_rejected(run(loong::crypto::base64_encode(raw) + "=", secrets()),
                 400, "undecryptable"); // wrong padding
  auto stripped = loong::crypto::base64_encode(raw.substr(1));
  while (stripped.back() == '=')
    stripped.pop_back();
  check_rejected(run(stripped, secrets()), 400, "undecryptable"); // no padding
  check_rejected(run(loong::crypto::base64_encode(raw.substr(0, 24)),
                     secrets()),
                 400, "undecryptable"); // truncated
  check_rejected(run(loong::crypto::base64_encode(raw.substr(0, 16)),
                     secrets()),
                 400, "undecryptable"); // IV only
  auto other_key = webhook_secrets{token, "another key", 0};
  auto body = R"({"encrypt":")" + loong::crypto::base64_encode(raw) + R"("})";
  auto h = webhook_headers{ts, nonce,
                           webhook_signature(ts, nonce, "another key", body)};
  check_rejected(process_webhook(body, h, other_key, now), 400,
                 "undecryptable"); // wrong key
  // Decrypts, but the plaintext is not JSON: same answer as bad padding.
  check_rejected(run(encrypt_event("not json", key), secrets()), 400,
                 "undecryptable");
  check_rejected(run(encrypt_event("[1]", key), secrets()), 400,
                 "undecryptable");
}

TEST_CASE("webhook: bodies of the wrong shape", "[webhook]") {
  check_rejected(process_webhook("", {}, secrets(), now), 400, "not_json");
  check_rejected(process_webhook("not json", {}, secrets(), now), 400,
                 "not_json");
  check_rejected(process_webhook(R"({"a":1} trailing)", {}, secrets(), now),
                 400, "not_json");
  check_rejected(process_webhook("[1,2]", {}, secrets(), now), 400,
                 "not_object");
  check_rejected(process_webhook(R"("str")", {}, secrets(), now), 400,
                 "not_object");
  check_rejected(process_webhook(R"({"encrypt":5})", {}, secrets(), now), 400,
                 "bad_encrypt_field");
  auto no_chat = message_event(token, "");
  check_rejected(process_webhook(no_chat, signed_for(no_chat), secrets(), now),
                 400, "malformed_event");
  auto shapeless = R"({"token":"vt_test_token_01","hello":"world"})";
  check_rejected(process_webhook(shapeless, signed_for(shapeless), secrets(),
                                 now),
                 400, "malformed_event");
}

TEST_CASE("webhook: 2 MB of junk", "[webhook]") {
  std::string junk(2u << 20, '\0');
  for (size_t i = 0; i < junk.size(); ++i)
    junk[i] = static_cast<char>((i * 2654435761u) >> 13);
  check_rejected(process_webhook(junk, signed_for(junk), secrets(), now), 400,
                 "not_json");
  // Deep nesting does not recurse on the stack.
  std::string deep(2u << 20, '[');
  check_rejected(process_webhook(deep, {}, secrets(), now), 400, "not_json");
  std::string deep_obj;
  for (int i = 0; i < 200000; ++i)
    deep_obj += R"({"a":)";
  deep_obj += "1";
  deep_obj += std::string(200000, '}');
  check_rejected(process_webhook(deep_obj, {}, secrets(), now), 401,
                 "missing_signature_headers");
  // A huge but valid encrypt field of junk base64.
  std::string big = R"({"encrypt":")" + std::string(2u << 20, 'A') + R"("})";
  check_rejected(process_webhook(big, signed_for(big), secrets(), now), 400,
                 "undecryptable");
}
