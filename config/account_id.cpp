#include "config/account_id.hpp"

#include <algorithm>
#include <cctype>

namespace loong::config {

std::string normalize_account_id(std::string_view raw) {
  auto b = raw.find_first_not_of(" \t\r\n");
  auto e = raw.find_last_not_of(" \t\r\n");
  std::string out;
  if (b != std::string_view::npos) {
    for (auto c : raw.substr(b, e - b + 1)) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x80 && std::isalnum(u)) {
        out.push_back(static_cast<char>(std::tolower(u)));
        continue;
      }
      // Separators: '_' and '-' are kept, anything else becomes '-'; runs
      // collapse into the first one and none may lead.
      char sep = (c == '_' || c == '-') ? c : '-';
      if (!out.empty() && out.back() != '-' && out.back() != '_')
        out.push_back(sep);
    }
  }
  while (!out.empty() && (out.back() == '-' || out.back() == '_'))
    out.pop_back();
  return out.empty() ? "default" : out;
}

bool has_alnum(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x80 && std::isalnum(u);
  });
}

} // namespace loong::config
