// OpenAPI endpoints of mock_feishu (spec §2-4): tenant tokens, bot info,
// send / reply / edit / reactions, with the platform's uuid de-duplication.

#include "bench/feishu_mock.hpp"

namespace loong::bench {

namespace {

constexpr const char* token_path = "/open-apis/auth/v3/tenant_access_token/internal";
constexpr const char* messages_path = "/open-apis/im/v1/messages";
constexpr int64_t dedup_window_ms = 3600 * 1000;

bool valid_receive_id_type(const std::string& t) {
  return t == "open_id" || t == "user_id" || t == "union_id" || t == "email"
         || t == "chat_id";
}

std::string bad_param(const std::string& what) {
  return "invalid request parameter: " + what;
}

// The §4.4 success envelope for a recorded send or reply.
std::string message_body(const std::string& message_id, const std::string& app_id,
                         const std::string& parent, const std::string& chat_id,
                         const std::string& msg_type, const std::string& content,
                         int64_t now) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  auto ms = std::to_string(now);
  w.StartObject();
  w.Key("code"), w.Int(0), w.Key("msg"), w.String("success");
  w.Key("data");
  w.StartObject();
  w.Key("message_id"), w.String(message_id);
  w.Key("root_id"), w.String(parent);
  w.Key("parent_id"), w.String(parent);
  w.Key("msg_type"), w.String(msg_type);
  w.Key("create_time"), w.String(ms);
  w.Key("update_time"), w.String(ms);
  w.Key("deleted"), w.Bool(false);
  w.Key("updated"), w.Bool(false);
  w.Key("chat_id"), w.String(chat_id);
  w.Key("sender");
  w.StartObject();
  w.Key("id"), w.String(app_id);
  w.Key("id_type"), w.String("app_id");
  w.Key("sender_type"), w.String("app");
  w.Key("tenant_key"), w.String("tk_mock");
  w.EndObject();
  w.Key("body");
  w.StartObject();
  w.Key("content"), w.String(content);
  w.EndObject();
  w.Key("mentions"), w.StartArray(), w.EndArray();
  w.Key("upper_message_id"), w.String("");
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// Official size limits (spec §4.3): text 150 KB, post and cards 30 KB.
bool too_long(const std::string& msg_type, const std::string& content) {
  if (msg_type == "text")
    return content.size() > 150 * 1024;
  if (msg_type == "post" || msg_type == "interactive")
    return content.size() > 30 * 1024;
  return false;
}

} // namespace

mock_reply feishu_mock::handle_openapi(const net::server_request& req,
                                       const target_parts& t) {
  if (t.path == token_path) {
    if (req.method != "POST")
      return {feishu_error(405, 405, "method not allowed")};
    return handle_token(req);
  }
  std::string app_id, token;
  {
    std::lock_guard<std::mutex> lk{mu_};
    if (auto r = check_bearer_locked(req, app_id, token))
      return *r;
  }
  if (t.path == "/open-apis/bot/v3/info" && req.method == "GET") {
    std::lock_guard<std::mutex> lk{mu_};
    int64_t delay = 0;
    if (auto f = take_fault_locked("bot_info", app_id, token, delay))
      return *f;
    bump_locked("bot_info", app_id);
    const auto* app = app_locked(app_id);
    std::string body = R"({"code":0,"msg":"ok","bot":{"activate_status":2,"app_name":)"
                       + json_quote(app ? app->bot_name : app_id)
                       + R"(,"avatar_url":"","ip_white_list":[],"open_id":)"
                       + json_quote(app ? app->bot_open_id : "ou_bot_" + app_id) + "}}";
    return {json_response(200, std::move(body)), delay};
  }
  if (t.path == messages_path && req.method == "POST")
    return handle_send(req, t, app_id, {});
  std::string prefix = std::string{messages_path} + "/";
  if (t.path.rfind(prefix, 0) == 0) {
    auto rest = t.path.substr(prefix.size());
    auto slash = rest.find('/');
    auto id = rest.substr(0, slash);
    auto tail = slash == std::string::npos ? std::string{} : rest.substr(slash);
    if (!id.empty() && tail == "/reply" && req.method == "POST")
      return handle_send(req, t, app_id, id);
    if (!id.empty() && tail.empty() && req.method == "PUT")
      return handle_edit(req, app_id, id);
    if (!id.empty() && tail == "/reactions" && req.method == "POST")
      return handle_reaction(req, app_id, id);
  }
  return {feishu_error(404, 404, "not found")};
}

std::optional<mock_reply> feishu_mock::check_bearer_locked(const net::server_request& req,
                                                           std::string& app_id,
                                                           std::string& token) {
  auto auth = header_value(req.headers, "authorization");
  if (auth.size() <= 7 || (auth.compare(0, 7, "Bearer ") != 0
                           && auth.compare(0, 7, "bearer ") != 0)) {
    bump_locked("auth_missing", "");
    return mock_reply{feishu_error(400, 99991661, "Missing access token for authorization.")};
  }
  token = auth.substr(7);
  auto i = tokens_.find(token);
  if (i == tokens_.end() || i->second.revoked || i->second.expires_ms <= mono_ms()) {
    bump_locked("auth_invalid", "");
    return mock_reply{feishu_error(400, 99991663, "Invalid access token for authorization.")};
  }
  app_id = i->second.app_id;
  return std::nullopt;
}

mock_reply feishu_mock::handle_token(const net::server_request& req) {
  auto doc = parse_object(req.body);
  auto app_id = doc ? json_str(*doc, "app_id") : std::string{};
  auto secret = doc ? json_str(*doc, "app_secret") : std::string{};
  effects fx;
  mock_reply r;
  {
    std::lock_guard<std::mutex> lk{mu_};
    int64_t delay = 0;
    if (auto f = take_fault_locked("token", app_id, {}, delay))
      return *f;
    bump_locked("token_requests", app_id);
    const auto* app = app_locked(app_id);
    if (!app)
      return {feishu_error(400, 10003, "invalid param"), delay};
    if (app->app_secret != secret)
      return {feishu_error(400, 10014, "app secret invalid"), delay};
    // Platform rule (spec §3.2): the same token while more than a quarter of
    // its lifetime (30 min of 2 h) is left, else a new one.
    auto now = mono_ms();
    auto ttl_ms = opts_.token_ttl_s * 1000;
    std::string tok;
    int64_t left_ms = 0;
    auto cur = current_token_.find(app_id);
    if (cur != current_token_.end()) {
      const auto& e = tokens_[cur->second];
      left_ms = e.expires_ms - now;
      if (!e.revoked && left_ms > ttl_ms / 4)
        tok = cur->second;
    }
    if (tok.empty()) {
      tok = "t-mock" + random_hex(20);
      tokens_[tok] = token_entry{app_id, now, now + ttl_ms, false};
      current_token_[app_id] = tok;
      left_ms = ttl_ms;
      bump_locked("tokens_issued", app_id);
    }
    bump_locked("token_fetches", app_id);
    wake_locked(fx);
    r.resp = json_response(200, R"({"code":0,"msg":"ok","tenant_access_token":)"
                                  + json_quote(tok) + ",\"expire\":"
                                  + std::to_string((left_ms + 999) / 1000) + "}");
    r.delay_ms = delay;
  }
  run(fx);
  return r;
}

mock_reply feishu_mock::handle_send(const net::server_request& req, const target_parts& t,
                                    const std::string& app_id, const std::string& reply_to) {
  const bool is_reply = !reply_to.empty();
  auto doc = parse_object(req.body);
  effects fx;
  mock_reply r;
  {
    std::lock_guard<std::mutex> lk{mu_};
    std::string token = header_value(req.headers, "authorization").substr(7);
    if (auto f = take_fault_locked(is_reply ? "reply" : "send", app_id, token, r.delay_ms))
      return *f;
    if (!doc)
      return {feishu_error(400, 230001, bad_param("body is not a JSON object")), r.delay_ms};
    message_record m;
    m.app_id = app_id;
    m.kind = is_reply ? "reply" : "send";
    m.reply_to = reply_to;
    m.msg_type = json_str(*doc, "msg_type");
    m.content = json_str(*doc, "content");
    m.uuid = json_str(*doc, "uuid");
    m.reply_in_thread = json_bool(*doc, "reply_in_thread", false);
    if (!is_reply) {
      m.receive_id_type = t.param("receive_id_type");
      m.receive_id = json_str(*doc, "receive_id");
      if (!valid_receive_id_type(m.receive_id_type))
        return {feishu_error(400, 230001, bad_param("receive_id_type")), r.delay_ms};
      if (m.receive_id.empty())
        return {feishu_error(400, 230001, bad_param("receive_id")), r.delay_ms};
    }
    if (m.msg_type.empty() || m.content.empty() || !parse_json_ok(m.content))
      return {feishu_error(400, 230001, bad_param("msg_type/content")), r.delay_ms};
    if (m.uuid.size() > 50)
      return {feishu_error(400, 230001, bad_param("uuid longer than 50")), r.delay_ms};
    if (too_long(m.msg_type, m.content))
      return {feishu_error(400, 230025, "The message content is too long."), r.delay_ms};
    auto now = wall_ms();
    std::string dedup_key;
    if (!m.uuid.empty()) {
      dedup_key = app_id + '\x1f' + m.uuid;
      auto d = dedup_.find(dedup_key);
      if (d != dedup_.end() && now - d->second.time_ms < dedup_window_ms) {
        // Same uuid within 1 h: the platform answers the original message.
        bump_locked("dedup_hits", app_id);
        wake_locked(fx);
        r.resp = json_response(200, d->second.body);
        return r;
      }
    }
    m.index = messages_.size();
    m.time_ms = now;
    m.message_id = "om_mock_" + std::to_string(next_id_++);
    std::string chat_id;
    if (is_reply) {
      auto c = inbound_chats_.find(reply_to);
      if (c != inbound_chats_.end())
        chat_id = c->second;
    } else if (m.receive_id_type == "chat_id") {
      chat_id = m.receive_id;
    }
    auto body = message_body(m.message_id, app_id, reply_to, chat_id, m.msg_type,
                             m.content, now);
    if (!dedup_key.empty())
      dedup_[dedup_key] = dedup_entry{body, now};
    messages_.push_back(std::move(m));
    bump_locked(is_reply ? "replies" : "sends", app_id);
    bump_locked("messages", app_id);
    if (is_reply)
      load_note_reply_locked(messages_.back());
    wake_locked(fx);
    r.resp = json_response(200, std::move(body));
  }
  run(fx);
  return r;
}

mock_reply feishu_mock::handle_edit(const net::server_request& req, const std::string& app_id,
                                    const std::string& message_id) {
  auto doc = parse_object(req.body);
  effects fx;
  mock_reply r;
  {
    std::lock_guard<std::mutex> lk{mu_};
    std::string token = header_value(req.headers, "authorization").substr(7);
    if (auto f = take_fault_locked("edit", app_id, token, r.delay_ms))
      return *f;
    message_record m;
    m.app_id = app_id;
    m.kind = "edit";
    m.message_id = message_id;
    m.msg_type = doc ? json_str(*doc, "msg_type") : std::string{};
    m.content = doc ? json_str(*doc, "content") : std::string{};
    if (m.msg_type.empty() || m.content.empty() || !parse_json_ok(m.content))
      return {feishu_error(400, 230001, bad_param("msg_type/content")), r.delay_ms};
    m.index = edits_.size();
    m.time_ms = wall_ms();
    auto body = message_body(message_id, app_id, {}, {}, m.msg_type, m.content, m.time_ms);
    edits_.push_back(std::move(m));
    bump_locked("edits", app_id);
    wake_locked(fx);
    r.resp = json_response(200, std::move(body));
  }
  run(fx);
  return r;
}

mock_reply feishu_mock::handle_reaction(const net::server_request& req,
                                        const std::string& app_id,
                                        const std::string& message_id) {
  auto doc = parse_object(req.body);
  std::string emoji;
  if (doc && doc->HasMember("reaction_type"))
    emoji = json_str((*doc)["reaction_type"], "emoji_type");
  effects fx;
  mock_reply r;
  {
    std::lock_guard<std::mutex> lk{mu_};
    std::string token = header_value(req.headers, "authorization").substr(7);
    if (auto f = take_fault_locked("reaction", app_id, token, r.delay_ms))
      return *f;
    if (emoji.empty())
      return {feishu_error(400, 230001, bad_param("reaction_type.emoji_type")), r.delay_ms};
    message_record m;
    m.app_id = app_id;
    m.kind = "reaction";
    m.reply_to = message_id;
    m.content = emoji;
    m.index = reactions_.size();
    m.time_ms = wall_ms();
    m.message_id = "r_mock_" + std::to_string(next_id_++);
    r.resp = json_response(
      200, R"({"code":0,"msg":"success","data":{"reaction_id":)" + json_quote(m.message_id)
             + R"(,"operator":{"operator_id":)" + json_quote(app_id)
             + R"(,"operator_type":"app"},"action_time":")" + std::to_string(m.time_ms)
             + R"(","reaction_type":{"emoji_type":)" + json_quote(emoji) + "}}}");
    reactions_.push_back(std::move(m));
    bump_locked("reactions", app_id);
    wake_locked(fx);
  }
  run(fx);
  return r;
}

} // namespace loong::bench
