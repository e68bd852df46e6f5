#pragma once

// Internal RapidJSON helpers for the protocol/ sources. Only .cpp files in
// protocol/ include this header; no RapidJSON type crosses the layer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace loong::feishu::json {

/// The writer every protocol/ encoder uses.
using writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// Parses `text` iteratively (no recursion on deep nesting); false on error.
bool parse(rapidjson::Document& doc, std::string_view text);

/// Returns the member `key` of `obj` when `obj` is an object holding it.
const rapidjson::Value* member(const rapidjson::Value& obj, const char* key);

/// Returns the member `key` when it is an object, else nullptr.
const rapidjson::Value* object(const rapidjson::Value& obj, const char* key);

/// Returns the member `key` when it is an array, else nullptr.
const rapidjson::Value* array(const rapidjson::Value& obj, const char* key);

/// Returns the member `key` when it is a string.
std::optional<std::string> string(const rapidjson::Value& obj,
                                  const char* key);

/// Returns the member `key` as a string, "" when absent or not a string.
std::string string_or_empty(const rapidjson::Value& obj, const char* key);

/// Returns the member `key` when it is an integer that fits int64_t.
std::optional<int64_t> int64(const rapidjson::Value& obj, const char* key);

/// Writes `s` as a JSON string, replacing invalid UTF-8 with U+FFFD.
void put_string(writer& w, std::string_view s);

/// Replaces every invalid UTF-8 sequence in `s` with U+FFFD.
std::string sanitize_utf8(std::string_view s);

/// Parses a non-empty run of ASCII digits into an int64_t without overflow.
std::optional<int64_t> parse_decimal(std::string_view s);

} // namespace loong::feishu::json
