#include "config/toml_reader.hpp"

#include <cpptoml.h>

namespace loong::config {

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

} // namespace

scope scope::sub(const std::string& key) const {
  return sub(key, key);
}

scope scope::sub(const std::string& shown_key, const std::string& raw_key) const {
  auto join = [](const std::string& a, const std::string& b) {
    return a.empty() ? b : a + "." + b;
  };
  return {join(shown, shown_key), join(raw, raw_key)};
}

toml_reader::toml_reader(table_ptr root, toml_locator where, env_lookup env,
                         std::string base_dir)
  : root_(std::move(root)),
    where_(std::move(where)),
    env_(std::move(env)),
    base_dir_(std::move(base_dir)) {
  // nop
}

int64_t toml_reader::line(const scope& at, const std::string& key) const {
  return where_.line(key.empty() ? at.raw : at.sub(key).raw);
}

void toml_reader::error(const std::string& code, const scope& at,
                        const std::string& key, const std::string& message) {
  auto k = key.empty() ? at.shown : at.sub(key).shown;
  issues_.push_back({code, k, k + ": " + message, line(at, key), true});
}

void toml_reader::warn(const std::string& code, const scope& at,
                       const std::string& key, const std::string& message) {
  auto k = key.empty() ? at.shown : at.sub(key).shown;
  issues_.push_back({code, k, k + ": " + message, line(at, key), false});
}

bool toml_reader::check_type(bool ok, const scope& at, const std::string& key,
                             const char* expected) {
  if (!ok)
    error("config.type", at, key, std::string{"expects "} + expected);
  return ok;
}

toml_reader::table_ptr toml_reader::table(const std::string& dotted) {
  if (!root_->contains_qualified(dotted))
    return nullptr;
  auto node = root_->get_qualified(dotted);
  if (!check_type(node->is_table(), scope{dotted, dotted}, "", "a table"))
    return nullptr;
  return node->as_table();
}

toml_reader::table_ptr toml_reader::table(const table_ptr& t, const scope& at,
                                          const std::string& key) {
  if (!t || !t->contains(key))
    return nullptr;
  auto node = t->get(key);
  if (!check_type(node->is_table(), at, key, "a table"))
    return nullptr;
  return node->as_table();
}

std::optional<std::string> toml_reader::string(const table_ptr& t,
                                               const scope& at,
                                               const std::string& key) {
  if (!t || !t->contains(key))
    return std::nullopt;
  auto v = t->get(key)->as<std::string>();
  if (!check_type(v != nullptr, at, key, "a string"))
    return std::nullopt;
  return v->get();
}

std::optional<bool> toml_reader::boolean(const table_ptr& t, const scope& at,
                                         const std::string& key) {
  if (!t || !t->contains(key))
    return std::nullopt;
  auto v = t->get(key)->as<bool>();
  if (!check_type(v != nullptr, at, key, "true or false"))
    return std::nullopt;
  return v->get();
}

std::optional<int64_t> toml_reader::integer(const table_ptr& t, const scope& at,
                                            const std::string& key,
                                            int64_t min, int64_t max) {
  if (!t || !t->contains(key))
    return std::nullopt;
  auto v = t->get(key)->as<int64_t>();
  if (!check_type(v != nullptr, at, key, "an integer"))
    return std::nullopt;
  auto x = v->get();
  if (x < min || x > max) {
    error("config.range", at, key,
          "must be between " + std::to_string(min) + " and "
            + std::to_string(max) + " (got " + std::to_string(x) + ")");
    return std::nullopt;
  }
  return x;
}

std::optional<double> toml_reader::number(const table_ptr& t, const scope& at,
                                          const std::string& key, double min,
                                          double max) {
  if (!t || !t->contains(key))
    return std::nullopt;
  auto node = t->get(key);
  double x = 0;
  if (auto d = node->as<double>())
    x = d->get();
  else if (auto i = node->as<int64_t>())
    x = static_cast<double>(i->get());
  else if (!check_type(false, at, key, "a number"))
    return std::nullopt;
  if (x < min || x > max) {
    error("config.range", at, key,
          "must be between " + std::to_string(min) + " and "
            + std::to_string(max));
    return std::nullopt;
  }
  return x;
}

std::optional<std::vector<std::string>>
toml_reader::strings(const table_ptr& t, const scope& at,
                     const std::string& key) {
  if (!t || !t->contains(key))
    return std::nullopt;
  auto node = t->get(key);
  auto arr = node->is_array() ? node->as_array() : nullptr;
  if (!check_type(arr != nullptr, at, key, "an array of strings"))
    return std::nullopt;
  std::vector<std::string> out;
  for (auto& item : arr->get()) {
    auto s = item->as<std::string>();
    if (!check_type(s != nullptr, at, key, "an array of strings"))
      return std::nullopt;
    auto v = trim(s->get());
    if (!v.empty())
      out.push_back(v);
  }
  return out;
}

secret_ref toml_reader::secret_field(const table_ptr& t, const scope& at,
                                     const std::string& key) {
  if (!t || !t->contains(key))
    return {};
  auto node = t->get(key);
  if (auto s = node->as<std::string>()) {
    auto ref = classify_secret_string(s->get());
    if (ref.what == secret_ref::kind::env && !is_env_name(ref.text))
      error("config.env_pointer.invalid_name", at, key,
            "names an environment variable that is not a valid name "
            "([A-Za-z_][A-Za-z0-9_]*)");
    return ref;
  }
  if (!node->is_table()) {
    check_type(false, at, key, "a string or a table { env | file | exec }");
    return {};
  }
  auto tbl = node->as_table();
  auto here = at.sub(key);
  int forms = tbl->contains("env") + tbl->contains("file") + tbl->contains("exec");
  if (forms != 1) {
    error("config.secret_ref.shape", at, key,
          "a secret table needs exactly one of env, file or exec");
    return {};
  }
  if (tbl->contains("env")) {
    auto name = string(tbl, here, "env");
    if (!name)
      return {};
    if (auto bad = check_env_name(*name, here.sub("env").shown)) {
      bad->line = line(here, "env");
      issues_.push_back(*bad);
      return {};
    }
    return {secret_ref::kind::env, trim(*name), {}};
  }
  if (tbl->contains("file")) {
    auto path = string(tbl, here, "file");
    if (!path)
      return {};
    return {secret_ref::kind::file, *path, {}};
  }
  auto argv = strings(tbl, here, "exec");
  if (!argv || argv->empty()) {
    if (argv)
      error("config.secret_ref.shape", here, "exec", "needs a command");
    return {};
  }
  return {secret_ref::kind::exec, {}, *argv};
}

std::string toml_reader::env_pointer(const table_ptr& t, const scope& at,
                                     const std::string& key) {
  auto v = string(t, at, key);
  if (!v || trim(*v).empty())
    return {};
  if (auto bad = check_env_name(*v, at.sub(key).shown)) {
    bad->line = line(at, key);
    issues_.push_back(*bad);
    return {};
  }
  return trim(*v);
}

secret toml_reader::resolve(const secret_ref& ref,
                            const std::string& pointer) const {
  return resolve_secret(ref, pointer, env_, base_dir_);
}

std::vector<std::string> toml_reader::keys(const table_ptr& t) {
  std::vector<std::string> out;
  if (t)
    for (auto& kv : *t)
      out.push_back(kv.first);
  return out;
}

} // namespace loong::config
