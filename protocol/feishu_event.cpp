#include "protocol/feishu_event.hpp"

#include <caf/error.hpp>

#include "messages/errors.hpp"
#include "protocol/feishu_json.hpp"

namespace loong::feishu {

namespace {

using rapidjson::Value;

caf::error missing(const char* field) {
  return caf::make_error(ec::malformed_response,
                         std::string{"event lacks "} + field);
}

caf::error malformed(const char* field) {
  return caf::make_error(ec::malformed_response,
                         std::string{"event has a malformed "} + field);
}

// `message.content` is a JSON document serialized into a string; a few
// producers send the object itself, so accept both.
bool content_document(const Value& message, rapidjson::Document& out) {
  auto* c = json::member(message, "content");
  if (c == nullptr)
    return false;
  if (c->IsString())
    return json::parse(out, {c->GetString(), c->GetStringLength()})
           && out.IsObject();
  if (c->IsObject()) {
    out.CopyFrom(*c, out.GetAllocator());
    return true;
  }
  return false;
}

void flatten_element(const Value& el, std::string& line) {
  auto tag = json::string_or_empty(el, "tag");
  auto text = json::string_or_empty(el, "text");
  if (tag == "at") {
    // Receive side: user_id holds the placeholder ("@_user_1").
    auto id = json::string_or_empty(el, "user_id");
    if (!id.empty() && id.front() == '@')
      line += id;
    else if (auto name = json::string_or_empty(el, "user_name"); !name.empty())
      line += "@" + name;
    else if (!id.empty())
      line += "@" + id;
  } else if (tag == "a") {
    line += text.empty() ? json::string_or_empty(el, "href") : text;
  } else if (tag == "img") {
    line += "[image]";
  } else if (tag == "media") {
    line += "[media]";
  } else if (tag == "emotion") {
    line += "[" + json::string_or_empty(el, "emoji_type") + "]";
  } else if (tag == "hr") {
    line += "---";
  } else {
    line += text; // text, md, code_block and unknown tags with text
  }
}

// Flattens a post: receive side {"title","content":[[...]]}, or the
// send-side shape keyed by locale.
std::optional<std::string> flatten_post(const Value& root) {
  const Value* post = json::array(root, "content") ? &root : nullptr;
  for (auto locale : {"zh_cn", "en_us", "ja_jp"})
    if (post == nullptr)
      if (auto* p = json::object(root, locale); p && json::array(*p, "content"))
        post = p;
  if (post == nullptr && root.IsObject())
    for (auto& m : root.GetObject())
      if (m.value.IsObject() && json::array(m.value, "content")) {
        post = &m.value;
        break;
      }
  if (post == nullptr)
    return std::nullopt;
  std::string out = json::string_or_empty(*post, "title");
  for (auto& para : json::array(*post, "content")->GetArray()) {
    if (!out.empty())
      out += '\n';
    if (!para.IsArray())
      continue;
    for (auto& el : para.GetArray())
      if (el.IsObject())
        flatten_element(el, out);
  }
  return out;
}

std::string summary(const std::string& type, const Value& message) {
  std::string out = "[" + type;
  rapidjson::Document doc;
  if (content_document(message, doc)) {
    std::string detail;
    for (auto key : {"image_key", "file_name", "file_key"})
      if (detail.empty())
        detail = json::string_or_empty(doc, key);
    if (!detail.empty())
      out += " " + detail;
  }
  return out + "]";
}

int64_t time_ms(const Value& obj, const char* key) {
  auto* v = json::member(obj, key);
  if (v == nullptr)
    return 0;
  if (v->IsString())
    return json::parse_decimal({v->GetString(), v->GetStringLength()})
      .value_or(0);
  return v->IsInt64() ? v->GetInt64() : 0;
}

caf::expected<parsed_event> parse_message(const Value& doc,
                                          const Value& header) {
  auto* event = json::object(doc, "event");
  if (event == nullptr)
    return missing("event");
  auto* message = json::object(*event, "message");
  if (message == nullptr)
    return missing("event.message");
  inbound_message m;
  m.chat_id = json::string_or_empty(*message, "chat_id");
  if (m.chat_id.empty())
    return missing("event.message.chat_id");
  m.message_id = json::string_or_empty(*message, "message_id");
  if (m.message_id.empty())
    return missing("event.message.message_id");
  m.event_id = json::string_or_empty(header, "event_id");
  if (m.event_id.empty())
    m.event_id = "message:" + m.message_id;
  m.app_id = json::string_or_empty(header, "app_id");
  m.create_time_ms = time_ms(header, "create_time");
  if (m.create_time_ms == 0)
    m.create_time_ms = time_ms(*message, "create_time");
  m.root_id = json::string_or_empty(*message, "root_id");
  m.parent_id = json::string_or_empty(*message, "parent_id");
  m.thread_id = json::string_or_empty(*message, "thread_id");
  m.chat_type = json::string_or_empty(*message, "chat_type");
  if (auto* sender = json::object(*event, "sender")) {
    m.sender_type = json::string_or_empty(*sender, "sender_type");
    if (auto* id = json::object(*sender, "sender_id")) {
      m.sender_open_id = json::string_or_empty(*id, "open_id");
      m.sender_user_id = json::string_or_empty(*id, "user_id");
      m.sender_union_id = json::string_or_empty(*id, "union_id");
    }
  }
  if (auto* mentions = json::array(*message, "mentions")) {
    for (auto& item : mentions->GetArray()) {
      if (!item.IsObject())
        continue;
      mention x;
      x.key = json::string_or_empty(item, "key");
      x.name = json::string_or_empty(item, "name");
      x.mentioned_type = json::string_or_empty(item, "mentioned_type");
      if (auto* id = json::object(item, "id")) {
        x.open_id = json::string_or_empty(*id, "open_id");
        x.user_id = json::string_or_empty(*id, "user_id");
        x.union_id = json::string_or_empty(*id, "union_id");
      }
      m.mentions.push_back(std::move(x));
    }
  }
  m.message_type = json::string_or_empty(*message, "message_type");
  if (m.message_type.empty())
    return missing("event.message.message_type");
  if (m.message_type == "text") {
    m.kind = content_kind::text;
    rapidjson::Document content;
    if (!content_document(*message, content))
      return malformed("event.message.content");
    auto text = json::string(content, "text");
    if (!text)
      return missing("event.message.content.text");
    m.text = std::move(*text);
  } else if (m.message_type == "post") {
    m.kind = content_kind::post;
    rapidjson::Document content;
    if (!content_document(*message, content))
      return malformed("event.message.content");
    auto text = flatten_post(content);
    if (!text)
      return malformed("event.message.content");
    m.text = std::move(*text);
  } else {
    m.kind = content_kind::unsupported;
    m.text = summary(m.message_type, *message);
  }
  return parsed_event{std::move(m)};
}

} // namespace

caf::expected<parsed_event> parse_event(std::string_view text) {
  rapidjson::Document doc;
  if (!json::parse(doc, text))
    return caf::make_error(ec::malformed_response, "event body is not JSON");
  if (!doc.IsObject())
    return caf::make_error(ec::malformed_response,
                           "event body is not a JSON object");
  if (json::string_or_empty(doc, "type") == "url_verification")
    return parsed_event{url_verification{
      json::string_or_empty(doc, "challenge"),
      json::string_or_empty(doc, "token")}};
  auto* header = json::object(doc, "header");
  if (header == nullptr) {
    // Schema 1.0 callbacks: {"uuid","token","type":"event_callback","event"}.
    if (auto* event = json::object(doc, "event"))
      return parsed_event{ignored_event{json::string_or_empty(*event, "type"),
                                        json::string_or_empty(doc, "uuid"),
                                        "schema 1.0 event"}};
    return missing("header");
  }
  auto type = json::string_or_empty(*header, "event_type");
  if (type.empty())
    return missing("header.event_type");
  if (type != "im.message.receive_v1")
    return parsed_event{ignored_event{
      type, json::string_or_empty(*header, "event_id"),
      "unsupported event type"}};
  return parse_message(doc, *header);
}

std::string event_token(std::string_view text) {
  rapidjson::Document doc;
  if (!json::parse(doc, text) || !doc.IsObject())
    return {};
  if (auto* header = json::object(doc, "header"))
    if (auto token = json::string_or_empty(*header, "token"); !token.empty())
      return token;
  return json::string_or_empty(doc, "token");
}

} // namespace loong::feishu
