#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "config/secret.hpp"
#include "config/toml_locator.hpp"

namespace cpptoml {
class table;
} // namespace cpptoml

namespace loong::config {

/// Where a table sits: the dotted path shown in messages (account ids
/// normalized) and the path as written in the file (to find its line).
struct scope {
  std::string shown;
  std::string raw;
  scope sub(const std::string& key) const;
  scope sub(const std::string& shown_key, const std::string& raw_key) const;
};

/// Typed, validating access to a parsed TOML document. Every problem becomes
/// an `issue` with the dotted key and its line; nothing throws.
class toml_reader {
public:
  using table_ptr = std::shared_ptr<cpptoml::table>;

  toml_reader(table_ptr root, toml_locator where, env_lookup env,
              std::string base_dir);

  /// The document's root table.
  table_ptr root() const { return root_; }
  /// A top-level table by dotted path, nullptr if absent (an issue if the
  /// key exists but is not a table).
  table_ptr table(const std::string& dotted);
  /// A sub-table of `t`, with the same rules.
  table_ptr table(const table_ptr& t, const scope& at, const std::string& key);

  std::optional<std::string> string(const table_ptr& t, const scope& at,
                                    const std::string& key);
  std::optional<bool> boolean(const table_ptr& t, const scope& at,
                              const std::string& key);
  std::optional<int64_t> integer(const table_ptr& t, const scope& at,
                                 const std::string& key, int64_t min,
                                 int64_t max);
  std::optional<double> number(const table_ptr& t, const scope& at,
                               const std::string& key, double min, double max);
  /// A string array; entries trimmed and blanks dropped.
  std::optional<std::vector<std::string>>
  strings(const table_ptr& t, const scope& at, const std::string& key);
  /// A secret field: literal, "$NAME"-style string, or {env|file|exec}.
  secret_ref secret_field(const table_ptr& t, const scope& at,
                          const std::string& key);
  /// A `*_env` pointer; empty when absent or invalid (invalid adds an issue).
  std::string env_pointer(const table_ptr& t, const scope& at,
                          const std::string& key);
  /// Resolves a secret reference against the environment and files.
  secret resolve(const secret_ref& ref, const std::string& pointer) const;

  /// Every key of a table, in file order as cpptoml keeps it (sorted).
  static std::vector<std::string> keys(const table_ptr& t);

  void error(const std::string& code, const scope& at, const std::string& key,
             const std::string& message);
  void warn(const std::string& code, const scope& at, const std::string& key,
            const std::string& message);
  int64_t line(const scope& at, const std::string& key = {}) const;

  const std::vector<issue>& issues() const { return issues_; }

private:
  bool check_type(bool ok, const scope& at, const std::string& key,
                  const char* expected);

  table_ptr root_;
  toml_locator where_;
  env_lookup env_;
  std::string base_dir_;
  std::vector<issue> issues_;
};

} // namespace loong::config
