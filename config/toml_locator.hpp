#pragma once

#include <map>
#include <string>
#include <string_view>

namespace loong::config {

/// Maps dotted keys to the line that defines them, so that validation errors
/// can name a line (cpptoml itself reports lines only for syntax errors).
class toml_locator {
public:
  toml_locator() = default;
  explicit toml_locator(std::string_view text);

  /// Line of `key` (1-based), else of its closest defined parent, else 0.
  int64_t line(std::string key) const;

private:
  std::map<std::string, int64_t> lines_;
};

} // namespace loong::config
