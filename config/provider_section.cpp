#include "config/provider_section.hpp"

#include <algorithm>

#include <cpptoml.h>

namespace loong::config {

std::string canonical_provider_kind(const std::string& kind) {
  static const char* aliases[] = {"volcengine", "volcengine_custom",
                                  "volcengine_compatible", "doubao", "ark"};
  for (auto a : aliases)
    if (kind == a)
      return "volcengine";
  return {};
}

namespace {

bool is_http_url(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

provider_config read_one(toml_reader& r, const toml_reader::table_ptr& t,
                         const scope& at, const std::string& name) {
  provider_config p;
  p.name = name;
  if (auto kind = r.string(t, at, "kind")) {
    auto canon = canonical_provider_kind(*kind);
    if (canon.empty())
      r.error("config.provider.kind", at, "kind",
              "unsupported provider kind \"" + *kind
                + "\" (this build supports volcengine and its aliases "
                  "volcengine_custom, volcengine_compatible, doubao, ark)");
    else
      p.kind = canon;
  }
  auto ref = r.secret_field(t, at, "api_key");
  auto pointer = r.env_pointer(t, at, "api_key_env");
  if (ref.what == secret_ref::kind::absent && pointer.empty())
    pointer = "ARK_API_KEY";
  p.api_key = r.resolve(ref, pointer);
  if (auto m = r.string(t, at, "model")) {
    auto v = *m;
    v.erase(0, v.find_first_not_of(" \t"));
    p.model = v.empty() ? "auto" : v;
  }
  if (auto xs = r.strings(t, at, "preferred_models"))
    p.preferred_models = *xs;
  if (auto url = r.string(t, at, "base_url")) {
    if (!is_http_url(*url))
      r.error("config.provider.base_url", at, "base_url",
              "must start with https:// (or http:// for a local mock)");
    else
      p.base_url = *url;
    while (p.base_url.size() > 8 && p.base_url.back() == '/')
      p.base_url.pop_back();
    if (p.base_url.find("/api/coding") != std::string::npos)
      r.warn("config.provider.coding_plan", at, "base_url",
             "points at the coding-plan API; kind volcengine expects the "
             "standard /api/v3 endpoint (coding-plan keys need "
             "volcengine_coding, not supported by this build)");
  }
  constexpr int64_t hour = 3600 * 1000;
  if (auto v = r.integer(t, at, "request_timeout_ms", 100, hour))
    p.request_timeout_ms = *v;
  if (auto v = r.integer(t, at, "connect_timeout_ms", 100, hour))
    p.connect_timeout_ms = *v;
  if (auto v = r.integer(t, at, "retry_max_attempts", 1, 10))
    p.retry_max_attempts = *v;
  if (auto v = r.integer(t, at, "retry_initial_backoff_ms", 0, hour))
    p.retry_initial_backoff_ms = *v;
  if (auto v = r.integer(t, at, "retry_max_backoff_ms", 0, hour))
    p.retry_max_backoff_ms = *v;
  if (auto v = r.integer(t, at, "max_concurrency", 1, 10000))
    p.max_concurrency = *v;
  if (auto v = r.integer(t, at, "max_queue", 0, 1000000))
    p.max_queue = *v;
  if (auto v = r.string(t, at, "system_prompt"))
    p.system_prompt = *v;
  if (auto v = r.integer(t, at, "history_turns", 0, 1000))
    p.history_turns = *v;
  if (auto v = r.integer(t, at, "history_chars", 0, 10000000))
    p.history_chars = *v;
  if (auto v = r.integer(t, at, "max_tokens", 0, 1000000))
    p.max_tokens = *v;
  if (auto v = r.number(t, at, "temperature", 0.0, 2.0))
    p.temperature = *v;
  if (auto v = r.string(t, at, "thinking")) {
    if (*v != "enabled" && *v != "disabled" && *v != "auto" && !v->empty())
      r.error("config.provider.thinking", at, "thinking",
              "must be \"enabled\", \"disabled\" or \"auto\"");
    else
      p.thinking = *v;
  }
  return p;
}

} // namespace

void read_providers(toml_reader& r, gateway_config& cfg) {
  scope top{};
  auto providers = r.table("providers");
  for (auto& name : toml_reader::keys(providers)) {
    auto at = top.sub("providers").sub(name);
    auto t = r.table(providers, top.sub("providers"), name);
    if (t)
      cfg.providers.push_back(read_one(r, t, at, name));
  }
  // cpptoml keeps keys sorted, so "first" is deterministic.
  if (auto active = r.string(r.root(), top, "active_provider"))
    cfg.active_provider = *active;
  if (cfg.providers.empty())
    return;
  if (cfg.active_provider.empty()) {
    cfg.active_provider = cfg.providers.front().name;
    if (cfg.providers.size() > 1)
      r.warn("config.provider_selection.implicit_active", top,
             "active_provider",
             "is not set; using the first profile \"" + cfg.active_provider
               + "\"");
    return;
  }
  auto known = std::any_of(cfg.providers.begin(), cfg.providers.end(),
                           [&](auto& p) { return p.name == cfg.active_provider; });
  if (!known) {
    r.warn("config.provider_selection.unknown_active", top, "active_provider",
           "names no [providers." + cfg.active_provider + "] table; using \""
             + cfg.providers.front().name + "\"");
    cfg.active_provider = cfg.providers.front().name;
  }
}

} // namespace loong::config
