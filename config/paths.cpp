#include "config/paths.hpp"

namespace loong::config {

namespace {

std::string non_empty(const env_lookup& env, const char* name) {
  auto v = env(name);
  return v ? *v : std::string{};
}

} // namespace

std::string expand_tilde(const std::string& path, const env_lookup& env) {
  if (path == "~" || path.rfind("~/", 0) == 0) {
    auto home = non_empty(env, "HOME");
    if (!home.empty())
      return home + path.substr(1);
  }
  return path;
}

std::string resolve_home(const env_lookup& env) {
  auto home = non_empty(env, "LOONG_HOME");
  if (!home.empty())
    return expand_tilde(home, env);
  auto user = non_empty(env, "HOME");
  return (user.empty() ? std::string{"."} : user) + "/.loong";
}

std::string resolve_config_path(const std::optional<std::string>& flag,
                                const env_lookup& env,
                                const std::string& home) {
  if (flag && !flag->empty())
    return expand_tilde(*flag, env);
  auto from_env = non_empty(env, "LOONG_CONFIG");
  if (!from_env.empty())
    return expand_tilde(from_env, env);
  return home + "/config.toml";
}

std::string runtime_dir(const std::string& home) {
  return home + "/gateway-runtime";
}

} // namespace loong::config
