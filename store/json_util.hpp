#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include <caf/error.hpp>

namespace loong::store {

// Field readers shared by the store's JSON files. A missing key or JSON
// null leaves `out` untouched (or resets an optional); a value of the wrong
// type is `ec::store_failed` naming `what` and the key.

/// Parses `json` into `doc` and requires an object (iterative: deep nesting
/// cannot exhaust the stack).
caf::error json_parse_object(std::string_view json, const char* what,
                             rapidjson::Document& doc);

/// Reads a string field.
caf::error json_get(const rapidjson::Value& obj, const char* what,
                    const char* key, std::string& out);

/// Reads an integer field.
caf::error json_get(const rapidjson::Value& obj, const char* what,
                    const char* key, int64_t& out);

/// Reads a boolean field.
caf::error json_get(const rapidjson::Value& obj, const char* what,
                    const char* key, bool& out);

/// Reads an optional field; null and missing both read as absent.
template <class T>
caf::error json_get(const rapidjson::Value& obj, const char* what,
                    const char* key, std::optional<T>& out) {
  auto i = obj.FindMember(key);
  if (i == obj.MemberEnd() || i->value.IsNull()) {
    out.reset();
    return caf::none;
  }
  T x{};
  if (auto err = json_get(obj, what, key, x))
    return err;
  out = std::move(x);
  return caf::none;
}

} // namespace loong::store
