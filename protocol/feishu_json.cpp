#include "protocol/feishu_json.hpp"

#include <limits>

namespace loong::feishu::json {

bool parse(rapidjson::Document& doc, std::string_view text) {
  // Iterative parsing keeps hostile nesting depth off the call stack.
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject())
    return nullptr;
  auto i = obj.FindMember(key);
  return i == obj.MemberEnd() ? nullptr : &i->value;
}

const rapidjson::Value* object(const rapidjson::Value& obj, const char* key) {
  auto* v = member(obj, key);
  return v != nullptr && v->IsObject() ? v : nullptr;
}

const rapidjson::Value* array(const rapidjson::Value& obj, const char* key) {
  auto* v = member(obj, key);
  return v != nullptr && v->IsArray() ? v : nullptr;
}

std::optional<std::string> string(const rapidjson::Value& obj,
                                  const char* key) {
  auto* v = member(obj, key);
  if (v == nullptr || !v->IsString())
    return std::nullopt;
  return std::string(v->GetString(), v->GetStringLength());
}

std::string string_or_empty(const rapidjson::Value& obj, const char* key) {
  auto s = string(obj, key);
  return s ? std::move(*s) : std::string{};
}

std::optional<int64_t> int64(const rapidjson::Value& obj, const char* key) {
  auto* v = member(obj, key);
  if (v == nullptr || !v->IsInt64())
    return std::nullopt;
  return v->GetInt64();
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid
// (overlong forms, surrogates and code points above U+10FFFF included).
size_t utf8_sequence(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto c0 = b(i);
  if (c0 < 0x80)
    return 1;
  size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    n = 2;
  } else if (c0 >= 0xe0 && c0 <= 0xef) {
    n = 3;
    if (c0 == 0xe0)
      lo = 0xa0;
    else if (c0 == 0xed)
      hi = 0x9f;
  } else if (c0 >= 0xf0 && c0 <= 0xf4) {
    n = 4;
    if (c0 == 0xf0)
      lo = 0x90;
    else if (c0 == 0xf4)
      hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n > s.size())
    return 0;
  if (b(i + 1) < lo || b(i + 1) > hi)
    return 0;
  for (size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xbf)
      return 0;
  return n;
}

} // namespace

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto n = utf8_sequence(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

void put_string(writer& w, std::string_view s) {
  auto clean = sanitize_utf8(s);
  w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

std::optional<int64_t> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 19)
    return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto d = c - '0';
    if (v > (std::numeric_limits<int64_t>::max() - d) / 10)
      return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

} // namespace loong::feishu::json
