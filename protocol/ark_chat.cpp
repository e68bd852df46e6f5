#include "protocol/ark_chat.hpp"

#include <cctype>
#include <cmath>
#include <utility>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "messages/errors.hpp"
#include "protocol/ark_json.hpp"

namespace loong::ark {

namespace {

bool ends_with(std::string_view x, std::string_view suffix) {
  return x.size() >= suffix.size()
         && x.substr(x.size() - suffix.size()) == suffix;
}

/// The versioned API root: `<base>/api/v3` unless the base already has one.
std::string api_root(std::string_view base_url) {
  auto b = detail::trim(base_url);
  while (!b.empty() && b.back() == '/')
    b.remove_suffix(1);
  // Tolerate a pasted full endpoint URL.
  for (std::string_view leaf : {"/chat/completions", "/models"}) {
    if (ends_with(b, leaf)) {
      b.remove_suffix(leaf.size());
      break;
    }
  }
  while (!b.empty() && b.back() == '/')
    b.remove_suffix(1);
  std::string out{b};
  if (!ends_with(b, "/api/v3") && !ends_with(b, "/api/coding/v3"))
    out += "/api/v3";
  return out;
}

bool iequals(std::string_view x, std::string_view y) {
  if (x.size() != y.size())
    return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(x[i]))
        != std::tolower(static_cast<unsigned char>(y[i])))
      return false;
  return true;
}

/// Catalogue ids that cannot answer a chat completion.
bool looks_non_chat(std::string_view id) {
  for (std::string_view marker :
       {"embedding", "seedream", "seedance", "seededit", "seed3d"})
    if (id.find(marker) != std::string_view::npos)
      return true;
  return false;
}

caf::error malformed(std::string why) {
  return caf::make_error(ec::malformed_response,
                         "Ark chat response: " + std::move(why));
}

/// Message content is a string, null, or an array of typed parts.
std::string content_text(const rapidjson::Value& content) {
  if (content.IsString())
    return {content.GetString(), content.GetStringLength()};
  std::string out;
  if (content.IsArray())
    for (auto& part : content.GetArray())
      if (detail::get_string(part, "type") == "text")
        out += detail::get_string(part, "text");
  return out;
}

} // namespace

std::string chat_url(std::string_view base_url) {
  return api_root(base_url) + "/chat/completions";
}

std::string models_url(std::string_view base_url) {
  return api_root(base_url) + "/models";
}

bool is_coding_plan_url(std::string_view base_url) {
  return base_url.find("/api/coding") != std::string_view::npos;
}

std::string chat_request_body(const std::string& model,
                              const std::vector<chat_turn>& messages,
                              bool stream, const chat_options& opts) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  auto str = [&w](std::string_view x) {
    auto clean = detail::sanitize_utf8(x);
    w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
  };
  w.StartObject();
  w.Key("model");
  str(model);
  w.Key("messages");
  w.StartArray();
  for (auto& turn : messages) {
    w.StartObject();
    w.Key("role");
    str(turn.role == "developer" ? std::string_view{"system"} : turn.role);
    w.Key("content");
    str(turn.content);
    w.EndObject();
  }
  w.EndArray();
  w.Key("stream");
  w.Bool(stream);
  if (stream && opts.include_usage) {
    w.Key("stream_options");
    w.StartObject();
    w.Key("include_usage");
    w.Bool(true);
    w.EndObject();
  }
  if (opts.max_tokens > 0) {
    w.Key("max_tokens");
    w.Int(opts.max_tokens);
  }
  // Writer refuses NaN/inf and would leave the object half written.
  if (std::isfinite(opts.temperature) && opts.temperature >= 0) {
    w.Key("temperature");
    w.Double(opts.temperature);
  }
  if (!opts.thinking.empty()) {
    w.Key("thinking");
    w.StartObject();
    w.Key("type");
    str(opts.thinking);
    w.EndObject();
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

caf::expected<completion_result> parse_chat_response(std::string_view body) {
  rapidjson::Document doc;
  detail::parse(doc, body);
  if (doc.HasParseError())
    return malformed(detail::parse_failure(doc));
  if (!doc.IsObject())
    return malformed("not a JSON object");
  if (auto err = doc.FindMember("error");
      err != doc.MemberEnd() && !err->value.IsNull()) {
    provider_error e;
    e.http_status = 200;
    detail::read_error_object(doc, e);
    return to_error(e);
  }
  auto choices = doc.FindMember("choices");
  if (choices == doc.MemberEnd() || !choices->value.IsArray()
      || choices->value.Empty())
    return malformed("no choices");
  // Prefer the choice with index 0; fall back to the first one.
  const rapidjson::Value* choice = &choices->value[0];
  for (auto& c : choices->value.GetArray()) {
    if (!c.IsObject())
      continue;
    auto idx = c.FindMember("index");
    if (idx != c.MemberEnd() && idx->value.IsInt() && idx->value.GetInt() == 0) {
      choice = &c;
      break;
    }
  }
  if (!choice->IsObject())
    return malformed("choices[0] is not an object");
  auto msg = choice->FindMember("message");
  if (msg == choice->MemberEnd() || !msg->value.IsObject())
    return malformed("choices[0].message missing");
  completion_result out;
  // reasoning_content is chain of thought and never reaches the chat.
  if (auto content = msg->value.FindMember("content");
      content != msg->value.MemberEnd())
    out.text = detail::sanitize_utf8(content_text(content->value));
  out.finish_reason = detail::get_string(*choice, "finish_reason");
  out.model = detail::get_string(doc, "model");
  if (auto usage = doc.FindMember("usage"); usage != doc.MemberEnd())
    out.has_usage = detail::read_usage(usage->value, out.usage);
  return out;
}

std::vector<std::string> parse_models(std::string_view body) {
  std::vector<std::string> out;
  rapidjson::Document doc;
  detail::parse(doc, body);
  if (doc.HasParseError())
    return out;
  const rapidjson::Value* list = nullptr;
  if (doc.IsArray()) {
    list = &doc;
  } else if (doc.IsObject()) {
    auto data = doc.FindMember("data");
    if (data != doc.MemberEnd() && data->value.IsArray())
      list = &data->value;
  }
  if (list == nullptr)
    return out;
  for (auto& entry : list->GetArray()) {
    std::string id = entry.IsString() ? detail::scalar_text(entry)
                                      : detail::get_string(entry, "id");
    id = std::string{detail::trim(id)};
    if (id.empty())
      continue;
    bool seen = false;
    for (auto& x : out)
      seen = seen || x == id;
    if (!seen)
      out.push_back(std::move(id));
  }
  return out;
}

caf::expected<std::string>
choose_model(const std::vector<std::string>& available,
             const std::vector<std::string>& preferred) {
  std::vector<std::string_view> catalogue;
  for (auto& x : available) {
    auto id = detail::trim(x);
    if (!id.empty())
      catalogue.push_back(id);
  }
  if (catalogue.empty())
    return caf::make_error(ec::invalid_config,
                           "model \"auto\": the provider's model list is "
                           "empty; set providers.<name>.model explicitly");
  for (auto& raw : preferred) {
    auto want = detail::trim(raw);
    if (want.empty())
      continue;
    for (auto id : catalogue)
      if (id == want)
        return std::string{id};
    for (auto id : catalogue)
      if (iequals(id, want))
        return std::string{id};
  }
  for (auto id : catalogue)
    if (!looks_non_chat(id))
      return std::string{id};
  return std::string{catalogue.front()};
}

} // namespace loong::ark
