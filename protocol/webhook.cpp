#include "protocol/webhook.hpp"

#include <cctype>
#include <variant>

#include "protocol/crypto.hpp"
#include "protocol/feishu_event.hpp"
#include "protocol/feishu_json.hpp"
#include "protocol/webhook_crypto.hpp"

namespace loong::feishu {

namespace {

using kind = webhook_outcome::kind;

constexpr std::string_view bad_request_body
  = R"({"code":400,"msg":"bad request"})";
constexpr std::string_view unauthorized_body
  = R"({"code":401,"msg":"unauthorized"})";

// Rejections carry only a generic body; the reason stays in our logs.
webhook_outcome reject(unsigned status, std::string reason) {
  webhook_outcome out{kind::rejected, status, {}, {}, std::move(reason)};
  out.response_body = std::string{status == 401 ? unauthorized_body
                                                : bad_request_body};
  return out;
}

webhook_outcome accept(kind what, std::string body, std::string reason) {
  return webhook_outcome{what, 200, std::move(body), {}, std::move(reason)};
}

std::string lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s)
    out.push_back(static_cast<char>(std::tolower(c)));
  return out;
}

// header.token (schema 2.0), else the top-level token (1.0, challenges).
std::string token_of(const rapidjson::Value& doc) {
  if (auto* header = json::object(doc, "header"))
    if (auto t = json::string_or_empty(*header, "token"); !t.empty())
      return t;
  return json::string_or_empty(doc, "token");
}

std::string challenge_body(const std::string& challenge) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key("challenge");
  json::put_string(w, challenge);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// Signature and replay window for everything but url_verification.
std::string authenticate(std::string_view raw_body, const webhook_headers& h,
                         const webhook_secrets& s, int64_t now_s) {
  if (s.encrypt_key.empty())
    return {}; // nothing to verify against; the token check still applies
  if (h.timestamp.empty() || h.nonce.empty() || h.signature.empty())
    return "missing_signature_headers";
  // The platform signs the raw bytes as received (spec §7.5, §9.3).
  auto expected = webhook_signature(h.timestamp, h.nonce, s.encrypt_key,
                                    raw_body);
  if (!crypto::constant_time_equal(expected, lower(h.signature)))
    return "bad_signature";
  if (s.replay_window_s > 0) {
    auto ts = json::parse_decimal(h.timestamp);
    if (!ts)
      return "bad_timestamp";
    auto age = now_s > *ts ? now_s - *ts : *ts - now_s;
    if (age > s.replay_window_s)
      return "stale_timestamp";
  }
  return {};
}

} // namespace

webhook_outcome process_webhook(std::string_view raw_body,
                                const webhook_headers& h,
                                const webhook_secrets& s, int64_t now_s) {
  rapidjson::Document outer;
  if (!json::parse(outer, raw_body))
    return reject(400, "not_json");
  if (!outer.IsObject())
    return reject(400, "not_object");
  // Decrypt first: an encrypted url_verification carries no signature.
  std::string plain;
  std::string_view text = raw_body;
  rapidjson::Document inner;
  const rapidjson::Value* doc = &outer;
  if (auto* enc = json::member(outer, "encrypt")) {
    if (!enc->IsString())
      return reject(400, "bad_encrypt_field");
    if (s.encrypt_key.empty())
      return reject(401, "no_encrypt_key");
    auto decrypted = decrypt_event({enc->GetString(), enc->GetStringLength()},
                                   s.encrypt_key);
    // Same status and body whether the padding or the JSON is bad, so the
    // answer is no padding oracle.
    if (!decrypted)
      return reject(400, "undecryptable");
    plain = std::move(*decrypted);
    if (!json::parse(inner, plain) || !inner.IsObject())
      return reject(400, "undecryptable");
    text = plain;
    doc = &inner;
  }
  if (s.verification_token.empty())
    return reject(401, "token_not_configured");
  if (json::string_or_empty(*doc, "type") == "url_verification") {
    if (!crypto::constant_time_equal(json::string_or_empty(*doc, "token"),
                                     s.verification_token))
      return reject(401, "bad_token");
    auto challenge = json::string_or_empty(*doc, "challenge");
    if (challenge.empty())
      return reject(400, "blank_challenge");
    return accept(kind::challenge, challenge_body(challenge), "challenge");
  }
  if (auto failure = authenticate(raw_body, h, s, now_s); !failure.empty())
    return reject(401, std::move(failure));
  if (!crypto::constant_time_equal(token_of(*doc), s.verification_token))
    return reject(401, "bad_token");
  auto parsed = parse_event(text);
  if (!parsed)
    return reject(400, "malformed_event");
  if (auto* msg = std::get_if<inbound_message>(&*parsed)) {
    auto out = accept(kind::event, R"({"code":0,"msg":"ok"})", "event");
    out.message = std::move(*msg);
    return out;
  }
  return accept(kind::ignored, R"({"code":0,"msg":"ignored"})", "ignored");
}

} // namespace loong::feishu
