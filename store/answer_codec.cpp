#include "store/answer_codec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "store/json_util.hpp"

namespace loong::store {

namespace {

constexpr const char* what = "answer JSON";

} // namespace

std::string to_json(const loong::stored_answer& a) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("text");
  w.String(a.text.data(), static_cast<rapidjson::SizeType>(a.text.size()));
  w.Key("kind");
  w.String(a.kind.data(), static_cast<rapidjson::SizeType>(a.kind.size()));
  w.Key("provider_failed");
  w.Bool(a.provider_failed);
  w.Key("answered_ms");
  w.Int64(a.answered_ms);
  w.EndObject();
  return std::string{buf.GetString(), buf.GetSize()};
}

caf::expected<loong::stored_answer> answer_from_json(std::string_view json) {
  rapidjson::Document doc;
  if (auto err = json_parse_object(json, what, doc))
    return err;
  loong::stored_answer a;
  if (auto err = json_get(doc, what, "text", a.text))
    return err;
  if (auto err = json_get(doc, what, "kind", a.kind))
    return err;
  if (auto err = json_get(doc, what, "provider_failed", a.provider_failed))
    return err;
  if (auto err = json_get(doc, what, "answered_ms", a.answered_ms))
    return err;
  return a;
}

} // namespace loong::store
