// libFuzzer target over process_webhook (spec §7).
//
// Input layout, so that seeds stay readable and mutations reach every path:
//   byte 0        flags (see below)
//   line 1..3     X-Lark-Request-Timestamp, -Nonce, -Signature, each ended
//                 by '\n'; a missing '\n' leaves that header and the later
//                 ones empty and the rest is the body
//   rest          the raw body
// Flags: 1 encrypt key set, 2 replay window 300 s, 4 replace the signature
// with the correct one (reaches the code behind the signature check),
// 8 encrypt the body with a fixed IV (reaches the decrypted-JSON paths),
// 16 no verification token.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/webhook.hpp"
#include "protocol/webhook_crypto.hpp"

using namespace loong::feishu;

namespace {

constexpr std::string_view key = "kR3xT9vQ2mLp8wZc";
constexpr std::string_view token = "vt_test_token_01";
constexpr int64_t now_s = 1700000000;

std::string_view next_line(std::string_view& in, bool& ok) {
  if (!ok)
    return {};
  auto nl = in.find('\n');
  if (nl == std::string_view::npos) {
    ok = false;
    return {};
  }
  auto line = in.substr(0, nl);
  in.remove_prefix(nl + 1);
  return line;
}

void check(bool invariant) {
  if (!invariant)
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  auto flags = data[0];
  std::string_view in{reinterpret_cast<const char*>(data) + 1, size - 1};
  webhook_secrets s;
  s.encrypt_key = (flags & 1) ? std::string{key} : std::string{};
  s.replay_window_s = (flags & 2) ? 300 : 0;
  s.verification_token = (flags & 16) ? std::string{} : std::string{token};
  bool ok = true;
  webhook_headers h;
  h.timestamp = std::string{next_line(in, ok)};
  h.nonce = std::string{next_line(in, ok)};
  h.signature = std::string{next_line(in, ok)};
  std::string body{in};
  if (flags & 8)
    body = R"({"encrypt":")"
           + encrypt_event(body, key, "\x00\x01\x02\x03\x04\x05\x06\x07"
                                      "\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f")
           + R"("})";
  if (flags & 4)
    h.signature = webhook_signature(h.timestamp, h.nonce, key, body);
  auto out = process_webhook(body, h, s, now_s);
  // Invariants of the public contract.
  using kind = webhook_outcome::kind;
  switch (out.what) {
    case kind::rejected:
      check(out.http_status == 400 || out.http_status == 401);
      check(out.response_body == R"({"code":400,"msg":"bad request"})"
            || out.response_body == R"({"code":401,"msg":"unauthorized"})");
      check(!out.reason.empty());
      break;
    case kind::challenge:
      check(out.http_status == 200);
      check(out.response_body.rfind(R"({"challenge":")", 0) == 0);
      break;
    case kind::event:
      check(out.http_status == 200);
      check(!out.message.chat_id.empty() && !out.message.message_id.empty());
      check(!out.message.event_id.empty());
      break;
    case kind::ignored:
      check(out.http_status == 200);
      break;
  }
  // Nothing is accepted without the right token.
  if (out.what != kind::rejected)
    check(!s.verification_token.empty());
  return 0;
}
