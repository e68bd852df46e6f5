#include "protocol/ark_json.hpp"

#include <cstdint>

#include <rapidjson/error/en.h>

namespace loong::ark::detail {

namespace {

/// Length of the valid UTF-8 sequence starting at `p` (0 when invalid).
size_t utf8_sequence_length(const unsigned char* p, size_t avail) {
  auto c = p[0];
  if (c < 0x80)
    return 1;
  size_t len = 0;
  uint32_t min = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (avail < len)
    return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
         || c == '\v';
}

int64_t read_int(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd())
    return 0;
  if (it->value.IsInt64())
    return it->value.GetInt64();
  if (it->value.IsUint64())
    return INT64_MAX;
  if (it->value.IsDouble()) {
    auto d = it->value.GetDouble();
    // Out-of-range doubles would be undefined behaviour when converted.
    if (d > 0 && d < 9.2e18)
      return static_cast<int64_t>(d);
  }
  return 0;
}

} // namespace

std::string sanitize_utf8(std::string_view x) {
  std::string out;
  out.reserve(x.size());
  auto p = reinterpret_cast<const unsigned char*>(x.data());
  size_t i = 0;
  while (i < x.size()) {
    auto n = utf8_sequence_length(p + i, x.size() - i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(x.data() + i, n);
      i += n;
    }
  }
  return out;
}

std::string clip(std::string_view x, size_t max_bytes) {
  // Whitespace runs collapse so multi-line bodies (HTML, JSON) fit one line.
  std::string flat;
  for (char c : trim(x)) {
    if (!is_space(c))
      flat += c;
    else if (flat.back() != ' ') // trim() leaves no leading space
      flat += ' ';
  }
  if (flat.size() <= max_bytes)
    return sanitize_utf8(flat);
  // Back off over continuation bytes so no character is split.
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(flat[cut]) & 0xC0) == 0x80)
    --cut;
  flat.resize(cut);
  return sanitize_utf8(flat) + "...";
}

std::string_view trim(std::string_view x) {
  while (!x.empty() && is_space(x.front()))
    x.remove_prefix(1);
  while (!x.empty() && is_space(x.back()))
    x.remove_suffix(1);
  return x;
}

std::string get_string(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject())
    return {};
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString())
    return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::string scalar_text(const rapidjson::Value& x) {
  if (x.IsString())
    return {x.GetString(), x.GetStringLength()};
  if (x.IsInt64())
    return std::to_string(x.GetInt64());
  if (x.IsUint64())
    return std::to_string(x.GetUint64());
  return {};
}

bool read_usage(const rapidjson::Value& x, token_usage& out) {
  if (!x.IsObject())
    return false;
  out.prompt_tokens = read_int(x, "prompt_tokens");
  out.completion_tokens = read_int(x, "completion_tokens");
  out.total_tokens = read_int(x, "total_tokens");
  return true;
}

void read_error_object(const rapidjson::Value& obj, provider_error& out) {
  if (!obj.IsObject())
    return;
  const rapidjson::Value* err = &obj;
  auto it = obj.FindMember("error");
  if (it != obj.MemberEnd()) {
    if (it->value.IsString()) {
      out.message = clip(scalar_text(it->value), max_message_bytes);
      return;
    }
    if (it->value.IsObject())
      err = &it->value;
  }
  if (auto c = err->FindMember("code"); c != err->MemberEnd())
    out.code = clip(scalar_text(c->value), 128);
  if (auto m = err->FindMember("message"); m != err->MemberEnd())
    out.message = clip(scalar_text(m->value), max_message_bytes);
}

void parse(rapidjson::Document& doc, std::string_view text) {
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
}

std::string parse_failure(const rapidjson::Document& doc) {
  return "invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": "
         + rapidjson::GetParseError_En(doc.GetParseError());
}

} // namespace loong::ark::detail
