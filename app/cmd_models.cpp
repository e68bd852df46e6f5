#include "app/commands.hpp"

#include <iostream>

#include <caf/all.hpp>

#include "actors/provider_pool.hpp"
#include "app/actor_host.hpp"
#include "app/error_text.hpp"
#include "app/json_writer.hpp"
#include "messages/errors.hpp"
#include "protocol/ark_chat.hpp"

// `loong runtime models list` (contract §1.2): the provider's model ids.

namespace loong::app {

namespace {

/// The kind in Loong's Rust debug spelling (contract §1.2).
std::string kind_label(const std::string& kind) {
  if (kind == "volcengine")
    return "Volcengine";
  auto out = kind;
  if (!out.empty())
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

} // namespace

int run_models_list(const context& ctx) {
  auto cfg = load_config(ctx);
  if (!cfg)
    return fail(cfg.error());
  auto p = cfg->provider();
  if (int code = require_provider(p))
    return code;
  auto url = ark::models_url(p->base_url);
  caf::expected<std::vector<std::string>> models{std::vector<std::string>{}};
  {
    actor_host host{cfg->host};
    auto pool = host.sys().spawn(provider_pool, host.runtime(), *p,
                                 store_actor{});
    {
      caf::scoped_actor self{host.sys()};
      auto deadline = std::chrono::milliseconds{
        std::max<int64_t>(p->request_timeout_ms, 1) + 10000};
      self->request(pool, deadline, models_atom_v)
        .receive([&](std::vector<std::string>& xs) { models = std::move(xs); },
                 [&](caf::error& e) { models = std::move(e); });
      self->send_exit(pool, caf::exit_reason::user_shutdown);
    }
    host.shutdown();
  }
  if (!models) {
    auto& err = models.error();
    auto text = err == caf::sec::request_timeout
                  ? "provider " + p->name + ": no answer from " + url
                  : error_text(err);
    auto hint = provider_hint(err, p->name);
    if (err == caf::sec::request_timeout)
      hint = provider_hint(caf::make_error(ec::timeout), p->name);
    return fail_with_hint(text, hint);
  }
  if (models->empty())
    return fail_with_hint("provider " + p->name + ": " + url
                            + " listed no models",
                          provider_hint(caf::make_error(ec::invalid_config, "model"),
                                   p->name));
  if (ctx.inv.json) {
    json_writer w;
    w.begin_object();
    w.key("config").str(ctx.config_path);
    w.key("provider_kind").str(p->kind);
    w.key("models_endpoint").str(url);
    w.key("models").begin_array();
    for (auto& m : *models)
      w.str(m);
    w.end_array();
    w.end_object();
    std::cout << w.text();
    return 0;
  }
  std::cout << "config=" << ctx.config_path
            << " provider_kind=" << kind_label(p->kind)
            << " models_endpoint=" << url << "\n";
  for (auto& m : *models)
    std::cout << m << "\n";
  return 0;
}

} // namespace loong::app
