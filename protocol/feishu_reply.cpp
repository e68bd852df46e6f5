// Reply idempotency keys and reply chunking (product contract §5.8,
// spec §4.3 size limits).
#include "protocol/feishu_openapi.hpp"

#include "protocol/crypto.hpp"

namespace loong::feishu {

std::string reply_uuid(std::string_view account_id,
                       std::string_view message_id, int chunk) {
  std::string material = "loong:feishu:reply";
  material += '\x1f';
  material.append(account_id.data(), account_id.size());
  material += '\x1f';
  material.append(message_id.data(), message_id.size());
  // Chunk 0 keeps the contract's key, so a one-part reply matches it.
  if (chunk > 0) {
    material += '\x1f';
    material += std::to_string(chunk);
  }
  return "feishu-reply-" + crypto::sha256_hex(material).substr(0, 24);
}

namespace {

// Bytes of the code point at s[i]; 1 for any byte that does not start a
// well-formed sequence, so a cut never lands inside a valid sequence.
size_t code_point_size(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = 1;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4;
  if (n == 1 || i + n > s.size())
    return 1;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80)
      return 1;
  return n;
}

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  return rtrim(s);
}

} // namespace

std::vector<std::string> split_reply(std::string_view text,
                                     size_t max_chars) {
  if (max_chars == 0)
    max_chars = 1;
  std::vector<std::string> out;
  auto rest = trim(text);
  while (!rest.empty()) {
    // Byte length of the first max_chars code points.
    size_t end = 0;
    for (size_t n = 0; end < rest.size() && n < max_chars; ++n)
      end += code_point_size(rest, end);
    if (end >= rest.size()) {
      out.emplace_back(rest);
      break;
    }
    auto window = rest.substr(0, end);
    // Prefer a paragraph, then a line, then a word boundary, but only in
    // the second half of the window so chunks do not get tiny.
    size_t cut = end;
    size_t skip = 0;
    for (auto sep : {std::string_view{"\n\n"}, std::string_view{"\n"},
                     std::string_view{" "}}) {
      auto p = window.rfind(sep);
      if (p != std::string_view::npos && p >= end / 2) {
        cut = p;
        skip = sep.size();
        break;
      }
    }
    // Keep leading indentation; drop the whitespace before the cut.
    auto chunk = rtrim(rest.substr(0, cut));
    if (!chunk.empty())
      out.emplace_back(chunk);
    rest = rest.substr(cut + skip);
    while (!rest.empty() && (rest.front() == '\n' || rest.front() == '\r'))
      rest.remove_prefix(1);
  }
  return out;
}

} // namespace loong::feishu
