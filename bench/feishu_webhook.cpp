// Webhook driver of mock_feishu (spec §7): builds an event or URL
// verification, encrypts and signs it like the platform, POSTs it to the
// target and reports the target's answer.

#include "bench/feishu_events.hpp"
#include "bench/feishu_mock.hpp"
#include "protocol/webhook_crypto.hpp"

namespace loong::bench {

namespace {

// Replaces header.token (schema 2.0) or the top-level token (schema 1.0).
std::string with_token(const std::string& json, const std::string& token) {
  auto doc = parse_object(json);
  if (!doc)
    return json;
  auto& a = doc->GetAllocator();
  rapidjson::Value v;
  v.SetString(token.c_str(), static_cast<rapidjson::SizeType>(token.size()), a);
  if (doc->HasMember("header") && (*doc)["header"].IsObject()) {
    auto& h = (*doc)["header"];
    if (h.HasMember("token"))
      h["token"] = v;
    else
      h.AddMember("token", v, a);
  } else if (doc->HasMember("token")) {
    (*doc)["token"] = v;
  } else {
    doc->AddMember("token", v, a);
  }
  return json_dump(*doc);
}

// Changes one hex digit, so the signature is well-formed but wrong.
std::string corrupt(std::string sig) {
  if (!sig.empty())
    sig.back() = sig.back() == '0' ? '1' : '0';
  return sig;
}

} // namespace

void feishu_mock::control_webhook(const net::server_request& req, net::respond_fn respond) {
  auto doc = parse_object(req.body);
  auto fail = [&respond](const std::string& msg) {
    respond(json_response(400, "{\"ok\":false,\"error\":" + json_quote(msg) + "}"));
  };
  if (!doc)
    return fail("body required");
  const auto& b = *doc;
  auto url = json_str(b, "url");
  auto app_id = json_str(b, "app_id");
  auto tamper = json_str(b, "tamper");
  if (url.empty())
    return fail("url is required");
  if (!tamper.empty() && tamper != "bad_signature" && tamper != "wrong_token"
      && tamper != "old_timestamp" && tamper != "no_signature")
    return fail("tamper must be bad_signature|wrong_token|old_timestamp|no_signature");
  feishu_app app;
  std::string n;
  std::shared_ptr<net::http_client> client;
  {
    std::lock_guard<std::mutex> lk{mu_};
    client = client_;
    const auto* a = app_locked(app_id);
    if (!a)
      return fail("unknown app_id " + app_id);
    app = *a;
    n = std::to_string(next_id_++);
    bump_locked("webhooks", app_id);
  }
  auto token = tamper == "wrong_token" ? std::string{"wrong_token"} : app.verification_token;
  std::string plain;
  if (json_str(b, "kind", "event") == "challenge") {
    plain = build_challenge(json_str(b, "challenge", "challenge_mock_" + n), token);
  } else if (json_has(b, "event_json") || json_has(b, "event")) {
    plain = json_has(b, "event_json") ? json_str(b, "event_json") : json_dump(b["event"]);
    if (tamper == "wrong_token")
      plain = with_token(plain, token);
  } else {
    message_event_spec s;
    s.app_id = app.app_id;
    s.token = token;
    s.bot_open_id = app.bot_open_id;
    s.bot_name = app.bot_name;
    s.event_id = json_str(b, "event_id", "evt_mock_" + n);
    s.message_id = json_str(b, "message_id", "om_in_mock_" + n);
    s.chat_id = json_str(b, "chat_id", "oc_mock_chat");
    s.chat_type = json_str(b, "chat_type", "p2p");
    s.text = json_str(b, "text", "hello");
    s.sender_open_id = json_str(b, "sender_open_id", "ou_user_mock");
    s.sender_type = json_str(b, "sender_type", "user");
    s.mention_bot = json_bool(b, "mention_bot", false);
    s.create_ms = wall_ms();
    plain = build_message_event(s);
  }
  bool encrypt = json_bool(b, "encrypt", !app.encrypt_key.empty());
  if (encrypt && app.encrypt_key.empty())
    return fail("encrypt requested but the app has no encrypt_key");
  auto body = encrypt ? "{\"encrypt\":" + json_quote(feishu::encrypt_event(plain, app.encrypt_key))
                          + "}"
                      : plain;
  auto now_s = wall_ms() / 1000;
  auto ts = json_str(b, "timestamp", std::to_string(tamper == "old_timestamp" ? now_s - 86400
                                                                              : now_s));
  auto nonce = json_str(b, "nonce", random_hex(8));
  std::string sig;
  if (!app.encrypt_key.empty())
    sig = feishu::webhook_signature(ts, nonce, app.encrypt_key, body);
  if (tamper == "bad_signature")
    sig = corrupt(sig.empty() ? std::string(64, '0') : sig);
  net::http_request hr;
  hr.method = "POST";
  hr.url = url;
  hr.body = body;
  hr.timeout = std::chrono::milliseconds{json_int(b, "timeout_ms", 10000)};
  hr.headers = {{"Content-Type", "application/json"},
                {"X-Lark-Request-Timestamp", ts},
                {"X-Lark-Request-Nonce", nonce}};
  if (!sig.empty() && tamper != "no_signature")
    hr.headers.emplace_back("X-Lark-Signature", sig);
  if (!client)
    return fail("mock is stopping");
  auto sent = "{\"body\":" + json_quote(body) + ",\"plaintext\":" + json_quote(plain)
              + ",\"timestamp\":" + json_quote(ts) + ",\"nonce\":" + json_quote(nonce)
              + ",\"signature\":" + json_quote(sig) + "}";
  client->request(std::move(hr), [respond = std::move(respond), sent = std::move(sent)](
                                    net::net_error e, net::http_response resp) {
    auto err = e ? std::string{net::to_string(e.code)} + ": " + e.detail : std::string{};
    respond(json_response(200, "{\"ok\":" + std::string{e ? "false" : "true"}
                                 + ",\"status\":" + std::to_string(resp.status)
                                 + ",\"body\":" + json_quote(resp.body)
                                 + ",\"error\":" + json_quote(err) + ",\"request\":" + sent
                                 + "}"));
  });
}

} // namespace loong::bench
