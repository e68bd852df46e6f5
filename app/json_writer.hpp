#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace loong::app {

/// Streams one pretty-printed JSON document (2-space indent), the shape
/// every `--json` flag promises.
class json_writer {
public:
  json_writer() : w_(buf_) { w_.SetIndent(' ', 2); }

  json_writer& key(const char* k) { w_.Key(k); return *this; }
  json_writer& str(const std::string& v) { w_.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size())); return *this; }
  json_writer& str_or_null(const std::optional<std::string>& v) {
    if (v) str(*v); else w_.Null();
    return *this;
  }
  json_writer& num(int64_t v) { w_.Int64(v); return *this; }
  json_writer& real(double v) { w_.Double(v); return *this; }
  json_writer& boolean(bool v) { w_.Bool(v); return *this; }
  json_writer& null() { w_.Null(); return *this; }
  json_writer& begin_object() { w_.StartObject(); return *this; }
  json_writer& end_object() { w_.EndObject(); return *this; }
  json_writer& begin_array() { w_.StartArray(); return *this; }
  json_writer& end_array() { w_.EndArray(); return *this; }
  /// Inserts an already serialized JSON value verbatim.
  json_writer& raw(const std::string& json) {
    w_.RawValue(json.c_str(), json.size(), rapidjson::kObjectType);
    return *this;
  }

  /// The document followed by a newline.
  std::string text() const { return std::string{buf_.GetString()} + "\n"; }

private:
  rapidjson::StringBuffer buf_;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w_;
};

} // namespace loong::app
