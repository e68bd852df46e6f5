#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/gateway_config.hpp"

namespace loong::config {

/// Looks up an environment variable; injectable so tests pin the environment.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// The real process environment.
env_lookup process_env();

/// How a secret field was written in the file.
struct secret_ref {
  enum class kind { absent, literal, env, file, exec };
  kind what = kind::absent;
  /// The literal, the variable name or the file path.
  std::string text;
  /// Command and arguments for `{ exec = [...] }`.
  std::vector<std::string> argv;
};

/// Classifies a string secret: "$NAME", "${NAME}", "env:NAME" (prefix
/// case-insensitive) and "%NAME%" are env references, anything else a literal.
secret_ref classify_secret_string(std::string_view text);

/// Checks a value meant to be an environment variable name (a `*_env`
/// pointer or the `env` of a table reference). Returns the finding, whose
/// message never repeats the value when it looks like a secret.
std::optional<issue> check_env_name(std::string_view value,
                                    const std::string& key);

/// True for `[A-Za-z_][A-Za-z0-9_]*`.
bool is_env_name(std::string_view value);

/// Resolves a secret (contract §2.2): a set, non-blank field wins even when
/// its reference yields nothing; only an absent or blank field falls back to
/// the `*_env` pointer; otherwise the secret is missing.
secret resolve_secret(const secret_ref& ref, const std::string& pointer_env,
                      const env_lookup& env, const std::string& base_dir);

} // namespace loong::config
