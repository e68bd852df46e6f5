#include "app/probes.hpp"

#include <algorithm>
#include <cctype>

#include <caf/all.hpp>

#include "actors/provider_pool.hpp"
#include "app/actor_host.hpp"
#include "app/error_text.hpp"
#include "messages/errors.hpp"
#include "protocol/ark_chat.hpp"

// Doctor check 3 (contract §6): `provider model probe` — key accepted,
// models endpoint reachable, model resolvable.

namespace loong::app {

namespace {

/// The probe never takes longer than this per HTTP step.
constexpr int64_t probe_timeout_ms = 10000;

const char* check_name = "provider model probe";

bool is_auto(const std::string& model) {
  std::string m;
  for (char c : model)
    if (!std::isspace(static_cast<unsigned char>(c)))
      m += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return m.empty() || m == "auto";
}

/// One models request through a short-lived pool, bounded in time.
caf::expected<std::vector<std::string>>
probe_models(const config::gateway_config& cfg,
             const config::provider_config& p) {
  auto probe = p;
  probe.request_timeout_ms
    = std::clamp<int64_t>(p.request_timeout_ms, 1, probe_timeout_ms);
  probe.connect_timeout_ms
    = std::clamp<int64_t>(p.connect_timeout_ms, 1, probe_timeout_ms);
  probe.retry_max_attempts = 1;
  caf::expected<std::vector<std::string>> out{std::vector<std::string>{}};
  actor_host host{cfg.host};
  auto pool = host.sys().spawn(provider_pool, host.runtime(), probe,
                               store_actor{});
  {
    caf::scoped_actor self{host.sys()};
    self->request(pool, std::chrono::milliseconds{probe.request_timeout_ms + 2000},
                  models_atom_v)
      .receive([&](std::vector<std::string>& xs) { out = std::move(xs); },
               [&](caf::error& e) {
                 out = e == caf::sec::request_timeout
                         ? caf::make_error(ec::timeout, "no answer in time")
                         : std::move(e);
               });
    self->send_exit(pool, caf::exit_reason::user_shutdown);
  }
  host.shutdown();
  return out;
}

/// The `provider model probe` line for profile `p`.
doctor_check model_probe(const config::gateway_config& cfg,
                         const config::provider_config& p,
                         bool skip_model_probe) {
  if (skip_model_probe)
    return {check_name, "warn", "skipped (--skip-model-probe)", ""};
  if (!p.api_key.present())
    return {check_name, "warn",
            "skipped because the provider credentials are missing",
            "fix `provider credentials` first"};
  auto url = ark::models_url(p.base_url);
  auto models = probe_models(cfg, p);
  bool explicit_model = !is_auto(p.model);
  bool has_fallback = !p.preferred_models.empty();
  if (models && !models->empty())
    return {check_name, "ok",
            std::to_string(models->size()) + " model(s) available", ""};
  if (models) {
    auto detail = url + " listed no models";
    if (explicit_model || has_fallback)
      return {check_name, "warn",
              detail + (explicit_model ? "; model " + p.model + " is explicit"
                                       : "; preferred_models will be tried"),
              ""};
    return {check_name, "fail", detail + " and model = \"auto\"",
            "set providers." + p.name
              + ".model to a model or endpoint id (or list preferred_models)"};
  }
  auto& err = models.error();
  auto detail = "models probe failed: " + error_text(err);
  auto hint = provider_hint(err, p.name);
  // A rejected key breaks chat too; other failures leave an explicit model
  // (or a preferred list) a chance.
  bool auth = err.category() == caf::atom("loong")
              && static_cast<ec>(err.code()) == ec::auth_failed;
  if (!auth && (explicit_model || has_fallback))
    return {check_name, "warn",
            detail + (explicit_model
                        ? " (model is explicit; chat may still work)"
                        : " (preferred_models will be tried)"),
            hint};
  return {check_name, "fail", detail, hint};
}

} // namespace

void provider_probes(const config::gateway_config& cfg, bool skip_model_probe,
                     std::vector<doctor_check>& checks) {
  auto p = cfg.provider();
  if (!p)
    return; // the config check already failed and says why
  auto check = model_probe(cfg, *p, skip_model_probe);
  // Contract §6 order: right after the provider's configuration checks.
  auto last = std::find_if(checks.rbegin(), checks.rend(), [](auto& c) {
    return c.name.rfind("provider ", 0) == 0;
  });
  checks.insert(last.base(), std::move(check));
}

} // namespace loong::app
