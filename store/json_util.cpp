#include "store/json_util.hpp"

#include <rapidjson/error/en.h>

#include "messages/errors.hpp"

namespace loong::store {

namespace {

caf::error bad_field(const char* what, const char* key, const char* want) {
  return caf::make_error(ec::store_failed, std::string{what} + ": field '"
                                             + key + "' is not " + want);
}

const rapidjson::Value* find(const rapidjson::Value& obj, const char* key) {
  auto i = obj.FindMember(key);
  if (i == obj.MemberEnd() || i->value.IsNull())
    return nullptr;
  return &i->value;
}

} // namespace

caf::error json_parse_object(std::string_view json, const char* what,
                             rapidjson::Document& doc) {
  if (json.empty())
    return caf::make_error(ec::store_failed, std::string{what} + ": empty");
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError())
    return caf::make_error(ec::store_failed,
                           std::string{what} + ": "
                             + rapidjson::GetParseError_En(doc.GetParseError())
                             + " at offset "
                             + std::to_string(doc.GetErrorOffset()));
  if (!doc.IsObject())
    return caf::make_error(ec::store_failed,
                           std::string{what} + ": not an object");
  return caf::none;
}

caf::error json_get(const rapidjson::Value& obj, const char* what,
                    const char* key, std::string& out) {
  if (auto v = find(obj, key)) {
    if (!v->IsString())
      return bad_field(what, key, "a string");
    out.assign(v->GetString(), v->GetStringLength());
  }
  return caf::none;
}

caf::error json_get(const rapidjson::Value& obj, const char* what,
                    const char* key, int64_t& out) {
  if (auto v = find(obj, key)) {
    if (!v->IsInt64())
      return bad_field(what, key, "an integer");
    out = v->GetInt64();
  }
  return caf::none;
}

caf::error json_get(const rapidjson::Value& obj, const char* what,
                    const char* key, bool& out) {
  if (auto v = find(obj, key)) {
    if (!v->IsBool())
      return bad_field(what, key, "a boolean");
    out = v->GetBool();
  }
  return caf::none;
}

} // namespace loong::store
