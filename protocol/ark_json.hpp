#pragma once

// Helpers shared by the Ark wire-format sources; not part of the public API.

#include <cstddef>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "messages/provider.hpp"
#include "protocol/ark_error.hpp"

namespace loong::ark::detail {

/// Longest provider message kept in an error (bytes), so logs stay bounded.
constexpr size_t max_message_bytes = 512;

/// Returns `x` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string sanitize_utf8(std::string_view x);

/// Returns at most `max_bytes` of `x`, cut on a UTF-8 boundary, whitespace
/// runs collapsed to one space, "..." appended when cut.
std::string clip(std::string_view x, size_t max_bytes);

/// Returns `x` without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view x);

/// Returns member `key` of object `obj` when it is a string, else "".
std::string get_string(const rapidjson::Value& obj, const char* key);

/// Returns a scalar (string or number) as text, else "".
std::string scalar_text(const rapidjson::Value& x);

/// Reads an OpenAI-style usage object; false when `x` is not an object.
bool read_usage(const rapidjson::Value& x, token_usage& out);

/// Fills code and message from an error body: the `error` member when
/// present (object or string), else the object itself (as the SDK does).
void read_error_object(const rapidjson::Value& obj, provider_error& out);

/// Parses `text` iteratively, so deeply nested input cannot exhaust the stack.
void parse(rapidjson::Document& doc, std::string_view text);

/// Describes a RapidJSON parse failure: "invalid JSON at offset N: <why>".
std::string parse_failure(const rapidjson::Document& doc);

} // namespace loong::ark::detail
