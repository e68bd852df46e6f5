#include "store/inbound_codec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "messages/errors.hpp"
#include "store/json_util.hpp"

namespace loong::store {

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Bumped if the layout ever changes incompatibly; readers check it.
constexpr int codec_version = 1;

void put(writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

constexpr const char* what = "inbound JSON";

caf::error fail(const std::string& why) {
  return caf::make_error(ec::store_failed, std::string{what} + ": " + why);
}

caf::expected<content_kind> parse_kind(std::string_view x) {
  if (x == "text")
    return content_kind::text;
  if (x == "post")
    return content_kind::post;
  if (x == "unsupported")
    return content_kind::unsupported;
  return fail("unknown kind '" + std::string{x} + "'");
}

caf::error parse_mentions(const rapidjson::Value& obj,
                          std::vector<mention>& out) {
  auto i = obj.FindMember("mentions");
  if (i == obj.MemberEnd() || i->value.IsNull())
    return caf::none;
  if (!i->value.IsArray())
    return fail("'mentions' is not an array");
  for (const auto& item : i->value.GetArray()) {
    if (!item.IsObject())
      return fail("a mention is not an object");
    mention m;
    for (auto [key, field] :
         {std::pair{"key", &m.key}, std::pair{"open_id", &m.open_id},
          std::pair{"user_id", &m.user_id}, std::pair{"union_id", &m.union_id},
          std::pair{"name", &m.name},
          std::pair{"mentioned_type", &m.mentioned_type}})
      if (auto err = json_get(item, what, key, *field))
        return err;
    out.push_back(std::move(m));
  }
  return caf::none;
}

} // namespace

std::string to_json(const loong::inbound_message& m) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("v");
  w.Int(codec_version);
  put(w, "account", m.account);
  put(w, "event_id", m.event_id);
  put(w, "app_id", m.app_id);
  w.Key("create_time_ms");
  w.Int64(m.create_time_ms);
  put(w, "message_id", m.message_id);
  put(w, "root_id", m.root_id);
  put(w, "parent_id", m.parent_id);
  put(w, "thread_id", m.thread_id);
  put(w, "chat_id", m.chat_id);
  put(w, "chat_type", m.chat_type);
  put(w, "sender_open_id", m.sender_open_id);
  put(w, "sender_user_id", m.sender_user_id);
  put(w, "sender_union_id", m.sender_union_id);
  put(w, "sender_type", m.sender_type);
  put(w, "message_type", m.message_type);
  w.Key("kind");
  w.String(to_string(m.kind));
  put(w, "text", m.text);
  w.Key("mentions");
  w.StartArray();
  for (const auto& x : m.mentions) {
    w.StartObject();
    put(w, "key", x.key);
    put(w, "open_id", x.open_id);
    put(w, "user_id", x.user_id);
    put(w, "union_id", x.union_id);
    put(w, "name", x.name);
    put(w, "mentioned_type", x.mentioned_type);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string{buf.GetString(), buf.GetSize()};
}

caf::expected<loong::inbound_message> inbound_from_json(std::string_view json) {
  rapidjson::Document doc;
  if (auto err = json_parse_object(json, what, doc))
    return err;
  int64_t version = codec_version;
  if (auto err = json_get(doc, what, "v", version))
    return err;
  if (version != codec_version)
    return fail("unknown version " + std::to_string(version));
  inbound_message m;
  for (auto [key, field] : {
         std::pair{"account", &m.account},
         std::pair{"event_id", &m.event_id},
         std::pair{"app_id", &m.app_id},
         std::pair{"message_id", &m.message_id},
         std::pair{"root_id", &m.root_id},
         std::pair{"parent_id", &m.parent_id},
         std::pair{"thread_id", &m.thread_id},
         std::pair{"chat_id", &m.chat_id},
         std::pair{"chat_type", &m.chat_type},
         std::pair{"sender_open_id", &m.sender_open_id},
         std::pair{"sender_user_id", &m.sender_user_id},
         std::pair{"sender_union_id", &m.sender_union_id},
         std::pair{"sender_type", &m.sender_type},
         std::pair{"message_type", &m.message_type},
         std::pair{"text", &m.text},
       })
    if (auto err = json_get(doc, what, key, *field))
      return err;
  if (auto err = json_get(doc, what, "create_time_ms", m.create_time_ms))
    return err;
  std::string kind = "text";
  if (auto err = json_get(doc, what, "kind", kind))
    return err;
  auto parsed_kind = parse_kind(kind);
  if (!parsed_kind)
    return parsed_kind.error();
  m.kind = *parsed_kind;
  if (auto err = parse_mentions(doc, m.mentions))
    return err;
  return m;
}

} // namespace loong::store
