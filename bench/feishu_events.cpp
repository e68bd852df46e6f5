#include "bench/feishu_events.hpp"

#include "bench/mock_util.hpp"
#include "protocol/feishu_openapi.hpp"

namespace loong::bench {

std::string build_message_event(const message_event_spec& s) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  auto ms = std::to_string(s.create_ms);
  auto text = s.mention_bot ? "@_user_1 " + s.text : s.text;
  w.StartObject();
  w.Key("schema"), w.String("2.0");
  w.Key("header");
  w.StartObject();
  w.Key("event_id"), w.String(s.event_id);
  w.Key("event_type"), w.String("im.message.receive_v1");
  w.Key("create_time"), w.String(ms);
  w.Key("token"), w.String(s.token);
  w.Key("app_id"), w.String(s.app_id);
  w.Key("tenant_key"), w.String(s.tenant_key);
  w.EndObject();
  w.Key("event");
  w.StartObject();
  w.Key("sender");
  w.StartObject();
  w.Key("sender_id");
  w.StartObject();
  w.Key("union_id"), w.String("on_" + s.sender_open_id);
  w.Key("user_id"), w.String("");
  w.Key("open_id"), w.String(s.sender_open_id);
  w.EndObject();
  w.Key("sender_type"), w.String(s.sender_type);
  w.Key("tenant_key"), w.String(s.tenant_key);
  w.EndObject();
  w.Key("message");
  w.StartObject();
  w.Key("message_id"), w.String(s.message_id);
  w.Key("root_id"), w.String("");
  w.Key("parent_id"), w.String("");
  w.Key("create_time"), w.String(ms);
  w.Key("update_time"), w.String(ms);
  w.Key("chat_id"), w.String(s.chat_id);
  w.Key("chat_type"), w.String(s.chat_type);
  w.Key("message_type"), w.String("text");
  w.Key("content"), w.String(feishu::text_content(text));
  w.Key("mentions");
  w.StartArray();
  if (s.mention_bot) {
    w.StartObject();
    w.Key("key"), w.String("@_user_1");
    w.Key("id");
    w.StartObject();
    w.Key("union_id"), w.String("");
    w.Key("user_id"), w.String("");
    w.Key("open_id"), w.String(s.bot_open_id);
    w.EndObject();
    w.Key("name"), w.String(s.bot_name);
    w.Key("tenant_key"), w.String(s.tenant_key);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string build_challenge(const std::string& challenge, const std::string& token) {
  return "{\"challenge\":" + json_quote(challenge) + ",\"token\":" + json_quote(token)
         + ",\"type\":\"url_verification\"}";
}

} // namespace loong::bench
