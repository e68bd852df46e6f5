#include "net/http_types.hpp"

namespace loong::net {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

std::string find_header(const header_list& xs, std::string_view name) {
  for (const auto& [key, value] : xs)
    if (iequals(key, name))
      return value;
  return {};
}

} // namespace loong::net
