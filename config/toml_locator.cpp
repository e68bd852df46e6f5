#include "config/toml_locator.hpp"

#include <vector>

namespace loong::config {

namespace {

std::string strip(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r");
  return std::string{s.substr(b, e - b + 1)};
}

// Splits a TOML key path ("a.\"b c\".d") into its parts, unquoting them.
std::vector<std::string> split_key(std::string_view k) {
  std::vector<std::string> parts;
  std::string cur;
  char quote = 0;
  for (auto c : k) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        cur.push_back(c);
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '.') {
      parts.push_back(strip(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  parts.push_back(strip(cur));
  return parts;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (auto& p : parts) {
    if (!out.empty())
      out += '.';
    out += p;
  }
  return out;
}

} // namespace

toml_locator::toml_locator(std::string_view text) {
  std::vector<std::string> table;
  int64_t n = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    auto line = strip(text.substr(pos, end - pos));
    pos = end + 1;
    ++n;
    if (line.empty() || line[0] == '#')
      continue;
    if (line[0] == '[') {
      auto close = line.find(']');
      if (close == std::string::npos)
        continue;
      auto inner = line.substr(line[1] == '[' ? 2 : 1);
      inner = inner.substr(0, inner.find(']'));
      table = split_key(inner);
      lines_.emplace(join(table), n);
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos)
      continue;
    auto key = split_key(line.substr(0, eq));
    auto full = table;
    full.insert(full.end(), key.begin(), key.end());
    lines_.emplace(join(full), n);
  }
}

int64_t toml_locator::line(std::string key) const {
  for (;;) {
    if (auto i = lines_.find(key); i != lines_.end())
      return i->second;
    auto dot = key.rfind('.');
    if (dot == std::string::npos)
      return 0;
    key.resize(dot);
  }
}

} // namespace loong::config
